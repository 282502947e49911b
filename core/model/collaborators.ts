// Dataset collaborators (CKAN's package_member table).
import type { Db } from './db.ts';

export interface CollaboratorRow {
  package_id: string;
  user_id: string;
  capacity: string;
  modified: string;
}

export const collaborators = {
  async forPackage(db: Db, packageId: string, capacity?: string): Promise<CollaboratorRow[]> {
    const query = db<CollaboratorRow>('package_member').where('package_id', packageId);
    if (capacity) query.where('capacity', capacity);
    return query.orderBy('modified');
  },
  async forUser(db: Db, userId: string, capacity?: string): Promise<CollaboratorRow[]> {
    const query = db<CollaboratorRow>('package_member').where('user_id', userId);
    if (capacity) query.where('capacity', capacity);
    return query.orderBy('modified');
  },
  async get(db: Db, packageId: string, userId: string): Promise<CollaboratorRow | undefined> {
    return db<CollaboratorRow>('package_member').where({ package_id: packageId, user_id: userId }).first();
  },
  async upsert(db: Db, row: CollaboratorRow): Promise<void> {
    await db('package_member').insert(row).onConflict(['package_id', 'user_id']).merge(['capacity', 'modified']);
  },
  async remove(db: Db, packageId: string, userId: string): Promise<number> {
    return db('package_member').where({ package_id: packageId, user_id: userId }).delete();
  },
  async removeAllFor(db: Db, packageId: string): Promise<void> {
    await db('package_member').where('package_id', packageId).delete();
  },
  async removeAllForUser(db: Db, userId: string): Promise<void> {
    await db('package_member').where('user_id', userId).delete();
  },
};
