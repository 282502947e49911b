// npm run bench:search — package_search at 100,000 datasets (KHO_BENCH_DATASETS to change).
//
// 1. Generates the catalogue fast: 40 organizations, 12 groups and one real dataset per organization
//    through the actions (the templates), then every other dataset as rows written straight into
//    package, resource, package_tag and member in batches, each dict in package_show's shape.
//    Vietnamese and English titles, realistic tags and formats, 5% private, 1% draft or deleted.
// 2. Full reindex through the backend's rebuild() (the bulk indexing rate), then VACUUM ANALYZE.
// 3. Starts `kho serve` in its own process and drives it with autocannon at 16 connections from
//    another process: free text; free text + 2 fq + 3 facets; a harvester page deep in the result
//    (fq=metadata_modified:[X TO *], sort=id asc, rows=100, start=90,000). Each scenario runs with
//    the result cache off (every query computed) and on (each search of the mix asked once before,
//    as on a portal whose popular searches repeat).
//
// Database: $KHO_BENCH_DATABASE_URL if set; otherwise a throwaway PostgreSQL cluster when initdb is
// installed (the goals are stated for PostgreSQL); otherwise the embedded PGlite, with a warning.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createKernel, type Kernel } from '../../core/app.ts';
import { PROJECT_ROOT } from '../../core/config/load.ts';
import { newUserRow } from '../../core/model/users.ts';
import { licenseFields, sortKeys } from '../../core/actions/package/dictize.ts';
import type { DataDict } from '../../core/actions/types.ts';
import { slugify } from '../../core/text/vietnamese.ts';
import { benchDatabase } from './database.ts';
import { BENCH_SERVER_ENV, serveKho, stopKho, waitForOutput } from './kho-process.ts';

const DATASETS = Number(process.env.KHO_BENCH_DATASETS ?? 100_000);
const DURATION = Number(process.env.KHO_BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.KHO_BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.KHO_BENCH_CONNECTIONS ?? 16);
const DEEP_START = Number(process.env.KHO_BENCH_DEEP_START ?? 90_000);
const BATCH = 1000;

const log = (message: string) => process.stderr.write(message + '\n');

// ---- the catalogue ----

