// Auth functions for user accounts, following ckan/logic/auth/{create,get,update,delete,patch}.py.
// Sysadmins pass every check before these run (core/actions/context.ts).
import type { ActionContext, AuthDefinition, AuthResult, DataDict } from '../../actions/types.ts';

const userName = (context: ActionContext) => context.user?.name ?? '';

/** CKAN's restrict_anon: with ckan.auth.public_user_details off, only signed-in callers see users. */
function publicOrSignedIn(context: ActionContext): AuthResult | boolean {
  if (context.services.config.auth.public_user_details) return true;
  return !!context.user;
}

const userList: AuthDefinition = {
  allowAnonymous: true,
  fn: (context, data) => {
    // Filtering by email is for sysadmins only (they never reach this function).
    if (data.email) return false;
    return publicOrSignedIn(context);
  },
};

async function mayUpdateUser(context: ActionContext, data: DataDict): Promise<AuthResult> {
  const ref = data.id ?? data.name;
  const target = data.__user ?? (ref ? await context.services.repos.users.get(context.db(), String(ref)) : undefined);
  if (!target) return { success: false, msg: 'User not found' };
  if (!context.user) return { success: false, msg: 'Have to be logged in to edit user' };
  if (context.user.id === target.id) return { success: true };
  return { success: false, msg: `User ${userName(context)} not authorized to edit user ${target.id}` };
}

export const userAuth: Record<string, AuthDefinition> = {
  user_create: {
    allowAnonymous: true,
    fn: (context) => {
      if (context.services.config.auth.create_user_via_api) return true;
      return { success: false, msg: `User ${userName(context)} not authorized to create users via the API` };
    },
  },
  user_show: { allowAnonymous: true, fn: publicOrSignedIn },
  user_list: userList,
  user_autocomplete: userList,
  // Anonymous callers get CKAN's own message rather than the generic "requires an authenticated user".
  user_update: { allowAnonymous: true, fn: mayUpdateUser },
  user_patch: { allowAnonymous: true, fn: mayUpdateUser },
  // Sysadmins only.
  user_delete: { fn: () => false },
};
