// User account actions (ckan/logic/action/{create,get,update,patch,delete}.py: user_*). The user
// dict follows model_dictize.user_dictize: email and apikey only for the user themself and
// sysadmins, the password never, its hash only to a sysadmin who asks for it.
import { createHash, randomUUID } from 'node:crypto';
import { NotFound, ValidationError } from '../errors.ts';
import { hashPassword } from '../auth/password.ts';
import { takeImageUpload } from '../storage/image-upload.ts';
import { isSysadmin } from '../auth/authz.ts';
import { Invalid, StopOnError, hasErrors, validate, type Schema, type Validator } from '../validation/navl.ts';
import {
  booleanValidator,
  emailValidator,
  ignore,
  ignoreMissing,
  ignoreNotSysadmin,
  jsonObject,
  nameValidator,
  notEmpty,
  stripValue,
  unicodeSafe,
} from '../validation/validators.ts';
import { USER_SORT_COLUMNS, type UserRow } from '../model/users.ts';
import { pagingParams } from './package/index.ts';
import { asBool } from './params.ts';
import { isoFromDb } from './api-token.ts';
import { issueApiToken } from '../auth/api-token.ts';
import { getOrBust as requireKeys } from './params.ts';
import type { ActionContext, ActionDefinition, DataDict } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Validation (ckan/logic/schema.py default_user_schema / default_update_user_schema)

/** user_password_validator: strings of 8 characters or more; '' is left to the next validator. */
const passwordValidator: Validator = (value) => {
  if (value === undefined || value === null || typeof value === 'symbol' || value === '') return value;
  if (typeof value !== 'string') throw new Invalid('Passwords must be strings');
  if ([...value].length < 8) throw new Invalid('Your password must be 8 characters or longer');
  return value;
};

/** user_password_not_empty: a new account needs a password, unless a sysadmin gives its hash. */
const passwordNotEmpty: Validator = (value, field) => {
  const { action } = field.context;
  if (field.input.password_hash !== undefined && field.input.password_hash !== null && isSysadmin(action)) return value;
  if (typeof value === 'symbol' || value === undefined || value === null || value === '') {
    field.error('Missing value');
    throw new StopOnError();
  }
  return value;
};

/** user_name_validator: names are unique, and only sysadmins rename accounts. */
const userNameValidator: Validator = async (value, field) => {
  if (typeof value !== 'string') throw new Invalid('User names must be strings');
  const { action } = field.context;
  const current = field.context.current as UserRow | null | undefined;
  const holder = await action.services.repos.users.get(action.db(), value);
  if (holder) {
    if (current && current.id === holder.id) return value;
    throw new Invalid('That login name is not available.');
  }
  if (current && !isSysadmin(action) && current.state !== 'pending') throw new Invalid('That login name can not be modified.');
  return value;
};

const aboutValidator: Validator = (value) => {
  if (typeof value === 'string' && (value.includes('http://') || value.includes('https://'))) {
    throw new Invalid('Edit not allowed as it looks like spam. Please avoid links in your description.');
  }
  return value;
};

function userSchema(mode: 'create' | 'update'): Schema {
  return {
    junkIsError: true,
    fields: {
      id: [ignoreMissing, unicodeSafe],
      name: mode === 'create'
        ? [notEmpty, nameValidator, userNameValidator, unicodeSafe]
        : [ignoreMissing, nameValidator, userNameValidator, unicodeSafe],
      fullname: [ignoreMissing, unicodeSafe],
      password: mode === 'create'
        ? [passwordValidator, passwordNotEmpty, ignoreMissing, unicodeSafe]
        : [passwordValidator, ignoreMissing, unicodeSafe],
      password_hash: [ignoreMissing, ignoreNotSysadmin, unicodeSafe],
      email: [notEmpty, unicodeSafe, stripValue, emailValidator],
      about: [ignoreMissing, unicodeSafe, aboutValidator],
      created: [ignore],
      sysadmin: [ignoreMissing, ignoreNotSysadmin, booleanValidator],
      reset_key: [ignore],
      apikey: [ignore],
      activity_streams_email_notifications: [ignoreMissing, booleanValidator],
      state: [ignoreMissing, ignoreNotSysadmin, unicodeSafe],
      image_url: [ignoreMissing, unicodeSafe],
      image_display_url: [ignore],
      plugin_extras: [ignoreMissing, jsonObject, ignoreNotSysadmin],
    },
  };
}

