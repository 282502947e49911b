// The PostgreSQL SearchIndex (search.backend = 'postgres'), the default: it lives in the same
// database as the datasets, so index() and remove() are part of the dataset's own transaction and the
// index can never disagree with what was committed. Queries are plain SQL over package_search with
// bound parameters (see planSearch); results are package.data, byte for byte what package_show sends.
import type { Knex } from 'knex';
import type { Cradle } from '../../container.ts';
import type { DataDict } from '../../actions/types.ts';
import { SearchError } from '../../errors.ts';
import type { SearchIndex, SearchIndexFactory, SearchQuery, SearchResult } from '../search-index.ts';
import { buildIndexDocument, datasetPermissionLabels, fieldKind, isMultiValued, isSortable } from '../index-document.ts';
import { textArrayLiteral } from './analysis.ts';
import { ARRAY_COLUMNS, ROW_COLUMNS, ROW_PLACEHOLDERS, SCALAR_COLUMNS, rowBindings, searchRow, type SearchRow } from './row.ts';
import { QueryTranslator, allOf, clean, rankingQueries, render, type Condition } from './translate.ts';

export const POSTGRES_BACKEND_NAME = 'postgres';

// ts_rank weights for D, C, B, A: CKAN's qf "name^4 title^4 tags^2 groups^2 text".
const RANK_WEIGHTS = '{0.25,0.25,0.5,1}';
const REBUILD_BATCH = 500;

const SORT_COLUMNS: Record<string, string> = {
  ...SCALAR_COLUMNS,
  title_string: 'title_sort',
  metadata_created: 'metadata_created',
  metadata_modified: 'metadata_modified',
  num_resources: 'num_resources',
  num_tags: 'num_tags',
};

const UPSERT_SET = ROW_COLUMNS.filter((column) => column !== 'package_id')
  .map((column) => `${column} = excluded.${column}`)
  .join(', ');

export const createPostgresSearchIndex: SearchIndexFactory = (cradle: Cradle): SearchIndex => {
  // Read lazily: the container is strict and some services are registered after the backend.
  const declaredFields = () => optional(() => cradle.fields.dataset.map((field) => field.field_name)) ?? [];
  const collaborators = () => optional(() => cradle.config.auth.allow_dataset_collaborators) ?? false;
  const siteId = () => optional(() => cradle.config.site.id) ?? 'default';

  const rowFor = (pkg: DataDict): SearchRow => {
    const permissionLabels = datasetPermissionLabels(pkg, collaborators());
    let doc = buildIndexDocument(pkg, { permissionLabels, siteId: siteId(), declaredFields: declaredFields() });
    const hooks = optional(() => cradle.hooks);
    if (hooks) doc = hooks.beforeDatasetIndex(doc, pkg);
    // Visibility is not a plugin's to change (CKAN sets the labels after before_dataset_index too).
    doc.permission_labels = permissionLabels;
    return searchRow(doc, pkg);
  };

  const insertRows = async (db: Knex | Knex.Transaction, rows: SearchRow[]) => {
    if (!rows.length) return;
    await db.raw(
      `insert into package_search (${ROW_COLUMNS.join(', ')}) values ${rows.map(() => ROW_PLACEHOLDERS).join(', ')}
       on conflict (package_id) do update set ${UPSERT_SET}`,
      rows.flatMap(rowBindings) as Knex.RawBinding[],
    );
  };

  return {
    name: POSTGRES_BACKEND_NAME,

    async index(trx, pkg) {
      await insertRows(trx, [rowFor(pkg)]);
    },

    async remove(trx, packageId) {
      await trx.raw('delete from package_search where package_id = ?', [packageId]);
    },

    async search(query, trx) {
      const plan = planSearch(query, cradle.clock.now());
      const db = trx ?? cradle.knex;
      const run = (statement: Statement) => db.raw(statement.sql, statement.bindings as Knex.RawBinding[]);
      const [main, page] = await Promise.all([run(plan.main), plan.page && run(plan.page)]);
      return readResult([...main.rows, ...(page?.rows ?? [])], query);
    },

    async rebuild() {
      return cradle.knex.transaction(async (trx) => {
        await trx.raw('delete from package_search');
        let count = 0;
        let after = '';
        for (;;) {
          const { rows } = await trx.raw('select id, data from package where id > ? order by id limit ?', [after, REBUILD_BATCH]);
          if (!rows.length) return count;
          await insertRows(trx, rows.map((row: { data: string }) => rowFor(JSON.parse(row.data))));
          count += rows.length;
          after = rows[rows.length - 1].id;
        }
      });
    },
  };
};

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
  /** With facets: the single statement. Without: the count. */
  main: Statement;
  /** Without facets and with rows > 0: the page query. */
  page: Statement | null;
}

