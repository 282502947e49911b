// package_search as an action: CKAN's parameter checks and error types (spec 3.1, 1.4), the fq it
// builds, and the result shape with search_facets (3.3). Anonymous callers and sysadmins only, so
// the tests do not depend on how a signed-in user's permission labels are looked up.
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Database } from '../../../core/db/connect.ts';
import { FixedClock } from '../../../core/clock.ts';
import { loadCoreConfig } from '../../../core/config/load.ts';
import { ActionError, SearchError, SearchQueryError, ValidationError } from '../../../core/errors.ts';
import { RawJson, jsonPieces } from '../../../core/http/raw-json.ts';
import { HookRegistry } from '../../../core/plugins/hooks.ts';
import type { IPackageController } from '../../../core/plugins/interfaces.ts';
import type { ActionContext, AuthUser, DataDict } from '../../../core/actions/types.ts';
import type { Cradle } from '../../../core/container.ts';
import type { SearchIndex } from '../../../core/search/search-index.ts';
import { packageSearchActions, packageSearchAuth } from '../../../core/actions/package-search.ts';
import { createPostgresSearchIndex } from '../../../core/search/postgres/index.ts';
import { findLicense } from '../../../core/model/licenses.ts';
import { insertGroups, standardDatasets, storeAndIndex, testDatabases } from './search-fixtures.ts';

const SYSADMIN: AuthUser = { id: 'admin-id', name: 'admin', sysadmin: true, state: 'active' };
const PUBLIC_ACTIVE = 9;

interface CallOptions {
  user?: AuthUser | null;
  rawJsonOk?: boolean;
  hooks?: IPackageController[];
  config?: Record<string, unknown>;
}

