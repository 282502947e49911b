// startTestServer({ plugins, config }): a real Kho on an ephemeral port with its own database —
// an in-memory PGlite cloned from a migrated template, or, when TEST_DATABASE_URL is set, a fresh
// database on that PostgreSQL server — and its own storage folder. Tests talk to it over HTTP only.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import knexFactory from 'knex';
import type { PGlite } from '@electric-sql/pglite';
import { createKernel, type Kernel } from '../../core/app.ts';
import { startServer, type RunningServer } from '../../core/http/server.ts';
import { createPglite, knexOnPglite } from '../../core/db/connect.ts';
import { CORE_MIGRATIONS, migrateLatest } from '../../core/db/migrate.ts';
import type { AnyPlugin } from '../../core/plugins/define-plugin.ts';
import type { Clock } from '../../core/clock.ts';
import { issueApiToken } from '../../core/auth/api-token.ts';
import { newUserRow } from '../../core/model/users.ts';
import { hashPassword } from '../../core/auth/password.ts';
import { ApiClient } from './api-client.ts';

export interface TestServerOptions {
  /** Plugin names (folders in plugins/) or plugin objects, enabled in this order. */
  plugins?: Array<string | AnyPlugin>;
  /** Config overrides (same shape as config/default.yaml). */
  config?: Record<string, any>;
  clock?: Clock;
  /** Start the in-process job worker (off by default so tests control when jobs run). */
  workers?: boolean;
}

export interface TestUser {
  id: string;
  name: string;
  token: string;
  password: string;
}

export interface TestServer {
  readonly url: string;
  readonly kernel: Kernel;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  /** A sysadmin created for the test, with an API token. */
  readonly sysadmin: TestUser;
  /** Client acting as the sysadmin. */
  readonly admin: ApiClient;
  /** Anonymous client. */
  readonly anon: ApiClient;
  client(token?: string | null): ApiClient;
  /** Create a user directly in the database (with an API token), bypassing the API. */
  createUser(name?: string, options?: { sysadmin?: boolean; email?: string }): Promise<TestUser>;
  close(): Promise<void>;
}

let templatePromise: Promise<File | Blob> | null = null;

/** A migrated empty database image, made once per test run: cloning it is much faster than initdb. */
function pgliteTemplate(): Promise<File | Blob> {
  templatePromise ??= (async () => {
    const pglite = await createPglite(null);
    const knex = knexOnPglite(pglite);
    await migrateLatest(knex, [CORE_MIGRATIONS]);
    const image = await pglite.dumpDataDir('none');
    await knex.destroy(); // also closes the PGlite
    return image;
  })();
  return templatePromise;
}

/** An empty database on the PostgreSQL server of `adminUrl`, and how to drop it. */
export async function freshPostgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kho_test_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
      await again.raw(`drop database if exists ${name} with (force)`);
      await again.destroy();
    },
  };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kho-test-'));
  const pluginObjects = (options.plugins ?? []).filter((p): p is AnyPlugin => typeof p !== 'string');
  const pluginNames = (options.plugins ?? []).map((p) => (typeof p === 'string' ? p : p.name));

  let databaseUrl: string | null = null;
  let dropDatabase: (() => Promise<void>) | null = null;
  let pglite: PGlite | undefined;
  if (process.env.TEST_DATABASE_URL) {
    const fresh = await freshPostgresDatabase(process.env.TEST_DATABASE_URL);
    databaseUrl = fresh.url;
    dropDatabase = fresh.drop;
  } else {
    pglite = await createPglite(null, { loadDataDir: await pgliteTemplate() });
  }

  const overrides = options.config ?? {};
  const config = {
    ...overrides,
    server: { port: 0, host: '127.0.0.1', shutdown_timeout_ms: 2000, ...(overrides.server ?? {}) },
    site: { url: 'http://kho.test', ...(overrides.site ?? {}) },
    data_dir: dataDir,
    database: { ...(overrides.database ?? {}), url: databaseUrl },
    plugins: pluginNames,
    log: { level: process.env.KHO_TEST_LOG ?? 'silent', requests: !!process.env.KHO_TEST_LOG, ...(overrides.log ?? {}) },
    auth: { create_initial_admin: false, ...(overrides.auth ?? {}) },
    jobs: { poll_interval_ms: 50, ...(overrides.jobs ?? {}) },
  };

  let kernel: Kernel;
  try {
    kernel = await createKernel({ config: { file: null, env: {}, overrides: config }, plugins: pluginObjects, pglite, clock: options.clock, command: 'test' });
  } catch (err) {
    await dropDatabase?.();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  let running: RunningServer;
  try {
    running = await startServer(kernel, { workers: options.workers ?? false });
  } catch (err) {
    await kernel.close();
    await dropDatabase?.();
    throw err;
  }

  const createUser = async (name = `user-${randomBytes(4).toString('hex')}`, userOptions: { sysadmin?: boolean; email?: string } = {}): Promise<TestUser> => {
    const { repos, knex, clock } = kernel.container.cradle;
    const id = randomUUID();
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const row = newUserRow({ id, name, email: userOptions.email ?? `${name}@example.org`, password_hash: await hashPassword(password), sysadmin: !!userOptions.sysadmin, created: clock.nowIso() });
    await repos.users.insert(knex, row);
    const token = await issueApiToken(kernel.context(), id, 'test');
    return { id, name, token, password };
  };

  const sysadmin = await createUser('test-sysadmin', { sysadmin: true });
  const url = running.url;
  return {
    url,
    kernel,
    dataDir,
    databaseUrl,
    sysadmin,
    admin: new ApiClient(url, sysadmin.token),
    anon: new ApiClient(url, null),
    client: (token = null) => new ApiClient(url, token),
    createUser,
    async close() {
      await running.close();
      await dropDatabase?.();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
