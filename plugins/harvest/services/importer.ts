// The import stage's write: a harvester's package dict becomes a dataset here, through
// package_create / package_update (so validation, hooks and indexing apply), in one transaction with
// the harvest_record (identity) and harvest_object (report) rows. Ids, names and resource ids are
// chosen deterministically; fields listed in not_overwrite_fields keep their local values.
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import { CORE_DATASET_KEYS } from '../../../core/actions/package/schema.ts';
import { ValidationError } from '../../../core/errors.ts';
import { M, type Msg } from '../i18n/messages.ts';
import type { GatheredRecord, IHarvester, ImportContext, SourceView } from '../harvesters/types.ts';
import { objects, records, type Db, type ErrorInput, type JobRow, type ObjectRow, type RecordRow } from '../model/repo.ts';
import {
  cleanTagName,
  datasetUuid,
  identitySuffix,
  isUuid,
  preferredName,
  resourceUuid,
  stableStringify,
  suffixedName,
} from './identity.ts';
import { randomUUID } from 'node:crypto';

/** Extras Kho writes on every harvested dataset (CKAN's provenance extras, and the link back). */
export const PROVENANCE_KEYS = ['harvest_object_id', 'harvest_source_id', 'harvest_source_title', 'harvest_original_url'];

export function provenanceExtras(source: SourceView, objectId: string, originalUrl: string | null): DataDict[] {
  const extras = [
    { key: 'harvest_object_id', value: objectId },
    { key: 'harvest_source_id', value: source.id },
    { key: 'harvest_source_title', value: source.title },
  ];
  if (originalUrl) extras.push({ key: 'harvest_original_url', value: originalUrl });
  return extras;
}

