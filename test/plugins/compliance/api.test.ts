// The read-only actions a province (or any CKAN client) uses to see the rules, the calendar and how
// a deadline is computed, with their legal basis.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { expectError } from '../../helpers/expect.ts';
import { FixedClock } from '../../../core/clock.ts';

describe('compliance: rules, calendar and deadlines over the API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      plugins: ['compliance'],
      clock: new FixedClock('2026-02-10T03:00:00Z'),
      config: { compliance: { rule_packs: ['national', 'binh-dinh', 'thai-binh'], dashboard_public: false, holidays: { extra: ['2026-02-13 Nghỉ Tết (Thông báo của Chính phủ)'] } } },
    });
  });
  after(() => server.close());

  it('compliance_rules_list: the rules in force today, with legal basis, dates and parameters (anonymous GET)', async () => {
    const response = await server.anon.get('compliance_rules_list');
    expect(response.status).to.equal(200);
    const { as_of, packs, rules } = response.body.result;
    expect(as_of).to.equal('2026-02-10');
    expect(packs.map((p: { pack: string }) => p.pack)).to.deep.equal(['national', 'binh-dinh', 'thai-binh']);
    const window = rules.find((r: { id: string }) => r.id === 'BD-4-5-QUARTERLY-UPDATE');
    expect(window).to.deep.include({ kind: 'quarterly_update_window', scope: 'organization', in_force: true, jurisdiction: 'VN-31', effective_from: '2022-08-16', effective_to: null, requirement: 'R25', evidence: 'SEED' });
    expect(window.legal_basis.instrument_title).to.match(/^Quyết định số 51\/2022\/QĐ-UBND/);
    // Repealed national rules are not in force; the provincial ones that superseded them are.
    expect(rules.map((r: { id: string }) => r.id)).to.not.include('VN-D47-20-3-UPDATE');
    const old = await server.anon.call('compliance_rules_list', { date: '2025-08-18', kind: 'update_within' });
    expect(old.rules.map((r: { id: string }) => r.id)).to.deep.equal(['TB-6-3-UPDATE-3-MONTHS']);
  });

  it('compliance_calendar_show: holidays, compensatory and announced days off of a year', async () => {
    const calendar = await server.anon.call('compliance_calendar_show', { year: 2026 });
    expect(calendar).to.include({ year: 2026, timezone: 'Asia/Ho_Chi_Minh', working_days: 249 });
    expect(calendar.days_off[1]).to.deep.equal({ day: '2026-02-13', id: 'announced', name: 'Nghỉ Tết (Thông báo của Chính phủ)', kind: 'announced' });
    expectError(await server.anon.post('compliance_calendar_show', { year: 2300 }), 409, 'Validation Error');
  });

  it('compliance_deadline: a limit in working days uses the version in force on its start date', async () => {
    // Connection request on Friday 15 Aug 2025: 5 working days (Decree 47 before its amendment).
    const before = await server.anon.call('compliance_deadline', { rule_id: 'VN-D47-35-3-CONNECTION-REQUEST', start: '2025-08-15' });
    expect(before.rule.version).to.equal(1);
    expect(before.deadline.date).to.equal('2025-08-22');
    // From 19 Aug 2025, 2 working days (Decree 194 Art. 40(3)).
    const after = await server.anon.call('compliance_deadline', { rule_id: 'VN-D47-35-3-CONNECTION-REQUEST', start: '2025-08-19' });
    expect(after.rule).to.deep.include({ version: 2 });
    expect(after.rule.legal_basis.instrument).to.equal('D194');
    expect(after.deadline.date).to.equal('2025-08-21');
    // Across Tết 2026 with the announced extra day: Thursday 12 Feb + 2 working days.
    const tet = await server.anon.call('compliance_deadline', { rule_id: 'VN-D47-35-3-CONNECTION-REQUEST', start: '2026-02-12' });
    expect(tet.deadline.date).to.equal('2026-02-24');
    expect(tet.non_working_days_skipped.map((x: { day: string }) => x.day)).to.deep.equal(['2026-02-13', '2026-02-14', '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22']);
    expect(tet.explanation.en).to.equal('2 working days from 2026-02-12: by the end of 2026-02-24');
    const report = await server.anon.call('compliance_deadline', { rule_id: 'BD-13-2-QUARTERLY-REPORT', period: '2023-Q3' });
    expect(report.deadline).to.deep.include({ nominal_date: '2023-09-24', date: '2023-09-25' });
    expect(report.explanation.vi).to.equal('hạn cuối 2023-09-24, lùi đến 2023-09-25 vì 2023-09-24 là ngày nghỉ');
    expectError(await server.anon.post('compliance_deadline', { rule_id: 'NO-SUCH-RULE', start: '2026-01-01' }), 404, 'Not Found Error');
    expectError(await server.anon.post('compliance_deadline', { rule_id: 'VN-D47-20-3-UPDATE', start: '2026-01-01' }), 409, 'Validation Error');
  });

  it('keeps statuses for signed-in users when dashboard_public is off', async () => {
    expectError(await server.anon.post('compliance_overview'), 403, 'Authorization Error');
    const user = await server.createUser('can-bo');
    expect((await server.client(user.token).post('compliance_overview')).status).to.equal(200);
  });

  it('documents every action in help_show', async () => {
    for (const name of ['compliance_dataset_show', 'compliance_organization_show', 'compliance_overview', 'compliance_rules_list', 'compliance_attest', 'compliance_report_generate']) {
      expect(await server.anon.call('help_show', { name }), name).to.be.a('string').and.not.equal('');
    }
  });
});