/** A small deterministic PRNG (mulberry32), so every run generates the same catalogue. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ORGANIZATIONS: string[] = [
  'Sở Tài chính', 'Sở Y tế', 'Sở Giáo dục và Đào tạo', 'Sở Giao thông Vận tải', 'Sở Tài nguyên và Môi trường',
  'Sở Nông nghiệp và Phát triển nông thôn', 'Cục Thống kê', 'Sở Xây dựng', 'Sở Công Thương', 'Sở Kế hoạch và Đầu tư',
  'Sở Lao động - Thương binh và Xã hội', 'Sở Văn hóa, Thể thao và Du lịch', 'Sở Khoa học và Công nghệ', 'Sở Tư pháp',
  'Sở Nội vụ', 'Sở Ngoại vụ', 'Thanh tra tỉnh', 'Ban Dân tộc', 'Ban Quản lý các khu công nghiệp', 'Công an tỉnh',
  'Bảo hiểm xã hội tỉnh', 'Cục Thuế', 'Cục Hải quan', 'Kho bạc Nhà nước', 'Đài Phát thanh và Truyền hình',
  'UBND Thành phố Hà Nội', 'UBND Thành phố Hồ Chí Minh', 'UBND Thành phố Đà Nẵng', 'UBND Thành phố Hải Phòng',
  'UBND Thành phố Cần Thơ', 'UBND tỉnh Quảng Ninh', 'UBND tỉnh Nghệ An', 'UBND tỉnh Thanh Hóa', 'UBND tỉnh Khánh Hòa',
  'UBND tỉnh Lâm Đồng', 'UBND tỉnh Đắk Lắk', 'UBND tỉnh Bắc Ninh', 'UBND tỉnh Lào Cai', 'UBND tỉnh An Giang', 'UBND tỉnh Cà Mau',
];

export const GROUPS: string[] = ['Kinh tế', 'Xã hội', 'Môi trường', 'Y tế', 'Giáo dục', 'Giao thông', 'Nông nghiệp', 'Văn hóa', 'Dân cư', 'Hành chính', 'Đất đai', 'Năng lượng'];

interface Topic {
  vi: string;
  en: string;
  tags: string[];
  group: number;
}

export const TOPICS: Topic[] = [
  { vi: 'dân số', en: 'population', tags: ['dân số', 'thống kê', 'dân cư'], group: 8 },
  { vi: 'trường học', en: 'schools', tags: ['giáo dục', 'trường học'], group: 4 },
  { vi: 'bệnh viện', en: 'hospitals', tags: ['y tế', 'bệnh viện', 'cơ sở khám chữa bệnh'], group: 3 },
  { vi: 'ngân sách', en: 'budget', tags: ['ngân sách', 'tài chính', 'thu chi'], group: 0 },
  { vi: 'giao thông', en: 'traffic', tags: ['giao thông', 'đường bộ'], group: 5 },
  { vi: 'chất lượng không khí', en: 'air quality', tags: ['môi trường', 'không khí', 'quan trắc'], group: 2 },
  { vi: 'sản lượng lúa', en: 'rice production', tags: ['nông nghiệp', 'lúa gạo', 'sản lượng'], group: 6 },
  { vi: 'du lịch', en: 'tourism', tags: ['du lịch', 'lưu trú'], group: 7 },
  { vi: 'doanh nghiệp', en: 'enterprises', tags: ['doanh nghiệp', 'đăng ký kinh doanh'], group: 0 },
  { vi: 'đất đai', en: 'land use', tags: ['đất đai', 'quy hoạch', 'sử dụng đất'], group: 10 },
  { vi: 'thủy sản', en: 'fisheries', tags: ['thủy sản', 'nuôi trồng'], group: 6 },
  { vi: 'lao động việc làm', en: 'employment', tags: ['lao động', 'việc làm'], group: 1 },
  { vi: 'hộ nghèo', en: 'poor households', tags: ['giảm nghèo', 'an sinh xã hội'], group: 1 },
  { vi: 'tai nạn giao thông', en: 'road accidents', tags: ['giao thông', 'tai nạn', 'an toàn giao thông'], group: 5 },
  { vi: 'điểm truy cập wifi công cộng', en: 'public wifi hotspots', tags: ['wifi', 'hạ tầng số'], group: 9 },
  { vi: 'thủ tục hành chính', en: 'administrative procedures', tags: ['thủ tục hành chính', 'dịch vụ công'], group: 9 },
  { vi: 'giá đất', en: 'land prices', tags: ['giá đất', 'bảng giá'], group: 10 },
  { vi: 'tiêu thụ điện', en: 'electricity consumption', tags: ['năng lượng', 'điện'], group: 11 },
  { vi: 'chỉ số giá tiêu dùng', en: 'consumer price index', tags: ['CPI', 'giá cả', 'thống kê'], group: 0 },
  { vi: 'di tích lịch sử', en: 'historic sites', tags: ['di tích', 'văn hóa', 'du lịch'], group: 7 },
  { vi: 'trạm y tế xã', en: 'commune health stations', tags: ['y tế', 'y tế cơ sở'], group: 3 },
  { vi: 'tiêm chủng', en: 'vaccination', tags: ['y tế', 'tiêm chủng', 'dịch bệnh'], group: 3 },
  { vi: 'học sinh tốt nghiệp', en: 'graduates', tags: ['giáo dục', 'tốt nghiệp'], group: 4 },
  { vi: 'mạng lưới xe buýt', en: 'bus network', tags: ['xe buýt', 'giao thông công cộng'], group: 5 },
  { vi: 'mực nước sông', en: 'river water levels', tags: ['thủy văn', 'môi trường', 'lũ lụt'], group: 2 },
  { vi: 'rác thải sinh hoạt', en: 'household waste', tags: ['môi trường', 'rác thải'], group: 2 },
  { vi: 'giấy phép xây dựng', en: 'building permits', tags: ['xây dựng', 'giấy phép'], group: 9 },
  { vi: 'khu công nghiệp', en: 'industrial parks', tags: ['khu công nghiệp', 'đầu tư'], group: 0 },
  { vi: 'vốn đầu tư công', en: 'public investment', tags: ['đầu tư công', 'ngân sách'], group: 0 },
  { vi: 'người có công', en: 'war veterans', tags: ['chính sách', 'an sinh xã hội'], group: 1 },
  { vi: 'cơ sở lưu trú', en: 'accommodation', tags: ['du lịch', 'khách sạn'], group: 7 },
  { vi: 'diện tích rừng', en: 'forest cover', tags: ['lâm nghiệp', 'rừng'], group: 6 },
  { vi: 'thu thuế', en: 'tax revenue', tags: ['thuế', 'ngân sách'], group: 0 },
  { vi: 'xuất nhập khẩu', en: 'imports and exports', tags: ['xuất khẩu', 'nhập khẩu', 'thương mại'], group: 0 },
  { vi: 'hộ kinh doanh', en: 'household businesses', tags: ['doanh nghiệp', 'hộ kinh doanh'], group: 0 },
  { vi: 'trạm quan trắc', en: 'monitoring stations', tags: ['quan trắc', 'môi trường'], group: 2 },
  { vi: 'chợ và siêu thị', en: 'markets and supermarkets', tags: ['thương mại', 'chợ'], group: 0 },
  { vi: 'nhà ở xã hội', en: 'social housing', tags: ['nhà ở', 'xây dựng'], group: 1 },
  { vi: 'bảo hiểm y tế', en: 'health insurance', tags: ['bảo hiểm', 'y tế'], group: 3 },
  { vi: 'dịch vụ công trực tuyến', en: 'online public services', tags: ['dịch vụ công', 'chuyển đổi số'], group: 9 },
];

export const PLACES = [
  'Hà Nội', 'Hồ Chí Minh', 'Đà Nẵng', 'Hải Phòng', 'Cần Thơ', 'Huế', 'Quảng Ninh', 'Nghệ An', 'Thanh Hóa', 'Bình Dương',
  'Đồng Nai', 'Khánh Hòa', 'Lâm Đồng', 'Đắk Lắk', 'Bắc Ninh', 'Hà Giang', 'Lào Cai', 'Sơn La', 'An Giang', 'Cà Mau',
  'huyện Gia Lâm', 'quận Hải Châu', 'thị xã Sơn Tây', 'huyện Củ Chi', 'thành phố Thủ Đức',
];
const EXTRA_TAGS = ['dữ liệu mở', 'open data', 'báo cáo', 'hằng năm', 'hằng quý', 'bản đồ', 'GIS', 'danh mục', 'chỉ tiêu', 'điều tra'];
// Formats by frequency: CSV and XLSX are most common, as on real portals.
const FORMATS = ['CSV', 'CSV', 'CSV', 'XLSX', 'XLSX', 'JSON', 'PDF', 'PDF', 'GeoJSON', 'XML', 'API', 'SHP', 'DOCX', 'ZIP'];
const LICENSES = ['vn-let-43', 'vn-let-43', 'cc-by', 'cc-zero', 'odc-odbl', 'other-open'];
const PREFIXES = ['Danh sách', 'Thống kê', 'Số liệu', 'Báo cáo', 'Cơ sở dữ liệu', 'Bản đồ'];
const FREQUENCIES = ['Hằng năm', 'Hằng quý', 'Hằng tháng', 'Không định kỳ'];

/** The ASCII form an English title uses ("Ha Noi"). */
const ascii = (text: string) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');

