// The PostgreSQL SearchIndex (search.backend = 'postgres'), the default: it lives in the same
// database as the datasets, so index() and remove() are part of the dataset's own transaction and the
// index can never disagree with what was committed. Queries are plain SQL over package_search with
// bound parameters (see planSearch); results are package.data, byte for byte what package_show sends.
// Relevance is computed from a small ranking vector (name, title, tags, groups), with bonuses for the
// syllables as written (an exact-diacritic match above a folded one) and for adjacent words. Repeated
// searches are answered from a result cache that every dataset write clears (result-cache.ts), and
// the common ones from a memory index that mirrors this table (memory/).
// rebuild() re-indexes in place without blocking searches or writes; init() does it once when the
// row format of this code (FORMAT) differs from the one recorded in system_info.
import type { Knex } from 'knex';
import type { Cradle } from '../../container.ts';
import type { DataDict } from '../../actions/types.ts';
import { SearchError, SearchTimeoutError } from '../../errors.ts';
import type { IndexCheck, SearchIndex, SearchIndexFactory, SearchQuery, SearchResult } from '../search-index.ts';
import { buildIndexDocument, datasetPermissionLabels, fieldKind, isMultiValued, isSortable } from '../index-document.ts';
import { quoteLexeme, textArrayLiteral } from './analysis.ts';
import { ARRAY_COLUMNS, NULLABLE_COLUMNS, PUBLIC_ACTIVE_LEXEME, ROW_COLUMNS, SCALAR_COLUMNS, rowsJson, searchRow, type SearchRow } from './row.ts';
import { EXACT_WEIGHT, PHRASE_WEIGHT, QueryTranslator, RANK_WEIGHTS, allOf, clean, rankingQueries, render, type Condition } from './translate.ts';
import type { QueryNode } from '../query-ast.ts';
import { SearchResultCache, type Totals } from '../result-cache.ts';
import { MirrorSync } from './memory/mirror-sync.ts';
import { searchMirror } from './memory/mirror-search.ts';
import { lookupTable } from '../../lookup-table.ts';
import { vocabularyNamesOf } from '../vocabulary-names.ts';

export const POSTGRES_BACKEND_NAME = 'postgres';

const RANK_WEIGHTS_ARRAY = `{${RANK_WEIGHTS.join(',')}}`;
const REBUILD_BATCH = 200;
/**
 * The page's package dicts as base64 of their UTF-8 bytes: node-postgres decodes text columns into
 * strings, which the response would encode back; base64 is ASCII, decoded and turned into bytes at a
 * fraction of that cost (a harvester's page of 100 dicts is about 400 KB).
 */
const DATA_BASE64 = "encode(convert_to(p.data, 'UTF8'), 'base64')";

const SORT_COLUMNS = lookupTable({
  ...SCALAR_COLUMNS,
  title_string: 'title_sort',
  metadata_created: 'metadata_created',
  metadata_modified: 'metadata_modified',
  num_resources: 'num_resources',
  num_tags: 'num_tags',
});

const UPSERT_SET = ROW_COLUMNS.filter((column) => column !== 'package_id')
  .map((column) => `${column} = excluded.${column}`)
  .join(', ');

