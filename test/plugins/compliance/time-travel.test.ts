// A year in a province with the Bình Định and Thái Bình rules, the clock moved forward step by step:
// quarter windows, rolling 3-month updates, catalogue reviews, reports and self-assessments, a rule
// replaced mid-year by a new version, attestations, and every status explained by its rule, legal
// basis, dates and facts.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { expectError } from '../../helpers/expect.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { FixedClock } from '../../../core/clock.ts';
import { BUILTIN_PACK_DIR } from '../../../plugins/compliance/services/packs.ts';
import { agencyEditor, createOrganization, openDataset } from './helpers.ts';

/** Local 09:00 in Viet Nam on a date. */
const at9 = (date: string) => `${date}T02:00:00Z`;

type Duty = { rule: { id: string; version: number; legal_basis: { instrument: string; article: string } }; status: string; dates: Record<string, any>; facts: Record<string, any>; items?: Array<Record<string, any>>; explanation: { vi: string; en: string } };

function duty(report: { duties: Duty[] }, ruleId: string): Duty {
  const found = report.duties.find((d) => d.rule.id === ruleId);
  if (!found) throw new Error(`no duty ${ruleId} in ${report.duties.map((d) => d.rule.id).join(', ')}`);
  return found;
}

describe('compliance: a year of duties (time travel)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let dir: string;
  const clock = new FixedClock(at9('2025-12-20'));
  let yte: ApiClient;
  let giaoduc: ApiClient;
  let outsider: ApiClient;

  const org = async (id: string, params: Record<string, unknown> = {}) => server.admin.call('compliance_organization_show', { id, ...params });

  before(async () => {
    // The province's copy of the Bình Định pack, in which a decision of mid-2026 shortens the
    // update window from 15 to 10 days from 1 July: version 1 ends, version 2 begins.
    dir = await mkdtemp(path.join(os.tmpdir(), 'kho-bd-'));
    let pack = await readFile(path.join(BUILTIN_PACK_DIR, 'binh-dinh.yaml'), 'utf8');
    pack = pack.replace('pack: binh-dinh', 'pack: binh-dinh-2026').replace('version: "2022.1"', 'version: "2026.1"');
    const start = pack.indexOf('  - id: BD-4-5-QUARTERLY-UPDATE');
    const end = pack.indexOf('  - id: BD-13-2-QUARTERLY-REPORT');
    const v1 = pack.slice(start, end).replace('    effective_from: 2022-08-16', '    effective_from: 2022-08-16\n    effective_to: 2026-06-30');
    const v2 = pack
      .slice(start, end)
      .replace('version: 1', 'version: 2')
      .replace('effective_from: 2022-08-16', 'effective_from: 2026-07-01')
      .replace('window_length: 15', 'window_length: 10')
      .replace("note: '\"Within 15 days", "note: 'Shortened to 10 days from 01/07/2026. \"Within 15 days");
    pack = pack.slice(0, start) + v1 + v2 + pack.slice(end);
    await writeFile(path.join(dir, 'binh-dinh-2026.yaml'), pack);

    server = await startTestServer({
      plugins: ['compliance'],
      clock,
      config: { compliance: { rule_packs: ['national', 'binh-dinh-2026', 'thai-binh'], pack_dirs: [dir], province: { code: 'VN-31', name: 'Bình Định' } } },
    });
    await createOrganization(server, 'so-y-te', { title: 'Sở Y tế', ma_dinh_danh: 'H12.15', linh_vuc_phu_trach: ['y-te'] });
    await createOrganization(server, 'so-giao-duc', { title: 'Sở Giáo dục và Đào tạo', ma_dinh_danh: 'H12.16', linh_vuc_phu_trach: ['giao-duc'] });
    await createOrganization(server, 'so-moi', { title: 'Sở Mới', ma_dinh_danh: 'H12.99' });
    yte = (await agencyEditor(server, 'so-y-te')).client;
    giaoduc = (await agencyEditor(server, 'so-giao-duc')).client;
    outsider = (await agencyEditor(server, 'so-moi')).client;
    await yte.call('package_create', openDataset('co-so-y-te', 'so-y-te', { title: 'Cơ sở y tế', linh_vuc: 'y-te' }));
    await giaoduc.call('package_create', openDataset('truong-hoc', 'so-giao-duc', { title: 'Trường học', linh_vuc: 'giao-duc' }));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('Q1 2026: an update and a "no change" attestation inside days 1–15 both count', async () => {
    clock.set(at9('2026-01-10'));
    await yte.call('package_patch', { id: 'co-so-y-te', resources: [{ url: 'http://data.example.org/co-so-y-te-2026q1.csv', format: 'CSV', name: 'Dữ liệu' }] });
    clock.set(at9('2026-01-14'));
    // Someone outside the organization may not attest for it.
    const refused = expectError(await outsider.post('compliance_attest', { kind: 'no_change', package_id: 'truong-hoc' }), 403, 'Authorization Error');
    expect(refused.message).to.match(/Only members of the organization with editing rights may attest for it/);
    expectError(await server.anon.post('compliance_attest', { kind: 'no_change', package_id: 'truong-hoc' }), 403, 'Authorization Error');
    const attested = await giaoduc.call('compliance_attest', { kind: 'no_change', package_id: 'truong-hoc', note: 'Không phát sinh trường mới' });
    expect(attested.created).to.equal(true);
    expect(attested.attestation).to.include({ kind: 'no_change', period: '2026-Q1', at: '2026-01-14T02:00:00', note: 'Không phát sinh trường mới' });
    expect(attested.effect.en).to.equal('Counts as updated in the window 2026-01-01 – 2026-01-15 (BD-4-5-QUARTERLY-UPDATE); Restarts the 3-month clock (TB-6-3-UPDATE-3-MONTHS)');
    // Attesting again returns the first attestation; a past quarter cannot be attested.
    const again = await giaoduc.call('compliance_attest', { kind: 'no_change', package_id: 'truong-hoc' });
    expect(again.created).to.equal(false);
    expect(again.attestation.id).to.equal(attested.attestation.id);
    expectError(await giaoduc.post('compliance_attest', { kind: 'no_change', package_id: 'truong-hoc', period: '2025-Q4' }), 409, 'Validation Error');

    const yteStatus = await org('so-y-te');
    expect(yteStatus.current.period).to.equal('2026-Q1');
    const window = duty(yteStatus.current, 'BD-4-5-QUARTERLY-UPDATE');
    expect(window.status).to.equal('met');
    expect(window.rule.legal_basis).to.include({ instrument: 'QD51-BD', article: 'Điều 4 khoản 5' });
    expect(window.dates).to.include({ window_opens: '2026-01-01', window_closes: '2026-01-15', window_closes_at: '2026-01-15T16:59:59' });
    expect(window.items).to.deep.equal([{ id: window.items![0].id, name: 'co-so-y-te', title: 'Cơ sở y tế', status: 'met', satisfied_by: 'update', at: '2026-01-10T02:00:00', attested_by: null }]);
    const gd = duty((await org('so-giao-duc')).current, 'BD-4-5-QUARTERLY-UPDATE');
    expect(gd.items![0]).to.include({ status: 'met', satisfied_by: 'attestation', at: '2026-01-14T02:00:00' });
    expect(gd.facts).to.deep.equal({ open_datasets: 1, updated: 0, attested: 1, outstanding: 0 });
  });

  it('an organization without open data is flagged (R6), its window not applicable', async () => {
    const status = await org('so-moi');
    expect(status.current.compliant).to.equal(false);
    expect(status.current.failing).to.deep.equal(['VN-2051-OPEN-DATASET']);
    expect(duty(status.current, 'VN-2051-OPEN-DATASET').facts).to.deep.equal({ open_datasets: 0, minimum: 1 });
    expect(duty(status.current, 'BD-4-5-QUARTERLY-UPDATE').status).to.equal('not_applicable');
  });

  it('Q1 report generated before the 25th of March is on time', async () => {
    clock.set(at9('2026-03-20'));
    const report = await server.admin.call('compliance_report_generate', { type: 'quarterly_open_data', period: '2026-Q1' });
    expect(report.result.due.date).to.equal('2026-03-24');
    const overview = await server.admin.call('compliance_overview');
    const q1 = overview.duties.find((d: Duty) => d.rule.id === 'BD-13-2-QUARTERLY-REPORT');
    expect(q1).to.deep.include({ status: 'met', period: '2026-Q1' });
    expect(q1.facts).to.include({ report_type: 'quarterly_open_data', filed_as: 'report', filed_at: '2026-03-20T02:00:00' });
  });

  it('Q2 2026: a dataset not updated in the window is missed, and 3 months after its last update it is overdue', async () => {
    clock.set(at9('2026-04-02'));
    await giaoduc.call('compliance_attest', { kind: 'no_change', package_id: 'truong-hoc' });
    clock.set(at9('2026-04-16'));
    const status = await org('so-y-te');
    expect(status.current.period).to.equal('2026-Q2');
    expect(status.current.compliant).to.equal(false);
    const window = duty(status.current, 'BD-4-5-QUARTERLY-UPDATE');
    expect(window.status).to.equal('missed');
    expect(window.items![0]).to.include({ name: 'co-so-y-te', status: 'missed', satisfied_by: null });
    const update = duty(status.current, 'TB-6-3-UPDATE-3-MONTHS');
    expect(update.status).to.equal('overdue');
    expect(update.rule.legal_basis).to.include({ instrument: 'QD10-TB', article: 'Điều 6 khoản 3' });
    // Last update 10 Jan + 3 months = Friday 10 April.
    expect(update.items![0]).to.include({ name: 'co-so-y-te', status: 'overdue', due_date: '2026-04-10', started_on: '2026-01-10', started_by: 'updated' });
    expect(status.overdue.map((o: { rule_id: string; due_date: string }) => `${o.rule_id} ${o.due_date}`)).to.deep.equal(['TB-6-3-UPDATE-3-MONTHS 2026-04-10', 'BD-4-5-QUARTERLY-UPDATE 2026-04-15']);
    // Fix this first: the overdue duties, by deadline, before score improvements.
    const first = status.fix_this_first.slice(0, 2).map((f: { rule_id: string; due_date: string }) => `${f.rule_id} ${f.due_date}`);
    expect(first).to.deep.equal(['TB-6-3-UPDATE-3-MONTHS 2026-04-10', 'BD-4-5-QUARTERLY-UPDATE 2026-04-15']);
    expect(status.fix_this_first[2]).to.include({ kind: 'score' });
    // The previous quarter stays as it was.
    expect(status.previous[0].period).to.equal('2026-Q1');
    expect(duty(status.previous[0], 'BD-4-5-QUARTERLY-UPDATE').status).to.equal('met');

    const dataset = await server.admin.call('compliance_dataset_show', { id: 'co-so-y-te' });
    expect(dataset.freshness).to.deep.include({ status: 'in_grace' });
    expect(dataset.freshness.facts).to.include({ frequency: 'quarterly', expected_update_by: '2026-04-10', grace_days: 15, stale_after: '2026-04-25' });
    expect(dataset.score.indicators.find((i: { id: string }) => i.id === 'vn_fresh')).to.include({ passed: false, points: 0, gain: 20 });
    expect(dataset.duties.map((d: Duty) => `${d.rule.id} ${d.status}`)).to.deep.equal(['TB-6-3-UPDATE-3-MONTHS overdue', 'BD-4-5-QUARTERLY-UPDATE missed']);

    const overview = await server.admin.call('compliance_overview');
    expect(overview.kpis.agencies_with_open_data).to.include({ value: 0.6667, numerator: 2, denominator: 3 });
    expect(overview.kpis.on_time_quarterly_updates).to.include({ value: 0.5, numerator: 1, denominator: 2 });
    expect(overview.kpis.update_within_compliance).to.include({ value: 0.5, numerator: 1, denominator: 2 });
    expect(overview.trend.map((k: { period: string }) => k.period)).to.deep.equal(['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2']);
    expect(overview.trend[2].on_time_quarterly_updates.value).to.equal(1);
    expect(overview.trend.map((k: { open_datasets: number }) => k.open_datasets)).to.deep.equal([0, 2, 2, 2]);
    expect(overview.organizations.map((o: { name: string; compliant: boolean }) => `${o.name}:${o.compliant}`)).to.deep.equal(['so-moi:false', 'so-y-te:false', 'so-giao-duc:true'].sort((a, b) => Number(a.endsWith('true')) - Number(b.endsWith('true')) || a.localeCompare(b)));
  });

  it('an update restarts the 3-month clock; a catalogue review is recorded', async () => {
    clock.set(at9('2026-04-20'));
    await yte.call('package_patch', { id: 'co-so-y-te', data_modified: '2026-04-20' });
    const status = await org('so-y-te');
    expect(duty(status.current, 'TB-6-3-UPDATE-3-MONTHS').status).to.equal('met_late');
    clock.set(at9('2026-06-01'));
    const review = await yte.call('compliance_attest', { kind: 'catalogue_review', organization: 'so-y-te' });
    expect(review.effect.en).to.equal('Restarts the 6-month review clock (TB-6-3-CATALOGUE-REVIEW)');
    const after = duty((await org('so-y-te')).current, 'TB-6-3-CATALOGUE-REVIEW');
    expect(after).to.deep.include({ status: 'met' });
    expect(after.dates).to.include({ last_review: '2026-06-01', next_review_due: '2026-12-01' });
    // so-giao-duc never reviewed: its clock runs from its first open dataset, 20 Dec 2025 + 6 months =
    // Saturday 20 June, moved to Monday 22 June; due soon from 14 days before.
    let gd = duty((await org('so-giao-duc')).current, 'TB-6-3-CATALOGUE-REVIEW');
    expect(gd.dates).to.include({ next_review_due: '2026-06-22', nominal_due_date: '2026-06-20' });
    expect(gd.facts).to.include({ last_reviewed_at: null, clock_started_by: 'first_open_dataset' });
    expect(gd.status).to.equal('met');
    clock.set(at9('2026-06-10'));
    gd = duty((await org('so-giao-duc')).current, 'TB-6-3-CATALOGUE-REVIEW');
    expect(gd.status).to.equal('due_soon');
  });

  it('Q2 report after the 24th of June is overdue, then filed late', async () => {
    clock.set(at9('2026-06-25'));
    let overview = await server.admin.call('compliance_overview');
    let q2 = overview.duties.find((d: Duty) => d.rule.id === 'BD-13-2-QUARTERLY-REPORT');
    expect(q2).to.deep.include({ status: 'overdue', period: '2026-Q2' });
    expect(q2.dates).to.include({ due_date: '2026-06-24' });
    await server.admin.call('compliance_report_generate', { type: 'quarterly_open_data', period: '2026-Q2' });
    overview = await server.admin.call('compliance_overview');
    q2 = overview.duties.find((d: Duty) => d.rule.id === 'BD-13-2-QUARTERLY-REPORT');
    expect(q2.status).to.equal('met_late');
  });

  it('a rule replaced mid-year: from 1 July the window is 10 days (version 2); Q2 stays judged by version 1', async () => {
    clock.set(at9('2026-07-03'));
    await giaoduc.call('compliance_attest', { kind: 'no_change', package_id: 'truong-hoc' });
    clock.set(at9('2026-07-13'));
    await yte.call('package_patch', { id: 'co-so-y-te', data_modified: '2026-07-13' });
    clock.set(at9('2026-07-20'));
    const status = await org('so-y-te');
    const q3 = duty(status.current, 'BD-4-5-QUARTERLY-UPDATE');
    expect(q3.rule.version).to.equal(2);
    expect(q3.dates).to.include({ window_opens: '2026-07-01', window_closes: '2026-07-10', length: 10 });
    // Updated on 13 July: on time under version 1 (15 days), late under version 2.
    expect(q3.status).to.equal('missed');
    const q2 = duty(status.previous[0], 'BD-4-5-QUARTERLY-UPDATE');
    expect(status.previous[0].period).to.equal('2026-Q2');
    expect(q2.rule.version).to.equal(1);
    expect(q2.dates.window_closes).to.equal('2026-04-15');
    const gd = await org('so-giao-duc');
    expect(duty(gd.current, 'BD-4-5-QUARTERLY-UPDATE').status).to.equal('met');
    // so-giao-duc's 3-month deadline from the 2 April attestation was Thursday 2 July; it attested on the 3rd.
    const update = duty(gd.current, 'TB-6-3-UPDATE-3-MONTHS');
    expect(update.status).to.equal('met_late');
    expect(update.items![0]).to.include({ due_date: '2026-07-02', satisfied_by: 'attested', satisfied_at: '2026-07-03T02:00:00' });
    // Both versions are listed; the one in force is marked.
    const rules = await server.anon.call('compliance_rules_list', { all: true });
    const versions = rules.rules.filter((r: { id: string }) => r.id === 'BD-4-5-QUARTERLY-UPDATE').map((r: { version: number; in_force: boolean; effective_to: string | null }) => `${r.version}:${r.in_force}:${r.effective_to}`);
    expect(versions).to.deep.equal(['1:false:2026-06-30', '2:true:null']);
  });

  it('December: the self-assessment due "before 31 December", filed by one agency, overdue for the other; a catalogue review overdue', async () => {
    clock.set(at9('2026-12-15'));
    const report = await yte.call('compliance_report_generate', { type: 'annual_self_assessment', organization: 'so-y-te', period: '2026' });
    expect(report.result.title.vi).to.equal('BÁO CÁO KẾT QUẢ TỰ KIỂM TRA, ĐÁNH GIÁ DỮ LIỆU NĂM 2026');
    // Another agency may not produce (or read) it.
    expectError(await outsider.post('compliance_report_generate', { type: 'annual_self_assessment', organization: 'so-y-te', period: '2026' }), 403, 'Authorization Error');
    clock.set(at9('2026-12-31'));
    const yteStatus = await org('so-y-te');
    const filed = duty(yteStatus.current, 'TB-5-2-SELF-ASSESSMENT');
    expect(filed.status).to.equal('met');
    expect(filed.dates).to.include({ due_date: '2026-12-30' });
    const review = duty(yteStatus.current, 'TB-6-3-CATALOGUE-REVIEW');
    expect(review.status).to.equal('overdue');
    expect(review.explanation.en).to.equal('Catalogue review overdue since 2026-12-01 (last review: 2026-06-01)');
    const gd = duty((await org('so-giao-duc')).current, 'TB-5-2-SELF-ASSESSMENT');
    expect(gd.status).to.equal('overdue');
    expect(gd.rule.legal_basis).to.include({ instrument: 'QD10-TB', article: 'Điều 5 khoản 2' });
  });

  it('across the year boundary: Q1 2027 opens on a holiday, 2026-Q4 is the previous period, dates in the past can be asked for', async () => {
    clock.set(at9('2027-01-05'));
    const status = await org('so-y-te');
    expect(status.current.period).to.equal('2027-Q1');
    expect(status.previous.map((p: { period: string }) => p.period)).to.deep.equal(['2026-Q4', '2026-Q3', '2026-Q2']);
    // Version 2's ten days end on Sunday 10 January 2027: moved to Monday the 11th.
    expect(duty(status.current, 'BD-4-5-QUARTERLY-UPDATE').dates).to.include({ window_opens: '2027-01-01', nominal_window_closes: '2027-01-10', window_closes: '2027-01-11' });
    // As of 16 April 2026, the same question gives what it gave then.
    const then = await org('so-y-te', { date: '2026-04-16' });
    expect(then.current.period).to.equal('2026-Q2');
    expect(duty(then.current, 'BD-4-5-QUARTERLY-UPDATE').status).to.equal('missed');
  });
});
