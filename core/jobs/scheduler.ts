// Recurring jobs. Each schedule is a row in `job_schedule` whose next_run_at says when it is due;
// every process may tick, and the row lock taken when a due schedule is claimed means one process
// enqueues per due time. The job is enqueued with the dedupe key "schedule:<name>", so a run that
// is still queued or running is not doubled, and after downtime a schedule fires once and moves on
// to its next future time instead of catching up on every missed one.
import type { Knex } from 'knex';
import { CronExpressionParser } from 'cron-parser';
import type { Logger } from '../logger.ts';
import type { Clock } from '../clock.ts';
import { pgTimestampToIso } from '../clock.ts';
import type { ScheduleDefinition } from './types.ts';
import type { JobQueueService } from './queue.ts';
import { addMs, fromDbTime, toDbTime } from './db-time.ts';

export const DEFAULT_SCHEDULE_TIMEZONE = 'Asia/Ho_Chi_Minh';

export interface JobSchedulerOptions {
  knex: Knex;
  queue: JobQueueService;
  clock: Clock;
  logger: Logger;
}

/** When a schedule fires: every `everyMs` from its previous due time, or per `cron` in `timezone`. */
export type ScheduleTiming = { everyMs: number; cron?: undefined; timezone?: undefined } | { everyMs?: undefined; cron: string; timezone: string };

export interface ScheduleRecord {
  name: string;
  job: string;
  payload: unknown;
  everyMs: number | null;
  cron: string | null;
  timezone: string | null;
  /** Naive UTC ISO, like every time the API prints. */
  nextRunAt: string;
  lastRunAt: string | null;
  lastJobId: string | null;
}

export interface FiredSchedule {
  name: string;
  /** Null when the previous run of this schedule was still queued or running. */
  jobId: string | null;
  nextRunAt: Date;
}

interface ScheduleRow {
  name: string;
  job_type: string;
  payload: unknown;
  every_ms: number | null;
  cron: string | null;
  timezone: string | null;
  next_run_at: string;
  last_run_at: string | null;
  last_job_id: string | null;
}

const RETRY_BROKEN_SCHEDULE_MS = 60 * 60 * 1000;

export class JobScheduler {
  private readonly knex: Knex;
  private readonly queue: JobQueueService;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<unknown> | null = null;
  private started = false;

