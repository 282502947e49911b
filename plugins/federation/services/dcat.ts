// DCAT-AP 3 output: the harvest plugin's CKAN → DCAT mapping (container service `harvest.dcat`),
// plus what the DCAT-AP 3.0.1 shapes ask of a published catalogue and the Vietnamese profile.
import type { Quad } from 'n3';
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import type { DcatService } from '../../harvest/dcat/index.ts';
import { toRdfXml } from './rdfxml.ts';
import { addVietnameseProfile, DEFAULT_TOPIC_GROUPS } from './vn-profile.ts';
import type { FederationSettings } from '../settings.ts';

export const FORMATS = {
  rdf: 'application/rdf+xml',
  xml: 'application/rdf+xml',
  ttl: 'text/turtle',
  n3: 'text/n3',
  jsonld: 'application/ld+json',
} as const;
export type DcatFormat = keyof typeof FORMATS;

export const isFormat = (value: unknown): value is DcatFormat => typeof value === 'string' && Object.hasOwn(FORMATS, value);

/** The RDF format an Accept header prefers, or null when it prefers anything else (HTML). */
export function negotiate(accept: string | undefined): DcatFormat | null {
  if (!accept) return null;
  const ranked = accept
    .split(',')
    .map((part, index) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? 1);
      return { type: type.trim(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { type } of ranked) {
    const format = (Object.entries(FORMATS) as Array<[DcatFormat, string]>).find(([, mime]) => mime === type)?.[0];
    if (format) return format;
    if (type === 'text/html' || type === 'application/xhtml+xml' || type === '*/*' || type === 'text/*') return null;
  }
  return null;
}

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const D = (local: string) => `http://www.w3.org/ns/dcat#${local}`;
const T = (local: string) => `http://purl.org/dc/terms/${local}`;
const HYDRA = (local: string) => `http://www.w3.org/ns/hydra/core#${local}`;
const SPDX = (local: string) => `http://spdx.org/rdf/terms#${local}`;
const XSD = (local: string) => `http://www.w3.org/2001/XMLSchema#${local}`;
const FILE_TYPE = (code: string) => `http://publications.europa.eu/resource/authority/file-type/${code}`;
const EU_LANG = (code: string) => `http://publications.europa.eu/resource/authority/language/${code}`;

/**
 * The RDF profiles Kho serialises with (ckanext-dcat's `profiles=`): DCAT-AP 3.0.1, and the
 * Vietnamese profile, which builds on it (asking for it gives both).
 */
export const DCAT_PROFILES = ['euro_dcat_ap_3', 'vn_dcat_ap'] as const;
export type DcatProfile = (typeof DCAT_PROFILES)[number];

export interface DcatContext {
  dcat: DcatService;
  /** Whether the Vietnamese profile is applied (`profiles=euro_dcat_ap_3` leaves it out). */
  vietnamese: boolean;
  settings: FederationSettings;
  baseUri: string;
  language: string;
  site: { title: string; description: string; url: string };
  action: ActionContext;
  orgCache: Map<string, DataDict | null>;
}

export function dcatContext(action: ActionContext, settings: FederationSettings, profiles: readonly DcatProfile[] = DCAT_PROFILES): DcatContext {
  const { config } = action.services;
  const site = config.site as unknown as { url: string; title?: string; description?: string; locale_default: string };
  return {
    dcat: (action.services as unknown as Record<string, DcatService>)['harvest.dcat'],
    vietnamese: profiles.includes('vn_dcat_ap'),
    settings,
    baseUri: (settings.base_uri ?? site.url).replace(/\/+$/, ''),
    language: site.locale_default ?? 'vi',
    site: { title: site.title || 'Kho', description: site.description || site.title || 'Kho', url: site.url },
    action,
    orgCache: new Map(),
  };
}

async function organizationOf(ctx: DcatContext, pkg: DataDict): Promise<DataDict | null> {
  const id = pkg.owner_org ?? pkg.organization?.id;
  if (!id) return null;
  if (!ctx.orgCache.has(id)) {
    const org = await ctx.action.action('organization_show', { id, include_datasets: false, include_users: false }, { ignoreAuth: true }).catch(() => null);
    ctx.orgCache.set(id, org);
  }
  return ctx.orgCache.get(id) ?? null;
}

/** One dataset's triples: the shared mapping, then DCAT-AP 3 requirements and the Vietnamese profile. */
export async function datasetQuads(ctx: DcatContext, pkg: DataDict): Promise<{ iri: string; quads: Quad[] }> {
  const { DataFactory: f } = await import('n3');
  const quads = await ctx.dcat.datasetToQuads(pkg, { baseUri: ctx.baseUri, language: ctx.language });
  const iri = quads[0].subject.value;
  conform(quads, iri, pkg, ctx, f);
  if (ctx.vietnamese) addVietnameseProfile(quads, iri, pkg, { topicGroups: { ...DEFAULT_TOPIC_GROUPS, ...ctx.settings.topic_groups }, organization: await organizationOf(ctx, pkg) }, f);
  return { iri, quads };
}

/**
 * What the DCAT-AP 3.0.1 shapes require beyond the shared mapping: a description on every dataset,
 * an access URL on every distribution, and typed nodes where a range is a class (formats, licences,
 * publishers). Formats become EU file-type IRIs, which the harvester reads back as the same label.
 */
function conform(quads: Quad[], datasetIri: string, pkg: DataDict, ctx: DcatContext, f: typeof import('n3').DataFactory) {
  const { namedNode: iri, literal, quad } = f;
  const dataset = iri(datasetIri);
  const objects = (subject: string, predicate: string) => quads.filter((q) => q.subject.value === subject && q.predicate.value === predicate);
  if (!objects(datasetIri, T('description')).length) quads.push(quad(dataset, iri(T('description')), literal(String(pkg.title ?? pkg.name), ctx.language)));
  const typed = new Set<string>();
  const type = (node: Quad['object'], cls: string) => {
    const key = `${node.value} ${cls}`;
    if (node.termType === 'Literal' || typed.has(key)) return;
    typed.add(key);
    quads.push(quad(node as any, iri(RDF_TYPE), iri(cls)));
  };
  for (const q of objects(datasetIri, T('publisher'))) type(q.object, 'http://xmlns.com/foaf/0.1/Agent');
  for (const q of objects(datasetIri, T('license'))) type(q.object, T('LicenseDocument'));
  for (const q of objects(datasetIri, T('accrualPeriodicity'))) type(q.object, T('Frequency'));
  for (const q of objects(datasetIri, T('accessRights'))) type(q.object, T('RightsStatement'));
  for (const q of objects(datasetIri, T('language'))) type(q.object, T('LinguisticSystem'));
  for (const q of objects(datasetIri, T('conformsTo'))) type(q.object, T('Standard'));
  for (const q of objects(datasetIri, T('provenance'))) type(q.object, T('ProvenanceStatement'));
  for (const q of objects(datasetIri, D('landingPage'))) type(q.object, 'http://xmlns.com/foaf/0.1/Document');
  for (const q of objects(datasetIri, 'http://xmlns.com/foaf/0.1/page')) type(q.object, 'http://xmlns.com/foaf/0.1/Document');
  for (const q of objects(datasetIri, D('theme'))) type(q.object, 'http://www.w3.org/2004/02/skos/core#Concept');
  for (const q of objects(datasetIri, T('type'))) type(q.object, 'http://www.w3.org/2004/02/skos/core#Concept');
  for (const dist of objects(datasetIri, D('distribution'))) {
    const node = dist.object.value;
    if (!objects(node, D('accessURL')).length) quads.push(quad(dist.object as any, iri(D('accessURL')), iri(`${ctx.baseUri}/dataset/${pkg.id}`)));
    for (const q of objects(node, T('format'))) {
      if (q.object.termType !== 'Literal') continue;
      const code = q.object.value.trim().toUpperCase().replace(/[^A-Z0-9_]/g, '_');
      quads.splice(quads.indexOf(q), 1);
      if (!code) continue;
      const format = iri(FILE_TYPE(code));
      quads.push(quad(dist.object as any, iri(T('format')), format));
      type(format, T('MediaTypeOrExtent'));
    }
    for (const q of objects(node, D('mediaType'))) type(q.object, T('MediaType'));
    for (const q of objects(node, 'http://xmlns.com/foaf/0.1/page')) type(q.object, 'http://xmlns.com/foaf/0.1/Document');
    for (const q of objects(node, SPDX('checksum'))) {
      type(q.object, SPDX('Checksum'));
      for (const algorithm of objects(q.object.value, SPDX('algorithm'))) type(algorithm.object, SPDX('ChecksumAlgorithm'));
    }
    for (const q of objects(node, T('license'))) type(q.object, T('LicenseDocument'));
    for (const q of objects(node, T('rights'))) type(q.object, T('RightsStatement'));
    for (const q of objects(node, T('language'))) type(q.object, T('LinguisticSystem'));
    for (const q of objects(node, T('conformsTo'))) type(q.object, T('Standard'));
  }
}

export interface Paging {
  page: number;
  perPage: number;
  total: number;
  /** The page URL without its page parameter: ckanext-dcat keeps only modified_since, profiles, q, fq. */
  pageUrl: (page: number) => string;
}

/** The catalogue node, its datasets and hydra paging (ckanext-dcat's hydra:PagedCollection). */
export async function catalogQuads(ctx: DcatContext, packages: DataDict[], paging: Paging | null): Promise<Quad[]> {
  const { DataFactory: f } = await import('n3');
  const { namedNode: iri, literal, quad } = f;
  const catalog = iri(ctx.baseUri + '/');
  const out: Quad[] = [
    quad(catalog, iri(RDF_TYPE), iri(D('Catalog'))),
    quad(catalog, iri(T('title')), literal(ctx.site.title, ctx.language)),
    quad(catalog, iri(T('description')), literal(ctx.site.description, ctx.language)),
    quad(catalog, iri('http://xmlns.com/foaf/0.1/homepage'), iri(ctx.site.url.replace(/\/*$/, '/'))),
    quad(iri(ctx.site.url.replace(/\/*$/, '/')), iri(RDF_TYPE), iri('http://xmlns.com/foaf/0.1/Document')),
  ];
  const language = iri(EU_LANG(ctx.language.startsWith('vi') ? 'VIE' : 'ENG'));
  out.push(quad(catalog, iri(T('language')), language), quad(language, iri(RDF_TYPE), iri(T('LinguisticSystem'))));
  const publisher = iri(`${ctx.baseUri}/#publisher`);
  out.push(quad(catalog, iri(T('publisher')), publisher), quad(publisher, iri(RDF_TYPE), iri('http://xmlns.com/foaf/0.1/Agent')), quad(publisher, iri('http://xmlns.com/foaf/0.1/name'), literal(ctx.site.title)));
  let newest: string | null = null;
  for (const pkg of packages) {
    const { iri: datasetIri, quads } = await datasetQuads(ctx, pkg);
    out.push(quad(catalog, iri(D('dataset')), iri(datasetIri)), ...quads);
    if (typeof pkg.metadata_modified === 'string' && (!newest || pkg.metadata_modified > newest)) newest = pkg.metadata_modified;
  }
  if (newest) out.push(quad(catalog, iri(T('modified')), literal(newest, iri(XSD('dateTime')))));
  if (paging) {
    const last = Math.max(1, Math.ceil(paging.total / paging.perPage));
    const node = iri(paging.pageUrl(paging.page));
    const link = (names: string[], page: number) => names.map((name) => quad(node, iri(HYDRA(name)), literal(paging.pageUrl(page))));
    out.push(
      quad(node, iri(RDF_TYPE), iri(HYDRA('PagedCollection'))),
      quad(node, iri(HYDRA('totalItems')), literal(String(paging.total), iri(XSD('integer')))),
      quad(node, iri(HYDRA('itemsPerPage')), literal(String(paging.perPage), iri(XSD('integer')))),
      ...link(['firstPage', 'first'], 1),
      ...link(['lastPage', 'last'], last),
    );
    if (paging.page < last) out.push(...link(['nextPage', 'next'], paging.page + 1));
    if (paging.page > 1) out.push(...link(['previousPage', 'previous'], Math.min(paging.page - 1, last)));
  }
  return out;
}

export async function serialize(ctx: DcatContext, input: Quad[], format: DcatFormat): Promise<string> {
  // Each subject's statements together, in order of first appearance, so every syntax writes a node once.
  const groups = new Map<string, Quad[]>();
  for (const q of input) {
    const key = `${q.subject.termType}:${q.subject.value}`;
    groups.set(key, [...(groups.get(key) ?? []), q]);
  }
  // Blank nodes numbered in order, so the same data always gives the same bytes (ETags, diffs, tests).
  const { DataFactory: f, Writer } = await import('n3');
  const labels = new Map<string, Quad['subject']>();
  const relabel = <T extends Quad['subject'] | Quad['object']>(term: T): T => {
    if (term.termType !== 'BlankNode') return term;
    if (!labels.has(term.value)) labels.set(term.value, f.blankNode(`b${labels.size}`));
    return labels.get(term.value) as T;
  };
  const quads = [...groups.values()].flat().map((q) => f.quad(relabel(q.subject), q.predicate, relabel(q.object)));
  const prefixes = { ...ctx.dcat.mapping.prefixes, vn: 'https://w3id.org/kho/vn#' };
  if (format === 'rdf' || format === 'xml') return toRdfXml(quads, prefixes);
  if (format === 'jsonld') return ctx.dcat.serializeQuads(quads, 'jsonld');
  return new Promise((resolve, reject) => {
    const writer = new Writer({ prefixes });
    writer.addQuads(quads);
    writer.end((err, result) => (err ? reject(err) : resolve(result)));
  });
}
