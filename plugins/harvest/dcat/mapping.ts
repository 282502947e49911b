// The DCAT / DCAT-AP ↔ CKAN mapping, as one table read in both directions (after ckanext-dcat's
// euro_dcat_ap profiles): a predicate, where its value lives in the package dict (a core field or an
// extra; resources take distribution keys at their top level), how the value is written (literal,
// URI, date) and whether it repeats (lists are kept as JSON text in extras, as ckanext-dcat does).
// The agents, time span, place, licence and checksum are structured and are handled in code.
import { ADMS, DCAT, DCATAP, DCT, FOAF, OWL } from './namespaces.ts';

export type ValueKind = 'literal' | 'uri' | 'uriOrLiteral' | 'date' | 'integer';

export interface Mapping {
  predicate: string;
  /** Package field or extra key (datasets), resource key (distributions). */
  key: string;
  /** Datasets only: a core package field, else an extra. */
  field?: boolean;
  kind: ValueKind;
  many?: boolean;
  /** Literals in several languages: the preferred language is kept. */
  multilingual?: boolean;
}

export const DATASET_MAPPING: readonly Mapping[] = [
  { predicate: DCT('title'), key: 'title', field: true, kind: 'literal', multilingual: true },
  { predicate: DCT('description'), key: 'notes', field: true, kind: 'literal', multilingual: true },
  { predicate: DCAT('landingPage'), key: 'url', field: true, kind: 'uri' },
  { predicate: OWL('versionInfo'), key: 'version', field: true, kind: 'literal' },
  { predicate: DCT('identifier'), key: 'identifier', kind: 'literal' },
  { predicate: DCT('issued'), key: 'issued', kind: 'date' },
  { predicate: DCT('modified'), key: 'modified', kind: 'date' },
  { predicate: ADMS('versionNotes'), key: 'version_notes', kind: 'literal', multilingual: true },
  { predicate: DCT('accrualPeriodicity'), key: 'frequency', kind: 'uriOrLiteral' },
  { predicate: DCT('accessRights'), key: 'access_rights', kind: 'uriOrLiteral' },
  { predicate: DCT('provenance'), key: 'provenance', kind: 'uriOrLiteral' },
  { predicate: DCT('type'), key: 'dcat_type', kind: 'uriOrLiteral' },
  { predicate: DCAT('temporalResolution'), key: 'temporal_resolution', kind: 'literal' },
  { predicate: DCAT('spatialResolutionInMeters'), key: 'spatial_resolution_in_meters', kind: 'literal' },
  { predicate: DCAT('theme'), key: 'theme', kind: 'uriOrLiteral', many: true },
  { predicate: DCT('language'), key: 'language', kind: 'uriOrLiteral', many: true },
  { predicate: DCT('conformsTo'), key: 'conforms_to', kind: 'uriOrLiteral', many: true },
  { predicate: FOAF('page'), key: 'documentation', kind: 'uriOrLiteral', many: true },
  { predicate: DCT('relation'), key: 'related_resource', kind: 'uriOrLiteral', many: true },
  { predicate: DCT('hasVersion'), key: 'has_version', kind: 'uriOrLiteral', many: true },
  { predicate: DCT('isVersionOf'), key: 'is_version_of', kind: 'uriOrLiteral', many: true },
  { predicate: DCT('source'), key: 'source', kind: 'uriOrLiteral', many: true },
  { predicate: ADMS('sample'), key: 'sample', kind: 'uriOrLiteral', many: true },
  { predicate: DCT('isReferencedBy'), key: 'is_referenced_by', kind: 'uriOrLiteral', many: true },
  { predicate: DCATAP('applicableLegislation'), key: 'applicable_legislation', kind: 'uri', many: true },
  { predicate: DCATAP('hvdCategory'), key: 'hvd_category', kind: 'uri', many: true },
  { predicate: DCAT('inSeries'), key: 'in_series', kind: 'uri', many: true },
];

export const DISTRIBUTION_MAPPING: readonly Mapping[] = [
  { predicate: DCT('title'), key: 'name', kind: 'literal', multilingual: true },
  { predicate: DCT('description'), key: 'description', kind: 'literal', multilingual: true },
  { predicate: DCAT('downloadURL'), key: 'download_url', kind: 'uri' },
  { predicate: DCAT('accessURL'), key: 'access_url', kind: 'uri' },
  { predicate: DCAT('byteSize'), key: 'size', kind: 'integer' },
  { predicate: DCT('issued'), key: 'issued', kind: 'date' },
  { predicate: DCT('modified'), key: 'modified', kind: 'date' },
  { predicate: DCT('license'), key: 'license', kind: 'uriOrLiteral' },
  { predicate: DCT('rights'), key: 'rights', kind: 'uriOrLiteral' },
  { predicate: ADMS('status'), key: 'status', kind: 'uriOrLiteral' },
  { predicate: DCAT('compressFormat'), key: 'compress_format', kind: 'uriOrLiteral' },
  { predicate: DCAT('packageFormat'), key: 'package_format', kind: 'uriOrLiteral' },
  { predicate: DCT('language'), key: 'language', kind: 'uriOrLiteral', many: true },
  { predicate: DCT('conformsTo'), key: 'conforms_to', kind: 'uriOrLiteral', many: true },
  { predicate: FOAF('page'), key: 'documentation', kind: 'uriOrLiteral', many: true },
];

/** Agents: dcat:contactPoint (vCard) and dct:publisher / dct:creator (FOAF), as prefixed extras. */
export const AGENT_KEYS = {
  contact: ['contact_name', 'contact_email', 'contact_uri', 'contact_url'],
  publisher: ['publisher_name', 'publisher_email', 'publisher_url', 'publisher_type', 'publisher_uri', 'publisher_identifier'],
  creator: ['creator_name', 'creator_email', 'creator_url', 'creator_type', 'creator_uri', 'creator_identifier'],
} as const;

/** Extras the mapping fills besides the table: time span, place, licence, identity. */
export const OTHER_KEYS = ['temporal_start', 'temporal_end', 'spatial_uri', 'spatial_text', 'spatial', 'spatial_bbox', 'spatial_centroid', 'alternate_identifier', 'license_url', 'uri', 'dataset_series'] as const;
