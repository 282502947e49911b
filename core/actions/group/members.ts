// Memberships of users, datasets and groups in groups and organizations
// (ckan/logic/action: member_create, member_delete, member_list, group_member_create,
// organization_member_create, *_member_delete, member_roles_list).
import { randomUUID } from 'node:crypto';
import { NotAuthorized, NotFound, ValidationError } from '../../errors.ts';
import { CAPACITIES } from '../../auth/authz.ts';
import type { GroupRow } from '../../model/groups.ts';
import type { MemberRow } from '../../model/members.ts';
import type { ActionContext, ActionDefinition, DataDict } from '../types.ts';
import { type GroupKind, findGroup, refOf, withGroup } from './common.ts';
import { getOrBust as requireKeys } from '../params.ts';
import { setDatasetGroup } from './rerender.ts';

type ObjectType = 'user' | 'package' | 'group';

/** Role names as CKAN shows them (authz.trans_role), in the site's language. */
const ROLE_LABELS: Record<'vi' | 'en', Record<string, string>> = {
  vi: { admin: 'Quản trị viên', editor: 'Biên tập viên', member: 'Thành viên' },
  en: { admin: 'Admin', editor: 'Editor', member: 'Member' },
};

function roleLabels(context: ActionContext): Record<string, string> {
  return context.services.config.site.locale_default.toLowerCase().startsWith('en') ? ROLE_LABELS.en : ROLE_LABELS.vi;
}

/** Python's str.title(), as CKAN builds "Package was not found." and "Foo isn't a valid model". */
function pyTitle(text: string): string {
  return text.toLowerCase().replace(/(^|[^a-z])([a-z])/g, (_match, before: string, letter: string) => before + letter.toUpperCase());
}

/** model_name_to_class: the kinds of object that can be members. */
function objectTypeOf(value: unknown): ObjectType {
  const name = refOf(value) ?? String(value);
  if (name === 'user' || name === 'package' || name === 'group') return name;
  throw new ValidationError(`${pyTitle(name)} isn't a valid model`);
}

async function findObject(context: ActionContext, type: ObjectType, value: unknown): Promise<{ id: string; owner_org?: string | null } | undefined> {
  const ref = refOf(value);
  if (ref === null || ref === '') return undefined;
  const { repos } = context.services;
  const db = context.db();
  if (type === 'user') return repos.users.get(db, ref);
  if (type === 'package') return repos.packages.head(db, ref);
  return repos.groups.get(db, ref);
}

function memberDict(row: Pick<MemberRow, 'id' | 'table_name' | 'table_id' | 'capacity' | 'group_id' | 'state'>): DataDict {
  return { capacity: row.capacity, group_id: row.group_id, id: row.id, state: row.state, table_id: row.table_id, table_name: row.table_name };
}

/** The group, the object's type and the object of a member_create / member_delete call, or the 404. */
async function memberTarget(context: ActionContext, data: DataDict) {
  const group = await findGroup(context, data.id, { forUpdate: true });
  if (!group) throw new NotFound('Group was not found.');
  const type = objectTypeOf(data.object_type);
  const object = await findObject(context, type, data.object);
  if (!object) throw new NotFound(`${pyTitle(type)} was not found.`);
  return { group, type, object };
}

/**
 * A dataset's organization is its owner_org, not a membership: CKAN's "organization" member rows
 * are bookkeeping only, so member_create / member_delete of a dataset in an organization change
 * nothing here.
 */
function isOrganizationDataset(group: GroupRow, type: ObjectType): boolean {
  return group.is_organization && type === 'package';
}

const memberCreate: ActionDefinition = {
  access: 'manual',
  doc: "Make a user, dataset or group a member of a group or organization, or change the capacity of an existing membership. You must be allowed to edit the group; any member of a group may add datasets to it.\n\n:param id: the group's id or name\n:param object: the id or name of the user, dataset or group\n:param object_type: 'user', 'package' or 'group'\n:param capacity: for users 'admin', 'editor' or 'member'\n:returns: the membership\n:rtype: dictionary",
  async handler(context, data) {
    requireKeys(data, ['id', 'object', 'object_type', 'capacity']);
    return context.transaction(async () => {
      const { group, type, object } = await memberTarget(context, data);
      await context.checkAccess('member_create', withGroup({ ...data, object_type: type }, group));
      const capacity = refOf(data.capacity) ?? '';
      if (type === 'user' && !(CAPACITIES as readonly string[]).includes(capacity)) throw new ValidationError({ capacity: ['role does not exist.'] });
      if (!capacity) throw new ValidationError({ capacity: ['Missing value'] });
      const now = context.services.clock.nowIso();
      if (isOrganizationDataset(group, type)) {
        return memberDict({ id: randomUUID(), table_name: 'package', table_id: object.id, capacity, group_id: group.id, state: 'active' });
      }
      const { members } = context.services.repos;
      const existing = await members.find(context.db(), group.id, type, object.id);
      const active = existing?.state === 'active';
      if (active && type === 'user' && context.user?.id === object.id && existing.capacity === 'admin' && capacity !== 'admin') {
        throw new NotAuthorized('Administrators cannot revoke their own admin status');
      }
      const row = await members.upsert(context.db(), group.id, type, object.id, capacity, now);
      if (type === 'package' && !active) await setDatasetGroup(context, object.id, group, true);
      return memberDict(row);
    });
  },
};

