// Dataset visibility by permission labels (CKAN's DefaultPermissionLabels): a dataset carries
// labels, a user holds labels, and the user sees the dataset when the two overlap. The same rule
// filters package_search and guards package_show, so the two never disagree.
import type { ActionContext, DataDict } from '../actions/types.ts';

export interface LabelledDataset {
  id: string;
  state: string;
  private: boolean;
  owner_org: string | null;
  creator_user_id: string | null;
}

export function datasetPermissionLabels(pkg: LabelledDataset | DataDict, collaboratorsEnabled: boolean): string[] {
  if (pkg.state === 'active' && !pkg.private) return ['public'];
  const labels = collaboratorsEnabled ? [`collaborator-${pkg.id}`] : [];
  if (pkg.owner_org) return [...labels, `member-${pkg.owner_org}`];
  return [...labels, `creator-${pkg.creator_user_id}`];
}

/** The caller's labels; null for sysadmins (and ignore-auth system calls), who see everything. */
export async function userDatasetLabels(context: ActionContext): Promise<string[] | null> {
  if (context.ignoreAuth || context.user?.sysadmin) return null;
  const user = context.user;
  if (!user) return ['public'];
  const labels = ['public', `creator-${user.id}`];
  // Every capacity (admin, editor, member) includes "read".
  const orgs = await context.services.repos.members.groupsOfUser(context.db(), user.id, true);
  for (const org of orgs) labels.push(`member-${org.group_id}`);
  if (context.services.config.auth.allow_dataset_collaborators) {
    const rows = await context.services.repos.collaborators.forUser(context.db(), user.id);
    for (const row of rows) labels.push(`collaborator-${row.package_id}`);
  }
  return labels;
}

export async function canSeeDataset(context: ActionContext, pkg: LabelledDataset): Promise<boolean> {
  if (pkg.state === 'active' && !pkg.private) return true;
  const mine = await userDatasetLabels(context);
  if (mine === null) return true;
  const theirs = datasetPermissionLabels(pkg, context.services.config.auth.allow_dataset_collaborators);
  return theirs.some((label) => mine.includes(label));
}