async function validateUser(context: ActionContext, data: DataDict, mode: 'create' | 'update', current: UserRow | null): Promise<DataDict> {
  const { data: valid, errors } = await validate(data, userSchema(mode), { action: context, current });
  if (hasErrors(errors)) throw new ValidationError(errors);
  // CKAN learns of a taken address from the database's unique index, after the other checks.
  if (valid.email !== undefined && (await context.services.repos.users.emailTaken(context.db(), valid.email, current?.id))) {
    throw new ValidationError({ email: [`The email address '${valid.email}' belongs to a registered user.`] });
  }
  return valid;
}

// ---------------------------------------------------------------------------------------------
// The user dict

interface DictizeOptions {
  /** Count private and draft datasets in number_created_packages (the user themself, sysadmins). */
  countPrivateAndDraft?: boolean;
  /** user_create shows the new account's email to whoever created it. */
  keepEmail?: boolean;
  includePasswordHash?: boolean;
  includePluginExtras?: boolean;
  /** A count already computed by the query that found the row. */
  numberCreatedPackages?: number;
}

export async function userDictize(context: ActionContext, row: UserRow, options: DictizeOptions = {}): Promise<DataDict> {
  const { repos, config } = context.services;
  const sysadmin = isSysadmin(context);
  const self = !!context.user && context.user.id === row.id;
  const imageUrl = row.image_url;
  const dict: DataDict = {
    id: row.id,
    name: row.name,
    fullname: row.fullname,
    created: isoFromDb(row.created),
    about: row.about,
    last_active: isoFromDb(row.last_active),
    activity_streams_email_notifications: row.activity_streams_email_notifications,
    sysadmin: row.sysadmin,
    state: row.state,
    image_url: imageUrl,
    display_name: row.fullname || row.name,
    email_hash: createHash('md5').update((row.email ?? '').trim().toLowerCase()).digest('hex'),
    number_created_packages: options.numberCreatedPackages ?? (await repos.users.countCreatedPackages(context.db(), row.id, !!options.countPrivateAndDraft)),
    image_display_url: imageUrl && !imageUrl.startsWith('http') ? `${config.site.url}/uploads/user/${imageUrl}` : imageUrl,
  };
  if (self || sysadmin || options.keepEmail) {
    dict.email = row.email;
    // Legacy API keys stopped authenticating in CKAN 2.10; the field survives, empty.
    dict.apikey = null;
  }
  if (sysadmin && options.includePasswordHash) dict.password_hash = row.password_hash;
  if (sysadmin && options.includePluginExtras) dict.plugin_extras = row.plugin_extras ?? null;
  return dict;
}

// ---------------------------------------------------------------------------------------------
// Actions

async function loadUser(context: ActionContext, ref: string): Promise<UserRow | undefined> {
  return context.services.repos.users.get(context.db(), ref);
}

const userCreate: ActionDefinition = {
  doc: 'Create a user account. Sysadmins may always; others only when ckan.auth.create_user_via_api is on.\n\n:param name: 2–100 characters: lowercase ascii letters, digits, - and _\n:param email: the email address\n:param password: at least 8 characters\n:param fullname, about, image_url: optional\n:param id: optional, sysadmins only\n:param sysadmin, state, plugin_extras, password_hash: sysadmins only\n:param with_apitoken: also create an API token and return it as `token`\n:returns: the new user\n:rtype: dictionary',
  async handler(context, data) {
    const input = { ...data };
    const withToken = asBool(input.with_apitoken);
    delete input.with_apitoken;
    // CKAN drops an id given by a non-sysadmin, or one already taken, without complaint.
    if (input.id && (!isSysadmin(context) || (await loadUser(context, String(input.id))))) delete input.id;
    const image = takeImageUpload(context, 'user', input, null);
    const valid = await validateUser(context, input, 'create', null);
    // Hashing takes a while; do it before the transaction rather than hold one open. The unique
    // index on the name still catches a concurrent registration of the same name.
    const passwordHash = valid.password ? await hashPassword(valid.password) : (valid.password_hash ?? null);
    return context.transaction(async () => {
      const row: UserRow = {
        id: valid.id || randomUUID(),
        name: valid.name,
        fullname: valid.fullname ?? null,
        email: valid.email,
        password_hash: passwordHash,
        about: valid.about ?? null,
        sysadmin: valid.sysadmin ?? false,
        state: valid.state ?? 'active',
        created: context.services.clock.nowIso(),
        last_active: null,
        image_url: valid.image_url ?? null,
        activity_streams_email_notifications: valid.activity_streams_email_notifications ?? false,
        plugin_extras: valid.plugin_extras ?? null,
      };
      await context.services.repos.users.insert(context.db(), row);
      await image.commit(row.image_url);
      const dict = await userDictize(context, row, { keepEmail: true, includePluginExtras: 'plugin_extras' in valid, numberCreatedPackages: 0 });
      if (withToken) dict.token = await issueApiToken(context, row.id, 'default');
      return dict;
    });
  },
};

