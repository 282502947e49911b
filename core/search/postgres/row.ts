// One package_search row from a flat index document. The exact fields clients filter and facet on
// most have their own columns (btree or GIN over text[]: exact, no recheck, cheap to count); every
// other exact field is in a jsonb object of string arrays (GIN containment answers `field:value`);
// the catch-all `text` is a weighted tsvector; each analysed text field goes into a second tsvector
// whose lexemes carry the field name ("title:record"), so `title:record` is a GIN lookup too.
import type { DataDict } from '../../actions/types.ts';
import type { IndexDocument } from '../../plugins/interfaces.ts';
import { CATCH_ALL_SOURCES, asStrings, catchAllWeight, documentUrls, fieldKind } from '../index-document.ts';
import { TsvectorBuilder, sortKey, textArrayLiteral } from './analysis.ts';

/** Single-valued exact fields stored in a column of their own (field → column). */
export const SCALAR_COLUMNS: Readonly<Record<string, string>> = {
  id: 'package_id',
  name: 'name',
  state: 'state',
  capacity: 'capacity',
  organization: 'organization',
  owner_org: 'owner_org',
  license_id: 'license_id',
  dataset_type: 'dataset_type',
};

/** Multi-valued exact fields stored as text[] columns (field → column). */
export const ARRAY_COLUMNS: Readonly<Record<string, string>> = { tags: 'tags', groups: 'groups', res_format: 'res_format' };

export interface SearchRow {
  package_id: string;
  state: string;
  capacity: string;
  /** text[] literal */
  labels: string;
  name: string;
  organization: string | null;
  owner_org: string | null;
  license_id: string | null;
  dataset_type: string | null;
  /** text[] literals */
  tags: string;
  groups: string;
  res_format: string;
  title_sort: string;
  metadata_created: string;
  metadata_modified: string;
  num_resources: number;
  num_tags: number;
  /** jsonb text */
  exact: string;
  /** tsvector literals */
  tsv: string;
  ftsv: string;
}

const CASTS: Partial<Record<keyof SearchRow, string>> = {
  labels: '::text[]',
  tags: '::text[]',
  groups: '::text[]',
  res_format: '::text[]',
  metadata_created: '::timestamp',
  metadata_modified: '::timestamp',
  exact: '::jsonb',
  tsv: '::tsvector',
  ftsv: '::tsvector',
};

export const ROW_COLUMNS: ReadonlyArray<keyof SearchRow> = [
  'package_id', 'state', 'capacity', 'labels', 'name', 'organization', 'owner_org', 'license_id', 'dataset_type',
  'tags', 'groups', 'res_format', 'title_sort', 'metadata_created', 'metadata_modified', 'num_resources', 'num_tags',
  'exact', 'tsv', 'ftsv',
];

/** The SQL placeholders (with casts) of one row, in ROW_COLUMNS order. */
export const ROW_PLACEHOLDERS = `(${ROW_COLUMNS.map((column) => `?${CASTS[column] ?? ''}`).join(', ')})`;

const EPOCH = '1970-01-01T00:00:00';

// PostgreSQL text and jsonb cannot hold U+0000; it means nothing in a search value anyway.
const strings = (value: unknown): string[] => asStrings(value).map((text) => text.replace(/\u0000/g, ''));

export function searchRow(doc: IndexDocument, pkg: DataDict): SearchRow {
  const exact: Record<string, string[]> = {};
  const fields = new TsvectorBuilder();
  for (const [field, value] of Object.entries(doc)) {
    const values = strings(value);
    if (!values.length || SCALAR_COLUMNS[field] || ARRAY_COLUMNS[field]) continue;
    if (fieldKind(field) === 'text') {
      if (field === 'text') continue;
      for (const text of values) fields.add(text, 'D', `${field}:`);
    } else {
      exact[field] = values;
    }
  }
  const urls = documentUrls(doc).map((url) => url.replace(/\u0000/g, ''));
  for (const url of urls) fields.add(url, 'D', 'urls:');

  const catchAll = new TsvectorBuilder();
  for (const { field, weight } of CATCH_ALL_SOURCES) {
    const values = field === 'urls' ? urls : strings(doc[field]);
    for (const text of values) catchAll.add(text, weight);
  }
  for (const field of Object.keys(doc)) {
    if (CATCH_ALL_SOURCES.some((source) => source.field === field)) continue;
    const weight = catchAllWeight(field);
    if (weight) for (const text of strings(doc[field])) catchAll.add(text, weight);
  }

  const first = (field: string): string | null => strings(doc[field])[0] ?? null;
  return {
    package_id: String(pkg.id),
    state: String(pkg.state ?? 'active'),
    capacity: pkg.private ? 'private' : 'public',
    labels: textArrayLiteral(strings(doc.permission_labels)),
    name: String(pkg.name ?? ''),
    organization: first('organization'),
    owner_org: first('owner_org'),
    license_id: first('license_id'),
    dataset_type: first('dataset_type'),
    tags: textArrayLiteral(strings(doc.tags)),
    groups: textArrayLiteral(strings(doc.groups)),
    res_format: textArrayLiteral(strings(doc.res_format)),
    title_sort: sortKey(typeof pkg.title === 'string' ? pkg.title : ''),
    metadata_created: typeof pkg.metadata_created === 'string' ? pkg.metadata_created : EPOCH,
    metadata_modified: typeof pkg.metadata_modified === 'string' ? pkg.metadata_modified : EPOCH,
    num_resources: integerOr(pkg.num_resources, Array.isArray(pkg.resources) ? pkg.resources.length : 0),
    num_tags: integerOr(pkg.num_tags, Array.isArray(pkg.tags) ? pkg.tags.length : 0),
    exact: JSON.stringify(exact),
    tsv: catchAll.toString(),
    ftsv: fields.toString(),
  };
}

export function rowBindings(row: SearchRow): unknown[] {
  return ROW_COLUMNS.map((column) => row[column]);
}

function integerOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}
