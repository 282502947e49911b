// The postgres backend's memory index must answer exactly what the SQL it stands in for answers:
// same count, same page in the same order, same facets. A generated catalogue (Vietnamese and
// English words, every visibility, dates to the microsecond) and a few hundred generated queries
// are put to both; the memory index may decline a query (the database then answers it) but must
// never answer it differently. Then: the memory index follows writes, here and in other processes.
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Database } from '../../../core/db/connect.ts';
import { FixedClock } from '../../../core/clock.ts';
import type { DataDict } from '../../../core/actions/types.ts';
import type { Cradle } from '../../../core/container.ts';
import type { SearchIndex, SearchQuery } from '../../../core/search/search-index.ts';
import { createPostgresSearchIndex } from '../../../core/search/postgres/index.ts';
import { MirrorSync } from '../../../core/search/postgres/memory/mirror-sync.ts';
import { searchMirror } from '../../../core/search/postgres/memory/mirror-search.ts';
import { parseTsvector, tsvectorLexemes } from '../../../core/search/postgres/memory/tsvector-text.ts';
import { parseFreeText, parseQuery, parseSort } from '../../../core/search/query-parser.ts';
import { insertGroups, packageDict, searchQuery, standardDatasets, storeAndIndex, testDatabases } from './search-fixtures.ts';

const NOW = '2024-07-01T00:00:00Z';
/** Plugin-declared dataset fields (as the compliance plugin declares its classifications). */
const DECLARED = ['linh_vuc', 'phan_loai'];

function cradle(knex: Knex, memoryIndex: boolean): Cradle {
  return {
    knex,
    clock: new FixedClock(NOW),
    fields: { dataset: DECLARED.map((field_name) => ({ field_name })) },
    config: { site: { id: 'default' }, auth: { allow_dataset_collaborators: false }, search: { cache_mb: 0, memory_index: memoryIndex }, database: { url: null } },
  } as unknown as Cradle;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const some = <T>(items: readonly T[], most: number): T[] => [...new Set(Array.from({ length: Math.floor(next() * (most + 1)) }, () => pick(items)))];
  return { next, pick, some, chance: (p: number) => next() < p };
}

const WORDS = ['dân', 'số', 'dan', 'so', 'giao', 'thông', 'hà', 'nội', 'ha', 'noi', 'đường', 'bộ', 'ngân', 'sách', 'y', 'tế', 'trường', 'học', 'môi', 'trường', 'nông', 'nghiệp', 'data', 'budget', 'school', 'water', 'Đà', 'Nẵng', 'năm', '2023', '2024', 'tai', 'nạn', 'bệnh', 'viện'];
const TAGS = ['ngân sách', 'tài chính', 'y tế', 'giáo dục', 'môi trường', 'giao thông', 'dân số', 'water', 'Budget'];
const FORMATS = ['CSV', 'XLSX', 'JSON', 'PDF', 'csv'];
const ORG_NAMES = ['so-tai-chinh', 'so-y-te', 'ubnd-da-nang', null];
const GROUP_NAMES = ['kinh-te', 'moi-truong'];
const LICENSES = ['cc-by', 'odc-odbl', null, 'other-open'];
const SECTORS = ['y-te', 'giao-duc', 'moi-truong', 'Y tế', 'tài chính'];

function micros(rng: ReturnType<typeof random>): string {
  const month = 1 + Math.floor(rng.next() * 12);
  const day = 1 + Math.floor(rng.next() * 28);
  const fraction = rng.chance(0.2) ? '' : `.${String(Math.floor(rng.next() * 1e6)).padStart(6, '0')}`;
  return `${rng.pick(['2023', '2024'])}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(Math.floor(rng.next() * 24)).padStart(2, '0')}:00:00${fraction}`;
}

