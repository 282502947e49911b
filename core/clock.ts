// Time is a service so tests can travel in time and legal deadlines read one source. API datetimes
// are naive UTC with microseconds, as CKAN prints them ("2024-05-01T09:00:00.123456"), and like
// Python's isoformat() without a fraction when it is zero ("2024-05-01T09:00:00").

export interface Clock {
  now(): Date;
  /** Naive UTC ISO 8601 as Python's isoformat prints it; strictly increasing within one process. */
  nowIso(): string;
}

export class SystemClock implements Clock {
  private lastMicros = 0n;

  now(): Date {
    return new Date();
  }

  nowIso(): string {
    // Date has millisecond precision; the microsecond digits come from a counter so that two writes
    // in the same millisecond still get distinct, ordered metadata_modified values.
    let micros = BigInt(this.now().getTime()) * 1000n;
    if (micros <= this.lastMicros) micros = this.lastMicros + 1n;
    this.lastMicros = micros;
    return microsToIso(micros);
  }
}

/** A clock that stands still until moved; for tests. */
export class FixedClock implements Clock {
  private micros: bigint;
  constructor(start: Date | string) {
    this.micros = BigInt(new Date(start).getTime()) * 1000n;
  }
  now(): Date {
    return new Date(Number(this.micros / 1000n));
  }
  nowIso(): string {
    this.micros += 1n;
    return microsToIso(this.micros);
  }
  set(to: Date | string) {
    this.micros = BigInt(new Date(to).getTime()) * 1000n;
  }
  advance(ms: number) {
    this.micros += BigInt(Math.round(ms * 1000));
  }
}

// A timestamp on a whole second must read the same whether it comes from the clock, from a client
// sending it back (isodate) or from a timestamp column: an update compares them as text.
function microsToIso(micros: bigint): string {
  const date = new Date(Number(micros / 1000n));
  const fraction = String(micros % 1000000n).padStart(6, '0');
  return isoformat(date.toISOString().slice(0, 19) + '.' + fraction);
}

/**
 * Postgres prints `timestamp` as "2024-05-01 09:00:00.1234" (trailing zeros dropped); CKAN clients
 * expect Python's isoformat: "2024-05-01T09:00:00.123400", no fraction when it is zero.
 */
export function pgTimestampToIso(value: string | null | undefined): string | null {
  if (value == null) return null;
  const [date, time = '00:00:00'] = value.replace('T', ' ').split(' ');
  const [hms, fraction] = time.split('.');
  if (!fraction || /^0*$/.test(fraction)) return `${date}T${hms}`;
  return `${date}T${hms}.${fraction.padEnd(6, '0').slice(0, 6)}`;
}

/** Python's isoformat of a naive datetime: drop the fraction when it is exactly zero. */
export function isoformat(naiveIso: string): string {
  return naiveIso.replace(/\.0{1,6}$/, '');
}

/**
 * Parse a client-supplied date the way CKAN's isodate validator does (Python fromisoformat: a date,
 * or date and time with optional fraction and ±HH:MM offset or Z) and return naive UTC ISO.
 * Returns null when the text is not a date.
 */
export function parseIsoDate(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== +y || check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return null;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
  }
  const utc = new Date(ms - offsetMinutes * 60000);
  const micros = frac.padEnd(6, '0');
  const iso = utc.toISOString().slice(0, 19);
  return /^0+$/.test(micros) ? iso : `${iso}.${micros}`;
}
