// Keeps the memory index equal to the package_search table, or says it is not:
// - at start (and after a rebuild, or when other processes could not be heard) it is read whole,
//   in id order, while searches go to the database;
// - a dataset written here is read back from the table once its transaction commits;
// - a dataset written by another process is read back when its NOTIFY arrives (migrations/0004);
// - a search uses the memory index only when nothing is in flight or unread: it waits for the
//   read-back of committed writes (one primary-key query), never for an open transaction.
import type { Knex } from 'knex';
import type { Logger } from '../../../logger.ts';
import { textArrayLiteral } from '../analysis.ts';
import { onTransactionEnd } from '../../../db/transaction-end.ts';
import { SearchMirror, type MirrorRow } from './mirror.ts';

const LOAD_BATCH = 2000;
const FLUSH_BATCH = 500;
const RETRY_MS = 2000;

// The text vectors without their positions: the memory index keeps which datasets hold a word, and
// leaves phrases to the database (about half the text to read and parse).
const COLUMNS = `package_id, state, capacity, labels, name, organization, owner_org, license_id, dataset_type, tags, groups, res_format,
  title_sort, to_char(metadata_created, 'YYYY-MM-DD"T"HH24:MI:SS.US') as metadata_created,
  to_char(metadata_modified, 'YYYY-MM-DD"T"HH24:MI:SS.US') as metadata_modified, num_resources, num_tags,
  strip(tsv)::text as tsv, strip(ftsv)::text as ftsv, rtsv::text as rtsv`;

export class MirrorSync {
  private mirror: SearchMirror | null = null;
  private loading: Promise<void> | null = null;
  private listening: boolean;
  private inFlightWrites = 0;
  /** Datasets changed since the memory index last read them, with the number of their latest change. */
  private readonly unread = new Map<string, number>();
  private changes = 0;
  private flushing: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private flushSoon: NodeJS.Immediate | null = null;
  private closed = false;
  private started = false;
  private loads = 0;
  private readonly knex: Knex;
  private readonly logger: Logger | undefined;
  private readonly declaredFields: () => readonly string[];

  /**
   * `listening`: false until other processes' writes can be heard (true for the embedded database).
   * `declaredFields`: the plugin-declared exact fields to hold (asked at each full read: plugins
   * declare them while the server starts).
   */
  constructor(options: { knex: Knex; logger?: Logger; listening: boolean; declaredFields?: () => readonly string[] }) {
    this.knex = options.knex;
    this.logger = options.logger;
    this.listening = options.listening;
    this.declaredFields = options.declaredFields ?? (() => []);
  }

  /**
   * The memory index if it equals the table now (after reading back committed writes), else null.
   * The first call starts reading it: processes that never search (the CLI, a job worker) never do.
   */
  async current(): Promise<SearchMirror | null> {
    if (!this.started) {
      this.started = true;
      if (this.listening) void this.load().catch(() => undefined);
      return null;
    }
    if (!this.mirror || this.loading || !this.listening || this.inFlightWrites > 0) return null;
    if (this.unread.size) {
      await this.flush();
      if (!this.mirror || this.loading || this.unread.size || this.inFlightWrites > 0) return null;
    }
    return this.mirror;
  }

  /** Read everything again if it was read before (after a rebuild). */
  async reload(): Promise<void> {
    if (this.started && this.listening) await this.load();
  }

  /** Read every row; resolves when done (searches use the database meanwhile). */
  load(): Promise<void> {
    this.started = true;
    this.mirror = null;
    // What changed before this read begins, it reads as it is now.
    this.unread.clear();
    const loading = this.read(++this.loads).finally(() => {
      if (this.loading === loading) this.loading = null;
    });
    this.loading = loading;
    return loading.then(() => this.flush());
  }

  /** A dataset written in `db`'s transaction: read it back once that commits (or rolls back). */
  written(db: Knex | Knex.Transaction, packageId: string): void {
    const pending = onTransactionEnd(db, () => {
      this.inFlightWrites--;
      this.changed(packageId);
    });
    if (pending) this.inFlightWrites++;
    else this.changed(packageId);
  }

