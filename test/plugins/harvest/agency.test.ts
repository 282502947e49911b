// `agency_api` against realistic agency endpoints on loopback: the JSON API of
// config/harvest-agency-example.yaml (page paging, X-API-Key), a CSV list paged by offset, an XML
// feed paged by Link headers, and a list whose records are completed by a detail URL.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { TestServer } from '../../helpers/server.ts';
import { PROJECT_ROOT } from '../../../core/config/load.ts';
import { expectError } from '../../helpers/expect.ts';
import { harvestNow, makeOrg, send, startFixtureServer, startHarvester, type FixtureServer } from './helpers.ts';

const KEY = 'khoa-thu-nghiem-123';

interface Record_ {
  ma_bo_du_lieu: string;
  ten_bo_du_lieu: string;
  mo_ta: string;
  linh_vuc: string;
  tu_khoa: string;
  don_vi_chu_tri: string;
  nguoi_lien_he: string;
  email_lien_he: string;
  tan_suat_cap_nhat: string;
  pham_vi: string;
  ngay_cap_nhat: string;
  tep_du_lieu: Array<{ ten_tep: string; duong_dan: string; dinh_dang: string; dung_luong: number }>;
}

function agencyRecords(): Record_[] {
  return Array.from({ length: 7 }, (_, i) => ({
    ma_bo_du_lieu: `STNMT-QTMT-${String(i + 1).padStart(3, '0')}`,
    ten_bo_du_lieu: `Kết quả quan trắc điểm ${i + 1}`,
    mo_ta: `Số liệu quan trắc tại điểm ${i + 1}.`,
    linh_vuc: 'Môi trường',
    tu_khoa: 'nước mặt; quan trắc',
    don_vi_chu_tri: 'Trung tâm Quan trắc tài nguyên và môi trường',
    nguoi_lien_he: 'Lê Thị C',
    email_lien_he: 'quantrac@stnmt.binhdinh.gov.vn',
    tan_suat_cap_nhat: 'Hằng quý',
    pham_vi: 'Toàn tỉnh',
    ngay_cap_nhat: '2024-04-30T10:00:00+07:00',
    tep_du_lieu: [
      { ten_tep: 'Số liệu (CSV)', duong_dan: `https://stnmt.binhdinh.gov.vn/files/${i + 1}.csv`, dinh_dang: 'CSV', dung_luong: 1000 + i },
      { ten_tep: 'Báo cáo (PDF)', duong_dan: `https://stnmt.binhdinh.gov.vn/files/${i + 1}.pdf`, dinh_dang: 'PDF', dung_luong: 2000 + i },
    ],
  }));
}

function extras(pkg: any): Record<string, string> {
  return Object.fromEntries(pkg.extras.map((e: any) => [e.key, e.value]));
}

