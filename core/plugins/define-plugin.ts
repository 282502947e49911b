// The plugin contract. A plugin's index.ts exports `definePlugin({...})` and nothing else that does
// work: register() only declares, init() starts what needs starting, close() releases it.
import type { ConfigValues, SectionDecl } from '../config/declare.ts';
import type { Awaitable, PluginInitContext, PluginRegisterApi } from './interfaces.ts';

export interface PluginManifest<D extends SectionDecl = SectionDecl> {
  /** kebab-case, unique; also the name of its config section and of `plugins: [...]` entries. */
  name: string;
  version: string;
  description?: string;
  /** Plugins that must be enabled too; they are registered and initialised first. */
  dependsOn?: string[];
  /** Declared config keys, read from the section named after the plugin. */
  config?: D;
  register(api: PluginRegisterApi<ConfigValues<D>>): void;
  init?(context: PluginInitContext<ConfigValues<D>>): Awaitable<void>;
  close?(): Awaitable<void>;
}

export type AnyPlugin = PluginManifest<any>;

const NAME = /^[a-z][a-z0-9-]*$/;

export function definePlugin<const D extends SectionDecl = {}>(manifest: PluginManifest<D>): PluginManifest<D> {
  if (!NAME.test(manifest.name)) throw new Error(`Plugin name "${manifest.name}" must be kebab-case (a-z, 0-9, -)`);
  if (!manifest.version) throw new Error(`Plugin "${manifest.name}" has no version`);
  if (typeof manifest.register !== 'function') throw new Error(`Plugin "${manifest.name}" has no register()`);
  return manifest;
}
