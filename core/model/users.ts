// The "user" table. Password hashes never leave this module except to the password check.
import type { Db } from './db.ts';

export interface UserRow {
  id: string;
  name: string;
  fullname: string | null;
  email: string | null;
  password_hash: string | null;
  about: string | null;
  sysadmin: boolean;
  state: string;
  created: string;
  last_active: string | null;
  image_url: string | null;
  activity_streams_email_notifications: boolean;
  plugin_extras: Record<string, unknown> | null;
}

export interface UserSearch {
  /** Substring of the name or full name (and of the email when qMatchesEmail). */
  q?: string;
  qMatchesEmail?: boolean;
  /** Exact email (sysadmins only, checked by the caller). */
  email?: string;
  excludeName?: string;
  /** A column of "user", or display_name / number_created_packages. */
  orderBy: string;
  limit?: number;
  offset?: number;
}

/** The columns user_list may sort by, besides display_name and number_created_packages. */
export const USER_SORT_COLUMNS = ['id', 'name', 'fullname', 'email', 'about', 'created', 'last_active', 'sysadmin', 'state', 'image_url'];

// jsonb columns get JSON text: drivers differ in how they pass a bare object.
const jsonOrNull = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/** A complete row for a new active user, with CKAN's defaults for everything not given. */
export function newUserRow(fields: Partial<UserRow> & { id: string; name: string; created: string }): UserRow {
  return {
    fullname: null,
    email: null,
    password_hash: null,
    about: null,
    sysadmin: false,
    state: 'active',
    last_active: null,
    image_url: null,
    activity_streams_email_notifications: false,
    plugin_extras: null,
    ...fields,
  };
}

export const users = {
  async get(db: Db, idOrName: string): Promise<UserRow | undefined> {
    return db<UserRow>('user').where('id', idOrName).orWhere('name', idOrName).first();
  },
  async byId(db: Db, id: string): Promise<UserRow | undefined> {
    return db<UserRow>('user').where('id', id).first();
  },
  async insert(db: Db, row: UserRow): Promise<void> {
    await db('user').insert({ ...row, plugin_extras: jsonOrNull(row.plugin_extras) });
  },
  async update(db: Db, id: string, changes: Partial<UserRow>): Promise<void> {
    const values: Record<string, unknown> = { ...changes };
    if (changes.plugin_extras !== undefined) values.plugin_extras = jsonOrNull(changes.plugin_extras);
    await db('user').where('id', id).update(values);
  },
  async count(db: Db): Promise<number> {
    const row = await db('user').count<{ count: number }[]>('* as count').first();
    return Number(row?.count ?? 0);
  },
  async nameTaken(db: Db, name: string, exceptId?: string): Promise<boolean> {
    const query = db('user').where('name', name);
    if (exceptId) query.whereNot('id', exceptId);
    return !!(await query.first('id'));
  },
  /** Datasets this user created: public active ones, or every non-deleted one (CKAN's number_created_packages). */
  async countCreatedPackages(db: Db, userId: string, includePrivateAndDraft: boolean): Promise<number> {
    const query = db('package').where('creator_user_id', userId);
    if (includePrivateAndDraft) query.whereNot('state', 'deleted');
    else query.where({ state: 'active', private: false });
    const row = await query.count<{ count: number }[]>('* as count').first();
    return Number(row?.count ?? 0);
  },
  /** Non-deleted users for user_list / user_autocomplete, filtered and ordered in SQL. */
  async search(db: Db, options: UserSearch): Promise<Array<UserRow & { number_created_packages: number }>> {
    const createdCount = db('package as p')
      .count('*')
      .whereRaw('p.creator_user_id = u.id')
      .where({ 'p.state': 'active', 'p.private': false });
    const query = db('user as u').whereNot('u.state', 'deleted').select('u.*', db.raw('(?) as number_created_packages', [createdCount]));
    if (options.q) {
      const pattern = `%${escapeLike(options.q)}%`;
      query.where((where) => {
        where.whereRaw('u.name ilike ?', [pattern]).orWhereRaw('u.fullname ilike ?', [pattern]);
        if (options.qMatchesEmail) where.orWhereRaw('u.email ilike ?', [pattern]);
      });
    }
    if (options.email) query.where('u.email', options.email);
    if (options.excludeName) query.whereNot('u.name', options.excludeName);
    switch (options.orderBy) {
      case 'display_name':
        query.orderByRaw("case when u.fullname is null or u.fullname = '' then u.name else u.fullname end").orderBy('u.name');
        break;
      case 'number_created_packages':
        query.orderByRaw('(?) asc', [createdCount]).orderBy('u.name');
        break;
      case 'fullname':
      case 'about':
      case 'sysadmin':
        query.orderBy(`u.${options.orderBy}`).orderBy('u.name');
        break;
      default:
        query.orderBy(`u.${options.orderBy}`);
    }
    if (options.limit !== undefined) query.limit(options.limit);
    if (options.offset) query.offset(options.offset);
    return query;
  },
  async emailTaken(db: Db, email: string, exceptId?: string): Promise<boolean> {
    const query = db('user').whereRaw('lower(email) = lower(?)', [email]).whereNot('state', 'deleted');
    if (exceptId) query.whereNot('id', exceptId);
    return !!(await query.first('id'));
  },
};
