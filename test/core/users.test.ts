// User accounts over HTTP: user_create/show/list/update/patch/delete/autocomplete, ported from
// ckan/tests/logic/action/test_{create,get,update,delete}.py (TestUserCreate, TestUserShow —
// section 6 row 30 —, TestUserList, TestUserUpdate, TestUserDelete), plus the rules for what a user
// dict may show: email and apikey to the user themself and sysadmins, never a password or its hash
// (except to a sysadmin who asks with include_password_hash).
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import type { ApiResponse } from '../helpers/api-client.ts';
import { verifyPassword } from '../../core/auth/password.ts';
import { createOrg, uniqueName } from './packages-fixtures.ts';
import { expectOk, expectError } from '../helpers/expect.ts';

const USER_KEYS = [
  'about', 'activity_streams_email_notifications', 'created', 'display_name', 'email_hash', 'fullname', 'id', 'image_display_url',
  'image_url', 'last_active', 'name', 'number_created_packages', 'state', 'sysadmin',
];

/** No response may carry a password or a stored hash unless a sysadmin asked for it. */
function expectNoSecrets(response: ApiResponse) {
  expect(response.text).not.to.include('scrypt$');
  expect(response.text).not.to.include('password');
  expect(response.text).not.to.include('reset_key');
}

function newUserData(name = uniqueName('u'), extra: Record<string, unknown> = {}): Record<string, any> {
  return { name, email: `${name}@example.org`, password: 'correct-horse', ...extra };
}

