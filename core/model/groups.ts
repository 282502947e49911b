// Groups and organizations share CKAN's "group" table (is_organization tells them apart) and one
// namespace of names.
import type { Db } from './db.ts';

export interface GroupRow {
  id: string;
  name: string;
  title: string | null;
  type: string;
  description: string | null;
  image_url: string | null;
  created: string;
  is_organization: boolean;
  approval_status: string | null;
  state: string;
  extras: Array<{ key: string; value: unknown }>;
  fields: Record<string, unknown>;
}

export const groups = {
  async get(db: Db, idOrName: string): Promise<GroupRow | undefined> {
    return db<GroupRow>('group').where('id', idOrName).orWhere('name', idOrName).first();
  },
  async byIds(db: Db, ids: string[]): Promise<GroupRow[]> {
    if (!ids.length) return [];
    return db<GroupRow>('group').whereIn('id', ids);
  },
  async byIdsOrNames(db: Db, refs: string[]): Promise<GroupRow[]> {
    if (!refs.length) return [];
    return db<GroupRow>('group').whereIn('id', refs).orWhereIn('name', refs);
  },
  async titlesByName(db: Db, names: string[]): Promise<Map<string, string>> {
    if (!names.length) return new Map();
    const rows = await db('group').whereIn('name', names).select('name', 'title');
    return new Map(rows.map((row: { name: string; title: string | null }) => [row.name, row.title || row.name]));
  },
  async insert(db: Db, row: GroupRow): Promise<void> {
    await db('group').insert({ ...row, extras: JSON.stringify(row.extras), fields: JSON.stringify(row.fields) });
  },
  async update(db: Db, id: string, changes: Partial<GroupRow>): Promise<void> {
    const values: Record<string, unknown> = { ...changes };
    if (changes.extras) values.extras = JSON.stringify(changes.extras);
    if (changes.fields) values.fields = JSON.stringify(changes.fields);
    await db('group').where('id', id).update(values);
  },
  async remove(db: Db, id: string): Promise<void> {
    await db('group').where('id', id).delete();
  },
  async nameTaken(db: Db, name: string, exceptId?: string): Promise<boolean> {
    const query = db('group').where('name', name);
    if (exceptId) query.whereNot('id', exceptId);
    return !!(await query.first('id'));
  },
};
