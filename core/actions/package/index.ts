// Dataset actions (ckan/logic/action/{get,create,update,patch,delete}.py: package_*), with the
// `dataset_*` aliases CKAN also answers to.
import { NotFound, ValidationError } from '../../errors.ts';
import { RawJson } from '../../http/raw-json.ts';
import { packageBytes } from '../../model/package-cache.ts';
import { slugify } from '../../text/vietnamese.ts';
import { analyze, tokenize } from '../../search/analysis.ts';
import { storedJson, type SearchQuery } from '../../search/search-index.ts';
import { userDatasetLabels } from '../../auth/labels.ts';
import { Invalid } from '../../validation/navl.ts';
import { naturalNumberValidator, isPositiveInteger } from '../../validation/validators.ts';
import type { ActionContext, ActionDefinition, DataDict } from '../types.ts';
import { rewriteStoredDataset, saveDataset } from './save.ts';
import { asBool, getOrBustOne as requireKey } from '../params.ts';
import {
  checkDict,
  checkStringKey,
  filterGlobMatch,
  joinPath,
  ReviseError,
  updateMergeDict,
  updateMergeStringKey,
} from './revise.ts';

/** Parse limit/offset style parameters with CKAN's messages; 409 on bad values. */
export function pagingParams(data: DataDict, keys: string[]): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  const errors: Record<string, string[]> = {};
  for (const key of keys) {
    if (data[key] === undefined || data[key] === null || data[key] === '') continue;
    try {
      const validator = key === 'page' ? isPositiveInteger : naturalNumberValidator;
      const parsed = validator(data[key], undefined as never) as number | null;
      // Blank text is "not given" (CKAN's int_validator returns None for it).
      if (parsed !== null) out[key] = parsed;
    } catch (err) {
      if (err instanceof Invalid) errors[key] = [err.message];
      else throw err;
    }
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return out;
}

async function loadForWrite(context: ActionContext, ref: string, notFound = 'Package was not found.') {
  const row = await context.services.repos.packages.get(context.db(), ref, { forUpdate: true });
  if (!row) throw new NotFound(notFound);
  return row;
}

const packageShow: ActionDefinition = {
  sideEffectFree: true,
  access: 'manual',
  doc: 'Return the metadata of a dataset (package) and its resources.\n\n:param id: the id or name of the dataset\n:type id: string\n:param include_plugin_data: include plugin_data (sysadmins only)\n:rtype: dictionary',
  async handler(context, data) {
    const ref = data.id || data.name_or_id;
    if (!ref) throw new ValidationError({ name_or_id: ['Missing value'] });
    const { repos, hooks } = context.services;
    const row = await repos.packages.get(context.db(), String(ref));
    if (!row) throw new NotFound();
    await context.checkAccess('package_show', { id: row.id, __package: row });
    const withPluginData = asBool(data.include_plugin_data) && (context.ignoreAuth || context.user?.sysadmin);
    if (context.rawJsonOk && !withPluginData && !hooks.hasAfterShow) return new RawJson(row.data, packageBytes(row));
    let dict: DataDict = JSON.parse(row.data);
    if (withPluginData) dict.plugin_data = row.plugin_data ?? {};
    if (hooks.hasAfterShow) dict = await hooks.afterDatasetShow(context, dict);
    return dict;
  },
};

const packageCreate: ActionDefinition = {
  doc: 'Create a new dataset (package). You must be authorized to create datasets in the owner organization.\n\n:param name: the name of the new dataset (2–100 characters, lowercase ascii, digits, - and _)\n:param title, notes, owner_org, private, license_id, url, version, author, author_email, maintainer, maintainer_email: metadata\n:param resources, tags, extras, groups: lists of dicts\n:returns: the newly created dataset\n:rtype: dictionary',
  async handler(context, data) {
    return saveDataset(context, data, { mode: 'create' });
  },
};

