// Resource uploads through the Action API as ckanapi and CKAN's web form send them (multipart
// `upload` on resource_create / resource_update / resource_patch), and the download route that
// serves them: what the resource dict says, what is on disk, and what is never left on disk.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import type { ApiClient, ApiResponse, UploadFile } from '../helpers/api-client.ts';
import { pngBytes } from './storage/sample-files.ts';
import { createOrg, filesUnder, sleep, tableCounts, uniqueName, type TestOrg } from './packages-fixtures.ts';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

async function waitFor(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('Resource uploads', function () {
  let server: TestServer;
  let org: TestOrg;
  let member: TestUser;
  let editor: TestUser;
  let storage: string;

  before(async () => {
    server = await startTestServer({ config: { auth: { create_unowned_dataset: true } } });
    storage = path.join(server.dataDir, 'storage');
    member = await server.createUser('up-member');
    editor = await server.createUser('up-editor');
    org = await createOrg(server, [[member, 'member'], [editor, 'editor']]);
  });
  after(async () => {
    await server?.close();
  });

  const dataset = (fields: Record<string, unknown> = {}) => server.admin.call('package_create', { name: uniqueName('up'), owner_org: org.id, ...fields });

  async function upload(client: ApiClient, action: string, fields: Record<string, string>, file: UploadFile): Promise<Record<string, any>> {
    const response = await client.upload(action, fields, { upload: file });
    expect(response.status, response.text).to.equal(200);
    return response.body.result;
  }

  /** The stored file of a resource, read straight from disk. */
  async function storedBytes(resourceId: string): Promise<Buffer> {
    const { repos, knex } = server.kernel.container.cradle;
    const row = await repos.resources.get(knex, resourceId);
    expect(row?.upload, `resource ${resourceId} has no stored upload`).to.be.ok;
    return readFile(path.join(storage, ...row!.upload!.key.split('/')));
  }

  const download = (url: string, init: RequestInit = {}, client: ApiClient = server.anon) => client.request(new URL(url).pathname, init);

  async function downloadBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
    const response = await fetch(server.url + new URL(url).pathname, { headers });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
  }

  it('test_api.py::TestApiController::test_resource_create_upload_file', async () => {
    const user = await server.createUser();
    const pkg = await server.client(user.token).call('package_create', { name: uniqueName('unowned') });
    const content = Buffer.from('upload-content');
    const result = await upload(server.client(user.token), 'resource_create', { name: 'test-flask-upload', package_id: pkg.id }, { name: 'test-upload.txt', content });
    expect(result.url_type).to.equal('upload');
    expect(result.size).to.equal(content.length);
  });

  it('records url, size, hash, mimetype and last_modified from the file', async () => {
    const ds = await dataset();
    const content = Buffer.from('tỉnh,dân số\nHà Nội,8435700\n');
    const result = await upload(server.admin, 'resource_create', { package_id: ds.id, name: 'Dân số' }, { name: 'dan-so.csv', content, type: 'application/octet-stream' });
    expect(result.url).to.equal(`http://kho.test/dataset/${ds.id}/resource/${result.id}/download/dan-so.csv`);
    expect(result.url_type).to.equal('upload');
    expect(result.size).to.equal(content.length);
    expect(result.hash).to.equal(sha256(content));
    expect(result.mimetype).to.equal('text/csv');
    expect(result.format).to.equal('CSV');
    expect(result.last_modified).to.equal(result.metadata_modified);
    expect(result.name).to.equal('Dân số');
    const shown = await server.anon.call('resource_show', { id: result.id });
    expect(shown).to.deep.equal(result);
    expect(await storedBytes(result.id)).to.deep.equal(content);
  });

  it('sniffs the media type from the bytes, not the client\'s Content-Type', async () => {
    const ds = await dataset();
    const png = pngBytes();
    const result = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'picture.png', content: png, type: 'text/plain' });
    expect(result.mimetype).to.equal('image/png');
    expect(result.size).to.equal(png.length);
    expect(result.hash).to.equal(sha256(png));
  });

  it('keeps a mimetype, size or format the client gave', async () => {
    const ds = await dataset();
    const result = await upload(server.admin, 'resource_create', { package_id: ds.id, format: 'Bảng tính' }, { name: 'x.csv', content: 'a,b\n' });
    expect(result.format).to.equal('Bảng tính');
  });

  describe('the download route', () => {
    let resource: Record<string, any>;
    const content = Buffer.from('id,tên\n1,Hà Giang\n2,Cao Bằng\n'.repeat(20));

    before(async () => {
      const ds = await dataset();
      resource = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'Danh sách tỉnh.csv', content });
    });

    it('serves the exact bytes with Content-Disposition, ETag and Content-Length', async () => {
      expect(resource.url).to.match(/\/download\/Danh%20s%C3%A1ch%20t%E1%BB%89nh\.csv$/);
      const got = await downloadBytes(resource.url);
      expect(got.status).to.equal(200);
      expect(got.bytes).to.deep.equal(content);
      expect(got.headers.get('content-length')).to.equal(String(content.length));
      expect(got.headers.get('etag')).to.equal(`"${sha256(content)}"`);
      expect(got.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
      const disposition = got.headers.get('content-disposition')!;
      expect(disposition).to.match(/^inline; filename="Danh sach tinh\.csv"; filename\*=UTF-8''Danh%20s%C3%A1ch%20t%E1%BB%89nh\.csv$/);
      expect(got.headers.get('x-content-type-options')).to.equal('nosniff');
    });

    it('answers a Range with 206 and that slice', async () => {
      const got = await downloadBytes(resource.url, { Range: 'bytes=5-14' });
      expect(got.status).to.equal(206);
      expect(got.bytes).to.deep.equal(content.subarray(5, 15));
      expect(got.headers.get('content-range')).to.equal(`bytes 5-14/${content.length}`);
    });

    it('answers If-None-Match with the ETag with 304', async () => {
      const got = await downloadBytes(resource.url, { 'If-None-Match': `"${sha256(content)}"` });
      expect(got.status).to.equal(304);
      expect(got.bytes.length).to.equal(0);
    });

    it('answers 404 for a wrong dataset in the path or an unknown resource', async () => {
      expect((await download(resource.url.replace(resource.package_id, 'other-dataset'))).status).to.equal(404);
      expect((await download(resource.url.replace(resource.id, '00000000-0000-4000-8000-000000000000'))).status).to.equal(404);
    });

    it('answers 404 for an upload whose file is not here, instead of redirecting to itself', async () => {
      // What ckanapi load leaves without --upload-resources: the dict says upload, no file came.
      const ds = await dataset({ resources: [{ url: 'http://other-portal.example/dataset/x/resource/y/download/data.csv', url_type: 'upload' }] });
      const response = await server.anon.request(new URL(ds.resources[0].url).pathname);
      expect(ds.resources[0].url).to.contain(`/dataset/${ds.id}/resource/${ds.resources[0].id}/download/`);
      expect(response.status).to.equal(404);
      expect(response.text).to.equal('Resource data not found');
    });

    it('a client that stops reading a download is no server error (nothing logged at error level)', async () => {
      const ds = await dataset();
      const big = randomBytes(8 * 1024 * 1024);
      const file = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'lon.bin', content: big });
      const logger = server.kernel.container.cradle.logger as unknown as { error: (...args: unknown[]) => void };
      const errors: unknown[] = [];
      const original = logger.error;
      logger.error = (...args: unknown[]) => errors.push(args);
      try {
        for (let i = 0; i < 3; i++) {
          const abort = new AbortController();
          const response = await fetch(server.url + new URL(file.url).pathname, { signal: abort.signal });
          const reader = response.body!.getReader();
          await reader.read();
          abort.abort();
          await reader.read().catch(() => undefined);
        }
        await sleep(300);
      } finally {
        logger.error = original;
      }
      expect(errors).to.deep.equal([]);
      // and the file is still served whole afterwards
      expect((await downloadBytes(file.url)).bytes.equals(big)).to.equal(true);
    });

    it('redirects a link resource to its URL', async () => {
      const ds = await dataset({ resources: [{ url: 'https://example.org/data.csv' }] });
      const response = await server.anon.request(`/dataset/${ds.id}/resource/${ds.resources[0].id}/download`);
      expect(response.status).to.equal(302);
      expect(response.headers.get('location')).to.equal('https://example.org/data.csv');
    });
  });

  it('a private dataset\'s file: 403 for anonymous, 200 for a member of its organization', async () => {
    const ds = await dataset({ private: true });
    const content = Buffer.from('bí mật\n');
    const result = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'secret.txt', content });
    expect((await download(result.url)).status).to.equal(403);
    expect((await download(result.url, {}, server.client(editor.token))).status).to.equal(200);
    const asMember = await download(result.url, {}, server.client(member.token));
    expect(asMember.status).to.equal(200);
    expect(asMember.text).to.equal('bí mật\n');
    expect(asMember.headers.get('cache-control')).to.equal('private, no-cache');
  });

  it('resource_update with a new upload replaces the file and deletes the old one after commit', async () => {
    const ds = await dataset();
    const first = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'v1.csv', content: 'version,1\n' });
    const before = await filesUnder(storage);
    const second = await upload(server.admin, 'resource_update', { id: first.id, name: 'Version 2' }, { name: 'v2.csv', content: 'version,2\nmore,rows\n' });
    expect(second.id).to.equal(first.id);
    expect(second.url).to.match(/\/download\/v2\.csv$/);
    expect(second.size).to.equal(20);
    expect(second.name).to.equal('Version 2');
    expect((await storedBytes(first.id)).toString()).to.equal('version,2\nmore,rows\n');
    const after = await filesUnder(storage);
    expect(after.length).to.equal(before.length);
    expect((await downloadBytes(second.url)).bytes.toString()).to.equal('version,2\nmore,rows\n');
  });

  it('resource_patch with a new upload replaces the file, keeps the other fields and deletes the old file', async () => {
    const ds = await dataset();
    const first = await upload(server.admin, 'resource_create', { package_id: ds.id, name: 'Keep me', description: 'mô tả' }, { name: 'old.txt', content: 'old content' });
    const oldFiles = await filesUnder(storage);
    const { repos, knex } = server.kernel.container.cradle;
    const oldKey = (await repos.resources.get(knex, first.id))!.upload!.key;
    const patched = await upload(server.admin, 'resource_patch', { id: first.id }, { name: 'new.txt', content: 'brand new content' });
    expect(patched.name).to.equal('Keep me');
    expect(patched.description).to.equal('mô tả');
    expect(patched.size).to.equal(17);
    expect(patched.hash).to.equal(sha256('brand new content'));
    expect(patched.url).to.match(/\/download\/new\.txt$/);
    expect(patched.last_modified > first.last_modified).to.equal(true);
    const newFiles = await filesUnder(storage);
    expect(newFiles).to.not.include(oldKey.split('/').join(path.sep));
    expect(newFiles.length).to.equal(oldFiles.length);
    expect((await storedBytes(first.id)).toString()).to.equal('brand new content');
  });

  it('resource_patch / resource_update without a file keep the stored one (ckanapi sends the dict back)', async () => {
    const ds = await dataset();
    const content = Buffer.from('kept,file\n');
    const created = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'kept.csv', content });
    const patched = await server.admin.call('resource_patch', { id: created.id, description: 'only metadata' });
    expect(patched.url).to.equal(created.url);
    expect(patched.url_type).to.equal('upload');
    expect(patched.hash).to.equal(created.hash);
    const updated = await server.admin.call('resource_update', { ...created, name: 'renamed' });
    expect(updated.url).to.equal(created.url);
    expect(updated.size).to.equal(content.length);
    expect(await storedBytes(created.id)).to.deep.equal(content);
  });

  it('a size or mimetype sent with the file wins (CKAN resource_create); the hash is always the file\'s', async () => {
    const ds = await dataset();
    const result = await upload(server.admin, 'resource_create', { package_id: ds.id, size: '999', mimetype: 'application/vnd.custom', hash: 'md5:abc' }, { name: 'given.csv', content: 'a,b\n' });
    expect(result.size).to.equal(999);
    expect(result.mimetype).to.equal('application/vnd.custom');
    expect(result.hash).to.equal(sha256('a,b\n'));
    // a patch that brings a new file gets the new file's size and type, not the old ones
    const patched = await upload(server.admin, 'resource_patch', { id: result.id }, { name: 'picture.png', content: pngBytes() });
    expect(patched.size).to.equal(pngBytes().length);
    expect(patched.mimetype).to.equal('image/png');
  });

  it('resource_update {id, name} on an uploaded resource keeps the file', async () => {
    const ds = await dataset();
    const created = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'keep.csv', content: 'k,e\n' });
    const updated = await server.admin.call('resource_update', { id: created.id, name: 'Only a new name' });
    expect(updated.url_type).to.equal('upload');
    expect(updated.url).to.equal(created.url);
    expect(updated.size).to.equal(4);
    expect((await storedBytes(created.id)).toString()).to.equal('k,e\n');
    const retyped = await server.admin.call('resource_patch', { id: created.id, mimetype: 'text/plain' });
    expect(retyped.mimetype).to.equal('text/plain');
    expect(retyped.url).to.equal(created.url);
  });

  it('clear_upload turns an uploaded resource into a link and deletes the file', async () => {
    const ds = await dataset();
    const created = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'clear.csv', content: 'c\n' });
    const before = await filesUnder(storage);
    const patched = await server.admin.call('resource_patch', { id: created.id, clear_upload: 'true', url: 'https://example.org/now-a-link.csv' });
    expect(patched.url_type).to.equal(null);
    expect(patched.url).to.equal('https://example.org/now-a-link.csv');
    expect(patched).to.not.have.property('clear_upload');
    expect((await filesUnder(storage)).length).to.equal(before.length - 1);
    const cleared = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'clear2.csv', content: 'c\n' });
    const emptied = await server.admin.call('resource_patch', { id: cleared.id, clear_upload: true });
    expect(emptied.url).to.equal('');
    expect(emptied.url_type).to.equal(null);
  });

  it('turning an upload into a link deletes the file', async () => {
    const ds = await dataset();
    const created = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'to-link.csv', content: 'a\n' });
    const { repos, knex } = server.kernel.container.cradle;
    const key = (await repos.resources.get(knex, created.id))!.upload!.key;
    const updated = await server.admin.call('resource_update', { id: created.id, url: 'https://example.org/elsewhere.csv', url_type: '' });
    expect(updated.url).to.equal('https://example.org/elsewhere.csv');
    expect(await filesUnder(storage)).to.not.include(key.split('/').join(path.sep));
    expect((await repos.resources.get(knex, created.id))!.upload).to.equal(null);
  });

  it('resource_delete deletes the file', async () => {
    const ds = await dataset();
    const created = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'bye.csv', content: 'bye\n' });
    const before = await filesUnder(storage);
    await server.admin.call('resource_delete', { id: created.id });
    expect((await filesUnder(storage)).length).to.equal(before.length - 1);
  });

  it('dataset_purge deletes the files of its resources', async () => {
    const ds = await dataset();
    await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'a.csv', content: 'a\n' });
    await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'b.csv', content: 'b\n' });
    const before = await filesUnder(storage);
    await server.admin.call('dataset_purge', { id: ds.id });
    expect((await filesUnder(storage)).length).to.equal(before.length - 2);
  });

  it('package_delete keeps the files (the dataset can be restored)', async () => {
    const ds = await dataset();
    const created = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'stay.csv', content: 'stay\n' });
    await server.admin.call('package_delete', { id: ds.id });
    await server.admin.call('package_patch', { id: ds.id, state: 'active' });
    expect((await storedBytes(created.id)).toString()).to.equal('stay\n');
  });

  it('keeps path tricks in file names inside storage and shows a clean name', async () => {
    const ds = await dataset();
    const cases: Array<[string, string]> = [
      ['../../etc/passwd', 'passwd'],
      ['..\\..\\x.csv', 'x.csv'],
      ['/etc/shadow', 'shadow'],
      ['C:\\Windows\\win.ini', 'win.ini'],
      ['..', 'upload'],
    ];
    for (const [given, shown] of cases) {
      const result = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: given, content: `content of ${given}` });
      expect(result.url, given).to.equal(`http://kho.test/dataset/${ds.id}/resource/${result.id}/download/${shown}`);
      const got = await downloadBytes(result.url);
      expect(got.bytes.toString()).to.equal(`content of ${given}`);
      expect(got.headers.get('content-disposition')).to.contain(`filename="${shown}"`);
    }
    for (const file of await filesUnder(storage)) {
      expect(path.resolve(storage, file).startsWith(storage + path.sep)).to.equal(true);
      expect(file.split(path.sep)[0]).to.equal('resources');
    }
  });

  it('keeps a Vietnamese file name through ckanapi dump and load --upload-resources (the name taken from the URL)', async () => {
    const ds = await dataset();
    const first = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'Báo cáo dân số.csv', content: 'a\n' });
    // ckanapi names the file it moves by the last segment of the old URL, percent-encoded as it is
    const fromUrl = first.url.split('/').pop();
    expect(fromUrl).to.equal(encodeURIComponent('Báo cáo dân số.csv'));
    const moved = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: fromUrl, content: 'a\n' });
    expect(moved.url.split('/').pop()).to.equal(fromUrl);
    expect((await downloadBytes(moved.url)).headers.get('content-disposition')).to.contain(`filename*=UTF-8''${fromUrl}`);
    // a "%" that is not an escape stays as it is
    const odd = await upload(server.admin, 'resource_create', { package_id: ds.id }, { name: 'tăng 100%.csv', content: 'a\n' });
    expect(decodeURIComponent(odd.url.split('/').pop())).to.equal('tăng 100%.csv');
  });

  it('an upload on resource_create that fails validation leaves nothing behind', async () => {
    const ds = await dataset();
    const before = { files: await filesUnder(storage), rows: await tableCounts(server) };
    const response = await server.admin.upload('resource_create', { package_id: ds.id, size: 'abc' }, { upload: { name: 'x.csv', content: 'x\n' } });
    expect(response.status).to.equal(409);
    expect(response.body.error).to.deep.equal({ __type: 'Validation Error', size: ['Invalid integer'] });
    const noPackage = await server.admin.upload('resource_create', { name: 'orphan' }, { upload: { name: 'y.csv', content: 'y\n' } });
    expect(noPackage.status).to.equal(409);
    const denied = await server.client(member.token).upload('resource_create', { package_id: ds.id }, { upload: { name: 'z.csv', content: 'z\n' } });
    expect(denied.status).to.equal(403);
    expect(await filesUnder(storage)).to.deep.equal(before.files);
    expect(await tableCounts(server)).to.deep.equal(before.rows);
  });

  it('a file sent in a field other than upload is never stored with its server-side details', async () => {
    const ds = await dataset();
    const before = { files: await filesUnder(storage), rows: await tableCounts(server) };
    const asExtra = await server.admin.upload('resource_create', { package_id: ds.id }, { data_file: { name: 'a.csv', content: 'a\n' } });
    expect(asExtra.status).to.equal(409);
    expect(asExtra.body.error).to.deep.equal({ __type: 'Validation Error', __extras: ["Could not parse extra 'data_file' as valid JSON"] });
    expect(await filesUnder(storage)).to.deep.equal(before.files);
    expect(await tableCounts(server)).to.deep.equal(before.rows);
    // in a text field it becomes the file's name, as CKAN's unicode_safe does
    const asNotes = await server.admin.upload('package_patch', { id: ds.id }, { notes: { name: 'ghi chú.txt', content: 'secret' } });
    expect(asNotes.status).to.equal(200);
    expect(asNotes.body.result.notes).to.equal('ghi chú.txt');
    expect(asNotes.text).to.not.contain('tmp');
    expect(await filesUnder(storage)).to.deep.equal(before.files);
  });

  it('an interrupted upload leaves no file (temporary ones included) and no resource', async () => {
    const ds = await dataset();
    const before = { files: await filesUnder(storage), rows: await tableCounts(server) };
    const boundary = 'kho-interrupted-upload';
    const parts = [
      `--${boundary}\r\nContent-Disposition: form-data; name="package_id"\r\n\r\n${ds.id}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="half.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ];
    const payload = randomBytes(256 * 1024);
    const declared = Buffer.byteLength(parts.join('')) + payload.length + `\r\n--${boundary}--\r\n`.length;
    const port = new URL(server.url).port;
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/3/action/resource_create HTTP/1.1\r\nHost: kho.test\r\nAuthorization: ${server.sysadmin.token}\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${declared}\r\n\r\n`,
    );
    socket.write(parts.join(''));
    socket.write(payload.subarray(0, payload.length / 2));
    // the server has started writing the temporary file
    await waitFor(async () => (await filesUnder(path.join(storage, 'tmp'))).length > 0);
    socket.destroy();
    await sleep(300);
    await waitFor(async () => (await filesUnder(storage)).length === before.files.length);
    expect(await filesUnder(storage)).to.deep.equal(before.files);
    expect(await tableCounts(server)).to.deep.equal(before.rows);
    expect((await server.admin.call('package_show', { id: ds.id })).resources).to.have.length(0);
  });

  describe('ckanapi round trip with uploads', () => {
    it('package_show → package_update keeps resource ids and their files', async () => {
      const ds = await dataset({ resources: [{ url: 'http://example.com/link.csv', name: 'Link' }] });
      const first = await upload(server.admin, 'resource_create', { package_id: ds.id, name: 'File' }, { name: 'data.csv', content: 'a,b\n1,2\n' });
      const shown = await server.admin.call('package_show', { id: ds.id });
      const files = await filesUnder(storage);
      const updated = await server.admin.call('package_update', shown);
      expect(updated.resources.map((r: { id: string }) => r.id)).to.deep.equal(shown.resources.map((r: { id: string }) => r.id));
      expect(updated.resources).to.deep.equal(shown.resources);
      expect(await filesUnder(storage)).to.deep.equal(files);
      expect((await downloadBytes(first.url)).bytes.toString()).to.equal('a,b\n1,2\n');
      // and once more through package_patch without resources
      await server.admin.call('package_patch', { id: ds.id, notes: 'x' });
      expect((await storedBytes(first.id)).toString()).to.equal('a,b\n1,2\n');
    });

    it('package_revise can attach a file to a resource it adds (update__resources__-1__upload)', async () => {
      const ds = await dataset();
      const response = await server.admin.upload(
        'package_revise',
        { match__id: ds.id, update__resources__extend: JSON.stringify([{ name: 'added by revise' }]) },
        { 'update__resources__-1__upload': { name: 'revised.csv', content: 'r,e\n' } },
      );
      expect(response.status, response.text).to.equal(200);
      const added = response.body.result.package.resources[0];
      expect(added.url_type).to.equal('upload');
      expect(added.url).to.match(/\/download\/revised\.csv$/);
      expect((await storedBytes(added.id)).toString()).to.equal('r,e\n');
    });
  });
});

