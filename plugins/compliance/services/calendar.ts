// Working days in Viet Nam: Monday–Friday minus public holidays. The holidays are data (the
// `calendar` section of the national rule pack, after Labour Code 2019 Art. 112(1)), computed for any
// year in the lunar calendar's range: fixed solar dates, Tết Nguyên đán and Giỗ Tổ Hùng Vương from
// the lunar calendar, the day adjacent to Quốc khánh, and compensatory days when a holiday falls on
// the weekly rest day (Art. 111(3)). What the Government announces each year (extra days off around
// Tết, Saturdays worked in exchange, a different adjacent day) comes from the province's config.
import { lunarToSolar } from './lunar.ts';
import { dayOf, formatDay, isoWeekday, parseDay, ymd } from './time.ts';
import type { Localized } from './i18n.ts';

export interface HolidaySpec {
  id: string;
  name: Localized;
  /** "MM-DD" in the solar calendar … */
  solar?: string;
  /** … or in the lunar calendar. */
  lunar?: string;
  /** Days off before and after the anchor day (Tết: the last day of the year and mùng 2–4). */
  days_before?: number;
  days_after?: number;
  /** The day adjacent to 2 September (Labour Code 2019): chosen to join the nearest weekend. */
  national_day_adjacent?: boolean;
  /** When a holiday day falls on a weekend, the next working day is off instead (default true). */
  compensate?: boolean;
  effective_from?: string | null;
  effective_to?: string | null;
}

export interface CalendarSpec {
  /** ISO weekdays of the weekly rest (6 = Saturday, 7 = Sunday). */
  weekend: number[];
  holidays: HolidaySpec[];
  legal_basis?: unknown;
}

export interface CalendarAdjustments {
  /** Announced days off, "YYYY-MM-DD" optionally followed by a note. */
  extra: string[];
  /** Weekend days announced as working days (make-up Saturdays), "YYYY-MM-DD [note]". */
  working_days: string[];
  /** Computed holidays that an announcement moved elsewhere, "YYYY-MM-DD [note]". */
  removed: string[];
}

export interface DayOff {
  day: string;
  id: string;
  name: Localized;
  kind: 'holiday' | 'compensatory' | 'announced';
}

export class CalendarConfigError extends Error {}

function parseDated(entries: string[], what: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const entry of entries) {
    const m = /^(\d{4}-\d{2}-\d{2})(?:\s+(.*))?$/.exec(entry.trim());
    const day = m ? parseDay(m[1]) : null;
    if (!m || day === null) throw new CalendarConfigError(`compliance.holidays.${what}: "${entry}" is not a date (YYYY-MM-DD, optionally followed by a note)`);
    out.set(day, m[2]?.trim() ?? '');
  }
  return out;
}

function mmdd(text: string): { month: number; day: number } {
  const [month, day] = text.split('-').map(Number);
  return { month, day };
}

export class WorkingCalendar {
  private readonly spec: CalendarSpec;
  private readonly extra: Map<number, string>;
  private readonly working: Map<number, string>;
  private readonly removed: Map<number, string>;
  private readonly years = new Map<number, Map<number, DayOff>>();

  constructor(spec: CalendarSpec, adjustments: CalendarAdjustments = { extra: [], working_days: [], removed: [] }) {
    this.spec = spec;
    this.extra = parseDated(adjustments.extra, 'extra');
    this.working = parseDated(adjustments.working_days, 'working_days');
    this.removed = parseDated(adjustments.removed, 'removed');
  }

  /** Days off of a year (holidays, compensatory and announced days), by day number. */
  daysOff(year: number): Map<number, DayOff> {
    let cached = this.years.get(year);
    if (cached) return cached;
    cached = this.compute(year);
    this.years.set(year, cached);
    return cached;
  }

  private inForce(spec: HolidaySpec, day: number): boolean {
    if (spec.effective_from && day < parseDay(spec.effective_from)!) return false;
    if (spec.effective_to && day > parseDay(spec.effective_to)!) return false;
    return true;
  }

