// The database connection as an operator sees it in the logs.
import { expect } from 'chai';
import knexFactory from 'knex';
import { openDatabase, type Database } from '../../core/db/connect.ts';
import { freshPostgresDatabase } from '../helpers/server.ts';

describe('database connection on PostgreSQL', function () {
  this.timeout(30000);
  const adminUrl = process.env.TEST_DATABASE_URL;
  let fresh: { url: string; drop: () => Promise<void> };
  let database: Database | undefined;

  before(async function () {
    if (!adminUrl) return this.skip();
    fresh = await freshPostgresDatabase(adminUrl);
  });
  after(async () => {
    await database?.close();
    await fresh?.drop();
  });

  it("reports a dropped connection through Kho's logger, not on the console", async () => {
    const logged: Array<{ fields: unknown; message: string }> = [];
    const record = (fields: unknown, message: string) => logged.push({ fields, message });
    const logger = { warn: record, error: record, debug: record } as never;
    const printed: unknown[] = [];
    const originalWarn = console.warn;
    const originalLog = console.log;
    console.warn = (...args: unknown[]) => printed.push(args);
    console.log = (...args: unknown[]) => printed.push(args);
    try {
      database = await openDatabase({ url: fresh.url, dataDir: '/nonexistent', poolMax: 2, logger });
      // An idle pooled connection that the server then ends, as a restart or a DBA would.
      const { rows } = await database.knex.raw('select pg_backend_pid() as pid');
      const admin = knexFactory({ client: 'pg', connection: adminUrl!, pool: { min: 0, max: 1 } });
      await admin.raw('select pg_terminate_backend(?)', [rows[0].pid]);
      await admin.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The pool finds the connection dead when it next hands it out, says so, and opens another.
      expect((await database.knex.raw('select 1 as one')).rows[0].one).to.equal(1);
    } finally {
      console.warn = originalWarn;
      console.log = originalLog;
    }
    expect(logged.map((entry) => entry.message).join('\n')).to.match(/Connection Error/);
    expect(logged[0].fields).to.deep.equal({ source: 'knex' });
    expect(printed).to.deep.equal([]);
  });
});

describe('embedded database folder', function () {
  this.timeout(30000);

  it('is closed to other local users, also when an earlier version left it open', async () => {
    const { mkdtempSync, mkdirSync, rmSync, statSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kho-pg-mode-'));
    try {
      // PGlite writes its files 0666; a folder left 0755 would let anyone on the machine write them.
      mkdirSync(path.join(dataDir, 'pg'), { mode: 0o755 });
      const database = await openDatabase({ url: null, dataDir, poolMax: 1 });
      try {
        await database.knex.raw('create table t (x int)');
      } finally {
        await database.close();
      }
      expect(statSync(path.join(dataDir, 'pg')).mode & 0o777).to.equal(0o700);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