function generatedDatasets(rng: ReturnType<typeof random>, count: number): DataDict[] {
  const out: DataDict[] = [];
  for (let i = 0; i < count; i++) {
    const title = Array.from({ length: 2 + Math.floor(rng.next() * 6) }, () => rng.pick(WORDS)).join(' ');
    out.push(
      packageDict({
        name: `gen-${String(i).padStart(4, '0')}-${rng.pick(['a', 'b', 'c'])}`,
        title: rng.chance(0.3) ? title.toUpperCase() : title,
        notes: rng.chance(0.2) ? null : Array.from({ length: Math.floor(rng.next() * 12) }, () => rng.pick(WORDS)).join(' '),
        org: rng.pick(ORG_NAMES),
        groups: rng.some(GROUP_NAMES, 2),
        tags: rng.some(TAGS, 3),
        formats: Array.from({ length: Math.floor(rng.next() * 3) }, () => rng.pick(FORMATS)),
        license_id: rng.pick(LICENSES),
        state: rng.pick(['active', 'active', 'active', 'active', 'draft', 'deleted']),
        private: rng.chance(0.2),
        modified: micros(rng),
        created: micros(rng),
        creator: rng.pick(['user-1', 'user-2']),
        // Ties on purpose: a few datasets share a title and a date.
        ...(i % 17 === 0 ? { title: 'Dân số Hà Nội', modified: '2024-02-02T02:02:02.020202' } : {}),
      }),
    );
    // Declared fields: a single value, a list (repeats included), or none.
    if (rng.chance(0.7)) out[i].linh_vuc = rng.pick(SECTORS);
    if (rng.chance(0.5)) out[i].phan_loai = rng.chance(0.5) ? rng.pick(['mo', 'dung_chung']) : Array.from({ length: 1 + Math.floor(rng.next() * 3) }, () => rng.pick(['mo', 'dung_chung', 'dung_rieng']));
  }
  return out;
}

const SORTS = [
  'score desc, metadata_modified desc',
  'score desc, name asc',
  'id asc',
  'id desc',
  'name asc',
  'title_string desc',
  'metadata_modified desc',
  'metadata_created asc',
  'organization asc',
  'license_id desc, id desc',
  'num_resources desc, name asc',
  'num_tags asc',
  'score asc',
];

const FILTERS = [
  'organization:so-y-te',
  '-organization:so-y-te',
  'tags:"y tế"',
  'tags:Budget',
  'res_format:CSV',
  'res_format:(CSV OR JSON)',
  'groups:kinh-te',
  'license_id:cc-by',
  '-license_id:*',
  'license_id:[* TO *]',
  'metadata_modified:[2024-03-01T00:00:00Z TO *]',
  'metadata_modified:[2023-06-01T00:00:00.5Z TO 2024-06-01T00:00:00Z}',
  'metadata_created:[* TO NOW-1YEAR/DAY]',
  'num_tags:[2 TO *]',
  'num_resources:0',
  'name:gen-00*',
  'name:gen-?0??-a',
  'organization:(so-y-te OR ubnd-da-nang)',
  '+organization:so-tai-chinh +tags:"tài chính"',
  'organization:[so-a TO so-z]',
  'tags:*sách',
  'state:draft',
  'text:dan',
  'dân OR water',
  'capacity:private',
  'dataset_type:dataset',
  'linh_vuc:y-te',
  'linh_vuc:"Y tế"',
  '-linh_vuc:*',
  'linh_vuc:[a TO m]',
  'phan_loai:dung*',
  'phan_loai:(mo OR dung_rieng)',
  'extras_spatial:*', // not in memory: the database answers
  'title:dân',
  'title:DAN',
  'notes:*',
  '-notes:*',
  'res_description:csv',
  'res_name:bảng',
  'author:*',
  'title:"dân số"', // a phrase: the database answers
  'notes:*a*', // a wildcard: the database answers
];

