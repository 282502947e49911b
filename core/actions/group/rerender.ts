// Datasets store their package dict whole, with the organization and groups embedded. When an
// organization or group changes what a dataset shows of it (name, title, description, image,
// state), or a dataset joins or leaves a group, the affected dicts are rewritten and re-indexed in
// the same transaction, so package_show and package_search never show a stale organization.
import type { GroupRow } from '../../model/groups.ts';
import type { PackageRow } from '../../model/packages.ts';
import { groupForPackage, organizationForPackage } from '../package/dictize.ts';
import { rewriteStoredDataset } from '../package/save.ts';
import type { ActionContext, DataDict } from '../types.ts';

/** What a dataset shows of this organization or group; null when it shows nothing. */
export function embedded(context: ActionContext, row: GroupRow): DataDict | null {
  if (row.is_organization) return organizationForPackage(row);
  return row.state === 'active' ? groupForPackage(row, context.services.config.site.url) : null;
}

function sameEmbedding(context: ActionContext, before: GroupRow, after: GroupRow): boolean {
  return JSON.stringify(embedded(context, before)) === JSON.stringify(embedded(context, after));
}

/** Put the group's current entry into a dataset's `groups` (or take it out), keeping the others in place. */
function placeGroup(dict: DataDict, groupId: string, entry: DataDict | null) {
  const list: DataDict[] = Array.isArray(dict.groups) ? dict.groups : [];
  const at = list.findIndex((group) => group.id === groupId);
  if (entry && at >= 0) list[at] = entry;
  else if (entry) list.push(entry);
  else if (at >= 0) list.splice(at, 1);
  dict.groups = list;
}

async function rewriteAll(context: ActionContext, rows: PackageRow[], change: (dict: DataDict) => void) {
  for (const row of rows) await rewriteStoredDataset(context, row, change);
}

/** After an update: refresh every dataset that embeds the group, if what they show has changed. */
export async function rerenderAfterUpdate(context: ActionContext, before: GroupRow, after: GroupRow): Promise<void> {
  if (sameEmbedding(context, before, after)) return;
  const rows = await context.services.repos.groups.embeddingDatasets(context.db(), after);
  const entry = embedded(context, after);
  if (after.is_organization) await rewriteAll(context, rows, (dict) => void (dict.organization = entry));
  else await rewriteAll(context, rows, (dict) => placeGroup(dict, after.id, entry));
}

/**
 * Before a group's memberships end (delete, purge): its datasets stop listing it. An
 * organization's datasets show no organization; orphaned ones lose their owner_org too: the
 * undeleted ones when an organization is deleted (CKAN leaves deleted datasets pointing at it),
 * all of them when it is purged and the row is gone.
 */
export async function detachDatasets(context: ActionContext, row: GroupRow, options: { orphan: 'none' | 'undeleted' | 'all' }): Promise<void> {
  const rows = await context.services.repos.groups.embeddingDatasets(context.db(), row);
  if (!row.is_organization) {
    await rewriteAll(context, rows, (dict) => placeGroup(dict, row.id, null));
    return;
  }
  for (const pkg of rows) {
    await rewriteStoredDataset(context, pkg, (dict) => {
      dict.organization = null;
      if (options.orphan === 'all' || (options.orphan === 'undeleted' && dict.state !== 'deleted')) dict.owner_org = null;
    });
  }
}

/** A dataset joined (entry) or left (null) a group through member_create / group_update. */
export async function setDatasetGroup(context: ActionContext, packageId: string, group: GroupRow, joined: boolean): Promise<void> {
  const row = await context.services.repos.packages.get(context.db(), packageId, { forUpdate: true });
  if (!row) return;
  await rewriteStoredDataset(context, row, (dict) => placeGroup(dict, group.id, joined ? embedded(context, group) : null));
}