export const createPostgresSearchIndex: SearchIndexFactory = (cradle: Cradle): SearchIndex => {
  // Read lazily: the container is strict and some services are registered after the backend.
  const declaredFields = () => optional(() => cradle.fields.dataset.map((field) => field.field_name)) ?? [];
  const collaborators = () => optional(() => cradle.config.auth.allow_dataset_collaborators) ?? false;
  const siteId = () => optional(() => cradle.config.site.id) ?? 'default';

  const rowFor = (pkg: DataDict, vocabularyNames: ReadonlyMap<string, string>): SearchRow => {
    const permissionLabels = datasetPermissionLabels(pkg, collaborators());
    let doc = buildIndexDocument(pkg, { permissionLabels, siteId: siteId(), declaredFields: declaredFields(), vocabularyNames });
    const hooks = optional(() => cradle.hooks);
    if (hooks) doc = hooks.beforeDatasetIndex(doc, pkg);
    // Visibility is not a plugin's to change (CKAN sets the labels after before_dataset_index too).
    doc.permission_labels = permissionLabels;
    return searchRow(doc, pkg);
  };

  // With a PostgreSQL server other processes write too: the cache stays off until init() has
  // started listening for their writes. The embedded database has no other writer.
  const cacheMb = optional(() => cradle.config.search.cache_mb) ?? 0;
  const cache = new SearchResultCache({ maxBytes: cacheMb * 1048576, listening: !optional(() => cradle.config.database.url) });
  let unsubscribe: (() => void) | null = null;
  const inFlight = new Map<string, Promise<SearchResult>>();
  // PGlite has no timers to stop a statement with, nor a second connection to cancel it from.
  const searchTimeoutMs = () => (optional(() => cradle.config.database.url) ? (optional(() => cradle.config.search.timeout_ms) ?? 0) : 0);
  // The memory index answers the common searches without the database (memory/).
  const mirror = optional(() => cradle.config.search.memory_index)
    ? new MirrorSync({
        knex: cradle.knex,
        logger: optional(() => cradle.logger),
        listening: !optional(() => cradle.config.database.url),
        // Declared fields are what a portal's search page facets on (sector, data classification…).
        declaredFields: () => declaredFields().filter((field) => fieldKind(field) === 'exact' && !SCALAR_COLUMNS[field] && !ARRAY_COLUMNS[field]),
      })
    : null;

  /** A search answered from the memory index, or null when the database must answer it. */
  const fromMemory = async (query: SearchQuery): Promise<SearchResult | null> => {
    const current = await mirror?.current();
    if (!current) return null;
    const answer = searchMirror(current, query, cradle.clock.now());
    if (!answer) return null;
    const data = new Map<string, Buffer>();
    if (answer.ids.length) {
      const { rows } = await cradle.knex.raw(`select p.id, ${DATA_BASE64} as data from package p where p.id = any(?::text[])`, [textArrayLiteral(answer.ids)]);
      for (const row of rows as Array<{ id: string; data: string }>) data.set(row.id, Buffer.from(row.data, 'base64'));
    }
    return { count: answer.count, results: answer.ids.filter((id) => data.has(id)).map((id) => data.get(id)!), facets: answer.facets };
  };

  const insertRows = async (db: Knex | Knex.Transaction, rows: SearchRow[]) => {
    if (!rows.length) return;
    await db.raw(
      `insert into package_search (${ROW_COLUMNS.join(', ')})
       select ${ROW_COLUMNS.join(', ')} from json_populate_recordset(null::package_search, ?::json)
       on conflict (package_id) do update set ${UPSERT_SET}`,
      [rowsJson(rows)],
    );
  };

  return {
    name: POSTGRES_BACKEND_NAME,

    async index(trx, pkg) {
      cache.written(trx);
      await insertRows(trx, [rowFor(pkg, await vocabularyNamesOf(trx, [pkg]))]);
      mirror?.written(trx, String(pkg.id));
    },

    async remove(trx, packageId) {
      cache.written(trx);
      await trx.raw('delete from package_search where package_id = ?', [packageId]);
      mirror?.written(trx, packageId);
    },

    async search(query, trx) {
      // Inside a transaction the caller may be reading its own uncommitted writes: no cache.
      const keys = trx ? null : cache.keys(query);
      const copy = (result: SearchResult): SearchResult => ({ count: result.count, results: [...result.results], facets: cloneFacets(result.facets) });
      if (keys) {
        const hit = cache.getResult(keys.result);
        if (hit) return copy(hit);
      }
      const snapshot = cache.snapshot();
      // The same search asked again while it runs (a popular query, a page reloaded) waits for it
      // instead of computing it once more: one database query per distinct search at a time.
      const flightKey = keys && snapshot >= 0 ? `${snapshot}\u0000${keys.result}` : null;
      const running = flightKey ? inFlight.get(flightKey) : undefined;
      if (running) return copy(await running);
      const compute = async (): Promise<SearchResult> => {
        // Inside a transaction the caller may be reading its own uncommitted writes: the database.
        const remembered = trx ? null : await fromMemory(query);
        if (remembered) {
          if (keys) cache.store(keys, copy(remembered), snapshot);
          return remembered;
        }
        const totals = keys ? cache.getTotals(keys.totals) : undefined;
        const plan = planSearch(query, cradle.clock.now(), { totals: !totals });
        const db = trx ?? cradle.knex;
        // Inside a caller's transaction a cancelled statement would abort that transaction too.
        const timeoutMs = trx ? 0 : searchTimeoutMs();
        const run = (statement: Statement) => {
          const raw = db.raw(statement.sql, statement.bindings as Knex.RawBinding[]);
          return timeoutMs > 0 ? raw.timeout(timeoutMs, { cancel: true }) : raw;
        };
        let main: { rows: ResultRow[] } | null;
        let page: { rows: ResultRow[] } | null;
        const started = Date.now();
        try {
          [main, page] = await Promise.all([plan.main && run(plan.main), plan.page && run(plan.page)]);
        } catch (err) {
          throw stoppedSearch(err, timeoutMs, Date.now() - started) ?? err;
        }
        const result = readResult([...(main?.rows ?? []), ...(page?.rows ?? [])], query, totals);
        if (keys) cache.store(keys, copy(result), snapshot);
        return result;
      };
      if (!flightKey) return compute();
      const flight = compute();
      inFlight.set(flightKey, flight);
      try {
        return copy(await flight);
      } finally {
        inFlight.delete(flightKey);
      }
    },

    async rebuild(options = {}) {
      const count = await rebuildInPlace(cradle, rowFor, cache, options.onProgress);
      const repos = optional(() => cradle.repos);
      if (repos) await repos.systemInfo.set(cradle.knex, FORMAT_KEY, FORMAT);
      await mirror?.reload();
      return count;
    },

    async check(options = {}) {
      return checkIndex(cradle, rowFor, options);
    },

    async init() {
      const changes = optional(() => cradle.packageChanges);
      if (changes && (cache.maxBytes > 0 || mirror)) {
        unsubscribe = changes.subscribe({
          onChange: (id) => {
            cache.clear();
            mirror?.changed(id);
          },
          onListening: (listening) => {
            cache.setListening(listening);
            mirror?.setListening(listening);
          },
        });
      }
      // The rows are written in the format of this code; when it changes (FORMAT), every row is
      // re-written once, at the first start of the new version.
      const knex = cradle.knex;
      const stored = await cradle.repos.systemInfo.get<number>(knex, FORMAT_KEY);
      if (stored === FORMAT) return;
      const { rows } = await knex.raw('select exists (select 1 from package) as any');
      if (rows[0].any) {
        const logger = optional(() => cradle.logger);
        logger?.info({ from: stored ?? 1, to: FORMAT }, 'search index format changed: re-indexing every dataset');
        const count = await rebuildInPlace(cradle, rowFor, cache);
        logger?.info({ datasets: count }, 'search index re-indexed');
      }
      await cradle.repos.systemInfo.set(knex, FORMAT_KEY, FORMAT);
    },

    async close() {
      unsubscribe?.();
      unsubscribe = null;
      mirror?.close();
    },
  };
};

