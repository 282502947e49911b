// The one write path for groups and organizations (CKAN's _group_or_org_create / _update and
// model_save.group_dict_save): validate, write the row and its memberships, re-render the datasets
// that embed the group, and run the plugin hooks, all in the caller's transaction.
//
// Update semantics follow CKAN 2.11: columns that are not given keep their value; `extras` and the
// fields plugins declare are replaced (missing means removed); `users` and `groups` are replaced
// only when given; `packages` only for groups, and only when given.
import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../errors.ts';
import { hasErrors, validate } from '../../validation/navl.ts';
import type { GroupRow } from '../../model/groups.ts';
import type { ActionContext, DataDict } from '../types.ts';
import { type GroupKind, isOrganizationKind } from './common.ts';
import { extrasToStore, groupSchema } from './schema.ts';
import { extrasDict, groupCoreDict, groupDictize } from './dictize.ts';
import { rerenderAfterUpdate, setDatasetGroup } from './rerender.ts';
import { takeImageUpload } from '../../storage/image-upload.ts';

export interface SaveGroupOptions {
  mode: 'create' | 'update';
  /** The current row, locked FOR UPDATE by the caller, when updating. */
  current?: GroupRow;
}

/** Keys a plugin's before_create / before_update hook may change in the dict it is given. */
const HOOK_EDITABLE = ['title', 'description', 'image_url', 'approval_status'] as const;

export async function saveGroup(context: ActionContext, kind: GroupKind, input: DataDict, options: SaveGroupOptions): Promise<GroupRow> {
  return context.transaction(async () => {
    const { services } = context;
    const db = context.db();
    const { mode, current } = options;
    const declared = services.fields[kind];

    const previousDict = current ? { ...groupCoreDict(context, current), extras: extrasDict(current) } : null;
    const fromClient = { ...input };
    const image = takeImageUpload(context, 'group', fromClient, current?.image_url ?? null);
    const { data, errors } = await validate(fromClient, groupSchema(mode, declared), { action: context, current: previousDict, group: current ?? null });
    if (hasErrors(errors)) throw new ValidationError(errors);

    const now = services.clock.nowIso();
    const fields: Record<string, unknown> = {};
    for (const field of declared) if (data[field.field_name] !== undefined) fields[field.field_name] = data[field.field_name];

    const row: GroupRow = current
      ? {
          ...current,
          name: data.name ?? current.name,
          title: data.title ?? current.title,
          description: data.description ?? current.description,
          image_url: data.image_url ?? current.image_url,
          approval_status: data.approval_status ?? current.approval_status,
          state: data.state ?? current.state,
          extras: extrasToStore(data.extras),
          fields,
        }
      : {
          id: data.id ?? randomUUID(),
          name: data.name,
          title: data.title ?? '',
          type: data.type || kind,
          description: data.description ?? '',
          image_url: data.image_url ?? '',
          created: now,
          is_organization: isOrganizationKind(kind),
          approval_status: data.approval_status ?? 'approved',
          state: data.state ?? 'active',
          extras: extrasToStore(data.extras),
          fields,
        };

    const hookDict: DataDict = { ...groupCoreDict(context, row), extras: extrasDict(row) };
    if (previousDict) await services.hooks.runGroup(kind, 'before_update', context, hookDict, previousDict);
    else await services.hooks.runGroup(kind, 'before_create', context, hookDict);
    applyHookChanges(row, hookDict, declared.map((field) => field.field_name));

    await freeNameFromDeletedGroup(context, row.name, row.id);
    if (current) await services.repos.groups.update(db, row.id, row);
    else await services.repos.groups.insert(db, row);
    await image.commit(row.image_url);

    if (current) await rerenderAfterUpdate(context, current, row);
    if (data.users !== undefined) await saveMembers(context, row, 'user', await resolveUsers(context, data.users), now);
    if (data.groups !== undefined) await saveMembers(context, row, 'group', await resolveParents(context, row, data.groups), now);
    if (!row.is_organization && data.packages !== undefined) {
      const wanted = new Map<string, string>(((data.packages ?? []) as DataDict[]).map((pkg) => [pkg.id as string, 'public']));
      const { added, removed } = await saveMembers(context, row, 'package', wanted, now);
      for (const packageId of added) await setDatasetGroup(context, packageId, row, true);
      for (const packageId of removed) await setDatasetGroup(context, packageId, row, false);
    }
    // The creator becomes an admin (CKAN runs member_create with auth ignored).
    if (!current && context.user) await services.repos.members.upsert(db, row.id, 'user', context.user.id, 'admin', now);

    const after = await groupDictize(context, row, { packages: null, extras: true, tags: false, groups: true, users: true, memberCount: false });
    if (previousDict) await services.hooks.runGroup(kind, 'after_update', context, after, previousDict);
    else await services.hooks.runGroup(kind, 'after_create', context, after);
    return row;
  });
}

