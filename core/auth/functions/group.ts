// Auth functions for groups, organizations and memberships, following
// ckan/logic/auth/{get,create,update,delete}.py. Sysadmins pass every check before these run.
// CKAN's 'update' and 'delete' permissions belong to no role but admin, so they are checked here as
// the 'admin' permission; 'membership' (managing users) is an admin's too.
import { NotFound, ValidationError } from '../../errors.ts';
import type { ActionContext, AuthDefinition, AuthResult, DataDict } from '../../actions/types.ts';
import type { GroupRow } from '../../model/groups.ts';
import { hasPermissionFor } from '../authz.ts';

/**
 * Actions hand the group they already loaded to the auth function under this key. A symbol, so a
 * client cannot forge it in the request body.
 */
export const GROUP_ROW = Symbol('group row');

const userName = (context: ActionContext) => context.user?.name ?? '';

/** CKAN's get_group_object. */
export async function groupForAuth(context: ActionContext, data: DataDict): Promise<GroupRow> {
  const given = data[GROUP_ROW as unknown as string] as GroupRow | undefined;
  if (given) return given;
  const ref = data.id;
  if (ref === undefined || ref === null || ref === '') throw new ValidationError({ message: 'Missing id, can not get Group object' });
  const row = typeof ref === 'string' || typeof ref === 'number' ? await context.services.repos.groups.get(context.db(), String(ref)) : undefined;
  if (!row) throw new NotFound();
  return row;
}

function wantsBool(value: unknown): boolean {
  if (typeof value === 'string') return ['true', 'yes', 'on', 'y', 't', '1'].includes(value.trim().toLowerCase());
  return !!value;
}

/** group_show: active groups are public, unless user details are private and users are asked for. */
async function mayReadGroup(context: ActionContext, data: DataDict): Promise<AuthResult | boolean> {
  const group = await groupForAuth(context, data);
  if (group.state === 'active') {
    const listsUsers = wantsBool(data.include_users) || data.object_type === 'user';
    if (context.services.config.auth.public_user_details || !listsUsers) return true;
  }
  if (await hasPermissionFor(context, group.id, 'read')) return true;
  return { success: false, msg: `User ${userName(context)} not authorized to read group ${group.id}` };
}

function mayCreate(kind: 'organization' | 'group'): AuthDefinition {
  return {
    fn: (context) => {
      const { user_create_organizations, user_create_groups } = context.services.config.auth;
      if (context.user && (kind === 'organization' ? user_create_organizations : user_create_groups)) return true;
      const what = kind === 'organization' ? 'organizations' : 'groups';
      return { success: false, msg: `User ${context.user?.id ?? ''} not authorized to create ${what}` };
    },
  };
}

function mayEdit(kind: 'organization' | 'group'): AuthDefinition {
  return {
    fn: async (context, data) => {
      const group = await groupForAuth(context, data);
      if (await hasPermissionFor(context, group.id, 'admin')) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to edit ${kind} ${group.id}` };
    },
  };
}

function mayDelete(kind: 'organization' | 'group'): AuthDefinition {
  return {
    fn: async (context, data) => {
      const group = await groupForAuth(context, data);
      if (await hasPermissionFor(context, group.id, 'admin')) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to delete ${kind} ${group.id}` };
    },
  };
}

/**
 * member_create / member_delete: editing a group's members needs the group's 'update' permission
 * (admins), but any member of a group (not of an organization) may add or remove datasets.
 */
const mayEditMembers: AuthDefinition = {
  fn: async (context, data) => {
    const group = await groupForAuth(context, data);
    const permission = !group.is_organization && data.object_type === 'package' ? 'manage_group' : 'admin';
    if (await hasPermissionFor(context, group.id, permission)) return true;
    return { success: false, msg: `User ${userName(context)} not authorized to edit group ${group.id}` };
  },
};

function mayManageUsers(verb: 'add' | 'delete'): AuthDefinition {
  return {
    fn: async (context, data) => {
      const group = await groupForAuth(context, data);
      if (await hasPermissionFor(context, group.id, 'membership')) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to ${verb} members` };
    },
  };
}

const anyone: AuthDefinition = { allowAnonymous: true, fn: () => true };
const readGroup: AuthDefinition = { allowAnonymous: true, fn: mayReadGroup };
// Purging is for sysadmins only, and they never reach this function.
const sysadminOnly: AuthDefinition = { fn: () => false };

export const groupAuth: Record<string, AuthDefinition> = {
  group_list: anyone,
  organization_list: anyone,
  group_list_authz: anyone,
  organization_list_for_user: anyone,
  member_roles_list: anyone,
  group_show: readGroup,
  organization_show: readGroup,
  member_list: readGroup,
  group_create: mayCreate('group'),
  organization_create: mayCreate('organization'),
  group_update: mayEdit('group'),
  organization_update: mayEdit('organization'),
  group_patch: mayEdit('group'),
  organization_patch: mayEdit('organization'),
  // ignore_not_group_admin: who may set a group's state on update.
  group_change_state: mayEdit('group'),
  group_delete: mayDelete('group'),
  organization_delete: mayDelete('organization'),
  group_purge: sysadminOnly,
  organization_purge: sysadminOnly,
  member_create: mayEditMembers,
  member_delete: mayEditMembers,
  group_member_create: mayManageUsers('add'),
  organization_member_create: mayManageUsers('add'),
  group_member_delete: mayManageUsers('delete'),
  organization_member_delete: mayManageUsers('delete'),
};