const packageUpdate: ActionDefinition = {
  access: 'manual',
  doc: 'Update a dataset. The whole dataset is replaced: fields, resources, tags, extras and groups that are not given are removed. Use package_patch to change some fields only.\n\n:param id: the id or name of the dataset\n:returns: the updated dataset\n:rtype: dictionary',
  async handler(context, data) {
    const ref = data.id ?? data.name;
    if (ref === undefined || ref === null || ref === '') throw new ValidationError({ id: 'Missing value' });
    return context.transaction(async () => {
      const row = await loadForWrite(context, String(ref));
      await context.checkAccess('package_update', { ...data, id: row.id, __package: row });
      return saveDataset(context, data, { mode: 'update', current: row });
    });
  },
};

const packagePatch: ActionDefinition = {
  access: 'manual',
  doc: 'Patch a dataset: only the given top-level keys change; a given list (resources, tags, extras, groups) replaces the whole list.\n\n:param id: the id or name of the dataset\n:returns: the updated dataset\n:rtype: dictionary',
  async handler(context, data) {
    // patch.py checks access before it looks the dataset up: an anonymous caller hears 403 first.
    if (!context.user && !context.ignoreAuth) await context.checkAccess('package_patch', data);
    const ref = requireKey(data, 'id');
    return context.transaction(async () => {
      // package_show's bare NotFound, not package_update's "Package was not found."
      const row = await loadForWrite(context, ref, '');
      await context.checkAccess('package_patch', { ...data, id: row.id, __package: row });
      const patched = { ...JSON.parse(row.data), ...data, id: row.id };
      return saveDataset(context, patched, { mode: 'update', current: row });
    });
  },
};

const packageRevise: ActionDefinition = {
  access: 'manual',
  doc: 'Revise a dataset: check `match`, drop keys by `filter` globs, deep-merge `update`, return {package}. Flattened keys match__<path> and update__<path> (with __extend for lists, and id prefixes of 5+ characters for list items) are accepted.',
  async handler(context, data) {
    const parsed = reviseParams(data);
    const ref = parsed.matchFlat.id ?? parsed.match?.id ?? parsed.matchFlat.name ?? parsed.match?.name;
    if (ref === undefined) throw new ValidationError({ match__id: ['Missing value'] });
    return context.transaction(async () => {
      const row = await context.services.repos.packages.get(context.db(), String(ref), { forUpdate: true });
      if (!row) throw new NotFound();
      await context.checkAccess('package_show', { id: row.id, __package: row });
      const original: DataDict = JSON.parse(row.data);
      const unmatched = [];
      if (parsed.match) unmatched.push(...checkDict(original, parsed.match));
      for (const key of Object.keys(parsed.matchFlat).sort()) {
        try {
          unmatched.push(...checkStringKey(original, key, parsed.matchFlat[key]));
        } catch (err) {
          if (err instanceof ReviseError) throw new ValidationError({ match: [err.message] });
          throw err;
        }
      }
      if (unmatched.length) throw new ValidationError({ match: unmatched.map(joinPath) });
      if (parsed.filter) {
        const id = original.id;
        filterGlobMatch(original, parsed.filter);
        original.id = id;
      }
      try {
        if (parsed.update) updateMergeDict(original, parsed.update);
      } catch (err) {
        if (err instanceof ReviseError) throw new ValidationError({ update: [err.message] });
        throw err;
      }
      // __extend first, so files can be attached to resources added in the same call.
      const updateKeys = Object.keys(parsed.updateFlat).sort((a, b) => Number(b.endsWith('__extend')) - Number(a.endsWith('__extend')) || (a < b ? -1 : 1));
      for (const key of updateKeys) {
        try {
          updateMergeStringKey(original, key, parsed.updateFlat[key]);
        } catch (err) {
          if (err instanceof ReviseError) throw new ValidationError({ [key]: [err.message] });
          throw err;
        }
      }
      await context.checkAccess('package_revise', { update: { ...original, __package: row } });
      const pkg = await saveDataset(context, { ...original, id: row.id }, { mode: 'update', current: row });
      const result: DataDict = { package: pkg };
      if (parsed.include) filterGlobMatch(result, parsed.include);
      return result;
    });
  },
};

interface ReviseParams {
  match?: DataDict;
  filter?: string[];
  update?: DataDict;
  include?: string[];
  matchFlat: DataDict;
  updateFlat: DataDict;
}

