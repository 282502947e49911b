// ckanext-dcat's actions: dcat_dataset_show, dcat_catalog_show, dcat_catalog_search and
// dcat_datasets_list, with its parameters (page, modified_since, q, fq, format) and its errors.
import type { ActionContext, ActionDefinition, AuthDefinition, DataDict } from '../../../core/actions/types.ts';
import { ValidationError } from '../../../core/errors.ts';
import { both, M } from '../i18n/messages.ts';
import { catalogQuads, DCAT_PROFILES, datasetQuads, dcatContext, isFormat, serialize, type DcatFormat, type DcatProfile } from '../services/dcat.ts';
import type { FederationSettings } from '../settings.ts';
import { ckanToDcat } from '../services/dcat-json.ts';

function formatOf(data: DataDict): DcatFormat {
  const format = String(data.format ?? data._format ?? 'rdf').toLowerCase();
  if (!isFormat(format)) throw new ValidationError({ format: [both(M.unknownFormat(format))] });
  return format;
}

/** ckanext-dcat's `profiles`: names separated by commas (or a list); unknown names are a 409. */
export function profilesOf(data: DataDict): DcatProfile[] | null {
  const raw = data.profiles;
  if (raw === undefined || raw === null || raw === '') return null;
  const names = (Array.isArray(raw) ? raw.map(String) : String(raw).split(/[,\s]+/)).map((name) => name.trim()).filter(Boolean);
  if (!names.length) return null;
  const unknown = names.filter((name) => !(DCAT_PROFILES as readonly string[]).includes(name));
  if (unknown.length) throw new ValidationError({ profiles: [both(M.unknownProfiles([...new Set(unknown)].sort()))] });
  return names as DcatProfile[];
}

export function pageOf(data: DataDict): number {
  if (data.page === undefined || data.page === null || data.page === '') return 1;
  const page = Number(data.page);
  if (!Number.isInteger(page) || page < 1) throw new ValidationError({ page: [both(M.pageParam)] });
  return page;
}

/** modified_since as ckanext-dcat reads it: any parsable date, in UTC. */
export function modifiedSinceOf(data: DataDict): string | null {
  if (!data.modified_since) return null;
  const text = String(data.modified_since).trim();
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) || !/T|\d:\d/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(date.getTime())) throw new ValidationError({ modified_since: [both(M.modifiedSince)] });
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface CatalogQuery {
  /** As asked (kept in the paging links), or null for the default. */
  profiles: DcatProfile[] | null;
  page: number;
  perPage: number;
  q: string | null;
  fq: string | null;
  modifiedSince: string | null;
}

export function catalogQueryOf(data: DataDict, settings: FederationSettings): CatalogQuery {
  return { profiles: profilesOf(data), page: pageOf(data), perPage: settings.datasets_per_page, q: data.q ? String(data.q) : null, fq: data.fq ? String(data.fq) : null, modifiedSince: modifiedSinceOf(data) };
}

/** package_search as the caller, newest first, without harvest sources. */
export async function searchCatalog(context: ActionContext, query: CatalogQuery): Promise<{ count: number; results: DataDict[] }> {
  const fq = [query.fq, query.modifiedSince ? `metadata_modified:[${query.modifiedSince} TO NOW]` : null, '-dataset_type:harvest'].filter(Boolean).join(' ');
  return context.action('package_search', {
    q: query.q ?? '*:*',
    fq,
    rows: query.perPage,
    start: (query.page - 1) * query.perPage,
    sort: 'metadata_modified desc',
    include_private: false,
  });
}

export function pageUrlFor(baseUri: string, format: DcatFormat, query: CatalogQuery): (page: number) => string {
  return (page) => {
    const params = new URLSearchParams();
    if (query.modifiedSince) params.set('modified_since', query.modifiedSince);
    if (query.profiles) params.set('profiles', query.profiles.join(','));
    if (query.q) params.set('q', query.q);
    if (query.fq) params.set('fq', query.fq);
    params.set('page', String(page));
    return `${baseUri}/catalog.${format}?${params}`;
  };
}

