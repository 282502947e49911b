// Who is calling: the API token from Authorization (raw or "Bearer …") or X-CKAN-API-Key. An
// unknown, revoked or expired token makes the request anonymous, never a 401: CKAN clients expect
// the action's own 403 in that case. A request without any token may be recognised by a plugin's
// authenticator (IAuthenticator: a browser session); `ctx.state.authMethod` says how the user was
// identified ('token', the plugin's name, or null).
import type Koa from 'koa';
import type { Kernel } from '../app.ts';
import type { AuthUser } from '../actions/types.ts';
import { hashApiToken, tokenFromHeaders } from '../auth/api-token.ts';
import { pgTimestampToIso } from '../clock.ts';

export function authenticate(kernel: Kernel): Koa.Middleware {
  const { repos, knex, clock, config, logger } = kernel.container.cradle;
  const touchEveryMs = config.auth.token_last_access_interval_s * 1000;
  const authenticators = kernel.extensions.authenticators;
  return async (ctx, next) => {
    ctx.state.user = null as AuthUser | null;
    ctx.state.authMethod = null as string | null;
    const token = tokenFromHeaders(ctx.headers);
    if (token === null && authenticators.length) {
      for (const { owner, authenticator } of authenticators) {
        const user = await authenticator.identify(ctx, kernel.container);
        if (user) {
          ctx.state.user = user;
          ctx.state.authMethod = owner;
          break;
        }
      }
    }
    if (token && token.length <= 512) {
      const now = clock.nowIso();
      const found = await repos.apiTokens.findActive(knex, hashApiToken(token), now);
      if (found) {
        ctx.state.user = { id: found.user.id, name: found.user.name, sysadmin: found.user.sysadmin, state: found.user.state };
        ctx.state.authMethod = 'token';
        const last = found.token.last_access ? Date.parse(pgTimestampToIso(found.token.last_access) + 'Z') : 0;
        if (clock.now().getTime() - last >= touchEveryMs) {
          repos.apiTokens.touch(knex, found.token.id, now).catch((err) => logger.warn({ err }, 'could not record token use'));
        }
      }
    }
    await next();
  };
}
