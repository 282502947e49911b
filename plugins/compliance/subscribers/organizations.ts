// IOrganizationController: keep a history of each organization's compliance fields (focal point,
// code, sectors), so past periods are judged on what the organization had then.
import type { IOrganizationController } from '../../../core/plugins/interfaces.ts';
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import { orgFieldsOf } from '../services/facts.ts';
import * as store from '../services/store.ts';

async function snapshot(context: ActionContext, org: DataDict) {
  const fields = orgFieldsOf(org);
  const latest = await store.latestOrgSnapshot(context.db(), org.id);
  if (latest && JSON.stringify(latest) === JSON.stringify(fields)) return;
  await store.insertOrgSnapshot(context.db(), org.id, context.services.clock.now(), fields);
}

export const organizationHooks: IOrganizationController = {
  after_create: snapshot,
  after_update: snapshot,
};
