// Solr date math for range bounds: `NOW`, `NOW-1YEAR/DAY`, `2024-05-01T09:00:00.123456Z+1MONTH`.
// CKAN clients send Solr's form (with Z) and also the naive ISO CKAN prints (without Z); both are
// UTC. "now" is injected so tests and legal deadlines read one clock. The result is naive UTC ISO
// with six fraction digits, the form the database compares as timestamp(6).
import { SearchQueryError } from '../errors.ts';
import { lookupTable } from '../lookup-table.ts';

interface Instant {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  micro: number; // 0-999999
}

type Unit = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLI';

const UNITS: Readonly<Record<string, Unit>> = lookupTable({
  YEAR: 'YEAR', YEARS: 'YEAR',
  MONTH: 'MONTH', MONTHS: 'MONTH',
  DAY: 'DAY', DAYS: 'DAY', DATE: 'DAY',
  HOUR: 'HOUR', HOURS: 'HOUR',
  MINUTE: 'MINUTE', MINUTES: 'MINUTE',
  SECOND: 'SECOND', SECONDS: 'SECOND',
  MILLI: 'MILLI', MILLIS: 'MILLI', MILLISECOND: 'MILLI', MILLISECONDS: 'MILLI',
});

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?/;
const OPERATION = /^(?:([+-])(\d+)([A-Za-z]+)|\/([A-Za-z]+))/;

/** Resolve a date-math or ISO string to naive UTC ISO ("2024-05-01T09:00:00.123456"). */
export function resolveDateMath(text: string, now: Date): string {
  const value = text.trim();
  let instant: Instant;
  let rest: string;
  if (/^NOW/i.test(value)) {
    instant = fromEpochMicros(BigInt(now.getTime()) * 1000n);
    rest = value.slice(3);
  } else {
    const match = ISO.exec(value);
    if (!match) throw invalid(text);
    instant = parseIso(match, text);
    rest = value.slice(match[0].length);
  }
  while (rest) {
    const op = OPERATION.exec(rest);
    if (!op) throw invalid(text);
    const unit = UNITS[(op[3] ?? op[4]).toUpperCase()];
    if (!unit) throw invalid(text);
    instant = op[4] ? roundDown(instant, unit) : add(instant, unit, (op[1] === '-' ? -1 : 1) * Number(op[2]));
    rest = rest.slice(op[0].length);
  }
  if (instant.year < 1 || instant.year > 9999) throw invalid(text);
  return format(instant);
}

function invalid(text: string): SearchQueryError {
  return new SearchQueryError(`Invalid date string: '${text}'`);
}

function parseIso(match: RegExpExecArray, text: string): Instant {
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = match;
  const instant: Instant = {
    year: +y,
    month: +mo,
    day: +d,
    hour: +h,
    minute: +mi,
    second: +s,
    micro: Number(fraction.padEnd(6, '0').slice(0, 6)),
  };
  if (instant.month < 1 || instant.month > 12 || instant.day < 1 || instant.day > daysInMonth(instant.year, instant.month)) throw invalid(text);
  if (instant.hour > 23 || instant.minute > 59 || instant.second > 59) throw invalid(text);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
    return fromEpochMicros(toEpochMicros(instant) - BigInt(offsetMinutes) * 60_000_000n);
  }
  return instant;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function toEpochMicros(t: Instant): bigint {
  const date = new Date(0);
  date.setUTCFullYear(t.year, t.month - 1, t.day);
  date.setUTCHours(t.hour, t.minute, t.second, 0);
  return BigInt(date.getTime()) * 1000n + BigInt(t.micro);
}

function fromEpochMicros(micros: bigint): Instant {
  let ms = micros / 1000n;
  let micro = micros % 1000000n;
  if (micro < 0n) micro += 1000000n;
  if (micros < 0n && micros % 1000n !== 0n) ms -= 1n;
  const date = new Date(Number(ms));
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    micro: Number(micro),
  };
}

const FIXED_UNIT_MICROS: Record<Exclude<Unit, 'YEAR' | 'MONTH'>, bigint> = {
  DAY: 86_400_000_000n,
  HOUR: 3_600_000_000n,
  MINUTE: 60_000_000n,
  SECOND: 1_000_000n,
  MILLI: 1_000n,
};

function add(t: Instant, unit: Unit, amount: number): Instant {
  if (unit === 'YEAR' || unit === 'MONTH') {
    // Calendar arithmetic clamps the day, as Java's Calendar does: Jan 31 + 1 MONTH = Feb 28/29.
    const months = t.year * 12 + (t.month - 1) + (unit === 'YEAR' ? amount * 12 : amount);
    const year = Math.floor(months / 12);
    const month = months - year * 12 + 1;
    return { ...t, year, month, day: Math.min(t.day, daysInMonth(year, month)) };
  }
  return fromEpochMicros(toEpochMicros(t) + BigInt(amount) * FIXED_UNIT_MICROS[unit]);
}

const ROUNDING_ORDER: Unit[] = ['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLI'];

/** Truncate to the start of `unit`: every smaller field is reset. */
function roundDown(t: Instant, unit: Unit): Instant {
  const level = ROUNDING_ORDER.indexOf(unit);
  return {
    year: t.year,
    month: level < 1 ? 1 : t.month,
    day: level < 2 ? 1 : t.day,
    hour: level < 3 ? 0 : t.hour,
    minute: level < 4 ? 0 : t.minute,
    second: level < 5 ? 0 : t.second,
    micro: level < 6 ? 0 : t.micro - (t.micro % 1000),
  };
}

function format(t: Instant): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}.${pad(t.micro, 6)}`;
}
