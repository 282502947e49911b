// The dataset schemas: CKAN 2.11's default_create_package_schema and default_update_package_schema
// (ckan/logic/schema.py) with their validators and messages, plus the fields plugins declare.
import { MISSING, Invalid, StopOnError, type DictValidator, type Schema, type Validator } from '../../validation/navl.ts';
import {
  booleanValidator,
  emailValidator,
  emptyIfNotSysadmin,
  ifEmptySameAs,
  ignore,
  ignoreEmpty,
  ignoreMissing,
  ignoreNotSysadmin,
  intValidator,
  isodate,
  jsonObject,
  nameValidator,
  notEmpty,
  notMissing,
  removeWhitespace,
  stripValue,
  unicodeSafe,
  uuidValidator,
} from '../../validation/validators.ts';
import { fieldValidators, type DeclaredField } from '../../validation/fields.ts';
import { hasPermissionFor } from '../../auth/authz.ts';
import { isUploadedFile } from '../../storage/file-store.ts';
import { cleanFormat, guessFormatFromUrl } from './resource-format.ts';
import type { ErrorDict } from '../../errors.ts';
import type { GroupRow } from '../../model/groups.ts';
import type { DatasetLookupQuestion } from '../../model/dataset-lookups.ts';
import type { ActionContext, DataDict } from '../types.ts';

/** Keys of the package dict that are not user input (package_show output sent back is harmless). */
export const CORE_DATASET_KEYS = new Set([
  'id', 'name', 'title', 'author', 'author_email', 'maintainer', 'maintainer_email', 'license_id', 'notes', 'url',
  'version', 'state', 'type', 'owner_org', 'private', 'resources', 'tags', 'tag_string', 'extras', 'groups',
  'plugin_data', 'relationships_as_object', 'relationships_as_subject', 'metadata_created', 'metadata_modified',
  'creator_user_id', 'num_resources', 'num_tags', 'organization', 'isopen', 'license_title', 'license_url',
  'tracking_summary',
]);

const PACKAGE_VERSION_MAX_LENGTH = 100;
const TAG_MIN = 2;
const TAG_MAX = 100;
const TAG_NAME = /^[\p{L}\p{N}_ .-]*$/u;

/** package_name_validator: unique among non-deleted datasets, 2–100 chars. */
const packageNameValidator: Validator = async (value, field) => {
  if (typeof value !== 'string') return value;
  const { action, current } = field.context;
  const memo = field.context.memo as Map<string, unknown> | undefined;
  const key = `nameHolder:${value}`;
  const holder = (memo?.has(key) ? memo.get(key) : await action.services.repos.packages.nameHolder(action.db(), value)) as { id: string; state: string } | null | undefined;
  memo?.set(key, holder ?? null);
  const ownId = (current?.id as string | undefined) ?? (typeof field.data.id === 'string' ? field.data.id : undefined);
  if (holder && holder.id !== ownId && holder.state !== 'deleted') field.error('That URL is already in use.');
  if (value.length < 2) throw new Invalid(`Name "${value}" length is less than minimum 2`);
  if (value.length > 100) throw new Invalid(`Name "${value}" length is more than maximum 100`);
  return value;
};

const packageVersionValidator: Validator = (value) => {
  if (typeof value === 'string' && [...value].length > PACKAGE_VERSION_MAX_LENGTH) {
    throw new Invalid(`Version must be a maximum of ${PACKAGE_VERSION_MAX_LENGTH} characters long`);
  }
  return value;
};

const packageIdDoesNotExist: Validator = async (value, field) => {
  const { action } = field.context;
  if (typeof value !== 'string') return value;
  const memo = field.context.memo as Map<string, unknown> | undefined;
  const taken = memo?.has(`idTaken:${value}`) ? memo.get(`idTaken:${value}`) === true : await action.services.repos.packages.exists(action.db(), value);
  if (taken) {
    throw new Invalid('Dataset id already exists');
  }
  return value;
};

/**
 * owner_org_validator: resolves id or name to the id. The create_dataset permission is needed only
 * when the organization changes (or on create), so an editor collaborator who is no member of the
 * organization can still send the dataset back unchanged, and a deleted dataset of a deleted
 * organization can still be restored.
 */
