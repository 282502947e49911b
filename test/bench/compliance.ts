// npm run bench:compliance — a province of 40 agencies and 20,000 open datasets (2 resources each),
// with a quarter of history (creation in Q4 2025, updates and "no change" attestations in the Q1 2026
// window). Measures, as of 20 March 2026: the full evaluation (compliance_overview: every agency's
// duties, every dataset's score, the KPIs with a 4-quarter trend), every organization's status, the
// quarterly report (JSON and XLSX), and the link checker's throughput over all 40,000 resource URLs
// against a loopback server in another process, with the memory it used.
//
// Database: $KHO_BENCH_DATABASE_URL, else a throwaway PostgreSQL cluster when initdb is installed,
// else the embedded PGlite. Sizes: KHO_BENCH_DATASETS (default 20000), KHO_BENCH_AGENCIES (40).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createKernel, type Kernel } from '../../core/app.ts';
import { FixedClock } from '../../core/clock.ts';
import type { ActionContext } from '../../core/actions/types.ts';
import { reportXlsx } from '../../plugins/compliance/services/reports.ts';
import { loadFacts } from '../../plugins/compliance/services/facts.ts';
import { Evaluator } from '../../plugins/compliance/services/engine.ts';
import type { Runtime } from '../../plugins/compliance/services/runtime.ts';
import { benchDatabase } from './database.ts';

const DATASETS = Number(process.env.KHO_BENCH_DATASETS ?? 20000);
const AGENCIES = Number(process.env.KHO_BENCH_AGENCIES ?? 40);
const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

const log = (message: string) => process.stderr.write(message + '\n');

/** A plain HTTP server in its own process: 200 for most files, 404 for every 10th, 500 for every 50th. */
function startLinkServer(): Promise<{ child: ChildProcess; port: number }> {
  const script = `
    const http = require('node:http');
    const server = http.createServer((req, res) => {
      const n = Number((/(\\d+)/.exec(req.url) || [0, 0])[1]);
      const status = n % 50 === 7 ? 500 : n % 10 === 3 ? 404 : 200;
      res.writeHead(status, { 'content-type': 'text/csv', 'content-length': '4' });
      res.end(req.method === 'HEAD' ? undefined : 'a,b\\n');
    });
    server.keepAliveTimeout = 30000;
    server.listen(0, '0.0.0.0', () => process.stdout.write(String(server.address().port) + '\\n'));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script]);
    child.stdout.once('data', (chunk) => resolve({ child, port: Number(String(chunk).trim()) }));
    child.on('error', reject);
  });
}

/** Wall-clock time, and the CPU time of this process (the database works in its own process). */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

// A live-heap probe: a full collection before reading heapUsed, so garbage awaiting collection
// (parsed search pages) is not counted. Enabled at run time, since the npm script has no flags.
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

async function inParallel(count: number, width: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await work(next++);
  }));
}

async function seed(kernel: Kernel, clock: FixedClock, port: number) {
  const context = kernel.context();
  const orgs: string[] = [];
  for (let a = 0; a < AGENCIES; a++) {
    const name = `co-quan-${String(a + 1).padStart(2, '0')}`;
    orgs.push(name);
    await context.action('organization_create', {
      name,
      title: `Cơ quan ${a + 1}`,
      ma_dinh_danh: `H12.${String(a + 1).padStart(2, '0')}`,
      contact_name: `Cán bộ ${a + 1}`,
      contact_position: 'Chuyên viên',
      contact_phone: '0256 3822 111',
      contact_email: `dau-moi-${a + 1}@example.gov.vn`,
      linh_vuc_phu_trach: ['y-te'],
    });
  }
  const started = performance.now();
  let done = 0;
  // Four writers at once, each with its own action context; the clock moves 20 s per dataset.
  await inParallel(DATASETS, 4, async (i) => {
    clock.set(new Date(Date.parse('2025-10-01T02:00:00Z') + i * 20_000));
    const host = HOSTS[i % HOSTS.length];
    await kernel.context().action('package_create', {
      name: `bo-du-lieu-${i}`,
      title: `Bộ dữ liệu số ${i}`,
      notes: 'Dữ liệu phục vụ đo hiệu năng.',
      owner_org: orgs[i % orgs.length],
      license_id: 'vn-let-43',
      tags: i % 3 ? [{ name: 'y tế' }] : [],
      phan_loai_chia_se: 'mo',
      muc_do_quan_trong: 'khac',
      privacy_review: { result: 'no_personal_data' },
      ky_cap_nhat: i % 2 ? 'quarterly' : 'annual',
      linh_vuc: 'y-te',
      resources: [
        { name: 'CSV', url: `http://${host}:${port}/d/${i}.csv`, format: 'CSV', size: 1024 },
        { name: 'API', url: `http://${host}:${port}/api/${i}`, format: 'API' },
      ],
    });
    if (++done % 2000 === 0) log(`  ${done} datasets (${Math.round(done / ((performance.now() - started) / 1000))}/s)`);
  });
  // The Q1 2026 window: 30% updated, 20% attested unchanged.
  clock.set('2026-01-05T02:00:00Z');
  await inParallel(DATASETS, 4, async (i) => {
    if (i % 10 < 3) await kernel.context().action('package_patch', { id: `bo-du-lieu-${i}`, data_modified: '2026-01-05' });
    else if (i % 10 < 5) await kernel.context().action('compliance_attest', { kind: 'no_change', package_id: `bo-du-lieu-${i}` });
  });
  await context.action('compliance_attest', { kind: 'catalogue_review', organization: orgs[0] });
}

