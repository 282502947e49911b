// Dataset collaborators over HTTP (section 6 row 33, collaborator parts): ports of
// ckan/tests/logic/action/test_create.py::TestPackageMemberCreate, test_get.py::TestPackageMemberList
// and test_delete.py::TestPackageMemberDelete, the auth rules of ckan/tests/logic/auth (who may
// manage collaborators), and what a collaborator may then do with a private dataset.
import { expect } from 'chai';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';

import { createOrg, uniqueName } from './packages-fixtures.ts';
import { expectOk, expectError } from '../helpers/expect.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/;

interface World {
  server: TestServer;
  orgAdmin: TestUser;
  orgEditor: TestUser;
  outsider: TestUser;
  orgId: string;
}

async function world(config: Record<string, unknown>): Promise<World> {
  const server = await startTestServer({ config: { auth: config } });
  const orgAdmin = await server.createUser(uniqueName('org-admin'));
  const orgEditor = await server.createUser(uniqueName('org-editor'));
  const outsider = await server.createUser(uniqueName('outsider'));
  const orgId = (await createOrg(server, [[orgAdmin, 'admin'], [orgEditor, 'editor']])).id;
  return { server, orgAdmin, orgEditor, outsider, orgId };
}

async function newDataset(w: World, extra: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const result = expectOk(await w.server.client(w.orgEditor.token).post('package_create', { name: uniqueName('ds'), owner_org: w.orgId, ...extra }));
  return { id: result.id, name: result.name };
}

