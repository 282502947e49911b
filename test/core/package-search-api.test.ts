// package_search over HTTP with real callers: CKAN's own tests (section 6 rows 5–13 of the spec:
// ckan/tests/logic/action/test_get.py::TestPackageSearch and ::TestBadLimitQueryParameters,
// ckan/tests/lib/search/test_query.py::TestPackageQuery) ported as black-box tests, users and
// organizations made through the API; then the query forms the CKAN clients that read us send
// (spec 3.5, 5.1, 5.3), and the rule that no query form, by anyone, ever shows a private, draft or
// deleted dataset to a caller who may not see it. CKAN's tests call the action in-process; here the
// same data dict goes over GET (how clients search) or POST, and CKAN's exceptions are the status
// codes and __type strings of spec 1.4.
//
// This is the search conformance suite: every test runs against each search backend
// (test/core/search/backends.ts): the core's PostgreSQL backend always, the search-elasticsearch
// plugin when ES_URL is set (pending otherwise), e.g.
//   ES_URL=http://localhost:9200 npx mocha test/core/package-search-api.test.ts
import { expect } from 'chai';
import type { TestServer, TestUser } from '../helpers/server.ts';
import { searchBackends, type SearchBackend } from './search/backends.ts';
import type { ApiClient, ApiResponse } from '../helpers/api-client.ts';
import { expectError, expectOk, uniqueName } from '../helpers/expect.ts';
import {
  ckanapiSearch,
  createDataset,
  createGroup,
  createOrgWithMembers,
  dcatSearch,
  harvesterSearch,
  moveToState,
  purgeAllDatasets,
  pythonIsoformat,
  rawShowResult,
  sleep,
  urlencode,
  type ClientRun,
  type OrgWithMembers,
  type Row,
} from './package-search-api-fixtures.ts';

const names = (response: ApiResponse): string[] => (expectOk(response).results as Row[]).map((pkg) => pkg.name);
const sortedNames = (response: ApiResponse): string[] => names(response).sort();

