// Caches that must not keep what a transaction is about to change (the package cache, the search
// result cache, the memory index) act again when that transaction ends. A nested transaction is a
// savepoint: its own end is not the commit, so it is the outermost transaction that counts.
import type { Knex } from 'knex';

/**
 * Calls `done` once the outermost transaction of `db` has committed or rolled back. Returns false,
 * without calling it, when `db` is not a transaction (its statements are committed already).
 */
export function onTransactionEnd(db: Knex | Knex.Transaction, done: () => void): boolean {
  let trx = db as Knex.Transaction;
  if (!trx.isTransaction || !trx.executionPromise) return false;
  while (trx.parentTransaction) trx = trx.parentTransaction;
  trx.executionPromise.then(done, done);
  return true;
}