async function main() {
  const db = benchDatabase();
  const url = await db.create('kho_bench');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kho-bench-compliance-'));
  const links = await startLinkServer();
  const clock = new FixedClock('2025-10-01T02:00:00Z');
  let kernel: Kernel | null = null;
  let loadBefore = os.loadavg()[0].toFixed(1);
  try {
    log(`Compliance benchmark on ${db.label}, ${os.cpus().length} CPUs, Node ${process.version}: ${AGENCIES} agencies, ${DATASETS} datasets`);
    kernel = await createKernel({
      clock,
      command: 'bench compliance',
      config: {
        file: null,
        env: {},
        overrides: {
          data_dir: dataDir,
          database: { url, pool_max: 16 },
          plugins: ['compliance'],
          log: { level: 'warn', requests: false },
          auth: { create_initial_admin: false },
          net: { allow_private_hosts: ['127.0.0.0/8'] },
          compliance: { rule_packs: ['national', 'binh-dinh', 'thai-binh'], link_checker: { concurrency: 32, per_host_concurrency: 8 } },
        },
      },
    });
    await kernel.start();
    loadBefore = os.loadavg()[0].toFixed(1);
    log('Seeding (through the actions, with the plugin\'s hooks)…');
    const seeding = await timed(() => seed(kernel!, clock, links.port));
    log(`  seeded in ${(seeding.ms / 1000).toFixed(1)} s`);
    if (url) await kernel.database.knex.raw('vacuum analyze');
    clock.set('2026-03-20T02:00:00Z');
    const context: ActionContext = kernel.context();
    const runtime = kernel.container.resolve('compliance.runtime') as Runtime;

    log('Link check of every resource URL…');
    collect();
    const baseline = process.memoryUsage();
    let peakHeap = baseline.heapUsed;
    let peakLive = baseline.heapUsed;
    let peakRss = baseline.rss;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed);
      peakRss = Math.max(peakRss, now.rss);
    }, 50);
    // Every 2 s, the live heap (after a full collection).
    const liveSampler = setInterval(() => {
      collect();
      peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
    }, 2000);
    const linkRun = await timed(() => context.action('compliance_link_check_run', { wait: true, force: true }));
    clearInterval(sampler);
    clearInterval(liveSampler);
    const linkSummary = linkRun.value as { checked: number; classes: Record<string, number> };

    log('Full evaluation (compliance_overview), cold then warm…');
    const cold = await timed(() => context.action('compliance_overview', {}));
    const warm = await timed(() => context.action('compliance_overview', {}));
    const load = await timed(() => loadFacts(context));
    const evaluate = await timed(async () => {
      const evaluator = new Evaluator(runtime.settings.book, runtime.settings.calendar, load.value, kernel!.container.cradle.clock.now());
      return evaluator.province({ quarters: 4 });
    });
    log('Every organization (compliance_organization_show ×' + AGENCIES + ')…');
    const orgs = await timed(async () => {
      for (let a = 0; a < AGENCIES; a++) await context.action('compliance_organization_show', { id: `co-quan-${String(a + 1).padStart(2, '0')}` });
    });
    log('One dataset (compliance_dataset_show)…');
    const one = await timed(() => context.action('compliance_dataset_show', { id: 'bo-du-lieu-123' }));
    log('Quarterly report 2026-Q1…');
    const report = await timed(() => context.action('compliance_report_generate', { type: 'quarterly_open_data', period: '2026-Q1' }));
    const xlsx = await timed(() => reportXlsx((report.value as { result: Record<string, unknown> }).result));
    const overview = cold.value as { kpis: { on_time_quarterly_updates: { value: number }; quality_score: { mean: number }; link_health: { shares: Record<string, number> } } };

    const seconds = (ms: number) => (ms / 1000).toFixed(2);
    const cpu = (t: { cpuMs: number }) => `${(t.cpuMs / 1000).toFixed(2)} s`;
    const loadAfter = os.loadavg()[0].toFixed(1);
    const rate = Math.round(linkSummary.checked / (linkRun.ms / 1000));
    process.stdout.write(`\nCompliance benchmark — ${db.label}; ${AGENCIES} agencies, ${DATASETS} datasets, ${DATASETS * 2} resource URLs; ${os.cpus().length} CPUs; load average ${loadBefore} at start, ${loadAfter} at the end\n\n`);
    process.stdout.write('| measure | wall clock | CPU (this process) | goal |\n|---|---:|---:|---|\n');
    process.stdout.write(`| full evaluation, cold (compliance_overview) | ${seconds(cold.ms)} s | ${cpu(cold)} | ≤ 10 s: ${cold.ms <= 10_000 ? 'met' : 'NOT met'} |\n`);
    process.stdout.write(`| full evaluation, warm | ${seconds(warm.ms)} s | ${cpu(warm)} | |\n`);
    process.stdout.write(`| … loading the facts (package_search pages, history tables) | ${seconds(load.ms)} s | ${cpu(load)} | |\n`);
    process.stdout.write(`| … evaluating (${AGENCIES} agencies, ${DATASETS} scores, KPIs × 5 quarters) | ${seconds(evaluate.ms)} s | ${cpu(evaluate)} | |\n`);
    process.stdout.write(`| every organization's status (${AGENCIES} × compliance_organization_show) | ${seconds(orgs.ms)} s | ${cpu(orgs)} | |\n`);
    process.stdout.write(`| one dataset (compliance_dataset_show) | ${one.ms.toFixed(0)} ms | | |\n`);
    process.stdout.write(`| quarterly report (generate + store) | ${seconds(report.ms)} s | ${cpu(report)} | ≤ 5 s: ${report.ms <= 5000 ? 'met' : 'NOT met'} |\n`);
    process.stdout.write(`| quarterly report as XLSX | ${xlsx.ms.toFixed(0)} ms | | |\n`);
    process.stdout.write(`| link checks (${linkSummary.checked} URLs, ${HOSTS.length} hosts, 8 per host) | ${rate} URLs/s | ${cpu(linkRun)} | ≥ 200 URLs/s: ${rate >= 200 ? 'met' : 'NOT met'} |\n`);
    process.stdout.write(`| link check memory above start: live heap (peak) / heap incl. garbage / RSS | ${((peakLive - baseline.heapUsed) / 1048576).toFixed(0)} MB / ${((peakHeap - baseline.heapUsed) / 1048576).toFixed(0)} MB / ${((peakRss - baseline.rss) / 1048576).toFixed(0)} MB | | bounded |\n`);
    process.stdout.write(`| seeding through the actions | ${Math.round(DATASETS / (seeding.ms / 1000))} datasets/s | |\n`);
    process.stdout.write(`\nLink classes: ${JSON.stringify(linkSummary.classes)}; on-time Q1 updates ${overview.kpis.on_time_quarterly_updates.value}; mean score ${overview.kpis.quality_score.mean}/505\n`);
  } finally {
    await kernel?.close();
    links.child.kill();
    db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
