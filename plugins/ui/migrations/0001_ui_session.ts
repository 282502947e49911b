import type { Knex } from 'knex';

// Browser sessions of the web portal and the sign-in failure counters behind the lock-out. Only the
// sha256 of a session token is stored, so a copy of the table does not let anyone sign in.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ui_session', (t) => {
    t.text('id_hash').primary();
    t.text('user_id').notNullable();
    t.text('csrf').notNullable();
    t.bigInteger('created_ms').notNullable();
    t.bigInteger('expires_ms').notNullable();
    t.bigInteger('seen_ms').notNullable();
    t.index(['user_id']);
    t.index(['expires_ms']);
  });
  await knex.schema.createTable('ui_login_failure', (t) => {
    t.text('key').primary();
    t.integer('failures').notNullable();
    t.bigInteger('window_start_ms').notNullable();
    t.bigInteger('locked_until_ms').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('ui_login_failure');
  await knex.schema.dropTableIfExists('ui_session');
}
