// npm run bench:federation — a national Kho pulling its member provinces through the change feed.
//
// 1. Seeds KHO_BENCH_PROVINCES (4) provinces with KHO_BENCH_DATASETS (100,000) datasets between them,
//    written as rows (bench:search's generator: 40 organizations, 1–5 resources, tags, groups, 5%
//    private, 1% draft or deleted), each province with its own database and dataset names.
// 2. Starts each province as `kho serve` with harvest + federation (its change feed starts with every
//    public dataset), and the national portal as `kho serve` with harvest + federation, its job
//    workers in the same process; adds one kho_feed member per province through the API.
// 3. Measures: the first full sync of all members (datasets/s); an incremental sync after 1% of the
//    datasets changed and 0.5% were deleted at the provinces (through their API); the time from a
//    write at a province to its visibility in the national package_search with the members on a
//    one-minute schedule; the peak RSS (VmHWM) of the national process over the whole run.
//
// Database: $KHO_BENCH_DATABASE_URL (databases are created next to it), else a throwaway PostgreSQL
// cluster when initdb is installed (the goals are stated for PostgreSQL), else the embedded PGlite.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createKernel } from '../../core/app.ts';
import { issueApiToken } from '../../core/auth/api-token.ts';
import { newUserRow } from '../../core/model/users.ts';
import { generateCatalogue } from './search.ts';
import { benchDatabase } from './database.ts';
import { BENCH_SERVER_ENV, serveKho, stopKho } from './kho-process.ts';

const DATASETS = Number(process.env.KHO_BENCH_DATASETS ?? 100_000);
const PROVINCES = Math.max(1, Number(process.env.KHO_BENCH_PROVINCES ?? 4));
const LATENCY_SAMPLES = Number(process.env.KHO_BENCH_LATENCY_SAMPLES ?? 3);
const PER_PROVINCE = Math.ceil(DATASETS / PROVINCES);

