// The durable outbox of the Elasticsearch backend. A dataset write records, in its own transaction,
// that the dataset must be (re-)indexed or removed: one row per dataset, its `seq` taken from a
// sequence at each write. A flush sends pending rows to Elasticsearch in bulk, with `seq` as the
// document's external version (so an older write arriving late never overwrites a newer one), and
// marks them flushed; while Elasticsearch is down the rows wait and the flush job retries. The
// state table remembers an index being rebuilt, so flushes write to it as well.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create sequence search_elasticsearch_seq');
  await knex.raw(`
    create table search_elasticsearch_outbox (
      package_id text primary key,
      seq bigint not null,
      flushed_seq bigint,
      deleted boolean not null default false
    )`);
  await knex.raw('create index search_elasticsearch_outbox_pending_idx on search_elasticsearch_outbox (seq) where flushed_seq is distinct from seq');
  await knex.raw('create table search_elasticsearch_state (key text primary key, value jsonb not null)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists search_elasticsearch_state');
  await knex.raw('drop table if exists search_elasticsearch_outbox');
  await knex.raw('drop sequence if exists search_elasticsearch_seq');
}
