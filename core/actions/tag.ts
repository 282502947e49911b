// Tag actions (ckan/logic/action/get.py: tag_list, tag_show, tag_search, tag_autocomplete). Free
// tags are listed when at least one active dataset uses them; vocabulary tags by vocabulary.
import { NotFound, ValidationError } from '../errors.ts';
import type { TagRow } from '../model/tags.ts';
import { pagingParams } from './package/index.ts';
import { asBool } from './params.ts';
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

/** CKAN's _tag_search: every term must appear in the name. */
async function tagSearch(context: ActionContext, data: DataDict, defaultLimit?: number): Promise<{ rows: TagRow[]; count: number }> {
  const terms = searchTerms(data);
  const vocabularyId = await vocabularyFilter(context, data);
  const { limit, offset } = pagingParams(data, ['limit', 'offset']);
  if (!terms.length) return { rows: [], count: 0 };
  return context.services.repos.tags.search(context.db(), { terms, vocabularyId, limit: limit ?? defaultLimit, offset });
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
  doc: 'Return the names of tags containing a string.\n\n:param query: the string (`q` works too)\n:param vocabulary_id: (default: free tags)\n:param limit: (default 10)\n:rtype: list of strings',
  async handler(context, data) {
    const { rows } = await tagSearch(context, data, 10);
    return rows.map((row) => row.name);
  },
};

export const tagActions: Record<string, ActionDefinition> = {
  tag_list: tagList,
  tag_show: tagShow,
  tag_search: tagSearchAction,
  tag_autocomplete: tagAutocomplete,
};
