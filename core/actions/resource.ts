// Resource actions (ckan/logic/action: resource_*). As in CKAN, a resource change is a change of its
// dataset: the dict is taken from the stored dataset, modified, and saved through the dataset's
// write path, so validation, indexing and hooks are the same as for package_update.
import { NotFound, ValidationError } from '../errors.ts';
import { isPlainObject } from '../validation/navl.ts';
import { isUploadedFile } from '../storage/file-store.ts';
import type { ActionContext, ActionDefinition, DataDict } from './types.ts';
import { saveDataset } from './package/save.ts';
import { pagingParams } from './package/index.ts';
import { getOrBust, getOrBustOne as requireKey } from './params.ts';

/** Re-shape a dataset validation error to the error dict of one resource, as CKAN does. */
function resourceErrors(err: unknown, index: number): never {
  if (err instanceof ValidationError && Array.isArray(err.errors.resources)) {
    const own = (err.errors.resources as DataDict[]).at(index);
    if (own && Object.keys(own).length) throw new ValidationError(own);
  }
  throw err;
}

async function lockedPackage(context: ActionContext, packageId: string) {
  const row = await context.services.repos.packages.get(context.db(), packageId, { forUpdate: true });
  if (!row) throw new NotFound();
  return row;
}

const resourceShow: ActionDefinition = {
  sideEffectFree: true,
  access: 'manual',
  doc: 'Return the metadata of a resource.\n\n:param id: the id of the resource\n:rtype: dictionary',
  async handler(context, data) {
    const id = requireKey(data, 'id');
    const { repos } = context.services;
    const resource = await repos.resources.get(context.db(), id);
    if (!resource) throw new NotFound();
    const pkg = await repos.packages.get(context.db(), resource.package_id);
    if (!pkg) throw new NotFound('Resource was not found.');
    await context.checkAccess('resource_show', { id, package_id: pkg.id, __package: pkg });
    const dict = (JSON.parse(pkg.data).resources as DataDict[]).find((r) => r.id === id);
    if (!dict) throw new NotFound('Resource was not found.');
    return dict;
  },
};

const resourceCreate: ActionDefinition = {
  access: 'manual',
  doc: 'Append a resource to a dataset. Send a file as the multipart field `upload` to store it here; its size, sha256 (hash) and media type are recorded.\n\n:param package_id: the id or name of the dataset\n:param url, name, description, format, …: resource fields (unknown keys are kept)\n:param upload: a file (multipart/form-data)\n:returns: the new resource\n:rtype: dictionary',
  async handler(context, data) {
    const packageRef = requireKey(data, 'package_id');
    return context.transaction(async () => {
      const row = await lockedPackage(context, packageRef);
      await context.checkAccess('package_show', { id: row.id, __package: row });
      await context.checkAccess('resource_create', { ...data, package_id: row.id, __package: row });
      const pkg: DataDict = JSON.parse(row.data);
      const resource: DataDict = { ...data };
      delete resource.package_id;
      if (!resource.url && !isUploadedFile(resource.upload)) resource.url = '';
      await context.services.hooks.runResource('before_resource_create', context, pkg, resource);
      pkg.resources = [...(pkg.resources ?? []), resource];
      let saved: DataDict;
      try {
        saved = await saveDataset(context, pkg, { mode: 'update', current: row });
      } catch (err) {
        resourceErrors(err, -1);
      }
      const created = saved.resources.at(-1);
      await context.services.hooks.runResource('after_resource_create', context, created);
      return created;
    });
  },
};