/** The format of package_search rows this code writes (1: migrations 0002; 2: 0005). */
export const FORMAT = 2;
const FORMAT_KEY = 'search_postgres_format';


/**
 * Re-index every dataset in place, batch by batch, without locks: searches go on meanwhile and no
 * dataset write ever waits for it. A row is written only if nobody re-indexed it since the batch was
 * read (its xmin is unchanged, or it is still absent): a dataset changed meanwhile keeps the newer
 * row its own write made. The next batch is analysed while the database writes the previous one.
 * Rows of purged datasets are gone already (the foreign key cascades); a batch that meets a purge
 * under way is read again. During the rebuild the GIN indexes collect new entries in their pending
 * lists and merge them in bulk at the end, several times faster than entry by entry. A VACUUM
 * ANALYZE of the table ends it.
 */
type RowFor = (pkg: DataDict, vocabularyNames: ReadonlyMap<string, string>) => SearchRow;

/** The search rows of stored datasets (their vocabulary names read in one query). */
async function rowsFor(cradle: Cradle, rowFor: RowFor, stored: ReadonlyArray<{ data: string }>): Promise<SearchRow[]> {
  const pkgs: DataDict[] = stored.map((row) => JSON.parse(row.data));
  const names = await vocabularyNamesOf(cradle.knex, pkgs);
  return pkgs.map((pkg) => rowFor(pkg, names));
}

