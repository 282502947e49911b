// What clients see when they send the dataset actions something wrong: undecodable or misshapen
// bodies, wrong types, over-long or non-ASCII names, writes they are not allowed to make. Every
// answer is CKAN's status and __type, never a 500, and a refused write leaves no rows behind.
// Also: visibility of deleted, draft and private datasets, metadata_modified on every write, and
// the ckanapi round trip (package_show → package_update with the same dict).
import { expect } from 'chai';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import type { ApiResponse } from '../helpers/api-client.ts';
import { SystemClock } from '../../core/clock.ts';
import { createGroup, createOrg, tableCounts, uniqueName, type TestOrg } from './packages-fixtures.ts';

const VALIDATION = 'Validation Error';

function expectError(response: ApiResponse, status: number, error: Record<string, unknown>) {
  expect(response.status, response.text).to.equal(status);
  expect(response.body.success).to.equal(false);
  expect(response.body).to.not.have.property('result');
  expect(response.body.error).to.deep.equal(error);
}

describe('Dataset actions: bad input, permissions and visibility', function () {
  let server: TestServer;
  let editorA: TestUser;
  let editorB: TestUser;
  let memberA: TestUser;
  let outsider: TestUser;
  let orgA: TestOrg;
  let orgB: TestOrg;

  before(async () => {
    server = await startTestServer();
    editorA = await server.createUser('editor-a');
    editorB = await server.createUser('editor-b');
    memberA = await server.createUser('member-a');
    outsider = await server.createUser('outsider');
    orgA = await createOrg(server, [[editorA, 'editor'], [memberA, 'member']]);
    orgB = await createOrg(server, [[editorB, 'editor']]);
  });
  after(async () => {
    await server?.close();
  });

  /** Run a refused write and check that no table changed. */
  async function refused(run: () => Promise<ApiResponse>): Promise<ApiResponse> {
    const before = await tableCounts(server);
    const response = await run();
    expect(response.status, response.text).to.not.equal(200);
    expect(response.status, response.text).to.be.below(500);
    expect(await tableCounts(server)).to.deep.equal(before);
    return response;
  }

  const postRaw = (action: string, body: string, contentType = 'application/json') =>
    server.admin.request(`/api/3/action/${action}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });

  describe('request bodies', () => {
    it('answers malformed JSON with CKAN\'s bare 400 string', async () => {
      const response = await refused(() => postRaw('package_create', '{"name": "broken",'));
      expect(response.status).to.equal(400);
      expect(response.headers.get('content-type')).to.equal('application/json;charset=utf-8');
      expect(response.body).to.be.a('string');
      expect(response.body).to.match(/^Bad request - JSON Error: Error decoding JSON data\. /);
    });

    for (const body of ['[1, 2]', '"text"', '42', 'null', 'true']) {
      it(`answers JSON that is not an object (${body}) with 400 "needs to be a dictionary"`, async () => {
        const response = await refused(() => postRaw('package_create', body));
        expect(response.status).to.equal(400);
        expect(response.body).to.be.a('string');
        expect(response.body).to.match(/^Bad request - JSON Error: Request data JSON decoded to .* but it needs to be a dictionary\.$/);
      });
    }

    it('takes a JSON body whatever its Content-Type (curl -d and text/plain clients)', async () => {
      const name = uniqueName('plain');
      let response = await postRaw('package_create', JSON.stringify({ name, owner_org: orgA.id }), 'text/plain');
      expect(response.status, response.text).to.equal(200);
      response = await postRaw('package_patch', JSON.stringify({ id: name, notes: 'a+b&c=d' }), 'application/x-www-form-urlencoded');
      expect(response.status, response.text).to.equal(200);
      expect(response.body.result.notes).to.equal('a+b&c=d');
    });

    it('answers GET on package_create with 400 and the bare "use POST" string', async () => {
      const response = await refused(() => server.admin.get('package_create', { name: 'via-get', owner_org: orgA.id }));
      expectBareString(response, 'Bad request - JSON Error: Invalid request. Please use POST method for your request');
      for (const action of ['package_update', 'package_patch', 'package_delete', 'resource_create', 'dataset_purge']) {
        expectBareString(await server.anon.get(action, { id: 'x' }), 'Bad request - JSON Error: Invalid request. Please use POST method for your request');
      }
    });

    it('treats keys named __proto__ or constructor in nested dicts as plain keys, never as the object machinery', async () => {
      const name = uniqueName('proto');
      expect((await server.admin.post('package_create', { name, owner_org: orgA.id })).status).to.equal(200);
      // Raw JSON: a JavaScript literal would not carry an own "__proto__" key.
      const bodies = [
        `{"match": {"name": "${name}"}, "update": {"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}}`,
        `{"match": {"name": "${name}", "__proto__": {"polluted": "yes"}}, "update": {"notes": "x"}}`,
        `{"match": {"name": "${name}"}, "filter": ["-__proto__", "+constructor"], "update": {"notes": "y"}}`,
        `{"match": {"name": "${name}"}, "update__constructor__prototype__polluted": "yes"}`,
        `{"match__constructor": {"name": "x"}, "update": {"notes": "z"}}`,
      ];
      for (const body of bodies) {
        const response = await postRaw('package_revise', body);
        expect(response.status, `${body} → ${response.text}`).to.be.below(500);
        expect(({} as Record<string, unknown>).polluted, body).to.equal(undefined);
      }
      const shown = (await server.admin.get('package_show', { id: name })).body.result;
      expect(Object.getPrototypeOf(shown)).to.equal(Object.prototype);
      expect(shown.polluted).to.equal(undefined);
    });

    function expectBareString(response: ApiResponse, text: string) {
      expect(response.status).to.equal(400);
      expect(response.body).to.equal(text);
    }
  });

  describe('wrong types', () => {
    it('tags as a list of strings → 400 Integrity Error echoing the request', async () => {
      const data = { name: uniqueName('tags'), owner_org: orgA.id, tags: ['economy', 'health'] };
      const response = await refused(() => server.admin.post('package_create', data));
      expectError(response, 400, {
        __type: 'Integrity Error',
        message: "Only lists of dicts can be placed against subschema ('tags',), not <class 'list'>",
        data,
      });
    });

    it('resources as a string → 400 Integrity Error', async () => {
      const data = { name: uniqueName('res'), owner_org: orgA.id, resources: 'http://example.com/a.csv' };
      const response = await refused(() => server.admin.post('package_create', data));
      expectError(response, 400, {
        __type: 'Integrity Error',
        message: "Only lists of dicts can be placed against subschema ('resources',), not <class 'str'>",
        data,
      });
    });

    it('a list mixing dicts and strings → 400 Integrity Error', async () => {
      const response = await refused(() => server.admin.post('package_create', { name: uniqueName('mixed'), owner_org: orgA.id, tags: [{ name: 'ok' }, 'nope'] }));
      expect(response.status).to.equal(400);
      expect(response.body.error.__type).to.equal('Integrity Error');
    });

    it('private as a dict → 409 on private, nothing written', async () => {
      const response = await refused(() => server.admin.post('package_create', { name: uniqueName('priv'), owner_org: orgA.id, private: { yes: true } }));
      expectError(response, 409, { __type: VALIDATION, private: ['Must be a boolean'] });
    });

    it('private as text follows boolean_validator ("yes" is true, "nope" is false)', async () => {
      const yes = await server.admin.call('package_create', { name: uniqueName('yes'), owner_org: orgA.id, private: 'Yes' });
      expect(yes.private).to.equal(true);
      const nope = await server.admin.call('package_create', { name: uniqueName('nope'), owner_org: orgA.id, private: 'nope' });
      expect(nope.private).to.equal(false);
    });

    it('resource size "abc" → 409 Invalid integer at the resource\'s position', async () => {
      const response = await refused(() =>
        server.admin.post('package_create', {
          name: uniqueName('size'),
          owner_org: orgA.id,
          resources: [{ url: 'http://example.com/ok.csv', size: 10 }, { url: 'http://example.com/bad.csv', size: 'abc' }],
        }),
      );
      expectError(response, 409, { __type: VALIDATION, resources: [{}, { size: ['Invalid integer'] }] });
    });

    it('resource dates that are not ISO → 409 Date format incorrect', async () => {
      const response = await refused(() =>
        server.admin.post('package_create', { name: uniqueName('date'), owner_org: orgA.id, resources: [{ url: 'http://x.org/a', last_modified: 'yesterday' }] }),
      );
      expectError(response, 409, { __type: VALIDATION, resources: [{ last_modified: ['Date format incorrect'] }] });
    });

    it('an unknown key holding a list of dicts → 409 __junk', async () => {
      const response = await refused(() => server.admin.post('package_create', { name: uniqueName('junk'), owner_org: orgA.id, things: [{ a: 1 }] }));
      expectError(response, 409, { __type: VALIDATION, __junk: ['The input field __junk was not expected.'] });
    });

    it('extras: missing value, duplicate keys, schema field names', async () => {
      expectError(
        await refused(() => server.admin.post('package_create', { name: uniqueName('ex'), owner_org: orgA.id, extras: [{ key: 'a' }] })),
        409,
        { __type: VALIDATION, extras: [{ value: ['Missing value'] }] },
      );
      expectError(
        await refused(() => server.admin.post('package_create', { name: uniqueName('ex'), owner_org: orgA.id, extras: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] })),
        409,
        { __type: VALIDATION, extras_validation: ['Duplicate key "a"'] },
      );
      expectError(
        await refused(() => server.admin.post('package_create', { name: uniqueName('ex'), owner_org: orgA.id, extras: [{ key: 'title', value: 'x' }] })),
        409,
        { __type: VALIDATION, extras: [{ key: ['There is a schema field with the same name'] }] },
      );
    });

    it('extras with a null value are dropped (package_extras_save skips None)', async () => {
      const created = await server.admin.call('package_create', { name: uniqueName('nullx'), owner_org: orgA.id, extras: [{ key: 'gone', value: null }, { key: 'kept', value: 'v' }] });
      expect(created.extras).to.deep.equal([{ key: 'kept', value: 'v' }]);
    });

    it('an unknown group → 404 "Group was not found."', async () => {
      const response = await refused(() => server.admin.post('package_create', { name: uniqueName('grp'), owner_org: orgA.id, groups: [{ name: 'no-such-group' }] }));
      expectError(response, 404, { __type: 'Not Found Error', message: 'Not found: Group was not found.' });
    });

    it('bad e-mail addresses → 409 with CKAN\'s message', async () => {
      const response = await refused(() => server.admin.post('package_create', { name: uniqueName('mail'), owner_org: orgA.id, maintainer_email: 'a..b@example.com' }));
      expectError(response, 409, { __type: VALIDATION, maintainer_email: ['Email a..b@example.com is not a valid format'] });
    });

    it('the same resource id twice in one dataset → 409, not a database error', async () => {
      const id = '6b1f4a46-0a59-4c1b-9a49-6d1d5b1c2f10';
      const response = await refused(() =>
        server.admin.post('package_create', { name: uniqueName('dup'), owner_org: orgA.id, resources: [{ id, url: 'http://a' }, { id, url: 'http://b' }] }),
      );
      expectError(response, 409, { __type: VALIDATION, resources: [{}, { id: ['Resource id already exists.'] }] });
    });

    it('a resource id used by another dataset → 409', async () => {
      const first = await server.admin.call('package_create', { name: uniqueName('first'), owner_org: orgA.id, resources: [{ url: 'http://a' }] });
      const response = await refused(() =>
        server.admin.post('package_create', { name: uniqueName('second'), owner_org: orgA.id, resources: [{ id: first.resources[0].id, url: 'http://b' }] }),
      );
      expectError(response, 409, { __type: VALIDATION, resources: [{ id: ['Resource id already exists.'] }] });
    });

    it('package_create with an existing dataset\'s whole record → 409 on its id only, as CKAN (its own resources are not "taken")', async () => {
      const first = await server.admin.call('package_create', { name: uniqueName('again'), owner_org: orgA.id, resources: [{ url: 'http://a' }, { url: 'http://b' }] });
      const response = await refused(() => server.admin.post('package_create', first));
      expect(response.status).to.equal(409);
      expect(response.body.error.id).to.deep.equal(['Dataset id already exists']);
      expect(response.body.error).not.to.have.property('resources');
    });

    it('text with a NUL character → 409, not a database error', async () => {
      const response = await refused(() => server.admin.post('package_create', { name: uniqueName('nul'), owner_org: orgA.id, notes: 'a\u0000b' }));
      expect(response.status).to.equal(409);
      expect(response.body.error.__type).to.equal(VALIDATION);
    });
  });

  describe('lengths and names', () => {
    it('name over 100 characters → both CKAN messages', async () => {
      const name = 'a'.repeat(101);
      const response = await refused(() => server.admin.post('package_create', { name, owner_org: orgA.id }));
      expectError(response, 409, {
        __type: VALIDATION,
        name: ['Name must be a maximum of 100 characters long', `Name "${name}" length is more than maximum 100`],
      });
    });

    it('a name of exactly 100 characters is fine', async () => {
      const name = `n${'x'.repeat(91)}${Date.now().toString(36).slice(-8)}`.slice(0, 100);
      expect(name).to.have.length(100);
      expect((await server.admin.call('package_create', { name, owner_org: orgA.id })).name).to.equal(name);
    });

    it('one-character names → both CKAN messages', async () => {
      const response = await refused(() => server.admin.post('package_create', { name: 'a', owner_org: orgA.id }));
      expectError(response, 409, { __type: VALIDATION, name: ['Must be at least 2 characters long', 'Name "a" length is less than minimum 2'] });
    });

    it('version over 100 characters', async () => {
      const response = await refused(() => server.admin.post('package_create', { name: uniqueName('ver'), owner_org: orgA.id, version: 'v'.repeat(101) }));
      expectError(response, 409, { __type: VALIDATION, version: ['Version must be a maximum of 100 characters long'] });
    });

    it('tag over 100 characters (tag errors are flattened to strings)', async () => {
      const tag = 't'.repeat(101);
      const response = await refused(() => server.admin.post('package_create', { name: uniqueName('tag'), owner_org: orgA.id, tags: [{ name: 'fine' }, { name: tag }] }));
      expectError(response, 409, { __type: VALIDATION, tags: [`Tag "${tag}" length is more than maximum 100`] });
    });

    it('tags with other characters, and vocabulary tags', async () => {
      expectError(await refused(() => server.admin.post('package_create', { name: uniqueName('tag'), owner_org: orgA.id, tags: [{ name: 'a&b' }] })), 409, {
        __type: VALIDATION,
        tags: ['Tag "a&b" can only contain alphanumeric characters, spaces (" "), hyphens ("-"), underscores ("_") or dots (".")'],
      });
      expectError(await refused(() => server.admin.post('package_create', { name: uniqueName('tag'), owner_org: orgA.id, tags: [{ name: 'ok', vocabulary_id: 'nope' }] })), 409, {
        __type: VALIDATION,
        tags: ['Tag vocabulary was not found.'],
      });
    });

    it('Vietnamese tags are fine, Vietnamese names are not', async () => {
      const ok = await server.admin.call('package_create', { name: uniqueName('vi'), owner_org: orgA.id, title: 'Dữ liệu ngân sách', tags: [{ name: 'ngân sách' }] });
      expect(ok.tags[0].name).to.equal('ngân sách');
      expect(ok.title).to.equal('Dữ liệu ngân sách');
      for (const name of ['Dữ-liệu', 'MyData', 'du lieu', 'dữ_liệu']) {
        const response = await refused(() => server.admin.post('package_create', { name, owner_org: orgA.id }));
        expectError(response, 409, { __type: VALIDATION, name: ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'] });
      }
    });

    it('reserved names and taken names', async () => {
      expectError(await refused(() => server.admin.post('package_create', { name: 'new', owner_org: orgA.id })), 409, { __type: VALIDATION, name: ['That name cannot be used'] });
      const taken = await server.admin.call('package_create', { name: uniqueName('taken'), owner_org: orgA.id });
      expectError(await refused(() => server.admin.post('package_create', { name: taken.name, owner_org: orgA.id })), 409, {
        __type: VALIDATION,
        name: ['That URL is already in use.'],
      });
      const other = await server.admin.call('package_create', { name: uniqueName('other'), owner_org: orgA.id });
      expectError(await refused(() => server.admin.post('package_patch', { id: other.id, name: taken.name })), 409, {
        __type: VALIDATION,
        name: ['That URL is already in use.'],
      });
    });

    it('an organization is required (ckan.auth.create_unowned_dataset is off)', async () => {
      expectError(await refused(() => server.admin.post('package_create', { name: uniqueName('noorg') })), 409, {
        __type: VALIDATION,
        owner_org: ['An organization must be provided'],
      });
      expectError(await refused(() => server.admin.post('package_create', { name: uniqueName('noorg'), owner_org: 'no-such-org' })), 409, {
        __type: VALIDATION,
        owner_org: ['Organization does not exist'],
      });
    });

    it('a failed update changes nothing', async () => {
      const created = await server.admin.call('package_create', { name: uniqueName('keep'), owner_org: orgA.id, notes: 'original', tags: [{ name: 'kept' }] });
      await refused(() => server.admin.post('package_update', { id: created.id, name: created.name, notes: 'changed', tags: [{ name: 'x' }], version: 'v'.repeat(101) }));
      expect(await server.admin.call('package_show', { id: created.id })).to.deep.equal(created);
    });
  });

  describe('permissions', () => {
    it('an editor of org A cannot create a dataset in org B (403)', async () => {
      const response = await refused(() => server.client(editorA.token).post('package_create', { name: uniqueName('a-in-b'), owner_org: orgB.id }));
      expectError(response, 403, { __type: 'Authorization Error', message: 'Access denied: User editor-a not authorized to add dataset to this organization' });
    });

    it('an editor of org A cannot update, patch, delete or add resources to a dataset of org B (403)', async () => {
      const ofB = await server.client(editorB.token).call('package_create', { name: uniqueName('of-b'), owner_org: orgB.id, resources: [{ url: 'http://b' }] });
      const client = server.client(editorA.token);
      const denied = `Access denied: User editor-a not authorized to edit package ${ofB.id}`;
      expectError(await refused(() => client.post('package_update', { ...ofB, title: 'hacked' })), 403, { __type: 'Authorization Error', message: denied });
      expectError(await refused(() => client.post('package_patch', { id: ofB.id, title: 'hacked' })), 403, { __type: 'Authorization Error', message: denied });
      expectError(await refused(() => client.post('package_delete', { id: ofB.name })), 403, { __type: 'Authorization Error', message: denied });
      expect((await refused(() => client.post('resource_create', { package_id: ofB.id, url: 'http://x' }))).status).to.equal(403);
      expect((await refused(() => client.post('resource_patch', { id: ofB.resources[0].id, name: 'x' }))).status).to.equal(403);
      expect((await refused(() => client.post('resource_delete', { id: ofB.resources[0].id }))).status).to.equal(403);
      expect(await server.admin.call('package_show', { id: ofB.id })).to.deep.equal(ofB);
    });

    it('an editor of org A cannot move a dataset into org B (409 owner_org)', async () => {
      const ofA = await server.client(editorA.token).call('package_create', { name: uniqueName('of-a'), owner_org: orgA.id });
      const response = await refused(() => server.client(editorA.token).post('package_patch', { id: ofA.id, owner_org: orgB.id }));
      expectError(response, 409, { __type: VALIDATION, owner_org: ['You cannot add a dataset to this organization'] });
    });

    it('a member (not editor) cannot create a dataset (403)', async () => {
      const response = await refused(() => server.client(memberA.token).post('package_create', { name: uniqueName('by-member'), owner_org: orgA.id }));
      expectError(response, 403, { __type: 'Authorization Error', message: 'Access denied: User member-a not authorized to create packages' });
    });

    it('a user in no organization cannot create a dataset (403)', async () => {
      const response = await refused(() => server.client(outsider.token).post('package_create', { name: uniqueName('by-outsider') }));
      expectError(response, 403, { __type: 'Authorization Error', message: 'Access denied: User outsider not authorized to create packages' });
    });

    it('anonymous writes → 403 "Action … requires an authenticated user"', async () => {
      const ds = await server.admin.call('package_create', { name: uniqueName('target'), owner_org: orgA.id, resources: [{ url: 'http://a' }] });
      for (const [action, data] of [
        ['package_create', { name: uniqueName('anon'), owner_org: orgA.id }],
        ['package_update', { id: ds.id }],
        ['package_patch', { id: ds.id, notes: 'x' }],
        ['package_delete', { id: ds.id }],
        ['resource_create', { package_id: ds.id, url: 'http://x' }],
        ['resource_update', { id: ds.resources[0].id, url: 'http://x' }],
        ['resource_delete', { id: ds.resources[0].id }],
      ] as const) {
        const response = await refused(() => server.anon.post(action, data));
        expectError(response, 403, { __type: 'Authorization Error', message: `Access denied: Action ${action} requires an authenticated user` });
      }
    });

    it('a garbage token is anonymous, not 401 (test_base.py::test_apitoken_contains_unicode)', async () => {
      const response = await refused(() => server.client('\u00e4\u00f6-not-a-token').post('package_create', { name: uniqueName('garbage'), owner_org: orgA.id }));
      expect(response.status).to.equal(403);
      expect(response.body.error.message).to.equal('Access denied: Action package_create requires an authenticated user');
    });

    it('adding a group the user cannot manage → 403; a member of the group may add it', async () => {
      const group = await createGroup(server);
      const response = await refused(() => server.client(editorA.token).post('package_create', { name: uniqueName('grp'), owner_org: orgA.id, groups: [{ name: group.name }] }));
      expectError(response, 403, { __type: 'Authorization Error', message: 'Access denied: User editor-a not authorized to edit these groups' });
      const { repos, knex, clock } = server.kernel.container.cradle;
      await repos.members.upsert(knex, group.id, 'user', editorA.id, 'member', clock.nowIso());
      const created = await server.client(editorA.token).call('package_create', { name: uniqueName('grp'), owner_org: orgA.id, groups: [{ name: group.name }] });
      expect(created.groups.map((g: { name: string }) => g.name)).to.deep.equal([group.name]);
    });

    it('package_patch / resource_patch: anonymous callers get 403 before any lookup; unknown ids are a bare 404', async () => {
      expectError(await server.anon.post('package_patch', { id: 'no-such-dataset' }), 403, {
        __type: 'Authorization Error',
        message: 'Access denied: Action package_patch requires an authenticated user',
      });
      expectError(await server.anon.post('resource_patch', { id: 'no-such-resource' }), 403, {
        __type: 'Authorization Error',
        message: 'Access denied: Action resource_patch requires an authenticated user',
      });
      expectError(await server.admin.post('package_patch', { id: 'no-such-dataset' }), 404, { __type: 'Not Found Error', message: 'Not found' });
      expectError(await server.admin.post('resource_patch', { id: 'no-such-resource' }), 404, { __type: 'Not Found Error', message: 'Not found' });
    });

    it('state on create is for sysadmins only; an editor\'s "draft" is dropped', async () => {
      const byEditor = await server.client(editorA.token).call('package_create', { name: uniqueName('ed-draft'), owner_org: orgA.id, state: 'draft' });
      expect(byEditor.state).to.equal('active');
      const bySysadmin = await server.admin.call('package_create', { name: uniqueName('sa-draft'), owner_org: orgA.id, state: 'draft' });
      expect(bySysadmin.state).to.equal('draft');
      // an editor may change state on update (package_change_state)
      const activated = await server.client(editorA.token).call('package_patch', { id: bySysadmin.id, state: 'active' });
      expect(activated.state).to.equal('active');
    });
  });

  describe('visibility', () => {
    let deleted: { id: string; name: string };
    let privateDs: { id: string; name: string };
    let draft: { id: string; name: string };

    before(async () => {
      deleted = await server.client(editorA.token).call('package_create', { name: uniqueName('gone'), owner_org: orgA.id });
      await server.client(editorA.token).call('package_delete', { id: deleted.id });
      privateDs = await server.client(editorA.token).call('package_create', { name: uniqueName('secret'), owner_org: orgA.id, private: true, resources: [{ url: 'http://s' }] });
      draft = await server.admin.call('package_create', { name: uniqueName('draft'), owner_org: orgA.id, state: 'draft' });
    });

    for (const [label, pick] of [
      ['deleted', () => deleted],
      ['private', () => privateDs],
      ['draft', () => draft],
    ] as const) {
      it(`a ${label} dataset: anonymous and outsiders get 403, org members and sysadmins 200`, async () => {
        const ds = pick();
        const anon = await server.anon.get('package_show', { id: ds.name });
        expectError(anon, 403, { __type: 'Authorization Error', message: `Access denied: User  not authorized to read package ${ds.id}` });
        const other = await server.client(editorB.token).get('package_show', { id: ds.id });
        expectError(other, 403, { __type: 'Authorization Error', message: `Access denied: User editor-b not authorized to read package ${ds.id}` });
        for (const client of [server.client(memberA.token), server.admin]) {
          const response = await client.get('package_show', { id: ds.id });
          expect(response.status).to.equal(200);
          expect(response.body.result.id).to.equal(ds.id);
        }
      });
    }

    it('a deleted dataset shows state "deleted" to the members of its org', async () => {
      const response = await server.client(memberA.token).get('package_show', { id: deleted.id });
      expect(response.body.result.state).to.equal('deleted');
      expect(response.body.result.name).to.equal(deleted.name);
    });

    it('private and deleted datasets are not in package_list', async () => {
      const names: string[] = await server.anon.call('package_list');
      expect(names).to.not.include.members([deleted.name, privateDs.name, draft.name]);
    });

    it('resource_show follows the dataset: 403 anonymous, 200 member, 404 unknown', async () => {
      const rid = (await server.admin.call('package_show', { id: privateDs.id })).resources[0].id;
      expect((await server.anon.get('resource_show', { id: rid })).status).to.equal(403);
      expect((await server.client(memberA.token).get('resource_show', { id: rid })).status).to.equal(200);
      // get.py resource_show raises a bare NotFound for an id it does not know
      expectError(await server.anon.get('resource_show', { id: 'no-such-resource' }), 404, { __type: 'Not Found Error', message: 'Not found' });
    });

    it('the search index follows every write: update, resource_create, delete, restore, purge', async () => {
      const search = async (client = server.anon, extra: Record<string, unknown> = {}) =>
        ((await client.call('package_search', { q: 'name:idx-*', rows: 100, ...extra })).results as Array<Record<string, any>>).map((p) => p.name);
      const ds = await server.client(editorA.token).call('package_create', { name: uniqueName('idx'), owner_org: orgA.id, title: 'Before' });
      expect(await search()).to.include(ds.name);
      await server.client(editorA.token).call('package_patch', { id: ds.id, title: 'After' });
      const hit = (await server.anon.call('package_search', { fq: `name:${ds.name}` })).results[0];
      expect(hit.title).to.equal('After');
      await server.client(editorA.token).call('resource_create', { package_id: ds.id, url: 'http://example.com/x.csv' });
      const withResource = (await server.anon.call('package_search', { fq: `name:${ds.name}` })).results[0];
      expect(withResource).to.deep.equal(await server.anon.call('package_show', { id: ds.id }));
      await server.client(editorA.token).call('package_delete', { id: ds.id });
      expect(await search()).to.not.include(ds.name);
      expect(await search(server.client(memberA.token), { include_private: true })).to.not.include(ds.name);
      await server.client(editorA.token).call('package_patch', { id: ds.id, state: 'active' });
      expect(await search()).to.include(ds.name);
      await server.admin.call('dataset_purge', { id: ds.id });
      expect(await search(server.admin, { include_private: true, include_drafts: true })).to.not.include(ds.name);
    });

    it('private datasets are in search only for those who may see them', async () => {
      const hidden = await server.client(editorA.token).call('package_create', { name: uniqueName('idx-private'), owner_org: orgA.id, private: true });
      const names = async (client: typeof server.anon) => ((await client.call('package_search', { fq: `name:${hidden.name}`, include_private: true })).results as Array<{ name: string }>).map((p) => p.name);
      expect(await names(server.anon)).to.deep.equal([]);
      expect(await names(server.client(editorB.token))).to.deep.equal([]);
      expect(await names(server.client(memberA.token))).to.deep.equal([hidden.name]);
    });

    it('unknown datasets are 404 for everybody, not 403', async () => {
      expectError(await server.anon.get('package_show', { id: 'never-existed' }), 404, { __type: 'Not Found Error', message: 'Not found' });
    });
  });

  describe('metadata_modified', () => {
    it('moves forward on create, update, patch, revise, delete and every resource write', async () => {
      const stamps: string[] = [];
      const client = server.client(editorA.token);
      const created = await client.call('package_create', { name: uniqueName('mm'), owner_org: orgA.id });
      expect(created.metadata_modified).to.equal(created.metadata_created);
      stamps.push(created.metadata_modified);
      const latest = async () => (await client.call('package_show', { id: created.id })).metadata_modified as string;

      stamps.push((await client.call('package_update', { id: created.id, name: created.name, notes: 'u' })).metadata_modified);
      stamps.push((await client.call('package_patch', { id: created.id, notes: 'p' })).metadata_modified);
      stamps.push((await client.call('package_revise', { match: { id: created.id }, update: { notes: 'r' } })).package.metadata_modified);
      const resource = await client.call('resource_create', { package_id: created.id, url: 'http://example.com/a.csv' });
      expect(resource.metadata_modified).to.equal(await latest());
      stamps.push(await latest());
      const updated = await client.call('resource_update', { id: resource.id, url: 'http://example.com/b.csv' });
      expect(updated.metadata_modified).to.equal(await latest());
      stamps.push(await latest());
      await client.call('resource_patch', { id: resource.id, name: 'renamed' });
      stamps.push(await latest());
      await client.call('resource_delete', { id: resource.id });
      stamps.push(await latest());
      await client.call('package_delete', { id: created.id });
      stamps.push(await latest());

      for (let i = 1; i < stamps.length; i++) expect(stamps[i] > stamps[i - 1], `write ${i}: ${stamps[i]} after ${stamps[i - 1]}`).to.equal(true);
      const shown = await client.call('package_show', { id: created.id });
      expect(shown.metadata_created).to.equal(created.metadata_created);
    });

    it('ignores metadata_created / metadata_modified sent by the client', async () => {
      const created = await server.admin.call('package_create', { name: uniqueName('mm-in'), owner_org: orgA.id, metadata_created: '2000-01-01T00:00:00', metadata_modified: '2000-01-01T00:00:00' });
      expect(created.metadata_created > '2020').to.equal(true);
      const updated = await server.admin.call('package_update', { ...created, metadata_modified: '2000-01-01T00:00:00' });
      expect(updated.metadata_modified > created.metadata_modified).to.equal(true);
      expect(updated.metadata_created).to.equal(created.metadata_created);
    });
  });

  it('keeps metadata_created exactly as created when it falls on a whole second', async () => {
    // A clock whose every tick is a whole second: the stored fraction is ".000000", which PostgreSQL
    // prints without digits; an update must not turn the one into the other.
    let seconds = Date.parse('2026-03-01T08:00:00Z') / 1000;
    const wholeSeconds = { now: () => new Date(seconds * 1000), nowIso: () => new Date(++seconds * 1000).toISOString().slice(0, 19) + '.000000' };
    const ticking = await startTestServer({ clock: wholeSeconds, config: { auth: { create_unowned_dataset: true } } });
    try {
      const created = await ticking.admin.call('package_create', { name: 'giay-tron', resources: [{ url: 'http://example.com/a.csv' }] });
      const updated = await ticking.admin.call('package_patch', { id: created.id, title: 'Giây tròn' });
      expect(updated.metadata_created).to.equal(created.metadata_created);
      expect((await ticking.anon.call('package_show', { id: created.id })).metadata_created).to.equal(created.metadata_created);
      // Its resource's "created" ends in ".000000" too (as an earlier Kho stored it); the patch reads
      // it back as "…:00", the same time, so the resource is unchanged.
      expect(created.resources[0].created).to.match(/\.000000$/);
      expect(updated.resources[0].metadata_modified).to.equal(created.resources[0].metadata_modified);
    } finally {
      await ticking.close();
    }
  });

  it('takes back its own package_show unchanged when the clock reads a whole second', async () => {
    // The system clock itself, on a machine whose every reading is a whole second: resource
    // timestamps sent back by the client (ckanapi's load) must compare equal to the stored ones,
    // or every untouched resource gets a new metadata_modified.
    let seconds = Date.parse('2026-03-01T08:00:00Z') / 1000;
    class WholeSecondClock extends SystemClock {
      override now() {
        return new Date(++seconds * 1000);
      }
    }
    const ticking = await startTestServer({ clock: new WholeSecondClock(), config: { auth: { create_unowned_dataset: true } } });
    try {
      const created = await ticking.admin.call('package_create', {
        name: 'giay-tron-tai-nguyen',
        resources: [{ url: 'http://example.com/a.csv', name: 'A' }, { url: 'http://example.com/b.csv', name: 'B' }],
      });
      expect(created.metadata_created).to.match(/^2026-03-01T08:\d\d:\d\d$/);
      const shown = await ticking.anon.call('package_show', { id: created.id });
      const updated = await ticking.admin.call('package_update', shown);
      expect(updated.resources).to.deep.equal(shown.resources);
      expect(updated.metadata_created).to.equal(shown.metadata_created);
      expect(updated.metadata_modified > shown.metadata_modified).to.equal(true);
    } finally {
      await ticking.close();
    }
  });

  describe('writes at the same time', () => {
    it('the same name created twice at once: one 200, the other 409 "That URL is already in use."', async () => {
      const name = uniqueName('race');
      const responses = await Promise.all([1, 2, 3].map(() => server.admin.post('package_create', { name, owner_org: orgA.id, tags: [{ name: `race-tag-${name}` }] })));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).to.deep.equal([200, 409, 409]);
      for (const refusedOne of responses.filter((r) => r.status === 409)) {
        expect(refusedOne.body.error).to.deep.equal({ __type: VALIDATION, name: ['That URL is already in use.'] });
      }
      // the winner keeps its name: a write that lost the race never renames an active dataset
      const winner = responses.find((r) => r.status === 200)!.body.result;
      expect((await server.admin.call('package_show', { id: winner.id })).name).to.equal(name);
      expect((await server.admin.call('package_show', { id: name })).id).to.equal(winner.id);
    });

    it('two datasets taking the name of a deleted one at once: one wins, the deleted one is renamed once', async () => {
      const name = uniqueName('reuse');
      const old = await server.admin.call('package_create', { name, owner_org: orgA.id });
      await server.admin.call('package_delete', { id: old.id });
      const responses = await Promise.all([1, 2, 3].map(() => server.admin.post('package_create', { name, owner_org: orgA.id, tags: [{ name: `reuse-${name}` }] })));
      expect(responses.map((r) => r.status).sort()).to.deep.equal([200, 409, 409]);
      const winner = responses.find((r) => r.status === 200)!.body.result;
      expect((await server.admin.call('package_show', { id: name })).id).to.equal(winner.id);
      const renamed = await server.admin.call('package_show', { id: old.id });
      expect(renamed.name).to.equal(old.id);
      expect(renamed.state).to.equal('deleted');
    });

    it('resources added to one dataset at once all land, in distinct positions', async () => {
      const ds = await server.admin.call('package_create', { name: uniqueName('parallel'), owner_org: orgA.id });
      const created = await Promise.all([0, 1, 2, 3, 4].map((i) => server.admin.call('resource_create', { package_id: ds.id, url: `http://example.com/${i}.csv` })));
      const pkg = await server.admin.call('package_show', { id: ds.id });
      expect(pkg.resources.map((r: { id: string }) => r.id).sort()).to.deep.equal(created.map((r) => r.id).sort());
      expect(pkg.resources.map((r: { position: number }) => r.position)).to.deep.equal([0, 1, 2, 3, 4]);
    });

    it('new datasets sharing a new tag at once all succeed', async () => {
      const tag = uniqueName('shared-tag');
      const responses = await Promise.all([0, 1, 2, 3].map(() => server.admin.post('package_create', { name: uniqueName('tagged'), owner_org: orgA.id, tags: [{ name: tag }] })));
      expect(responses.map((r) => r.status)).to.deep.equal([200, 200, 200, 200]);
      expect(new Set(responses.map((r) => r.body.result.tags[0].id)).size).to.equal(1);
    });
  });

  describe('ckanapi round trip', () => {
    it('package_show → package_update with the same dict keeps everything', async () => {
      const group = await server.admin.call('package_create', { name: uniqueName('unused'), owner_org: orgA.id }); // a second dataset, to be sure nothing leaks between them
      const client = server.client(editorA.token);
      const created = await client.call('package_create', {
        name: uniqueName('roundtrip'),
        title: 'Ngân sách 2024',
        owner_org: orgA.id,
        license_id: 'cc-by',
        notes: 'Ghi chú',
        version: '1.0',
        author: 'Sở Tài chính',
        author_email: 'stc@example.gov.vn',
        tags: [{ name: 'ngân sách' }, { name: 'tài chính' }],
        extras: [{ key: 'frequency', value: 'annual' }],
        resources: [
          { name: 'Link', url: 'http://example.com/data.csv', format: 'csv', custom_field: 'kept', datastore_active: true },
          { name: 'Second', url: 'http://example.com/data.json' },
        ],
      });
      const shown = await client.call('package_show', { id: created.id, include_datasets: false, include_password_hash: true, include_users: true });
      // ckanapi sends every key back, read-only ones included
      const sent = { ...shown, tracking_summary: { total: 1, recent: 1 }, relationships_as_object: [], relationships_as_subject: [] };
      const updated = await client.call('package_update', sent);
      const strip = (pkg: Record<string, any>) => ({ ...pkg, metadata_modified: null, resources: pkg.resources.map((r: Record<string, unknown>) => ({ ...r })) });
      expect(strip(updated)).to.deep.equal(strip(shown));
      expect(updated.metadata_modified > shown.metadata_modified).to.equal(true);
      // resources unchanged keep their own metadata_modified
      expect(updated.resources.map((r: { metadata_modified: string }) => r.metadata_modified)).to.deep.equal(shown.resources.map((r: { metadata_modified: string }) => r.metadata_modified));
      expect(await server.admin.call('package_show', { id: group.id })).to.deep.equal(group);
    });

    it('package_create with a whole package_show dict (ckanapi load into a new site) works for a sysadmin', async () => {
      const original = await server.admin.call('package_create', { name: uniqueName('load-src'), owner_org: orgA.id, tags: [{ name: 'x1' }], resources: [{ url: 'http://example.com/r.csv' }] });
      await server.admin.call('dataset_purge', { id: original.id });
      const loaded = await server.admin.call('package_create', original);
      expect(loaded.id).to.equal(original.id);
      expect(loaded.resources[0].id).to.equal(original.resources[0].id);
      expect(loaded.tags.map((t: { name: string }) => t.name)).to.deep.equal(['x1']);
    });
  });
});