// Sort columns that can be null; the others are NOT NULL, and leaving "nulls last" off lets an
// index on them serve a descending sort.
const NULLABLE_SORT_COLUMNS = new Set(['organization', 'owner_org', 'license_id', 'dataset_type']);

export function planSearch(query: SearchQuery, now: Date): SearchPlan {
  const where = whereClause(query, now);
  const sort = sortKeys(query);
  const facetFields = [...new Set(query.facetFields.map(clean))];

  if (!facetFields.length) {
    const main = { sql: `select null::bigint as ord, null::text as data, count(*) as total, null::json as facets from package_search s where ${where.sql}`, bindings: where.bindings };
    if (query.rows <= 0) return { main, page: null };
    const select = ['s.package_id', ...sort.columns.map((column, i) => `${column} as k${i}`)];
    const page = {
      sql: `select page.ord, p.data
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
    select page.ord, p.data, null, null
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
  return plan.page ?? plan.main;
}

function whereClause(query: SearchQuery, now: Date) {
  const translator = new QueryTranslator(now);
  const conditions: Condition[] = [];
  if (query.states.length) conditions.push({ kind: 'sql', sql: 's.state = any(?::text[])', bindings: [textArrayLiteral(query.states)] });
  if (!query.includePrivate) conditions.push({ kind: 'sql', sql: `s.capacity = 'public'`, bindings: [] });
  // Active public datasets carry exactly the label "public": for a caller holding it, when only
  // those can match, the label test would filter nothing.
  const onlyPublicActive = !query.includePrivate && query.states.length === 1 && query.states[0] === 'active';
  if (query.labels && !(onlyPublicActive && query.labels.includes('public'))) {
    conditions.push({ kind: 'sql', sql: 's.labels && ?::text[]', bindings: [textArrayLiteral(query.labels)] });
  }
  // A q or fq that analyses to nothing (only punctuation) matches nothing.
  if (query.q) conditions.push(translator.translate(query.q) ?? { kind: 'const', value: false });
  for (const filter of query.filters) conditions.push(translator.translate(filter) ?? { kind: 'const', value: false });
  return render(allOf(conditions));
}

/** Sort expressions over `s`, and ORDER BY keys over their k<i> aliases in the matched set `m`. */
function sortKeys(query: SearchQuery) {
  const ranking = rankingQueries(query.q);
  const rankParts: string[] = [];
  const rankBindings: unknown[] = [];
  for (const column of ['tsv', 'ftsv'] as const) {
    if (!ranking[column]) continue;
    rankParts.push(`ts_rank(?::float4[], s.${column}, ?::tsquery)`);
    rankBindings.push(RANK_WEIGHTS, ranking[column]);
  }

  const columns: string[] = [];
  const bindings: unknown[] = [];
  const order: string[] = [];
  let hasId = false;
  for (const { field, direction: asked } of query.sort) {
    const key = { field: clean(field), direction: asked };
    const direction = key.direction === 'desc' ? 'desc' : 'asc';
    let nullable = true;
    if (key.field === 'score') {
      if (!rankParts.length) continue; // every document scores the same
      columns.push(rankParts.join(' + '));
      bindings.push(...rankBindings);
      nullable = false;
    } else if (SORT_COLUMNS[key.field]) {
      if (key.field === 'id') hasId = true;
      columns.push(`s.${SORT_COLUMNS[key.field]}`);
      nullable = NULLABLE_SORT_COLUMNS.has(SORT_COLUMNS[key.field]);
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

function unsortable(field: string): SearchError {
  const reason = fieldKind(field) === 'text' ? 'a text field' : isMultiValued(field) ? 'a multi-valued field' : 'this field';
  return new SearchError(`Can not sort on ${reason}: ${field}`);
}

interface ResultRow {
  ord: number | null;
  data: string | null;
  total: number | string | null;
  facets: Array<Array<[string, number]>> | string | null;
}

function readResult(rows: ResultRow[], query: SearchQuery): SearchResult {
  const [head, ...page] = rows;
  const facetFields = [...new Set(query.facetFields.map(clean))];
  const lists = typeof head.facets === 'string' ? JSON.parse(head.facets) : (head.facets ?? []);
  const facets: SearchResult['facets'] = {};
  facetFields.forEach((field, i) => {
    const counts: Record<string, number> = {};
    for (const [value, count] of lists[i] ?? []) counts[value] = Number(count);
    facets[field] = counts;
  });
  return { count: Number(head.total), results: page.map((row) => row.data!), facets };
}
