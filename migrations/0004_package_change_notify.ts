// Every change to a package row is announced on a channel, so other processes' package caches drop
// their copy when the change commits (NOTIFY is delivered at commit). A trigger also covers writes
// that bypass the repository, such as ON DELETE SET NULL when an organization is purged.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function kho_notify_package_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('kho_package_changed', coalesce(new.id, old.id));
      return null;
    end $$`);
  await knex.raw(`
    create trigger package_changed_notify
    after insert or update or delete on package
    for each row execute function kho_notify_package_changed()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists package_changed_notify on package');
  await knex.raw('drop function if exists kho_notify_package_changed()');
}
