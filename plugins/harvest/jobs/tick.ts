// The harvest scheduler's periodic tick: due sources, stopped or overdue jobs.
import type { JobDefinition } from '../../../core/jobs/types.ts';
import { tick } from '../services/scheduler.ts';
import type { HarvestSettings } from '../settings.ts';

export function tickJob(settings: HarvestSettings): JobDefinition<null> {
  return {
    timeoutMs: 5 * 60000,
    maxAttempts: 1,
    async handler(_payload, job) {
      return tick(job.scope.cradle, settings, job.logger);
    },
  };
}
