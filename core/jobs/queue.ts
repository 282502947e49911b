// The durable job queue: rows in the `job` table, claimed with FOR UPDATE SKIP LOCKED under a lease.
// Delivery is at least once: a job whose worker dies is handed out again when its lease runs out,
// so handlers must be safe to run twice. Every state change after the claim is guarded by the lease
// (id, worker, attempt), so a worker that lost its job can no longer overwrite what happened since.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../logger.ts';
import type { Clock } from '../clock.ts';
import { pgTimestampToIso } from '../clock.ts';
import type { EnqueueOptions, JobDefinition, JobQueue } from './types.ts';
import { addMs, fromDbTime, toDbTime } from './db-time.ts';
import { errorMessage } from './errors.ts';

/** The `jobs` config section (core/config/schema.ts), as plain numbers so tests can pass their own. */
export interface JobsConfig {
  in_process?: boolean;
  concurrency: number;
  poll_interval_ms: number;
  lease_ms: number;
  default_timeout_ms: number;
  max_attempts: number;
  keep_finished_days: number;
}
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export interface JobQueueOptions {
  knex: Knex;
  clock: Clock;
  logger: Logger;
  config: Pick<JobsConfig, 'lease_ms' | 'max_attempts' | 'keep_finished_days'>;
}

export interface RegisteredJobType {
  readonly type: string;
  /** "core" or the plugin that defined it. */
  readonly owner: string;
  readonly definition: JobDefinition;
}

/** What complete/fail/heartbeat/release check: the job is still this worker's, on this attempt. */
export interface JobLease {
  readonly id: string;
  readonly type: string;
  readonly lockedBy: string;
  readonly attempt: number;
}

export interface ClaimedJob extends JobLease {
  readonly payload: unknown;
  readonly priority: number;
  readonly maxAttempts: number;
  readonly lockedUntil: Date;
}

/** A job row as admin tools show it; times are naive UTC ISO strings like the rest of the API. */
export interface JobRecord {
  id: string;
  type: string;
  payload: unknown;
  state: JobState;
  priority: number;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedBy: string | null;
  lockedUntil: string | null;
  lastError: string | null;
  dedupeKey: string | null;
  created: string;
  started: string | null;
  finished: string | null;
  result: unknown;
}

export interface JobListFilter {
  state?: JobState | JobState[];
  type?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  offset?: number;
}

export interface FailOptions {
  /** false: do not retry whatever attempts are left. */
  retry?: boolean;
}

export interface FailOutcome {
  state: 'queued' | 'failed';
  /** When the retry may run; null once failed. */
  retryAt: Date | null;
}

export interface RecoveredJob {
  id: string;
  type: string;
  state: 'queued' | 'failed';
  attempts: number;
  previousWorker: string | null;
}

const MAX_DEFAULT_BACKOFF_MS = 60 * 60 * 1000;

