// Creating, updating, patching, deleting and purging groups and organizations
// (ckan/logic/action/{create,update,patch,delete}.py: _group_or_org_*).
import { NotFound, ValidationError } from '../../errors.ts';
import type { GroupRow } from '../../model/groups.ts';
import type { ActionContext, ActionDefinition, DataDict } from '../types.ts';
import { type GroupKind, findGroup, loadGroupOfKind, withGroup } from './common.ts';
import { getOrBust as requireKeys } from '../params.ts';
import { extrasDict, groupCoreDict, groupDictize } from './dictize.ts';
import { showGroup } from './read.ts';
import { detachDatasets } from './rerender.ts';
import { saveGroup } from './save.ts';

function createAction(kind: GroupKind): ActionDefinition {
  const other = kind === 'organization' ? 'group' : 'organization';
  return {
    access: 'manual',
    doc: `Create ${kind === 'organization' ? 'an organization' : 'a group'}; the caller becomes its admin.\n\n:param name: 2–100 characters: lowercase ascii letters, digits, - and _; unique among groups and organizations\n:param title, description, image_url, approval_status: optional\n:param type: (default '${kind}')\n:param state: sysadmins only (default 'active')\n:param extras: [{key, value}]\n:param users: [{name, capacity}]\n:param groups: parent ${kind}s, [{name}]${kind === 'group' ? '\n:param packages: datasets in the group, [{id}]' : ''}\n:param id: sysadmins only, a UUID\n:returns: the new ${kind}, as ${kind}_show gives it\n:rtype: dictionary`,
    async handler(context, data) {
      // CKAN raises a bare exception here (a 500); the request is simply invalid.
      if (data.type === other) throw new ValidationError({ type: [`Trying to create ${kind === 'group' ? 'an organization as a group' : 'a group as an organization'}`] });
      await context.checkAccess(`${kind}_create`, data);
      return context.transaction(async () => {
        const row = await saveGroup(context, kind, data, { mode: 'create' });
        return showGroup(context, kind, row, { id: row.id });
      });
    },
  };
}

/** The update itself, shared by *_update and *_patch: lookup, type and auth checks, save. */
async function updateGroup(context: ActionContext, requested: GroupKind, data: DataDict, prepare?: (row: GroupRow, kind: GroupKind) => DataDict): Promise<DataDict> {
  requireKeys(data, ['id']);
  return context.transaction(async () => {
    // CKAN's group_update and group_patch take an organization too (the group is found by id
    // alone), and ckanapi's `load organizations --upload-logo` relies on it; it is then updated
    // as an organization, with the organization's schema, permissions and hooks.
    const row = await findGroup(context, data.id, { forUpdate: true });
    if (!row || (requested === 'organization' && !row.is_organization)) throw new NotFound('Group was not found.');
    const kind: GroupKind = row.is_organization ? 'organization' : 'group';
    const input = prepare ? prepare(row, kind) : data;
    if (input.type !== undefined && input.type !== null && input.type !== row.type) throw new ValidationError({ type: 'Type cannot be updated' });
    await context.checkAccess(`${kind}_update`, withGroup(input, row));
    const saved = await saveGroup(context, kind, input, { mode: 'update', current: row });
    // CKAN answers an update with group_dictize's defaults: datasets, users, groups, extras and tags.
    return groupDictize(context, saved, { packages: 'datasets', extras: true, tags: true, groups: true, users: true, memberCount: false });
  });
}

function updateAction(kind: GroupKind): ActionDefinition {
  return {
    access: 'manual',
    doc: `Update ${kind === 'organization' ? 'an organization' : 'a group'}. Fields not given keep their value, except extras (and plugin fields), which are replaced; users and groups are replaced when given${kind === 'group' ? ', and so are packages' : ''}. Use ${kind}_patch to change some fields only.\n\n:param id: the id or name\n:returns: the updated ${kind}\n:rtype: dictionary`,
    handler: (context, data) => updateGroup(context, kind, data),
  };
}

function patchAction(kind: GroupKind): ActionDefinition {
  return {
    access: 'manual',
    doc: `Patch ${kind === 'organization' ? 'an organization' : 'a group'}: only the given keys change.\n\n:param id: the id or name\n:returns: the updated ${kind}\n:rtype: dictionary`,
    async handler(context, data) {
      requireKeys(data, ['id']);
      return updateGroup(context, kind, data, (row, rowKind) => {
        // What an update would otherwise replace is carried over from the stored group.
        const current = groupCoreDict(context, row);
        const fields: DataDict = {};
        for (const field of context.services.fields[rowKind]) if (current[field.field_name] !== null) fields[field.field_name] = current[field.field_name];
        return { extras: extrasDict(row), ...fields, ...data, id: row.id };
      });
    },
  };
}

function deleteAction(kind: GroupKind): ActionDefinition {
  return {
    access: 'manual',
    doc: `Delete ${kind === 'organization' ? 'an organization' : 'a group'}: it is marked deleted and its memberships end.${kind === 'organization' ? ' Refused while it still has datasets, unless ckan.auth.create_unowned_dataset is on (then they lose their organization).' : ' Its datasets leave it.'}\n\n:param id: the id or name`,
    async handler(context, data) {
      requireKeys(data, ['id']);
      await context.transaction(async () => {
        const { repos, hooks, clock, config } = context.services;
        const db = context.db();
        const row = await loadGroupOfKind(context, kind, data.id, 'Group was not found.', { forUpdate: true });
        await context.checkAccess(`${kind}_delete`, withGroup(data, row));
        if (row.is_organization && (await repos.groups.undeletedDatasetIds(db, row.id)).length && !config.auth.create_unowned_dataset) {
          throw new ValidationError('Organization cannot be deleted while it still has datasets');
        }
        const dict = { ...groupCoreDict(context, row), extras: extrasDict(row) };
        await hooks.runGroup(kind, 'before_delete', context, dict);
        await detachDatasets(context, row, { orphan: row.is_organization ? 'undeleted' : 'none' });
        await repos.members.markAllDeletedForGroup(db, row.id, clock.nowIso());
        await repos.groups.update(db, row.id, { state: 'deleted' });
        await hooks.runGroup(kind, 'after_delete', context, { ...dict, state: 'deleted' });
      });
      return null;
    },
  };
}

function purgeAction(kind: GroupKind): ActionDefinition {
  return {
    access: 'manual',
    doc: `Purge ${kind === 'organization' ? 'an organization' : 'a group'}: remove it and its memberships completely${kind === 'organization' ? '; its datasets stay, without an organization' : ''}. Sysadmins only; cannot be undone.\n\n:param id: the id or name`,
    async handler(context, data) {
      requireKeys(data, ['id']);
      await context.transaction(async () => {
        const { repos } = context.services;
        const db = context.db();
        const row = await loadGroupOfKind(context, kind, data.id, kind === 'organization' ? 'Organization was not found' : 'Group was not found');
        await context.checkAccess(`${kind}_purge`, withGroup(data, row));
        await detachDatasets(context, row, { orphan: 'all' });
        await repos.members.purgeAllForGroup(db, row.id);
        await repos.groups.remove(db, row.id);
      });
      return null;
    },
  };
}

export const writeActions: Record<string, ActionDefinition> = {
  organization_create: createAction('organization'),
  group_create: createAction('group'),
  organization_update: updateAction('organization'),
  group_update: updateAction('group'),
  organization_patch: patchAction('organization'),
  group_patch: patchAction('group'),
  organization_delete: deleteAction('organization'),
  group_delete: deleteAction('group'),
  organization_purge: purgeAction('organization'),
  group_purge: purgeAction('group'),
};
