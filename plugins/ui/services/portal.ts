// The portal's per-kernel services, registered in the container as `ui.portal` (and the session
// store as `ui.sessions`): translations, templates, assets, previews, lock-out.
import { gzipSync } from 'node:zlib';
import type Koa from 'koa';
import type nunjucks from 'nunjucks';
import type { Cradle } from '../../../core/container.ts';
import { I18n } from './i18n.ts';
import { createTemplateEnvironment } from './render.ts';
import { StaticAssets } from './assets.ts';
import { PreviewService } from './preview.ts';
import { LoginThrottle, SessionStore } from './session.ts';
import { PageCache, type CachedPage } from './page-cache.ts';

export interface UiConfig {
  session_days: number;
  lockout_attempts: number;
  lockout_minutes: number;
  page_size: number;
  search_facets: string[];
  preview_rows: number;
  preview_xlsx_max_mb: number;
  page_cache_seconds: number;
}

/**
 * Content-Security-Policy of every page: scripts, styles, images and form targets from this site
 * only, no inline script or style, no framing, no plugins.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export class Portal {
  readonly i18n: I18n;
  readonly env: nunjucks.Environment;
  readonly assets: StaticAssets;
  readonly previews: PreviewService;
  readonly throttle: LoginThrottle;
  readonly pageCache: PageCache;
  /**
   * Bumped after every committed write to datasets, organizations or groups in this process (see
   * index.ts): cached search pages name the generation they were rendered in. Writes by other
   * processes sharing the database show once the entry expires (ui.page_cache_seconds).
   */
  generation = 0;
  readonly ui: UiConfig;
  readonly cradle: Cradle;

  constructor(cradle: Cradle, ui: UiConfig) {
    this.cradle = cradle;
    this.ui = ui;
    this.i18n = new I18n(cradle.config.site.locale_default);
    this.env = createTemplateEnvironment();
    this.assets = new StaticAssets(new URL('../static/', import.meta.url));
    this.previews = new PreviewService(cradle.fileStore, { maxRows: ui.preview_rows, xlsxMaxMb: ui.preview_xlsx_max_mb });
    this.throttle = new LoginThrottle(cradle.knex, cradle.clock, ui.lockout_attempts, ui.lockout_minutes);
    this.pageCache = new PageCache(ui.page_cache_seconds > 0 ? 1000 : 0, ui.page_cache_seconds * 1000);
  }

  catalogueChanged(): void {
    this.generation++;
  }

  /** Is `name` enabled and does it provide `action`? Plugin pages appear only then. */
  pluginProvides(name: string, action: string): boolean {
    return this.cradle.plugins.some((plugin) => plugin.name === name) && !!this.cradle.actions.get(action);
  }
}

export function createSessionStore(cradle: Cradle, ui: UiConfig): SessionStore {
  return new SessionStore(cradle.knex, cradle.clock, ui.session_days);
}

/** Security headers of every HTML response. */
export function setPageHeaders(ctx: Koa.Context, signedIn: boolean): void {
  ctx.set('Content-Security-Policy', CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.set('Cache-Control', signedIn ? 'private, no-store' : 'no-cache');
  ctx.set('Vary', 'Cookie, Accept-Encoding');
}

/** Send a cached page (see PageCache), answering 304 when the browser already has it. */
export function sendCached(ctx: Koa.Context, entry: CachedPage): void {
  ctx.set('ETag', entry.etag);
  (ctx as unknown as { compress?: boolean }).compress = false;
  const match = ctx.get('If-None-Match');
  if (match && match.split(/\s*,\s*/).includes(entry.etag)) {
    ctx.status = 304;
    return;
  }
  ctx.status = entry.status;
  ctx.type = 'text/html; charset=utf-8';
  if (ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
    ctx.set('Content-Encoding', 'gzip');
    ctx.body = entry.gzip;
  } else {
    ctx.body = entry.html;
  }
}

/** Send HTML, gzipped when the browser accepts it and it is worth it (slow connections). */
export function sendHtml(ctx: Koa.Context, html: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  (ctx as unknown as { compress?: boolean }).compress = false;
  if (html.length > 1400 && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
    ctx.set('Content-Encoding', 'gzip');
    ctx.body = gzipSync(html, { level: 3 });
  } else {
    ctx.body = html;
  }
}
