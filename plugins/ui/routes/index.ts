// Mounting the portal's routes. Console URLs that look like public ones (/dataset/new against
// /dataset/{name}) are registered first.
import type Router from '@koa/router';
import type { AwilixContainer } from 'awilix';
import type { Cradle } from '../../../core/container.ts';
import type { Portal } from '../services/portal.ts';
import { STATIC_PREFIX } from '../services/session.ts';
import { page, PageRequest, type PageHandler } from './page.ts';
import { publicRoutes } from './public.ts';
import { accountRoutes } from './account.ts';
import { consoleRoutes } from './console.ts';
import { adminRoutes } from './admin.ts';
import { pluginRoutes } from './plugin-pages.ts';

export type Route = ['get' | 'post', string, PageHandler];

export function mountPortal(router: Router, container: AwilixContainer<Cradle>): void {
  const portalOf = () => container.resolve<Portal>('ui.portal');
  // Build the services now: template or asset problems show at start-up, not on the first visit.
  portalOf();
  router.get(`${STATIC_PREFIX}:name`, (ctx, next) => (portalOf().assets.serve(ctx, String(ctx.params.name)) ? undefined : next()));
  for (const [method, path, handler] of [...accountRoutes, ...consoleRoutes, ...adminRoutes, ...pluginRoutes, ...publicRoutes]) {
    router[method](path, page(portalOf, container, handler));
  }
}

/** Browsers asking for a page nobody answered get an HTML 404 in their language. */
export function mountNotFound(router: Router, container: AwilixContainer<Cradle>): void {
  router.get('/{*rest}', async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body !== undefined && ctx.body !== null) return;
    if (!ctx.accepts('html') || ctx.accepts('html', 'json') !== 'html' || ctx.path.startsWith('/api/')) return;
    new PageRequest(ctx, container.resolve<Portal>('ui.portal'), container).errorPage(404);
  });
}
