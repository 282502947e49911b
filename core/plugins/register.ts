// Runs each enabled plugin's register() against the kernel's registries and collects what the
// plugin declared that the kernel wires later (routes, CLI commands, migrations, jobs, services).
import type Router from '@koa/router';
import type { Command } from 'commander';
import type { AwilixContainer, Resolver } from 'awilix';
import type { Cradle } from '../container.ts';
import type { ActionRegistry } from '../actions/registry.ts';
import type { Config } from '../config/schema.ts';
import { migrationFolder, type MigrationFolder } from '../db/migrate.ts';
import type { FieldRegistry } from '../validation/fields.ts';
import type { JobDefinition, ScheduleDefinition } from '../jobs/types.ts';
import type { SearchIndexFactory } from '../search/search-index.ts';
import { CORE_DATASET_KEYS } from '../actions/package/schema.ts';
import type { AnyPlugin } from './define-plugin.ts';
import type { HookRegistry } from './hooks.ts';
import type { CliTools, IAuthenticator, PluginRegisterApi } from './interfaces.ts';

/** What plugins declared for the kernel to wire up after registration. */
export interface PluginExtensions {
  routes: Array<{ owner: string; mount: (router: Router, container: AwilixContainer<Cradle>) => void }>;
  authenticators: Array<{ owner: string; authenticator: IAuthenticator }>;
  cli: Array<{ owner: string; mount: (program: Command, tools: CliTools) => void }>;
  migrations: MigrationFolder[];
  jobs: Array<{ owner: string; type: string; def: JobDefinition }>;
  schedules: Array<{ owner: string; def: ScheduleDefinition }>;
  services: Record<string, Resolver<unknown>>;
  searchBackends: Record<string, SearchIndexFactory>;
}

export interface RegisterTargets {
  config: Config;
  actions: ActionRegistry;
  hooks: HookRegistry;
  fields: FieldRegistry;
}

const RESERVED_ORG_KEYS = new Set([
  'id', 'name', 'title', 'type', 'description', 'image_url', 'image_display_url', 'created', 'is_organization', 'approval_status',
  'state', 'extras', 'users', 'groups', 'packages', 'package_count', 'display_name', 'num_followers', 'tags', 'member_count',
]);

export function registerPlugins(plugins: AnyPlugin[], targets: RegisterTargets): PluginExtensions {
  const extensions: PluginExtensions = { routes: [], authenticators: [], cli: [], migrations: [], jobs: [], schedules: [], services: {}, searchBackends: {} };
  for (const plugin of plugins) {
    const owner = plugin.name;
    const api: PluginRegisterApi = {
      name: owner,
      config: (targets.config[owner] ?? {}) as Record<string, unknown>,
      coreConfig: targets.config,
      actions: (defs) => targets.actions.registerMany(defs, owner),
      chainAction: (name, chain) => targets.actions.chain(name, chain, owner),
      authFunctions: (defs) => targets.actions.registerAuthMany(defs, owner),
      chainAuthFunction: (name, chain) => targets.actions.chainAuth(name, chain, owner),
      packageController: (hooks) => targets.hooks.package.push(hooks),
      resourceController: (hooks) => targets.hooks.resource.push(hooks),
      organizationController: (hooks) => targets.hooks.organization.push(hooks),
      groupController: (hooks) => targets.hooks.group.push(hooks),
      datasetFields: (fields) => targets.fields.add('dataset', fields, owner, CORE_DATASET_KEYS),
      organizationFields: (fields) => targets.fields.add('organization', fields, owner, RESERVED_ORG_KEYS),
      groupFields: (fields) => targets.fields.add('group', fields, owner, RESERVED_ORG_KEYS),
      routes: (mount) => extensions.routes.push({ owner, mount }),
      authenticator: (authenticator) => extensions.authenticators.push({ owner, authenticator }),
      migrations: (directory) => extensions.migrations.push(migrationFolder(owner, directory)),
      jobs: (defs) => {
        for (const [type, def] of Object.entries(defs)) extensions.jobs.push({ owner, type, def });
      },
      schedules: (defs) => {
        for (const def of defs) extensions.schedules.push({ owner, def });
      },
      cli: (mount) => extensions.cli.push({ owner, mount }),
      services: (resolvers) => {
        for (const [name, resolver] of Object.entries(resolvers)) extensions.services[`${owner}.${name}`] = resolver;
      },
      searchBackend: (name, factory) => {
        if (extensions.searchBackends[name]) throw new Error(`Plugin "${owner}" registers search backend "${name}", which another plugin already provides`);
        extensions.searchBackends[name] = factory;
      },
    };
    try {
      plugin.register(api);
    } catch (err) {
      throw new Error(`Plugin "${owner}" failed to register: ${(err as Error).message}`);
    }
  }
  return extensions;
}