async function rebuildInPlace(cradle: Cradle, rowFor: RowFor, cache: SearchResultCache, onProgress?: (done: number) => void): Promise<number> {
  const knex = cradle.knex;
  const gins: string[] = (
    await knex.raw(`select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am a on a.oid = c.relam
                    where i.indrelid = 'package_search'::regclass and a.amname = 'gin'`)
  ).rows.map((row: { name: string }) => row.name);
  const setFastUpdate = async (on: boolean) => {
    for (const name of gins) {
      if (on) await knex.raw(`alter index "${name}" set (fastupdate = on, gin_pending_list_limit = 65536)`);
      else {
        await knex.raw(`select gin_clean_pending_list('"${name}"'::regclass)`);
        await knex.raw(`alter index "${name}" set (fastupdate = off)`);
        await knex.raw(`alter index "${name}" reset (gin_pending_list_limit)`);
      }
    }
  };
  type Batch = Array<{ id: string; data: string; version: string | null }>;
  const read = async (after: string, upTo: string | null): Promise<Batch> =>
    (
      await knex.raw(
        `select p.id, p.data, s.xmin::text as version
           from package p left join package_search s on s.package_id = (p.id collate "C")
          where p.id > ? ${upTo === null ? '' : 'and p.id <= ?'} order by p.id ${upTo === null ? 'limit ?' : ''}`,
        upTo === null ? [after, REBUILD_BATCH] : [after, upTo],
      )
    ).rows;
  const write = async (batch: Batch, rows: SearchRow[]): Promise<void> => {
    cache.written(knex);
    const columns = ROW_COLUMNS.join(', ');
    const updates = ROW_COLUMNS.filter((column) => column !== 'package_id').map((column) => `${column} = v.${column}`).join(', ');
    const versions = JSON.stringify(batch.map((row) => row.version));
    await knex.raw(
      `with v as (
         select r.*, w.version
           from json_populate_recordset(null::package_search, ?::json) with ordinality as r
           join json_array_elements_text(?::json) with ordinality as w(version, n) on w.n = r.ordinality
       ),
       updated as (
         update package_search s set ${updates} from v
          where s.package_id = v.package_id and v.version is not null and s.xmin::text = v.version
       )
       insert into package_search (${columns})
       select ${columns} from v where v.version is null
       on conflict (package_id) do nothing`,
      [rowsJson(rows), versions],
    );
    // Servers on the same database read rewritten rows back into their memory index.
    if (optional(() => cradle.config.database.url)) {
      await knex.raw(`select pg_notify('kho_package_changed', id) from unnest(?::text[]) as id`, [textArrayLiteral(batch.map((row) => row.id))]);
    }
  };

  await setFastUpdate(true);
  let count = 0;
  try {
    let after = '';
    let writing: Promise<void> = Promise.resolve();
    for (;;) {
      const batch = await read(after, null);
      if (!batch.length) break;
      const from = after;
      after = batch[batch.length - 1].id;
      const rows = await rowsFor(cradle, rowFor, batch);
      await writing;
      writing = (async () => {
        let current = batch;
        let currentRows = rows;
        for (let attempt = 1; ; attempt++) {
          try {
            await write(current, currentRows);
            break;
          } catch (err) {
            // A dataset of the batch was purged after it was read: read the batch again.
            if ((err as { code?: string }).code !== '23503' || attempt >= 5) throw err;
            current = await read(from, current[current.length - 1].id);
            currentRows = await rowsFor(cradle, rowFor, current);
          }
        }
        count += current.length;
        onProgress?.(count);
      })();
      // A failed write stops the loop at the next await; keep it from being reported unhandled.
      writing.catch(() => undefined);
    }
    await writing;
  } finally {
    cache.written(knex);
    await setFastUpdate(false);
  }
  // Every row was rewritten: reclaim the old versions and refresh the planner's statistics and the
  // visibility map (which index-only scans, e.g. a harvester paging by id, depend on).
  await knex.raw('vacuum analyze package_search');
  return count;
}

