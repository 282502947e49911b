// Reporting periods (quarters and years) and the deadlines rules derive from them, in local days.
import type { WorkingCalendar } from './calendar.ts';
import type { Rule } from './packs.ts';
import { t, type Localized } from './i18n.ts';
import { addMonths, dayOf, daysInMonth, endOfLocalDay, formatDay, localIso, naiveUtc, ymd } from './time.ts';

export interface Period {
  key: string;
  kind: 'quarter' | 'year';
  year: number;
  quarter: number | null;
  start: number;
  end: number;
}

export function quarterPeriod(year: number, quarter: number): Period {
  const first = (quarter - 1) * 3 + 1;
  return { key: `${year}-Q${quarter}`, kind: 'quarter', year, quarter, start: dayOf(year, first, 1), end: dayOf(year, first + 2, daysInMonth(year, first + 2)) };
}

export function yearPeriod(year: number): Period {
  return { key: String(year), kind: 'year', year, quarter: null, start: dayOf(year, 1, 1), end: dayOf(year, 12, 31) };
}

export function quarterOf(day: number): Period {
  const { year, month } = ymd(day);
  return quarterPeriod(year, Math.floor((month - 1) / 3) + 1);
}

export function yearOf(day: number): Period {
  return yearPeriod(ymd(day).year);
}

export function periodOf(kind: 'quarter' | 'year', day: number): Period {
  return kind === 'quarter' ? quarterOf(day) : yearOf(day);
}

/** "2026-Q1", "2026Q1", "Q1-2026" or "2026". */
export function parsePeriod(text: unknown): Period | null {
  if (typeof text !== 'string') return null;
  const value = text.trim().toUpperCase();
  const m = /^(\d{4})-?Q([1-4])$/.exec(value);
  if (m) return quarterPeriod(Number(m[1]), Number(m[2]));
  const alt = /^Q([1-4])-(\d{4})$/.exec(value);
  if (alt) return quarterPeriod(Number(alt[2]), Number(alt[1]));
  if (/^\d{4}$/.test(value)) return yearPeriod(Number(value));
  return null;
}

export function previousPeriod(period: Period): Period {
  if (period.kind === 'year') return yearPeriod(period.year - 1);
  return period.quarter === 1 ? quarterPeriod(period.year - 1, 4) : quarterPeriod(period.year, period.quarter! - 1);
}

export function nextPeriod(period: Period): Period {
  if (period.kind === 'year') return yearPeriod(period.year + 1);
  return period.quarter === 4 ? quarterPeriod(period.year + 1, 1) : quarterPeriod(period.year, period.quarter! + 1);
}

/** The `count` quarters ending with `last`, oldest first. */
export function quartersUpTo(last: Period, count: number): Period[] {
  const out = [last];
  while (out.length < count) out.unshift(previousPeriod(out[0]));
  return out;
}

export interface Deadline {
  /** The last local day allowed (after any extension). */
  date: string;
  /** Its last instant, naive UTC as the API prints datetimes. */
  at: string;
  /** The same instant in Viet Nam time. */
  at_local: string;
  /** The date the rule's text gives before moving off non-working days. */
  nominal_date: string;
  /** Non-working days the deadline was moved past, with why. */
  extended_past: Array<{ day: string; reason: Localized }>;
  day: number;
}

const memo = new WeakMap<WorkingCalendar, Map<number, Deadline>>();

/** The deadline for a nominal last day, moved past non-working days when `extend` (memoized per calendar). */
export function deadline(nominal: number, calendar: WorkingCalendar, extend: boolean): Deadline {
  let cache = memo.get(calendar);
  if (!cache) memo.set(calendar, (cache = new Map()));
  const key = extend ? nominal : -nominal - 1;
  let found = cache.get(key);
  if (!found) {
    found = computeDeadline(nominal, calendar, extend);
    if (cache.size > 50_000) cache.clear();
    cache.set(key, found);
  }
  return found;
}

function computeDeadline(nominal: number, calendar: WorkingCalendar, extend: boolean): Deadline {
  let day = nominal;
  const skipped: Array<{ day: string; reason: Localized }> = [];
  if (extend) {
    for (let guard = 0; !calendar.isWorkingDay(day) && guard < 60; guard++) {
      const reason = calendar.nonWorkingReason(day)!;
      skipped.push({ day: formatDay(day), reason: reason.name });
      day++;
    }
  }
  const end = endOfLocalDay(day);
  return { date: formatDay(day), at: naiveUtc(end), at_local: localIso(end), nominal_date: formatDay(nominal), extended_past: skipped, day };
}

export interface Window {
  opens: string;
  opens_day: number;
  closes: Deadline;
  unit: string;
  length: number;
}

/** The update window of a quarter under a quarterly_update_window rule (R25). */
export function updateWindow(rule: Rule, period: Period, calendar: WorkingCalendar): Window {
  const p = rule.parameters;
  const firstMonth = ymd(period.start).month;
  const opens = dayOf(period.year, firstMonth, p.window_start_day);
  const nominalEnd = p.unit === 'working_days' ? calendar.nthWorkingDay(opens, p.window_length) : opens + p.window_length - 1;
  return { opens: formatDay(opens), opens_day: opens, closes: deadline(nominalEnd, calendar, p.extend_to_working_day), unit: p.unit, length: p.window_length };
}

/** The due date of a periodic report for a period (R26, R30, R31). */
export function reportDeadline(rule: Rule, period: Period, calendar: WorkingCalendar): Deadline {
  const p = rule.parameters;
  const month = period.kind === 'quarter' ? ymd(period.start).month + Math.min(p.due_month, 3) - 1 : p.due_month;
  const day = dayOf(period.year, month, Math.min(p.due_day, daysInMonth(period.year, month)));
  return deadline(p.before ? day - 1 : day, calendar, p.extend_to_working_day);
}

/** A deadline `months` calendar months after a day (R27, R28), moved off non-working days. */
export function monthsAfter(day: number, months: number, calendar: WorkingCalendar): Deadline {
  return deadline(addMonths(day, months), calendar, true);
}

export function endOf(deadlineValue: Deadline): Date {
  return endOfLocalDay(deadlineValue.day);
}

export function describeDeadline(d: Deadline): Localized {
  if (!d.extended_past.length) return t(`hạn cuối ${d.date}`, `due ${d.date}`);
  return t(
    `hạn cuối ${d.nominal_date}, lùi đến ${d.date} vì ${d.extended_past.map((x) => x.day).join(', ')} là ngày nghỉ`,
    `due ${d.nominal_date}, moved to ${d.date} because ${d.extended_past.map((x) => x.day).join(', ')} ${d.extended_past.length > 1 ? 'are' : 'is a'} non-working day${d.extended_past.length > 1 ? 's' : ''}`,
  );
}
