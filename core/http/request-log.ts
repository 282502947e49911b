// One structured log line per request, with its id and duration; the id is echoed in X-Request-Id
// so a province's IT team can find the line for a user's complaint.
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type { Logger } from '../logger.ts';

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestLog(logger: Logger, enabled: boolean): Koa.Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const given = ctx.get('x-request-id');
    const requestId = SAFE_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      if (enabled) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logger.info(
          { reqId: requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 100) / 100, user: ctx.state.user?.name },
          'request',
        );
      }
    }
  };
}