describe('harvest › agency_api harvester', function () {
  this.timeout(60000);
  let local: TestServer;
  let agency: FixtureServer;
  let records = agencyRecords();
  let detailFails = new Set<string>();

  before(async () => {
    agency = await startFixtureServer({
      '/v1/bo-du-lieu': (req, res, url) => {
        if (req.headers['x-api-key'] !== KEY) return send(res, 403, JSON.stringify({ trang_thai: 'loi', thong_bao: 'Sai khóa API' }));
        const page = Number(url.searchParams.get('trang') ?? 1);
        const size = Number(url.searchParams.get('so_ban_ghi') ?? 50);
        const slice = records.slice((page - 1) * size, page * size);
        send(res, 200, JSON.stringify({ trang_thai: 'thanh_cong', du_lieu: { tong_so: records.length, danh_sach: slice } }));
      },
      '/danh-muc.csv': (_req, res, url) => {
        const offset = Number(url.searchParams.get('offset') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 100);
        const rows = Array.from({ length: 5 }, (_, i) => `DM-${i + 1},"Danh mục ${i + 1}, năm 2024",Nông nghiệp,"cây trồng;vật nuôi",https://snn.binhdinh.gov.vn/dm-${i + 1}.csv`).slice(offset, offset + limit);
        send(res, 200, '\ufeffMã,Tên bộ dữ liệu,Lĩnh vực,Từ khóa,Đường dẫn tải\n' + rows.join('\n') + '\n', 'text/csv; charset=utf-8');
      },
      '/xml': (_req, res, url) => {
        const page = Number(url.searchParams.get('p') ?? 1);
        const items = page === 1 ? ['A &amp; B', 'C'] : ['D'];
        const body = `<?xml version="1.0" encoding="UTF-8"?><phan_hoi><bo_du_lieu>${items.map((title, i) => `<muc ma="X${page}-${i}"><ten>${title}</ten><tep url="https://example.org/${page}/${i}.xml"/></muc>`).join('')}</bo_du_lieu></phan_hoi>`;
        send(res, 200, body, 'application/xml', page === 1 ? { link: '</xml?p=2>; rel="next"' } : {});
      },
      '/xxe': (_req, res) => send(res, 200, '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a><muc ma="1"><ten>&x;</ten></muc></a>', 'application/xml'),
      '/ids': (_req, res) => send(res, 200, JSON.stringify({ items: [{ id: 'k1' }, { id: 'k2' }, { id: 'k3' }] })),
      '/con-tro': (req, res, url) => {
        if (req.headers.authorization !== 'Bearer tok-123') return send(res, 401, JSON.stringify({ error: 'unauthorized' }));
        const cursor = url.searchParams.get('cursor') ?? '';
        const pages: Record<string, { items: string[]; next: string | null }> = { '': { items: ['c1', 'c2'], next: 'abc' }, abc: { items: ['c3'], next: 'def' }, def: { items: [], next: null } };
        const page = pages[cursor] ?? { items: [], next: null };
        send(res, 200, JSON.stringify({ data: page.items.map((id) => ({ id, name: `Con trỏ ${id}` })), meta: { next_cursor: page.next } }));
      },
      '*': (_req, res, url) => {
        const match = /^\/chi-tiet\/(.+)$/.exec(url.pathname);
        if (!match) return send(res, 404, 'not found', 'text/plain');
        if (detailFails.has(match[1])) return send(res, 500, '<html><head><title>Lỗi máy chủ</title></head></html>', 'text/html');
        send(res, 200, JSON.stringify({ data: { id: match[1], title: `Chi tiết ${match[1]}`, file: `https://example.org/${match[1]}.json` } }));
      },
    });
    local = await startHarvester({ harvest: { retries: 1 } });
    await makeOrg(local, 'so-tai-nguyen-va-moi-truong', 'Sở Tài nguyên và Môi trường');
  });
  after(async () => {
    await Promise.all([local?.close(), agency?.close()]);
  });

  function example() {
    const data = parseYaml(readFileSync(path.join(PROJECT_ROOT, 'config/harvest-agency-example.yaml'), 'utf8'));
    data.url = `${agency.url}/v1/bo-du-lieu`;
    data.config.auth.value = KEY;
    data.config.paging.size = 3;
    return data;
  }

  it('runs the example config of config/harvest-agency-example.yaml (paged JSON, API key)', async () => {
    const source = await local.admin.call('harvest_source_create', example());
    expect(source.frequency).to.equal('30 1 * * *');
    expect(JSON.parse(source.config).auth.value).to.equal(KEY);
    const job = await harvestNow(local, source.id);
    expect(job.stats).to.deep.equal({ added: 7, updated: 0, 'not modified': 0, errored: 0, deleted: 0 });
    expect(agency.requests.filter((r) => r.startsWith('/v1/'))).to.deep.equal([
      '/v1/bo-du-lieu?trang=1&so_ban_ghi=3',
      '/v1/bo-du-lieu?trang=2&so_ban_ghi=3',
      '/v1/bo-du-lieu?trang=3&so_ban_ghi=3',
    ]);
    const pkg = await local.anon.call('package_show', { id: 'ket-qua-quan-trac-diem-1' });
    expect(pkg).to.include({ title: 'Kết quả quan trắc điểm 1', notes: 'Số liệu quan trắc tại điểm 1.', license_id: 'vn-let-43', maintainer: 'Lê Thị C', maintainer_email: 'quantrac@stnmt.binhdinh.gov.vn', url: 'https://stnmt.binhdinh.gov.vn/du-lieu/STNMT-QTMT-001' });
    expect(pkg.tags.map((t: any) => t.name).sort()).to.deep.equal(['nước mặt', 'quan trắc', 'tai-nguyen-moi-truong']);
    expect(extras(pkg)).to.include({ linh_vuc: 'Môi trường', pham_vi: 'Toàn tỉnh', ma_bo_du_lieu: 'STNMT-QTMT-001', harvest_original_url: 'https://stnmt.binhdinh.gov.vn/du-lieu/STNMT-QTMT-001' });
    expect(pkg.resources.map((r: any) => [r.name, r.url, r.format, r.size])).to.deep.equal([
      ['Số liệu (CSV)', 'https://stnmt.binhdinh.gov.vn/files/1.csv', 'CSV', 1000],
      ['Báo cáo (PDF)', 'https://stnmt.binhdinh.gov.vn/files/1.pdf', 'PDF', 2000],
    ]);
    // The key is a secret.
    expect(JSON.parse((await local.anon.call('harvest_source_show', { id: source.id })).config).auth.value).to.equal('********');
  });

  it('a change and a removal at the agency: updated, and marked (delete_mode mark); local notes kept', async () => {
    const before = await local.anon.call('package_show', { id: 'ket-qua-quan-trac-diem-1' });
    await local.admin.call('package_patch', { id: before.id, notes: 'Mô tả biên tập trên cổng' });
    records = agencyRecords();
    records[0].ten_bo_du_lieu = 'Kết quả quan trắc điểm 1 (hiệu chỉnh)';
    records[0].mo_ta = 'Mô tả mới của cơ quan';
    records.splice(6, 1);
    const job = await harvestNow(local, 'stnmt-quan-trac-moi-truong');
    expect(job.stats).to.deep.equal({ added: 0, updated: 1, 'not modified': 5, errored: 0, deleted: 1 });
    const after = await local.anon.call('package_show', { id: before.id });
    expect(after.title).to.equal('Kết quả quan trắc điểm 1 (hiệu chỉnh)');
    expect(after.notes).to.equal('Mô tả biên tập trên cổng');
    expect(after.name).to.equal(before.name);
    expect(after.resources.map((r: any) => r.id)).to.deep.equal(before.resources.map((r: any) => r.id));
    const gone = await local.anon.call('package_show', { id: 'ket-qua-quan-trac-diem-7' });
    expect(gone.state).to.equal('active');
    expect(extras(gone).harvest_removed_from_source).to.match(/^\d{4}-/);
  });

  it('a wrong API key is a clear error and nothing is deleted or marked', async () => {
    await local.admin.call('harvest_source_patch', { id: 'stnmt-quan-trac-moi-truong', config: { ...example().config, auth: { type: 'header', header: 'X-API-Key', value: 'sai' } } });
    const job = await harvestNow(local, 'stnmt-quan-trac-moi-truong');
    const report = await local.admin.call('harvest_job_report', { id: job.id });
    expect(report.gather_errors[0].message).to.match(/answered HTTP 403/);
    expect(job.stats.deleted).to.equal(0);
    expect(extras(await local.anon.call('package_show', { id: 'ket-qua-quan-trac-diem-2' })).harvest_removed_from_source).to.equal(undefined);
  });

  it('reads a CSV list paged by offset, with Vietnamese column names', async () => {
    const source = await local.admin.call('harvest_source_create', {
      name: 'so-nong-nghiep-csv',
      url: `${agency.url}/danh-muc.csv`,
      source_type: 'agency_api',
      owner_org: 'so-tai-nguyen-va-moi-truong',
      config: {
        format: 'csv',
        id: 'Mã',
        paging: { type: 'offset', param: 'offset', size_param: 'limit', size: 2 },
        mapping: {
          title: 'Tên bộ dữ liệu',
          tags: { path: 'Từ khóa', split: ';' },
          'extras.linh_vuc': 'Lĩnh vực',
          resources: [{ url: 'Đường dẫn tải', name: { template: '{Tên bộ dữ liệu} (CSV)' }, format: { const: 'CSV' } }],
        },
      },
    });
    const job = await harvestNow(local, source.id);
    expect(job.stats.added).to.equal(5);
    expect(agency.requests.filter((r) => r.startsWith('/danh-muc'))).to.deep.equal(['/danh-muc.csv?offset=0&limit=2', '/danh-muc.csv?offset=2&limit=2', '/danh-muc.csv?offset=4&limit=2']);
    const pkg = await local.anon.call('package_show', { id: 'danh-muc-3-nam-2024' });
    expect(pkg.tags.map((t: any) => t.name).sort()).to.deep.equal(['cây trồng', 'vật nuôi']);
    expect(pkg.resources[0]).to.include({ name: 'Danh mục 3, năm 2024 (CSV)', url: 'https://snn.binhdinh.gov.vn/dm-3.csv', format: 'CSV' });
    expect(extras(pkg).linh_vuc).to.equal('Nông nghiệp');
  });

  it('reads XML paged by Link headers, and refuses XML entities', async () => {
    const source = await local.admin.call('harvest_source_create', {
      name: 'xml-nguon',
      url: `${agency.url}/xml`,
      source_type: 'agency_api',
      owner_org: 'so-tai-nguyen-va-moi-truong',
      config: { format: 'xml', records: 'phan_hoi.bo_du_lieu.muc', id: '@ma', paging: { type: 'next_link' }, mapping: { title: 'ten', resources: [{ url: 'tep.@url' }] } },
    });
    const job = await harvestNow(local, source.id);
    expect(job.stats.added).to.equal(3);
    const pkg = await local.anon.call('package_show', { id: 'a-b' });
    expect(pkg.title).to.equal('A & B');
    expect(pkg.resources[0].url).to.equal('https://example.org/1/0.xml');

    const evil = await local.admin.call('harvest_source_create', { name: 'xml-xxe', url: `${agency.url}/xxe`, source_type: 'agency_api', owner_org: 'so-tai-nguyen-va-moi-truong', config: { format: 'xml', records: 'a.muc', id: '@ma', mapping: { title: 'ten' } } });
    const evilJob = await harvestNow(local, evil.id);
    const report = await local.admin.call('harvest_job_report', { id: evilJob.id });
    expect(report.gather_errors[0].message).to.match(/declares XML entities/);
    expect(evilJob.stats.added).to.equal(0);
  });

  it('follows cursor paging with a bearer token', async () => {
    const source = await local.admin.call('harvest_source_create', {
      name: 'con-tro',
      url: `${agency.url}/con-tro`,
      source_type: 'agency_api',
      owner_org: 'so-tai-nguyen-va-moi-truong',
      config: { records: 'data', id: 'id', paging: { type: 'cursor', cursor_path: 'meta.next_cursor' }, auth: { type: 'bearer', token: 'tok-123' }, mapping: { title: 'name' } },
    });
    const job = await harvestNow(local, source.id);
    expect(job.stats.added).to.equal(3);
    expect(agency.requests.filter((r) => r.startsWith('/con-tro'))).to.deep.equal(['/con-tro', '/con-tro?cursor=abc', '/con-tro?cursor=def']);
    expect(JSON.parse((await local.anon.call('harvest_source_show', { id: 'con-tro' })).config).auth.token).to.equal('********');
  });

  it('completes records from a detail URL; a failing detail fails that record only', async () => {
    detailFails = new Set(['k2']);
    const source = await local.admin.call('harvest_source_create', {
      name: 'chi-tiet',
      url: `${agency.url}/ids`,
      source_type: 'agency_api',
      owner_org: 'so-tai-nguyen-va-moi-truong',
      config: { records: 'items', id: 'id', detail_url: `${agency.url}/chi-tiet/{id}`, detail_records: 'data', concurrency: 3, mapping: { title: 'title', resources: [{ url: 'file' }] } },
    });
    const job = await harvestNow(local, source.id);
    expect(job.stats).to.deep.equal({ added: 2, updated: 0, 'not modified': 0, errored: 1, deleted: 0 });
    const report = await local.admin.call('harvest_job_report', { id: job.id });
    const [failed] = Object.values<any>(report.object_errors);
    expect(failed.guid).to.equal('k2');
    expect(failed.errors[0]).to.include({ type: 'Fetch', level: 'error' });
    expect(failed.errors[0].message).to.match(/chi-tiet\/k2 answered HTTP 500 \(after 1 retry\), with an HTML page "Lỗi máy chủ"/);
    // Next run: the detail works again and the record is imported.
    detailFails = new Set();
    const again = await harvestNow(local, source.id);
    expect(again.stats).to.deep.equal({ added: 1, updated: 0, 'not modified': 2, errored: 0, deleted: 0 });
  });

  it('refuses a config it cannot use, with the reasons', async () => {
    const response = await local.admin.post('harvest_source_create', {
      name: 'sai',
      url: `${agency.url}/sai`,
      source_type: 'agency_api',
      owner_org: 'so-tai-nguyen-va-moi-truong',
      config: { id: 'ma', paging: { type: 'cursor', size: 0 }, mapping: { notes: 'mo_ta', resources: [{ name: 'x', colour: 'y' }] } },
    });
    const messages = expectError(response, 409, 'Validation Error').config.join('\n');
    expect(messages).to.match(/paging\.size: must be at least 1/);
    expect(messages).to.match(/title: required/);
    expect(messages).to.match(/resources\[0\]\.url: required/);
    expect(messages).to.match(/resources\[0\]\.colour: unknown resource field/);
  });
});
