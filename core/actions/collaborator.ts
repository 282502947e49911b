// Dataset collaborators (ckan/logic/action/{create,get,delete}.py: package_collaborator_*): users
// given a role on one dataset outside its organization. Off unless
// ckan.auth.allow_dataset_collaborators; the admin role needs ckan.auth.allow_admin_collaborators.
// The checks run in CKAN's order, so clients see the same error for the same mistake.
import { NotAuthorized, NotFound, ValidationError } from '../errors.ts';
import type { CollaboratorRow } from '../model/collaborators.ts';
import type { PackageHead } from '../model/packages.ts';
import { isoFromDb } from './api-token.ts';
import { getOrBust as requireKeys } from './params.ts';
import type { ActionContext, ActionDefinition, DataDict } from './types.ts';

/** authz.get_collaborator_capacities. */
export function collaboratorCapacities(context: ActionContext): string[] {
  return context.services.config.auth.allow_admin_collaborators ? ['admin', 'editor', 'member'] : ['editor', 'member'];
}

function assertEnabled(context: ActionContext) {
  if (!context.services.config.auth.allow_dataset_collaborators) throw new ValidationError({ message: 'Dataset collaborators not enabled' });
}

/** The optional `capacity` filter of the list actions. */
function capacityFilter(context: ActionContext, data: DataDict): string | undefined {
  const capacity = data.capacity ? String(data.capacity) : undefined;
  const allowed = collaboratorCapacities(context);
  if (capacity && !allowed.includes(capacity)) throw new ValidationError({ message: `Capacity must be one of "${allowed.join(', ')}"` });
  return capacity;
}

async function loadPackage(context: ActionContext, ref: string, notFound: string): Promise<PackageHead> {
  const pkg = await context.services.repos.packages.head(context.db(), ref);
  if (!pkg) throw new NotFound(notFound);
  return pkg;
}

function collaboratorDict(row: CollaboratorRow): DataDict {
  return { package_id: row.package_id, user_id: row.user_id, capacity: row.capacity, modified: isoFromDb(row.modified) };
}

const packageCollaboratorCreate: ActionDefinition = {
  access: 'manual',
  doc: "Make a user a collaborator on a dataset, or change their role. Needs ckan.auth.allow_dataset_collaborators.\n\n:param id: the dataset's id or name\n:param user_id: the user's id or name\n:param capacity: editor or member (admin too with ckan.auth.allow_admin_collaborators)\n:returns: {package_id, user_id, capacity, modified}\n:rtype: dictionary",
  async handler(context, data) {
    const [packageRef, userRef, capacity] = requireKeys(data, ['id', 'user_id', 'capacity']);
    const allowed = collaboratorCapacities(context);
    if (!allowed.includes(capacity)) throw new ValidationError({ message: `Role must be one of "${allowed.join(', ')}"` });
    const { repos, clock } = context.services;
    return context.transaction(async () => {
      const pkg = await loadPackage(context, packageRef, 'Dataset not found');
      await context.checkAccess('package_collaborator_create', { ...data, id: pkg.id, __package: pkg });
      const user = await repos.users.get(context.db(), userRef);
      if (!user) throw new NotFound('User not found');
      assertEnabled(context);
      const row: CollaboratorRow = { package_id: pkg.id, user_id: user.id, capacity, modified: clock.nowIso() };
      await repos.collaborators.upsert(context.db(), row);
      return collaboratorDict(row);
    });
  },
};

const packageCollaboratorList: ActionDefinition = {
  sideEffectFree: true,
  access: 'manual',
  doc: "Return the collaborators of a dataset.\n\n:param id: the dataset's id or name\n:param capacity: only this role (optional)\n:rtype: list of {package_id, user_id, capacity, modified}",
  async handler(context, data) {
    const [packageRef] = requireKeys(data, ['id']);
    const pkg = await loadPackage(context, packageRef, 'Package not found');
    await context.checkAccess('package_collaborator_list', { ...data, id: pkg.id, __package: pkg });
    assertEnabled(context);
    const capacity = capacityFilter(context, data);
    const rows = await context.services.repos.collaborators.forPackage(context.db(), pkg.id, capacity);
    return rows.map(collaboratorDict);
  },
};

const packageCollaboratorListForUser: ActionDefinition = {
  sideEffectFree: true,
  access: 'manual',
  doc: "Return the datasets a user collaborates on (your own only).\n\n:param id: the user's id or name\n:param capacity: only this role (optional)\n:rtype: list of {package_id, capacity, modified}",
  async handler(context, data) {
    const [userRef] = requireKeys(data, ['id']);
    const user = await context.services.repos.users.get(context.db(), userRef);
    // CKAN refuses rather than admit whether the account exists.
    if (!user) throw new NotAuthorized('Not allowed to retrieve collaborations');
    await context.checkAccess('package_collaborator_list_for_user', data);
    assertEnabled(context);
    const capacity = capacityFilter(context, data);
    const rows = await context.services.repos.collaborators.forUser(context.db(), user.id, capacity);
    return rows.map((row) => ({ package_id: row.package_id, capacity: row.capacity, modified: isoFromDb(row.modified) }));
  },
};

const packageCollaboratorDelete: ActionDefinition = {
  access: 'manual',
  doc: "Remove a collaborator from a dataset.\n\n:param id: the dataset's id or name\n:param user_id: the user's id or name\n:rtype: null",
  async handler(context, data) {
    const [packageRef, userRef] = requireKeys(data, ['id', 'user_id']);
    const { repos } = context.services;
    await context.transaction(async () => {
      const pkg = await loadPackage(context, packageRef, 'Package not found');
      await context.checkAccess('package_collaborator_delete', { ...data, id: pkg.id, __package: pkg });
      assertEnabled(context);
      const user = await repos.users.get(context.db(), userRef);
      if (!user) throw new NotFound('User not found');
      if (!(await repos.collaborators.remove(context.db(), pkg.id, user.id))) {
        throw new NotFound(`User ${userRef} is not a collaborator on this package`);
      }
    });
    return null;
  },
};

export const collaboratorActions: Record<string, ActionDefinition> = {
  package_collaborator_create: packageCollaboratorCreate,
  package_collaborator_list: packageCollaboratorList,
  package_collaborator_list_for_user: packageCollaboratorListForUser,
  package_collaborator_delete: packageCollaboratorDelete,
};
