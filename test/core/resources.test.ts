// CKAN's resource action tests (ckan/tests/logic/action/test_{create,update,patch,delete}.py:
// TestResourceCreate, TestResourceUpdate, TestPatch, TestDelete) as black-box HTTP tests, plus the
// bad input a client can send to resource_*. As in CKAN's test configuration, datasets may have
// no organization here.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import type { ApiResponse } from '../helpers/api-client.ts';
import { createOrg, tableCounts, uniqueName, type TestOrg } from './packages-fixtures.ts';

function expectError(response: ApiResponse, status: number, error: Record<string, unknown>) {
  expect(response.status, response.text).to.equal(status);
  expect(response.body.error).to.deep.equal(error);
}

describe('CKAN resource action tests over HTTP', function () {
  let server: TestServer;
  let editor: TestUser;
  let org: TestOrg;

  before(async () => {
    server = await startTestServer({ config: { auth: { create_unowned_dataset: true } } });
    editor = await server.createUser('res-editor');
    org = await createOrg(server, [[editor, 'editor']]);
  });
  after(async () => {
    await server?.close();
  });

  const dataset = (fields: Record<string, unknown> = {}) => server.admin.call('package_create', { name: uniqueName('ds'), ...fields });
  /** factories.Resource: a resource on a fresh dataset. */
  const resource = async (fields: Record<string, unknown> = {}) => {
    const ds = await dataset();
    return server.admin.call('resource_create', { package_id: ds.id, url: 'http://link.to.some.data', name: 'Test', ...fields });
  };

  describe('test_create.py::TestResourceCreate', () => {
    it('test_resource_create', async () => {
      const params = { package_id: (await dataset()).id, url: 'http://data', name: 'A nice resource' };
      const result = await server.admin.call('resource_create', params);
      expect(result.id).to.be.a('string').and.not.equal('');
      expect(result.url).to.equal('http://data');
      expect(result.name).to.equal('A nice resource');
      expect(result.package_id).to.equal(params.package_id);
      expect(result.position).to.equal(0);
      expect(result.state).to.equal('active');
    });

    it('test_it_requires_package_id', async () => {
      const response = await server.admin.post('resource_create', { url: 'http://data' });
      expectError(response, 409, { __type: 'Validation Error', package_id: ['Missing value'] });
    });

    it('answers 404 for an unknown package_id', async () => {
      expectError(await server.admin.post('resource_create', { package_id: 'no-such-dataset', url: 'http://data' }), 404, { __type: 'Not Found Error', message: 'Not found' });
    });

    it('test_invalid_characters_in_id', async () => {
      const response = await server.admin.post('resource_create', { id: '../../nope.txt', package_id: (await dataset()).id, url: 'http://data', name: 'A nice resource' });
      expect(response.status).to.equal(409);
      expect(response.body.error.__type).to.equal('Validation Error');
      expect(response.body.error.id).to.be.an('array').with.length(1);
    });

    it('test_id_too_long', async () => {
      const response = await server.admin.post('resource_create', { id: 'x'.repeat(111), package_id: (await dataset()).id, url: 'http://data', name: 'A nice resource' });
      expect(response.status).to.equal(409);
      expect(response.body.error.id).to.be.an('array').with.length(1);
    });

    it('test_id_already_exists', async () => {
      const id = randomUUID();
      await server.admin.call('resource_create', { id, package_id: (await dataset()).id });
      const response = await server.admin.post('resource_create', { id, package_id: (await dataset()).id });
      expectError(response, 409, { __type: 'Validation Error', id: ['Resource id already exists.'] });
    });

    it('test_sysadmin_can_set_id', async () => {
      const id = randomUUID();
      const result = await server.admin.call('resource_create', { id, package_id: (await dataset()).id, url: 'http://data', name: 'A nice resource' });
      expect(result.id).to.equal(id);
    });

    it('test_normal_user_can_provide_custom_id', async () => {
      const ds = await server.client(editor.token).call('package_create', { name: uniqueName('ed'), owner_org: org.id });
      const id = randomUUID();
      const result = await server.client(editor.token).call('resource_create', { id, package_id: ds.id, url: 'http://data', name: 'A nice resource' });
      expect(result.id).to.equal(id);
    });

    it('test_doesnt_require_url', async () => {
      const created = await server.admin.call('resource_create', { package_id: (await dataset()).id });
      const stored = await server.anon.call('resource_show', { id: created.id });
      expect(stored.url).to.equal('');
    });

    it('test_mimetype_by_url', async () => {
      const result = await server.admin.call('resource_create', { package_id: (await dataset()).id, url: 'http://localhost/data.csv', name: 'A nice resource' });
      expect(result.mimetype).to.equal('text/csv');
      expect(result.format).to.equal('CSV');
    });

    it('test_mimetype_by_url_without_path', async () => {
      const result = await server.admin.call('resource_create', { package_id: (await dataset()).id, url: 'http://example.com', name: 'A nice resource' });
      expect(result.mimetype).to.equal(null);
    });

    it('test_mimetype_by_user', async () => {
      const result = await server.admin.call('resource_create', { package_id: (await dataset()).id, url: 'http://localhost/data.csv', name: 'A nice resource', mimetype: 'application/csv' });
      expect(result.mimetype).to.equal('application/csv');
    });

    it('test_size_of_resource_by_user', async () => {
      const result = await server.admin.call('resource_create', { package_id: (await dataset()).id, url: 'http://data', name: 'A nice resource', size: 500 });
      expect(result.size).to.equal(500);
      // ckanapi's multipart sends numbers as text
      const asText = await server.admin.call('resource_create', { package_id: (await dataset()).id, url: 'http://data', size: '501' });
      expect(asText.size).to.equal(501);
    });

    it('test_extras', async () => {
      const ds = await dataset();
      const created = await server.admin.call('resource_create', {
        package_id: ds.id,
        somekey: 'somevalue', // this is how to do resource extras
        extras: { someotherkey: 'alt234' }, // this isn't
        subobject: { hello: 'there' }, // JSON objects supported
        sublist: [1, 2, 3], // JSON lists supported
        format: 'plain text',
        url: 'http://datahub.io/download/',
      });
      const shown = (await server.anon.call('package_show', { id: ds.id })).resources[0];
      for (const r of [created, shown]) {
        expect(r.somekey).to.equal('somevalue');
        expect(r).to.not.have.property('extras');
        expect(r).to.not.have.property('someotherkey');
        expect(r.subobject).to.deep.equal({ hello: 'there' });
        expect(r.sublist).to.deep.equal([1, 2, 3]);
      }
    });

    it('test_metadata_modified_is_set_to_utcnow_when_created', async () => {
      const ds = await dataset();
      const result = await server.admin.call('resource_create', { package_id: ds.id, url: 'http://data', name: 'A nice resource' });
      const pkg = await server.anon.call('package_show', { id: ds.id });
      expect(result.metadata_modified).to.equal(pkg.metadata_modified);
      expect(result.metadata_modified > ds.metadata_modified).to.equal(true);
      expect(result.created).to.equal(result.metadata_modified);
    });

    it('appends: the new resource is the last one, with the next position', async () => {
      const ds = await dataset({ resources: [{ url: 'http://a' }, { url: 'http://b' }] });
      const created = await server.admin.call('resource_create', { package_id: ds.name, url: 'http://c' });
      expect(created.position).to.equal(2);
      const pkg = await server.anon.call('package_show', { id: ds.id });
      expect(pkg.resources.map((r: { url: string }) => r.url)).to.deep.equal(['http://a', 'http://b', 'http://c']);
      expect(pkg.num_resources).to.equal(3);
      expect(pkg.resources[2]).to.deep.equal(created);
    });
  });

  describe('test_update.py::TestResourceUpdate', () => {
    it('test_url_only', async () => {
      const r = await resource({ url: 'http://first' });
      const returned = await server.admin.call('resource_update', { id: r.id, url: 'http://second' });
      expect(returned.url).to.equal('http://second');
      expect((await server.anon.call('resource_show', { id: r.id })).url).to.equal('http://second');
    });

    it('test_extra_only', async () => {
      const r = await resource({ newfield: 'first' });
      const returned = await server.admin.call('resource_update', { id: r.id, url: r.url, newfield: 'second' });
      expect(returned.newfield).to.equal('second');
      expect((await server.anon.call('resource_show', { id: r.id })).newfield).to.equal('second');
    });

    it('test_both_extra_and_url', async () => {
      const r = await resource({ url: 'http://first', newfield: 'first' });
      const returned = await server.admin.call('resource_update', { id: r.id, url: 'http://second', newfield: 'second' });
      expect(returned.url).to.equal('http://second');
      expect(returned.newfield).to.equal('second');
      const shown = await server.anon.call('resource_show', { id: r.id });
      expect(shown.url).to.equal('http://second');
      expect(shown.newfield).to.equal('second');
    });

    it('test_extra_gets_deleted_on_both_core_and_extra_update', async () => {
      const r = await resource({ url: 'http://first', newfield: 'first' });
      const returned = await server.admin.call('resource_update', { id: r.id, url: 'http://second', anotherfield: 'second' });
      expect(returned.url).to.equal('http://second');
      expect(returned.anotherfield).to.equal('second');
      expect(returned).to.not.have.property('newfield');
      const shown = await server.anon.call('resource_show', { id: r.id });
      expect(shown).to.not.have.property('newfield');
      expect(shown.anotherfield).to.equal('second');
    });

    it('test_extra_gets_deleted_on_extra_only_update', async () => {
      const r = await resource({ url: 'http://first', newfield: 'first' });
      const returned = await server.admin.call('resource_update', { id: r.id, url: 'http://first', anotherfield: 'second' });
      expect(returned.url).to.equal('http://first');
      expect(returned.anotherfield).to.equal('second');
      expect(returned).to.not.have.property('newfield');
      const shown = await server.anon.call('resource_show', { id: r.id });
      expect(shown.url).to.equal('http://first');
      expect(shown.anotherfield).to.equal('second');
      expect(shown).to.not.have.property('newfield');
    });

    it('test_datastore_active_is_persisted_if_true_and_not_provided', async () => {
      const r = await resource({ url: 'http://example.com', datastore_active: true });
      const returned = await server.admin.call('resource_update', { id: r.id, url: 'http://example.com', name: 'Test' });
      expect(returned.datastore_active).to.equal(true);
    });

    it('test_datastore_active_is_persisted_if_false_and_not_provided', async () => {
      const r = await resource({ url: 'http://example.com', datastore_active: false });
      const returned = await server.admin.call('resource_update', { id: r.id, url: 'http://example.com', name: 'Test' });
      expect(returned.datastore_active).to.equal(false);
    });

    it('test_datastore_active_is_updated_if_false_and_provided', async () => {
      const r = await resource({ url: 'http://example.com', datastore_active: false });
      const returned = await server.admin.call('resource_update', { id: r.id, url: 'http://example.com', name: 'Test', datastore_active: true });
      expect(returned.datastore_active).to.equal(true);
    });

    it('test_datastore_active_is_updated_if_true_and_provided', async () => {
      const r = await resource({ url: 'http://example.com', datastore_active: true });
      const returned = await server.admin.call('resource_update', { id: r.id, url: 'http://example.com', name: 'Test', datastore_active: false });
      expect(returned.datastore_active).to.equal(false);
    });

    it('test_datastore_active_not_present_if_not_provided_and_not_datastore_plugin_enabled', async () => {
      const r = await resource({ url: 'http://example.com' });
      const returned = await server.admin.call('resource_update', { id: r.id, url: 'http://example.com', name: 'Test' });
      expect(returned).to.not.have.property('datastore_active');
    });

    it('test_mimetype_by_url', async () => {
      const r = await resource({ url: 'http://localhost/data.csv', name: 'Test' });
      const updated = await server.admin.call('resource_update', { id: r.id, url: 'http://localhost/data.json' });
      expect(r.mimetype).to.equal('text/csv');
      expect(updated.mimetype).to.equal('application/json');
    });

    it('test_mimetype_by_user', async () => {
      const r = await resource({ url: 'http://localhost/data.csv', name: 'Test' });
      const updated = await server.admin.call('resource_update', { id: r.id, url: 'http://localhost/data.csv', mimetype: 'text/plain' });
      expect(updated.mimetype).to.equal('text/plain');
      expect(updated.mimetype).to.not.equal(r.mimetype);
    });

    it('test_size_of_resource_by_user', async () => {
      const r = await resource({ url: 'http://localhost/data.csv', name: 'Test', size: 500 });
      const updated = await server.admin.call('resource_update', { id: r.id, url: 'http://localhost/data.csv', size: 600 });
      expect(r.size).to.equal(500);
      expect(updated.size).to.equal(600);
    });

    it('test_extras', async () => {
      const ds = await dataset({ resources: [{ format: 'json', url: 'http://datahub.io/' }] });
      const updated = await server.admin.call('resource_update', {
        id: ds.resources[0].id,
        somekey: 'somevalue',
        extras: { someotherkey: 'alt234' },
        format: 'plain text',
        url: 'http://datahub.io/download/',
      });
      const shown = (await server.anon.call('package_show', { id: ds.id })).resources[0];
      for (const r of [updated, shown]) {
        expect(r.somekey).to.equal('somevalue');
        expect(r).to.not.have.property('extras');
        expect(r).to.not.have.property('someotherkey');
      }
    });

    it('test_resource_format_update', async () => {
      const r = await resource({ url: 'http://localhost', name: 'Test', format: '' });
      expect(r.format).to.equal('');
      expect((await server.admin.call('resource_update', { id: r.id, format: 'TXT' })).format).to.equal('TXT');
      expect((await server.admin.call('resource_update', { id: r.id, format: 'PNG' })).format).to.equal('PNG');
      expect((await server.admin.call('resource_update', { id: r.id, format: 'Test format' })).format).to.equal('Test format');
      // unified_resource_format: "csv" and ".csv" and "text/csv" all become "CSV"
      for (const given of ['csv', '.csv', 'text/csv']) expect((await server.admin.call('resource_update', { id: r.id, format: given })).format).to.equal('CSV');
    });

    it('test_edit_metadata_updates_metadata_modified_field', async () => {
      const r = await resource();
      const updated = await server.admin.call('resource_update', { id: r.id, description: 'New Description' });
      expect(updated.metadata_modified > r.metadata_modified).to.equal(true);
      const pkg = await server.anon.call('package_show', { id: r.package_id });
      expect(pkg.metadata_modified).to.equal(updated.metadata_modified);
    });

    it('test_same_values_dont_update_metadata_modified_field (the resource\'s own stamp)', async () => {
      const r = await resource({ description: 'Test', some_custom_field: 'test', url: 'http://link.to.some.data' });
      const updated = await server.admin.call('resource_update', { id: r.id, name: 'Test', description: 'Test', some_custom_field: 'test', url: 'http://link.to.some.data' });
      expect(updated.metadata_modified).to.equal(r.metadata_modified);
      // the dataset was written, so its own stamp moves (CKAN 2.11 package_update always sets it)
      const pkg = await server.anon.call('package_show', { id: r.package_id });
      expect(pkg.metadata_modified > r.metadata_modified).to.equal(true);
    });

    it('test_new_keys_update_metadata_modified_field', async () => {
      const r = await resource({ description: 'test' });
      const updated = await server.admin.call('resource_update', { id: r.id, name: 'Test', description: 'test', some_custom_field: 'test', url: r.url });
      expect(updated.metadata_modified > r.metadata_modified).to.equal(true);
      expect((await server.anon.call('package_show', { id: r.package_id })).metadata_modified).to.equal(updated.metadata_modified);
    });

    it('test_remove_keys_update_metadata_modified_field', async () => {
      const r = await resource({ description: 'test', some_custom_field: 'test' });
      const updated = await server.admin.call('resource_update', { id: r.id, name: 'Test', description: 'test', url: r.url });
      expect(updated.metadata_modified > r.metadata_modified).to.equal(true);
    });

    it('test_update_keys_update_metadata_modified_field', async () => {
      const r = await resource({ description: 'test', some_custom_field: 'test' });
      const updated = await server.admin.call('resource_update', { id: r.id, name: 'Test', description: 'test', some_custom_field: 'test2', url: r.url });
      expect(updated.metadata_modified > r.metadata_modified).to.equal(true);
    });

    it('keeps created, id, position and the other resources; url defaults to ""', async () => {
      const ds = await dataset({ resources: [{ url: 'http://a', name: 'A' }, { url: 'http://b', name: 'B' }] });
      const updated = await server.admin.call('resource_update', { id: ds.resources[1].id, name: 'B2' });
      expect(updated.url).to.equal('');
      expect(updated.created).to.equal(ds.resources[1].created);
      expect(updated.position).to.equal(1);
      const pkg = await server.anon.call('package_show', { id: ds.id });
      expect(pkg.resources[0]).to.deep.equal(ds.resources[0]);
    });

    it('answers 404 "Resource was not found." for an unknown id and 409 without one', async () => {
      expectError(await server.admin.post('resource_update', { id: 'nope', url: 'http://x' }), 404, { __type: 'Not Found Error', message: 'Not found: Resource was not found.' });
      expectError(await server.admin.post('resource_update', { url: 'http://x' }), 409, { __type: 'Validation Error', id: ['Missing value'] });
    });

    it('answers a bad field with the resource\'s own error dict, and changes nothing', async () => {
      const r = await resource({ size: 10 });
      const before = await server.admin.call('package_show', { id: r.package_id });
      const response = await server.admin.post('resource_update', { id: r.id, size: 'abc', last_modified: 'soon' });
      expectError(response, 409, { __type: 'Validation Error', size: ['Invalid integer'], last_modified: ['Date format incorrect'] });
      expect(await server.admin.call('package_show', { id: r.package_id })).to.deep.equal(before);
    });
  });

  describe('test_patch.py::TestPatch', () => {
    it('test_resource_patch_updating_single_field', async () => {
      const ds = await dataset({ name: uniqueName('annakarenina'), notes: 'some test now', resources: [{ url: 'http://example.com/resource' }] });
      const patched = await server.admin.call('resource_patch', { id: ds.resources[0].id, name: 'somethingnew' });
      expect(patched.name).to.equal('somethingnew');
      expect(patched.url).to.equal('http://example.com/resource');
      const shown = (await server.anon.call('package_show', { id: ds.id })).resources[0];
      expect(shown.name).to.equal('somethingnew');
      expect(shown.url).to.equal('http://example.com/resource');
    });

    it('keeps extras that the patch does not mention', async () => {
      const r = await resource({ keep_me: 'yes', datastore_active: true });
      const patched = await server.admin.call('resource_patch', { id: r.id, description: 'patched' });
      expect(patched.keep_me).to.equal('yes');
      expect(patched.datastore_active).to.equal(true);
      expect(patched.description).to.equal('patched');
    });
  });

  describe('test_delete.py::TestDelete', () => {
    it('test_resource_delete', async () => {
      const r = await resource();
      expect(await server.admin.call('resource_delete', { id: r.id })).to.equal(null);
      // Not even a sysadmin can see it now
      const response = await server.admin.post('resource_show', { id: r.id });
      expect(response.status).to.equal(404);
      expect(response.body.error.__type).to.equal('Not Found Error');
    });

    it('TestDeleteResource::test_01_delete_resource', async () => {
      const r = await resource();
      expect((await server.anon.call('package_show', { id: r.package_id })).resources).to.have.length(1);
      await server.admin.call('resource_delete', { id: r.id });
      const pkg = await server.anon.call('package_show', { id: r.package_id });
      expect(pkg.resources).to.have.length(0);
      expect(pkg.num_resources).to.equal(0);
    });

    it('renumbers the positions of the resources that stay', async () => {
      const ds = await dataset({ resources: [{ url: 'http://a' }, { url: 'http://b' }, { url: 'http://c' }] });
      await server.admin.call('resource_delete', { id: ds.resources[0].id });
      const pkg = await server.anon.call('package_show', { id: ds.id });
      expect(pkg.resources.map((r: { url: string; position: number }) => [r.url, r.position])).to.deep.equal([
        ['http://b', 0],
        ['http://c', 1],
      ]);
    });

    it('answers 404 for an unknown id, 409 without one, and a second delete is 404', async () => {
      const r = await resource();
      await server.admin.call('resource_delete', { id: r.id });
      expectError(await server.admin.post('resource_delete', { id: r.id }), 404, { __type: 'Not Found Error', message: 'Not found' });
      expectError(await server.admin.post('resource_delete', {}), 409, { __type: 'Validation Error', id: ['Missing value'] });
    });
  });

  describe('package_resource_reorder (test_update.py::TestResourceReorder)', () => {
    it('puts the named resources first, the others after in their order, and keeps their files and stamps', async () => {
      const ds = await dataset({ owner_org: org.id, resources: ['a', 'b', 'c', 'd'].map((name) => ({ url: `http://data/${name}`, name })) });
      const ids = ds.resources.map((r: { id: string }) => r.id);
      const result = await server.client(editor.token).call('package_resource_reorder', { id: ds.name, order: [ids[2], ids[0]] });
      expect(result).to.deep.equal({ id: ds.name, order: [ids[2], ids[0], ids[1], ids[3]] });
      const shown = await server.anon.call('package_show', { id: ds.id });
      expect(shown.resources.map((r: { name: string; position: number }) => [r.name, r.position])).to.deep.equal([['c', 0], ['a', 1], ['b', 2], ['d', 3]]);
      const before = new Map(ds.resources.map((r: { id: string; metadata_modified: string }) => [r.id, r.metadata_modified]));
      for (const r of shown.resources) expect(r.metadata_modified).to.equal(before.get(r.id));
      expect(shown.metadata_modified > ds.metadata_modified).to.equal(true);
    });

    it('answers CKAN\'s errors: not a list, twice the same id, an unknown id; and 403 for others', async () => {
      const ds = await dataset({ owner_org: org.id, resources: [{ url: 'http://a' }, { url: 'http://b' }] });
      const ids = ds.resources.map((r: { id: string }) => r.id);
      expectError(await server.admin.post('package_resource_reorder', { id: ds.id, order: ids[0] }), 409, { __type: 'Validation Error', order: 'Must be a list of resource' });
      expectError(await server.admin.post('package_resource_reorder', { id: ds.id, order: [ids[0], ids[0]] }), 409, { __type: 'Validation Error', order: 'Must supply unique resource_ids' });
      expectError(await server.admin.post('package_resource_reorder', { id: ds.id, order: ['nope'] }), 409, { __type: 'Validation Error', order: 'resource_id nope can not be found' });
      expectError(await server.admin.post('package_resource_reorder', { id: ds.id }), 409, { __type: 'Validation Error', order: ['Missing value'] });
      const outsider = await server.createUser(uniqueName('reorder-outsider'));
      expect((await server.client(outsider.token).post('package_resource_reorder', { id: ds.id, order: [ids[1]] })).status).to.equal(403);
      expect((await server.anon.call('package_show', { id: ds.id })).resources.map((r: { id: string }) => r.id)).to.deep.equal(ids);
    });
  });

  describe('a resource id taken by another dataset while the write waits (PostgreSQL only)', () => {
    /**
     * Another writer inserts resource `id` on `first` and commits only after `write` has started,
     * so validation cannot see it yet; returns the write's response.
     */
    async function racedBy(firstId: string, id: string, write: () => Promise<ApiResponse>): Promise<ApiResponse> {
      const knexFactory = (await import('knex')).default;
      const other = knexFactory({ client: 'pg', connection: server.databaseUrl!, pool: { min: 0, max: 1 } });
      try {
        const trx = await other.transaction();
        await trx('resource').insert({ id, package_id: firstId, position: 1, state: 'active', url_type: null, upload: null });
        const pending = write();
        await new Promise((resolve) => setTimeout(resolve, 300));
        await trx.commit();
        return await pending;
      } finally {
        await other.destroy();
      }
    }
    const ownerOf = async (id: string) => (await server.kernel.container.cradle.repos.resources.get(server.kernel.container.cradle.knex, id))!.package_id;

    it('answers 409 and leaves the other dataset\'s resource where it was', async function () {
      if (!server.databaseUrl) this.skip();
      const first = await dataset({ resources: [{ url: 'http://first' }] });
      const second = await dataset();
      const id = randomUUID();
      const response = await racedBy(first.id, id, () => server.admin.post('resource_create', { id, package_id: second.id, url: 'http://second' }));
      expectError(response, 409, { __type: 'Validation Error', id: ['Resource id already exists.'] });
      expect(await ownerOf(id)).to.equal(first.id);
      expect((await server.admin.call('package_show', { id: second.id })).resources).to.deep.equal([]);
    });

    it('package_create answers 409 too, and creates nothing', async function () {
      if (!server.databaseUrl) this.skip();
      const first = await dataset({ resources: [{ url: 'http://first' }] });
      const id = randomUUID();
      const name = uniqueName('race');
      const response = await racedBy(first.id, id, () => server.admin.post('package_create', { name, resources: [{ url: 'http://kept' }, { id, url: 'http://second' }] }));
      expectError(response, 409, { __type: 'Validation Error', resources: [{}, { id: ['Resource id already exists.'] }] });
      expect(await ownerOf(id)).to.equal(first.id);
      expect((await server.admin.post('package_show', { id: name })).status).to.equal(404);
    });
  });

  describe('bad input to resource actions', () => {
    it('leaves no rows behind and never answers 500', async () => {
      const ds = await dataset({ resources: [{ url: 'http://a' }] });
      const cases: Array<[string, Record<string, unknown>, number]> = [
        ['resource_create', { package_id: ds.id, size: 'abc' }, 409],
        ['resource_create', { package_id: ds.id, size: { a: 1 } }, 409],
        ['resource_create', { package_id: ds.id, id: 42 }, 409],
        ['resource_create', { package_id: ds.id, created: 'not a date' }, 409],
        ['resource_create', { package_id: ['a', 'b'] }, 404],
        ['resource_update', { id: ds.resources[0].id, size: '1.5' }, 409],
        ['resource_patch', { id: ds.resources[0].id, cache_last_updated: 12 }, 409],
        ['resource_update', { id: { x: 1 } }, 404],
      ];
      for (const [action, data, status] of cases) {
        const before = await tableCounts(server);
        const response = await server.admin.post(action, data);
        expect(response.status, `${action} ${JSON.stringify(data)}: ${response.text}`).to.equal(status);
        expect(await tableCounts(server)).to.deep.equal(before);
      }
      const pkg = await server.admin.call('package_show', { id: ds.id });
      expect(pkg.resources).to.have.length(1);
    });
  });
});
