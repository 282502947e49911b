// The flat search document of a dataset, built from the stored package dict the way CKAN's
// index_package does (ckan/lib/search/index.py), and the field vocabulary every backend shares:
// which fields are exact-match strings, analysed text, dates or numbers, which are multi-valued, and
// which feed the catch-all `text` field. Clients filter on these names (section 3.4 of the spec).
import { createHash } from 'node:crypto';
import type { DataDict } from '../actions/types.ts';
import type { IndexDocument } from '../plugins/interfaces.ts';
import { parseIsoDate } from '../clock.ts';

// One labelling rule for search and for package_show's access check.
export { datasetPermissionLabels } from '../auth/labels.ts';

export type FieldKind = 'exact' | 'text' | 'date' | 'numeric';

/** Exact-match (case-sensitive) string fields of CKAN's schema. Any other name is exact too (Solr's `*` dynamic field). */
export const EXACT_FIELDS: readonly string[] = [
  'id', 'name', 'site_id', 'index_id', 'state', 'dataset_type', 'type', 'capacity', 'organization', 'owner_org', 'groups',
  'tags', 'license_id', 'res_format', 'res_url', 'res_type', 'url', 'version', 'creator_user_id', 'entity_type',
  'permission_labels', 'title_string', 'author_email', 'maintainer_email', 'license_title', 'private', 'isopen',
];

/** Analysed text fields (lower-cased, diacritics folded, tokenised). Also every `extras_*` and `res_extras_*`. */
export const TEXT_FIELDS: readonly string[] = ['text', 'title', 'notes', 'res_name', 'res_description', 'author', 'maintainer', 'urls'];
const TEXT_PREFIXES = ['extras_', 'res_extras_'];

/** Date fields. Also every key ending in `_date`. */
export const DATE_FIELDS: readonly string[] = ['metadata_created', 'metadata_modified'];

export const NUMERIC_FIELDS: readonly string[] = ['num_resources', 'num_tags', 'views_total', 'views_recent'];

/** Fields that hold a list of values. Also every `vocab_*`. */
export const MULTI_VALUED_FIELDS: readonly string[] = [
  'tags', 'groups', 'res_name', 'res_description', 'res_format', 'res_url', 'res_type', 'permission_labels', 'urls', 'text',
];

export function fieldKind(field: string): FieldKind {
  if (TEXT_FIELDS.includes(field) || TEXT_PREFIXES.some((prefix) => field.startsWith(prefix))) return 'text';
  if (DATE_FIELDS.includes(field) || field.endsWith('_date')) return 'date';
  if (NUMERIC_FIELDS.includes(field)) return 'numeric';
  return 'exact';
}

export function isMultiValued(field: string): boolean {
  return MULTI_VALUED_FIELDS.includes(field) || field.startsWith('vocab_');
}

/** Solr can sort on single-valued, non-text fields (and on score). */
export function isSortable(field: string): boolean {
  return field === 'score' || (fieldKind(field) !== 'text' && !isMultiValued(field));
}

/** Weight classes of the catch-all `text`, after CKAN's qf "name^4 title^4 tags^2 groups^2 text". */
export type TextWeight = 'A' | 'B' | 'D';

/**
 * The fields copied into the catch-all `text` (schema.xml copyField), with their weight. Also every
 * `extras_*`, `res_extras_*` and `vocab_*` field, at weight D.
 */
export const CATCH_ALL_SOURCES: ReadonlyArray<{ field: string; weight: TextWeight }> = [
  { field: 'name', weight: 'A' },
  { field: 'title', weight: 'A' },
  { field: 'tags', weight: 'B' },
  { field: 'groups', weight: 'B' },
  { field: 'notes', weight: 'D' },
  { field: 'organization', weight: 'D' },
  { field: 'res_name', weight: 'D' },
  { field: 'res_description', weight: 'D' },
  { field: 'author', weight: 'D' },
  { field: 'maintainer', weight: 'D' },
  { field: 'urls', weight: 'D' },
  { field: 'text', weight: 'D' },
];
const CATCH_ALL_PREFIXES = ['extras_', 'res_extras_', 'vocab_'];

export function catchAllWeight(field: string): TextWeight | null {
  const source = CATCH_ALL_SOURCES.find((entry) => entry.field === field);
  if (source) return source.weight;
  return CATCH_ALL_PREFIXES.some((prefix) => field.startsWith(prefix)) ? 'D' : null;
}

// Keys an extra may not shadow as a plain field (index.py RESERVED_FIELDS).
const RESERVED_FIELDS = ['entity_type', 'res_url', 'text', 'urls', 'indexed_ts', 'site_id', 'tag', 'tags', 'group', 'groups', 'res_name', 'res_description', 'res_format', 'res_type'];
// Parts of the package dict that are flattened specially, or not indexed at all.
const STRUCTURED_KEYS = new Set(['extras', 'tags', 'groups', 'organization', 'resources', 'relationships_as_object', 'relationships_as_subject', 'tracking_summary', 'plugin_data']);
const RESOURCE_FIELDS: ReadonlyArray<[string, string]> = [
  ['name', 'res_name'],
  ['description', 'res_description'],
  ['format', 'res_format'],
  ['url', 'res_url'],
  ['resource_type', 'res_type'],
];

