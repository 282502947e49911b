// CKAN's member table: users (with a capacity), datasets and sub-groups in groups/organizations.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';
import type { UserRow } from './users.ts';

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
    const [row] = await members.upsertStatement(db, [groupId], tableName, tableId, capacity, nowIso).returning('*');
    return row as MemberRow;
  },
  /** The statement that makes `tableId` an active member of each group with `capacity` (not run). */
  upsertStatement(db: Db, groupIds: string[], tableName: MemberRow['table_name'], tableId: string, capacity: string, nowIso: string) {
    return db('member')
      .insert(groupIds.map((group_id) => ({ id: randomUUID(), group_id, table_name: tableName, table_id: tableId, capacity, state: 'active', modified: nowIso })))
      .onConflict(['group_id', 'table_name', 'table_id'])
      .merge({ capacity, state: 'active', modified: nowIso });
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
  /** The membership of one object in a group, active first (a deleted one can be re-activated). */
  async find(db: Db, groupId: string, tableName: string, tableId: string): Promise<MemberRow | undefined> {
    return db('member').where({ group_id: groupId, table_name: tableName, table_id: tableId }).orderBy('state').first() as Promise<MemberRow | undefined>;
  },
  /** CKAN deletes memberships by marking them; readers only ever look at active ones. */
  async markDeleted(db: Db, groupId: string, tableName: string, tableIds: string[], nowIso: string): Promise<void> {
    if (!tableIds.length) return;
    await db('member').where({ group_id: groupId, table_name: tableName }).whereIn('table_id', tableIds).update({ state: 'deleted', modified: nowIso });
  },
  /** Active members of one kind (users, packages, groups) of a group: table_id → capacity. */
  async activeOfType(db: Db, groupId: string, tableName: string): Promise<Map<string, string>> {
    const rows = await db('member').where({ group_id: groupId, table_name: tableName, state: 'active' }).select('table_id', 'capacity');
    return new Map(rows.map((row: { table_id: string; capacity: string }) => [row.table_id, row.capacity]));
  },
  /**
   * member_list: active memberships, optionally of one type and capacity. Users and datasets that
   * are gone or deleted are left out.
   */
  async listActive(db: Db, groupId: string, tableName?: string, capacity?: string): Promise<Array<Pick<MemberRow, 'table_id' | 'table_name' | 'capacity'>>> {
    const query = db('member as m').where({ 'm.group_id': groupId, 'm.state': 'active' });
    if (tableName) query.where('m.table_name', tableName);
    if (capacity) query.where('m.capacity', capacity);
    query.where((where) =>
      where
        .where((w) => w.where('m.table_name', 'user').whereExists(db('user as u').whereRaw('u.id = m.table_id').whereNot('u.state', 'deleted')))
        .orWhere((w) => w.where('m.table_name', 'package').whereExists(db('package as p').whereRaw('p.id = m.table_id').whereNot('p.state', 'deleted')))
        .orWhere((w) => w.whereNotIn('m.table_name', ['user', 'package'])),
    );
    return query.orderBy('m.modified').select('m.table_id', 'm.table_name', 'm.capacity');
  },
  /** The users of a group with their capacity and CKAN's number_created_packages, by name. */
  async usersOf(db: Db, groupId: string): Promise<Array<UserRow & { capacity: string; number_created_packages: number }>> {
    const created = db('package as p').count('*').whereRaw('p.creator_user_id = u.id').where({ 'p.state': 'active', 'p.private': false });
    return db('member as m')
      .join('user as u', 'u.id', 'm.table_id')
      .where({ 'm.group_id': groupId, 'm.table_name': 'user', 'm.state': 'active' })
      .whereNot('u.state', 'deleted')
      .orderBy('u.name')
      .select('u.*', 'm.capacity', db.raw('(?) as number_created_packages', [created]));
  },
  async countUsers(db: Db, groupId: string): Promise<number> {
    const row = await db('member as m')
      .join('user as u', 'u.id', 'm.table_id')
      .where({ 'm.group_id': groupId, 'm.table_name': 'user', 'm.state': 'active' })
      .whereNot('u.state', 'deleted')
      .count<{ count: number }[]>('* as count')
      .first();
    return Number(row?.count ?? 0);
  },
  /** A user's active memberships in groups of any state (callers filter). */
  async ofUser(db: Db, userId: string): Promise<Array<{ group_id: string; capacity: string }>> {
    return db('member').where({ table_name: 'user', table_id: userId, state: 'active' }).select('group_id', 'capacity');
  },
  /** Deleting a group ends its memberships, and its place as a parent of other groups. */
  async markAllDeletedForGroup(db: Db, groupId: string, nowIso: string): Promise<void> {
    await db('member')
      .where((where) => where.where('group_id', groupId).orWhere((w) => w.where({ table_name: 'group', table_id: groupId })))
      .where('state', 'active')
      .update({ state: 'deleted', modified: nowIso });
  },
  async purgeAllForGroup(db: Db, groupId: string): Promise<void> {
    await db('member').where('group_id', groupId).orWhere((w) => w.where({ table_name: 'group', table_id: groupId })).delete();
  },
  async groupIdsOfPackage(db: Db, packageId: string): Promise<string[]> {
    const rows = await db('member').where({ table_name: 'package', table_id: packageId, state: 'active' }).select('group_id');
    return rows.map((row: { group_id: string }) => row.group_id);
  },
};
