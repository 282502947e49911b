// The composition root. createKernel() reads the configuration, loads the enabled plugins, opens the
// database, runs migrations and wires every service into the awilix container; the HTTP server
// (core/http/server.ts), the CLI and the job worker all start from a kernel.
import path from 'node:path';
import { asValue, type AwilixContainer } from 'awilix';
import type { PGlite } from '@electric-sql/pglite';
import { readConfigSources, requestedPlugins, resolveConfig, unknownEnvVariables, type LoadOptions } from './config/load.ts';
import type { Config } from './config/schema.ts';
import type { SectionDecl } from './config/declare.ts';
import { SystemClock, type Clock } from './clock.ts';
import { createLogger, type Logger } from './logger.ts';
import { openDatabase, type Database } from './db/connect.ts';
import { acquireDataDirLock, type DataDirLock } from './db/data-dir-lock.ts';
import { CORE_MIGRATIONS, migrateLatest } from './db/migrate.ts';
import { ActionRegistry } from './actions/registry.ts';
import { registerCoreActions } from './actions/index.ts';
import { createActionContext, systemContext } from './actions/context.ts';
import type { ActionContext, AuthUser } from './actions/types.ts';
import { HookRegistry } from './plugins/hooks.ts';
import { FieldRegistry } from './validation/fields.ts';
import { availablePlugins, loadPlugins } from './plugins/loader.ts';
import { registerPlugins, type PluginExtensions } from './plugins/register.ts';
import type { AnyPlugin } from './plugins/define-plugin.ts';
import { createRootContainer, type Cradle } from './container.ts';
import { createRepositories } from './model/index.ts';
import { PackageCache } from './model/package-cache.ts';
import { PackageChangeListener } from './db/package-changes.ts';
import { LocalFileStore } from './storage/local-file-store.ts';
import { createPostgresSearchIndex } from './search/postgres/index.ts';
import { coreSchedules, JobQueueService, JobScheduler, JobWorker, registerCoreJobs } from './jobs/index.ts';
import type { SearchIndexFactory } from './search/search-index.ts';
import { ConfigError } from './errors.ts';
import { SafeFetcher } from './net/safe-fetch.ts';
import { ensureInitialAdmin } from './auth/initial-admin.ts';
import { rerenderIfSiteUrlChanged } from './actions/package/rerender.ts';

export interface KernelOptions {
  config?: LoadOptions;
  /** Plugin objects that can be enabled by name besides the folders in plugins/ (tests). */
  plugins?: AnyPlugin[];
  clock?: Clock;
  /** An open PGlite to use instead of <data_dir>/pg (tests). */
  pglite?: PGlite;
  /** What the process is doing ("serve", "db upgrade", …): names the data-dir lock holder. */
  command?: string;
  logger?: Logger;
}

