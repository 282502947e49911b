// Groups over HTTP, ported from ckan/tests/logic/action: TestGroupList (section 6 row 27),
// TestGroupShow (row 28's group twins), TestGroupPurge (row 24), TestMemberCreate2 / TestMembersList
// (row 33: datasets and users joining groups through member_create), test_patch.py group tests,
// group_list_authz; plus bad input, and the rule that a dataset never shows a stale group.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import type { ApiClient } from '../helpers/api-client.ts';
import { uniqueName, expectOk, expectError } from '../helpers/expect.ts';

async function createGroup(client: ApiClient, extra: Record<string, unknown> = {}) {
  return expectOk(await client.post('group_create', { name: uniqueName('grp'), title: 'Nhóm thử', ...extra }));
}

const names = (list: Array<{ name: string }>) => list.map((item) => item.name);

describe('groups', function () {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let org: { id: string; name: string };

  before(async () => {
    server = await startTestServer();
    alice = await server.createUser(uniqueName('alice'));
    bob = await server.createUser(uniqueName('bob'));
    org = expectOk(await server.admin.post('organization_create', { name: uniqueName('org') }));
  });
  after(async () => server?.close());

  async function createDataset(extra: Record<string, unknown> = {}) {
    return expectOk(await server.admin.post('package_create', { name: uniqueName('ds'), owner_org: org.id, ...extra }));
  }

  describe('group_create and group_show', () => {
    it('makes the creator admin; group_show returns the same dict (test_group_show)', async () => {
      const group = await createGroup(server.client(alice.token), { description: 'Dữ liệu đất đai' });
      expect(group).to.include({ type: 'group', is_organization: false, description: 'Dữ liệu đất đai', package_count: 0 });
      expect(group.users.map((u: { name: string; capacity: string }) => [u.name, u.capacity])).to.deep.equal([[alice.name, 'admin']]);
      const shown = expectOk(await server.anon.get('group_show', { id: group.id, include_datasets: true }));
      expect(shown.packages).to.deep.equal([]);
      delete shown.packages;
      expect(shown).to.deep.equal(group);
    });

    it('gives 404 for an unknown group and for an organization (test_group_show_error_for_organization)', async () => {
      expectError(await server.anon.get('group_show', { id: 'does_not_exist' }), 404, 'Not Found Error');
      expectError(await server.anon.get('group_show', { id: org.id }), 404, 'Not Found Error');
    });

    it('refuses to create an organization through group_create, and anonymous callers', async () => {
      expectError(await server.admin.post('group_create', { name: uniqueName('grp'), type: 'organization' }), 409, 'Validation Error');
      expectError(await server.anon.post('group_create', { name: uniqueName('grp') }), 403, 'Authorization Error');
    });

    it('validates names like organizations do, in the same namespace', async () => {
      expect(expectError(await server.admin.post('group_create', { name: 'Nhóm-Đất' }), 409, 'Validation Error').name).to.deep.equal([
        'Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_',
      ]);
      expect(expectError(await server.admin.post('group_create', { name: org.name }), 409, 'Validation Error').name).to.deep.equal(['Group name already exists in database']);
      expect(expectError(await server.admin.post('group_create', { name: 'y'.repeat(101) }), 409, 'Validation Error').name).to.deep.equal([
        'Name must be a maximum of 100 characters long',
      ]);
    });

    it('shows the datasets of the group and counts them (test_group_show_packages_returned)', async () => {
      const group = await createGroup(server.admin);
      const one = await createDataset({ groups: [{ name: group.name }] });
      const two = await createDataset({ groups: [{ id: group.id }] });
      const shown = expectOk(await server.anon.get('group_show', { id: group.id, include_datasets: true }));
      expect(names(shown.packages).sort()).to.deep.equal([one.name, two.name].sort());
      expect(shown.package_count).to.equal(2);
      const counted = expectOk(await server.anon.get('group_show', { id: group.id, include_datasets: false }));
      expect(counted).not.to.have.key('packages');
      expect(counted.package_count).to.equal(2);
      // Renamed, the group keeps its datasets; a deleted dataset no longer counts.
      expectOk(await server.admin.post('group_patch', { id: group.id, name: `${group.name}-moi` }));
      expectOk(await server.admin.post('package_delete', { id: one.id }));
      const renamed = expectOk(await server.anon.get('group_show', { id: group.id }));
      expect(renamed.package_count).to.equal(1);
      const listed = expectOk(await server.anon.get('group_list', { all_fields: true, groups: [`${group.name}-moi`] }));
      expect(listed.map((g: { package_count: number }) => g.package_count)).to.deep.equal([1]);
    });

    it('never shows private datasets, to anyone (test_group_show_does_not_show_private_datasets)', async () => {
      const group = await createGroup(server.admin);
      const hidden = await createDataset({ private: true });
      expectOk(await server.admin.post('member_create', { id: group.id, object: hidden.id, object_type: 'package', capacity: 'public' }));
      for (const client of [server.admin, server.anon, server.client(alice.token)]) {
        const shown = expectOk(await client.get('group_show', { id: group.id, include_datasets: true }));
        expect(shown.packages).to.deep.equal([]);
        expect(shown.package_count).to.equal(0);
      }
    });

    it('lists parent groups under "groups"', async () => {
      const parent = await createGroup(server.admin, { title: 'Cha' });
      const child = await createGroup(server.admin, { groups: [{ name: parent.name }] });
      expect(names(child.groups)).to.deep.equal([parent.name]);
      expect(child.groups[0]).to.include({ capacity: 'public', package_count: 0, display_name: 'Cha' });
    });
  });

  describe('group_list', () => {
    let zz: string;
    let yy: string;

    before(async () => {
      zz = (await createGroup(server.admin, { name: uniqueName('zz'), title: 'aa' })).name;
      yy = (await createGroup(server.admin, { name: uniqueName('yy'), title: 'bb', extras: [{ key: 'key1', value: 'val1' }] })).name;
    });

    it('sorts by title by default and lists only groups of type group (test_group_list_sort_default)', async () => {
      expect(expectOk(await server.anon.get('group_list', { groups: [zz, yy] }))).to.deep.equal([zz, yy]);
      const all = expectOk(await server.anon.get('group_list'));
      expect(all).not.to.include(org.name);
      const custom = await createGroup(server.admin, { type: 'custom' });
      expect(expectOk(await server.anon.get('group_list'))).not.to.include(custom.name);
      expect(expectOk(await server.anon.get('group_list', { type: 'custom' }))).to.deep.equal([custom.name]);
    });

    it('filters by name, pages, and takes limits as strings (test_group_list_filter_by_name, _limit, _offset)', async () => {
      expect(expectOk(await server.anon.get('group_list', { groups: `${yy},${zz}`, sort: 'name asc' }))).to.deep.equal([yy, zz].sort());
      expect(expectOk(await server.anon.get('group_list', { groups: [zz, yy], limit: '1' }))).to.deep.equal([zz]);
      expect(expectOk(await server.anon.get('group_list', { groups: [zz, yy], limit: 1, offset: 1 }))).to.deep.equal([yy]);
      expect(expectError(await server.anon.get('group_list', { limit: 'a' }), 409, 'Validation Error').limit).to.deep.equal(['Invalid integer']);
      expect(expectError(await server.anon.get('group_list', { offset: '-2' }), 409, 'Validation Error').offset).to.deep.equal(['Must be a natural number']);
      expect(expectError(await server.anon.get('group_list', { sort: 'bogus desc' }), 409, 'Validation Error').message).to.equal('Cannot sort by field `bogus`');
    });

    it('returns group_show dicts without users, tags, extras, groups with all_fields (test_group_list_all_fields)', async () => {
      const [dict] = expectOk(await server.anon.get('group_list', { all_fields: true, groups: yy }));
      const shown = expectOk(await server.anon.get('group_show', { id: yy }));
      for (const key of ['users', 'tags', 'extras', 'groups']) delete shown[key];
      expect(dict).to.deep.equal(shown);
      expect(dict).not.to.have.any.keys('users', 'tags', 'extras', 'groups', 'packages');
    });

    it('adds extras, users and groups on request (test_group_list_extras_returned, _users_returned, _groups_returned)', async () => {
      const [withExtras] = expectOk(await server.anon.get('group_list', { all_fields: true, include_extras: true, groups: yy }));
      expect(withExtras.extras).to.deep.equal([{ key: 'key1', value: 'val1' }]);
      const [withUsers] = expectOk(await server.anon.get('group_list', { all_fields: true, include_users: true, groups: yy }));
      expect(names(withUsers.users)).to.deep.equal(['test-sysadmin']);
      const parent = await createGroup(server.admin);
      const child = await createGroup(server.admin, { groups: [{ name: parent.name }] });
      const [withGroups] = expectOk(await server.anon.get('group_list', { all_fields: true, include_groups: true, groups: child.name }));
      expect(names(withGroups.groups)).to.deep.equal([parent.name]);
    });

    it('sorts by package count (test_group_list_sort_by_package_count_ascending)', async () => {
      const aa = await createGroup(server.admin);
      const bb = await createGroup(server.admin);
      await createDataset({ groups: [{ name: aa.name }, { name: bb.name }] });
      await createDataset({ groups: [{ name: aa.name }] });
      expect(expectOk(await server.anon.get('group_list', { groups: [aa.name, bb.name], sort: 'package_count asc' }))).to.deep.equal([bb.name, aa.name]);
      expect(expectOk(await server.anon.get('group_list', { groups: [aa.name, bb.name], sort: 'package_count' }))).to.deep.equal([aa.name, bb.name]);
    });
  });

  describe('datasets in groups', () => {
    it('lets any member of a group add and remove datasets with member_create / member_delete', async () => {
      const group = await createGroup(server.admin, { users: [{ name: bob.name, capacity: 'member' }] });
      const dataset = await createDataset();
      const member = expectOk(await server.client(bob.token).post('member_create', { id: group.name, object: dataset.name, object_type: 'package', capacity: 'public' }));
      expect(member).to.include({ table_name: 'package', table_id: dataset.id, group_id: group.id, capacity: 'public', state: 'active' });
      const shown = expectOk(await server.anon.get('package_show', { id: dataset.id }));
      expect(shown.groups).to.deep.equal([
        { description: '', display_name: group.title, id: group.id, image_display_url: '', name: group.name, title: group.title },
      ]);
      const found = expectOk(await server.anon.get('package_search', { fq: `groups:${group.name}`, rows: 10 }));
      expect(found.results.map((p: { id: string }) => p.id)).to.deep.equal([dataset.id]);
      const members = expectOk(await server.anon.get('member_list', { id: group.id, object_type: 'package' }));
      expect(members).to.deep.equal([[dataset.id, 'package', 'public']]);

      expectOk(await server.client(bob.token).post('member_delete', { id: group.id, object: dataset.id, object_type: 'package' }));
      expect(expectOk(await server.anon.get('package_show', { id: dataset.id })).groups).to.deep.equal([]);
      expect(expectOk(await server.anon.get('package_search', { fq: `groups:${group.name}`, rows: 10 })).count).to.equal(0);
    });

    it('group_package_show lists a group\'s datasets (ckanr\'s group_package_show), with limit, and an organization\'s', async () => {
      const group = await createGroup(server.admin);
      const inGroup = [];
      for (let i = 0; i < 3; i++) inGroup.push(await createDataset({ groups: [{ name: group.name }] }));
      await createDataset({ private: true, groups: [{ name: group.name }] });
      const listed = expectOk(await server.anon.get('group_package_show', { id: group.name }));
      expect(listed.map((p: { id: string }) => p.id).sort()).to.deep.equal(inGroup.map((p) => p.id).sort());
      expect(listed[0]).to.have.property('resources');
      expect(expectOk(await server.anon.get('group_package_show', { id: group.id, limit: 2 }))).to.have.length(2);
      for (const limit of [-1, 'abc', '1.5']) {
        const refused = await server.anon.get('group_package_show', { id: group.id, limit });
        expect(refused.status).to.equal(409);
        expect(refused.body.error).to.deep.equal({ __type: 'Validation Error', message: 'Limit must be a positive integer' });
      }
      // "0" is a limit (CKAN's int("0")); an empty one is the default
      expect(expectOk(await server.anon.get('group_package_show', { id: group.id, limit: '0' }))).to.deep.equal([]);
      expect(expectOk(await server.anon.get('group_package_show', { id: group.id, limit: '' }))).to.have.length(3);
      expectError(await server.anon.get('group_package_show', { id: 'khong-co' }), 404, 'Not Found Error');
      const ofOrg = expectOk(await server.anon.get('group_package_show', { id: org.name, limit: 1000 }));
      expect(ofOrg.length).to.be.greaterThan(0);
      expect(ofOrg.every((p: { owner_org: string }) => p.owner_org === org.id)).to.equal(true);
    });

    it('refuses users who are not members of the group', async () => {
      const group = await createGroup(server.admin);
      const dataset = await createDataset();
      const error = expectError(await server.client(alice.token).post('member_create', { id: group.id, object: dataset.id, object_type: 'package', capacity: 'public' }), 403, 'Authorization Error');
      expect(error.message).to.equal(`Access denied: User ${alice.name} not authorized to edit group ${group.id}`);
      expectError(await server.anon.post('member_create', { id: group.id, object: dataset.id, object_type: 'package', capacity: 'public' }), 403, 'Authorization Error');
      expect(expectError(await server.admin.post('member_create', { id: group.id, object: 'no-such-dataset', object_type: 'package', capacity: 'public' }), 404, 'Not Found Error').message).to.equal(
        'Not found: Package was not found.',
      );
    });

    it('replaces the datasets with group_update packages, and keeps them on patch (test_group_patch_preserve_datasets)', async () => {
      const group = await createGroup(server.admin);
      const one = await createDataset({ groups: [{ name: group.name }] });
      const two = await createDataset();
      const patched = expectOk(await server.admin.post('group_patch', { id: group.id, title: 'Vẫn giữ' }));
      expect(patched.package_count).to.equal(1);
      expect(names(patched.packages)).to.deep.equal([one.name]);
      const updated = expectOk(await server.admin.post('group_update', { id: group.id, packages: [{ id: two.id }] }));
      expect(names(updated.packages)).to.deep.equal([two.name]);
      expect(expectOk(await server.anon.get('package_show', { id: one.id })).groups).to.deep.equal([]);
      expect(names(expectOk(await server.anon.get('package_show', { id: two.id })).groups)).to.deep.equal([group.name]);
      const emptied = expectOk(await server.admin.post('group_patch', { id: group.id, packages: [] }));
      expect(emptied.package_count).to.equal(0);
      const missing = expectError(await server.admin.post('group_update', { id: group.id, packages: [{ id: 'no-such-dataset' }] }), 409, 'Validation Error');
      expect(missing.packages).to.deep.equal([{ id: ['Not found: Dataset'] }]);
    });

    it('re-renders the group in its datasets when it changes (package_show and package_search)', async () => {
      const group = await createGroup(server.client(alice.token));
      const dataset = await createDataset({ groups: [{ name: group.name }] });
      const newName = uniqueName('renamed');
      expectOk(await server.client(alice.token).post('group_patch', { id: group.id, name: newName, title: 'Tên nhóm mới', image_url: 'logo.png' }));
      const shown = expectOk(await server.anon.get('package_show', { id: dataset.id }));
      expect(shown.groups).to.deep.equal([
        { description: '', display_name: 'Tên nhóm mới', id: group.id, image_display_url: 'http://kho.test/uploads/group/logo.png', name: newName, title: 'Tên nhóm mới' },
      ]);
      const found = expectOk(await server.anon.get('package_search', { fq: `groups:${newName}`, rows: 10 }));
      expect(found.results.map((p: { id: string }) => p.id)).to.deep.equal([dataset.id]);
      expect(found.results[0].groups[0].title).to.equal('Tên nhóm mới');
      expect(expectOk(await server.anon.get('package_search', { fq: `groups:${group.name}`, rows: 10 })).count).to.equal(0);
    });

    it('takes a deleted group out of its datasets (group_delete)', async () => {
      const group = await createGroup(server.client(alice.token));
      const dataset = await createDataset({ groups: [{ name: group.name }] });
      expectOk(await server.client(alice.token).post('group_delete', { id: group.name }));
      expect(expectOk(await server.anon.get('package_show', { id: dataset.id })).groups).to.deep.equal([]);
      expect(expectOk(await server.anon.get('group_list'))).not.to.include(group.name);
      expect(expectOk(await server.admin.get('member_list', { id: group.id }))).to.deep.equal([]);
      expect(expectOk(await server.admin.get('group_show', { id: group.id })).state).to.equal('deleted');
      expectError(await server.anon.get('group_show', { id: group.id }), 403, 'Authorization Error');
    });

    it('purges a group: sysadmins only, gone from datasets and search (TestGroupPurge)', async () => {
      const group = await createGroup(server.client(alice.token));
      const dataset = await createDataset({ groups: [{ name: group.name }] });
      expectError(await server.client(alice.token).post('group_purge', { id: group.name }), 403, 'Authorization Error');
      expectOk(await server.admin.post('group_purge', { id: group.name }));
      expectError(await server.anon.get('group_show', { id: group.name }), 404, 'Not Found Error');
      expect(expectOk(await server.anon.get('group_list'))).not.to.include(group.name);
      expect(expectOk(await server.anon.get('package_show', { id: dataset.id })).groups).to.deep.equal([]);
      const found = expectOk(await server.anon.get('package_search', { fq: `name:${dataset.name}`, rows: 10 }));
      expect(found.results[0].groups).to.deep.equal([]);
      expect(expectError(await server.admin.post('group_purge', { id: '123' }), 404, 'Not Found Error').message).to.equal('Not found: Group was not found');
      expectError(await server.admin.post('group_purge', {}), 409, 'Validation Error');
    });
  });

  describe('group members and group_list_authz', () => {
    it('adds and removes users with group_member_create / group_member_delete (test_user_delete_marks_membership_of_group_as_deleted)', async () => {
      const group = await createGroup(server.admin);
      expectOk(await server.admin.post('group_member_create', { id: group.id, username: bob.id, role: 'member' }));
      const members = expectOk(await server.admin.get('member_list', { id: group.id, object_type: 'user', capacity: 'member' }));
      expect(members.map((m: string[]) => m.slice(0, 2))).to.deep.equal([[bob.id, 'user']]);
      expectOk(await server.admin.post('group_member_delete', { id: group.name, username: bob.name }));
      expect(expectOk(await server.admin.get('member_list', { id: group.id, object_type: 'user', capacity: 'member' }))).to.deep.equal([]);
      expectError(await server.admin.post('group_member_delete', { id: 'nope', username: bob.name }), 404, 'Not Found Error');
      expectError(await server.admin.post('group_member_delete', { id: group.id, username: 'nobody' }), 404, 'Not Found Error');
    });

    it('lists the groups a user may add datasets to', async () => {
      const user = await server.createUser(uniqueName('u'));
      const mine = await createGroup(server.admin, { users: [{ name: user.name, capacity: 'member' }] });
      await createGroup(server.admin);
      const listed = expectOk(await server.client(user.token).get('group_list_authz'));
      expect(names(listed)).to.deep.equal([mine.name]);
      expect(listed[0]).not.to.have.any.keys('package_count', 'users');
      expect(expectOk(await server.anon.get('group_list_authz'))).to.deep.equal([]);
      const all = names(expectOk(await server.admin.get('group_list_authz')));
      expect(all).to.include(mine.name);
      expect(all).not.to.include(org.name);
      expect(expectOk(await server.admin.get('group_list_authz', { am_member: true })).length).to.be.below(all.length);
      const dataset = await createDataset({ groups: [{ name: mine.name }] });
      expect(expectOk(await server.client(user.token).get('group_list_authz', { available_only: true, package_id: dataset.id }))).to.deep.equal([]);
      const counted = expectOk(await server.client(user.token).get('group_list_authz', { include_dataset_count: true }));
      expect(counted[0].package_count).to.equal(1);
    });

    it('has no editor role for groups (member_roles_list group_type=group)', async () => {
      const roles = expectOk(await server.anon.get('member_roles_list', { group_type: 'group' }));
      expect(roles.map((r: { value: string }) => r.value)).to.deep.equal(['admin', 'member']);
    });

    it('refuses a parent that would make a loop', async () => {
      const top = await createGroup(server.admin);
      const below = await createGroup(server.admin, { groups: [{ name: top.name }] });
      const error = expectError(await server.admin.post('group_patch', { id: top.id, groups: [{ name: below.name }] }), 409, 'Validation Error');
      expect(error.groups).to.deep.equal([{ name: ['This parent would create a loop in the hierarchy'] }]);
      expect(expectError(await server.admin.post('group_patch', { id: top.id, groups: [{ name: top.name }] }), 409, 'Validation Error').groups).to.have.length(1);
    });

    it('lets only admins update or delete a group', async () => {
      const group = await createGroup(server.admin, { users: [{ name: bob.name, capacity: 'member' }] });
      const error = expectError(await server.client(bob.token).post('group_update', { id: group.id, title: 'x' }), 403, 'Authorization Error');
      expect(error.message).to.equal(`Access denied: User ${bob.name} not authorized to edit group ${group.id}`);
      expectError(await server.client(bob.token).post('group_delete', { id: group.id }), 403, 'Authorization Error');
      // group_update takes an organization, as CKAN's does (image-uploads.test.ts); group_show does not
      expectError(await server.admin.post('group_show', { id: org.id }), 404, 'Not Found Error');
      expectError(await server.admin.post('group_delete', { id: 'nope' }), 404, 'Not Found Error');
    });
  });

  describe('bad input', () => {
    it('never answers 500', async function () {
      this.timeout(120000);
      const group = await createGroup(server.admin);
      const weird = [null, 0, true, '', 'Ưu tiên', [], ['a'], [{}], {}, { a: 1 }];
      const actions = ['group_show', 'group_list', 'group_list_authz', 'group_create', 'group_update', 'group_patch', 'group_member_create', 'group_member_delete', 'group_delete', 'group_purge'];
      const keys = ['name', 'title', 'limit', 'offset', 'sort', 'all_fields', 'groups', 'q', 'available_only', 'package_id', 'include_datasets', 'username', 'role', 'users', 'extras', 'packages', 'state', 'type'];
      for (const action of actions) {
        for (const value of weird) {
          const all = Object.fromEntries(keys.map((key) => [key, value]));
          for (const id of [group.id, value]) {
            const response = await server.admin.post(action, { ...all, id });
            expect(response.status, `${action} ${JSON.stringify(value)}: ${response.text}`).to.be.below(500);
          }
        }
      }
    });
  });
});

describe('group and organization list defaults', function () {
  let server: TestServer;

  before(async function () {
    this.timeout(120000);
    server = await startTestServer();
    const { knex, clock } = server.kernel.container.cradle;
    const rows = [];
    for (const kind of ['group', 'organization']) {
      for (let i = 0; i < 1010; i++) {
        rows.push({
          id: randomUUID(), name: `bulk-${kind}-${i}`, title: `Bulk ${kind} ${i}`, type: kind, description: '', image_url: '', created: clock.nowIso(),
          is_organization: kind === 'organization', approval_status: 'approved', state: 'active', extras: '[]', fields: '{}',
        });
      }
    }
    for (let i = 0; i < rows.length; i += 500) await knex('group').insert(rows.slice(i, i + 500));
  });
  after(async () => server?.close());

  it('returns at most 1000 names and 25 dicts by default (test_limit_default, test_all_fields_limit_default)', async () => {
    for (const action of ['group_list', 'organization_list']) {
      expect(expectOk(await server.anon.get(action))).to.have.length(1000);
      expect(expectOk(await server.anon.get(action, { limit: 5000 }))).to.have.length(1000);
      expect(expectOk(await server.anon.get(action, { all_fields: true }))).to.have.length(25);
    }
  });
});
