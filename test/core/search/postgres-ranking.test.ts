// Vietnamese-aware matching and ranking of the PostgreSQL backend, its result cache, and index
// maintenance (format upgrade, rebuild, check). Matching folds diacritics; ranking prefers the
// syllables as written and adjacent syllables (a Vietnamese word is several syllables).
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Database } from '../../../core/db/connect.ts';
import { FixedClock } from '../../../core/clock.ts';
import type { DataDict } from '../../../core/actions/types.ts';
import type { Cradle } from '../../../core/container.ts';
import type { SearchIndex, SearchQuery } from '../../../core/search/search-index.ts';
import { createPostgresSearchIndex, FORMAT, planSearch } from '../../../core/search/postgres/index.ts';
import { analyze, normalizeText, tokenize, TsvectorBuilder } from '../../../core/search/postgres/analysis.ts';
import { rankingQueries } from '../../../core/search/postgres/translate.ts';
import { parseFreeText, parseQuery } from '../../../core/search/query-parser.ts';
import { SearchResultCache } from '../../../core/search/result-cache.ts';
import { systemInfo } from '../../../core/model/system-info.ts';
import { packageDict, searchQuery, storeAndIndex, testDatabases } from './search-fixtures.ts';

const NOW = '2024-07-01T00:00:00Z';

function cradle(knex: Knex, cacheMb = 0): Cradle {
  return {
    knex,
    clock: new FixedClock(NOW),
    config: { site: { id: 'default' }, auth: { allow_dataset_collaborators: false }, search: { cache_mb: cacheMb }, database: { url: null } },
    repos: { systemInfo },
  } as unknown as Cradle;
}

const query = (q: string, extra: Partial<SearchQuery> = {}) => searchQuery(q, { rows: 100, ...extra });

describe('Vietnamese text analysis', () => {
  it('folds marks and đ, lower-cases, and keeps the syllable as written when it has marks', () => {
    expect(tokenize('Thành phố HÀ NỘI, Đà Nẵng')).to.deep.equal(['thanh', 'pho', 'ha', 'noi', 'da', 'nang']);
    expect(tokenize('Ha\u0300 No\u0302\u0323i')).to.deep.equal(['ha', 'noi']);
    expect(analyze('Hà Noi đường')).to.deep.equal([
      { folded: 'ha', exact: 'hà' },
      { folded: 'noi', exact: null },
      { folded: 'duong', exact: 'đường' },
    ]);
    expect(normalizeText('ĐẠI Học')).to.equal('dai hoc');
    // English is split into words the same way, without stemming.
    expect(tokenize("Government's expenditure 2023/24")).to.deep.equal(['government', 's', 'expenditure', '2023', '24']);
  });

  it('puts the exact form of a syllable at the position of its folded form', () => {
    const vector = new TsvectorBuilder();
    vector.add('Dân số', 'A', '', true);
    vector.add('dan', 'B', '', true);
    expect(vector.toString()).to.equal("'dan':1A,4B 'dân':1A 'so':2A 'số':2A");
  });

  it('ranks on the words as folded and as written, and on adjacent pairs of free-text words', () => {
    const ranking = rankingQueries(parseFreeText('dân số Hà Nội'), true);
    expect(ranking.folded).to.equal("'dan' | 'so' | 'ha' | 'noi'");
    expect(ranking.exact).to.equal("'dân' | 'số' | 'hà' | 'nội'");
    expect(ranking.phrases).to.deep.equal(["'dan' <-> 'so'", "'so' <-> 'ha'", "'ha' <-> 'noi'"]);
    expect(rankingQueries(parseFreeText('ha noi'), true).exact).to.equal(null);
    expect(rankingQueries(parseFreeText('"dân số" -nông'), true).phrases).to.deep.equal([]);
  });
});