const Q_FORMS = [
  () => '',
  (rng: ReturnType<typeof random>) => rng.pick(WORDS),
  (rng: ReturnType<typeof random>) => `${rng.pick(WORDS)} ${rng.pick(WORDS)}`,
  (rng: ReturnType<typeof random>) => `${rng.pick(WORDS)} ${rng.pick(WORDS)} ${rng.pick(WORDS)}`,
  (rng: ReturnType<typeof random>) => `${rng.pick(WORDS).toUpperCase()} -${rng.pick(WORDS)}`,
  (rng: ReturnType<typeof random>) => `+${rng.pick(WORDS)} ${rng.pick(WORDS)}`,
  (rng: ReturnType<typeof random>) => `${rng.pick(WORDS).slice(0, 2)}*`,
  (rng: ReturnType<typeof random>) => `${rng.pick(WORDS)} ${rng.pick(WORDS).slice(0, 3)}*`,
  (rng: ReturnType<typeof random>) => `"${rng.pick(WORDS)} ${rng.pick(WORDS)}"`,
  (rng: ReturnType<typeof random>) => `tags:"${rng.pick(TAGS)}" OR ${rng.pick(WORDS)}`,
  (rng: ReturnType<typeof random>) => `text:${rng.pick(WORDS)} AND organization:${rng.pick(ORG_NAMES) ?? 'none'}`,
  (rng: ReturnType<typeof random>) => `num_resources:[1 TO 2] AND NOT ${rng.pick(WORDS)}`,
  (rng: ReturnType<typeof random>) => `title:${rng.pick(WORDS)}`,
  (rng: ReturnType<typeof random>) => `notes:${rng.pick(WORDS).slice(0, 2)}*`,
  (rng: ReturnType<typeof random>) => `title:${rng.pick(WORDS)} OR notes:${rng.pick(WORDS)}`,
  (rng: ReturnType<typeof random>) => `title:${rng.pick(WORDS)} -notes:${rng.pick(WORDS)} ${rng.pick(WORDS)}`,
  (rng: ReturnType<typeof random>) => `res_description:${rng.pick(WORDS)}* AND title:*`,
  () => '*:*',
  () => '!!!',
];

function generatedQuery(rng: ReturnType<typeof random>): SearchQuery {
  const qText = rng.pick(Q_FORMS)(rng) || '*:*';
  const freeText = !qText.includes(':');
  let q = freeText ? parseFreeText(qText) ?? { type: 'bool' as const, clauses: [] } : parseQuery(qText);
  if (q.type === 'matchAll') q = null as never;
  const visibility = rng.pick([
    { states: ['active'], includePrivate: false, labels: ['public'] },
    { states: ['active'], includePrivate: true, labels: ['public', 'member-org-tc', 'creator-user-2'] },
    { states: ['active', 'draft'], includePrivate: true, labels: ['public', 'creator-user-1'] },
    { states: ['active', 'draft', 'deleted'], includePrivate: true, labels: null },
    { states: [], includePrivate: true, labels: null },
  ]);
  return {
    q,
    qIsFreeText: freeText,
    qText,
    filters: rng.some(FILTERS, 2).map((fq) => parseQuery(fq, { param: 'fq' })),
    ...visibility,
    sort: parseSort(rng.pick(SORTS)),
    rows: rng.pick([0, 1, 5, 10, 50, 1000]),
    start: rng.pick([0, 0, 0, 2, 15]),
    facetFields: rng.some(['organization', 'tags', 'res_format', 'groups', 'license_id', 'state', 'linh_vuc', 'phan_loai', 'extras_spatial'], 3),
    facetLimit: rng.pick([-1, 0, 2, 50]),
    facetMincount: rng.pick([0, 1, 2]),
  };
}

