// Search results kept in memory until the next dataset write: a portal's searches repeat (the home
// page's facets, popular words, a harvester's count while it pages), and at 100,000 datasets a
// broad free-text query or a facet count over everything costs tens of milliseconds of database
// time, where a cached answer costs none. Coherence follows the package cache's rules:
// - any index write clears the cache, once right away and again when its transaction ends;
// - while a write is in flight, or while the cache cannot hear other processes, nothing is stored;
// - other processes' writes are heard through the kho_package_changed NOTIFY (migrations/0004);
// - queries whose answer depends on the clock (NOW in date math) are never cached.
// Two levels: whole results by the full query, and counts with facets by the query without its
// sort and page, so a harvester paging through one filter pays for its count once.
import type { Knex } from 'knex';
import type { SearchQuery, SearchResult } from './search-index.ts';
import { onTransactionEnd } from '../db/transaction-end.ts';

export interface Totals {
  count: number;
  facets: SearchResult['facets'];
}

interface Entry<T> {
  value: T;
  bytes: number;
}

export class SearchResultCache {
  private readonly results = new Map<string, Entry<SearchResult>>();
  private readonly totals = new Map<string, Entry<Totals>>();
  private bytes = 0;
  readonly maxBytes: number;
  private generation = 0;
  private inFlightWrites = 0;
  private listening: boolean;

  /** `maxBytes` 0 turns the cache off. `listening`: false until other processes can be heard. */
  constructor(options: { maxBytes: number; listening: boolean }) {
    this.maxBytes = options.maxBytes;
    this.listening = options.listening;
  }

  get enabled(): boolean {
    return this.maxBytes > 0 && this.listening;
  }

  /** Cache keys of a query: the whole query, and the part that decides count and facets. */
  keys(query: SearchQuery): { result: string; totals: string } | null {
    if (!this.enabled) return null;
    const totals = JSON.stringify([query.q, query.qIsFreeText, query.filters, query.states, query.includePrivate, query.labels, query.facetFields, query.facetLimit, query.facetMincount]);
    // Date math against the clock changes its answer without any write.
    if (/NOW/i.test(totals)) return null;
    return { totals, result: JSON.stringify([totals, query.sort, query.rows, query.start]) };
  }

  snapshot(): number {
    return this.inFlightWrites > 0 || !this.enabled ? -1 : this.generation;
  }

  getResult(key: string): SearchResult | undefined {
    return touch(this.results, key)?.value;
  }

  getTotals(key: string): Totals | undefined {
    return touch(this.totals, key)?.value;
  }

  store(keys: { result: string; totals: string }, result: SearchResult, snapshot: number): void {
    if (snapshot < 0 || snapshot !== this.generation || this.inFlightWrites > 0 || !this.enabled) return;
    const facetBytes = JSON.stringify(result.facets).length * 2;
    this.put(this.totals, keys.totals, { count: result.count, facets: result.facets }, facetBytes + 200);
    const resultBytes = result.results.reduce((sum, dict) => sum + (typeof dict === 'string' ? dict.length * 2 : dict.length), facetBytes + 200);
    if (resultBytes <= this.maxBytes / 8) this.put(this.results, keys.result, result, resultBytes);
  }

  storeTotals(key: string, totals: Totals, snapshot: number): void {
    if (snapshot < 0 || snapshot !== this.generation || this.inFlightWrites > 0 || !this.enabled) return;
    this.put(this.totals, key, totals, JSON.stringify(totals.facets).length * 2 + 200);
  }

  /** Forget everything (a write, here or in another process). */
  clear(): void {
    this.generation++;
    this.results.clear();
    this.totals.clear();
    this.bytes = 0;
  }

  /** An index write: clear now, keep storing off until its transaction ends, then clear again. */
  written(db: Knex | Knex.Transaction): void {
    this.clear();
    const pending = onTransactionEnd(db, () => {
      this.inFlightWrites--;
      this.clear();
    });
    if (pending) this.inFlightWrites++;
  }

  setListening(listening: boolean): void {
    this.listening = listening;
    this.clear();
  }

  private put<T>(map: Map<string, Entry<T>>, key: string, value: T, bytes: number): void {
    const previous = map.get(key);
    if (previous) {
      this.bytes -= previous.bytes;
      map.delete(key);
    }
    map.set(key, { value, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes && (this.results.size || this.totals.size)) {
      // Evict the least recently used entry of the larger map.
      const from: Map<string, Entry<unknown>> = this.results.size >= this.totals.size ? this.results : this.totals;
      const oldest = from.keys().next().value as string;
      this.bytes -= from.get(oldest)!.bytes;
      from.delete(oldest);
    }
  }
}

function touch<T>(map: Map<string, Entry<T>>, key: string): Entry<T> | undefined {
  const entry = map.get(key);
  if (entry) {
    map.delete(key);
    map.set(key, entry);
  }
  return entry;
}