  private compute(year: number): Map<number, DayOff> {
    const days = new Map<number, DayOff>();
    const compensable: number[] = [];
    const add = (day: number, spec: HolidaySpec) => {
      if (!this.inForce(spec, day) || this.removed.has(day)) return;
      if (!days.has(day)) days.set(day, { day: formatDay(day), id: spec.id, name: spec.name, kind: 'holiday' });
      if (spec.compensate !== false) compensable.push(day);
    };
    // Spans are counted around the anchor: Tết's day before is the last day of the lunar year
    // (29 or 30 Chạp), which is always in the same solar year since Tết is never before 21 January.
    for (const spec of this.spec.holidays) {
      let anchor: number | null = null;
      if (spec.solar) {
        const { month, day } = mmdd(spec.solar);
        anchor = dayOf(year, month, day);
      } else if (spec.lunar) {
        const { month, day } = mmdd(spec.lunar);
        const solar = lunarToSolar(day, month, year);
        if (solar) anchor = dayOf(solar.year, solar.month, solar.day);
      } else if (spec.national_day_adjacent) {
        const national = dayOf(year, 9, 2);
        // Join 2 September to the nearest weekend: Monday → Tuesday 3rd; Thursday → Friday 3rd;
        // otherwise the 1st (for Sunday the 3rd, Monday). Announcements that differ go in config.
        const weekday = isoWeekday(national);
        anchor = weekday === 1 || weekday === 4 || weekday === 7 ? national + 1 : national - 1;
      }
      if (anchor === null) continue;
      for (let i = spec.days_before ?? 0; i > 0; i--) add(anchor - i, spec);
      add(anchor, spec);
      for (let i = 1; i <= (spec.days_after ?? 0); i++) add(anchor + i, spec);
    }
    for (const [day, note] of this.extra) {
      if (ymd(day).year === year) days.set(day, { day: formatDay(day), id: 'announced', name: note || { vi: 'Ngày nghỉ theo thông báo', en: 'Announced day off' }, kind: 'announced' });
    }
    // Labour Code 2019 Art. 111(3): a holiday on the weekly rest day is taken on the next working day.
    const weekend = new Set(this.spec.weekend);
    for (const day of compensable.sort((a, b) => a - b)) {
      if (!weekend.has(isoWeekday(day)) || this.working.has(day)) continue;
      let next = day + 1;
      while ((weekend.has(isoWeekday(next)) && !this.working.has(next)) || days.has(next)) next++;
      const source = days.get(day)!;
      days.set(next, { day: formatDay(next), id: `${source.id}-compensatory`, name: compensatoryName(source.name), kind: 'compensatory' });
    }
    return days;
  }

  /** Why a day is not a working day, or null when it is one. */
  nonWorkingReason(day: number): DayOff | { day: string; id: 'weekend'; name: Localized; kind: 'weekend' } | null {
    if (this.working.has(day)) return null;
    const off = this.daysOff(ymd(day).year).get(day);
    if (off) return off;
    if (this.spec.weekend.includes(isoWeekday(day))) return { day: formatDay(day), id: 'weekend', name: { vi: 'Ngày nghỉ hằng tuần', en: 'Weekly rest day' }, kind: 'weekend' };
    return null;
  }

  isWorkingDay(day: number): boolean {
    return this.nonWorkingReason(day) === null;
  }

  /** The day itself when it is a working day, else the next working day. */
  onOrAfterWorkingDay(day: number): number {
    let current = day;
    for (let guard = 0; !this.isWorkingDay(current); guard++) {
      if (guard > 60) throw new CalendarConfigError(`No working day within 60 days after ${formatDay(day)}`);
      current++;
    }
    return current;
  }

  /** The n-th working day counted from `first` inclusive (n = 1 gives the first working day ≥ first). */
  nthWorkingDay(first: number, n: number): number {
    let current = first - 1;
    for (let count = 0; count < n; ) {
      current++;
      if (this.isWorkingDay(current)) count++;
    }
    return current;
  }

  /** Working days in [from, to], both included. */
  countWorkingDays(from: number, to: number): number {
    let count = 0;
    for (let day = from; day <= to; day++) if (this.isWorkingDay(day)) count++;
    return count;
  }

  /** Every non-working day of a year that is not a plain weekend, sorted. */
  listYear(year: number): DayOff[] {
    return [...this.daysOff(year).entries()].sort((a, b) => a[0] - b[0]).map(([, off]) => off);
  }

  workingWeekends(year: number): Array<{ day: string; note: string }> {
    return [...this.working.entries()].filter(([day]) => ymd(day).year === year).sort((a, b) => a[0] - b[0]).map(([day, note]) => ({ day: formatDay(day), note }));
  }
}

function compensatoryName(name: Localized): Localized {
  if (typeof name === 'string') return `Nghỉ bù ${name}`;
  return { vi: `Nghỉ bù ${name.vi}`, en: `Compensatory day for ${name.en}` };
}
