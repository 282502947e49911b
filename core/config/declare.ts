// How configuration keys are declared, by the core and by plugins (CKAN's IConfigDeclaration).
// Every key has a type, a default and a description; the loader refuses anything undeclared or
// mistyped, so a typo in a province's config file stops boot instead of being silently ignored.

export interface KeyDecl<T = unknown> {
  readonly kind: 'key';
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'string[]' | 'enum' | 'url' | 'object';
  readonly default: T;
  readonly description: string;
  readonly nullable?: boolean;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Extra environment variable that sets this key, besides the derived KHO_<PATH>. */
  readonly env?: string;
  readonly secret?: boolean;
}

export interface SectionDecl {
  readonly [name: string]: KeyDecl<any> | SectionDecl;
}

export type ConfigValues<D extends SectionDecl> = {
  -readonly [K in keyof D]: D[K] extends KeyDecl<infer T> ? T : D[K] extends SectionDecl ? ConfigValues<D[K]> : never;
};

type Options = { nullable?: boolean; env?: string; min?: number; max?: number; secret?: boolean };

export const key = {
  string<T extends string | null = string>(def: NoInfer<T>, description: string, opts: Options = {}): KeyDecl<T> {
    return { kind: 'key', type: 'string', default: def, description, ...opts };
  },
  url<T extends string | null = string>(def: NoInfer<T>, description: string, opts: Options = {}): KeyDecl<T> {
    return { kind: 'key', type: 'url', default: def, description, ...opts };
  },
  integer<T extends number | null = number>(def: NoInfer<T>, description: string, opts: Options = {}): KeyDecl<T> {
    return { kind: 'key', type: 'integer', default: def, description, ...opts };
  },
  number<T extends number | null = number>(def: NoInfer<T>, description: string, opts: Options = {}): KeyDecl<T> {
    return { kind: 'key', type: 'number', default: def, description, ...opts };
  },
  boolean(def: boolean, description: string, opts: Options = {}): KeyDecl<boolean> {
    return { kind: 'key', type: 'boolean', default: def, description, ...opts };
  },
  list(def: string[], description: string, opts: Options = {}): KeyDecl<string[]> {
    return { kind: 'key', type: 'string[]', default: def, description, ...opts };
  },
  enum<const V extends readonly string[]>(values: V, def: V[number], description: string, opts: Options = {}): KeyDecl<V[number]> {
    return { kind: 'key', type: 'enum', values, default: def, description, ...opts };
  },
  /** A free-form mapping (e.g. a plugin's per-agency table); only its top level is type-checked. */
  object<T extends Record<string, unknown>>(def: T, description: string, opts: Options = {}): KeyDecl<T> {
    return { kind: 'key', type: 'object', default: def, description, ...opts };
  },
};

export function isKeyDecl(value: unknown): value is KeyDecl<any> {
  return !!value && typeof value === 'object' && (value as KeyDecl).kind === 'key';
}
