// Reading the change log (see migrations/0001 for why entries are ordered by (txid, seq) and only
// handed out below the oldest running transaction). Each dataset appears once per page, with its
// state now: the package dict when it is public, a tombstone when it is deleted, private or purged.
import type { Knex } from 'knex';
import { decodeCursor, encodeCursor, type FeedPosition } from './cursor.ts';

type Db = Knex | Knex.Transaction;

export type ChangeKind = 'created' | 'updated' | 'deleted' | 'purged';

export interface Change {
  id: string;
  name: string | null;
  change: ChangeKind;
  metadata_modified: string | null;
  /** The package_show dict when the dataset is public; null in a tombstone. */
  package: Record<string, unknown> | null;
}

export interface ChangesPage {
  changes: Change[];
  /** Pass back to get the next page; on the last page, the cursor to resume from later. */
  cursor: string;
  has_more: boolean;
}

const instances = new WeakMap<object, string>();

/** This database's feed identity (made once by the migration; each test instance has its own). */
export async function instanceId(db: Db): Promise<string> {
  const known = instances.get(db);
  if (known) return known;
  const row = await db('federation_instance').first('id');
  if (!row) throw new Error('federation_instance is empty: the federation migration did not run');
  instances.set(db, row.id);
  return row.id;
}

interface LogRow {
  seq: string | number;
  txid: string | number;
  package_id: string;
  name: string | null;
  op: string;
}

/**
 * Drop log entries that a later entry of the same dataset supersedes: a reader gets each dataset's
 * state now, so only the newest entry matters to any cursor before it. The first insert ('I') stays,
 * so a reader starting before it still learns that the dataset was created; only final entries
 * (below the oldest running transaction) are touched, as in readChanges. Without this the log grows
 * by one row per dataset write, forever. Returns how many entries went.
 */
export async function compactChanges(db: Db): Promise<number> {
  const deleted = await db.raw(`
    delete from federation_change c
     where c.op <> 'I'
       and c.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
       and exists (select 1 from federation_change n
                    where n.package_id = c.package_id
                      and (n.txid, n.seq) > (c.txid, c.seq)
                      and n.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint)`);
  return Number(deleted.rowCount ?? deleted.affectedRows ?? 0);
}

export async function readChanges(db: Db, cursor: unknown, limit: number): Promise<ChangesPage> {
  const instance = await instanceId(db);
  const from = decodeCursor(instance, cursor);
  // One more than asked, to know whether another page follows.
  const rows: LogRow[] = await db('federation_change')
    .select('seq', 'txid', 'package_id', 'name', 'op')
    .whereRaw('(txid, seq) > (?::bigint, ?::bigint)', [from.txid, from.seq])
    .whereRaw('txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint')
    .orderBy([{ column: 'txid' }, { column: 'seq' }])
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const position: FeedPosition = last ? { txid: String(last.txid), seq: String(last.seq) } : from;

  // The same dataset written several times in the page is reported once, at its last position.
  const byPackage = new Map<string, { name: string | null; inserted: boolean }>();
  for (const row of page) {
    const seen = byPackage.get(row.package_id);
    byPackage.delete(row.package_id);
    byPackage.set(row.package_id, { name: row.name, inserted: (seen?.inserted ?? false) || row.op === 'I' });
  }
  const ids = [...byPackage.keys()];
  const current = new Map<string, { name: string; type: string; state: string; private: boolean; data: string }>();
  if (ids.length) {
    for (const row of await db('package').whereIn('id', ids).select('id', 'name', 'type', 'state', 'private', 'data')) current.set(row.id, row);
  }
  const changes: Change[] = [];
  for (const [id, entry] of byPackage) {
    const row = current.get(id);
    if (!row) {
      changes.push({ id, name: entry.name, change: 'purged', metadata_modified: null, package: null });
      continue;
    }
    if (row.type === 'harvest') continue;
    const dict = JSON.parse(row.data);
    const modified = typeof dict.metadata_modified === 'string' ? dict.metadata_modified : null;
    if (row.state !== 'active' || row.private) {
      changes.push({ id, name: row.name, change: 'deleted', metadata_modified: modified, package: null });
      continue;
    }
    changes.push({ id, name: row.name, change: entry.inserted ? 'created' : 'updated', metadata_modified: modified, package: dict });
  }
  return { changes, cursor: encodeCursor(instance, position), has_more: hasMore };
}