/** What makes two runs over the same content produce the same dataset: harvester, config, source. */
export function hashSalt(harvester: IHarvester, source: SourceView): string {
  return stableStringify({ harvester: harvester.info.name, version: harvester.version, config: source.config, org: source.owner_org, title: source.title });
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

interface FinalizeOptions {
  config: Record<string, any>;
  source: SourceView;
  context: ImportContext;
  warn(message: Msg): void;
}

/** Options every harvester gets: default tags, groups, organization, privacy; tags made valid. */
export async function finalizeDataset(input: DataDict, options: FinalizeOptions): Promise<DataDict> {
  const { config, source } = options;
  const dict: DataDict = { ...input };
  const rootKeys = new Set([...CORE_DATASET_KEYS, ...options.context.services.fields.dataset.map((field) => field.field_name)]);

  const seenKeys = new Set<string>();
  const extras: DataDict[] = [];
  for (const extra of Array.isArray(dict.extras) ? dict.extras : []) {
    if (!extra || typeof extra.key !== 'string' || !extra.key.trim()) continue;
    const key = extra.key.trim();
    const value = asText(extra.value);
    if (value === null || PROVENANCE_KEYS.includes(key) || seenKeys.has(key) || rootKeys.has(key)) continue;
    seenKeys.add(key);
    extras.push({ key, value });
  }
  dict.extras = extras;

  const tags: DataDict[] = [];
  const tagNames = new Set<string>();
  const addTag = (raw: unknown) => {
    const name = typeof raw === 'string' ? raw : raw && typeof raw === 'object' ? (raw as DataDict).name : null;
    if (typeof name !== 'string' || !name.trim()) return;
    const clean = cleanTagName(name, !!config.clean_tags);
    if (!clean) {
      options.warn(M.droppedTag(name));
      return;
    }
    if (tagNames.has(clean)) return;
    tagNames.add(clean);
    tags.push({ name: clean });
  };
  for (const tag of Array.isArray(dict.tags) ? dict.tags : []) addTag(tag);
  for (const tag of Array.isArray(config.default_tags) ? config.default_tags : []) addTag(tag);
  // Sorted: parallel writers then take the shared tag rows in the same order (no deadlock).
  dict.tags = tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const groups: DataDict[] = Array.isArray(dict.groups) ? dict.groups.filter((group: unknown) => group && typeof group === 'object') : [];
  for (const ref of Array.isArray(config.default_groups) ? config.default_groups : []) {
    const group = await defaultGroup(options.context, String(ref));
    if (!group) {
      options.warn(M.remoteGroupMissing(String(ref)));
      continue;
    }
    if (!groups.some((existing) => existing.id === group.id || existing.name === group.name)) groups.push(group);
  }
  dict.groups = groups.map((group) => ({ ...(group.id ? { id: group.id } : {}), ...(group.name ? { name: group.name } : {}) }));

  dict.owner_org = dict.owner_org || source.owner_org;
  if (config.private === true) dict.private = true;
  if (typeof dict.title !== 'string' || !dict.title.trim()) dict.title = typeof dict.name === 'string' && dict.name ? dict.name : undefined;
  return dict;
}

async function defaultGroup(context: ImportContext, ref: string): Promise<DataDict | null> {
  const key = `default-group:${ref}`;
  if (context.cache.has(key)) return context.cache.get(key) as DataDict | null;
  const row = await context.services.repos.groups.get(context.services.knex, ref);
  const group = row && row.state === 'active' && !row.is_organization ? { id: row.id, name: row.name } : null;
  context.cache.set(key, group);
  return group;
}

/** Fields (or extra keys) the config protects keep their local value when it is set. */
export function applyNotOverwrite(dict: DataDict, current: DataDict, fields: string[]): void {
  const empty = (value: unknown) => value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  for (const field of new Set(fields)) {
    if (field === 'extras') {
      dict.extras = (current.extras ?? []).filter((extra: DataDict) => !PROVENANCE_KEYS.includes(extra.key)).map((extra: DataDict) => ({ key: extra.key, value: extra.value }));
      continue;
    }
    if (field in current && field !== 'id') {
      if (empty(current[field])) continue;
      if (field === 'groups') dict.groups = current.groups.map((group: DataDict) => ({ id: group.id, name: group.name }));
      else if (field === 'tags') dict.tags = current.tags.map((tag: DataDict) => ({ name: tag.name, ...(tag.vocabulary_id ? { vocabulary_id: tag.vocabulary_id } : {}) }));
      else dict[field] = current[field];
      continue;
    }
    const local = (current.extras ?? []).find((extra: DataDict) => extra.key === field);
    if (!local || empty(local.value)) continue;
    const extras: DataDict[] = (dict.extras ?? []).filter((extra: DataDict) => extra.key !== field);
    extras.push({ key: field, value: local.value });
    dict.extras = extras;
  }
}

export interface WriteOptions {
  actions: ActionContext;
  source: SourceView;
  job: JobRow;
  record: GatheredRecord;
  mapped: DataDict;
  object: ObjectRow;
  hash: string;
  notOverwrite: string[];
  warnings: ErrorInput[];
  provenance: DataDict[];
  /** The record had been deleted because it left the source, and is back. */
  restore: boolean;
  /** The record's identity row, as read with its batch. */
  existing: RecordRow | undefined;
  signal: AbortSignal;
  /** Written with a batch (services/group-commit.ts): the harvest rows go here, not to the database. */
  bookkeeping?: Bookkeeping | null;
}

/** The harvest rows of the records a batch wrote, inserted together before it commits. */
export interface Bookkeeping {
  records: RecordRow[];
  retired: string[];
  objects: ObjectRow[];
  errors: Array<{ id: string; objectId: string; error: ErrorInput; created: string }>;
}

export function emptyBookkeeping(): Bookkeeping {
  return { records: [], retired: [], objects: [], errors: [] };
}

export async function writeBookkeeping(trx: Db, book: Bookkeeping): Promise<void> {
  await records.upsertMany(trx, book.records);
  await objects.retireMany(trx, book.retired);
  await objects.insertMany(trx, book.objects);
  await objects.addErrors(trx, book.errors);
}

/** Create or update the dataset of one record; returns the report status. */
export async function writeDataset(options: WriteOptions): Promise<'added' | 'updated'> {
  const { actions, source, record, mapped, object, warnings } = options;
  const services = actions.services;
  const warn = (message: Msg) => warnings.push({ message, stage: 'Import', level: 'warning' });
  return actions.transaction(async (trx) => {
    options.signal.throwIfAborted();
    // The identity row read with the batch (one job per source at a time, so nobody else writes it).
    const rec = options.existing;
    const row = rec ? await services.repos.packages.get(trx, rec.package_id, { forUpdate: true }) : undefined;
    const preferred = preferredName(mapped.name, mapped.title, record.guid);
    const base: DataDict = structuredClone(mapped);
    delete base.state;
    delete base.type;

    let saved: DataDict;
    let status: 'added' | 'updated';
    const existingRow = row ?? null;
    if (existingRow) {
      saved = await update(existingRow);
      status = 'updated';
    } else {
      // Optimistic: the remote id (when a UUID) or the derived one, the preferred name, the remote
      // resource ids; package_create's own validation says when one is taken, and only then is
      // another chosen (no extra queries in the common case).
      const derived = datasetUuid(source.id, record.guid);
      let id = isUuid(mapped.id) ? mapped.id.toLowerCase() : derived;
      let name = preferred;
      let keepRemote = isUuid(mapped.id);
      let result: DataDict | null = null;
      for (let attempt = 0; attempt < 5 && !result; attempt++) {
        const dict = finish({ ...structuredClone(base), id, name }, id, keepRemote);
        try {
          result = await actions.action('package_create', dict);
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          const errors = err.errors as Record<string, unknown>;
          let retry = false;
          if (has(errors.id, 'Dataset id already exists')) {
            if (id !== derived) {
              warn(M.idCollision(id, derived));
              id = derived;
              keepRemote = false;
              retry = true;
            } else {
              const adopted = await adoptable(trx, actions, source, mapped, [derived]);
              if (!adopted) throw err;
              saved = await update(adopted);
              await finishRecord(saved, 'updated');
              return 'updated';
            }
          }
          if (has(errors.name, 'That URL is already in use')) {
            name = await suffixedFreeName(trx, actions, source, record.guid, preferred, warn);
            retry = true;
          }
          if (keepRemote && has(errors.resources, 'Resource id already exists.')) {
            keepRemote = false;
            retry = true;
          }
          if (!retry) throw err;
        }
      }
      if (!result) throw new Error(`could not find a free id and name for ${record.guid}`);
      saved = result;
      status = 'added';
    }
    await finishRecord(saved, status);
    return status;

    async function update(current: PackageRowLike): Promise<DataDict> {
      const currentDict = JSON.parse(current.data);
      const dict: DataDict = structuredClone(base);
      applyNotOverwrite(dict, currentDict, options.notOverwrite);
      // Names are stable: a dataset keeps its name when its title (or remote name) changes, as in
      // ckanext-harvest, so links to it keep working; a local rename is kept too.
      dict.id = current.id;
      dict.name = currentDict.name;
      if (options.restore || rec?.state === 'deleted') dict.state = 'active';
      const keepRemote = isUuid(mapped.id) && current.id === mapped.id.toLowerCase();
      const taken = keepRemote ? new Set(await services.repos.resources.idsTakenElsewhere(trx, resourceIds(dict.resources), current.id)) : new Set<string>();
      return actions.action('package_update', finish(dict, current.id, keepRemote, taken));
    }

    /** Resource ids and extras (defaults, provenance) for the dataset id finally used. */
    function finish(dict: DataDict, id: string, keepRemote: boolean, taken: Set<string> = new Set()): DataDict {
      dict.resources = stableResources(dict.resources, id, keepRemote, taken);
      const extras: DataDict[] = (dict.extras ?? []).filter((extra: DataDict) => !PROVENANCE_KEYS.includes(extra.key));
      const defaults = source.config.default_extras;
      if (defaults && typeof defaults === 'object') {
        for (const [key, raw] of Object.entries(defaults as Record<string, unknown>)) {
          const index = extras.findIndex((extra) => extra.key === key);
          if (index >= 0 && !source.config.override_extras) continue;
          if (index >= 0) extras.splice(index, 1);
          const value = typeof raw === 'string' ? formatPlaceholders(raw, { dataset_id: id, harvest_source_id: source.id, harvest_source_url: source.url.replace(/\/+$/, ''), harvest_source_title: source.title, harvest_job_id: options.job.id, harvest_object_id: object.id }) : String(raw);
          extras.push({ key, value });
        }
      }
      extras.push(...options.provenance);
      dict.extras = extras;
      return dict;
    }

    async function finishRecord(pkg: DataDict, outcome: 'added' | 'updated') {
      const now = services.clock.nowIso();
      const book = options.bookkeeping ?? emptyBookkeeping();
      book.records.push({
        source_id: source.id,
        guid: record.guid,
        package_id: pkg.id,
        preferred_name: preferred,
        content_hash: options.hash,
        current_object_id: object.id,
        last_seen_job_id: options.job.id,
        state: 'active',
        remote_modified: object.metadata_modified_date,
        synced_at: now,
        deleted_at: null,
      });
      if (rec?.current_object_id && rec.current_object_id !== object.id) book.retired.push(rec.current_object_id);
      book.objects.push({ ...object, package_id: pkg.id, current: true, state: 'COMPLETE', report_status: outcome, import_finished: now });
      book.errors.push(...warnings.map((error) => ({ id: randomUUID(), objectId: object.id, error, created: now })));
      if (!options.bookkeeping) await writeBookkeeping(trx, book);
    }
  });
}

interface PackageRowLike {
  id: string;
  data: string;
}

/** Does a CKAN error entry (a list of messages, or a list of per-item dicts) mention `text`? */
function has(entry: unknown, text: string): boolean {
  return entry !== undefined && JSON.stringify(entry).includes(text);
}

function resourceIds(resources: unknown): string[] {
  return (Array.isArray(resources) ? resources : []).map((resource: DataDict) => resource?.id).filter(isUuid);
}

/**
 * A dataset this source made whose identity row is gone (history cleared, table restored from an
 * older backup): it exists with one of `ids` and carries this source's provenance.
 */
async function adoptable(trx: Db, actions: ActionContext, source: SourceView, mapped: DataDict, ids: string[]): Promise<PackageRowLike | undefined> {
  for (const id of [...ids, isUuid(mapped.id) ? mapped.id.toLowerCase() : null]) {
    if (!id) continue;
    const row = await actions.services.repos.packages.get(trx, id, { forUpdate: true });
    if (!row || row.id !== id) continue;
    if (await records.byPackage(trx, id)) continue;
    const dict = JSON.parse(row.data);
    const from = (dict.extras ?? []).find((extra: DataDict) => extra.key === 'harvest_source_id')?.value;
    if (from === source.id) return row;
  }
  return undefined;
}

function formatPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? values[name] : whole));
}