  /** A dataset changed (here or in another process). */
  changed(packageId: string): void {
    // A process that never searched (the CLI, a job worker, a server still starting) keeps nothing
    // current: remembering ids would only grow, and the first read covers them anyway.
    if (!this.started) return;
    this.unread.set(packageId, ++this.changes);
    // Read back soon, in one query for all the writes of this turn of the event loop.
    if (!this.flushSoon) {
      this.flushSoon = setImmediate(() => {
        this.flushSoon = null;
        void this.flush();
      });
    }
  }

  setListening(listening: boolean): void {
    if (listening === this.listening) return;
    this.listening = listening;
    // Writes may have been missed while deaf: read everything again.
    if (listening && this.started) void this.load().catch(() => undefined);
    else this.mirror = null;
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.flushSoon) clearImmediate(this.flushSoon);
    this.mirror = null;
  }

  /** The select list, with the declared fields of the `exact` object when there are any. */
  private columns(mirror: SearchMirror): { sql: string; bindings: string[] } {
    const fields = [...mirror.declared.keys()];
    if (!fields.length) return { sql: COLUMNS, bindings: [] };
    return {
      sql: `${COLUMNS}, (select jsonb_object_agg(e.key, e.value) from jsonb_each(exact) as e where e.key = any(?::text[])) as declared`,
      bindings: [textArrayLiteral(fields)],
    };
  }

  private async read(load: number): Promise<void> {
    const mirror = new SearchMirror(this.declaredFields());
    const columns = this.columns(mirror);
    const started = Date.now();
    try {
      let after = '';
      for (;;) {
        if (this.closed || load !== this.loads) return;
        const { rows } = await this.knex.raw(`select ${columns.sql} from package_search where package_id > ? order by package_id limit ?`, [...columns.bindings, after, LOAD_BATCH]);
        if (!rows.length) break;
        for (const row of rows as MirrorRow[]) mirror.upsert(row);
        after = rows[rows.length - 1].package_id;
      }
    } catch (err) {
      if (this.closed) return;
      this.logger?.warn({ err }, 'search: the memory index could not be read; searches use the database until it is');
      this.schedule(() => void this.load().catch(() => undefined));
      throw err;
    }
    if (load !== this.loads || this.closed) return;
    this.mirror = mirror;
    this.logger?.info({ datasets: mirror.living, seconds: (Date.now() - started) / 1000 }, 'search: memory index ready');
  }

  /** Read back the datasets changed since; one flush at a time. */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const flushing = this.readChanges().finally(() => {
      this.flushing = null;
    });
    this.flushing = flushing;
    return flushing;
  }

  private async readChanges(): Promise<void> {
    while (this.unread.size && this.mirror && !this.loading && !this.closed) {
      const batch = [...this.unread].slice(0, FLUSH_BATCH);
      const ids = batch.map(([id]) => id);
      let rows: MirrorRow[];
      const columns = this.columns(this.mirror);
      try {
        rows = (await this.knex.raw(`select ${columns.sql} from package_search where package_id = any(?::text[])`, [...columns.bindings, textArrayLiteral(ids)])).rows;
      } catch (err) {
        if (this.closed) return;
        this.logger?.warn({ err }, 'search: changed datasets could not be read into the memory index; searches use the database until they are');
        this.schedule(() => void this.flush());
        return;
      }
      const mirror = this.mirror;
      if (!mirror || this.loading) return;
      const found = new Map(rows.map((row) => [row.package_id, row]));
      for (const [id, change] of batch) {
        const row = found.get(id);
        if (row) mirror.upsert(row);
        else mirror.remove(id);
        // Changed again while it was read: read it once more.
        if (this.unread.get(id) === change) this.unread.delete(id);
      }
      mirror.compactIfWasteful();
    }
  }

  private schedule(action: () => void): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      action();
    }, RETRY_MS);
    this.retry.unref?.();
  }
}
