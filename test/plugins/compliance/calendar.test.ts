// The Vietnamese calendar: lunar dates, public holidays, compensatory days and working days, for any
// year in range, plus the province's announced changes. Pure functions, no server.
import { expect } from 'chai';
import { lunarToSolar, solarToLunar, LunarRangeError } from '../../../plugins/compliance/services/lunar.ts';
import { WorkingCalendar, CalendarConfigError } from '../../../plugins/compliance/services/calendar.ts';
import { loadRuleBook } from '../../../plugins/compliance/services/packs.ts';
import { formatDay, parseDay } from '../../../plugins/compliance/services/time.ts';

const book = loadRuleBook({ names: ['national'], dirs: [], overrides: {}, disabled: [] });
const calendar = new WorkingCalendar(book.calendar);
const d = (text: string) => parseDay(text)!;
const iso = (x: { year: number; month: number; day: number } | null) => (x ? `${x.year}-${String(x.month).padStart(2, '0')}-${String(x.day).padStart(2, '0')}` : null);
const offDays = (year: number, cal = calendar) => cal.listYear(year).map((off) => `${off.day} ${off.kind}`);

describe('compliance: Vietnamese lunar calendar', () => {
  it('gives Tết (1/1 lunar) for 2019–2031 as published', () => {
    const tet: Record<number, string> = {
      2019: '2019-02-05', 2020: '2020-01-25', 2021: '2021-02-12', 2022: '2022-02-01', 2023: '2023-01-22', 2024: '2024-02-10',
      2025: '2025-01-29', 2026: '2026-02-17', 2027: '2027-02-06', 2028: '2028-01-26', 2029: '2029-02-13', 2030: '2030-02-02', 2031: '2031-01-23',
    };
    for (const [year, date] of Object.entries(tet)) expect(iso(lunarToSolar(1, 1, Number(year))), year).to.equal(date);
  });

  it('uses UTC+7, so Tết differs from the Chinese New Year where it should (1968, 1985, 2007)', () => {
    expect(iso(lunarToSolar(1, 1, 1968))).to.equal('1968-01-29');
    expect(iso(lunarToSolar(1, 1, 1985))).to.equal('1985-01-21');
    expect(iso(lunarToSolar(1, 1, 2007))).to.equal('2007-02-17');
  });

  it('gives Giỗ Tổ Hùng Vương (10/3 lunar) and converts both ways', () => {
    expect(iso(lunarToSolar(10, 3, 2024))).to.equal('2024-04-18');
    expect(iso(lunarToSolar(10, 3, 2025))).to.equal('2025-04-07');
    expect(iso(lunarToSolar(10, 3, 2026))).to.equal('2026-04-26');
    expect(solarToLunar(26, 4, 2026)).to.deep.equal({ day: 10, month: 3, year: 2026, leap: false });
    // 2025 has a leap 6th month.
    expect(iso(lunarToSolar(1, 6, 2025, true))).to.equal('2025-07-25');
    expect(lunarToSolar(1, 6, 2026, true)).to.equal(null);
  });

  it('refuses years outside its range with a clear error', () => {
    expect(() => lunarToSolar(1, 1, 2250)).to.throw(LunarRangeError, /1900–2199 only \(asked for 2250\)/);
    expect(() => solarToLunar(1, 1, 1800)).to.throw(LunarRangeError);
  });
});

