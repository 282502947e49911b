import type { Knex } from 'knex';

/** A query handle: the pool, or the transaction an action runs in. Repositories take it first. */
export type Db = Knex | Knex.Transaction;
