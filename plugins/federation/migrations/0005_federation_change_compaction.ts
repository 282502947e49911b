// Compaction of the change log (services/changes.ts compactChanges) looks entries up by dataset.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('federation_change', (t) => {
    t.index(['package_id', 'txid', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('federation_change', (t) => {
    t.dropIndex(['package_id', 'txid', 'seq']);
  });
}