describe('Resource uploads over the size limit', function () {
  let server: TestServer;
  let storage: string;

  before(async () => {
    server = await startTestServer({ config: { storage: { max_resource_size_mb: 1 } } });
    storage = path.join(server.dataDir, 'storage');
  });
  after(async () => {
    await server?.close();
  });

  it('answers 409 under "upload", keeps nothing in storage and adds no resource', async () => {
    const org = await createOrg(server);
    const ds = await server.admin.call('package_create', { name: uniqueName('big'), owner_org: org.id });
    const before = await tableCounts(server);
    const response: ApiResponse = await server.admin.upload('resource_create', { package_id: ds.id, name: 'Too big' }, { upload: { name: 'big.bin', content: randomBytes(1024 * 1024 + 1) } });
    expect(response.status).to.equal(409);
    expect(response.body.success).to.equal(false);
    expect(response.body.error).to.deep.equal({ __type: 'Validation Error', upload: ['File upload too large: the limit is 1 MB'] });
    await waitFor(async () => (await filesUnder(storage)).length === 0);
    expect(await tableCounts(server)).to.deep.equal(before);
    expect((await server.admin.call('package_show', { id: ds.id })).resources).to.deep.equal([]);

    // exactly at the limit is fine
    const ok = await server.admin.upload('resource_create', { package_id: ds.id }, { upload: { name: 'limit.bin', content: randomBytes(1024 * 1024) } });
    expect(ok.status).to.equal(200);
    expect(ok.body.result.size).to.equal(1024 * 1024);
  });

  it('the same on resource_patch: the old file stays', async () => {
    const org = await createOrg(server);
    const ds = await server.admin.call('package_create', { name: uniqueName('big2'), owner_org: org.id });
    const created = (await server.admin.upload('resource_create', { package_id: ds.id }, { upload: { name: 'small.txt', content: 'small' } })).body.result;
    const files = await filesUnder(storage);
    const response = await server.admin.upload('resource_patch', { id: created.id }, { upload: { name: 'big.bin', content: randomBytes(1024 * 1024 + 10) } });
    expect(response.status).to.equal(409);
    expect(response.body.error.upload).to.deep.equal(['File upload too large: the limit is 1 MB']);
    await waitFor(async () => (await filesUnder(storage)).length === files.length);
    expect(await filesUnder(storage)).to.deep.equal(files);
    expect(await server.admin.call('resource_show', { id: created.id })).to.deep.equal(created);
  });
});
