// The quality score out of 505 (MQA 405 + Vietnamese legal 100) on hand-checked examples: every
// indicator's points, the dimension sums, the band, and the points each failing indicator would gain.
import { expect } from 'chai';
import { loadRuleBook } from '../../../plugins/compliance/services/packs.ts';
import { computeScore, bandOf } from '../../../plugins/compliance/services/score.ts';
import { parseDay } from '../../../plugins/compliance/services/time.ts';
import type { LinkState } from '../../../plugins/compliance/services/types.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { FixedClock } from '../../../core/clock.ts';
import { createOrganization, openDataset } from './helpers.ts';

const book = loadRuleBook({ names: ['national'], dirs: [], overrides: {}, disabled: [] });
const day = parseDay('2026-03-01')!;
const scoreRule = book.ofKind('quality_score', day)[0];
const openFormat = book.ofKind('open_format', day)[0];
const focalFields = ['contact_name', 'contact_position', 'contact_phone', 'contact_email'];
const org = { ma_dinh_danh: 'H12.15', contact_name: 'A', contact_position: 'B', contact_phone: '0256 3822 111', contact_email: 'a@b.vn' };
const link = (url: string, cls: string): [string, LinkState] => [url, { url, class: cls, status: cls === '2xx' ? 200 : 404, checked_at: new Date(), error: null, response_ms: 3 }];

describe('compliance: quality score (hand-checked)', () => {
  it('weights add up to 405 + 100 = 505, bands as in vn-legal.md §7.2', () => {
    const weights = Object.values(scoreRule.parameters.weights as Record<string, number>);
    expect(weights.reduce((a, b) => a + b, 0)).to.equal(505);
    expect([437.9, 438, 276, 275.9, 151, 150.9].map((x) => bandOf(x, scoreRule.parameters.bands))).to.deep.equal(['good', 'excellent', 'good', 'sufficient', 'sufficient', 'bad']);
  });

  it('a well-described dataset with one working CSV and one broken PDF: 442.5 points, excellent', () => {
    const dict = {
      title: 'Cơ sở khám chữa bệnh',
      notes: 'Danh sách cơ sở khám chữa bệnh trên địa bàn tỉnh',
      owner_org: 'org-id',
      state: 'active',
      private: false,
      license_id: 'vn-let-43',
      tags: [{ name: 'y tế' }, { name: 'bệnh viện' }],
      groups: [],
      nhom_chu_de: 'y-te',
      extras: [{ key: 'spatial', value: 'VN-31' }, { key: 'temporal_start', value: '2025-01-01' }],
      phan_loai_chia_se: 'mo',
      muc_do_quan_trong: 'khac',
      privacy_review: { result: 'no_personal_data', by: 'x', at: '2026-01-01T00:00:00' },
      terms_of_use: 'Sử dụng miễn phí, ghi rõ nguồn Sở Y tế.',
      data_issued: '2025-01-15',
      data_modified: '2026-01-10',
      resources: [
        { url: 'http://a.example/x.csv', format: 'CSV', mimetype: 'text/csv', size: 1000 },
        { url: 'http://a.example/y.pdf', format: 'PDF', mimetype: 'application/pdf', size: null },
      ],
    };
    const links = new Map([link('http://a.example/x.csv', '2xx'), link('http://a.example/y.pdf', '4xx')]);
    const score = computeScore(dict, scoreRule, { org, links, fresh: true, freshFacts: {}, openFormat, focalFields });
    const points = Object.fromEntries(score.indicators.map((i) => [i.id, i.points]));
    expect(points).to.deep.equal({
      keywords: 30, themes: 30, spatial: 20, temporal: 20,
      access_url_reachable: 25, download_url_present: 20, download_url_reachable: 15,
      format: 20, media_type: 10, format_vocabulary: 10, non_proprietary: 20, machine_readable: 10, dcat_ap_mandatory: 30,
      licence: 20, licence_vocabulary: 10, access_rights: 10, access_rights_vocabulary: 5, contact_point: 20, publisher: 10,
      rights: 5, byte_size: 2.5, issued: 5, modified: 5,
      vn_classification: 10, vn_focal_point: 15, vn_publisher_code: 5, vn_open_machine_readable: 15, vn_anonymous_access: 10,
      vn_fresh: 20, vn_privacy_review: 10, vn_data_dictionary: 0, vn_terms_of_use: 5,
    });
    expect(Object.fromEntries(Object.entries(score.dimensions).map(([k, v]) => [k, `${v.points}/${v.max}`]))).to.deep.equal({
      findability: '100/100', accessibility: '60/100', interoperability: '100/110', reusability: '75/75', contextuality: '17.5/20', vn_legal: '90/100',
    });
    expect(score).to.include({ total: 442.5, max: 505, band: 'excellent' });
    const machine = score.indicators.find((i) => i.id === 'machine_readable')!;
    expect(machine).to.include({ fraction: 0.5, passed: false, gain: 10 });
    expect(machine.fix).to.deep.equal({ vi: 'Cung cấp dữ liệu máy đọc được thay vì PDF, ảnh', en: 'Provide machine-readable data rather than PDF or images' });
    expect(score.indicators.find((i) => i.id === 'vn_data_dictionary')!.gain).to.equal(10);
  });

  it('a bare private dataset of an organization without focal point: 10 points (publisher only), bad', () => {
    const dict = { title: 'x', owner_org: 'org-id', state: 'active', private: true, tags: [], groups: [], extras: [], resources: [] };
    const score = computeScore(dict, scoreRule, { org: {}, links: new Map(), fresh: false, freshFacts: {}, openFormat, focalFields });
    expect(score.indicators.filter((i) => i.points > 0).map((i) => i.id)).to.deep.equal(['publisher']);
    expect(score).to.include({ total: 10, band: 'bad' });
    expect(score.indicators.reduce((sum, i) => sum + i.gain, 0)).to.equal(495);
  });

  it('XLSX counts as open only when the province says so (R10)', () => {
    const dict = { title: 'x', notes: 'y', owner_org: 'o', state: 'active', private: false, tags: [], groups: [], extras: [], resources: [{ url: 'http://a.example/x.xlsx', format: 'XLSX' }] };
    const strict = computeScore(dict, scoreRule, { org, links: new Map(), fresh: true, freshFacts: {}, openFormat, focalFields });
    expect(strict.indicators.find((i) => i.id === 'vn_open_machine_readable')!.points).to.equal(0);
    const lenient = loadRuleBook({ names: ['national'], dirs: [], overrides: { 'VN-LET-43-OPEN-FORMAT': { xlsx_is_open: true } }, disabled: [] });
    const open2 = lenient.ofKind('open_format', day)[0];
    const score = computeScore(dict, scoreRule, { org, links: new Map(), fresh: true, freshFacts: {}, openFormat: open2, focalFields });
    expect(score.indicators.find((i) => i.id === 'vn_open_machine_readable')!.points).to.equal(15);
    expect(score.indicators.find((i) => i.id === 'non_proprietary')!.points).to.equal(20);
  });
});

