// The change log behind federation_changes (tables prefixed federation_).
//
// Why a trigger: every write to a package row — through the actions, a harvest job, or a cascade
// such as an organization purge — lands in the log in the same transaction as the change itself, so
// the log cannot miss a change or record one that rolled back.
//
// Why a transaction id next to the sequence: a sequence value is taken when the row is written, not
// when its transaction commits, so a reader that hands out "everything up to seq N" can pass over an
// entry with a smaller seq whose transaction commits later. Each entry therefore records its
// transaction id, and a reader only hands out entries of transactions older than the oldest one still
// running (pg_snapshot_xmin of its snapshot): those are final, and every later entry sorts after them
// in (txid, seq) order. A long transaction delays the feed; it never makes it skip.
import type { Knex } from 'knex';

const PUBLIC = (row: string) => `(${row}.state = 'active' and not ${row}.private and ${row}.type <> 'harvest')`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('federation_instance', (t) => {
    t.text('id').primary();
    t.timestamp('created', { useTz: false }).notNullable();
  });
  await knex.raw(`insert into federation_instance (id, created) values (gen_random_uuid()::text, now() at time zone 'utc')`);

  await knex.schema.createTable('federation_change', (t) => {
    t.bigIncrements('seq');
    t.bigInteger('txid').notNullable();
    t.text('package_id').notNullable();
    t.text('name');
    // I(nsert), U(pdate), D(elete: a purge of the row)
    t.string('op', 1).notNullable();
    t.index(['txid', 'seq']);
  });
  // Datasets that have ever been public: only their changes are logged, so a dataset that was always
  // private never shows up, not even as a tombstone.
  await knex.schema.createTable('federation_published', (t) => {
    t.text('package_id').primary();
  });

  await knex.raw(`
    create or replace function kho_federation_log_change() returns trigger language plpgsql as $$
    declare
      pkg_id text := coalesce(new.id, old.id);
    begin
      if tg_op = 'UPDATE' and old.data = new.data and old.state = new.state and old.private = new.private and old.name = new.name then
        return null;
      end if;
      if tg_op <> 'DELETE' and ${PUBLIC('new')} then
        insert into federation_published (package_id) values (new.id) on conflict do nothing;
      elsif not exists (select 1 from federation_published where package_id = pkg_id) then
        return null;
      end if;
      insert into federation_change (txid, package_id, name, op)
        values (pg_current_xact_id()::text::bigint, pkg_id, coalesce(new.name, old.name), left(tg_op, 1));
      return null;
    end $$`);
  await knex.raw(`
    create trigger package_federation_change
    after insert or update or delete on package
    for each row execute function kho_federation_log_change()`);

  // Datasets published before the plugin was enabled are the first entries of the feed.
  await knex.raw(`insert into federation_published (package_id) select id from package p where ${PUBLIC('p')}`);
  await knex.raw(`
    insert into federation_change (txid, package_id, name, op)
    select pg_current_xact_id()::text::bigint, id, name, 'I' from package p where ${PUBLIC('p')}
    order by metadata_modified, id`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists package_federation_change on package');
  await knex.raw('drop function if exists kho_federation_log_change()');
  await knex.schema.dropTableIfExists('federation_published');
  await knex.schema.dropTableIfExists('federation_change');
  await knex.schema.dropTableIfExists('federation_instance');
}
