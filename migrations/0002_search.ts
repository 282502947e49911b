// The PostgreSQL search index (core/search/postgres): one row per indexed package, written in the
// same transaction as the package itself, removed with it by the foreign key. Results are read from
// package.data, so this table holds only what filtering, ranking, sorting and faceting need.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Sort columns use the "C" collation: Solr sorts strings by code point, and `id asc` paging must
  // be one stable order whatever the database's locale.
  await knex.raw(`
    create table package_search (
      package_id text collate "C" primary key references package (id) on delete cascade,
      state text not null,
      capacity text not null,
      labels text[] not null,
      name text collate "C" not null,
      title_sort text collate "C" not null,
      metadata_created timestamp(6) not null,
      metadata_modified timestamp(6) not null,
      num_resources integer not null,
      num_tags integer not null,
      exact jsonb not null,
      tsv tsvector not null,
      ftsv tsvector not null
    )`);
  await knex.raw('create index package_search_exact_idx on package_search using gin (exact jsonb_path_ops)');
  await knex.raw('create index package_search_tsv_idx on package_search using gin (tsv)');
  await knex.raw('create index package_search_ftsv_idx on package_search using gin (ftsv)');
  await knex.raw('create index package_search_labels_idx on package_search using gin (labels)');
  await knex.raw('create index package_search_modified_idx on package_search (metadata_modified)');
  await knex.raw('create index package_search_created_idx on package_search (metadata_created)');
  await knex.raw('create index package_search_name_idx on package_search (name)');
  await knex.raw('create index package_search_title_idx on package_search (title_sort)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('package_search');
}