describe('dataset collaborators', function () {
  describe('when ckan.auth.allow_dataset_collaborators is off (the default)', () => {
    let w: World;
    before(async () => {
      w = await world({});
    });
    after(async () => w?.server.close());

    it('every collaborator action answers 409 "Dataset collaborators not enabled"', async () => {
      const dataset = await newDataset(w);
      const admin = w.server.client(w.orgAdmin.token);
      for (const [action, data] of [
        ['package_collaborator_create', { id: dataset.id, user_id: w.outsider.id, capacity: 'editor' }],
        ['package_collaborator_list', { id: dataset.id }],
        ['package_collaborator_delete', { id: dataset.id, user_id: w.outsider.id }],
      ] as const) {
        const error = expectError(await admin.post(action, data), 409, 'Validation Error');
        expect(error).to.deep.equal({ message: 'Dataset collaborators not enabled', __type: 'Validation Error' });
      }
      const own = expectError(await w.server.client(w.outsider.token).post('package_collaborator_list_for_user', { id: w.outsider.id }), 409, 'Validation Error');
      expect(own.message).to.equal('Dataset collaborators not enabled');
    });

    it('still checks the role and permissions first, as CKAN does', async () => {
      const dataset = await newDataset(w);
      const role = expectError(await w.server.client(w.orgAdmin.token).post('package_collaborator_create', { id: dataset.id, user_id: w.outsider.id, capacity: 'admin' }), 409, 'Validation Error');
      expect(role.message).to.equal('Role must be one of "editor, member"');
      expectError(await w.server.client(w.outsider.token).post('package_collaborator_create', { id: dataset.id, user_id: w.outsider.id, capacity: 'editor' }), 403, 'Authorization Error');
    });
  });

  describe('when enabled', () => {
    let w: World;
    before(async () => {
      w = await world({ allow_dataset_collaborators: true });
    });
    after(async () => w?.server.close());

    it('test_create: returns {package_id, user_id, capacity, modified}', async () => {
      const dataset = await newDataset(w);
      for (const ref of [dataset.id, dataset.name]) {
        const member = expectOk(await w.server.client(w.orgAdmin.token).post('package_collaborator_create', { id: ref, user_id: w.outsider.name, capacity: 'editor' }));
        expect(Object.keys(member).sort()).to.deep.equal(['capacity', 'modified', 'package_id', 'user_id']);
        expect(member).to.include({ package_id: dataset.id, user_id: w.outsider.id, capacity: 'editor' });
        expect(member.modified).to.match(ISO);
      }
      expect(expectOk(await w.server.admin.get('package_collaborator_list', { id: dataset.id }))).to.have.length(1);
    });

    it('test_update: creating again changes the capacity', async () => {
      const dataset = await newDataset(w);
      const admin = w.server.client(w.orgAdmin.token);
      expectOk(await admin.post('package_collaborator_create', { id: dataset.id, user_id: w.outsider.id, capacity: 'editor' }));
      expectOk(await admin.post('package_collaborator_create', { id: dataset.id, user_id: w.outsider.id, capacity: 'member' }));
      const list = expectOk(await admin.get('package_collaborator_list', { id: dataset.id }));
      expect(list.map((row: { capacity: string }) => row.capacity)).to.deep.equal(['member']);
    });

    it('test_create_wrong_capacity and missing fields', async () => {
      const dataset = await newDataset(w);
      const admin = w.server.client(w.orgAdmin.token);
      for (const capacity of ['unknown', 'admin', 'Editor']) {
        const error = expectError(await admin.post('package_collaborator_create', { id: dataset.id, user_id: w.outsider.id, capacity }), 409, 'Validation Error');
        expect(error.message).to.equal('Role must be one of "editor, member"');
      }
      const missing = expectError(await admin.post('package_collaborator_create', { id: dataset.id }), 409, 'Validation Error');
      expect(missing).to.deep.include({ user_id: ['Missing value'], capacity: ['Missing value'] });
    });

    it('test_create_dataset_not_found / test_create_user_not_found', async () => {
      const dataset = await newDataset(w);
      const noDataset = expectError(await w.server.admin.post('package_collaborator_create', { id: 'no-such-dataset', user_id: w.outsider.id, capacity: 'editor' }), 404, 'Not Found Error');
      expect(noDataset.message).to.equal('Not found: Dataset not found');
      const noUser = expectError(await w.server.client(w.orgAdmin.token).post('package_collaborator_create', { id: dataset.id, user_id: 'no-such-user', capacity: 'editor' }), 404, 'Not Found Error');
      expect(noUser.message).to.equal('Not found: User not found');
    });

    it('only organization admins (and sysadmins) manage collaborators', async () => {
      const dataset = await newDataset(w);
      const data = { id: dataset.id, user_id: w.outsider.id, capacity: 'member' };
      const editor = expectError(await w.server.client(w.orgEditor.token).post('package_collaborator_create', data), 403, 'Authorization Error');
      expect(editor.message).to.equal(`Access denied: User ${w.orgEditor.name} not authorized to add collaborators to this dataset`);
      expectError(await w.server.client(w.outsider.token).post('package_collaborator_create', data), 403, 'Authorization Error');
      const anon = expectError(await w.server.anon.post('package_collaborator_create', data), 403, 'Authorization Error');
      expect(anon.message).to.equal('Access denied: Action package_collaborator_create requires an authenticated user');
      expectError(await w.server.client(w.orgEditor.token).get('package_collaborator_list', { id: dataset.id }), 403, 'Authorization Error');
      expectError(await w.server.anon.get('package_collaborator_list', { id: dataset.id }), 403, 'Authorization Error');
      expectOk(await w.server.admin.post('package_collaborator_create', data));
      expectError(await w.server.client(w.orgEditor.token).post('package_collaborator_delete', { id: dataset.id, user_id: w.outsider.id }), 403, 'Authorization Error');
      // An editor collaborator is not an admin: they cannot add others.
      expectOk(await w.server.admin.post('package_collaborator_create', { ...data, capacity: 'editor' }));
      expectError(await w.server.client(w.outsider.token).post('package_collaborator_create', { ...data, user_id: w.orgEditor.id }), 403, 'Authorization Error');
    });

    it('test_list / test_list_with_capacity / test_list_wrong_capacity / test_list_dataset_not_found', async () => {
      const dataset = await newDataset(w);
      const second = await w.server.createUser(uniqueName('second'));
      const admin = w.server.client(w.orgAdmin.token);
      expectOk(await admin.post('package_collaborator_create', { id: dataset.id, user_id: w.outsider.id, capacity: 'editor' }));
      expectOk(await admin.post('package_collaborator_create', { id: dataset.id, user_id: second.id, capacity: 'member' }));
      const all = expectOk(await admin.get('package_collaborator_list', { id: dataset.name }));
      expect(all.map((row: { user_id: string }) => row.user_id)).to.have.members([w.outsider.id, second.id]);
      for (const row of all) expect(Object.keys(row).sort()).to.deep.equal(['capacity', 'modified', 'package_id', 'user_id']);
      const editors = expectOk(await admin.get('package_collaborator_list', { id: dataset.id, capacity: 'editor' }));
      expect(editors).to.have.length(1);
      expect(editors[0]).to.include({ user_id: w.outsider.id, capacity: 'editor', package_id: dataset.id });
      const wrong = expectError(await admin.get('package_collaborator_list', { id: dataset.id, capacity: 'owner' }), 409, 'Validation Error');
      expect(wrong.message).to.equal('Capacity must be one of "editor, member"');
      const missing = expectError(await admin.get('package_collaborator_list', { id: 'no-such-dataset' }), 404, 'Not Found Error');
      expect(missing.message).to.equal('Not found: Package not found');
    });

    it('test_list_for_user and its errors: only your own collaborations', async () => {
      const first = await newDataset(w);
      const second = await newDataset(w);
      const helper = await w.server.createUser(uniqueName('helper'));
      const admin = w.server.client(w.orgAdmin.token);
      expectOk(await admin.post('package_collaborator_create', { id: first.id, user_id: helper.id, capacity: 'editor' }));
      expectOk(await admin.post('package_collaborator_create', { id: second.id, user_id: helper.id, capacity: 'member' }));
      const own = w.server.client(helper.token);
      const mine = expectOk(await own.get('package_collaborator_list_for_user', { id: helper.name }));
      expect(mine.map((row: { package_id: string }) => row.package_id)).to.have.members([first.id, second.id]);
      for (const row of mine) {
        expect(Object.keys(row).sort()).to.deep.equal(['capacity', 'modified', 'package_id']);
        expect(row.modified).to.match(ISO);
      }
      expect(expectOk(await own.get('package_collaborator_list_for_user', { id: helper.id, capacity: 'member' }))).to.deep.equal([mine.find((row: { capacity: string }) => row.capacity === 'member')]);
      const wrong = expectError(await own.get('package_collaborator_list_for_user', { id: helper.id, capacity: 'owner' }), 409, 'Validation Error');
      expect(wrong.message).to.equal('Capacity must be one of "editor, member"');
      expectError(await w.server.client(w.outsider.token).get('package_collaborator_list_for_user', { id: helper.id }), 403, 'Authorization Error');
      expectError(await w.server.anon.get('package_collaborator_list_for_user', { id: helper.id }), 403, 'Authorization Error');
      const unknown = expectError(await own.get('package_collaborator_list_for_user', { id: 'no-such-user' }), 403, 'Authorization Error');
      expect(unknown.message).to.equal('Access denied: Not allowed to retrieve collaborations');
      expect(expectOk(await w.server.admin.get('package_collaborator_list_for_user', { id: helper.id }))).to.have.length(2);
    });

    it('test_delete and its not-found cases', async () => {
      const dataset = await newDataset(w);
      const admin = w.server.client(w.orgAdmin.token);
      expectOk(await admin.post('package_collaborator_create', { id: dataset.id, user_id: w.outsider.id, capacity: 'editor' }));
      expect(expectOk(await admin.post('package_collaborator_delete', { id: dataset.name, user_id: w.outsider.name }))).to.equal(null);
      expect(expectOk(await admin.get('package_collaborator_list', { id: dataset.id }))).to.deep.equal([]);
      const again = expectError(await admin.post('package_collaborator_delete', { id: dataset.id, user_id: w.outsider.name }), 404, 'Not Found Error');
      expect(again.message).to.equal(`Not found: User ${w.outsider.name} is not a collaborator on this package`);
      const noDataset = expectError(await admin.post('package_collaborator_delete', { id: 'no-such-dataset', user_id: w.outsider.id }), 404, 'Not Found Error');
      expect(noDataset.message).to.equal('Not found: Package not found');
      const noUser = expectError(await admin.post('package_collaborator_delete', { id: dataset.id, user_id: 'no-such-user' }), 404, 'Not Found Error');
      expect(noUser.message).to.equal('Not found: User not found');
      const missing = expectError(await admin.post('package_collaborator_delete', { id: dataset.id }), 409, 'Validation Error');
      expect(missing).to.deep.include({ user_id: ['Missing value'] });
    });

    it('a member collaborator reads a private dataset; an editor collaborator also edits it; removal ends both', async () => {
      const dataset = await newDataset(w, { private: true });
      const reader = await w.server.createUser(uniqueName('reader'));
      const writer = await w.server.createUser(uniqueName('writer'));
      const admin = w.server.client(w.orgAdmin.token);
      expectError(await w.server.client(reader.token).get('package_show', { id: dataset.id }), 403, 'Authorization Error');
      expectOk(await admin.post('package_collaborator_create', { id: dataset.id, user_id: reader.id, capacity: 'member' }));
      expectOk(await admin.post('package_collaborator_create', { id: dataset.id, user_id: writer.id, capacity: 'editor' }));
      expect(expectOk(await w.server.client(reader.token).get('package_show', { id: dataset.id })).id).to.equal(dataset.id);
      expectError(await w.server.client(reader.token).post('package_patch', { id: dataset.id, title: 'Nope' }), 403, 'Authorization Error');
      const patched = expectOk(await w.server.client(writer.token).post('package_patch', { id: dataset.id, title: 'Sửa bởi cộng tác viên' }));
      expect(patched.title).to.equal('Sửa bởi cộng tác viên');
      expectOk(await admin.post('package_collaborator_delete', { id: dataset.id, user_id: reader.id }));
      expectOk(await admin.post('package_collaborator_delete', { id: dataset.id, user_id: writer.id }));
      expectError(await w.server.client(reader.token).get('package_show', { id: dataset.id }), 403, 'Authorization Error');
      expectError(await w.server.client(writer.token).post('package_patch', { id: dataset.id, title: 'Again' }), 403, 'Authorization Error');
    });

    it('deleting the dataset or the user removes the collaboration', async () => {
      const dataset = await newDataset(w);
      const helper = await w.server.createUser(uniqueName('helper'));
      const admin = w.server.client(w.orgAdmin.token);
      expectOk(await admin.post('package_collaborator_create', { id: dataset.id, user_id: helper.id, capacity: 'editor' }));
      expectOk(await w.server.admin.post('user_delete', { id: helper.id }));
      expect(expectOk(await admin.get('package_collaborator_list', { id: dataset.id }))).to.deep.equal([]);
      const other = await w.server.createUser(uniqueName('other'));
      expectOk(await admin.post('package_collaborator_create', { id: dataset.id, user_id: other.id, capacity: 'member' }));
      expectOk(await admin.post('package_delete', { id: dataset.id }));
      expect(expectOk(await admin.get('package_collaborator_list', { id: dataset.id }))).to.deep.equal([]);
    });
  });

  describe('when admin collaborators are allowed too', () => {
    let w: World;
    before(async () => {
      w = await world({ allow_dataset_collaborators: true, allow_admin_collaborators: true });
    });
    after(async () => w?.server.close());

    it('accepts the admin role, and an admin collaborator manages the others', async () => {
      const dataset = await newDataset(w);
      const admin = w.server.client(w.orgAdmin.token);
      const wrong = expectError(await admin.post('package_collaborator_create', { id: dataset.id, user_id: w.outsider.id, capacity: 'owner' }), 409, 'Validation Error');
      expect(wrong.message).to.equal('Role must be one of "admin, editor, member"');
      expectOk(await admin.post('package_collaborator_create', { id: dataset.id, user_id: w.outsider.id, capacity: 'admin' }));
      const delegate = w.server.client(w.outsider.token);
      const helper = await w.server.createUser(uniqueName('helper'));
      expectOk(await delegate.post('package_collaborator_create', { id: dataset.id, user_id: helper.id, capacity: 'editor' }));
      const list = expectOk(await delegate.get('package_collaborator_list', { id: dataset.id }));
      expect(list.map((row: { capacity: string }) => row.capacity).sort()).to.deep.equal(['admin', 'editor']);
      expectOk(await delegate.post('package_collaborator_delete', { id: dataset.id, user_id: helper.id }));
      // An admin collaborator may also edit the dataset.
      expect(expectOk(await delegate.post('package_patch', { id: dataset.id, notes: 'ghi chú' })).notes).to.equal('ghi chú');
    });
  });
});
