// One package_search row from a flat index document. The exact fields clients filter and facet on
// most have their own columns (btree or GIN over text[]: exact, no recheck, cheap to count); every
// other exact field is in a jsonb object of string arrays (GIN containment answers `field:value`);
// the catch-all `text` is a weighted tsvector; each analysed text field goes into a second tsvector
// whose lexemes carry the field name ("title:record"), so `title:record` is a GIN lookup too. A small
// ranking vector (`rtsv`: name, title, tags, groups, with the exact forms of marked syllables) is
// what relevance is computed from: it stays in the row, while the large vectors live out of line.
import type { DataDict } from '../../actions/types.ts';
import type { IndexDocument } from '../../plugins/interfaces.ts';
import { CATCH_ALL_SOURCES, asStrings, catchAllWeight, documentUrls, fieldKind } from '../index-document.ts';
import { TsvectorBuilder, memoizedAnalyzer, sortKey } from './analysis.ts';
import { lookupTable } from '../../lookup-table.ts';

/** Single-valued exact fields stored in a column of their own (field → column). */
export const SCALAR_COLUMNS: Readonly<Record<string, string>> = lookupTable({
  id: 'package_id',
  name: 'name',
  state: 'state',
  capacity: 'capacity',
  organization: 'organization',
  owner_org: 'owner_org',
  license_id: 'license_id',
  dataset_type: 'dataset_type',
});

/**
 * The columns above that can be null (the others are NOT NULL, so an index on them can serve a
 * descending sort without "nulls last").
 */
export const NULLABLE_COLUMNS: ReadonlySet<string> = new Set(['organization', 'owner_org', 'license_id', 'dataset_type']);

/** Multi-valued exact fields stored as text[] columns (field → column). */
export const ARRAY_COLUMNS: Readonly<Record<string, string>> = lookupTable({ tags: 'tags', groups: 'groups', res_format: 'res_format' });

export interface SearchRow {
  package_id: string;
  state: string;
  capacity: string;
  labels: string[];
  name: string;
  organization: string | null;
  owner_org: string | null;
  license_id: string | null;
  dataset_type: string | null;
  tags: string[];
  groups: string[];
  res_format: string[];
  title_sort: string;
  metadata_created: string;
  metadata_modified: string;
  num_resources: number;
  num_tags: number;
  /** jsonb: field → values */
  exact: Record<string, string[]>;
  /** tsvector literals */
  tsv: string;
  ftsv: string;
  rtsv: string;
}

export const ROW_COLUMNS: ReadonlyArray<keyof SearchRow> = [
  'package_id', 'state', 'capacity', 'labels', 'name', 'organization', 'owner_org', 'license_id', 'dataset_type',
  'tags', 'groups', 'res_format', 'title_sort', 'metadata_created', 'metadata_modified', 'num_resources', 'num_tags',
  'exact', 'tsv', 'ftsv', 'rtsv',
];

/**
 * Rows as one JSON array for json_populate_recordset: one bound parameter however many rows, parsed
 * by the database (a multi-row VALUES list would bind 21 parameters a row).
 */
export function rowsJson(rows: readonly SearchRow[]): string {
  return JSON.stringify(rows);
}

const EPOCH = '1970-01-01T00:00:00';

// PostgreSQL text and jsonb cannot hold U+0000; it means nothing in a search value anyway.
const noNul = (text: string) => (text.includes('\u0000') ? text.replace(/\u0000/g, '') : text);
const strings = (value: unknown): string[] => asStrings(value).map(noNul);

const SHORT_PREFIXES: Readonly<Record<string, string>> = lookupTable({
  title: 't:',
  notes: 'n:',
  res_name: 'rn:',
  res_description: 'rd:',
  author: 'a:',
  maintainer: 'm:',
  urls: 'u:',
});

/**
 * How the per-field vector marks a text field's words ("title" → "t:"): short, because it is
 * repeated before every word and the vector is the largest thing the index writes.
 */