describe('compliance: scores and "fix this first" through the API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ plugins: ['compliance'], clock: new FixedClock('2026-03-02T02:00:00Z'), config: { compliance: { rule_packs: ['national'] } } });
    await createOrganization(server, 'so-tai-chinh', { title: 'Sở Tài chính' });
    for (let i = 0; i < 3; i++) await server.admin.call('package_create', openDataset(`ngan-sach-${i}`, 'so-tai-chinh', { tags: i === 0 ? [{ name: 'ngân sách' }] : [] }));
  });
  after(() => server.close());

  it('orders score improvements by points gained across the catalogue', async () => {
    const status = await server.admin.call('compliance_organization_show', { id: 'so-tai-chinh' });
    const improvements = status.fix_this_first.filter((item: { kind: string }) => item.kind === 'score');
    const gains = improvements.map((item: { points_gained: number }) => item.points_gained);
    expect(gains).to.deep.equal([...gains].sort((a, b) => b - a));
    // Never checked links: access URL reachable is 50 points × 3 datasets.
    expect(improvements[0]).to.deep.include({ indicator: 'access_url_reachable', points_gained: 150, dataset_count: 3 });
    const keywords = improvements.find((item: { indicator: string }) => item.indicator === 'keywords');
    expect(keywords).to.deep.include({ points_gained: 60, dataset_count: 2 });
    expect(keywords.action.en).to.equal('Add at least one keyword (tags)');
    expect(status.datasets).to.deep.include({ total: 3, open: 3 });
  });

  it('shows each indicator with pass/fail, points and facts for one dataset', async () => {
    const show = await server.anon.call('compliance_dataset_show', { id: 'ngan-sach-0' });
    expect(show.score.max).to.equal(505);
    const keywords = show.score.indicators.find((i: { id: string }) => i.id === 'keywords');
    expect(keywords).to.deep.include({ passed: true, points: 30, gain: 0, facts: { tags: 1 }, fix: null });
    expect(show.score.rule).to.include({ id: 'VN-KHO-QUALITY-SCORE', requirement: 'R68' });
    expect(show.open_format).to.deep.include({ status: 'met' });
  });
});