/**
 * Datasets missing from the index, stale in it (indexed from another version of the dict), and
 * index rows of datasets that no longer exist (none here: the foreign key removes them).
 */
async function checkIndex(cradle: Cradle, rowFor: RowFor, options: { limit?: number }): Promise<IndexCheck> {
  const knex = cradle.knex;
  const limit = options.limit ?? 100;
  const result: IndexCheck = { total: 0, indexed: 0, missing: [], stale: [], extra: [] };
  let after = '';
  for (;;) {
    const { rows } = await knex.raw(
      `select p.id, p.data, s.package_id is not null as indexed, s.state, s.capacity, s.name, s.organization, s.owner_org,
              s.license_id, s.dataset_type, s.title_sort, s.num_resources, s.num_tags,
              to_char(s.metadata_modified, 'YYYY-MM-DD"T"HH24:MI:SS.US') as metadata_modified,
              array_to_json(s.labels)::text as labels, array_to_json(s.tags)::text as tags, array_to_json(s.groups)::text as groups,
              array_to_json(s.res_format)::text as res_format, s.exact::text as exact
         from package p left join package_search s on s.package_id = (p.id collate "C")
        where p.id > ? order by p.id limit ?`,
      [after, REBUILD_BATCH],
    );
    if (!rows.length) break;
    after = rows[rows.length - 1].id;
    const pkgs: DataDict[] = (rows as Array<{ data: string }>).map((row) => JSON.parse(row.data));
    const names = await vocabularyNamesOf(knex, pkgs);
    for (const [i, row] of (rows as Array<Record<string, any>>).entries()) {
      result.total++;
      if (!row.indexed) {
        if (result.missing.length < limit) result.missing.push(row.id);
        continue;
      }
      result.indexed++;
      const expected: Record<string, unknown> = { ...rowFor(pkgs[i], names) };
      const scalarsSame = ['state', 'capacity', 'name', 'organization', 'owner_org', 'license_id', 'dataset_type', 'title_sort', 'num_resources', 'num_tags'].every(
        (column) => String(expected[column] ?? null) === String(row[column] ?? null),
      );
      const arraysSame = ['labels', 'tags', 'groups', 'res_format'].every((column) => JSON.stringify(expected[column]) === row[column]);
      const modifiedSame = microseconds(String(expected.metadata_modified)) === microseconds(String(row.metadata_modified));
      const same = scalarsSame && arraysSame && modifiedSame && sameJson(JSON.stringify(expected.exact), row.exact);
      if (!same && result.stale.length < limit) result.stale.push(row.id);
    }
  }
  return result;
}

const microseconds = (iso: string) => {
  const [seconds, fraction = ''] = iso.split('.');
  return `${seconds}.${fraction.padEnd(6, '0').slice(0, 6)}`;
};

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(sortDeep(JSON.parse(a))) === JSON.stringify(sortDeep(JSON.parse(b)));
  } catch {
    return false;
  }
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortDeep((value as Record<string, unknown>)[key])]));
  return value;
}

function optional<T>(read: () => T): T | undefined {
  try {
    return read() ?? undefined;
  } catch {
    return undefined;
  }
}

export interface Statement {
  sql: string;
  bindings: unknown[];
}