export const START_DATE = Date.parse('2022-01-01T00:00:00Z');
const SPAN_MS = 3 * 365 * 24 * 3600 * 1000;
const naive = (ms: number) => new Date(ms).toISOString().slice(0, 23) + '000';

export interface Templates {
  /** A real package dict per organization (made by package_create), keyed by organization name. */
  byOrg: Map<string, DataDict>;
  /** tag name → tag row id. */
  tagIds: Map<string, string>;
  /** group name → embedded group dict. */
  groups: Map<string, DataDict>;
  creatorId: string;
}

export interface GeneratedRows {
  package: DataDict[];
  resource: DataDict[];
  package_tag: DataDict[];
  member: DataDict[];
}

/** Dataset i of the catalogue as rows, its dict cloned from its organization's template. */
export function generateDataset(i: number, templates: Templates, orgNames: string[], rows: GeneratedRows): void {
  const rnd = random(i * 7919 + 17);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  const topic = TOPICS[(i * 13 + Math.floor(rnd() * 5)) % TOPICS.length];
  const second = pick(TOPICS);
  const place = pick(PLACES);
  const year = 2015 + Math.floor(rnd() * 10);
  const english = rnd() < 0.2;
  const title = english
    ? `${topic.en[0].toUpperCase()}${topic.en.slice(1)} in ${ascii(place)}, ${year}`
    : `${pick(PREFIXES)} ${topic.vi} ${place} năm ${year}`;
  const notes = english
    ? `Open data on ${topic.en} and ${second.en} in ${ascii(place)}, published by the provincial agency. Updated ${pick(['yearly', 'quarterly', 'monthly'])}.`
    : `Bộ dữ liệu về ${topic.vi} trên địa bàn ${place}, năm ${year}. Liên quan: ${second.vi}. Nguồn: ${pick(ORGANIZATIONS)}.`;
  const orgName = orgNames[i % orgNames.length];
  const template = templates.byOrg.get(orgName)!;
  const id = randomUUID();
  const name = `${slugify(title, 80)}-${i}`;
  const created = START_DATE + Math.floor(rnd() * SPAN_MS);
  const modified = Math.min(created + Math.floor(rnd() * 200 * 86400_000), START_DATE + SPAN_MS);
  const roll = rnd();
  const state = roll < 0.005 ? 'draft' : roll < 0.01 ? 'deleted' : 'active';
  const isPrivate = rnd() < 0.05;

  const tagNames = [...new Set([...topic.tags, ...(rnd() < 0.5 ? [second.tags[0]] : []), pick(EXTRA_TAGS), `năm ${year}`])];
  const tags = tagNames.map((tagName) => ({ display_name: tagName, id: templates.tagIds.get(tagName)!, name: tagName, state: 'active', vocabulary_id: null }));
  const groupNames = [GROUPS[topic.group], ...(rnd() < 0.3 ? [GROUPS[second.group]] : [])].filter((g, k, all) => all.indexOf(g) === k);
  const groups = groupNames.map((groupName) => templates.groups.get(groupName)!);

  const resourceTemplate = (template.resources as DataDict[])[0];
  const count = 1 + Math.floor(rnd() * 5);
  const resources = Array.from({ length: count }, (_, position) => {
    const format = pick(FORMATS);
    return {
      ...resourceTemplate,
      created: naive(created),
      description: english ? `${topic.en} ${year}, ${format} file` : `Số liệu ${topic.vi} năm ${year}, tệp ${format}`,
      format,
      id: randomUUID(),
      metadata_modified: naive(modified),
      name: english ? `${topic.en} ${year} (${format})` : `${topic.vi} ${year} (${format})`,
      package_id: id,
      position,
      url: `https://opendata.example.gov.vn/${orgName}/${i}/tep-${position + 1}.${format.toLowerCase()}`,
    };
  });
  const license = pick(LICENSES);
  const { license_url: _unused, ...base } = template;
  const dict: DataDict = sortKeys({
    ...base,
    ...licenseFields(license),
    extras: [
      { key: 'linh_vuc', value: topic.vi },
      { key: 'tan_suat_cap_nhat', value: pick(FREQUENCIES) },
    ],
    groups,
    id,
    license_id: license,
    metadata_created: naive(created),
    metadata_modified: naive(modified),
    name,
    notes,
    num_resources: resources.length,
    num_tags: tags.length,
    private: isPrivate,
    resources,
    state,
    tags,
    title,
  });
  rows.package.push({
    id,
    name,
    title,
    type: 'dataset',
    state,
    private: isPrivate,
    owner_org: template.owner_org,
    creator_user_id: templates.creatorId,
    metadata_created: dict.metadata_created,
    metadata_modified: dict.metadata_modified,
    data: JSON.stringify(dict),
  });
  for (const resource of resources) rows.resource.push({ id: resource.id, package_id: id, position: resource.position, state: 'active', url_type: null });
  for (const tag of tags) rows.package_tag.push({ package_id: id, tag_id: tag.id });
  for (const group of groups) {
    rows.member.push({ id: randomUUID(), group_id: group.id, table_name: 'package', table_id: id, capacity: 'public', state: 'active', modified: dict.metadata_modified });
  }
}