function ckanTests(backend: SearchBackend) {
  describe(`package_search over HTTP on ${backend.name}: CKAN's tests`, function () {
    skipUnlessAvailable(backend);
    this.timeout(120000);
    let server: TestServer;

    before(async () => {
      // CKAN's test configuration allows datasets outside any organization, and its factories make them.
      server = await backend.startServer({ config: { auth: { create_unowned_dataset: true } } });
    });
    after(async () => server?.close());

    const search = (params: Row = {}, client: ApiClient = server.anon) => client.get('package_search', params);
    const searchPost = (data: Row = {}, client: ApiClient = server.anon) => client.post('package_search', data);

    describe('test_get.py::TestPackageSearch', () => {
      beforeEach(() => purgeAllDatasets(server));

      it('test_search', async () => {
        await createDataset(server.admin, { title: 'Rivers' });
        await createDataset(server.admin, { title: 'Lakes' }); // decoy
        const result = expectOk(await search({ q: 'rivers' }));
        expect(result.results[0].title).to.equal('Rivers');
        expect(result.count).to.equal(1);
      });

      it('test_search_fl', async () => {
        const d1 = await createDataset(server.admin, { title: 'Rivers', name: 'test_ri' });
        await createDataset(server.admin, { title: 'Lakes' });
        // A list (repeated GET parameter, JSON list by POST) or one comma-separated string.
        expect(expectOk(await search({ q: 'rivers', fl: ['title', 'name'] })).results).to.deep.equal([{ title: 'Rivers', name: 'test_ri' }]);
        expect(expectOk(await searchPost({ q: 'rivers', fl: ['title', 'name'] })).results).to.deep.equal([{ title: 'Rivers', name: 'test_ri' }]);
        expect(expectOk(await search({ q: 'rivers', fl: 'title,name' })).results).to.deep.equal([{ title: 'Rivers', name: 'test_ri' }]);
        expect(expectOk(await search({ q: 'rivers', fl: ['id'] })).results).to.deep.equal([{ id: d1.id }]);
      });

      it('test_search_all', async () => {
        await createDataset(server.admin, { title: 'Rivers' });
        await createDataset(server.admin, { title: 'Lakes' });
        const result = expectOk(await search()); // no q
        expect(result.count).to.equal(2);
      });

      it('test_bad_action_parameter', async () => {
        const error = expectError(await search({ weird_param: 1 }), 400, 'Search Query Error');
        expect(error.message).to.equal(`Search Query is invalid: "Invalid search parameters: ['weird_param']"`);
        expectError(await searchPost({ weird_param: 1 }), 400, 'Search Query Error');
        // jQuery's cache-buster is the usual way a browser client meets this.
        expectError(await search({ q: 'x', _: '1700000000000' }), 400, 'Search Query Error');
      });

      it('test_bad_solr_parameter', async () => {
        // Solr wants "asc" or "desc" after the field.
        const error = expectError(await search({ sort: 'metadata_modified' }), 400, 'Search Query Error');
        expect(error.message).to.equal(`Search Query is invalid: 'Invalid "sort" parameter'`);
        expectError(await searchPost({ sort: 'metadata_modified' }), 400, 'Search Query Error');
      });

      it('test_rows_returned_default', async () => {
        for (let i = 0; i < 11; i++) await createDataset(server.admin, { name: `rows_default_${i}` });
        const result = expectOk(await search());
        expect(result.results).to.have.length(10); // i.e. the 'rows' default
        expect(result.count).to.equal(11);
      });

      it('test_facets', async () => {
        const org = expectOk(await server.admin.post('organization_create', { name: 'test-org-facet', title: 'Test Org' }));
        await createDataset(server.admin, { owner_org: org.id });
        await createDataset(server.admin, { owner_org: org.id });

        const expected = {
          organization: { items: [{ count: 2, display_name: 'Test Org', name: 'test-org-facet' }], title: 'organization' },
        };
        const viaGet = expectOk(await search({ 'facet.field': '["organization"]' }));
        expect(viaGet.count).to.equal(2);
        expect(viaGet.search_facets).to.deep.equal(expected);
        expect(viaGet.facets).to.deep.equal({ organization: { 'test-org-facet': 2 } });
        const viaPost = expectOk(await searchPost({ 'facet.field': ['organization'] }));
        expect(viaPost.search_facets).to.deep.equal(expected);
      });

      it('test_facet_limit', async () => {
        const group1 = await createGroup(server, 'test-group-fl1', 'Test Group 1');
        const group2 = await createGroup(server, 'test-group-fl2', 'Test Group 2');
        await createDataset(server.admin, { groups: [{ name: group1.name }, { name: group2.name }] });
        await createDataset(server.admin, { groups: [{ name: group1.name }] });
        await createDataset(server.admin);

        const result = expectOk(await search({ 'facet.field': '["groups"]', 'facet.limit': 1 }));
        expect(result.search_facets.groups.items).to.have.length(1);
        expect(result.search_facets).to.deep.equal({
          groups: { items: [{ count: 2, display_name: 'Test Group 1', name: 'test-group-fl1' }], title: 'groups' },
        });
      });

      it('test_facet_no_limit', async () => {
        const group1 = await createGroup(server, uniqueName('group'), 'Nhóm một');
        const group2 = await createGroup(server, uniqueName('group'), 'Nhóm hai');
        await createDataset(server.admin, { groups: [{ name: group1.name }, { name: group2.name }] });
        await createDataset(server.admin, { groups: [{ name: group1.name }] });
        await createDataset(server.admin);

        const result = expectOk(await search({ 'facet.field': '["groups"]', 'facet.limit': -1 })); // no limit
        expect(result.search_facets.groups.items).to.have.length(2);
        // CKAN orders the items by display name, descending.
        expect(result.search_facets.groups.items.map((item: Row) => item.display_name)).to.deep.equal(['Nhóm một', 'Nhóm hai']);
      });

      it('test_sort', async () => {
        await createDataset(server.admin, { name: 'test0' });
        await createDataset(server.admin, { name: 'test1' });
        await createDataset(server.admin, { name: 'test2' });
        expect(names(await search({ sort: 'metadata_created desc' }))).to.deep.equal(['test2', 'test1', 'test0']);
        expect(names(await search({ sort: 'metadata_created asc' }))).to.deep.equal(['test0', 'test1', 'test2']);
      });

      it('test_package_search_on_resource_name', async () => {
        const resourceName = 'resource_abc';
        const dataset = await createDataset(server.admin);
        expectOk(await server.admin.post('resource_create', { package_id: dataset.id, url: 'http://example.com/data.csv', name: resourceName }));
        const result = expectOk(await search({ q: 'resource_abc' }));
        expect(result.results[0].resources[0].name).to.equal(resourceName);
      });

      it('test_local_parameters_not_supported', async () => {
        const error = expectError(await search({ q: '{!child of="content_type:parentDoc"}' }), 409, 'Search Error');
        expect(error.message).to.match(/^Search error: /);
        expectError(await search({ fq: '{!frange l=1}views_total' }), 409, 'Search Error');
        expectError(await searchPost({ fq_list: ['{!lucene}*:*'] }), 409, 'Search Error');
      });

      describe('visibility (capacity, state and permission labels)', () => {
        // The cast of CKAN's visibility tests: `user` creates an organization (and so is its admin),
        // a public dataset, a deleted one, a draft and a private one in the organization;
        // `otherUser` a public dataset and a draft of their own.
        let user: TestUser;
        let otherUser: TestUser;
        let org: Row;
        let dataset: Row;
        let otherDataset: Row;
        let deleted: Row;
        let draft: Row;
        let otherDraft: Row;
        let privateDataset: Row;

        async function castOfCkanTests() {
          user = await server.createUser(uniqueName('user'));
          otherUser = await server.createUser(uniqueName('other_user'));
          const userClient = server.client(user.token);
          const otherClient = server.client(otherUser.token);
          org = expectOk(await userClient.post('organization_create', { name: uniqueName('org') }));
          dataset = await createDataset(userClient, { name: uniqueName('dataset') });
          otherDataset = await createDataset(otherClient, { name: uniqueName('other-dataset') });
          deleted = await createDataset(userClient, { name: uniqueName('deleted-dataset') });
          await moveToState(userClient, deleted.id, 'deleted');
          draft = await createDataset(userClient, { name: uniqueName('draft-dataset') });
          await moveToState(userClient, draft.id, 'draft');
          otherDraft = await createDataset(otherClient, { name: uniqueName('other-draft-dataset') });
          await moveToState(otherClient, otherDraft.id, 'draft');
          privateDataset = await createDataset(userClient, { name: uniqueName('private-dataset'), private: true, owner_org: org.name });
        }

        beforeEach(castOfCkanTests);

        it('test_package_search_excludes_private_and_drafts', async () => {
          // Whoever asks, without include_* nothing but active public datasets comes back.
          for (const client of [server.anon, server.client(user.token), server.admin]) {
            expect(sortedNames(await search({}, client))).to.deep.equal([dataset.name, otherDataset.name].sort());
          }
        });

        it('test_package_search_with_fq_excludes_private', async () => {
          for (const client of [server.anon, server.client(user.token), server.admin]) {
            expect(names(await search({ fq: 'capacity:private' }, client))).to.deep.equal([]);
          }
        });

        it('test_package_search_with_fq_excludes_drafts', async () => {
          // state:draft without '+' leaves CKAN's own "+state:(active)" in place: nothing, even for a sysadmin.
          expect(names(await search({ fq: 'state:draft' }, server.admin))).to.deep.equal([]);
        });

        it('test_package_search_with_include_drafts_option_excludes_drafts_for_anon_user', async () => {
          expect(sortedNames(await search({ include_drafts: true }))).to.deep.equal([dataset.name, otherDataset.name].sort());
        });

        it('test_package_search_with_include_drafts_option_includes_drafts_for_sysadmin', async () => {
          expect(sortedNames(await search({ include_drafts: true }, server.admin))).to.deep.equal(
            [dataset.name, otherDataset.name, draft.name, otherDraft.name].sort(),
          );
        });

        it('test_package_search_with_include_drafts_false_option_doesnot_include_drafts_for_sysadmin', async () => {
          expect(sortedNames(await search({ include_drafts: false }, server.admin))).to.deep.equal([dataset.name, otherDataset.name].sort());
        });

        it('test_package_search_with_include_drafts_option_includes_drafts_for_user', async () => {
          // Their own draft, not the other user's.
          expect(sortedNames(await search({ include_drafts: true }, server.client(user.token)))).to.deep.equal(
            [dataset.name, otherDataset.name, draft.name].sort(),
          );
          expect(sortedNames(await search({ include_drafts: 'True' }, server.client(otherUser.token)))).to.deep.equal(
            [dataset.name, otherDataset.name, otherDraft.name].sort(),
          );
        });

        it('test_package_search_with_fq_for_create_user_id_will_include_datasets_for_other_users', async () => {
          expect(names(await search({ fq: `creator_user_id:${otherUser.id}` }, server.client(user.token)))).to.deep.equal([otherDataset.name]);
        });

        it('test_package_search_with_fq_for_create_user_id_will_not_include_drafts_for_other_users', async () => {
          const fq = `(creator_user_id:${otherUser.id} AND +state:draft)`;
          expect(names(await search({ fq, include_drafts: true }, server.client(user.token)))).to.deep.equal([]);
        });

        it('test_package_search_with_fq_for_creator_user_id_and_include_drafts_option_will_not_include_drafts_for_other_user', async () => {
          const found = names(await search({ fq: `creator_user_id:${otherUser.id}`, include_drafts: true }, server.client(user.token)));
          expect(found).to.deep.equal([otherDataset.name]);
        });

        it('test_package_search_with_fq_for_create_user_id_will_include_drafts_for_other_users_for_sysadmin', async () => {
          // "+state" in fq: CKAN adds no state filter of its own, and a sysadmin has no label filter.
          const fq = `(creator_user_id:${user.id} AND +state:draft)`;
          expect(names(await search({ fq }, server.admin))).to.deep.equal([draft.name]);
        });

        it('keeps +state:active when fq says "+state" but not "+state:" (an extra such as state_code)', async () => {
          // package_search skips its state clause when fq contains "+state", but query.run still adds
          // +state:active unless fq contains "+state:". An extra named state_code must not open the
          // door to deleted and draft datasets.
          const userClient = server.client(user.token);
          const extras = [{ key: 'state_code', value: 'HN' }];
          const active = await createDataset(userClient, { owner_org: org.id, extras });
          const gone = await createDataset(userClient, { owner_org: org.id, extras });
          await moveToState(userClient, gone.id, 'deleted');
          const unfinished = await createDataset(userClient, { owner_org: org.id, extras });
          await moveToState(userClient, unfinished.id, 'draft');
          for (const client of [server.admin, userClient, server.anon]) {
            expect(names(await search({ fq: '+state_code:HN' }, client))).to.deep.equal([active.name]);
            expect(names(await search({ fq: '+state_code:HN', include_private: true }, client))).to.deep.equal([active.name]);
          }
          // Where fq names the state itself, it is the caller's to choose (labels still apply).
          expect(sortedNames(await search({ fq: '+state_code:HN +state:(active OR deleted)' }, server.admin))).to.deep.equal([active.name, gone.name].sort());
          expect(sortedNames(await search({ fq: '+state_code:HN +state:(active OR deleted)' }))).to.deep.equal([active.name]);
          // include_drafts adds to the clause package_search writes itself, which fq's "+state" suppressed.
          expect(names(await search({ fq: '+state_code:HN', include_drafts: true }, server.admin))).to.deep.equal([active.name]);
        });

        it('test_package_search_private_with_include_private', async () => {
          // CKAN's fixture has no public dataset of `user`'s here; ours does, and they come back too.
          expect(sortedNames(await search({ include_private: true }, server.client(user.token)))).to.deep.equal(
            [dataset.name, otherDataset.name, privateDataset.name].sort(),
          );
        });

        it('test_package_search_private_with_include_private: every member capacity reads, an outsider does not, a sysadmin does', async () => {
          const editor = await server.createUser(uniqueName('editor'));
          const member = await server.createUser(uniqueName('member'));
          const outsider = await server.createUser(uniqueName('outsider'));
          const userClient = server.client(user.token);
          expectOk(await userClient.post('organization_member_create', { id: org.id, username: editor.name, role: 'editor' }));
          expectOk(await userClient.post('organization_member_create', { id: org.id, username: member.name, role: 'member' }));
          const fq = `owner_org:${org.id}`;
          for (const reader of [user, editor, member]) {
            expect(names(await search({ fq, include_private: true }, server.client(reader.token))), reader.name).to.deep.equal([privateDataset.name]);
            // include_private is what opens the door, even for members.
            expect(names(await search({ fq }, server.client(reader.token))), reader.name).to.deep.equal([]);
          }
          expect(names(await search({ fq, include_private: true }, server.client(outsider.token)))).to.deep.equal([]);
          expect(names(await search({ fq, include_private: true }))).to.deep.equal([]);
          expect(names(await search({ fq, include_private: true }, server.admin))).to.deep.equal([privateDataset.name]);
          // The label follows the membership: removed from the organization, the member no longer reads it.
          expectOk(await userClient.post('organization_member_delete', { id: org.id, username: member.name }));
          expect(names(await search({ fq, include_private: true }, server.client(member.token)))).to.deep.equal([]);
        });

        it('test_package_search_private_with_include_private_wont_show_other_orgs_private', async () => {
          const user2 = await server.createUser(uniqueName('user2'));
          const org2 = expectOk(await server.client(user2.token).post('organization_create', { name: uniqueName('org2') }));
          await createDataset(server.client(user2.token), { private: true, owner_org: org2.name });
          const found = names(await search({ include_private: true, fq: `owner_org:${org2.id}` }, server.client(user.token)));
          expect(found).to.deep.equal([]);
        });

        it('test_package_search_private_with_include_private_syadmin', async () => {
          expect(names(await search({ include_private: true, fq: 'capacity:private' }, server.admin))).to.deep.equal([privateDataset.name]);
        });
      });
    });

    describe('test_get.py::TestBadLimitQueryParameters', () => {
      it('test_package_search_facet_field_is_json', async () => {
        const error = expectError(await search({ 'facet.field': 'notjson' }), 409, 'Validation Error');
        expect(error).to.have.property('facet.field');
        expectError(await searchPost({ 'facet.field': 'notjson' }), 409, 'Validation Error');
      });
    });

    describe('test_query.py::TestPackageQuery, through package_search', () => {
      beforeEach(() => purgeAllDatasets(server));

      const count = async (q: string) => expectOk(await search({ q })).count;
      const found = async (q: string) => sortedNames(await search({ q }));

      it('test_all_records_by_shared_notes', async () => {
        const created = [];
        for (let i = 0; i < 3; i++) created.push((await createDataset(server.admin, { notes: 'shared' })).name);
        expect(await found('shared')).to.deep.equal(created.sort());
      });

      it('test_single_by_name', async () => {
        await createDataset(server.admin, { name: 'first' });
        await createDataset(server.admin, { name: 'second' });
        expect(await found('first')).to.deep.equal(['first']);
      });

      it('test_name_multiple_results', async () => {
        await createDataset(server.admin, { name: 'first-record' });
        await createDataset(server.admin, { name: 'second-record' });
        await createDataset(server.admin, { name: 'third-dataset' });
        // The name reaches the analysed catch-all `text`, where "first-record" is two words.
        expect(await found('record')).to.deep.equal(['first-record', 'second-record']);
      });

      it('test_title_token', async () => {
        const pkg1 = await createDataset(server.admin, { title: 'first record' });
        const pkg2 = await createDataset(server.admin, { title: 'second record' });
        await createDataset(server.admin, { title: 'third dataset' });
        expect(await found('title:record')).to.deep.equal([pkg1.name, pkg2.name].sort());
      });

      it('test_not_real_license', async () => {
        await createDataset(server.admin);
        expect(await count('license:"OKD::Other (PublicsDomain)"')).to.equal(0);
      });

      it('test_quotation', async () => {
        const pkg1 = await createDataset(server.admin, { title: 'Government Expenditure' });
        await createDataset(server.admin, { title: 'Government Extra Expenditure' });
        // multiple words quoted
        expect(await found('"Government Expenditure"')).to.deep.equal([pkg1.name]);
        // multiple words quoted, wrong order
        expect(await found('"Expenditure Government"')).to.deep.equal([]);
      });

      it('test_tags_field_split_word', async () => {
        const pkg1 = await createDataset(server.admin, { tags: [{ name: 'split todo' }] });
        expect(await found('todo split')).to.deep.equal([pkg1.name]);
      });

      it('test_tags_field_with_capitals', async () => {
        const pkg1 = await createDataset(server.admin, { tags: [{ name: 'capitals' }] });
        expect(await found('CAPITALS')).to.deep.equal([pkg1.name]);
      });

      it('test_tags_token_simple', async () => {
        const pkg1 = await createDataset(server.admin, { tags: [{ name: 'country-sweden' }] });
        expect(await found('tags:country-sweden')).to.deep.equal([pkg1.name]);
      });

      it('test_tags_token_with_multi_word_tag', async () => {
        const pkg1 = await createDataset(server.admin, { tags: [{ name: 'todo split' }] });
        expect(await found('tags:"todo split"')).to.deep.equal([pkg1.name]);
      });

      it('test_tags_token_multiple', async () => {
        const pkg1 = await createDataset(server.admin, { tags: [{ name: 'country-sweden' }, { name: 'format-pdf' }] });
        expect(await found('tags:country-sweden tags:format-pdf')).to.deep.equal([pkg1.name]);
        // q.op is AND: both tags are needed.
        expect(await found('tags:"todo split" tags:war')).to.deep.equal([]);
      });

      it('test_tags_token_with_punctuation', async () => {
        const pkg1 = await createDataset(server.admin, { tags: [{ name: 'surprise.' }] });
        expect(await found('tags:"surprise."')).to.deep.equal([pkg1.name]);
      });

      it('test_overall', async () => {
        // CKAN's CreateTestData: two novels, in the groups david and roger.
        await createGroup(server, 'david', "Dave's books");
        await createGroup(server, 'roger', "Roger's books");
        await createDataset(server.admin, {
          name: 'annakarenina',
          title: 'A Novel By Tolstoy',
          version: '0.7a',
          url: 'http://datahub.io',
          license_id: 'other-open',
          tags: [{ name: 'russian' }, { name: 'tolstoy' }, { name: 'Flexible \u30a1' }],
          groups: [{ name: 'david' }, { name: 'roger' }],
          notes:
            'Some test notes\n\n### A 3rd level heading\n\n**Some bolded text.**\n\n*Some italicized text.*\n\nForeign characters:\nu with umlaut \u00fc\n66-style quote \u201c\nforeign word: th\u00fcmb\n\nNeeds escaping:\nleft arrow <\n\n<http://ckan.net/>\n\n',
          extras: [{ key: 'genre', value: 'romantic novel' }, { key: 'original media', value: 'book' }],
          resources: [
            { url: 'http://datahub.io/download/x=1&y=2', format: 'plain text', description: 'Full text. Needs escaping: " Umlaut: \u00fc', hash: 'abc123' },
            { url: 'http://datahub.io/index.json', format: 'JSON', description: 'Index of the novel', hash: 'def456' },
          ],
        });
        await createDataset(server.admin, {
          name: 'warandpeace',
          title: 'A Wonderful Story',
          version: '2.0',
          url: 'http://www.worldcat.org/title/war-and-peace/oclc/8256212',
          license_id: 'other-open',
          tags: [{ name: 'russian' }, { name: 'Flexible \u30a1' }],
          groups: [{ name: 'david' }],
          notes: '',
        });

        expect(await count('annakarenina')).to.equal(1);
        expect(await count('warandpeace')).to.equal(1);
        expect(await count('')).to.equal(2);

        expect(await count('Tolstoy')).to.equal(1);
        expect(await count('title:Novel')).to.equal(1);
        expect(await count('title:peace')).to.equal(0);
        expect(await count('name:warandpeace')).to.equal(1);
        expect(await count('groups:david')).to.equal(2);
        expect(await count('groups:roger')).to.equal(1);
        expect(await count('groups:lenny')).to.equal(0);
        expect(await count('tags:"russian"')).to.equal(2);
        expect(await count('tags:"Flexible \u30a1"')).to.equal(2);
        expect(await count('Flexible \u30a1')).to.equal(2);
        expect(await count('Flexible')).to.equal(2);
        expect(await count('flexible')).to.equal(2);
      });
    });
  });
}