/**
 * How a SearchQuery is answered. With facets, one statement materialises the matched set once and
 * counts, facets and pages it. Without facets, a count and a page query run separately, so the page
 * can walk an index in sort order (`id asc`, `metadata_modified desc`) and stop after `rows`.
 */
export interface SearchPlan {
  /** With facets: the single statement. Without: the count. Null when count and facets are known already. */
  main: Statement | null;
  /** Without facets and with rows > 0: the page query. */
  page: Statement | null;
}


export function planSearch(query: SearchQuery, now: Date, options: { totals?: boolean } = {}): SearchPlan {
  const where = whereClause(query, now);
  const sort = sortKeys(query);
  const facetFields = [...new Set(query.facetFields.map(clean))];
  const withTotals = options.totals ?? true;

  if (!facetFields.length || !withTotals) {
    const main = withTotals
      ? { sql: `select null::bigint as ord, null::text as data, count(*) as total, null::json as facets from package_search s where ${where.sql}`, bindings: where.bindings }
      : null;
    if (query.rows <= 0) return { main, page: null };
    const select = ['s.package_id', ...sort.columns.map((column, i) => `${column} as k${i}`)];
    const page = {
      sql: `select page.ord, ${DATA_BASE64} as data
        from (select y.package_id, row_number() over () as ord
                from (select ${select.join(', ')} from package_search s where ${where.sql}
                      order by ${sort.order.map((key) => key.replace('m.', '')).join(', ')} limit ? offset ?) y) page
        join package p on p.id = (page.package_id collate "default")
        order by page.ord`,
      bindings: [...sort.bindings, ...where.bindings, query.rows, query.start],
    };
    return { main, page };
  }

  const columns = ['s.package_id', ...sort.columns.map((column, i) => `${column} as k${i}`)];
  const columnBindings: unknown[] = [...sort.bindings];
  // Each facet field becomes a column of the matched set: its values, whichever way they are stored.
  const facetSources = facetFields.map((field, i) => {
    if (SCALAR_COLUMNS[field]) {
      columns.push(`s.${SCALAR_COLUMNS[field]} as f${i}`);
      return `(select m.f${i} as v from m where m.f${i} is not null)`;
    }
    if (ARRAY_COLUMNS[field]) {
      columns.push(`s.${ARRAY_COLUMNS[field]} as f${i}`);
      return `(select unnest(m.f${i}) as v from m)`;
    }
    columns.push(`s.exact -> ? as f${i}`);
    columnBindings.push(field);
    return `(select jsonb_array_elements_text(m.f${i}) as v from m)`;
  });

  const bindings: unknown[] = [...columnBindings, ...where.bindings];
  const facetSql = facetSources.map((source) => {
    bindings.push(query.facetMincount, query.facetLimit < 0 ? null : query.facetLimit);
    return `(select coalesce(json_agg(json_build_array(t.v, t.c) order by t.c desc, t.v collate "C"), '[]'::json)
        from (select e.v, count(*) as c from ${source} as e
              group by e.v having count(*) >= ? order by count(*) desc, e.v collate "C" limit ?) t)`;
  });

  let text = `with m as materialized (select ${columns.join(', ')} from package_search s where ${where.sql})
    select null::bigint as ord, null::text as data, (select count(*) from m) as total, json_build_array(${facetSql.join(', ')}) as facets`;
  if (query.rows > 0) {
    text += `
    union all
    select page.ord, ${DATA_BASE64}, null, null
      from (select y.package_id, row_number() over () as ord
              from (select m.package_id from m order by ${sort.order.join(', ')} limit ? offset ?) y) page
      join package p on p.id = (page.package_id collate "default")
    order by ord nulls first`;
    bindings.push(query.rows, query.start);
  }
  return { main: { sql: text, bindings }, page: null };
}

/** The main statement of a search, for EXPLAIN in tests and benchmarks. */
export function buildSearchSql(query: SearchQuery, now: Date): Statement {
  const plan = planSearch(query, now);
  return (plan.page ?? plan.main)!;
}