const userShow: ActionDefinition = {
  sideEffectFree: true,
  access: 'manual',
  doc: "Return a user account.\n\n:param id: the user's id or name (default: the caller)\n:param include_datasets: include up to 50 datasets the user created (default false)\n:param include_num_followers: (default false)\n:param include_password_hash, include_plugin_extras: sysadmins only (default false)\n:rtype: dictionary",
  async handler(context, data) {
    const ref = data.id;
    const row = ref ? await loadUser(context, String(ref)) : context.user ? await context.services.repos.users.byId(context.db(), context.user.id) : undefined;
    if (!row) throw new NotFound();
    await context.checkAccess('user_show', data);
    const self = context.user?.id === row.id;
    const privileged = isSysadmin(context) || self;
    const dict = await userDictize(context, row, {
      countPrivateAndDraft: privileged,
      includePasswordHash: asBool(data.include_password_hash),
      includePluginExtras: asBool(data.include_plugin_extras),
    });
    if (asBool(data.include_datasets)) dict.datasets = await datasetsCreatedBy(context, row.id, privileged);
    // Following is not implemented: nobody follows anybody.
    if (asBool(data.include_num_followers)) dict.num_followers = 0;
    return dict;
  },
};

async function datasetsCreatedBy(context: ActionContext, userId: string, privileged: boolean): Promise<DataDict[]> {
  if (!context.services.actions.has('package_search')) return [];
  const search: DataDict = { fq: `+creator_user_id:${userId}`, rows: 50 };
  if (privileged) Object.assign(search, { include_private: true, include_drafts: true });
  const result = await context.action<DataDict>('package_search', search);
  return result.results ?? [];
}

const userList: ActionDefinition = {
  sideEffectFree: true,
  doc: "Return the site's user accounts (deleted ones excepted).\n\n:param q: only users whose name or full name contains this\n:param email: only the user with this email (sysadmins only)\n:param order_by: id, name, fullname, display_name (default), created, about, sysadmin or number_created_packages\n:param all_fields: full user dicts (default true) or names\n:param limit, offset: optional paging\n:rtype: list",
  async handler(context, data) {
    const orderBy = String(data.order_by ?? 'display_name');
    if (orderBy === 'edits') throw new ValidationError({ message: 'order_by=edits is no longer supported' });
    const { limit, offset } = pagingParams(data, ['limit', 'offset']);
    const sortable = orderBy === 'display_name' || orderBy === 'number_created_packages' || USER_SORT_COLUMNS.includes(orderBy);
    const rows = await context.services.repos.users.search(context.db(), {
      q: data.q ? String(data.q) : undefined,
      qMatchesEmail: isSysadmin(context),
      email: data.email ? String(data.email) : undefined,
      orderBy: sortable ? orderBy : 'display_name',
      limit,
      offset,
    });
    const allFields = data.all_fields === undefined ? true : asBool(data.all_fields);
    if (!allFields) return rows.map((row) => row.name);
    const out: DataDict[] = [];
    for (const row of rows) out.push(await userDictize(context, row, { numberCreatedPackages: Number(row.number_created_packages) }));
    return out;
  },
};

