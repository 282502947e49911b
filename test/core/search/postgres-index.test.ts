// The PostgreSQL search backend against a real database: what a user of package_search sees.
// Queries are built with the real parser, so these tests also pin down how CKAN's query forms
// (spec 3.5) behave end to end.
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Database } from '../../../core/db/connect.ts';
import { FixedClock } from '../../../core/clock.ts';
import { SearchError, SearchQueryError, SearchTimeoutError } from '../../../core/errors.ts';
import type { DataDict } from '../../../core/actions/types.ts';
import type { Cradle } from '../../../core/container.ts';
import type { SearchIndex, SearchQuery, SearchResult } from '../../../core/search/search-index.ts';
import { createPostgresSearchIndex, buildSearchSql } from '../../../core/search/postgres/index.ts';
import { parseFreeText, parseQuery, parseSort } from '../../../core/search/query-parser.ts';
import { buildIndexDocument, datasetPermissionLabels } from '../../../core/search/index-document.ts';
import { insertGroups, packageDict, standardDatasets, storeAndIndex, testDatabases } from './search-fixtures.ts';

const NOW = '2024-07-01T00:00:00Z';

function fakeCradle(knex: Knex, collaborators = false): Cradle {
  return {
    knex,
    clock: new FixedClock(NOW),
    config: { site: { id: 'default' }, auth: { allow_dataset_collaborators: collaborators } },
  } as unknown as Cradle;
}

interface Ask {
  q?: string;
  fq?: string | string[];
  sort?: string;
  rows?: number;
  start?: number;
  states?: string[];
  includePrivate?: boolean;
  labels?: string[] | null;
  facets?: string[];
  facetLimit?: number;
  facetMincount?: number;
}

/** A SearchQuery the way package_search builds one, anonymous and public-only by default. */
function searchQuery(ask: Ask): SearchQuery {
  const qText = ask.q ?? '*:*';
  const freeText = !qText.includes(':');
  let q = freeText ? parseFreeText(qText) : parseQuery(qText);
  if (q?.type === 'matchAll') q = null;
  const fqs = ask.fq === undefined ? [] : Array.isArray(ask.fq) ? ask.fq : [ask.fq];
  return {
    q,
    qIsFreeText: freeText,
    qText,
    filters: fqs.map((fq) => parseQuery(fq, { param: 'fq' })),
    states: ask.states ?? ['active'],
    includePrivate: ask.includePrivate ?? false,
    labels: ask.labels === undefined ? ['public'] : ask.labels,
    sort: parseSort(ask.sort ?? 'score desc, metadata_modified desc'),
    rows: ask.rows ?? 1000,
    start: ask.start ?? 0,
    facetFields: ask.facets ?? [],
    facetLimit: ask.facetLimit ?? 50,
    facetMincount: ask.facetMincount ?? 1,
  };
}