/**
 * package_search writes CKAN's visibility into the fq text ("+capacity:public … +state:(active)"),
 * and also passes it as states / includePrivate, which whereClause applies itself. The required
 * clauses that only repeat those are replaced by match-all (kept as required clauses, so the
 * optional ones around them stay optional, as Lucene has it): the text search can then check
 * visibility in its index alone.
 */
function withoutImpliedVisibility(node: QueryNode, query: SearchQuery): QueryNode {
  if (node.type !== 'bool') return node;
  const implied = (clause: QueryNode) =>
    clause.type === 'term' &&
    !clause.prefix && !clause.wildcard && !clause.exists &&
    ((clause.field === 'capacity' && clause.value === 'public' && !query.includePrivate) ||
      (clause.field === 'state' && query.states.length === 1 && clause.value === query.states[0]));
  if (!node.clauses.some((clause) => clause.occur === 'must' && implied(clause.node))) return node;
  return {
    ...node,
    clauses: node.clauses.map((clause) => (clause.occur === 'must' && implied(clause.node) ? { occur: 'must', node: { type: 'matchAll' } } : clause)),
  };
}

function whereClause(query: SearchQuery, now: Date) {
  const translator = new QueryTranslator(now);
  // A q or fq that analyses to nothing (only punctuation) matches nothing.
  const matching: Condition[] = [];
  if (query.q) matching.push(translator.translate(query.q) ?? { kind: 'const', value: false });
  for (const filter of query.filters) matching.push(translator.translate(withoutImpliedVisibility(filter, query)) ?? { kind: 'const', value: false });

  const conditions: Condition[] = [];
  // Active public datasets carry exactly the label "public": for a caller holding it, when only
  // those can match, the label test would filter nothing.
  const onlyPublicActive = !query.includePrivate && query.states.length === 1 && query.states[0] === 'active';
  if (onlyPublicActive && matching.some((condition) => condition?.kind === 'tsq' && condition.column === 'tsv')) {
    // Text search by the public: visibility is one more term for the GIN index of the text, and
    // counting the matches needs no visit to the table.
    conditions.push({ kind: 'tsq', column: 'tsv', query: quoteLexeme(PUBLIC_ACTIVE_LEXEME) });
  } else {
    // Literal values where they are single, so the planner can use the (state, capacity, ...) index.
    if (query.states.length === 1) conditions.push({ kind: 'sql', sql: `s.state = '${query.states[0].replace(/'/g, "''")}'`, bindings: [] });
    else if (query.states.length) conditions.push({ kind: 'sql', sql: 's.state = any(?::text[])', bindings: [textArrayLiteral(query.states)] });
    if (!query.includePrivate) conditions.push({ kind: 'sql', sql: `s.capacity = 'public'`, bindings: [] });
  }
  if (query.labels && !(onlyPublicActive && query.labels.includes('public'))) {
    conditions.push({ kind: 'sql', sql: 's.labels && ?::text[]', bindings: [textArrayLiteral(query.labels)] });
  }
  return render(allOf([...conditions, ...matching]));
}

/** The relevance of a row, as SQL over `s`; null when every row scores the same (no text terms). */
export function scoreExpression(query: SearchQuery): { sql: string; bindings: unknown[] } | null {
  const ranking = rankingQueries(query.q, query.qIsFreeText);
  if (!ranking.folded) return null;
  const parts = ['ts_rank(?::float4[], s.rtsv, ?::tsquery)'];
  const bindings: unknown[] = [RANK_WEIGHTS_ARRAY, ranking.folded];
  if (ranking.exact) {
    parts.push(`${EXACT_WEIGHT} * ts_rank(?::float4[], s.rtsv, ?::tsquery)`);
    bindings.push(RANK_WEIGHTS_ARRAY, ranking.exact);
  }
  for (const phrase of ranking.phrases) {
    parts.push(`${PHRASE_WEIGHT} * (s.rtsv @@ ?::tsquery)::int`);
    bindings.push(phrase);
  }
  return { sql: parts.join(' + '), bindings };
}

