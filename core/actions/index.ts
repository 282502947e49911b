// Every action and auth function the core provides, registered before the plugins', so a plugin can
// replace or chain any of them.
import type { ActionRegistry } from './registry.ts';
import { siteActions, siteAuth } from './site.ts';
import { packageActions, packageAliases } from './package/index.ts';
import { resourceActions } from './resource.ts';
import { packageAuth, resourceAuth } from '../auth/functions/package.ts';
import { packageSearchActions, packageSearchAuth } from './package-search.ts';

export function registerCoreActions(registry: ActionRegistry): void {
  registry.registerMany(siteActions);
  registry.registerAuthMany(siteAuth);
  registry.registerMany(packageActions);
  registry.registerMany(resourceActions);
  registry.registerAuthMany(packageAuth);
  registry.registerAuthMany(resourceAuth);
  registry.registerMany(packageSearchActions);
  registry.registerAuthMany(packageSearchAuth);
  for (const [alias, target] of Object.entries(packageAliases)) registry.alias(alias, target);
}
