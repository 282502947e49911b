// npm run bench:harvest: a second Kho (`kho serve` in its own process) holds 10,000 datasets with
// 5 resources each; a harvesting Kho, also in its own process, harvests it with the `ckan`
// harvester: a full harvest, a re-harvest with nothing changed, and a re-harvest after 1% of the
// datasets changed and 1% were deleted at the source. Prints the time of each, datasets/s and the
// harvesting process's peak RSS.
//
// Database: $KHO_BENCH_DATABASE_URL (two databases are created next to it), else a throwaway
// PostgreSQL cluster when initdb is installed (the goals are stated for PostgreSQL), else PGlite.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AGENCIES, datasetBody } from './workload.ts';
import { createKernel } from '../../core/app.ts';
import { PROJECT_ROOT } from '../../core/config/load.ts';
import { issueApiToken } from '../../core/auth/api-token.ts';
import { newUserRow } from '../../core/model/users.ts';
import { benchDatabase } from './database.ts';
import { BENCH_SERVER_ENV, serveKho, stopKho } from './kho-process.ts';

const DATASETS = Number(process.env.KHO_BENCH_DATASETS ?? 10000);
const CHANGED = Math.max(1, Math.round(DATASETS / 100));

function log(message: string) {
  process.stderr.write(message + '\n');
}

// ------------------------------------------------------------------------------------------------
// The child: run one harvest job of a source in this process and report time and peak memory.

async function child(env: Record<string, string>, sourceName: string) {
  Object.assign(process.env, env);
  const kernel = await createKernel({ config: { file: null, env: process.env as Record<string, string>, overrides: {} }, command: 'bench harvest' });
  try {
    const context = kernel.context();
    const job = await context.action('harvest_job_create', { source_id: sourceName });
    const createRunner = kernel.container.cradle['harvest.createRunner'] as (container: unknown) => { run(id: string): Promise<any> };
    const started = performance.now();
    const result = await createRunner(kernel.container).run(job.id);
    const ms = performance.now() - started;
    const time = (value: string | null) => (value ? Date.parse(value.replace(' ', 'T') + 'Z') : NaN);
    const job_ = result.job ?? {};
    const phases = { gatherMs: time(job_.gather_finished) - time(job_.gather_started), afterGatherMs: time(job_.finished) - time(job_.gather_finished) };
    process.stdout.write(JSON.stringify({ ms, stats: result.stats, status: job_.status, maxRssMb: process.resourceUsage().maxRSS / 1024, ...phases }) + '\n');
  } finally {
    await kernel.close();
  }
}

// ------------------------------------------------------------------------------------------------
// The parent.

async function seedSource(env: Record<string, string>): Promise<{ token: string; createRate: number }> {
  const kernel = await createKernel({ config: { file: null, env, overrides: {} }, command: 'bench seed' });
  const { repos, knex, clock } = kernel.container.cradle;
  try {
    const adminId = randomUUID();
    await repos.users.insert(knex, newUserRow({ id: adminId, name: 'bench-admin', sysadmin: true, created: clock.nowIso() }));
    const token = await issueApiToken(kernel.context(), adminId, 'bench');
    for (const name of AGENCIES) await kernel.context().action('organization_create', { name, title: name.replace(/-/g, ' ') });
    const parallel = env.KHO_DATABASE_URL ? 8 : 1;
    const started = performance.now();
    let next = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        for (;;) {
          const i = next++;
          if (i >= DATASETS) return;
          await kernel.context().action('package_create', datasetBody(i, AGENCIES[i % AGENCIES.length]));
          if (++done % 1000 === 0) log(`  ${done} datasets`);
        }
      }),
    );
    const createRate = DATASETS / ((performance.now() - started) / 1000);
    if (env.KHO_DATABASE_URL) await knex.raw('vacuum analyze');
    return { token, createRate };
  } finally {
    await kernel.close();
  }
}

interface Run {
  ms: number;
  stats: Record<string, number>;
  status: string;
  maxRssMb: number;
}

