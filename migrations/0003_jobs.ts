// The durable job queue and its recurring schedules (core/jobs). Jobs live in the same database as
// the data they act on, so an action enqueues in its own transaction and a job exists iff the write
// that caused it commits. Times are naive UTC timestamp(6) taken from the Clock service, never now().
import type { Knex } from 'knex';

const ACTIVE = "state in ('queued', 'running')";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('job', (t) => {
    t.text('id').primary();
    t.text('type').notNullable();
    t.jsonb('payload');
    t.text('state').notNullable().defaultTo('queued');
    t.integer('priority').notNullable().defaultTo(0);
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable();
    t.specificType('run_at', 'timestamp(6)').notNullable();
    t.text('locked_by');
    t.specificType('locked_until', 'timestamp(6)');
    t.text('last_error');
    t.text('dedupe_key');
    t.specificType('created', 'timestamp(6)').notNullable();
    t.specificType('started', 'timestamp(6)');
    t.specificType('finished', 'timestamp(6)');
    t.jsonb('result');
    t.index(['type', 'state']);
  });
  await knex.raw(`alter table job add constraint job_state_check check (state in ('queued', 'running', 'succeeded', 'failed', 'cancelled'))`);
  // The claim query: the most urgent due job first, among queued ones only.
  await knex.raw(`create index job_claim_idx on job (priority desc, run_at, created) where state = 'queued'`);
  // recoverExpired: running jobs whose lease has run out.
  await knex.raw(`create index job_lease_idx on job (locked_until) where state = 'running'`);
  // purgeFinished.
  await knex.raw(`create index job_finished_idx on job (finished) where state in ('succeeded', 'failed', 'cancelled')`);
  // enqueue's ON CONFLICT target: at most one active job per dedupe key, finished ones do not count.
  await knex.raw(`create unique index job_dedupe_key_idx on job (dedupe_key) where ${ACTIVE}`);

  await knex.schema.createTable('job_schedule', (t) => {
    t.text('name').primary();
    t.text('job_type').notNullable();
    t.jsonb('payload');
    t.bigInteger('every_ms');
    t.text('cron');
    t.text('timezone');
    t.specificType('next_run_at', 'timestamp(6)').notNullable();
    t.specificType('last_run_at', 'timestamp(6)');
    t.text('last_job_id');
    t.index(['next_run_at']);
  });
  await knex.raw(`alter table job_schedule add constraint job_schedule_kind_check check ((every_ms is null) <> (cron is null))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('job_schedule');
  await knex.schema.dropTableIfExists('job');
}
