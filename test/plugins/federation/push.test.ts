// Push mode with real Kho instances on loopback: a province pushes into a national portal that has
// no federation plugin — a plain CKAN-compatible Action API — through a proxy that can cut the
// connection after a write has reached the national side, as a crash would.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { send, startFixtureServer, waitFor, type FixtureServer } from '../harvest/helpers.ts';
import { startFederated } from './helpers.ts';
import { openDataset } from '../compliance/helpers.ts';

interface Write {
  action: string;
  body: any;
}

async function pushAndWait(province: TestServer): Promise<any> {
  const started = await province.admin.call('federation_push', {});
  expect(started.job_id).to.be.a('string');
  return waitFor(async () => {
    const status = await province.admin.call('federation_push_status', {});
    return status.job?.id === started.job_id && ['succeeded', 'failed'].includes(status.job.state) && !status.running ? status : null;
  }, 30000);
}

async function nationalNames(national: TestServer): Promise<string[]> {
  const result = await national.anon.call('package_search', { q: '*:*', rows: 1000 });
  return result.results.map((pkg: any) => pkg.name).sort();
}

describe('federation: push into a CKAN-API-only national portal', function () {
  this.timeout(120000);
  let national: TestServer;
  let province: TestServer;
  let proxy: FixtureServer;
  const writes: Write[] = [];
  // The write with this number reaches the national portal, then its answer is lost.
  let cutAfterWrite = 0;
  // While set, the national portal answers every call with 503.
  let unavailable = false;

  before(async () => {
    national = await startTestServer({ plugins: [] });
    proxy = await startFixtureServer({
      '*': async (request, response, url) => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        const action = url.pathname.split('/').pop() ?? '';
        if (unavailable) return send(response, 503, 'Service Unavailable', 'text/plain');
        const write = /_(create|update|patch|delete)$/.test(action);
        if (write) writes.push({ action, body: JSON.parse(body.toString('utf8')) });
        const upstream = await fetch(national.url + url.pathname + url.search, {
          method: request.method,
          headers: { 'content-type': String(request.headers['content-type'] ?? 'application/json'), ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) },
          body: request.method === 'POST' ? body : undefined,
        });
        const answer = Buffer.from(await upstream.arrayBuffer());
        if (write && cutAfterWrite && writes.length === cutAfterWrite) {
          cutAfterWrite = 0;
          request.socket.destroy();
          return;
        }
        send(response, upstream.status, answer, upstream.headers.get('content-type') ?? 'application/json');
      },
    });
    province = await startFederated({
      workers: true,
      siteUrl: 'http://binhdinh.kho.test',
      federation: {
        push_url: proxy.url,
        push_token: national.sysadmin.token,
        push_page_size: 2,
        push_retry_base_ms: 50,
        push_retry_max_ms: 200,
        push_organizations: { 'so-y-te': 'binh-dinh-so-y-te' },
      },
    });
    await province.admin.call('organization_create', { name: 'so-y-te', title: 'Sở Y tế tỉnh Bình Định', description: 'Cơ quan chuyên môn' });
    await province.admin.call('organization_create', { name: 'so-gd', title: 'Sở Giáo dục' });
  });
  after(async () => {
    await Promise.all([province?.close(), national?.close()]);
    await proxy?.close();
  });

  it('creates the public datasets and their organizations there, keeping ids, with provenance; the token is never shown', async () => {
    for (const name of ['benh-vien', 'nha-thuoc', 'tram-y-te']) {
      await province.admin.call('package_create', { name, title: `Danh sách ${name}`, owner_org: 'so-y-te', tags: [{ name: 'y tế' }], resources: [{ url: `http://example.org/${name}.csv`, format: 'CSV' }] });
    }
    await province.admin.call('package_create', { name: 'truong-hoc', title: 'Trường học', owner_org: 'so-gd' });
    await province.admin.call('package_create', { name: 'nhap', title: 'Bản nháp', owner_org: 'so-gd', private: true });

    const status = await pushAndWait(province);
    expect(status.job.state).to.equal('succeeded');
    expect(status.last_error).to.equal(null);
    expect(status.pending_changes).to.equal(0);
    expect(status.datasets).to.include({ pushed: 4, error: 0 });
    expect(status.token).to.equal('********');
    expect(JSON.stringify(status)).to.not.include(national.sysadmin.token);

    expect(await nationalNames(national)).to.deep.equal(['benh-vien', 'nha-thuoc', 'tram-y-te', 'truong-hoc']);
    const local = await province.anon.call('package_show', { id: 'benh-vien' });
    const remote = await national.anon.call('package_show', { id: 'benh-vien' });
    expect(remote.id).to.equal(local.id);
    expect(remote.organization).to.include({ name: 'binh-dinh-so-y-te', title: 'Sở Y tế tỉnh Bình Định' });
    expect(remote.tags.map((t: any) => t.name)).to.deep.equal(['y tế']);
    expect(remote.resources[0]).to.include({ id: local.resources[0].id, url: 'http://example.org/benh-vien.csv', format: 'CSV' });
    const extra = (key: string) => remote.extras.find((e: any) => e.key === key)?.value;
    expect(extra('federation_source')).to.equal('http://binhdinh.kho.test');
    expect(extra('federation_source_id')).to.equal(local.id);
    expect((await national.anon.call('package_show', { id: 'truong-hoc' })).organization.name).to.equal('so-gd');
  });

  it('carries updates, deletions, privatisations and publications', async () => {
    await province.admin.call('package_patch', { id: 'benh-vien', title: 'Bệnh viện (cập nhật)' });
    await province.admin.call('package_delete', { id: 'nha-thuoc' });
    await province.admin.call('package_patch', { id: 'tram-y-te', private: true });
    await province.admin.call('package_patch', { id: 'nhap', private: false });
    await province.admin.call('dataset_purge', { id: 'truong-hoc' });
    const status = await pushAndWait(province);
    expect(status.job.state).to.equal('succeeded');
    expect(status.last_stats).to.include({ deleted: 3, errors: 0 });
    expect(await nationalNames(national)).to.deep.equal(['benh-vien', 'nhap']);
    const updated = await national.anon.call('package_show', { id: 'benh-vien' });
    expect(updated.title).to.equal('Bệnh viện (cập nhật)');
    expect(updated.resources.map((r: any) => r.id)).to.deep.equal((await province.anon.call('package_show', { id: 'benh-vien' })).resources.map((r: any) => r.id));

    // Published again after a deletion: restored there, not created a second time.
    await province.admin.call('package_patch', { id: 'tram-y-te', private: false });
    await pushAndWait(province);
    expect(await nationalNames(national)).to.deep.equal(['benh-vien', 'nhap', 'tram-y-te']);
    const local = await province.anon.call('package_show', { id: 'tram-y-te' });
    expect((await national.anon.call('package_show', { id: 'tram-y-te' })).id).to.equal(local.id);
  });

  it('survives a crash after a write reached the portal: retried with backoff, resumed from its cursor, nothing duplicated', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `du-lieu-${i}`);
    for (const name of names) await province.admin.call('package_create', { name, title: name, owner_org: 'so-y-te' });
    writes.length = 0;
    // Page 1 (du-lieu-0, -1) is written and its cursor saved; the first write of page 2 arrives but
    // its answer is lost.
    cutAfterWrite = 3;
    const status = await pushAndWait(province);
    expect(status.job.state).to.equal('succeeded');
    expect(status.job.attempts).to.equal(2);
    expect(status.pending_changes).to.equal(0);

    const created = (name: string) => writes.filter((w) => w.action === 'package_create' && w.body.name === name).length;
    const updated = (name: string) => writes.filter((w) => w.action === 'package_update' && w.body.name === name).length;
    expect(created('du-lieu-0'), 'page 1 is not sent again').to.equal(1);
    expect(created('du-lieu-1'), 'page 1 is not sent again').to.equal(1);
    // The create sent again is refused (the id exists) and becomes an update.
    expect(created('du-lieu-2')).to.equal(2);
    expect(updated('du-lieu-2')).to.equal(1);
    for (const name of names.slice(3)) expect(created(name), name).to.equal(1);

    const all = await national.admin.call('package_search', { q: '*:*', rows: 1000, include_private: true });
    const titles = all.results.map((pkg: any) => pkg.title);
    expect(new Set(titles).size).to.equal(titles.length);
    expect(await nationalNames(national)).to.deep.equal(['benh-vien', ...names, 'nhap', 'tram-y-te'].sort());
  });

  it('keeps a dataset the portal refuses in error, pushes the rest, and tries it again next time', async () => {
    // A dataset of the same name, not from this province, already at the national portal.
    await national.admin.call('organization_create', { name: 'khac', title: 'Khác' });
    await national.admin.call('package_create', { name: 'trung-ten', title: 'Của nơi khác', owner_org: 'khac' });
    await province.admin.call('package_create', { name: 'trung-ten', title: 'Của tỉnh', owner_org: 'so-y-te' });
    await province.admin.call('package_create', { name: 'sau-do', title: 'Sau đó', owner_org: 'so-y-te' });
    let status = await pushAndWait(province);
    expect(status.job.state).to.equal('succeeded');
    expect(status.datasets.error).to.equal(1);
    expect(status.errors[0].name).to.equal('trung-ten');
    expect(status.errors[0].error).to.match(/taken at the national portal/);
    expect(status.errors[0].error_vi).to.match(/^Tên "trung-ten" ở cổng quốc gia đã thuộc một bộ dữ liệu không đến từ cổng này/);
    expect((await national.anon.call('package_show', { id: 'trung-ten' })).title).to.equal('Của nơi khác');
    expect((await national.anon.call('package_show', { id: 'sau-do' })).title).to.equal('Sau đó');

    await province.admin.call('package_patch', { id: 'trung-ten', name: 'trung-ten-tinh' });
    status = await pushAndWait(province);
    expect(status.datasets.error).to.equal(0);
    expect((await national.anon.call('package_show', { id: 'trung-ten-tinh' })).title).to.equal('Của tỉnh');
  });

  it('says in both languages why a whole run failed while the portal is down, and clears it once a run succeeds', async () => {
    await province.admin.call('package_create', { name: 'luc-sap', title: 'Lúc sập', owner_org: 'so-y-te' });
    unavailable = true;
    let status: any;
    try {
      const started = await province.admin.call('federation_push', {});
      status = await waitFor(async () => {
        const now = await province.admin.call('federation_push_status', {});
        return now.job?.id === started.job_id && now.last_error ? now : null;
      }, 30000);
    } finally {
      unavailable = false;
    }
    expect(status.last_error).to.match(/^The national portal answered .* with HTTP 503/);
    expect(status.last_error_vi).to.match(/^Cổng quốc gia trả lời .* với HTTP 503/);
    status = await waitFor(async () => {
      const now = await province.admin.call('federation_push_status', {});
      return now.job?.state === 'succeeded' && !now.running ? now : null;
    }, 30000);
    expect(status.last_error).to.equal(null);
    expect(status.last_error_vi).to.equal(null);
    expect((await national.anon.call('package_show', { id: 'luc-sap' })).title).to.equal('Lúc sập');
  });

  it('pushes by itself on push_schedule', async () => {
    const scheduled = await startFederated({ federation: { push_url: proxy.url, push_token: 'x', push_schedule: 'DAILY' } });
    try {
      expect((await scheduled.admin.call('federation_push_status', {})).schedule).to.equal('DAILY');
      const row = await scheduled.kernel.database.knex('job_schedule').where('name', 'federation.push').first();
      expect(row).to.include({ job_type: 'federation.push', cron: '0 2 * * *', timezone: 'Asia/Ho_Chi_Minh' });
    } finally {
      await scheduled.close();
    }
  });

  it('is for sysadmins, and says so when push is not configured', async () => {
    const user = await province.createUser('bien-tap-vien');
    const denied = await province.client(user.token).post('federation_push_status', {});
    expect(denied.status).to.equal(403);
    expect(denied.body.error.__type).to.equal('Authorization Error');
    const plain = await startFederated();
    try {
      const response = await plain.admin.post('federation_push', {});
      expect(response.status).to.equal(409);
      expect(response.body.error.push_url[0]).to.match(/push_url.*\/ Chưa cấu hình/);
      expect((await plain.admin.call('federation_push_status', {})).enabled).to.equal(false);
    } finally {
      await plain.close();
    }
  });
});

