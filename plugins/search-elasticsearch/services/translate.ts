// The core's query AST (core/search/query-ast.ts) and SearchQuery → an Elasticsearch search request.
// Semantics follow the PostgreSQL backend so that one conformance suite passes on both:
// - exact fields (keywords) match case-sensitively; text fields match folded words, a term of
//   several words is a phrase (as Lucene makes of it), `hea*` a prefix, other wildcards patterns;
// - dates are resolved with the core's Solr date math against the injected clock;
// - Lucene's boolean model: with a required clause the optional ones only score, without one at
//   least one optional clause must match, a purely negative bool matches everything else;
// - free text (CKAN's dismax) scores over name^4 title^4 tags^2 groups^2 text with tie 0.1, plus
//   bonuses for the words as written with their marks and for adjacent words;
// - visibility (states, capacity, permission labels) and fq are filters, which never score.
import { SearchError, SearchQueryError } from '../../../core/errors.ts';
import type { BoolNode, QueryNode, RangeNode, TermNode } from '../../../core/search/query-ast.ts';
import type { SearchQuery } from '../../../core/search/search-index.ts';
import { resolveDateMath } from '../../../core/search/date-math.ts';
import { fieldKind, isMultiValued, isSortable, solrDate } from '../../../core/search/index-document.ts';
import { analyze, normalizeText, tokenize } from '../../../core/search/analysis.ts';
import { nfc } from '../../../core/text/vietnamese.ts';
import { esFieldName } from './document.ts';
import { EXACT_FIELDS_FOR_RANKING, FREE_TEXT_FIELDS, NANOSECOND_DATE_FIELDS, PHRASE_FIELDS } from './mapping.ts';

export type EsQuery = Record<string, any>;

const MATCH_ALL: EsQuery = { match_all: {} };
const MATCH_NONE: EsQuery = { match_none: {} };
/** What facet.limit = -1 asks for. */
export const UNLIMITED_FACET_SIZE = 10_000;
/** Weights of the bonuses next to the dismax score (as the PostgreSQL backend ranks). */
const EXACT_BOOST = 0.5;
const PHRASE_BOOST = 1;

const clean = (text: string) => nfc(text).replace(/\u0000/g, '');

/** `text` is the catch-all field; other text fields are searched by name. */
function textField(field: string): string {
  return esFieldName(field);
}

function parseNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new SearchQueryError(`Invalid number: '${text}'`);
  return value;
}

/** A date as the index holds it (naive UTC with six fraction digits, and Z). */
function esDate(text: string, now: Date): string {
  return solrDate(resolveDateMath(text, now));
}

// What a date_nanos field can hold; Elasticsearch refuses a query bound outside it ("is before the
// epoch in 1970 and cannot be stored in nanosecond resolution") where CKAN simply matches nothing
// beyond it.
const NANOS_FIRST = '1970-01-01T00:00:00.000000Z';
const NANOS_LAST = '2262-04-11T23:47:16.854775Z';

/** Orders two of esDate's strings, whose years may have more than four digits or a sign. */
function compareDates(a: string, b: string): number {
  const yearA = parseInt(a, 10);
  const yearB = parseInt(b, 10);
  if (yearA !== yearB) return yearA - yearB;
  const restA = a.slice(a.indexOf('-', 1));
  const restB = b.slice(b.indexOf('-', 1));
  return restA < restB ? -1 : restA > restB ? 1 : 0;
}

/** Lucene's wildcard pattern, literal parts folded and lower-cased for a text field. */
function foldedWildcard(pattern: string): string {
  let out = '';
  let literal = '';
  const flush = () => {
    out += normalizeText(literal).replace(/[*?\\]/g, '\\$&');
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) literal += pattern[++i];
    else if (ch === '*' || ch === '?') {
      flush();
      out += ch;
    } else literal += ch;
  }
  flush();
  return out;
}

export interface TranslateOptions {
  now: Date;
  /** Score free-text terms as CKAN's dismax does (q without field syntax). */
  freeText?: boolean;
}

/** One AST node → an Elasticsearch query; null when it analyses to nothing (Lucene drops it). */
export function translateNode(node: QueryNode, options: TranslateOptions): EsQuery | null {
  switch (node.type) {
    case 'matchAll':
      return MATCH_ALL;
    case 'term':
      return term(node, options);
    case 'range':
      return range(node, options.now);
    case 'bool':
      return bool(node, options);
  }
}

function withBoost(query: EsQuery | null, boost: number | undefined): EsQuery | null {
  if (query === null || boost === undefined) return query;
  return { bool: { must: [query], boost } };
}

