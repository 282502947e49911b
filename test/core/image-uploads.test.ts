// Organization and group logos and user pictures sent as `image_upload` (multipart), as CKAN's
// forms and `ckanapi load organizations --upload-logo` send them: stored, named in image_url,
// served where image_display_url points, replaced and cleared without leaving files behind.
import { expect } from 'chai';
import path from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import type { ApiResponse } from '../helpers/api-client.ts';
import { pngBytes } from './storage/sample-files.ts';
import { filesUnder, tableCounts, uniqueName } from './packages-fixtures.ts';

const VALIDATION = 'Validation Error';

describe('Image uploads (image_upload) for organizations, groups and users', function () {
  let server: TestServer;
  let storage: string;
  let siteUrl: string;

  before(async () => {
    server = await startTestServer({ config: { storage: { max_image_size_mb: 1 } } });
    storage = path.join(server.dataDir, 'storage');
    siteUrl = server.kernel.container.cradle.config.site.url;
  });
  after(() => server?.close());

  const png = pngBytes();

  async function fetchImage(url: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
    const response = await fetch(server.url + new URL(url).pathname);
    return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
  }

  function ok(response: ApiResponse) {
    expect(response.status, response.text).to.equal(200);
    return response.body.result;
  }

  it('stores an organization logo, names it in image_url and serves it at image_display_url', async () => {
    const org = ok(await server.admin.upload('organization_create', { name: uniqueName('logo-org'), title: 'Sở Y tế' }, { image_upload: { name: 'Logo Sở Y tế.png', content: png, type: 'image/png' } }));
    expect(org.image_url).to.match(/^\d{4}-\d\d-\d\d-\d{6}(\.\d{6})?Logo-So-Y-te\.png$/);
    expect(org.image_display_url).to.equal(`${siteUrl}/uploads/group/${org.image_url}`);
    const served = await fetchImage(org.image_display_url);
    expect(served.status).to.equal(200);
    expect(served.type).to.equal('image/png');
    expect(served.bytes.equals(png)).to.equal(true);
    // and as organization_show and the datasets of the organization show it
    expect((await server.anon.call('organization_show', { id: org.id })).image_display_url).to.equal(org.image_display_url);
    const ds = await server.admin.call('package_create', { name: uniqueName('logo-ds'), owner_org: org.id });
    expect(ds.organization.image_url).to.equal(org.image_url);
  });

  it('replaces a logo on update and deletes the old file; clear_upload removes it', async () => {
    const name = uniqueName('logo-swap');
    const first = ok(await server.admin.upload('organization_create', { name }, { image_upload: { name: 'a.png', content: png } }));
    const second = ok(await server.admin.upload('organization_patch', { id: name }, { image_upload: { name: 'b.png', content: png } }));
    expect(second.image_url).to.match(/b\.png$/);
    expect((await fetchImage(second.image_display_url)).status).to.equal(200);
    expect((await fetchImage(first.image_display_url)).status).to.equal(404);
    // a patch that does not mention the image keeps it
    expect((await server.admin.call('organization_patch', { id: name, title: 'Mới' })).image_url).to.equal(second.image_url);
    const cleared = ok(await server.admin.upload('organization_patch', { id: name, clear_upload: 'true' }, {}));
    expect(cleared.image_url).to.equal('');
    expect(cleared.image_display_url).to.equal('');
    expect((await fetchImage(second.image_display_url)).status).to.equal(404);
  });

  it('takes a logo through group_update on an organization, as ckanapi load --upload-logo sends it', async () => {
    const name = uniqueName('logo-ckanapi');
    await server.admin.call('organization_create', { name, title: 'Sở Tài chính' });
    const shown = await server.admin.call('organization_show', { id: name });
    const updated = ok(await server.admin.upload('group_update', { id: shown.id, name, title: shown.title, type: 'organization' }, { image_upload: { name: 'logo.png', content: png } }));
    expect(updated.is_organization).to.equal(true);
    expect(updated.image_url).to.match(/logo\.png$/);
    const after = await server.admin.call('organization_show', { id: name });
    expect(after).to.include({ is_organization: true, type: 'organization', title: 'Sở Tài chính', image_url: updated.image_url });
    expect((await server.admin.call('organization_list', {})).includes(name)).to.equal(true);
    // ckanapi then sends the record again with the other portal's file name: the logo stored here stays
    const record = { ...shown, image_url: '2019-05-01-093000.123456logo-cong-cu.png' };
    delete record.image_display_url;
    const again = await server.admin.call('organization_update', record);
    expect(again.image_url).to.equal(updated.image_url);
    expect((await fetchImage(again.image_display_url)).status).to.equal(200);
    // a URL replaces it (and the file goes), "" removes it
    const linked = await server.admin.call('organization_patch', { id: name, image_url: 'https://example.org/logo.png' });
    expect(linked.image_display_url).to.equal('https://example.org/logo.png');
    expect((await fetchImage(again.image_display_url)).status).to.equal(404);
    expect((await server.admin.call('organization_patch', { id: name, image_url: '' })).image_url).to.equal('');
    // group_patch too, and group_show still tells organizations apart (404), as CKAN
    expect((await server.admin.call('group_patch', { id: name, description: 'Mô tả' })).description).to.equal('Mô tả');
    expect((await server.admin.post('group_show', { id: name })).status).to.equal(404);
    // an organization editor is no more allowed through group_update than through organization_update
    const outsider = await server.createUser(uniqueName('outsider'));
    expect((await server.client(outsider.token).post('group_update', { id: name, title: 'x' })).status).to.equal(403);
  });

  it('stores a group image and a user picture under their own folders', async () => {
    const group = ok(await server.admin.upload('group_create', { name: uniqueName('logo-group') }, { image_upload: { name: 'nhóm.gif', content: png } }));
    // the extension follows the bytes (a PNG named .gif is stored as .png)
    expect(group.image_url).to.match(/nhom\.png$/);
    expect(group.image_display_url).to.equal(`${siteUrl}/uploads/group/${group.image_url}`);
    expect((await fetchImage(group.image_display_url)).bytes.equals(png)).to.equal(true);
    const userName = uniqueName('anh-dai-dien');
    const user = ok(await server.admin.upload('user_create', { name: userName, email: `${userName}@example.org`, password: 'correct-horse' }, { image_upload: { name: 'me.png', content: png } }));
    expect(user.image_display_url).to.equal(`${siteUrl}/uploads/user/${user.image_url}`);
    expect((await fetchImage(user.image_display_url)).status).to.equal(200);
    const replaced = ok(await server.admin.upload('user_patch', { id: userName }, { image_upload: { name: 'me2.png', content: png } }));
    expect((await fetchImage(replaced.image_display_url)).status).to.equal(200);
    expect((await fetchImage(user.image_display_url)).status).to.equal(404);
  });

  it('refuses what is not a PNG, GIF or JPEG image, and files over ckan.max_image_size, keeping nothing', async () => {
    const before = { files: await filesUnder(storage), rows: await tableCounts(server) };
    const svg = await server.admin.upload('organization_create', { name: uniqueName('svg') }, { image_upload: { name: 'logo.svg', content: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' } });
    expect(svg.status).to.equal(409);
    expect(svg.body.error.__type).to.equal(VALIDATION);
    expect(svg.body.error.image_upload[0]).to.match(/^Unsupported upload type: /);
    const text = await server.admin.upload('group_create', { name: uniqueName('txt') }, { image_upload: { name: 'logo.png', content: 'not an image' } });
    expect(text.body.error.image_upload).to.deep.equal(['Unsupported upload type: text/plain']);
    const big = Buffer.concat([png, Buffer.alloc(1024 * 1024 + 1)]);
    const tooBig = await server.admin.upload('organization_create', { name: uniqueName('big') }, { image_upload: { name: 'big.png', content: big } });
    expect(tooBig.status).to.equal(409);
    expect(tooBig.body.error.image_upload[0]).to.match(/^File upload too large/);
    // a valid image with an invalid organization: no file either
    const badName = await server.admin.upload('organization_create', { name: 'A B' }, { image_upload: { name: 'ok.png', content: png } });
    expect(badName.status).to.equal(409);
    expect(await filesUnder(storage)).to.deep.equal(before.files);
    expect(await tableCounts(server)).to.deep.equal(before.rows);
  });

  it('answers 404 for names that are not stored images, and never leaves the uploads folder', async () => {
    for (const probe of ['nothing.png', '..%2F..%2Fkho.lock', '.hidden', '%2e%2e']) {
      expect((await fetch(`${server.url}/uploads/group/${probe}`)).status, probe).to.equal(404);
    }
  });
});
