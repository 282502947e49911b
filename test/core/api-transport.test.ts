// The Action API transport as CKAN clients use it (docs/ckan-api.md §1; ckan/tests/controllers/test_api.py,
// ckan/tests/lib/test_base.py and the meta-action tests of ckan/tests/logic/action/test_get.py).
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('Action API transport', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ config: { api: { cors_origin_whitelist: ['https://portal.gov.vn'] } } });
    const { repos, knex, clock } = server.kernel.container.cradle;
    await repos.groups.insert(knex, { id: randomUUID(), name: 'so-noi-vu', title: 'Sở Nội vụ', type: 'organization', description: null, image_url: null, created: clock.nowIso(), is_organization: true, approval_status: 'approved', state: 'active', extras: [], fields: {} });
    await server.admin.call('package_create', { name: 'public-one', title: 'Công khai', owner_org: 'so-noi-vu' });
    await server.admin.call('package_create', { name: 'private-one', owner_org: 'so-noi-vu', private: true });
  });
  after(() => server.close());

  describe('URLs and versions (test_api.py::test_get_api_version)', () => {
    for (const [path, version] of [['/api', 1], ['/api/', 1], ['/api/1', 1], ['/api/2', 2], ['/api/3', 3], ['/api/3/', 3]] as const) {
      it(`GET ${path} → {"version": ${version}}`, async () => {
        const response = await server.anon.request(path);
        expect(response.status).to.equal(200);
        expect(response.body).to.deep.equal({ version });
      });
    }

    it('only version 3 serves actions; /api/action is the unversioned form ckanapi uses', async () => {
      expect((await server.anon.request('/api/1/action/status_show')).status).to.equal(404);
      expect((await server.anon.request('/api/2/action/status_show')).status).to.equal(404);
      expect((await server.anon.request('/api/action/status_show')).status).to.equal(200);
      expect((await server.anon.request('/api/3/action/status_show')).status).to.equal(200);
    });

    it('action URLs never redirect (ckanapi posts with allow_redirects=False)', async () => {
      const response = await server.anon.post('status_show', {}, '/api/action');
      expect(response.status).to.equal(200);
      expect(response.headers.get('location')).to.equal(null);
    });

    it('PUT, DELETE and PATCH on action URLs are not routed (405)', async () => {
      for (const method of ['PUT', 'DELETE', 'PATCH']) {
        const response = await server.anon.request('/api/3/action/status_show', { method });
        expect(response.status, method).to.equal(405);
      }
    });
  });

  describe('envelope', () => {
    it('success is HTTP 200 with help, success and result, as application/json;charset=utf-8', async () => {
      const response = await server.anon.post('site_read');
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.equal('application/json;charset=utf-8');
      expect(response.text).to.equal('{"help":"http://kho.test/api/3/action/help_show?name=site_read","success":true,"result":true}');
    });

    it('create actions also answer 200, not 201', async () => {
      const response = await server.admin.post('package_create', { name: 'created-200', owner_org: 'so-noi-vu' });
      expect(response.status).to.equal(200);
    });

    it('an unknown action is a 400 with a bare JSON string, not the envelope', async () => {
      for (const response of [await server.anon.post('no_such_action'), await server.anon.get('no_such_action')]) {
        expect(response.status).to.equal(400);
        expect(response.body).to.equal('Bad request - Action name not known: no_such_action');
      }
    });

    it('404, 403 and 409 carry CKAN\'s __type and message', async () => {
      const missing = await server.anon.post('package_show', { id: 'does-not-exist' });
      expect(missing.status).to.equal(404);
      expect(missing.body).to.deep.equal({ help: 'http://kho.test/api/3/action/help_show?name=package_show', success: false, error: { message: 'Not found', __type: 'Not Found Error' } });
      const denied = await server.anon.post('package_show', { id: 'private-one' });
      expect(denied.status).to.equal(403);
      expect(denied.body.error.__type).to.equal('Authorization Error');
      expect(denied.body.error.message).to.match(/^Access denied: User  not authorized to read package [0-9a-f-]{36}$/);
      const invalid = await server.admin.post('package_create', { name: 'X' });
      expect(invalid.status).to.equal(409);
      expect(invalid.body.error.__type).to.equal('Validation Error');
      expect(invalid.body).not.to.have.property('result');
    });

    it('unicode in error messages works (test_api.py::test_unicode_in_error_message_works_ok)', async () => {
      const response = await server.admin.post('package_create', { name: 'dữ-liệu', title: 'Dữ liệu' });
      expect(response.status).to.equal(409);
      expect(response.body.error.name).to.deep.equal(['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_']);
    });
  });

  describe('request parsing (§1.2)', () => {
    it('GET-able actions take URL parameters (test_readonly_is_get_able_with_normal_url_params)', async () => {
      const response = await server.anon.get('package_show', { id: 'public-one' });
      expect(response.status).to.equal(200);
      expect(response.body.result.name).to.equal('public-one');
    });

    it('GET on an action with side effects is refused (test_sideeffect_action_is_not_get_able)', async () => {
      const response = await server.admin.get('package_create', { name: 'by-get' });
      expect(response.status).to.equal(400);
      expect(response.body).to.equal('Bad request - JSON Error: Invalid request. Please use POST method for your request');
    });

    it('a POST to a GET-able action with query parameters uses them and ignores the body, as CKAN', async () => {
      const response = await server.anon.request('/api/3/action/package_show?id=public-one', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: 'private-one' }),
      });
      expect(response.status).to.equal(200);
      expect(response.body.result.name).to.equal('public-one');
    });

    it('curl -d \'{"…"}\' (form content type holding JSON) works', async () => {
      const response = await server.admin.request('/api/3/action/package_show', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: '{"id": "public-one"}',
      });
      expect(response.status).to.equal(200);
      expect(response.body.result.title).to.equal('Công khai');
    });

    it('a form with one field whose value is empty is read as JSON in the field name (CKAN\'s legacy trick)', async () => {
      const form = new URLSearchParams();
      form.set(JSON.stringify({ id: 'public-one' }), '');
      const response = await server.anon.request('/api/3/action/package_show', { method: 'POST', body: form });
      expect(response.status).to.equal(200);
      expect(response.body.result.name).to.equal('public-one');
    });

    it('ordinary form fields become a flat dict; repeated keys become lists', async () => {
      const form = new URLSearchParams([['q', 'name:public-one'], ['facet.field', 'organization'], ['facet.field', 'tags']]);
      const response = await server.anon.request('/api/3/action/package_search', { method: 'POST', body: form });
      expect(response.status).to.equal(200);
      expect(Object.keys(response.body.result.search_facets).sort()).to.deep.equal(['organization', 'tags']);
    });

    it('a JSON body is accepted whatever its Content-Type (text/plain, none)', async () => {
      for (const headers of [{ 'Content-Type': 'text/plain' }, {}] as Array<Record<string, string>>) {
        const response = await server.anon.request('/api/3/action/package_show', { method: 'POST', headers, body: JSON.stringify({ id: 'public-one' }) });
        expect(response.status).to.equal(200);
      }
    });

    it('an empty body is an empty dict', async () => {
      const response = await server.anon.request('/api/3/action/status_show', { method: 'POST' });
      expect(response.status).to.equal(200);
    });

    it('malformed JSON is a 400 bare string', async () => {
      const response = await server.admin.request('/api/3/action/package_create', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name": "x",' });
      expect(response.status).to.equal(400);
      expect(response.body).to.be.a('string').and.match(/^Bad request - JSON Error: Error decoding JSON data\. Error: /);
    });

    it('JSON that is not an object is a 400 bare string', async () => {
      const response = await server.admin.request('/api/3/action/package_create', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '["a", "b"]' });
      expect(response.status).to.equal(400);
      expect(response.body).to.equal('Bad request - JSON Error: Request data JSON decoded to ["a","b"] but it needs to be a dictionary.');
    });

    it('a body over api.max_body_mb is refused with 413 and the error envelope', async () => {
      const huge = JSON.stringify({ name: 'huge', notes: 'x'.repeat(11 * 1024 * 1024) });
      const response = await server.admin.request('/api/3/action/package_create', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: huge });
      expect(response.status).to.equal(413);
      expect(response.body.success).to.equal(false);
      expect(response.body.error.message).to.match(/Request body too large/);
      expect((await server.admin.post('package_show', { id: 'huge' })).status).to.equal(404);
    });

    it('text with a NUL character is refused with a 409, never a 500', async () => {
      const response = await server.admin.post('package_create', { name: 'nul-title', title: 'a\u0000b', owner_org: 'so-noi-vu' });
      expect(response.status).to.equal(409);
      expect(response.body.error.__type).to.equal('Validation Error');
      expect((await server.admin.post('package_show', { id: 'nul-title' })).status).to.equal(404);
    });

    it('internal "__" keys sent by a client are ignored (they cannot spoof an auth check)', async () => {
      const spoof = { id: 'private', state: 'active', private: false, owner_org: null, creator_user_id: null };
      const response = await server.anon.post('package_show', { id: 'private-one', __package: spoof });
      expect(response.status).to.equal(403);
    });

    it('text is stored NFC-normalised (decomposed Vietnamese arrives composed)', async () => {
      const decomposed = 'Hà Nội'.normalize('NFD');
      const created = await server.admin.call('package_create', { name: 'nfc-check', title: decomposed, owner_org: 'so-noi-vu' });
      expect(created.title).to.equal('Hà Nội'.normalize('NFC'));
      expect(created.title).not.to.equal(decomposed);
    });
  });

  describe('JSONP (test_api.py::test_jsonp_*)', () => {
    it('works on GET requests and returns javascript', async () => {
      const response = await server.anon.request('/api/3/action/site_read?callback=my_callback');
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.equal('application/javascript;charset=utf-8');
      expect(response.text).to.equal('my_callback({"help":"http://kho.test/api/3/action/help_show?name=site_read","success":true,"result":true});');
    });

    it('does not work on POST requests', async () => {
      const response = await server.anon.request('/api/3/action/site_read?callback=my_callback', { method: 'POST' });
      expect(response.headers.get('content-type')).to.equal('application/json;charset=utf-8');
      expect(response.body.result).to.equal(true);
    });

    it('runs anonymously even with a token, and escapes the callback name', async () => {
      const response = await server.admin.request('/api/3/action/package_show?id=private-one&callback=cb');
      expect(response.status).to.equal(403);
      expect(response.headers.get('content-type')).to.equal('application/json;charset=utf-8');
      const escaped = await server.anon.request(`/api/3/action/site_read?callback=${encodeURIComponent('<x>')}`);
      expect(escaped.text.startsWith('&lt;x&gt;(')).to.equal(true);
    });

    it('wraps the version endpoints too, and wraps with an empty callback name (ckan/views/api.py::_finish)', async () => {
      const version = await server.anon.request('/api/3?callback=cb');
      expect(version.headers.get('content-type')).to.equal('application/javascript;charset=utf-8');
      expect(version.text).to.equal('cb({"version":3});');
      const empty = await server.anon.request('/api/3/action/site_read?callback=');
      expect(empty.headers.get('content-type')).to.equal('application/javascript;charset=utf-8');
      expect(empty.text).to.equal('({"help":"http://kho.test/api/3/action/help_show?name=site_read","success":true,"result":true});');
      // A parameter that merely contains the word is not a callback.
      const other = await server.anon.request('/api/3/action/package_search?q=callback');
      expect(other.headers.get('content-type')).to.equal('application/json;charset=utf-8');
    });
  });

  describe('CORS (test_base.py::test_options, test_cors_*)', () => {
    it('OPTIONS answers 200 with an empty body', async () => {
      const response = await server.anon.request('/api/3/action/package_search', { method: 'OPTIONS' });
      expect(response.status).to.equal(200);
      expect(response.text).to.equal('');
    });

    it('adds the headers for a whitelisted Origin only', async () => {
      const allowed = await server.anon.request('/api/3/action/site_read', { headers: { Origin: 'https://portal.gov.vn' } });
      expect(allowed.headers.get('access-control-allow-origin')).to.equal('https://portal.gov.vn');
      expect(allowed.headers.get('access-control-allow-methods')).to.equal('POST, PUT, GET, DELETE, OPTIONS');
      expect(allowed.headers.get('access-control-allow-headers')).to.equal('Authorization, X-CKAN-API-Key, Content-Type');
      const other = await server.anon.request('/api/3/action/site_read', { headers: { Origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).to.equal(null);
      const none = await server.anon.request('/api/3/action/site_read');
      expect(none.headers.get('access-control-allow-origin')).to.equal(null);
    });
  });

  describe('meta actions (TestStatusShow, TestGetHelpShow)', () => {
    it('status_show reports the site and a CKAN version clients can sniff', async () => {
      const status = await server.anon.call('status_show');
      expect(status).to.deep.equal({
        site_title: 'Cổng dữ liệu mở',
        site_description: '',
        site_url: 'http://kho.test',
        error_emails_to: null,
        locale_default: 'vi',
        extensions: [],
        ckan_version: '2.11.5',
      });
    });

    it('help_show returns the action\'s documentation; unknown → 404', async () => {
      const help = await server.anon.call('help_show', { name: 'package_create' });
      expect(help).to.be.a('string').and.include('Create a new dataset');
      const missing = await server.anon.post('help_show', { name: 'no_such_action' });
      expect(missing.status).to.equal(404);
      expect(missing.body.error.message).to.equal('Not found: Action function not found');
    });

    it('every registered action documents itself', async () => {
      for (const name of server.kernel.container.cradle.actions.names()) {
        const help = await server.anon.call('help_show', { name });
        expect(help, name).to.be.a('string').and.not.equal('');
      }
    });

    it('site_read (CKAN 2.10) still answers true for old health checks', async () => {
      expect(await server.anon.call('site_read')).to.equal(true);
    });

    it('license_list includes CC0, CC BY 4.0, ODbL and the Vietnamese LET Art. 43 terms, with CKAN\'s string booleans', async () => {
      const licenses = await server.anon.call('license_list');
      const ids = licenses.map((license: { id: string }) => license.id);
      expect(ids).to.include.members(['cc-zero', 'cc-by', 'odc-odbl', 'vn-let-43', 'notspecified', 'other-closed']);
      const ccBy = licenses.find((license: { id: string }) => license.id === 'cc-by');
      expect(ccBy.title).to.include('4.0');
      expect(ccBy.od_conformance).to.equal('approved');
      expect(ccBy.is_generic).to.equal('False');
      const vn = await server.anon.call('license_show', { id: 'vn-let-43' });
      expect(vn.title).to.include('Điều 43 Luật Giao dịch điện tử');
    });

    it('a dataset under an open licence has isopen true and the licence title', async () => {
      const created = await server.admin.call('package_create', { name: 'open-licence', owner_org: 'so-noi-vu', license_id: 'vn-let-43' });
      expect(created.isopen).to.equal(true);
      expect(created.license_title).to.include('Điều 43');
      expect(created.license_url).to.be.a('string');
      const closed = await server.admin.call('package_create', { name: 'closed-licence', owner_org: 'so-noi-vu', license_id: 'my-own' });
      expect(closed.isopen).to.equal(false);
      expect(closed.license_title).to.equal('my-own');
      expect(closed).not.to.have.property('license_url');
    });
  });

  describe('operations', () => {
    it('GET /healthz reports the database', async () => {
      const response = await server.anon.request('/healthz');
      expect(response.status).to.equal(200);
      expect(response.body.status).to.equal('ok');
    });

    it('every response carries a request id, echoing a sane X-Request-Id', async () => {
      const generated = await server.anon.request('/api/3');
      expect(generated.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      const given = await server.anon.request('/api/3', { headers: { 'X-Request-Id': 'trace-123' } });
      expect(given.headers.get('x-request-id')).to.equal('trace-123');
      const hostile = await server.anon.request('/api/3', { headers: { 'X-Request-Id': 'a b\tc' } });
      expect(hostile.headers.get('x-request-id')).not.to.equal('a b\tc');
    });

    it('anonymous responses are publicly cacheable, authenticated ones private', async () => {
      expect((await server.anon.request('/api/3/action/site_read')).headers.get('cache-control')).to.include('public');
      expect((await server.admin.request('/api/3/action/site_read')).headers.get('cache-control')).to.include('private');
    });
  });
});
