// The process running a harvest is killed (SIGKILL) in the middle of a job and started again: the
// job is detected as stopped, resumed where it was, and ends with every dataset exactly once and
// the interruption in its report. Runs `kho harvest run` in child processes against an on-disk
// PGlite data folder, or a fresh PostgreSQL database when TEST_DATABASE_URL is set.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { createKernel } from '../../../core/app.ts';
import { PROJECT_ROOT } from '../../../core/config/load.ts';
import { send, startFixtureServer, type FixtureServer } from './helpers.ts';
import { freshPostgresDatabase } from '../../helpers/server.ts';

const TOTAL = 30;
const BIN = path.join(PROJECT_ROOT, 'core/cli/bin.js');

function dataset(i: number) {
  const n = String(i).padStart(12, '0');
  return {
    id: `20000000-0000-4000-8000-${n}`,
    name: `du-lieu-${i}`,
    title: `Dữ liệu ${i}`,
    type: 'dataset',
    metadata_modified: '2024-05-01T09:00:00.000000',
    tags: [],
    extras: [{ key: 'so_thu_tu', value: String(i) }],
    resources: [1, 2, 3].map((r) => ({ id: `2000000${r}-0000-4000-8000-${n}`, name: `Tệp ${r}`, url: `https://example.org/${i}/${r}.csv`, format: 'CSV' })),
  };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function kho(config: string, args: string[], onStderr?: (text: string, kill: () => void) => void): Promise<Run> {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '-c', config, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, KHO_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      onStderr?.(stderr, () => child.kill('SIGKILL'));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('harvest › a process killed mid-job', function () {
  this.timeout(180000);
  let remote: FixtureServer;
  let dir: string;
  let dropDatabase: (() => Promise<void>) | null = null;

  before(async () => {
    remote = await startFixtureServer({
      '/api/3/action/package_search': async (_req, res, url) => {
        const rows = Number(url.searchParams.get('rows'));
        const start = Number(url.searchParams.get('start'));
        const all = Array.from({ length: TOTAL }, (_, i) => dataset(i + 1));
        // Slow pages, so the kill lands in the middle of the job.
        await new Promise((resolve) => setTimeout(resolve, 250));
        send(res, 200, JSON.stringify({ success: true, result: { count: TOTAL, results: all.slice(start, start + rows) } }));
      },
    });
    dir = await mkdtemp(path.join(os.tmpdir(), 'kho-harvest-kill-'));
  });
  after(async () => {
    await remote?.close();
    await dropDatabase?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('resumes the job: every dataset once, complete, and the interruption reported', async () => {
    let databaseUrl: string | null = null;
    if (process.env.TEST_DATABASE_URL) {
      const fresh = await freshPostgresDatabase(process.env.TEST_DATABASE_URL);
      databaseUrl = fresh.url;
      dropDatabase = fresh.drop;
    }
    const config = path.join(dir, 'kho.yaml');
    await writeFile(
      config,
      stringify({
        data_dir: path.join(dir, 'data'),
        database: { url: databaseUrl },
        plugins: ['harvest'],
        log: { level: 'error', requests: false },
        auth: { create_initial_admin: false, create_unowned_dataset: true },
        net: { allow_private_hosts: ['127.0.0.1'] },
        harvest: { heartbeat_ms: 200, stale_after_ms: 1000 },
      }),
    );

    const setup = await createKernel({ config: { file: config, env: {} }, command: 'test setup' });
    try {
      await setup.context().action('harvest_source_create', { name: 'nguon-cham', url: remote.url, source_type: 'ckan', config: { page_size: 3 } });
    } finally {
      await setup.close();
    }

    // First run: killed once six datasets are in.
    const first = await kho(config, ['harvest', 'run', 'nguon-cham', '--progress-interval', '20'], (text, kill) => {
      const counts = [...text.matchAll(/added=(\d+)/g)].map((m) => Number(m[1]));
      if (counts.length && counts[counts.length - 1] >= 6) kill();
    });
    expect(first.signal, first.stderr).to.equal('SIGKILL');
    const jobId = /job ([0-9a-f-]{36})/.exec(first.stderr)![1];
    const before = Math.max(...[...first.stderr.matchAll(/added=(\d+)/g)].map((m) => Number(m[1])));
    expect(before, first.stderr).to.be.within(6, TOTAL - 1);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // the heartbeat goes stale
    const second = await kho(config, ['harvest', 'run', 'nguon-cham']);
    expect(second.code, second.stderr + second.stdout).to.equal(0);
    expect(second.stderr).to.include(`Resuming job ${jobId}`);

    const kernel = await createKernel({ config: { file: config, env: {} }, command: 'test check' });
    try {
      const context = kernel.context();
      const report = await context.action('harvest_job_report', { id: jobId });
      expect(report.job.status).to.equal('Finished');
      expect(report.job.stats).to.deep.equal({ added: TOTAL, updated: 0, 'not modified': 0, errored: 0, deleted: 0 });
      const resumed = report.gather_errors.find((e: any) => /The process running this job stopped/.test(e.message));
      expect(resumed, JSON.stringify(report.gather_errors)).to.include({ level: 'warning' });
      expect(resumed.message_vi).to.match(/Tiến trình chạy lần thu thập này đã dừng/);
      expect(new Set(report.objects.map((o: any) => o.guid)).size).to.equal(TOTAL);

      const search = await context.action('package_search', { q: '', rows: 1000, include_private: true });
      expect(search.count).to.equal(TOTAL);
      const names = search.results.map((pkg: any) => pkg.name).sort();
      expect(names).to.deep.equal(Array.from({ length: TOTAL }, (_, i) => `du-lieu-${i + 1}`).sort());
      for (const pkg of search.results) {
        const i = Number(pkg.extras.find((e: any) => e.key === 'so_thu_tu').value);
        expect(pkg.id).to.equal(dataset(i).id);
        expect(pkg.resources.map((r: any) => r.url)).to.deep.equal(dataset(i).resources.map((r) => r.url));
      }

      // A third run finds nothing to do.
      const job = await context.action('harvest_job_create', { source_id: 'nguon-cham' });
      const createRunner = kernel.container.cradle['harvest.createRunner'] as (container: unknown) => { run(id: string): Promise<any> };
      const third = await createRunner(kernel.container).run(job.id);
      expect(third.stats).to.deep.equal({ added: 0, updated: 0, 'not modified': TOTAL, errored: 0, deleted: 0 });
    } finally {
      await kernel.close();
    }
  });

  it('ends the process after a job with errors, with its exit code, instead of holding the database open', async () => {
    const config = path.join(dir, 'kho-errors.yaml');
    await writeFile(
      config,
      stringify({
        data_dir: path.join(dir, 'data-errors'),
        database: { url: null },
        plugins: ['harvest'],
        log: { level: 'error', requests: false },
        auth: { create_initial_admin: false, create_unowned_dataset: true },
        net: { allow_private_hosts: ['127.0.0.1'] },
      }),
    );
    const closed = await startFixtureServer({});
    const url = closed.url;
    await closed.close(); // nothing listens there any more
    const setup = await createKernel({ config: { file: config, env: {} }, command: 'test setup' });
    try {
      await setup.context().action('harvest_source_create', { name: 'nguon-hong', url, source_type: 'ckan' });
    } finally {
      await setup.close();
    }
    let kill: (() => void) | undefined;
    const timer = setTimeout(() => kill?.(), 60000); // a hang ends as SIGKILL, failing below
    const result = await kho(config, ['harvest', 'run', 'nguon-hong'], (_text, killer) => (kill = killer));
    clearTimeout(timer);
    expect(result.signal, result.stderr).to.equal(null);
    expect(result.code, result.stderr + result.stdout).to.not.equal(0);
    expect(result.stdout + result.stderr).to.match(/kho harvest job show/);
    // The last progress line counts the gather error as the summary under it does.
    expect(result.stderr).to.match(/\] done .* errored=1 /);
    expect(result.stdout + result.stderr).to.match(/, lỗi 1\./);
  });
});