for (const makeDatabase of testDatabases()) {
  describe(`PostgreSQL search index on ${makeDatabase().name}`, function () {
    this.timeout(60000);
    const database = makeDatabase();
    let db: Database;
    let knex: Knex;
    let index: SearchIndex;
    let datasets: DataDict[];

    const search = (ask: Ask): Promise<SearchResult> => index.search(searchQuery(ask));
    const names = async (ask: Ask): Promise<string[]> => (await search(ask)).results.map((dict) => JSON.parse(String(dict)).name);
    const nameSet = async (ask: Ask): Promise<string[]> => (await names(ask)).sort();
    const byName = (name: string) => datasets.find((pkg) => pkg.name === name)!;

    before(async () => {
      db = await database.setUp();
      knex = db.knex;
      index = createPostgresSearchIndex(fakeCradle(knex));
      await insertGroups(knex);
      datasets = standardDatasets();
      await storeAndIndex(knex, index, datasets);
    });
    after(() => database.tearDown());

    describe('results', () => {
      it('returns the stored package dicts byte for byte', async () => {
        const result = await search({ fq: 'name:ngan-sach-ha-noi-2023' });
        const stored = await knex('package').where('name', 'ngan-sach-ha-noi-2023').first('data');
        expect(result.count).to.equal(1);
        expect(result.results.map((dict) => Buffer.from(dict))).to.deep.equal([Buffer.from(stored.data, 'utf8')]);
      });

      it('shows only active public datasets to an anonymous caller by default', async () => {
        expect(await nameSet({})).to.deep.equal([
          'benh-vien-ha-noi', 'chat-luong-khong-khi', 'first-record', 'gov-expenditure', 'gov-extra-expenditure',
          'ngan-sach-ha-noi-2023', 'nguon-thu-thap', 'second-record', 'third-dataset',
        ]);
        expect((await search({})).count).to.equal(9);
      });

      it('counts every match while returning one page', async () => {
        const result = await search({ rows: 2 });
        expect(result.count).to.equal(9);
        expect(result.results).to.have.length(2);
        const past = await search({ rows: 5, start: 100 });
        expect(past.count).to.equal(9);
        expect(past.results).to.deep.equal([]);
      });

      it('answers rows=0 with the count and facets only', async () => {
        const result = await search({ rows: 0, facets: ['organization'] });
        expect(result.results).to.deep.equal([]);
        expect(result.count).to.equal(9);
        expect(result.facets.organization).to.deep.equal({ 'so-tai-chinh': 2, 'so-y-te': 1, 'ubnd-da-nang': 1 });
      });
    });

    describe('free text (dismax over name, title, tags, groups, text)', () => {
      it('matches Vietnamese without diacritics, with them, in capitals and decomposed', async () => {
        const expected = ['benh-vien-ha-noi', 'ngan-sach-ha-noi-2023'];
        expect(await nameSet({ q: 'ha noi' })).to.deep.equal(expected);
        expect(await nameSet({ q: 'Hà Nội' })).to.deep.equal(expected);
        expect(await nameSet({ q: 'HA NOI' })).to.deep.equal(expected);
        expect(await nameSet({ q: 'Ha\u0300 No\u0302\u0323i' })).to.deep.equal(expected);
        expect(await nameSet({ q: 'thanh pho ha noi' })).to.deep.equal(expected);
      });

      it('folds đ to d', async () => {
        expect(await names({ q: 'da nang' })).to.deep.equal(['chat-luong-khong-khi']);
        expect(await names({ q: 'ĐÀ NẴNG' })).to.deep.equal(['chat-luong-khong-khi']);
      });

      it('finds words of names, tags, groups, notes, resources and extras', async () => {
        expect(await nameSet({ q: 'record' })).to.deep.equal(['first-record', 'second-record']);
        expect(await names({ q: 'CAPITALS' })).to.deep.equal(['second-record']);
        expect(await names({ q: 'todo split' })).to.deep.equal(['first-record']);
        expect(await names({ q: 'moi-truong' })).to.deep.equal(['chat-luong-khong-khi']);
        expect(await names({ q: 'AQI' })).to.deep.equal(['chat-luong-khong-khi']);
        expect(await nameSet({ q: 'xlsx' })).to.deep.equal(['ngan-sach-ha-noi-2023']);
        expect(await names({ q: 'nguyen van an' })).to.deep.equal(['third-dataset']);
      });

      it('applies the minimum-match rule: 3 words need 2, 5 words need 4', async () => {
        expect(await names({ q: 'ngan sach xyzzy' })).to.deep.equal(['ngan-sach-ha-noi-2023']);
        expect(await names({ q: 'ngan xyzzy plugh' })).to.deep.equal([]);
        expect(await names({ q: 'ngan sach ha noi xyzzy' })).to.deep.equal(['ngan-sach-ha-noi-2023']);
        expect(await names({ q: 'ngan sach xyzzy plugh thud' })).to.deep.equal([]);
      });

      it('honours quoted phrases and their word order (test_quotation)', async () => {
        expect(await names({ q: '"Government Expenditure"' })).to.deep.equal(['gov-expenditure']);
        expect(await names({ q: '"Expenditure Government"' })).to.deep.equal([]);
        expect(await nameSet({ q: 'Government Expenditure' })).to.deep.equal(['gov-expenditure', 'gov-extra-expenditure']);
      });

      it('honours + and - on words', async () => {
        expect(await names({ q: 'government -extra' })).to.deep.equal(['gov-expenditure']);
        expect(await names({ q: '+extra government' })).to.deep.equal(['gov-extra-expenditure']);
      });

      it('ranks title matches above mentions in the notes', async () => {
        const hospital = packageDict({ name: 'xe-buyt', title: 'Tuyến xe buýt', notes: 'Không liên quan', modified: '2020-01-01T00:00:00' });
        const mention = packageDict({ name: 'giao-thong', title: 'Giao thông', notes: 'Có nhắc tới xe buýt một lần', modified: '2024-06-30T00:00:00' });
        await storeAndIndex(knex, index, [hospital, mention]);
        try {
          expect(await names({ q: 'xe buyt' })).to.deep.equal(['xe-buyt', 'giao-thong']);
          // metadata_modified breaks score ties, and any explicit sort wins over score.
          expect(await names({ q: 'xe buyt', sort: 'metadata_modified desc' })).to.deep.equal(['giao-thong', 'xe-buyt']);
        } finally {
          await knex('package').whereIn('id', [hospital.id, mention.id]).delete();
        }
      });

      it('matches nothing for a query of punctuation only', async () => {
        expect((await search({ q: '&' })).count).to.equal(0);
      });
    });

    describe('fielded q (Lucene, default operator AND)', () => {
      it('searches one text field (test_title_token, test_overall)', async () => {
        expect(await nameSet({ q: 'title:record' })).to.deep.equal(['first-record', 'second-record']);
        expect(await names({ q: 'title:peace' })).to.deep.equal([]);
        expect(await names({ q: 'notes:AQI' })).to.deep.equal(['chat-luong-khong-khi']);
        expect(await names({ q: 'notes:"thanh pho ha noi"' })).to.deep.equal(['benh-vien-ha-noi']);
        expect(await names({ q: 'title:"ha noi"' })).to.deep.equal(['ngan-sach-ha-noi-2023']);
        expect(await names({ q: 'author:nguyen' })).to.deep.equal(['third-dataset']);
        expect(await nameSet({ q: 'res_name:"bang du lieu 2"' })).to.deep.equal(['benh-vien-ha-noi', 'ngan-sach-ha-noi-2023']);
        expect(await names({ q: 'extras_spatial:noi' })).to.deep.equal(['ngan-sach-ha-noi-2023']);
      });

      it('matches exact fields case-sensitively (test_tags_token_*)', async () => {
        expect(await names({ q: 'tags:country-sweden' })).to.deep.equal(['second-record']);
        expect(await names({ q: 'tags:country-sweden tags:format-pdf' })).to.deep.equal(['second-record']);
        expect(await names({ q: 'tags:"split todo"' })).to.deep.equal(['first-record']);
        expect(await names({ q: 'tags:"surprise."' })).to.deep.equal(['third-dataset']);
        expect(await names({ q: 'tags:Capitals' })).to.deep.equal([]);
        expect(await names({ q: 'name:first-record' })).to.deep.equal(['first-record']);
        expect(await names({ q: 'license:"OKD::Other (PublicsDomain)"' })).to.deep.equal([]);
      });

      it('combines exact and text clauses, with the default field for bare words', async () => {
        expect(await names({ q: 'tags:"tài chính" ngan' })).to.deep.equal(['ngan-sach-ha-noi-2023']);
        expect(await names({ q: 'organization:so-y-te benh' })).to.deep.equal(['benh-vien-ha-noi']);
        expect(await nameSet({ q: 'text:record' })).to.deep.equal(['first-record', 'second-record']);
      });

      it('supports prefixes, wildcards and field existence', async () => {
        expect(await nameSet({ q: 'name:gov*' })).to.deep.equal(['gov-expenditure', 'gov-extra-expenditure']);
        expect(await nameSet({ q: 'title:gov*' })).to.deep.equal(['gov-expenditure', 'gov-extra-expenditure']);
        expect(await nameSet({ q: 'title:expend*' })).to.deep.equal(['gov-expenditure', 'gov-extra-expenditure']);
        expect(await nameSet({ q: 'name:*record' })).to.deep.equal(['first-record', 'second-record']);
        expect(await nameSet({ q: 'title:*cord' })).to.deep.equal(['first-record', 'second-record']);
        expect(await names({ q: 'name:th?rd-dataset' })).to.deep.equal(['third-dataset']);
        expect(await names({ q: 'author:*' })).to.deep.equal(['third-dataset']);
        expect((await search({ q: 'license_id:*' })).count).to.equal(8);
        expect((await search({ q: '-license_id:*' })).count).to.equal(1);
        expect((await search({ q: 'extras_spatial:*' })).count).to.equal(1);
      });

      it('searches the plain extra key as an exact field', async () => {
        expect(await names({ q: 'spatial:"Hà Nội"' })).to.deep.equal(['ngan-sach-ha-noi-2023']);
        expect(await names({ q: 'spatial:ha' })).to.deep.equal([]);
        expect(await names({ q: 'nam-bao-cao:2023' })).to.deep.equal(['ngan-sach-ha-noi-2023']);
      });

      it('supports numeric ranges', async () => {
        expect(await nameSet({ q: 'num_resources:[2 TO *]' })).to.deep.equal(['benh-vien-ha-noi', 'ngan-sach-ha-noi-2023']);
        expect(await nameSet({ q: 'num_tags:{2 TO *]' })).to.deep.equal(['second-record']);
        expect(await names({ q: 'num_resources:1' })).to.deep.equal(['chat-luong-khong-khi']);
      });

      it('never fails with anything but a search error, whatever the query', async () => {
        const odd = [
          "extras_a'b:*", 'extras_a_b:x*y', "title:\"'\"", "name:\\'", 'tags:"a\\"b"', '*:*^2', '-*:*', '(*:* -name:x)',
          'num_resources:[1e300 TO *]', 'num_resources:2.5', 'num_tags:[-1 TO 1.5}', 'metadata_modified:[NOW-1000YEARS TO NOW]',
          'title:(a OR "b c")', 'notes:ha*', 'title:*', 'author:?', 'name:*', 'id:[* TO *]', 'foo:[a TO z]', 'text:*', '*',
          'res_url:http\\://data.example.vn/*', 'title:😀 notes:\u0000x', 'tags:*\\**', 'extras_%:_%', 'name:[z TO a]',
          'release_date:[2020-01-01 TO NOW]', 'release_date:2020-01-01', `title:(${'a '.repeat(300)})`, 'x:"" y:""',
        ];
        odd.push('name:a\u0000b', 'tags:\u0000', 'organization:x\u0000', 'extras_a\u0000b:x', 'a\u0000b:[a TO b]', 'extras_\u0000x:*');
        for (const q of odd) {
          try {
            await search({ q });
            await search({ fq: q, q: 'ha noi nguyen van an "exact phrase" -not' });
            await search({ fq: q, sort: 'a\u0000b asc', facets: ['x\u0000y', 'tags'] });
          } catch (err) {
            expect(err, q).to.satisfy((e: unknown) => e instanceof SearchQueryError || e instanceof SearchError);
          }
        }
      });

      it('rejects what it cannot evaluate with Search Query Errors', async () => {
        for (const q of ['metadata_modified:[yesterday TO *]', 'num_resources:[two TO *]', 'title:[a TO b]']) {
          let caught: unknown;
          try {
            await search({ q });
          } catch (err) {
            caught = err;
          }
          expect(caught, q).to.be.instanceOf(SearchQueryError);
        }
      });
    });

    describe('filters clients send (spec 3.5)', () => {
      it('filters by organization, group, tag, format, licence, name and id', async () => {
        expect(await nameSet({ fq: 'organization:so-tai-chinh' })).to.deep.equal(['ngan-sach-ha-noi-2023', 'nguon-thu-thap']);
        expect(await nameSet({ fq: 'groups:kinh-te' })).to.deep.equal(['chat-luong-khong-khi', 'ngan-sach-ha-noi-2023']);
        expect(await names({ fq: 'tags:"y tế"' })).to.deep.equal(['benh-vien-ha-noi']);
        expect(await nameSet({ fq: 'res_format:CSV' })).to.deep.equal(['benh-vien-ha-noi', 'ngan-sach-ha-noi-2023']);
        expect(await names({ fq: 'res_format:csv' })).to.deep.equal([]);
        expect(await nameSet({ fq: 'license_id:odc-odbl' })).to.deep.equal(['benh-vien-ha-noi']);
        expect(await names({ fq: 'name:first-record' })).to.deep.equal(['first-record']);
        expect(await names({ fq: `id:${byName('third-dataset').id}` })).to.deep.equal(['third-dataset']);
        expect(await names({ fq: `+owner_org:"${byName('benh-vien-ha-noi').owner_org}"` })).to.deep.equal(['benh-vien-ha-noi']);
        expect(await names({ fq: '+groups:"moi-truong"' })).to.deep.equal(['chat-luong-khong-khi']);
        expect(await nameSet({ fq: '+creator_user_id:user-1', q: 'record' })).to.deep.equal(['first-record', 'second-record']);
      });

      it('filters OR lists and negations', async () => {
        expect(await nameSet({ fq: 'organization:so-y-te OR organization:ubnd-da-nang' })).to.deep.equal(['benh-vien-ha-noi', 'chat-luong-khong-khi']);
        expect(await nameSet({ fq: 'groups:kinh-te OR groups:moi-truong' })).to.deep.equal(['chat-luong-khong-khi', 'ngan-sach-ha-noi-2023']);
        expect(await nameSet({ fq: '-organization:so-tai-chinh -organization:so-y-te' })).to.deep.equal([
          'chat-luong-khong-khi', 'first-record', 'gov-expenditure', 'gov-extra-expenditure', 'second-record', 'third-dataset',
        ]);
        expect((await search({ fq: '-groups:kinh-te' })).count).to.equal(7);
        expect(await nameSet({ fq: 'organization:(so-y-te OR ubnd-da-nang)' })).to.deep.equal(['benh-vien-ha-noi', 'chat-luong-khong-khi']);
      });

      it('filters by metadata_modified to the microsecond', async () => {
        expect(await nameSet({ fq: 'metadata_modified:[2024-05-01T09:00:00.123456Z TO *]' })).to.deep.equal([
          'chat-luong-khong-khi', 'ngan-sach-ha-noi-2023',
        ]);
        expect(await nameSet({ fq: 'metadata_modified:{2024-05-01T09:00:00.123456Z TO *]' })).to.deep.equal(['chat-luong-khong-khi']);
        expect(await nameSet({ fq: 'metadata_modified:[2024-05-01T09:00:00.123455 TO 2024-05-01T09:00:00.123456}' })).to.deep.equal([
          'benh-vien-ha-noi',
        ]);
        expect(await names({ fq: 'metadata_modified:"2024-06-01T00:00:00Z"' })).to.deep.equal(['chat-luong-khong-khi']);
      });

      it('resolves NOW against the injected clock', async () => {
        // The clock says 2024-07-01: two months back reaches 2024-05-01T00:00.
        expect(await nameSet({ fq: 'metadata_modified:[NOW-2MONTHS TO NOW]' })).to.deep.equal([
          'benh-vien-ha-noi', 'chat-luong-khong-khi', 'ngan-sach-ha-noi-2023',
        ]);
        expect(await names({ fq: 'metadata_modified:[NOW/MONTH-1MONTH TO NOW]' })).to.deep.equal(['chat-luong-khong-khi']);
      });

      it('reproduces the harvester\'s OR + date quirk: the OR-ed organizations become optional', async () => {
        const fq = 'organization:so-y-te OR organization:ubnd-da-nang metadata_modified:[2024-05-01T09:00:00.123456Z TO *]';
        expect(await nameSet({ fq })).to.deep.equal(['chat-luong-khong-khi', 'ngan-sach-ha-noi-2023']);
      });

      it('applies every item of fq_list (the dcat catalog endpoint)', async () => {
        const fq = ['-dataset_type:harvest', '-dataset_type:showcase', 'metadata_modified:[2024-01-01T00:00:00Z TO NOW]'];
        expect(await nameSet({ fq })).to.deep.equal(['benh-vien-ha-noi', 'chat-luong-khong-khi', 'ngan-sach-ha-noi-2023']);
        expect(await names({ fq: 'dataset_type:harvest' })).to.deep.equal(['nguon-thu-thap']);
      });
    });

    describe('visibility', () => {
      it('hides private datasets unless asked, then shows only those the labels allow', async () => {
        expect(await names({ fq: 'name:luong-can-bo' })).to.deep.equal([]);
        expect(await names({ fq: 'name:luong-can-bo', includePrivate: true })).to.deep.equal([]);
        expect(await names({ fq: 'name:luong-can-bo', includePrivate: true, labels: ['public', 'member-org-yt'] })).to.deep.equal([]);
        expect(await names({ fq: 'name:luong-can-bo', includePrivate: true, labels: ['public', 'member-org-tc'] })).to.deep.equal(['luong-can-bo']);
        expect(await names({ fq: 'name:luong-can-bo', includePrivate: true, labels: null })).to.deep.equal(['luong-can-bo']);
        expect(await names({ fq: 'capacity:private', includePrivate: true, labels: null })).to.deep.equal(['luong-can-bo']);
      });

      it('shows drafts only when included and only to those who may read them', async () => {
        const drafts = { states: ['active', 'draft'], includePrivate: true, fq: 'state:draft' };
        expect(await names({ ...drafts })).to.deep.equal([]);
        expect(await names({ ...drafts, labels: ['public', 'creator-user-2'] })).to.deep.equal(['nhap-khong-to-chuc']);
        expect(await names({ ...drafts, labels: ['public', 'member-org-yt'] })).to.deep.equal(['ban-nhap-y-te']);
        expect(await nameSet({ ...drafts, labels: null })).to.deep.equal(['ban-nhap-y-te', 'nhap-khong-to-chuc']);
        expect(await names({ fq: 'state:draft', labels: null, includePrivate: true })).to.deep.equal([]);
      });

      it('leaves the state to the fq when the caller names it ("+state" in fq)', async () => {
        expect(await names({ fq: '+state:deleted', states: [], labels: null, includePrivate: true })).to.deep.equal(['da-xoa']);
        expect((await search({ states: [], labels: null, includePrivate: true })).count).to.equal(13);
      });

      it('adds collaborator labels when collaborators are enabled', async () => {
        const pkg = byName('luong-can-bo');
        expect(datasetPermissionLabels(pkg, false)).to.deep.equal(['member-org-tc']);
        expect(datasetPermissionLabels(pkg, true)).to.deep.equal([`collaborator-${pkg.id}`, 'member-org-tc']);
        expect(datasetPermissionLabels(byName('nhap-khong-to-chuc'), false)).to.deep.equal(['creator-user-2']);
        expect(datasetPermissionLabels(byName('third-dataset'), true)).to.deep.equal(['public']);
      });
    });

    describe('sorting and paging', () => {
      it('sorts by metadata_modified, name, title_string and several keys', async () => {
        expect((await names({ sort: 'metadata_modified desc', rows: 3 }))).to.deep.equal([
          'chat-luong-khong-khi', 'ngan-sach-ha-noi-2023', 'benh-vien-ha-noi',
        ]);
        expect((await names({ sort: 'metadata_modified asc', rows: 2 }))).to.deep.equal(['gov-expenditure', 'gov-extra-expenditure']);
        expect((await names({ sort: 'name asc', rows: 3 }))).to.deep.equal(['benh-vien-ha-noi', 'chat-luong-khong-khi', 'first-record']);
        expect((await names({ sort: 'name desc', rows: 1 }))).to.deep.equal(['third-dataset']);
        // Titles sort without regard to diacritics or case: "Chất" before "Danh", "first" before "Government".
        expect(await names({ sort: 'title_string asc', rows: 4 })).to.deep.equal([
          'chat-luong-khong-khi', 'benh-vien-ha-noi', 'first-record', 'gov-expenditure',
        ]);
        expect(await names({ sort: 'license_id asc, name desc', rows: 3 })).to.deep.equal([
          'third-dataset', 'second-record', 'nguon-thu-thap',
        ]);
        expect(await names({ sort: 'num_resources desc, name asc', rows: 3 })).to.deep.equal([
          'benh-vien-ha-noi', 'ngan-sach-ha-noi-2023', 'chat-luong-khong-khi',
        ]);
      });

      it('refuses to sort on text and multi-valued fields', async () => {
        for (const sort of ['title asc', 'tags desc', 'notes asc']) {
          let caught: unknown;
          try {
            await search({ sort });
          } catch (err) {
            caught = err;
          }
          expect(caught, sort).to.be.instanceOf(SearchError);
        }
      });

      it('pages through everything with id asc, each dataset exactly once, even with equal sort keys', async () => {
        const twins = Array.from({ length: 37 }, (_, i) =>
          packageDict({ name: `twin-${String(i).padStart(2, '0')}`, title: `Twin ${i}`, modified: '2022-02-02T02:02:02' }),
        );
        await storeAndIndex(knex, index, twins);
        try {
          const expected = (await knex('package').where({ state: 'active', private: false }).pluck('id')).sort();
          for (const sort of ['id asc', 'metadata_modified desc', 'score desc, metadata_modified desc']) {
            const seen: string[] = [];
            for (let start = 0; ; start += 7) {
              const page = await search({ sort, rows: 7, start });
              expect(page.count).to.equal(expected.length);
              if (!page.results.length) break;
              seen.push(...page.results.map((dict) => JSON.parse(String(dict)).id));
            }
            expect(seen.length, sort).to.equal(expected.length);
            expect([...seen].sort(), sort).to.deep.equal(expected);
            if (sort === 'id asc') expect(seen).to.deep.equal([...seen].sort());
          }
        } finally {
          await knex('package').whereIn('id', twins.map((pkg) => pkg.id)).delete();
        }
      });
    });

    describe('facets', () => {
      it('counts values over the matched set, most frequent first', async () => {
        const result = await search({ rows: 0, facets: ['tags', 'res_format', 'license_id', 'groups'] });
        expect(Object.entries(result.facets.res_format)).to.deep.equal([['CSV', 2], ['JSON', 2], ['XLSX', 1]]);
        expect(result.facets.license_id).to.deep.equal({ 'cc-by': 7, 'odc-odbl': 1 });
        expect(result.facets.groups).to.deep.equal({ 'kinh-te': 2, 'moi-truong': 1 });
        expect(result.facets.tags['tài chính']).to.equal(1);
        const filtered = await search({ rows: 0, fq: 'organization:so-y-te', facets: ['res_format'] });
        expect(filtered.facets.res_format).to.deep.equal({ CSV: 1, JSON: 1 });
      });

      it('honours facet.limit (-1 = unlimited) and facet.mincount', async () => {
        expect((await search({ rows: 0, facets: ['res_format'], facetLimit: 1 })).facets.res_format).to.deep.equal({ CSV: 2 });
        expect(Object.keys((await search({ rows: 0, facets: ['tags'], facetLimit: -1 })).facets.tags)).to.have.length(10);
        expect((await search({ rows: 0, facets: ['res_format'], facetMincount: 2 })).facets.res_format).to.deep.equal({ CSV: 2, JSON: 2 });
      });

      it('answers an empty object for a field nobody has', async () => {
        expect((await search({ rows: 0, facets: ['vocab_topics'] })).facets).to.deep.equal({ vocab_topics: {} });
      });

      it('counts only what the caller may see', async () => {
        const anonymous = await search({ rows: 0, facets: ['organization'], includePrivate: true });
        const member = await search({ rows: 0, facets: ['organization'], includePrivate: true, labels: ['public', 'member-org-tc'] });
        expect(anonymous.facets.organization['so-tai-chinh']).to.equal(2);
        expect(member.facets.organization['so-tai-chinh']).to.equal(3);
      });
    });

    describe('index maintenance', () => {
      it('re-indexes a changed dataset in place', async () => {
        const pkg = { ...byName('third-dataset'), title: 'Bản đồ hành chính', metadata_modified: '2023-01-05T00:00:01' };
        await storeAndIndex(knex, index, [pkg]);
        try {
          expect(await names({ q: 'ban do hanh chinh' })).to.deep.equal(['third-dataset']);
          expect(await names({ q: 'title:dataset' })).to.deep.equal([]);
        } finally {
          await storeAndIndex(knex, index, [byName('third-dataset')]);
        }
        expect(await names({ q: 'title:dataset' })).to.deep.equal(['third-dataset']);
      });

      it('removes a dataset from the index, and follows a purge through the foreign key', async () => {
        const pkg = packageDict({ name: 'tam-thoi', title: 'Tạm thời' });
        await storeAndIndex(knex, index, [pkg]);
        expect(await names({ q: 'tam thoi' })).to.deep.equal(['tam-thoi']);
        await knex.transaction((trx) => index.remove(trx, pkg.id));
        expect(await names({ q: 'tam thoi' })).to.deep.equal([]);
        await storeAndIndex(knex, index, [pkg]);
        await knex('package').where('id', pkg.id).delete();
        expect(await knex('package_search').where('package_id', pkg.id).first()).to.equal(undefined);
      });

      it('rolls the index back with the transaction that wrote it', async () => {
        const pkg = packageDict({ name: 'khong-luu', title: 'Không lưu' });
        await storeAndIndex(knex, index, [pkg]).catch(() => undefined);
        await knex.transaction(async (trx) => {
          await trx('package').where('id', pkg.id).update({ title: 'x' });
          await index.remove(trx, pkg.id);
          // Inside the transaction the caller sees its own write...
          expect((await index.search(searchQuery({ q: 'khong luu' }), trx)).count).to.equal(0);
          await trx.rollback();
        }).catch(() => undefined);
        // ...and after the rollback the dataset is searchable again.
        expect(await names({ q: 'khong luu' })).to.deep.equal(['khong-luu']);
        await knex('package').where('id', pkg.id).delete();
      });

      it('indexes values PostgreSQL text cannot hold (U+0000) without failing the write', async () => {
        const pkg = packageDict({ name: 'ky-tu-nul', title: 'Ký tự', tags: ['a\u0000b'], extras: { 'k\u0000': 'v\u0000' } });
        // The package row holds the dict as JSON text, where U+0000 is escaped and harmless.
        await storeAndIndex(knex, index, [pkg]);
        try {
          expect(await names({ fq: 'tags:ab' })).to.deep.equal(['ky-tu-nul']);
        } finally {
          await knex('package').where('id', pkg.id).delete();
        }
      });

      it('rebuilds the whole index from the package table', async () => {
        const before = await search({ labels: null, includePrivate: true, states: [], facets: ['tags'] });
        await knex('package_search').delete();
        expect((await search({})).count).to.equal(0);
        expect(await index.rebuild!()).to.equal(13);
        const after = await search({ labels: null, includePrivate: true, states: [], facets: ['tags'] });
        expect(after.count).to.equal(before.count);
        expect(after.facets).to.deep.equal(before.facets);
      });

      it('uses the before_dataset_index hook but keeps the permission labels its own', async () => {
        const hooked = createPostgresSearchIndex({
          ...fakeCradle(knex),
          hooks: {
            beforeDatasetIndex: (doc: DataDict) => ({ ...doc, dia_phuong: ['ha-noi'], permission_labels: ['public'] }),
          },
        } as unknown as Cradle);
        const pkg = packageDict({ name: 'co-hook', org: 'so-tai-chinh', private: true });
        await storeAndIndex(knex, hooked, [pkg]);
        try {
          expect(await names({ fq: 'dia_phuong:ha-noi', includePrivate: true, labels: null })).to.deep.equal(['co-hook']);
          expect(await names({ fq: 'dia_phuong:ha-noi', includePrivate: true })).to.deep.equal([]);
        } finally {
          await knex('package').where('id', pkg.id).delete();
        }
      });
    });

    describe('index document', () => {
      it('flattens the package dict the way CKAN\'s index_package does', () => {
        const pkg = byName('ngan-sach-ha-noi-2023');
        const doc = buildIndexDocument(pkg, { permissionLabels: ['public'], siteId: 'default', declaredFields: [] });
        expect(doc).to.include({
          id: pkg.id,
          name: 'ngan-sach-ha-noi-2023',
          capacity: 'public',
          organization: 'so-tai-chinh',
          owner_org: 'org-tc',
          dataset_type: 'dataset',
          entity_type: 'package',
          site_id: 'default',
          title_string: 'Ngân sách Thành phố Hà Nội 2023',
          metadata_modified: '2024-05-01T09:00:00.123456Z',
          extras_spatial: 'Hà Nội',
          spatial: 'Hà Nội',
          num_resources: 2,
        });
        expect(doc.tags).to.deep.equal(['ngân sách', 'tài chính']);
        expect(doc.groups).to.deep.equal(['kinh-te']);
        expect(doc.res_format).to.deep.equal(['CSV', 'XLSX']);
        expect(doc.permission_labels).to.deep.equal(['public']);
        expect(doc).not.to.have.property('extras');
        expect(doc).not.to.have.property('resources');
      });

      it('keeps an extra from shadowing a core field, and indexes declared fields and vocabularies', () => {
        const pkg = packageDict({
          name: 'khac',
          extras: { name: 'shadow', release_date: '2024-02-03' },
          extra: { linh_vuc: ['y-te', 'giao-duc'], khung: { a: 1 }, tags: [{ name: 'edu', vocabulary_id: 'v1' }, { name: 'free' }] },
        });
        const doc = buildIndexDocument(pkg, {
          permissionLabels: ['public'],
          siteId: 's',
          declaredFields: ['linh_vuc', 'khung'],
          vocabularyNames: new Map([['v1', 'Topics']]),
        });
        expect(doc.name).to.equal('khac');
        expect(doc.extras_name).to.equal('shadow');
        expect(doc.release_date).to.equal('2024-02-03T00:00:00.000000Z');
        expect(doc.linh_vuc).to.deep.equal(['y-te', 'giao-duc']);
        expect(doc.khung).to.equal('{"a":1}');
        expect(doc.vocab_Topics).to.deep.equal(['edu']);
        expect(doc.tags).to.deep.equal(['free']);
      });
    });

    describe('search.timeout_ms', () => {
      /** The backend as on a PostgreSQL server with this search.timeout_ms. */
      function indexWithTimeout(timeoutMs: number) {
        const cradle = fakeCradle(knex) as unknown as { config: DataDict };
        cradle.config.database = { url: 'postgres://server' };
        cradle.config.search = { timeout_ms: timeoutMs };
        return createPostgresSearchIndex(cradle as unknown as Cradle);
      }

      /** Runs `work` while another transaction holds the search table, so that a search waits for as long as it is held. */
      async function whileTableLocked(work: (holder: Knex.Transaction, waitingPids: () => Promise<number[]>) => Promise<void>) {
        const holder = await knex.transaction();
        const waitingPids = async () =>
          (await holder.raw("select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()")).rows.map(
            (row: { pid: number }) => row.pid,
          );
        try {
          await holder.raw('lock table package_search in access exclusive mode');
          await work(holder, waitingPids);
        } finally {
          await holder.rollback();
        }
      }

      /** Polls `read` every 25 ms until `done` holds or 5 s pass; returns the last value. */
      async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
        let value = await read();
        for (const deadline = Date.now() + 5000; !done(value) && Date.now() < deadline; value = await read()) {
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        return value;
      }

      it('stops a search that runs too long with a 409 Search Error, and the next search works', async function () {
        if (database.name !== 'PostgreSQL') this.skip();
        const timed = indexWithTimeout(300);
        await whileTableLocked(async (_holder, waitingPids) => {
          const started = Date.now();
          const err = await timed.search(searchQuery({ q: 'ha noi' })).then(() => null, (e: unknown) => e);
          expect(err).to.be.instanceOf(SearchError);
          expect((err as Error).message).to.match(/took longer than 0\.3 s \(search\.timeout_ms\)/);
          expect(Date.now() - started).to.be.lessThan(5000);
          // The statement was cancelled on the server, not left waiting on a pooled connection
          // (pg_cancel_backend only signals the backend, which acts on it a moment later).
          expect(await pollUntil(waitingPids, (pids) => pids.length === 0)).to.deep.equal([]);
        });
        expect((await timed.search(searchQuery({ q: 'ha noi' }))).count).to.be.greaterThan(0);
      });

      it('tells a search the database server cancelled from one that ran too long', async function () {
        if (database.name !== 'PostgreSQL') this.skip();
        const patient = indexWithTimeout(60000);
        await whileTableLocked(async (holder, waitingPids) => {
          const pending = patient.search(searchQuery({ q: 'ha noi' })).then(() => null, (e: unknown) => e);
          const pids = await pollUntil(waitingPids, (found) => found.length > 0);
          expect(pids).to.not.be.empty;
          // As a database administrator would.
          for (const pid of pids) await holder.raw('select pg_cancel_backend(?)', [pid]);
          const err = await pending;
          expect(err).to.be.instanceOf(SearchError);
          expect(err).to.not.be.instanceOf(SearchTimeoutError);
          expect((err as Error).message).to.equal('The database server cancelled the search (an administrator, or its own statement_timeout, stopped it)');
        });
      });
    });

    describe('query plans', () => {
      it('can answer the search from the indexes', async function () {
        if (database.name !== 'PostgreSQL') this.skip();
        const statement = buildSearchSql(searchQuery({ q: 'ha noi', fq: 'organization:so-y-te', facets: ['tags', 'res_format'] }), new Date(NOW));
        // A handful of rows makes a sequential scan cheapest; forbid it to see which indexes apply.
        const plan = await knex.transaction(async (trx) => {
          await trx.raw('set local enable_seqscan = off');
          const { rows } = await trx.raw(`explain ${statement.sql}`, statement.bindings as never);
          return rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n');
        });
        expect(plan).to.match(/Index Scan (using|on) package_search_(tsv|organization)_idx/);
      });
    });
  });
}
