// CKAN's dataset action tests (ckan/tests/logic/action/test_{get,create,update,patch,delete}.py),
// ported as black-box HTTP tests: the same data dicts go to POST /api/3/action/<name>, and CKAN's
// exceptions become the status codes and __type strings clients see (NotFound 404, NotAuthorized
// 403, ValidationError 409). CKAN's test configuration allows datasets without an organization
// (ckan.auth.create_unowned_dataset), so the server here does too.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { createGroup, createOrg, uniqueName, type TestOrg } from './packages-fixtures.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('CKAN dataset action tests over HTTP', function () {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ config: { auth: { create_unowned_dataset: true } } });
  });
  after(async () => {
    await server?.close();
  });

  const dataset = (fields: Record<string, unknown> = {}) => server.admin.call('package_create', { name: uniqueName('test_dataset'), title: 'Test Dataset', notes: 'Just another test dataset.', ...fields });

  describe('test_get.py::TestPackageShow', () => {
    it('test_package_show', async () => {
      const created = await dataset();
      const shown = await server.anon.call('package_show', { id: created.id });
      expect(shown.name).to.equal(created.name);
      expect(shown).to.include.keys('title', 'groups');
    });

    it('test_package_show_with_full_dataset', async () => {
      const org = await createOrg(server, [], { title: 'Test Organization' });
      const group = await createGroup(server, { title: 'Test Group num' });
      const created = await dataset({
        resources: [{ url: 'http://example.com/image.png', format: 'png', name: 'Image num' }],
        tags: [{ name: 'science' }],
        extras: [{ key: 'subject', value: 'science' }],
        groups: [{ id: group.id }],
        owner_org: org.id,
      });
      const response = await server.anon.get('package_show', { id: created.id });
      expect(response.status).to.equal(200);
      const shown = response.body.result;

      expect(Object.keys(shown).sort()).to.deep.equal([
        'author', 'author_email', 'creator_user_id', 'extras', 'groups', 'id', 'isopen', 'license_id', 'license_title',
        'maintainer', 'maintainer_email', 'metadata_created', 'metadata_modified', 'name', 'notes', 'num_resources', 'num_tags',
        'organization', 'owner_org', 'private', 'relationships_as_object', 'relationships_as_subject', 'resources', 'state',
        'tags', 'title', 'type', 'url', 'version',
      ]);
      expect(shown.id).to.match(UUID);
      expect(shown.creator_user_id).to.equal(server.sysadmin.id);
      expect(shown.metadata_created).to.match(ISO);
      expect(shown.metadata_modified).to.match(ISO);
      const resource = shown.resources[0];
      expect(resource.id).to.match(UUID);
      expect(resource.created).to.match(ISO);
      expect(resource.metadata_modified).to.match(ISO);
      expect(shown.tags[0].id).to.match(UUID);
      expect(shown.organization.created).to.match(ISO);

      const fixed = {
        ...shown,
        id: '<SOME-UUID>',
        metadata_created: '<DATE>',
        metadata_modified: '<DATE>',
        creator_user_id: '<SOME-UUID>',
        organization: { ...shown.organization, created: '<DATE>', image_url: '<IMAGE>' },
        resources: [{ ...resource, id: '<SOME-UUID>', created: '<DATE>', metadata_modified: '<DATE>', mimetype: '<GUESSED>' }],
        tags: [{ ...shown.tags[0], id: '<SOME-UUID>' }],
      };
      expect(fixed).to.deep.equal({
        author: null,
        author_email: null,
        creator_user_id: '<SOME-UUID>',
        extras: [{ key: 'subject', value: 'science' }],
        groups: [{ description: '', display_name: 'Test Group num', id: group.id, image_display_url: '', name: group.name, title: 'Test Group num' }],
        id: '<SOME-UUID>',
        isopen: false,
        license_id: null,
        license_title: null,
        maintainer: null,
        maintainer_email: null,
        metadata_created: '<DATE>',
        metadata_modified: '<DATE>',
        name: created.name,
        notes: 'Just another test dataset.',
        num_resources: 1,
        num_tags: 1,
        organization: {
          approval_status: 'approved',
          created: '<DATE>',
          description: '',
          id: org.id,
          image_url: '<IMAGE>',
          is_organization: true,
          name: org.name,
          state: 'active',
          title: 'Test Organization',
          type: 'organization',
        },
        owner_org: org.id,
        private: false,
        relationships_as_object: [],
        relationships_as_subject: [],
        resources: [
          {
            cache_last_updated: null,
            cache_url: null,
            created: '<DATE>',
            description: null,
            format: 'PNG',
            hash: null,
            id: '<SOME-UUID>',
            last_modified: null,
            metadata_modified: '<DATE>',
            mimetype: '<GUESSED>',
            mimetype_inner: null,
            name: 'Image num',
            package_id: created.id,
            position: 0,
            resource_type: null,
            size: null,
            state: 'active',
            url: 'http://example.com/image.png',
            url_type: null,
          },
        ],
        state: 'active',
        tags: [{ display_name: 'science', id: '<SOME-UUID>', name: 'science', state: 'active', vocabulary_id: null }],
        title: 'Test Dataset',
        type: 'dataset',
        url: null,
        version: null,
      });
      // package_create answers with exactly what package_show prints.
      expect(created).to.deep.equal(shown);
    });

    it('answers 404 "Not found" for an unknown dataset and 409 {name_or_id} without an id', async () => {
      let response = await server.anon.get('package_show', { id: 'no-such-dataset' });
      expect(response.status).to.equal(404);
      expect(response.body.error).to.deep.equal({ __type: 'Not Found Error', message: 'Not found' });
      expect(response.body).to.not.have.key('result');
      response = await server.anon.get('package_show');
      expect(response.status).to.equal(409);
      expect(response.body.error).to.deep.equal({ __type: 'Validation Error', name_or_id: ['Missing value'] });
    });
  });

  describe('test_create.py::TestDatasetCreate', () => {
    it('test_private_package', async () => {
      const org = await createOrg(server);
      const name = uniqueName('private');
      let response = await server.admin.post('package_create', { name, private: true });
      expect(response.status).to.equal(409);
      expect(response.body.error).to.deep.equal({ __type: 'Validation Error', private: ["Datasets with no organization can't be private."] });
      // nothing was written by the refused call
      expect((await server.admin.post('package_show', { id: name })).status).to.equal(404);

      let pkg = await server.admin.call('package_create', { owner_org: org.id, name });
      expect(pkg.private).to.equal(false);
      pkg = await server.admin.call('package_create', { owner_org: org.id, name: uniqueName('private'), private: false });
      expect(pkg.private).to.equal(false);
      pkg = await server.admin.call('package_create', { owner_org: org.id, name: uniqueName('private'), private: true });
      expect(pkg.private).to.equal(true);
      response = await server.admin.post('package_create', { owner_org: org.name, name: uniqueName('private'), private: 'True' });
      expect(response.body.result.private).to.equal(true);
      expect(response.body.result.owner_org).to.equal(org.id);
    });

    it('test_normal_user_cant_set_id', async () => {
      const user = await server.createUser();
      const response = await server.client(user.token).post('package_create', { id: randomUUID(), name: uniqueName('test') });
      expect(response.status).to.equal(409);
      expect(response.body.error).to.deep.equal({ __type: 'Validation Error', id: ['The input field id was not expected.'] });
    });

    it('test_sysadmin_can_set_id', async () => {
      const id = randomUUID();
      const created = await server.admin.call('package_create', { id, name: `test-dataset-${id}` });
      expect(created.id).to.equal(id);
    });

    it('test_id_cant_already_exist', async () => {
      const existing = await dataset();
      const response = await server.admin.post('package_create', { id: existing.id, name: uniqueName('other') });
      expect(response.status).to.equal(409);
      expect(response.body.error.id).to.deep.equal(['Dataset id already exists']);
    });

    it('refuses an id that is not a UUID (2.11 uuid_validator)', async () => {
      const response = await server.admin.post('package_create', { id: 'my-own-id', name: uniqueName('bad-id') });
      expect(response.status).to.equal(409);
      expect(response.body.error.id).to.deep.equal(['Invalid id provided']);
    });

    it('test_normal_user_can_not_set_extras_id', async () => {
      const user = await server.createUser();
      const created = await server.client(user.token).call('package_create', {
        name: uniqueName('extras'),
        title: 'Test Extras',
        extras: [{ id: randomUUID(), key: 'original media', value: '"book"' }],
      });
      expect(created.extras).to.deep.equal([{ key: 'original media', value: '"book"' }]);
    });

    it('test_name_not_changed_during_deletion', async () => {
      const created = await dataset();
      await server.admin.call('package_delete', { id: created.id });
      const deleted = await server.admin.call('package_show', { id: created.id });
      expect(deleted.name).to.equal(created.name);
      expect(deleted.state).to.equal('deleted');
    });

    it('test_name_not_changed_after_restoring', async () => {
      const created = await dataset();
      await server.admin.call('package_delete', { id: created.id });
      const deleted = await server.admin.call('package_show', { id: created.id });
      const restored = await server.admin.call('package_patch', { id: created.id, state: 'active' });
      expect(restored.name).to.equal(deleted.name);
      expect(restored.id).to.equal(deleted.id);
      expect(restored.state).to.equal('active');
    });

    it('test_creation_of_dataset_with_name_same_as_of_previously_removed', async () => {
      const created = await dataset();
      await server.admin.call('package_delete', { id: created.id });
      const again = await server.admin.call('package_create', { name: created.name });
      expect(again.name).to.equal(created.name);
      const deleted = await server.admin.call('package_show', { id: created.id });
      expect(again.id).to.not.equal(deleted.id);
      expect(deleted.name).to.equal(deleted.id);
      // the name now leads to the new dataset
      expect((await server.anon.call('package_show', { id: created.name })).id).to.equal(again.id);
    });

    it('test_missing_id', async () => {
      const response = await server.admin.post('package_create', {});
      expect(response.status).to.equal(409);
      expect(response.body.error).to.deep.equal({ __type: 'Validation Error', name: ['Missing value'] });
    });

    it('test_name / test_title / test_license / test_notes', async () => {
      const name = uniqueName('named');
      const created = await server.admin.call('package_create', { name, title: 'New Title', license_id: 'other-open', notes: 'some notes' });
      const shown = await server.anon.call('package_show', { id: created.id });
      for (const pkg of [created, shown]) {
        expect(pkg.name).to.equal(name);
        expect(pkg.title).to.equal('New Title');
        expect(pkg.license_id).to.equal('other-open');
        expect(pkg.license_title).to.equal('Other (Open)');
        expect(pkg.isopen).to.equal(true);
        expect(pkg.notes).to.equal('some notes');
      }
    });

    it('test_extras', async () => {
      const created = await server.admin.call('package_create', { name: uniqueName('extras'), title: 'Test Extras', extras: [{ key: 'original media', value: '"book"' }] });
      expect(created.extras).to.deep.equal([{ key: 'original media', value: '"book"' }]);
      expect((await server.anon.call('package_show', { id: created.id })).extras).to.deep.equal(created.extras);
    });

    it('test_resources', async () => {
      const created = await server.admin.call('package_create', {
        name: uniqueName('resources'),
        title: 'Test Resources',
        resources: [
          {
            alt_url: 'alt123',
            description: 'Full text.',
            somekey: 'somevalue', // this is how to do resource extras
            extras: { someotherkey: 'alt234' }, // this isn't
            format: 'plain text',
            hash: 'abc123',
            position: 0,
            url: 'http://datahub.io/download/',
          },
          { description: 'Index of the novel', format: 'JSON', position: 1, url: 'http://datahub.io/index.json' },
        ],
      });
      const shown = await server.anon.call('package_show', { id: created.id });
      for (const resources of [created.resources, shown.resources]) {
        expect(resources[0].alt_url).to.equal('alt123');
        expect(resources[0].description).to.equal('Full text.');
        expect(resources[0].somekey).to.equal('somevalue');
        expect(resources[0]).to.not.have.property('extras');
        expect(resources[0]).to.not.have.property('someotherkey');
        expect(resources[0].format).to.equal('plain text');
        expect(resources[0].hash).to.equal('abc123');
        expect(resources[0].position).to.equal(0);
        expect(resources[0].url).to.equal('http://datahub.io/download/');
        expect(resources[1].description).to.equal('Index of the novel');
        expect(resources[1].format).to.equal('JSON');
        expect(resources[1].url).to.equal('http://datahub.io/index.json');
        expect(resources[1].position).to.equal(1);
      }
    });

    it('test_tags', async () => {
      const created = await server.admin.call('package_create', { name: uniqueName('tags'), title: 'Test Tags', tags: [{ name: 'tag-two' }, { name: 'tag one' }] });
      expect(created.tags.map((t: { name: string }) => t.name)).to.deep.equal(['tag one', 'tag-two']);
      expect((await server.anon.call('package_show', { id: created.id })).tags).to.deep.equal(created.tags);
    });
  });

  describe('test_update.py::TestDatasetUpdate', () => {
    it('test_missing_id', async () => {
      await dataset();
      const response = await server.admin.post('package_update', {});
      expect(response.status).to.equal(409);
      // a string here, not a list (update.py raises ValidationError({'id': _('Missing value')}))
      expect(response.body.error).to.deep.equal({ __type: 'Validation Error', id: 'Missing value' });
    });

    it('answers 404 "Package was not found." for an unknown id', async () => {
      const response = await server.admin.post('package_update', { id: 'no-such-thing' });
      expect(response.status).to.equal(404);
      expect(response.body.error).to.deep.equal({ __type: 'Not Found Error', message: 'Not found: Package was not found.' });
    });

    it('test_name / test_title (the answer equals package_show)', async () => {
      const created = await dataset();
      const name = uniqueName('renamed');
      let updated = await server.admin.call('package_update', { id: created.id, name });
      expect(updated.name).to.equal(name);
      expect(updated.metadata_modified > created.metadata_modified).to.equal(true);
      expect(updated).to.deep.equal(await server.admin.call('package_show', { id: created.id }));
      updated = await server.admin.call('package_update', { id: created.id, title: 'New Title' });
      expect(updated.title).to.equal('New Title');
      expect(updated.name).to.equal(name);
      expect(updated).to.deep.equal(await server.admin.call('package_show', { id: created.id }));
    });

    it('test_extras', async () => {
      const created = await dataset({ extras: [{ key: 'gone', value: 'soon' }] });
      const updated = await server.admin.call('package_update', { id: created.id, extras: [{ key: 'original media', value: '"book"' }] });
      expect(updated.extras).to.deep.equal([{ key: 'original media', value: '"book"' }]);
      expect(updated).to.deep.equal(await server.admin.call('package_show', { id: created.id }));
    });

    it('test_extra_can_be_restored_after_deletion', async () => {
      const created = await dataset();
      let updated = await server.admin.call('package_update', {
        id: created.id,
        extras: [{ key: 'old attribute', value: 'value' }, { key: 'original media', value: '"book"' }],
      });
      expect(updated.extras).to.have.length(2);
      updated = await server.admin.call('package_update', { id: created.id, extras: [] });
      expect(updated.extras).to.deep.equal([]);
      updated = await server.admin.call('package_update', {
        id: created.id,
        extras: [{ key: 'original media', value: '"book"' }, { key: 'new attribute', value: 'value' }],
      });
      expect(updated.extras).to.deep.equal([{ key: 'new attribute', value: 'value' }, { key: 'original media', value: '"book"' }]);
    });

    it('test_resources', async () => {
      const created = await dataset({ resources: [{ url: 'http://example.com/old.csv' }] });
      const updated = await server.admin.call('package_update', {
        id: created.id,
        resources: [
          {
            alt_url: 'alt123',
            description: 'Full text.',
            somekey: 'somevalue',
            extras: { someotherkey: 'alt234' },
            format: 'plain text',
            hash: 'abc123',
            position: 0,
            url: 'http://datahub.io/download/',
          },
          { description: 'Index of the novel', format: 'JSON', position: 1, url: 'http://datahub.io/index.json' },
        ],
      });
      const resources = updated.resources;
      expect(resources).to.have.length(2);
      expect(resources[0].alt_url).to.equal('alt123');
      expect(resources[0].somekey).to.equal('somevalue');
      expect(resources[0]).to.not.have.property('extras');
      expect(resources[0]).to.not.have.property('someotherkey');
      expect(resources[0].format).to.equal('plain text');
      expect(resources[0].hash).to.equal('abc123');
      expect(resources[0].position).to.equal(0);
      expect(resources[0].url).to.equal('http://datahub.io/download/');
      expect(resources[0].metadata_modified).to.equal(updated.metadata_modified);
      expect(resources[1].format).to.equal('JSON');
      expect(resources[1].position).to.equal(1);
      expect(resources[1].metadata_modified).to.equal(updated.metadata_modified);
      expect((await server.admin.call('package_show', { id: created.id })).resources).to.deep.equal(resources);
      // the old resource is gone: package_update replaces the whole list
      expect((await server.admin.post('resource_show', { id: created.resources[0].id })).status).to.equal(404);
    });

    it('test_invalid_characters_in_resource_id', async () => {
      const created = await dataset();
      const response = await server.admin.post('package_update', {
        id: created.id,
        resources: [{ id: '../../nope.txt', url: 'http://data', name: 'A nice resource' }],
      });
      expect(response.status).to.equal(409);
      expect(response.body.error).to.deep.equal({ __type: 'Validation Error', resources: [{ id: ['Invalid id provided'] }] });
    });

    it('test_tags', async () => {
      const created = await dataset({ tags: [{ name: 'old-tag' }] });
      const updated = await server.admin.call('package_update', { id: created.id, tags: [{ name: 'tag1' }, { name: 'tag2' }] });
      expect(updated.tags.map((t: { name: string }) => t.name)).to.deep.equal(['tag1', 'tag2']);
      expect(updated.num_tags).to.equal(2);
      expect(updated).to.deep.equal(await server.admin.call('package_show', { id: created.id }));
    });

    it('full replacement (2.11): missing fields, resources, tags and extras are removed; owner_org and private are kept', async () => {
      const org = await createOrg(server);
      const created = await dataset({
        owner_org: org.id,
        private: true,
        author: 'A',
        version: '1.0',
        url: 'http://example.com',
        tags: [{ name: 'economy' }],
        extras: [{ key: 'k', value: 'v' }],
        resources: [{ url: 'http://example.com/a.csv' }],
      });
      const updated = await server.admin.call('package_update', { id: created.id, name: created.name });
      expect(updated.author).to.equal(null);
      expect(updated.version).to.equal(null);
      expect(updated.url).to.equal(null);
      expect(updated.notes).to.equal(null);
      expect(updated.title).to.equal(null);
      expect(updated.tags).to.deep.equal([]);
      expect(updated.extras).to.deep.equal([]);
      expect(updated.resources).to.deep.equal([]);
      expect(updated.num_resources).to.equal(0);
      expect(updated.owner_org).to.equal(org.id);
      expect(updated.private).to.equal(true);
    });

    it('test_update_dataset_cant_change_type', async () => {
      const created = await dataset({ type: 'dataset' });
      const updated = await server.admin.call('package_update', { id: created.id, name: created.name, type: 'cabinet' });
      expect(updated.type).to.equal('dataset');
      expect((await server.anon.call('package_show', { id: created.name })).type).to.equal('dataset');
    });
  });

  describe('test_patch.py::TestPatch', () => {
    it('test_package_patch_updating_single_field', async () => {
      const created = await dataset({ name: uniqueName('annakarenina'), notes: 'some test now', tags: [{ name: 'kept' }], resources: [{ url: 'http://example.com/r' }] });
      const name = uniqueName('somethingnew');
      const patched = await server.admin.call('package_patch', { id: created.id, name });
      expect(patched.name).to.equal(name);
      expect(patched.notes).to.equal('some test now');
      expect(patched.tags.map((t: { name: string }) => t.name)).to.deep.equal(['kept']);
      expect(patched.resources.map((r: { id: string }) => r.id)).to.deep.equal([created.resources[0].id]);
      const shown = await server.admin.call('package_show', { id: created.id });
      expect(shown.name).to.equal(name);
      expect(shown.notes).to.equal('some test now');
    });

    it('a list given to package_patch replaces the whole list', async () => {
      const created = await dataset({ tags: [{ name: 'one' }, { name: 'two' }] });
      const patched = await server.admin.call('package_patch', { id: created.id, tags: [{ name: 'three' }] });
      expect(patched.tags.map((t: { name: string }) => t.name)).to.deep.equal(['three']);
    });

    it('answers 409 {id: [Missing value]} without an id and 404 for an unknown one', async () => {
      let response = await server.admin.post('package_patch', { notes: 'x' });
      expect(response.status).to.equal(409);
      expect(response.body.error).to.deep.equal({ __type: 'Validation Error', id: ['Missing value'] });
      response = await server.admin.post('package_patch', { id: 'nope-nope', notes: 'x' });
      expect(response.status).to.equal(404);
      expect(response.body.error.__type).to.equal('Not Found Error');
    });
  });

  describe('test_update.py::TestDatasetRevise', () => {
    it('test_revise_description', async () => {
      const created = await dataset({ notes: 'old notes' });
      const response = await server.admin.call('package_revise', { match: { notes: 'old notes', name: created.name }, update: { notes: 'new notes' } });
      expect(response.package.notes).to.equal('new notes');
      expect(Object.keys(response)).to.deep.equal(['package']);
    });

    it('test_revise_failed_match', async () => {
      const created = await dataset({ notes: 'old notes' });
      const response = await server.admin.post('package_revise', { match: { notes: 'wrong notes', name: created.name }, update: { notes: 'new notes' } });
      expect(response.status).to.equal(409);
      expect(response.body.error).to.deep.equal({ __type: 'Validation Error', match: ['notes'] });
      expect((await server.admin.call('package_show', { id: created.id })).notes).to.equal('old notes');
    });

    it('test_revise_description_flattened', async () => {
      const created = await dataset({ notes: 'old notes' });
      const response = await server.admin.call('package_revise', { match__notes: 'old notes', match__name: created.name, update__notes: 'new notes' });
      expect(response.package.notes).to.equal('new notes');
    });

    it('test_revise_dataset_fields_only', async () => {
      const created = await dataset({ notes: 'old notes', resources: [{ url: 'http://example.com' }] });
      const name = uniqueName('fresh');
      const response = await server.admin.call('package_revise', {
        match: { id: created.id },
        filter: ['+resources', '-*'],
        update: { name, title: 'Fresh Start' },
      });
      expect(response.package.notes).to.equal(null);
      expect(response.package.name).to.equal(name);
      expect(response.package.resources[0].url).to.equal('http://example.com');
    });

    it('test_revise_add_resource', async () => {
      const created = await dataset();
      const response = await server.admin.call('package_revise', {
        match: { id: created.id },
        update__resources__extend: [{ name: 'new resource', url: 'http://example.com' }],
      });
      expect(response.package.resources[0].name).to.equal('new resource');
    });

    it('test_revise_invalid_resource_id', async () => {
      const created = await dataset();
      const response = await server.admin.post('package_revise', {
        match: { id: created.id },
        update__resources__extend: [{ id: '../../nope.txt', name: 'new resource', url: 'http://example.com' }],
      });
      expect(response.status).to.equal(409);
      expect(response.body.error.__type).to.equal('Validation Error');
    });

    it('test_revise_resource_by_index', async () => {
      const created = await dataset({ resources: [{ url: 'http://example.com' }] });
      const response = await server.admin.call('package_revise', { match: { id: created.id }, update__resources__0: { name: 'new name' } });
      expect(response.package.resources[0].name).to.equal('new name');
    });

    it('test_revise_resource_by_id', async () => {
      const id = randomUUID();
      const created = await dataset({ resources: [{ id, url: 'http://example.com', name: 'old name' }] });
      const response = await server.admin.call('package_revise', { match: { id: created.id }, [`update__resources__${id.slice(0, 5)}`]: { name: 'new name' } });
      expect(response.package.resources[0].name).to.equal('new name');
      expect(response.package.resources[0].id).to.equal(id);
    });

    it('test_revise_resource_replace_all', async () => {
      const id = randomUUID();
      const created = await dataset({ resources: [{ id, url: 'http://example.com', name: 'old name' }] });
      const prefix = id.slice(0, 5);
      const response = await server.admin.call('package_revise', {
        match: { id: created.id },
        filter: [`+resources__${prefix}__id`, `-resources__${prefix}__*`],
        [`update__resources__${prefix}`]: { name: 'new name' },
      });
      expect(response.package.resources[0].name).to.equal('new name');
      expect(response.package.resources[0].url).to.equal('');
    });

    it('test_revise_normal_user', async () => {
      const user = await server.createUser();
      const org = await createOrg(server, [[user, 'admin']]);
      const ds = await dataset({ owner_org: org.id });
      const response = await server.client(user.token).call('package_revise', { match: { id: ds.id }, update: { notes: 'new notes' } });
      expect(response.package.notes).to.equal('new notes');
    });

    it('refuses package_revise to a user who may not edit the dataset (403)', async () => {
      const user = await server.createUser();
      const org = await createOrg(server);
      const ds = await dataset({ owner_org: org.id });
      const response = await server.client(user.token).post('package_revise', { match: { id: ds.id }, update: { notes: 'new notes' } });
      expect(response.status).to.equal(403);
      expect(response.body.error.__type).to.equal('Authorization Error');
    });
  });

  describe('test_delete.py::TestDatasetPurge', () => {
    it('test_a_non_sysadmin_cant_purge_dataset', async () => {
      const user = await server.createUser();
      const org = await createOrg(server, [[user, 'admin']]);
      const ds = await server.client(user.token).call('package_create', { name: uniqueName('mine'), owner_org: org.id });
      const response = await server.client(user.token).post('dataset_purge', { id: ds.name });
      expect(response.status).to.equal(403);
      expect(response.body.error.__type).to.equal('Authorization Error');
      expect((await server.anon.post('package_show', { id: ds.id })).status).to.equal(200);
    });

    it('test_purged_dataset_does_not_show', async () => {
      const ds = await dataset();
      expect(await server.admin.call('dataset_purge', { id: ds.name })).to.equal(null);
      const response = await server.anon.post('package_show', { id: ds.name });
      expect(response.status).to.equal(404);
      expect(response.body.error.__type).to.equal('Not Found Error');
    });

    it('test_purged_dataset_is_not_listed', async () => {
      const ds = await dataset();
      expect(await server.anon.call('package_list')).to.include(ds.name);
      await server.admin.call('dataset_purge', { id: ds.name });
      expect(await server.anon.call('package_list')).to.not.include(ds.name);
    });

    it('test_bad_id_returns_404', async () => {
      const response = await server.admin.post('dataset_purge', { id: '123' });
      expect(response.status).to.equal(404);
      expect(response.body.error).to.deep.equal({ __type: 'Not Found Error', message: 'Not found: Dataset was not found' });
    });

    it('test_missing_id_returns_error', async () => {
      const response = await server.admin.post('dataset_purge', {});
      expect(response.status).to.equal(409);
      expect(response.body.error).to.deep.equal({ __type: 'Validation Error', id: ['Missing value'] });
    });
  });
});

