// Duplicate detection (harvesters/federate.ts) asks, for every record of every member, whether
// another member's harvest source holds the same identifier: a lookup of harvest_record by guid
// across sources, which the harvest plugin's (source_id, guid) key cannot answer. Without this index
// it was a sequential scan of every aggregated record per import (the largest cost of a full sync).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index if not exists harvest_record_guid_active_idx on harvest_record (guid) where state = 'active'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists harvest_record_guid_active_idx');
}
