// The shapes of actions and auth functions: CKAN's (context, data_dict) signature in TypeScript.
import type { Knex } from 'knex';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../container.ts';

export type DataDict = Record<string, any>;

/** The signed-in user as actions and auth functions see it (never holds the password hash). */
export interface AuthUser {
  id: string;
  name: string;
  sysadmin: boolean;
  state: string;
}

export interface CallOptions {
  /** Skip auth functions for this call and the calls it makes (CKAN's context['ignore_auth']). */
  ignoreAuth?: boolean;
  /** Run as another user (the CLI and jobs act as the site user or a named one). */
  user?: AuthUser | null;
  /** The caller serialises the result itself and accepts RawJson pieces (the HTTP layer). */
  rawJsonOk?: boolean;
}

export interface ActionContext {
  readonly user: AuthUser | null;
  readonly ignoreAuth: boolean;
  readonly requestId: string | null;
  /** True only for the action the HTTP layer called: it may return RawJson pieces (core/http/raw-json.ts). */
  readonly rawJsonOk: boolean;
  /** The transaction the current action chain runs in, if one is open. */
  readonly trx: Knex.Transaction | null;
  /** The request's awilix scope (core services plus `user` and `requestId`), created on first use. */
  readonly scope: AwilixContainer<Cradle>;
  /** The core and plugin services (singletons). */
  readonly services: Cradle;
  /** Call another action as the same user, inside the same transaction (CKAN's get_action). */
  action<T = any>(name: string, data?: DataDict, options?: CallOptions): Promise<T>;
  /** Run the named auth function and throw NotAuthorized when it refuses (CKAN's check_access). */
  checkAccess(name: string, data?: DataDict): Promise<void>;
  /**
   * Run `work` in a transaction: the current one when an outer action opened it, otherwise a new
   * one. Writes by nested actions and plugin hooks commit or roll back together.
   */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
  /** Run after the outermost transaction commits (never when it rolls back). */
  afterCommit(task: () => unknown): void;
  /** Undo a side effect outside the database (e.g. a file moved into place) if the transaction rolls back. */
  onRollback(task: () => unknown): void;
  /** A query builder bound to the open transaction, or to the pool. */
  db(): Knex | Knex.Transaction;
}

export type ActionHandler<R = unknown> = (context: ActionContext, data: DataDict) => Promise<R> | R;

export interface ActionDefinition<R = unknown> {
  handler: ActionHandler<R>;
  /** GET-able (CKAN's side_effect_free). Defaults to false. */
  sideEffectFree?: boolean;
  /**
   * When the auth function runs: 'before' the handler (default), or 'manual' when the handler calls
   * context.checkAccess itself, to keep CKAN's order of 404 before 403.
   */
  access?: 'before' | 'manual';
  /** help_show text. */
  doc?: string;
}

/** chained_action: receives the previous implementation and returns the new one. */
export type ActionChain = (previous: ActionHandler) => ActionHandler;

export interface AuthResult {
  success: boolean;
  msg?: string;
}

export type AuthFunction = (context: ActionContext, data: DataDict) => Promise<AuthResult | boolean> | AuthResult | boolean;

export interface AuthDefinition {
  fn: AuthFunction;
  /** CKAN's auth_allow_anonymous_access: otherwise anonymous callers are refused before fn runs. */
  allowAnonymous?: boolean;
}

export type AuthChain = (previous: AuthFunction) => AuthFunction;