function ownerOrgValidator(mode: 'create' | 'update'): Validator {
  return async (value, field) => {
    const { action, current } = field.context;
    const unownedAllowed = action.services.config.auth.create_unowned_dataset;
    if (value === MISSING || value === null || value === undefined) {
      if (mode === 'update') {
        // Lenient where CKAN is strict: a missing owner_org keeps the current one.
        delete field.data[field.key];
        throw new StopOnError();
      }
      if (!unownedAllowed) throw new Invalid('An organization must be provided');
      field.data[field.key] = null;
      throw new StopOnError();
    }
    if (value === '') {
      if (!unownedAllowed) throw new Invalid('An organization must be provided');
      return null;
    }
    const currentOrg = (current?.owner_org as string | null | undefined) ?? null;
    const memo = field.context.memo as Map<string, unknown> | undefined;
    const ref = String(value);
    const org = (memo?.has(`orgRef:${ref}`) ? memo.get(`orgRef:${ref}`) : await action.services.repos.groups.get(action.db(), ref)) as GroupRow | null | undefined;
    if (org) memo?.set(`org:${org.id}`, org);
    if (current && org && org.id !== currentOrg && (await collaboratorMayNotMove(action, current.id as string, currentOrg))) {
      field.error('You cannot move this dataset to another organization');
      throw new StopOnError();
    }
    if (!org || !org.is_organization || (org.state === 'deleted' && org.id !== currentOrg)) {
      field.error('Organization does not exist');
      throw new StopOnError();
    }
    if (org.id !== currentOrg && !action.ignoreAuth && !(await hasPermissionFor(action, org.id, 'create_dataset'))) {
      field.error('You cannot add a dataset to this organization');
      throw new StopOnError();
    }
    return org.id;
  };
}

/**
 * ckan.auth.allow_collaborators_to_change_owner_org is off by default: a collaborator who is not
 * also an editor of the dataset's organization may not move it elsewhere.
 */
async function collaboratorMayNotMove(action: ActionContext, packageId: string, currentOrg: string | null): Promise<boolean> {
  const { config, repos } = action.services;
  const user = action.user;
  if (!user || user.sysadmin || action.ignoreAuth) return false;
  if (!config.auth.allow_dataset_collaborators || config.auth.allow_collaborators_to_change_owner_org) return false;
  const row = await repos.collaborators.get(action.db(), packageId, user.id);
  if (!row || !['admin', 'editor'].includes(row.capacity)) return false;
  return !(await hasPermissionFor(action, currentOrg, 'update_dataset'));
}

/** ignore_not_package_admin: only sysadmins (on create) or dataset editors (on update) set state. */
const ignoreNotPackageAdmin: Validator = async (value, field) => {
  const { action, current } = field.context;
  if (action.ignoreAuth || action.user?.sysadmin) return value;
  if (current && action.user) {
    try {
      await action.checkAccess('package_update', { id: current.id });
      return value;
    } catch {
      // not allowed: drop the key below
    }
  }
  delete field.data[field.key];
  throw new StopOnError();
};

const stateValidator: Validator = (value) => {
  if (!['active', 'draft', 'deleted'].includes(value)) throw new Invalid('State must be one of: active, draft, deleted');
  return value;
};

export const tagLengthValidator: Validator = (value) => {
  if (typeof value !== 'string') return value;
  const length = [...value].length;
  if (length < TAG_MIN) throw new Invalid(`Tag "${value}" length is less than minimum ${TAG_MIN}`);
  if (length > TAG_MAX) throw new Invalid(`Tag "${value}" length is more than maximum ${TAG_MAX}`);
  return value;
};

export const tagNameValidator: Validator = (value) => {
  if (typeof value === 'string' && !TAG_NAME.test(value)) {
    throw new Invalid(`Tag "${value}" can only contain alphanumeric characters, spaces (" "), hyphens ("-"), underscores ("_") or dots (".")`);
  }
  return value;
};

