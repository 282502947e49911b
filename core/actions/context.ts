// The context every action runs with: who is calling, the open transaction, and how to call other
// actions. Nested calls share one transaction, so a package_create that calls resource actions and
// plugin hooks commits or rolls back as one unit, and after-commit tasks run only on success.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { asValue, type AwilixContainer } from 'awilix';
import { NotAuthorized } from '../errors.ts';
import type { Cradle } from '../container.ts';
import type { ActionContext, AuthUser, CallOptions, DataDict } from './types.ts';

/** What the contexts of one call chain share: the transaction and the request scope. */
class ChainState {
  trx: Knex.Transaction | null = null;
  afterCommit: Array<() => unknown> = [];
  onRollback: Array<() => unknown> = [];
  private scope: AwilixContainer<Cradle> | null = null;
  readonly container: AwilixContainer<Cradle>;
  readonly user: AuthUser | null;
  readonly requestId: string | null;

  constructor(container: AwilixContainer<Cradle>, user: AuthUser | null, requestId: string | null) {
    this.container = container;
    this.user = user;
    this.requestId = requestId;
  }

  /** The request scope is created only if something asks for it: the hot read path never does. */
  requestScope(): AwilixContainer<Cradle> {
    if (!this.scope) {
      this.scope = this.container.createScope();
      this.scope.register({ user: asValue(this.user), requestId: asValue(this.requestId) });
    }
    return this.scope;
  }
}

export interface ContextOptions {
  user: AuthUser | null;
  ignoreAuth?: boolean;
  requestId?: string | null;
}

// A class rather than an object of closures: one is built for every action call, so it should be
// cheap to make.
class Context implements ActionContext {
  readonly user: AuthUser | null;
  readonly ignoreAuth: boolean;
  readonly rawJsonOk: boolean;
  readonly services: Cradle;
  private readonly chain: ChainState;

  constructor(chain: ChainState, user: AuthUser | null, ignoreAuth: boolean, rawJsonOk: boolean) {
    this.chain = chain;
    this.user = user;
    this.ignoreAuth = ignoreAuth;
    this.rawJsonOk = rawJsonOk;
    this.services = chain.container.cradle;
  }

  get requestId(): string | null {
    return this.chain.requestId;
  }

  get trx(): Knex.Transaction | null {
    return this.chain.trx;
  }

  get scope(): AwilixContainer<Cradle> {
    return this.chain.requestScope();
  }

  async action<T>(name: string, data: DataDict = {}, options: CallOptions = {}): Promise<T> {
    const entry = this.services.actions.get(name);
    if (!entry) throw new Error(`Action "${name}" is not registered`);
    const inner = new Context(
      this.chain,
      options.user !== undefined ? options.user : this.user,
      options.ignoreAuth ?? this.ignoreAuth,
      options.rawJsonOk ?? false,
    );
    if ((entry.def.access ?? 'before') === 'before') await inner.checkAccess(name, data);
    return (await entry.handler(inner, { ...data })) as T;
  }

  async checkAccess(name: string, data: DataDict = {}): Promise<void> {
    if (this.ignoreAuth || this.user?.sysadmin) return;
    const auth = this.services.actions.getAuth(name);
    if (!auth) throw new NotAuthorized(`Action ${name} requires a sysadmin`);
    if (!this.user && !auth.def.allowAnonymous) throw new NotAuthorized(`Action ${name} requires an authenticated user`);
    const verdict = await auth.fn(this, data);
    const success = typeof verdict === 'boolean' ? verdict : verdict.success;
    if (!success) throw new NotAuthorized(typeof verdict === 'boolean' ? '' : (verdict.msg ?? ''));
  }

  async transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    const chain = this.chain;
    if (chain.trx) return work(chain.trx);
    let result!: T;
    try {
      await this.services.knex.transaction(async (trx) => {
        chain.trx = trx;
        try {
          result = await work(trx);
        } finally {
          chain.trx = null;
        }
      });
    } catch (err) {
      chain.afterCommit.length = 0; // rolled back: nothing it scheduled may happen
      await this.runAll(chain.onRollback.splice(0), 'rollback task failed');
      throw err;
    }
    chain.onRollback.length = 0;
    await this.runAll(chain.afterCommit.splice(0), 'after-commit task failed');
    return result;
  }

  onRollback(task: () => unknown): void {
    if (this.chain.trx) this.chain.onRollback.push(task);
  }

  afterCommit(task: () => unknown): void {
    if (this.chain.trx) this.chain.afterCommit.push(task);
    else queueMicrotask(() => void this.runAll([task], 'after-commit task failed'));
  }

  db(): Knex | Knex.Transaction {
    return this.chain.trx ?? this.services.knex;
  }

  private async runAll(tasks: Array<() => unknown>, failure: string): Promise<void> {
    for (const task of tasks) {
      try {
        await task();
      } catch (err) {
        this.services.logger.error({ err, requestId: this.requestId }, failure);
      }
    }
  }
}

/**
 * A context for one request or task. `container` is the root container; the request scope (with
 * `user` and `requestId` registered) is created on first use.
 */
export function createActionContext(container: AwilixContainer<Cradle>, options: ContextOptions): ActionContext {
  return new Context(new ChainState(container, options.user, options.requestId ?? null), options.user, options.ignoreAuth ?? false, false);
}

/** A context for work that is not an HTTP request: the CLI, jobs, start-up tasks. */
export function systemContext(container: AwilixContainer<Cradle>, user: AuthUser | null = null): ActionContext {
  return createActionContext(container, { user, ignoreAuth: user === null, requestId: `sys-${randomUUID().slice(0, 8)}` });
}
