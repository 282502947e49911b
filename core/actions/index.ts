// Every action and auth function the core provides, registered before the plugins', so a plugin can
// replace or chain any of them.
import type { ActionRegistry } from './registry.ts';
import { siteActions, siteAuth } from './site.ts';
import { packageActions, packageAliases } from './package/index.ts';
import { resourceActions } from './resource.ts';
import { bulkActions } from './package/bulk.ts';
import { packageAuth, resourceAuth } from '../auth/functions/package.ts';
import { packageSearchActions, packageSearchAuth } from './package-search.ts';
import { groupActions, groupAuth } from './group.ts';
import { userActions } from './user.ts';
import { userAuth } from '../auth/functions/user.ts';
import { apiTokenActions } from './api-token.ts';
import { apiTokenAuth } from '../auth/functions/api-token.ts';
import { tagActions } from './tag.ts';
import { vocabularyActions } from './vocabulary.ts';
import { tagAuth } from '../auth/functions/tag.ts';
import { collaboratorActions } from './collaborator.ts';
import { autocompleteActions, autocompleteAuth } from './autocomplete.ts';

export function registerCoreActions(registry: ActionRegistry): void {
  registry.registerMany(siteActions);
  registry.registerAuthMany(siteAuth);
  registry.registerMany(packageActions);
  registry.registerMany(resourceActions);
  registry.registerMany(bulkActions);
  registry.registerAuthMany(packageAuth);
  registry.registerAuthMany(resourceAuth);
  registry.registerMany(packageSearchActions);
  registry.registerAuthMany(packageSearchAuth);
  registry.registerMany(groupActions);
  registry.registerAuthMany(groupAuth);
  registry.registerMany(userActions);
  registry.registerAuthMany(userAuth);
  registry.registerMany(apiTokenActions);
  registry.registerAuthMany(apiTokenAuth);
  registry.registerMany(tagActions);
  registry.registerMany(vocabularyActions);
  registry.registerAuthMany(tagAuth);
  registry.registerMany(collaboratorActions);
  registry.registerMany(autocompleteActions);
  registry.registerAuthMany(autocompleteAuth);
  for (const [alias, target] of Object.entries(packageAliases)) registry.alias(alias, target);
}
