// RDF → CKAN: each dcat:Dataset (and dcat:DatasetSeries) of a graph becomes a package dict in
// package_show form. Repeated values are sorted, so the same graph always gives the same dict (the
// content hash of unchanged records stays the same even though blank node labels change).
import type { Quad, Store, Term } from 'n3';
import { createHash } from 'node:crypto';
import { DATASET_MAPPING, DISTRIBUTION_MAPPING, type Mapping } from './mapping.ts';
import { ADMS, DCAT, DCT, FOAF, LOCN, RDF, RDFS, SCHEMA, SKOS, SPDX, TIME, VCARD } from './namespaces.ts';
import { licenseIdFor } from './licenses.ts';

type DataDict = Record<string, any>;

export interface ToCkanOptions {
  /** Literals in this language win (else untagged, else English, else any). */
  language?: string;
}

export interface HarvestedDataset {
  /** The dataset's IRI, or null for a blank node. */
  uri: string | null;
  /** The identity at the source: the IRI, else dct:identifier, else a digest of the title. */
  guid: string;
  dict: DataDict;
}

class GraphReader {
  readonly store: Store;
  readonly language: string;
  constructor(store: Store, language: string) {
    this.store = store;
    this.language = language;
  }

  objects(subject: Term, predicate: string): Term[] {
    return this.store.getQuads(subject, predicate, null, null).map((quad: Quad) => quad.object as Term);
  }

  /** The literal value in the preferred language. */
  literal(subject: Term, predicate: string): string | null {
    const terms = this.objects(subject, predicate).filter((term) => term.termType === 'Literal');
    if (!terms.length) return null;
    const lang = (term: Term) => (term as { language?: string }).language ?? '';
    const preferred =
      terms.find((term) => lang(term).toLowerCase().startsWith(this.language)) ??
      terms.find((term) => lang(term) === '') ??
      terms.find((term) => lang(term).toLowerCase().startsWith('en')) ??
      [...terms].sort((a, b) => (a.value < b.value ? -1 : 1))[0];
    return preferred.value.trim() || null;
  }

  /** A value of kind `kind`: IRIs for uri, literal text, or a labelled node's label. */
  value(subject: Term, mapping: Pick<Mapping, 'predicate' | 'kind' | 'multilingual'>): string | null {
    if (mapping.multilingual || mapping.kind === 'literal') return this.literal(subject, mapping.predicate) ?? this.labelled(subject, mapping.predicate)[0] ?? null;
    const values = this.values(subject, mapping);
    return values[0] ?? null;
  }

  values(subject: Term, mapping: Pick<Mapping, 'predicate' | 'kind'>): string[] {
    const out = new Set<string>();
    for (const term of this.objects(subject, mapping.predicate)) {
      if (term.termType === 'NamedNode') out.add(term.value);
      else if (term.termType === 'Literal') {
        if (term.value.trim()) out.add(term.value.trim());
      } else if (term.termType === 'BlankNode') {
        const label = this.label(term);
        if (label) out.add(label);
      }
    }
    return [...out].sort();
  }

  labelled(subject: Term, predicate: string): string[] {
    return this.objects(subject, predicate)
      .filter((term) => term.termType === 'BlankNode' || term.termType === 'NamedNode')
      .map((term) => this.label(term))
      .filter((label): label is string => !!label);
  }

  label(node: Term): string | null {
    for (const predicate of [RDFS('label'), SKOS('prefLabel'), DCT('title'), FOAF('name')]) {
      const text = this.literal(node, predicate);
      if (text) return text;
    }
    return null;
  }

  first(subject: Term, predicate: string): Term | null {
    const terms = this.objects(subject, predicate);
    if (!terms.length) return null;
    return [...terms].sort((a, b) => Number(b.termType === 'NamedNode') - Number(a.termType === 'NamedNode') || (a.value < b.value ? -1 : 1))[0];
  }
}

const stripMailto = (value: string) => value.replace(/^mailto:/i, '').trim();
const isIri = (term: Term) => term.termType === 'NamedNode';

/** A date literal as CKAN keeps it (ISO text); other text unchanged. */
function dateValue(text: string | null): string | null {
  if (!text) return null;
  return text.trim();
}