function harvestOnce(env: Record<string, string>, source: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    // KHO_BENCH_PROFILE=dir writes a CPU profile of each harvest run there.
    const profile = process.env.KHO_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KHO_BENCH_PROFILE}`] : [];
    const run = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(PROJECT_ROOT, 'test/bench/harvest.ts'), '--child', JSON.stringify(env), source], { cwd: PROJECT_ROOT });
    let out = '';
    run.stdout.on('data', (chunk) => (out += chunk));
    run.stderr.on('data', (chunk) => process.stderr.write(chunk));
    run.on('close', (code) => {
      if (code !== 0) return reject(new Error(`harvest run failed (${code})`));
      resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

async function api(url: string, token: string, action: string, data: unknown) {
  const response = await fetch(`${url}/api/3/action/${action}`, { method: 'POST', headers: { Authorization: token, 'Content-Type': 'application/json' }, body: JSON.stringify(data) });
  const body = (await response.json()) as { success: boolean; result: unknown; error?: unknown };
  if (!body.success) throw new Error(`${action}: ${JSON.stringify(body.error)}`);
  return body.result;
}

async function main() {
  const db = benchDatabase();
  const sourceUrl = await db.create('kho_bench_source');
  const harvestUrl = await db.create('kho_bench_harvest');
  const base = {
    ...BENCH_SERVER_ENV,
    KHO_DATABASE_POOL_MAX: '16',
  };
  const sourceEnv: Record<string, string> = { ...base, KHO_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'kho-bench-src-')) };
  const harvestEnv: Record<string, string> = {
    ...base,
    KHO_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'kho-bench-hv-')),
    KHO_PLUGINS: 'harvest',
    KHO_NET_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
    KHO_AUTH_CREATE_UNOWNED_DATASET: 'true',
  };
  if (sourceUrl) sourceEnv.KHO_DATABASE_URL = sourceUrl;
  if (harvestUrl) harvestEnv.KHO_DATABASE_URL = harvestUrl;

  let server: ChildProcess | null = null;
  try {
    log(`Harvest benchmark on ${db.label}, ${os.cpus().length} CPUs, Node ${process.version}`);
    log(`Seeding the source with ${DATASETS} datasets × 5 resources…`);
    const { token, createRate } = await seedSource(sourceEnv);
    log(`  (package_create in-process, ${sourceUrl ? 8 : 1} at a time: ${createRate.toFixed(0)} datasets/s — the ceiling a harvest can reach on this machine now)`);
    const running = await serveKho(sourceEnv);
    server = running.child;

    const setup = await createKernel({ config: { file: null, env: harvestEnv, overrides: {} }, command: 'bench setup' });
    try {
      await setup.context().action('harvest_source_create', { name: 'tinh-ban', url: running.url, source_type: 'ckan' });
    } finally {
      await setup.close();
    }

    log('Full harvest…');
    const full = await harvestOnce(harvestEnv, 'tinh-ban');
    log(`  ${JSON.stringify(full)}`);
    log('Re-harvest, nothing changed…');
    const unchanged = await harvestOnce(harvestEnv, 'tinh-ban');
    log(`  ${JSON.stringify(unchanged)}`);
    log(`Changing ${CHANGED} and deleting ${CHANGED} datasets at the source…`);
    for (let i = 0; i < CHANGED; i++) await api(running.url, token, 'package_patch', { id: `bo-du-lieu-${i * 97}`, title: `Dữ liệu đã sửa ${i}` });
    for (let i = 0; i < CHANGED; i++) await api(running.url, token, 'package_delete', { id: `bo-du-lieu-${i * 97 + 1}` });
    log('Re-harvest, 1% changed and 1% deleted…');
    const changed = await harvestOnce(harvestEnv, 'tinh-ban');
    log(`  ${JSON.stringify(changed)}`);

    const rows: Array<[string, Run, string]> = [
      ['full harvest', full, `≥ 200 datasets/s: ${DATASETS / (full.ms / 1000) >= 200 ? 'met' : 'NOT met'}`],
      ['re-harvest, nothing changed', unchanged, `≤ 10 s: ${unchanged.ms <= 10000 ? 'met' : 'NOT met'}`],
      ['re-harvest, 1% changed + 1% deleted', changed, `≤ 10 s: ${changed.ms <= 10000 ? 'met' : 'NOT met'}`],
    ];
    const peak = Math.max(full.maxRssMb, unchanged.maxRssMb, changed.maxRssMb);
    process.stdout.write(`\nKho harvest benchmark — ${db.label}; source: ${DATASETS} datasets × 5 resources (a second Kho, own process); harvester in its own process\n\n`);
    process.stdout.write('| run | time s | datasets/s | added | updated | not modified | deleted | errored | peak RSS MB | goal |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n');
    for (const [name, run, goal] of rows) {
      const s = run.stats;
      process.stdout.write(`| ${name} | ${(run.ms / 1000).toFixed(1)} | ${(DATASETS / (run.ms / 1000)).toFixed(0)} | ${s.added} | ${s.updated} | ${s['not modified']} | ${s.deleted} | ${s.errored} | ${run.maxRssMb.toFixed(0)} | ${goal} |\n`);
    }
    process.stdout.write(`\nPeak RSS of the harvesting process: ${peak.toFixed(0)} MB (goal ≤ 400 MB: ${peak <= 400 ? 'met' : 'NOT met'})\n`);
    process.stdout.write(`For reference, seeding the source ran package_create in-process at ${createRate.toFixed(0)} datasets/s (${sourceUrl ? 8 : 1} at a time) on this machine during this run.\n`);
    const okStats = full.stats.added === DATASETS && changed.stats.updated === CHANGED && changed.stats.deleted === CHANGED && unchanged.stats.errored === 0;
    if (!okStats) process.stdout.write('WARNING: the job stats are not what the changes made at the source should give.\n');
  } finally {
    await stopKho(server);
    await new Promise((resolve) => setTimeout(resolve, 500));
    db.stop();
    rmSync(sourceEnv.KHO_DATA_DIR, { recursive: true, force: true });
    rmSync(harvestEnv.KHO_DATA_DIR, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  child(JSON.parse(process.argv[3]), process.argv[4]).catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}