/** CKAN's vocabulary_id_exists: by id only (a vocabulary's name is refused, as in CKAN). */
export const vocabularyIdExists: Validator = async (value, field) => {
  if (typeof value !== 'string') throw new Invalid('Tag vocabulary was not found.');
  const memo = field.context.memo as Map<string, unknown> | undefined;
  const key = `vocabulary:${value}`;
  const known = memo?.has(key) ? memo.get(key) === true : (await field.context.action.services.repos.vocabularies.get(field.context.action.db(), value))?.id === value;
  memo?.set(key, known);
  if (!known) throw new Invalid('Tag vocabulary was not found.');
  return value;
};

/** Extras values are text in CKAN; other JSON is kept as its JSON text; null is dropped at save. */
const extraValue: Validator = (value) => {
  if (value === MISSING || value === null) return value;
  if (isUploadedFile(value)) return value.filename;
  return typeof value === 'string' ? value.normalize('NFC') : JSON.stringify(value);
};

function extraKeyNotInRootSchema(rootKeys: ReadonlySet<string>): Validator {
  return (value) => {
    if (rootKeys.has(value)) throw new Invalid('There is a schema field with the same name');
    return value;
  };
}

const datasetsWithNoOrganizationCannotBePrivate: Validator = (value, field) => {
  const owner = field.data.owner_org ?? field.context.current?.owner_org ?? null;
  if (value === true && !owner) throw new Invalid("Datasets with no organization can't be private.");
  return value;
};

const RESOURCE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Resource ids: any user may set one; it must be a UUID not used by another dataset's resource. */
const resourceIdValidator: Validator = async (value, field) => {
  if (typeof value !== 'string') throw new Invalid('Invalid id provided');
  if (!RESOURCE_UUID.test(value)) throw new Invalid('Invalid id provided');
  const { action, current } = field.context;
  const memo = field.context.memo as Map<string, unknown> | undefined;
  const checked = memo?.get('resourceIds:checked') as Set<string> | undefined;
  const taken = checked?.has(value)
    ? (memo!.get('resourceIds:taken') as Set<string>).has(value)
    : (await action.services.repos.resources.idsTakenElsewhere(action.db(), [value], (current?.id as string) ?? (memo?.get('resourceIds:ownId') as string) ?? null)).length > 0;
  if (taken) throw new Invalid('Resource id already exists.');
  return value.toLowerCase();
};

/**
 * The lookups the validators below need (id taken, name holder, organization, resource ids used
 * elsewhere), made in one query before any of them runs; each validator reads its answer from the
 * memo and asks the database itself only for a value the prefetch did not see.
 */
function prefetchLookups(mode: 'create' | 'update'): DictValidator {
  return async (_data, _errors, context, input) => {
    const memo = context.memo as Map<string, unknown> | undefined;
    if (!memo) return;
    const { action, current } = context;
    const question: DatasetLookupQuestion = { ownId: (current?.id as string | undefined) ?? null };
    if (mode === 'create' && typeof input.id === 'string' && RESOURCE_UUID.test(input.id)) {
      question.id = input.id.toLowerCase();
      // As CKAN's resource_id_does_not_exist: a resource is "taken" only by another dataset. A
      // create that repeats an existing dataset's record (ckanapi load) fails on its id alone.
      question.ownId = question.id;
      memo.set('resourceIds:ownId', question.id);
    }
    if (typeof input.name === 'string' && input.name) question.name = input.name.normalize('NFC');
    if ((typeof input.owner_org === 'string' && input.owner_org) || typeof input.owner_org === 'number') question.organization = String(input.owner_org);
    const ids = Array.isArray(input.resources)
      ? input.resources.map((resource: DataDict) => resource?.id).filter((id: unknown): id is string => typeof id === 'string' && RESOURCE_UUID.test(id))
      : [];
    if (ids.length) question.resourceIds = ids;
    if (question.id === undefined && question.name === undefined && question.organization === undefined && !ids.length) return;
    const answer = await action.services.repos.datasetLookups.ask(action.db(), question);
    if (question.id !== undefined) memo.set(`idTaken:${question.id}`, answer.idTaken);
    if (question.name !== undefined) memo.set(`nameHolder:${question.name}`, answer.nameHolder);
    if (question.organization !== undefined) memo.set(`orgRef:${question.organization}`, answer.organization);
    if (ids.length) {
      memo.set('resourceIds:checked', new Set(ids));
      memo.set('resourceIds:taken', new Set(answer.takenResourceIds));
    }
  };
}

