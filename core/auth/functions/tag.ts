// Tags and vocabularies are public to read (ckan/logic/auth/get.py); vocabularies and vocabulary
// tags are written by sysadmins only (ckan/logic/auth/{create,update,delete}.py), who pass before
// these run.
import type { AuthDefinition } from '../../actions/types.ts';

const anyone: AuthDefinition = { allowAnonymous: true, fn: () => true };
const sysadminsOnly: AuthDefinition = { fn: () => false };

export const tagAuth: Record<string, AuthDefinition> = {
  tag_list: anyone,
  tag_show: anyone,
  tag_search: anyone,
  tag_autocomplete: anyone,
  vocabulary_list: anyone,
  vocabulary_show: anyone,
  vocabulary_create: sysadminsOnly,
  vocabulary_update: sysadminsOnly,
  vocabulary_delete: sysadminsOnly,
  tag_create: sysadminsOnly,
  tag_delete: sysadminsOnly,
};
