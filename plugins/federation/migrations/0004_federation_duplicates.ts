// National mode: a dataset that reaches the portal through several members (the same identifier by
// two paths) is held once, by the member that brought it first; the others are recorded here, so
// their provenance is shown on it and their tombstones only remove them from it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('federation_duplicate', (t) => {
    t.text('source_id').notNullable();
    t.text('guid').notNullable();
    t.text('member').notNullable();
    // The dataset held here (brought by another member).
    t.text('package_id').notNullable();
    t.text('original_id').notNullable();
    t.text('original_url');
    t.timestamp('synced_at', { useTz: false }).notNullable();
    t.primary(['source_id', 'guid']);
    t.index(['package_id']);
    t.index(['guid']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('federation_duplicate');
}
