// Tag vocabularies (CKAN's vocabulary table) and the tags that belong to them.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import type { PackageRow } from './packages.ts';
import { PACKAGE_COLUMNS } from './packages.ts';
import type { TagRow } from './tags.ts';

export interface VocabularyRow {
  id: string;
  name: string;
}

export const vocabularies = {
  /** By id, else by name (CKAN's Vocabulary.get). */
  async get(db: Db, idOrName: string, options: { forUpdate?: boolean } = {}): Promise<VocabularyRow | undefined> {
    const query = db<VocabularyRow>('vocabulary').where('id', idOrName).orWhere('name', idOrName).orderByRaw('(id = ?) desc', [idOrName]).first();
    if (options.forUpdate) query.forUpdate();
    return query;
  },
  async list(db: Db): Promise<VocabularyRow[]> {
    return db<VocabularyRow>('vocabulary').orderBy('name');
  },
  async nameHolder(db: Db, name: string): Promise<VocabularyRow | undefined> {
    return db<VocabularyRow>('vocabulary').where('name', name).first();
  },
  async insert(db: Db, name: string): Promise<VocabularyRow> {
    const row = { id: randomUUID(), name };
    await db('vocabulary').insert(row);
    return row;
  },
  async rename(db: Db, id: string, name: string): Promise<void> {
    await db('vocabulary').where('id', id).update({ name });
  },
  async remove(db: Db, id: string): Promise<void> {
    await db('vocabulary').where('id', id).delete();
  },
  /** The vocabulary's tags, by name. */
  async tags(db: Db, vocabularyId: string): Promise<TagRow[]> {
    return db<TagRow>('tag').where('vocabulary_id', vocabularyId).orderBy('name').select('id', 'name', 'vocabulary_id');
  },
  async addTags(db: Db, vocabularyId: string, names: string[]): Promise<void> {
    if (!names.length) return;
    await db('tag')
      .insert(names.map((name) => ({ id: randomUUID(), name, vocabulary_id: vocabularyId })))
      .onConflict(db.raw(`(name, coalesce(vocabulary_id, ''))`))
      .ignore();
  },
  async removeTags(db: Db, tagIds: string[]): Promise<void> {
    if (tagIds.length) await db('tag').whereIn('id', tagIds).delete();
  },
  /** Every dataset, in any state, that carries one of these tags; locked. */
  async datasetsWithTags(db: Db, tagIds: string[]): Promise<PackageRow[]> {
    if (!tagIds.length) return [];
    return db<PackageRow>('package as p')
      .whereExists((sub) => sub.select(db.raw('1')).from('package_tag as pt').whereRaw('pt.package_id = p.id').whereIn('pt.tag_id', tagIds))
      .orderBy('p.id')
      .select<PackageRow[]>(PACKAGE_COLUMNS.map((column) => `p.${column}`))
      .forUpdate();
  },
  /** id → name of these vocabularies (for the search index's vocab_<name> fields). */
  async names(db: Db, ids: string[] | null): Promise<Map<string, string>> {
    const query = db<VocabularyRow>('vocabulary').select('id', 'name');
    if (ids) {
      if (!ids.length) return new Map();
      query.whereIn('id', ids);
    }
    return new Map((await query).map((row) => [row.id, row.name]));
  },
};
