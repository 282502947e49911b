// The extension points of the core, named after CKAN's plugin interfaces so a CKAN developer finds
// them: IActions, IAuthFunctions, IPackageController, IResourceController, IGroupController /
// IOrganizationController, IDatasetForm (field declarations), IBlueprint (routes), IClick (CLI).
// Hooks run inside the action's transaction: what a plugin writes in them commits or rolls back
// with the dataset itself.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Command } from 'commander';
import type { AwilixContainer, Resolver } from 'awilix';
import type { ActionChain, ActionContext, ActionDefinition, AuthChain, AuthDefinition, AuthUser, DataDict } from '../actions/types.ts';
import type { Cradle } from '../container.ts';
import type { FieldDeclaration } from '../validation/fields.ts';
import type { JobDefinition, ScheduleDefinition } from '../jobs/types.ts';
import type { SearchIndexFactory } from '../search/search-index.ts';
import type { Config } from '../config/schema.ts';

export type Awaitable<T> = T | Promise<T>;

/** A flattened search document, as `before_dataset_index` sees it. */
export type IndexDocument = Record<string, unknown>;

export interface IPackageController {
  /** After validation, before the write. May change the dict, or throw ValidationError / NotAuthorized. */
  before_dataset_create?(context: ActionContext, pkg: DataDict): Awaitable<void>;
  after_dataset_create?(context: ActionContext, pkg: DataDict): Awaitable<void>;
  before_dataset_update?(context: ActionContext, pkg: DataDict, previous: DataDict): Awaitable<void>;
  after_dataset_update?(context: ActionContext, pkg: DataDict, previous: DataDict): Awaitable<void>;
  before_dataset_delete?(context: ActionContext, pkg: DataDict): Awaitable<void>;
  after_dataset_delete?(context: ActionContext, pkg: DataDict): Awaitable<void>;
  after_dataset_purge?(context: ActionContext, pkg: DataDict): Awaitable<void>;
  /** May return a changed dict for this caller. Runs on every package_show, so keep it cheap. */
  after_dataset_show?(context: ActionContext, pkg: DataDict): Awaitable<DataDict | void>;
  /** Adjust the search document (add fields, drop fields). */
  before_dataset_index?(doc: IndexDocument, pkg: DataDict): IndexDocument | void;
  before_dataset_search?(params: DataDict): DataDict | void;
  after_dataset_search?(result: DataDict, params: DataDict): DataDict | void;
}

export interface IResourceController {
  before_resource_create?(context: ActionContext, pkg: DataDict, resource: DataDict): Awaitable<void>;
  after_resource_create?(context: ActionContext, resource: DataDict): Awaitable<void>;
  before_resource_update?(context: ActionContext, current: DataDict, resource: DataDict): Awaitable<void>;
  after_resource_update?(context: ActionContext, resource: DataDict): Awaitable<void>;
  before_resource_delete?(context: ActionContext, resource: DataDict): Awaitable<void>;
  after_resource_delete?(context: ActionContext, resource: DataDict): Awaitable<void>;
}

/** Hooks for groups (IGroupController) and organizations (IOrganizationController). */
export interface IGroupController {
  before_create?(context: ActionContext, group: DataDict): Awaitable<void>;
  after_create?(context: ActionContext, group: DataDict): Awaitable<void>;
  before_update?(context: ActionContext, group: DataDict, previous: DataDict): Awaitable<void>;
  after_update?(context: ActionContext, group: DataDict, previous: DataDict): Awaitable<void>;
  before_delete?(context: ActionContext, group: DataDict): Awaitable<void>;
  after_delete?(context: ActionContext, group: DataDict): Awaitable<void>;
}
export type IOrganizationController = IGroupController;

/**
 * IAuthenticator: recognise the caller of a request that carries no API token (a browser session,
 * for example). Consulted only when neither Authorization nor X-CKAN-API-Key is present, so token
 * requests are never affected. Return the user, or null to leave the request anonymous. An
 * authenticator must not return a user for a state-changing request (POST, …) unless it has
 * verified that the request is not a cross-site forgery (a CSRF token).
 */
export interface IAuthenticator {
  identify(ctx: Koa.Context, container: AwilixContainer<Cradle>): Awaitable<AuthUser | null | undefined>;
}

/** What a plugin's register() may declare. No I/O happens here. */
export interface PluginRegisterApi<C = Record<string, unknown>> {
  readonly name: string;
  /** This plugin's own config section, validated against its declaration. */
  readonly config: C;
  readonly coreConfig: Config;
  /** IActions: add actions, or replace core ones by name. */
  actions(defs: Record<string, ActionDefinition<any>>): void;
  /** chained_action. */
  chainAction(name: string, chain: ActionChain): void;
  /** IAuthFunctions. */
  authFunctions(defs: Record<string, AuthDefinition>): void;
  chainAuthFunction(name: string, chain: AuthChain): void;
  packageController(hooks: IPackageController): void;
  resourceController(hooks: IResourceController): void;
  organizationController(hooks: IOrganizationController): void;
  groupController(hooks: IGroupController): void;
  /** IDatasetForm / scheming: extra top-level dataset fields. */
  datasetFields(fields: FieldDeclaration[]): void;
  organizationFields(fields: FieldDeclaration[]): void;
  groupFields(fields: FieldDeclaration[]): void;
  /** IBlueprint: Koa routes outside /api. `container` is the kernel's root container (for action contexts). */
  routes(mount: (router: Router, container: AwilixContainer<Cradle>) => void): void;
  /** IAuthenticator: identify callers that carry no API token (see IAuthenticator). */
  authenticator(authenticator: IAuthenticator): void;
  /** A folder of knex migrations (files exporting up/down), run only while the plugin is enabled. */
  migrations(directory: string | URL): void;
  jobs(defs: Record<string, JobDefinition<any>>): void;
  schedules(defs: ScheduleDefinition[]): void;
  /** IClick: add `kho <command>` subcommands; `tools.kernel()` boots the database when a command needs it. */
  cli(mount: (program: Command, tools: CliTools) => void): void;
  /** Services resolved from the container as `<plugin>.<name>`. */
  services(resolvers: Record<string, Resolver<unknown>>): void;
  /** A SearchIndex implementation selectable with `search.backend`. */
  searchBackend(name: string, factory: SearchIndexFactory): void;
}

export interface CliTools {
  /** Open (once) the kernel: config, database, plugins. Close it with tools.close() or let the CLI do it. */
  kernel(): Promise<import('../app.ts').Kernel>;
}

export interface PluginInitContext<C = Record<string, unknown>> {
  readonly config: C;
  readonly scope: import('awilix').AwilixContainer<import('../container.ts').Cradle>;
  readonly logger: import('pino').Logger;
  /** True when this process serves HTTP (false for most CLI commands). */
  readonly serving: boolean;
}
