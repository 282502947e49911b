// Job types as the core and plugins declare them. The queue itself is in core/jobs/queue.ts.
import type { Knex } from 'knex';
import type { AwilixContainer } from 'awilix';
import type { Logger } from 'pino';
import type { Cradle } from '../container.ts';
import type { ActionContext } from '../actions/types.ts';

export interface JobRunContext {
  readonly id: string;
  readonly type: string;
  readonly attempt: number;
  /** Aborted when the job passes its timeout or the worker shuts down. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly scope: AwilixContainer<Cradle>;
  /** An action context acting as the site (ignoring auth), for calling actions. */
  readonly actions: ActionContext;
  /** Extend the lease while doing long work, so no other worker takes the job over. */
  heartbeat(): Promise<void>;
}

export interface JobDefinition<P = any> {
  handler(payload: P, job: JobRunContext): Promise<unknown> | unknown;
  /** Milliseconds before the job is aborted and counted as a failed attempt. */
  timeoutMs?: number;
  maxAttempts?: number;
  /** Delay before retry n (1-based); default exponential from 1 s, capped at 1 h. */
  backoffMs?(attempt: number): number;
}

export interface EnqueueOptions {
  /** Run no earlier than this. */
  runAt?: Date;
  /** At most one queued-or-running job with this key exists; enqueueing again is a no-op. */
  dedupeKey?: string;
  priority?: number;
  maxAttempts?: number;
}

export interface ScheduleDefinition {
  /** Unique name of the schedule. */
  name: string;
  /** The job type it enqueues. */
  job: string;
  payload?: unknown;
  /** Either a fixed interval … */
  everyMs?: number;
  /** … or a five-field cron expression, evaluated in `timezone`. */
  cron?: string;
  timezone?: string;
}

export interface JobQueue {
  /** Enqueue inside `db` (pass the action's transaction so the job exists iff the write commits). */
  enqueue(db: Knex | Knex.Transaction, type: string, payload?: unknown, options?: EnqueueOptions): Promise<string | null>;
}