describe('compliance: public holidays and working days', () => {
  it('computes 2023 with compensatory days for holidays on weekends (Labour Code 2019 Art. 111(3))', () => {
    expect(offDays(2023)).to.deep.equal([
      '2023-01-01 holiday', '2023-01-02 compensatory',
      '2023-01-21 holiday', '2023-01-22 holiday', '2023-01-23 holiday', '2023-01-24 holiday', '2023-01-25 holiday', '2023-01-26 compensatory', '2023-01-27 compensatory',
      '2023-04-29 holiday', '2023-04-30 holiday', '2023-05-01 holiday', '2023-05-02 compensatory', '2023-05-03 compensatory',
      '2023-09-01 holiday', '2023-09-02 holiday', '2023-09-04 compensatory',
    ]);
  });

  it('computes 2026: Tết from the last day of the lunar year to mùng 4, Hùng Kings on a Sunday moved to Monday', () => {
    expect(offDays(2026)).to.deep.equal([
      '2026-01-01 holiday',
      '2026-02-16 holiday', '2026-02-17 holiday', '2026-02-18 holiday', '2026-02-19 holiday', '2026-02-20 holiday',
      '2026-04-26 holiday', '2026-04-27 compensatory', '2026-04-30 holiday', '2026-05-01 holiday',
      '2026-09-01 holiday', '2026-09-02 holiday',
    ]);
    expect(calendar.nonWorkingReason(d('2026-02-18'))!.name).to.deep.equal({ vi: 'Tết Âm lịch', en: 'Lunar New Year (Tết)' });
    expect(calendar.nonWorkingReason(d('2026-02-21'))!.kind).to.equal('weekend');
    expect(calendar.isWorkingDay(d('2026-02-23'))).to.equal(true);
  });

  it('joins the day adjacent to Quốc khánh to the weekend, only from 2021', () => {
    expect(offDays(2024).filter((x) => x.startsWith('2024-09'))).to.deep.equal(['2024-09-02 holiday', '2024-09-03 holiday']);
    expect(offDays(2025).filter((x) => x.startsWith('2025-09'))).to.deep.equal(['2025-09-01 holiday', '2025-09-02 holiday']);
    expect(offDays(2020).filter((x) => x.startsWith('2020-09'))).to.deep.equal(['2020-09-02 holiday']);
  });

  it('counts working days across Tết and the year boundary', () => {
    // 261 weekdays, of which 11 are days off (1/1, Tết ×5, 27/4, 30/4, 1/5, 1/9, 2/9).
    expect(calendar.countWorkingDays(d('2026-01-01'), d('2026-12-31'))).to.equal(250);
    // Friday 13 Feb 2026 + 2 working days, counted from the next day: Tết week and two weekends skipped.
    expect(formatDay(calendar.nthWorkingDay(d('2026-02-14'), 2))).to.equal('2026-02-24');
    // 31 Dec 2025 + 2 working days: 1 Jan is a holiday, then Friday and Monday.
    expect(formatDay(calendar.nthWorkingDay(d('2026-01-01'), 2))).to.equal('2026-01-05');
  });

  it("applies the province's announced days off, make-up Saturdays and moved holidays", () => {
    const announced = new WorkingCalendar(book.calendar, {
      extra: ['2026-02-13 Nghỉ Tết theo Thông báo của Chính phủ', '2026-02-23'],
      working_days: ['2026-02-28 Làm bù'],
      removed: ['2026-09-01 Nghỉ ngày 03/9 thay cho 01/9'],
    });
    expect(announced.isWorkingDay(d('2026-02-13'))).to.equal(false);
    expect(announced.nonWorkingReason(d('2026-02-13'))!.name).to.equal('Nghỉ Tết theo Thông báo của Chính phủ');
    expect(announced.isWorkingDay(d('2026-02-23'))).to.equal(false);
    expect(announced.isWorkingDay(d('2026-02-28'))).to.equal(true);
    expect(announced.isWorkingDay(d('2026-09-01'))).to.equal(true);
    expect(announced.workingWeekends(2026)).to.deep.equal([{ day: '2026-02-28', note: 'Làm bù' }]);
  });

  it('refuses a badly written announced day', () => {
    expect(() => new WorkingCalendar(book.calendar, { extra: ['13/02/2026'], working_days: [], removed: [] })).to.throw(CalendarConfigError, 'compliance.holidays.extra: "13/02/2026" is not a date');
  });
});