function applyHookChanges(row: GroupRow, dict: DataDict, fieldNames: string[]) {
  for (const key of HOOK_EDITABLE) if (typeof dict[key] === 'string') row[key] = dict[key];
  if (Array.isArray(dict.extras)) row.extras = extrasToStore(dict.extras);
  for (const name of fieldNames) if (name in dict && dict[name] !== null) row.fields[name] = dict[name];
}

/**
 * A deleted group keeps its name until another group wants it; then the deleted one is renamed
 * to its id (CKAN's table_dict_save), so the unique name is free.
 */
async function freeNameFromDeletedGroup(context: ActionContext, name: string, ownId: string) {
  const { groups } = context.services.repos;
  const holder = await groups.nameHolder(context.db(), name);
  if (holder && holder.id !== ownId && holder.state === 'deleted') await groups.update(context.db(), holder.id, { name: holder.id });
}

/** users: [{name, capacity}] by id or name; unknown users are skipped, as CKAN does. */
async function resolveUsers(context: ActionContext, users: DataDict[]): Promise<Map<string, string>> {
  const wanted = new Map<string, string>();
  for (const entry of users ?? []) {
    const user = await context.services.repos.users.get(context.db(), String(entry.name));
    if (!user || user.state === 'deleted' || wanted.has(user.id)) continue;
    // CKAN stores a capacity of 'public' when none is given, which grants nothing; 'member' does.
    wanted.set(user.id, entry.capacity ?? 'member');
  }
  return wanted;
}

/** groups: the parents this group is listed under; unknown ones and the group itself are skipped. */
async function resolveParents(context: ActionContext, row: GroupRow, parents: DataDict[]): Promise<Map<string, string>> {
  const wanted = new Map<string, string>();
  for (const entry of parents ?? []) {
    const parent = await context.services.repos.groups.get(context.db(), String(entry.name));
    if (!parent || parent.id === row.id || wanted.has(parent.id)) continue;
    wanted.set(parent.id, entry.capacity ?? 'public');
  }
  return wanted;
}

/** Make the group's active members of one type exactly `wanted` (id → capacity). */
async function saveMembers(
  context: ActionContext,
  row: GroupRow,
  tableName: 'user' | 'group' | 'package',
  wanted: Map<string, string>,
  now: string,
): Promise<{ added: string[]; removed: string[] }> {
  const { members } = context.services.repos;
  const db = context.db();
  const current = await members.activeOfType(db, row.id, tableName);
  const removed = [...current.keys()].filter((id) => !wanted.has(id));
  await members.markDeleted(db, row.id, tableName, removed, now);
  const added: string[] = [];
  for (const [id, capacity] of wanted) {
    if (current.get(id) === capacity) continue;
    if (!current.has(id)) added.push(id);
    await members.upsert(db, row.id, tableName, id, capacity, now);
  }
  return { added, removed };
}