describe('federation: push carries the focal point with the organization (R59)', function () {
  this.timeout(120000);
  const FOCAL = { contact_name: 'Nguyễn Thị Lan', contact_position: 'Chuyên viên', contact_phone: '0256 3822 123', contact_email: 'lan@syt.binhdinh.gov.vn' };
  let province: TestServer;
  const nationals: TestServer[] = [];
  after(async () => {
    await Promise.all([province?.close(), ...nationals.map((national) => national.close())]);
  });

  async function pushInto(national: TestServer): Promise<any> {
    await province?.close();
    province = await startFederated({
      workers: true,
      plugins: ['harvest', 'federation', 'compliance'],
      federation: { push_url: national.url, push_token: national.sysadmin.token, push_retry_base_ms: 50, push_retry_max_ms: 200 },
    });
    await province.admin.call('organization_create', { name: 'ubnd-tinh', title: 'UBND tỉnh' });
    await province.admin.call('organization_create', { name: 'so-y-te', title: 'Sở Y tế', parent_org: 'ubnd-tinh', ...FOCAL });
    await province.admin.call('package_create', openDataset('benh-vien', 'so-y-te'));
    return pushAndWait(province);
  }

  it('as extras at a portal that does not declare the fields, kept up to date without a dataset change', async () => {
    const national = await startTestServer({ plugins: [] });
    nationals.push(national);
    const status = await pushInto(national);
    expect(status.job.state).to.equal('succeeded');
    expect(status.last_stats).to.include({ organizations_created: 1, organizations_updated: 1, organization_errors: 0 });
    const extras = async () => {
      const shown = await national.anon.call('organization_show', { id: 'so-y-te' });
      return Object.fromEntries(shown.extras.map((extra: any) => [extra.key, extra.value]));
    };
    expect(await extras()).to.include({ ...FOCAL, parent_org: 'ubnd-tinh' });
    // The dataset's declared fields, this portal knowing none of them, are kept as extras.
    const remote = await national.anon.call('package_show', { id: 'benh-vien' });
    const datasetExtras = Object.fromEntries(remote.extras.map((extra: any) => [extra.key, extra.value]));
    expect(datasetExtras).to.include({ phan_loai_chia_se: 'mo', muc_do_quan_trong: 'khac' });
    expect(JSON.parse(datasetExtras.privacy_review).result).to.equal('no_personal_data');

    // The target's own extras survive; a changed and a cleared field follow.
    const id = (await national.anon.call('organization_show', { id: 'so-y-te' })).id;
    await national.admin.call('organization_patch', { id, extras: [...Object.entries(await extras()).map(([key, value]) => ({ key, value })), { key: 'ghi_chu', value: 'của cổng quốc gia' }] });
    await province.admin.call('organization_patch', { id: 'so-y-te', contact_name: 'Trần Văn Bình', contact_phone: '' });
    const again = await pushAndWait(province);
    expect(again.last_stats).to.include({ created: 0, updated: 0, organizations_updated: 1 });
    const now = await extras();
    expect(now).to.include({ contact_name: 'Trần Văn Bình', contact_email: FOCAL.contact_email, ghi_chu: 'của cổng quốc gia' });
    expect(now).to.not.have.property('contact_phone');

    // Nothing changed: nothing written.
    expect((await pushAndWait(province)).last_stats).to.include({ organizations_updated: 0, organization_errors: 0 });
  });

  it('as its own fields at a portal that declares them, whose datasets get their declared fields as fields too', async () => {
    const national = await startTestServer({ plugins: ['compliance'] });
    nationals.push(national);
    const status = await pushInto(national);
    // The parent agency is not known there: that field alone is left out (and counted).
    expect(status.last_stats).to.include({ organizations_created: 1, organizations_updated: 1, organization_errors: 1 });
    const shown = await national.anon.call('organization_show', { id: 'so-y-te' });
    expect(shown).to.include({ ...FOCAL, parent_org: null });
    expect(shown.extras.map((extra: any) => extra.key)).to.not.include('contact_name');
    // The dataset passes that portal's own publish gates: its classification and privacy review
    // arrive as fields, not as extras it would refuse.
    expect(status.datasets).to.include({ pushed: 1, error: 0 });
    const remote = await national.anon.call('package_show', { id: 'benh-vien' });
    expect(remote).to.include({ phan_loai_chia_se: 'mo', muc_do_quan_trong: 'khac', ky_cap_nhat: 'quarterly' });
    expect(remote.privacy_review.result).to.equal('no_personal_data');
    expect(remote.extras.map((extra: any) => extra.key).sort()).to.deep.equal(['federation_source', 'federation_source_id', 'federation_source_url']);
  });
});