/** Retry n waits 1 s · 2^(n-1), at most an hour. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), MAX_DEFAULT_BACKOFF_MS);
}

interface JobRow {
  id: string;
  type: string;
  payload: unknown;
  state: JobState;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_at: string;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  dedupe_key: string | null;
  created: string;
  started: string | null;
  finished: string | null;
  result: unknown;
}

export class JobQueueService implements JobQueue {
  private readonly knex: Knex;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly config: JobQueueOptions['config'];
  private readonly registry = new Map<string, RegisteredJobType>();
  private readonly enqueueListeners = new Set<() => void>();

  constructor(options: JobQueueOptions) {
    this.knex = options.knex;
    this.clock = options.clock;
    this.logger = options.logger;
    this.config = options.config;
  }

  define<P>(type: string, definition: JobDefinition<P>, owner = 'core'): void {
    if (!type || typeof type !== 'string') throw new Error('A job type needs a non-empty name');
    const existing = this.registry.get(type);
    if (existing) throw new Error(`Job type "${type}" is already defined by ${existing.owner}`);
    if (typeof definition?.handler !== 'function') throw new Error(`Job type "${type}" needs a handler function`);
    if (definition.timeoutMs !== undefined && !(definition.timeoutMs > 0)) throw new Error(`Job type "${type}": timeoutMs must be positive`);
    if (definition.maxAttempts !== undefined && !(Number.isInteger(definition.maxAttempts) && definition.maxAttempts >= 1)) {
      throw new Error(`Job type "${type}": maxAttempts must be an integer ≥ 1`);
    }
    this.registry.set(type, { type, owner, definition: definition as JobDefinition });
  }

  has(type: string): boolean {
    return this.registry.has(type);
  }

  definition(type: string): RegisteredJobType | undefined {
    return this.registry.get(type);
  }

  types(): RegisteredJobType[] {
    return [...this.registry.values()];
  }

  /**
   * Called once the enqueued job is visible to workers: right away outside a transaction, after the
   * commit inside one. Workers subscribe so a new job starts without waiting for the next poll.
   */
  onEnqueued(listener: () => void): () => void {
    this.enqueueListeners.add(listener);
    return () => this.enqueueListeners.delete(listener);
  }

  async enqueue(db: Knex | Knex.Transaction, type: string, payload?: unknown, options: EnqueueOptions = {}): Promise<string | null> {
    const registered = this.registry.get(type);
    if (!registered) throw new Error(`Cannot enqueue job of unknown type "${type}"`);
    const maxAttempts = options.maxAttempts ?? registered.definition.maxAttempts ?? this.config.max_attempts;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`maxAttempts must be an integer ≥ 1, got ${maxAttempts}`);
    const priority = options.priority ?? 0;
    if (!Number.isInteger(priority)) throw new Error(`priority must be an integer, got ${priority}`);
    const now = this.clock.now();
    const runAt = options.runAt ?? now;
    if (!(runAt instanceof Date) || Number.isNaN(runAt.getTime())) throw new Error('runAt must be a valid Date');
    const id = randomUUID();
    // ON CONFLICT against the partial unique index, so a duplicate is skipped without an error that
    // would abort the caller's transaction.
    const { rows } = await db.raw<{ rows: Array<{ id: string }> }>(
      `insert into job (id, type, payload, state, priority, attempts, max_attempts, run_at, dedupe_key, created)
       values (?, ?, ?::jsonb, 'queued', ?, 0, ?, ?::timestamp, ?, ?::timestamp)
       on conflict (dedupe_key) where state in ('queued', 'running') do nothing
       returning id`,
      [id, type, toJson(payload, `payload of job "${type}"`), priority, maxAttempts, toDbTime(runAt), options.dedupeKey ?? null, toDbTime(now)],
    );
    if (rows.length === 0) return null;
    this.announceWhenVisible(db);
    return id;
  }

  /**
   * Claim up to `limit` due jobs for `workerId`; each attempt is counted when claimed. Only types
   * defined in this process are claimed, so a process without some plugin leaves its jobs alone.
   */
  async claim(workerId: string, limit: number): Promise<ClaimedJob[]> {
    const types = [...this.registry.keys()];
    if (limit < 1 || types.length === 0) return [];
    const now = this.clock.now();
    const lockedUntil = addMs(now, this.config.lease_ms);
    const { rows } = await this.knex.raw<{ rows: JobRow[] }>(
      `update job set state = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?::timestamp, started = ?::timestamp
       where id in (
         select id from job
         where state = 'queued' and run_at <= ?::timestamp and type = any(?::text[])
         order by priority desc, run_at, created
         limit ?
         for update skip locked
       )
       returning id, type, payload, priority, attempts, max_attempts, locked_by, locked_until, run_at, created`,
      [workerId, toDbTime(lockedUntil), toDbTime(now), toDbTime(now), types, limit],
    );
    rows.sort((a, b) => b.priority - a.priority || a.run_at.localeCompare(b.run_at) || a.created.localeCompare(b.created));
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      payload: row.payload,
      priority: row.priority,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      lockedBy: workerId,
      lockedUntil: fromDbTime(row.locked_until!),
    }));
  }

  /** Extend the lease; false when the job is no longer this worker's (cancelled or recovered). */
  async heartbeat(lease: JobLease): Promise<boolean> {
    const lockedUntil = addMs(this.clock.now(), this.config.lease_ms);
    const count = await this.leased(lease).update({ locked_until: toDbTime(lockedUntil) });
    return count > 0;
  }

  async complete(lease: JobLease, result?: unknown): Promise<boolean> {
    let json: string | null;
    try {
      json = toJson(result, 'result');
    } catch (err) {
      this.logger.warn({ jobId: lease.id, jobType: lease.type, err }, 'job result is not JSON; not stored');
      json = null;
    }
    const count = await this.leased(lease).update({
      state: 'succeeded',
      finished: toDbTime(this.clock.now()),
      result: this.knex.raw('?::jsonb', [json]),
      locked_by: null,
      locked_until: null,
    });
    return count > 0;
  }

  /**
   * Record a failed attempt: back to the queue after the type's backoff, or failed for good when
   * the attempts are used up. The error message is kept in last_error either way. Null when the job
   * was no longer this worker's.
   */
  async fail(lease: JobLease, error: unknown, options: FailOptions = {}): Promise<FailOutcome | null> {
    const now = this.clock.now();
    const retryAt = addMs(now, this.backoff(lease.type, lease.attempt));
    const giveUp = options.retry === false;
    const { rows } = await this.knex.raw<{ rows: Array<{ state: 'queued' | 'failed' }> }>(
      `update job set
         state = case when ?::boolean or attempts >= max_attempts then 'failed' else 'queued' end,
         run_at = case when ?::boolean or attempts >= max_attempts then run_at else ?::timestamp end,
         finished = case when ?::boolean or attempts >= max_attempts then ?::timestamp else null end,
         last_error = ?, locked_by = null, locked_until = null
       where id = ? and state = 'running' and locked_by = ? and attempts = ?
       returning state`,
      [giveUp, giveUp, toDbTime(retryAt), giveUp, toDbTime(now), errorMessage(error), lease.id, lease.lockedBy, lease.attempt],
    );
    if (rows.length === 0) return null;
    const state = rows[0].state;
    return { state, retryAt: state === 'queued' ? retryAt : null };
  }

  /** Give the job back without counting the attempt (the worker is stopping, not the job failing). */
  async release(lease: JobLease): Promise<boolean> {
    const count = await this.leased(lease).update({
      state: 'queued',
      attempts: this.knex.raw('greatest(attempts - 1, 0)'),
      run_at: toDbTime(this.clock.now()),
      locked_by: null,
      locked_until: null,
    });
    return count > 0;
  }

  /**
   * Running jobs whose lease ran out belong to a worker that died or hung: requeue them, or fail
   * them if that was their last attempt. The lost attempt counts, so a job that kills its worker
   * cannot loop forever.
   */
  async recoverExpired(): Promise<RecoveredJob[]> {
    const now = toDbTime(this.clock.now());
    const { rows } = await this.knex.raw<{ rows: Array<{ id: string; type: string; state: 'queued' | 'failed'; attempts: number; previous_worker: string | null }> }>(
      `with expired as (
         select id, locked_by from job
         where state = 'running' and locked_until < ?::timestamp
         for update skip locked
       )
       update job set
         state = case when job.attempts >= job.max_attempts then 'failed' else 'queued' end,
         finished = case when job.attempts >= job.max_attempts then ?::timestamp else null end,
         run_at = case when job.attempts >= job.max_attempts then job.run_at else ?::timestamp end,
         last_error = 'lease expired during attempt ' || job.attempts || ' (worker ' || coalesce(expired.locked_by, 'unknown') || ' stopped responding)',
         locked_by = null, locked_until = null
       from expired
       where job.id = expired.id
       returning job.id, job.type, job.state, job.attempts, expired.locked_by as previous_worker`,
      [now, now, now],
    );
    for (const row of rows) {
      this.logger.warn({ jobId: row.id, jobType: row.type, attempt: row.attempts, previousWorker: row.previous_worker, state: row.state }, 'job lease expired; recovered');
    }
    return rows.map((row) => ({ id: row.id, type: row.type, state: row.state, attempts: row.attempts, previousWorker: row.previous_worker }));
  }

  /**
   * Cancel a queued or running job; false when it had already finished. A running handler learns of
   * it at its next heartbeat, when its signal is aborted.
   */
  async cancel(id: string): Promise<boolean> {
    const count = await this.knex('job')
      .where({ id })
      .whereIn('state', ['queued', 'running'])
      .update({ state: 'cancelled', finished: toDbTime(this.clock.now()), locked_by: null, locked_until: null });
    return count > 0;
  }

  async get(id: string): Promise<JobRecord | null> {
    const row = await this.knex<JobRow>('job').where({ id }).first();
    return row ? toRecord(row) : null;
  }

  /** Newest first. */
  async list(filter: JobListFilter = {}): Promise<JobRecord[]> {
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
    const query = this.knex<JobRow>('job').orderBy([{ column: 'created', order: 'desc' }, { column: 'id' }]).limit(limit).offset(Math.max(filter.offset ?? 0, 0));
    if (filter.state) query.whereIn('state', Array.isArray(filter.state) ? filter.state : [filter.state]);
    if (filter.type) query.where('type', filter.type);
    return (await query).map(toRecord);
  }

  async countByState(): Promise<Record<JobState, number>> {
    const rows = await this.knex('job').select('state').count<Array<{ state: JobState; count: number | string }>>('* as count').groupBy('state');
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }

  /** Delete succeeded, failed and cancelled jobs that finished more than `olderThanDays` ago. */
  async purgeFinished(olderThanDays: number = this.config.keep_finished_days): Promise<number> {
    if (!(olderThanDays >= 0)) throw new Error(`olderThanDays must be ≥ 0, got ${olderThanDays}`);
    const cutoff = addMs(this.clock.now(), -olderThanDays * 24 * 60 * 60 * 1000);
    // Counted in SQL: knex-pglite returns the raw response instead of a count from delete().
    const { rows } = await this.knex.raw<{ rows: Array<{ deleted: number }> }>(
      `with gone as (
         delete from job where state in ('succeeded', 'failed', 'cancelled') and finished < ?::timestamp returning 1
       )
       select count(*)::int as deleted from gone`,
      [toDbTime(cutoff)],
    );
    return rows[0].deleted;
  }

  private leased(lease: JobLease) {
    return this.knex('job').where({ id: lease.id, state: 'running', locked_by: lease.lockedBy, attempts: lease.attempt });
  }

  private backoff(type: string, attempt: number): number {
    const custom = this.registry.get(type)?.definition.backoffMs;
    if (custom) {
      try {
        const ms = custom(attempt);
        if (Number.isFinite(ms) && ms >= 0) return ms;
      } catch (err) {
        this.logger.warn({ jobType: type, err }, 'backoffMs threw; using the default backoff');
      }
    }
    return defaultBackoffMs(attempt);
  }

  private announceWhenVisible(db: Knex | Knex.Transaction): void {
    if (this.enqueueListeners.size === 0) return;
    const announce = () => {
      for (const listener of this.enqueueListeners) {
        try {
          listener();
        } catch (err) {
          this.logger.error({ err }, 'job enqueue listener failed');
        }
      }
    };
    if (!isTransaction(db)) {
      queueMicrotask(announce);
      return;
    }
    // A savepoint settles before the outer commit; only the outermost transaction's end matters.
    let outer: Knex.Transaction = db;
    while (outer.parentTransaction) outer = outer.parentTransaction;
    outer.executionPromise.then(announce, () => {});
  }
}

function isTransaction(db: Knex | Knex.Transaction): db is Knex.Transaction {
  return (db as Knex.Transaction).isTransaction === true;
}

function toJson(value: unknown, what: string): string | null {
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error(`The ${what} cannot be stored as JSON`);
  return json;
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    type: row.type,
    payload: row.payload,
    state: row.state,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: pgTimestampToIso(row.run_at)!,
    lockedBy: row.locked_by,
    lockedUntil: pgTimestampToIso(row.locked_until),
    lastError: row.last_error,
    dedupeKey: row.dedupe_key,
    created: pgTimestampToIso(row.created)!,
    started: pgTimestampToIso(row.started),
    finished: pgTimestampToIso(row.finished),
    result: row.result,
  };
}
