// Browser sessions for the portal: a random token in an HttpOnly, SameSite=Lax cookie (Secure when
// the request arrived over TLS, directly or through a trusted proxy), its sha256 in ui_session with
// the session's CSRF token. The authenticator below lets the rest of Kho (downloads, the Action API)
// see the signed-in user, but for a state-changing request only when the X-CSRFToken header
// carries the session's CSRF token; the portal's own forms check their hidden field instead.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../../../core/container.ts';
import type { AuthUser } from '../../../core/actions/types.ts';
import type { Clock } from '../../../core/clock.ts';
import type { IAuthenticator } from '../../../core/plugins/interfaces.ts';

export const SESSION_COOKIE = 'kho_session';
export const CSRF_COOKIE = 'kho_csrf';
/** CKAN's field name for the form token and Flask-WTF's header names. */
export const CSRF_FIELD = '_csrf_token';
export const CSRF_HEADERS = ['x-csrftoken', 'x-csrf-token'];
export const STATIC_PREFIX = '/ui-static/';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOUCH_EVERY_MS = 60 * 60 * 1000;

export interface SessionRecord {
  idHash: string;
  userId: string;
  csrf: string;
  expiresMs: number;
  seenMs: number;
}

/** What the portal keeps on ctx.state for the request. */
export interface PortalSession {
  record: SessionRecord;
  user: AuthUser;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sameToken(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || !a || !b) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class SessionStore {
  private readonly knex: Knex;
  private readonly clock: Clock;
  private readonly lifetimeMs: number;

  constructor(knex: Knex, clock: Clock, lifetimeDays: number) {
    this.knex = knex;
    this.clock = clock;
    this.lifetimeMs = lifetimeDays * 24 * 60 * 60 * 1000;
  }

  get maxAgeMs(): number {
    return this.lifetimeMs;
  }

  async create(userId: string): Promise<{ token: string; record: SessionRecord }> {
    const token = randomToken();
    const now = this.clock.now().getTime();
    const record: SessionRecord = { idHash: sha256(token), userId, csrf: randomToken(24), expiresMs: now + this.lifetimeMs, seenMs: now };
    await this.knex('ui_session').insert({
      id_hash: record.idHash, user_id: userId, csrf: record.csrf, created_ms: now, expires_ms: record.expiresMs, seen_ms: now,
    });
    // Expired sessions are removed whenever someone signs in: the table never grows without bound.
    await this.knex('ui_session').where('expires_ms', '<', now).delete();
    return { token, record };
  }

  async find(token: string): Promise<SessionRecord | null> {
    if (!token || token.length > 100) return null;
    const row = await this.knex('ui_session').where('id_hash', sha256(token)).first();
    if (!row) return null;
    const now = this.clock.now().getTime();
    const record: SessionRecord = { idHash: row.id_hash, userId: row.user_id, csrf: row.csrf, expiresMs: Number(row.expires_ms), seenMs: Number(row.seen_ms) };
    if (record.expiresMs <= now) {
      await this.knex('ui_session').where('id_hash', record.idHash).delete();
      return null;
    }
    // Sliding expiry, written at most once an hour per session.
    if (now - record.seenMs >= TOUCH_EVERY_MS) {
      record.seenMs = now;
      record.expiresMs = now + this.lifetimeMs;
      await this.knex('ui_session').where('id_hash', record.idHash).update({ seen_ms: now, expires_ms: record.expiresMs });
    }
    return record;
  }

  async destroy(idHash: string): Promise<void> {
    await this.knex('ui_session').where('id_hash', idHash).delete();
  }

  async destroyForUser(userId: string): Promise<void> {
    await this.knex('ui_session').where('user_id', userId).delete();
  }
}

/**
 * Sign-in lock-out, persisted in ui_login_failure so that it holds across restarts and across the
 * processes that share one database. A user name is locked for `lockMinutes` after `maxFailures`
 * failed sign-ins within `lockMinutes`; one client address after four times as many (it may be a
 * shared office NAT, so its limit is higher). A successful sign-in clears the name's counter.
 */
export class LoginThrottle {
  private readonly knex: Knex;
  private readonly clock: Clock;
  private readonly maxFailures: number;
  private readonly windowMs: number;