/** The short name of a format or media type IRI (…/file-type/CSV → CSV, …/media-types/text/csv → text/csv). */
export function formatLabel(value: string): string {
  if (!/^https?:\/\//.test(value)) return value;
  const media = /\/media-types?\/(.+)$/.exec(value);
  if (media) return decodeURIComponent(media[1]);
  const last = value.replace(/[#/]+$/, '').split(/[#/]/).pop() ?? value;
  return decodeURIComponent(last);
}

function setExtra(extras: Map<string, string>, key: string, value: unknown) {
  if (value === null || value === undefined || value === '') return;
  if (Array.isArray(value)) {
    if (!value.length) return;
    extras.set(key, JSON.stringify(value));
  } else extras.set(key, String(value));
}

function agent(reader: GraphReader, node: Term, prefix: string, extras: Map<string, string>, vcard: boolean) {
  if (vcard) {
    setExtra(extras, `${prefix}_name`, reader.literal(node, VCARD('fn')) ?? reader.literal(node, VCARD('organization-name')));
    const email = reader.first(node, VCARD('hasEmail'));
    if (email) setExtra(extras, `${prefix}_email`, stripMailto(email.termType === 'BlankNode' ? (reader.literal(email, VCARD('value')) ?? '') : email.value));
    const url = reader.first(node, VCARD('hasURL'));
    if (url) setExtra(extras, `${prefix}_url`, url.value);
  } else {
    setExtra(extras, `${prefix}_name`, reader.literal(node, FOAF('name')) ?? reader.label(node));
    const mbox = reader.first(node, FOAF('mbox'));
    if (mbox) setExtra(extras, `${prefix}_email`, stripMailto(mbox.value));
    const homepage = reader.first(node, FOAF('homepage'));
    if (homepage) setExtra(extras, `${prefix}_url`, homepage.value);
    const type = reader.first(node, DCT('type'));
    if (type) setExtra(extras, `${prefix}_type`, type.value);
    setExtra(extras, `${prefix}_identifier`, reader.literal(node, DCT('identifier')));
  }
  if (isIri(node)) setExtra(extras, `${prefix}_uri`, node.value);
}

function distribution(reader: GraphReader, node: Term): DataDict {
  const resource: DataDict = {};
  for (const mapping of DISTRIBUTION_MAPPING) {
    if (mapping.many) {
      const values = reader.values(node, mapping);
      if (values.length) resource[mapping.key] = values;
      continue;
    }
    const value = reader.value(node, mapping);
    if (value === null) continue;
    if (mapping.kind === 'integer') {
      const number = Number(value);
      if (Number.isInteger(number) && number >= 0) resource[mapping.key] = number;
    } else resource[mapping.key] = mapping.kind === 'date' ? dateValue(value) : value;
  }
  resource.url = resource.download_url ?? resource.access_url ?? '';
  const format = reader.first(node, DCT('format'));
  if (format) resource.format = format.termType === 'Literal' ? format.value : (reader.label(format) ?? formatLabel(format.value));
  const media = reader.first(node, DCAT('mediaType'));
  if (media) resource.mimetype = formatLabel(media.value);
  if (!resource.format && resource.mimetype) resource.format = String(resource.mimetype).split('/').pop()?.toUpperCase();
  const checksum = reader.first(node, SPDX('checksum'));
  if (checksum) {
    const value = reader.literal(checksum, SPDX('checksumValue'));
    if (value) resource.hash = value;
    const algorithm = reader.first(checksum, SPDX('algorithm'));
    if (algorithm) resource.hash_algorithm = algorithm.value;
  }
  if (isIri(node)) resource.uri = node.value;
  return resource;
}

/** Every dataset of the graph as a package dict, sorted by guid. */
export function datasetsFromGraph(store: Store, options: ToCkanOptions = {}): HarvestedDataset[] {
  const reader = new GraphReader(store, (options.language ?? 'vi').toLowerCase());
  const subjects = new Map<string, Term>();
  for (const type of [DCAT('Dataset'), DCAT('DatasetSeries')]) {
    for (const quad of store.getQuads(null, RDF('type'), type, null)) subjects.set(`${quad.subject.termType}:${quad.subject.value}`, quad.subject as Term);
  }
  for (const quad of store.getQuads(null, DCAT('dataset'), null, null)) {
    const node = quad.object as Term;
    if (node.termType !== 'Literal') subjects.set(`${node.termType}:${node.value}`, node);
  }
  const out: HarvestedDataset[] = [];
  for (const node of subjects.values()) out.push(datasetFrom(reader, node));
  return out.sort((a, b) => (a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : 0));
}

function datasetFrom(reader: GraphReader, node: Term): HarvestedDataset {
  const dict: DataDict = {};
  const extras = new Map<string, string>();
  for (const mapping of DATASET_MAPPING) {
    if (mapping.many) {
      setExtra(extras, mapping.key, reader.values(node, mapping));
      continue;
    }
    const value = reader.value(node, mapping);
    if (value === null) continue;
    const text = mapping.kind === 'date' ? dateValue(value) : value;
    if (mapping.field) dict[mapping.key] = text;
    else setExtra(extras, mapping.key, text);
  }
  if (!dict.version) {
    const version = reader.literal(node, ADMS('version'));
    if (version) dict.version = version;
  }

  const keywords = new Set<string>();
  for (const term of reader.objects(node, DCAT('keyword'))) if (term.termType === 'Literal' && term.value.trim()) keywords.add(term.value.trim());
  dict.tags = [...keywords].sort().map((name) => ({ name }));

  const contact = reader.first(node, DCAT('contactPoint'));
  if (contact) agent(reader, contact, 'contact', extras, true);
  const publisher = reader.first(node, DCT('publisher'));
  if (publisher) agent(reader, publisher, 'publisher', extras, false);
  const creator = reader.first(node, DCT('creator'));
  if (creator) agent(reader, creator, 'creator', extras, false);

  const temporal = reader.first(node, DCT('temporal'));
  if (temporal) {
    const start = reader.literal(temporal, DCAT('startDate')) ?? reader.literal(temporal, SCHEMA('startDate')) ?? timeInstant(reader, temporal, TIME('hasBeginning'));
    const end = reader.literal(temporal, DCAT('endDate')) ?? reader.literal(temporal, SCHEMA('endDate')) ?? timeInstant(reader, temporal, TIME('hasEnd'));
    setExtra(extras, 'temporal_start', start);
    setExtra(extras, 'temporal_end', end);
  }
  const spatial = reader.first(node, DCT('spatial'));
  if (spatial) {
    if (isIri(spatial)) setExtra(extras, 'spatial_uri', spatial.value);
    setExtra(extras, 'spatial_text', reader.label(spatial));
    if (spatial.termType === 'Literal') setExtra(extras, 'spatial_text', spatial.value);
    setExtra(extras, 'spatial', reader.literal(spatial, LOCN('geometry')));
    setExtra(extras, 'spatial_bbox', reader.literal(spatial, DCAT('bbox')));
    setExtra(extras, 'spatial_centroid', reader.literal(spatial, DCAT('centroid')));
  }
  const alternate = reader.objects(node, ADMS('identifier')).map((term) => reader.literal(term, SKOS('notation')) ?? (term.termType === 'Literal' ? term.value : null)).filter((v): v is string => !!v);
  setExtra(extras, 'alternate_identifier', [...new Set(alternate)].sort());

  const resources = reader
    .objects(node, DCAT('distribution'))
    .filter((term) => term.termType !== 'Literal')
    .map((term) => distribution(reader, term))
    .sort((a, b) => String(a.uri ?? a.url ?? '').localeCompare(String(b.uri ?? b.url ?? '')) || String(a.name ?? '').localeCompare(String(b.name ?? '')));
  dict.resources = resources;

  // The dataset's licence: its own dct:license, else the first distribution's (ckanext-dcat).
  const licenseTerm = reader.first(node, DCT('license'));
  const licenseValue = licenseTerm ? (licenseTerm.termType === 'BlankNode' ? reader.label(licenseTerm) : licenseTerm.value) : (resources.find((r) => r.license)?.license ?? null);
  if (licenseValue) {
    const id = licenseIdFor(licenseValue);
    if (id) dict.license_id = id;
    else setExtra(extras, 'license_url', licenseValue);
  }

  const isSeries = reader.store.getQuads(node, RDF('type'), DCAT('DatasetSeries'), null).length > 0;
  if (isSeries) setExtra(extras, 'dataset_series', 'true');
  const uri = isIri(node) ? node.value : null;
  if (uri) setExtra(extras, 'uri', uri);

  if (!dict.title) dict.title = uri ? decodeURIComponent(uri.replace(/[#/]+$/, '').split(/[#/]/).pop() ?? uri) : (extras.get('identifier') ?? 'dataset');
  dict.extras = [...extras.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, value }));
  const identifier = extras.get('identifier');
  const guid = uri ?? identifier ?? `title:${createHash('sha256').update(String(dict.title)).digest('hex').slice(0, 32)}`;
  return { uri, guid, dict };
}

function timeInstant(reader: GraphReader, node: Term, predicate: string): string | null {
  const instant = reader.first(node, predicate);
  if (!instant) return null;
  return reader.literal(instant, TIME('inXSDDateTimeStamp')) ?? reader.literal(instant, TIME('inXSDDateTime')) ?? reader.literal(instant, TIME('inXSDDate'));
}
