// CKAN's response envelope: {help, success, result} or {help, success: false, error: {__type, …}}
// with CKAN's status codes, and the bare JSON string CKAN sends for requests it rejects before any
// action runs. JSONP wraps successful GET responses.
import type Koa from 'koa';
import { ActionError, BadRequest, DataError, ValidationError } from '../../errors.ts';
import { jsonPieces } from '../raw-json.ts';
import type { Logger } from '../../logger.ts';

export const JSON_TYPE = 'application/json;charset=utf-8';

export function helpUrl(siteUrl: string, action: string): string {
  return `${siteUrl}/api/3/action/help_show?name=${encodeURIComponent(action)}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
}

/**
 * The JSONP callback of a GET request (only GET responses are wrapped, as in CKAN). CKAN wraps
 * whenever the key is there, an empty name included (`({…});`).
 */
function jsonpCallback(ctx: Koa.Context): string | null {
  if (ctx.method !== 'GET' || !ctx.querystring.includes('callback')) return null;
  return new URLSearchParams(ctx.querystring).get('callback');
}

/** A JSON body as CKAN sends it: JSONP-wrapped for a successful GET with `callback`. */
export function sendJson(ctx: Koa.Context, status: number, body: string | Buffer): void {
  ctx.status = status;
  const callback = status === 200 ? jsonpCallback(ctx) : null;
  if (callback !== null) {
    ctx.type = 'application/javascript;charset=utf-8';
    ctx.body = Buffer.concat([Buffer.from(`${escapeHtml(callback)}(`), Buffer.from(body), Buffer.from(');')]);
    return;
  }
  ctx.type = JSON_TYPE;
  ctx.body = body;
}

const SUFFIX = Buffer.from('}');
const prefixes = new Map<string, Buffer>();

function resultPrefix(help: string): Buffer {
  let prefix = prefixes.get(help);
  if (!prefix) {
    prefix = Buffer.from(`{"help":${JSON.stringify(help)},"success":true,"result":`);
    // One entry per action name that exists; unknown names never get here.
    if (prefixes.size < 2000) prefixes.set(help, prefix);
  }
  return prefix;
}

export function sendResult(ctx: Koa.Context, help: string, result: unknown) {
  // Stored dicts (RawJson) go out as they are, and as the bytes a cache holds when it has them.
  sendJson(ctx, 200, Buffer.concat([resultPrefix(help), ...jsonPieces(result === undefined ? null : result), SUFFIX]));
}

export function sendBareError(ctx: Koa.Context, status: number, message: string) {
  sendJson(ctx, status, JSON.stringify(message));
}

/** Map any error thrown while running an action to CKAN's response. */
export function sendError(ctx: Koa.Context, help: string, err: unknown, logger: Logger, requestData?: unknown) {
  if (err instanceof BadRequest) return sendBareError(ctx, err.status, err.message);
  const mapped = err instanceof ActionError ? err : fromDatabaseError(err);
  if (mapped) {
    const error: Record<string, unknown> = { ...mapped.body(), __type: mapped.type };
    if (mapped instanceof DataError) error.data = requestData ?? null;
    const status = (mapped as { status: number }).status;
    return sendJson(ctx, status, JSON.stringify({ help, success: false, error }));
  }
  logger.error({ err, requestId: ctx.state.requestId }, 'action failed');
  sendJson(ctx, 500, JSON.stringify({ help, success: false, error: { __type: 'Internal Server Error', message: 'Internal Server Error' } }));
}

/**
 * Database refusals that a client can cause by racing another client (the same name created twice
 * at once) or by sending text PostgreSQL cannot store: a clear 409, not a 500.
 */
function fromDatabaseError(err: unknown): ActionError | null {
  const code = (err as { code?: string } | null)?.code;
  if (!code || typeof code !== 'string') return null;
  const constraint = (err as { constraint?: string }).constraint ?? '';
  if (code === '23505') {
    if (constraint.startsWith('package_name')) return new ValidationError({ name: ['That URL is already in use.'] });
    if (constraint.startsWith('group_name')) return new ValidationError({ name: ['Group name already exists in database'] });
    if (constraint.startsWith('user_name')) return new ValidationError({ name: ['That login name is not available.'] });
    if (constraint.startsWith('vocabulary_name')) return new ValidationError({ name: ['That vocabulary name is already in use.'] });
    return new ValidationError('The record was changed by another request at the same time; try again.');
  }
  if (code === '40001' || code === '40P01') return new ValidationError('The record was changed by another request at the same time; try again.');
  if (code === '22021' || code === '22P05' || code === '22P02') return new ValidationError('The input contains characters or values the database cannot store.');
  if (code === '54000' || code === '54001') return new ValidationError('The input is too large or too deeply nested.');
  return null;
}
