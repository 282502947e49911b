// The pages the portal adds for other plugins, tested with those plugins really enabled (skipped
// when a plugin is not in this checkout): harvest sources, run now, abort, job reports.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient, csrfToken, pageText } from './helpers.ts';

const has = (plugin: string) => existsSync(new URL(`../../../plugins/${plugin}/index.ts`, import.meta.url));

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 20000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('ui › plugin pages', function () {
  this.timeout(90000);

  it('shows no plugin pages for plugins that are off', async () => {
    const server = await startTestServer({ plugins: ['ui'] });
    try {
      const web = new WebClient(server.url);
      for (const path of ['/harvest', '/compliance', '/federation']) expect((await web.get(path)).status, path).to.equal(404);
      const home = await web.get('/');
      expect(home.text).not.to.include('href="/harvest"');
      expect(home.text).not.to.include('href="/compliance"');
    } finally {
      await server.close();
    }
  });

  describe('harvest', function () {
    let remote: TestServer;
    let local: TestServer;
    let web: WebClient;

    before(async function () {
      if (!has('harvest')) this.skip();
      [remote, local] = await Promise.all([
        startTestServer(),
        startTestServer({
          plugins: ['ui', 'harvest'],
          workers: true,
          config: { net: { allow_private_hosts: ['127.0.0.1', 'localhost'] }, harvest: { scheduler_interval_ms: 200, heartbeat_ms: 100, retry_base_ms: 20, request_timeout_ms: 3000 } },
        }),
      ]);
      await remote.admin.call('organization_create', { name: 'so-nong-nghiep', title: 'Sở Nông nghiệp' });
      for (const name of ['gia-lua', 'dien-tich-trong-lua', 'chan-nuoi']) {
        await remote.admin.call('package_create', { name, title: `Tỉnh bạn: ${name}`, owner_org: 'so-nong-nghiep', resources: [{ url: `https://agency.example/${name}.csv`, format: 'CSV' }] });
      }
      await local.admin.call('organization_create', { name: 'cong-tinh', title: 'Cổng dữ liệu tỉnh' });
      await local.admin.call('harvest_source_create', { name: 'tinh-ban', title: 'Cổng dữ liệu tỉnh bạn', url: remote.url, source_type: 'ckan', owner_org: 'cong-tinh', frequency: 'MANUAL' });
      web = new WebClient(local.url);
      await web.login(local.sysadmin.name, local.sysadmin.password);
    });
    after(async () => {
      await Promise.all([remote?.close(), local?.close()]);
    });

    it('lists the sources, runs one from its page and shows the job and its report', async () => {
      const list = await web.get('/harvest');
      expect(list.status).to.equal(200);
      expect(pageText(list.text)).to.include('Cổng dữ liệu tỉnh bạn');
      expect(pageText(list.text)).to.include('Chưa chạy lần nào');
      const page = await web.get('/harvest/tinh-ban');
      expect(pageText(page.text)).to.include('Chạy ngay');
      const run = await web.post('/harvest/tinh-ban/run', {}, { csrf: csrfToken(page.text) });
      expect(run.status).to.equal(303);
      const finished = await waitFor(async () => {
        const jobs = await local.admin.call('harvest_job_list', { source_id: 'tinh-ban' });
        return jobs[0]?.status === 'Finished' ? jobs[0] : null;
      });
      const after = pageText((await web.get('/harvest/tinh-ban')).text);
      expect(after).to.include('Hoàn tất');
      expect(after).to.include('3 thêm mới');
      const report = await web.get(`/harvest/tinh-ban/job/${finished.id}`);
      expect(report.status).to.equal(200);
      const text = pageText(report.text);
      expect(text).to.include('Không bản ghi nào bị lỗi.');
      expect(text).to.include('thêm mới');
      expect(pageText((await web.get('/dataset?q=gia+lua')).text)).to.include('Tỉnh bạn: gia-lua');
    });

    it('reports per-record errors, and aborts a waiting job', async () => {
      await local.admin.call('harvest_source_create', { name: 'nguon-hong', title: 'Nguồn hỏng', url: `${remote.url}/khong-co`, source_type: 'ckan', owner_org: 'cong-tinh' });
      const page = await web.get('/harvest/nguon-hong');
      await web.post('/harvest/nguon-hong/run', {}, { csrf: csrfToken(page.text) });
      const job = await waitFor(async () => {
        const jobs = await local.admin.call('harvest_job_list', { source_id: 'nguon-hong' });
        return jobs[0] && !['New', 'Running'].includes(jobs[0].status) ? jobs[0] : null;
      });
      const report = pageText((await web.get(`/harvest/nguon-hong/job/${job.id}`)).text);
      expect(report).to.include('Lỗi khi lấy danh sách');
      expect(report).not.to.include('Không có lỗi.');

      // abort: a job is created through the API, then stopped from the page
      const created = await local.admin.call('harvest_job_create', { source_id: 'tinh-ban' });
      const running = await web.get('/harvest/tinh-ban');
      if (pageText(running.text).includes('Dừng lượt đang chạy')) {
        const aborted = await web.post('/harvest/tinh-ban/abort', { job: created.id }, { csrf: csrfToken(running.text) });
        expect(aborted.status).to.equal(303);
        const shown = await local.admin.call('harvest_job_show', { id: created.id });
        expect(['Aborted', 'Finished']).to.include(shown.status);
      }
    });

    it('keeps job history from visitors who may not manage the source', async () => {
      const anon = new WebClient(local.url);
      const page = await anon.get('/harvest/tinh-ban');
      expect(page.status).to.equal(200);
      expect(pageText(page.text)).to.include('Lịch sử thu thập chỉ hiện với biên tập viên');
      expect(page.text).not.to.include('/harvest/tinh-ban/run');
      expect((await anon.post('/harvest/tinh-ban/run', {}, { fromPage: '/harvest/tinh-ban' })).status).to.equal(403);
    });
  });

  describe('compliance', function () {
    let server: TestServer;
    let web: WebClient;

    before(async function () {
      if (!has('compliance')) this.skip();
      server = await startTestServer({ plugins: ['ui', 'compliance'] });
      await server.admin.call('organization_create', {
        name: 'so-tai-chinh', title: 'Sở Tài chính', ma_dinh_danh: 'H12.15',
        contact_name: 'Nguyễn Văn An', contact_position: 'Chuyên viên', contact_phone: '0234 3822 123', contact_email: 'an@stc.example.vn',
      });
      await server.admin.call('organization_create', { name: 'so-xay-dung', title: 'Sở Xây dựng' });
      web = new WebClient(server.url);
      await web.login(server.sysadmin.name, server.sysadmin.password);
    });
    after(() => server?.close());

    it('shows the dashboard: KPIs, every agency against every duty, the late one in red', async () => {
      const res = await web.get('/compliance');
      expect(res.status).to.equal(200);
      const text = pageText(res.text);
      expect(text).to.include('Tình hình tuân thủ');
      expect(text).to.include('Cơ quan có dữ liệu mở');
      expect(text).to.include('Chỉ định cán bộ đầu mối');
      const row = /<tr class="row-bad">\s*<th scope="row"><a href="\/compliance\/organization\/so-xay-dung">/.exec(res.text);
      expect(row, 'the late agency is a red row').to.not.equal(null);
      expect(res.text).to.include('<svg viewBox=');
    });

    it("shows an organization's duties and what to fix first, and its focal point on its pages", async () => {
      const res = await web.get('/compliance/organization/so-xay-dung');
      expect(res.status).to.equal(200);
      const text = pageText(res.text);
      expect(text).to.include('Cần làm trước');
      expect(text).to.include('Bổ sung thông tin cán bộ đầu mối');
      expect(text).to.include('Chưa đạt');
      const org = pageText((await web.get('/organization/so-tai-chinh')).text);
      expect(org).to.include('Cán bộ đầu mối: họ và tên Nguyễn Văn An');
      expect(org).to.include('an@stc.example.vn');
    });

    it('generates the quarterly report from the dashboard and offers its files', async () => {
      const page = await web.get('/compliance');
      const res = await web.post('/compliance/report', { type: 'quarterly_open_data' }, { csrf: csrfToken(page.text) });
      expect(res.status).to.equal(303);
      const after = await web.get('/compliance');
      const link = /href="(\/compliance\/reports\/[0-9a-f-]{36}\.xlsx)"/.exec(after.text);
      expect(link).to.not.equal(null);
      const file = await web.get(link![1]);
      expect(file.status).to.equal(200);
      expect(file.headers.get('content-type')).to.include('spreadsheetml');
    });

    it('shows the public dashboard to visitors without the sysadmin\'s report form', async () => {
      const anon = await new WebClient(server.url).get('/compliance');
      expect(anon.status).to.equal(200); // compliance.dashboard_public is on by default
      expect(anon.text).to.include('so-xay-dung');
      expect(anon.text).not.to.include('action="/compliance/report"');
      expect(anon.text).to.include('href="/compliance"'); // the menu shows it to everyone
    });
  });

  describe('federation', function () {
    let province: TestServer;
    let national: TestServer;

    before(async function () {
      if (!has('federation')) this.skip();
      const config = { net: { allow_private_hosts: ['127.0.0.1', 'localhost'] }, harvest: { retry_base_ms: 20, retries: 0, request_timeout_ms: 3000 } };
      [province, national] = await Promise.all([
        startTestServer({ plugins: ['harvest', 'federation'], config }),
        startTestServer({ plugins: ['ui', 'harvest', 'federation'], config }),
      ]);
      await province.admin.call('organization_create', { name: 'so-y-te', title: 'Sở Y tế' });
      await province.admin.call('package_create', { name: 'benh-vien', title: 'Bệnh viện', owner_org: 'so-y-te' });
      await national.admin.call('federation_member_create', { name: 'tinh-a', title: 'Tỉnh A', url: province.url, schedule: 'MANUAL' });
      // A province whose server does not answer: a port nothing listens on.
      await national.admin.call('federation_member_create', { name: 'tinh-b', title: 'Tỉnh B', url: 'http://127.0.0.1:9', schedule: 'MANUAL' });
      const { runJob } = await import('../harvest/helpers.ts');
      for (const entry of await national.admin.call('federation_sync', {})) if (entry.job_id) await runJob(national, entry.job_id);
    });
    after(async () => {
      await Promise.all([province?.close(), national?.close()]);
    });

    it('shows each member\'s last sync, lag and datasets, and a dead province as stale with its error', async () => {
      const page = await new WebClient(national.url).get('/federation');
      expect(page.status).to.equal(200);
      const rows = page.text.split('<tr>').slice(2).map((row) => pageText(row.split('</tr>')[0]).trim());
      const a = rows.find((row) => row.includes('Tỉnh A'))!;
      const b = rows.find((row) => row.includes('Tỉnh B'))!;
      expect(a).to.not.include('Quá lâu chưa đồng bộ');
      expect(a).to.match(/0 phút/);
      expect(a).to.match(/ 1$/); // datasets held
      expect(b).to.include('Quá lâu chưa đồng bộ');
      expect(b).to.match(/— — 0$/); // never synced: no last sync, no lag, nothing held
      expect(page.text).to.match(/status-bad">Quá lâu chưa đồng bộ/); // in red
      // The error of the failed run, in the reader's language.
      const status = await national.anon.call('federation_status', {});
      const dead = status.find((member: any) => member.member === 'tinh-b');
      expect(dead.last_errors_vi.length).to.be.above(0);
      expect(pageText(page.text)).to.include(pageText(dead.last_errors_vi[0]));
      // …saying the address once.
      expect(dead.last_errors_vi[0].split('127.0.0.1:9/api/3/action/federation_changes').length).to.equal(2);
    });
  });
});