export interface IndexDocumentOptions {
  /** The dataset's permission labels (datasetPermissionLabels). */
  permissionLabels: string[];
  /** ckan.site_id */
  siteId: string;
  /** Plugin-declared dataset fields: indexed as exact strings even when their value is an object. */
  declaredFields?: readonly string[];
  /** vocabulary id → vocabulary name, for the `vocab_<name>` fields of vocabulary tags. */
  vocabularyNames?: ReadonlyMap<string, string>;
}

type Scalar = string | number | boolean;

/**
 * The flat document CKAN would send to Solr for this package dict. Single values stay scalars,
 * multi-valued fields are arrays; null and '' values are left out (pysolr drops them).
 */
export function buildIndexDocument(pkg: DataDict, options: IndexDocumentOptions): IndexDocument {
  const doc: IndexDocument = {};
  const declared = new Set(options.declaredFields ?? []);

  for (const [key, value] of Object.entries(pkg)) {
    if (STRUCTURED_KEYS.has(key)) continue;
    const indexed = indexableValue(value, declared.has(key));
    if (indexed !== undefined) doc[key] = indexed;
  }

  if (typeof pkg.title === 'string' && pkg.title) {
    doc.title_string = pkg.title;
    doc.title = pkg.title.trimStart();
  }

  const ownKeys = new Set([...RESERVED_FIELDS, ...Object.keys(pkg), 'title_string']);
  for (const extra of asList(pkg.extras)) {
    if (!extra || typeof extra !== 'object' || typeof extra.key !== 'string') continue;
    let value: unknown = extra.value;
    if (Array.isArray(value)) value = value.map(String).join(' ');
    const key = extra.key.replace(/[^A-Za-z0-9_-]/g, '');
    const indexed = indexableValue(value, false);
    if (indexed === undefined) continue;
    doc[`extras_${key}`] = indexed;
    if (!ownKeys.has(key)) doc[key] = indexed;
  }

  const tags: string[] = [];
  for (const tag of asList(pkg.tags)) {
    if (!tag || typeof tag.name !== 'string') continue;
    if (tag.vocabulary_id) {
      const vocabulary = options.vocabularyNames?.get(tag.vocabulary_id) ?? tag.vocabulary_id;
      const field = `vocab_${vocabulary}`;
      doc[field] = [...((doc[field] as string[] | undefined) ?? []), tag.name];
    } else {
      tags.push(tag.name);
    }
  }
  doc.tags = tags;
  doc.groups = asList(pkg.groups).map((group) => group?.name).filter((name): name is string => typeof name === 'string');
  doc.capacity = pkg.private ? 'private' : 'public';
  const orgName = pkg.organization && typeof pkg.organization === 'object' ? pkg.organization.name : null;
  if (orgName) doc.organization = orgName;
  else delete doc.organization;

  for (const [, target] of RESOURCE_FIELDS) doc[target] = [];
  for (const resource of asList(pkg.resources)) {
    if (!resource || typeof resource !== 'object') continue;
    for (const [source, target] of RESOURCE_FIELDS) {
      const value = resource[source];
      if (value === null || value === undefined || value === '') continue;
      (doc[target] as string[]).push(String(value));
    }
  }

  doc.entity_type = 'package';
  doc.dataset_type = pkg.type ?? 'dataset';

  for (const key of Object.keys(doc)) {
    if (!key.endsWith('_date')) continue;
    const date = typeof doc[key] === 'string' ? parseIsoDate(doc[key] as string) : null;
    if (date) doc[key] = solrDate(date);
    else delete doc[key];
  }
  if (typeof pkg.metadata_created === 'string') doc.metadata_created = `${pkg.metadata_created}Z`;
  if (typeof pkg.metadata_modified === 'string') doc.metadata_modified = `${pkg.metadata_modified}Z`;

  doc.site_id = options.siteId;
  doc.index_id = createHash('md5').update(`${pkg.id}${options.siteId}`).digest('hex');
  doc.permission_labels = [...options.permissionLabels];
  return doc;
}

/** `*_date` values normalised to six fraction digits, so that they compare correctly as text. */
export function solrDate(naiveIso: string): string {
  const [seconds, fraction = ''] = naiveIso.split('.');
  return `${seconds}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}

/** The URLs of a document, which CKAN copies into the `urls` text field and from there into `text`. */
export function documentUrls(doc: IndexDocument): string[] {
  return ['url', 'ckan_url', 'download_url', 'res_url'].flatMap((field) => asStrings(doc[field]));
}

/** A document value as a list of strings (numbers and booleans as Solr prints them). */
export function asStrings(value: unknown): string[] {
  if (value === null || value === undefined || value === '') return [];
  if (Array.isArray(value)) return value.flatMap(asStrings);
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [JSON.stringify(value)];
}

function indexableValue(value: unknown, declared: boolean): Scalar | Scalar[] | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    const scalars = value.filter((item): item is Scalar => ['string', 'number', 'boolean'].includes(typeof item) && item !== '');
    if (scalars.length === value.length) return scalars;
    return declared ? JSON.stringify(value) : undefined;
  }
  return declared ? JSON.stringify(value) : undefined;
}

function asList(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}