/** Organizations, groups, tags and one real dataset per organization, through the actions. */
async function makeTemplates(kernel: Kernel): Promise<{ templates: Templates; orgNames: string[] }> {
  const { repos, knex, clock } = kernel.container.cradle;
  const creatorId = randomUUID();
  await repos.users.insert(knex, newUserRow({ id: creatorId, name: 'bench-publisher', sysadmin: true, created: clock.nowIso() }));
  const context = kernel.context();
  const orgNames: string[] = [];
  for (const title of ORGANIZATIONS) {
    const org = await context.action('organization_create', { name: slugify(title), title });
    orgNames.push(org.name);
  }
  const groups = new Map<string, DataDict>();
  for (const title of GROUPS) await context.action('group_create', { name: slugify(title), title });
  const allTags = new Set<string>(EXTRA_TAGS);
  for (const topic of TOPICS) for (const tag of topic.tags) allTags.add(tag);
  for (let year = 2015; year < 2025; year++) allTags.add(`năm ${year}`);

  const byOrg = new Map<string, DataDict>();
  for (const [k, orgName] of orgNames.entries()) {
    const pkg = await context.action('package_create', {
      name: `mau-${orgName}`,
      title: `Mẫu dữ liệu ${ORGANIZATIONS[k]}`,
      owner_org: orgName,
      license_id: 'vn-let-43',
      groups: GROUPS.map((title) => ({ name: slugify(title) })),
      tags: [...allTags].map((name) => ({ name })),
      resources: [{ name: 'Tệp mẫu', url: 'https://opendata.example.gov.vn/mau.csv', format: 'CSV' }],
    });
    byOrg.set(orgName, pkg);
    for (const group of pkg.groups as DataDict[]) groups.set(group.title, group);
  }
  const tagIds = new Map<string, string>();
  for (const tag of byOrg.get(orgNames[0])!.tags as DataDict[]) tagIds.set(tag.name, tag.id);
  return { templates: { byOrg, tagIds, groups, creatorId }, orgNames };
}

