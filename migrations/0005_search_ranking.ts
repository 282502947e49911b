// The PostgreSQL search index, second format (core/search/postgres):
// - `rtsv`, a small ranking vector (name, title, tags, groups, with the exact forms of syllables
//   that carry marks), so an exact-diacritic match ranks above a folded one and relevance is
//   computed without reading the large vectors;
// - the large columns (tsv, ftsv, exact) are stored out of line and the columns every search reads
//   stay in the row, so a scan over many matches reads few pages;
// - the catch-all vector gains a lexeme for "active and public", so counting what an anonymous
//   caller's text search matches is answered by its GIN index alone; the per-field vector loses its
//   GIN index (every field's words are in the catch-all too, whose index finds the candidates):
//   one GIN index less to write for every dataset change;
// - the large columns are compressed with lz4 where the server supports it;
// - the primary key carries state, capacity and metadata_modified, so a harvester paging by
//   `id asc` since a date walks one index only.
// The rows themselves are re-written by the backend at its next start (it records the index format
// in system_info and rebuilds when it changes).
import type { Knex } from 'knex';

const IN_ROW = ['package_id', 'state', 'capacity', 'labels', 'name', 'organization', 'owner_org', 'license_id', 'dataset_type', 'tags', 'groups', 'res_format', 'title_sort', 'rtsv'];
const OUT_OF_ROW = ['tsv', 'ftsv', 'exact'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table package_search add column rtsv tsvector not null default ''::tsvector`);
  // Columns with storage "main" are compressed in place if need be but leave the row only when it
  // could not fit a page otherwise; "extended" ones go to the TOAST table once the row is over the
  // target size.
  await knex.raw(`alter table package_search ${IN_ROW.map((column) => `alter column ${column} set storage main`).join(', ')}`);
  await knex.raw(`alter table package_search ${OUT_OF_ROW.map((column) => `alter column ${column} set storage extended`).join(', ')}`);
  await knex.raw('alter table package_search set (toast_tuple_target = 256)');
  // lz4 compresses and decompresses the large vectors several times faster than pglz, where the
  // server has it (PostgreSQL 14+ built with lz4; the embedded PGlite has only pglz).
  const { rows } = await knex.raw(`select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`);
  if (rows[0]?.lz4) {
    await knex.raw(`alter table package_search ${[...OUT_OF_ROW, 'rtsv'].map((column) => `alter column ${column} set compression lz4`).join(', ')}`);
  }
  await knex.raw('drop index package_search_ftsv_idx');
  await knex.raw('alter table package_search drop constraint package_search_pkey');
  await knex.raw('alter table package_search add constraint package_search_pkey primary key (package_id) include (state, capacity, metadata_modified)');
  await knex.raw('drop index package_search_visibility_idx');
  await knex.raw('create index package_search_visibility_idx on package_search (state, capacity, metadata_modified)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index package_search_visibility_idx');
  await knex.raw('create index package_search_visibility_idx on package_search (state, capacity)');
  await knex.raw('alter table package_search drop constraint package_search_pkey');
  await knex.raw('alter table package_search add constraint package_search_pkey primary key (package_id)');
  await knex.raw('create index package_search_ftsv_idx on package_search using gin (ftsv) with (fastupdate = off)');
  await knex.raw('alter table package_search reset (toast_tuple_target)');
  await knex.raw(`alter table package_search ${OUT_OF_ROW.map((column) => `alter column ${column} set compression default`).join(', ')}`);
  await knex.raw(`alter table package_search ${IN_ROW.filter((column) => column !== 'rtsv').map((column) => `alter column ${column} set storage extended`).join(', ')}`);
  await knex.raw('alter table package_search drop column rtsv');
}
