// One package_search row from a flat index document: the columns filters and sorts use, every
// exact-match field as a jsonb object of string arrays (GIN containment answers `field:value`), the
// catch-all `text` as a weighted tsvector, and each analysed text field in a second tsvector whose
// lexemes carry the field name ("title:record"), so `title:record` is a GIN lookup too.
import type { DataDict } from '../../actions/types.ts';
import type { IndexDocument } from '../../plugins/interfaces.ts';
import { CATCH_ALL_SOURCES, asStrings, catchAllWeight, documentUrls, fieldKind } from '../index-document.ts';
import { TsvectorBuilder, sortKey, textArrayLiteral } from './analysis.ts';

export interface SearchRow {
  package_id: string;
  state: string;
  capacity: string;
  /** text[] literal */
  labels: string;
  name: string;
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

export const ROW_COLUMNS: ReadonlyArray<keyof SearchRow> = [
  'package_id', 'state', 'capacity', 'labels', 'name', 'title_sort', 'metadata_created', 'metadata_modified',
  'num_resources', 'num_tags', 'exact', 'tsv', 'ftsv',
];

/** The SQL placeholder (with cast) of each column, in ROW_COLUMNS order. */
export const ROW_PLACEHOLDERS = '(?, ?, ?, ?::text[], ?, ?, ?::timestamp, ?::timestamp, ?, ?, ?::jsonb, ?::tsvector, ?::tsvector)';

const EPOCH = '1970-01-01T00:00:00';

export function searchRow(doc: IndexDocument, pkg: DataDict): SearchRow {
  const exact: Record<string, string[]> = {};
  const fields = new TsvectorBuilder();
  for (const [field, value] of Object.entries(doc)) {
    const values = asStrings(value);
    if (!values.length) continue;
    if (fieldKind(field) === 'text') {
      if (field === 'text') continue;
      for (const text of values) fields.add(text, 'D', `${field}:`);
    } else {
      exact[field] = values;
    }
  }
  const urls = documentUrls(doc);
  for (const url of urls) fields.add(url, 'D', 'urls:');

  const catchAll = new TsvectorBuilder();
  for (const { field, weight } of CATCH_ALL_SOURCES) {
    const values = field === 'urls' ? urls : asStrings(doc[field]);
    for (const text of values) catchAll.add(text, weight);
  }
  for (const field of Object.keys(doc)) {
    if (CATCH_ALL_SOURCES.some((source) => source.field === field)) continue;
    const weight = catchAllWeight(field);
    if (weight) for (const text of asStrings(doc[field])) catchAll.add(text, weight);
  }

  const labels = asStrings(doc.permission_labels);
  return {
    package_id: String(pkg.id),
    state: String(pkg.state ?? 'active'),
    capacity: pkg.private ? 'private' : 'public',
    labels: textArrayLiteral(labels),
    name: String(pkg.name ?? ''),
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
