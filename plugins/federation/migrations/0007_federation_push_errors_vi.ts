// Push errors were kept in English only, while every other message a province's staff reads comes
// in both languages (harvest errors keep message and message_vi). The Vietnamese text is kept beside
// the English one; rows written before this have none, and federation_push_status falls back.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('federation_push_item', (t) => t.text('error_vi'));
  await knex.schema.alterTable('federation_push_state', (t) => t.text('last_error_vi'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('federation_push_item', (t) => t.dropColumn('error_vi'));
  await knex.schema.alterTable('federation_push_state', (t) => t.dropColumn('last_error_vi'));
}
