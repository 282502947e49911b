// The group / organization dict (model_dictize.group_dictize and group_list_dictize): the table
// columns, display_name and image_display_url, plus on request the dataset count or list, extras,
// parent groups, users and tags, and the fields plugins declare, at the top level.
import type { GroupRow, DatasetVisibility } from '../../model/groups.ts';
import { pgTimestampToIso } from '../../clock.ts';
import { hasPermissionFor } from '../../auth/authz.ts';
import { userDatasetLabels } from '../../auth/labels.ts';
import { imageDisplayUrl, sortKeys } from '../package/dictize.ts';
import { userDictize } from '../user.ts';
import type { ActionContext, DataDict } from '../types.ts';
import { countingQuery } from '../../search/search-index.ts';

export interface GroupDictizeOptions {
  /** 'datasets': `packages` (at most package_search's default 10 rows) and `package_count`; 'count': only the count. */
  packages: 'datasets' | 'count' | null;
  extras: boolean;
  tags: boolean;
  groups: boolean;
  users: boolean;
  memberCount: boolean;
  /** The listed user's capacity in the group (organization_list_for_user). */
  capacity?: string;
}

const PACKAGE_SEARCH_DEFAULT_ROWS = 10;

/** The columns of the group table as CKAN's table_dictize prints them, plus display names. */
export function groupCoreDict(context: ActionContext, row: GroupRow): DataDict {
  const dict: DataDict = {
    approval_status: row.approval_status ?? 'approved',
    created: pgTimestampToIso(row.created),
    description: row.description ?? '',
    display_name: row.title || row.name,
    id: row.id,
    image_display_url: imageDisplayUrl(row.image_url, context.services.config.site.url),
    image_url: row.image_url ?? '',
    is_organization: row.is_organization,
    name: row.name,
    state: row.state,
    title: row.title ?? '',
    type: row.type,
  };
  const declared = row.is_organization ? context.services.fields.organization : context.services.fields.group;
  const stored = (row.fields ?? {}) as DataDict;
  for (const field of declared) dict[field.field_name] = stored[field.field_name] ?? null;
  return dict;
}

export function extrasDict(row: GroupRow): DataDict[] {
  return (row.extras ?? []).map((extra) => ({ key: extra.key, value: extra.value }));
}

/**
 * Which of the group's datasets the caller sees, as CKAN's package_search for the group page:
 * an organization's private datasets only for those who may read the organization (or with
 * collaborators on, by label); a group's never.
 */
export async function datasetVisibility(context: ActionContext, row: GroupRow): Promise<DatasetVisibility> {
  if (!row.is_organization) return { includePrivate: false, labels: ['public'] };
  const includePrivate =
    context.ignoreAuth || (await hasPermissionFor(context, row.id, 'read')) || context.services.config.auth.allow_dataset_collaborators;
  return { includePrivate, labels: includePrivate ? await userDatasetLabels(context) : ['public'] };
}

export async function groupDictize(context: ActionContext, row: GroupRow, options: GroupDictizeOptions): Promise<DataDict> {
  const db = context.db();
  const { repos, config } = context.services;
  const dict = groupCoreDict(context, row);
  if (options.capacity !== undefined) dict.capacity = options.capacity;
  if (options.extras) dict.extras = extrasDict(row);
  if (options.packages) {
    const visibility = await datasetVisibility(context, row);
    const indexed = row.is_organization ? null : await publicDatasetsInGroup(context, row.name);
    dict.package_count = indexed ?? (await repos.groups.countDatasets(db, row, visibility));
    if (options.packages === 'datasets') {
      const rows = Math.min(PACKAGE_SEARCH_DEFAULT_ROWS, config.search.rows_max);
      dict.packages = (await repos.groups.datasetData(db, row, visibility, rows)).map((text) => JSON.parse(text));
    }
  }
  // Group tags cannot be set through the API; CKAN still lists the (empty) key.
  if (options.tags) dict.tags = [];
  if (options.groups) dict.groups = await parentGroups(context, row);
  if (options.users) dict.users = await memberUsers(context, row);
  if (options.memberCount) dict.member_count = await repos.members.countUsers(db, row.id);
  return sortKeys(dict);
}

/**
 * A group's public active datasets counted by the search index, as CKAN counts them (a groups
 * facet): the memory index answers at once, where counting memberships in SQL read the whole
 * package table for each group (0.8 s for group_list all_fields at 100,000 datasets). Null inside a
 * write, whose changes the index may not show yet, and when the index cannot answer.
 */
async function publicDatasetsInGroup(context: ActionContext, name: string): Promise<number | null> {
  if (context.trx) return null;
  const query = countingQuery({ filters: [{ type: 'term', field: 'groups', value: name, phrase: false, prefix: false }], includePrivate: false, labels: ['public'], facetLimit: 0 });
  try {
    return (await context.services.searchIndex.search(query, null)).count;
  } catch (err) {
    context.services.logger?.warn({ err: (err as Error).message, group: name }, 'search index unavailable: group dataset count read from the database');
    return null;
  }
}

/** The groups this one names as parents, each with its dataset count and capacity (group_list_dictize). */
async function parentGroups(context: ActionContext, row: GroupRow): Promise<DataDict[]> {
  const parents = await context.services.repos.groups.parents(context.db(), row.id);
  const out: DataDict[] = [];
  for (const parent of parents) {
    out.push(await groupDictize(context, parent, { packages: 'count', extras: false, tags: false, groups: false, users: false, memberCount: false, capacity: parent.capacity }));
  }
  return byDisplayName(out);
}

/** user_list_dictize with capacities: no email or API key, whoever asks. */
async function memberUsers(context: ActionContext, row: GroupRow): Promise<DataDict[]> {
  const rows = await context.services.repos.members.usersOf(context.db(), row.id);
  const out: DataDict[] = [];
  for (const user of rows) {
    const dict = await userDictize(context, user, { numberCreatedPackages: Number(user.number_created_packages) });
    delete dict.email;
    delete dict.apikey;
    dict.capacity = user.capacity;
    out.push(sortKeys(dict));
  }
  return out;
}

export function byDisplayName(dicts: DataDict[]): DataDict[] {
  return dicts.sort((a, b) => String(a.display_name).localeCompare(String(b.display_name), 'vi') || String(a.name).localeCompare(String(b.name)));
}

/** group_list_dictize: light dicts for lists, sorted by display name. */
export async function groupListDictize(
  context: ActionContext,
  rows: Array<{ row: GroupRow; capacity?: string }>,
  options: { counts: boolean; extras: boolean },
): Promise<DataDict[]> {
  const out: DataDict[] = [];
  for (const { row, capacity } of rows) {
    out.push(
      await groupDictize(context, row, { packages: options.counts ? 'count' : null, extras: options.extras, tags: false, groups: false, users: false, memberCount: false, capacity }),
    );
  }
  return byDisplayName(out);
}
