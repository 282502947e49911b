// Auth functions for API tokens (ckan/logic/auth/{create,get,delete}.py: api_token_*): a user
// manages their own tokens; sysadmins pass before these run. Refusals carry no reason, as in CKAN,
// so a caller cannot tell an unknown token from someone else's.
import type { AuthDefinition } from '../../actions/types.ts';

export const apiTokenAuth: Record<string, AuthDefinition> = {
  api_token_create: {
    fn: async (context, data) => {
      const owner = data.__owner ?? (await context.services.repos.users.get(context.db(), String(data.user ?? '')));
      return !!owner && owner.id === context.user?.id;
    },
  },
  api_token_list: {
    allowAnonymous: true,
    fn: async (context, data) => {
      const ref = data.user_id ?? data.user;
      if (!context.user || !ref) return false;
      const owner = await context.services.repos.users.get(context.db(), String(ref));
      return !!owner && owner.id === context.user.id;
    },
  },
  api_token_revoke: {
    fn: async (context, data) => {
      if (!data.jti) return false;
      const token = await context.services.repos.apiTokens.get(context.db(), String(data.jti));
      return !!token && token.user_id === context.user?.id;
    },
  },
};
