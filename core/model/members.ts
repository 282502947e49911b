// CKAN's member table: users (with a capacity), datasets and sub-groups in groups/organizations.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';

export interface MemberRow {
  id: string;
  group_id: string;
  table_name: 'user' | 'package' | 'group';
  table_id: string;
  capacity: string;
  state: string;
  modified: string;
}

export const members = {
  async get(db: Db, groupId: string, tableName: string, tableId: string): Promise<MemberRow | undefined> {
    return db<MemberRow>('member').where({ group_id: groupId, table_name: tableName as MemberRow['table_name'], table_id: tableId }).first();
  },
  /** Insert or re-activate a membership and set its capacity. */
  async upsert(db: Db, groupId: string, tableName: MemberRow['table_name'], tableId: string, capacity: string, nowIso: string): Promise<MemberRow> {
    const [row] = await db('member')
      .insert({ id: randomUUID(), group_id: groupId, table_name: tableName, table_id: tableId, capacity, state: 'active', modified: nowIso })
      .onConflict(['group_id', 'table_name', 'table_id'])
      .merge({ capacity, state: 'active', modified: nowIso })
      .returning('*');
    return row as MemberRow;
  },
  async remove(db: Db, groupId: string, tableName: string, tableId: string): Promise<number> {
    return db('member').where({ group_id: groupId, table_name: tableName, table_id: tableId }).delete();
  },
  async removeAllFor(db: Db, tableName: string, tableId: string): Promise<void> {
    await db('member').where({ table_name: tableName, table_id: tableId }).delete();
  },
  async listForGroup(db: Db, groupId: string, tableName?: string, capacity?: string): Promise<MemberRow[]> {
    const query = db<MemberRow>('member').where({ group_id: groupId, state: 'active' });
    if (tableName) query.where('table_name', tableName);
    if (capacity) query.where('capacity', capacity);
    return query.orderBy('modified');
  },
  /** Active groups/organizations a user belongs to, with the capacity. */
  async groupsOfUser(db: Db, userId: string, isOrganization: boolean): Promise<Array<{ group_id: string; capacity: string }>> {
    return db('member as m')
      .join('group as g', 'g.id', 'm.group_id')
      .where({ 'm.table_name': 'user', 'm.table_id': userId, 'm.state': 'active', 'g.state': 'active', 'g.is_organization': isOrganization })
      .select('m.group_id', 'm.capacity');
  },
  async groupIdsOfPackage(db: Db, packageId: string): Promise<string[]> {
    const rows = await db('member').where({ table_name: 'package', table_id: packageId, state: 'active' }).select('group_id');
    return rows.map((row: { group_id: string }) => row.group_id);
  },
};
