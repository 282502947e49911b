// The harvest plugin's tables, with ckanext-harvest's names and columns where they exist, plus
// harvest_record (the identity map: one row per source and remote identifier) and the columns that
// make runs restartable (runner, heartbeat_at) and reports cheap (stats cached at the end of a job).
// Times are naive UTC timestamp(6), written from the Clock service like the core's.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('harvest_source', (t) => {
    // The same id as the dataset of type "harvest" that represents the source (as in ckanext-harvest).
    t.text('id').primary();
    t.text('url').notNullable();
    t.text('title');
    t.text('description');
    t.text('type').notNullable();
    t.text('config');
    t.text('frequency').notNullable().defaultTo('MANUAL');
    t.boolean('active').notNullable().defaultTo(true);
    t.text('user_id');
    t.text('publisher_id');
    t.specificType('created', 'timestamp(6)').notNullable();
    t.specificType('next_run', 'timestamp(6)');
  });
  // The scheduler's query: active sources that are due.
  await knex.raw(`create index harvest_source_due_idx on harvest_source (next_run) where active and frequency <> 'MANUAL'`);

  await knex.schema.createTable('harvest_job', (t) => {
    t.text('id').primary();
    t.text('source_id').notNullable().references('id').inTable('harvest_source').onDelete('CASCADE');
    t.text('status').notNullable().defaultTo('New');
    t.specificType('created', 'timestamp(6)').notNullable();
    t.specificType('gather_started', 'timestamp(6)');
    t.specificType('gather_finished', 'timestamp(6)');
    t.specificType('finished', 'timestamp(6)');
    // Who asked for it: manual (API), schedule, cli.
    t.text('trigger').notNullable().defaultTo('manual');
    t.text('user_id');
    // The process running it, and when it last said it is alive (restart detection).
    t.text('runner');
    t.specificType('heartbeat_at', 'timestamp(6)');
    t.integer('resumes').notNullable().defaultTo(0);
    // The gather listed the whole source without an error: only then may deletions happen.
    t.boolean('gather_complete').notNullable().defaultTo(false);
    // Counts by report_status, cached when the job ends.
    t.jsonb('stats');
    t.index(['source_id', 'created']);
  });
  await knex.raw(`alter table harvest_job add constraint harvest_job_status_check check (status in ('New', 'Running', 'Finished', 'Aborted'))`);
  // One unfinished job per source, across every process sharing the database.
  await knex.raw(`create unique index harvest_job_one_active_idx on harvest_job (source_id) where status in ('New', 'Running')`);
  await knex.raw(`create index harvest_job_running_idx on harvest_job (heartbeat_at) where status in ('New', 'Running')`);

  await knex.schema.createTable('harvest_object', (t) => {
    t.text('id').primary();
    t.text('guid').notNullable();
    // A current object outlives its job when old jobs are pruned, so this is set null, not cascaded.
    t.text('harvest_job_id').references('id').inTable('harvest_job').onDelete('SET NULL');
    t.text('harvest_source_id').notNullable().references('id').inTable('harvest_source').onDelete('CASCADE');
    t.text('package_id');
    t.boolean('current').notNullable().defaultTo(false);
    // WAITING, FETCH, IMPORT, COMPLETE, ERROR (objects are written once they reach a final state).
    t.text('state').notNullable().defaultTo('COMPLETE');
    // added, updated, not modified, deleted, errored
    t.text('report_status');
    t.text('content');
    t.text('content_hash');
    t.text('original_url');
    t.specificType('metadata_modified_date', 'timestamp(6)');
    t.specificType('gathered', 'timestamp(6)').notNullable();
    t.specificType('fetch_started', 'timestamp(6)');
    t.specificType('fetch_finished', 'timestamp(6)');
    t.specificType('import_started', 'timestamp(6)');
    t.specificType('import_finished', 'timestamp(6)');
    t.index(['harvest_job_id', 'report_status']);
  });
  await knex.raw(`create index harvest_object_current_guid_idx on harvest_object (harvest_source_id, guid) where current`);
  await knex.raw(`create index harvest_object_current_package_idx on harvest_object (package_id) where current`);

  await knex.schema.createTable('harvest_object_error', (t) => {
    t.text('id').primary();
    t.text('harvest_object_id').notNullable().references('id').inTable('harvest_object').onDelete('CASCADE');
    t.text('message').notNullable();
    t.text('message_vi');
    // Gather, Fetch, Import (ckanext-harvest's values)
    t.text('stage').notNullable();
    t.integer('line');
    // error, or warning (reported, but the record still counts as imported)
    t.text('level').notNullable().defaultTo('error');
    t.specificType('created', 'timestamp(6)').notNullable();
    t.index(['harvest_object_id']);
  });

  await knex.schema.createTable('harvest_gather_error', (t) => {
    t.text('id').primary();
    t.text('harvest_job_id').notNullable().references('id').inTable('harvest_job').onDelete('CASCADE');
    t.text('message').notNullable();
    t.text('message_vi');
    t.text('level').notNullable().defaultTo('error');
    t.specificType('created', 'timestamp(6)').notNullable();
    t.index(['harvest_job_id']);
  });

  // Identity: (source, remote identifier) → the local dataset. Content hashes skip unchanged
  // records; the active ones not listed by a complete gather are gone from the source.
  await knex.schema.createTable('harvest_record', (t) => {
    t.text('source_id').notNullable().references('id').inTable('harvest_source').onDelete('CASCADE');
    t.text('guid').notNullable();
    t.text('package_id').notNullable().unique();
    t.text('preferred_name');
    t.text('content_hash');
    t.text('current_object_id');
    // The job that last wrote the record, and when (a complete gather confirms every active record).
    t.text('last_seen_job_id');
    // active, or deleted (gone from the source and deleted or marked locally)
    t.text('state').notNullable().defaultTo('active');
    t.specificType('remote_modified', 'timestamp(6)');
    t.specificType('synced_at', 'timestamp(6)');
    t.specificType('deleted_at', 'timestamp(6)');
    t.primary(['source_id', 'guid']);
    t.index(['source_id', 'state']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['harvest_record', 'harvest_gather_error', 'harvest_object_error', 'harvest_object', 'harvest_job', 'harvest_source']) {
    await knex.schema.dropTableIfExists(table);
  }
}