function rowsLimited(backend: SearchBackend) {
  describe(`package_search over HTTP on ${backend.name}: test_get.py::TestPackageSearch::test_rows_returned_limited`, function () {
    skipUnlessAvailable(backend);
    let server: TestServer;
    before(async () => {
      server = await backend.startServer({ config: { search: { rows_max: 3 } } });
    });
    after(async () => server?.close());

    it('test_rows_returned_limited', async () => {
      const org = expectOk(await server.admin.post('organization_create', { name: uniqueName('org') }));
      for (let i = 0; i < 5; i++) await createDataset(server.admin, { name: `rows_limited_${i}`, owner_org: org.id });
      // Capped at ckan.search.rows_max without an error.
      const viaGet = expectOk(await server.anon.get('package_search', { rows: '15' }));
      expect(viaGet.results).to.have.length(3);
      expect(viaGet.count).to.equal(5);
      expect(expectOk(await server.anon.post('package_search', { rows: 15 })).results).to.have.length(3);
      // And the default of 10 is capped too.
      expect(expectOk(await server.anon.get('package_search')).results).to.have.length(3);
    });
  });
}

// ---- the clients that read package_search ----

type Visibility = 'public' | 'private' | 'draft' | 'deleted';

interface Made {
  id: string;
  name: string;
  org: string | null;
  groups: string[];
  type: string;
  visibility: Visibility;
}

