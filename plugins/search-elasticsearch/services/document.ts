// The Elasticsearch document of a dataset: the same flat search document the PostgreSQL backend
// indexes (core/search/index-document.ts, CKAN's index_package, plus before_dataset_index hooks),
// typed for the mapping (services/mapping.ts), with the catch-all `text` field filled the way
// CKAN's schema copies fields into it, and the package dict kept whole for the results.
import type { DataDict } from '../../../core/actions/types.ts';
import type { IndexDocument } from '../../../core/plugins/interfaces.ts';
import {
  CATCH_ALL_SOURCES,
  asStrings,
  catchAllWeight,
  documentUrls,
  fieldKind,
  isMultiValued,
} from '../../../core/search/index-document.ts';

/**
 * A field name Elasticsearch takes: object paths ("a.b") are flattened ("a_b"); an empty name
 * (an extra whose key has no ASCII letter, such as "Độ") and names starting with "_" (which
 * Elasticsearch keeps for its metadata fields, "_id") get a prefix. Otherwise Elasticsearch
 * refuses the whole document and the dataset never reaches the index.
 */
export function esFieldName(field: string): string {
  const flat = field.replace(/\./g, '_');
  return flat === '' || flat.startsWith('_') ? `kho__${flat}` : flat;
}

const CATCH_ALL_FIELDS = new Set(CATCH_ALL_SOURCES.map((source) => source.field));

/** `doc`: the flat document after before_dataset_index; `pkg`: the stored package dict. */
export function esDocument(doc: IndexDocument, pkg: DataDict, version: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'text') continue;
    const values = asStrings(value);
    if (!values.length) continue;
    const field = esFieldName(key);
    switch (fieldKind(key)) {
      case 'numeric': {
        const number = Number(values[0]);
        if (Number.isFinite(number)) out[field] = number;
        break;
      }
      case 'text':
      case 'date':
      case 'exact':
        out[field] = values.length > 1 || isMultiValued(key) ? values : values[0];
        break;
    }
  }
  const urls = documentUrls(doc);
  out.urls = urls;
  const text: string[] = [];
  for (const { field } of CATCH_ALL_SOURCES) text.push(...(field === 'urls' ? urls : asStrings(doc[field])));
  for (const field of Object.keys(doc)) {
    if (!CATCH_ALL_FIELDS.has(field) && catchAllWeight(field)) text.push(...asStrings(doc[field]));
  }
  out.text = text;
  if (typeof pkg.title === 'string') out.title_sort = pkg.title;
  out.kho_version = version;
  out.kho_package = pkg;
  return out;
}