function jsonOrString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function reviseParams(data: DataDict): ReviseParams {
  const errors: Record<string, string[]> = {};
  const dictOnly = (key: string): DataDict | undefined => {
    if (data[key] === undefined) return undefined;
    const value = jsonOrString(data[key]);
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      errors[key] = ['Must be a dict'];
      return undefined;
    }
    return value as DataDict;
  };
  const listOfStrings = (key: string): string[] | undefined => {
    if (data[key] === undefined) return undefined;
    let value = jsonOrString(data[key]);
    if (typeof value === 'string') value = [value];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      errors[key] = ['Not a list of strings'];
      return undefined;
    }
    return value as string[];
  };
  const params: ReviseParams = {
    match: dictOnly('match'),
    update: dictOnly('update'),
    filter: listOfStrings('filter'),
    include: listOfStrings('include'),
    matchFlat: {},
    updateFlat: {},
  };
  for (const [key, value] of Object.entries(data)) {
    if (key.startsWith('match__')) params.matchFlat[key.slice(7)] = jsonOrString(value);
    else if (key.startsWith('update__')) params.updateFlat[key.slice(8)] = typeof value === 'object' ? value : jsonOrString(value);
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return params;
}

const packageDelete: ActionDefinition = {
  access: 'manual',
  doc: 'Delete a dataset: it is marked deleted, leaves package_list and search, and keeps its name until another dataset takes it.\n\n:param id: the id or name of the dataset',
  async handler(context, data) {
    const ref = requireKey(data, 'id');
    await context.transaction(async () => {
      const row = await context.services.repos.packages.get(context.db(), ref, { forUpdate: true });
      if (!row) throw new NotFound();
      await context.checkAccess('package_delete', { id: row.id, __package: row });
      const { repos, hooks, clock } = context.services;
      const current = JSON.parse(row.data);
      await hooks.runPackage('before_dataset_delete', context, current);
      await repos.members.removeAllFor(context.db(), 'package', row.id);
      await repos.collaborators.removeAllFor(context.db(), row.id);
      const now = clock.nowIso();
      const stored = await rewriteStoredDataset(context, row, (dict) => {
        dict.state = 'deleted';
        dict.groups = [];
        dict.metadata_modified = now;
      });
      await hooks.runPackage('after_dataset_delete', context, stored);
    });
    return null;
  },
};

const datasetPurge: ActionDefinition = {
  access: 'manual',
  doc: 'Purge a dataset: remove it and its memberships, resources and files completely. Sysadmins only; cannot be undone.\n\n:param id: the id or name of the dataset',
  async handler(context, data) {
    const ref = requireKey(data, 'id');
    await context.transaction(async () => {
      const { repos, hooks, searchIndex, fileStore } = context.services;
      const row = await repos.packages.get(context.db(), ref, { forUpdate: true });
      if (!row) throw new NotFound('Dataset was not found');
      await context.checkAccess('dataset_purge', { id: row.id, __package: row });
      const files = (await repos.resources.forPackage(context.db(), row.id)).map((r) => r.upload?.key).filter((key): key is string => !!key);
      await repos.members.removeAllFor(context.db(), 'package', row.id);
      await searchIndex.remove(context.trx!, row.id);
      await repos.packages.remove(context.db(), row.id);
      await hooks.runPackage('after_dataset_purge', context, JSON.parse(row.data));
      for (const key of files) context.afterCommit(() => fileStore.remove(key));
    });
    return null;
  },
};

const packageList: ActionDefinition = {
  sideEffectFree: true,
  doc: 'Return the names of the site\'s active public datasets, sorted by name.\n\n:param limit: how many names to return (optional)\n:param offset: how many to skip (optional)\n:rtype: list of strings',
  async handler(context, data) {
    const { limit, offset } = pagingParams(data, ['limit', 'offset']);
    return context.services.repos.packages.publicNames(context.db(), limit ?? null, offset ?? 0);
  },
};

