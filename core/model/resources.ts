// One row per active resource: lets resource_show find its dataset and lets the download route
// find the stored file. The resource's fields themselves live in the package dict.
import { ValidationError } from '../errors.ts';
import type { Db } from './db.ts';

export interface StoredUpload {
  key: string;
  filename: string;
  size: number;
  sha256: string;
  mimetype: string;
}

export interface ResourceRow {
  id: string;
  package_id: string;
  position: number;
  state: string;
  url_type: string | null;
  upload: StoredUpload | null;
}

export const resources = {
  async get(db: Db, id: string): Promise<ResourceRow | undefined> {
    return db<ResourceRow>('resource').where('id', id).first();
  },
  async forPackage(db: Db, packageId: string): Promise<ResourceRow[]> {
    return db<ResourceRow>('resource').where('package_id', packageId).orderBy('position');
  },
  async idsTakenElsewhere(db: Db, ids: string[], packageId: string | null): Promise<string[]> {
    if (!ids.length) return [];
    const query = db('resource').whereIn('id', ids);
    if (packageId) query.whereNot('package_id', packageId);
    return (await query.select('id')).map((row: { id: string }) => row.id);
  },
  /**
   * The statement that writes a package's resource rows, returning the ids it wrote (not run). Only
   * this package's rows may be updated: a new resource id that another dataset took a moment ago
   * (after validation looked) is left out, never moved over here.
   */
  upsertStatement(db: Db, packageId: string, rows: ResourceRow[]) {
    return db('resource')
      .insert(rows.map((row) => ({ ...row, upload: row.upload ? JSON.stringify(row.upload) : null })))
      .onConflict('id')
      .merge(['position', 'state', 'url_type', 'upload'])
      .where('resource.package_id', packageId)
      .returning('id');
  },
  /** The 409 for the rows upsertStatement left out. */
  takenError(rows: ResourceRow[], writtenIds: string[]): ValidationError {
    const ok = new Set(writtenIds);
    return new ValidationError({ resources: rows.map((row) => (ok.has(row.id) ? {} : { id: ['Resource id already exists.'] })) });
  },
  /** Make the rows of a package exactly `rows` (insert new, update kept, delete the rest). */
  async replaceForPackage(db: Db, packageId: string, rows: ResourceRow[]): Promise<void> {
    const keep = rows.map((row) => row.id);
    const gone = db('resource').where('package_id', packageId);
    if (keep.length) gone.whereNotIn('id', keep);
    await gone.delete();
    if (!rows.length) return;
    const written: Array<{ id: string }> = await resources.upsertStatement(db, packageId, rows);
    if (written.length !== rows.length) throw resources.takenError(rows, written.map((row) => row.id));
  },
};
