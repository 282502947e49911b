// The one write path for datasets. package_create, package_update (and through it patch, revise
// and every resource action) validate, assemble the package dict, write the rows, index and run
// the plugin hooks here, inside the caller's transaction: either all of it happens or none does.
import { randomUUID } from 'node:crypto';
import { NotFound, ValidationError } from '../../errors.ts';
import { hasErrors, validate } from '../../validation/navl.ts';
import { isUploadedFile, type UploadedFile } from '../../storage/file-store.ts';
import { isoformat, pgTimestampToIso } from '../../clock.ts';
import { capacityGrants, capacityIn } from '../../auth/authz.ts';
import type { PackageRow } from '../../model/packages.ts';
import type { ResourceRow, StoredUpload } from '../../model/resources.ts';
import type { GroupRow } from '../../model/groups.ts';
import { tagKey } from '../../model/tags.ts';
import type { ActionContext, DataDict } from '../types.ts';
import { datasetSchema } from './schema.ts';
import { guessMimetypeFromUrl } from './resource-format.ts';
import {
  groupForPackage,
  licenseFields,
  organizationForPackage,
  RESOURCE_CORE_KEYS,
  resourceDisplayUrl,
  sortKeys,
} from './dictize.ts';

export interface SaveOptions {
  mode: 'create' | 'update';
  /** The current row, locked FOR UPDATE by the caller, when updating. */
  current?: PackageRow;
}

const TEXT_FIELDS = ['author', 'author_email', 'license_id', 'maintainer', 'maintainer_email', 'notes', 'title', 'url', 'version'] as const;

