// Tag actions (ckan/logic/action/get.py: tag_list, tag_show, tag_search, tag_autocomplete). Free
// tags are listed when at least one active dataset uses them; vocabulary tags by vocabulary.
import { NotFound, ValidationError } from '../errors.ts';
import type { TagRow } from '../model/tags.ts';
import { pagingParams } from './package/index.ts';
import { asBool } from './params.ts';
import { normalizeText } from '../search/analysis.ts';
import { escapeLike, foldedColumn, matchRank } from './autocomplete.ts';
import type { ActionContext, ActionDefinition, DataDict } from './types.ts';
import { countingQuery } from '../search/search-index.ts';

/** model_dictize.tag_list_dictize: the row plus display_name (which a translation plugin may change). */
function tagDict(row: TagRow): DataDict {
  return { id: row.id, name: row.name, vocabulary_id: row.vocabulary_id, display_name: row.name };
}

/** The search terms: `query` (or `q`), a string or a list of strings, blanks dropped. */
function searchTerms(data: DataDict): string[] {
  const raw = data.query || data.q || [];
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  const terms = list.map((term) => String(term).trim()).filter(Boolean);
  // The deprecated `fields: {tags: ...}` form still adds terms.
  const fields = data.fields && typeof data.fields === 'object' ? (data.fields as DataDict) : {};
  for (const key of ['tag', 'tags']) if (typeof fields[key] === 'string' && fields[key].trim()) terms.push(fields[key].trim());
  return terms;
}

/** The id of the vocabulary asked for by id or name (CKAN's Tag.all), or null for free tags. */
async function vocabularyFilter(context: ActionContext, data: DataDict): Promise<string | null> {
  const ref = data.vocabulary_id ? String(data.vocabulary_id) : null;
  if (!ref) return null;
  const vocabulary = await context.services.repos.vocabularies.get(context.db(), ref);
  if (!vocabulary) throw new NotFound(`could not find vocabulary '${ref}'`);
  return vocabulary.id;
}

/**
 * CKAN's _tag_search: every term must appear in the name, case and diacritics ignored ("y te"
 * finds "y tế"). Free tags count when an active dataset uses them; vocabulary tags all count. By
 * name; for autocomplete (`rank`), names equal to or starting with the first term come first, then
 * the most used.
 */
async function tagSearch(context: ActionContext, data: DataDict, defaultLimit?: number, rank = false): Promise<{ rows: TagRow[]; count: number }> {
  const terms = searchTerms(data).map((term) => normalizeText(term).trim()).filter(Boolean);
  const vocabularyId = await vocabularyFilter(context, data);
  const { limit, offset } = pagingParams(data, ['limit', 'offset']);
  if (!terms.length) return { rows: [], count: 0 };
  const db = context.db();
  const folded = foldedColumn('t.name');
  const query = db('tag as t');
  if (vocabularyId) query.where('t.vocabulary_id', vocabularyId);
  else {
    query
      .whereNull('t.vocabulary_id')
      .whereExists((sub) => sub.select(1).from('package_tag as pt').join('package as p', 'p.id', 'pt.package_id').whereRaw('pt.tag_id = t.id').where('p.state', 'active'));
  }
  for (const term of terms) query.whereRaw(`${folded.sql} like ?`, [...folded.bindings, `%${escapeLike(term)}%`]);
  const list = query.clone().select('t.id', 't.name', 't.vocabulary_id');
  const max = limit ?? defaultLimit;
  if (rank) {
    const order = matchRank(folded, terms[0]);
    list.select(db.raw(`${order.sql} as match_rank`, order.bindings)).orderBy('match_rank').orderBy('t.name');
    const ranked = await rankedByUse(context, await list, vocabularyId);
    return { rows: ranked.slice(offset ?? 0, max === undefined ? undefined : (offset ?? 0) + max), count: ranked.length };
  }
  const counted = await query.count<{ count: number }[]>('* as count').first();
  const count = Number(counted?.count ?? 0);
  list.orderBy('t.name');
  if (max !== undefined) list.limit(max);
  if (offset) list.offset(offset);
  return { rows: await list, count };
}

/**
 * Within each match rank, the most used tags first. A free tag's use is the search index's `tags`
 * facet over active datasets, which the memory index answers at once and the result cache keeps
 * (counting package_tag per matching tag took 1.5 s for a one-letter query at 100,000 datasets).
 */
