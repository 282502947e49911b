// GET /dataset/{id}/resource/{rid}/download/{filename}: the file of an uploaded resource (with the
// dataset's visibility rules), or a redirect to a link resource's URL, as CKAN's resource download.
import Router, { type RouterMiddleware } from '@koa/router';
import type { Kernel } from '../app.ts';
import { createActionContext } from '../actions/context.ts';
import { NotAuthorized } from '../errors.ts';
import { sendStoredFile } from './send-stored-file.ts';

export function downloadRouter(kernel: Kernel): Router {
  const { repos, knex, fileStore } = kernel.container.cradle;
  const router = new Router();
  const handler: RouterMiddleware = async (ctx) => {
    const resource = await repos.resources.get(knex, String(ctx.params.rid));
    const pkg = resource ? await repos.packages.get(knex, resource.package_id) : undefined;
    if (!resource || !pkg || (ctx.params.id !== pkg.id && ctx.params.id !== pkg.name)) {
      ctx.status = 404;
      ctx.body = 'Resource not found';
      return;
    }
    const context = createActionContext(kernel.container, { user: ctx.state.user, requestId: ctx.state.requestId });
    try {
      await context.checkAccess('resource_show', { id: resource.id, package_id: pkg.id, __package: pkg });
    } catch (err) {
      if (!(err instanceof NotAuthorized)) throw err;
      ctx.status = 403;
      ctx.body = 'Not authorized to see this resource';
      return;
    }
    if (resource.upload) {
      ctx.set('Cache-Control', pkg.private || pkg.state !== 'active' ? 'private, no-cache' : 'public, max-age=0, must-revalidate');
      await sendStoredFile(ctx, fileStore, resource.upload);
      return;
    }
    const dict = (JSON.parse(pkg.data).resources ?? []).find((r: { id: string }) => r.id === resource.id);
    // An upload whose file is not here (ckanapi load without --upload-resources, or url_type set by
    // hand) has this very route as its url: redirecting would loop. CKAN answers 404 here too.
    if (dict?.url_type === 'upload') {
      ctx.status = 404;
      ctx.body = 'Resource data not found';
      return;
    }
    if (dict?.url && /^https?:\/\//i.test(dict.url)) {
      ctx.redirect(dict.url);
      return;
    }
    ctx.status = 404;
    ctx.body = 'No download is available for this resource';
  };
  router.get('/dataset/:id/resource/:rid/download', handler);
  router.get('/dataset/:id/resource/:rid/download/:filename', handler);
  return router;
}
