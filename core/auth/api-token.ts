// API tokens are opaque to clients (CKAN's are JWTs; ckanapi and the harvester only pass them on).
// Ours are 256 random bits; only their sha256 is stored, so a database leak does not leak tokens.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ActionContext } from '../actions/types.ts';

export function newApiToken(): string {
  return 'kho_' + randomBytes(32).toString('base64url');
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value)?.trim() || null;
}

/** The token from a request: Authorization (raw, or "Bearer x"), else X-CKAN-API-Key. */
export function tokenFromHeaders(headers: Record<string, string | string[] | undefined>): string | null {
  const pick = headerValue;
  const authorization = pick(headers.authorization);
  if (authorization) return authorization.replace(/^Bearer\s+/i, '');
  return pick(headers['x-ckan-api-key']);
}

/** Insert a token row and return the token itself (the only time it is ever visible). */
export async function issueApiToken(
  context: ActionContext,
  userId: string,
  name: string,
  options: { expiresInSeconds?: number; pluginExtras?: Record<string, unknown> | null } = {},
): Promise<string> {
  const { repos, clock } = context.services;
  const token = newApiToken();
  const now = clock.nowIso();
  let expiresAt: string | null = null;
  let pluginExtras = options.pluginExtras ?? null;
  if (options.expiresInSeconds) {
    // Naive UTC with six fraction digits, as Python's isoformat() prints the plugin's value.
    expiresAt = new Date(clock.now().getTime() + options.expiresInSeconds * 1000).toISOString().replace(/Z$/, '000');
    // Where CKAN's expire_api_token plugin records the expiry, so api_token_list shows it the same way.
    pluginExtras = { ...(pluginExtras ?? {}), expire_api_token: { exp: expiresAt } };
  }
  await repos.apiTokens.insert(context.db(), {
    id: randomUUID(),
    user_id: userId,
    name,
    token_hash: hashApiToken(token),
    created_at: now,
    last_access: null,
    expires_at: expiresAt,
    plugin_extras: pluginExtras,
  });
  return token;
}
