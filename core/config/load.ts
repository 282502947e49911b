// Configuration = config/default.yaml, then the file named by KHO_CONFIG, then KHO_* environment
// variables, then programmatic overrides (tests). Every layer is checked against the declarations;
// the first problem stops boot with one line that names the key and where it came from.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.ts';
import { isKeyDecl, type KeyDecl, type SectionDecl } from './declare.ts';
import { coreConfigDecl, type Config } from './schema.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_CONFIG_FILE = path.join(PROJECT_ROOT, 'config/default.yaml');

type Raw = Record<string, unknown>;
interface Layer {
  source: string;
  values: Raw;
}

export interface ConfigSources {
  layers: Layer[];
  env: NodeJS.ProcessEnv;
}

export interface LoadOptions {
  /** A config file to read after default.yaml; defaults to $KHO_CONFIG. */
  file?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Deep overrides applied last (tests, CLI flags). */
  overrides?: Raw;
}

/** Read the YAML layers and overrides, without validating them yet. */
export function readConfigSources(options: LoadOptions = {}): ConfigSources {
  const env = options.env ?? process.env;
  const layers: Layer[] = [{ source: DEFAULT_CONFIG_FILE, values: readYaml(DEFAULT_CONFIG_FILE) }];
  const file = options.file === undefined ? env.KHO_CONFIG : options.file;
  if (file) layers.push({ source: path.resolve(file), values: readYaml(path.resolve(file)) });
  if (options.overrides) layers.push({ source: 'overrides', values: options.overrides });
  return { layers, env };
}

function readYaml(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Config: cannot read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`Config: ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc == null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`Config: ${file} must be a mapping of keys`);
  return doc as Raw;
}

/** The plugin names the layers ask for (needed before the plugins' own declarations are known). */
export function requestedPlugins(sources: ConfigSources): string[] {
  const decl = coreConfigDecl.plugins;
  let names: unknown = decl.default;
  for (const layer of sources.layers) if ('plugins' in layer.values) names = layer.values.plugins;
  const fromEnv = sources.env.KHO_PLUGINS;
  if (fromEnv !== undefined) return coerceEnv(fromEnv, decl, 'plugins', 'KHO_PLUGINS') as string[];
  return coerce(names, decl, 'plugins', 'config') as string[];
}

/**
 * Validate and merge everything. `pluginDecls` holds the declarations of enabled plugins;
 * `knownPlugins` names every plugin that exists, so a section for a disabled plugin is allowed.
 */
export function resolveConfig(
  sources: ConfigSources,
  pluginDecls: Record<string, SectionDecl> = {},
  knownPlugins: Iterable<string> = [],
): Config {
  const known = new Set(knownPlugins);
  const root: SectionDecl = { ...coreConfigDecl, ...pluginDecls };
  const result = defaultsOf(root);
  // Files, then the environment, then overrides (a command's flags, tests), each over the last.
  const isOverride = (layer: Layer) => layer.source === 'overrides';
  for (const layer of sources.layers.filter((layer) => !isOverride(layer))) applyLayer(result, layer.values, root, '', layer.source, known, pluginDecls);
  applyEnv(result, root, sources.env);
  for (const layer of sources.layers.filter(isOverride)) applyLayer(result, layer.values, root, '', layer.source, known, pluginDecls);
  // Unless site.url is given, it follows the port (KHO_PORT=5002 or `kho serve -p 5002` must not
  // leave help links and download URLs pointing at :5000).
  const siteUrlGiven =
    sources.layers.some((layer) => layer.source !== DEFAULT_CONFIG_FILE && (layer.values?.site as Raw | undefined)?.url !== undefined) || sources.env.KHO_SITE_URL !== undefined;
  if (!siteUrlGiven) (result.site as Raw).url = `http://localhost:${(result.server as Raw).port}`;
  return deepFreeze(result) as Config;
}

/** KHO_* variables that are read outside the config (the config file, debugging, tests). */
const OTHER_KHO_VARIABLES = new Set(['KHO_CONFIG', 'KHO_DEBUG', 'KHO_TEST_LOG']);

/**
 * KHO_* environment variables that name no config key (a typo such as
 * KHO_AUTH_CREATE_UNOWNED_DATASETS): the config ignores them, so boot warns about them.
 */
export function unknownEnvVariables(sources: ConfigSources, pluginDecls: Record<string, SectionDecl> = {}): string[] {
  const known = new Set(OTHER_KHO_VARIABLES);
  for (const { key, decl } of listDeclarations({ ...coreConfigDecl, ...pluginDecls })) {
    known.add(envVariableFor(key));
    if (decl.env) known.add(decl.env);
  }
  return Object.keys(sources.env)
    .filter((name) => name.startsWith('KHO_') && !known.has(name))
    .sort();
}

/** Convenience for scripts and tests that only need core keys. */
export function loadCoreConfig(options: LoadOptions = {}): Config {
  return resolveConfig(readConfigSources(options));
}

function defaultsOf(section: SectionDecl): Raw {
  const out: Raw = {};
  for (const [name, decl] of Object.entries(section)) {
    out[name] = isKeyDecl(decl) ? structuredClone(decl.default) : defaultsOf(decl);
  }
  return out;
}

