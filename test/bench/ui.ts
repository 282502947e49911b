// npm run bench:ui — the web portal's render benchmark. Seeds 10,000 datasets (5 resources each)
// and one dataset with 20 resources, starts `kho serve` with the ui plugin in its own process, and
// drives two pages with autocannon at 16 connections from another process:
//   · the dataset search page: a query word plus an organization filter, 3 facets (organization,
//     tags, formats), 20 results per page, 96 different URLs;
//   · the page of the dataset with 20 resources (one of them an uploaded CSV with its preview).
// It prints req/s, p50 and p99, and the bytes each page costs a browser (HTML gzipped as sent, plus
// the gzipped CSS and script on a first visit). Goals: search p50 ≤ 30 ms, dataset p50 ≤ 10 ms, no
// page over 150 KB with its CSS and script.
//
// Database: $KHO_BENCH_DATABASE_URL if set; otherwise a throwaway PostgreSQL cluster when initdb is
// installed; otherwise the embedded PGlite (slower to seed; the goals are stated for PostgreSQL).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import http from 'node:http';
import { AGENCIES, WORDS, datasetBody } from './workload.ts';
import { benchDatabase } from './database.ts';
import { BENCH_SERVER_ENV, serveKho, stopKho } from './kho-process.ts';

const DATASETS = Number(process.env.KHO_BENCH_DATASETS ?? 10000);
const DURATION = Number(process.env.KHO_BENCH_SECONDS ?? 10);
const WARMUP = 3;
const CONNECTIONS = 16;
const BIG = 'bo-du-lieu-20-tai-nguyen';

function log(message: string) {
  process.stderr.write(message + '\n');
}

// -------------------------------------------------------------------------------------------------
// load generator mode: node --import tsx test/bench/ui.ts --load '<json>'

interface LoadJob {
  url: string;
  paths: string[];
  connections: number;
  duration: number;
}

async function runLoad(job: LoadJob) {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    requests: job.paths.map((p) => ({ method: 'GET', path: p, headers: { 'accept-encoding': 'gzip', accept: 'text/html' } })),
  });
  process.stdout.write(JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx }));
}

// -------------------------------------------------------------------------------------------------
// database, seeding, server

