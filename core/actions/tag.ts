// Tag actions (ckan/logic/action/get.py: tag_list, tag_show, tag_search, tag_autocomplete). Free
// tags are listed when at least one active dataset uses them; vocabulary tags by vocabulary.
import { NotFound, ValidationError } from '../errors.ts';
import type { TagRow } from '../model/tags.ts';
import { pagingParams } from './package/index.ts';
import { asBool } from './params.ts';
import { normalizeText } from '../search/analysis.ts';
import { escapeLike, foldedColumn, matchRank } from './autocomplete.ts';
import type { ActionContext, ActionDefinition, DataDict } from './types.ts';

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

async function vocabularyFilter(context: ActionContext, data: DataDict): Promise<string | null> {
  const vocabularyId = data.vocabulary_id ? String(data.vocabulary_id) : null;
  if (vocabularyId && !(await context.services.repos.tags.vocabularyExists(context.db(), vocabularyId))) {
    throw new NotFound(`could not find vocabulary '${vocabularyId}'`);
  }
  return vocabularyId;
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
  const counted = await query.clone().count<{ count: number }[]>('* as count').first();
  const list = query.select('t.id', 't.name', 't.vocabulary_id');
  if (rank) {
    const order = matchRank(folded, terms[0]);
    list.orderByRaw(order.sql, order.bindings);
    list.orderByRaw('(select count(*) from package_tag as pt join package as p on p.id = pt.package_id where pt.tag_id = t.id and p.state = ?) desc', ['active']);
  }
  list.orderBy('t.name');
  const max = limit ?? defaultLimit;
  if (max !== undefined) list.limit(max);
  if (offset) list.offset(offset);
  return { rows: await list, count: Number(counted?.count ?? 0) };
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
    const row = await repos.tags.get(context.db(), String(data.id), data.vocabulary_id ? String(data.vocabulary_id) : null);
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
