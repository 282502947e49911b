// The periodic tick (a core schedule, so it runs in whichever process runs the job workers, once per
// due time across all of them): start jobs for due sources, and watch running jobs — a job whose
// process stopped heartbeating is handed to a worker to resume (or closed after too many tries), a
// job past its time limit is aborted with an error. No cron, no `harvester run`.
import { randomUUID } from 'node:crypto';
import type { Cradle } from '../../../core/container.ts';
import type { Logger } from 'pino';
import { M } from '../i18n/messages.ts';
import { jobs, sources, type JobRow } from '../model/repo.ts';
import type { HarvestSettings } from '../settings.ts';
import { abortJob, enqueueRun } from './jobs.ts';
import { computeNextRun } from './schedule.ts';

export interface TickResult {
  started: string[];
  resumed: string[];
  closed: string[];
}

const parseTime = (value: string | null): number | null => (value ? Date.parse(value.replace(' ', 'T') + 'Z') : null);

export async function tick(services: Cradle, settings: HarvestSettings, logger: Logger): Promise<TickResult> {
  const { knex, clock, jobQueue } = services;
  const result: TickResult = { started: [], resumed: [], closed: [] };
  const now = clock.now();

  await knex.transaction(async (trx) => {
    for (const source of await sources.due(trx, clock.nowIso())) {
      const jobId = randomUUID();
      const created = await jobs.insertNew(trx, { id: jobId, source_id: source.id, created: clock.nowIso(), trigger: 'schedule', user_id: null });
      if (created) {
        await enqueueRun(trx, jobQueue, jobId);
        result.started.push(jobId);
      }
      const previous = source.next_run ? new Date(parseTime(source.next_run)!) : now;
      let next: string | null;
      try {
        next = computeNextRun(source.frequency, now, previous, settings);
      } catch (err) {
        logger.error({ err, source: source.id, frequency: source.frequency }, 'cannot compute the next harvest of this source; trying again in an hour');
        next = new Date(now.getTime() + 3600000).toISOString().slice(0, 23).replace('T', ' ');
      }
      await sources.update(trx, source.id, { next_run: next });
    }
  });

  for (const job of await jobs.unfinished(knex)) {
    try {
      await watch(services, settings, job, now, result);
    } catch (err) {
      logger.error({ err, harvestJob: job.id }, 'harvest watchdog failed for a job');
    }
  }
  if (result.started.length || result.resumed.length || result.closed.length) logger.info(result, 'harvest scheduler tick');
  return result;
}

async function watch(services: Cradle, settings: HarvestSettings, job: JobRow, now: Date, result: TickResult): Promise<void> {
  const { knex, clock, jobQueue } = services;
  const heartbeat = parseTime(job.heartbeat_at);
  const stale = heartbeat === null || now.getTime() - heartbeat > settings.stale_after_ms;
  if (job.status === 'New') {
    // Normally a worker takes it within a poll; if its queue job was lost, queue it again.
    const created = parseTime(job.created)!;
    if (now.getTime() - created > settings.stale_after_ms) {
      await enqueueRun(knex, jobQueue, job.id);
      result.resumed.push(job.id);
    }
    return;
  }
  if (!stale) return; // its runner is alive and checks its own time limit
  const started = parseTime(job.gather_started);
  if (started !== null && now.getTime() - started > settings.timeout_minutes * 60000) {
    if (await abortJob(knex, job.id, M.timedOut(settings.timeout_minutes), clock.nowIso())) result.closed.push(job.id);
    await knex('harvest_job').where('id', job.id).update({ runner: null });
    return;
  }
  if (job.resumes >= settings.max_resumes) {
    if (await abortJob(knex, job.id, M.workerDied(job.heartbeat_at, job.resumes), clock.nowIso())) result.closed.push(job.id);
    await knex('harvest_job').where('id', job.id).update({ runner: null });
    return;
  }
  await enqueueRun(knex, jobQueue, job.id);
  result.resumed.push(job.id);
}
