// The dataset search behind /dataset, an organization's page and a group's page: CKAN's URL
// parameters (q, sort, page and one parameter per facet field: organization, groups, tags,
// res_format, license_id, plus plugin fields declared with facet: true), so a search is a bookmark.
import { SearchError, SearchQueryError, SearchTimeoutError, ValidationError } from '../../../core/errors.ts';
import type { DataDict } from '../../../core/actions/types.ts';
import { type PageRequest, all, first } from './page.ts';
import { pageNumbers, queryString, datasetListItem, type DatasetListItem } from './view-models.ts';

export const SORTS: Array<{ value: string; key: string }> = [
  { value: 'score desc, metadata_modified desc', key: 'sort.relevance' },
  { value: 'metadata_modified desc', key: 'sort.modified' },
  { value: 'metadata_created desc', key: 'sort.created' },
  { value: 'title_string asc', key: 'sort.title_asc' },
  { value: 'title_string desc', key: 'sort.title_desc' },
];

const MAX_START = 10_000;

export interface FacetView {
  field: string;
  title: string;
  items: Array<{ name: string; label: string; count: number; active: boolean; href: string }>;
  more: string | null;
  less: string | null;
}

export interface SearchView {
  q: string;
  sort: string;
  sorts: Array<{ value: string; label: string; selected: boolean }>;
  count: number;
  results: DatasetListItem[];
  facets: FacetView[];
  active: Array<{ field: string; title: string; label: string; href: string }>;
  page: number;
  pages: Array<{ number: number | null; href: string; current: boolean }>;
  prev: string | null;
  next: string | null;
  error: string | null;
  /** Hidden inputs that keep the current filters when the search box is submitted again. */
  hidden: Array<[string, string]>;
  clear: string;
}

/** Solr phrase quoting for an fq value. */
export function fqValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function facetFields(page: PageRequest): string[] {
  const declared = page.portal.cradle.fields.dataset.filter((field) => field.facet).map((field) => field.field_name);
  return [...new Set([...page.portal.ui.search_facets, ...declared])];
}

function facetTitle(page: PageRequest, field: string): string {
  const key = `facet.${field}`;
  if (page.tr.has(key)) return page.t(key);
  const declared = page.portal.cradle.fields.dataset.find((item) => item.field_name === field);
  return declared ? page.tr.label(declared.label) : field;
}

function facetItemLabel(page: PageRequest, field: string, name: string, display: string): string {
  const declared = page.portal.cradle.fields.dataset.find((item) => item.field_name === field);
  const choice = declared?.choices?.find((item) => item.value === name);
  if (choice) return page.tr.label(choice.label);
  if (field === 'license_id' && page.tr.has(`license.${name}`)) return page.t(`license.${name}`);
  return display || name;
}

/**
 * Run package_search for the page's query parameters. `base` is the page's path; `fixed` filters
 * (an organization's id, a group's name) are added to fq and left out of the facet links.
 */
