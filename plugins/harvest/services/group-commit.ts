// Records written in batches, one transaction per batch ("group commit"). On PostgreSQL every
// statement is a round trip that wakes the server, and a harvest of many new records spent most of
// its time on them: a batch saves each record's BEGIN and COMMIT and writes the harvest rows of the
// whole batch (records, objects, warnings) in a few multi-row statements.
//
// A batch is all or nothing. If any write in it fails, for whatever reason, it is rolled back and
// each of its records is written again on its own, exactly as without batching, so a bad record
// never costs the others, and errors are reported per record as before.
import type { ActionContext } from '../../../core/actions/types.ts';
import { emptyBookkeeping, writeBookkeeping, type Bookkeeping } from './importer.ts';

/** One record's write: given the batch's context and bookkeeping, or (alone) null bookkeeping. */
export type GroupWork<T> = (actions: ActionContext, bookkeeping: Bookkeeping | null) => Promise<T>;

export interface GroupCommitOptions {
  /** Most records per batch; 1 turns batching off. */
  size: number;
  /** Batches in flight at once. */
  parallel: number;
  /** A fresh action context for a batch. */
  context(): ActionContext;
  /** How a write runs on the database's terms (PGlite: one at a time). */
  guard<T>(work: () => Promise<T>): Promise<T>;
  /** A record written on its own (the path without batching, with its own retries). */
  alone<T>(work: GroupWork<T>): Promise<T>;
  /**
   * Create the batch's new tags before its transaction opens, each committed at once. Inside the
   * batch, a new tag row would make every other batch needing that tag wait for this whole batch
   * to commit (measured: most of a full sync's lock waits).
   */
  ensureTags?(names: string[]): Promise<void>;
  /** A batch was rolled back (its records are then written alone): for the log. */
  rolledBack?(err: unknown, records: number): void;
  signal: AbortSignal;
}

interface Entry {
  work: GroupWork<unknown>;
  tags: string[];
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

export class GroupCommit {
  private readonly queue: Entry[] = [];
  private active = 0;
  private scheduled = false;
  private readonly options: GroupCommitOptions;

  constructor(options: GroupCommitOptions) {
    this.options = options;
  }

  /** `tags`: the tag names the record's dataset will carry, if known. */
  write<T>(work: GroupWork<T>, tags: string[] = []): Promise<T> {
    if (this.options.size <= 1) return this.options.alone(work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, tags, resolve: resolve as (value: unknown) => void, reject });
      // Writes asked for in the same turn of the event loop leave together.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Batches form by themselves: while the ones in flight are being written, new records queue up
   * and leave together, so a trickle is written at once and a flood in large batches.
   */
  private pump(): void {
    while (this.active < this.options.parallel && this.queue.length) {
      const batch = this.queue.splice(0, this.options.size);
      this.active++;
      void this.flush(batch).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async flush(batch: Entry[]): Promise<void> {
    if (batch.length > 1 && !this.options.signal.aborted) {
      const results = await this.options
        .guard(async () => {
          const tags = [...new Set(batch.flatMap((entry) => entry.tags))].sort();
          if (tags.length && this.options.ensureTags) await this.options.ensureTags(tags);
          const actions = this.options.context();
          return actions.transaction(async (trx) => {
            const book = emptyBookkeeping();
            const out: unknown[] = [];
            for (const entry of batch) out.push(await entry.work(actions, book));
            await writeBookkeeping(trx, book);
            return out;
          });
        })
        .catch((err: unknown) => {
          this.options.rolledBack?.(err, batch.length);
          return null;
        });
      if (results) {
        batch.forEach((entry, index) => entry.resolve(results[index]));
        return;
      }
    }
    for (const entry of batch) await this.options.alone(entry.work).then(entry.resolve, entry.reject);
  }
}