export async function saveDataset(context: ActionContext, input: DataDict, options: SaveOptions): Promise<DataDict> {
  return context.transaction(async () => {
    const { services } = context;
    const db = context.db();
    const { mode, current } = options;
    const currentDict: DataDict | null = current ? JSON.parse(current.data) : null;

    // Lookups the validators already made (name holder, organization), so the write does not repeat them.
    const memo = new Map<string, unknown>();
    const { data, errors } = await validate(input, datasetSchema(mode, services.fields.dataset), { action: context, current: currentDict, memo });
    if (hasErrors(errors)) throw new ValidationError(errors);

    const now = services.clock.nowIso();
    const id: string = mode === 'create' ? (data.id ?? randomUUID()) : current!.id;
    const ownerOrg: string | null = 'owner_org' in data ? data.owner_org : (current?.owner_org ?? null);
    const org = ownerOrg ? ((memo.get(`org:${ownerOrg}`) as GroupRow | undefined) ?? (await services.repos.groups.get(db, ownerOrg))) : undefined;
    const groups = await resolveGroups(context, data.groups, id, currentDict);

    const dict: DataDict = {
      creator_user_id: current ? current.creator_user_id : (context.user?.id ?? null),
      extras: ((data.extras ?? []) as DataDict[])
        // CKAN's package_extras_save skips extras whose value is None.
        .filter((extra) => !extra.deleted && extra.value !== null && extra.value !== undefined)
        .map((extra) => ({ key: extra.key, value: extra.value }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      groups: groups.map((group) => groupForPackage(group, services.config.site.url)),
      id,
      // The stored dict's own value: re-deriving it from the column would drop a zero fraction (".000000").
      metadata_created: current ? (currentDict!.metadata_created ?? pgTimestampToIso(current.metadata_created)) : now,
      metadata_modified: now,
      name: data.name ?? current!.name,
      organization: organizationForPackage(org),
      owner_org: ownerOrg,
      private: data.private ?? current?.private ?? false,
      relationships_as_object: [],
      relationships_as_subject: [],
      state: data.state ?? (current ? current.state : 'active'),
      tags: uniqueTags((data.tags ?? []) as DataDict[]),
      type: current ? current.type : data.type || 'dataset',
    };
    for (const field of TEXT_FIELDS) dict[field] = data[field] ?? null;
    Object.assign(dict, licenseFields(dict.license_id));
    for (const field of services.fields.dataset) dict[field.field_name] = data[field.field_name] ?? null;

    const previousResources = new Map<string, DataDict>(((currentDict?.resources ?? []) as DataDict[]).map((r) => [r.id, r]));
    const previousRows = new Map((current ? await services.repos.resources.forPackage(db, id) : []).map((row) => [row.id, row]));
    const assembled = ((data.resources ?? []) as DataDict[]).map((resource, position) =>
      assembleResource(context, resource, position, id, now, previousResources, previousRows),
    );
    dict.resources = assembled.map((entry) => entry.dict);
    dict.num_resources = dict.resources.length;
    dict.num_tags = dict.tags.length;

    if (mode === 'create') await services.hooks.runPackage('before_dataset_create', context, dict);
    else await services.hooks.runPackage('before_dataset_update', context, dict, currentDict!);

    // Tags get their shared ids only now, after plugins had their say about the tag list.
    const tagRows = await services.repos.tags.ensure(db, dict.tags.map((tag: DataDict) => ({ name: tag.name, vocabulary_id: tag.vocabulary_id ?? null })));
    dict.tags = dict.tags
      .map((tag: DataDict) => {
        const row = tagRows.get(tagKey(tag.name, tag.vocabulary_id ?? null))!;
        return { display_name: row.name, id: row.id, name: row.name, state: 'active', vocabulary_id: row.vocabulary_id };
      })
      .sort((a: DataDict, b: DataDict) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    dict.num_tags = dict.tags.length;

    await freeNameFromDeletedDataset(context, dict.name, id, memo);

    const stored = sortKeys(dict);
    const row: PackageRow = {
      id,
      name: stored.name,
      title: stored.title,
      type: stored.type,
      state: stored.state,
      private: stored.private,
      owner_org: stored.owner_org,
      creator_user_id: stored.creator_user_id,
      metadata_created: stored.metadata_created,
      metadata_modified: now,
      data: JSON.stringify(stored),
      plugin_data: 'plugin_data' in data ? data.plugin_data : (current?.plugin_data ?? null),
    };
    await commitUploads(context, assembled);
    const resourceRows: ResourceRow[] = assembled.map((entry, position) => ({
      id: entry.dict.id,
      package_id: id,
      position,
      state: 'active',
      url_type: entry.dict.url_type,
      upload: entry.upload,
    }));
    const tagIds: string[] = stored.tags.map((tag: DataDict) => tag.id);
    if (mode === 'create') {
      await services.repos.packages.insertNew(db, row, { resources: resourceRows, tagIds, groupIds: groups.map((group) => group.id), modified: now });
    } else {
      await services.repos.packages.update(db, id, row);
      await services.repos.resources.replaceForPackage(db, id, resourceRows);
      releaseOrphanedUploads(context, [...previousRows.values()], resourceRows);
      await services.repos.tags.setForPackage(db, id, tagIds);
      await setGroupMemberships(context, id, groups, now);
    }
    await services.searchIndex.index(context.trx!, stored);

    if (mode === 'create') await services.hooks.runPackage('after_dataset_create', context, stored);
    else await services.hooks.runPackage('after_dataset_update', context, stored, currentDict!);
    return stored;
  });
}

function uniqueTags(tags: DataDict[]): DataDict[] {
  const seen = new Set<string>();
  const out: DataDict[] = [];
  for (const tag of tags) {
    const key = tagKey(tag.name, tag.vocabulary_id ?? null);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: tag.name, vocabulary_id: tag.vocabulary_id ?? null });
  }
  return out;
}

/**
 * The dataset's groups after this write: the ones asked for, plus current ones the caller cannot
 * read (CKAN's package_membership_list_save only touches groups the user may see).
 */
async function resolveGroups(context: ActionContext, refs: DataDict[] | undefined, packageId: string, currentDict: DataDict | null): Promise<GroupRow[]> {
  const db = context.db();
  const { repos } = context.services;
  const wanted: GroupRow[] = [];
  for (const ref of refs ?? []) {
    const key = ref.id ?? ref.name;
    if (!key) continue;
    const group = await repos.groups.get(db, key);
    if (!group || group.is_organization) throw new NotFound('Group was not found.');
    if (group.state === 'deleted') continue;
    if (!wanted.some((g) => g.id === group.id)) wanted.push(group);
  }
  if (!currentDict || context.ignoreAuth || context.user?.sysadmin) return wanted;
  const currentIds = await repos.members.groupIdsOfPackage(db, packageId);
  for (const groupId of currentIds) {
    if (wanted.some((g) => g.id === groupId)) continue;
    const capacity = context.user ? await capacityIn(db, context.user.id, groupId) : null;
    if (!capacityGrants(capacity, 'read')) {
      const group = (await repos.groups.byIds(db, [groupId]))[0];
      if (group && group.state === 'active') wanted.push(group);
    }
  }
  return wanted;
}

async function setGroupMemberships(context: ActionContext, packageId: string, groups: GroupRow[], now: string) {
  const db = context.db();
  const keep = groups.map((group) => group.id);
  const stale = db('member').where({ table_name: 'package', table_id: packageId });
  if (keep.length) stale.whereNotIn('group_id', keep);
  await stale.delete();
  if (groups.length) await context.services.repos.members.upsertStatement(db, groups.map((group) => group.id), 'package', packageId, 'public', now);
}

interface AssembledResource {
  dict: DataDict;
  upload: StoredUpload | null;
  /** A file received in this request, to be moved into place. */
  incoming: UploadedFile | null;
}

function assembleResource(
  context: ActionContext,
  input: DataDict,
  position: number,
  packageId: string,
  now: string,
  previousResources: Map<string, DataDict>,
  previousRows: Map<string, ResourceRow>,
): AssembledResource {
  const siteUrl = context.services.config.site.url;
  const id: string = input.id ?? randomUUID();
  const previous = previousResources.get(id);
  const previousRow = previousRows.get(id);
  const resource: DataDict = {};
  for (const key of RESOURCE_CORE_KEYS) resource[key] = input[key] ?? null;
  for (const [key, value] of Object.entries(input)) {
    if (!(RESOURCE_CORE_KEYS as readonly string[]).includes(key) && key !== 'upload' && key !== 'clear_upload') resource[key] = value;
  }
  resource.id = id;
  resource.package_id = packageId;
  resource.position = position;
  resource.state = 'active';
  resource.url = input.url ?? '';
  resource.created = input.created ?? previous?.created ?? now;

  let upload: StoredUpload | null = null;
  let incoming: UploadedFile | null = null;
  if (isUploadedFile(input.upload)) {
    incoming = input.upload;
    upload = {
      key: `resources/${id.slice(0, 3)}/${id.slice(3, 6)}/${id}/${randomUUID()}`,
      filename: incoming.filename,
      size: incoming.size,
      sha256: incoming.sha256,
      mimetype: incoming.mimetype,
    };
    // A size or mimetype the client gave wins, as in CKAN's resource_create; the hash is always ours.
    Object.assign(resource, {
      url_type: 'upload',
      url: incoming.filename,
      size: input.size ?? incoming.size,
      mimetype: input.mimetype ?? incoming.mimetype,
      hash: incoming.sha256,
      last_modified: now,
    });
  } else if (input.clear_upload === true) {
    // CKAN's clear_upload: the resource becomes a link (to the url given, if any).
    resource.url_type = null;
    if (previousRow?.upload && resource.url === resourceDisplayUrl({ ...resource, url_type: 'upload', url: previousRow.upload.filename }, packageId, siteUrl)) resource.url = '';
  } else if (resource.url_type === 'upload' || (previousRow?.upload && !('url_type' in input) && !input.url)) {
    // A resource dict sent without url_type and url (resource_update {id, name}) keeps its file:
    // nothing in it asks for the file to go.
    if (previousRow?.upload) {
      upload = previousRow.upload;
      Object.assign(resource, {
        url_type: 'upload',
        url: upload.filename,
        size: input.size ?? upload.size,
        mimetype: input.mimetype ?? upload.mimetype,
        hash: input.hash ?? upload.sha256,
      });
    } else {
      resource.url = String(resource.url).split('/').pop() ?? '';
    }
  } else if (!resource.mimetype && resource.url) {
    resource.mimetype = guessMimetypeFromUrl(resource.url);
  }
  resource.url = resourceDisplayUrl(resource, packageId, siteUrl);

  resource.metadata_modified = now;
  if (previous && !incoming && sameContent(previous, resource)) resource.metadata_modified = previous.metadata_modified;
  return { dict: sortKeys(resource), upload, incoming };
}

const RESOURCE_DATES = ['created', 'last_modified', 'cache_last_updated'] as const;

function sameContent(a: DataDict, b: DataDict): boolean {
  const strip = (r: DataDict) => {
    const copy: DataDict = { ...r, metadata_modified: null, position: null };
    // Stored before timestamps lost a zero fraction, "…:19.000000" is the same time a client sends back as "…:19".
    for (const key of RESOURCE_DATES) if (typeof copy[key] === 'string') copy[key] = isoformat(copy[key]);
    return JSON.stringify(sortKeys(copy));
  };
  return strip(a) === strip(b);
}

async function commitUploads(context: ActionContext, assembled: AssembledResource[]) {
  const { fileStore } = context.services;
  for (const entry of assembled) {
    if (!entry.incoming || !entry.upload) continue;
    const key = entry.upload.key;
    await fileStore.commit(entry.incoming, key);
    context.onRollback(() => fileStore.remove(key));
  }
}

/** Files no resource refers to any more are deleted once the write has committed. */
function releaseOrphanedUploads(context: ActionContext, before: ResourceRow[], after: ResourceRow[]) {
  const kept = new Set(after.map((row) => row.upload?.key).filter(Boolean));
  for (const row of before) {
    const key = row.upload?.key;
    if (key && !kept.has(key)) context.afterCommit(() => context.services.fileStore.remove(key));
  }
}

/**
 * CKAN keeps a deleted dataset's name until a new dataset wants it; then the deleted one is renamed
 * to its id so the name is free (ckan/lib/dictization/__init__.py table_dict_save).
 */
async function freeNameFromDeletedDataset(context: ActionContext, name: string, ownId: string, memo: Map<string, unknown>) {
  const db = context.db();
  // The validator saw no holder: nothing to free. (A dataset that takes the name meanwhile makes
  // the insert fail on the unique name, which the API answers with the same 409.)
  if (memo.get(`nameHolder:${name}`) === null) return;
  const holder = await context.services.repos.packages.nameHolder(db, name);
  if (!holder || holder.id === ownId) return;
  const row = await context.services.repos.packages.get(db, holder.id, { forUpdate: true });
  if (!row) return;
  // The name validator ran before this write waited for others (on a tag, a lock): a dataset
  // created meanwhile may hold the name now, and an active dataset is never renamed.
  if (row.state !== 'deleted' || row.name !== name) {
    if (row.name === name) throw new ValidationError({ name: ['That URL is already in use.'] });
    return;
  }
  const dict = JSON.parse(row.data);
  dict.name = row.id;
  await context.services.repos.packages.update(db, row.id, { name: row.id, data: JSON.stringify(dict) });
  await context.services.searchIndex.index(context.trx!, dict);
}

/**
 * Rewrite a stored dataset without going through validation: state changes (delete), membership
 * clean-up, and re-rendering after an organization or group changed.
 */
export async function rewriteStoredDataset(
  context: ActionContext,
  row: PackageRow,
  change: (dict: DataDict) => void,
  columns: Partial<PackageRow> = {},
): Promise<DataDict> {
  const dict = JSON.parse(row.data);
  change(dict);
  const stored = sortKeys(dict);
  await context.services.repos.packages.update(context.db(), row.id, {
    ...columns,
    name: stored.name,
    title: stored.title,
    state: stored.state,
    private: stored.private,
    owner_org: stored.owner_org,
    metadata_modified: stored.metadata_modified,
    data: JSON.stringify(stored),
  });
  await context.services.searchIndex.index(context.trx!, stored);
  return stored;
}
