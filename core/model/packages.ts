// The package table: indexed columns for lookups and permission checks, plus `data`, the package
// dict exactly as package_show prints it.
import type { Knex } from 'knex';
import type { Db } from './db.ts';
import type { PackageCache } from './package-cache.ts';
import { members } from './members.ts';
import { resources, type ResourceRow } from './resources.ts';

/** The rows a new dataset brings along with its package row. */
export interface NewPackageRows {
  resources: ResourceRow[];
  tagIds: string[];
  /** Groups it joins, with the membership time. */
  groupIds: string[];
  modified: string;
}

export interface PackageRow {
  id: string;
  name: string;
  title: string | null;
  type: string;
  state: string;
  private: boolean;
  owner_org: string | null;
  creator_user_id: string | null;
  metadata_created: string;
  metadata_modified: string;
  data: string;
  plugin_data: Record<string, unknown> | null;
}

export type PackageHead = Omit<PackageRow, 'data' | 'plugin_data'>;

/**
 * The columns of a PackageRow. The table also has `resources`, a jsonb copy of the dict's resources
 * for resource_search (migrations/0006), which readers of whole rows must not fetch twice.
 */
export const PACKAGE_COLUMNS: string[] = [
  'id', 'name', 'title', 'type', 'state', 'private', 'owner_org', 'creator_user_id', 'metadata_created', 'metadata_modified', 'data', 'plugin_data',
];


const isTransaction = (db: Db) => (db as { isTransaction?: boolean }).isTransaction === true;

/**
 * The package repository. Reads outside a transaction go through the package cache; every write
 * tells the cache which dataset changed.
 */
export function createPackagesRepository(cache: PackageCache | null) {
  const written = (db: Db, id: string) => cache?.written(db, id);
  const fetchRow = async (db: Db, idOrName: string, forUpdate: boolean): Promise<PackageRow | undefined> => {
    // One round trip for "id or name"; an exact id wins over a dataset named like that id.
    const query = db<PackageRow>('package').where('id', idOrName).orWhere('name', idOrName).orderByRaw('(id = ?) desc', [idOrName]).first<PackageRow | undefined>(PACKAGE_COLUMNS);
    if (forUpdate) query.forUpdate();
    return query;
  };
  return {
    /** By id, else by name. */
    async get(db: Db, idOrName: string, options: { forUpdate?: boolean } = {}): Promise<PackageRow | undefined> {
      const cacheable = cache && !options.forUpdate && !isTransaction(db);
      if (cacheable) {
        const hit = cache.get(idOrName);
        if (hit) return hit;
      }
      const snapshot = cache ? cache.snapshot() : -1;
      const row = await fetchRow(db, idOrName, !!options.forUpdate);
      if (row && cacheable) cache.store(row, snapshot);
      return row;
    },
    async head(db: Db, idOrName: string): Promise<PackageHead | undefined> {
      return this.get(db, idOrName);
    },
    async exists(db: Db, id: string): Promise<boolean> {
      return !!(await db('package').where('id', id).first('id'));
    },
    /** Who holds a name now (the name column is unique across all states, as in CKAN). */
    async nameHolder(db: Db, name: string): Promise<{ id: string; state: string } | undefined> {
      return db('package').where('name', name).first('id', 'state');
    },
    /**
     * A new dataset with its resource, tag and group rows in one statement (the foreign keys are
     * checked at its end): a create is then one round trip instead of three or more.
     */
    async insertNew(db: Db, row: PackageRow, rows: NewPackageRows): Promise<void> {
      const parts = [db('package').insert({ ...row, plugin_data: row.plugin_data === null ? null : JSON.stringify(row.plugin_data) }).toSQL()];
      if (rows.resources.length) parts.push(resources.upsertStatement(db, row.id, rows.resources).toSQL());
      const tagIds = [...new Set(rows.tagIds)];
      if (tagIds.length) parts.push(db('package_tag').insert(tagIds.map((tag_id) => ({ package_id: row.id, tag_id }))).toSQL());
      if (rows.groupIds.length) parts.push(members.upsertStatement(db, rows.groupIds, 'package', row.id, 'public', rows.modified).toSQL());
      const writtenIds = rows.resources.length ? `(select coalesce(array_agg(id), '{}') from w1)` : `'{}'::text[]`;
      const sql = `with ${parts.map((part, i) => `w${i} as (${part.sql})`).join(', ')} select ${writtenIds} as resources`;
      const bindings = parts.flatMap((part) => [...part.bindings]) as Knex.RawBinding[];
      const { rows: result } = (await db.raw(sql, bindings)) as { rows: Array<{ resources: string[] }> };
      written(db, row.id);
      if (result[0].resources.length !== rows.resources.length) throw resources.takenError(rows.resources, result[0].resources);
    },
    async update(db: Db, id: string, changes: Partial<PackageRow>): Promise<void> {
      const values: Record<string, unknown> = { ...changes };
      if (changes.plugin_data !== undefined) values.plugin_data = changes.plugin_data === null ? null : JSON.stringify(changes.plugin_data);
      await db('package').where('id', id).update(values);
      written(db, id);
    },
    async remove(db: Db, id: string): Promise<void> {
      await db('package').where('id', id).delete();
      written(db, id);
    },
    /** Names of active public datasets, by name (package_list). */
    async publicNames(db: Db, limit: number | null, offset: number): Promise<string[]> {
      const query = db('package').where({ state: 'active', private: false }).orderBy('name').offset(offset).select('name');
      if (limit !== null) query.limit(limit);
      return (await query).map((row: { name: string }) => row.name);
    },
    async idsOwnedBy(db: Db, orgId: string): Promise<string[]> {
      return (await db('package').where('owner_org', orgId).select('id')).map((row: { id: string }) => row.id);
    },
    async countActiveOwnedBy(db: Db, orgId: string): Promise<number> {
      const row = await db('package').where('owner_org', orgId).whereNot('state', 'deleted').count<{ count: number }[]>('* as count').first();
      return Number(row?.count ?? 0);
    },
  };
}

export type PackagesRepository = ReturnType<typeof createPackagesRepository>;
