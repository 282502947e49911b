// The background run of one harvest job (enqueued by harvest_job_create and the scheduler). Safe to
// run twice: the job row is a lease, so a second runner finds it busy or finished and stops.
import type { JobDefinition } from '../../../core/jobs/types.ts';
import { HARVESTERS } from '../harvesters/index.ts';
import { defaultRunnerId, HarvestRunner } from '../services/runner.ts';
import type { HarvestSettings } from '../settings.ts';

export function runJob(settings: HarvestSettings): JobDefinition<{ harvest_job_id: string }> {
  return {
    // The runner enforces timeout_minutes itself and records why; this is only the backstop.
    timeoutMs: settings.timeout_minutes * 60000 + 5 * 60000,
    maxAttempts: settings.max_resumes + 1,
    async handler(payload, job) {
      const runner = new HarvestRunner({ container: job.scope, settings, harvesters: HARVESTERS });
      const result = await runner.run(String(payload?.harvest_job_id ?? ''), { runnerId: defaultRunnerId(`queue-${job.id.slice(0, 8)}`), signal: job.signal });
      return { outcome: result.outcome, status: result.job?.status ?? null, stats: 'stats' in result ? result.stats : null };
    },
  };
}
