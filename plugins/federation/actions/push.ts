// Push mode: the job that pushes (retried with backoff by the core queue), its schedule, and the
// sysadmin actions federation_push (start now) and federation_push_status.
import type { ActionDefinition, AuthDefinition } from '../../../core/actions/types.ts';
import { NotFound, ValidationError } from '../../../core/errors.ts';
import type { JobDefinition, ScheduleDefinition } from '../../../core/jobs/types.ts';
import { DEFAULT_SCHEDULE_TIMEZONE } from '../../../core/jobs/scheduler.ts';
import { both, PUSH } from '../i18n/messages.ts';
import type { FederationSettings } from '../settings.ts';
import { instanceId } from '../services/changes.ts';
import { decodeCursor } from '../services/cursor.ts';
import { PUSH_JOB, pushTarget, runPush } from '../services/push.ts';
import { isoTimestamp } from '../services/timestamps.ts';

const KEYWORDS: Record<string, string> = { HOURLY: '0 * * * *', DAILY: '0 2 * * *', WEEKLY: '0 2 * * 1' };

export function pushSchedules(settings: FederationSettings): ScheduleDefinition[] {
  if (!pushTarget(settings) || !settings.push_schedule) return [];
  const cron = KEYWORDS[settings.push_schedule.toUpperCase()] ?? settings.push_schedule;
  return [{ name: PUSH_JOB, job: PUSH_JOB, cron, timezone: DEFAULT_SCHEDULE_TIMEZONE }];
}

export function pushJob(settings: FederationSettings): JobDefinition<unknown> {
  return {
    timeoutMs: 6 * 60 * 60 * 1000,
    maxAttempts: settings.push_max_attempts,
    backoffMs: (attempt) => Math.min(settings.push_retry_base_ms * 2 ** Math.max(0, attempt - 1), settings.push_retry_max_ms),
    async handler(_payload, job) {
      const { knex, clock, fetcher, config, fields } = job.scope.cradle;
      const siteUrl = (settings.base_uri ?? config.site.url).replace(/\/+$/, '');
      const showOrganization = (id: string) =>
        job.actions.action('organization_show', { id, include_datasets: false, include_users: false, include_groups: false, include_tags: false, include_followers: false }).catch((err: unknown) => {
          if (err instanceof NotFound) return null;
          throw err;
        });
      const deps = { knex, clock, fetcher, settings, siteUrl, organizationFields: fields.organization.map((field) => field.field_name), showOrganization, logger: job.logger };
      return runPush(deps, { jobId: job.id, signal: job.signal, heartbeat: () => job.heartbeat() });
    },
  };
}

export function pushActions(settings: FederationSettings): Record<string, ActionDefinition> {
  return {
    federation_push: {
      doc: 'Push this site\'s changes into the national portal now (federation.push_url), as a background job that retries with backoff.\n\n:rtype: {job_id, queued}',
      async handler(context) {
        if (!pushTarget(settings)) throw new ValidationError({ push_url: [both(PUSH.notConfigured)] });
        const db = context.db();
        const id = await context.services.jobQueue.enqueue(db, PUSH_JOB, { trigger: 'manual' }, { dedupeKey: 'federation:push' });
        if (id) return { job_id: id, queued: true };
        // One is already waiting or running: it will push everything up to now.
        const existing = await db('job').where({ type: PUSH_JOB }).whereIn('state', ['queued', 'running']).orderBy('created', 'desc').first('id');
        return { job_id: existing?.id ?? null, queued: false };
      },
    },
    federation_push_status: {
      sideEffectFree: true,
      doc: 'Where the push into the national portal stands: target, schedule, changes not yet pushed, last run, per-dataset errors. The token is never shown.\n\n:param errors_limit: datasets in error listed (default 50)\n:rtype: dictionary',
      async handler(context, data) {
        const db = context.db();
        const target = pushTarget(settings);
        const state = await db('federation_push_state').where('id', 'default').first();
        let pending: number | null = null;
        if (target) {
          const from = state?.target === target && state.cursor ? decodeCursor(await instanceId(db), state.cursor) : { txid: '0', seq: '0' };
          const row = await db('federation_change').whereRaw('(txid, seq) > (?::bigint, ?::bigint)', [from.txid, from.seq]).count<{ count: string | number }[]>('* as count').first();
          pending = Number(row?.count ?? 0);
        }
        const counts: Record<string, number> = { pushed: 0, deleted: 0, error: 0 };
        for (const row of await db('federation_push_item').select('state').count('* as count').groupBy('state')) counts[String(row.state)] = Number(row.count);
        const limit = Math.min(Math.max(Number(data.errors_limit ?? 50) || 50, 0), 1000);
        const errors = await db('federation_push_item').where('state', 'error').orderBy('updated', 'desc').limit(limit).select('package_id', 'name', 'error', 'error_vi', 'updated');
        const job = await db('job').where('type', PUSH_JOB).orderBy('created', 'desc').first('id', 'state', 'attempts', 'max_attempts', 'run_at', 'last_error', 'created', 'finished');
        const stats = state?.last_stats ? (typeof state.last_stats === 'string' ? JSON.parse(state.last_stats) : state.last_stats) : null;
        return {
          enabled: !!target,
          url: target,
          token: settings.push_token ? '********' : null,
          schedule: settings.push_schedule,
          organizations: settings.push_organizations,
          organization_prefix: settings.push_organization_prefix,
          pending_changes: pending,
          running: !!state?.lock_job,
          last_started: isoTimestamp(state?.last_started),
          last_finished: isoTimestamp(state?.last_finished),
          last_success: isoTimestamp(state?.last_success),
          last_error: state?.last_error ?? null,
          // Errors that are not the national portal's answers (a network failure) have no translation.
          last_error_vi: state?.last_error_vi ?? state?.last_error ?? null,
          last_stats: stats,
          datasets: counts,
          errors: errors.map((row: any) => ({ id: row.package_id, name: row.name, error: row.error, error_vi: row.error_vi ?? row.error, updated: isoTimestamp(row.updated) })),
          job: job
            ? { id: job.id, state: job.state, attempts: job.attempts, max_attempts: job.max_attempts, run_at: isoTimestamp(job.run_at), created: isoTimestamp(job.created), finished: isoTimestamp(job.finished), last_error: job.last_error }
            : null,
        };
      },
    },
  };
}

const sysadminOnly: AuthDefinition = { fn: () => ({ success: false, msg: both(PUSH.sysadmin) }) };
export const pushAuth: Record<string, AuthDefinition> = {
  federation_push: sysadminOnly,
  federation_push_status: sysadminOnly,
};
