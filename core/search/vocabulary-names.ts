// A vocabulary tag is indexed as vocab_<vocabulary name> (fq=vocab_Topics:education), while the
// dataset dict carries only the vocabulary's id: the backends look the names up before they build
// documents, in one query per batch and none for datasets without vocabulary tags.
import type { Knex } from 'knex';
import type { DataDict } from '../actions/types.ts';
import { vocabularies } from '../model/vocabularies.ts';

export async function vocabularyNamesOf(db: Knex | Knex.Transaction, pkgs: readonly DataDict[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const pkg of pkgs) {
    for (const tag of Array.isArray(pkg.tags) ? pkg.tags : []) if (tag && typeof tag.vocabulary_id === 'string') ids.add(tag.vocabulary_id);
  }
  return ids.size ? vocabularies.names(db, [...ids]) : new Map();
}
