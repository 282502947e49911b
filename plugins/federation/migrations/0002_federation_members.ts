// National mode: members (provinces, ministries) and the feed cursor each harvest job ended at.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('federation_member', (t) => {
    t.text('id').primary();
    t.text('name').notNullable().unique();
    t.text('title').notNullable();
    t.text('url').notNullable();
    t.text('protocol').notNullable();
    // Pulling is a harvest source: jobs, objects, reports and retention are the harvest plugin's.
    t.text('source_id').notNullable();
    t.text('parent_org_id').notNullable();
    t.text('namespace').notNullable();
    t.timestamp('created', { useTz: false }).notNullable();
    t.timestamp('modified', { useTz: false }).notNullable();
  });
  // Kept per job: the next job resumes from the cursor of the last job that finished without an
  // error, so a failed or interrupted job is simply read again (its records are content-hash skipped).
  await knex.schema.createTable('federation_feed_cursor', (t) => {
    t.text('job_id').primary();
    t.text('source_id').notNullable();
    t.text('cursor').notNullable();
    t.timestamp('created', { useTz: false }).notNullable();
    t.index(['source_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('federation_feed_cursor');
  await knex.schema.dropTableIfExists('federation_member');
}
