// The editors' console over HTTP: dataset forms generated from the schema (plugin fields included)
// with errors next to their fields, uploads, delete and restore, organization members, and the
// sysadmin pages. Everything goes through actions, so the same permissions apply as on the API.
import { expect } from 'chai';
import { pngBytes } from '../../core/storage/sample-files.ts';
import { createHash } from 'node:crypto';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { WebClient, csrfToken, pageText } from './helpers.ts';

/** The form control wrapper of a field, with its error message. */
function fieldBlock(html: string, name: string): string {
  const start = html.indexOf(`id="field-${name}-wrap"`);
  if (start < 0) return '';
  const end = html.indexOf('id="field-', html.indexOf(`id="field-${name}"`, start) + 10);
  return html.slice(start, end > 0 ? end : start + 3000);
}

describe('ui › editors\' console', function () {
  this.timeout(60000);
  let server: TestServer;
  let editor: TestUser;
  let outsider: TestUser;
  let orgAdmin: TestUser;
  let web: WebClient;

  before(async () => {
    server = await startTestServer({ plugins: ['ui', 'example'], config: { example: { theme_required: true } } });
    editor = await server.createUser('can-bo-so-yte');
    outsider = await server.createUser('nguoi-ngoai');
    orgAdmin = await server.createUser('quan-tri-so');
    await server.admin.call('organization_create', {
      name: 'so-y-te', title: 'Sở Y tế',
      users: [{ name: editor.name, capacity: 'editor' }, { name: orgAdmin.name, capacity: 'admin' }],
    });
    await server.admin.call('organization_create', { name: 'so-xay-dung', title: 'Sở Xây dựng' });
    await server.admin.call('package_create', { name: 'giay-phep-xay-dung', title: 'Giấy phép xây dựng', owner_org: 'so-xay-dung', example_theme: 'giao-thong' });
    await server.admin.call('group_create', { name: 'suc-khoe', title: 'Sức khoẻ' });
    web = new WebClient(server.url);
    await web.login(editor.name, editor.password);
  });
  after(() => server.close());

  it('sends signed-out visitors to sign in first', async () => {
    const res = await new WebClient(server.url).get('/dataset/new');
    expect(res.status).to.equal(303);
    expect(res.location).to.equal('/user/login?came_from=%2Fdataset%2Fnew');
  });

  it('generates the dataset form from the schema, including plugin-declared fields', async () => {
    const res = await web.get('/dataset/new');
    expect(res.status).to.equal(200);
    const html = res.text;
    for (const name of ['title', 'name', 'notes', 'tag_string', 'license_id', 'owner_org', 'example_theme', 'author_email']) {
      expect(html, name).to.include(`id="field-${name}"`);
      expect(html, name).to.match(new RegExp(`<label for="field-${name}"`));
    }
    // only the organizations the user may publish in
    expect(html).to.include('>Sở Y tế</option>');
    expect(html).not.to.include('Sở Xây dựng');
    // the plugin's select with its Vietnamese choice labels, marked required
    expect(fieldBlock(html, 'example_theme')).to.include('>Giáo dục</option>');
    expect(fieldBlock(html, 'example_theme')).to.include('aria-required="true"');
  });

  it('shows validation errors next to their fields, keeps what was typed, and creates once fixed', async () => {
    const token = csrfToken((await web.get('/dataset/new')).text);
    const fields = { title: 'Danh sách cơ sở y tế', notes: 'Các **cơ sở** y tế', tag_string: 'y tế, bệnh viện', license_id: 'cc-by', owner_org: 'so-y-te', private: 'False', author_email: 'khong-phai-email' };
    const bad = await web.post('/dataset/new', fields, { csrf: token });
    expect(bad.status).to.equal(409);
    const theme = fieldBlock(bad.text, 'example_theme');
    expect(theme).to.include('class="error"');
    expect(theme).to.include('Chưa nhập giá trị.');
    expect(theme).to.include('aria-invalid="true"');
    expect(fieldBlock(bad.text, 'author_email')).to.include('không hợp lệ');
    expect(bad.text).to.include('value="Danh sách cơ sở y tế"');
    expect(bad.text).to.include('value="y tế, bệnh viện"');
    expect(bad.text).to.include('id="error-summary"');
    expect(bad.text).to.include('href="#field-example_theme"');
    expect(await server.anon.get('package_show', { id: 'danh-sach-co-so-y-te' }).then((r) => r.status)).to.equal(404);

    const good = await web.post('/dataset/new', { ...fields, author_email: 'yte@example.vn', example_theme: 'y-te' }, { csrf: token });
    expect(good.status).to.equal(303);
    expect(good.location).to.equal('/dataset/danh-sach-co-so-y-te/resource/new');
    const pkg = await server.anon.call('package_show', { id: 'danh-sach-co-so-y-te' });
    expect(pkg.title).to.equal('Danh sách cơ sở y tế');
    expect(pkg.example_theme).to.equal('y-te');
    expect(pkg.tags.map((tag: { name: string }) => tag.name).sort()).to.deep.equal(['bệnh viện', 'y tế']);
    expect(pkg.license_id).to.equal('cc-by');
    expect(pkg.creator_user_id).to.equal(editor.id);
    const next = await web.get(good.location!);
    expect(pageText(next.text)).to.include('Đã tạo bộ dữ liệu');
    // the dashboard lists it, and nothing of organizations the editor is not in
    const dashboard = pageText((await web.get('/dashboard')).text);
    expect(dashboard).to.include('Danh sách cơ sở y tế');
    expect(dashboard).not.to.include('Giấy phép xây dựng');

    // the same title again: the generated URL name is taken, said next to the title and the name
    const again = await web.post('/dataset/new', { ...fields, author_email: '', example_theme: 'y-te' }, { csrf: token });
    expect(again.status).to.equal(409);
    expect(fieldBlock(again.text, 'title')).to.include('Địa chỉ (URL) này đã được dùng');
  });

  it('uploads a file as a resource (plain form and the script\'s request), recording size and sha256', async () => {
    const bytes = Buffer.from('ma_co_so,ten,dia_chi\n01,Bệnh viện Trung ương Huế,16 Lê Lợi\n02,Bệnh viện Đa khoa tỉnh,"1 Nguyễn Huệ, Huế"\n');
    const form = new FormData();
    form.set('name', 'Danh sách (CSV)');
    form.set('upload', new Blob([bytes], { type: 'text/csv' }), 'co-so.csv');
    const res = await web.postMultipart('/dataset/danh-sach-co-so-y-te/resource/new', form);
    expect(res.status).to.equal(303);
    const pkg = await server.anon.call('package_show', { id: 'danh-sach-co-so-y-te' });
    const resource = pkg.resources[0];
    expect(resource.format).to.equal('CSV');
    expect(resource.size).to.equal(bytes.length);
    expect(resource.hash.replace(/^sha256:/, '')).to.equal(createHash('sha256').update(bytes).digest('hex'));
    expect(res.location).to.equal(`/dataset/danh-sach-co-so-y-te/resource/${resource.id}`);

    const token = csrfToken((await web.get('/dataset/danh-sach-co-so-y-te/resource/new')).text)!;
    const xhrForm = new FormData();
    xhrForm.set('upload', new Blob(['{"a":1}']), 'thong-ke.json');
    const xhr = await web.postMultipart('/dataset/danh-sach-co-so-y-te/resource/new', xhrForm, { csrf: null, headers: { 'X-Requested-With': 'XMLHttpRequest', 'X-CSRFToken': token } });
    expect(xhr.status).to.equal(200);
    const body = JSON.parse(xhr.text);
    expect(body.location).to.match(/^\/dataset\/danh-sach-co-so-y-te\/resource\/[0-9a-f-]{36}$/);

    const empty = await web.postMultipart('/dataset/danh-sach-co-so-y-te/resource/new', new FormData(), { csrf: null, headers: { 'X-Requested-With': 'XMLHttpRequest', 'X-CSRFToken': token } });
    expect(empty.status).to.equal(409);
    expect(JSON.parse(empty.text).errors.upload[0]).to.include('Hãy chọn một tệp');

    const link = new FormData();
    link.set('url', 'https://hethong.soyte.example.vn/api/co-so');
    link.set('name', 'API');
    expect((await web.postMultipart('/dataset/danh-sach-co-so-y-te/resource/new', link)).status).to.equal(303);
    expect((await server.anon.call('package_show', { id: 'danh-sach-co-so-y-te' })).resources).to.have.length(3);
  });

  it('edits a dataset, and edits and deletes a resource', async () => {
    const edit = await web.get('/dataset/edit/danh-sach-co-so-y-te');
    expect(edit.status).to.equal(200);
    expect(edit.text).to.include('value="Danh sách cơ sở y tế"');
    expect(fieldBlock(edit.text, 'example_theme')).to.include('value="y-te" selected');
    const saved = await web.post('/dataset/edit/danh-sach-co-so-y-te', {
      title: 'Danh sách cơ sở khám chữa bệnh', name: 'danh-sach-co-so-y-te', notes: 'Mới', tag_string: 'y tế', license_id: 'vn-let-43', owner_org: (await server.anon.call('organization_show', { id: 'so-y-te' })).id, private: 'False', example_theme: 'giao-thong',
    }, { fromPage: '/dataset/edit/danh-sach-co-so-y-te' });
    expect(saved.status).to.equal(303);
    const pkg = await server.anon.call('package_show', { id: 'danh-sach-co-so-y-te' });
    expect(pkg.title).to.equal('Danh sách cơ sở khám chữa bệnh');
    expect(pkg.tags.map((tag: { name: string }) => tag.name)).to.deep.equal(['y tế']);
    expect(pkg.example_theme).to.equal('giao-thong');
    expect(pkg.resources).to.have.length(3);

    const api = pkg.resources[2];
    const patched = await web.post(`/dataset/danh-sach-co-so-y-te/resource/${api.id}/edit`, { name: 'API tra cứu', url: api.url, description: '', format: 'API' }, { fromPage: `/dataset/danh-sach-co-so-y-te/resource/${api.id}/edit` });
    expect(patched.status).to.equal(303);
    expect((await server.anon.call('resource_show', { id: api.id })).name).to.equal('API tra cứu');
    const gone = await web.post(`/dataset/danh-sach-co-so-y-te/resource/${api.id}/delete`, {}, { fromPage: `/dataset/danh-sach-co-so-y-te/resource/${api.id}/delete` });
    expect(gone.status).to.equal(303);
    expect((await server.anon.call('package_show', { id: 'danh-sach-co-so-y-te' })).resources).to.have.length(2);
  });

  it('deletes after confirmation and restores from the list of deleted datasets', async () => {
    const confirm = await web.get('/dataset/delete/danh-sach-co-so-y-te');
    expect(pageText(confirm.text)).to.include('Xoá bộ dữ liệu “Danh sách cơ sở khám chữa bệnh”?');
    const deleted = await web.post('/dataset/delete/danh-sach-co-so-y-te', {}, { csrf: csrfToken(confirm.text) });
    expect(deleted.status).to.equal(303);
    expect(deleted.location).to.equal('/dashboard/deleted');
    expect((await server.anon.get('package_show', { id: 'danh-sach-co-so-y-te' })).status).to.equal(403);
    const list = await web.get('/dashboard/deleted');
    expect(pageText(list.text)).to.include('Danh sách cơ sở khám chữa bệnh');
    const restored = await web.post('/dataset/restore/danh-sach-co-so-y-te', {}, { csrf: csrfToken(list.text) });
    expect(restored.status).to.equal(303);
    expect((await server.anon.call('package_show', { id: 'danh-sach-co-so-y-te' })).state).to.equal('active');
  });

  it('refuses editors of other organizations (as the API does)', async () => {
    const other = new WebClient(server.url);
    await other.login(outsider.name, outsider.password);
    expect((await other.get('/dataset/edit/danh-sach-co-so-y-te')).status).to.equal(403);
    const form = await other.get('/dataset/new');
    expect(pageText(form.text)).to.include('Bạn chưa có quyền đăng dữ liệu');
    const forced = await other.post('/dataset/new', { title: 'Chen ngang', owner_org: 'so-y-te', example_theme: 'y-te' }, { fromPage: '/dashboard' });
    expect(forced.status).to.equal(403);
    expect((await other.get('/dataset/danh-sach-co-so-y-te')).text).not.to.include('/dataset/edit/');
  });

  it('lets an organization admin manage members', async () => {
    const admin = new WebClient(server.url);
    await admin.login(orgAdmin.name, orgAdmin.password);
    const page = await admin.get('/organization/members/so-y-te');
    expect(page.status).to.equal(200);
    expect(pageText(page.text)).to.include(editor.name);
    const added = await admin.post('/organization/member_new/so-y-te', { username: outsider.name, role: 'editor' }, { csrf: csrfToken(page.text) });
    expect(added.status).to.equal(303);
    const orgs = await server.client(outsider.token).call('organization_list_for_user', { permission: 'create_dataset' });
    expect(orgs.map((org: { name: string }) => org.name)).to.deep.equal(['so-y-te']);
    const missing = await admin.post('/organization/member_new/so-y-te', { username: 'khong-co-ai', role: 'editor' }, { csrf: csrfToken(page.text) });
    expect(missing.status).to.equal(409);
    expect(pageText(missing.text)).to.include('Không có người dùng với tên này.');
    const removed = await admin.post('/organization/member_delete/so-y-te', { user: outsider.name }, { csrf: csrfToken(page.text) });
    expect(removed.status).to.equal(303);
    expect(await server.client(outsider.token).call('organization_list_for_user', { permission: 'create_dataset' })).to.deep.equal([]);
    // an editor is not an admin
    expect((await web.get('/organization/members/so-y-te')).status).to.equal(403);
  });

  it('creates and edits organizations with their declared fields', async () => {
    const admin = new WebClient(server.url);
    await admin.login(server.sysadmin.name, server.sysadmin.password);
    const form = await admin.get('/organization/new');
    expect(form.text).to.include('id="field-example_code"');
    const created = await admin.post('/organization/new', { title: 'Sở Tư pháp', description: 'Quản lý **tư pháp**', example_code: ' H12.20 ' }, { csrf: csrfToken(form.text) });
    expect(created.status).to.equal(303);
    expect(created.location).to.equal('/organization/so-tu-phap');
    const org = await server.anon.call('organization_show', { id: 'so-tu-phap' });
    expect(org.example_code).to.equal('H12.20');
    const taken = await admin.post('/organization/new', { title: 'Sở Tư pháp' }, { csrf: csrfToken(form.text) });
    expect(taken.status).to.equal(409);
    expect(fieldBlock(taken.text, 'name')).to.include('Tên này đã được dùng.');
    const edited = await admin.post('/organization/edit/so-tu-phap', { title: 'Sở Tư pháp tỉnh', name: 'so-tu-phap', description: '', example_code: 'H12.21' }, { csrf: csrfToken(form.text) });
    expect(edited.status).to.equal(303);
    expect((await server.anon.call('organization_show', { id: 'so-tu-phap' })).example_code).to.equal('H12.21');
  });

  it('takes an organization logo from the form, keeps it on later edits, and refuses a file that is not an image', async () => {
    const admin = new WebClient(server.url);
    await admin.login(server.sysadmin.name, server.sysadmin.password);
    const page = await admin.get('/organization/new');
    expect(page.text).to.include('enctype="multipart/form-data"');
    expect(page.text).to.include('accept="image/png,image/gif,image/jpeg"');
    const form = new FormData();
    form.set('title', 'Sở Văn hoá Thể thao');
    form.set('image_url', '');
    form.set('image_upload', new Blob([pngBytes()], { type: 'image/png' }), 'logo-van-hoa.png');
    const created = await admin.postMultipart('/organization/new', form);
    expect(created.status).to.equal(303);
    const org = await server.anon.call('organization_show', { id: 'so-van-hoa-the-thao' });
    expect(org.image_url).to.match(/logo-van-hoa\.png$/);
    expect((await fetch(server.url + new URL(org.image_display_url).pathname)).status).to.equal(200);
    expect((await admin.get('/organization/so-van-hoa-the-thao')).text).to.include(`<img class="logo" src="/uploads/group/${org.image_url}" alt="">`);
    // the edit form shows the stored name, and saving it unchanged keeps the logo
    const edit = await admin.get('/organization/edit/so-van-hoa-the-thao');
    expect(edit.text).to.include(`value="${org.image_url}"`);
    const kept = await admin.post('/organization/edit/so-van-hoa-the-thao', { title: 'Sở Văn hoá Thể thao', name: 'so-van-hoa-the-thao', description: '', image_url: org.image_url }, { csrf: csrfToken(edit.text) });
    expect(kept.status).to.equal(303);
    expect((await server.anon.call('organization_show', { id: 'so-van-hoa-the-thao' })).image_url).to.equal(org.image_url);
    const bad = new FormData();
    bad.set('title', 'Sở Văn hoá Thể thao');
    bad.set('name', 'so-van-hoa-the-thao');
    bad.set('image_upload', new Blob(['not an image'], { type: 'image/png' }), 'logo.png');
    const refused = await admin.postMultipart('/organization/edit/so-van-hoa-the-thao', bad, { fromPage: '/organization/edit/so-van-hoa-the-thao' });
    expect(refused.status).to.equal(409);
    expect(fieldBlock(refused.text, 'image_upload')).to.include('text/plain');
  });

  it('gives sysadmins the user list, user forms and the plugin overview, and nobody else', async () => {
    const admin = new WebClient(server.url);
    await admin.login(server.sysadmin.name, server.sysadmin.password);
    const overview = await admin.get('/ckan-admin');
    expect(overview.status).to.equal(200);
    const text = pageText(overview.text);
    expect(text).to.include('ui 1.0.0');
    expect(text).to.include('example 1.0.0');
    const users = await admin.get('/user');
    expect(pageText(users.text)).to.include(editor.name);
    const created = await admin.post('/user/new', { name: 'can-bo-moi', fullname: 'Cán bộ mới', email: 'moi@example.vn', password: 'mat-khau-dai' }, { fromPage: '/user/new' });
    expect(created.status).to.equal(303);
    const fresh = new WebClient(server.url);
    await fresh.login('can-bo-moi', 'mat-khau-dai');
    const short = await admin.post('/user/new', { name: 'ngan', email: 'ngan@example.vn', password: '123' }, { fromPage: '/user/new' });
    expect(short.status).to.equal(409);
    expect(pageText(short.text)).to.include('Mật khẩu cần ít nhất 8 ký tự.');
    for (const path of ['/ckan-admin', '/user', '/user/new']) expect((await web.get(path)).status, path).to.equal(403);
  });
});
