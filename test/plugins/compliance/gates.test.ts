// Fields added to organizations and datasets, and the publish gates: 409 with field errors for
// state secrets, non-open classifications, missing focal point or privacy review; 403 outside the
// agency's sectors under the Bình Định policy; QĐ20 codes validated.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { expectError, expectOk } from '../../helpers/expect.ts';
import { FixedClock } from '../../../core/clock.ts';
import { agencyEditor, createOrganization, FOCAL_POINT, OPEN, openDataset } from './helpers.ts';

describe('compliance: organization fields and QĐ20 codes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ plugins: ['compliance'], config: { compliance: { rule_packs: ['national'], language: 'en' } } });
  });
  after(() => server.close());

  it('accepts the three QĐ20 code families and shows the fields top-level', async () => {
    const province = await createOrganization(server, 'ubnd-tinh', { ma_dinh_danh: 'H12' });
    expect(province.ma_dinh_danh).to.equal('H12');
    const dept = await createOrganization(server, 'so-y-te', { ma_dinh_danh: ' H12.15 ', parent_org: 'ubnd-tinh', feedback_email: 'phananh@soyte.gov.vn' });
    expect(dept).to.include({ ma_dinh_danh: 'H12.15', parent_org: 'ubnd-tinh', contact_email: FOCAL_POINT.contact_email, feedback_email: 'phananh@soyte.gov.vn' });
    await createOrganization(server, 'hoi-nong-dan', { ma_dinh_danh: 'Z01HND0012' });
    await createOrganization(server, 'cong-ty', { ma_dinh_danh: '0101234567-001' });
    const shown = await server.anon.call('organization_show', { id: 'so-y-te' });
    expect(shown.contact_name).to.equal(FOCAL_POINT.contact_name);
  });

  it('refuses invalid codes with a 409 naming the field', async () => {
    for (const code of ['h12.15', 'H1.15', 'Z12', 'H12..15', 'H12.15/3', `H12.${'1'.repeat(40)}`, '012345678', 'ABC']) {
      const error = expectError(await server.admin.post('organization_create', { name: `org-${Math.random().toString(36).slice(2, 8)}`, ma_dinh_danh: code }), 409, 'Validation Error');
      expect(error.ma_dinh_danh, code).to.have.length(1);
      expect(error.ma_dinh_danh[0], code).to.match(/Decision 20\/2020|upper-case|at most 35/);
    }
  });

  it('refuses an unknown parent organization, and an organization as its own parent', async () => {
    expect(expectError(await server.admin.post('organization_create', { name: 'so-khong-cha', parent_org: 'khong-ton-tai' }), 409, 'Validation Error').parent_org).to.deep.equal(['There is no organization "khong-ton-tai"']);
    expect(expectError(await server.admin.post('organization_patch', { id: 'so-y-te', parent_org: 'so-y-te' }), 409, 'Validation Error').parent_org).to.deep.equal(['An organization cannot be its own parent']);
  });
});

