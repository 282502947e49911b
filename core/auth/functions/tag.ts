// Tags are public (ckan/logic/auth/get.py: tag_list, tag_show, tag_search, tag_autocomplete).
import type { AuthDefinition } from '../../actions/types.ts';

const anyone: AuthDefinition = { allowAnonymous: true, fn: () => true };

export const tagAuth: Record<string, AuthDefinition> = {
  tag_list: anyone,
  tag_show: anyone,
  tag_search: anyone,
  tag_autocomplete: anyone,
};
