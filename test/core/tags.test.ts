// Tags over HTTP: tag_list, tag_show, tag_search and tag_autocomplete, after
// ckan/tests/logic/action/test_get.py (TestTagList, TestTagShow, TestTagSearch, TestTagAutocomplete).
import { expect } from 'chai';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import type { ApiResponse } from '../helpers/api-client.ts';
import { createOrg } from './packages-fixtures.ts';

function expectOk(response: ApiResponse) {
  expect(response.status, response.text).to.equal(200);
  expect(response.body.success).to.equal(true);
  return response.body.result;
}

function expectError(response: ApiResponse, status: number, type: string) {
  expect(response.status, response.text).to.equal(status);
  expect(response.body.error.__type).to.equal(type);
  return response.body.error;
}

const tagsOf = (...names: string[]) => names.map((name) => ({ name }));

describe('tags', function () {
  let server: TestServer;
  let editor: TestUser;
  let orgId: string;
  let publicId: string;

  before(async () => {
    server = await startTestServer();
    editor = await server.createUser('tag-editor');
    orgId = (await createOrg(server, [[editor, 'editor']])).id;
    const writer = server.client(editor.token);
    publicId = expectOk(await writer.post('package_create', { name: 'tagged-public', owner_org: orgId, tags: tagsOf('giáo dục', 'economy', 'Water Supply') })).id;
    expectOk(await writer.post('package_create', { name: 'tagged-second', owner_org: orgId, tags: tagsOf('economy', 'y-tế') }));
    expectOk(await writer.post('package_create', { name: 'tagged-private', owner_org: orgId, private: true, tags: tagsOf('economy', 'ngân-sách') }));
    expectOk(await writer.post('package_create', { name: 'tagged-deleted', owner_org: orgId, tags: tagsOf('old-tag') }));
    expectOk(await writer.post('package_delete', { id: 'tagged-deleted' }));
    // Tags of a vocabulary are listed whether a dataset uses them or not; the vocabulary is named by its name below.
    expectOk(await server.admin.post('vocabulary_create', { name: 'colours', tags: tagsOf('blue', 'green') }));
  });
  after(async () => server?.close());

  describe('tag_list', () => {
    it('lists the free tags of active datasets once each, by name', async () => {
      const names = expectOk(await server.anon.get('tag_list'));
      expect(names).to.include.members(['economy', 'giáo dục', 'Water Supply', 'y-tế']);
      expect(names).not.to.include('old-tag');
      expect(names).not.to.include.members(['blue', 'green']);
      expect(names.filter((name: string) => name === 'economy')).to.have.length(1);
      expect(names.indexOf('economy')).to.be.lessThan(names.indexOf('y-tế'));
    });

    it('all_fields gives {id, name, vocabulary_id, display_name}', async () => {
      const tags = expectOk(await server.anon.post('tag_list', { all_fields: true }));
      const economy = tags.find((tag: { name: string }) => tag.name === 'economy');
      expect(Object.keys(economy).sort()).to.deep.equal(['display_name', 'id', 'name', 'vocabulary_id']);
      expect(economy).to.include({ name: 'economy', display_name: 'economy', vocabulary_id: null });
      const pkg = expectOk(await server.anon.get('package_show', { id: publicId }));
      expect(pkg.tags.find((tag: { name: string }) => tag.name === 'economy').id).to.equal(economy.id);
    });

    it('filters by query or q, a substring, ignoring case', async () => {
      expect(expectOk(await server.anon.get('tag_list', { query: 'ECON' }))).to.deep.equal(['economy']);
      expect(expectOk(await server.anon.get('tag_list', { q: 'supply' }))).to.deep.equal(['Water Supply']);
      expect(expectOk(await server.anon.get('tag_list', { query: 'dục' }))).to.deep.equal(['giáo dục']);
      expect(expectOk(await server.anon.get('tag_list', { query: 'no-such-tag' }))).to.deep.equal([]);
      // LIKE wildcards in the query are literal characters.
      expect(expectOk(await server.anon.get('tag_list', { query: '%' }))).to.deep.equal([]);
    });

    it('lists the tags of a vocabulary with vocabulary_id; an unknown vocabulary is 404', async () => {
      expect(expectOk(await server.anon.get('tag_list', { vocabulary_id: 'colours' }))).to.deep.equal(['blue', 'green']);
      expect(expectOk(await server.anon.get('tag_list', { vocabulary_id: 'colours', query: 'gre' }))).to.deep.equal(['green']);
      expectError(await server.anon.get('tag_list', { vocabulary_id: 'no-such-vocabulary' }), 404, 'Not Found Error');
    });
  });

  describe('tag_show', () => {
    it('finds a tag by name or id', async () => {
      const byName = expectOk(await server.anon.get('tag_show', { id: 'economy' }));
      expect(Object.keys(byName).sort()).to.deep.equal(['display_name', 'id', 'name', 'vocabulary_id']);
      const byId = expectOk(await server.anon.get('tag_show', { id: byName.id }));
      expect(byId).to.deep.equal(byName);
      expect(expectOk(await server.anon.get('tag_show', { id: 'blue', vocabulary_id: 'colours' })).name).to.equal('blue');
    });

    it('include_datasets lists the public active datasets carrying it', async () => {
      const tag = expectOk(await server.anon.get('tag_show', { id: 'economy', include_datasets: true }));
      const names = tag.packages.map((pkg: { name: string }) => pkg.name).sort();
      expect(names).to.deep.equal(['tagged-public', 'tagged-second']);
      expect(tag.packages[0]).to.include.keys('id', 'name', 'resources', 'tags', 'organization');
    });

    it('is 404 for an unknown tag and 409 without an id', async () => {
      expectError(await server.anon.get('tag_show', { id: 'no-such-tag' }), 404, 'Not Found Error');
      expectError(await server.anon.get('tag_show', { id: 'blue' }), 404, 'Not Found Error');
      const missing = expectError(await server.anon.get('tag_show'), 409, 'Validation Error');
      expect(missing).to.deep.include({ id: ['Missing value'] });
    });
  });

  describe('tag_search and tag_autocomplete', () => {
    it('tag_search returns {count, results} with every term matching', async () => {
      const result = expectOk(await server.anon.get('tag_search', { query: 'e' }));
      expect(result.count).to.equal(result.results.length);
      // Diacritics are ignored: "y-tế" contains an "e".
      expect(result.results.map((tag: { name: string }) => tag.name)).to.have.members(['Water Supply', 'economy', 'y-tế']);
      const both = expectOk(await server.anon.post('tag_search', { query: ['wat', 'ply'] }));
      expect(both).to.deep.equal({ count: 1, results: [both.results[0]] });
      expect(both.results[0].name).to.equal('Water Supply');
      const paged = expectOk(await server.anon.get('tag_search', { query: 'e', limit: 1, offset: 1 }));
      expect(paged.count).to.equal(result.count);
      expect(paged.results).to.deep.equal(result.results.slice(1, 2));
      expect(expectOk(await server.anon.get('tag_search'))).to.deep.equal({ count: 0, results: [] });
    });

    it('tag_autocomplete returns names', async () => {
      expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'eco' }))).to.deep.equal(['economy']);
      expect(expectOk(await server.anon.get('tag_autocomplete', { query: 'xyz' }))).to.deep.equal([]);
      expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'e', vocabulary_id: 'colours' }))).to.deep.equal(['blue', 'green']);
      expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'gr', vocabulary_id: 'colours' }))).to.deep.equal(['green']);
    });
  });
});