describe('compliance: publish gates', () => {
  let server: TestServer;
  const clock = new FixedClock('2026-03-02T02:00:00Z');
  before(async () => {
    server = await startTestServer({ plugins: ['compliance'], clock, config: { compliance: { rule_packs: ['national', 'binh-dinh'], language: 'both' } } });
    await createOrganization(server, 'so-y-te', { linh_vuc_phu_trach: ['y-te'] });
    await server.admin.call('organization_create', { name: 'so-moi', title: 'Sở mới', contact_name: 'Trần Văn B' });
  });
  after(() => server.close());

  it('never lets a state secret be created, even private', async () => {
    const error = expectError(await server.admin.post('package_create', { name: 'mat', owner_org: 'so-y-te', private: true, bi_mat_nha_nuoc: true }), 409, 'Validation Error');
    expect(error.bi_mat_nha_nuoc[0]).to.equal(
      'Dữ liệu thuộc phạm vi bí mật nhà nước không được đưa lên hệ thống / Data within the scope of state secrets may not be stored in this system (Nghị định 47/2020/NĐ-CP, Điều 1 khoản 2 [VN-D47-1-GATE-STATE-SECRET])',
    );
    // Nor flagged later.
    await server.admin.call('package_create', { name: 'noi-bo', owner_org: 'so-y-te', private: true });
    expectError(await server.admin.post('package_patch', { id: 'noi-bo', bi_mat_nha_nuoc: true }), 409, 'Validation Error');
  });

  it('lets a private, unclassified draft exist, and lists every gate it fails when published', async () => {
    expectOk(await server.admin.post('package_create', { name: 'nhap', owner_org: 'so-moi', private: true }));
    const error = expectError(await server.admin.post('package_patch', { id: 'nhap', private: false }), 409, 'Validation Error');
    expect(Object.keys(error).sort()).to.deep.equal(['__type', 'muc_do_quan_trong', 'owner_org', 'phan_loai_chia_se', 'privacy_review']);
    expect(error.owner_org[0]).to.match(/missing: contact_position, contact_phone, contact_email \(Nghị định 47\/2020\/NĐ-CP, Điều 7 khoản 1, 2 \[VN-D47-7-GATE-FOCAL-POINT\]\)$/);
    expect(error.phan_loai_chia_se[0]).to.match(/Classify the dataset as open/);
  });

  it('keeps data classified shared or private from being public', async () => {
    const error = expectError(await server.admin.post('package_create', openDataset('dung-chung', 'so-y-te', { phan_loai_chia_se: 'dung_chung' })), 409, 'Validation Error');
    expect(error.phan_loai_chia_se[0]).to.match(/^Chỉ dữ liệu mở \(mo\) mới được công bố công khai; dữ liệu "dung_chung" phải để riêng tư \(private\) \/ Only open data \(mo\) may be public/);
    expectOk(await server.admin.post('package_create', openDataset('dung-chung', 'so-y-te', { phan_loai_chia_se: 'dung_chung', private: true })));
  });

  it('requires a privacy review that passed, and records who and when on the server', async () => {
    const error = expectError(await server.admin.post('package_create', openDataset('ca-nhan', 'so-y-te', { privacy_review: { result: 'contains_personal_data' } })), 409, 'Validation Error');
    expect(error.privacy_review[0]).to.match(/contains personal data/);
    expect(expectError(await server.admin.post('package_create', openDataset('ca-nhan', 'so-y-te', { privacy_review: { result: 'ok' } })), 409, 'Validation Error').privacy_review[0]).to.match(/^result phải là một trong: .* \/ result must be one of: no_personal_data, personal_data_removed, anonymised, contains_personal_data$/);

    const editor = await agencyEditor(server, 'so-y-te');
    const created = await editor.client.call('package_create', openDataset('benh-vien', 'so-y-te', { linh_vuc: 'y-te', privacy_review: { result: 'no_personal_data', by: 'someone-else', at: '2020-01-01T00:00:00', note: 'Đã rà soát cột CCCD' } }));
    expect(created.privacy_review).to.deep.equal({ result: 'no_personal_data', note: 'Đã rà soát cột CCCD', by: editor.user.name, at: '2026-03-02T02:00:00' });
    // Sending the dict back unchanged keeps the original attestation.
    clock.advance(3600_000);
    const shown = await server.anon.call('package_show', { id: 'benh-vien' });
    const updated = await editor.client.call('package_update', { ...shown, notes: 'Danh sách bệnh viện' });
    expect(updated.privacy_review.at).to.equal('2026-03-02T02:00:00');
    const show = await server.admin.call('compliance_dataset_show', { id: 'benh-vien' });
    expect(show.attestations.filter((a: { kind: string }) => a.kind === 'privacy_review')).to.have.length(1);
    expect(show.attestations[0]).to.include({ user_name: editor.user.name, at: '2026-03-02T02:00:00' });
  });

  it("enforces Bình Định's one-account-per-sector policy with 403 for agency accounts", async () => {
    const editor = await agencyEditor(server, 'so-y-te', 'bien-tap-2');
    const forbidden = expectError(await editor.client.post('package_create', openDataset('truong-hoc', 'so-y-te', { linh_vuc: 'giao-duc' })), 403, 'Authorization Error');
    expect(forbidden.message).to.match(/may only publish in its assigned sectors \(y-te\); "giao-duc" is not one of them \(Quy chế dữ liệu mở Bình Định \(QĐ 51\/2022\/QĐ-UBND\), Điều 4 khoản 4 \[BD-4-4-SECTOR-ACCOUNT\]\)$/);
    // Publishing needs a sector under the policy; sysadmins are not bound by it.
    expect(expectError(await editor.client.post('package_create', openDataset('khong-linh-vuc', 'so-y-te')), 409, 'Validation Error').linh_vuc[0]).to.match(/A sector is required to publish/);
    expectOk(await server.admin.post('package_create', openDataset('truong-hoc', 'so-y-te', { linh_vuc: 'giao-duc' })));
  });

  it('applies the gates to resource writes too', async () => {
    await server.admin.call('package_create', { name: 'chua-ra-soat', owner_org: 'so-y-te', private: true, ...OPEN, privacy_review: null });
    await server.admin.call('resource_create', { package_id: 'chua-ra-soat', url: 'http://data.example.org/x.csv' });
    expectError(await server.admin.post('package_patch', { id: 'chua-ra-soat', private: false }), 409, 'Validation Error');
  });

  it('names private datasets in an organization\'s status only to those who may read them', async () => {
    const admin = JSON.stringify(await server.admin.call('compliance_organization_show', { id: 'so-y-te' }));
    expect(admin).to.include('"name":"noi-bo"');
    const anonymous = await server.anon.call('compliance_organization_show', { id: 'so-y-te' });
    expect(JSON.stringify(anonymous)).to.not.include('noi-bo');
    expect(JSON.stringify(anonymous)).to.not.include('dung-chung');
    const classification = anonymous.current.duties.find((d: { rule: { id: string } }) => d.rule.id === 'VN-LD-13-CLASSIFICATION');
    expect(classification.facts.datasets).to.be.greaterThan(0);
  });

  it('leaves packages of other types (harvest sources, showcases) alone', async () => {
    const source = await server.admin.call('package_create', { name: 'nguon-thu-hoach', type: 'harvest', owner_org: 'so-moi', url: 'http://example.org/catalog' });
    expect(source.type).to.equal('harvest');
  });

  it('lets system writes (harvest jobs, seeding) through unless enforce_on_system_writes is on', async () => {
    const context = server.kernel.context();
    const created = await context.action('package_create', { name: 'thu-hoach', owner_org: 'so-moi' });
    expect(created.private).to.equal(false);
    const status = await server.admin.call('compliance_dataset_show', { id: 'thu-hoach' });
    expect(status.classification.status).to.equal('not_met');
  });
});
