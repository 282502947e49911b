// npm run bench: seed 10,000 datasets (5 resources each), then drive the hot actions with autocannon
// at 32 connections against a `kho serve` in its own process, and print req/s, p50 and p99, with
// package_show as a ratio of GET /api/3 (the framework ceiling) measured in the same run.
//
// Database: $KHO_BENCH_DATABASE_URL if set; otherwise a throwaway PostgreSQL cluster when initdb is
// installed (the goals are stated for PostgreSQL); otherwise the embedded PGlite, with a warning.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENCIES, datasetBody } from './workload.ts';
import { createKernel } from '../../core/app.ts';
import { PROJECT_ROOT } from '../../core/config/load.ts';
import { issueApiToken } from '../../core/auth/api-token.ts';
import { newUserRow } from '../../core/model/users.ts';
import { randomUUID } from 'node:crypto';
import { benchDatabase } from './database.ts';
import { BENCH_SERVER_ENV, serveKho, stopKho } from './kho-process.ts';

const DATASETS = Number(process.env.KHO_BENCH_DATASETS ?? 10000);
const DURATION = Number(process.env.KHO_BENCH_SECONDS ?? 10);
// JIT, the package cache and PostgreSQL's buffers warm up before each measured run.
const WARMUP = 3;
const CONNECTIONS = 32;

function log(message: string) {
  process.stderr.write(message + '\n');
}

async function seed(env: Record<string, string>): Promise<{ token: string; names: string[] }> {
  const kernel = await createKernel({ config: { file: null, env, overrides: {} }, command: 'bench seed' });
  const { repos, knex, clock } = kernel.container.cradle;
  try {
    const adminId = randomUUID();
    await repos.users.insert(knex, newUserRow({ id: adminId, name: 'bench-admin', sysadmin: true, created: clock.nowIso() }));
    const token = await issueApiToken(kernel.context(), adminId, 'bench');
    const context = kernel.context();
    for (const name of AGENCIES) await context.action('organization_create', { name, title: name.replace(/-/g, ' ') });
    const started = Date.now();
    const names: string[] = [];
    const queue = Array.from({ length: DATASETS }, (_, i) => i);
    const workers = Array.from({ length: kernel.database.kind === 'postgres' ? 8 : 1 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        await kernel.context().action('package_create', datasetBody(i, AGENCIES[i % AGENCIES.length]));
        names.push(`bo-du-lieu-${i}`);
        if (names.length % 1000 === 0) log(`  seeded ${names.length} datasets (${Math.round(names.length / ((Date.now() - started) / 1000))}/s)`);
      }
    });
    await Promise.all(workers);
    log(`  seeded ${DATASETS} datasets in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // As after any bulk load: fresh statistics, so the planner uses the indexes from the first query
    // (autovacuum would get there by itself within a minute or two).
    await knex.raw('vacuum analyze');
    return { token, names };
  } finally {
    await kernel.close();
  }
}

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Run one scenario with the load generator in a process of its own, after a short warm-up run. */
async function drive(name: string, job: Record<string, unknown>): Promise<Figures> {
  await load(name, { ...job, duration: WARMUP, firstIndex: job.firstIndex === undefined ? undefined : Number(job.firstIndex) + 500_000 });
  return load(name, job);
}

function load(name: string, job: Record<string, unknown>): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'test/bench/load.ts'), JSON.stringify({ connections: CONNECTIONS, duration: DURATION, ...job })], { cwd: PROJECT_ROOT });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`load run ${name} failed (${code})`));
      resolve({ name, ...JSON.parse(out) });
    });
  });
}

async function main() {
  const db = benchDatabase();
  const url = await db.create('kho_bench');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kho-bench-'));
  const env: Record<string, string> = {
    ...BENCH_SERVER_ENV,
    KHO_DATA_DIR: dataDir,
    KHO_DATABASE_POOL_MAX: '16',
  };
  if (url) env.KHO_DATABASE_URL = url;
  let server: ChildProcess | null = null;
  try {
    log(`Kho benchmark on ${db.label}, ${os.cpus().length} CPUs, Node ${process.version}`);
    log(`Seeding ${DATASETS} datasets with 5 resources each…`);
    const { token, names } = await seed(env);
    const running = await serveKho(env);
    server = running.child;
    const url = running.url;
    const figures: Figures[] = [];

    log('GET /api/3 (baseline)…');
    figures.push(await drive('GET /api/3 (baseline)', { scenario: 'baseline', url }));
    log('package_show…');
    figures.push(await drive('package_show', { scenario: 'show', url, names: names.slice(0, 2000) }));
    log('package_search (q + fq + 2 facets)…');
    figures.push(await drive('package_search', { scenario: 'search', url }));
    log('package_create…');
    figures.push(await drive('package_create', { scenario: 'create', url, token, firstIndex: DATASETS }));

    const baseline = figures[0].rps;
    process.stdout.write(`\nKho benchmark — ${db.label}; ${DATASETS} datasets × 5 resources; ${CONNECTIONS} connections, ${DURATION} s each\n\n`);
    process.stdout.write('| scenario | req/s | p50 ms | p99 ms | vs /api/3 | errors |\n|---|---:|---:|---:|---:|---:|\n');
    for (const f of figures) {
      process.stdout.write(`| ${f.name} | ${f.rps.toFixed(0)} | ${f.p50} | ${f.p99} | ${((f.rps / baseline) * 100).toFixed(0)}% | ${f.errors + f.non2xx} |\n`);
    }
    const show = figures[1];
    const search = figures[2];
    const create = figures[3];
    process.stdout.write('\nGoals (on PostgreSQL): ');
    process.stdout.write(
      [
        `package_show ≥ 50% of /api/3 with p99 ≤ 25 ms: ${show.rps / baseline >= 0.5 && show.p99 <= 25 ? 'met' : 'NOT met'}`,
        `package_search ≥ 300 req/s: ${search.rps >= 300 ? 'met' : 'NOT met'}`,
        `package_create ≥ 200/s: ${create.rps >= 200 ? 'met' : 'NOT met'}`,
      ].join('; ') + '\n',
    );
  } finally {
    await stopKho(server);
    await new Promise((resolve) => setTimeout(resolve, 500));
    db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