async function updateResource(context: ActionContext, data: DataDict, merge: boolean): Promise<DataDict> {
  // resource_patch (patch.py) checks access first and then goes through resource_show, whose
  // NotFound has no detail; resource_update looks the resource up first.
  if (merge && !context.user && !context.ignoreAuth) await context.checkAccess('resource_patch', data);
  const id = requireKey(data, 'id');
  return context.transaction(async () => {
    const { repos, hooks } = context.services;
    const resourceRow = await repos.resources.get(context.db(), id);
    if (!resourceRow) throw new NotFound(merge ? '' : 'Resource was not found.');
    const row = await lockedPackage(context, resourceRow.package_id);
    await context.checkAccess(merge ? 'resource_patch' : 'resource_update', { ...data, package_id: row.id, __package: row });
    const pkg: DataDict = JSON.parse(row.data);
    const index = (pkg.resources as DataDict[]).findIndex((r) => r.id === id);
    if (index < 0) throw new NotFound('Resource was not found.');
    const current = pkg.resources[index];
    const next: DataDict = merge ? { ...current, ...data } : { ...data };
    delete next.package_id;
    if (merge && isUploadedFile(data.upload)) {
      // A new file brings its own size and type; the old file's must not stick to it.
      for (const key of ['size', 'mimetype', 'hash']) if (!(key in data)) delete next[key];
    }
    if (!next.url && !isUploadedFile(next.upload)) next.url = '';
    // CKAN keeps datastore_active when an update does not mention it.
    if (!merge && 'datastore_active' in current && !('datastore_active' in data)) next.datastore_active = current.datastore_active;
    await hooks.runResource('before_resource_update', context, current, next);
    pkg.resources[index] = next;
    let saved: DataDict;
    try {
      saved = await saveDataset(context, pkg, { mode: 'update', current: row });
    } catch (err) {
      resourceErrors(err, index);
    }
    const updated = (saved.resources as DataDict[]).find((r) => r.id === id)!;
    await hooks.runResource('after_resource_update', context, updated);
    return updated;
  });
}

const resourceUpdate: ActionDefinition = {
  access: 'manual',
  doc: 'Replace a resource: fields not given are removed (extras included). Send `upload` to replace the file.\n\n:param id: the resource id\n:rtype: dictionary',
  handler: (context, data) => updateResource(context, data, false),
};

const resourcePatch: ActionDefinition = {
  access: 'manual',
  doc: 'Change some fields of a resource, keeping the others. Send `upload` (multipart) to upload a new version of the file.\n\n:param id: the resource id\n:rtype: dictionary',
  handler: (context, data) => updateResource(context, data, true),
};

const resourceDelete: ActionDefinition = {
  access: 'manual',
  doc: 'Remove a resource from its dataset; an uploaded file is deleted with it.\n\n:param id: the resource id',
  async handler(context, data) {
    const id = requireKey(data, 'id');
    await context.transaction(async () => {
      const { repos, hooks } = context.services;
      const resourceRow = await repos.resources.get(context.db(), id);
      if (!resourceRow) throw new NotFound();
      const row = await lockedPackage(context, resourceRow.package_id);
      await context.checkAccess('resource_delete', { id, package_id: row.id, __package: row });
      const pkg: DataDict = JSON.parse(row.data);
      const resource = (pkg.resources as DataDict[]).find((r) => r.id === id);
      await hooks.runResource('before_resource_delete', context, resource ?? { id });
      pkg.resources = (pkg.resources as DataDict[]).filter((r) => r.id !== id);
      try {
        await saveDataset(context, pkg, { mode: 'update', current: row });
      } catch (err) {
        resourceErrors(err, -1);
      }
      await hooks.runResource('after_resource_delete', context, resource ?? { id });
    });
    return null;
  },
};

const SEARCHABLE = new Set(['name', 'description', 'url', 'format', 'hash', 'mimetype', 'mimetype_inner', 'resource_type', 'url_type', 'id', 'package_id', 'cache_url', 'size']);
const FIELD_NAME = /^[A-Za-z0-9_]+$/;

/**
 * resource_search's criteria as CKAN reads them: `query` is "field:term" or a list of them (a later
 * term for the same field replaces an earlier one, as CKAN builds a dict); the deprecated `fields`
 * maps fields to terms, a string term being split on whitespace. Exactly one of the two is needed.
 */
function resourceSearchCriteria(data: DataDict): Map<string, string[]> {
  const query = data.query;
  const fields = data.fields;
  const given = (value: unknown) => value !== undefined && value !== null;
  if (!given(query) && !given(fields)) throw new ValidationError({ query: 'Missing value' });
  if (given(query) && given(fields)) throw new ValidationError({ fields: 'Do not specify if using "query" parameter' });
  const criteria = new Map<string, string[]>();
  if (given(query)) {
    for (const pair of Array.isArray(query) ? query : [query]) {
      const text = String(pair);
      const colon = text.indexOf(':');
      if (colon < 0) throw new ValidationError({ query: 'Must be <field>:<value> pair(s)' });
      criteria.set(text.slice(0, colon), [text.slice(colon + 1)]);
    }
  } else {
    if (!isPlainObject(fields)) throw new ValidationError({ fields: 'Must be a dict of fields to search terms' });
    for (const [field, terms] of Object.entries(fields)) {
      criteria.set(field, typeof terms === 'string' ? terms.split(/\s+/).filter(Boolean) : (Array.isArray(terms) ? terms : [terms]).map(String));
    }
  }
  for (const field of criteria.keys()) {
    if (!FIELD_NAME.test(field)) throw new ValidationError({ query: `Field "${field}" not recognised in resource_search.` });
  }
  return criteria;
}

