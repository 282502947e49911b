// Reading groups and organizations: *_show, *_list, organization_list_for_user, group_list_authz
// (ckan/logic/action/get.py: _group_or_org_show, _group_or_org_list and friends).
import { NotFound, ValidationError } from '../../errors.ts';
import { Invalid } from '../../validation/navl.ts';
import { naturalNumberValidator } from '../../validation/validators.ts';
import { capacityGrants, type Permission } from '../../auth/authz.ts';
import type { GroupRow, GroupSortField } from '../../model/groups.ts';
import type { ActionContext, ActionDefinition, DataDict } from '../types.ts';
import { type GroupKind, findGroup, isOrganizationKind, listParam, loadGroupOfKind, paramBool, refOf, withGroup } from './common.ts';
import { getOrBust as requireKeys } from '../params.ts';
import { groupDictize, groupListDictize } from './dictize.ts';
import { sortKeys } from '../package/dictize.ts';

/** The include_* switches of *_show, with CKAN's defaults (include_users follows public_user_details). */
function showOptions(context: ActionContext, data: DataDict) {
  const datasets = paramBool(data, 'include_datasets', false);
  const count = paramBool(data, 'include_dataset_count', true);
  return {
    packages: datasets ? ('datasets' as const) : count ? ('count' as const) : null,
    tags: paramBool(data, 'include_tags', true),
    users: paramBool(data, 'include_users', context.services.config.auth.public_user_details),
    groups: paramBool(data, 'include_groups', true),
    extras: paramBool(data, 'include_extras', true),
    followers: paramBool(data, 'include_followers', true),
    memberCount: paramBool(data, 'include_member_count', false),
  };
}

/** organization_show / group_show of a loaded row: auth, then the dict. */
export async function showGroup(context: ActionContext, kind: GroupKind, row: GroupRow, data: DataDict): Promise<DataDict> {
  const options = showOptions(context, data);
  await context.checkAccess(`${kind}_show`, withGroup(data, row));
  const dict = await groupDictize(context, row, options);
  // Following is not implemented: nobody follows anything, so the count is 0 either way.
  return sortKeys({ ...dict, num_followers: 0 });
}

function showAction(kind: GroupKind): ActionDefinition {
  const what = kind === 'organization' ? 'an organization' : 'a group';
  return {
    sideEffectFree: true,
    access: 'manual',
    doc: `Return the details of ${what}.\n\n:param id: the id or name of the ${kind}\n:param include_datasets: include up to 10 of its datasets (default false)\n:param include_dataset_count: include package_count (default true)\n:param include_extras, include_users, include_groups, include_tags, include_followers: (default true; include_users follows ckan.auth.public_user_details)\n:param include_member_count: include member_count (default false)\n:rtype: dictionary`,
    async handler(context, data) {
      requireKeys(data, ['id']);
      // Parameters are checked before the lookup, as in CKAN.
      showOptions(context, data);
      const row = await loadGroupOfKind(context, kind, data.id, '');
      return showGroup(context, kind, row, data);
    },
  };
}

// -------------------------------------------------------------------------------------------------
// group_list / organization_list

const SORT_FIELDS: Record<string, GroupSortField> = { name: 'name', title: 'title', package_count: 'package_count', packages: 'package_count' };

/** CKAN's _unpick_search with one criterion: "title asc", "package_count desc", "packages". */
function parseSort(value: unknown): { field: GroupSortField; direction: 'asc' | 'desc' } {
  let sort = typeof value === 'string' && value.trim() ? value.trim() : 'title';
  // A bare package count sorts the biggest first, as CKAN always has.
  if (sort === 'packages' || sort === 'package_count') sort = 'package_count desc';
  const parts = sort.split(',');
  if (parts.length > 1) throw new ValidationError('Too many sort criteria provided only 1 allowed');
  const [field, order = 'asc'] = parts[0].trim().split(/\s+/);
  if (!Object.hasOwn(SORT_FIELDS, field)) throw new ValidationError(`Cannot sort by field \`${field}\``);
  const direction = order.toLowerCase();
  if (direction !== 'asc' && direction !== 'desc') throw new ValidationError(`Invalid sort direction \`${direction}\``);
  return { field: SORT_FIELDS[field], direction };
}

