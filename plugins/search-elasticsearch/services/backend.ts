// The Elasticsearch SearchIndex (search.backend: elasticsearch).
//
// Writes: index() and remove() only record the change in the durable outbox, inside the dataset
// write's transaction, and enqueue the flush job there too; so a write never fails or waits because
// Elasticsearch is down, and no change is lost. Right after the commit the change is pushed (bulk,
// refreshed, external version = outbox seq); if that fails the flush job retries until Elasticsearch
// is back (and a schedule flushes every minute whatever happens). A search in this process first
// waits for the pushes of its own process's recent writes, so a client reads its writes.
//
// Index: an alias (`index` config) over a concrete index `<alias>-<time>`. A rebuild fills a new
// index while flushes write to both, then swaps the alias in one atomic step and drops the old one.
import { Client } from '@elastic/elasticsearch';

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;
import type { Knex } from 'knex';
import type { Cradle } from '../../../core/container.ts';
import type { DataDict } from '../../../core/actions/types.ts';
import type { IndexCheck, RebuildOptions, SearchIndex, SearchQuery, SearchResult } from '../../../core/search/search-index.ts';
import { buildIndexDocument, datasetPermissionLabels } from '../../../core/search/index-document.ts';
import { esDocument } from './document.ts';
import { indexMappings, indexSettings } from './mapping.ts';
import { buildSearchRequest, readFacets } from './translate.ts';
import { SearchConnectionError, elasticsearchErrorType, elasticsearchReason, searchErrorFrom } from './errors.ts';
import { vocabularyNamesOf } from '../../../core/search/vocabulary-names.ts';

export const ELASTICSEARCH_BACKEND_NAME = 'elasticsearch';
export const FLUSH_JOB = 'search-elasticsearch.flush';
const OUTBOX = 'search_elasticsearch_outbox';
const STATE = 'search_elasticsearch_state';
const REBUILD_KEY = 'rebuild_target';
/** A bulk request stays well under Elasticsearch's http.max_content_length (100 MB). */
const MAX_BULK_BYTES = 10 * 1024 * 1024;
/** Writes, refreshes and index operations may take longer than a search should. */
const SLOW_REQUEST_MS = 120_000;
/** How often a rebuild sends again the documents Elasticsearch was too busy to take (429). */
const BUSY_RETRIES = 5;

export interface ElasticsearchConfig {
  url: string;
  index: string;
  username: string | null;
  password: string | null;
  api_key: string | null;
  request_timeout_ms: number;
  refresh: 'true' | 'false' | 'wait_for';
  shards: number;
  replicas: number;
  bulk_size: number;
}

export interface ElasticsearchIndex extends SearchIndex {
  readonly client: Client;
  readonly alias: string;
  /** Send pending outbox rows (all, or those of `ids`); returns how many were applied. */
  flush(ids?: string[]): Promise<number>;
}

export function isElasticsearchIndex(index: SearchIndex): index is ElasticsearchIndex {
  return index.name === ELASTICSEARCH_BACKEND_NAME && typeof (index as ElasticsearchIndex).flush === 'function';
}

export function clientOptions(config: ElasticsearchConfig): ClientOptions {
  const nodes = config.url.split(',').map((url) => url.trim()).filter(Boolean);
  const options: ClientOptions = {
    node: nodes.length === 1 ? nodes[0] : nodes,
    requestTimeout: config.request_timeout_ms,
    maxRetries: 1,
    // Plain JSON: Elasticsearch 8 and 9 both take it (the 9.x client would otherwise announce
    // "compatible-with=9", which Elasticsearch 8 refuses).
    headers: { accept: 'application/json', 'content-type': 'application/json' },
  };
  if (config.api_key) options.auth = { apiKey: config.api_key };
  else if (config.username) options.auth = { username: config.username, password: config.password ?? '' };
  return options;
}

function optional<T>(read: () => T): T | undefined {
  try {
    return read() ?? undefined;
  } catch {
    return undefined;
  }
}

type BulkItem = Record<string, { status: number; error?: unknown }>;