export async function renderCatalog(context: ActionContext, settings: FederationSettings, data: DataDict, format: DcatFormat): Promise<string> {
  const query = catalogQueryOf(data, settings);
  const ctx = dcatContext(context, settings, query.profiles ?? undefined);
  const result = await searchCatalog(context, query);
  const quads = await catalogQuads(ctx, result.results, { page: query.page, perPage: query.perPage, total: result.count, pageUrl: pageUrlFor(ctx.baseUri, format, query) });
  return serialize(ctx, quads, format);
}

export async function renderDataset(context: ActionContext, settings: FederationSettings, id: string, format: DcatFormat, profiles: DcatProfile[] | null = null): Promise<string> {
  const pkg = await context.action('package_show', { id });
  const ctx = dcatContext(context, settings, profiles ?? undefined);
  const { quads } = await datasetQuads(ctx, pkg);
  return serialize(ctx, quads, format);
}

export async function listDatasets(context: ActionContext, settings: FederationSettings, data: DataDict): Promise<DataDict[]> {
  return (await searchCatalog(context, catalogQueryOf(data, settings))).results.map(ckanToDcat);
}

const CATALOG_DOC =
  ':param format: rdf (default), xml, ttl, n3 or jsonld\n:param page: (default 1; 100 datasets per page unless federation.datasets_per_page says otherwise)\n' +
  ':param modified_since: only datasets modified since this date (ISO-8601)\n:param profiles: euro_dcat_ap_3 and/or vn_dcat_ap (default: both)\n:param q: a Solr query\n:param fq: a Solr filter query\n:rtype: string';

export function dcatActions(settings: FederationSettings): Record<string, ActionDefinition> {
  return {
    dcat_dataset_show: {
      sideEffectFree: true,
      doc: 'A dataset as DCAT-AP 3 (with the Vietnamese profile), serialised.\n\n:param id: the id or name of the dataset\n:param format: rdf (default), xml, ttl, n3 or jsonld\n:param profiles: euro_dcat_ap_3 and/or vn_dcat_ap (default: both)\n:rtype: string',
      async handler(context, data) {
        if (!data.id) throw new ValidationError({ id: [both(M.missing)] });
        return renderDataset(context, settings, String(data.id), formatOf(data), profilesOf(data));
      },
    },
    dcat_catalog_show: {
      sideEffectFree: true,
      doc: 'The catalogue as DCAT-AP 3, a page at a time, with hydra paging.\n\n' + CATALOG_DOC,
      handler: (context, data) => renderCatalog(context, settings, data, formatOf(data)),
    },
    dcat_catalog_search: {
      sideEffectFree: true,
      doc: 'The datasets matching q and fq as a DCAT-AP 3 catalogue page.\n\n' + CATALOG_DOC,
      handler: (context, data) => renderCatalog(context, settings, data, formatOf(data)),
    },
    dcat_datasets_list: {
      sideEffectFree: true,
      doc: 'The datasets of a catalogue page as ckanext-dcat\'s JSON dicts (title, description, landingPage, keyword, publisher, creator, identifier, distribution…), as GET /dcat.json serves them.\n\n:param page: (default 1)\n:param modified_since: only datasets modified since this date (ISO-8601)\n:param q: a Solr query\n:param fq: a Solr filter query\n:rtype: list of dictionaries',
      async handler(context, data) {
        return listDatasets(context, settings, data);
      },
    },
  };
}

const anyone: AuthDefinition = { allowAnonymous: true, fn: () => true };
export const dcatAuth: Record<string, AuthDefinition> = {
  dcat_dataset_show: anyone,
  dcat_catalog_show: anyone,
  dcat_catalog_search: anyone,
  dcat_datasets_list: anyone,
};
