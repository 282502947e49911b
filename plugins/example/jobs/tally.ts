// Counts the recorded dataset events into example_tally; scheduled hourly, idempotent.
import type { JobDefinition } from '../../../core/jobs/types.ts';

export const TALLY_JOB = 'example.tally';

export const tallyJob: JobDefinition = {
  timeoutMs: 30_000,
  async handler(_payload, job) {
    const knex = job.scope.cradle.knex;
    const rows: Array<{ event: string; count: number }> = await knex('example_event').select('event').count('* as count').groupBy('event');
    await knex.transaction(async (trx) => {
      await trx('example_tally').delete();
      if (rows.length) await trx('example_tally').insert(rows.map((row) => ({ event: row.event, count: Number(row.count) })));
    });
    return { events: rows.length };
  },
};
