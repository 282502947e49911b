// API token actions (ckan/logic/action/{create,get,delete}.py: api_token_*), with the expiry of
// CKAN's expire_api_token plugin built in. Tokens are opaque random strings; only their sha256 is
// stored, so a token is shown once, at creation, and revoking deletes its row.
import { NotFound, ValidationError } from '../errors.ts';
import { hashApiToken, issueApiToken } from '../auth/api-token.ts';
import { pgTimestampToIso } from '../clock.ts';
import { hasErrors, validate, type Schema, type Validator } from '../validation/navl.ts';
import { ignoreEmpty, ignoreMissing, ignoreNotSysadmin, isPositiveInteger, jsonObject, notEmpty, unicodeSafe } from '../validation/validators.ts';
import type { ApiTokenRow } from '../model/api-tokens.ts';
import type { ActionDefinition, DataDict } from './types.ts';
import { getOrBust as requireKeys } from './params.ts';

/** A timestamp column as CKAN prints datetimes: naive ISO, microseconds, no zone. */
export function isoFromDb(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return pgTimestampToIso(value.toISOString().replace(/Z$/, ''));
  return pgTimestampToIso(String(value));
}


// expire_api_token requires both numbers; here both are optional, and `unit` defaults to seconds,
// because without the plugin CKAN accepts tokens with no expiry at all.
const optionalPositiveInteger: Validator[] = [ignoreEmpty, isPositiveInteger];

const createSchema: Schema = {
  fields: {
    user: [notEmpty, unicodeSafe],
    name: [notEmpty, unicodeSafe],
    expires_in: optionalPositiveInteger,
    unit: optionalPositiveInteger,
    plugin_extras: [ignoreMissing, jsonObject, ignoreNotSysadmin],
  },
};

/** The token row as api_token_list shows it (model_dictize.api_token_list_dictize). */
export function tokenDict(row: ApiTokenRow): DataDict {
  return {
    id: row.id,
    name: row.name,
    user_id: row.user_id,
    created_at: isoFromDb(row.created_at),
    last_access: isoFromDb(row.last_access),
    plugin_extras: row.plugin_extras ?? null,
  };
}

const apiTokenCreate: ActionDefinition = {
  access: 'manual',
  doc: 'Create an API token for a user. The token is returned once and cannot be shown again.\n\n:param user: name or id of the user who owns the new token\n:param name: a name for the token\n:param expires_in: optional lifetime, in units of `unit`\n:param unit: seconds per unit of `expires_in` (1, 60, 3600, 86400, …; default 1)\n:returns: {"token": "<the token>"}\n:rtype: dictionary',
  async handler(context, data) {
    const [userRef] = requireKeys(data, ['user', 'name']);
    const owner = await context.services.repos.users.get(context.db(), userRef);
    if (!owner) throw new NotFound('User not found');
    await context.checkAccess('api_token_create', { ...data, __owner: owner });
    const { data: valid, errors } = await validate(data, createSchema, { action: context });
    if (hasErrors(errors)) throw new ValidationError(errors);
    const seconds = valid.expires_in ? valid.expires_in * (valid.unit ?? 1) : undefined;
    const token = await issueApiToken(context, owner.id, valid.name, { expiresInSeconds: seconds, pluginExtras: valid.plugin_extras ?? null });
    return { token };
  },
};

const apiTokenList: ActionDefinition = {
  sideEffectFree: true,
  access: 'manual',
  doc: "Return a user's API tokens (never the tokens themselves).\n\n:param user_id: the user's id or name (`user` is accepted too)\n:rtype: list of {id, name, user_id, created_at, last_access, plugin_extras}",
  async handler(context, data) {
    const ref = data.user_id ?? data.user;
    if (ref === undefined || ref === null || ref === '') throw new ValidationError({ user_id: ['Missing value'] });
    await context.checkAccess('api_token_list', data);
    const owner = await context.services.repos.users.get(context.db(), String(ref));
    if (!owner) throw new NotFound('User not found');
    const rows = await context.services.repos.apiTokens.listForUser(context.db(), owner.id);
    return rows.map(tokenDict);
  },
};

const apiTokenRevoke: ActionDefinition = {
  access: 'manual',
  doc: 'Revoke an API token: it stops working at once.\n\n:param jti: the token id (as api_token_list shows it)\n:param token: or the token itself\n:rtype: null',
  async handler(context, data) {
    const { repos } = context.services;
    let jti: string | null = data.jti ? String(data.jti) : null;
    if (data.token) jti = (await repos.apiTokens.byHash(context.db(), hashApiToken(String(data.token))))?.id ?? null;
    await context.checkAccess('api_token_revoke', { jti });
    if (jti) await repos.apiTokens.remove(context.db(), jti);
    return null;
  },
};

export const apiTokenActions: Record<string, ActionDefinition> = {
  api_token_create: apiTokenCreate,
  api_token_list: apiTokenList,
  api_token_revoke: apiTokenRevoke,
};
