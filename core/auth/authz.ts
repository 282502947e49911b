// Capacities and permissions, as CKAN's ckan/authz.py: an organization or group admin may do
// everything there; an editor reads and manages datasets; a member reads. Sysadmins pass every check.
import type { ActionContext } from '../actions/types.ts';
import type { Db } from '../model/db.ts';

export type Capacity = 'admin' | 'editor' | 'member';
export type Permission = 'read' | 'create_dataset' | 'update_dataset' | 'delete_dataset' | 'manage_group' | 'admin' | 'membership';

export const ROLE_PERMISSIONS: Record<Capacity, readonly Permission[]> = {
  admin: ['admin', 'membership'],
  editor: ['read', 'delete_dataset', 'create_dataset', 'update_dataset', 'manage_group'],
  member: ['read', 'manage_group'],
};

export const CAPACITIES: readonly Capacity[] = ['admin', 'editor', 'member'];

export function capacityGrants(capacity: string | null | undefined, permission: Permission): boolean {
  if (!capacity) return false;
  if (capacity === 'admin') return true;
  return (ROLE_PERMISSIONS[capacity as Capacity] ?? []).includes(permission);
}

export async function capacityIn(db: Db, userId: string, groupId: string): Promise<string | null> {
  const row = await db('member as m')
    .join('group as g', 'g.id', 'm.group_id')
    .where({ 'm.group_id': groupId, 'm.table_name': 'user', 'm.table_id': userId, 'm.state': 'active', 'g.state': 'active' })
    .first('m.capacity');
  return row?.capacity ?? null;
}

/** CKAN's has_user_permission_for_group_or_org. */
export async function hasPermissionFor(context: ActionContext, groupId: string | null | undefined, permission: Permission): Promise<boolean> {
  const user = context.user;
  if (!user || !groupId) return false;
  if (user.sysadmin) return true;
  return capacityGrants(await capacityIn(context.db(), user.id, groupId), permission);
}

/** Ids of the active organizations (or groups) where the caller holds `permission`. */
export async function groupIdsWithPermission(context: ActionContext, permission: Permission, isOrganization = true): Promise<string[]> {
  const user = context.user;
  if (!user) return [];
  if (user.sysadmin) {
    const rows = await context.db()('group').where({ is_organization: isOrganization, state: 'active' }).select('id');
    return rows.map((row: { id: string }) => row.id);
  }
  const rows = await context.services.repos.members.groupsOfUser(context.db(), user.id, isOrganization);
  return rows.filter((row) => capacityGrants(row.capacity, permission)).map((row) => row.group_id);
}

export function isSysadmin(context: ActionContext): boolean {
  return context.ignoreAuth || !!context.user?.sysadmin;
}
