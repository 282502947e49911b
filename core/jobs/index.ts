// Background jobs: a durable queue in the database (queue.ts), workers that run it (worker.ts) and
// recurring schedules (scheduler.ts). The core's own maintenance jobs are declared here.
import type { ScheduleDefinition } from './types.ts';
import type { JobQueueService } from './queue.ts';
import { DEFAULT_SCHEDULE_TIMEZONE } from './scheduler.ts';

export type { EnqueueOptions, JobDefinition, JobQueue, JobRunContext, ScheduleDefinition } from './types.ts';
export {
  JobQueueService,
  JOB_STATES,
  defaultBackoffMs,
  type ClaimedJob,
  type FailOptions,
  type FailOutcome,
  type JobLease,
  type JobListFilter,
  type JobQueueOptions,
  type JobRecord,
  type JobState,
  type JobsConfig,
  type RecoveredJob,
  type RegisteredJobType,
} from './queue.ts';
export { JobWorker, type JobWorkerOptions, type RunContextParts } from './worker.ts';
export {
  JobScheduler,
  DEFAULT_SCHEDULE_TIMEZONE,
  firstOccurrence,
  nextOccurrence,
  type FiredSchedule,
  type JobSchedulerOptions,
  type ScheduleRecord,
  type ScheduleTiming,
} from './scheduler.ts';
export { JobLeaseLostError, JobTimeoutError, PermanentJobError, WorkerStoppingError } from './errors.ts';

export const PURGE_JOB = 'kho.jobs.purge';

export interface PurgePayload {
  /** Overrides jobs.keep_finished_days. */
  olderThanDays?: number;
}

/** Define the core's own job types on `queue`. */
export function registerCoreJobs(queue: JobQueueService): void {
  queue.define<PurgePayload | null>(
    PURGE_JOB,
    {
      timeoutMs: 10 * 60 * 1000,
      maxAttempts: 3,
      async handler(payload, job) {
        const deleted = await queue.purgeFinished(payload?.olderThanDays);
        job.logger.info({ deleted }, 'purged finished jobs');
        return { deleted };
      },
    },
    'core',
  );
}

/** The core's recurring schedules; pass them to JobScheduler.sync together with the plugins'. */
export function coreSchedules(): ScheduleDefinition[] {
  return [{ name: PURGE_JOB, job: PURGE_JOB, cron: '30 3 * * *', timezone: DEFAULT_SCHEDULE_TIMEZONE }];
}