async function seed(env: Record<string, string>) {
  const { createKernel } = await import('../../core/app.ts');
  const { newUserRow } = await import('../../core/model/users.ts');
  const kernel = await createKernel({ config: { file: null, env, overrides: {} }, command: 'bench seed' });
  const { repos, knex, clock, fileStore } = kernel.container.cradle;
  try {
    const adminId = randomUUID();
    await repos.users.insert(knex, newUserRow({ id: adminId, name: 'bench-admin', sysadmin: true, created: clock.nowIso() }));
    const context = kernel.context();
    for (const name of AGENCIES) await context.action('organization_create', { name, title: `Sở ${name.replace(/^so-/, '').replace(/-/g, ' ')}`, description: `Cơ quan **${name}** của tỉnh.` });
    const started = Date.now();
    let done = 0;
    const queue = Array.from({ length: DATASETS }, (_, i) => i);
    const workers = Array.from({ length: kernel.database.kind === 'postgres' ? 8 : 1 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        await kernel.context().action('package_create', datasetBody(i, AGENCIES[i % AGENCIES.length]));
        if (++done % 1000 === 0) log(`  seeded ${done} datasets (${Math.round(done / ((Date.now() - started) / 1000))}/s)`);
      }
    });
    await Promise.all(workers);
    // The dataset with 20 resources: 19 links and one uploaded CSV (which gets a preview).
    const body = datasetBody(DATASETS + 1, AGENCIES[0]);
    const resources = Array.from({ length: 19 }, (_, r) => ({ name: `Bảng số liệu ${r + 1}`, url: `https://opendata.example.gov.vn/lon/${r}.csv`, format: ['CSV', 'XLSX', 'JSON', 'PDF'][r % 4], description: `Số liệu **năm ${2000 + r}** theo huyện.` }));
    const pkg = await context.action('package_create', { ...body, name: BIG, title: 'Niên giám thống kê tỉnh (20 tài nguyên)', notes: '## Niên giám\n\nSố liệu *thống kê* theo huyện, [nguồn](https://gso.gov.vn).\n\n- dân số\n- lao động\n- giáo dục', resources });
    const csv = 'huyen,dan_so,dien_tich\n' + Array.from({ length: 200 }, (_, i) => `Huyện ${i},${10000 + i * 17},${100 + i}`).join('\n') + '\n';
    const upload = await fileStore.receive(Readable.from([Buffer.from(csv)]), { fieldName: 'upload', filename: 'dan-so-theo-huyen.csv', maxBytes: 1 << 20 });
    await context.action('resource_create', { package_id: pkg.id, name: 'Dân số theo huyện', upload });
    log(`  seeded ${DATASETS + 1} datasets in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await knex.raw('vacuum analyze');
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

function load(name: string, job: LoadJob): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--load', JSON.stringify(job)]);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('close', (code) => (code === 0 ? resolve({ name, ...JSON.parse(out) }) : reject(new Error(`load run ${name} failed (${code})`))));
  });
}

async function drive(name: string, url: string, paths: string[]): Promise<Figures> {
  await load(name, { url, paths, connections: CONNECTIONS, duration: WARMUP });
  return load(name, { url, paths, connections: CONNECTIONS, duration: DURATION });
}

/** GET with Accept-Encoding: gzip, without decoding: the bytes on the wire and the decoded body. */
function rawGet(url: string): Promise<{ status: number; wire: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'accept-encoding': 'gzip', accept: 'text/html' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const wire = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, wire: wire.length, body: res.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Bytes a browser receives for a page: gzipped HTML as sent, and the page's CSS and script. */
async function pageWeight(url: string, pagePath: string): Promise<{ html: number; htmlRaw: number; assets: number; assetsRaw: number; total: number }> {
  const page = await rawGet(url + pagePath);
  const html = page.body.toString('utf8');
  let assets = 0;
  let assetsRaw = 0;
  for (const match of html.matchAll(/(?:href|src)="(\/ui-static\/[^"]+)"/g)) {
    const asset = await rawGet(url + match[1].replace(/&amp;/g, '&'));
    assets += asset.wire;
    assetsRaw += asset.body.length;
  }
  return { html: page.wire, htmlRaw: page.body.length, assets, assetsRaw, total: page.wire + assets };
}

async function main() {
  const db = benchDatabase();
  const url = await db.create('kho_bench');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kho-bench-ui-'));
  const env: Record<string, string> = {
    ...BENCH_SERVER_ENV,
    KHO_DATA_DIR: dataDir,
    KHO_PLUGINS: 'ui',
    KHO_DATABASE_POOL_MAX: '16',
    KHO_UI_SEARCH_FACETS: 'organization,tags,res_format',
    // First measured as rendered on every request; the cached run follows.
    KHO_UI_PAGE_CACHE_SECONDS: '0',
  };
  if (url) env.KHO_DATABASE_URL = url;
  let server: ChildProcess | null = null;
  try {
    log(`Kho web portal benchmark on ${db.label}, ${os.cpus().length} CPUs, Node ${process.version}`);
    log(`Seeding ${DATASETS} datasets with 5 resources each, and one with 20…`);
    await seed(env);
    const running = await serveKho(env);
    server = running.child;
    const url = running.url;

    const searchPaths = Array.from({ length: WORDS.length * AGENCIES.length }, (_, i) => {
      const q = encodeURIComponent(WORDS[i % WORDS.length]);
      return `/dataset?q=${q}&organization=${AGENCIES[Math.floor(i / WORDS.length) % AGENCIES.length]}`;
    });
    const datasetPath = `/dataset/${BIG}`;
    for (const p of [searchPaths[0], datasetPath]) {
      const check = await fetch(url + p);
      if (check.status !== 200) throw new Error(`${p} answered ${check.status}`);
    }

    const figures: Figures[] = [];
    log('GET /api/3 (framework ceiling)…');
    figures.push(await drive('GET /api/3 (ceiling, for reference)', url, ['/api/3']));
    log('search page…');
    figures.push(await drive('search page, rendered every time (ui.page_cache_seconds: 0)', url, searchPaths));
    log('dataset page…');
    figures.push(await drive('dataset page, rendered every time (ui.page_cache_seconds: 0)', url, [datasetPath]));

    log('restarting with the page cache on (ui.page_cache_seconds: 30, the default)…');
    await stopKho(server);
    const cached = await serveKho({ ...env, KHO_UI_PAGE_CACHE_SECONDS: '30' });
    server = cached.child;
    // Every URL once, so that the measured run sees the steady state of a visited site (autocannon's
    // connections walk the URL list in step, and would otherwise meet mostly first visits).
    for (const p of [...searchPaths, datasetPath]) await (await fetch(cached.url + p)).arrayBuffer();
    log('search page (cached)…');
    figures.push(await drive('search page, signed-out visitor, page cache on', cached.url, searchPaths));
    log('dataset page (cached)…');
    figures.push(await drive('dataset page, signed-out visitor, page cache on', cached.url, [datasetPath]));

    const weights: Array<[string, Awaited<ReturnType<typeof pageWeight>>]> = [];
    for (const [name, p] of [['home', '/'], ['search (20 results)', `/dataset?q=${encodeURIComponent(WORDS[0])}`], ['dataset (20 resources)', datasetPath], ['organization', `/organization/${AGENCIES[1]}`], ['sign-in', '/user/login']] as Array<[string, string]>) {
      weights.push([name, await pageWeight(cached.url, p)]);
    }

    process.stdout.write(`\nKho web portal — ${db.label}; ${DATASETS} datasets × 5 resources; ${CONNECTIONS} connections, ${DURATION} s each\n\n`);
    process.stdout.write('| scenario | req/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|\n');
    for (const f of figures) process.stdout.write(`| ${f.name} | ${f.rps.toFixed(0)} | ${f.p50} | ${f.p99} | ${f.errors + f.non2xx} |\n`);
    process.stdout.write('\n| page | HTML (gzip) | HTML | CSS + JS (gzip, first visit) | total |\n|---|---:|---:|---:|---:|\n');
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    for (const [name, w] of weights) process.stdout.write(`| ${name} | ${kb(w.html)} | ${kb(w.htmlRaw)} | ${kb(w.assets)} | ${kb(w.total)} |\n`);
    const search = figures[1];
    const dataset = figures[2];
    const searchCached = figures[3];
    const datasetCached = figures[4];
    const heaviest = Math.max(...weights.map(([, w]) => w.htmlRaw + w.assetsRaw));
    process.stdout.write('\nGoals: ');
    process.stdout.write(
      [
        `search page p50 ≤ 30 ms: rendered ${search.p50 <= 30 ? 'met' : 'NOT met'} (${search.p50} ms), cached ${searchCached.p50 <= 30 ? 'met' : 'NOT met'} (${searchCached.p50} ms)`,
        `dataset page p50 ≤ 10 ms: rendered ${dataset.p50 <= 10 ? 'met' : 'NOT met'} (${dataset.p50} ms), cached ${datasetCached.p50 <= 10 ? 'met' : 'NOT met'} (${datasetCached.p50} ms)`,
        `no page over 150 KB with CSS and script: ${heaviest <= 150 * 1024 ? 'met' : 'NOT met'} (largest ${kb(heaviest)} uncompressed)`,
      ].join('; ') + '\n',
    );
  } finally {
    await stopKho(server);
    await new Promise((resolve) => setTimeout(resolve, 500));
    db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--load') {
  runLoad(JSON.parse(process.argv[3]) as LoadJob).catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}
