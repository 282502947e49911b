// Changes to many datasets at once, as CKAN's organization page makes them (bulk_update_private,
// bulk_update_public, bulk_update_delete), and moving a dataset to another organization
// (package_owner_org_update). As in CKAN these change the stored datasets and the index without
// validating each dataset again: a bulk action must not fail on one old dataset's metadata.
import { NotFound, ValidationError } from '../../errors.ts';
import type { ActionDefinition, DataDict } from '../types.ts';
import { organizationForPackage } from './dictize.ts';
import { rewriteStoredDataset } from './save.ts';

type BulkChange = 'private' | 'public' | 'delete';

function bulkAction(change: BulkChange): ActionDefinition {
  const what = change === 'delete' ? 'Delete' : `Make ${change}`;
  return {
    access: 'manual',
    doc: `${what} the given datasets of an organization (its admins; datasets of other organizations are left alone).\n\n:param datasets: ids of the datasets\n:param org_id: the id of the organization that owns them\n:rtype: null`,
    async handler(context, data) {
      await context.checkAccess(`bulk_update_${change}`, data);
      const datasets: unknown = data.datasets ?? [];
      if (!Array.isArray(datasets) || datasets.some((id) => typeof id !== 'string')) throw new ValidationError({ datasets: ['Must be a list of dataset ids'] });
      const org = typeof data.org_id === 'string' ? await context.services.repos.groups.get(context.db(), data.org_id) : undefined;
      if (!org || !org.is_organization) throw new NotFound('Organization was not found.');
      await context.transaction(async () => {
        for (const id of new Set(datasets as string[])) {
          const row = await context.services.repos.packages.get(context.db(), id, { forUpdate: true });
          if (!row || row.owner_org !== org.id || row.state === 'deleted') continue;
          if (change === 'delete') {
            await context.action('package_delete', { id: row.id }, { ignoreAuth: true });
            continue;
          }
          const now = context.services.clock.nowIso();
          await rewriteStoredDataset(context, row, (dict) => {
            dict.private = change === 'private';
            dict.metadata_modified = now;
          });
        }
      });
      return null;
    },
  };
}

const packageOwnerOrgUpdate: ActionDefinition = {
  access: 'manual',
  doc: 'Move a dataset to another organization, or to none (sysadmins only, as in CKAN).\n\n:param id: the id or name of the dataset\n:param organization_id: the id or name of the organization (empty: none)\n:rtype: null',
  async handler(context, data) {
    await context.checkAccess('package_owner_org_update', data);
    await context.transaction(async () => {
      const { repos, clock } = context.services;
      const row = typeof data.id === 'string' ? await repos.packages.get(context.db(), data.id, { forUpdate: true }) : undefined;
      if (!row) throw new NotFound('Package was not found.');
      let org = null;
      if (data.organization_id) {
        org = typeof data.organization_id === 'string' ? ((await repos.groups.get(context.db(), data.organization_id)) ?? null) : null;
        if (!org || !org.is_organization || org.state !== 'active') throw new NotFound('Organization was not found.');
      }
      const now = clock.nowIso();
      await rewriteStoredDataset(context, row, (dict: DataDict) => {
        dict.owner_org = org?.id ?? null;
        dict.organization = organizationForPackage(org);
        dict.metadata_modified = now;
      });
    });
    return null;
  },
};

export const bulkActions: Record<string, ActionDefinition> = {
  bulk_update_private: bulkAction('private'),
  bulk_update_public: bulkAction('public'),
  bulk_update_delete: bulkAction('delete'),
  package_owner_org_update: packageOwnerOrgUpdate,
};