const log = (message: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


/** Peak resident set of a live process, in MB (Linux). */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) a live process has used (Linux, 100 ticks per second). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function api(url: string, token: string | null, action: string, data: unknown): Promise<any> {
  const response = await fetch(`${url}/api/3/action/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    body: JSON.stringify(data),
  });
  const body = (await response.json()) as { success: boolean; result: unknown; error?: unknown };
  if (!body.success) throw new Error(`${action}: ${JSON.stringify(body.error)}`);
  return body.result;
}

async function adminToken(env: Record<string, string>, name: string): Promise<string> {
  const kernel = await createKernel({ config: { file: null, env, overrides: {} }, command: 'bench federation' });
  try {
    const { repos, knex, clock } = kernel.container.cradle;
    const id = randomUUID();
    await repos.users.insert(knex, newUserRow({ id, name, sysadmin: true, created: clock.nowIso() }));
    return await issueApiToken(kernel.context(), id, 'bench');
  } finally {
    await kernel.close();
  }
}

interface Province {
  name: string;
  env: Record<string, string>;
  url: string;
  token: string;
  child: ChildProcess;
  /** Names of public datasets (the ones the national portal should hold). */
  publicNames: string[];
}

/** Start all members' jobs and wait until each has finished; returns seconds and the summed stats. */
async function syncAll(national: { url: string; token: string }, label: string, expected: number | null): Promise<{ seconds: number; stats: Record<string, number>; errors: string[] }> {
  const started = performance.now();
  const jobs: Array<{ member: string; job_id: string | null; error?: string }> = await api(national.url, national.token, 'federation_sync', {});
  for (const job of jobs) if (!job.job_id) throw new Error(`${label}: no job for ${job.member}: ${job.error}`);
  const wanted = new Map(jobs.map((job) => [job.member, job.job_id]));
  let lastLog = 0;
  for (;;) {
    await sleep(1000);
    const status: any[] = await api(national.url, national.token, 'federation_status', {});
    const done = status.filter((s) => s.last_job && s.last_job.id === wanted.get(s.member) && (s.last_job.status === 'Finished' || s.last_job.status === 'Aborted'));
    if (performance.now() - lastLog > 15000) {
      lastLog = performance.now();
      const held = (await api(national.url, null, 'package_search', { q: '*:*', rows: 0 })).count;
      const secs = (performance.now() - started) / 1000;
      log(`  ${label}: ${done.length}/${wanted.size} members done, ${held}${expected ? `/${expected}` : ''} datasets held nationally, ${secs.toFixed(0)} s`);
    }
    if (done.length === wanted.size) {
      const seconds = (performance.now() - started) / 1000;
      const stats: Record<string, number> = {};
      const errors: string[] = [];
      for (const s of done) {
        for (const [key, value] of Object.entries(s.last_job.stats ?? {})) stats[key] = (stats[key] ?? 0) + Number(value);
        errors.push(...s.last_errors);
      }
      return { seconds, stats, errors };
    }
  }
}

/** A server that dies mid-run is worth a line: its figures would be wrong. */
const reportExit = (who: string) => (code: number | null, signal: NodeJS.Signals | null) => log(`kho serve (${who}) exited with ${code ?? signal}`);

async function main(): Promise<void> {
  const db = benchDatabase();
  const urls = new Map<string, string | null>();
  const urlFor = (name: string) => urls.get(name) ?? null;
  const base: Record<string, string> = {
    ...BENCH_SERVER_ENV,

  };
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const provinces: Province[] = [];
  const loadBefore = os.loadavg()[0];
  try {
    for (const name of [...Array.from({ length: PROVINCES }, (_, i) => `kho_fed_tinh_${i + 1}`), 'kho_fed_national']) urls.set(name, await db.create(name));
    log(`Federation benchmark on ${db.label}; ${DATASETS.toLocaleString('en')} datasets in ${PROVINCES} provinces; ${os.cpus().length} CPUs; Node ${process.version}; load average ${loadBefore.toFixed(2)}`);
    for (let i = 1; i <= PROVINCES; i++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), `kho-bench-fed-p${i}-`));
      dirs.push(dir);
      const env: Record<string, string> = { ...base, KHO_DATA_DIR: dir, KHO_PLUGINS: '', KHO_DATABASE_POOL_MAX: '6', KHO_SITE_URL: `http://tinh-${i}.kho.test` };
      const url = urlFor(`kho_fed_tinh_${i}`);
      if (url) env.KHO_DATABASE_URL = url;
      log(`Seeding province ${i} with ${PER_PROVINCE} datasets…`);
      const kernel = await createKernel({ config: { file: null, env, overrides: {} }, command: 'bench federation' });
      let publicNames: string[];
      try {
        const { knex, searchIndex } = kernel.container.cradle;
        await searchIndex.init?.();
        await generateCatalogue(kernel, PER_PROVINCE);
        // Each province names its own datasets (the generator is deterministic).
        await knex.raw(`update package set name = name || '-t${i}', data = jsonb_set(data::jsonb, '{name}', to_jsonb(name || '-t${i}'))::text where type = 'dataset'`);
        publicNames = (await knex('package').where({ type: 'dataset', state: 'active', private: false }).orderBy('id').select('name')).map((row: { name: string }) => row.name);
        if (url) await knex.raw('vacuum analyze');
      } finally {
        await kernel.close();
      }
      const token = await adminToken(env, `bench-admin-${i}`);
      const running = await serveKho({ ...env, KHO_PLUGINS: 'harvest,federation', KHO_JOBS_IN_PROCESS: 'false' }, { onUnexpectedExit: reportExit(env.KHO_SITE_URL) });
      children.push(running.child);
      provinces.push({ name: `tinh-${i}`, env, url: running.url, token, child: running.child, publicNames });
    }
    const total = provinces.reduce((sum, p) => sum + p.publicNames.length, 0);
    log(`${total} public datasets in ${PROVINCES} provinces`);

    const nationalDir = mkdtempSync(path.join(os.tmpdir(), 'kho-bench-fed-nat-'));
    dirs.push(nationalDir);
    const nationalEnv: Record<string, string> = {
      ...base,
      KHO_DATA_DIR: nationalDir,
      KHO_PLUGINS: 'harvest,federation',
      KHO_NET_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
      KHO_DATABASE_POOL_MAX: '16',
      KHO_JOBS_CONCURRENCY: String(PROVINCES + 2),
      KHO_FEDERATION_MEMBER_CONCURRENCY: String(PROVINCES),
      // The harvest scheduler looks for due sources every 5 s (default 60 s), so a one-minute
      // schedule means one minute.
      KHO_HARVEST_SCHEDULER_INTERVAL_MS: '5000',
    };
    const nationalUrl = urlFor('kho_fed_national');
    if (nationalUrl) nationalEnv.KHO_DATABASE_URL = nationalUrl;
    const nationalToken = await adminToken(nationalEnv, 'bench-admin');
    // KHO_BENCH_PROFILE=dir writes a CPU profile of the national process there.
    const nationalServer = await serveKho(nationalEnv, {
      nodeArgs: process.env.KHO_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KHO_BENCH_PROFILE}`] : [],
      onUnexpectedExit: reportExit('national'),
    });
    children.push(nationalServer.child);
    const national = { url: nationalServer.url, token: nationalToken };
    const pid = nationalServer.child.pid!;
    for (const province of provinces) {
      await api(national.url, national.token, 'federation_member_create', { name: province.name, title: `Tỉnh ${province.name}`, url: province.url, schedule: 'MANUAL' });
    }

    log('First full sync of all members…');
    const cpuBefore = cpuSeconds(pid);
    const full = await syncAll(national, 'full sync', total);
    const fullCpu = cpuSeconds(pid) - cpuBefore;
    const heldAfterFull = (await api(national.url, null, 'package_search', { q: '*:*', rows: 0 })).count;
    log(`  ${full.seconds.toFixed(1)} s, ${Math.round(total / full.seconds)} datasets/s; ${heldAfterFull} held; stats ${JSON.stringify(full.stats)}`);
    if (full.errors.length) log(`  errors: ${full.errors.join(' | ').slice(0, 2000)}`);
    const rssAfterFull = peakRssMb(pid);

    const changedPer = Math.max(1, Math.round(PER_PROVINCE / 100));
    const deletedPer = Math.max(1, Math.round(PER_PROVINCE / 200));
    log(`Changing ${changedPer} and deleting ${deletedPer} datasets in each province (through their API)…`);
    const writes: Array<() => Promise<unknown>> = [];
    for (const province of provinces) {
      const step = Math.floor(province.publicNames.length / (changedPer + deletedPer));
      for (let k = 0; k < changedPer + deletedPer; k++) {
        const name = province.publicNames[k * step];
        writes.push(k < changedPer ? () => api(province.url, province.token, 'package_patch', { id: name, title: `Đã sửa ${k} ${name}` }) : () => api(province.url, province.token, 'package_delete', { id: name }));
      }
    }
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < writes.length) await writes[next++]();
    }));
    const deletedTotal = deletedPer * PROVINCES;
    log('Incremental sync…');
    const incremental = await syncAll(national, 'incremental sync', total - deletedTotal);
    const heldAfterIncremental = (await api(national.url, null, 'package_search', { q: '*:*', rows: 0 })).count;
    log(`  ${incremental.seconds.toFixed(1)} s; ${heldAfterIncremental} held; stats ${JSON.stringify(incremental.stats)}`);

    log(`Write-to-visibility latency, members on a one-minute schedule (${LATENCY_SAMPLES} samples)…`);
    for (const province of provinces) await api(national.url, national.token, 'federation_member_update', { id: province.name, schedule: '* * * * *' });
    const latencies: number[] = [];
    for (let k = 0; k < LATENCY_SAMPLES; k++) {
      // At different moments of the minute.
      await sleep(7000 + Math.floor(Math.random() * 20000));
      const province = provinces[k % provinces.length];
      const name = `moi-${k}-${Date.now()}`;
      const written = performance.now();
      await api(province.url, province.token, 'package_create', { name, title: `Bộ dữ liệu mới ${k}`, owner_org: 'so-tai-chinh' });
      for (;;) {
        await sleep(500);
        const found = await api(national.url, null, 'package_search', { fq: `name:${name}`, rows: 0 });
        if (found.count > 0) break;
        if (performance.now() - written > 5 * 60000) throw new Error(`${name} did not reach the national portal in 5 minutes`);
      }
      latencies.push((performance.now() - written) / 1000);
      log(`  sample ${k + 1}: ${latencies.at(-1)!.toFixed(1)} s`);
    }
    const peak = peakRssMb(pid);

    const out = (text: string) => process.stdout.write(text);
    const fullRate = total / full.seconds;
    out(`\nKho federation benchmark — ${db.label}; ${PROVINCES} provinces, ${total.toLocaleString('en')} public datasets (${DATASETS.toLocaleString('en')} generated); ${os.cpus().length} CPUs; every Kho in its own process on loopback\n`);
    out(`Load average before: ${loadBefore.toFixed(2)}, after: ${os.loadavg()[0].toFixed(2)}\n\n`);
    out('| measure | figure | goal |\n|---|---:|---|\n');
    out(`| first full sync | ${full.seconds.toFixed(1)} s, ${Math.round(fullRate)} datasets/s (${full.stats.added ?? 0} added, ${full.stats.errored ?? 0} errored) | ≥ 300 datasets/s: ${fullRate >= 300 ? 'met' : 'NOT met'} |\n`);
    out(`| CPU of the national process during the full sync | ${fullCpu.toFixed(0)} s (${Math.round((100 * fullCpu) / full.seconds)}% of one core; ${((1000 * fullCpu) / total).toFixed(1)} ms per dataset) | |\n`);
    out(`| incremental sync, 1% changed + 0.5% deleted | ${incremental.seconds.toFixed(1)} s (${incremental.stats.updated ?? 0} updated, ${incremental.stats.deleted ?? 0} deleted) | ≤ 30 s: ${incremental.seconds <= 30 ? 'met' : 'NOT met'} |\n`);
    if (latencies.length) {
      out(`| write → national visibility, 1-minute schedule | ${latencies.map((s) => s.toFixed(1)).join(', ')} s (max ${Math.max(...latencies).toFixed(1)} s) | ≤ ~60 s + sync |\n`);
    }
    out(`| peak RSS of the national process | ${peak.toFixed(0)} MB (${rssAfterFull.toFixed(0)} MB after the full sync) | ≤ 600 MB: ${peak <= 600 ? 'met' : 'NOT met'} |\n`);
    const ok = heldAfterFull === total && heldAfterIncremental === total - deletedTotal && (incremental.stats.updated ?? 0) === changedPer * PROVINCES && (incremental.stats.deleted ?? 0) === deletedTotal;
    if (!ok) out(`WARNING: held ${heldAfterFull} after the full sync (expected ${total}) and ${heldAfterIncremental} after the incremental one (expected ${total - deletedTotal}); errors: ${JSON.stringify([...full.errors, ...incremental.errors]).slice(0, 500)}\n`);
  } finally {
    for (const child of children.reverse()) await stopKho(child).catch(() => undefined);
    db.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