export function fieldPrefix(field: string): string {
  const short = SHORT_PREFIXES[field];
  if (short) return short;
  if (field.startsWith('extras_')) return `x.${field.slice('extras_'.length)}:`;
  if (field.startsWith('res_extras_')) return `rx.${field.slice('res_extras_'.length)}:`;
  return `${field}:`;
}

/**
 * In the catch-all vector of every active public dataset (what anonymous callers see): no word
 * contains '~', so no query term can match it by chance.
 */
export const PUBLIC_ACTIVE_LEXEME = '~active-public';

/** The fields of the ranking vector: CKAN's boosted dismax fields (qf name^4 title^4 tags^2 groups^2). */
export const RANKED_FIELDS: ReadonlyArray<{ field: string; weight: 'A' | 'B' }> = [
  { field: 'name', weight: 'A' },
  { field: 'title', weight: 'A' },
  { field: 'tags', weight: 'B' },
  { field: 'groups', weight: 'B' },
];

const CATCH_ALL_FIELDS = new Set(CATCH_ALL_SOURCES.map((source) => source.field));

export function searchRow(doc: IndexDocument, pkg: DataDict): SearchRow {
  const exact: Record<string, string[]> = {};
  const analyzer = memoizedAnalyzer();
  const fields = new TsvectorBuilder(analyzer);
  for (const field in doc) {
    if (SCALAR_COLUMNS[field] || ARRAY_COLUMNS[field] || field === 'text') continue;
    const values = strings(doc[field]);
    if (!values.length) continue;
    if (fieldKind(field) === 'text') {
      const prefix = fieldPrefix(field);
      for (const text of values) fields.add(text, 'D', prefix);
    } else {
      exact[noNul(field)] = values;
    }
  }
  const urls = documentUrls(doc).map((url) => url.replace(/\u0000/g, ''));
  for (const url of urls) fields.add(url, 'D', fieldPrefix('urls'));

  const catchAll = new TsvectorBuilder(analyzer);
  for (const { field, weight } of CATCH_ALL_SOURCES) {
    const values = field === 'urls' ? urls : strings(doc[field]);
    for (const text of values) catchAll.add(text, weight);
  }
  for (const field in doc) {
    if (CATCH_ALL_FIELDS.has(field)) continue;
    const weight = catchAllWeight(field);
    if (weight) for (const text of strings(doc[field])) catchAll.add(text, weight);
  }

  if ((pkg.state ?? 'active') === 'active' && !pkg.private) catchAll.addMarker(PUBLIC_ACTIVE_LEXEME);

  const ranked = new TsvectorBuilder(analyzer);
  for (const { field, weight } of RANKED_FIELDS) {
    for (const text of strings(doc[field])) ranked.add(text, weight, '', true);
  }

  const first = (field: string): string | null => strings(doc[field])[0] ?? null;
  return {
    package_id: noNul(String(pkg.id)),
    state: noNul(String(pkg.state ?? 'active')),
    capacity: pkg.private ? 'private' : 'public',
    labels: strings(doc.permission_labels),
    name: noNul(String(pkg.name ?? '')),
    organization: first('organization'),
    owner_org: first('owner_org'),
    license_id: first('license_id'),
    dataset_type: first('dataset_type'),
    tags: strings(doc.tags),
    groups: strings(doc.groups),
    res_format: strings(doc.res_format),
    title_sort: noNul(sortKey(typeof pkg.title === 'string' ? pkg.title : '')),
    metadata_created: typeof pkg.metadata_created === 'string' ? pkg.metadata_created : EPOCH,
    metadata_modified: typeof pkg.metadata_modified === 'string' ? pkg.metadata_modified : EPOCH,
    num_resources: integerOr(pkg.num_resources, Array.isArray(pkg.resources) ? pkg.resources.length : 0),
    num_tags: integerOr(pkg.num_tags, Array.isArray(pkg.tags) ? pkg.tags.length : 0),
    exact,
    tsv: catchAll.toString(),
    ftsv: fields.toString(),
    rtsv: ranked.toString(),
  };
}

function integerOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}
