// package_show is the most frequent call a portal gets (harvesters, ckanapi dump, the web pages),
// and each one used to cost a database round trip. This cache keeps recently read package rows in
// memory and stays coherent:
// - a write evicts its dataset when the transaction ends (and immediately, by bumping a generation);
// - a read that raced with any write in flight is not cached (the generation changed under it);
// - other processes (CLI, job worker, a second server on the same PostgreSQL) announce their writes
//   with NOTIFY from a trigger; until the listener is connected, or after it drops, nothing is cached.
import type { Knex } from 'knex';
import type { PackageRow } from './packages.ts';
import { onTransactionEnd } from '../db/transaction-end.ts';

const encoded = new WeakMap<PackageRow, Buffer>();

/** The row's package dict as UTF-8 bytes, encoded once per cached row. */
export function packageBytes(row: PackageRow): Buffer {
  let bytes = encoded.get(row);
  if (!bytes) {
    bytes = Buffer.from(row.data, 'utf8');
    encoded.set(row, bytes);
  }
  return bytes;
}

export class PackageCache {
  private readonly byId = new Map<string, PackageRow>();
  private readonly idByName = new Map<string, string>();
  private generation = 0;
  private inFlightWrites = 0;
  private enabled: boolean;
  private readonly capacity: number;

  constructor(options: { capacity: number; enabled: boolean }) {
    this.capacity = options.capacity;
    this.enabled = options.enabled && options.capacity > 0;
  }

  get size(): number {
    return this.byId.size;
  }

  /** The cached row for an id or name, refreshed as most recently used. */
  get(idOrName: string): PackageRow | undefined {
    if (!this.enabled) return undefined;
    const id = this.byId.has(idOrName) ? idOrName : this.idByName.get(idOrName);
    if (!id) return undefined;
    const row = this.byId.get(id)!;
    this.byId.delete(id);
    this.byId.set(id, row);
    return row;
  }

  /** A token to pass to `store` after reading from the database. */
  snapshot(): number {
    return this.inFlightWrites > 0 ? -1 : this.generation;
  }

  store(row: PackageRow, snapshot: number): void {
    if (!this.enabled || snapshot < 0 || snapshot !== this.generation || this.inFlightWrites > 0) return;
    this.evictId(row.id);
    this.byId.set(row.id, row);
    this.idByName.set(row.name, row.id);
    while (this.byId.size > this.capacity) this.evictId(this.byId.keys().next().value as string);
  }

  /** Forget a dataset now (a write or a notification about it). */
  invalidate(id: string): void {
    this.generation++;
    this.evictId(id);
  }

  clear(): void {
    this.generation++;
    this.byId.clear();
    this.idByName.clear();
  }

  /**
   * Called by the repository for every write of a package row. In a transaction, the dataset stays
   * uncacheable until the transaction has ended. (Other processes hear of it through the
   * package_changed_notify trigger, migrations/0004.)
   */
  written(db: Knex | Knex.Transaction, id: string): void {
    this.invalidate(id);
    const pending = onTransactionEnd(db, () => {
      this.inFlightWrites--;
      this.invalidate(id);
    });
    if (pending) this.inFlightWrites++;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled && this.capacity > 0;
    if (!this.enabled) this.clear();
  }

  private evictId(id: string): void {
    const row = this.byId.get(id);
    if (!row) return;
    this.byId.delete(id);
    if (this.idByName.get(row.name) === id) this.idByName.delete(row.name);
  }
}
