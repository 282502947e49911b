// The group and organization schemas: CKAN 2.11's default_group_schema and
// default_update_group_schema (ckan/logic/schema.py) with their validators and messages, plus the
// fields plugins declare for organizations or groups.
import { Invalid, MISSING, StopOnError, type Schema, type Validator } from '../../validation/navl.ts';
import {
  emptyIfNotSysadmin,
  ignore,
  ignoreMissing,
  nameValidator,
  notEmpty,
  notMissing,
  unicodeSafe,
  uuidValidator,
} from '../../validation/validators.ts';
import { fieldValidators, type DeclaredField } from '../../validation/fields.ts';
import { hasPermissionFor } from '../../auth/authz.ts';
import { CAPACITIES } from '../../auth/authz.ts';
import type { GroupRow } from '../../model/groups.ts';
import type { DataDict } from '../types.ts';

/** Keys of the group dict; an extra may not reuse one ("There is a schema field with the same name"). */
export const CORE_GROUP_KEYS = new Set([
  'id', 'name', 'title', 'description', 'image_url', 'image_display_url', 'type', 'state', 'created', 'is_organization',
  'approval_status', 'extras', 'packages', 'users', 'groups', 'tags', 'display_name', 'package_count', 'num_followers',
  'member_count',
]);

const STATES = ['active', 'draft', 'deleted'];

/** The row being updated travels in the validation context under this key. */
export interface GroupValidationExtras {
  group: GroupRow | null;
}

const currentGroup = (field: { context: { [key: string]: unknown } }) => (field.context.group as GroupRow | null | undefined) ?? null;

/** group_name_validator: no other non-deleted group or organization may hold the name. */
const groupNameValidator: Validator = async (value, field) => {
  if (typeof value !== 'string') return value;
  const { action } = field.context;
  const holder = await action.services.repos.groups.nameHolder(action.db(), value);
  const ownId = currentGroup(field)?.id ?? (typeof field.data.id === 'string' ? field.data.id : undefined);
  if (holder && holder.id !== ownId && holder.state !== 'deleted') field.error('Group name already exists in database');
  return value;
};

const groupIdDoesNotExist: Validator = async (value, field) => {
  const { action } = field.context;
  if (typeof value === 'string' && (await action.services.repos.groups.exists(action.db(), value))) throw new Invalid('Id already exists');
  return value;
};

/** ignore_not_group_admin: sysadmins, and on update the group's admins, may set the state. */
const ignoreNotGroupAdmin: Validator = async (value, field) => {
  const { action } = field.context;
  if (action.ignoreAuth || action.user?.sysadmin) return value;
  const group = currentGroup(field);
  if (group && (await hasPermissionFor(action, group.id, 'admin'))) return value;
  delete field.data[field.key];
  throw new StopOnError();
};

const stateValidator: Validator = (value) => {
  if (!STATES.includes(value)) throw new Invalid(`State must be one of: ${STATES.join(', ')}`);
  return value;
};

function extraKeyNotInRootSchema(rootKeys: ReadonlySet<string>): Validator {
  return (value) => {
    if (rootKeys.has(value)) throw new Invalid('There is a schema field with the same name');
    return value;
  };
}

/** package_id_or_name_exists; the reference may come as `name` too. */
const packageExists: Validator = async (value, field) => {
  const { action } = field.context;
  const ref = value === MISSING || value === null || value === '' ? field.input.name : value;
  if (ref === undefined || ref === null || ref === '') {
    field.error('Missing value');
    throw new StopOnError();
  }
  const row = typeof ref === 'string' ? await action.services.repos.packages.head(action.db(), ref) : undefined;
  if (!row) throw new Invalid('Not found: Dataset');
  return row.id;
};

/** A user or parent group named by `name` (or `id`): required. Unknown ones are skipped when saving. */
const referenceRequired: Validator = (value, field) => {
  const ref = value === MISSING || value === null || value === '' ? field.input.id : value;
  if (ref === undefined || ref === null || ref === '') {
    field.error('Missing value');
    throw new StopOnError();
  }
  return ref;
};

const roleExists: Validator = (value) => {
  if (!(CAPACITIES as readonly unknown[]).includes(value)) throw new Invalid('role does not exist.');
  return value;
};

/**
 * no_loops_in_hierarchy: a parent must be another group of the same type that is not below this
 * one. New groups have nothing below them, so only updates are checked.
 */
const noLoopsInHierarchy: Validator = async (value, field) => {
  const group = currentGroup(field);
  if (!group || typeof value !== 'string') return value;
  const { action } = field.context;
  const { groups } = action.services.repos;
  const parent = await groups.get(action.db(), value);
  const below = parent ? await groups.descendants(action.db(), [group.id]) : new Map();
  const allowed = parent && parent.id !== group.id && parent.type === group.type && parent.is_organization === group.is_organization && !below.has(parent.id);
  if (!allowed) throw new Invalid('This parent would create a loop in the hierarchy');
  return value;
};

function extrasSchema(rootKeys: ReadonlySet<string>): Schema {
  return {
    fields: {
      id: [ignore],
      key: [notEmpty, extraKeyNotInRootSchema(rootKeys), unicodeSafe],
      value: [notMissing],
      state: [ignore],
      deleted: [ignoreMissing],
      revision_timestamp: [ignore],
    },
  };
}

export function groupSchema(mode: 'create' | 'update', declared: readonly DeclaredField[]): Schema {
  const rootKeys = new Set([...CORE_GROUP_KEYS, ...declared.map((field) => field.field_name)]);
  const fields: Schema['fields'] = {
    id: mode === 'create' ? [emptyIfNotSysadmin, ignoreMissing, unicodeSafe, uuidValidator, groupIdDoesNotExist] : [ignore],
    // CKAN's update schema skips name_validator; a renamed group still gets a valid URL name here.
    name: mode === 'create' ? [notEmpty, unicodeSafe, nameValidator, groupNameValidator] : [ignoreMissing, unicodeSafe, nameValidator, groupNameValidator],
    title: [ignoreMissing, unicodeSafe],
    description: [ignoreMissing, unicodeSafe],
    image_url: [ignoreMissing, unicodeSafe],
    image_display_url: [ignore],
    type: [ignoreMissing, unicodeSafe],
    state: [ignoreNotGroupAdmin, ignoreMissing, stateValidator],
    created: [ignore],
    is_organization: [ignore],
    approval_status: [ignoreMissing, unicodeSafe],
    extras: extrasSchema(rootKeys),
    packages: {
      fields: {
        id: [packageExists],
        title: [ignore],
        name: [ignore],
      },
    },
    users: {
      fields: {
        name: [referenceRequired, unicodeSafe],
        capacity: [ignoreMissing, roleExists],
      },
    },
    groups: {
      fields: {
        name: [referenceRequired, unicodeSafe, noLoopsInHierarchy],
        capacity: [ignoreMissing, unicodeSafe],
      },
    },
  };
  for (const field of declared) fields[field.field_name] = fieldValidators(field, mode);
  return { fields, unknown: 'ignore' };
}

/** The extras as stored: deleted ones dropped, the last value of a repeated key kept. */
export function extrasToStore(extras: DataDict[] | undefined): Array<{ key: string; value: unknown }> {
  const byKey = new Map<string, unknown>();
  for (const extra of extras ?? []) {
    if (extra.deleted) byKey.delete(extra.key);
    else byKey.set(extra.key, extra.value);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value }));
}