export interface Kernel {
  readonly config: Config;
  readonly container: AwilixContainer<Cradle>;
  readonly logger: Logger;
  readonly database: Database;
  readonly plugins: AnyPlugin[];
  readonly extensions: PluginExtensions;
  /** Migrations applied when this kernel opened the database. */
  readonly appliedMigrations: string[];
  readonly jobs: { queue: JobQueueService; scheduler: JobScheduler; newWorker(): JobWorker };
  /** An action context for work outside HTTP: ignores auth unless a user is given. */
  context(user?: AuthUser | null): ActionContext;
  /** Apply pending migrations (core and enabled plugins); returns their names. */
  migrate(): Promise<string[]>;
  /** Start plugins and start-up tasks. Called once by serve and the worker. */
  start(options?: { serving?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function createKernel(options: KernelOptions = {}): Promise<Kernel> {
  const sources = readConfigSources(options.config);
  const pluginNames = requestedPlugins(sources);
  const plugins = await loadPlugins(pluginNames, options.plugins ?? []);
  const pluginDecls: Record<string, SectionDecl> = {};
  for (const plugin of plugins) pluginDecls[plugin.name] = plugin.config ?? {};
  const known = [...availablePlugins(), ...(options.plugins ?? []).map((plugin) => plugin.name)];
  const config = resolveConfig(sources, pluginDecls, known);

  // The server and the worker log to standard output; every other command's output is its answer.
  const logsToStderr = options.command !== undefined && !['serve', 'jobs worker'].includes(options.command);
  const logger = options.logger ?? createLogger(config.log.level, 'kho', { toStderr: logsToStderr });
  for (const variable of unknownEnvVariables(sources, pluginDecls)) {
    logger.warn({ variable }, `environment variable ${variable} names no config key and is ignored`);
  }
  const clock = options.clock ?? new SystemClock();
  const dataDir = path.resolve(config.data_dir);

  const actions = new ActionRegistry();
  const hooks = new HookRegistry();
  const fields = new FieldRegistry();
  registerCoreActions(actions);
  const extensions = registerPlugins(plugins, { config, actions, hooks, fields });
  actions.freeze();

  let lock: DataDirLock | null = null;
  if (!config.database.url && !options.pglite) lock = acquireDataDirLock(dataDir, options.command ?? 'kho');
  let database: Database;
  try {
    database = await openDatabase({ url: config.database.url, dataDir, poolMax: config.database.pool_max, pglite: options.pglite, logger });
  } catch (err) {
    lock?.release();
    throw new ConfigError(`Cannot open the database: ${(err as Error).message}`);
  }
  const knex = database.knex;
  // With PGlite this process is the only writer; with PostgreSQL other processes may write too, so
  // the cache follows their NOTIFY messages and stays off while it cannot hear them.
  const packageCache = new PackageCache({ capacity: config.cache.package_entries, enabled: true });
  const packageChanges = config.database.url ? new PackageChangeListener(config.database.url, logger) : null;
  packageChanges?.subscribe({
    onChange: (id) => packageCache.invalidate(id),
    // Writes may have been missed while the connection was down: start again from empty.
    onListening: (listening) => {
      packageCache.clear();
      packageCache.setEnabled(listening);
    },
  });
  const repos = createRepositories({ packageCache });

  const queue = new JobQueueService({ knex, clock, logger, config: config.jobs });
  registerCoreJobs(queue);
  for (const job of extensions.jobs) queue.define(job.type, job.def, job.owner);
  const fileStore = new LocalFileStore({ root: config.storage.path ? path.resolve(config.storage.path) : path.join(dataDir, 'storage') });

  const fetcher = new SafeFetcher({
    allowPrivate: config.net.allow_private_hosts,
    userAgent: config.net.user_agent,
    timeoutMs: config.net.timeout_ms,
    maxBytes: config.net.max_response_mb * 1048576,
    maxRedirects: config.net.max_redirects,
  });
  const container = createRootContainer({
    fetcher,
    packageChanges,
    config,
    logger,
    clock,
    database,
    knex,
    actions,
    hooks,
    fields,
    repos,
    fileStore,
    jobQueue: queue,
    plugins,
  });
  container.register(extensions.services as Record<string, never>);

  const backends: Record<string, SearchIndexFactory> = { postgres: createPostgresSearchIndex, ...extensions.searchBackends };
  const backend = backends[config.search.backend];
  if (!backend) {
    await database.close();
    lock?.release();
    throw new ConfigError(`Config: search.backend "${config.search.backend}" is not available (have: ${Object.keys(backends).join(', ')}); enable the plugin that provides it`);
  }
  const searchIndex = backend(container.cradle);
  container.register({ searchIndex: asValue(searchIndex) });

  const scheduler = new JobScheduler({ knex, queue, clock, logger });
  const migrationFolders = [CORE_MIGRATIONS, ...extensions.migrations];
  const workers: JobWorker[] = [];
  let started = false;
  let closed = false;

  const kernel: Kernel = {
    config,
    container,
    logger,
    database,
    plugins,
    extensions,
    appliedMigrations: [],
    jobs: {
      queue,
      scheduler,
      newWorker() {
        const worker = new JobWorker({
          queue,
          clock,
          logger,
          config: config.jobs,
          createRunContext: () => ({ scope: container, actions: systemContext(container) }),
        });
        workers.push(worker);
        return worker;
      },
    },
    context(user = null) {
      return user ? createActionContext(container, { user }) : systemContext(container);
    },
    migrate: () => migrateLatest(knex, migrationFolders),
    async start(startOptions = {}) {
      if (started) return;
      started = true;
      await searchIndex.init?.();
      await fileStore.sweepTemp(60 * 60 * 1000);
      await scheduler.sync([...coreSchedules(), ...extensions.schedules.map((entry) => entry.def)]);
      await rerenderIfSiteUrlChanged(kernel.context());
      if (startOptions.serving && config.auth.create_initial_admin) await ensureInitialAdmin(kernel.context(), config);
      for (const plugin of plugins) {
        await plugin.init?.({ config: (config[plugin.name] ?? {}) as never, scope: container, logger: logger.child({ plugin: plugin.name }), serving: !!startOptions.serving });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await scheduler.stop();
      await Promise.all(workers.map((worker) => worker.stop(config.server.shutdown_timeout_ms)));
      for (const plugin of [...plugins].reverse()) {
        try {
          await plugin.close?.();
        } catch (err) {
          logger.error({ err, plugin: plugin.name }, 'plugin close failed');
        }
      }
      await searchIndex.close?.();
      await packageChanges?.close();
      await fetcher.close();
      await database.close();
      lock?.release();
    },
  };

  try {
    const applied = await kernel.migrate();
    kernel.appliedMigrations.push(...applied);
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  } catch (err) {
    await kernel.close();
    throw err;
  }
  return kernel;
}