const resourceSearch: ActionDefinition = {
  sideEffectFree: true,
  doc: 'Search the resources of active public datasets (CKAN\'s resource_search).\n\n:param query: "field:term" or a list of them; every one must match: `hash` as a prefix, any other field as a substring, case ignored\n:param fields: (deprecated) a dict of field to terms\n:param order_by: a resource field to sort by\n:param offset, limit:\n:returns: {count, results}',
  async handler(context, data) {
    const { offset, limit } = pagingParams(data, ['offset', 'limit']);
    const criteria = resourceSearchCriteria(data);
    const orderBy = data.order_by ? String(data.order_by) : null;
    const db = context.db();
    const query = db
      .from(db.raw(`package p cross join lateral jsonb_array_elements(p.resources) as r(value)`))
      .where('p.state', 'active')
      .where('p.private', false);
    for (const [field, terms] of criteria) {
      // Resource extras must be present to match, as CKAN's JSON pattern on the extras column needs.
      if (!SEARCHABLE.has(field)) query.whereRaw(`jsonb_exists(r.value, ?)`, [field]);
      for (const term of terms) {
        const escaped = term.replace(/[\\%_]/g, '\\$&');
        query.whereRaw(`coalesce(r.value ->> ?, '') ilike ?`, [field, field === 'hash' ? `${escaped}%` : `%${escaped}%`]);
      }
    }
    const countRow = await query.clone().count<{ count: number }[]>('* as count').first();
    const page = query.select(db.raw('r.value as resource'));
    // CKAN sorts only by an attribute resources have, and ignores anything else.
    if (orderBy && FIELD_NAME.test(orderBy)) page.orderByRaw(`r.value ->> ? nulls last`, [orderBy]);
    page.orderByRaw(`p.metadata_created, p.id, (r.value ->> 'position')::int`);
    if (offset) page.offset(offset);
    if (limit !== undefined) page.limit(limit);
    const rows: Array<{ resource: DataDict }> = await page;
    return { count: Number(countRow?.count ?? 0), results: rows.map((row) => row.resource) };
  },
};

const packageResourceReorder: ActionDefinition = {
  access: 'manual',
  doc: "Reorder the resources of a dataset. Resources not named keep their order after the named ones.\n\n:param id: the id or name of the dataset\n:param order: resource ids in the order wanted\n:returns: {id, order} with every resource id in its new order\n:rtype: dictionary",
  async handler(context, data) {
    const [ref] = getOrBust(data, ['id', 'order']);
    const order: unknown = data.order;
    // CKAN's own messages, which are strings here rather than lists.
    if (!Array.isArray(order)) throw new ValidationError({ order: 'Must be a list of resource' });
    if (new Set(order).size !== order.length) throw new ValidationError({ order: 'Must supply unique resource_ids' });
    return context.transaction(async () => {
      const row = await lockedPackage(context, ref);
      await context.checkAccess('package_show', { id: row.id, __package: row });
      const pkg: DataDict = JSON.parse(row.data);
      const rest = [...((pkg.resources ?? []) as DataDict[])];
      const ordered: DataDict[] = [];
      for (const resourceId of order) {
        const index = rest.findIndex((resource) => resource.id === resourceId);
        if (index < 0) throw new ValidationError({ order: `resource_id ${typeof resourceId === 'string' ? resourceId : JSON.stringify(resourceId)} can not be found` });
        ordered.push(...rest.splice(index, 1));
      }
      pkg.resources = [...ordered, ...rest];
      await context.checkAccess('package_resource_reorder', { id: row.id, __package: row });
      await saveDataset(context, pkg, { mode: 'update', current: row });
      return { id: ref, order: (pkg.resources as DataDict[]).map((resource) => resource.id) };
    });
  },
};

export const resourceActions: Record<string, ActionDefinition> = {
  package_resource_reorder: packageResourceReorder,
  resource_show: resourceShow,
  resource_create: resourceCreate,
  resource_update: resourceUpdate,
  resource_patch: resourcePatch,
  resource_delete: resourceDelete,
  resource_search: resourceSearch,
};
