// CORS as CKAN does it (ckan/views/__init__.py set_cors_headers_for_response): only for requests
// with an Origin that is allowed, and OPTIONS pre-flights answered with 200 and an empty body.
import type Koa from 'koa';
import type { Config } from '../config/schema.ts';

export function cors(config: Config): Koa.Middleware {
  const allowAll = config.api.cors_origin_allow_all;
  const whitelist = new Set(config.api.cors_origin_whitelist);
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    if (origin && (allowAll || whitelist.has(origin))) {
      ctx.set('Access-Control-Allow-Origin', allowAll ? '*' : origin);
      ctx.set('Access-Control-Allow-Methods', 'POST, PUT, GET, DELETE, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, X-CKAN-API-Key, Content-Type');
      if (!allowAll) ctx.vary('Origin');
    }
    if (ctx.method === 'OPTIONS') {
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    await next();
  };
}
