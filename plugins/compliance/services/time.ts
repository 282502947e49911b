// Legal time in Viet Nam. Deadlines are calendar dates in Asia/Ho_Chi_Minh, which has been UTC+7 all
// year round since 1975 (no daylight saving), so a fixed offset is exact for every date the rules
// can reach. Dates are handled as "day numbers" (days since 1970-01-01 in the local calendar) or as
// ISO dates ("2026-03-24"); instants stay JavaScript Dates (UTC) and are printed the way the API
// prints datetimes: naive UTC ISO.

export const VN_OFFSET_MS = 7 * 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;
export const TIMEZONE = 'Asia/Ho_Chi_Minh';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of an ISO date, or null when the text is not a real date. */
export function parseDay(text: string): number | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== +m[1] || check.getUTCMonth() !== +m[2] - 1 || check.getUTCDate() !== +m[3]) return null;
  return Math.round(ms / DAY_MS);
}

export function dayOf(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

const formatted = new Map<number, string>();

export function formatDay(day: number): string {
  let text = formatted.get(day);
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (formatted.size > 100_000) formatted.clear();
    formatted.set(day, text);
  }
  return text;
}

export function ymd(day: number): { year: number; month: number; day: number } {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** ISO weekday, 1 = Monday … 7 = Sunday. */
export function isoWeekday(day: number): number {
  const dow = new Date(day * DAY_MS).getUTCDay();
  return dow === 0 ? 7 : dow;
}

/** The local (Viet Nam) calendar day an instant falls on. */
export function localDay(instant: Date): number {
  return Math.floor((instant.getTime() + VN_OFFSET_MS) / DAY_MS);
}

/** The first instant of a local day. */
export function startOfLocalDay(day: number): Date {
  return new Date(day * DAY_MS - VN_OFFSET_MS);
}

/** The last millisecond of a local day: a deadline "by day D" ends here. */
export function endOfLocalDay(day: number): Date {
  return new Date((day + 1) * DAY_MS - VN_OFFSET_MS - 1);
}

/** Naive UTC ISO with seconds, as the Action API prints datetimes (no fraction). */
export function naiveUtc(instant: Date): string {
  return instant.toISOString().slice(0, 19);
}

/** Local wall-clock time with its offset, for people: "2026-03-24T23:59:59+07:00". */
export function localIso(instant: Date): string {
  return new Date(instant.getTime() + VN_OFFSET_MS).toISOString().slice(0, 19) + '+07:00';
}

/** Add calendar months, clamping to the end of a shorter month (31 Aug + 6 months = 28/29 Feb). */
export function addMonths(day: number, months: number): number {
  const { year, month, day: dom } = ymd(day);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  const last = daysInMonth(targetYear, targetMonth);
  return dayOf(targetYear, targetMonth, Math.min(dom, last));
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Read an API datetime or date: naive UTC ISO ("2026-01-05T03:00:00.123456", as CKAN prints),
 * with an offset, or a bare date (taken as a local Viet Nam date, its first instant).
 */
export function parseInstant(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== 'string' || !value.trim()) return null;
  const text = value.trim();
  const bare = parseDay(text);
  if (bare !== null) return startOfLocalDay(bare);
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m) return null;
  const time = m[2].replace(',', '.').replace(/(\.\d{3})\d+$/, '$1');
  const zone = m[3] ? (m[3] === 'Z' ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3]) : 'Z';
  const date = new Date(`${m[1]}T${time}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A date parameter given to an action ("2026-03-01" or a datetime) as a local day. */
export function parseDayParam(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const bare = parseDay(value.trim());
  if (bare !== null) return bare;
  const instant = parseInstant(value);
  return instant ? localDay(instant) : null;
}
