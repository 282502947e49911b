// Deadlines as computable rules (vn-legal.md §3 D): the Bình Định quarter windows and report dates,
// Thái Bình's yearly self-assessment, counted limits in working days, months clamped to month ends,
// all in Asia/Ho_Chi_Minh and moved past weekends and holidays, including across the year boundary.
import { expect } from 'chai';
import { loadRuleBook } from '../../../plugins/compliance/services/packs.ts';
import { WorkingCalendar } from '../../../plugins/compliance/services/calendar.ts';
import { monthsAfter, parsePeriod, quarterPeriod, reportDeadline, updateWindow, yearPeriod } from '../../../plugins/compliance/services/periods.ts';
import { endOfLocalDay, parseDay, parseInstant, localDay, formatDay } from '../../../plugins/compliance/services/time.ts';

const book = loadRuleBook({ names: ['national', 'binh-dinh', 'thai-binh'], dirs: [], overrides: {}, disabled: [] });
const calendar = new WorkingCalendar(book.calendar);
const d = (text: string) => parseDay(text)!;
const rule = (id: string, on = '2026-01-01') => book.version(id, d(on))!;

describe('compliance: deadlines', () => {
  it('a quarter is days 1 to the last day of its third month; periods parse in several spellings', () => {
    expect(quarterPeriod(2026, 1)).to.include({ key: '2026-Q1', start: d('2026-01-01'), end: d('2026-03-31') });
    expect(quarterPeriod(2024, 4)).to.include({ start: d('2024-10-01'), end: d('2024-12-31') });
    expect(parsePeriod('2026Q3')!.key).to.equal('2026-Q3');
    expect(parsePeriod('q2-2026')!.key).to.equal('2026-Q2');
    expect(parsePeriod('2026')!.kind).to.equal('year');
    expect(parsePeriod('2026-Q5')).to.equal(null);
  });

  it('Bình Định update window: days 1–15 of each quarter, moved to the next working day when day 15 is not one', () => {
    const window = rule('BD-4-5-QUARTERLY-UPDATE');
    const closes = (year: number, q: number) => {
      const w = updateWindow(window, quarterPeriod(year, q), calendar);
      return `${w.opens}→${w.closes.date}`;
    };
    // 2026: every 15th is a weekday.
    expect([1, 2, 3, 4].map((q) => closes(2026, q))).to.deep.equal(['2026-01-01→2026-01-15', '2026-04-01→2026-04-15', '2026-07-01→2026-07-15', '2026-10-01→2026-10-15']);
    // 2023: 15 Jan and 15 Oct are Sundays, 15 Apr and 15 Jul Saturdays.
    expect([1, 2, 3, 4].map((q) => closes(2023, q))).to.deep.equal(['2023-01-01→2023-01-16', '2023-04-01→2023-04-17', '2023-07-01→2023-07-17', '2023-10-01→2023-10-16']);
    const w = updateWindow(window, quarterPeriod(2023, 2), calendar);
    expect(w.closes).to.deep.include({ nominal_date: '2023-04-15', date: '2023-04-17', at: '2023-04-17T16:59:59', at_local: '2023-04-17T23:59:59+07:00' });
    expect(w.closes.extended_past.map((x) => x.day)).to.deep.equal(['2023-04-15', '2023-04-16']);
  });

  it('a window counted in working days skips Tết (province override)', () => {
    const book2 = loadRuleBook({ names: ['national', 'binh-dinh'], dirs: [], overrides: { 'BD-4-5-QUARTERLY-UPDATE': { window_start_day: 10, window_length: 10, unit: 'working_days' } }, disabled: [] });
    const w = updateWindow(book2.version('BD-4-5-QUARTERLY-UPDATE', d('2026-01-01'))!, quarterPeriod(2026, 1), calendar);
    // From Saturday 10 Jan 2026: 12–16, 19–23 Jan are the ten working days.
    expect(w.closes.date).to.equal('2026-01-23');
    const w2 = updateWindow(book2.version('BD-4-5-QUARTERLY-UPDATE', d('2025-01-01'))!, quarterPeriod(2025, 1), calendar);
    // 2025: from Friday 10 Jan, ten working days end on Thursday 23 Jan (before Tết).
    expect(w2.closes.date).to.equal('2025-01-23');
    const long = loadRuleBook({ names: ['national', 'binh-dinh'], dirs: [], overrides: { 'BD-4-5-QUARTERLY-UPDATE': { window_start_day: 20, window_length: 10, unit: 'working_days' } }, disabled: [] });
    const w3 = updateWindow(long.version('BD-4-5-QUARTERLY-UPDATE', d('2025-01-01'))!, quarterPeriod(2025, 1), calendar);
    // 20–24, 27 Jan (6), Tết 28 Jan – 3 Feb off, then 4–7 Feb (10).
    expect(w3.closes.date).to.equal('2025-02-07');
  });

  it('Bình Định quarterly report: before the 25th of the last month, moved past a weekend', () => {
    const report = rule('BD-13-2-QUARTERLY-REPORT');
    expect(reportDeadline(report, quarterPeriod(2026, 1), calendar).date).to.equal('2026-03-24');
    expect(reportDeadline(report, quarterPeriod(2025, 2), calendar).date).to.equal('2025-06-24');
    // 24 Sep 2023 is a Sunday.
    expect(reportDeadline(report, quarterPeriod(2023, 3), calendar)).to.deep.include({ nominal_date: '2023-09-24', date: '2023-09-25' });
    // 24 Dec 2022 is a Saturday.
    expect(reportDeadline(report, quarterPeriod(2022, 4), calendar).date).to.equal('2022-12-26');
  });

  it('Thái Bình self-assessment "before 31 December" crosses into January when 30 Dec is a weekend', () => {
    const assessment = rule('TB-5-2-SELF-ASSESSMENT', '2023-06-01');
    const due = reportDeadline(assessment, yearPeriod(2023), calendar);
    // 30 Dec 2023 Saturday, 31 Dec Sunday, 1 Jan 2024 New Year's Day.
    expect(due).to.deep.include({ nominal_date: '2023-12-30', date: '2024-01-02', at: '2024-01-02T16:59:59' });
    expect(due.extended_past.map((x) => x.day)).to.deep.equal(['2023-12-30', '2023-12-31', '2024-01-01']);
    expect(reportDeadline(assessment, yearPeriod(2026), calendar).date).to.equal('2026-12-30');
    // TT13 Art. 25(4): before 15 December; 14 Dec 2025 is a Sunday.
    expect(reportDeadline(rule('VN-TT13-25-4-CONNECTION-REPORT'), yearPeriod(2025), calendar).date).to.equal('2025-12-15');
  });

  it('months after a date are clamped to the end of a shorter month', () => {
    expect(monthsAfter(d('2025-11-30'), 3, calendar).nominal_date).to.equal('2026-02-28');
    expect(monthsAfter(d('2023-11-30'), 3, calendar).nominal_date).to.equal('2024-02-29');
    expect(monthsAfter(d('2025-08-31'), 6, calendar).nominal_date).to.equal('2026-02-28');
    // 17 Nov 2025 + 3 months = 17 Feb 2026, Tết: moved to Monday 23 Feb.
    expect(monthsAfter(d('2025-11-17'), 3, calendar).date).to.equal('2026-02-23');
  });

  it('local days and instants: a deadline ends at 23:59:59 in Viet Nam, which is 16:59:59 UTC', () => {
    expect(endOfLocalDay(d('2026-03-24')).toISOString()).to.equal('2026-03-24T16:59:59.999Z');
    // 18:00 UTC on 24 March is already 25 March in Viet Nam.
    expect(formatDay(localDay(parseInstant('2026-03-24T18:00:00')!))).to.equal('2026-03-25');
    expect(formatDay(localDay(parseInstant('2026-03-24T16:59:59')!))).to.equal('2026-03-24');
    expect(formatDay(localDay(parseInstant('2026-03-25')!))).to.equal('2026-03-25');
  });
});