for (const makeDatabase of testDatabases()) {
  describe(`PostgreSQL search: the memory index on ${makeDatabase().name}`, function () {
    this.timeout(120000);
    const database = makeDatabase();
    let db: Database;
    let knex: Knex;
    let sqlIndex: SearchIndex;
    let memoryIndex: SearchIndex;
    let sync: MirrorSync;
    let generated: DataDict[];

    /** Puts generated queries to the database and to the memory index; returns how many it answered. */
    async function compareQueries(seed: number, total: number): Promise<number> {
      const rng = random(seed);
      const mirror = (await sync.current())!;
      expect(mirror, 'memory index loaded').to.not.equal(null);
      let answered = 0;
      for (let i = 0; i < total; i++) {
        const query = generatedQuery(rng);
        const label = `query #${i}: ${JSON.stringify({ q: query.qText, sort: query.sort, rows: query.rows, start: query.start, facets: query.facetFields })}`;
        let expected;
        try {
          expected = await sqlIndex.search(query);
        } catch {
          continue;
        }
        const answer = searchMirror(mirror, query, new Date(NOW));
        if (!answer) continue;
        answered++;
        expect(answer.count, label).to.equal(expected.count);
        expect(answer.ids, label).to.deep.equal(expected.results.map((dict) => JSON.parse(String(dict)).id));
        expect(answer.facets, label).to.deep.equal(expected.facets);
      }
      return answered;
    }

    before(async () => {
      db = await database.setUp();
      knex = db.knex;
      sqlIndex = createPostgresSearchIndex(cradle(knex, false));
      memoryIndex = createPostgresSearchIndex(cradle(knex, true));
      await insertGroups(knex);
      generated = generatedDatasets(random(7), 300);
      await storeAndIndex(knex, sqlIndex, [...standardDatasets(), ...generated]);
      sync = new MirrorSync({ knex, listening: true, declaredFields: () => DECLARED });
      await sync.load();
    });
    after(async () => {
      sync.close();
      await memoryIndex.close?.();
      await database.tearDown();
    });

    it('answers generated queries exactly as the database does, or leaves them to it', async () => {
      const rng = random(42);
      const mirror = (await sync.current())!;
      expect(mirror, 'memory index loaded').to.not.equal(null);
      let answered = 0;
      let answeredDeclared = 0;
      let answeredFieldText = 0;
      const total = 600;
      for (let i = 0; i < total; i++) {
        const query = generatedQuery(rng);
        const label = `query #${i}: ${JSON.stringify({ q: query.qText, filters: query.filters.length, sort: query.sort, rows: query.rows, start: query.start, facets: query.facetFields, states: query.states, labels: query.labels })}`;
        let expected;
        try {
          expected = await sqlIndex.search(query);
        } catch {
          // What the database refuses, the memory index must not answer.
          expect(searchMirror(mirror, query, new Date(NOW)), label).to.equal(null);
          continue;
        }
        const answer = searchMirror(mirror, query, new Date(NOW));
        if (!answer) continue;
        answered++;
        if (DECLARED.some((field) => JSON.stringify([query.filters, query.facetFields]).includes(field))) answeredDeclared++;
        if (/"field":"(title|notes|res_name|res_description|author)"/.test(JSON.stringify([query.q, query.filters]))) answeredFieldText++;
        expect(answer.count, label).to.equal(expected.count);
        expect(answer.ids, label).to.deep.equal(expected.results.map((dict) => JSON.parse(String(dict)).id));
        expect(answer.facets, label).to.deep.equal(expected.facets);
        // Same order of facet items too (package_search keeps it).
        for (const field of Object.keys(expected.facets)) expect(Object.keys(answer.facets[field]), label).to.deep.equal(Object.keys(expected.facets[field]));
      }
      // The common forms must not all be declined.
      if (process.env.KHO_TEST_VERBOSE) console.log(`answered ${answered} of ${total}, ${answeredDeclared} with declared fields, ${answeredFieldText} with words in one text field`);
      expect(answered, 'queries the memory index answered').to.be.greaterThan(total * 0.6);
      expect(answeredDeclared, 'answered queries that filter or facet on declared fields').to.be.greaterThan(40);
      expect(answeredFieldText, 'answered queries with words in one text field (title:du)').to.be.greaterThan(60);
    });

    it('reads the lexemes of vectors as PostgreSQL prints them: quotes, backslashes, colons, with or without positions', async () => {
      const vector = `$v$'it''s':1 'a\\\\b':2A,3 'x:y':4 plain$v$::tsvector`;
      const { rows } = await knex.raw(`select v::text as full, strip(v)::text as stripped from (select ${vector} as v) t`);
      const expected = (await knex.raw(`select array_agg(lexeme order by lexeme) as lexemes from unnest(${vector})`)).rows[0].lexemes;
      expect(expected).to.include.members(["it's", 'a\\b', 'plain']);
      expect(tsvectorLexemes(rows[0].full)).to.deep.equal(expected);
      expect(tsvectorLexemes(rows[0].stripped)).to.deep.equal(expected);
      expect(parseTsvector(rows[0].full).map((entry) => entry.lexeme)).to.deep.equal(expected);
    });

    it('answers the same after rewrites and deletions, and after its dead slots are squeezed out', async () => {
      const rng = random(99);
      // Rewrite a fifth of the generated datasets twice (new titles, words, tags), delete a few.
      const changed = generated.filter((_pkg, i) => i % 5 === 0);
      for (const round of [1, 2]) {
        const versions: DataDict[] = changed.map((pkg) => ({ ...pkg, title: `${rng.pick(WORDS)} ${rng.pick(WORDS)} số ${round}-${pkg.name}`, tags: (pkg.tags as DataDict[]).slice(1) }));
        await storeAndIndex(knex, sqlIndex, versions);
        for (const pkg of versions) sync.changed(String(pkg.id));
      }
      for (const pkg of generated.filter((_pkg, i) => i % 23 === 1)) {
        await sqlIndex.remove(knex as never, String(pkg.id));
        sync.changed(String(pkg.id));
      }
      expect(await compareQueries(5, 150), 'answered before compaction').to.be.greaterThan(80);
      const mirror = (await sync.current())!;
      const slotsBefore = mirror.slotCount;
      mirror.compact();
      expect(mirror.slotCount, 'dead slots squeezed out').to.equal(mirror.living).and.to.be.below(slotsBefore);
      expect(await compareQueries(5, 150), 'answered after compaction').to.be.greaterThan(80);
    });

    it('follows writes made here: a search right after a commit sees it', async () => {
      const names = async (q: string) => {
        const mirror = await sync.current();
        expect(mirror, 'the memory index answers right after the commit').to.not.equal(null);
        const ids = searchMirror(mirror!, searchQuery(q, { rows: 100 }), new Date(NOW))!.ids;
        return (await knex('package').whereIn('id', ids).select('name')).map((row) => row.name).sort();
      };
      // As the backend does: each index write tells the memory index, which reads it back at commit.
      const write = (pkgs: DataDict[]) =>
        knex.transaction(async (trx) => {
          for (const pkg of pkgs) {
            await trx('package').insert({ id: pkg.id, name: pkg.name, title: pkg.title, type: pkg.type, state: pkg.state, private: pkg.private, owner_org: pkg.owner_org, creator_user_id: pkg.creator_user_id, metadata_created: pkg.metadata_created, metadata_modified: pkg.metadata_modified, data: JSON.stringify(pkg) }).onConflict('id').merge();
            await sqlIndex.index(trx, pkg);
            sync.written(trx, String(pkg.id));
            // Uncommitted: the memory index stands aside.
            expect(await sync.current()).to.equal(null);
          }
        });
      const added = packageDict({ name: 'moi-them-vao', title: 'Khoáng sản Tây Nguyên', tags: ['đất đai'] });
      await write([added]);
      expect(await names('khoáng sản')).to.deep.equal(['moi-them-vao']);
      await write([{ ...added, title: 'Quy hoạch sử dụng đất' }]);
      expect(await names('khoang san')).to.deep.equal([]);
      expect(await names('quy hoach')).to.deep.equal(['moi-them-vao']);
      await knex.transaction(async (trx) => {
        await sqlIndex.remove(trx, String(added.id));
        await trx('package').where({ id: added.id }).delete();
        sync.written(trx, String(added.id));
      });
      expect(await names('quy hoach')).to.deep.equal([]);
      // A rolled-back write leaves it as it was.
      const kept = packageDict({ name: 'khong-luu', title: 'Khoáng sản rút lại' });
      await write([kept]).then(() => knex.transaction(async (trx) => {
        await sqlIndex.index(trx, { ...kept, title: 'Đổi tên rồi huỷ' });
        sync.written(trx, String(kept.id));
        throw new Error('rolled back');
      })).catch(() => undefined);
      expect(await names('khoang san')).to.deep.equal(['khong-luu']);
      expect(await names('doi ten')).to.deep.equal([]);
    });

    it('through the backend, a search right after a write sees its new version', async () => {
      const search = (q: string) => memoryIndex.search(searchQuery(q, { rows: 100 })).then((result) => result.results.map((dict) => JSON.parse(String(dict)).name).sort());
      await memoryIndex.search(searchQuery('*:*')); // starts reading the memory index
      const added = packageDict({ name: 'qua-backend', title: 'Thủy lợi Tây Nguyên' });
      await storeAndIndex(knex, memoryIndex, [added]);
      expect(await search('thuy loi')).to.deep.equal(['qua-backend']);
      await storeAndIndex(knex, memoryIndex, [{ ...added, title: 'Đê điều' }]);
      expect(await search('thuy loi')).to.deep.equal([]);
    });

    it('keeps facet values named like object internals (__proto__, constructor) on both paths', async () => {
      const odd = packageDict({ name: 'the-odd-tags', title: 'Tên lạ', tags: ['__proto__', 'constructor'] });
      await storeAndIndex(knex, sqlIndex, [odd]);
      sync.changed(String(odd.id));
      const query = searchQuery('name:the-odd-tags', { rows: 1, facetFields: ['tags'] });
      const fromDatabase = await sqlIndex.search({ ...query, facetFields: ['tags', '__proto__'] });
      expect(Object.keys(fromDatabase.facets)).to.deep.equal(['tags', '__proto__']);
      const fromMemory = searchMirror((await sync.current())!, query, new Date(NOW));
      for (const facets of [fromDatabase.facets, fromMemory!.facets]) {
        expect(Object.entries(facets.tags)).to.deep.equal([['__proto__', 1], ['constructor', 1]]);
      }
    });

    it('pages a harvester deep in id order (start past 1,000) as the database does, before and after a write', async () => {
      const more = generatedDatasets(random(1234), 1100).map((pkg) => ({ ...pkg, id: `ff${String(pkg.id).slice(2)}`, name: `deep-${pkg.name}` }));
      await storeAndIndex(knex, sqlIndex, more);
      // Read whole again: an earlier test wrote through another backend's memory index, unheard here.
      await sync.load();
      const pages = async (label: string) => {
        const mirror = (await sync.current())!;
        for (const visibility of [{}, { states: ['active', 'draft'], includePrivate: true, labels: null }]) {
          for (const sort of ['id asc', 'id desc']) {
            for (const start of [1000, 1100, 1200, 1300]) {
              const query = { ...searchQuery('*:*', { rows: 100, start, sort: parseSort(sort) }), filters: [parseQuery('metadata_modified:[2023-01-01T00:00:00Z TO *]')], ...visibility };
              const expected = (await sqlIndex.search(query)).results.map((dict) => JSON.parse(String(dict)).id);
              const answer = searchMirror(mirror, query, new Date(NOW));
              expect(answer?.ids, `${label} ${JSON.stringify(visibility)} ${sort} start=${start}`).to.deep.equal(expected);
            }
          }
        }
      };
      await pages('before');
      // A dataset early in id order goes: every later page shifts by one.
      const early = more.map((pkg) => String(pkg.id)).sort()[0];
      await storeAndIndex(knex, sqlIndex, [{ ...more.find((pkg) => pkg.id === early)!, state: 'deleted' }]);
      sync.changed(early);
      await pages('after');
    });

    it('remembers no change before its first read, and reads none of them again after it', async () => {
      const fresh = new MirrorSync({ knex, listening: true, declaredFields: () => DECLARED });
      // A process that has not searched yet hears of writes (a job worker, a rebuild at start).
      for (const pkg of generated.slice(0, 50)) fresh.changed(String(pkg.id));
      const queries: string[] = [];
      const record = (query: { sql: string }) => queries.push(query.sql);
      knex.on('query', record);
      try {
        await fresh.load();
        expect(await fresh.current(), 'loaded').to.not.equal(null);
      } finally {
        knex.removeListener('query', record);
        fresh.close();
      }
      // The whole read, in batches by id; no read-back of single datasets.
      expect(queries.filter((sql) => sql.includes('where package_id = any('))).to.deep.equal([]);
      expect(queries.some((sql) => sql.includes('package_id >'))).to.equal(true);
    });

    it('reads back datasets another process wrote when told of them', async () => {
      const elsewhere = packageDict({ name: 'tu-noi-khac', title: 'Khí tượng thủy văn' });
      // Another process: a backend of its own writes, this one only hears the id.
      await storeAndIndex(knex, sqlIndex, [elsewhere]);
      sync.changed(String(elsewhere.id));
      const mirror = (await sync.current())!;
      const answer = searchMirror(mirror, searchQuery('thuy van'), new Date(NOW))!;
      expect(answer.ids).to.deep.equal([elsewhere.id]);
    });
  });
}
