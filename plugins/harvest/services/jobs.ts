// Creating, aborting and describing harvest jobs; shared by the actions, the scheduler and the CLI.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import { ValidationError } from '../../../core/errors.ts';
import type { JobQueue } from '../../../core/jobs/types.ts';
import { both, M, type Msg } from '../i18n/messages.ts';
import { iso, jobs, sources, type Db, type JobRow } from '../model/repo.ts';

export const RUN_JOB = 'harvest.run';
export const TICK_JOB = 'harvest.tick';

export interface CreateJobOptions {
  trigger: 'manual' | 'schedule' | 'cli';
  userId: string | null;
  /** Hand the job to the background workers (false when the CLI runs it in the foreground). */
  enqueue?: boolean;
}

/** Enqueue the background run of a harvest job (idempotent: one queued run per job). */
export async function enqueueRun(db: Db, queue: JobQueue, jobId: string): Promise<void> {
  await queue.enqueue(db, RUN_JOB, { harvest_job_id: jobId }, { dedupeKey: `harvest:run:${jobId}` });
}

/** A New job for the source; Conflict (409) when one is New or Running, from any process. */
export async function createJob(context: ActionContext, sourceId: string, options: CreateJobOptions): Promise<JobRow> {
  return context.transaction(async (trx) => {
    const source = await sources.get(trx, sourceId, { forUpdate: true });
    if (!source) throw new ValidationError({ source_id: [both(M.missingValue)] });
    if (!source.active) throw new ValidationError({ source_id: [both(M.sourceInactive)] });
    const id = randomUUID();
    const created = await jobs.insertNew(trx, { id, source_id: source.id, created: context.services.clock.nowIso(), trigger: options.trigger, user_id: options.userId });
    if (!created) throw new ValidationError({ source_id: [both(M.jobExists)] });
    if (options.enqueue !== false) await enqueueRun(trx, context.services.jobQueue, id);
    return (await jobs.get(trx, id))!;
  });
}

/** Mark a New or Running job Aborted; a running job's process notices at its next heartbeat. */
export async function abortJob(db: Db, jobId: string, reason: Msg, now: string): Promise<boolean> {
  // A nested transaction is a savepoint when `db` already is one.
  return (db as Knex).transaction(async (trx) => {
    const job = await jobs.get(trx, jobId, { forUpdate: true });
    if (!job || (job.status !== 'New' && job.status !== 'Running')) return false;
    await jobs.addGatherError(trx, randomUUID(), jobId, { message: reason }, now);
    const stats = await jobs.stats(trx, jobId);
    await jobs.update(trx, jobId, { status: 'Aborted', finished: now, gather_finished: job.gather_finished ?? (job.gather_started ? now : null), stats });
    return true;
  });
}

/** ckanext-harvest's harvest_job_dictize: the row, its stats and (optionally) error summaries. */
export async function jobDict(db: Db, job: JobRow, options: { summaries?: boolean } = {}): Promise<DataDict> {
  const live = job.status === 'New' || job.status === 'Running' || !job.stats;
  const out: DataDict = {
    id: job.id,
    created: iso(job.created),
    gather_started: iso(job.gather_started),
    gather_finished: iso(job.gather_finished),
    finished: iso(job.finished),
    source_id: job.source_id,
    status: job.status,
    stats: live ? await jobs.stats(db, job.id) : job.stats,
  };
  if (options.summaries) {
    const summaries = await jobs.errorSummaries(db, job.id);
    out.object_error_summary = summaries.object;
    out.gather_error_summary = summaries.gather;
  }
  return out;
}
