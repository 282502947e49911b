// Organizations over HTTP, ported from ckan/tests/logic/action: TestOrganizationCreate,
// TestOrganizationShow, TestOrganizationList (section 6 rows 27, 28), TestOrganizationListForUser
// (row 29), TestOrganizationDelete / TestOrganizationPurge (row 24), TestMemberCreate2 and
// TestMembersList (row 33), test_patch.py::test_organization_patch_updating_single_field (row 20);
// plus bad input, which must give CKAN's 4xx answers and never a 500, and the rule that a dataset
// never shows a stale organization after the organization changes.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import type { ApiClient } from '../helpers/api-client.ts';
import { definePlugin } from '../../core/plugins/define-plugin.ts';
import { ValidationError } from '../../core/errors.ts';
import { uniqueName, expectOk, expectError } from '../helpers/expect.ts';

const ORG_KEYS = [
  'approval_status', 'created', 'description', 'display_name', 'extras', 'groups', 'id', 'image_display_url', 'image_url',
  'is_organization', 'name', 'num_followers', 'package_count', 'state', 'tags', 'title', 'type', 'users',
];
const USER_IN_GROUP_KEYS = [
  'about', 'activity_streams_email_notifications', 'capacity', 'created', 'display_name', 'email_hash', 'fullname', 'id',
  'image_display_url', 'image_url', 'last_active', 'name', 'number_created_packages', 'state', 'sysadmin',
];

async function createOrg(client: ApiClient, extra: Record<string, unknown> = {}) {
  return expectOk(await client.post('organization_create', { name: uniqueName('org'), title: 'Tổ chức thử', ...extra }));
}

async function createDataset(client: ApiClient, owner: string, extra: Record<string, unknown> = {}) {
  return expectOk(await client.post('package_create', { name: uniqueName('ds'), owner_org: owner, ...extra }));
}

async function addMember(server: TestServer, org: string, user: TestUser, role: string) {
  return expectOk(await server.admin.post('organization_member_create', { id: org, username: user.name, role }));
}

