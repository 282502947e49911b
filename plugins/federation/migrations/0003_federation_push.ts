// Push mode: where the push into the national portal stands (one row), and what became of each
// dataset there (R60: the per-dataset state the province can show and the national side can audit).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('federation_push_state', (t) => {
    t.text('id').primary();
    // The target the cursor belongs to: pointing the push at another portal starts it over.
    t.text('target');
    // Feed position up to which every change has been written at the target (moved only after the
    // remote writes of a whole page succeeded).
    t.text('cursor');
    // A lease, so a scheduled run and a manual one never push at the same time.
    t.text('lock_job');
    t.timestamp('lock_until', { useTz: false });
    t.timestamp('last_started', { useTz: false });
    t.timestamp('last_finished', { useTz: false });
    t.timestamp('last_success', { useTz: false });
    t.text('last_error');
    t.jsonb('last_stats');
  });
  await knex('federation_push_state').insert({ id: 'default' });
  await knex.schema.createTable('federation_push_item', (t) => {
    t.text('package_id').primary();
    t.text('name');
    // The dataset's id at the target (the local id when the target let us keep it).
    t.text('remote_id');
    // pushed | deleted | error
    t.text('state').notNullable();
    // metadata_modified of the version written, so a page read again after a crash is not re-sent.
    t.text('metadata_modified');
    t.text('error');
    t.timestamp('updated', { useTz: false }).notNullable();
    t.index(['state']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('federation_push_item');
  await knex.schema.dropTableIfExists('federation_push_state');
}
