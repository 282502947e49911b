// Auth functions for datasets and resources, following ckan/logic/auth/{get,create,update,delete}.py.
import { NotFound, ValidationError } from '../../errors.ts';
import type { ActionContext, AuthDefinition, AuthResult, DataDict } from '../../actions/types.ts';
import type { PackageHead } from '../../model/packages.ts';
import { groupIdsWithPermission, hasPermissionFor } from '../authz.ts';
import { canSeeDataset } from '../labels.ts';

const userName = (context: ActionContext) => context.user?.name ?? '';

/** CKAN's get_package_object: the dataset the data dict names, or NotFound. */
export async function packageForAuth(context: ActionContext, data: DataDict): Promise<PackageHead> {
  if (data.__package) return data.__package as PackageHead;
  const ref = data.id ?? data.name_or_id ?? data.name;
  if (!ref) throw new ValidationError({ message: 'Missing id, can not get Package object' });
  const head = await context.services.repos.packages.head(context.db(), String(ref));
  if (!head) throw new NotFound();
  return head;
}

/** CKAN's _check_group_auth: the caller must manage every group being added. */
async function mayEditGroups(context: ActionContext, data: DataDict, pkg: PackageHead | null): Promise<boolean> {
  const refs = Array.isArray(data.groups) ? data.groups : [];
  if (!refs.length) return true;
  const { repos } = context.services;
  const current = pkg ? new Set(await repos.members.groupIdsOfPackage(context.db(), pkg.id)) : new Set<string>();
  for (const ref of refs) {
    const key = ref && typeof ref === 'object' ? (ref.id ?? ref.name) : ref;
    if (!key) continue;
    const group = await repos.groups.get(context.db(), String(key));
    if (!group) throw new NotFound('Group was not found.');
    if (current.has(group.id)) continue;
    if (!(await hasPermissionFor(context, group.id, 'manage_group'))) return false;
  }
  return true;
}

async function mayCreateInSomeOrg(context: ActionContext): Promise<boolean> {
  if (context.services.config.auth.create_unowned_dataset) return true;
  return (await groupIdsWithPermission(context, 'create_dataset')).length > 0;
}

async function isCollaborator(context: ActionContext, packageId: string, capacities: string[]): Promise<boolean> {
  if (!context.user || !context.services.config.auth.allow_dataset_collaborators) return false;
  const row = await context.services.repos.collaborators.get(context.db(), packageId, context.user.id);
  return !!row && capacities.includes(row.capacity);
}

/**
 * authz.can_manage_collaborators: an admin of the dataset's organization, an admin collaborator,
 * or the creator of a dataset outside any organization (where unowned datasets are allowed).
 */
async function mayManageCollaborators(context: ActionContext, pkg: PackageHead): Promise<boolean> {
  if (!context.user) return false;
  if (!pkg.owner_org && context.services.config.auth.create_unowned_dataset && pkg.creator_user_id === context.user.id) return true;
  if (pkg.owner_org && (await hasPermissionFor(context, pkg.owner_org, 'membership'))) return true;
  return isCollaborator(context, pkg.id, ['admin']);
}

export async function mayUpdatePackage(context: ActionContext, pkg: PackageHead, data: DataDict = {}): Promise<AuthResult> {
  const allowed = pkg.owner_org
    ? await hasPermissionFor(context, pkg.owner_org, 'update_dataset')
    : await mayCreateInSomeOrg(context);
  if (!allowed) {
    const collaborator = await isCollaborator(context, pkg.id, context.services.config.auth.allow_admin_collaborators ? ['admin', 'editor'] : ['editor']);
    if (!collaborator) return { success: false, msg: `User ${userName(context)} not authorized to edit package ${pkg.id}` };
    return { success: true };
  }
  if (!(await mayEditGroups(context, data, pkg))) return { success: false, msg: `User ${userName(context)} not authorized to edit these groups` };
  return { success: true };
}

const packageUpdate: AuthDefinition = {
  fn: async (context, data) => mayUpdatePackage(context, await packageForAuth(context, data), data),
};