function term(node: TermNode, options: TranslateOptions): EsQuery | null {
  const field = clean(node.field ?? 'text');
  const kind = fieldKind(field);
  const es = esFieldName(field);
  if (kind === 'text') return withBoost(textTerm(field, node, options), node.boost);
  if (node.exists) return { exists: { field: es } };
  if (kind === 'date') {
    if (node.prefix || node.wildcard) throw new SearchQueryError(`Wildcards are not supported on the date field ${field}`);
    const date = esDate(node.value, options.now);
    if (NANOSECOND_DATE_FIELDS.has(field) && (compareDates(date, NANOS_FIRST) < 0 || compareDates(date, NANOS_LAST) > 0)) return MATCH_NONE;
    return { term: { [es]: date } };
  }
  if (kind === 'numeric' && !node.prefix && !node.wildcard) return { term: { [es]: parseNumber(node.value) } };
  const value = clean(node.value);
  if (node.wildcard) return { wildcard: { [es]: { value } } };
  if (node.prefix) return { prefix: { [es]: { value } } };
  return withBoost({ term: { [es]: { value } } }, node.boost);
}

function textTerm(field: string, node: TermNode, options: TranslateOptions): EsQuery | null {
  const es = textField(field);
  if (node.exists) return { exists: { field: es } };
  if (node.wildcard) return { wildcard: { [es]: { value: foldedWildcard(node.value) } } };
  const tokens = tokenize(node.value);
  if (!tokens.length) return null;
  if (node.prefix) {
    if (tokens.length === 1) return { prefix: { [es]: { value: tokens[0] } } };
    return { match_phrase_prefix: { [es]: { query: tokens.join(' ') } } };
  }
  const query = clean(node.value);
  // Free text reaches the fields CKAN's dismax weighs; matching is decided by the catch-all.
  if (options.freeText && field === 'text') {
    if (tokens.length > 1 || node.phrase) return { multi_match: { query, fields: FREE_TEXT_FIELDS, type: 'phrase', tie_breaker: 0.1 } };
    return { multi_match: { query, fields: FREE_TEXT_FIELDS, type: 'best_fields', tie_breaker: 0.1, operator: 'and' } };
  }
  if (tokens.length > 1 || node.phrase) return { match_phrase: { [es]: { query } } };
  return { match: { [es]: { query } } };
}

function range(node: RangeNode, now: Date): EsQuery {
  const field = clean(node.field);
  const kind = fieldKind(field);
  const es = esFieldName(field);
  if (kind === 'text') throw new SearchQueryError(`Range queries are not supported on the text field ${field}`);
  if (node.lower === null && node.upper === null) return { exists: { field: es } };
  const convert = (value: string) => (kind === 'date' ? esDate(value, now) : kind === 'numeric' ? parseNumber(value) : clean(value));
  let lower = node.lower === null ? null : convert(node.lower);
  let upper = node.upper === null ? null : convert(node.upper);
  if (NANOSECOND_DATE_FIELDS.has(field)) {
    // Bounds past what the field can hold: beyond them there is nothing to match.
    if ((lower !== null && compareDates(lower as string, NANOS_LAST) > 0) || (upper !== null && compareDates(upper as string, NANOS_FIRST) < 0)) return MATCH_NONE;
    if (lower !== null && compareDates(lower as string, NANOS_FIRST) < 0) lower = null;
    if (upper !== null && compareDates(upper as string, NANOS_LAST) > 0) upper = null;
    if (lower === null && upper === null) return { exists: { field: es } };
  }
  const bounds: Record<string, unknown> = {};
  if (lower !== null) bounds[node.includeLower ? 'gte' : 'gt'] = lower;
  if (upper !== null) bounds[node.includeUpper ? 'lte' : 'lt'] = upper;
  return { range: { [es]: bounds } };
}

function bool(node: BoolNode, options: TranslateOptions): EsQuery {
  const must: EsQuery[] = [];
  const should: EsQuery[] = [];
  const mustNot: EsQuery[] = [];
  for (const clause of node.clauses) {
    const query = translateNode(clause.node, options);
    if (query === null) continue;
    (clause.occur === 'must' ? must : clause.occur === 'should' ? should : mustNot).push(query);
  }
  if (!must.length && !should.length && !mustNot.length) return MATCH_NONE;
  const out: EsQuery = {};
  if (must.length) out.must = must;
  if (should.length) out.should = should;
  if (mustNot.length) out.must_not = mustNot;
  // Lucene: a purely negative query matches everything else.
  if (!must.length && !should.length) out.must = [MATCH_ALL];
  if (should.length) {
    const minimum = Math.min(node.minimumShouldMatch ?? 0, should.length);
    out.minimum_should_match = minimum > 0 ? minimum : must.length ? 0 : 1;
  }
  if (node.boost !== undefined) out.boost = node.boost;
  return { bool: out };
}

