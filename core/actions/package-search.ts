// package_search (ckan/logic/action/get.py + ckan/lib/search/query.py): CKAN's parameter checks and
// error codes, the fq CKAN builds around the caller's, permission labels, and the result shape with
// search_facets. The search itself is the configured SearchIndex backend's.
import { SearchQueryError, ValidationError, pyRepr } from '../errors.ts';
import { RawJson } from '../http/raw-json.ts';
import { userDatasetLabels } from '../auth/labels.ts';
import { findLicense } from '../model/licenses.ts';
import { hasErrors, isPlainObject, validate, type Schema, type Validator } from '../validation/navl.ts';
import {
  convertToJsonIfString,
  defaultValue,
  ignoreMissing,
  intValidator,
  listOfStrings,
  naturalNumberValidator,
  unicodeSafe,
} from '../validation/validators.ts';
import {
  CKAN_MINIMUM_MATCH,
  assertNoLocalParams,
  hasFieldSyntax,
  parseFreeText,
  parseQuery,
  parseSort,
} from '../search/query-parser.ts';
import { buildIndexDocument, datasetPermissionLabels } from '../search/index-document.ts';
import type { QueryNode } from '../search/query-ast.ts';
import { storedJson, type SearchQuery } from '../search/search-index.ts';
import type { ActionContext, ActionDefinition, AuthDefinition, DataDict } from './types.ts';
import { compareCodePoints } from '../text/code-point-order.ts';

/** ckan/lib/search/query.py VALID_SOLR_PARAMETERS: anything else left at search time is a 400. */
const VALID_SOLR_PARAMETERS = new Set([
  'q', 'fl', 'fq', 'rows', 'sort', 'start', 'wt', 'qf', 'bf', 'boost', 'facet', 'facet.mincount', 'facet.limit',
  'facet.field', 'extras', 'fq_list', 'tie', 'defType', 'mm', 'df',
]);

const FACET_DISPLAY_FROM_GROUPS = ['groups', 'organization'];

/** limit_to_configured_maximum: too many rows is not an error, just capped. */
const atMost = (max: number): Validator => (value) => (typeof value === 'number' && value > max ? max : value);

/** fl: a list, or one string naming fields separated by commas or spaces. */
const flFields: Validator = (value) => {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return items.flatMap((item) => String(item).split(/[,\s]+/)).filter(Boolean);
};

/** ckan/logic/schema.py default_package_search_schema. */
function searchSchema(rowsMax: number): Schema {
  return {
    unknown: 'keep',
    fields: {
      q: [ignoreMissing, unicodeSafe],
      fl: [ignoreMissing, flFields],
      fq: [ignoreMissing, unicodeSafe],
      rows: [defaultValue(10), naturalNumberValidator, atMost(rowsMax)],
      sort: [ignoreMissing, unicodeSafe],
      start: [ignoreMissing, naturalNumberValidator],
      qf: [ignoreMissing, unicodeSafe],
      facet: [ignoreMissing, unicodeSafe],
      'facet.mincount': [ignoreMissing, naturalNumberValidator],
      'facet.limit': [ignoreMissing, intValidator],
      'facet.field': [ignoreMissing, convertToJsonIfString, listOfStrings],
      extras: [ignoreMissing],
    },
  };
}

