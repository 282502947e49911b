// The action and auth-function registry: CKAN's get_action / IActions / IAuthFunctions, with
// chained_action and chained_auth_function. Core and plugins register during boot; the registry is
// frozen before the server starts so the set of actions never changes under a running request.
import type {
  ActionChain,
  ActionDefinition,
  ActionHandler,
  AuthChain,
  AuthDefinition,
  AuthFunction,
} from './types.ts';

interface Registered<D, F> {
  def: D;
  fn: F;
  owner: string;
}

export class ActionRegistry {
  private readonly actions = new Map<string, Registered<ActionDefinition, ActionHandler>>();
  private readonly auth = new Map<string, Registered<AuthDefinition, AuthFunction>>();
  private readonly actionChains: Array<{ name: string; chain: ActionChain; owner: string }> = [];
  private readonly authChains: Array<{ name: string; chain: AuthChain; owner: string }> = [];
  private readonly aliases: Array<{ alias: string; target: string }> = [];
  private frozen = false;

  /** Add an action, or replace one registered earlier (a plugin overriding a core action). */
  register(name: string, def: ActionDefinition<any>, owner = 'core'): void {
    this.assertOpen();
    this.actions.set(name, { def, fn: def.handler, owner });
  }

  registerMany(defs: Record<string, ActionDefinition<any>>, owner = 'core'): void {
    for (const [name, def] of Object.entries(defs)) this.register(name, def, owner);
  }

  /** chained_action: wrap whatever implementation exists when the registry is frozen. */
  chain(name: string, chain: ActionChain, owner: string): void {
    this.assertOpen();
    this.actionChains.push({ name, chain, owner });
  }

  registerAuth(name: string, def: AuthDefinition, owner = 'core'): void {
    this.assertOpen();
    this.auth.set(name, { def, fn: def.fn, owner });
  }

  registerAuthMany(defs: Record<string, AuthDefinition>, owner = 'core'): void {
    for (const [name, def] of Object.entries(defs)) this.registerAuth(name, def, owner);
  }

  chainAuth(name: string, chain: AuthChain, owner: string): void {
    this.assertOpen();
    this.authChains.push({ name, chain, owner });
  }

  /** Another name for an action and its auth function (CKAN's dataset_* for package_*). */
  alias(alias: string, target: string): void {
    this.assertOpen();
    this.aliases.push({ alias, target });
  }

  /**
   * Apply the chains and lock the registry. Chains are applied last-registered first, so the plugin
   * listed first in `plugins` ends up outermost and runs first, as in CKAN.
   */
  freeze(): void {
    if (this.frozen) return;
    for (const { name, chain, owner } of [...this.actionChains].reverse()) {
      const target = this.actions.get(name);
      if (!target) throw new Error(`Plugin "${owner}" chains action "${name}", which no enabled plugin or the core provides`);
      target.fn = chain(target.fn);
    }
    for (const { name, chain, owner } of [...this.authChains].reverse()) {
      const target = this.auth.get(name);
      if (!target) throw new Error(`Plugin "${owner}" chains auth function "${name}", which does not exist`);
      target.fn = chain(target.fn);
    }
    for (const { alias, target } of this.aliases) {
      const action = this.actions.get(target);
      if (!action || this.actions.has(alias)) continue;
      this.actions.set(alias, { ...action });
      const auth = this.auth.get(target);
      if (auth && !this.auth.has(alias)) this.auth.set(alias, { ...auth });
    }
    this.frozen = true;
  }

  get(name: string): { def: ActionDefinition; handler: ActionHandler } | undefined {
    const entry = this.actions.get(name);
    return entry && { def: entry.def, handler: entry.fn };
  }

  getAuth(name: string): { def: AuthDefinition; fn: AuthFunction } | undefined {
    const entry = this.auth.get(name);
    return entry && { def: entry.def, fn: entry.fn };
  }

  has(name: string): boolean {
    return this.actions.has(name);
  }

  names(): string[] {
    return [...this.actions.keys()].sort();
  }

  ownerOf(name: string): string | undefined {
    return this.actions.get(name)?.owner;
  }

  private assertOpen() {
    if (this.frozen) throw new Error('The action registry is frozen: register actions in a plugin\'s register()');
  }
}
