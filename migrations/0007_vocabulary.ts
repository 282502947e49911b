// Tag vocabularies (CKAN's vocabulary table): a named set of tags that datasets pick from, indexed
// as `vocab_<vocabulary name>` (fq=vocab_Topics:education). The tag table already had the
// vocabulary_id column; it now refers to a vocabulary.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('vocabulary', (t) => {
    t.text('id').primary();
    t.text('name').notNullable().unique();
  });
  // Vocabulary tags written before vocabularies existed (none through the API, which refused them)
  // keep a vocabulary named after their id.
  await knex.raw(`insert into vocabulary (id, name) select distinct vocabulary_id, vocabulary_id from tag where vocabulary_id is not null`);
  await knex.schema.alterTable('tag', (t) => {
    t.foreign('vocabulary_id').references('id').inTable('vocabulary').onDelete('CASCADE');
    t.index(['vocabulary_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tag', (t) => {
    t.dropForeign(['vocabulary_id']);
    t.dropIndex(['vocabulary_id']);
  });
  await knex.schema.dropTable('vocabulary');
}