const PUBLIC_COUNT = 230;
// Above the harvester's 100 (which assumes its rows are honoured) and below ckanapi's 1000 (which
// pages by the rows it receives), so that both really page.
const ROWS_MAX = 100;

function clientTests(backend: SearchBackend) {
  describe(`package_search over HTTP on ${backend.name}: what CKAN clients send (ckanext-harvest, ckanext-dcat, ckanapi)`, function () {
    skipUnlessAvailable(backend);
    this.timeout(300000);
    let server: TestServer;
    let orgA: OrgWithMembers;
    let orgB: OrgWithMembers;
    let orgC: Row;
    let outsider: TestUser;
    const made: Made[] = [];

    const publicOnes = () => made.filter((d) => d.visibility === 'public');
    const hidden = () => made.filter((d) => d.visibility !== 'public');
    const ids = (list: Made[]) => list.map((d) => d.id).sort();
    const callers = () => [
      { who: 'anonymous', client: server.anon },
      { who: 'an outsider', client: server.client(outsider.token) },
    ];

    async function make(client: ApiClient, fields: Row, visibility: Visibility): Promise<Made> {
      const pkg = await createDataset(client, { private: visibility === 'private', ...fields });
      if (visibility === 'draft' || visibility === 'deleted') await moveToState(client, pkg.id, visibility);
      const orgName = pkg.organization?.name ?? null;
      const entry: Made = { id: pkg.id, name: pkg.name, org: orgName, groups: (pkg.groups as Row[]).map((g) => g.name).sort(), type: pkg.type, visibility };
      made.push(entry);
      return entry;
    }

    before(async () => {
      server = await backend.startServer({ config: { search: { rows_max: ROWS_MAX } } });
      orgA = await createOrgWithMembers(server, { name: 'so-tai-chinh', title: 'Sở Tài chính' });
      orgB = await createOrgWithMembers(server, { name: 'so-y-te', title: 'Sở Y tế' });
      orgC = expectOk(await server.admin.post('organization_create', { name: 'ubnd-da-nang', title: 'UBND Thành phố Đà Nẵng' }));
      outsider = await server.createUser(uniqueName('outsider'));
      await createGroup(server, 'kinh-te', 'Kinh tế');
      await createGroup(server, 'moi-truong', 'Môi trường');

      const orgs = [orgA.name, orgB.name, orgC.name];
      const groupSets = [['kinh-te'], ['moi-truong'], ['kinh-te', 'moi-truong'], []];
      for (let i = 0; i < PUBLIC_COUNT; i++) {
        await make(
          server.admin,
          {
            name: `bo-du-lieu-${String(i).padStart(3, '0')}`,
            title: `Bộ dữ liệu số ${i}`,
            owner_org: orgs[i % 3],
            groups: groupSets[i % 4].map((name) => ({ name })),
            tags: [{ name: 'thống kê' }],
          },
          'public',
        );
      }
      // Vietnamese titles, for the text searches below.
      await make(server.admin, { name: 'thanh-pho-ha-noi', title: 'Thành phố Hà Nội', owner_org: orgA.name }, 'public');
      await make(server.admin, { name: 'thanh-pho-ho-chi-minh', title: 'Thành phố Hồ Chí Minh', owner_org: orgA.name }, 'public');
      // Two titles that differ only in their marks; the exact one first, so a tie would put it second.
      await make(server.admin, { name: 'du-lieu-ha-noi', title: 'Dữ liệu Hà Nội', owner_org: orgB.name }, 'public');
      await make(server.admin, { name: 'du-lieu-ha-noi-dau-nang', title: 'Dữ liệu Hạ Nổi', owner_org: orgB.name }, 'public');
      // A harvest source and a showcase: returned by package_search, left out by ckanext-dcat.
      await make(server.admin, { name: 'nguon-thu-hoach', title: 'Nguồn thu hoạch', type: 'harvest', owner_org: orgC.name }, 'public');
      await make(server.admin, { name: 'trung-bay', title: 'Trưng bày', type: 'showcase', owner_org: orgC.name }, 'public');

      // What must never leak. Each one would match the queries below if it were visible.
      const secretTags = [{ name: 'thống kê' }, { name: 'bi-mat' }];
      const editorA = server.client(orgA.editor.token);
      const adminB = server.client(orgB.admin.token);
      await make(editorA, { name: 'thanh-pho-ha-noi-noi-bo', title: 'Thành phố Hà Nội (nội bộ)', owner_org: orgA.id, groups: [], tags: secretTags }, 'private');
      await make(editorA, { name: 'bo-du-lieu-mat-a', title: 'Bộ dữ liệu số mật', owner_org: orgA.id, tags: secretTags }, 'private');
      await make(editorA, { name: 'bo-du-lieu-nhap-a', title: 'Bộ dữ liệu số nháp', owner_org: orgA.id, tags: secretTags }, 'draft');
      await make(editorA, { name: 'bo-du-lieu-xoa-a', title: 'Bộ dữ liệu số đã xoá', owner_org: orgA.id, tags: secretTags }, 'deleted');
      await make(adminB, { name: 'bo-du-lieu-mat-b', title: 'Bộ dữ liệu số mật B', owner_org: orgB.id, tags: secretTags }, 'private');
      await make(adminB, { name: 'bo-du-lieu-xoa-rieng-b', title: 'Bộ dữ liệu số mật đã xoá', owner_org: orgB.id, tags: secretTags }, 'deleted');
      // Datasets join groups through the group's own members: a sysadmin puts the private ones in.
      for (const name of ['bo-du-lieu-mat-a', 'bo-du-lieu-mat-b']) {
        expectOk(await server.admin.post('member_create', { id: 'kinh-te', object: name, object_type: 'package', capacity: 'public' }));
      }
    });
    after(async () => server?.close());

    describe('ckanext-harvest CKANHarvester (spec 5.1)', () => {
      it('pages a full harvest with rows=100&start=N&sort=id+asc until an empty page: every public dataset exactly once', async () => {
        for (const { who, client } of callers()) {
          const run = await harvesterSearch(client, []);
          expect(run.ids, who).to.deep.equal([...run.ids].sort()); // sort=id asc
          expect(run.ids, who).to.deep.equal(ids(publicOnes()));
          expect(run.pages.map((page) => page.body.result.results.length), who).to.deep.equal([100, 100, 36, 0]);
          for (const page of run.pages) expect(page.body.result.count, who).to.equal(publicOnes().length);
        }
      });

      it('answers a start at or past the end with an empty results list and the same count, not an error', async () => {
        const total = publicOnes().length;
        for (const start of [total, total + 1, 100000]) {
          const response = await server.anon.request(`/api/3/action/package_search?${urlencode([['rows', '100'], ['start', String(start)], ['sort', 'id asc']])}`);
          const result = expectOk(response);
          expect(result.results).to.deep.equal([]);
          expect(result.count).to.equal(total);
        }
      });

      it('returns in each result the bytes package_show sends for that dataset', async () => {
        const run = await harvesterSearch(server.anon, []);
        let checked = 0;
        for (const page of run.pages) {
          for (const pkg of page.body.result.results as Row[]) {
            expect(page.text.includes(await rawShowResult(server.anon, pkg.id)), pkg.name).to.equal(true);
            checked++;
          }
        }
        expect(checked).to.equal(publicOnes().length);
        // What the harvester reads off each result (spec 5.1) is there.
        const sample = run.results.find((pkg) => pkg.groups.length === 2)!;
        expect(sample).to.include.keys('id', 'name', 'type', 'owner_org', 'groups', 'tags', 'extras', 'resources', 'organization', 'metadata_modified');
        expect(sample.groups.map((g: Row) => g.name).sort()).to.deep.equal(['kinh-te', 'moi-truong']);
      });

      // [fq terms as the harvester config makes them, the datasets CKAN returns]
      const filterCases = (): Array<[string[], (d: Made) => boolean, string]> => [
        [[`organization:${orgA.name}`], (d) => d.org === orgA.name, 'organizations_filter_include with one organization'],
        // CKAN prepends "+capacity:public " to fq and appends " +state:(active)"; Lucene then makes
        // both OR-ed clauses optional next to those required ones, and the filter filters nothing.
        [[`organization:${orgA.name} OR organization:${orgB.name}`], () => true, 'organizations_filter_include with two (CKAN\'s quirk: filters nothing)'],
        [[`-organization:${orgA.name}`], (d) => d.org !== orgA.name, 'organizations_filter_exclude with one organization'],
        [[`-organization:${orgA.name}`, `-organization:${orgB.name}`], (d) => d.org !== orgA.name && d.org !== orgB.name, 'organizations_filter_exclude with two'],
        [['groups:kinh-te'], (d) => d.groups.includes('kinh-te'), 'groups_filter_include with one group'],
        [['groups:kinh-te OR groups:moi-truong'], () => true, 'groups_filter_include with two (CKAN\'s quirk: filters nothing)'],
        [['-groups:kinh-te'], (d) => !d.groups.includes('kinh-te'), 'groups_filter_exclude'],
        [[`-organization:${orgC.name}`, '-groups:moi-truong'], (d) => d.org !== orgC.name && !d.groups.includes('moi-truong'), 'an organization and a group excluded'],
        [[`metadata_modified:[${pythonIsoformat(new Date(Date.now() - 3600_000))}Z TO *]`], () => true, 'incremental, gathered an hour ago'],
        [['metadata_modified:[2020-01-01T00:00:00Z TO *]'], () => true, 'incremental, isoformat without a fraction'],
        [[`-organization:${orgA.name}`, 'metadata_modified:[2020-01-01T00:00:00Z TO *]'], (d) => d.org !== orgA.name, 'incremental with an exclude filter'],
      ];

      it('applies the organization and group include/exclude filters as CKAN does', async () => {
        for (const [terms, expected, label] of filterCases()) {
          for (const { who, client } of callers()) {
            const run = await harvesterSearch(client, terms);
            expect(run.ids, `${label} (${who})`).to.deep.equal(ids(publicOnes().filter(expected)));
          }
        }
        // The harvester's include filter with one organization, grouped the way it could have been written.
        const grouped = await harvesterSearch(server.anon, [`organization:(${orgA.name} OR ${orgB.name})`]);
        expect(grouped.ids).to.deep.equal(ids(publicOnes().filter((d) => d.org === orgA.name || d.org === orgB.name)));
      });

      it('sends the fq the way the harvester encodes it (spaces as +, [ ] : * escaped) and reads it back', async () => {
        const since = '2024-05-01T09:00:00.123456';
        const query = urlencode([['rows', '100'], ['start', '0'], ['sort', 'id asc'], ['fq', `-organization:${orgA.name} metadata_modified:[${since}Z TO *]`]]);
        // The mock CKAN of ckanext-harvest's tests asserts exactly this shape.
        expect(query).to.equal(`rows=100&start=0&sort=id+asc&fq=-organization%3Aso-tai-chinh+metadata_modified%3A%5B2024-05-01T09%3A00%3A00.123456Z+TO+%2A%5D`);
        const result = expectOk(await server.anon.request(`/api/3/action/package_search?${query}`));
        expect(result.count).to.equal(publicOnes().filter((d) => d.org !== orgA.name).length);
      });
    });

    describe('ckanext-dcat catalog search (spec 5.3)', () => {
      it('pages fq_list=[-dataset_type:harvest, -dataset_type:showcase] newest first, 100 a page', async () => {
        for (const { who, client } of callers()) {
          const run = await dcatSearch(client);
          const expected = publicOnes().filter((d) => d.type !== 'harvest' && d.type !== 'showcase');
          expect([...run.ids].sort(), who).to.deep.equal(ids(expected));
          expect(run.pages).to.have.length(3);
          const modified = run.results.map((pkg) => pkg.metadata_modified as string);
          expect(modified, who).to.deep.equal([...modified].sort().reverse());
          expect(new Set(run.ids).size).to.equal(run.ids.length);
        }
      });

      it('takes the user\'s fq next to its own filters', async () => {
        const run = await dcatSearch(server.anon, { fq: `organization:${orgC.name}` });
        expect([...run.ids].sort()).to.deep.equal(ids(publicOnes().filter((d) => d.org === orgC.name && d.type === 'dataset')));
      });

      it('finds the newest modification with sort=metadata_modified desc&rows=1', async () => {
        const all = await harvesterSearch(server.anon, []);
        const newest = all.results.map((pkg) => pkg.metadata_modified as string).sort().pop();
        const result = expectOk(await server.anon.post('package_search', { sort: 'metadata_modified desc', rows: 1 }));
        expect(result.results).to.have.length(1);
        expect(result.results[0].metadata_modified).to.equal(newest);
      });
    });

    describe('ckanapi search datasets (spec 3.5, 5.2)', () => {
      it('pages rows=1000 by the number of rows received, on the unversioned path', async () => {
        for (const { who, client } of callers()) {
          const run = await ckanapiSearch(client);
          expect(run.pages.map((page) => page.body.result.results.length), who).to.deep.equal([100, 100, 36, 0]);
          expect([...run.ids].sort(), who).to.deep.equal(ids(publicOnes()));
          expect(new Set(run.ids).size, who).to.equal(run.ids.length);
        }
        const filtered = await ckanapiSearch(server.anon, { q: 'tags:"thống kê"', fq: `organization:${orgB.name}` });
        expect([...filtered.ids].sort()).to.deep.equal(ids(publicOnes().filter((d) => d.org === orgB.name && d.name.startsWith('bo-du-lieu-'))));
      });
    });

    describe('Vietnamese free text', () => {
      const titles = async (q: string, client: ApiClient = server.anon) =>
        (expectOk(await client.get('package_search', { q, rows: 50 })).results as Row[]).map((pkg) => pkg.title as string);

      it('finds "Thành phố Hà Nội" with "ha noi", "Hà Nội", "HA NOI" and decomposed marks', async () => {
        for (const q of ['ha noi', 'Hà Nội', 'HA NOI', 'Hà Nội'.normalize('NFD'), 'thanh pho ha noi', 'THÀNH PHỐ HÀ NỘI']) {
          expect(await titles(q), q).to.include('Thành phố Hà Nội');
        }
        expect(await titles('Hồ Chí Minh')).to.deep.equal(['Thành phố Hồ Chí Minh']);
      });

      // Both match (marks are folded for matching); the syllables as written rank the exact one first,
      // although the tie-breaker (metadata_modified desc) would put it second.
      it('ranks an exact-diacritic match above a folded one', async () => {
        const found = await titles('Hà Nội');
        expect(found).to.include.members(['Dữ liệu Hà Nội', 'Dữ liệu Hạ Nổi']);
        expect(found.indexOf('Dữ liệu Hà Nội')).to.be.lessThan(found.indexOf('Dữ liệu Hạ Nổi'));
      });
    });

    describe('visibility never leaks, whatever the query form', () => {
      const LEAK_OPTIONS: Row[] = [{}, { include_private: 'True', include_drafts: 'True', include_deleted: 'True' }];

      /** Every query form above, with the options a caller might add: the ids each returns. */
      function queryForms(options: Row): Array<[string, (client: ApiClient) => Promise<ClientRun | ApiResponse>]> {
        const extra = Object.entries(options).map(([key, value]) => [key, String(value)] as [string, string]);
        const since = `metadata_modified:[${pythonIsoformat(new Date(Date.now() - 3600_000))}Z TO *]`;
        const get = (params: Row) => (client: ApiClient) => everyPage((start) => client.get('package_search', { rows: ROWS_MAX, start, ...params, ...options }));
        const post = (data: Row) => (client: ApiClient) => everyPage((start) => client.post('package_search', { rows: ROWS_MAX, start, ...data, ...options }));
        return [
          ...filterTermsForLeaks().map((terms): [string, (client: ApiClient) => Promise<ClientRun>] => [`harvester fq ${terms.join(' ')}`, (client) => harvesterSearch(client, terms, extra)]),
          ['harvester incremental', (client) => harvesterSearch(client, [since], extra)],
          ['dcat catalog', (client) => dcatSearch(client, { extra: options })],
          ['dcat modified_since', (client) => dcatSearch(client, { modifiedSince: pythonIsoformat(new Date(Date.now() - 3600_000)), extra: options })],
          ['dcat newest', (client) => client.post('package_search', { sort: 'metadata_modified desc', rows: 1, ...options })],
          ['ckanapi', (client) => ckanapiSearch(client, options)],
          ['ckanapi with q', (client) => ckanapiSearch(client, { q: 'Bộ dữ liệu', ...options })],
          ...['ha noi', 'Hà Nội', 'HA NOI', 'nội bộ', 'mật', 'bi-mat', 'Bộ dữ liệu số'].map((q): [string, (client: ApiClient) => Promise<ClientRun>] => [`q=${q}`, get({ q })]),
          ['q=*:*', get({ q: '*:*' })],
          ['q=name:*', get({ q: 'name:*' })],
          ['q=tags:bi-mat', get({ q: 'tags:bi-mat' })],
          ['q=title:mật', get({ q: 'title:mật' })],
          ['fq=capacity:private', get({ fq: 'capacity:private' })],
          ['fq=+capacity:private', get({ fq: '+capacity:private' })],
          ['fq=+state:(draft OR deleted OR active)', get({ fq: '+state:(draft OR deleted OR active)' })],
          ['fq=+state:draft', get({ fq: '+state:draft' })],
          ['fq=+state:deleted', get({ fq: '+state:deleted' })],
          ['fq=*:* OR capacity:private', get({ fq: '*:* OR capacity:private' })],
          ['fq=permission_labels:*', get({ fq: 'permission_labels:*' })],
          [`fq=owner_org:${orgA.id}`, get({ fq: `owner_org:${orgA.id}` })],
          ['fq_list=[capacity:private, +state:draft]', post({ fq_list: ['capacity:private', '+state:draft'] })],
          ['fl=id,name', get({ fl: 'id,name', q: 'Bộ dữ liệu số' })],
          ['sort=metadata_modified desc', get({ sort: 'metadata_modified desc' })],
          ['defType=edismax', get({ q: 'mật', defType: 'edismax' })],
        ];
      }

      /** Every page of a query (rows is capped at ROWS_MAX), so that nothing past the first page goes unchecked. */
      async function everyPage(fetchPage: (start: number) => Promise<ApiResponse>): Promise<ClientRun> {
        const run: ClientRun = { ids: [], results: [], pages: [] };
        for (let start = 0; ; start += ROWS_MAX) {
          const response = await fetchPage(start);
          const page: Row[] = expectOk(response).results;
          run.pages.push(response);
          for (const pkg of page) {
            run.ids.push(pkg.id);
            run.results.push(pkg);
          }
          if (page.length < ROWS_MAX || start > 10 * ROWS_MAX) return run;
        }
      }

      function filterTermsForLeaks(): string[][] {
        return [
          [],
          [`organization:${orgA.name}`],
          [`organization:${orgA.name} OR organization:${orgB.name}`],
          [`-organization:${orgB.name}`],
          ['groups:kinh-te'],
          ['groups:kinh-te OR groups:moi-truong'],
          ['-groups:moi-truong'],
        ];
      }

      const idsOf = (outcome: ClientRun | ApiResponse): string[] =>
        'ids' in outcome ? outcome.ids : (expectOk(outcome).results as Row[]).map((pkg) => pkg.id);

      it('shows anonymous callers and outsiders no private, draft or deleted dataset', async () => {
        const secret = new Set(hidden().map((d) => d.id));
        expect(secret.size).to.equal(6);
        let queries = 0;
        for (const options of LEAK_OPTIONS) {
          for (const [label, run] of queryForms(options)) {
            for (const { who, client } of callers()) {
              const found = idsOf(await run(client));
              const leaked = found.filter((id) => secret.has(id));
              expect(leaked, `${label} ${JSON.stringify(options)} as ${who}`).to.deep.equal([]);
              queries++;
            }
          }
        }
        expect(queries).to.be.greaterThan(100);
      });

      it('keeps them out of counts and facets too', async () => {
        for (const options of LEAK_OPTIONS) {
          for (const { who, client } of callers()) {
            const result = expectOk(await client.get('package_search', { rows: 0, 'facet.field': '["tags", "organization", "groups"]', ...options }));
            expect(result.count, who).to.equal(publicOnes().length);
            expect(result.facets.tags, who).not.to.have.property('bi-mat');
            expect(result.facets.tags['thống kê'], who).to.equal(PUBLIC_COUNT);
            expect(result.facets.groups['kinh-te'], who).to.equal(publicOnes().filter((d) => d.groups.includes('kinh-te')).length);
            expect(result.facets.organization[orgA.name], who).to.equal(publicOnes().filter((d) => d.org === orgA.name).length);
          }
        }
      });

      it('shows an organization\'s private datasets to its own members only, with include_private', async () => {
        const privateA = made.filter((d) => d.visibility === 'private' && d.org === orgA.name).map((d) => d.id).sort();
        const draftA = made.filter((d) => d.visibility === 'draft' && d.org === orgA.name).map((d) => d.id).sort();
        for (const user of [orgA.admin, orgA.editor, orgA.member]) {
          const client = server.client(user.token);
          const result = expectOk(await client.get('package_search', { fq: 'capacity:private', include_private: true, rows: 100 }));
          expect((result.results as Row[]).map((pkg) => pkg.id).sort(), user.name).to.deep.equal(privateA);
          const drafts = expectOk(await client.get('package_search', { fq: '+state:draft', include_private: true, rows: 100 }));
          expect((drafts.results as Row[]).map((pkg) => pkg.id).sort(), user.name).to.deep.equal(draftA);
          // The harvester, run by a member, still sees public datasets only: it never asks for more.
          expect((await harvesterSearch(client, [])).ids, user.name).to.deep.equal(ids(publicOnes()));
        }
        const all = expectOk(await server.admin.get('package_search', { fq: 'capacity:private', include_private: true, rows: 100 }));
        expect(all.count).to.equal(made.filter((d) => d.visibility === 'private').length);
      });
    });

    describe('incremental harvests and modified_since (these tests change datasets, so they run last)', () => {
      let cut: Date;
      let changed: Made[];
      let changedPrivate: Made;

      before(async () => {
        await sleep(5);
        cut = new Date();
        await sleep(5);
        // Changed after the cut: five public datasets across the organizations, one private one last.
        changed = [publicOnes()[3], publicOnes()[10], publicOnes()[50], publicOnes()[101], publicOnes()[200]];
        for (const d of changed) expectOk(await server.admin.post('package_patch', { id: d.id, notes: `Cập nhật ${d.name}` }));
        changedPrivate = made.find((d) => d.visibility === 'private' && d.org === orgA.name)!;
        expectOk(await server.client(orgA.editor.token).post('package_patch', { id: changedPrivate.id, notes: 'Cập nhật nội bộ' }));
      });

      it('returns only datasets modified after metadata_modified:[<isoformat>Z TO *]', async () => {
        const since = `metadata_modified:[${pythonIsoformat(cut)}Z TO *]`;
        for (const { who, client } of callers()) {
          expect((await harvesterSearch(client, [since])).ids, who).to.deep.equal(ids(changed));
          expect((await harvesterSearch(client, [`-organization:${orgA.name}`, since])).ids, who).to.deep.equal(ids(changed.filter((d) => d.org !== orgA.name)));
          // The include filter with several organizations stays optional next to the required date.
          expect((await harvesterSearch(client, [`organization:${orgA.name} OR organization:${orgB.name}`, since])).ids, who).to.deep.equal(ids(changed));
        }
        // Nothing changed since now: an empty first page, which ends the harvest with nothing to do.
        const later = await harvesterSearch(server.anon, [`metadata_modified:[${pythonIsoformat(new Date(Date.now() + 1000))}Z TO *]`]);
        expect(later.ids).to.deep.equal([]);
        expect(later.pages).to.have.length(1);
      });

      // Solr keeps dates to the millisecond, so in CKAN a bound 1 µs after a dataset's stamp still
      // finds it; Kho compares the microseconds it prints. Only the inclusive bound is CKAN's too.
      it('includes the lower bound, and compares to the microsecond (Solr: to the millisecond)', async () => {
        const shown = expectOk(await server.anon.get('package_show', { id: changed[0].id }));
        const stamp: string = shown.metadata_modified;
        expect(stamp).to.match(/\.\d{6}$/);
        const exact = await harvesterSearch(server.anon, [`metadata_modified:[${stamp}Z TO *]`]);
        expect(exact.ids).to.include(changed[0].id);
        const micro = BigInt(stamp.slice(-6)) + 1n;
        const after = `${stamp.slice(0, -6)}${String(micro).padStart(6, '0')}`;
        if (micro < 1000000n) {
          const later = await harvesterSearch(server.anon, [`metadata_modified:[${after}Z TO *]`]);
          expect(later.ids).not.to.include(changed[0].id);
          expect(later.ids).to.have.length(changed.length - 1);
        }
      });

      it('gives ckanext-dcat the datasets modified since, newest first, and the newest public modification', async () => {
        for (const { who, client } of callers()) {
          const run = await dcatSearch(client, { modifiedSince: pythonIsoformat(cut) });
          expect(run.ids, who).to.deep.equal([...changed].reverse().map((d) => d.id));
          const newest = expectOk(await client.post('package_search', { sort: 'metadata_modified desc', rows: 1 }));
          expect(newest.results[0].id, who).to.equal(changed[changed.length - 1].id);
        }
        // A member of the organization sees the private change only when asking for private datasets.
        const member = server.client(orgA.member.token);
        const newest = expectOk(await member.post('package_search', { sort: 'metadata_modified desc', rows: 1, include_private: true }));
        expect(newest.results[0].id).to.equal(changedPrivate.id);
      });
    });
  });
}

/** A backend that cannot run here (Elasticsearch without ES_URL): its tests are reported as pending. */
function skipUnlessAvailable(backend: SearchBackend) {
  before(function () {
    if (backend.skipReason) this.skip();
  });
}

// The conformance suite: the same tests against every search backend.
for (const backend of searchBackends()) {
  ckanTests(backend);
  rowsLimited(backend);
  clientTests(backend);
}