for (const makeDatabase of testDatabases()) {
  describe(`package_search action on ${makeDatabase().name}`, function () {
    this.timeout(60000);
    const database = makeDatabase();
    let db: Database;
    let knex: Knex;
    let searchIndex: SearchIndex;
    let datasets: DataDict[];

    function context(options: CallOptions = {}): ActionContext {
      const hooks = new HookRegistry();
      hooks.package.push(...(options.hooks ?? []));
      const services = {
        config: loadCoreConfig({ file: null, env: {}, overrides: options.config }),
        hooks,
        searchIndex,
        knex,
        clock: new FixedClock('2024-07-01T00:00:00Z'),
      } as unknown as Cradle;
      const unused = () => {
        throw new Error('not used by package_search');
      };
      return {
        user: options.user ?? null,
        ignoreAuth: false,
        requestId: null,
        rawJsonOk: options.rawJsonOk ?? false,
        trx: null,
        scope: {} as never,
        services,
        action: unused,
        checkAccess: unused,
        transaction: unused,
        afterCommit: unused,
        onRollback: unused,
        db: () => knex,
      } as unknown as ActionContext;
    }

    const call = (data: DataDict, options?: CallOptions): Promise<DataDict> =>
      packageSearchActions.package_search.handler(context(options), data) as Promise<DataDict>;

    async function failure(data: DataDict, options?: CallOptions): Promise<ActionError> {
      try {
        await call(data, options);
      } catch (err) {
        if (err instanceof ActionError) return err;
        throw err;
      }
      throw new Error(`package_search ${JSON.stringify(data)} should have failed`);
    }

    const names = (result: DataDict) => (result.results as DataDict[]).map((pkg) => pkg.name).sort();

    before(async () => {
      db = await database.setUp();
      knex = db.knex;
      searchIndex = createPostgresSearchIndex({
        knex,
        clock: new FixedClock('2024-07-01T00:00:00Z'),
        config: loadCoreConfig({ file: null, env: {} }),
      } as unknown as Cradle);
      await insertGroups(knex);
      datasets = standardDatasets();
      await storeAndIndex(knex, searchIndex, datasets);
    });
    after(() => database.tearDown());

    it('is GET-able and open to anonymous callers', () => {
      expect(packageSearchActions.package_search.sideEffectFree).to.equal(true);
      expect(packageSearchAuth.package_search.allowAnonymous).to.equal(true);
      expect(packageSearchAuth.package_search.fn({} as ActionContext, {})).to.equal(true);
    });

    describe('result', () => {
      it('has CKAN\'s keys in CKAN\'s order, with the default sort', async () => {
        const result = await call({});
        expect(Object.keys(result)).to.deep.equal(['count', 'facets', 'results', 'sort', 'search_facets']);
        expect(result.count).to.equal(PUBLIC_ACTIVE);
        expect(result.sort).to.equal('score desc, metadata_modified desc');
        expect(result.facets).to.deep.equal({});
        expect(result.search_facets).to.deep.equal({});
        expect(result.results).to.have.length(PUBLIC_ACTIVE);
      });

      it('returns the stored dicts, as RawJson pieces for the HTTP layer', async () => {
        const raw = await call({ fq: 'name:benh-vien-ha-noi' }, { rawJsonOk: true });
        const stored = (await knex('package').where('name', 'benh-vien-ha-noi').first('data')).data;
        expect(raw.results[0]).to.be.instanceOf(RawJson);
        expect(Buffer.concat(jsonPieces(raw)).toString()).to.contain(`"results":[${stored}]`);
        const parsed = await call({ fq: 'name:benh-vien-ha-noi' });
        expect(parsed.results).to.deep.equal([JSON.parse(stored)]);
      });

      it('treats an empty q, "" and \'\' as everything', async () => {
        for (const q of ['', '""', "''"]) expect((await call({ q })).count).to.equal(PUBLIC_ACTIVE);
      });

      it('sorts as asked and pages with rows and start (values arrive as strings from GET)', async () => {
        const first = await call({ sort: 'name asc', rows: '2' });
        expect(first.results.map((pkg: DataDict) => pkg.name)).to.deep.equal(['benh-vien-ha-noi', 'chat-luong-khong-khi']);
        const second = await call({ sort: 'name asc', rows: '2', start: '2' });
        expect(second.results.map((pkg: DataDict) => pkg.name)).to.deep.equal(['first-record', 'gov-expenditure']);
        expect(second.sort).to.equal('name asc');
        const past = await call({ start: '500' });
        expect(past.count).to.equal(PUBLIC_ACTIVE);
        expect(past.results).to.deep.equal([]);
        expect((await call({ rows: '0' })).results).to.deep.equal([]);
      });

      it('caps rows at search.rows_max without complaint', async () => {
        const result = await call({ rows: 5000 }, { config: { search: { rows_max: 3 } } });
        expect(result.results).to.have.length(3);
        expect(result.count).to.equal(PUBLIC_ACTIVE);
      });

      it('searches Vietnamese free text without diacritics', async () => {
        expect(names(await call({ q: 'ha noi' }))).to.deep.equal(['benh-vien-ha-noi', 'ngan-sach-ha-noi-2023']);
      });
    });

    describe('filters', () => {
      it('accepts fq, fq_list as a list and fq_list as one string', async () => {
        expect(names(await call({ fq: 'tags:"y tế"' }))).to.deep.equal(['benh-vien-ha-noi']);
        expect(names(await call({ fq_list: ['res_format:CSV', '-organization:so-y-te'] }))).to.deep.equal(['ngan-sach-ha-noi-2023']);
        expect(names(await call({ fq_list: 'res_format:JSON' }))).to.deep.equal(['benh-vien-ha-noi', 'chat-luong-khong-khi']);
        expect(names(await call({ fq: 'res_format:CSV', fq_list: ['groups:kinh-te'] }))).to.deep.equal(['ngan-sach-ha-noi-2023']);
      });

      it('wraps fq the way CKAN does, so an OR list of organizations filters nothing (CKAN\'s quirk)', async () => {
        // "+capacity:public organization:a OR organization:b +state:(active)": a and b become optional.
        expect((await call({ fq: 'organization:so-y-te OR organization:ubnd-da-nang' })).count).to.equal(PUBLIC_ACTIVE);
        // Grouped, the list is one required clause and filters as meant.
        expect(names(await call({ fq: 'organization:(so-y-te OR ubnd-da-nang)' }))).to.deep.equal(['benh-vien-ha-noi', 'chat-luong-khong-khi']);
        expect(names(await call({ fq: 'organization:so-y-te' }))).to.deep.equal(['benh-vien-ha-noi']);
      });

      it('hides private datasets from anonymous callers even when they ask for them', async () => {
        expect(names(await call({ fq: 'name:luong-can-bo', include_private: 'true' }))).to.deep.equal([]);
      });

      it('shows private, draft and (with +state) deleted datasets to a sysadmin who asks', async () => {
        expect(names(await call({ fq: 'name:luong-can-bo' }, { user: SYSADMIN }))).to.deep.equal([]);
        expect(names(await call({ fq: 'name:luong-can-bo', include_private: 'True' }, { user: SYSADMIN }))).to.deep.equal(['luong-can-bo']);
        expect(names(await call({ fq: 'state:draft', include_drafts: true, include_private: true }, { user: SYSADMIN }))).to.deep.equal([
          'ban-nhap-y-te', 'nhap-khong-to-chuc',
        ]);
        expect(names(await call({ fq: '+state:deleted' }, { user: SYSADMIN }))).to.deep.equal(['da-xoa']);
        expect((await call({ include_deleted: true, include_drafts: true, include_private: true }, { user: SYSADMIN })).count).to.equal(13);
      });

      it('moves ext_* parameters into extras for plugins instead of refusing them', async () => {
        let seen: DataDict | null = null;
        const result = await call({ ext_bbox: '1,2,3,4' }, { hooks: [{ before_dataset_search: (params) => void (seen = params) }] });
        expect(result.count).to.equal(PUBLIC_ACTIVE);
        expect(seen!.extras).to.deep.equal({ ext_bbox: '1,2,3,4' });
        expect(seen!).not.to.have.property('ext_bbox');
      });
    });

    describe('facets', () => {
      it('takes facet.field as a JSON string or a list, and builds search_facets with display names', async () => {
        const result = await call({ 'facet.field': '["organization", "license_id", "tags"]', rows: 0 });
        expect(result.facets.organization).to.deep.equal({ 'so-tai-chinh': 2, 'so-y-te': 1, 'ubnd-da-nang': 1 });
        expect(result.search_facets.organization).to.deep.equal({
          title: 'organization',
          items: [
            { name: 'ubnd-da-nang', display_name: 'UBND Thành phố Đà Nẵng', count: 1 },
            { name: 'so-y-te', display_name: 'Sở Y tế', count: 1 },
            { name: 'so-tai-chinh', display_name: 'Sở Tài chính', count: 2 },
          ],
        });
        const licenses = result.search_facets.license_id.items;
        expect(licenses.find((item: DataDict) => item.name === 'cc-by').display_name).to.equal(findLicense('cc-by')!.title);
        const tagNames = result.search_facets.tags.items.map((item: DataDict) => item.display_name);
        expect(tagNames).to.deep.equal([...tagNames].sort().reverse());
        const listed = await call({ 'facet.field': ['groups'], rows: 0 });
        expect(listed.search_facets.groups.items).to.deep.equal([
          { name: 'moi-truong', display_name: 'Môi trường', count: 1 },
          { name: 'kinh-te', display_name: 'Kinh tế', count: 2 },
        ]);
      });

      it('honours facet.limit, facet.mincount and facet=false', async () => {
        const limited = await call({ 'facet.field': '["res_format"]', 'facet.limit': '1' });
        expect(limited.facets.res_format).to.deep.equal({ CSV: 2 });
        const frequent = await call({ 'facet.field': '["tags"]', 'facet.mincount': '2' });
        expect(frequent.facets.tags).to.deep.equal({});
        expect(frequent.search_facets.tags).to.deep.equal({ title: 'tags', items: [] });
        const off = await call({ 'facet.field': '["tags"]', facet: 'false' });
        expect(off.facets).to.deep.equal({});
      });

      it('uses search.facets_limit as the default facet.limit', async () => {
        const result = await call({ 'facet.field': '["res_format"]' }, { config: { search: { facets_limit: 2 } } });
        expect(Object.keys(result.facets.res_format)).to.have.length(2);
      });

      it('lists at most search.facets_limit_max values, for facet.limit=-1 too', async () => {
        const all = await call({ 'facet.field': '["tags"]', 'facet.limit': '-1' });
        expect(Object.keys(all.facets.tags).length).to.be.greaterThan(2);
        const config = { search: { facets_limit_max: 2 } };
        for (const limit of ['-1', '1000']) {
          const capped = await call({ 'facet.field': '["tags"]', 'facet.limit': limit }, { config });
          expect(Object.keys(capped.facets.tags)).to.have.length(2);
          expect(capped.search_facets.tags.items).to.have.length(2);
        }
        const smaller = await call({ 'facet.field': '["tags"]', 'facet.limit': '1' }, { config });
        expect(Object.keys(smaller.facets.tags)).to.have.length(1);
      });
    });

    describe('fl', () => {
      it('returns partial dicts from the search document', async () => {
        const result = await call({ fq: 'name:ngan-sach-ha-noi-2023', fl: 'id,name organization' });
        const pkg = datasets.find((d) => d.name === 'ngan-sach-ha-noi-2023')!;
        expect(result.results).to.deep.equal([{ id: pkg.id, name: pkg.name, organization: 'so-tai-chinh' }]);
      });

      it('spreads extras_* fields under their plain key, and takes a list', async () => {
        const result = await call({ fq: 'name:ngan-sach-ha-noi-2023', fl: ['name', 'extras_spatial', 'res_format'] }, { rawJsonOk: true });
        expect(result.results).to.deep.equal([{ name: 'ngan-sach-ha-noi-2023', res_format: ['CSV', 'XLSX'], spatial: 'Hà Nội' }]);
      });
    });

    describe('plugins', () => {
      it('lets before_dataset_search change the parameters and after_dataset_search see parsed results', async () => {
        let results: unknown[] = [];
        const hooks: IPackageController[] = [
          { before_dataset_search: (params) => ({ ...params, fq: 'organization:so-y-te' }) },
          {
            after_dataset_search: (result) => {
              results = result.results;
              return { ...result, extra: 'added' };
            },
          },
        ];
        const result = await call({}, { hooks, rawJsonOk: true });
        expect(names(result)).to.deep.equal(['benh-vien-ha-noi']);
        expect(results[0]).not.to.be.instanceOf(RawJson);
        expect(result.extra).to.equal('added');
      });

      it('skips the search when a plugin sets abort_search', async () => {
        const result = await call({}, { hooks: [{ before_dataset_search: (params) => ({ ...params, abort_search: true }) }] });
        expect(result).to.deep.include({ count: 0, results: [], facets: {} });
      });
    });

    describe('errors', () => {
      it('answers 409 Validation Error for bad rows, start, facet.limit and facet.field', async () => {
        const cases: Array<[DataDict, DataDict]> = [
          [{ rows: '-1' }, { rows: ['Must be a natural number'] }],
          [{ rows: 'ten' }, { rows: ['Invalid integer'] }],
          [{ start: 'x' }, { start: ['Invalid integer'] }],
          [{ 'facet.limit': '1.5' }, { 'facet.limit': ['Invalid integer'] }],
          [{ 'facet.mincount': '-2' }, { 'facet.mincount': ['Must be a natural number'] }],
          // As in CKAN, the chain goes on after the first message.
          [{ 'facet.field': 'tags' }, { 'facet.field': ['Could not parse as valid JSON', 'Not a list'] }],
        ];
        for (const [data, errors] of cases) {
          const err = await failure(data);
          expect(err, JSON.stringify(data)).to.be.instanceOf(ValidationError);
          expect(err.status).to.equal(409);
          expect((err as ValidationError).errors).to.deep.include(errors);
        }
        expect(((await failure({ 'facet.field': '"tags"' })) as ValidationError).errors).to.have.property('facet.field');
      });

      it('answers 400 "Invalid search parameters" with the offending keys as a Python list', async () => {
        const err = await failure({ q: 'x', _: '1700000000000', callback_x: 'y' });
        expect(err).to.be.instanceOf(SearchQueryError);
        expect(err.status).to.equal(400);
        expect(err.message).to.equal("Invalid search parameters: ['_', 'callback_x']");
        expect(err.body()).to.deep.equal({ message: `Search Query is invalid: "Invalid search parameters: ['_', 'callback_x']"` });
      });

      it('answers 400 for a sort without direction (test_bad_solr_parameter)', async () => {
        const err = await failure({ sort: 'metadata_modified' });
        expect(err).to.be.instanceOf(SearchQueryError);
        expect(err.body()).to.deep.equal({ message: `Search Query is invalid: 'Invalid "sort" parameter'` });
      });

      it('answers 400 with the position for a query it cannot parse', async () => {
        const err = await failure({ q: 'tags:(economy' });
        expect(err).to.be.instanceOf(SearchQueryError);
        expect(err.message).to.match(/position 13/);
        expect((await failure({ fq: 'metadata_modified:[soon TO *]' })).status).to.equal(400);
      });

      it('answers 409 Search Error for local params in any parameter (test_local_parameters_not_supported)', async () => {
        for (const data of [{ q: '{!child of="content_type:parentDoc"}' }, { fq: '{!frange l=1}x' }, { fq_list: ['{!lucene}*:*'] }, { sort: '{!func}x asc' }]) {
          const err = await failure(data);
          expect(err, JSON.stringify(data)).to.be.instanceOf(SearchError);
          expect(err.status).to.equal(409);
          expect(err.body().message).to.match(/^Search error: "Local parameters are not supported in param '\w+'\."$/);
        }
      });

      it('answers 409 Search Error for a sort on a text field', async () => {
        const err = await failure({ sort: 'notes asc' });
        expect(err).to.be.instanceOf(SearchError);
      });
    });
  });
}
