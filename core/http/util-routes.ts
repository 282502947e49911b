// CKAN's /api/util autocomplete helpers (ckan/views/api.py): plain JSON without the action
// envelope, served unversioned and under /api/1 and /api/2. Search boxes and the dataset form of
// CKAN-based front ends call them on every keystroke. An empty `incomplete` (or `q`) answers the
// empty result without calling the action; the caller's identity applies as for actions (private
// datasets appear in dataset autocomplete only to those who may read them).
import Router from '@koa/router';
import type Koa from 'koa';
import type { Kernel } from '../app.ts';
import { createActionContext } from '../actions/context.ts';
import { ActionError } from '../errors.ts';
import type { DataDict } from '../actions/types.ts';
import { sendJson } from './api/envelope.ts';

const PREFIXES = ['/api', '/api/1', '/api/2'];

type Handler = (call: (action: string, data: DataDict) => Promise<any>, param: (name: string) => string) => Promise<unknown>;

const ROUTES: Record<string, Handler> = {
  '/util/dataset/autocomplete': async (call, param) => {
    const q = param('incomplete');
    const result = q ? await call('package_autocomplete', { q, limit: param('limit') || 10 }) : [];
    return { ResultSet: { Result: result } };
  },
  '/util/tag/autocomplete': async (call, param) => {
    const q = param('incomplete');
    const data: DataDict = { q, limit: param('limit') || 10 };
    if (param('vocabulary_id')) data.vocabulary_id = param('vocabulary_id');
    const names: string[] = q ? await call('tag_autocomplete', data) : [];
    return { ResultSet: { Result: names.map((name) => ({ Name: name })) } };
  },
  '/util/resource/format_autocomplete': async (call, param) => {
    const q = param('incomplete');
    const formats: string[] = q ? await call('format_autocomplete', { q, limit: param('limit') || 5 }) : [];
    return { ResultSet: { Result: formats.map((format) => ({ Format: format })) } };
  },
  '/util/user/autocomplete': async (call, param) => {
    const q = param('q');
    return q ? call('user_autocomplete', { q, limit: param('limit') || 20, ignore_self: param('ignore_self') || false }) : [];
  },
  '/util/group/autocomplete': async (call, param) => {
    const q = param('q');
    return q ? call('group_autocomplete', { q, limit: param('limit') || 20 }) : [];
  },
  '/util/organization/autocomplete': async (call, param) => {
    const q = param('q');
    return q ? call('organization_autocomplete', { q, limit: param('limit') || 20 }) : [];
  },
};

export function utilRouter(kernel: Kernel): Router {
  const router = new Router();
  const { logger } = kernel.container.cradle;
  for (const [path, handler] of Object.entries(ROUTES)) {
    const handle: Koa.Middleware = async (ctx) => {
      const param = (name: string) => {
        const value = ctx.query[name];
        return String((Array.isArray(value) ? value[0] : value) ?? '').trim();
      };
      const context = createActionContext(kernel.container, { user: ctx.state.user ?? null, requestId: ctx.state.requestId ?? null });
      ctx.set('Cache-Control', ctx.state.user ? 'private, max-age=0, must-revalidate' : 'public, max-age=0, must-revalidate');
      try {
        sendJson(ctx, 200, JSON.stringify(await handler((action, data) => context.action(action, data), param)));
      } catch (err) {
        if (!(err instanceof ActionError)) throw err;
        if (err.status >= 500) logger.error({ err, requestId: ctx.state.requestId }, 'autocomplete failed');
        sendJson(ctx, err.status, JSON.stringify(err.message));
      }
    };
    for (const prefix of PREFIXES) router.get(prefix + path, handle);
  }
  return router;
}
