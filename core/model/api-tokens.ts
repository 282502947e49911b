// API tokens are stored as sha256 hashes; the token itself is shown once, at creation.
import type { Db } from './db.ts';
import type { UserRow } from './users.ts';

export interface ApiTokenRow {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  last_access: string | null;
  expires_at: string | null;
  plugin_extras: Record<string, unknown> | null;
}

export const apiTokens = {
  async insert(db: Db, row: ApiTokenRow): Promise<void> {
    await db('api_token').insert({ ...row, plugin_extras: row.plugin_extras === null ? null : JSON.stringify(row.plugin_extras) });
  },
  /** The token's row and its user, when the token exists, has not expired and the user is active. */
  async findActive(db: Db, tokenHash: string, nowIso: string): Promise<{ token: ApiTokenRow; user: UserRow } | undefined> {
    const row = await db('api_token as t')
      .join('user as u', 'u.id', 't.user_id')
      .where('t.token_hash', tokenHash)
      .where('u.state', 'active')
      .where((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', nowIso))
      .first(
        't.id as t_id', 't.user_id', 't.name as t_name', 't.token_hash', 't.created_at', 't.last_access', 't.expires_at',
        'u.id as u_id', 'u.name as u_name', 'u.sysadmin', 'u.state',
      );
    if (!row) return undefined;
    return {
      token: { id: row.t_id, user_id: row.user_id, name: row.t_name, token_hash: row.token_hash, created_at: row.created_at, last_access: row.last_access, expires_at: row.expires_at, plugin_extras: null },
      user: { id: row.u_id, name: row.u_name, sysadmin: row.sysadmin, state: row.state } as UserRow,
    };
  },
  async get(db: Db, id: string): Promise<ApiTokenRow | undefined> {
    return db<ApiTokenRow>('api_token').where('id', id).first();
  },
  async byHash(db: Db, tokenHash: string): Promise<ApiTokenRow | undefined> {
    return db<ApiTokenRow>('api_token').where('token_hash', tokenHash).first();
  },
  async listForUser(db: Db, userId: string): Promise<ApiTokenRow[]> {
    return db<ApiTokenRow>('api_token').where('user_id', userId).orderBy('created_at');
  },
  async remove(db: Db, id: string): Promise<number> {
    return db('api_token').where('id', id).delete();
  },
  async removeAllForUser(db: Db, userId: string): Promise<void> {
    await db('api_token').where('user_id', userId).delete();
  },
  async touch(db: Db, id: string, nowIso: string): Promise<void> {
    await db('api_token').where('id', id).update({ last_access: nowIso });
  },
};
