// Signing in to the portal: the session cookie, CSRF on every form, the lock-out after repeated
// failures, and how a session and API tokens meet (cookie auth on the Action API needs the CSRF
// header for writes; token requests are untouched).
import { expect } from 'chai';
import { FixedClock } from '../../../core/clock.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { WebClient, csrfToken, pageText } from './helpers.ts';

function setCookie(headers: Headers, name: string): string | undefined {
  return headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

describe('ui › sign-in and sessions', function () {
  this.timeout(60000);
  let server: TestServer;
  let editor: TestUser;

  before(async () => {
    server = await startTestServer({ plugins: ['ui'] });
    editor = await server.createUser('bien-tap-vien');
    await server.admin.call('organization_create', { name: 'so-tai-chinh', title: 'Sở Tài chính', users: [{ name: editor.name, capacity: 'editor' }] });
    await server.admin.call('package_create', { name: 'du-toan-noi-bo', title: 'Dự toán nội bộ', owner_org: 'so-tai-chinh', private: true });
  });
  after(() => server.close());

  it('signs in with user name and password: HttpOnly, SameSite=Lax cookie, back to where the user was', async () => {
    const web = new WebClient(server.url);
    const form = await web.get('/user/login?came_from=%2Fdataset%2Fdu-toan-noi-bo');
    expect(form.status).to.equal(200);
    expect(form.text).to.include('value="/dataset/du-toan-noi-bo"');
    const csrfCookie = setCookie(form.headers, 'kho_csrf')!;
    expect(csrfCookie).to.match(/httponly/i);
    expect(csrfCookie).to.match(/samesite=lax/i);
    const res = await web.post('/user/login', { login: editor.name, password: editor.password, came_from: '/dataset/du-toan-noi-bo' }, { csrf: csrfToken(form.text) });
    expect(res.status).to.equal(303);
    expect(res.location).to.equal('/dataset/du-toan-noi-bo');
    const cookie = setCookie(res.headers, 'kho_session')!;
    expect(cookie).to.match(/httponly/i);
    expect(cookie).to.match(/samesite=lax/i);
    expect(cookie).not.to.match(/;\s*secure/i);
    const page = await web.get('/dataset/du-toan-noi-bo');
    expect(page.status).to.equal(200);
    expect(page.headers.get('cache-control')).to.equal('private, no-store');
    expect(pageText(page.text)).to.include(`Đăng xuất (${editor.name})`);
    expect(pageText(page.text)).to.include('Riêng tư');
  });

  it('refuses a wrong password without saying whether the user exists, and any form without its CSRF token', async () => {
    const web = new WebClient(server.url);
    const wrong = await web.post('/user/login', { login: editor.name, password: 'sai-mat-khau' }, { fromPage: '/user/login' });
    expect(wrong.status).to.equal(401);
    expect(pageText(wrong.text)).to.include('Tên đăng nhập hoặc mật khẩu không đúng.');
    const unknown = await web.post('/user/login', { login: 'khong-ton-tai', password: 'sai-mat-khau' }, { fromPage: '/user/login' });
    expect(unknown.status).to.equal(401);
    expect(pageText(unknown.text)).to.include('Tên đăng nhập hoặc mật khẩu không đúng.');
    expect(setCookie(wrong.headers, 'kho_session')).to.equal(undefined);
    const noToken = await web.post('/user/login', { login: editor.name, password: editor.password }, { csrf: null });
    expect(noToken.status).to.equal(403);
    const badToken = await web.post('/user/login', { login: editor.name, password: editor.password }, { csrf: 'x'.repeat(32) });
    expect(badToken.status).to.equal(403);
    // a signed-in user's form with no token or another session's token is refused too
    await web.login(editor.name, editor.password);
    const other = new WebClient(server.url);
    await other.login(editor.name, editor.password);
    const otherToken = csrfToken((await other.get('/dashboard')).text);
    expect((await web.post('/dataset/new', { title: 'X' }, { csrf: null })).status).to.equal(403);
    expect((await web.post('/dataset/new', { title: 'X' }, { csrf: otherToken })).status).to.equal(403);
    expect((await web.post('/user/_logout', {}, { csrf: otherToken })).status).to.equal(403);
  });

  it('signs in accounts moved from CKAN with their password hashes (ckanapi load users), then re-hashes them', async () => {
    // Hashes made by CKAN itself: passlib's pbkdf2_sha512 (CKAN 2.1+) and the salted sha1 before it.
    const moved = [
      { name: 'tu-ckan-pbkdf2', password: 'Mật khẩu đúng 123', hash: '$pbkdf2-sha512$25000$v7e2Vup9jxECYGztnbP2Hg$a8xtW3h0KHaB2Dd1DGLamd3GI6VU.C.vsyu8ZYvnCq33KYqGZh/Yq1eHnjICWUBJD.yNH66O/Wr9upTTZZAefw' },
      { name: 'tu-ckan-sha1', password: 'Mật khẩu cũ 2012', hash: 'aefa552f2693a4ca7e8bc649ae014a1236bf7a08e6c408eb5886fdd2c35fb3d09521eba7880f0757' },
    ];
    for (const user of moved) {
      await server.admin.call('user_create', { name: user.name, email: `${user.name}@example.org`, password_hash: user.hash });
      const web = new WebClient(server.url);
      const wrong = await web.post('/user/login', { login: user.name, password: user.password + '!' }, { fromPage: '/user/login' });
      expect(wrong.status, user.name).to.equal(401);
      expect((await server.admin.call('user_show', { id: user.name, include_password_hash: true })).password_hash).to.equal(user.hash);
      const right = await web.post('/user/login', { login: user.name, password: user.password }, { fromPage: '/user/login' });
      expect(right.status, user.name).to.equal(303);
      const rehashed = (await server.admin.call('user_show', { id: user.name, include_password_hash: true })).password_hash;
      expect(rehashed).to.match(/^scrypt\$/);
      expect((await new WebClient(server.url).post('/user/login', { login: user.name, password: user.password }, { fromPage: '/user/login' })).status).to.equal(303);
    }
  });

  it('never redirects off-site after sign-in', async () => {
    for (const cameFrom of ['//evil.example/', 'https://evil.example/', 'javascript:alert(1)']) {
      const web = new WebClient(server.url);
      const res = await web.post('/user/login', { login: editor.name, password: editor.password, came_from: cameFrom }, { fromPage: '/user/login' });
      expect(res.location).to.equal('/dashboard');
    }
  });

  it('signs out: the session ends on the server, not only in the browser', async () => {
    const web = new WebClient(server.url);
    await web.login(editor.name, editor.password);
    const stolen = web.cookies.get('kho_session')!;
    const out = await web.post('/user/_logout', {}, { fromPage: '/dashboard' });
    expect(out.status).to.equal(303);
    expect(web.cookies.has('kho_session')).to.equal(false);
    const replay = new WebClient(server.url);
    replay.cookies.set('kho_session', stolen);
    const page = await replay.get('/dataset/du-toan-noi-bo');
    expect(page.status).to.equal(303); // anonymous: sent to sign in
    expect(page.location).to.match(/^\/user\/login\?came_from=/);
  });

  it('lets the Action API and downloads see the session: reads freely, writes only with the CSRF header', async () => {
    const web = new WebClient(server.url);
    await web.login(editor.name, editor.password);
    const shown = await web.get('/api/3/action/package_show?id=du-toan-noi-bo', { Accept: 'application/json' });
    expect(shown.status).to.equal(200);
    const token = csrfToken((await web.get('/dashboard')).text)!;
    const body = JSON.stringify({ name: 'tu-phien-dang-nhap', owner_org: 'so-tai-chinh' });
    const forged = await web.request('/api/3/action/package_create', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(forged.status).to.equal(403); // treated as anonymous: a cross-site form cannot act as the user
    const allowed = await web.request('/api/3/action/package_create', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token }, body });
    expect(allowed.status).to.equal(200);
    expect(JSON.parse(allowed.text).result.creator_user_id).to.equal(editor.id);

    // token requests never need CSRF, with or without a cookie; the token decides who is calling
    const withToken = await web.request('/api/3/action/package_create', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: server.sysadmin.token }, body: JSON.stringify({ name: 'bang-token', owner_org: 'so-tai-chinh' }),
    });
    expect(withToken.status).to.equal(200);
    expect(JSON.parse(withToken.text).result.creator_user_id).to.equal(server.sysadmin.id);
    // an invalid token stays anonymous even with a valid session (as before: never a session fallback)
    const badToken = await web.request('/api/3/action/package_show?id=du-toan-noi-bo', { headers: { Authorization: 'kho_invalid', Accept: 'application/json' } });
    expect(badToken.status).to.equal(403);

    // the private dataset's file downloads for the signed-in editor, not for others
    const form = new FormData();
    form.set('package_id', 'du-toan-noi-bo');
    form.set('upload', new Blob(['a,b\n1,2\n']), 'du-toan.csv');
    const created = await server.client(server.sysadmin.token).request('/api/3/action/resource_create', { method: 'POST', body: form });
    const href = `/dataset/du-toan-noi-bo/resource/${created.body.result.id}/download/du-toan.csv`;
    expect((await web.get(href)).status).to.equal(200);
    expect((await new WebClient(server.url).get(href)).status).to.equal(403);
  });

  it('ends the sessions of a deleted user', async () => {
    const gone = await server.createUser('se-bi-xoa');
    const web = new WebClient(server.url);
    await web.login(gone.name, gone.password);
    expect((await web.get('/dashboard')).status).to.equal(200);
    await server.admin.call('user_delete', { id: gone.name });
    const after = await web.get('/dashboard');
    expect(after.status).to.equal(303);
  });

  it('marks cookies Secure behind a TLS-terminating proxy it trusts', async () => {
    const proxied = await startTestServer({ plugins: ['ui'], config: { server: { trust_proxy: true } } });
    try {
      const user = await proxied.createUser('qua-proxy');
      const web = new WebClient(proxied.url);
      const form = await web.get('/user/login', { 'X-Forwarded-Proto': 'https' });
      expect(setCookie(form.headers, 'kho_csrf')).to.match(/;\s*secure/i);
      const res = await web.request('/user/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-Proto': 'https' },
        body: new URLSearchParams({ login: user.name, password: user.password, _csrf_token: csrfToken(form.text)! }),
      });
      expect(res.status).to.equal(303);
      expect(setCookie(res.headers, 'kho_session')).to.match(/;\s*secure/i);
    } finally {
      await proxied.close();
    }
  });

  describe('lock-out', () => {
    let locked: TestServer;
    let clock: FixedClock;
    let user: TestUser;
    before(async () => {
      clock = new FixedClock('2026-03-02T03:00:00Z');
      locked = await startTestServer({ plugins: ['ui'], clock, config: { ui: { lockout_attempts: 3, lockout_minutes: 10 } } });
      user = await locked.createUser('hay-quen');
    });
    after(() => locked.close());

    it('locks a user name after repeated failures, refuses even the right password, and lifts it later', async () => {
      const web = new WebClient(locked.url);
      for (let i = 0; i < 2; i++) expect((await web.post('/user/login', { login: user.name, password: 'sai' }, { fromPage: '/user/login' })).status).to.equal(401);
      const third = await web.post('/user/login', { login: user.name, password: 'sai' }, { fromPage: '/user/login' });
      expect(third.status).to.equal(429);
      expect(pageText(third.text)).to.include('Đăng nhập sai quá nhiều lần');
      const right = await web.post('/user/login', { login: user.name, password: user.password }, { fromPage: '/user/login' });
      expect(right.status).to.equal(429);
      expect(pageText(right.text)).to.include('10 phút');
      // from another browser too: the lock is on the name (and kept in the database)
      const elsewhere = new WebClient(locked.url);
      expect((await elsewhere.post('/user/login', { login: user.name.toUpperCase(), password: user.password }, { fromPage: '/user/login' })).status).to.equal(429);
      clock.advance(11 * 60 * 1000);
      expect((await web.post('/user/login', { login: user.name, password: user.password }, { fromPage: '/user/login' })).status).to.equal(303);
    });

    it('a success clears the count of earlier failures', async () => {
      const other = await locked.createUser('quen-it');
      const web = new WebClient(locked.url);
      for (let i = 0; i < 2; i++) await web.post('/user/login', { login: other.name, password: 'sai' }, { fromPage: '/user/login' });
      await web.login(other.name, other.password);
      const fresh = new WebClient(locked.url);
      for (let i = 0; i < 2; i++) expect((await fresh.post('/user/login', { login: other.name, password: 'sai' }, { fromPage: '/user/login' })).status).to.equal(401);
    });
  });
});
