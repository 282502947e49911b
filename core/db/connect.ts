// The one SQL dialect is PostgreSQL: embedded PGlite (Postgres compiled to WebAssembly, in-process)
// when no database.url is set, a PostgreSQL server through pg otherwise. Both go through knex so
// migrations and repositories are the same code.
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import ClientPgLite from 'knex-pglite';
import type { Logger } from '../logger.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  readonly knex: Knex;
  readonly kind: DatabaseKind;
  /** A short description for logs and `kho` output, with any password removed. */
  readonly label: string;
  close(): Promise<void>;
}

const OID = { INT8: 20, TIMESTAMP: 1114, TIMESTAMPTZ: 1184, DATE: 1082 } as const;

// Timestamps come back as the text Postgres printed, so no Date ever passes through the server's
// local time zone; 64-bit counts come back as numbers.
const parsers: Record<number, (value: string) => unknown> = {
  [OID.INT8]: (value) => Number(value),
  [OID.TIMESTAMP]: (value) => value,
  [OID.TIMESTAMPTZ]: (value) => value,
  [OID.DATE]: (value) => value,
};
for (const [oid, parse] of Object.entries(parsers)) pg.types.setTypeParser(Number(oid), parse);

export interface OpenOptions {
  url: string | null;
  dataDir: string;
  poolMax: number;
  /** An already-open PGlite (tests clone a migrated template instead of running initdb each time). */
  pglite?: PGlite;
  /** Where knex's own warnings go (a dropped connection, say), instead of the console. */
  logger?: Pick<Logger, 'warn' | 'error' | 'debug'>;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.poolMax, options.logger);
  return openPglite(options);
}

async function openPostgres(url: string, poolMax: number, logger?: OpenOptions['logger']): Promise<Database> {
  const knex = knexFactory({
    client: 'pg',
    connection: url,
    log: logger && {
      warn: (message: string) => logger.warn({ source: 'knex' }, message),
      error: (message: string) => logger.error({ source: 'knex' }, message),
      deprecate: (method: string, alternative: string) => logger.debug({ source: 'knex' }, `${method} is deprecated, use ${alternative}`),
      debug: (message: unknown) => logger.debug({ source: 'knex', message }, 'knex'),
    },
    pool: {
      min: 0,
      max: poolMax,
      // JIT compilation pays off for analytics, not for the short OLTP and search queries Kho runs:
      // on a facet query over thousands of rows it adds 100 ms or more.
      afterCreate(connection: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, connection: unknown) => void) {
        connection.query('set jit = off', (err) => done(err, connection));
      },
    },
    acquireConnectionTimeout: 30000,
  });
  await knex.raw('select 1');
  return {
    knex,
    kind: 'postgres',
    label: `PostgreSQL ${redact(url)}`,
    close: () => knex.destroy(),
  };
}

/** Open (creating if needed) a PGlite in `dataDir`, or in memory; optionally from a dumped image. */
export async function createPglite(dataDir: string | null, options: { loadDataDir?: Blob | File } = {}): Promise<PGlite> {
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // PGlite writes its files world-writable (0666), whatever the umask: as PostgreSQL does with
    // its data directory, keep other local users out of the folder altogether.
    chmodSync(dataDir, 0o700);
  }
  const pglite = new PGlite(dataDir ?? 'memory://', { extensions: { unaccent, pg_trgm }, parsers, loadDataDir: options.loadDataDir });
  await pglite.waitReady;
  return pglite;
}

// knex-pglite derives the SQL command from knex's method name, so .del() reports "DEL" and knex
// returns the raw response instead of the number of deleted rows. Map it back to DELETE.
class PgliteClient extends (ClientPgLite as unknown as new (config: unknown) => { processResponse(obj: any, runner: any): unknown }) {
  override processResponse(obj: any, runner: any): unknown {
    return super.processResponse(obj?.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
  }
}

/** A knex instance on an open PGlite. */
export function knexOnPglite(pglite: PGlite): Knex {
  return knexFactory({ client: PgliteClient as unknown as typeof knexFactory.Client, connection: { pglite } as never, acquireConnectionTimeout: 20000 });
}

async function openPglite(options: OpenOptions): Promise<Database> {
  const dir = path.resolve(options.dataDir, 'pg');
  const pglite = options.pglite ?? (await createPglite(dir));
  const knex = knexOnPglite(pglite);
  return {
    knex,
    kind: 'pglite',
    label: options.pglite ? 'PGlite (in memory)' : `PGlite ${dir}`,
    async close() {
      await knex.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}
