// The SearchIndex interface: package_search talks only to this. The core ships the PostgreSQL
// backend (core/search/postgres/); the search-elasticsearch plugin provides another. A dataset write
// must never fail or be lost because an index is down, so index() and remove() receive the write's
// transaction: a backend in the same database writes there, a remote one enqueues a durable job there.
import type { Knex } from 'knex';
import type { DataDict } from '../actions/types.ts';
import type { Cradle } from '../container.ts';
import type { QueryNode } from './query-ast.ts';

export interface SearchQuery {
  /** Parsed `q` (null = match all). */
  q: QueryNode | null;
  /** True when `q` had no field syntax and gets dismax-style matching over name/title/tags/groups/text. */
  qIsFreeText: boolean;
  /** Raw text of `q`, for backends that rank it themselves. */
  qText: string;
  /** Filters from `fq` and `fq_list`, each parsed; all must match. */
  filters: QueryNode[];
  /**
   * Dataset states to include, e.g. ['active'] or ['active', 'draft']. Empty = no state filter: the
   * caller's fq names the states itself (CKAN adds none when fq contains "+state:").
   */
  states: string[];
  /** false → only public datasets (capacity:public). */
  includePrivate: boolean;
  /** Permission labels of the caller; null for sysadmins (no label filter). */
  labels: string[] | null;
  sort: Array<{ field: string; direction: 'asc' | 'desc' }>;
  rows: number;
  start: number;
  facetFields: string[];
  /** -1 = unlimited. */
  facetLimit: number;
  facetMincount: number;
}

/**
 * A search the core asks for itself (counts, facets) rather than a caller's package_search: every
 * active dataset, private ones included, no page; `fields` narrows it.
 */
export function countingQuery(fields: Partial<SearchQuery> = {}): SearchQuery {
  return {
    q: null,
    qIsFreeText: false,
    qText: '*:*',
    filters: [],
    states: ['active'],
    includePrivate: true,
    labels: null,
    sort: [{ field: 'score', direction: 'desc' }],
    rows: 0,
    start: 0,
    facetFields: [],
    facetLimit: -1,
    facetMincount: 1,
    ...fields,
  };
}

/**
 * A stored package dict: its JSON text, or that text as UTF-8 bytes. A backend hands over bytes
 * when it has them, so the response can carry them without decoding and encoding them again.
 */
export type StoredDict = string | Buffer;

export function storedJson(dict: StoredDict): string {
  return typeof dict === 'string' ? dict : dict.toString('utf8');
}

export interface SearchResult {
  count: number;
  /** Stored package dicts, in order (spliced into the response as they are). */
  results: StoredDict[];
  facets: Record<string, Record<string, number>>;
}

/** What `kho search check` reports: how the index differs from the package table. */
export interface IndexCheck {
  /** Datasets in the package table (every state). */
  total: number;
  /** Of those, how many the index holds. */
  indexed: number;
  /** Ids of datasets the index lacks (at most `limit`). */
  missing: string[];
  /** Ids of datasets the index holds in an older version (at most `limit`). */
  stale: string[];
  /** Ids the index holds that are no dataset any more (at most `limit`). */
  extra: string[];
  /** Writes accepted but not yet applied to the index (a remote backend's outbox). */
  pending?: number;
}

export interface RebuildOptions {
  /** Called as batches are written, with the number of datasets done. */
  onProgress?(done: number): void;
}

export interface SearchIndex {
  readonly name: string;
  index(trx: Knex.Transaction, pkg: DataDict): Promise<void>;
  remove(trx: Knex.Transaction, packageId: string): Promise<void>;
  /**
   * `trx`: the caller's open transaction, if any. A backend in the same database must read through
   * it (PGlite has a single connection, and the caller may be waiting on its own uncommitted writes).
   */
  search(query: SearchQuery, trx?: Knex.Transaction | null): Promise<SearchResult>;
  /** Re-index everything from the package table (`kho search rebuild`); returns how many. */
  rebuild?(options?: RebuildOptions): Promise<number>;
  /** Compare the index with the package table (`kho search check`). */
  check?(options?: { limit?: number }): Promise<IndexCheck>;
  init?(): Promise<void>;
  close?(): Promise<void>;
}

export type SearchIndexFactory = (cradle: Cradle) => SearchIndex;