describe('organizations', function () {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  before(async () => {
    server = await startTestServer();
    alice = await server.createUser(uniqueName('alice'));
    bob = await server.createUser(uniqueName('bob'));
    carol = await server.createUser(uniqueName('carol'));
  });
  after(async () => server?.close());

  describe('organization_create', () => {
    it('makes the creator its admin and returns the organization_show dict (test_create_organization)', async () => {
      const name = uniqueName('org');
      const org = expectOk(await server.client(alice.token).post('organization_create', { name, title: 'Sở Tài nguyên', description: 'Mô tả' }));
      expect(org).to.have.all.keys(...ORG_KEYS);
      expect(org).to.include({ name, title: 'Sở Tài nguyên', display_name: 'Sở Tài nguyên', description: 'Mô tả', type: 'organization' });
      expect(org).to.include({ is_organization: true, state: 'active', approval_status: 'approved', package_count: 0, num_followers: 0 });
      expect(org.created).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
      expect(org.users).to.have.length(1);
      expect(org.users[0]).to.have.all.keys(...USER_IN_GROUP_KEYS);
      expect(org.users[0]).to.include({ name: alice.name, capacity: 'admin' });
      expect(org.tags).to.deep.equal([]);
      expect(org.groups).to.deep.equal([]);
      expect(org.extras).to.deep.equal([]);
    });

    it('keeps extras and adds the users given with their capacity', async () => {
      const org = await createOrg(server.admin, {
        extras: [{ key: 'vung', value: 'Miền Bắc' }, { key: 'cap', value: 'tỉnh' }],
        users: [{ name: bob.name, capacity: 'editor' }, { name: 'no-such-user', capacity: 'member' }],
      });
      expect(org.extras).to.deep.equal([{ key: 'cap', value: 'tỉnh' }, { key: 'vung', value: 'Miền Bắc' }]);
      const capacities = Object.fromEntries(org.users.map((u: { name: string; capacity: string }) => [u.name, u.capacity]));
      expect(capacities).to.deep.equal({ [bob.name]: 'editor', 'test-sysadmin': 'admin' });
    });

    it('refuses anonymous callers', async () => {
      const error = expectError(await server.anon.post('organization_create', { name: uniqueName('org') }), 403, 'Authorization Error');
      expect(error.message).to.equal('Access denied: Action organization_create requires an authenticated user');
    });

    it('validates names with CKAN messages', async () => {
      const cases: Array<[unknown, string[]]> = [
        ['Chu-Hoa', ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_']],
        ['tổ-chức', ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_']],
        ['x'.repeat(101), ['Name must be a maximum of 100 characters long']],
        ['a', ['Must be at least 2 characters long']],
        ['new', ['That name cannot be used']],
        ['', ['Missing value']],
        [{ a: 1 }, ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_']],
      ];
      for (const [name, messages] of cases) {
        const error = expectError(await server.admin.post('organization_create', { name }), 409, 'Validation Error');
        expect(error.name, JSON.stringify(name)).to.deep.equal(messages);
      }
      const missing = expectError(await server.admin.post('organization_create', { title: 'Không tên' }), 409, 'Validation Error');
      expect(missing.name).to.deep.equal(['Missing value']);
    });

    it('shares one namespace with groups', async () => {
      const org = await createOrg(server.admin);
      const again = expectError(await server.admin.post('organization_create', { name: org.name }), 409, 'Validation Error');
      expect(again.name).to.deep.equal(['Group name already exists in database']);
      const group = expectOk(await server.admin.post('group_create', { name: uniqueName('grp') }));
      const clash = expectError(await server.admin.post('organization_create', { name: group.name }), 409, 'Validation Error');
      expect(clash.name).to.deep.equal(['Group name already exists in database']);
    });

    it('lets only sysadmins choose the id, which must be a new UUID', async () => {
      const byUser = expectError(await server.client(alice.token).post('organization_create', { name: uniqueName('org'), id: randomUUID() }), 409, 'Validation Error');
      expect(byUser.id).to.deep.equal(['The input field id was not expected.']);
      const notUuid = expectError(await server.admin.post('organization_create', { name: uniqueName('org'), id: 'my-own-id' }), 409, 'Validation Error');
      expect(notUuid.id).to.deep.equal(['Invalid id provided']);
      const id = randomUUID();
      const org = expectOk(await server.admin.post('organization_create', { name: uniqueName('org'), id }));
      expect(org.id).to.equal(id);
      const taken = expectError(await server.admin.post('organization_create', { name: uniqueName('org'), id }), 409, 'Validation Error');
      expect(taken.id).to.deep.equal(['Id already exists']);
    });

    it('lets only sysadmins set the state on create', async () => {
      const byUser = expectOk(await server.client(alice.token).post('organization_create', { name: uniqueName('org'), state: 'deleted' }));
      expect(byUser.state).to.equal('active');
      const draft = expectOk(await server.admin.post('organization_create', { name: uniqueName('org'), state: 'draft' }));
      expect(draft.state).to.equal('draft');
    });

    it('answers malformed lists with 400 Integrity Error, never 500', async () => {
      expectError(await server.admin.post('organization_create', { name: uniqueName('org'), extras: 'nope' }), 400, 'Integrity Error');
      expectError(await server.admin.post('organization_create', { name: uniqueName('org'), users: ['alice'] }), 400, 'Integrity Error');
      const badRole = expectError(await server.admin.post('organization_create', { name: uniqueName('org'), users: [{ name: bob.name, capacity: 'owner' }] }), 409, 'Validation Error');
      expect(badRole.users).to.deep.equal([{ capacity: ['role does not exist.'] }]);
      const badExtra = expectError(await server.admin.post('organization_create', { name: uniqueName('org'), extras: [{ key: 'title', value: 'x' }] }), 409, 'Validation Error');
      expect(badExtra.extras).to.deep.equal([{ key: ['There is a schema field with the same name'] }]);
    });

    it('will not create a group through organization_create', async () => {
      expectError(await server.admin.post('organization_create', { name: uniqueName('org'), type: 'group' }), 409, 'Validation Error');
    });
  });

  describe('organization_show', () => {
    it('returns what organization_create returned (test_organization_show)', async () => {
      const org = await createOrg(server.admin);
      const shown = expectOk(await server.anon.get('organization_show', { id: org.id, include_datasets: 'true' }));
      delete shown.packages;
      expect(shown).to.deep.equal(org);
      expect(expectOk(await server.anon.get('organization_show', { id: org.name })).id).to.equal(org.id);
    });

    it('gives 404 for an unknown id and for a group (test_organization_show_error_for_group)', async () => {
      expect(expectError(await server.anon.get('organization_show', { id: 'does_not_exist' }), 404, 'Not Found Error').message).to.equal('Not found');
      const group = expectOk(await server.admin.post('group_create', { name: uniqueName('grp') }));
      expectError(await server.anon.get('organization_show', { id: group.id }), 404, 'Not Found Error');
      expect(expectError(await server.anon.get('organization_show', {}), 409, 'Validation Error').id).to.deep.equal(['Missing value']);
    });

    it('lists and counts only the datasets the caller may see (test_organization_show_private_packages_not_returned)', async () => {
      const org = await createOrg(server.admin, { users: [{ name: carol.name, capacity: 'member' }] });
      const open = await createDataset(server.admin, org.id);
      const hidden = await createDataset(server.admin, org.id, { private: true });
      const anon = expectOk(await server.anon.get('organization_show', { id: org.id, include_datasets: true }));
      expect(anon.packages.map((p: { name: string }) => p.name)).to.deep.equal([open.name]);
      expect(anon.package_count).to.equal(1);
      const member = expectOk(await server.client(carol.token).get('organization_show', { id: org.id, include_datasets: true }));
      expect(member.packages.map((p: { name: string }) => p.name).sort()).to.deep.equal([open.name, hidden.name].sort());
      expect(member.package_count).to.equal(2);
      const full = member.packages.find((p: { id: string }) => p.id === open.id);
      expect(full).to.deep.equal(expectOk(await server.anon.get('package_show', { id: open.id })));
    });

    it('lists at most 10 datasets but counts them all', async () => {
      const org = await createOrg(server.admin);
      for (let i = 0; i < 11; i++) await createDataset(server.admin, org.id);
      const shown = expectOk(await server.anon.get('organization_show', { id: org.id, include_datasets: 1 }));
      expect(shown.packages).to.have.length(10);
      expect(shown.package_count).to.equal(11);
    });

    it('honours the include_* switches', async () => {
      const org = await createOrg(server.admin);
      const bare = expectOk(
        await server.anon.get('organization_show', {
          id: org.id,
          include_dataset_count: 'false',
          include_extras: 'no',
          include_users: 'f',
          include_groups: '0',
          include_tags: 'off',
          include_member_count: 'true',
        }),
      );
      expect(bare).not.to.have.any.keys('package_count', 'extras', 'users', 'groups', 'tags', 'packages');
      expect(bare.member_count).to.equal(1);
      const error = expectError(await server.anon.get('organization_show', { id: org.id, include_users: 'maybe' }), 409, 'Validation Error');
      expect(error.message).to.equal('Parameter is not an bool');
    });
  });

  describe('organization_list', () => {
    let titled: { zz: string; yy: string };

    before(async () => {
      const zz = await createOrg(server.admin, { name: uniqueName('zz'), title: 'AA list' });
      const yy = await createOrg(server.admin, { name: uniqueName('yy'), title: 'BB list' });
      titled = { zz: zz.name, yy: yy.name };
      await createDataset(server.admin, yy.id);
      await createDataset(server.admin, yy.id);
    });

    it('sorts by title by default (test_organization_list_sort_default)', async () => {
      const names = expectOk(await server.anon.get('organization_list', { organizations: [titled.zz, titled.yy] }));
      expect(names).to.deep.equal([titled.zz, titled.yy]);
    });

    it('filters by names given as a list or as a comma-separated string', async () => {
      const filter = `${titled.yy},${titled.zz}`;
      expect(expectOk(await server.anon.post('organization_list', { organizations: filter, sort: 'name asc' }))).to.deep.equal(
        [titled.yy, titled.zz].sort(),
      );
      expect(expectOk(await server.anon.post('organization_list', { organizations: [titled.yy], sort: 'name' }))).to.deep.equal([titled.yy]);
    });

    it('sorts by package_count, biggest first unless asked otherwise', async () => {
      const filter = [titled.zz, titled.yy];
      expect(expectOk(await server.anon.post('organization_list', { organizations: filter, sort: 'package_count' }))).to.deep.equal([titled.yy, titled.zz]);
      expect(expectOk(await server.anon.post('organization_list', { organizations: filter, sort: 'packages asc' }))).to.deep.equal([titled.zz, titled.yy]);
    });

    it('searches name, title and description with q', async () => {
      expect(expectOk(await server.anon.get('organization_list', { q: 'BB list' }))).to.deep.equal([titled.yy]);
    });

    it('refuses bad sorts and bad paging with 409', async () => {
      expect(expectError(await server.anon.get('organization_list', { sort: 'created' }), 409, 'Validation Error').message).to.equal('Cannot sort by field `created`');
      expect(expectError(await server.anon.get('organization_list', { sort: 'name sideways' }), 409, 'Validation Error').message).to.equal('Invalid sort direction `sideways`');
      expect(expectError(await server.anon.get('organization_list', { sort: 'name asc, title desc' }), 409, 'Validation Error').message).to.equal(
        'Too many sort criteria provided only 1 allowed',
      );
      expect(expectError(await server.anon.get('organization_list', { limit: 'a' }), 409, 'Validation Error').limit).to.deep.equal(['Invalid integer']);
      expect(expectError(await server.anon.get('organization_list', { offset: '-2' }), 409, 'Validation Error').offset).to.deep.equal(['Must be a natural number']);
    });

    it('returns organization_show dicts without users, tags, extras or groups with all_fields', async () => {
      const [dict] = expectOk(await server.anon.get('organization_list', { all_fields: 'true', organizations: titled.yy }));
      const shown = expectOk(await server.anon.get('organization_show', { id: titled.yy }));
      for (const key of ['users', 'tags', 'extras', 'groups']) delete shown[key];
      expect(dict).to.deep.equal(shown);
      expect(dict.package_count).to.equal(2);
      const [withExtras] = expectOk(await server.anon.get('organization_list', { all_fields: true, include_extras: true, include_users: true, organizations: titled.yy }));
      expect(withExtras).to.include.all.keys('extras', 'users');
    });

    it('never lists groups or deleted organizations', async () => {
      const group = expectOk(await server.admin.post('group_create', { name: uniqueName('grp') }));
      const gone = await createOrg(server.admin);
      expectOk(await server.admin.post('organization_delete', { id: gone.id }));
      const names = expectOk(await server.anon.get('organization_list'));
      expect(names).not.to.include(group.name);
      expect(names).not.to.include(gone.name);
    });
  });

  describe('organization_update and organization_patch', () => {
    it('changes one field and keeps the others with patch (test_organization_patch_updating_single_field)', async () => {
      const org = await createOrg(server.client(alice.token), { name: uniqueName('economy'), description: 'some test now', extras: [{ key: 'k', value: 'v' }] });
      const patched = expectOk(await server.client(alice.token).post('organization_patch', { id: org.id, description: 'somethingnew' }));
      expect(patched).to.include({ name: org.name, description: 'somethingnew', title: org.title });
      expect(patched.extras).to.deep.equal([{ key: 'k', value: 'v' }]);
      const shown = expectOk(await server.anon.get('organization_show', { id: org.id }));
      expect(shown).to.include({ name: org.name, description: 'somethingnew' });
      expect(shown.users.map((u: { name: string }) => u.name)).to.deep.equal([alice.name]);
    });

    it('keeps users and columns not given, replaces extras (CKAN 2.11 group_update)', async () => {
      const org = await createOrg(server.admin, { description: 'giữ nguyên', extras: [{ key: 'a', value: '1' }], users: [{ name: bob.name, capacity: 'member' }] });
      const updated = expectOk(await server.admin.post('organization_update', { id: org.id, title: 'Tên mới', extras: [{ key: 'b', value: '2' }] }));
      expect(updated).to.include({ title: 'Tên mới', description: 'giữ nguyên', name: org.name });
      expect(updated.extras).to.deep.equal([{ key: 'b', value: '2' }]);
      expect(updated.users.map((u: { name: string }) => u.name).sort()).to.deep.equal([bob.name, 'test-sysadmin'].sort());
      const noExtras = expectOk(await server.admin.post('organization_update', { id: org.id }));
      expect(noExtras.extras).to.deep.equal([]);
      const users = expectOk(await server.admin.post('organization_update', { id: org.id, users: [{ name: carol.name, capacity: 'editor' }] }));
      expect(users.users.map((u: { name: string; capacity: string }) => [u.name, u.capacity])).to.deep.equal([[carol.name, 'editor']]);
    });

    it('refuses to change the type, an unknown id, a taken name, and non-admins', async () => {
      const org = await createOrg(server.client(alice.token));
      expect(expectError(await server.admin.post('organization_update', { id: org.id, type: 'other' }), 409, 'Validation Error').type).to.equal('Type cannot be updated');
      expect(expectError(await server.admin.post('organization_update', { id: 'nope' }), 404, 'Not Found Error').message).to.equal('Not found: Group was not found.');
      expect(expectError(await server.admin.post('organization_patch', {}), 409, 'Validation Error').id).to.deep.equal(['Missing value']);
      const other = await createOrg(server.admin);
      expect(expectError(await server.admin.post('organization_patch', { id: org.id, name: other.name }), 409, 'Validation Error').name).to.deep.equal([
        'Group name already exists in database',
      ]);
      expect(expectError(await server.admin.post('organization_patch', { id: org.id, name: 'Tên Mới' }), 409, 'Validation Error').name).to.deep.equal([
        'Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_',
      ]);
      await addMember(server, org.id, bob, 'editor');
      const error = expectError(await server.client(bob.token).post('organization_patch', { id: org.id, title: 'x' }), 403, 'Authorization Error');
      expect(error.message).to.equal(`Access denied: User ${bob.name} not authorized to edit organization ${org.id}`);
      expectError(await server.anon.post('organization_patch', { id: org.id, title: 'x' }), 403, 'Authorization Error');
    });

    it('re-renders the organization in its datasets, in package_show and package_search', async () => {
      const org = await createOrg(server.client(alice.token));
      const open = await createDataset(server.client(alice.token), org.id);
      const deleted = await createDataset(server.client(alice.token), org.id);
      expectOk(await server.client(alice.token).post('package_delete', { id: deleted.id }));
      const newName = uniqueName('renamed');
      expectOk(await server.client(alice.token).post('organization_patch', { id: org.id, name: newName, title: 'Đã đổi tên', description: 'mới', image_url: 'http://example.org/logo.png' }));
      const shown = expectOk(await server.anon.get('package_show', { id: open.id }));
      expect(shown.organization).to.include({ name: newName, title: 'Đã đổi tên', description: 'mới', image_url: 'http://example.org/logo.png' });
      expect(shown.metadata_modified).to.equal(open.metadata_modified);
      const found = expectOk(await server.anon.get('package_search', { fq: `organization:${newName}`, rows: 10 }));
      expect(found.results.map((p: { id: string }) => p.id)).to.deep.equal([open.id]);
      expect(found.results[0].organization.title).to.equal('Đã đổi tên');
      const old = expectOk(await server.admin.get('package_show', { id: deleted.id }));
      expect(old.organization.name).to.equal(newName);
    });
  });

  describe('organization_delete and organization_purge', () => {
    it('deletes an organization without datasets (test_delete_org_without_datasets)', async () => {
      const owner = await server.createUser(uniqueName('owner'));
      const org = await createOrg(server.client(owner.token));
      expect(expectOk(await server.client(owner.token).post('organization_delete', { id: org.id }))).to.equal(null);
      expect(expectOk(await server.admin.get('organization_show', { id: org.id })).state).to.equal('deleted');
      expectError(await server.anon.get('organization_show', { id: org.id }), 403, 'Authorization Error');
      expectError(await server.client(owner.token).get('organization_show', { id: org.id }), 403, 'Authorization Error');
      expect(expectOk(await server.client(owner.token).get('organization_list_for_user'))).to.deep.equal([]);
      expect(expectOk(await server.admin.get('member_list', { id: org.id }))).to.deep.equal([]);
    });

    it('refuses while datasets remain, with CKAN\'s message', async () => {
      const org = await createOrg(server.admin);
      const dataset = await createDataset(server.admin, org.id);
      const error = expectError(await server.admin.post('organization_delete', { id: org.id }), 409, 'Validation Error');
      expect(error).to.deep.equal({ __type: 'Validation Error', message: 'Organization cannot be deleted while it still has datasets' });
      expectOk(await server.admin.post('package_delete', { id: dataset.id }));
      expectOk(await server.admin.post('organization_delete', { id: org.id }));
      expect(expectOk(await server.admin.get('package_show', { id: dataset.id })).organization).to.equal(null);
    });

    it('frees the name of a deleted organization for a new one', async () => {
      const org = await createOrg(server.admin);
      expectOk(await server.admin.post('organization_delete', { id: org.name }));
      const again = await createOrg(server.admin, { name: org.name });
      expect(again.id).not.to.equal(org.id);
      expect(expectOk(await server.admin.get('organization_show', { id: org.id })).name).to.equal(org.id);
    });

    it('lets only admins delete, and gives 404 for an unknown id', async () => {
      const org = await createOrg(server.client(alice.token));
      await addMember(server, org.id, bob, 'editor');
      const error = expectError(await server.client(bob.token).post('organization_delete', { id: org.id }), 403, 'Authorization Error');
      expect(error.message).to.equal(`Access denied: User ${bob.name} not authorized to delete organization ${org.id}`);
      expectError(await server.admin.post('organization_delete', { id: 'no-such-org' }), 404, 'Not Found Error');
    });

    it('purges: sysadmins only; the datasets stay, without an organization (TestOrganizationPurge)', async () => {
      const org = await createOrg(server.client(alice.token));
      const dataset = await createDataset(server.client(alice.token), org.id);
      expectError(await server.client(alice.token).post('organization_purge', { id: org.name }), 403, 'Authorization Error');
      expectOk(await server.admin.post('organization_purge', { id: org.name }));
      expectError(await server.anon.get('organization_show', { id: org.name }), 404, 'Not Found Error');
      expect(expectOk(await server.anon.get('organization_list'))).not.to.include(org.name);
      const shown = expectOk(await server.admin.get('package_show', { id: dataset.id }));
      expect(shown.owner_org).to.equal(null);
      expect(shown.organization).to.equal(null);
      const found = expectOk(await server.admin.get('package_search', { fq: `name:${dataset.name}`, rows: 10 }));
      expect(found.results[0].owner_org).to.equal(null);
      expect(expectError(await server.admin.post('organization_purge', { id: '123' }), 404, 'Not Found Error').message).to.equal('Not found: Organization was not found');
      expect(expectError(await server.admin.post('organization_purge', {}), 409, 'Validation Error').id).to.deep.equal(['Missing value']);
    });
  });

  describe('organization_list_for_user', () => {
    it('returns the one organization a user administers, with the capacity (test_when_user_is_an_admin_of_one_organization)', async () => {
      const user = await server.createUser(uniqueName('u'));
      const org = await createOrg(server.admin);
      await createOrg(server.admin);
      expectOk(await server.admin.post('member_create', { id: org.id, object: user.id, object_type: 'user', capacity: 'admin' }));
      const orgs = expectOk(await server.client(user.token).get('organization_list_for_user'));
      expect(orgs.map((o: { id: string }) => o.id)).to.deep.equal([org.id]);
      expect(orgs[0].capacity).to.equal('admin');
      expect(orgs[0]).not.to.have.any.keys('package_count', 'users', 'extras');
    });

    it('returns every active organization to a sysadmin, as admin (test_when_user_is_sysadmin)', async () => {
      const orgs = expectOk(await server.admin.get('organization_list_for_user'));
      const names = expectOk(await server.anon.get('organization_list'));
      expect(orgs.map((o: { name: string }) => o.name).sort()).to.deep.equal([...names].sort());
      expect(new Set(orgs.map((o: { capacity: string }) => o.capacity))).to.deep.equal(new Set(['admin']));
    });

    it('filters by permission (test_editor_permission, test_member_permission, test_invalid_permission)', async () => {
      const user = await server.createUser(uniqueName('u'));
      const edited = await createOrg(server.admin);
      const joined = await createOrg(server.admin);
      await addMember(server, edited.id, user, 'editor');
      await addMember(server, joined.id, user, 'member');
      const client = server.client(user.token);
      const ids = async (params: Record<string, unknown>) => expectOk(await client.post('organization_list_for_user', params)).map((o: { id: string }) => o.id).sort();
      expect(await ids({})).to.deep.equal([edited.id, joined.id].sort());
      expect(await ids({ permission: 'create_dataset' })).to.deep.equal([edited.id]);
      expect(await ids({ permission: 'read' })).to.deep.equal([edited.id, joined.id].sort());
      for (const permission of ['', ' ', 'foo', 27.3, 5, true, false, null]) expect(await ids({ permission })).to.deep.equal([]);
    });

    it('leaves out groups, deleted organizations and former memberships', async () => {
      const user = await server.createUser(uniqueName('u'));
      const group = expectOk(await server.admin.post('group_create', { name: uniqueName('grp') }));
      expectOk(await server.admin.post('member_create', { id: group.id, object: user.id, object_type: 'user', capacity: 'admin' }));
      const left = await createOrg(server.admin);
      await addMember(server, left.id, user, 'admin');
      expectOk(await server.admin.post('member_delete', { id: left.id, object: user.id, object_type: 'user' }));
      const deleted = await createOrg(server.admin);
      await addMember(server, deleted.id, user, 'admin');
      expectOk(await server.client(user.token).post('organization_delete', { id: deleted.id }));
      expect(expectOk(await server.client(user.token).get('organization_list_for_user'))).to.deep.equal([]);
    });

    it('answers for another user by id, counts datasets on request, and [] for anonymous callers', async () => {
      const user = await server.createUser(uniqueName('u'));
      const org = await createOrg(server.admin);
      await createDataset(server.admin, org.id);
      await createDataset(server.admin, org.id, { private: true });
      await addMember(server, org.id, user, 'member');
      const orgs = expectOk(await server.anon.get('organization_list_for_user', { id: user.name, include_dataset_count: 'true' }));
      expect(orgs).to.have.length(1);
      expect(orgs[0]).to.include({ id: org.id, capacity: 'member' });
      expect(orgs[0].package_count).to.be.a('number');
      expect(expectOk(await server.anon.get('organization_list_for_user'))).to.deep.equal([]);
      expectError(await server.anon.get('organization_list_for_user', { id: 'no-such-user' }), 404, 'Not Found Error');
    });

    it('extends an admin\'s rights to the organizations below (test_when_permissions_extend_to_sub_organizations)', async () => {
      const user = await server.createUser(uniqueName('u'));
      const top = await createOrg(server.admin, { users: [{ name: user.name, capacity: 'admin' }] });
      const middle = await createOrg(server.admin, { users: [{ name: user.name, capacity: 'admin' }] });
      const bottom = await createOrg(server.admin);
      expectOk(await server.admin.post('member_create', { id: bottom.id, object: middle.id, object_type: 'group', capacity: 'parent' }));
      expectOk(await server.admin.post('member_create', { id: middle.id, object: top.id, object_type: 'group', capacity: 'parent' }));
      const orgs = expectOk(await server.client(user.token).get('organization_list_for_user'));
      expect(orgs.map((o: { id: string }) => o.id).sort()).to.deep.equal([top.id, middle.id, bottom.id].sort());
    });
  });

  describe('memberships', () => {
    it('adds, lists and removes users with organization_member_create / _delete and member_list', async () => {
      const org = await createOrg(server.client(alice.token));
      const member = expectOk(await server.client(alice.token).post('organization_member_create', { id: org.name, username: bob.name, role: 'editor' }));
      expect(member).to.have.all.keys('capacity', 'group_id', 'id', 'state', 'table_id', 'table_name');
      expect(member).to.include({ capacity: 'editor', group_id: org.id, table_id: bob.id, table_name: 'user', state: 'active' });
      const users = expectOk(await server.anon.get('member_list', { id: org.id, object_type: 'user' }));
      expect(users.map((m: string[]) => m.slice(0, 2)).sort()).to.deep.equal([[alice.id, 'user'], [bob.id, 'user']].sort());
      expect(expectOk(await server.anon.get('member_list', { id: org.id, object_type: 'user', capacity: 'editor' }))).to.have.length(1);
      expect(expectOk(await server.client(bob.token).get('organization_list_for_user', { permission: 'create_dataset' })).map((o: { id: string }) => o.id)).to.include(org.id);
      expectOk(await server.client(alice.token).post('organization_member_delete', { id: org.id, username: bob.name }));
      expect(expectOk(await server.anon.get('member_list', { id: org.id, object_type: 'user' })).map((m: string[]) => m[0])).to.deep.equal([alice.id]);
    });

    it('lists the datasets of an organization until they are deleted (test_dataset_delete_marks_membership_of_org_as_deleted)', async () => {
      const org = await createOrg(server.admin);
      const dataset = await createDataset(server.admin, org.id);
      const members = expectOk(await server.admin.get('member_list', { id: org.id, object_type: 'package' }));
      expect(members).to.have.length(1);
      expect(members[0].slice(0, 2)).to.deep.equal([dataset.id, 'package']);
      expectOk(await server.admin.post('package_delete', { id: dataset.id }));
      expect(expectOk(await server.admin.get('member_list', { id: org.id, object_type: 'package' }))).to.deep.equal([]);
    });

    it('does not let editors manage members, here or in another organization', async () => {
      const own = await createOrg(server.admin);
      const other = await createOrg(server.admin);
      await addMember(server, own.id, carol, 'editor');
      for (const org of [own, other]) {
        const error = expectError(await server.client(carol.token).post('organization_member_create', { id: org.id, username: bob.name, role: 'member' }), 403, 'Authorization Error');
        expect(error.message).to.equal(`Access denied: User ${carol.name} not authorized to add members`);
        expectError(await server.client(carol.token).post('member_create', { id: org.id, object: bob.name, object_type: 'user', capacity: 'member' }), 403, 'Authorization Error');
        expectError(await server.client(carol.token).post('organization_member_delete', { id: org.id, username: carol.name }), 403, 'Authorization Error');
      }
    });

    it('does not let an admin downgrade themself', async () => {
      const org = await createOrg(server.client(alice.token));
      const error = expectError(await server.client(alice.token).post('organization_member_create', { id: org.id, username: alice.name, role: 'member' }), 403, 'Authorization Error');
      expect(error.message).to.equal('Access denied: Administrators cannot revoke their own admin status');
      expectOk(await server.client(alice.token).post('member_create', { id: org.id, object: alice.id, object_type: 'user', capacity: 'admin' }));
    });

    it('checks the member schema (unknown user, group or role) with 409s', async () => {
      const org = await createOrg(server.admin);
      const error = expectError(await server.admin.post('organization_member_create', { id: 'no-such-org', username: 'no-such-user', role: 'boss' }), 409, 'Validation Error');
      expect(error).to.deep.equal({
        __type: 'Validation Error',
        id: ['That group name or ID does not exist.'],
        username: ['Not found: User'],
        role: ['role does not exist.'],
      });
      const missing = expectError(await server.admin.post('organization_member_create', { id: org.id }), 409, 'Validation Error');
      expect(missing).to.include.keys('username', 'role');
    });

    it('answers member_create and member_delete for unknown things with 404 and bad types with 409', async () => {
      const org = await createOrg(server.admin);
      expect(expectError(await server.admin.post('member_create', { id: 'nope', object: bob.id, object_type: 'user', capacity: 'member' }), 404, 'Not Found Error').message).to.equal(
        'Not found: Group was not found.',
      );
      expect(expectError(await server.admin.post('member_create', { id: org.id, object: 'nobody', object_type: 'user', capacity: 'member' }), 404, 'Not Found Error').message).to.equal(
        'Not found: User was not found.',
      );
      expect(expectError(await server.admin.post('member_create', { id: org.id, object: bob.id, object_type: 'resource', capacity: 'member' }), 409, 'Validation Error').message).to.equal(
        "Resource isn't a valid model",
      );
      expect(expectError(await server.admin.post('member_create', { id: org.id, object: bob.id, object_type: 'user', capacity: 'boss' }), 409, 'Validation Error').capacity).to.deep.equal([
        'role does not exist.',
      ]);
      const missing = expectError(await server.admin.post('member_create', {}), 409, 'Validation Error');
      expect(missing).to.include.keys('id', 'object', 'object_type', 'capacity');
      expectError(await server.admin.post('member_delete', { id: org.id, object: 'nobody', object_type: 'user' }), 404, 'Not Found Error');
      expectError(await server.admin.get('member_list', { id: 'nope' }), 404, 'Not Found Error');
      expectError(await server.admin.post('organization_member_delete', { id: 'nope', username: bob.name }), 404, 'Not Found Error');
    });

    it('lists the roles (member_roles_list)', async () => {
      const roles = expectOk(await server.anon.get('member_roles_list'));
      expect(roles.map((r: { value: string }) => r.value)).to.deep.equal(['admin', 'editor', 'member']);
      expect(roles[0].text).to.equal('Quản trị viên');
    });
  });

  describe('bad input', () => {
    it('never answers 500', async function () {
      this.timeout(120000);
      const org = await createOrg(server.admin);
      const weird = [null, 0, -1, true, '', ' ', 'Ưu tiên', [], ['a'], [{}], {}, { a: 1 }, 'x'.repeat(300)];
      const actions = [
        'organization_show', 'organization_list', 'organization_list_for_user', 'organization_create', 'organization_update', 'organization_patch',
        'member_create', 'member_delete', 'member_list', 'organization_member_create', 'organization_member_delete', 'member_roles_list',
        'organization_delete', 'organization_purge',
      ];
      const keys = [
        'name', 'title', 'limit', 'offset', 'sort', 'all_fields', 'organizations', 'q', 'permission', 'include_datasets', 'include_users', 'object',
        'object_type', 'capacity', 'username', 'role', 'users', 'extras', 'groups', 'state', 'type', 'image_url', 'packages',
      ];
      const check = async (action: string, data: Record<string, unknown>) => {
        const response = await server.admin.post(action, data);
        expect(response.status, `${action} ${JSON.stringify(data)}: ${response.text}`).to.be.below(500);
      };
      for (const action of actions) {
        // Every key weird at once (validation reports them together), with a real id and a weird one.
        for (const value of weird) {
          const all = Object.fromEntries(keys.map((key) => [key, value]));
          await check(action, { ...all, id: org.id });
          await check(action, { ...all, id: value });
        }
        // Each key alone, with the values most likely to trip a handler.
        for (const key of keys) for (const value of [{ a: 1 }, [{ a: 1 }], 12]) await check(action, { id: org.id, object_type: 'user', [key]: value });
      }
    });
  });
});

describe('organizations with other settings', function () {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      config: { auth: { create_unowned_dataset: true, user_create_organizations: false, public_user_details: false }, groups: { list_max: 5, list_all_fields_max: 3 } },
    });
    const { repos, knex, clock } = server.kernel.container.cradle;
    for (let i = 0; i < 7; i++) {
      await repos.groups.insert(knex, {
        id: randomUUID(), name: `bulk-org-${i}`, title: `Bulk ${i}`, type: 'organization', description: '', image_url: '', created: clock.nowIso(),
        is_organization: true, approval_status: 'approved', state: 'active', extras: [], fields: {},
      });
    }
  });
  after(async () => server?.close());

  it('caps the list at the configured maximums (test_limit_configured, test_all_fields_limit_configured)', async () => {
    expect(expectOk(await server.anon.get('organization_list'))).to.have.length(5);
    expect(expectOk(await server.anon.get('organization_list', { limit: 2 }))).to.have.length(2);
    expect(expectOk(await server.anon.get('organization_list', { limit: 50 }))).to.have.length(5);
    expect(expectOk(await server.anon.get('organization_list', { all_fields: true }))).to.have.length(3);
    expect(expectOk(await server.anon.get('organization_list', { all_fields: true, limit: 2 }))).to.have.length(2);
    expect(expectOk(await server.anon.get('organization_list', { offset: 6 }))).to.deep.equal(['bulk-org-6']);
  });

  it('lets only sysadmins create organizations when user_create_organizations is off', async () => {
    const user = await server.createUser(uniqueName('u'));
    const error = expectError(await server.client(user.token).post('organization_create', { name: uniqueName('org') }), 403, 'Authorization Error');
    expect(error.message).to.equal(`Access denied: User ${user.id} not authorized to create organizations`);
    expectOk(await server.admin.post('organization_create', { name: uniqueName('org') }));
  });

  it('orphans the datasets of a deleted organization when unowned datasets are allowed', async () => {
    const org = expectOk(await server.admin.post('organization_create', { name: uniqueName('org') }));
    const dataset = expectOk(await server.admin.post('package_create', { name: uniqueName('ds'), owner_org: org.id }));
    expectOk(await server.admin.post('organization_delete', { id: org.id }));
    const shown = expectOk(await server.anon.get('package_show', { id: dataset.id }));
    expect(shown.owner_org).to.equal(null);
    expect(shown.organization).to.equal(null);
    const found = expectOk(await server.anon.get('package_search', { fq: `name:${dataset.name}`, rows: 10 }));
    expect(found.results[0].owner_org).to.equal(null);
  });

  it('hides users from anonymous callers when user details are private', async () => {
    const org = expectOk(await server.admin.post('organization_create', { name: uniqueName('org') }));
    const shown = expectOk(await server.anon.get('organization_show', { id: org.id }));
    expect(shown).not.to.have.key('users');
    expectError(await server.anon.get('organization_show', { id: org.id, include_users: true }), 403, 'Authorization Error');
    expectError(await server.anon.get('member_list', { id: org.id, object_type: 'user' }), 403, 'Authorization Error');
    expect(expectOk(await server.admin.get('organization_show', { id: org.id, include_users: true })).users).to.have.length(1);
  });
});