async function packageSearch(context: ActionContext, input: DataDict): Promise<DataDict> {
  const { config, hooks, searchIndex } = context.services;
  const validated = await validate(input, searchSchema(config.search.rows_max), { action: context });
  if (hasErrors(validated.errors)) throw new ValidationError(validated.errors);
  let params: DataDict = validated.data;

  // ext_* parameters are for plugins; they travel in `extras` and never reach the search backend.
  const extras: DataDict = isPlainObject(params.extras) ? { ...params.extras } : {};
  for (const key of Object.keys(params)) {
    if (key.startsWith('ext_')) {
      extras[key] = params[key];
      delete params[key];
    }
  }
  params.extras = extras;
  params.df = 'text';

  params = hooks.beforeDatasetSearch(params);
  const abort = Boolean(params.abort_search);
  delete params.abort_search;
  if (params.sort === undefined || params.sort === null || params.sort === 'rank') params.sort = config.search.default_package_sort;

  let results: unknown[] = [];
  let facets: Record<string, Record<string, number>> = {};
  let count = 0;

  if (!abort) {
    delete params.use_default_schema;
    const fl: string[] | undefined = Array.isArray(params.fl) && params.fl.length ? params.fl : undefined;
    const includePrivate = asBool(pop(params, 'include_private'));
    const includeDrafts = asBool(pop(params, 'include_drafts'));
    const includeDeleted = asBool(pop(params, 'include_deleted'));

    // CKAN edits the fq text itself, and Lucene's precedence then applies to the whole string:
    // "+capacity:public a OR b +state:(active)" leaves a and b optional, exactly as in CKAN.
    let fq = typeof params.fq === 'string' ? params.fq : '';
    if (!includePrivate) fq = `+capacity:public ${fq}`;
    let states: string[] = [];
    if (!fq.includes('+state')) {
      states = ['active'];
      if (includeDrafts) states.push('draft');
      if (includeDeleted) states.push('deleted');
      fq += ` +state:(${states.join(' OR ')})`;
    } else if (!fq.includes('+state:')) {
      // query.run's own test is for "+state:", so an fq that only mentions "+state" (an extra such
      // as state_code) still gets CKAN's +state:active.
      states = ['active'];
    }
    params.fq = fq;
    const pluginExtras = params.extras;
    delete params.extras;

    const labels = await userDatasetLabels(context);
    const query = buildQuery(params, { states, includePrivate, labels, facetLimit: config.search.facets_limit, facetLimitMax: config.search.facets_limit_max });
    const found = await searchIndex.search(query, context.trx);
    params.extras = pluginExtras;

    count = found.count;
    facets = found.facets;
    if (fl) {
      const collaborators = config.auth.allow_dataset_collaborators;
      results = found.results.map((dict) => storedFields(storedJson(dict), fl, config.site.id, collaborators));
    } else if (context.rawJsonOk && !hooks.package.some((controller) => controller.after_dataset_search)) {
      results = found.results.map((dict) => new RawJson(dict));
    } else {
      results = found.results.map((dict) => JSON.parse(storedJson(dict)));
    }
  }

  let searchResults: DataDict = { count, facets, results, sort: params.sort };
  searchResults.search_facets = await searchFacets(context, facets);
  searchResults = hooks.afterDatasetSearch(searchResults, params);
  // After plugins had their say, CKAN sorts facet items by display name, descending.
  for (const facet of Object.values(searchResults.search_facets ?? {}) as Array<{ items: Array<{ display_name: string }> }>) {
    facet.items = [...facet.items].sort((a, b) => compareCodePoints(b.display_name, a.display_name));
  }
  return searchResults;
}

/** Python's asbool, as CKAN applies it to include_*: "true", "yes", "on", "1"… (any case). */
function asBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return typeof value === 'string' && ['true', 'yes', 'on', 'y', 't', '1'].includes(value.trim().toLowerCase());
}

function pop(params: DataDict, key: string): unknown {
  const value = params[key];
  delete params[key];
  return value;
}

interface Filters {
  states: string[];
  includePrivate: boolean;
  labels: string[] | null;
  facetLimit: number;
  facetLimitMax: number;
}