  constructor(knex: Knex, clock: Clock, maxFailures: number, lockMinutes: number) {
    this.knex = knex;
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.windowMs = lockMinutes * 60 * 1000;
  }

  static keys(username: string, ip: string): { user: string; ip: string } {
    return { user: `user:${username.trim().toLowerCase().slice(0, 200)}`, ip: `ip:${ip}` };
  }

  /** The time (ms) until which any of `keys` is locked, or null. */
  async lockedUntil(keys: string[]): Promise<number | null> {
    const now = this.clock.now().getTime();
    const rows = await this.knex('ui_login_failure').whereIn('key', keys).select('locked_until_ms');
    let until: number | null = null;
    for (const row of rows) {
      const value = row.locked_until_ms === null ? null : Number(row.locked_until_ms);
      if (value !== null && value > now && (until === null || value > until)) until = value;
    }
    return until;
  }

  /** Count one failure against each key; returns the lock time if this failure locked one. */
  async fail(keys: { user: string; ip: string }): Promise<number | null> {
    const now = this.clock.now().getTime();
    let locked: number | null = null;
    for (const [key, limit] of [[keys.user, this.maxFailures], [keys.ip, this.maxFailures * 4]] as const) {
      await this.knex.transaction(async (trx) => {
        const row = await trx('ui_login_failure').where('key', key).forUpdate().first();
        const fresh = !row || now - Number(row.window_start_ms) > this.windowMs;
        const failures = fresh ? 1 : Number(row.failures) + 1;
        const lockedUntil = failures >= limit ? now + this.windowMs : row && !fresh && row.locked_until_ms !== null ? Number(row.locked_until_ms) : null;
        if (failures >= limit && key === keys.user) locked = lockedUntil;
        const values = { failures: failures >= limit ? 0 : failures, window_start_ms: fresh || failures >= limit ? now : Number(row.window_start_ms), locked_until_ms: lockedUntil };
        if (row) await trx('ui_login_failure').where('key', key).update(values);
        else await trx('ui_login_failure').insert({ key, ...values });
      });
    }
    // Old counters are dropped now and then so the table stays small.
    if (Math.random() < 0.05) await this.knex('ui_login_failure').where('window_start_ms', '<', now - 2 * this.windowMs).whereNull('locked_until_ms').delete();
    return locked;
  }

  async succeed(userKey: string): Promise<void> {
    await this.knex('ui_login_failure').where('key', userKey).delete();
  }
}

/** Secure cookies only where the browser will send them back: TLS, directly or via a trusted proxy. */
export function cookieOptions(ctx: Koa.Context, maxAgeMs?: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: ctx.secure, path: '/', overwrite: true, ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}

function headerToken(ctx: Koa.Context): string | null {
  for (const name of CSRF_HEADERS) {
    const value = ctx.get(name);
    if (value) return value;
  }
  return null;
}

/**
 * The portal's IAuthenticator: a valid session cookie identifies its user for safe requests, and
 * for other requests only together with the session's CSRF token in a header. The session found is
 * kept on ctx.state.portalSession so that the portal's form handlers can check the form's token.
 */
export const sessionAuthenticator: IAuthenticator = {
  async identify(ctx: Koa.Context, container: AwilixContainer<Cradle>): Promise<AuthUser | null> {
    const token = ctx.cookies.get(SESSION_COOKIE);
    if (!token || ctx.path.startsWith(STATIC_PREFIX)) return null;
    const { knex, repos } = container.cradle;
    const sessions = container.resolve<SessionStore>('ui.sessions');
    const record = await sessions.find(token);
    if (!record) {
      ctx.state.portalStaleSession = true;
      return null;
    }
    const row = await repos.users.byId(knex, record.userId);
    if (!row || row.state !== 'active') {
      await sessions.destroy(record.idHash);
      ctx.state.portalStaleSession = true;
      return null;
    }
    const user: AuthUser = { id: row.id, name: row.name, sysadmin: row.sysadmin, state: row.state };
    ctx.state.portalSession = { record, user } satisfies PortalSession;
    if (SAFE_METHODS.has(ctx.method)) return user;
    return sameToken(headerToken(ctx), record.csrf) ? user : null;
  },
};
