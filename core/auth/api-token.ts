// API tokens are opaque to clients (CKAN's are JWTs; ckanapi and the harvester only pass them on).
// Ours are 256 random bits; only their sha256 is stored, so a database leak does not leak tokens.
import { createHash, randomBytes } from 'node:crypto';

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