  constructor(options: JobSchedulerOptions) {
    this.knex = options.knex;
    this.queue = options.queue;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  /**
   * Make the stored schedules match `definitions`, the complete set for this installation:
   * new ones are added, changed ones updated, ones no longer defined deleted. A schedule whose
   * timing is unchanged keeps its next_run_at, so restarting does not postpone or repeat runs.
   * Everything is validated before anything is written.
   */
  async sync(definitions: readonly ScheduleDefinition[]): Promise<void> {
    const now = this.clock.now();
    const rows = definitions.map((def) => this.validate(def, now));
    const names = new Set<string>();
    for (const row of rows) {
      if (names.has(row.name)) throw new Error(`Schedule "${row.name}" is defined twice`);
      names.add(row.name);
    }
    await this.knex.transaction(async (trx) => {
      for (const row of rows) {
        await trx.raw(
          `insert into job_schedule (name, job_type, payload, every_ms, cron, timezone, next_run_at)
           values (?, ?, ?::jsonb, ?, ?, ?, ?::timestamp)
           on conflict (name) do update set
             job_type = excluded.job_type,
             payload = excluded.payload,
             every_ms = excluded.every_ms,
             cron = excluded.cron,
             timezone = excluded.timezone,
             next_run_at = case
               when job_schedule.every_ms is not distinct from excluded.every_ms
                and job_schedule.cron is not distinct from excluded.cron
                and job_schedule.timezone is not distinct from excluded.timezone
               then job_schedule.next_run_at
               else excluded.next_run_at
             end`,
          [row.name, row.job_type, row.payload, row.every_ms, row.cron, row.timezone, row.next_run_at],
        );
      }
      const stale = trx('job_schedule');
      if (rows.length > 0) stale.whereNotIn('name', [...names]);
      // returning(): knex-pglite gives the raw response instead of a count from delete().
      const removed = (await stale.delete().returning('name')).length;
      if (removed > 0) this.logger.info({ removed }, 'removed job schedules that are no longer defined');
    });
  }

  /** Enqueue the job of every due schedule and move each to its next future time. */
  async tick(): Promise<FiredSchedule[]> {
    const now = this.clock.now();
    return this.knex.transaction(async (trx) => {
      // SKIP LOCKED: a schedule another process is firing right now is its business; once that
      // commits, its next_run_at is in the future and no longer matches.
      const due = await trx<ScheduleRow>('job_schedule')
        .where('next_run_at', '<=', toDbTime(now))
        .orderBy('next_run_at')
        .forUpdate()
        .skipLocked();
      const fired: FiredSchedule[] = [];
      for (const row of due) {
        const log = this.logger.child({ schedule: row.name, jobType: row.job_type });
        let next: Date;
        try {
          next = nextOccurrence(timingOf(row), now, fromDbTime(row.next_run_at));
        } catch (err) {
          log.error({ err }, 'cannot compute the next run of this schedule; trying again in an hour');
          next = addMs(now, RETRY_BROKEN_SCHEDULE_MS);
        }
        let jobId: string | null = null;
        if (!this.queue.has(row.job_type)) {
          log.warn('schedule is due but its job type is not defined in this process; skipped');
        } else {
          try {
            // A savepoint, so one failing enqueue does not undo the other schedules' runs.
            jobId = await trx.transaction((sp) => this.queue.enqueue(sp, row.job_type, row.payload ?? undefined, { dedupeKey: `schedule:${row.name}` }));
            if (jobId) log.info({ jobId }, 'schedule fired');
            else log.info('schedule is due but its previous run is still queued or running; skipped');
          } catch (err) {
            log.error({ err }, 'enqueueing the job of a due schedule failed');
          }
        }
        await trx('job_schedule')
          .where({ name: row.name })
          .update({ next_run_at: toDbTime(next), last_run_at: toDbTime(now), last_job_id: jobId ?? row.last_job_id });
        fired.push({ name: row.name, jobId, nextRunAt: next });
      }
      return fired;
    });
  }

  /** Tick now and then every `intervalMs` until stop(). */
  start(intervalMs = 1000): void {
    if (this.started) return;
    this.started = true;
    const loop = async () => {
      this.timer = null;
      const run = this.tick().catch((err) => this.logger.error({ err }, 'job scheduler tick failed'));
      this.ticking = run;
      await run;
      this.ticking = null;
      if (this.started) this.timer = setTimeout(() => void loop(), intervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.ticking) await this.ticking;
  }

  async list(): Promise<ScheduleRecord[]> {
    const rows = await this.knex<ScheduleRow>('job_schedule').orderBy('name');
    return rows.map((row) => ({
      name: row.name,
      job: row.job_type,
      payload: row.payload,
      everyMs: row.every_ms == null ? null : Number(row.every_ms),
      cron: row.cron,
      timezone: row.timezone,
      nextRunAt: pgTimestampToIso(row.next_run_at)!,
      lastRunAt: pgTimestampToIso(row.last_run_at),
      lastJobId: row.last_job_id,
    }));
  }

  private validate(def: ScheduleDefinition, now: Date) {
    const name = def?.name;
    if (!name || typeof name !== 'string') throw new Error('A job schedule needs a name');
    const fail = (message: string): never => {
      throw new Error(`Schedule "${name}": ${message}`);
    };
    if (!def.job || !this.queue.has(def.job)) fail(`job type "${def.job}" is not defined`);
    const timing = parseTiming(def, fail);
    let payload: string | null = null;
    if (def.payload !== undefined) {
      payload = JSON.stringify(def.payload) ?? fail('payload cannot be stored as JSON');
    }
    return {
      name,
      job_type: def.job,
      payload,
      every_ms: timing.everyMs ?? null,
      cron: timing.cron ?? null,
      timezone: timing.timezone ?? null,
      next_run_at: toDbTime(firstOccurrence(timing, now)),
    };
  }
}

function parseTiming(def: ScheduleDefinition, fail: (message: string) => never): ScheduleTiming {
  const hasEvery = def.everyMs !== undefined && def.everyMs !== null;
  const hasCron = def.cron !== undefined && def.cron !== null;
  if (hasEvery === hasCron) fail('give exactly one of everyMs and cron');
  if (hasEvery) {
    const everyMs = def.everyMs!;
    if (!Number.isInteger(everyMs) || everyMs <= 0) fail(`everyMs must be a positive integer, got ${everyMs}`);
    return { everyMs };
  }
  const cron = String(def.cron).trim().replace(/\s+/g, ' ');
  const timezone = def.timezone ?? DEFAULT_SCHEDULE_TIMEZONE;
  if (!isTimeZone(timezone)) fail(`unknown time zone "${timezone}"`);
  if (cron.split(' ').length !== 5) fail(`cron expression "${def.cron}" must have five fields (minute hour day-of-month month day-of-week)`);
  try {
    nextCron(cron, timezone, new Date());
  } catch (err) {
    fail(`invalid cron expression "${def.cron}": ${(err as Error).message}`);
  }
  return { cron, timezone };
}

function timingOf(row: ScheduleRow): ScheduleTiming {
  if (row.every_ms != null) return { everyMs: Number(row.every_ms) };
  return { cron: row.cron!, timezone: row.timezone ?? DEFAULT_SCHEDULE_TIMEZONE };
}

/** When a newly defined (or re-timed) schedule first fires. */
export function firstOccurrence(timing: ScheduleTiming, now: Date): Date {
  return timing.everyMs !== undefined ? addMs(now, timing.everyMs) : nextCron(timing.cron, timing.timezone, now);
}

/**
 * The first occurrence strictly after `now`. Intervals stay on the grid of the previous due time,
 * so a late tick does not make the schedule drift.
 */
export function nextOccurrence(timing: ScheduleTiming, now: Date, previousDue: Date): Date {
  if (timing.everyMs === undefined) return nextCron(timing.cron, timing.timezone, now);
  const elapsed = now.getTime() - previousDue.getTime();
  const steps = elapsed < 0 ? 1 : Math.floor(elapsed / timing.everyMs) + 1;
  return addMs(previousDue, steps * timing.everyMs);
}

function nextCron(cron: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { tz: timezone, currentDate: after }).next().toDate();
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
