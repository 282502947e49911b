// `kho search rebuild` and `kho search check` as an operator runs them, as real processes against a
// real data folder (or a PostgreSQL database with TEST_DATABASE_URL).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../core/config/load.ts';
import { createKernel } from '../../../core/app.ts';
import { freshPostgresDatabase } from '../../helpers/server.ts';

const BIN = path.join(PROJECT_ROOT, 'core/cli/bin.js');

function kho(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, cwd: PROJECT_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('kho search rebuild / check', function () {
  this.timeout(120000);
  let dataDir: string;
  let env: Record<string, string>;
  let dropDatabase: (() => Promise<void>) | null = null;
  let ids: string[] = [];

  /** Work on the database directly, then let go of it (PGlite allows one process at a time). */
  async function withKernel<T>(work: (kernel: Awaited<ReturnType<typeof createKernel>>) => Promise<T>): Promise<T> {
    const kernel = await createKernel({ config: { file: null, env, overrides: {} }, command: 'test' });
    try {
      return await work(kernel);
    } finally {
      await kernel.close();
    }
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kho-search-cli-'));
    env = { KHO_DATA_DIR: dataDir, KHO_LOG_LEVEL: 'warn', KHO_CONFIG: '', KHO_PLUGINS: '', KHO_AUTH_CREATE_INITIAL_ADMIN: 'false' };
    if (process.env.TEST_DATABASE_URL) {
      const fresh = await freshPostgresDatabase(process.env.TEST_DATABASE_URL);
      env.KHO_DATABASE_URL = fresh.url;
      dropDatabase = fresh.drop;
    }
    ids = await withKernel(async (kernel) => {
      const context = kernel.context();
      await context.action('organization_create', { name: 'so-y-te', title: 'Sở Y tế' });
      const made: string[] = [];
      for (const title of ['Bệnh viện', 'Trạm y tế', 'Nhà thuốc']) {
        made.push((await kernel.context().action('package_create', { name: `ds-${made.length}`, title, owner_org: 'so-y-te' })).id);
      }
      return made;
    });
  });
  after(async () => {
    await dropDatabase?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('check reports an index that matches, with exit code 0', async () => {
    const result = await kho(['search', 'check'], env);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal('postgres: 3 of 3 datasets indexed\nthe index matches the datasets\n');
  });

  it('check lists what is missing or stale, with exit code 1; rebuild repairs it', async () => {
    await withKernel(async (kernel) => {
      const { knex } = kernel.container.cradle;
      await knex('package_search').where('package_id', ids[0]).delete();
      const row = await knex('package').where('id', ids[1]).first('data');
      await knex('package').where('id', ids[1]).update({ data: JSON.stringify({ ...JSON.parse(row.data), title: 'Đổi tên', metadata_modified: '2030-01-01T00:00:00' }) });
    });
    const broken = await kho(['search', 'check'], env);
    expect(broken.code).to.equal(1);
    expect(broken.stdout).to.include('postgres: 2 of 3 datasets indexed');
    expect(broken.stdout).to.include(`missing from the index: 1\n  ${ids[0]}`);
    expect(broken.stdout).to.include(`stale in the index: 1\n  ${ids[1]}`);

    const rebuilt = await kho(['search', 'rebuild'], env);
    expect(rebuilt.code, rebuilt.stderr).to.equal(0);
    expect(rebuilt.stdout).to.match(/^Re-indexed 3 datasets \(postgres\) in \d+\.\d s\.\n$/);
    const fixed = await kho(['search', 'check'], env);
    expect(fixed.code).to.equal(0);
  });

  it('keeps `kho search-index rebuild` as another name', async () => {
    const result = await kho(['search-index', 'rebuild', '--quiet'], env);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^Re-indexed 3 datasets \(postgres\)/);
  });
});