/**
 * The preferred name is taken: the preferred name with a suffix that depends only on (source,
 * guid) — the same every run, whatever order records arrive in — and a warning saying who holds it.
 */
async function suffixedFreeName(trx: Db, actions: ActionContext, source: SourceView, guid: string, preferred: string, warn: (message: Msg) => void): Promise<string> {
  const { repos } = actions.services;
  const holder = await repos.packages.nameHolder(trx, preferred);
  let used = suffixedName(preferred, identitySuffix(source.id, guid));
  const second = await repos.packages.nameHolder(trx, used);
  if (second && second.state !== 'deleted') used = suffixedName(preferred, identitySuffix(source.id, guid, 16));
  warn(M.nameCollision(preferred, holder ? await describeHolder(trx, actions, holder.id, preferred) : M.nameHolderOther(), used));
  return used;
}

async function describeHolder(trx: Db, actions: ActionContext, packageId: string, name: string): Promise<Msg> {
  const record = await records.byPackage(trx, packageId);
  if (!record) return M.nameHolderLocal(name);
  const source = await actions.services.repos.packages.get(trx, record.source_id);
  return M.nameHolderHarvested(name, source ? `"${source.title ?? source.name}"` : record.source_id);
}

/**
 * Resource ids that do not change between runs: the remote ids when the dataset kept its remote id,
 * else UUID v5 of the dataset and the resource's URI, remote id or URL (`taken`: remote ids used by
 * another dataset, which fall back to the derived id).
 */
function stableResources(input: unknown, packageId: string, keepRemote: boolean, taken: Set<string>): DataDict[] {
  const list: DataDict[] = Array.isArray(input) ? input.filter((item) => item && typeof item === 'object') : [];
  const keys = new Set<string>();
  const used = new Set<string>();
  return list.map((resource, index) => {
    let key = String(resource.uri || (isUuid(resource.id) ? resource.id : '') || resource.url || `#${index}`);
    if (keys.has(key)) key = `${key}#${index}`;
    keys.add(key);
    let id = keepRemote && isUuid(resource.id) ? resource.id.toLowerCase() : resourceUuid(packageId, key);
    if (taken.has(id) || used.has(id)) id = resourceUuid(packageId, key);
    used.add(id);
    return { ...resource, id };
  });
}