/** CKAN's if_empty_guess_format: a new resource without format gets one from its URL. */
const ifEmptyGuessFormat: Validator = (value, field) => {
  if (value !== MISSING && value !== null && value !== '') return value;
  const isNew = !field.input.id;
  const upload = field.input.upload;
  const source = isUploadedFile(upload) ? upload.filename : field.input.url;
  if (!isNew || typeof source !== 'string' || !source) return value;
  return guessFormatFromUrl(source) ?? value;
};

const cleanFormatValidator: Validator = (value) => (typeof value === 'string' ? cleanFormat(value) : value);

/** The multipart `upload` file, or a plain string (a URL, as ckanapi sends when re-uploading by link). */
const uploadValidator: Validator = (value, field) => {
  if (value === MISSING || value === null || value === '') {
    delete field.data[field.key];
    throw new StopOnError();
  }
  if (!isUploadedFile(value)) {
    // A string here is not a file: CKAN's uploader ignores it too.
    delete field.data[field.key];
    throw new StopOnError();
  }
  return value;
};

/**
 * Resource extras must be JSON (CKAN's extras_valid_json). The only thing a client can send that is
 * not is a file in a field other than `upload`; storing it would store the server's temporary path.
 */
const resourceExtrasValidJson: DictValidator = (data, errors) => {
  for (const [key, value] of Object.entries(data)) {
    if (key !== 'upload' && isUploadedFile(value)) {
      delete data[key];
      errors.__extras = [...((errors.__extras as string[] | undefined) ?? []), `Could not parse extra '${key}' as valid JSON`];
    }
  }
};

export function resourceSchema(): Schema {
  return {
    after: [resourceExtrasValidJson],
    fields: {
      id: [ignoreEmpty, resourceIdValidator, unicodeSafe],
      package_id: [ignore],
      url: [ignoreMissing, unicodeSafe, removeWhitespace],
      description: [ignoreMissing, unicodeSafe],
      format: [ifEmptyGuessFormat, ignoreMissing, cleanFormatValidator, unicodeSafe],
      hash: [ignoreMissing, unicodeSafe],
      state: [ignore],
      position: [ignore],
      name: [ignoreMissing, unicodeSafe],
      resource_type: [ignoreMissing, unicodeSafe],
      url_type: [ignoreMissing, unicodeSafe],
      mimetype: [ignoreMissing, unicodeSafe],
      mimetype_inner: [ignoreMissing, unicodeSafe],
      cache_url: [ignoreMissing, unicodeSafe],
      size: [ignoreMissing, intValidator],
      created: [ignoreMissing, isodate],
      last_modified: [ignoreMissing, isodate],
      cache_last_updated: [ignoreMissing, isodate],
      metadata_modified: [ignore],
      tracking_summary: [ignore],
      datastore_active: [ignoreMissing],
      upload: [uploadValidator],
      clear_upload: [ignoreMissing, booleanValidator],
      // A nested "extras" object is not stored (test_create.py::TestDatasetCreate::test_resources).
      extras: [ignore],
    },
    unknown: 'keep',
  };
}

function tagSchema(): Schema {
  return {
    fields: {
      name: [notMissing, notEmpty, unicodeSafe, tagLengthValidator, tagNameValidator],
      vocabulary_id: [ignoreMissing, unicodeSafe, vocabularyIdExists],
      id: [ignore],
      state: [ignore],
      display_name: [ignore],
    },
  };
}

function extrasSchema(rootKeys: ReadonlySet<string>): Schema {
  return {
    fields: {
      id: [ignore],
      key: [notEmpty, unicodeSafe, extraKeyNotInRootSchema(rootKeys)],
      value: [notMissing, extraValue],
      state: [ignore],
      deleted: [ignoreMissing],
    },
  };
}

function groupRefSchema(): Schema {
  return {
    fields: {
      id: [ignoreMissing, unicodeSafe],
      name: [ignoreMissing, unicodeSafe],
      title: [ignoreMissing, unicodeSafe],
    },
  };
}