describe('users', function () {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;

  before(async () => {
    server = await startTestServer();
    alice = await server.createUser('alice-user', { email: 'Alice@Example.org' });
    bob = await server.createUser('bob-user');
  });
  after(async () => server?.close());

  describe('user_create', () => {
    it('creates an account for a sysadmin and shows them its email, never the password', async () => {
      const data = newUserData(uniqueName('new'), { fullname: 'Nguyễn Văn An', about: 'Cán bộ dữ liệu' });
      const response = await server.admin.post('user_create', data);
      const user = expectOk(response);
      expectNoSecrets(response);
      expect(user).to.include.all.keys(...USER_KEYS, 'email', 'apikey');
      expect(user).not.to.have.property('token');
      expect(user).to.include({ name: data.name, email: data.email, fullname: 'Nguyễn Văn An', display_name: 'Nguyễn Văn An', sysadmin: false, state: 'active', number_created_packages: 0 });
      expect(user.created).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
      const { repos, knex } = server.kernel.container.cradle;
      const row = await repos.users.get(knex, data.name);
      expect(row!.password_hash).to.match(/^scrypt\$/);
      expect(await verifyPassword('correct-horse', row!.password_hash)).to.equal(true);
    });

    it('with_apitoken returns a token that works at once (2.11)', async () => {
      const data = newUserData();
      const user = expectOk(await server.admin.post('user_create', { ...data, with_apitoken: true }));
      expect(user.token).to.be.a('string').and.not.empty;
      const me = expectOk(await server.client(user.token).post('user_show', {}));
      expect(me.id).to.equal(user.id);
      const tokens = expectOk(await server.client(user.token).post('api_token_list', { user_id: user.id }));
      expect(tokens.map((token: { name: string }) => token.name)).to.deep.equal(['default']);
    });

    it('is refused to anonymous callers and ordinary users unless create_user_via_api is on', async () => {
      const anon = expectError(await server.anon.post('user_create', newUserData()), 403, 'Authorization Error');
      expect(anon.message).to.equal('Access denied: User  not authorized to create users via the API');
      const user = expectError(await server.client(alice.token).post('user_create', newUserData()), 403, 'Authorization Error');
      expect(user.message).to.equal('Access denied: User alice-user not authorized to create users via the API');
    });

    it('lets a sysadmin set the id, the sysadmin flag and the state', async () => {
      const id = '3d0c5c8e-7f4a-4a53-9d3e-2f1a0b9c8d7e';
      const user = expectOk(await server.admin.post('user_create', newUserData(undefined, { id, sysadmin: true, state: 'pending' })));
      expect(user).to.include({ id, sysadmin: true, state: 'pending' });
    });

    it('ignores an id that is already taken', async () => {
      const user = expectOk(await server.admin.post('user_create', newUserData(undefined, { id: alice.id })));
      expect(user.id).not.to.equal(alice.id);
    });

    it('rejects names CKAN rejects, with its messages', async () => {
      const cases: Array<[unknown, string[]]> = [
        ['Nguyen', ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_']],
        ['nguyễn-văn-an', ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_']],
        ['has space', ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_']],
        ['a', ['Must be at least 2 characters long']],
        ['x'.repeat(101), ['Name must be a maximum of 100 characters long']],
        ['new', ['That name cannot be used']],
        [12345, ['Names must be strings', 'User names must be strings']],
        ['alice-user', ['That login name is not available.']],
      ];
      for (const [name, messages] of cases) {
        const error = expectError(await server.admin.post('user_create', { ...newUserData(), name }), 409, 'Validation Error');
        expect(error.name, JSON.stringify(name)).to.deep.equal(messages);
      }
      const missing = expectError(await server.admin.post('user_create', { email: 'x@example.org', password: 'correct-horse' }), 409, 'Validation Error');
      expect(missing.name).to.deep.equal(['Missing value']);
    });

    it('rejects weak, missing and non-string passwords', async () => {
      const short = expectError(await server.admin.post('user_create', newUserData(undefined, { password: '1234567' })), 409, 'Validation Error');
      expect(short).to.deep.include({ password: ['Your password must be 8 characters or longer'] });
      const missing = expectError(await server.admin.post('user_create', { ...newUserData(), password: undefined }), 409, 'Validation Error');
      expect(missing).to.deep.include({ password: ['Missing value'] });
      const empty = expectError(await server.admin.post('user_create', newUserData(undefined, { password: '' })), 409, 'Validation Error');
      expect(empty).to.deep.include({ password: ['Missing value'] });
      const number = expectError(await server.admin.post('user_create', newUserData(undefined, { password: 123456789 })), 409, 'Validation Error');
      expect(number).to.deep.include({ password: ['Passwords must be strings'] });
    });

    it('checks the email: present, well-formed and not already used', async () => {
      const missing = expectError(await server.admin.post('user_create', { ...newUserData(), email: undefined }), 409, 'Validation Error');
      expect(missing).to.deep.include({ email: ['Missing value'] });
      const bad = expectError(await server.admin.post('user_create', newUserData(undefined, { email: 'not-an-email' })), 409, 'Validation Error');
      expect(bad).to.deep.include({ email: ['Email not-an-email is not a valid format'] });
      const taken = expectError(await server.admin.post('user_create', newUserData(undefined, { email: 'alice@example.org' })), 409, 'Validation Error');
      expect(taken).to.deep.include({ email: ["The email address 'alice@example.org' belongs to a registered user."] });
    });

    it('refuses links in about, as spam', async () => {
      const error = expectError(await server.admin.post('user_create', newUserData(undefined, { about: 'see https://spam.example' })), 409, 'Validation Error');
      expect(error.about).to.deep.equal(['Edit not allowed as it looks like spam. Please avoid links in your description.']);
    });

    it('reports several bad fields at once and stores nothing', async () => {
      const name = uniqueName('multi');
      const error = expectError(await server.admin.post('user_create', { name, email: 'bad', password: 'short' }), 409, 'Validation Error');
      expect(error).to.have.all.keys('email', 'password', '__type');
      expectError(await server.anon.post('user_show', { id: name }), 404, 'Not Found Error');
    });
  });

  describe('user_create with create_user_via_api', () => {
    let open: TestServer;
    before(async () => {
      open = await startTestServer({ config: { auth: { create_user_via_api: true } } });
    });
    after(async () => open?.close());

    it('lets anyone register, but not as a sysadmin, with a chosen id or state', async () => {
      const data = newUserData(undefined, { id: '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b', sysadmin: true, state: 'deleted', plugin_extras: { a: 1 } });
      const response = await open.anon.post('user_create', data);
      const user = expectOk(response);
      expectNoSecrets(response);
      expect(user).to.include({ sysadmin: false, state: 'active', email: data.email });
      expect(user.id).not.to.equal(data.id);
      expect(user).not.to.have.property('plugin_extras');
    });

    it('gives an anonymous registrant a working token with with_apitoken', async () => {
      const user = expectOk(await open.anon.post('user_create', newUserData(undefined, { with_apitoken: 'true' })));
      const me = expectOk(await open.client(user.token).post('user_show', {}));
      expect(me).to.include({ id: user.id, email: user.email });
    });
  });

  describe('user_show (section 6 row 30)', () => {
    it('test_user_show_default_values: no email, apikey, password or datasets for others', async () => {
      for (const client of [server.anon, server.client(bob.token)]) {
        const response = await client.post('user_show', { id: alice.id });
        const user = expectOk(response);
        expectNoSecrets(response);
        expect(Object.keys(user).sort()).to.deep.equal([...USER_KEYS].sort());
        expect(user).to.include({ id: alice.id, name: 'alice-user', fullname: null, about: null, sysadmin: false, number_created_packages: 0 });
        expect(user.email_hash).to.equal(createHash('md5').update('alice@example.org').digest('hex'));
      }
    });

    it('test_user_show_for_myself: email and apikey, still no password', async () => {
      const response = await server.client(alice.token).post('user_show', { id: 'alice-user' });
      const user = expectOk(response);
      expectNoSecrets(response);
      expect(user).to.include({ email: 'Alice@Example.org', apikey: null });
    });

    it('defaults to the caller; anonymous callers without an id get 404', async () => {
      expect(expectOk(await server.client(bob.token).get('user_show')).id).to.equal(bob.id);
      const error = expectError(await server.anon.get('user_show'), 404, 'Not Found Error');
      expect(error.message).to.equal('Not found');
      expectError(await server.anon.get('user_show', { id: 'nobody-here' }), 404, 'Not Found Error');
    });

    it('shows the password hash to a sysadmin who asks for it, and to nobody else', async () => {
      const shown = expectOk(await server.admin.post('user_show', { id: alice.id }));
      expect(shown).to.include({ email: 'Alice@Example.org' });
      expect(shown).not.to.have.property('password_hash');
      const withHash = expectOk(await server.admin.post('user_show', { id: alice.id, include_password_hash: true }));
      expect(withHash.password_hash).to.match(/^scrypt\$/);
      for (const client of [server.anon, server.client(alice.token)]) {
        const response = await client.post('user_show', { id: alice.id, include_password_hash: true, include_plugin_extras: true });
        expectNoSecrets(response);
        expect(response.body.result).not.to.have.property('plugin_extras');
      }
    });

    it('include_datasets lists what the user created; number_created_packages counts private ones only for them', async () => {
      const creator = await server.createUser(uniqueName('creator'));
      const org = await createOrg(server, [[creator, 'editor']]);
      const writer = server.client(creator.token);
      expectOk(await writer.post('package_create', { name: uniqueName('pub'), owner_org: org.id }));
      expectOk(await writer.post('package_create', { name: uniqueName('priv'), owner_org: org.id, private: true }));
      const publicView = expectOk(await server.anon.post('user_show', { id: creator.name, include_datasets: true }));
      expect(publicView.number_created_packages).to.equal(1);
      const ownView = expectOk(await writer.post('user_show', { id: creator.name, include_datasets: true }));
      expect(ownView.number_created_packages).to.equal(2);
      if (server.kernel.container.cradle.actions.has('package_search')) {
        expect(publicView.datasets).to.have.length(1);
        expect(ownView.datasets).to.have.length(2);
        expect(publicView.datasets[0].creator_user_id).to.equal(creator.id);
      }
    });
  });

  describe('user_list and user_autocomplete', () => {
    it('lists full dicts by display name by default, without other users\' emails', async () => {
      const response = await server.anon.get('user_list');
      const users = expectOk(response);
      expectNoSecrets(response);
      const names = users.map((user: { name: string }) => user.name);
      expect(names).to.include.members(['alice-user', 'bob-user']);
      for (const user of users) expect(user).not.to.have.property('email');
      // Sorted by display name (the full name, else the name); the database's collation decides ties of case and accents.
      expect(names.indexOf('alice-user')).to.be.lessThan(names.indexOf('bob-user'));
      expect(names.indexOf('bob-user')).to.be.lessThan(names.indexOf('test-sysadmin'));
    });

    it('filters by q, returns names with all_fields=false, and pages', async () => {
      expect(expectOk(await server.anon.get('user_list', { q: 'alice', all_fields: false }))).to.deep.equal(['alice-user']);
      const byName = expectOk(await server.anon.get('user_list', { order_by: 'name', all_fields: false }));
      expect(byName.indexOf('alice-user')).to.be.lessThan(byName.indexOf('bob-user'));
      const page = expectOk(await server.anon.get('user_list', { order_by: 'name', all_fields: false, limit: 2, offset: 1 }));
      expect(page).to.deep.equal(byName.slice(1, 3));
      expectError(await server.anon.get('user_list', { limit: -1 }), 409, 'Validation Error');
      const edits = expectError(await server.anon.get('user_list', { order_by: 'edits' }), 409, 'Validation Error');
      expect(edits.message).to.equal('order_by=edits is no longer supported');
    });

    it('lets only sysadmins filter by email', async () => {
      expectError(await server.client(alice.token).get('user_list', { email: 'Alice@Example.org' }), 403, 'Authorization Error');
      const found = expectOk(await server.admin.get('user_list', { email: 'Alice@Example.org', all_fields: false }));
      expect(found).to.deep.equal(['alice-user']);
    });

    it('user_autocomplete needs q and returns {id, name, fullname}', async () => {
      const missing = expectError(await server.anon.get('user_autocomplete'), 409, 'Validation Error');
      expect(missing).to.deep.include({ q: ['Missing value'] });
      const found = expectOk(await server.anon.get('user_autocomplete', { q: 'ALICE' }));
      expect(found).to.deep.equal([{ id: alice.id, name: 'alice-user', fullname: null }]);
      const self = expectOk(await server.client(alice.token).get('user_autocomplete', { q: 'alice', ignore_self: true }));
      expect(self).to.deep.equal([]);
      expect(expectOk(await server.anon.get('user_autocomplete', { q: 'user', limit: 1 }))).to.have.length(1);
    });
  });

  describe('user_update and user_patch', () => {
    let carol: TestUser;
    beforeEach(async () => {
      carol = await server.createUser(uniqueName('carol'));
    });

    it('lets a user update themself; email is required, other fields are kept', async () => {
      const client = server.client(carol.token);
      const missing = expectError(await client.post('user_update', { id: carol.id, fullname: 'Carol' }), 409, 'Validation Error');
      expect(missing).to.deep.include({ email: ['Missing value'] });
      const response = await client.post('user_update', { id: carol.name, email: `${carol.name}@example.org`, fullname: 'Trần Thị Carol' });
      const user = expectOk(response);
      expectNoSecrets(response);
      expect(user).to.include({ fullname: 'Trần Thị Carol', display_name: 'Trần Thị Carol', email: `${carol.name}@example.org` });
      const again = expectOk(await client.post('user_update', { id: carol.id, email: `${carol.name}@example.org`, about: 'Xin chào' }));
      expect(again).to.include({ fullname: 'Trần Thị Carol', about: 'Xin chào' });
    });

    it('changes the password, and an empty password changes nothing', async () => {
      const { repos, knex } = server.kernel.container.cradle;
      const client = server.client(carol.token);
      const short = expectError(await client.post('user_update', { id: carol.id, email: `${carol.name}@example.org`, password: 'short' }), 409, 'Validation Error');
      expect(short.password).to.deep.equal(['Your password must be 8 characters or longer']);
      expectNoSecrets(await client.post('user_update', { id: carol.id, email: `${carol.name}@example.org`, password: 'mật-khẩu-mới-2024' }));
      const row = await repos.users.byId(knex, carol.id);
      expect(await verifyPassword('mật-khẩu-mới-2024', row!.password_hash)).to.equal(true);
      expectOk(await client.post('user_update', { id: carol.id, email: `${carol.name}@example.org`, password: '' }));
      expect((await repos.users.byId(knex, carol.id))!.password_hash).to.equal(row!.password_hash);
    });

    it('refuses other users and anonymous callers', async () => {
      const other = expectError(await server.client(bob.token).post('user_update', { id: carol.id, email: 'x@example.org' }), 403, 'Authorization Error');
      expect(other.message).to.equal(`Access denied: User bob-user not authorized to edit user ${carol.id}`);
      const anon = expectError(await server.anon.post('user_update', { id: carol.id, email: 'x@example.org' }), 403, 'Authorization Error');
      expect(anon.message).to.equal('Access denied: Have to be logged in to edit user');
      expectError(await server.admin.post('user_update', { id: 'no-such-user', email: 'x@example.org' }), 404, 'Not Found Error');
      const noId = expectError(await server.admin.post('user_update', { email: 'x@example.org' }), 409, 'Validation Error');
      expect(noId).to.deep.include({ id: ['Missing value'] });
    });

    it('lets only sysadmins rename accounts or grant sysadmin', async () => {
      const client = server.client(carol.token);
      const email = `${carol.name}@example.org`;
      const rename = expectError(await client.post('user_update', { id: carol.id, email, name: `${carol.name}-x` }), 409, 'Validation Error');
      expect(rename.name).to.deep.equal(['That login name can not be modified.']);
      const promoted = expectOk(await client.post('user_update', { id: carol.id, email, sysadmin: true, state: 'deleted' }));
      expect(promoted).to.include({ sysadmin: false, state: 'active' });
      const taken = expectError(await server.admin.post('user_update', { id: carol.id, email, name: 'bob-user' }), 409, 'Validation Error');
      expect(taken.name).to.deep.equal(['That login name is not available.']);
      const renamed = expectOk(await server.admin.post('user_update', { id: carol.id, email, name: `${carol.name}-x` }));
      expect(renamed.name).to.equal(`${carol.name}-x`);
    });

    it('rejects an email that belongs to someone else', async () => {
      const error = expectError(await server.client(carol.token).post('user_update', { id: carol.id, email: 'bob-user@example.org' }), 409, 'Validation Error');
      expect(error.email).to.deep.equal(["The email address 'bob-user@example.org' belongs to a registered user."]);
    });

    it('user_patch changes only the given fields', async () => {
      const client = server.client(carol.token);
      const patched = expectOk(await client.post('user_patch', { id: carol.id, fullname: 'Carol P' }));
      expect(patched).to.include({ fullname: 'Carol P', email: `${carol.name}@example.org`, name: carol.name });
      const again = expectOk(await client.post('user_patch', { id: carol.name, about: 'hello' }));
      expect(again).to.include({ fullname: 'Carol P', about: 'hello' });
      expectError(await server.client(bob.token).post('user_patch', { id: carol.id, fullname: 'x' }), 403, 'Authorization Error');
      expectError(await server.admin.post('user_patch', { id: 'no-such-user', fullname: 'x' }), 404, 'Not Found Error');
    });
  });

  describe('user_delete', () => {
    it('is for sysadmins only', async () => {
      const victim = await server.createUser(uniqueName('victim'));
      expectError(await server.client(alice.token).post('user_delete', { id: victim.id }), 403, 'Authorization Error');
      const anon = expectError(await server.anon.post('user_delete', { id: victim.id }), 403, 'Authorization Error');
      expect(anon.message).to.equal('Access denied: Action user_delete requires an authenticated user');
      const missing = expectError(await server.admin.post('user_delete', { id: 'no-such-user' }), 404, 'Not Found Error');
      expect(missing.message).to.equal('Not found: User "no-such-user" was not found.');
    });

    it('marks the user deleted, drops memberships and collaborations, and revokes tokens', async () => {
      const victim = await server.createUser(uniqueName('victim'));
      const org = await createOrg(server, [[victim, 'editor']]);
      const { repos, knex } = server.kernel.container.cradle;
      expect(await repos.members.groupsOfUser(knex, victim.id, true)).to.have.length(1);
      expect(expectOk(await server.admin.post('user_delete', { id: victim.name }))).to.equal(null);
      const shown = expectOk(await server.admin.post('user_show', { id: victim.id }));
      expect(shown.state).to.equal('deleted');
      expect(await repos.members.groupsOfUser(knex, victim.id, true)).to.have.length(0);
      const names = expectOk(await server.anon.get('user_list', { all_fields: false }));
      expect(names).not.to.include(victim.name);
      // The token no longer authenticates: the request is anonymous, so writes are refused.
      const write = expectError(await server.client(victim.token).post('package_create', { name: uniqueName('ds'), owner_org: org.id }), 403, 'Authorization Error');
      expect(write.message).to.equal('Access denied: Action package_create requires an authenticated user');
    });
  });

  describe('with public_user_details off', () => {
    let closed: TestServer;
    let dave: TestUser;
    before(async () => {
      closed = await startTestServer({ config: { auth: { public_user_details: false } } });
      dave = await closed.createUser('dave-user');
    });
    after(async () => closed?.close());

    it('hides users from anonymous callers only', async () => {
      expectError(await closed.anon.get('user_show', { id: dave.id }), 403, 'Authorization Error');
      expectError(await closed.anon.get('user_list'), 403, 'Authorization Error');
      expectError(await closed.anon.get('user_autocomplete', { q: 'dave' }), 403, 'Authorization Error');
      expect(expectOk(await closed.client(dave.token).get('user_show', { id: 'dave-user' })).name).to.equal('dave-user');
      expect(expectOk(await closed.client(dave.token).get('user_list', { all_fields: false }))).to.include('dave-user');
    });
  });
});
