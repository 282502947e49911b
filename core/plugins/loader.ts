// Finds the plugins named in config, checks their manifests and puts them in dependency order.
// Any problem (unknown name, missing dependency, cycle) stops boot with one line.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.ts';
import { PROJECT_ROOT } from '../config/load.ts';
import type { AnyPlugin } from './define-plugin.ts';

export const PLUGINS_DIR = path.join(PROJECT_ROOT, 'plugins');

/** Names of the plugins shipped in plugins/ (one folder each, with an index.ts). */
export function availablePlugins(): string[] {
  if (!existsSync(PLUGINS_DIR)) return [];
  return readdirSync(PLUGINS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(PLUGINS_DIR, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Load the manifests for `names`. `provided` are plugin objects handed over directly (tests), which
 * take precedence over folders of the same name.
 */
export async function loadPlugins(names: string[], provided: AnyPlugin[] = []): Promise<AnyPlugin[]> {
  const byName = new Map<string, AnyPlugin>();
  const available = availablePlugins();
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new ConfigError(`Config: plugin "${name}" is listed twice in plugins`);
    seen.add(name);
    const given = provided.find((plugin) => plugin.name === name);
    if (given) {
      byName.set(name, given);
      continue;
    }
    if (!available.includes(name)) {
      const list = [...available, ...provided.map((p) => p.name)];
      throw new ConfigError(`Config: unknown plugin "${name}" in plugins (available: ${list.join(', ') || 'none'})`);
    }
    const module = await import(pathToFileURL(path.join(PLUGINS_DIR, name, 'index.ts')).href);
    const manifest = module.default as AnyPlugin | undefined;
    if (!manifest || typeof manifest.register !== 'function') {
      throw new ConfigError(`Plugin "${name}": plugins/${name}/index.ts must export default definePlugin({...})`);
    }
    if (manifest.name !== name) {
      throw new ConfigError(`Plugin folder "${name}" declares the name "${manifest.name}"; they must match`);
    }
    byName.set(name, manifest);
  }
  return orderByDependencies(names, byName);
}

function orderByDependencies(names: string[], byName: Map<string, AnyPlugin>): AnyPlugin[] {
  for (const plugin of byName.values()) {
    for (const dependency of plugin.dependsOn ?? []) {
      if (!byName.has(dependency)) {
        throw new ConfigError(`Config: plugin "${plugin.name}" depends on "${dependency}", which is not enabled; add it to plugins`);
      }
    }
  }
  const ordered: AnyPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new ConfigError(`Config: plugin dependency cycle: ${cycle.join(' → ')}`);
    }
    state.set(name, 'visiting');
    const plugin = byName.get(name)!;
    for (const dependency of plugin.dependsOn ?? []) visit(dependency, [...trail, name]);
    state.set(name, 'done');
    ordered.push(plugin);
  };
  // Config order is CKAN's plugin order; dependencies are pulled in front of their dependents.
  for (const name of names) visit(name, []);
  return ordered;
}