function applyLayer(
  target: Raw,
  values: Raw,
  section: SectionDecl,
  prefix: string,
  source: string,
  knownPlugins: Set<string>,
  pluginDecls: Record<string, SectionDecl>,
) {
  for (const [name, value] of Object.entries(values)) {
    const keyPath = prefix + name;
    const decl = section[name];
    if (!decl) {
      // A section for a plugin that exists but is not enabled is kept aside, not an error.
      if (!prefix && knownPlugins.has(name) && !(name in pluginDecls)) continue;
      throw new ConfigError(`Config: unknown key "${keyPath}" in ${source}`);
    }
    if (isKeyDecl(decl)) {
      target[name] = coerce(value, decl, keyPath, source);
    } else {
      if (value == null) continue;
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw new ConfigError(`Config: "${keyPath}" must be a mapping of keys in ${source}`);
      }
      applyLayer(target[name] as Raw, value as Raw, decl, keyPath + '.', source, knownPlugins, pluginDecls);
    }
  }
}

function applyEnv(target: Raw, section: SectionDecl, env: NodeJS.ProcessEnv, prefix: string[] = []) {
  for (const [name, decl] of Object.entries(section)) {
    const keyPath = [...prefix, name];
    if (isKeyDecl(decl)) {
      const derived = envVariableFor(keyPath.join('.'));
      for (const variable of [derived, decl.env]) {
        if (variable && env[variable] !== undefined) {
          target[name] = coerceEnv(env[variable]!, decl, keyPath.join('.'), variable);
        }
      }
    } else {
      applyEnv(target[name] as Raw, decl, env, keyPath);
    }
  }
}

function coerceEnv(text: string, decl: KeyDecl, keyPath: string, variable: string): unknown {
  const source = `environment variable ${variable}`;
  if (text === '' && decl.nullable) return null;
  switch (decl.type) {
    case 'integer':
    case 'number':
      return coerce(text.trim() === '' ? NaN : Number(text), decl, keyPath, source, text);
    case 'boolean': {
      const lowered = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
      if (['false', '0', 'no', 'off'].includes(lowered)) return false;
      throw new ConfigError(`Config: "${keyPath}" must be true or false (got "${text}") in ${source}`);
    }
    case 'string[]': {
      const trimmed = text.trim();
      if (trimmed.startsWith('[')) {
        try {
          return coerce(JSON.parse(trimmed), decl, keyPath, source);
        } catch (err) {
          if (err instanceof ConfigError) throw err;
        }
      }
      return trimmed === '' ? [] : trimmed.split(/[,\s]+/).filter(Boolean);
    }
    case 'object':
      try {
        return coerce(JSON.parse(text), decl, keyPath, source);
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        throw new ConfigError(`Config: "${keyPath}" must be a JSON object in ${source}`);
      }
    default:
      return coerce(text, decl, keyPath, source);
  }
}

function coerce(value: unknown, decl: KeyDecl, keyPath: string, source: string, shown: unknown = value): unknown {
  const fail = (what: string): never => {
    throw new ConfigError(`Config: "${keyPath}" must be ${what} (got ${JSON.stringify(shown)}) in ${source}`);
  };
  if (value === null || value === undefined) {
    if (decl.nullable) return null;
    return fail(describe(decl));
  }
  switch (decl.type) {
    case 'string':
      if (typeof value !== 'string') fail('a string');
      return value;
    case 'url':
      if (typeof value !== 'string' || !/^https?:\/\/[^\s/]+/.test(value)) fail('an http(s) URL');
      return (value as string).replace(/\/+$/, '');
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) fail('an integer');
      checkRange(value as number, decl, fail);
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('a number');
      checkRange(value as number, decl, fail);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') fail('true or false');
      return value;
    case 'string[]':
      if (typeof value === 'string') return value.split(/[,\s]+/).filter(Boolean);
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) fail('a list of strings');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !decl.values!.includes(value)) fail(`one of ${decl.values!.join(', ')}`);
      return value;
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) fail('a mapping');
      return value;
  }
}

function checkRange(value: number, decl: KeyDecl, fail: (what: string) => never) {
  if (decl.min !== undefined && value < decl.min) fail(`at least ${decl.min}`);
  if (decl.max !== undefined && value > decl.max) fail(`at most ${decl.max}`);
}

function describe(decl: KeyDecl): string {
  return { string: 'a string', url: 'an http(s) URL', integer: 'an integer', number: 'a number', boolean: 'true or false', 'string[]': 'a list of strings', enum: `one of ${decl.values?.join(', ')}`, object: 'a mapping' }[decl.type];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Describe every declared key (for `kho config declaration` and the README). */
/** The environment variable every key has: `server.port` → KHO_SERVER_PORT. */
export function envVariableFor(key: string): string {
  return 'KHO_' + key.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

export function listDeclarations(section: SectionDecl, prefix = ''): Array<{ key: string; decl: KeyDecl }> {
  const out: Array<{ key: string; decl: KeyDecl }> = [];
  for (const [name, decl] of Object.entries(section)) {
    if (isKeyDecl(decl)) out.push({ key: prefix + name, decl });
    else out.push(...listDeclarations(decl, prefix + name + '.'));
  }
  return out;
}