describe('Dataset actions with dataset collaborators enabled', function () {
  let server: TestServer;
  let collaborator: TestUser;
  let orgA: TestOrg;
  let orgB: TestOrg;

  before(async () => {
    server = await startTestServer({ config: { auth: { allow_dataset_collaborators: true } } });
    collaborator = await server.createUser('collab');
    orgA = await createOrg(server);
    orgB = await createOrg(server, [[collaborator, 'admin']]);
  });
  after(async () => {
    await server?.close();
  });

  async function collaborate(packageId: string, capacity: string) {
    const { repos, knex, clock } = server.kernel.container.cradle;
    await repos.collaborators.upsert(knex, { package_id: packageId, user_id: collaborator.id, capacity, modified: clock.nowIso() });
  }

  it('an editor collaborator can send the whole dataset back (owner_org unchanged)', async () => {
    const ds = await server.admin.call('package_create', { name: uniqueName('collab'), owner_org: orgA.id });
    await collaborate(ds.id, 'editor');
    const shown = await server.client(collaborator.token).call('package_show', { id: ds.id });
    const updated = await server.client(collaborator.token).call('package_update', { ...shown, notes: 'by collaborator' });
    expect(updated.notes).to.equal('by collaborator');
    expect(updated.owner_org).to.equal(orgA.id);
  });

  it('test_update.py::TestCollaboratorsUpdate::test_collaborators_can_not_change_owner_org_by_default', async () => {
    const ds = await server.admin.call('package_create', { name: uniqueName('collab-move'), owner_org: orgA.id });
    await collaborate(ds.id, 'editor');
    const response = await server.client(collaborator.token).post('package_update', { ...ds, owner_org: orgB.id });
    expectError(response, 409, { __type: VALIDATION, owner_org: ['You cannot move this dataset to another organization'] });
  });
});