async function rankedByUse(context: ActionContext, rows: Array<TagRow & { match_rank: number }>, vocabularyId: string | null): Promise<TagRow[]> {
  const uses = vocabularyId ? await vocabularyTagUses(context, rows) : await freeTagUses(context);
  // A facet may list only the most used values (Elasticsearch's 10,000): a tag missing from it ranks last.
  const positioned = rows.map((row, position) => ({ row, position, uses: uses.get(vocabularyId ? row.id : row.name) ?? 0 }));
  positioned.sort((a, b) => a.row.match_rank - b.row.match_rank || b.uses - a.uses || a.position - b.position);
  return positioned.map(({ row: { match_rank: _rank, ...tag } }) => tag);
}

async function freeTagUses(context: ActionContext): Promise<Map<string, number>> {
  const query = countingQuery({ facetFields: ['tags'] });
  const counts = (await context.services.searchIndex.search(query, context.trx)).facets.tags ?? {};
  return new Map(Object.entries(counts));
}

/** Vocabulary tags are few: counted in one grouped query. */
async function vocabularyTagUses(context: ActionContext, rows: TagRow[]): Promise<Map<string, number>> {
  if (!rows.length) return new Map();
  const counted: Array<{ tag_id: string; uses: number | string }> = await context
    .db()('package_tag as pt')
    .join('package as p', 'p.id', 'pt.package_id')
    .whereIn('pt.tag_id', rows.map((row) => row.id))
    .where('p.state', 'active')
    .groupBy('pt.tag_id')
    .select('pt.tag_id', context.db().raw('count(*) as uses'));
  return new Map(counted.map((row) => [row.tag_id, Number(row.uses)]));
}

const tagList: ActionDefinition = {
  sideEffectFree: true,
  doc: "Return the site's tags: free tags used by active datasets, or the tags of a vocabulary.\n\n:param query: only tags whose name contains this (`q` works too)\n:param vocabulary_id: the vocabulary's id (default: free tags)\n:param all_fields: {id, name, vocabulary_id, display_name} dicts instead of names (default false)\n:rtype: list",
  async handler(context, data) {
    const rows = searchTerms(data).length
      ? (await tagSearch(context, data)).rows
      : (await context.services.repos.tags.search(context.db(), { terms: [], vocabularyId: await vocabularyFilter(context, data) })).rows;
    return asBool(data.all_fields) ? rows.map(tagDict) : rows.map((row) => row.name);
  },
};

const tagShow: ActionDefinition = {
  sideEffectFree: true,
  doc: "Return a tag.\n\n:param id: the tag's id or name\n:param vocabulary_id: the vocabulary of the tag (default: a free tag)\n:param include_datasets: include up to 1000 of the tag's public datasets (default false)\n:rtype: dictionary",
  async handler(context, data) {
    if (data.id === undefined || data.id === null) throw new ValidationError({ id: ['Missing value'] });
    const { repos } = context.services;
    const row = await repos.tags.get(context.db(), String(data.id), await vocabularyFilter(context, data));
    if (!row) throw new NotFound();
    const dict = tagDict(row);
    if (asBool(data.include_datasets)) {
      dict.packages = (await repos.tags.publicPackagesWithTag(context.db(), row.id, 1000)).map((text) => JSON.parse(text));
    }
    return dict;
  },
};

const tagSearchAction: ActionDefinition = {
  sideEffectFree: true,
  doc: 'Return tags whose name contains every given term.\n\n:param query: a string or a list of strings\n:param vocabulary_id: search this vocabulary (default: free tags)\n:param limit: (default 10)\n:param offset: (default 0)\n:rtype: {count, results: [tag dicts]}',
  async handler(context, data) {
    const { rows, count } = await tagSearch(context, data, 10);
    return { count, results: rows.map(tagDict) };
  },
};

const tagAutocomplete: ActionDefinition = {
  sideEffectFree: true,
  doc: 'Return the names of tags containing a string (case and diacritics ignored), those starting with it and the most used first.\n\n:param query: the string (`q` works too)\n:param vocabulary_id: (default: free tags)\n:param limit: (default 10)\n:rtype: list of strings',
  async handler(context, data) {
    const { rows } = await tagSearch(context, data, 10, true);
    return rows.map((row) => row.name);
  },
};

export const tagActions: Record<string, ActionDefinition> = {
  tag_list: tagList,
  tag_show: tagShow,
  tag_search: tagSearchAction,
  tag_autocomplete: tagAutocomplete,
};