export const packageAuth: Record<string, AuthDefinition> = {
  package_show: {
    allowAnonymous: true,
    fn: async (context, data) => {
      const pkg = await packageForAuth(context, data);
      if (await canSeeDataset(context, pkg)) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to read package ${pkg.id}` };
    },
  },
  package_list: { allowAnonymous: true, fn: () => true },
  current_package_list_with_resources: { allowAnonymous: true, fn: () => true },
  package_autocomplete: { allowAnonymous: true, fn: () => true },
  package_create: {
    fn: async (context, data) => {
      if (!(await mayCreateInSomeOrg(context))) return { success: false, msg: `User ${userName(context)} not authorized to create packages` };
      if (!(await mayEditGroups(context, data, null))) return { success: false, msg: `User ${userName(context)} not authorized to edit these groups` };
      if (data.owner_org) {
        const org = await context.services.repos.groups.get(context.db(), String(data.owner_org));
        if (!org || !(await hasPermissionFor(context, org.id, 'create_dataset'))) {
          return { success: false, msg: `User ${userName(context)} not authorized to add dataset to this organization` };
        }
      }
      return true;
    },
  },
  package_update: packageUpdate,
  package_patch: packageUpdate,
  package_delete: packageUpdate,
  // The reorder is an update of the dataset (CKAN's own auth function defers to package_update).
  package_resource_reorder: packageUpdate,
  package_revise: {
    fn: async (context, data) => {
      const update = (data.update ?? {}) as DataDict;
      return mayUpdatePackage(context, await packageForAuth(context, update), update);
    },
  },
  // Only sysadmins purge; they pass before this runs.
  dataset_purge: { fn: () => false },
  // CKAN: sysadmins only.
  package_owner_org_update: { fn: () => false },
  bulk_update_private: { fn: (context, data) => bulkAllowed(context, data) },
  bulk_update_public: { fn: (context, data) => bulkAllowed(context, data) },
  bulk_update_delete: { fn: (context, data) => bulkAllowed(context, data) },
  package_collaborator_list: {
    allowAnonymous: true,
    fn: async (context, data) => {
      const pkg = await packageForAuth(context, data);
      if (await mayManageCollaborators(context, pkg)) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to list collaborators from this dataset` };
    },
  },
  package_collaborator_create: {
    fn: async (context, data) => {
      const pkg = await packageForAuth(context, data);
      if (await mayManageCollaborators(context, pkg)) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to add collaborators to this dataset` };
    },
  },
  package_collaborator_delete: {
    fn: async (context, data) => {
      const pkg = await packageForAuth(context, data);
      if (await mayManageCollaborators(context, pkg)) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to remove collaborators from this dataset` };
    },
  },
  // Only your own collaborations (sysadmins pass before this runs).
  package_collaborator_list_for_user: {
    allowAnonymous: true,
    fn: (context, data) => !!context.user && (data.id === context.user.id || data.id === context.user.name),
  },
};

/** Resource actions defer to the dataset's rules (ckan/logic/auth: resource_* call package_*). */
export const resourceAuth: Record<string, AuthDefinition> = {
  resource_show: {
    allowAnonymous: true,
    fn: async (context, data) => {
      const pkg = await packageForAuth(context, { id: data.package_id, __package: data.__package });
      if (await canSeeDataset(context, pkg)) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to read resource ${data.id}` };
    },
  },
  resource_create: {
    fn: async (context, data) => {
      const pkg = await packageForAuth(context, { id: data.package_id, __package: data.__package });
      const verdict = await mayUpdatePackage(context, pkg);
      if (verdict.success) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to create resources on dataset ${pkg.id}` };
    },
  },
  resource_update: {
    fn: async (context, data) => {
      const pkg = await packageForAuth(context, { id: data.package_id, __package: data.__package });
      const verdict = await mayUpdatePackage(context, pkg);
      if (verdict.success) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to edit resource ${data.id}` };
    },
  },
  resource_search: { allowAnonymous: true, fn: () => true },
};
resourceAuth.resource_patch = resourceAuth.resource_update;
resourceAuth.resource_delete = {
  fn: async (context, data) => {
    const pkg = await packageForAuth(context, { id: data.package_id, __package: data.__package });
    const verdict = await mayUpdatePackage(context, pkg);
    if (verdict.success) return true;
    return { success: false, msg: `User ${userName(context)} not authorized to delete resource ${data.id}` };
  },
};


/** CKAN's bulk_update_*: the "update" permission on the organization, which only its admins hold. */
async function bulkAllowed(context: ActionContext, data: DataDict) {
  const org = typeof data.org_id === 'string' ? await context.services.repos.groups.get(context.db(), data.org_id) : undefined;
  if (org && (await hasPermissionFor(context, org.id, 'admin'))) return true;
  return { success: false, msg: `User ${userName(context)} not authorized to change datasets of this organization in bulk` };
}
