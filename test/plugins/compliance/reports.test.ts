// Reports: the quarterly open-data report (§6.1) and the annual self-assessment (§6.2), stored with
// the rule versions used, downloadable as JSON, CSV and XLSX with Vietnamese headings; the XLSX
// opens and its totals are the JSON's; a stored report recomputes identically.
import { expect } from 'chai';
import readXlsxFile from 'read-excel-file/node';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { expectError } from '../../helpers/expect.ts';
import { FixedClock } from '../../../core/clock.ts';
import { PROJECT_ROOT } from '../../../core/config/load.ts';
import { agencyEditor, createOrganization, openDataset } from './helpers.ts';

describe('compliance: reports', function () {
  this.timeout(60_000);
  let server: TestServer;
  const clock = new FixedClock('2025-12-15T02:00:00Z');
  let reportId: string;
  let report: any;

  before(async () => {
    server = await startTestServer({ plugins: ['compliance'], clock, config: { compliance: { rule_packs: ['national', 'binh-dinh'], province: { code: 'VN-31', name: 'Bình Định', reporting_unit: 'Sở Khoa học và Công nghệ' } } } });
    await createOrganization(server, 'so-y-te', { title: 'Sở Y tế', ma_dinh_danh: 'H12.15' });
    await createOrganization(server, 'so-giao-duc', { title: 'Sở Giáo dục và Đào tạo', ma_dinh_danh: 'H12.16' });
    await server.admin.call('organization_create', { name: 'so-trong', title: 'Sở Trống', ma_dinh_danh: 'H12.17' });
    for (let i = 0; i < 3; i++) await server.admin.call('package_create', openDataset(`y-te-${i}`, 'so-y-te', { tags: [{ name: 'y tế' }] }));
    await server.admin.call('package_create', openDataset('truong-hoc', 'so-giao-duc'));
    await server.admin.call('package_create', openDataset('noi-bo', 'so-giao-duc', { private: true, phan_loai_chia_se: 'dung_rieng' }));
    clock.set('2026-01-12T02:00:00Z');
    await server.admin.call('package_patch', { id: 'y-te-0', data_modified: '2026-01-12' });
    await server.admin.call('compliance_attest', { kind: 'no_change', package_id: 'y-te-1' });
    clock.set('2026-03-16T02:00:00Z');
  });
  after(() => server.close());

  it('generates the quarterly report with the §6.1 shape and stores the rules it used', async () => {
    const generated = await server.admin.call('compliance_report_generate', { type: 'quarterly_open_data', period: '2026-Q1' });
    reportId = generated.id;
    report = generated.result;
    expect(report.title.vi).to.equal('BÁO CÁO TÌNH HÌNH CẬP NHẬT DỮ LIỆU HẰNG QUÝ CỦA CÁC SỞ, BAN, NGÀNH CẤP TỈNH LÊN HỆ THỐNG DỮ LIỆU MỞ — QUÝ I NĂM 2026');
    expect(report).to.include({ year: 2026, quarter: 1, period: '2026-Q1', as_of: '2026-03-16', recipient: 'Ủy ban nhân dân tỉnh', reporting_unit: 'Sở Khoa học và Công nghệ' });
    expect(report.province).to.deep.equal({ code: 'VN-31', name: 'Bình Định' });
    expect(report.due).to.include({ date: '2026-03-24' });
    expect(report.basis.article).to.equal('Điều 13 khoản 2; Điều 10 khoản 2');
    const yte = report.agencies.find((a: { name: string }) => a.name === 'so-y-te');
    expect(yte).to.include({ org_code: 'H12.15', focal_point_complete: true, open_datasets_total: 3, published_in_quarter: 0, updated_in_quarter: 1, updated_in_window: 1, no_change_attestations: 1, overdue_updates: 1, window_status: 'missed' });
    const gd = report.agencies.find((a: { name: string }) => a.name === 'so-giao-duc');
    expect(gd).to.include({ open_datasets_total: 1, updated_in_window: 0, overdue_updates: 1 });
    expect(report.agencies.map((a: { name: string }) => a.name)).to.deep.equal(['so-y-te', 'so-giao-duc', 'so-trong']);
    expect(report.totals).to.include({ agencies: 3, agencies_with_open_data: 2, share_with_open_data: 0.6667, datasets: 4, published_in_quarter: 0, updated_in_quarter: 1, updated_in_window: 1, no_change_attestations: 1, overdue_updates: 2, agencies_focal_point_complete: 2 });
    expect(generated.rules.packs.map((p: { pack: string; version: string }) => `${p.pack}@${p.version}`)).to.deep.equal(['national@2025.3', 'binh-dinh@2022.1']);
    // Shipped packs are named from the project folder: an answer does not show the server's paths.
    expect(generated.rules.packs[0].file).to.equal('plugins/compliance/rule-packs/national.yaml');
    expect(JSON.stringify(generated)).to.not.include(PROJECT_ROOT);
    expect(generated.rules.in_force).to.deep.include({ id: 'BD-4-5-QUARTERLY-UPDATE', version: 1 });
    expect(report.rules.map((r: { id: string }) => r.id)).to.include.members(['BD-4-5-QUARTERLY-UPDATE', 'BD-13-2-QUARTERLY-REPORT']);
    expect(generated.downloads.xlsx).to.equal(`http://kho.test/compliance/reports/${reportId}.xlsx`);
  });

  it('serves an XLSX that opens, with Vietnamese headings and the JSON totals', async () => {
    const response = await fetch(`${server.url}/compliance/reports/${reportId}.xlsx`, { headers: { Authorization: server.sysadmin.token } });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const sheets = await readXlsxFile(Buffer.from(await response.arrayBuffer()));
    expect(sheets.map((s) => s.sheet)).to.deep.equal(['Báo cáo', 'Tổng hợp', 'Căn cứ']);
    const rows = sheets[0].data;
    expect(rows[0][0]).to.equal(report.title.vi);
    const headerIndex = rows.findIndex((row) => row[0] === 'STT');
    const header = rows[headerIndex];
    expect(header).to.deep.equal(['STT', 'Mã định danh', 'Cơ quan, đơn vị', 'Cán bộ đầu mối đầy đủ', 'Tổng số bộ dữ liệu mở', 'Công bố mới trong quý', 'Cập nhật trong quý', 'Cập nhật đúng thời hạn', 'Xác nhận không thay đổi', 'Quá hạn cập nhật', 'Điểm chất lượng trung bình (/505)']);
    const body = rows.slice(headerIndex + 1);
    expect(body).to.have.length(4);
    expect(body[0].slice(0, 3)).to.deep.equal([1, 'H12.15', 'Sở Y tế']);
    const totals = body[3];
    expect(totals[2]).to.equal('Tổng cộng');
    const column = (heading: string) => header.indexOf(heading);
    // Totals row equals the JSON totals, and the sum of the agency rows.
    expect(totals[column('Tổng số bộ dữ liệu mở')]).to.equal(report.totals.datasets);
    expect(totals[column('Quá hạn cập nhật')]).to.equal(report.totals.overdue_updates);
    expect(totals[column('Cập nhật đúng thời hạn')]).to.equal(report.totals.updated_in_window);
    expect(totals[column('Cán bộ đầu mối đầy đủ')]).to.equal(report.totals.agencies_focal_point_complete);
    const sum = body.slice(0, 3).reduce((n, row) => n + Number(row[column('Tổng số bộ dữ liệu mở')]), 0);
    expect(sum).to.equal(report.totals.datasets);
    const basis = sheets[2].data;
    expect(basis[0]).to.deep.equal(['Quy tắc', 'Phiên bản', 'Văn bản', 'Điều khoản', 'Hiệu lực từ', 'Hiệu lực đến']);
    expect(basis.map((row) => row[0])).to.include('BD-4-5-QUARTERLY-UPDATE');
  });

  it('serves CSV (UTF-8 with BOM, numbered rows, totals) and JSON; only to those allowed', async () => {
    const csv = await fetch(`${server.url}/compliance/reports/${reportId}.csv`, { headers: { Authorization: server.sysadmin.token } });
    expect(csv.headers.get('content-disposition')).to.equal('attachment; filename="bao-cao-quarterly_open_data-2026-Q1.csv"');
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]).to.equal('STT,Mã định danh,"Cơ quan, đơn vị",Cán bộ đầu mối đầy đủ,Tổng số bộ dữ liệu mở,Công bố mới trong quý,Cập nhật trong quý,Cập nhật đúng thời hạn,Xác nhận không thay đổi,Quá hạn cập nhật,Điểm chất lượng trung bình (/505)');
    expect(lines[1].startsWith('1,H12.15,Sở Y tế,Có,3,0,1,1,1,1,')).to.equal(true);
    expect(lines[4].startsWith(',,Tổng cộng,2,4,0,1,1,1,2,')).to.equal(true);
    const json = await (await fetch(`${server.url}/compliance/reports/${reportId}.json`, { headers: { Authorization: server.sysadmin.token } })).json();
    expect((json as { totals: unknown }).totals).to.deep.equal(report.totals);
    const anonymous = await fetch(`${server.url}/compliance/reports/${reportId}.xlsx`);
    expect(anonymous.status).to.equal(403);
    expect(((await anonymous.json()) as { error: { message_vi: string } }).error.message_vi).to.match(/^Không có quyền tải báo cáo này/);
    const missing = await fetch(`${server.url}/compliance/reports/00000000-0000-0000-0000-000000000000.csv`, { headers: { Authorization: server.sysadmin.token } });
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { error: { message_vi: string } }).error.message_vi).to.equal('Không tìm thấy báo cáo.');
  });

  it('recomputes a stored report identically from its stored rule versions', async () => {
    clock.set('2026-05-01T02:00:00Z');
    const shown = await server.admin.call('compliance_report_show', { id: reportId, verify: true });
    expect(shown.verification).to.deep.include({ identical: true, differences: [] });
    expect(shown.result.totals).to.deep.equal(report.totals);
    const list = await server.admin.call('compliance_report_list', { type: 'quarterly_open_data' });
    expect(list.map((r: { id: string }) => r.id)).to.deep.equal([reportId]);
  });

  it('only sysadmins produce the province report; an agency produces its own self-assessment', async () => {
    const editor = await agencyEditor(server, 'so-y-te');
    expectError(await editor.client.post('compliance_report_generate', { type: 'quarterly_open_data', period: '2026-Q1' }), 403, 'Authorization Error');
    expectError(await server.admin.post('compliance_report_generate', { type: 'quarterly_open_data', period: '2026' }), 409, 'Validation Error');
    const generated = await editor.client.call('compliance_report_generate', { type: 'annual_self_assessment', organization: 'so-y-te', period: '2026' });
    const result = generated.result;
    expect(result.organization).to.include({ name: 'so-y-te', ma_dinh_danh: 'H12.15' });
    expect(Object.keys(result.sections)).to.deep.equal(['a_inventory', 'b_compliance', 'c_quality', 'd_maintenance', 'dd_sharing', 'e_other', 'proposals']);
    expect(result.sections.dd_sharing.heading.vi).to.equal('đ) Chia sẻ dữ liệu: đối tượng sử dụng, mục đích, sự phù hợp với quy chế khai thác');
    expect(result.sections.a_inventory.datasets).to.have.length(3);
    expect(result.totals).to.include({ datasets: 3, resources: 3, updates_in_year: 1 });
    // The editor reads its own report as XLSX; another agency may not.
    const xlsx = await fetch(`${server.url}/compliance/reports/${generated.id}.xlsx`, { headers: { Authorization: editor.user.token } });
    expect(xlsx.status).to.equal(200);
    const sheets = await readXlsxFile(Buffer.from(await xlsx.arrayBuffer()));
    const rows = sheets[0].data;
    const header = rows.find((row) => row[0] === 'STT')!;
    expect(header.slice(0, 3)).to.deep.equal(['STT', 'Mã bộ dữ liệu', 'Tên bộ dữ liệu']);
    const other = await agencyEditor(server, 'so-giao-duc');
    expect((await fetch(`${server.url}/compliance/reports/${generated.id}.xlsx`, { headers: { Authorization: other.user.token } })).status).to.equal(403);
  });
});