async function insertRows(knex: Knex, table: string, rows: DataDict[]): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]);
  const types: Record<string, string> = { private: 'boolean', position: 'integer', metadata_created: 'timestamp', metadata_modified: 'timestamp', modified: 'timestamp' };
  const spec = columns.map((column) => `"${column}" ${types[column] ?? 'text'}`).join(', ');
  await knex.raw(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) select * from jsonb_to_recordset(?::jsonb) as x(${spec})`, [JSON.stringify(rows)]);
}

/** Write the catalogue (rows only: the search index is built afterwards by rebuild()). */
export async function generateCatalogue(kernel: Kernel, total: number): Promise<void> {
  const { knex } = kernel.container.cradle;
  const { templates, orgNames } = await makeTemplates(kernel);
  const started = Date.now();
  for (let first = orgNames.length; first < total; first += BATCH) {
    const rows: GeneratedRows = { package: [], resource: [], package_tag: [], member: [] };
    for (let i = first; i < Math.min(first + BATCH, total); i++) generateDataset(i, templates, orgNames, rows);
    await knex.transaction(async (trx) => {
      for (const table of ['package', 'resource', 'package_tag', 'member'] as const) await insertRows(trx, table, rows[table]);
    });
    const done = Math.min(first + BATCH, total);
    if (done % 10_000 === 0 || done === total) log(`  generated ${done} datasets (${Math.round((done - orgNames.length) / ((Date.now() - started) / 1000))}/s)`);
  }
}

// ---- the database ----

// ---- the load ----

type Scenario = 'free' | 'faceted' | 'harvest';

interface LoadJob {
  scenario: Scenario;
  url: string;
  connections: number;
  duration: number;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Free-text queries as people type them: Vietnamese with and without marks, English. */
export function freeTextQueries(): string[] {
  const out: string[] = [];
  for (const topic of TOPICS) {
    out.push(topic.vi, ascii(topic.vi));
    out.push(topic.en);
  }
  for (const place of PLACES.slice(0, 10)) out.push(`${TOPICS[out.length % TOPICS.length].vi} ${place}`, ascii(place));
  return out;
}

function requestsFor(scenario: Scenario): Array<{ method: 'GET'; path: string }> {
  const enc = encodeURIComponent;
  const queries = freeTextQueries();
  if (scenario === 'free') return queries.map((q) => ({ method: 'GET', path: `/api/3/action/package_search?q=${enc(q)}` }));
  if (scenario === 'faceted') {
    const facets = enc(JSON.stringify(['organization', 'tags', 'res_format']));
    const formats = ['CSV', 'XLSX', 'JSON', 'PDF'];
    return queries.map((q, i) => {
      const fq = `res_format:${formats[i % formats.length]} groups:${slugify(GROUPS[(i * 7) % GROUPS.length])}`;
      return { method: 'GET', path: `/api/3/action/package_search?q=${enc(q)}&fq=${enc(fq)}&facet.field=${facets}` };
    });
  }
  // CKANHarvester, incremental, deep in the result: rows=100, sort=id asc, start from 90,000.
  const since = enc(`metadata_modified:[${new Date(START_DATE).toISOString().slice(0, 19)}.000000Z TO *]`);
  return Array.from({ length: 10 }, (_, k) => ({ method: 'GET', path: `/api/3/action/package_search?fq=${since}&sort=id+asc&rows=100&start=${DEEP_START + k * 100}` }));
}

async function runLoad(job: LoadJob): Promise<Figures> {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({ url: job.url, connections: job.connections, duration: job.duration, requests: requestsFor(job.scenario) });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}

/** One load run in a process of its own, so the load generator shares nothing with the rest. */
function load(job: LoadJob): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'test/bench/search.ts'), '--load', JSON.stringify(job)], { cwd: PROJECT_ROOT });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load run ${job.scenario} failed (${code})`))));
  });
}

