// Free tags (vocabulary_id null) and vocabulary tags. A tag has one id per name, shared by every
// dataset that uses it, as in CKAN.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import { PACKAGE_COLUMNS, type PackageRow } from './packages.ts';

export interface TagRow {
  id: string;
  name: string;
  vocabulary_id: string | null;
}

export const tagKey = (name: string, vocabularyId: string | null) => `${vocabularyId ?? ''}\u0000${name}`;

/**
 * Tag rows a transaction has already read or written, by name: datasets written in one transaction
 * (a harvest batch) share most of their tags, and a row this transaction saw cannot change under it
 * without the write failing (a tag deleted meanwhile breaks the package_tag insert, not the data).
 */
const seenByTransaction = new WeakMap<object, Map<string, TagRow[]>>();
const isTransaction = (db: Db) => (db as { isTransaction?: boolean }).isTransaction === true;

export const tags = {
  /** Rows for these tag names, creating the missing ones; keyed by tagKey(name, vocabulary_id). */
  async ensure(db: Db, names: Array<{ name: string; vocabulary_id: string | null }>): Promise<Map<string, TagRow>> {
    const result = new Map<string, TagRow>();
    if (!names.length) return result;
    const keyOf = tagKey;
    const unique = [...new Set(names.map((tag) => tag.name))];
    let seen: Map<string, TagRow[]> | undefined;
    if (isTransaction(db)) {
      seen = seenByTransaction.get(db) ?? new Map();
      seenByTransaction.set(db, seen);
      const known = names.map((tag) => seen!.get(tag.name)?.find((row) => row.vocabulary_id === tag.vocabulary_id));
      if (known.every(Boolean)) {
        for (const row of known as TagRow[]) result.set(keyOf(row.name, row.vocabulary_id), row);
        return result;
      }
    }
    const remember = (rows: TagRow[]) => {
      if (!seen) return;
      for (const name of unique) seen.set(name, rows.filter((row) => row.name === name));
    };
    const existing: TagRow[] = await db('tag').whereIn('name', unique);
    remember(existing);
    for (const row of existing) result.set(keyOf(row.name, row.vocabulary_id), row);
    // Only missing tags are inserted: concurrent writers inserting the same tag would otherwise wait
    // on each other's unique-index entry until commit, serialising dataset creates.
    const missing = names.filter((tag) => !result.has(keyOf(tag.name, tag.vocabulary_id)));
    if (!missing.length) return result;
    const rows = missing.map((tag) => ({ id: randomUUID(), name: tag.name, vocabulary_id: tag.vocabulary_id }));
    await db.raw(
      `insert into tag (id, name, vocabulary_id) select * from jsonb_to_recordset(?::jsonb) as x(id text, name text, vocabulary_id text)
       on conflict (name, coalesce(vocabulary_id, '')) do nothing`,
      [JSON.stringify(rows)],
    );
    const found: TagRow[] = await db('tag').whereIn('name', unique);
    remember(found);
    for (const row of found) result.set(keyOf(row.name, row.vocabulary_id), row);
    return result;
  },
  async setForPackage(db: Db, packageId: string, tagIds: string[]): Promise<void> {
    await db('package_tag').where('package_id', packageId).delete();
    if (tagIds.length) await db('package_tag').insert([...new Set(tagIds)].map((tag_id) => ({ package_id: packageId, tag_id })));
  },
  async get(db: Db, idOrName: string, vocabularyId: string | null = null): Promise<TagRow | undefined> {
    const byId = await db<TagRow>('tag').where('id', idOrName).first();
    if (byId) return byId;
    const query = db<TagRow>('tag').where('name', idOrName);
    if (vocabularyId) query.where('vocabulary_id', vocabularyId);
    else query.whereNull('vocabulary_id');
    return query.first();
  },
  /** Free tags used by at least one active dataset, optionally filtered by a substring. */
  async listUsed(db: Db, options: { query?: string; vocabularyId?: string | null; limit?: number; offset?: number }): Promise<TagRow[]> {
    const q = db('tag as t')
      .whereExists((sub) => sub.select(1).from('package_tag as pt').join('package as p', 'p.id', 'pt.package_id').whereRaw('pt.tag_id = t.id').where('p.state', 'active'))
      .orderBy('t.name')
      .select('t.id', 't.name', 't.vocabulary_id');
    if (options.vocabularyId) q.where('t.vocabulary_id', options.vocabularyId);
    else q.whereNull('t.vocabulary_id');
    if (options.query) q.whereRaw('t.name ilike ?', [`%${options.query.replace(/[\\%_]/g, '\\$&')}%`]);
    if (options.limit !== undefined) q.limit(options.limit);
    if (options.offset) q.offset(options.offset);
    return q;
  },
  /**
   * tag_list / tag_search: free tags on at least one active dataset, or every tag of a vocabulary,
   * whose name contains all the terms (case-insensitive), by name.
   */
  async search(db: Db, options: { terms: string[]; vocabularyId?: string | null; limit?: number; offset?: number }): Promise<{ rows: TagRow[]; count: number }> {
    const q = db('tag as t');
    if (options.vocabularyId) q.where('t.vocabulary_id', options.vocabularyId);
    else {
      q.whereNull('t.vocabulary_id').whereExists((sub) =>
        sub.select(1).from('package_tag as pt').join('package as p', 'p.id', 'pt.package_id').whereRaw('pt.tag_id = t.id').where('p.state', 'active'),
      );
    }
    for (const term of options.terms) q.whereRaw('t.name ilike ?', [`%${term.replace(/[\\%_]/g, '\\$&')}%`]);
    const counted = await q.clone().count<{ count: number }[]>('* as count').first();
    const list = q.orderBy('t.name').select('t.id', 't.name', 't.vocabulary_id');
    if (options.limit !== undefined) list.limit(options.limit);
    if (options.offset) list.offset(options.offset);
    return { rows: await list, count: Number(counted?.count ?? 0) };
  },
  /** Deletes tags; their package_tag rows go with them (the caller rewrites the datasets first). */
  async remove(db: Db, tagIds: string[]): Promise<void> {
    if (tagIds.length) await db('tag').whereIn('id', tagIds).delete();
  },
  /** Every dataset, in any state, that carries one of these tags; locked. */
  async datasetsCarrying(db: Db, tagIds: string[]): Promise<PackageRow[]> {
    if (!tagIds.length) return [];
    return db<PackageRow>('package as p')
      .whereExists((sub) => sub.select(db.raw('1')).from('package_tag as pt').whereRaw('pt.package_id = p.id').whereIn('pt.tag_id', tagIds))
      .orderBy('p.id')
      .select<PackageRow[]>(PACKAGE_COLUMNS.map((column) => `p.${column}`))
      .forUpdate();
  },
  /** The stored package dicts of the active public datasets carrying a tag, newest change first. */
  async publicPackagesWithTag(db: Db, tagId: string, limit: number): Promise<string[]> {
    const rows: Array<{ data: string }> = await db('package as p')
      .join('package_tag as pt', 'pt.package_id', 'p.id')
      .where({ 'pt.tag_id': tagId, 'p.state': 'active', 'p.private': false })
      .orderBy('p.metadata_modified', 'desc')
      .limit(limit)
      .select('p.data');
    return rows.map((row) => row.data);
  },
};
