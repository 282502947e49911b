// CKAN → RDF: a package dict as DCAT-AP triples, the same table read the other way (for the
// federation plugin's catalogue endpoints, and for round-trip tests of the harvester's mapping).
import type { Quad } from 'n3';
import { DATASET_MAPPING, DISTRIBUTION_MAPPING, type Mapping } from './mapping.ts';
import { DCAT, DCT, FOAF, LOCN, PREFIXES, RDF, SPDX, VCARD, XSD, ADMS, SKOS } from './namespaces.ts';
import { licenseUriFor } from './licenses.ts';

type DataDict = Record<string, any>;

export interface FromCkanOptions {
  /** Base of dataset and distribution URIs when a dataset has no `uri` (site.url). */
  baseUri: string;
  /** Language tag of titles and descriptions. */
  language?: string;
}

const isUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\/\S+$/i.test(value);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value === '') return [];
  if (value.startsWith('[')) {
    try {
      const parsed = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // plain text
    }
  }
  return [value];
}

/** The triples describing one dataset (DCAT-AP 3), as N3 quads. */
export async function datasetToQuads(pkg: DataDict, options: FromCkanOptions): Promise<Quad[]> {
  const { DataFactory } = await import('n3');
  const { namedNode, literal, blankNode, quad } = DataFactory;
  const lang = options.language ?? 'vi';
  const base = options.baseUri.replace(/\/+$/, '');
  const extras: Record<string, string> = {};
  for (const extra of pkg.extras ?? []) extras[extra.key] = extra.value;
  const get = (key: string, field?: boolean) => (field ? pkg[key] : (pkg[key] ?? extras[key]));
  const subject = namedNode(isUrl(extras.uri) ? extras.uri : `${base}/dataset/${pkg.id}`);
  const out: Quad[] = [quad(subject, namedNode(RDF('type')), namedNode(DCAT('Dataset')))];
  const node = (value: string, kind: Mapping['kind'], multilingual?: boolean) => {
    if ((kind === 'uri' || kind === 'uriOrLiteral') && isUrl(value)) return namedNode(value);
    if (kind === 'date') return literal(value, namedNode(DATE.test(value) ? XSD('date') : DATETIME.test(value) ? XSD('dateTime') : XSD('string')));
    if (kind === 'integer') return literal(String(value), namedNode(XSD('nonNegativeInteger')));
    return multilingual ? literal(String(value), lang) : literal(String(value));
  };
  const emit = (s: ReturnType<typeof namedNode> | ReturnType<typeof blankNode>, mapping: Mapping, value: unknown) => {
    for (const item of mapping.many ? listOf(value) : value === null || value === undefined || value === '' ? [] : [String(value)]) {
      out.push(quad(s, namedNode(mapping.predicate), node(item, mapping.kind, mapping.multilingual)));
    }
  };
  for (const mapping of DATASET_MAPPING) emit(subject, mapping, get(mapping.key, mapping.field));
  if (!extras.issued && pkg.metadata_created) out.push(quad(subject, namedNode(DCT('issued')), literal(pkg.metadata_created, namedNode(XSD('dateTime')))));
  if (!extras.modified && pkg.metadata_modified) out.push(quad(subject, namedNode(DCT('modified')), literal(pkg.metadata_modified, namedNode(XSD('dateTime')))));
  if (!extras.identifier) out.push(quad(subject, namedNode(DCT('identifier')), literal(String(pkg.id))));
  for (const tag of pkg.tags ?? []) out.push(quad(subject, namedNode(DCAT('keyword')), literal(String(tag.name), lang)));

  // Agents: contact point (vCard) and publisher (FOAF), the publisher falling back to the organization.
  if (extras.contact_name || extras.contact_email || pkg.maintainer || pkg.maintainer_email) {
    const contact = isUrl(extras.contact_uri) ? namedNode(extras.contact_uri) : blankNode();
    out.push(quad(subject, namedNode(DCAT('contactPoint')), contact), quad(contact, namedNode(RDF('type')), namedNode(VCARD('Kind'))));
    const name = extras.contact_name ?? pkg.maintainer;
    const email = extras.contact_email ?? pkg.maintainer_email;
    if (name) out.push(quad(contact, namedNode(VCARD('fn')), literal(name)));
    if (email) out.push(quad(contact, namedNode(VCARD('hasEmail')), namedNode(`mailto:${email}`)));
  }
  const publisherName = extras.publisher_name ?? pkg.organization?.title;
  if (publisherName) {
    const uri = extras.publisher_uri ?? (pkg.organization ? `${base}/organization/${pkg.organization.name}` : null);
    const publisher = isUrl(uri) ? namedNode(uri) : blankNode();
    out.push(quad(subject, namedNode(DCT('publisher')), publisher), quad(publisher, namedNode(RDF('type')), namedNode(FOAF('Agent'))), quad(publisher, namedNode(FOAF('name')), literal(publisherName)));
    if (extras.publisher_email) out.push(quad(publisher, namedNode(FOAF('mbox')), namedNode(`mailto:${extras.publisher_email}`)));
    if (isUrl(extras.publisher_url)) out.push(quad(publisher, namedNode(FOAF('homepage')), namedNode(extras.publisher_url)));
  }
  if (extras.temporal_start || extras.temporal_end) {
    const period = blankNode();
    out.push(quad(subject, namedNode(DCT('temporal')), period), quad(period, namedNode(RDF('type')), namedNode(DCT('PeriodOfTime'))));
    if (extras.temporal_start) out.push(quad(period, namedNode(DCAT('startDate')), node(extras.temporal_start, 'date')));
    if (extras.temporal_end) out.push(quad(period, namedNode(DCAT('endDate')), node(extras.temporal_end, 'date')));
  }
  if (extras.spatial_uri || extras.spatial_text || extras.spatial) {
    const place = isUrl(extras.spatial_uri) ? namedNode(extras.spatial_uri) : blankNode();
    out.push(quad(subject, namedNode(DCT('spatial')), place), quad(place, namedNode(RDF('type')), namedNode(DCT('Location'))));
    if (extras.spatial_text) out.push(quad(place, namedNode(SKOS('prefLabel')), literal(extras.spatial_text, lang)));
    if (extras.spatial) out.push(quad(place, namedNode(LOCN('geometry')), literal(extras.spatial, namedNode('https://www.iana.org/assignments/media-types/application/vnd.geo+json'))));
  }
  for (const id of listOf(extras.alternate_identifier)) {
    const identifier = blankNode();
    out.push(quad(subject, namedNode(ADMS('identifier')), identifier), quad(identifier, namedNode(SKOS('notation')), literal(id)));
  }

  const license = licenseUriFor(pkg.license_id) ?? (isUrl(extras.license_url) ? extras.license_url : null);
  for (const resource of pkg.resources ?? []) {
    const distribution = namedNode(isUrl(resource.uri) ? resource.uri : `${base}/dataset/${pkg.id}/resource/${resource.id}`);
    out.push(quad(subject, namedNode(DCAT('distribution')), distribution), quad(distribution, namedNode(RDF('type')), namedNode(DCAT('Distribution'))));
    const values: DataDict = { ...resource };
    values.access_url ??= resource.url;
    if (resource.url_type === 'upload') values.download_url ??= resource.url;
    if (!values.license && license) values.license = license;
    values.modified ??= resource.metadata_modified;
    values.issued ??= resource.created;
    for (const mapping of DISTRIBUTION_MAPPING) emit(distribution, mapping, values[mapping.key]);
    if (resource.format) out.push(quad(distribution, namedNode(DCT('format')), literal(String(resource.format))));
    if (resource.mimetype) out.push(quad(distribution, namedNode(DCAT('mediaType')), namedNode(`https://www.iana.org/assignments/media-types/${resource.mimetype}`)));
    if (resource.hash) {
      const checksum = blankNode();
      out.push(quad(distribution, namedNode(SPDX('checksum')), checksum), quad(checksum, namedNode(SPDX('checksumValue')), literal(String(resource.hash), namedNode(XSD('hexBinary')))));
      out.push(quad(checksum, namedNode(SPDX('algorithm')), namedNode(resource.hash_algorithm ?? SPDX('checksumAlgorithm_sha256'))));
    }
  }
  return out;
}

export type OutputSyntax = 'turtle' | 'ntriples' | 'jsonld';

/** Serialise quads (Turtle with the usual prefixes, N-Triples, or JSON-LD). */
export async function serializeQuads(quads: Quad[], syntax: OutputSyntax): Promise<string> {
  if (syntax === 'jsonld') {
    const { Writer } = await import('n3');
    const nquads = await new Promise<string>((resolve, reject) => {
      const writer = new Writer({ format: 'N-Quads' });
      writer.addQuads(quads);
      writer.end((err, result) => (err ? reject(err) : resolve(result)));
    });
    const jsonld = (await import('jsonld')).default;
    const expanded = await jsonld.fromRDF(nquads as never, { format: 'application/n-quads' });
    const compacted = await jsonld.compact(expanded as never, PREFIXES as never);
    return JSON.stringify(compacted, null, 2);
  }
  const { Writer } = await import('n3');
  return new Promise((resolve, reject) => {
    const writer = new Writer(syntax === 'turtle' ? { prefixes: PREFIXES } : { format: 'N-Triples' });
    writer.addQuads(quads);
    writer.end((err, result) => (err ? reject(err) : resolve(result)));
  });
}