/** default_pagination_schema on limit and offset, all errors at once. */
function pagination(data: DataDict): { limit?: number; offset?: number } {
  const out: { limit?: number; offset?: number } = {};
  const errors: Record<string, string[]> = {};
  for (const key of ['limit', 'offset'] as const) {
    const value = data[key];
    if (value === undefined || value === null || value === '') continue;
    try {
      out[key] = (naturalNumberValidator(value, undefined as never) as number | null) ?? undefined;
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      errors[key] = [err.message];
    }
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return out;
}

function listAction(kind: GroupKind): ActionDefinition {
  const plural = kind === 'organization' ? 'organizations' : 'groups';
  return {
    sideEffectFree: true,
    doc: `Return the names of the site's ${plural}, or their dicts with all_fields.\n\n:param type: the ${kind} type (default '${kind}')\n:param sort: name, title or package_count (alias packages), with asc or desc (default 'title asc')\n:param limit: at most groups.list_max (1000), or groups.list_all_fields_max (25) with all_fields\n:param offset:\n:param ${plural}: only these names (a list, or comma-separated)\n:param q: only those whose name, title or description contains this\n:param all_fields: return dicts (default false)\n:param include_dataset_count: with all_fields (default true)\n:param include_extras, include_tags, include_groups, include_users: with all_fields (default false)\n:rtype: list`,
    async handler(context, data) {
      const { limit, offset } = pagination(data);
      const allFields = paramBool(data, 'all_fields', false);
      const sort = parseSort(data.sort ?? data.order_by);
      const { list_max, list_all_fields_max } = context.services.config.groups;
      const max = allFields ? list_all_fields_max : list_max;
      const rows = await context.services.repos.groups.list(context.db(), {
        isOrganization: isOrganizationKind(kind),
        type: refOf(data.type) || kind,
        names: listParam(data[plural]),
        q: typeof data.q === 'string' && data.q.trim() ? data.q.trim() : undefined,
        sort,
        limit: limit && limit <= max ? limit : max,
        offset: offset ?? 0,
      });
      if (!allFields) return rows.map((row) => row.name);
      // Each group as *_show gives it, with the costly parts off unless asked for.
      const showData: DataDict = { ...data };
      for (const key of ['include_extras', 'include_tags', 'include_users', 'include_groups', 'include_followers']) {
        if (!(key in showData)) showData[key] = false;
      }
      const out: DataDict[] = [];
      for (const row of rows) out.push(await showGroup(context, kind, row, showData));
      return out;
    },
  };
}

// -------------------------------------------------------------------------------------------------
// organization_list_for_user / group_list_authz

/** Capacities in descending order of rights: a user holding several keeps the strongest. */
const RANK: Record<string, number> = { admin: 3, editor: 2, member: 1 };

/** CKAN's roles_that_cascade_to_sub_groups default: an admin of an organization administers those below it. */
const CASCADING = ['admin'];

const organizationListForUser: ActionDefinition = {
  sideEffectFree: true,
  doc: "Return the organizations a user has a permission in, each with the user's `capacity`.\n\n:param id: the user's id or name (default: the caller)\n:param permission: (default 'manage_group')\n:param include_dataset_count: (default false)\n:param include_extras: (default false)\n:rtype: list of dictionaries",
  async handler(context, data) {
    const { repos } = context.services;
    const db = context.db();
    let user: { id: string; sysadmin: boolean } | null = context.user;
    if (data.id !== undefined && data.id !== null && data.id !== '') {
      const ref = refOf(data.id);
      const found = ref === null ? undefined : await repos.users.get(db, ref);
      if (!found) throw new NotFound();
      user = found;
    }
    const counts = paramBool(data, 'include_dataset_count', false);
    const extras = paramBool(data, 'include_extras', false);
    if (!user) return [];
    let granted: Array<{ row: GroupRow; capacity: string }>;
    if (user.sysadmin) {
      granted = (await repos.groups.activeOfKind(db, true)).map((row) => ({ row, capacity: 'admin' }));
    } else {
      const permission = (data.permission === undefined ? 'manage_group' : data.permission) as Permission;
      const capacities = new Map<string, string>();
      const keep = (groupId: string, capacity: string) => {
        if ((RANK[capacity] ?? 0) > (RANK[capacities.get(groupId) ?? ''] ?? 0)) capacities.set(groupId, capacity);
      };
      const memberships = (await repos.members.ofUser(db, user.id)).filter((m) => capacityGrants(m.capacity, permission));
      for (const membership of memberships) keep(membership.group_id, membership.capacity);
      const cascading = memberships.filter((m) => CASCADING.includes(m.capacity)).map((m) => m.group_id);
      for (const [below, root] of await repos.groups.descendants(db, cascading)) keep(below, memberships.find((m) => m.group_id === root)!.capacity);
      if (!capacities.size) return [];
      const rows = await repos.groups.activeOfKind(db, true, [...capacities.keys()]);
      granted = rows.map((row) => ({ row, capacity: capacities.get(row.id)! }));
    }
    return groupListDictize(context, granted, { counts, extras });
  },
};

const groupListAuthz: ActionDefinition = {
  sideEffectFree: true,
  doc: "Return the groups the caller may add datasets to (manage_group).\n\n:param available_only: leave out the groups the dataset `package_id` is already in (default false)\n:param am_member: only groups the caller is a member of, even for sysadmins (default false)\n:param include_dataset_count: (default false)\n:rtype: list of dictionaries",
  async handler(context, data) {
    const { repos } = context.services;
    const db = context.db();
    const availableOnly = paramBool(data, 'available_only', false);
    const amMember = paramBool(data, 'am_member', false);
    const counts = paramBool(data, 'include_dataset_count', false);
    const user = context.user;
    if (!user) return [];
    let rows: GroupRow[];
    if (user.sysadmin && !amMember) {
      rows = await repos.groups.activeOfKind(db, false);
    } else {
      const ids = (await repos.members.ofUser(db, user.id)).filter((m) => capacityGrants(m.capacity, 'manage_group')).map((m) => m.group_id);
      if (!ids.length) return [];
      rows = await repos.groups.activeOfKind(db, false, ids);
    }
    // CKAN reads the dataset from its internal context, which no API call can set; Kho takes package_id.
    const packageRef = refOf(data.package_id);
    if (availableOnly && packageRef) {
      const pkg = await repos.packages.head(db, packageRef);
      if (pkg) {
        const joined = new Set(await repos.members.groupIdsOfPackage(db, pkg.id));
        rows = rows.filter((row) => !joined.has(row.id));
      }
    }
    return groupListDictize(context, rows.map((row) => ({ row })), { counts, extras: false });
  },
};

// -------------------------------------------------------------------------------------------------
// group_package_show

const groupPackageShow: ActionDefinition = {
  sideEffectFree: true,
  access: 'manual',
  doc: "Return the datasets of a group (or an organization), as package_search lists them: public ones, newest match first, those the caller may see.\n\n:param id: the id or name of the group\n:param limit: the most datasets to return (default 10)\n:rtype: list of dictionaries",
  async handler(context, data) {
    requireKeys(data, ['id']);
    // CKAN's `if limit: int(limit)`: an empty or zero limit means package_search's default.
    const limit = data.limit;
    let rows: number | undefined;
    if (limit !== undefined && limit !== null && limit !== '' && limit !== 0 && limit !== false) {
      rows = Number(limit);
      if (!Number.isInteger(rows) || rows < 0) throw new ValidationError('Limit must be a positive integer');
    }
    const row = await findGroup(context, data.id);
    if (!row) throw new NotFound();
    await context.checkAccess('group_show', withGroup(data, row));
    // CKAN asks its index for groups:<name>; an organization's datasets are found by their owner.
    const fq = row.is_organization ? `owner_org:"${row.id}"` : `groups:"${row.name}"`;
    const found = await context.action<{ results: DataDict[] }>('package_search', { fq, ...(rows !== undefined ? { rows } : {}) });
    return found.results;
  },
};

export const readActions: Record<string, ActionDefinition> = {
  group_package_show: groupPackageShow,
  organization_show: showAction('organization'),
  group_show: showAction('group'),
  organization_list: listAction('organization'),
  group_list: listAction('group'),
  organization_list_for_user: organizationListForUser,
  group_list_authz: groupListAuthz,
};
