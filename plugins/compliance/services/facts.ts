// Loading the facts: organizations and datasets through the core's actions (organization_list,
// package_search in large pages), their history and attestations from the plugin's tables. Reads run
// as the site (ignore auth): compliance covers private datasets too.
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import { parseInstant } from './time.ts';
import { publicationState, declaredDataModified } from './dataset-state.ts';
import * as store from './store.ts';
import type { DatasetEvent, DatasetFacts, Facts, OrgFacts } from './types.ts';

export const ORG_FIELDS = [
  'ma_dinh_danh', 'parent_org', 'contact_name', 'contact_position', 'contact_phone', 'contact_email', 'feedback_email', 'feedback_phone', 'linh_vuc_phu_trach',
] as const;

export function orgFieldsOf(dict: DataDict): DataDict {
  const out: DataDict = {};
  for (const key of ORG_FIELDS) out[key] = dict[key] ?? null;
  return out;
}

const PAGE = 1000;

export async function loadOrganizations(context: ActionContext): Promise<DataDict[]> {
  const out: DataDict[] = [];
  const limit = context.services.config.groups.list_all_fields_max;
  for (let offset = 0; ; offset += limit) {
    const page: DataDict[] = await context.action(
      'organization_list',
      { all_fields: true, include_dataset_count: false, include_extras: false, include_users: false, include_groups: false, include_tags: false, limit, offset, sort: 'name asc' },
      { ignoreAuth: true },
    );
    out.push(...page);
    if (page.length < limit) break;
  }
  return out;
}

/**
 * Every dataset (private and deleted ones included, for history), page by page through
 * package_search; after the first page, up to `parallel` pages are fetched at once (the search runs
 * in the database while the previous page is parsed).
 */
export async function forEachDatasetPage(context: ActionContext, visit: (page: DataDict[]) => void, fq = '', parallel = 1): Promise<void> {
  const rows = Math.min(PAGE, context.services.config.search.rows_max);
  const page = (start: number): Promise<DataDict> =>
    context.action('package_search', { q: '', fq, rows, start, sort: 'id asc', include_private: true, include_deleted: true, facet: 'false' }, { ignoreAuth: true });
  const first = await page(0);
  visit(first.results);
  const starts: number[] = [];
  for (let start = rows; start < first.count; start += rows) starts.push(start);
  for (let i = 0; i < starts.length; i += parallel) {
    const pages = await Promise.all(starts.slice(i, i + parallel).map(page));
    for (const result of pages) visit(result.results);
  }
}

export async function loadDatasets(context: ActionContext, fq = ''): Promise<DataDict[]> {
  const out: DataDict[] = [];
  // Only CKAN's default type is data under these rules (not harvest sources, showcases…).
  await forEachDatasetPage(context, (page) => out.push(...page.filter((dict) => !dict.type || dict.type === 'dataset')), fq, 3);
  return out;
}

/** The history of a dataset the plugin never saw change: what its dict says, as of its creation. */
export function baselineEvents(dict: DataDict): DatasetEvent[] {
  const created = parseInstant(dict.metadata_created) ?? new Date(0);
  const state = publicationState(dict);
  const events: DatasetEvent[] = [{ at: created, kind: 'baseline', ...state, data_updated: true }];
  const modified = declaredDataModified(dict);
  if (modified && modified > created && modified <= (parseInstant(dict.metadata_modified) ?? modified)) {
    events.push({ at: modified, kind: 'baseline', ...state, data_updated: true });
  }
  return events;
}

export function datasetFacts(dict: DataDict, events: DatasetEvent[] | undefined): DatasetFacts {
  return {
    id: dict.id,
    name: dict.name,
    title: dict.title || dict.name,
    dict,
    events: events && events.length ? events : baselineEvents(dict),
    baseline: !(events && events.length),
  };
}

export function orgFacts(dict: DataDict, history: OrgFacts['history'] = []): OrgFacts {
  return {
    id: dict.id,
    name: dict.name,
    title: dict.title || dict.name,
    state: dict.state,
    created: parseInstant(dict.created),
    fields: orgFieldsOf(dict),
    history,
  };
}

export interface LoadOptions {
  /** Only this organization's datasets (fq owner_org). */
  orgId?: string;
}

export async function loadFacts(context: ActionContext, options: LoadOptions = {}): Promise<Facts> {
  const db = context.db();
  const [orgDicts, datasetDicts, snapshots, attestations, reports] = await Promise.all([
    loadOrganizations(context),
    loadDatasets(context, options.orgId ? `owner_org:${options.orgId}` : ''),
    store.orgSnapshots(db),
    options.orgId ? store.attestationsOfOrg(db, options.orgId) : store.attestations(db),
    store.reportRecords(db),
  ]);
  const ids = options.orgId ? datasetDicts.map((dict) => dict.id as string) : undefined;
  const urls = options.orgId ? datasetDicts.flatMap((dict) => ((dict.resources ?? []) as DataDict[]).map((r) => r.url as string).filter(Boolean)) : undefined;
  const [events, links] = await Promise.all([store.datasetEvents(db, ids), store.linkStates(db, urls)]);
  const orgs = new Map<string, OrgFacts>();
  for (const dict of orgDicts) orgs.set(dict.id, orgFacts(dict, snapshots.get(dict.id) ?? []));
  const datasets: DatasetFacts[] = [];
  const byId = new Map<string, DatasetFacts>();
  for (const dict of datasetDicts) {
    const facts = datasetFacts(dict, events.get(dict.id));
    datasets.push(facts);
    byId.set(facts.id, facts);
  }
  // Datasets that were purged still have a history; keep it for past periods.
  for (const [id, list] of events) {
    if (byId.has(id)) continue;
    const facts: DatasetFacts = { id, name: id, title: id, dict: null, events: list, baseline: false };
    datasets.push(facts);
    byId.set(id, facts);
  }
  return { orgs, datasets, byId, attestations, reports, links };
}
