// The registered hook implementations, in plugin order, and helpers to run them.
import type { ActionContext, DataDict } from '../actions/types.ts';
import type { IGroupController, IndexDocument, IPackageController, IResourceController } from './interfaces.ts';

type Method<T> = { [K in keyof T]-?: NonNullable<T[K]> extends (...args: any[]) => any ? K : never }[keyof T];

export class HookRegistry {
  readonly package: IPackageController[] = [];
  readonly resource: IResourceController[] = [];
  readonly organization: IGroupController[] = [];
  readonly group: IGroupController[] = [];

  /** Call `method` on every package controller that implements it, in order. */
  async runPackage<M extends Method<IPackageController>>(method: M, ...args: Parameters<NonNullable<IPackageController[M]>>) {
    for (const hooks of this.package) {
      const fn = hooks[method] as ((...a: unknown[]) => unknown) | undefined;
      if (fn) await fn.apply(hooks, args);
    }
  }

  async runResource<M extends Method<IResourceController>>(method: M, ...args: Parameters<NonNullable<IResourceController[M]>>) {
    for (const hooks of this.resource) {
      const fn = hooks[method] as ((...a: unknown[]) => unknown) | undefined;
      if (fn) await fn.apply(hooks, args);
    }
  }

  async runGroup(kind: 'organization' | 'group', method: Method<IGroupController>, ...args: unknown[]) {
    for (const hooks of this[kind]) {
      const fn = hooks[method] as ((...a: unknown[]) => unknown) | undefined;
      if (fn) await fn.apply(hooks, args);
    }
  }

  get hasAfterShow(): boolean {
    return this.package.some((hooks) => hooks.after_dataset_show);
  }

  async afterDatasetShow(context: ActionContext, pkg: DataDict): Promise<DataDict> {
    let current = pkg;
    for (const hooks of this.package) {
      if (hooks.after_dataset_show) current = (await hooks.after_dataset_show(context, current)) ?? current;
    }
    return current;
  }

  beforeDatasetIndex(doc: IndexDocument, pkg: DataDict): IndexDocument {
    let current = doc;
    for (const hooks of this.package) if (hooks.before_dataset_index) current = hooks.before_dataset_index(current, pkg) ?? current;
    return current;
  }

  beforeDatasetSearch(params: DataDict): DataDict {
    let current = params;
    for (const hooks of this.package) if (hooks.before_dataset_search) current = hooks.before_dataset_search(current) ?? current;
    return current;
  }

  afterDatasetSearch(result: DataDict, params: DataDict): DataDict {
    let current = result;
    for (const hooks of this.package) if (hooks.after_dataset_search) current = hooks.after_dataset_search(current, params) ?? current;
    return current;
  }
}