/** The bonuses of free-text ranking: the words as written (marks), and adjacent words. */
function freeTextBonuses(query: SearchQuery): EsQuery[] {
  if (!query.q) return [];
  const words: string[] = [];
  let marked = false;
  const clauses = query.q.type === 'bool' ? query.q.clauses : [{ occur: 'should' as const, node: query.q }];
  for (const clause of clauses) {
    const node = clause.node;
    if (clause.occur === 'must_not' || node.type !== 'term' || node.field !== null || node.prefix || node.wildcard || node.exists) continue;
    for (const token of analyze(node.value)) if (token.exact !== null) marked = true;
    if (!node.phrase) words.push(clean(node.value));
  }
  const bonuses: EsQuery[] = [];
  if (marked) {
    const text = clean(query.qText);
    bonuses.push({ multi_match: { query: text, fields: EXACT_FIELDS_FOR_RANKING, type: 'best_fields', boost: EXACT_BOOST } });
  }
  if (words.length > 1) {
    bonuses.push({ multi_match: { query: words.join(' '), fields: PHRASE_FIELDS, type: 'phrase', slop: 0, boost: PHRASE_BOOST } });
  }
  return bonuses;
}

/** The visibility filters package_search adds (states, capacity, permission labels). */
function visibilityFilters(query: SearchQuery): EsQuery[] {
  const filters: EsQuery[] = [];
  if (query.states.length) filters.push({ terms: { state: query.states } });
  if (!query.includePrivate) filters.push({ term: { capacity: 'public' } });
  if (query.labels) filters.push({ terms: { permission_labels: query.labels } });
  return filters;
}

function sortClauses(query: SearchQuery): EsQuery[] {
  const out: EsQuery[] = [];
  let hasId = false;
  for (const { field: raw, direction } of query.sort) {
    const field = clean(raw);
    if (field === 'score') {
      out.push({ _score: { order: direction } });
      continue;
    }
    if (!isSortable(field)) {
      const reason = fieldKind(field) === 'text' ? 'a text field' : isMultiValued(field) ? 'a multi-valued field' : 'this field';
      throw new SearchError(`Can not sort on ${reason}: ${field}`);
    }
    if (field === 'id') hasId = true;
    const es = field === 'title_string' ? 'title_sort' : esFieldName(field);
    const kind = fieldKind(field);
    const unmapped = kind === 'date' ? 'date_nanos' : kind === 'numeric' ? 'long' : 'keyword';
    out.push({ [es]: { order: direction, missing: '_last', unmapped_type: unmapped } });
  }
  // A total order, so that paging with start never repeats or skips a dataset.
  if (!hasId) out.push({ id: { order: 'asc' } });
  return out;
}

function aggregations(query: SearchQuery): Record<string, EsQuery> | undefined {
  const fields = [...new Set(query.facetFields.map(clean))];
  if (!fields.length) return undefined;
  const aggs: Record<string, EsQuery> = {};
  fields.forEach((field, i) => {
    // Facets count exact values; a text field has none to count (Solr would count its words).
    if (fieldKind(field) === 'text') return;
    aggs[`f${i}`] = {
      terms: {
        field: esFieldName(field),
        size: query.facetLimit < 0 ? UNLIMITED_FACET_SIZE : Math.max(query.facetLimit, 1),
        min_doc_count: query.facetMincount,
        order: [{ _count: 'desc' }, { _key: 'asc' }],
      },
    };
  });
  return aggs;
}

export interface EsSearchRequest {
  query: EsQuery;
  sort: EsQuery[];
  from: number;
  size: number;
  track_total_hits: true;
  aggs?: Record<string, EsQuery>;
  _source: string[];
}

/** The whole search request for a SearchQuery. */
export function buildSearchRequest(query: SearchQuery, now: Date): EsSearchRequest {
  const filters = visibilityFilters(query);
  for (const node of query.filters) filters.push(translateNode(node, { now }) ?? MATCH_NONE);
  const must: EsQuery[] = [];
  let should: EsQuery[] = [];
  if (query.q) {
    must.push(translateNode(query.q, { now, freeText: query.qIsFreeText }) ?? MATCH_NONE);
    if (query.qIsFreeText) should = freeTextBonuses(query);
  }
  const bool: EsQuery = { filter: filters };
  if (must.length) bool.must = must;
  if (should.length) {
    bool.should = should;
    bool.minimum_should_match = 0;
  }
  const request: EsSearchRequest = {
    query: { bool },
    sort: sortClauses(query),
    from: query.start,
    size: Math.max(query.rows, 0),
    track_total_hits: true,
    _source: ['kho_package'],
  };
  const aggs = aggregations(query);
  if (aggs) request.aggs = aggs;
  return request;
}

/** Facet counts from the aggregations, in the order the request asked for them. */
export function readFacets(query: SearchQuery, aggregations: Record<string, any> | undefined): Record<string, Record<string, number>> {
  const fields = [...new Set(query.facetFields.map(clean))];
  // fromEntries: a value named "__proto__" stays a key (an assignment would set the prototype).
  return Object.fromEntries(
    fields.map((field, i) => [
      field,
      Object.fromEntries((aggregations?.[`f${i}`]?.buckets ?? []).map((bucket: any) => [bucket.key_as_string ?? String(bucket.key), bucket.doc_count])),
    ]),
  );
}
