// The context every action runs with: who is calling, the open transaction, and how to call other
// actions. Nested calls share one transaction, so a package_create that calls resource actions and
// plugin hooks commits or rolls back as one unit, and after-commit tasks run only on success.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { asValue, type AwilixContainer } from 'awilix';
import { NotAuthorized } from '../errors.ts';
import type { Cradle } from '../container.ts';
import type { ActionContext, AuthUser, CallOptions, DataDict } from './types.ts';

interface TransactionState {
  trx: Knex.Transaction | null;
  afterCommit: Array<() => unknown>;
  onRollback: Array<() => unknown>;
}

export interface ContextOptions {
  user: AuthUser | null;
  ignoreAuth?: boolean;
  requestId?: string | null;
}

/**
 * A context for one request or task. `container` is the root container; the request scope (with
 * `user` and `requestId` registered) is created only if something asks for it, which keeps the hot
 * read path free of per-request container work.
 */
export function createActionContext(container: AwilixContainer<Cradle>, options: ContextOptions): ActionContext {
  let scope: AwilixContainer<Cradle> | null = null;
  const lazyScope = () => {
    if (!scope) {
      scope = container.createScope();
      scope.register({ user: asValue(options.user), requestId: asValue(options.requestId ?? null) });
    }
    return scope;
  };
  return build(container, lazyScope, options.user, options.ignoreAuth ?? false, options.requestId ?? null, { trx: null, afterCommit: [], onRollback: [] }, false);
}

function build(
  container: AwilixContainer<Cradle>,
  scopeOf: () => AwilixContainer<Cradle>,
  user: AuthUser | null,
  ignoreAuth: boolean,
  requestId: string | null,
  state: TransactionState,
  rawJsonOk: boolean,
): ActionContext {
  const services = container.cradle;
  const runAll = async (tasks: Array<() => unknown>, failure: string) => {
    for (const task of tasks) {
      try {
        await task();
      } catch (err) {
        services.logger.error({ err, requestId }, failure);
      }
    }
  };
  const context: ActionContext = {
    user,
    ignoreAuth,
    requestId,
    rawJsonOk,
    get scope() {
      return scopeOf();
    },
    services,
    get trx() {
      return state.trx;
    },

    async action<T>(name: string, data: DataDict = {}, options: CallOptions = {}): Promise<T> {
      const entry = services.actions.get(name);
      if (!entry) throw new Error(`Action "${name}" is not registered`);
      const inner = build(
        container,
        scopeOf,
        options.user !== undefined ? options.user : user,
        options.ignoreAuth ?? ignoreAuth,
        requestId,
        state,
        options.rawJsonOk ?? false,
      );
      if ((entry.def.access ?? 'before') === 'before') await inner.checkAccess(name, data);
      return (await entry.handler(inner, { ...data })) as T;
    },

    async checkAccess(name: string, data: DataDict = {}): Promise<void> {
      if (ignoreAuth) return;
      const auth = services.actions.getAuth(name);
      if (user?.sysadmin) return;
      if (!auth) throw new NotAuthorized(`Action ${name} requires a sysadmin`);
      if (!user && !auth.def.allowAnonymous) throw new NotAuthorized(`Action ${name} requires an authenticated user`);
      const verdict = await auth.fn(context, data);
      const success = typeof verdict === 'boolean' ? verdict : verdict.success;
      if (!success) {
        const msg = typeof verdict === 'boolean' ? '' : (verdict.msg ?? '');
        throw new NotAuthorized(msg);
      }
    },

    async transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
      if (state.trx) return work(state.trx);
      let result!: T;
      try {
        await services.knex.transaction(async (trx) => {
          state.trx = trx;
          try {
            result = await work(trx);
          } finally {
            state.trx = null;
          }
        });
      } catch (err) {
        state.afterCommit.length = 0; // rolled back: nothing it scheduled may happen
        await runAll(state.onRollback.splice(0), 'rollback task failed');
        throw err;
      }
      state.onRollback.length = 0;
      await runAll(state.afterCommit.splice(0), 'after-commit task failed');
      return result;
    },

    onRollback(task: () => unknown): void {
      if (state.trx) state.onRollback.push(task);
    },

    afterCommit(task: () => unknown): void {
      if (state.trx) state.afterCommit.push(task);
      else queueMicrotask(() => void Promise.resolve().then(task).catch((err) => services.logger.error({ err }, 'after-commit task failed')));
    },

    db() {
      return state.trx ?? services.knex;
    },
  };
  return context;
}

/** A context for work that is not an HTTP request: the CLI, jobs, start-up tasks. */
export function systemContext(scope: AwilixContainer<Cradle>, user: AuthUser | null = null): ActionContext {
  return createActionContext(scope, { user, ignoreAuth: user === null, requestId: `sys-${randomUUID().slice(0, 8)}` });
}
