// Databases and realistic package dicts (the package_show shape of spec 2.3) for the search tests.
// Every suite runs on embedded PGlite, and on PostgreSQL too when TEST_DATABASE_URL is set (a fresh
// database per suite, dropped afterwards).
import { randomUUID } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { createPglite, openDatabase, type Database } from '../../../core/db/connect.ts';
import { CORE_MIGRATIONS, migrateLatest } from '../../../core/db/migrate.ts';
import type { DataDict } from '../../../core/actions/types.ts';
import type { SearchIndex, SearchQuery } from '../../../core/search/search-index.ts';
import { parseFreeText, parseQuery, parseSort } from '../../../core/search/query-parser.ts';

export interface TestDatabase {
  name: string;
  setUp(): Promise<Database>;
  tearDown(): Promise<void>;
}

function pglite(): TestDatabase {
  let db: Database | null = null;
  return {
    name: 'PGlite',
    async setUp() {
      db = await openDatabase({ url: null, dataDir: '', poolMax: 1, pglite: await createPglite(null) });
      await migrateLatest(db.knex, [CORE_MIGRATIONS]);
      return db;
    },
    async tearDown() {
      await db?.close();
    },
  };
}

function postgres(adminUrl: string): TestDatabase {
  const name = `kho_test_search_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let db: Database | null = null;
  return {
    name: 'PostgreSQL',
    async setUp() {
      await admin.raw(`create database "${name}"`);
      db = await openDatabase({ url: url.toString(), dataDir: '', poolMax: 4 });
      await migrateLatest(db.knex, [CORE_MIGRATIONS]);
      return db;
    },
    async tearDown() {
      await db?.close();
      await admin.raw(`drop database if exists "${name}" with (force)`);
      await admin.destroy();
    },
  };
}

export function testDatabases(): Array<() => TestDatabase> {
  const list: Array<() => TestDatabase> = [pglite];
  if (process.env.TEST_DATABASE_URL) list.push(() => postgres(process.env.TEST_DATABASE_URL!));
  return list;
}

export interface OrgFixture {
  id: string;
  name: string;
  title: string;
  is_organization: boolean;
}

export const ORGS: OrgFixture[] = [
  { id: 'org-tc', name: 'so-tai-chinh', title: 'Sở Tài chính', is_organization: true },
  { id: 'org-yt', name: 'so-y-te', title: 'Sở Y tế', is_organization: true },
  { id: 'org-dn', name: 'ubnd-da-nang', title: 'UBND Thành phố Đà Nẵng', is_organization: true },
  { id: 'grp-kt', name: 'kinh-te', title: 'Kinh tế', is_organization: false },
  { id: 'grp-mt', name: 'moi-truong', title: 'Môi trường', is_organization: false },
];

export async function insertGroups(knex: Knex): Promise<void> {
  await knex('group').insert(
    ORGS.map((org) => ({ ...org, type: org.is_organization ? 'organization' : 'group', created: '2024-01-01T00:00:00', state: 'active' })),
  );
}

export interface DatasetSpec {
  id?: string;
  name: string;
  title?: string;
  notes?: string | null;
  org?: string | null;
  groups?: string[];
  tags?: string[];
  formats?: string[];
  license_id?: string | null;
  state?: string;
  private?: boolean;
  type?: string;
  modified?: string;
  created?: string;
  extras?: Record<string, string>;
  creator?: string;
  author?: string | null;
  extra?: DataDict;
}

let counter = 0;

/** A package dict shaped like package_show's (keys sorted the way CKAN's dictize leaves them). */
export function packageDict(spec: DatasetSpec): DataDict {
  counter++;
  const id = spec.id ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  const org = spec.org ? ORGS.find((o) => o.name === spec.org)! : null;
  const modified = spec.modified ?? `2024-03-01T00:00:${String(counter % 60).padStart(2, '0')}.000001`;
  const tags = (spec.tags ?? []).map((name) => ({ display_name: name, id: `tag-${name}`, name, state: 'active', vocabulary_id: null }));
  const resources = (spec.formats ?? []).map((format, position) => ({
    cache_last_updated: null,
    cache_url: null,
    created: '2024-01-01T00:00:00',
    description: `Tệp ${format} của ${spec.title ?? spec.name}`,
    format,
    hash: '',
    id: `${id}-res-${position}`,
    last_modified: null,
    metadata_modified: modified,
    mimetype: null,
    mimetype_inner: null,
    name: `Bảng dữ liệu ${position + 1}`,
    package_id: id,
    position,
    resource_type: null,
    size: null,
    state: 'active',
    url: `https://data.example.vn/${spec.name}/file-${position}.${format.toLowerCase()}`,
    url_type: null,
  }));
  return {
    author: spec.author ?? null,
    author_email: null,
    creator_user_id: spec.creator ?? 'user-1',
    extras: Object.entries(spec.extras ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => ({ key, value })),
    groups: (spec.groups ?? []).map((name) => {
      const group = ORGS.find((o) => o.name === name)!;
      return { description: '', display_name: group.title, id: group.id, image_display_url: '', name: group.name, title: group.title };
    }),
    id,
    isopen: spec.license_id === 'cc-by',
    license_id: spec.license_id === undefined ? 'cc-by' : spec.license_id,
    license_title: spec.license_id === undefined ? 'Creative Commons Attribution' : spec.license_id,
    maintainer: null,
    maintainer_email: null,
    metadata_created: spec.created ?? '2024-01-01T00:00:00.000001',
    metadata_modified: modified,
    name: spec.name,
    notes: spec.notes === undefined ? `Mô tả của ${spec.name}` : spec.notes,
    num_resources: resources.length,
    num_tags: tags.length,
    organization: org && {
      approval_status: 'approved',
      created: '2024-01-01T00:00:00',
      description: '',
      id: org.id,
      image_url: '',
      is_organization: true,
      name: org.name,
      state: 'active',
      title: org.title,
      type: 'organization',
    },
    owner_org: org?.id ?? null,
    private: spec.private ?? false,
    relationships_as_object: [],
    relationships_as_subject: [],
    resources,
    state: spec.state ?? 'active',
    tags,
    title: spec.title ?? spec.name,
    type: spec.type ?? 'dataset',
    url: null,
    version: null,
    ...spec.extra,
  };
}

