// Reading RDF in the four syntaxes DCAT catalogues are published in — RDF/XML, Turtle, JSON-LD and
// N-Triples — into an N3 store. XML never resolves entities (a document declaring any is refused),
// and JSON-LD contexts are only loaded through the caller's loader (the safe fetcher), never by the
// library itself. The parsers are loaded on first use, so enabling the plugin does not slow boot.
import type { Store } from 'n3';

export type RdfSyntax = 'xml' | 'turtle' | 'jsonld' | 'ntriples';

export const SYNTAX_NAMES: Record<RdfSyntax, string> = { xml: 'RDF/XML', turtle: 'Turtle', jsonld: 'JSON-LD', ntriples: 'N-Triples' };

export const ACCEPT_RDF = 'text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7, application/xml;q=0.5, */*;q=0.1';

const ALIASES: Record<string, RdfSyntax> = {
  xml: 'xml',
  rdf: 'xml',
  'rdf/xml': 'xml',
  'application/rdf+xml': 'xml',
  turtle: 'turtle',
  ttl: 'turtle',
  'text/turtle': 'turtle',
  n3: 'turtle',
  'text/n3': 'turtle',
  jsonld: 'jsonld',
  'json-ld': 'jsonld',
  'application/ld+json': 'jsonld',
  nt: 'ntriples',
  ntriples: 'ntriples',
  'n-triples': 'ntriples',
  'application/n-triples': 'ntriples',
};

export function syntaxFromName(name: string | undefined | null): RdfSyntax | null {
  if (!name) return null;
  return ALIASES[name.toLowerCase().split(';')[0].trim()] ?? null;
}

/** The syntax from the Content-Type, else from the first characters of the document. */
export function detectSyntax(contentType: string | undefined, text: string): RdfSyntax {
  const declared = syntaxFromName(contentType);
  if (declared) return declared;
  const head = text.slice(0, 2000).trimStart();
  if (head.startsWith('<?xml') || /^<rdf:RDF|^<\w+:RDF/i.test(head)) return 'xml';
  if (head.startsWith('{') || head.startsWith('[')) return 'jsonld';
  if (/^(@prefix|@base|PREFIX|BASE)\b/i.test(head)) return 'turtle';
  if (/^<[^>]+>\s+<[^>]+>\s+("|<|_:)/.test(head) || /^_:\S+\s+</.test(head)) return 'ntriples';
  return 'turtle';
}

export class RdfParseError extends Error {
  readonly syntax: RdfSyntax;
  readonly entities: boolean;
  constructor(syntax: RdfSyntax, message: string, entities = false) {
    super(message);
    this.name = 'RdfParseError';
    this.syntax = syntax;
    this.entities = entities;
  }
}

/** Loads a remote JSON-LD context (through the safe fetcher); absent: remote contexts are refused. */
export type ContextLoader = (url: string) => Promise<unknown>;

export interface ParseOptions {
  baseIRI: string;
  contextLoader?: ContextLoader;
}

/** Parse `text` into a new store. */
export async function parseRdf(text: string, syntax: RdfSyntax, options: ParseOptions): Promise<Store> {
  const { Store, Parser } = await import('n3');
  const store = new Store();
  try {
    if (syntax === 'turtle' || syntax === 'ntriples') {
      const parser = new Parser({ baseIRI: options.baseIRI, format: syntax === 'ntriples' ? 'N-Triples' : 'Turtle' });
      store.addQuads(parser.parse(text));
      return store;
    }
    if (syntax === 'xml') {
      // Entities (internal or external) are never expanded: refuse the document outright.
      if (/<!ENTITY/i.test(text.slice(0, 65536))) throw new RdfParseError('xml', 'the document declares XML entities', true);
      const { RdfXmlParser } = await import('rdfxml-streaming-parser');
      const parser = new RdfXmlParser({ baseIRI: options.baseIRI });
      await new Promise<void>((resolve, reject) => {
        parser.on('data', (quad) => store.addQuad(quad));
        parser.on('error', reject);
        parser.on('end', () => resolve());
        parser.write(text);
        parser.end();
      });
      return store;
    }
    const jsonld = (await import('jsonld')).default;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new RdfParseError('jsonld', `not JSON: ${(err as Error).message}`);
    }
    const loader = async (url: string) => {
      if (!options.contextLoader) throw new Error(`remote JSON-LD contexts are not loaded (${url})`);
      return { contextUrl: undefined, documentUrl: url, document: await options.contextLoader(url) };
    };
    const nquads = (await jsonld.toRDF(doc as never, { format: 'application/n-quads', base: options.baseIRI, documentLoader: loader as never, safe: false } as never)) as unknown as string;
    store.addQuads(new Parser({ format: 'N-Quads' }).parse(nquads));
    return store;
  } catch (err) {
    if (err instanceof RdfParseError) throw err;
    throw new RdfParseError(syntax, (err as Error)?.message ?? String(err));
  }
}