const userAutocomplete: ActionDefinition = {
  sideEffectFree: true,
  doc: 'Return users whose name or full name contains a string.\n\n:param q: the string\n:param limit: (default 20)\n:param ignore_self: leave the caller out (default false)\n:rtype: list of {id, name, fullname}',
  async handler(context, data) {
    if (data.q === undefined || data.q === null) throw new ValidationError({ q: ['Missing value'] });
    const { limit } = pagingParams(data, ['limit']);
    const rows = await context.services.repos.users.search(context.db(), {
      q: String(data.q),
      qMatchesEmail: isSysadmin(context),
      excludeName: asBool(data.ignore_self) && context.user ? context.user.name : undefined,
      orderBy: 'name',
      limit: limit ?? 20,
    });
    return rows.map((row) => ({ id: row.id, name: row.name, fullname: row.fullname }));
  },
};

const userUpdate: ActionDefinition = {
  access: 'manual',
  doc: "Update a user account: yourself, or anyone as a sysadmin. `email` is required, as in CKAN; fields not given are kept (use user_patch to send only some). Only sysadmins rename accounts or change sysadmin and state.\n\n:param id: the user's id or name\n:param email: the email address\n:param password: a new password (8+ characters)\n:rtype: dictionary",
  async handler(context, data) {
    const [ref] = requireKeys(data, ['id']);
    const { repos } = context.services;
    const current = await loadUser(context, ref);
    if (!current) throw new NotFound('User was not found.');
    await context.checkAccess('user_update', { ...data, __user: current });
    const input = { ...data };
    const image = takeImageUpload(context, 'user', input, current.image_url);
    const valid = await validateUser(context, input, 'update', current);
    const changes: Partial<UserRow> = {};
    for (const key of ['name', 'fullname', 'email', 'about', 'sysadmin', 'state', 'image_url', 'activity_streams_email_notifications', 'plugin_extras'] as const) {
      if (Object.hasOwn(valid, key)) (changes as DataDict)[key] = valid[key];
    }
    // An empty password means "unchanged", as in CKAN's user_dict_save.
    if (valid.password) changes.password_hash = await hashPassword(valid.password);
    else if (valid.password_hash) changes.password_hash = valid.password_hash;
    return context.transaction(async () => {
      await repos.users.update(context.db(), current.id, changes);
      const updated = (await repos.users.byId(context.db(), current.id))!;
      await image.commit(updated.image_url);
      return userDictize(context, updated, { includePluginExtras: 'plugin_extras' in valid });
    });
  },
};

const userPatch: ActionDefinition = {
  access: 'manual',
  doc: "Patch a user account: only the given fields change.\n\n:param id: the user's id or name\n:rtype: dictionary",
  async handler(context, data) {
    // The auth function takes the target from `id`, never from a client-sent __user.
    await context.checkAccess('user_patch', { ...data, __user: undefined });
    const [ref] = requireKeys(data, ['id']);
    const shown = await context.action<DataDict>('user_show', { id: ref });
    const patched: DataDict = { ...shown, ...data };
    delete patched.display_name;
    return context.action('user_update', patched);
  },
};

const userDelete: ActionDefinition = {
  doc: "Delete a user account (sysadmins only): it is marked deleted, leaves its organizations, groups and collaborations, and its API tokens stop working.\n\n:param id: the user's id or name\n:rtype: null",
  async handler(context, data) {
    const [ref] = requireKeys(data, ['id']);
    await context.transaction(async () => {
      const { repos } = context.services;
      const db = context.db();
      const row = await loadUser(context, ref);
      if (!row) throw new NotFound(`User "${ref}" was not found.`);
      await repos.users.update(db, row.id, { state: 'deleted' });
      await repos.members.removeAllFor(db, 'user', row.id);
      await repos.collaborators.removeAllForUser(db, row.id);
      await repos.apiTokens.removeAllForUser(db, row.id);
    });
    return null;
  },
};

export const userActions: Record<string, ActionDefinition> = {
  user_create: userCreate,
  user_show: userShow,
  user_list: userList,
  user_autocomplete: userAutocomplete,
  user_update: userUpdate,
  user_patch: userPatch,
  user_delete: userDelete,
};