const memberDelete: ActionDefinition = {
  access: 'manual',
  doc: "Remove a user, dataset or group from a group or organization.\n\n:param id: the group's id or name\n:param object: the id or name of the user, dataset or group\n:param object_type: 'user', 'package' or 'group'",
  async handler(context, data) {
    requireKeys(data, ['id', 'object', 'object_type']);
    await context.transaction(async () => {
      const { group, type, object } = await memberTarget(context, data);
      await context.checkAccess('member_delete', withGroup({ ...data, object_type: type }, group));
      if (isOrganizationDataset(group, type)) return;
      const { members, } = context.services.repos;
      const existing = await members.find(context.db(), group.id, type, object.id);
      if (existing?.state !== 'active') return;
      await members.markDeleted(context.db(), group.id, type, [object.id], context.services.clock.nowIso());
      if (type === 'package') await setDatasetGroup(context, object.id, group, false);
    });
    return null;
  },
};

const memberList: ActionDefinition = {
  sideEffectFree: true,
  access: 'manual',
  doc: "Return the members of a group or organization as [id, type, capacity] triples.\n\n:param id: the group's id or name\n:param object_type: only 'user', 'package' or 'group' members (optional)\n:param capacity: only members with this capacity (optional)\n:rtype: list of lists",
  async handler(context, data) {
    requireKeys(data, ['id']);
    const group = await findGroup(context, data.id);
    if (!group) throw new NotFound();
    const objectType = refOf(data.object_type) || undefined;
    const capacity = refOf(data.capacity) || undefined;
    // CKAN asks group_show's permission (which guards user lists when user details are private).
    await context.checkAccess('group_show', withGroup(data, group));
    const db = context.db();
    const rows: Array<{ table_id: string; table_name: string; capacity: string }> = await context.services.repos.members.listActive(db, group.id, objectType, capacity);
    if (group.is_organization && (!objectType || objectType === 'package') && (!capacity || capacity === 'organization')) {
      for (const id of await context.services.repos.groups.undeletedDatasetIds(db, group.id)) rows.push({ table_id: id, table_name: 'package', capacity: 'organization' });
    }
    const labels = roleLabels(context);
    return rows.map((row) => [row.table_id, row.table_name, labels[row.capacity] ?? row.capacity]);
  },
};

/** group_member_create / organization_member_create: member_schema's checks, then member_create. */
function userMemberCreate(kind: GroupKind): ActionDefinition {
  return {
    access: 'manual',
    doc: `Add a user to ${kind === 'organization' ? 'an organization' : 'a group'}, or change their role.\n\n:param id: the ${kind}'s id or name\n:param username: the user's name or id\n:param role: 'admin', 'editor' or 'member'\n:returns: the membership\n:rtype: dictionary`,
    async handler(context, data) {
      const errors: Record<string, string[]> = {};
      for (const key of ['id', 'username', 'role']) if (data[key] === undefined) errors[key] = ['Missing value'];
      const group = data.id === undefined ? undefined : await findGroup(context, data.id);
      const ref = refOf(data.username);
      const user = data.username === undefined || ref === null || ref === '' ? undefined : await context.services.repos.users.get(context.db(), ref);
      if (data.id !== undefined && !group) errors.id = ['That group name or ID does not exist.'];
      if (data.username !== undefined && !user) errors.username = ['Not found: User'];
      if (data.role !== undefined && !(CAPACITIES as readonly unknown[]).includes(data.role)) errors.role = ['role does not exist.'];
      if (Object.keys(errors).length) throw new ValidationError(errors);
      await context.checkAccess(`${kind}_member_create`, withGroup(data, group!));
      return context.action('member_create', { id: group!.id, object: user!.id, object_type: 'user', capacity: data.role });
    },
  };
}

function userMemberDelete(kind: GroupKind): ActionDefinition {
  return {
    access: 'manual',
    doc: `Remove a user from ${kind === 'organization' ? 'an organization' : 'a group'}.\n\n:param id: the ${kind}'s id or name\n:param username: the user's name or id (user_id is accepted too)`,
    async handler(context, data) {
      requireKeys(data, ['id']);
      const username = data.username ?? data.user_id;
      if (username === undefined) throw new ValidationError({ username: ['Missing value'] });
      const group = await findGroup(context, data.id);
      if (!group) throw new NotFound(kind === 'organization' ? 'Organization not found' : 'Group not found');
      await context.checkAccess(`${kind}_member_delete`, withGroup(data, group));
      await context.action('member_delete', { id: group.id, object: username, object_type: 'user' });
      return null;
    },
  };
}

const memberRolesList: ActionDefinition = {
  sideEffectFree: true,
  doc: "Return the roles a user can have in an organization or group, with their names in the site's language.\n\n:param group_type: 'organization' (default) or 'group' (which has no editor role)\n:rtype: list of {text, value}",
  handler(context, data) {
    const labels = roleLabels(context);
    const roles = data.group_type === 'group' ? CAPACITIES.filter((role) => role !== 'editor') : CAPACITIES;
    return roles.map((role) => ({ text: labels[role], value: role }));
  },
};

export const memberActions: Record<string, ActionDefinition> = {
  member_create: memberCreate,
  member_delete: memberDelete,
  member_list: memberList,
  group_member_create: userMemberCreate('group'),
  organization_member_create: userMemberCreate('organization'),
  group_member_delete: userMemberDelete('group'),
  organization_member_delete: userMemberDelete('organization'),
  member_roles_list: memberRolesList,
};
