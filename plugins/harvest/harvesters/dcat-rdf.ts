// `dcat_rdf`: a DCAT / DCAT-AP catalogue in RDF/XML, Turtle, JSON-LD or N-Triples (by Content-Type,
// else sniffed, or forced with rdf_format), following hydra paging (hydra:next / hydra:nextPage)
// with loop detection. Each dcat:Dataset becomes a record; its identity is its URI (else
// dct:identifier). The mapping is the shared DCAT module (harvest.dcat).
import type { DataDict } from '../../../core/actions/types.ts';
import { M, msg } from '../i18n/messages.ts';
import { ACCEPT_RDF, detectSyntax, parseRdf, RdfParseError, syntaxFromName, SYNTAX_NAMES, type RdfSyntax } from '../dcat/parse.ts';
import { datasetsFromGraph } from '../dcat/to-ckan.ts';
import { pagingInfo } from '../dcat/hydra.ts';
import { HarvestFetchError, PageLoopGuard, htmlTitle, looksLikeHtml, parseJson } from '../services/http.ts';
import type { GatheredRecord, IHarvester, GatherContext } from './types.ts';

export interface DcatRdfConfig {
  rdf_format?: string;
  language?: string;
  max_pages?: number;
}

const MIME: Record<RdfSyntax, string> = { xml: 'application/rdf+xml', turtle: 'text/turtle', jsonld: 'application/ld+json', ntriples: 'application/n-triples' };
const MAX_CONTEXTS = 8;

function extra(dict: DataDict, key: string): string | null {
  return (dict.extras ?? []).find((entry: DataDict) => entry.key === key)?.value ?? null;
}

export const dcatRdfHarvester: IHarvester<DcatRdfConfig> = {
  version: 1,
  info: {
    name: 'dcat_rdf',
    title: 'DCAT RDF',
    description: 'Harvests DCAT / DCAT-AP catalogues in RDF/XML, Turtle, JSON-LD or N-Triples, with hydra paging',
    form_config_interface: 'Text',
  },
  config: {
    rdf_format: {
      type: 'enum',
      values: ['xml', 'turtle', 'jsonld', 'ntriples', 'application/rdf+xml', 'text/turtle', 'application/ld+json', 'application/n-triples'],
      description: msg('Read the source in this syntax whatever its Content-Type says.', 'Đọc nguồn theo cú pháp này bất kể Content-Type.'),
    },
    language: { type: 'string', description: msg('Preferred language of titles and descriptions (default: the site\'s).', 'Ngôn ngữ ưu tiên của tiêu đề và mô tả (mặc định: của trang).') },
  },

  async *gather(context: GatherContext<DcatRdfConfig>) {
    const { config, http } = context;
    const forced = syntaxFromName(config.rdf_format);
    const language = config.language ?? context.services.config.site.locale_default;
    const guard = new PageLoopGuard(config.max_pages ?? context.defaults.maxPages);
    const contexts = new Map<string, unknown>();
    const contextLoader = async (url: string) => {
      if (contexts.has(url)) return contexts.get(url);
      if (contexts.size >= MAX_CONTEXTS) throw new Error(`too many remote JSON-LD contexts (${MAX_CONTEXTS})`);
      const raw = await http.get(url, { accept: 'application/ld+json, application/json' });
      const document = parseJson<unknown>(raw, 'a JSON-LD context');
      contexts.set(url, document);
      return document;
    };
    const first = context.source.url;
    let url: string | null = first;
    while (url) {
      guard.visit(url, first);
      const raw = await http.get(url, { accept: forced ? MIME[forced] : ACCEPT_RDF });
      guard.content(url, raw.body);
      const text = raw.text();
      if (!forced && looksLikeHtml(raw.headers['content-type'], raw.body)) {
        throw new HarvestFetchError('html', url, M.htmlInstead(url, 'an RDF document', raw.status, htmlTitle(raw.body)), raw.status);
      }
      const syntax = forced ?? detectSyntax(raw.headers['content-type'], text);
      let store;
      try {
        store = await parseRdf(text, syntax, { baseIRI: raw.url, contextLoader });
      } catch (err) {
        if (err instanceof HarvestFetchError) throw err;
        const parseError = err as RdfParseError;
        if (parseError.entities) throw new HarvestFetchError('xml', url, M.xmlEntities(url));
        throw new HarvestFetchError('rdf', url, M.invalidRdf(url, SYNTAX_NAMES[syntax], parseError.message));
      }
      const records: GatheredRecord[] = datasetsFromGraph(store, { language }).map((dataset) => ({
        guid: dataset.guid,
        content: dataset.dict,
        remoteModified: extra(dataset.dict, 'modified'),
        originalUrl: dataset.uri ?? dataset.dict.url ?? null,
      }));
      if (records.length) yield records;
      const next = pagingInfo(store, raw.url).next;
      url = next && next !== url ? next : null;
    }
  },

  async import(record) {
    return structuredClone(record.content as DataDict);
  },
};