/** tag_string "a, b" → extra tags (validated like tags). */
const tagStringConvert: DictValidator = (data, errors, _context, input) => {
  const raw = input.tag_string;
  if (raw === undefined || raw === null) return;
  const names = typeof raw === 'string' ? raw.split(',').map((tag) => tag.trim()).filter(Boolean) : Array.isArray(raw) ? raw.map(String) : [];
  const messages: string[] = [];
  for (const name of names) {
    for (const check of [tagLengthValidator, tagNameValidator]) {
      try {
        check(name.normalize('NFC'), undefined as never);
      } catch (err) {
        if (err instanceof Invalid) messages.push(err.message);
      }
    }
  }
  if (messages.length) errors.tag_string = messages;
  data.tags = [...((data.tags as DataDict[]) ?? []), ...names.map((name) => ({ name: name.normalize('NFC') }))];
};

const duplicateExtrasKey: DictValidator = (_data, errors, _context, input) => {
  const extras = Array.isArray(input.extras) ? input.extras : [];
  const seen = new Set<string>();
  for (const extra of extras) {
    if (!extra || typeof extra !== 'object' || extra.deleted) continue;
    const key = String(extra.key);
    if (seen.has(key)) {
      errors.extras_validation = [`Duplicate key "${key}"`];
      return;
    }
    seen.add(key);
  }
};

/** One id twice in the same list would make the resource rows collide; name the second one. */
const duplicateResourceIds: DictValidator = (data, errors) => {
  const resources: DataDict[] = Array.isArray(data.resources) ? data.resources : [];
  const seen = new Set<string>();
  resources.forEach((resource, index) => {
    const id = resource?.id;
    if (typeof id !== 'string') return;
    if (seen.has(id)) {
      const list = (errors.resources ??= resources.map(() => ({}))) as ErrorDict[];
      const own = (list[index] ??= {});
      own.id = [...((own.id as string[] | undefined) ?? []), 'Resource id already exists.'];
    }
    seen.add(id);
  });
};

export function datasetSchema(mode: 'create' | 'update', declared: readonly DeclaredField[]): Schema {
  const rootKeys = new Set([...CORE_DATASET_KEYS, ...declared.map((field) => field.field_name)]);
  const fields: Schema['fields'] = {
    id: mode === 'create' ? [emptyIfNotSysadmin, ignoreMissing, unicodeSafe, uuidValidator, packageIdDoesNotExist] : [ignore],
    name: mode === 'create' ? [notEmpty, unicodeSafe, nameValidator, packageNameValidator] : [ignoreMissing, nameValidator, packageNameValidator, unicodeSafe],
    title: mode === 'create' ? [ifEmptySameAs('name'), unicodeSafe, stripTitle] : [ignoreMissing, unicodeSafe, stripTitle],
    author: [ignoreMissing, unicodeSafe],
    author_email: [ignoreMissing, unicodeSafe, stripValue, emailValidator],
    maintainer: [ignoreMissing, unicodeSafe],
    maintainer_email: [ignoreMissing, unicodeSafe, stripValue, emailValidator],
    license_id: [ignoreMissing, unicodeSafe],
    notes: [ignoreMissing, unicodeSafe],
    url: [ignoreMissing, unicodeSafe],
    version: [ignoreMissing, unicodeSafe, packageVersionValidator],
    state: [ignoreNotPackageAdmin, ignoreMissing, stateValidator],
    type: [ignoreMissing, unicodeSafe],
    owner_org: [ownerOrgValidator(mode), unicodeSafe],
    private: [ignoreMissing, booleanValidator, datasetsWithNoOrganizationCannotBePrivate],
    resources: resourceSchema(),
    tags: tagSchema(),
    plugin_data: [ignoreMissing, jsonObject, ignoreNotSysadmin],
    extras: extrasSchema(rootKeys),
    groups: groupRefSchema(),
    relationships_as_object: [ignore],
    relationships_as_subject: [ignore],
  };
  for (const field of declared) fields[field.field_name] = fieldValidators(field, mode);
  return {
    fields,
    unknown: 'ignore',
    junkIsError: true,
    before: [duplicateExtrasKey, prefetchLookups(mode)],
    after: [tagStringConvert, duplicateResourceIds],
  };
}

const stripTitle: Validator = (value) => (typeof value === 'string' ? value.trim() : value);

