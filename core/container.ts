// The composition root's vocabulary: what lives in the awilix container. Core services are
// singletons; `user` and `requestId` exist only in a request's scope; plugin services are named
// "<plugin>.<service>".
import { asValue, createContainer, InjectionMode, type AwilixContainer } from 'awilix';
import type { Knex } from 'knex';
import type { Logger } from './logger.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config/schema.ts';
import type { Database } from './db/connect.ts';
import type { ActionRegistry } from './actions/registry.ts';
import type { AuthUser } from './actions/types.ts';
import type { HookRegistry } from './plugins/hooks.ts';
import type { FieldRegistry } from './validation/fields.ts';
import type { SearchIndex } from './search/search-index.ts';
import type { FileStore } from './storage/file-store.ts';
import type { JobQueue } from './jobs/types.ts';
import type { Repositories } from './model/index.ts';
import type { AnyPlugin } from './plugins/define-plugin.ts';
import type { SafeFetcher } from './net/safe-fetch.ts';
import type { PackageChangeListener } from './db/package-changes.ts';

export interface Cradle {
  config: Config;
  logger: Logger;
  clock: Clock;
  database: Database;
  knex: Knex;
  actions: ActionRegistry;
  hooks: HookRegistry;
  fields: FieldRegistry;
  repos: Repositories;
  searchIndex: SearchIndex;
  fileStore: FileStore;
  jobQueue: JobQueue;
  plugins: AnyPlugin[];
  /** Outbound HTTP with SSRF protection, for harvesting and link checks. */
  fetcher: SafeFetcher;
  /** Other processes' dataset writes (PostgreSQL server only; null on the embedded database). */
  packageChanges: PackageChangeListener | null;
  /** Request scope only. */
  user: AuthUser | null;
  requestId: string | null;
  [pluginService: string]: unknown;
}

export function createRootContainer(values: Partial<Cradle>): AwilixContainer<Cradle> {
  const container = createContainer<Cradle>({ injectionMode: InjectionMode.PROXY, strict: true });
  const registrations: Record<string, ReturnType<typeof asValue>> = { user: asValue(null), requestId: asValue(null) };
  for (const [name, value] of Object.entries(values)) registrations[name] = asValue(value);
  container.register(registrations);
  return container;
}