/** query.run: the whitelist, local params, defaults, then the parsed SearchQuery. */
function buildQuery(params: DataDict, filters: Filters): SearchQuery {
  const invalid = Object.keys(params).filter((key) => !VALID_SOLR_PARAMETERS.has(key));
  if (invalid.length) throw new SearchQueryError(`Invalid search parameters: [${invalid.map(pyRepr).join(', ')}]`);

  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') assertNoLocalParams(key, value);
    else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') assertNoLocalParams(key, item);
  }

  let qText = typeof params.q === 'string' ? params.q : '';
  if (!qText || qText === '""' || qText === "''") qText = '*:*';
  const freeText = !hasFieldSyntax(qText) || params.defType === 'edismax';
  let q: QueryNode | null;
  if (freeText) q = parseFreeText(qText, typeof params.mm === 'string' && params.mm.trim() ? params.mm : CKAN_MINIMUM_MATCH) ?? { type: 'bool', clauses: [] };
  else q = parseQuery(qText, { param: 'q' });
  if (q.type === 'matchAll') q = null;

  const fqList: unknown[] = params.fq_list === undefined || params.fq_list === null ? [] : Array.isArray(params.fq_list) ? params.fq_list : [params.fq_list];
  const filterNodes = [params.fq, ...fqList]
    .filter((fq): fq is string => typeof fq === 'string' && fq.trim() !== '')
    .map((fq) => parseQuery(fq, { param: 'fq' }))
    .filter((node) => node.type !== 'matchAll');

  const facetOn = !['false', 'off', 'no'].includes(String(params.facet ?? 'true').trim().toLowerCase());
  return {
    q,
    qIsFreeText: freeText,
    qText,
    filters: filterNodes,
    states: filters.states,
    includePrivate: filters.includePrivate,
    labels: filters.labels,
    sort: parseSort(String(params.sort)),
    rows: params.rows as number,
    start: (params.start as number | undefined) ?? 0,
    facetFields: facetOn ? ((params['facet.field'] as string[] | undefined) ?? []) : [],
    facetLimit: cappedFacetLimit((params['facet.limit'] as number | undefined) ?? filters.facetLimit, filters.facetLimitMax),
    facetMincount: (params['facet.mincount'] as number | undefined) ?? 1,
  };
}

/** Solr reads any negative facet.limit as "all"; Kho lists at most the configured maximum. */
function cappedFacetLimit(limit: number, max: number): number {
  return limit < 0 ? max : Math.min(limit, max);
}

/**
 * fl: the requested stored fields of the search document, as Solr returns them; `extras_<key>`
 * fields come back under `<key>` (query.run folds them into extras, package_search spreads them).
 */
function storedFields(json: string, fields: string[], siteId: string, collaborators: boolean): DataDict {
  const pkg = JSON.parse(json);
  const doc: DataDict = buildIndexDocument(pkg, { permissionLabels: datasetPermissionLabels(pkg, collaborators), siteId });
  doc.data_dict = json;
  doc.validated_data_dict = json;
  delete doc.text;
  const wanted = fields.includes('*') ? Object.keys(doc) : fields;
  const out: DataDict = {};
  const extras: DataDict = {};
  for (const field of wanted) {
    if (!Object.hasOwn(doc, field)) continue;
    if (field.startsWith('extras_')) extras[field.slice('extras_'.length)] = doc[field];
    else out[field] = doc[field];
  }
  return Object.assign(out, extras);
}

interface FacetItem {
  name: string;
  display_name: string;
  count: number;
}

/** facets → search_facets: org and group titles, licence titles, the value itself otherwise. */
async function searchFacets(context: ActionContext, facets: Record<string, Record<string, number>>): Promise<DataDict> {
  const groupNames = FACET_DISPLAY_FROM_GROUPS.flatMap((field) => Object.keys(facets[field] ?? {}));
  const titles = new Map<string, string | null>();
  if (groupNames.length) {
    const rows: Array<{ name: string; title: string | null }> = await context.db()('group').whereIn('name', [...new Set(groupNames)]).select('name', 'title');
    for (const row of rows) titles.set(row.name, row.title);
  }
  const out: Array<[string, DataDict]> = [];
  for (const [field, counts] of Object.entries(facets)) {
    const items: FacetItem[] = [];
    for (const [name, count] of Object.entries(counts)) {
      let displayName = name;
      if (FACET_DISPLAY_FROM_GROUPS.includes(field)) {
        const title = titles.get(name);
        displayName = title && title.trim() ? title : name;
      } else if (field === 'license_id') {
        displayName = findLicense(name)?.title ?? name;
      }
      items.push({ name, display_name: displayName, count });
    }
    out.push([field, { title: field, items }]);
  }
  // fromEntries: a facet field named "__proto__" stays a key (an assignment would set the prototype).
  return Object.fromEntries(out);
}

export const packageSearchActions: Record<string, ActionDefinition> = {
  package_search: {
    handler: packageSearch,
    sideEffectFree: true,
    doc: 'Search datasets with Solr syntax (q, fq, fq_list, sort, rows, start, facet.field, include_private, include_drafts, …).',
  },
};

export const packageSearchAuth: Record<string, AuthDefinition> = {
  package_search: { fn: () => true, allowAnonymous: true },
};