describe('organization plugins: hooks and declared fields', function () {
  let server: TestServer;
  const calls: string[] = [];
  const plugin = definePlugin({
    name: 'org-test-plugin',
    version: '1',
    register(api) {
      api.organizationFields([
        { field_name: 'ma_so_thue', label: { vi: 'Mã số thuế', en: 'Tax code' }, required: true },
        { field_name: 'cap_hanh_chinh', label: 'Cấp', choices: [{ value: 'tinh', label: 'Tỉnh' }, { value: 'huyen', label: 'Huyện' }] },
      ]);
      api.organizationController({
        before_create: (_context, org) => {
          calls.push(`before_create:${org.name}`);
          if (org.title === '') org.title = `Tổ chức ${org.name}`;
        },
        after_create: (_context, org) => void calls.push(`after_create:${org.name}:${org.users.length}`),
        before_update: (_context, org, previous) => void calls.push(`before_update:${previous.title}->${org.title}`),
        after_update: (_context, org) => void calls.push(`after_update:${org.title}`),
        before_delete: (_context, org) => {
          calls.push(`before_delete:${org.name}`);
          if (org.name.startsWith('keep-')) throw new ValidationError({ message: 'This one stays' });
        },
        after_delete: (_context, org) => void calls.push(`after_delete:${org.state}`),
      });
    },
  });

  before(async () => {
    server = await startTestServer({ plugins: [plugin] });
  });
  after(async () => server?.close());

  it('validates declared fields and shows them at the top level', async () => {
    const missing = expectError(await server.admin.post('organization_create', { name: uniqueName('org') }), 409, 'Validation Error');
    expect(missing.ma_so_thue).to.deep.equal(['Missing value']);
    const bad = expectError(await server.admin.post('organization_create', { name: uniqueName('org'), ma_so_thue: '0101', cap_hanh_chinh: 'xa' }), 409, 'Validation Error');
    expect(bad.cap_hanh_chinh).to.deep.equal(['Value must be one of: tinh, huyen']);
    const org = expectOk(await server.admin.post('organization_create', { name: uniqueName('org'), ma_so_thue: '0101234567', cap_hanh_chinh: 'tinh' }));
    expect(org).to.include({ ma_so_thue: '0101234567', cap_hanh_chinh: 'tinh' });
    const patched = expectOk(await server.admin.post('organization_patch', { id: org.id, title: 'Mới' }));
    expect(patched).to.include({ ma_so_thue: '0101234567', cap_hanh_chinh: 'tinh' });
    const updated = expectOk(await server.admin.post('organization_update', { id: org.id, ma_so_thue: '0202' }));
    expect(updated).to.include({ ma_so_thue: '0202', cap_hanh_chinh: null });
  });

  it('runs the hooks inside the write, and a hook error rolls it back', async () => {
    calls.length = 0;
    const name = uniqueName('org');
    const org = expectOk(await server.admin.post('organization_create', { name, ma_so_thue: '1' }));
    expect(org.title).to.equal(`Tổ chức ${name}`);
    expectOk(await server.admin.post('organization_patch', { id: org.id, title: 'Đổi' }));
    expectOk(await server.admin.post('organization_delete', { id: org.id }));
    expect(calls).to.deep.equal([
      `before_create:${name}`,
      `after_create:${name}:1`,
      `before_update:Tổ chức ${name}->Đổi`,
      'after_update:Đổi',
      `before_delete:${name}`,
      'after_delete:deleted',
    ]);
    const kept = expectOk(await server.admin.post('organization_create', { name: uniqueName('keep'), ma_so_thue: '1' }));
    expect(expectError(await server.admin.post('organization_delete', { id: kept.id }), 409, 'Validation Error').message).to.equal('This one stays');
    expect(expectOk(await server.anon.get('organization_show', { id: kept.id })).state).to.equal('active');
  });
});
