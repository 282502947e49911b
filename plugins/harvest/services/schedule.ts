// Source frequencies: ckanext-harvest's words (MANUAL, HOURLY, DAILY, WEEKLY, BIWEEKLY, MONTHLY,
// ALWAYS) or a five-field cron expression in the configured time zone. The next run is computed from
// the previous due time, not from when the job happened to run, so schedules do not drift.
import { CronExpressionParser } from 'cron-parser';
import type { HarvestSettings } from '../settings.ts';

export const FREQUENCIES = ['MANUAL', 'HOURLY', 'DAILY', 'WEEKLY', 'BIWEEKLY', 'MONTHLY', 'ALWAYS'] as const;

const HOUR = 60 * 60 * 1000;
const INTERVALS: Record<string, number> = { HOURLY: HOUR, DAILY: 24 * HOUR, WEEKLY: 7 * 24 * HOUR, BIWEEKLY: 14 * 24 * HOUR };

/** The stored form of a frequency, or null when it is not valid. */
export function normaliseFrequency(value: unknown, timezone: string): string | null {
  if (value === undefined || value === null || value === '') return 'MANUAL';
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  const upper = trimmed.toUpperCase();
  if ((FREQUENCIES as readonly string[]).includes(upper)) return upper;
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) return null;
  try {
    CronExpressionParser.parse(trimmed, { tz: timezone, currentDate: new Date() }).next();
    return fields.join(' ');
  } catch {
    return null;
  }
}

function addMonths(date: Date, months: number): Date {
  const out = new Date(date.getTime());
  const day = out.getUTCDate();
  out.setUTCDate(1);
  out.setUTCMonth(out.getUTCMonth() + months);
  const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
  out.setUTCDate(Math.min(day, last));
  return out;
}

function toIso(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

/**
 * When a source runs next, as naive UTC text for the next_run column; null for MANUAL.
 * `previous` is the due time that just fired (null for a new or changed schedule).
 */
export function computeNextRun(frequency: string, now: Date, previous: Date | null, settings: Pick<HarvestSettings, 'timezone' | 'always_min_interval_ms'>): string | null {
  if (frequency === 'MANUAL') return null;
  if (frequency === 'ALWAYS') return toIso(new Date(now.getTime() + (previous ? settings.always_min_interval_ms : 0)));
  if (INTERVALS[frequency] || frequency === 'MONTHLY') {
    // A new schedule runs at once; afterwards every period from the previous due time.
    if (!previous) return toIso(now);
    const step = (date: Date) => (frequency === 'MONTHLY' ? addMonths(date, 1) : new Date(date.getTime() + INTERVALS[frequency]));
    let next = step(previous);
    while (next.getTime() <= now.getTime()) next = step(next);
    return toIso(next);
  }
  const cron = CronExpressionParser.parse(frequency, { tz: settings.timezone, currentDate: now });
  return toIso(cron.next().toDate());
}
