// The PostgreSQL search index (core/search/postgres): one row per indexed package, written in the
// same transaction as the package itself, removed with it by the foreign key. Results are read from
// package.data, so this table holds only what filtering, ranking, sorting and faceting need.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Text columns use the "C" collation: Solr compares strings by code point, and `id asc` paging
  // must be one stable order whatever the database's locale. The fields clients filter and facet
  // on most have columns of their own; the other exact fields are in `exact`.
  await knex.raw(`
    create table package_search (
      package_id text collate "C" primary key references package (id) on delete cascade,
      state text collate "C" not null,
      capacity text collate "C" not null,
      labels text[] not null,
      name text collate "C" not null,
      organization text collate "C",
      owner_org text collate "C",
      license_id text collate "C",
      dataset_type text collate "C",
      tags text[] collate "C" not null,
      groups text[] collate "C" not null,
      res_format text[] collate "C" not null,
      title_sort text collate "C" not null,
      metadata_created timestamp(6) not null,
      metadata_modified timestamp(6) not null,
      num_resources integer not null,
      num_tags integer not null,
      exact jsonb not null,
      tsv tsvector not null,
      ftsv tsvector not null
    )`);
  // fastupdate off: the search is read far more often than written, and a GIN pending list that
  // only autovacuum drains makes every read scan it linearly.
  const gin = (name: string, expression: string) =>
    knex.raw(`create index package_search_${name}_idx on package_search using gin (${expression}) with (fastupdate = off)`);
  await gin('exact', 'exact jsonb_path_ops');
  await gin('tsv', 'tsv');
  await gin('ftsv', 'ftsv');
  await gin('labels', 'labels');
  await gin('tags', 'tags');
  await gin('groups', 'groups');
  await gin('res_format', 'res_format');
  // Counting what an anonymous caller sees (every search does) is then an index-only scan.
  await knex.raw('create index package_search_visibility_idx on package_search (state, capacity)');
  for (const column of ['organization', 'owner_org', 'license_id', 'dataset_type', 'name', 'title_sort', 'metadata_modified', 'metadata_created']) {
    await knex.raw(`create index package_search_${column}_idx on package_search (${column})`);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('package_search');
}