const currentPackageListWithResources: ActionDefinition = {
  sideEffectFree: true,
  doc: 'Return recently changed datasets with their resources, as package_search returns them.\n\n:param limit: (default 10)\n:param offset:\n:param page: deprecated, use offset\n:rtype: list of dictionaries',
  async handler(context, data) {
    const { limit, offset, page } = pagingParams(data, ['limit', 'offset', 'page']);
    let start = offset ?? 0;
    if (data.offset === undefined && page !== undefined) {
      if (limit === undefined) throw new ValidationError({ limit: ['Missing value'] });
      start = (page - 1) * limit;
    }
    const result = await context.action<DataDict>('package_search', {
      q: '',
      rows: limit ?? 10,
      start,
      include_private: !!(context.user?.sysadmin || context.ignoreAuth),
    });
    return result.results;
  },
};

/** Free-text candidates examined per suggestion returned (the rest match only outside name and title). */
const AUTOCOMPLETE_CANDIDATES = 5;

const packageAutocomplete: ActionDefinition = {
  sideEffectFree: true,
  doc: 'Return datasets whose name or title has words starting with each word of a string, diacritics ignored ("ha noi" finds "Hà Nội"), best matches first (exact marks, adjacent words, newer). Private datasets appear only to those who may read them.\n\n:param q: the string\n:param limit: (default 10)\n:rtype: list of {name, title, match_field, match_displayed}',
  async handler(context, data) {
    const q = String(data.q ?? '').trim();
    const { limit = 10 } = pagingParams(data, ['limit']);
    const tokens = analyze(q);
    const words = tokens.map((token) => token.folded);
    if (!words.length || limit === 0) return [];
    // CKAN asks its search index (name_ngram, title_ngram, name, title) with the caller's
    // permission labels; here every word is a prefix in the index's text, then kept only when
    // the name or the title has it.
    const query: SearchQuery = {
      // Each word as typed (its marks rank an exact match first), as a prefix.
      q: { type: 'bool', clauses: tokens.map((token) => ({ occur: 'must' as const, node: { type: 'term' as const, field: null, value: token.exact ?? token.folded, phrase: false, prefix: true } })) },
      qIsFreeText: false,
      qText: q,
      filters: [],
      states: ['active'],
      includePrivate: true,
      labels: await userDatasetLabels(context),
      sort: [{ field: 'score', direction: 'desc' }, { field: 'metadata_modified', direction: 'desc' }],
      rows: Math.min(limit, 100) * AUTOCOMPLETE_CANDIDATES,
      start: 0,
      facetFields: [],
      facetLimit: 0,
      facetMincount: 1,
    };
    const found = await context.services.searchIndex.search(query, context.trx);
    const qLower = q.toLowerCase();
    const slug = slugify(q);
    const out: DataDict[] = [];
    for (const dict of found.results) {
      const pkg = JSON.parse(storedJson(dict));
      const name = String(pkg.name ?? '');
      const title = typeof pkg.title === 'string' && pkg.title ? pkg.title : name;
      const own = [...tokenize(name), ...tokenize(title)];
      if (!words.every((word) => own.some((token) => token.startsWith(word))) && !name.includes(qLower)) continue;
      const byName = name.includes(qLower) || (slug !== '' && name.includes(slug));
      out.push({ name, title, match_field: byName ? 'name' : 'title', match_displayed: byName ? name : `${title} (${name})` });
      if (out.length >= limit) break;
    }
    return out;
  },
};

export const packageActions: Record<string, ActionDefinition> = {
  package_show: packageShow,
  package_create: packageCreate,
  package_update: packageUpdate,
  package_patch: packagePatch,
  package_revise: packageRevise,
  package_delete: packageDelete,
  dataset_purge: datasetPurge,
  package_list: packageList,
  current_package_list_with_resources: currentPackageListWithResources,
  package_autocomplete: packageAutocomplete,
};

/** CKAN answers to dataset_* as well as package_* (and package_purge for dataset_purge). */
export const packageAliases: Record<string, string> = {
  dataset_show: 'package_show',
  dataset_create: 'package_create',
  dataset_update: 'package_update',
  dataset_patch: 'package_patch',
  dataset_revise: 'package_revise',
  dataset_delete: 'package_delete',
  dataset_list: 'package_list',
  dataset_search: 'package_search',
  dataset_autocomplete: 'package_autocomplete',
  package_purge: 'dataset_purge',
};