// ---- the run ----

interface Row {
  scenario: string;
  setup: string;
  figures: Figures;
  goal: number | null;
}

async function main(): Promise<void> {
  const db = benchDatabase();
  const url = await db.create('kho_bench');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kho-bench-search-'));
  const env: Record<string, string> = {
    ...BENCH_SERVER_ENV,
    KHO_DATA_DIR: dataDir,
    KHO_DATABASE_POOL_MAX: '16',
    KHO_JOBS_IN_PROCESS: 'false',
  };
  if (url) env.KHO_DATABASE_URL = url;
  const loadBefore = os.loadavg()[0];
  let server: ChildProcess | null = null;
  try {
    log(`Kho search benchmark on ${db.label}; ${os.cpus().length} CPUs; Node ${process.version}; load average ${loadBefore.toFixed(2)}`);
    const kernel = await createKernel({ config: { file: null, env, overrides: {} }, command: 'bench search' });
    let firstRate: number;
    let rebuildRate: number;
    try {
      const { searchIndex, knex } = kernel.container.cradle;
      await searchIndex.init?.(); // records the index format while the catalogue is empty
      log(`Generating ${DATASETS} datasets…`);
      let started = Date.now();
      await generateCatalogue(kernel, DATASETS);
      log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      log('Indexing them (rebuild of an empty index)…');
      started = Date.now();
      const first = await searchIndex.rebuild!();
      firstRate = first / ((Date.now() - started) / 1000);
      log(`  ${first} datasets in ${((Date.now() - started) / 1000).toFixed(1)} s (${Math.round(firstRate)}/s)`);
      await knex.raw('vacuum analyze');
      log('Full reindex of the populated index (kho search rebuild)…');
      started = Date.now();
      const again = await searchIndex.rebuild!();
      rebuildRate = again / ((Date.now() - started) / 1000);
      log(`  ${again} datasets in ${((Date.now() - started) / 1000).toFixed(1)} s (${Math.round(rebuildRate)}/s)`);
      // As after any bulk change: fresh statistics and visibility map.
      await knex.raw('vacuum analyze');
      await searchIndex.close?.();
    } finally {
      await kernel.close();
    }

    const rows: Row[] = [];
    const setups = [
      { label: 'database only', memory: false, cacheMb: '0' },
      { label: 'memory index', memory: true, cacheMb: '0' },
      { label: 'memory index + result cache (default)', memory: true, cacheMb: '64' },
    ];
    for (const { label, memory, cacheMb } of setups) {
      const setupEnv = { ...env, KHO_SEARCH_CACHE_MB: cacheMb, KHO_SEARCH_MEMORY_INDEX: String(memory) };
      const running = await serveKho(memory ? { ...setupEnv, KHO_LOG_LEVEL: 'info' } : setupEnv);
      if (memory) {
        // The memory index is read at the first search; measure once it is.
        const started = Date.now();
        const ready = waitForOutput(running.child, /memory index ready/);
        await (await fetch(`${running.url}/api/3/action/package_search?rows=0`)).arrayBuffer();
        await ready;
        log(`  memory index read in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
      server = running.child;
      for (const [scenario, name, goal] of [
        ['free', 'free text', 20],
        ['faceted', 'free text + 2 fq + 3 facets', 40],
        ['harvest', `harvester page (fq=metadata_modified:[X TO *], sort=id asc, rows=100, start=${DEEP_START.toLocaleString('en')}…)`, 50],
      ] as Array<[Scenario, string, number]>) {
        log(`${name}, ${label}…`);
        // With the cache on, the steady state of a portal: every search of the mix asked once
        // before (autocannon's connections walk the list in step, so its warm-up alone would not).
        if (cacheMb !== '0') for (const request of requestsFor(scenario)) await (await fetch(running.url + request.path)).arrayBuffer();
        await load({ scenario, url: running.url, connections: CONNECTIONS, duration: WARMUP });
        rows.push({ scenario: name, setup: label, figures: await load({ scenario, url: running.url, connections: CONNECTIONS, duration: DURATION }), goal });
      }
      await stopKho(server);
      server = null;
    }

    const out = (text: string) => process.stdout.write(text);
    out(`\nKho search benchmark — ${db.label}; ${DATASETS.toLocaleString('en')} datasets; ${os.cpus().length} CPUs; ${CONNECTIONS} connections, ${DURATION} s each after ${WARMUP} s warm-up\n`);
    out(`Load average before: ${loadBefore.toFixed(2)}, after: ${os.loadavg()[0].toFixed(2)} (the machine is shared: compare figures within one run)\n\n`);
    out('| scenario | setup | req/s | p50 ms | p99 ms | errors | goal (p50) |\n|---|---|---:|---:|---:|---:|---|\n');
    for (const row of rows) {
      const f = row.figures;
      const goal = row.goal === null ? '' : `≤ ${row.goal} ms: ${f.p50 <= row.goal ? 'met' : 'NOT met'}`;
      out(`| ${row.scenario} | ${row.setup} | ${f.rps.toFixed(0)} | ${f.p50} | ${f.p99} | ${f.errors + f.non2xx} | ${goal} |\n`);
    }
    out(`| bulk indexing (rebuild of an empty index) | | ${Math.round(firstRate)} datasets/s | | | | ≥ 2,000/s: ${firstRate >= 2000 ? 'met' : 'NOT met'} |\n`);
    out(`| full reindex (kho search rebuild, populated index) | | ${Math.round(rebuildRate)} datasets/s | | | | ≥ 2,000/s: ${rebuildRate >= 2000 ? 'met' : 'NOT met'} |\n`);
  } finally {
    if (server) await stopKho(server).catch(() => undefined);
    db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--load') {
  process.stdout.write(JSON.stringify(await runLoad(JSON.parse(process.argv[3]) as LoadJob)));
} else if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('test/bench/search.ts')) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
