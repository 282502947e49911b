// The Action API routes: /api/action/{name} (ckanapi) and /api/3/action/{name} (the harvester),
// GET and POST, served directly (ckanapi refuses redirects), plus the version endpoints.
import Router from '@koa/router';
import type Koa from 'koa';
import type { Kernel } from '../../app.ts';
import { createActionContext } from '../../actions/context.ts';
import { ValidationError } from '../../errors.ts';
import { UploadTooLarge } from '../../storage/file-store.ts';
import type { UploadedFile } from '../../storage/file-store.ts';
import { helpUrl, sendBareError, sendError, sendJson, sendResult, JSON_TYPE } from './envelope.ts';
import { parseRequestData } from './request-data.ts';
import { echoable, normaliseInput } from './sanitize.ts';

export function apiRouter(kernel: Kernel): Router {
  const { config, actions, fileStore, logger } = kernel.container.cradle;
  const siteUrl = config.site.url;
  const maxBodyBytes = config.api.max_body_mb * 1048576;
  const maxUploadBytes = config.storage.max_resource_size_mb * 1048576;
  const maxImageBytes = config.storage.max_image_size_mb * 1048576;
  const router = new Router();

  const version = (n: number): Koa.Middleware => (ctx) => sendJson(ctx, 200, JSON.stringify({ version: n }));
  router.get('/api', version(1));
  router.get('/api/', version(1));
  for (const n of [1, 2, 3]) {
    router.get(`/api/${n}`, version(n));
    router.get(`/api/${n}/`, version(n));
  }

  const handle: Koa.Middleware = async (ctx) => {
    const name = String(ctx.params.name);
    const help = helpUrl(siteUrl, name);
    const entry = actions.get(name);
    if (!entry) return sendBareError(ctx, 400, `Bad request - Action name not known: ${name}`);
    if (!ctx.state.user) ctx.set('Cache-Control', 'public, max-age=0, must-revalidate');
    else ctx.set('Cache-Control', 'private, max-age=0, must-revalidate');

    let files: UploadedFile[] = [];
    let data: Record<string, unknown> = {};
    try {
      const parsed = await parseRequestData(ctx, { sideEffectFree: !!entry.def.sideEffectFree, maxBodyBytes, maxUploadBytes, maxImageBytes, fileStore });
      files = parsed.files;
      data = normaliseInput(parsed.data);
      // Keys starting with "__" are internal (auth functions receive loaded objects that way);
      // a client must never be able to supply them.
      for (const key of Object.keys(data)) if (key.startsWith('__')) delete data[key];
      let user = ctx.state.user;
      // JSONP requests always run anonymously (a page on another site must not act as the user).
      if ('callback' in data) {
        delete data.callback;
        user = null;
      }
      const context = createActionContext(kernel.container, { user, requestId: ctx.state.requestId });
      const result = await context.action(name, data, { rawJsonOk: true });
      sendResult(ctx, help, result);
    } catch (err) {
      const mapped = err instanceof UploadTooLarge ? new ValidationError({ [err.fieldName ?? 'upload']: [err.message] }) : err;
      if ((mapped as { status?: number }).status === 413) {
        ctx.status = 413;
        ctx.type = JSON_TYPE;
        ctx.body = JSON.stringify({ help, success: false, error: { __type: 'Validation Error', message: (mapped as Error).message } });
        return;
      }
      sendError(ctx, help, mapped, logger, echoable(data));
    } finally {
      for (const file of files) await fileStore.discard(file);
    }
  };

  for (const path of ['/api/action/:name', '/api/3/action/:name']) {
    router.get(path, handle);
    router.post(path, handle);
  }
  return router;
}