/** Sort expressions over `s`, and ORDER BY keys over their k<i> aliases in the matched set `m`. */
function sortKeys(query: SearchQuery) {
  const score = scoreExpression(query);
  const columns: string[] = [];
  const bindings: unknown[] = [];
  const order: string[] = [];
  let hasId = false;
  for (const { field, direction: asked } of query.sort) {
    const key = { field: clean(field), direction: asked };
    const direction = key.direction === 'desc' ? 'desc' : 'asc';
    let nullable = true;
    if (key.field === 'score') {
      if (!score) continue; // every document scores the same
      columns.push(score.sql);
      bindings.push(...score.bindings);
      nullable = false;
    } else if (SORT_COLUMNS[key.field]) {
      if (key.field === 'id') hasId = true;
      columns.push(`s.${SORT_COLUMNS[key.field]}`);
      nullable = NULLABLE_COLUMNS.has(SORT_COLUMNS[key.field]);
    } else {
      if (!isSortable(key.field)) throw unsortable(key.field);
      columns.push('(s.exact -> ? ->> 0) collate "C"');
      bindings.push(key.field);
    }
    // Solr sorts documents without the field last, whichever the direction.
    order.push(`m.k${columns.length - 1} ${direction}${nullable ? ' nulls last' : ''}`);
  }
  // A total order: paging with start never repeats or skips a dataset.
  if (!hasId) order.push('m.package_id asc');
  return { columns, bindings, order };
}

/**
 * The 409 for a search that did not finish, or null. knex rejects with KnexTimeoutError at
 * search.timeout_ms, and the statement it cancels fails with query_canceled (57014); so does one a
 * database administrator cancels, or the server's own statement_timeout stops, which is told apart
 * by the time it ran.
 */
function stoppedSearch(err: unknown, timeoutMs: number, elapsedMs: number): SearchError | null {
  const error = err as { name?: string; code?: string };
  if (error?.name === 'KnexTimeoutError' || (error?.code === '57014' && timeoutMs > 0 && elapsedMs >= timeoutMs)) {
    return new SearchTimeoutError(`The search took longer than ${timeoutMs / 1000} s (search.timeout_ms) and was stopped; narrow it: leading wildcards such as *abc are slow`);
  }
  if (error?.code === '57014') return new SearchError('The database server cancelled the search (an administrator, or its own statement_timeout, stopped it)');
  return null;
}

function unsortable(field: string): SearchError {
  const reason = fieldKind(field) === 'text' ? 'a text field' : isMultiValued(field) ? 'a multi-valued field' : 'this field';
  return new SearchError(`Can not sort on ${reason}: ${field}`);
}

// Facet objects are built with Object.fromEntries: a value (or field) named "__proto__" is then a
// key like any other, where an assignment would have set the object's prototype.
function cloneFacets(facets: SearchResult['facets']): SearchResult['facets'] {
  return Object.fromEntries(Object.entries(facets).map(([field, counts]) => [field, { ...counts }]));
}

interface ResultRow {
  ord: number | null;
  data: string | null;
  total: number | string | null;
  facets: Array<Array<[string, number]>> | string | null;
}

function readResult(rows: ResultRow[], query: SearchQuery, totals?: Totals): SearchResult {
  if (totals) return { count: totals.count, results: rows.map((row) => Buffer.from(row.data!, 'base64')), facets: cloneFacets(totals.facets) };
  const [head, ...page] = rows;
  const facetFields = [...new Set(query.facetFields.map(clean))];
  const lists = typeof head.facets === 'string' ? JSON.parse(head.facets) : (head.facets ?? []);
  const facets: SearchResult['facets'] = Object.fromEntries(
    facetFields.map((field, i) => [field, Object.fromEntries((lists[i] ?? []).map(([value, count]: [string, number]) => [value, Number(count)]))]),
  );
  return { count: Number(head.total), results: page.map((row) => Buffer.from(row.data!, 'base64')), facets };
}
