// resource_search reads every public dataset's resources. They live in `package.data`, a text
// column, so each search parsed every dataset's whole JSON (2.7 s at 100,000 datasets for a query
// matching nothing). A stored generated column keeps the resources as jsonb beside the text: every
// write path (saves, deletes, re-renders after site.url or a group changed) keeps it current without
// knowing of it, and the search only reads binary JSON (0.27 s at 100,000 datasets).
// Adding it rewrites the package table once (about 10 s at 100,000 datasets).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The JSON text may carry U+0000 escaped (a harvested record can; the API refuses it), which jsonb
  // cannot hold: the copy goes without it, and a write never fails because of the copy.
  await knex.raw(`
    create or replace function kho_package_resources(data text) returns jsonb
    language plpgsql immutable parallel safe as $$
    begin
      if strpos(data, '\\u0000') = 0 then
        return data::jsonb -> 'resources';
      end if;
      -- An escaped backslash (\\) is set aside first, so that "\\u0000" (a backslash, then "u0000")
      -- is kept; chr(1) cannot occur in JSON text unescaped.
      begin
        return replace(replace(replace(data, '\\\\', chr(1)), '\\u0000', ''), chr(1), '\\\\')::jsonb -> 'resources';
      exception when others then
        return null;
      end;
    end $$`);
  await knex.raw(`alter table package add column resources jsonb generated always as (kho_package_resources(data)) stored`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table package drop column resources');
  await knex.raw('drop function if exists kho_package_resources(text)');
}
