// API tokens over HTTP: api_token_create/list/revoke, and how a request's token is read. Ports
// ckan/tests/lib/test_base.py::test_apitoken_missing / ::test_apitoken_contains_unicode (section 6
// row 4): a missing, unknown, revoked or expired token makes the request anonymous — the action then
// answers 403, never 401 and never 500. The token is accepted raw or as "Bearer <token>" in
// Authorization, and in X-CKAN-API-Key (CKAN 2.10's header; ckanapi sends both).
import { expect } from 'chai';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';

import { FixedClock } from '../../core/clock.ts';
import { createOrg, uniqueName } from './packages-fixtures.ts';
import { expectOk, expectError } from '../helpers/expect.ts';

/** POST an action with exactly these headers (no client-side token handling). */
function postWithHeaders(server: TestServer, action: string, headers: Record<string, string>, data: unknown = {}) {
  return server.anon.request(`/api/3/action/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(data) });
}

/** The caller as the server sees it: their user dict, or null when the request was anonymous. */
async function whoAmI(server: TestServer, headers: Record<string, string>): Promise<string | null> {
  const response = await postWithHeaders(server, 'user_show', headers);
  if (response.status === 404) return null;
  return expectOk(response).name;
}

/** A request whose Authorization header holds raw UTF-8 bytes, which fetch cannot send. */
function rawUtf8Request(url: string, path: string, authorization: string, body: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(text.split(' ')[1]), text: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    const head = [
      `POST ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ].join('\r\n');
    socket.write(Buffer.concat([Buffer.from(head + '\r\nAuthorization: '), Buffer.from(authorization, 'utf8'), Buffer.from('\r\n\r\n' + body)]));
  });
}

