// Tag vocabularies (CKAN's vocabulary table) and the tags that belong to them.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
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
  /** The tags of these vocabularies, by name. */
  async tags(db: Db, vocabularyIds: string[]): Promise<TagRow[]> {
    if (!vocabularyIds.length) return [];
    return db<TagRow>('tag').whereIn('vocabulary_id', vocabularyIds).orderBy('name').select('id', 'name', 'vocabulary_id');
  },
  async addTags(db: Db, vocabularyId: string, names: string[]): Promise<void> {
    if (!names.length) return;
    await db('tag')
      .insert(names.map((name) => ({ id: randomUUID(), name, vocabulary_id: vocabularyId })))
      .onConflict(db.raw(`(name, coalesce(vocabulary_id, ''))`))
      .ignore();
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
