// Background jobs: the link check and the reminders, each also on a schedule (cron in
// Asia/Ho_Chi_Minh). A schedule fires once per due time across processes and does not catch up on
// missed runs after downtime (core/jobs/scheduler.ts).
import type { JobDefinition, ScheduleDefinition } from '../../../core/jobs/types.ts';
import type { Runtime } from '../services/runtime.ts';
import { runLinkCheck } from '../services/link-checker.ts';
import { runReminders } from '../services/reminders.ts';

export const LINK_CHECK_JOB = 'compliance.link_check';
export const REMINDER_JOB = 'compliance.reminders';

function runtimeFrom(job: { scope: { resolve(name: string): unknown } }): Runtime {
  return job.scope.resolve('compliance.runtime') as Runtime;
}

export const jobs: Record<string, JobDefinition> = {
  [LINK_CHECK_JOB]: {
    timeoutMs: 6 * 60 * 60 * 1000,
    maxAttempts: 2,
    async handler(payload: { urls?: string[] | null; force?: boolean } | null, job) {
      return runLinkCheck(job.actions, runtimeFrom(job), { urls: payload?.urls ?? undefined, force: payload?.force ?? false, signal: job.signal, heartbeat: () => job.heartbeat() });
    },
  },
  [REMINDER_JOB]: {
    timeoutMs: 30 * 60 * 1000,
    maxAttempts: 3,
    async handler(payload: { force?: boolean } | null, job) {
      return runReminders(job.actions, runtimeFrom(job), { force: payload?.force ?? false });
    },
  },
};

export function schedules(runtime: Runtime): ScheduleDefinition[] {
  const { link_checker, reminders } = runtime.settings.config;
  const out: ScheduleDefinition[] = [];
  if (link_checker.enabled) out.push({ name: 'compliance.link_check.scheduled', job: LINK_CHECK_JOB, cron: link_checker.cron, timezone: 'Asia/Ho_Chi_Minh' });
  if (reminders.enabled) out.push({ name: 'compliance.reminders.scheduled', job: REMINDER_JOB, cron: reminders.cron, timezone: 'Asia/Ho_Chi_Minh' });
  return out;
}