/** An item Elasticsearch could not take now (its queues are full) but will take later. */
const isBusy = (item: BulkItem) => Object.values(item)[0].status === 429;
/** An item that went through, or lost to a newer version already there. */
const isDone = (item: BulkItem) => {
  const result = Object.values(item)[0];
  return (result.status >= 200 && result.status < 300) || result.status === 409 || (result.status === 404 && 'delete' in item && !isMissingIndex(item));
};
const isMissingIndex = (item: BulkItem) => {
  const error = Object.values(item)[0].error as { type?: string } | undefined;
  return error?.type === 'index_not_found_exception';
};
/** A PostgreSQL text[] literal of ids (one parameter however many there are). */
const textArray = (ids: string[]) => `{${ids.map((id) => `"${id.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createElasticsearchIndex(cradle: Cradle, config: ElasticsearchConfig, client: Client = new Client(clientOptions(config))): ElasticsearchIndex {
  const alias = config.index;
  const slow = { requestTimeout: Math.max(config.request_timeout_ms, SLOW_REQUEST_MS) };
  const ndjson = { ...slow, headers: { 'content-type': 'application/x-ndjson' } };
  const refresh = config.refresh === 'wait_for' ? 'wait_for' : config.refresh === 'true';
  const knex = () => cradle.knex;
  const logger = () => optional(() => cradle.logger);
  const declaredFields = () => optional(() => cradle.fields.dataset.map((field) => field.field_name)) ?? [];
  const collaborators = () => optional(() => cradle.config.auth.allow_dataset_collaborators) ?? false;
  const siteId = () => optional(() => cradle.config.site.id) ?? 'default';

  const documentFor = (pkg: DataDict, version: number, vocabularyNames: ReadonlyMap<string, string>): Record<string, unknown> => {
    const permissionLabels = datasetPermissionLabels(pkg, collaborators());
    let doc = buildIndexDocument(pkg, { permissionLabels, siteId: siteId(), declaredFields: declaredFields(), vocabularyNames });
    const hooks = optional(() => cradle.hooks);
    if (hooks) doc = hooks.beforeDatasetIndex(doc, pkg);
    doc.permission_labels = permissionLabels;
    return esDocument(doc, pkg, version);
  };

  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      // The alias is gone (an operator deleted the index): make it again at the next use.
      if (elasticsearchErrorType(err) === 'index_not_found_exception') indexReady = null;
      throw searchErrorFrom(err);
    }
  };

  // ---- the index behind the alias ----

  let indexReady: Promise<void> | null = null;
  const newIndexName = () => `${alias}-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 17)}-${Math.random().toString(36).slice(2, 6)}`;
  const createIndex = (name: string, extra: Record<string, unknown> = {}, aliases?: Record<string, object>) =>
    client.indices.create({ index: name, settings: { ...indexSettings({ shards: config.shards, replicas: config.replicas }), ...extra }, mappings: indexMappings() as never, aliases }, slow);

  /**
   * The alias and an index behind it, created on first use (not at start: Elasticsearch may be
   * down). The first index has a fixed name, so that processes starting together on an empty
   * cluster (the server and `kho search rebuild`, or several servers) agree on one index.
   */
  const ensureIndex = (): Promise<void> => {
    indexReady ??= (async () => {
      if (await client.indices.existsAlias({ name: alias })) return;
      if (await client.indices.exists({ index: alias })) {
        throw new Error(`Elasticsearch has an index named "${alias}": the search-elasticsearch plugin needs that name for an alias (change search-elasticsearch.index, or delete that index)`);
      }
      const first = `${alias}-initial`;
      try {
        await createIndex(first, {}, { [alias]: {} });
        const indexedBefore = await knex()(OUTBOX).whereNotNull('flushed_seq').first('package_id');
        if (indexedBefore) logger()?.warn({ index: first, alias }, 'the search index was missing and has been made again, empty: run `kho search rebuild` to fill it');
      } catch (err) {
        if (elasticsearchErrorType(err) !== 'resource_already_exists_exception') throw err;
        // Another process made it a moment ago, with the alias: or someone removed the alias.
        if (!(await client.indices.existsAlias({ name: alias }))) {
          throw new Error(`Elasticsearch has an index "${first}" without the alias "${alias}": run \`kho search rebuild\`, or delete that index`);
        }
      }
    })().catch((err) => {
      indexReady = null;
      throw err;
    });
    return indexReady;
  };

  const rebuildTarget = async (): Promise<string | null> => {
    const row = await knex()(STATE).where('key', REBUILD_KEY).first('value');
    return row ? (row.value as { index: string }).index : null;
  };

  // ---- the outbox ----

  const record = async (trx: Knex.Transaction, packageId: string, deleted: boolean) => {
    await trx.raw(
      `insert into ${OUTBOX} (package_id, seq, deleted) values (?, nextval('search_elasticsearch_seq'), ?)
       on conflict (package_id) do update set seq = excluded.seq, deleted = excluded.deleted`,
      [packageId, deleted],
    );
    await cradle.jobQueue.enqueue(trx, FLUSH_JOB, null, { dedupeKey: FLUSH_JOB });
    schedulePush(trx, packageId);
  };

  // Pushes right after commit, per outermost transaction; searches wait for them.
  const pendingByTrx = new WeakMap<Knex.Transaction, Set<string>>();
  const inFlight = new Set<Promise<unknown>>();
  const schedulePush = (trx: Knex.Transaction, packageId: string) => {
    let outer: Knex.Transaction = trx;
    while (outer.parentTransaction) outer = outer.parentTransaction;
    let ids = pendingByTrx.get(outer);
    if (ids) {
      ids.add(packageId);
      return;
    }
    ids = new Set([packageId]);
    pendingByTrx.set(outer, ids);
    const batch = ids;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    inFlight.add(done);
    outer.executionPromise.then(
      async () => {
        try {
          await flush([...batch]);
        } catch (err) {
          // The outbox keeps the change; the flush job retries until Elasticsearch is back.
          logger()?.warn({ err: (err as Error).message, datasets: batch.size }, 'search index update deferred: Elasticsearch unavailable');
        } finally {
          inFlight.delete(done);
          release();
        }
      },
      () => {
        inFlight.delete(done);
        release();
      },
    );
  };

  const waitForPushes = async (ms = config.request_timeout_ms) => {
    if (!inFlight.size) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([Promise.allSettled([...inFlight]), timeout]);
    clearTimeout(timer);
  };

  type Pending = { package_id: string; seq: string; deleted: boolean };

  /**
   * Bulk operations (serialised, as the client sends strings as they are) for outbox rows, on each
   * target index, as many rows as fit in one request. Writes to the alias require it to be one:
   * without that, a write arriving while the alias is missing would make a plain index of that
   * name with guessed mappings (deletes cannot require it; flush checks the alias before them). A row whose document cannot be made (a plugin's index hook
   * throws) is left in the outbox and logged; the rows after it still go.
   */
  const operations = async (rows: Pending[], targets: string[]) => {
    const ids = rows.map((row) => row.package_id);
    const data = new Map<string, DataDict>();
    for (const row of (await knex().raw('select id, data from package where id = any(?::text[])', [textArray(ids)])).rows as Array<{ id: string; data: string }>) {
      data.set(row.id, JSON.parse(row.data));
    }
    const names = await vocabularyNamesOf(knex(), [...data.values()]);
    const ops: string[] = [];
    const owners: number[] = [];
    let bytes = 0;
    let taken = 0;
    let deletes = false;
    for (const [i, row] of rows.entries()) {
      const version = Number(row.seq);
      const pkg = data.get(row.package_id);
      let doc: string | null = null;
      if (!row.deleted && pkg) {
        try {
          doc = JSON.stringify(documentFor(pkg, version, names));
        } catch (err) {
          logger()?.warn({ err: (err as Error).message, dataset: row.package_id }, 'search index document could not be made; the change stays in the outbox');
          taken = i + 1;
          continue;
        }
      }
      const size = (doc ? Buffer.byteLength(doc) + 200 : 200) * targets.length;
      if (bytes && bytes + size > MAX_BULK_BYTES) break;
      bytes += size;
      taken = i + 1;
      for (const index of targets) {
        const meta = { _index: index, _id: row.package_id, version, version_type: 'external' };
        if (doc) ops.push(JSON.stringify({ index: index === alias ? { ...meta, require_alias: true } : meta }), doc);
        else {
          ops.push(JSON.stringify({ delete: meta }));
          deletes = true;
        }
        owners.push(i);
      }
    }
    return { ops, owners, taken, deletes };
  };

  /** Which rows all their operations applied (a version conflict means a newer one is there). */
  const applied = (items: BulkItem[], owners: number[], count: number) => {
    const ok = new Array<boolean>(count).fill(false);
    for (const k of owners) ok[k] = true;
    let busy = 0;
    let missingIndex = false;
    items.forEach((item, k) => {
      if (isDone(item)) return;
      ok[owners[k]] = false;
      if (isBusy(item)) busy++;
      else if (isMissingIndex(item)) missingIndex = true;
      else {
        const result = Object.values(item)[0];
        logger()?.warn({ error: result.error, status: result.status, dataset: (result as { _id?: string })._id }, 'Elasticsearch refused a dataset document');
      }
    });
    return { ok, busy, missingIndex };
  };

  const flush = async (ids?: string[]): Promise<number> => {
    await call(ensureIndex);
    let done = 0;
    let afterSeq = '0';
    let retryLater: Error | null = null;
    for (;;) {
      const params: unknown[] = [afterSeq];
      let filter = '';
      if (ids) {
        filter = 'and package_id = any(?::text[])';
        params.push(textArray(ids));
      }
      params.push(config.bulk_size);
      const rows: Pending[] = (
        await knex().raw(
          `select package_id, seq::text as seq, deleted from ${OUTBOX}
            where flushed_seq is distinct from seq and seq > ?::bigint ${filter} order by seq limit ?`,
          params as Knex.RawBinding[],
        )
      ).rows;
      if (!rows.length) break;
      const target = await rebuildTarget();
      const { ops, owners, taken, deletes } = await operations(rows, target ? [alias, target] : [alias]);
      afterSeq = rows[taken - 1].seq;
      if (!ops.length) continue;
      // A delete with an external version makes the index it names when it is missing.
      if (deletes && !(await call(() => client.indices.existsAlias({ name: alias })))) {
        indexReady = null;
        throw new SearchConnectionError(`the index behind the alias "${alias}" is missing; it is made again at the next try`);
      }
      const response = await call(() => client.bulk({ operations: ops as never, refresh }, ndjson));
      const { ok, busy, missingIndex } = applied(response.items as never, owners, rows.length);
      if (missingIndex) {
        indexReady = null;
        retryLater = new SearchConnectionError(`the index behind the alias "${alias}" is missing; it is made again at the next try`);
      } else if (busy) retryLater ??= new SearchConnectionError(`Elasticsearch is busy (429) and refused ${busy} document(s) for now`);
      const flushed = rows.filter((_, i) => ok[i]);
      if (flushed.length) {
        const list = JSON.stringify(flushed.map((row) => ({ id: row.package_id, seq: row.seq, deleted: row.deleted })));
        await knex().raw(
          `with f as (select * from json_to_recordset(?::json) as f(id text, seq bigint, deleted boolean)),
                gone as (delete from ${OUTBOX} o using f where o.package_id = f.id and o.seq = f.seq and f.deleted)
           update ${OUTBOX} o set flushed_seq = f.seq from f where o.package_id = f.id and o.seq = f.seq and not f.deleted`,
          [list],
        );
      }
      done += flushed.length;
      if (ids && taken === rows.length && rows.length < config.bulk_size) break;
    }
    // What was refused only for now makes the flush job try again soon, not at the next minute.
    if (retryLater) throw retryLater;
    return done;
  };

  type RebuildDocument = { id: string; lines: string[] };

  /**
   * Sends a rebuild's documents in requests of at most MAX_BULK_BYTES; what Elasticsearch is too
   * busy to take (429) is sent again after a pause. Returns the documents it refused.
   */
  const sendRebuildDocuments = async (documents: RebuildDocument[]): Promise<Array<{ id: string; reason: string }>> => {
    const refused: Array<{ id: string; reason: string }> = [];
    let pending = documents;
    for (let attempt = 0; pending.length; attempt++) {
      const busy: RebuildDocument[] = [];
      for (let start = 0; start < pending.length; ) {
        let bytes = 0;
        let end = start;
        while (end < pending.length) {
          const size = pending[end].lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
          if (end > start && bytes + size > MAX_BULK_BYTES) break;
          bytes += size;
          end++;
        }
        const chunk = pending.slice(start, end);
        start = end;
        const response = await call(() => client.bulk({ operations: chunk.flatMap((doc) => doc.lines) as never, refresh: false }, ndjson));
        (response.items as BulkItem[]).forEach((item, k) => {
          if (isDone(item)) return;
          if (isBusy(item) && attempt < BUSY_RETRIES) busy.push(chunk[k]);
          else refused.push({ id: chunk[k].id, reason: elasticsearchReason({ meta: { body: { error: Object.values(item)[0].error } } }) });
        });
      }
      pending = busy;
      if (pending.length) await sleep(1000 * 2 ** attempt);
    }
    return refused;
  };

  // ---- the SearchIndex ----

  const index: ElasticsearchIndex = {
    name: ELASTICSEARCH_BACKEND_NAME,
    client,
    alias,
    flush,

    async index(trx, pkg) {
      await record(trx, String(pkg.id), false);
    },

    async remove(trx, packageId) {
      await record(trx, packageId, true);
    },

    async search(query: SearchQuery): Promise<SearchResult> {
      // One deadline for waiting on this process's pushes and for the search itself.
      const deadline = Date.now() + config.request_timeout_ms;
      await waitForPushes(config.request_timeout_ms / 2);
      await call(ensureIndex);
      const request = buildSearchRequest(query, cradle.clock.now());
      const requestTimeout = Math.max(100, deadline - Date.now());
      const response = await call(() => client.search({ index: alias, ...request } as never, { requestTimeout }));
      const total = response.hits.total;
      return {
        count: typeof total === 'number' ? total : (total?.value ?? 0),
        results: response.hits.hits.map((hit) => JSON.stringify((hit._source as { kho_package: DataDict }).kho_package)),
        facets: readFacets(query, response.aggregations as never),
      };
    },

    async rebuild(options: RebuildOptions = {}) {
      await call(ensureIndex);
      const existing = await rebuildTarget();
      if (existing) throw new Error(`A rebuild into ${existing} is under way (or was interrupted: delete the row "${REBUILD_KEY}" of ${STATE} to start again)`);
      const target = newIndexName();
      await call(() => createIndex(target, { refresh_interval: '-1', number_of_replicas: 0 }));
      await knex()(STATE).insert({ key: REBUILD_KEY, value: JSON.stringify({ index: target, started: new Date().toISOString() }) });
      const abandon = async () => {
        await knex()(STATE).where('key', REBUILD_KEY).delete();
        await client.indices.delete({ index: target }, slow).catch(() => undefined);
      };
      let count = 0;
      let previous: string[] = [];
      let swapSent = false;
      try {
        const refused: Array<{ id: string; reason: string }> = [];
        let after = '';
        for (;;) {
          const { rows } = await knex().raw(
            `select p.id, p.data, coalesce(o.seq, 0)::text as seq from package p left join ${OUTBOX} o on o.package_id = p.id
              where p.id > ? order by p.id limit ?`,
            [after, config.bulk_size],
          );
          if (!rows.length) break;
          after = rows[rows.length - 1].id;
          const documents: RebuildDocument[] = [];
          const pkgs: DataDict[] = (rows as Array<{ data: string }>).map((row) => JSON.parse(row.data));
          const names = await vocabularyNamesOf(knex(), pkgs);
          for (const [i, row] of (rows as Array<{ id: string; seq: string }>).entries()) {
            const version = Number(row.seq);
            try {
              const meta = JSON.stringify({ index: { _index: target, _id: row.id, version, version_type: 'external' } });
              documents.push({ id: row.id, lines: [meta, JSON.stringify(documentFor(pkgs[i], version, names))] });
            } catch (err) {
              refused.push({ id: row.id, reason: (err as Error).message });
            }
          }
          refused.push(...(await sendRebuildDocuments(documents)));
          count += rows.length;
          options.onProgress?.(count);
        }
        // An index missing datasets must not replace the one in use: searches would lose them.
        if (refused.length) {
          const first = refused.slice(0, 5).map((item) => `${item.id}: ${item.reason}`).join('; ');
          throw new Error(`Elasticsearch refused ${refused.length} of ${count} datasets, so the index in use was kept (first: ${first})`);
        }
        await call(() => client.indices.putSettings({ index: target, settings: { refresh_interval: null, number_of_replicas: config.replicas } as never }, slow));
        await call(() => client.indices.refresh({ index: target }, slow));
        // Changes still waiting go to both indices; any left waiting go to the new one later.
        await flush().catch((err) => logger()?.warn({ err: (err as Error).message }, 'search rebuild: some waiting changes are sent after the swap'));
        previous = Object.keys(await call(() => client.indices.getAlias({ name: alias }, slow))).filter((name) => name !== target);
        swapSent = true;
        await call(() =>
          client.indices.updateAliases({ actions: [...previous.map((old) => ({ remove: { index: old, alias } })), { add: { index: target, alias } }] }, slow),
        );
      } catch (err) {
        // Once the alias points at the new index it is the only one searches have: never delete
        // it, even when the answer to the swap was lost (a timeout after Elasticsearch applied it).
        let live: boolean | null = false;
        if (swapSent) {
          try {
            live = Object.keys(await client.indices.getAlias({ name: alias }, slow)).includes(target);
          } catch {
            live = null;
          }
        }
        if (live === false) {
          await abandon();
          throw err;
        }
        if (live === null) {
          throw new Error(
            `${(err as Error).message}; could not tell whether the alias "${alias}" was moved to ${target}: check with GET _alias/${alias}, then delete the row "${REBUILD_KEY}" of ${STATE} (and the index ${target} if the alias is not on it)`,
          );
        }
      }
      await knex()(STATE).where('key', REBUILD_KEY).delete();
      for (const old of previous) {
        await client.indices.delete({ index: old }, slow).catch((err) =>
          logger()?.warn({ err: elasticsearchReason(err), index: old }, 'search rebuild: the previous index could not be deleted; delete it by hand'),
        );
      }
      return count;
    },

    async check(options = {}): Promise<IndexCheck> {
      const limit = options.limit ?? 100;
      await call(ensureIndex);
      const result: IndexCheck = { total: 0, indexed: 0, missing: [], stale: [], extra: [] };
      const pending = await knex()(OUTBOX).whereRaw('flushed_seq is distinct from seq').count<Array<{ count: string | number }>>('* as count');
      result.pending = Number(pending[0].count);
      let after = '';
      for (;;) {
        const { rows } = await knex().raw(
          `select p.id, p.metadata_modified::text as modified, o.seq::text as seq from package p left join ${OUTBOX} o on o.package_id = p.id
            where p.id > ? order by p.id limit 1000`,
          [after],
        );
        if (!rows.length) break;
        after = rows[rows.length - 1].id;
        const docs = await call(() => client.mget({ index: alias, ids: rows.map((row: { id: string }) => row.id), _source_includes: ['kho_version', 'metadata_modified'] }));
        (docs.docs as Array<{ _id: string; found?: boolean; _source?: { kho_version?: number; metadata_modified?: string } }>).forEach((doc, i) => {
          const row = rows[i] as { id: string; modified: string; seq: string | null };
          result.total++;
          if (!doc.found) {
            if (result.missing.length < limit) result.missing.push(row.id);
            return;
          }
          result.indexed++;
          const older = row.seq !== null && Number(doc._source?.kho_version ?? 0) < Number(row.seq);
          const modified = String(doc._source?.metadata_modified ?? '').replace('Z', '');
          const differs = !sameInstant(modified, row.modified);
          if ((older || differs) && result.stale.length < limit) result.stale.push(row.id);
        });
      }
      // Documents of datasets that are gone.
      let searchAfter: unknown[] | undefined;
      for (;;) {
        const page = await call(() =>
          client.search({ index: alias, size: 1000, sort: [{ id: 'asc' }], _source: false, fields: ['id'], query: { match_all: {} }, search_after: searchAfter } as never),
        );
        const hits = page.hits.hits;
        if (!hits.length) break;
        searchAfter = hits[hits.length - 1].sort as unknown[];
        const ids = hits.map((hit) => hit._id as string);
        const known = new Set(
          ((await knex().raw('select id from package where id = any(?::text[])', [textArray(ids)])).rows as Array<{ id: string }>).map((row) => row.id),
        );
        for (const id of ids) if (!known.has(id) && result.extra.length < limit) result.extra.push(id);
      }
      return result;
    },

    async init() {
      try {
        await ensureIndex();
      } catch (err) {
        // Starting must not depend on Elasticsearch: searches answer Search Connection Error until
        // it is back, writes wait in the outbox.
        logger()?.warn({ err: (err as Error).message }, 'Elasticsearch is not reachable; search answers Search Connection Error until it is');
      }
    },

    async close() {
      await waitForPushes();
      await client.close();
    },
  };
  return index;
}

/** "2024-05-01 09:00:00.1234" and "2024-05-01T09:00:00.123400" are one instant. */
function sameInstant(a: string, b: string): boolean {
  const norm = (text: string) => {
    const [seconds, fraction = ''] = text.replace(' ', 'T').split('.');
    return `${seconds}.${fraction.padEnd(6, '0').slice(0, 6)}`;
  };
  return norm(a) === norm(b);
}

export { SearchConnectionError };