export async function runSearch(page: PageRequest, base: string, fixed: { fq?: string; hideFacets?: string[] } = {}): Promise<SearchView> {
  const query = page.ctx.query as Record<string, string | string[] | undefined>;
  const fields = facetFields(page).filter((field) => !(fixed.hideFacets ?? []).includes(field));
  const q = (first(query.q) ?? '').slice(0, 500);
  const sortParam = first(query.sort) ?? '';
  const sort = SORTS.some((item) => item.value === sortParam) ? sortParam : '';
  const rows = page.portal.ui.page_size;
  const pageNo = Math.max(1, Math.min(Math.floor(Number(first(query.page)) || 1), Math.floor(MAX_START / rows) + 1));

  const filters: Array<[string, string]> = [];
  for (const field of fields) for (const value of all(query[field])) if (value !== '' && value.length <= 300) filters.push([field, value]);
  // Each filter required (+): the filters of different facets combine with AND, as in CKAN.
  const fq = [...filters.map(([field, value]) => `+${field}:${fqValue(value)}`), fixed.fq ? `+${fixed.fq}` : ''].filter(Boolean).join(' ');

  const state: Array<[string, string]> = [['q', q], ...filters, ['sort', sort]];
  const href = (pairs: Array<[string, string]>) => base + queryString(pairs);
  const limits = new Set(fields.filter((field) => first(query[`_${field}_limit`]) === '0'));
  const limitPairs = (): Array<[string, string]> => [...limits].map((field) => [`_${field}_limit`, '0']);

  let result: DataDict = { count: 0, results: [], search_facets: {} };
  let error: string | null = null;
  try {
    result = await page.act('package_search', {
      q,
      fq,
      sort: sort || undefined,
      rows,
      start: (pageNo - 1) * rows,
      'facet.field': fields,
      'facet.limit': 50,
      include_private: !!page.user,
    });
  } catch (err) {
    // Search Error (409) is what CKAN answers to local params ({!lucene}) and the like: the query's fault too.
    if (!(err instanceof SearchQueryError) && !(err instanceof SearchError) && !(err instanceof ValidationError)) throw err;
    error = page.t(err instanceof SearchTimeoutError ? 'search.too_slow' : 'search.bad_query');
  }

  const shown = page.portal.cradle.config.search.facets_default;
  const facets: FacetView[] = fields.map((field) => {
    const raw: Array<{ name: string; display_name: string; count: number }> = result.search_facets?.[field]?.items ?? [];
    const sorted = [...raw].sort((a, b) => b.count - a.count || a.display_name.localeCompare(b.display_name, 'vi'));
    const expanded = limits.has(field);
    const items = (expanded ? sorted : sorted.slice(0, shown)).map((item) => {
      const active = filters.some(([f, v]) => f === field && v === item.name);
      const next = active ? state.filter(([f, v]) => !(f === field && v === item.name)) : [...state.slice(0, -1), [field, item.name] as [string, string], state[state.length - 1]];
      return { name: item.name, label: facetItemLabel(page, field, item.name, item.display_name), count: item.count, active, href: href([...next, ...limitPairs()]) };
    });
    const toggled = (on: boolean) => href([...state, ...[...limits].filter((f) => f !== field).map((f): [string, string] => [`_${f}_limit`, '0']), ...(on ? [[`_${field}_limit`, '0'] as [string, string]] : [])]);
    return {
      field,
      title: facetTitle(page, field),
      items,
      more: !expanded && sorted.length > shown ? toggled(true) : null,
      less: expanded && sorted.length > shown ? toggled(false) : null,
    };
  });

  const active = filters.map(([field, value]) => {
    const item = result.search_facets?.[field]?.items?.find((entry: { name: string }) => entry.name === value);
    return {
      field,
      title: facetTitle(page, field),
      label: facetItemLabel(page, field, value, item?.display_name ?? value),
      href: href(state.filter(([f, v]) => !(f === field && v === value))),
    };
  });

  const count = Number(result.count) || 0;
  const last = Math.max(1, Math.min(Math.ceil(count / rows), Math.floor(MAX_START / rows) + 1));
  const pageHref = (n: number) => href([...state, ...(n > 1 ? [['page', String(n)] as [string, string]] : [])]);
  return {
    q,
    sort,
    sorts: SORTS.map((item) => ({ value: item.value, label: page.t(item.key), selected: item.value === sort })),
    count,
    results: ((result.results ?? []) as DataDict[]).map((pkg) => datasetListItem(pkg, page.tr)),
    facets,
    active,
    page: pageNo,
    pages: last > 1 ? pageNumbers(pageNo, last).map((n) => ({ number: n, href: n ? pageHref(n) : '', current: n === pageNo })) : [],
    prev: pageNo > 1 ? pageHref(pageNo - 1) : null,
    next: pageNo < last ? pageHref(pageNo + 1) : null,
    error,
    hidden: filters,
    clear: base,
  };
}