describe('CKAN dataset listing tests over HTTP', function () {
  let server: TestServer;
  let user: TestUser;
  let org: TestOrg;

  before(async () => {
    server = await startTestServer({ config: { auth: { create_unowned_dataset: true } } });
    user = await server.createUser();
    org = await createOrg(server, [[user, 'admin']]);
  });
  after(async () => {
    await server?.close();
  });

  describe('test_get.py::TestPackageList', () => {
    it('test_package_list', async () => {
      const a = await server.admin.call('package_create', { name: 'list-b' });
      const b = await server.admin.call('package_create', { name: 'list-a' });
      const names = await server.anon.call('package_list');
      expect(names).to.deep.equal([b.name, a.name]);
      await server.admin.call('package_delete', { id: a.id });
      await server.admin.call('package_delete', { id: b.id });
    });

    it('test_package_list_private', async () => {
      const pub = await server.admin.call('package_create', { name: 'pl-public' });
      await server.admin.call('package_create', { name: 'pl-private', owner_org: org.id, private: true });
      await server.admin.call('package_create', { name: 'pl-draft', state: 'draft' });
      const deleted = await server.admin.call('package_create', { name: 'pl-deleted' });
      await server.admin.call('package_delete', { id: deleted.id });
      expect(await server.anon.call('package_list')).to.deep.equal([pub.name]);
      // the sysadmin gets the same: package_list is public datasets only
      expect(await server.admin.call('package_list')).to.deep.equal([pub.name]);
    });

    it('pages with limit and offset, and answers 409 for bad values', async () => {
      await server.admin.call('package_create', { name: 'pl-zzz' });
      expect(await server.anon.call('package_list', { limit: 1 })).to.deep.equal(['pl-public']);
      expect(await server.anon.call('package_list', { offset: 1 })).to.deep.equal(['pl-zzz']);
      const viaGet = await server.anon.get('package_list', { limit: '1', offset: '1' });
      expect(viaGet.body.result).to.deep.equal(['pl-zzz']);
      const bad = await server.anon.post('package_list', { limit: -1 });
      expect(bad.status).to.equal(409);
      expect(bad.body.error).to.deep.equal({ __type: 'Validation Error', limit: ['Must be a natural number'] });
      const notNumber = await server.anon.get('package_list', { offset: 'abc' });
      expect(notNumber.status).to.equal(409);
      expect(notNumber.body.error).to.deep.equal({ __type: 'Validation Error', offset: ['Invalid integer'] });
    });
  });

  describe('test_get.py::TestCurrentPackageList', () => {
    let names: string[];
    before(async () => {
      // A fresh server keeps these counts independent of the listing tests above.
      await server.close();
      server = await startTestServer({ config: { auth: { create_unowned_dataset: true } } });
      user = await server.createUser();
      org = await createOrg(server, [[user, 'admin']]);
      const first = await server.client(user.token).call('package_create', { name: 'current-1' });
      const second = await server.client(user.token).call('package_create', { name: 'current-2' });
      names = [first.name, second.name];
    });

    it('test_current_package_list', async () => {
      const list = await server.anon.call('current_package_list_with_resources');
      expect(list).to.have.length(2);
      expect(list[0]).to.include.keys('resources', 'metadata_modified', 'organization');
    });

    it('test_current_package_list_limit_param', async () => {
      const list = await server.anon.call('current_package_list_with_resources', { limit: 1 });
      expect(list.map((p: { name: string }) => p.name)).to.deep.equal([names[1]]);
    });

    it('test_current_package_list_offset_param', async () => {
      const list = await server.anon.call('current_package_list_with_resources', { offset: 1 });
      expect(list.map((p: { name: string }) => p.name)).to.deep.equal([names[0]]);
    });

    it('test_current_package_list_private_datasets_anonoymous_user / _sysadmin_user', async () => {
      await server.client(user.token).call('package_create', { name: 'current-private', owner_org: org.name, private: true });
      expect(await server.anon.call('current_package_list_with_resources')).to.have.length(2);
      // even the org admin: only sysadmins get private datasets here
      expect(await server.client(user.token).call('current_package_list_with_resources')).to.have.length(2);
      expect(await server.admin.call('current_package_list_with_resources')).to.have.length(3);
    });
  });
});