describe('API tokens', function () {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let orgId: string;

  before(async () => {
    server = await startTestServer();
    alice = await server.createUser('alice-tok');
    bob = await server.createUser('bob-tok');
    orgId = (await createOrg(server, [[alice, 'editor'], [bob, 'editor']])).id;
  });
  after(async () => server?.close());

  describe('reading the token from the request (section 6 row 4)', () => {
    it('test_apitoken_missing: package_create without a token is 403', async () => {
      const error = expectError(await server.anon.post('package_create', { name: uniqueName('ds'), owner_org: orgId }), 403, 'Authorization Error');
      expect(error.message).to.equal('Access denied: Action package_create requires an authenticated user');
    });

    it('test_apitoken_contains_unicode: a token with non-ASCII bytes is ignored, not an error', async () => {
      const body = JSON.stringify({ name: uniqueName('ds'), owner_org: orgId });
      const response = await rawUtf8Request(server.url, '/api/3/action/package_create', 'Ḥello☃ token', body);
      expect(response.status, response.text).to.equal(403);
      expect(JSON.parse(response.text).error.__type).to.equal('Authorization Error');
      const latin1 = await postWithHeaders(server, 'package_create', { Authorization: 'tok\u00e9n' }, { name: uniqueName('ds'), owner_org: orgId });
      expectError(latin1, 403, 'Authorization Error');
    });

    it('treats unknown or malformed tokens as anonymous in every header form', async () => {
      const garbage = ['not-a-token', `Bearer ${alice.token}x`, 'Bearer', 'Basic dXNlcjpwYXNz', 'x'.repeat(5000), alice.token.slice(0, -1), ' '];
      const forms = garbage.flatMap((value): Array<Record<string, string>> => [{ Authorization: value }, { 'X-CKAN-API-Key': value }]);
      for (const headers of forms) {
        for (const [action, data] of [
          ['package_create', { name: uniqueName('ds'), owner_org: orgId }],
          ['api_token_create', { user: alice.name, name: 'stolen' }],
          ['user_update', { id: alice.id, email: 'x@example.org' }],
        ] as const) {
          const response = await postWithHeaders(server, action, headers, data);
          expect(response.status, `${action} ${JSON.stringify(headers).slice(0, 60)}: ${response.text}`).to.equal(403);
          expect(response.body.error.__type).to.equal('Authorization Error');
        }
        expect(await whoAmI(server, headers)).to.equal(null);
      }
    });

    it('accepts a valid token raw, with Bearer, and in X-CKAN-API-Key', async () => {
      expect(await whoAmI(server, { Authorization: alice.token })).to.equal('alice-tok');
      expect(await whoAmI(server, { Authorization: `Bearer ${alice.token}` })).to.equal('alice-tok');
      expect(await whoAmI(server, { Authorization: `bearer ${alice.token}` })).to.equal('alice-tok');
      expect(await whoAmI(server, { 'X-CKAN-API-Key': alice.token })).to.equal('alice-tok');
      // ckanapi sends both headers with the same value.
      expect(await whoAmI(server, { Authorization: alice.token, 'X-CKAN-API-Key': alice.token })).to.equal('alice-tok');
      expectOk(await postWithHeaders(server, 'package_create', { 'X-CKAN-API-Key': alice.token }, { name: uniqueName('ds'), owner_org: orgId }));
    });
  });

  describe('api_token_create', () => {
    it('returns a token that works immediately', async () => {
      const result = expectOk(await server.client(bob.token).post('api_token_create', { user: bob.name, name: 'laptop' }));
      expect(Object.keys(result)).to.deep.equal(['token']);
      expect(result.token).to.be.a('string').and.not.equal(bob.token);
      expect(await whoAmI(server, { Authorization: result.token })).to.equal('bob-tok');
      expectOk(await server.client(result.token).post('package_create', { name: uniqueName('ds'), owner_org: orgId }));
    });

    it('lets users create tokens for themselves only; sysadmins for anyone', async () => {
      expectError(await server.client(bob.token).post('api_token_create', { user: alice.id, name: 'mine-now' }), 403, 'Authorization Error');
      const anon = expectError(await server.anon.post('api_token_create', { user: alice.id, name: 'x' }), 403, 'Authorization Error');
      expect(anon.message).to.equal('Access denied: Action api_token_create requires an authenticated user');
      const forAlice = expectOk(await server.admin.post('api_token_create', { user: alice.name, name: 'issued-by-admin' }));
      expect(await whoAmI(server, { Authorization: forAlice.token })).to.equal('alice-tok');
    });

    it('needs an existing user and a name', async () => {
      const unknown = expectError(await server.admin.post('api_token_create', { user: 'nobody-at-all', name: 'x' }), 404, 'Not Found Error');
      expect(unknown.message).to.equal('Not found: User not found');
      const missing = expectError(await server.admin.post('api_token_create', {}), 409, 'Validation Error');
      expect(missing).to.deep.include({ user: ['Missing value'], name: ['Missing value'] });
      const empty = expectError(await server.admin.post('api_token_create', { user: alice.name, name: '' }), 409, 'Validation Error');
      expect(empty).to.deep.include({ name: ['Missing value'] });
    });

    it('checks expires_in and unit', async () => {
      const client = server.client(alice.token);
      const zero = expectError(await client.post('api_token_create', { user: alice.name, name: 'x', expires_in: 0 }), 409, 'Validation Error');
      expect(zero.expires_in).to.deep.equal(['Must be a postive integer']);
      const word = expectError(await client.post('api_token_create', { user: alice.name, name: 'x', expires_in: 'soon', unit: 'days' }), 409, 'Validation Error');
      expect(word).to.deep.include({ expires_in: ['Invalid integer'], unit: ['Invalid integer'] });
    });
  });

  describe('api_token_list', () => {
    it('lists the tokens of a user without the tokens themselves', async () => {
      const carol = await server.createUser(uniqueName('carol'));
      const created = expectOk(await server.client(carol.token).post('api_token_create', { user: carol.id, name: 'script', expires_in: 2, unit: 86400 }));
      const response = await server.client(carol.token).get('api_token_list', { user_id: carol.name });
      const tokens = expectOk(response);
      expect(response.text).not.to.include(created.token).and.not.to.include(carol.token).and.not.to.include('token_hash');
      expect(tokens).to.have.length(2);
      for (const token of tokens) {
        expect(Object.keys(token).sort()).to.deep.equal(['created_at', 'id', 'last_access', 'name', 'plugin_extras', 'user_id']);
        expect(token.user_id).to.equal(carol.id);
        expect(token.created_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
      }
      const script = tokens.find((token: { name: string }) => token.name === 'script');
      expect(script.plugin_extras.expire_api_token.exp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      // The token carol authenticated with has been used, so its last_access is set.
      const test = tokens.find((token: { name: string }) => token.name === 'test');
      expect(test.last_access).to.be.a('string');
      // The older key `user` is still accepted.
      expect(expectOk(await server.client(carol.token).get('api_token_list', { user: carol.id }))).to.have.length(2);
    });

    it('needs user_id, and shows only your own tokens (sysadmins: anyone\'s)', async () => {
      const missing = expectError(await server.client(alice.token).get('api_token_list'), 409, 'Validation Error');
      expect(missing).to.deep.include({ user_id: ['Missing value'] });
      expectError(await server.client(bob.token).get('api_token_list', { user_id: alice.id }), 403, 'Authorization Error');
      expectError(await server.anon.get('api_token_list', { user_id: alice.id }), 403, 'Authorization Error');
      expectError(await server.client(bob.token).get('api_token_list', { user_id: 'nobody-at-all' }), 403, 'Authorization Error');
      expect(expectOk(await server.admin.get('api_token_list', { user_id: alice.id })).length).to.be.greaterThan(0);
      expectError(await server.admin.get('api_token_list', { user_id: 'nobody-at-all' }), 404, 'Not Found Error');
    });
  });

  describe('api_token_revoke', () => {
    async function newToken(user: TestUser, name = 'temp'): Promise<{ token: string; jti: string }> {
      const { token } = expectOk(await server.client(user.token).post('api_token_create', { user: user.id, name }));
      const tokens = expectOk(await server.client(user.token).get('api_token_list', { user_id: user.id }));
      return { token, jti: tokens.find((row: { name: string }) => row.name === name).id };
    }

    it('stops a token working right after revoking it by jti', async () => {
      const { token, jti } = await newToken(bob, 'revoke-by-jti');
      expect(await whoAmI(server, { Authorization: token })).to.equal('bob-tok');
      expect(expectOk(await server.client(bob.token).post('api_token_revoke', { jti }))).to.equal(null);
      expect(await whoAmI(server, { Authorization: token })).to.equal(null);
      expect(await whoAmI(server, { 'X-CKAN-API-Key': token })).to.equal(null);
      expectError(await server.client(token).post('package_create', { name: uniqueName('ds'), owner_org: orgId }), 403, 'Authorization Error');
      const names = expectOk(await server.client(bob.token).get('api_token_list', { user_id: bob.id })).map((row: { name: string }) => row.name);
      expect(names).not.to.include('revoke-by-jti');
    });

    it('revokes by the token itself, including the one in use', async () => {
      const { token } = await newToken(bob, 'revoke-self');
      expect(expectOk(await server.client(token).post('api_token_revoke', { token }))).to.equal(null);
      expect(await whoAmI(server, { Authorization: token })).to.equal(null);
    });

    it("refuses to revoke someone else's token, and does not tell whether it exists", async () => {
      const { token, jti } = await newToken(alice, 'keep-me');
      expectError(await server.client(bob.token).post('api_token_revoke', { jti }), 403, 'Authorization Error');
      expectError(await server.client(bob.token).post('api_token_revoke', { token }), 403, 'Authorization Error');
      expectError(await server.client(bob.token).post('api_token_revoke', { jti: 'no-such-token' }), 403, 'Authorization Error');
      expectError(await server.anon.post('api_token_revoke', { jti }), 403, 'Authorization Error');
      expect(await whoAmI(server, { Authorization: token })).to.equal('alice-tok');
      expect(expectOk(await server.admin.post('api_token_revoke', { jti }))).to.equal(null);
      expect(await whoAmI(server, { Authorization: token })).to.equal(null);
    });
  });

  describe('expiry', () => {
    it('a token created with expires_in=1, unit=1 stops working after a second', async () => {
      const { token } = expectOk(await server.client(alice.token).post('api_token_create', { user: alice.id, name: 'one-second', expires_in: 1, unit: 1 }));
      expect(await whoAmI(server, { Authorization: token })).to.equal('alice-tok');
      await sleep(1300);
      expect(await whoAmI(server, { Authorization: token })).to.equal(null);
      expectError(await server.client(token).post('package_create', { name: uniqueName('ds'), owner_org: orgId }), 403, 'Authorization Error');
    });

    describe('on a server whose clock the test moves', () => {
      let clock: FixedClock;
      let timed: TestServer;
      let erin: TestUser;
      before(async () => {
        clock = new FixedClock('2024-05-01T08:00:00Z');
        timed = await startTestServer({ clock });
        erin = await timed.createUser('erin-tok');
      });
      after(async () => timed?.close());

      it('honours expires_in × unit, and never expires tokens created without them', async () => {
        const client = timed.client(erin.token);
        const twoHours = expectOk(await client.post('api_token_create', { user: erin.id, name: 'two-hours', expires_in: 2, unit: 3600 })).token;
        const forever = expectOk(await client.post('api_token_create', { user: erin.id, name: 'forever' })).token;
        const tokens = expectOk(await client.get('api_token_list', { user_id: erin.id }));
        expect(tokens.find((row: { name: string }) => row.name === 'two-hours').plugin_extras).to.deep.equal({ expire_api_token: { exp: '2024-05-01T10:00:00.000000' } });
        expect(tokens.find((row: { name: string }) => row.name === 'forever').plugin_extras).to.equal(null);
        clock.advance(119 * 60 * 1000);
        expect(await whoAmI(timed, { Authorization: twoHours })).to.equal('erin-tok');
        clock.advance(2 * 60 * 1000);
        expect(await whoAmI(timed, { Authorization: twoHours })).to.equal(null);
        clock.advance(3650 * 86400 * 1000);
        expect(await whoAmI(timed, { Authorization: forever })).to.equal('erin-tok');
      });
    });
  });
});
