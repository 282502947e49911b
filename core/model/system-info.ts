// Small facts about this installation (e.g. the site_url the stored dicts were rendered with).
import type { Db } from './db.ts';

export const systemInfo = {
  async get<T = unknown>(db: Db, key: string): Promise<T | undefined> {
    const row = await db('system_info').where('key', key).first('value');
    return row ? (row.value as T) : undefined;
  },
  async set(db: Db, key: string, value: unknown): Promise<void> {
    await db('system_info').insert({ key, value: JSON.stringify(value) }).onConflict('key').merge();
  },
};