/** Store the package row (its `data` is the JSON text package_show serves) and index it, in one transaction. */
export async function storeAndIndex(knex: Knex, index: SearchIndex, pkgs: DataDict[]): Promise<void> {
  await knex.transaction(async (trx) => {
    for (const pkg of pkgs) {
      const row = {
        id: pkg.id,
        name: pkg.name,
        title: pkg.title,
        type: pkg.type,
        state: pkg.state,
        private: pkg.private,
        owner_org: pkg.owner_org,
        creator_user_id: pkg.creator_user_id,
        metadata_created: pkg.metadata_created,
        metadata_modified: pkg.metadata_modified,
        data: JSON.stringify(pkg),
      };
      await trx('package').insert(row).onConflict('id').merge();
      await index.index(trx, pkg);
    }
  });
}

/** The datasets most tests search: Vietnamese titles, orgs, groups, formats, states and visibility. */
export function standardDatasets(): DataDict[] {
  return [
    packageDict({
      name: 'ngan-sach-ha-noi-2023',
      title: 'Ngân sách Thành phố Hà Nội 2023',
      notes: 'Số liệu thu chi ngân sách năm 2023.',
      org: 'so-tai-chinh',
      groups: ['kinh-te'],
      tags: ['ngân sách', 'tài chính'],
      formats: ['CSV', 'XLSX'],
      license_id: 'cc-by',
      modified: '2024-05-01T09:00:00.123456',
      extras: { spatial: 'Hà Nội', 'nam-bao-cao': '2023' },
    }),
    packageDict({
      name: 'benh-vien-ha-noi',
      title: 'Danh sách bệnh viện',
      notes: 'Các bệnh viện trên địa bàn Thành phố Hà Nội.',
      org: 'so-y-te',
      tags: ['y tế'],
      formats: ['CSV', 'JSON'],
      license_id: 'odc-odbl',
      modified: '2024-05-01T09:00:00.123455',
    }),
    packageDict({
      name: 'chat-luong-khong-khi',
      title: 'Chất lượng không khí Đà Nẵng',
      notes: 'Chỉ số AQI theo giờ.',
      org: 'ubnd-da-nang',
      groups: ['moi-truong', 'kinh-te'],
      tags: ['môi trường', 'không khí'],
      formats: ['JSON'],
      license_id: 'cc-by',
      modified: '2024-06-01T00:00:00',
    }),
    packageDict({
      name: 'luong-can-bo',
      title: 'Lương cán bộ',
      org: 'so-tai-chinh',
      tags: ['tài chính'],
      formats: ['CSV'],
      private: true,
      modified: '2024-04-01T00:00:00',
    }),
    packageDict({ name: 'ban-nhap-y-te', title: 'Bản nháp y tế', org: 'so-y-te', tags: ['y tế'], state: 'draft', modified: '2024-04-02T00:00:00' }),
    packageDict({ name: 'da-xoa', title: 'Dữ liệu đã xoá', org: 'so-tai-chinh', state: 'deleted', modified: '2024-04-03T00:00:00' }),
    packageDict({ name: 'nguon-thu-thap', title: 'Nguồn thu thập CKAN', org: 'so-tai-chinh', type: 'harvest', modified: '2024-02-01T00:00:00' }),
    packageDict({ name: 'nhap-khong-to-chuc', title: 'Nháp không tổ chức', org: null, creator: 'user-2', state: 'draft', modified: '2024-02-02T00:00:00' }),
    packageDict({ name: 'gov-expenditure', title: 'Government Expenditure', notes: null, license_id: null, modified: '2023-01-01T00:00:00' }),
    packageDict({ name: 'gov-extra-expenditure', title: 'Government Extra Expenditure', notes: null, modified: '2023-01-02T00:00:00' }),
    packageDict({ name: 'first-record', title: 'first record', tags: ['split todo'], modified: '2023-01-03T00:00:00' }),
    packageDict({ name: 'second-record', title: 'second record', tags: ['capitals', 'country-sweden', 'format-pdf'], modified: '2023-01-04T00:00:00' }),
    packageDict({ name: 'third-dataset', title: 'third dataset', tags: ['surprise.'], author: 'Nguyễn Văn An', modified: '2023-01-05T00:00:00' }),
  ];
}

/** A SearchQuery as package_search builds one for free text or a Lucene `q`: anonymous, public, active. */
export function searchQuery(q: string, extra: Partial<SearchQuery> = {}): SearchQuery {
  const freeText = !q.includes(':');
  let node = freeText ? parseFreeText(q) : parseQuery(q);
  if (node?.type === 'matchAll') node = null;
  return {
    q: node,
    qIsFreeText: freeText,
    qText: q,
    filters: [],
    states: ['active'],
    includePrivate: false,
    labels: ['public'],
    sort: parseSort('score desc, metadata_modified desc'),
    rows: 10,
    start: 0,
    facetFields: [],
    facetLimit: 50,
    facetMincount: 1,
    ...extra,
  };
}