for (const makeDatabase of testDatabases()) {
  describe(`PostgreSQL search ranking and maintenance on ${makeDatabase().name}`, function () {
    this.timeout(60000);
    const database = makeDatabase();
    let db: Database;
    let knex: Knex;
    let index: SearchIndex;
    const titles = async (q: string, extra: Partial<SearchQuery> = {}) =>
      (await index.search(query(q, extra))).results.map((dict) => JSON.parse(String(dict)).title as string);

    before(async () => {
      db = await database.setUp();
      knex = db.knex;
      index = createPostgresSearchIndex(cradle(knex));
      // Newest last: on equal scores the tie-breaker (metadata_modified desc) puts the later ones first.
      await storeAndIndex(knex, index, [
        packageDict({ name: 'du-lieu-ha-noi', title: 'Dữ liệu Hà Nội', modified: '2024-01-01T00:00:00' }),
        packageDict({ name: 'du-lieu-ha-noi-2', title: 'Dữ liệu Hạ Nổi', modified: '2024-01-02T00:00:00' }),
        packageDict({ name: 'dan-so-tinh', title: 'Dân số tỉnh Quảng Nam', modified: '2024-02-01T00:00:00' }),
        packageDict({ name: 'so-lieu-dan-cu', title: 'Số liệu về người dân', modified: '2024-02-02T00:00:00' }),
        packageDict({ name: 'dan-so-ascii', title: 'Dan so Quang Nam (ASCII)', modified: '2024-02-03T00:00:00' }),
        packageDict({ name: 'population', title: 'Population of Quang Nam', notes: 'dân số', modified: '2024-02-04T00:00:00' }),
        packageDict({ name: 'benh-vien', title: 'Bệnh viện đa khoa tỉnh', notes: 'Danh sách bệnh viện', modified: '2024-03-01T00:00:00' }),
        packageDict({ name: 'phong-kham', title: 'Phòng khám đa khoa', notes: 'Không có bệnh viện', modified: '2024-03-02T00:00:00' }),
      ]);
    });
    after(() => database.tearDown());

    it('finds every spelling, and ranks the exact-diacritic match first', async () => {
      expect(await titles('Hà Nội')).to.deep.equal(['Dữ liệu Hà Nội', 'Dữ liệu Hạ Nổi']);
      expect(await titles('Hạ Nổi')).to.deep.equal(['Dữ liệu Hạ Nổi', 'Dữ liệu Hà Nội']);
      // Without marks nothing is exact: the tie-breaker decides.
      expect(await titles('ha noi')).to.deep.equal(['Dữ liệu Hạ Nổi', 'Dữ liệu Hà Nội']);
      expect(await titles('HÀ NỘI'.normalize('NFD'))).to.deep.equal(['Dữ liệu Hà Nội', 'Dữ liệu Hạ Nổi']);
    });

    it('ranks adjacent syllables (the word "dân số") above the same syllables apart', async () => {
      const found = await titles('dân số');
      expect(found.slice(0, 2)).to.deep.equal(['Dân số tỉnh Quảng Nam', 'Dan so Quang Nam (ASCII)']);
      expect(found).to.include('Số liệu về người dân');
      expect(found.indexOf('Số liệu về người dân')).to.be.greaterThan(1);
      // A title match ranks above a match in the notes only.
      expect(found.at(-1)).to.equal('Population of Quang Nam');
    });

    it('matches a quoted phrase by syllables, marks or not', async () => {
      expect(await titles('"dân số"')).to.have.members(['Dân số tỉnh Quảng Nam', 'Dan so Quang Nam (ASCII)', 'Population of Quang Nam']);
      expect(await titles('"dan so"')).to.have.length(3);
      expect(await titles('"số dân"')).to.deep.equal([]);
      expect(await titles('title:"dân số"')).to.have.members(['Dân số tỉnh Quảng Nam', 'Dan so Quang Nam (ASCII)']);
    });

    it('applies the minimum-match rule in the text index (3 of 4 words)', async () => {
      expect(await titles('bệnh viện đa khoa')).to.deep.equal(['Bệnh viện đa khoa tỉnh', 'Phòng khám đa khoa']);
      expect(await titles('bệnh viện xyz khoa')).to.deep.equal(['Bệnh viện đa khoa tỉnh', 'Phòng khám đa khoa']);
      expect(await titles('bệnh xyz đa plugh')).to.deep.equal([]);
      const plan = planSearch(query('bệnh viện đa khoa'), new Date(NOW));
      expect(plan.main!.sql).not.to.contain('>= 3');
    });

    it('leaves a dataset out of public text searches once it is private or deleted', async () => {
      const pkg = packageDict({ name: 'tam-an', title: 'Bản đồ tạm ẩn', modified: '2024-04-01T00:00:00' });
      await storeAndIndex(knex, index, [pkg]);
      expect(await titles('tạm ẩn')).to.deep.equal(['Bản đồ tạm ẩn']);
      await storeAndIndex(knex, index, [{ ...pkg, private: true }]);
      expect(await titles('tạm ẩn')).to.deep.equal([]);
      expect(await titles('tạm ẩn', { includePrivate: true, labels: null })).to.deep.equal(['Bản đồ tạm ẩn']);
      await storeAndIndex(knex, index, [{ ...pkg, state: 'deleted' }]);
      expect(await titles('tạm ẩn', { includePrivate: true, labels: null })).to.deep.equal([]);
      await knex('package').where('id', pkg.id).delete();
    });

    describe('result cache', () => {
      let cached: SearchIndex;
      before(() => {
        cached = createPostgresSearchIndex(cradle(knex, 8));
      });

      it('answers a repeated query from memory until a dataset is written', async () => {
        const first = await cached.search(query('bệnh viện'));
        expect(first.count).to.equal(2);
        // A change behind the index's back is not seen: the answer comes from memory.
        const row = await knex('package_search').where('name', 'phong-kham').first();
        await knex('package_search').where('name', 'phong-kham').delete();
        expect((await cached.search(query('bệnh viện'))).results).to.deep.equal(first.results);
        expect((await index.search(query('bệnh viện'))).count).to.equal(1);
        // A write through the index clears it.
        const pkg = JSON.parse((await knex('package').where('id', row.package_id).first('data')).data);
        await storeAndIndex(knex, cached, [pkg]);
        expect((await cached.search(query('bệnh viện'))).count).to.equal(2);
        const added = packageDict({ name: 'benh-vien-moi', title: 'Bệnh viện mới', modified: '2024-05-01T00:00:00' });
        await storeAndIndex(knex, cached, [added]);
        expect((await cached.search(query('bệnh viện'))).count).to.equal(3);
        await knex.transaction((trx) => cached.remove(trx, added.id));
        expect((await cached.search(query('bệnh viện'))).count).to.equal(2);
        await knex('package').where('id', added.id).delete();
      });

      it('keeps counts and facets for the other pages of the same query', async () => {
        const q = query('', { rows: 2, facetFields: ['organization', 'tags'] });
        const page1 = await cached.search(q);
        const page2 = await cached.search({ ...q, start: 2 });
        expect(page2.count).to.equal(page1.count);
        expect(page2.facets).to.deep.equal(page1.facets);
        expect(page2.results).not.to.deep.equal(page1.results);
        // Callers may change what they get without touching the cache.
        page2.facets.tags = {};
        expect((await cached.search({ ...q, start: 2 })).facets).to.deep.equal(page1.facets);
      });

      it('computes a search asked several times at once only once', async () => {
        const statements: string[] = [];
        const listener = (query: { sql: string }) => statements.push(query.sql);
        knex.on('query', listener);
        try {
          const results = await Promise.all(Array.from({ length: 5 }, () => cached.search(query('đa khoa', { rows: 1 }))));
          expect(new Set(results.map((result) => JSON.stringify(result))).size).to.equal(1);
          expect(results[0].count).to.equal(2);
        } finally {
          knex.removeListener('query', listener);
        }
        // One count and one page: not five of each.
        expect(statements.filter((sql) => sql.includes('package_search'))).to.have.length(2);
      });

      it('never caches what depends on the clock or on an open transaction', () => {
        const cache = new SearchResultCache({ maxBytes: 1 << 20, listening: true });
        expect(cache.keys(query('*:*', { filters: [parseQuery('metadata_modified:[NOW-1DAY TO NOW]')] }))).to.equal(null);
        expect(cache.keys(query('x'))).not.to.equal(null);
        expect(new SearchResultCache({ maxBytes: 1 << 20, listening: false }).keys(query('x'))).to.equal(null);
      });

      it('stores nothing while a write is in flight', async () => {
        const cache = new SearchResultCache({ maxBytes: 1 << 20, listening: true });
        const keys = cache.keys(query('x'))!;
        const result = { count: 1, results: ['{}'], facets: {} };
        await knex.transaction(async (trx) => {
          cache.written(trx);
          cache.store(keys, result, cache.snapshot());
          expect(cache.getResult(keys.result)).to.equal(undefined);
        });
        cache.store(keys, result, cache.snapshot());
        expect(cache.getResult(keys.result)).to.deep.equal(result);
      });
    });

    describe('maintenance', () => {
      it('re-indexes everything at start when the index format changed', async () => {
        const fresh = createPostgresSearchIndex(cradle(knex));
        await knex('system_info').where('key', 'search_postgres_format').delete();
        await knex('package_search').update({ rtsv: '' });
        await fresh.init!();
        expect(await systemInfo.get(knex, 'search_postgres_format')).to.equal(FORMAT);
        expect(await titles('Hà Nội')).to.deep.equal(['Dữ liệu Hà Nội', 'Dữ liệu Hạ Nổi']);
        const { rows } = await knex.raw(`select count(*)::int as n from package_search where rtsv = ''::tsvector`);
        expect(rows[0].n).to.equal(0);
        // Once recorded, a start does nothing.
        await knex('package_search').where('name', 'benh-vien').update({ rtsv: '' });
        await fresh.init!();
        expect((await knex('package_search').where('name', 'benh-vien').first('rtsv')).rtsv).to.equal('');
        await fresh.rebuild!();
      });

      it('reports datasets missing from the index or stale in it', async () => {
        expect(await index.check!()).to.deep.include({ missing: [], stale: [], extra: [] });
        const [first, second] = await knex('package').orderBy('id').limit(2).select('id', 'data');
        await knex('package_search').where('package_id', first.id).delete();
        const changed: DataDict = { ...JSON.parse(second.data), title: 'Đã đổi tên', metadata_modified: '2024-06-30T00:00:00' };
        await knex('package').where('id', second.id).update({ data: JSON.stringify(changed) });
        const report = await index.check!();
        expect(report.missing).to.deep.equal([first.id]);
        expect(report.stale).to.deep.equal([second.id]);
        expect(report.total).to.equal(report.indexed + 1);
        let progress = 0;
        expect(await index.rebuild!({ onProgress: (done) => (progress = done) })).to.equal(report.total);
        expect(progress).to.equal(report.total);
        expect(await index.check!()).to.deep.include({ missing: [], stale: [] });
        await knex('package').where('id', second.id).update({ data: second.data });
        await index.rebuild!();
      });
    });
  });
}
