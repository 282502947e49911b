import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('example_event', (t) => {
    t.bigIncrements('seq');
    t.text('package_id').notNullable();
    t.text('name').notNullable();
    t.text('event').notNullable();
    t.index(['package_id']);
  });
  await knex.schema.createTable('example_tally', (t) => {
    t.text('event').primary();
    t.integer('count').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('example_tally');
  await knex.schema.dropTableIfExists('example_event');
}
