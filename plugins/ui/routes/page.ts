// One page request: who is asking (from the session), in which language, the actions it may call,
// forms with their CSRF check, and rendering with the common layout variables. Every route handler
// gets one; the error mapping (404, 403 → sign-in, 500) lives here too.
import type Koa from 'koa';
import type { AwilixContainer } from 'awilix';
import getRawBody from 'raw-body';
import type { Cradle } from '../../../core/container.ts';
import type { AuthUser, DataDict } from '../../../core/actions/types.ts';
import { createActionContext } from '../../../core/actions/context.ts';
import { NotAuthorized, NotFound, ValidationError } from '../../../core/errors.ts';
import { mixed } from '../../../core/http/api/request-data.ts';
import { parseMultipart } from '../../../core/http/multipart.ts';
import { UploadTooLarge, type UploadedFile } from '../../../core/storage/file-store.ts';
import { isLocale, type Locale, type Translator } from '../services/i18n.ts';
import { sendCached, sendHtml, setPageHeaders, type Portal } from '../services/portal.ts';
import { CSRF_COOKIE, CSRF_FIELD, cookieOptions, randomToken, sameToken, SESSION_COOKIE, type PortalSession } from '../services/session.ts';

export const LANG_COOKIE = 'kho_lang';
const FLASH_COOKIE = 'kho_flash';
const FLASH_KEYS = /^[a-z_]{1,40}$/;

export class FormRejected extends Error {
  readonly status = 403;
}

/** A 404 raised by a page itself (an unknown resource id in a known dataset, …). */
export class PageNotFound extends Error {}

export interface Form {
  fields: Record<string, string | string[]>;
  files: UploadedFile[];
}

export class PageRequest {
  readonly ctx: Koa.Context;
  readonly portal: Portal;
  readonly container: AwilixContainer<Cradle>;
  private formUser: AuthUser | null = null;
  private translator: Translator | null = null;
  private anonCsrf: string | null = null;

  constructor(ctx: Koa.Context, portal: Portal, container: AwilixContainer<Cradle>) {
    this.ctx = ctx;
    this.portal = portal;
    this.container = container;
  }

  get session(): PortalSession | null {
    return (this.ctx.state.portalSession as PortalSession | undefined) ?? null;
  }

  /** The caller: the session's user (a form's user only once its CSRF token checked out), or an API token's. */
  get user(): AuthUser | null {
    return (this.ctx.state.user as AuthUser | null) ?? this.formUser;
  }

  get locale(): Locale {
    const chosen = this.ctx.cookies.get(LANG_COOKIE);
    return isLocale(chosen) ? chosen : this.portal.i18n.defaultLocale;
  }

  get tr(): Translator {
    this.translator ??= this.portal.i18n.get(this.locale);
    return this.translator;
  }

  t(key: string, params?: Record<string, unknown>): string {
    return this.tr.t(key, params);
  }

  /** Call an action as the page's user (NO SQL in pages: everything goes through actions). */
  act<T = any>(name: string, data: DataDict = {}): Promise<T> {
    const context = createActionContext(this.container, { user: this.user, requestId: this.ctx.state.requestId ?? null });
    return context.action<T>(name, data);
  }

  /** Would the auth function of `name` allow this user (for showing buttons)? */
  async allowed(name: string, data: DataDict = {}): Promise<boolean> {
    if (!this.user) return false;
    const context = createActionContext(this.container, { user: this.user, requestId: this.ctx.state.requestId ?? null });
    try {
      await context.checkAccess(name, data);
      return true;
    } catch (err) {
      if (err instanceof NotAuthorized || err instanceof NotFound || err instanceof ValidationError) return false;
      throw err;
    }
  }

  /** Like act(), but NotFound and NotAuthorized give `fallback` instead. */
  async tryAct<T = any>(name: string, data: DataDict, fallback: T): Promise<T> {
    try {
      return await this.act<T>(name, data);
    } catch (err) {
      if (err instanceof NotFound || err instanceof NotAuthorized || err instanceof ValidationError) return fallback;
      throw err;
    }
  }

  /** The CSRF token for this page's forms: the session's, or a cookie's for signed-out visitors. */
  csrfToken(): string {
    if (this.session) return this.session.record.csrf;
    if (this.anonCsrf) return this.anonCsrf;
    const existing = this.ctx.cookies.get(CSRF_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{20,64}$/.test(existing)) this.anonCsrf = existing;
    else {
      this.anonCsrf = randomToken(24);
      this.ctx.cookies.set(CSRF_COOKIE, this.anonCsrf, cookieOptions(this.ctx));
    }
    return this.anonCsrf;
  }

  /**
   * Read a POSTed form (urlencoded or multipart) and check its CSRF token against the session's
   * (or the signed-out visitor's cookie). Throws FormRejected when it does not match. Files are in
   * the store's temporary area: the caller must pass them to an action or discard them.
   */
  async form(options: { files?: boolean } = {}): Promise<Form> {
    const { config, fileStore } = this.portal.cradle;
    const type = (this.ctx.get('content-type') || '').toLowerCase();
    let fields: Record<string, string | string[]> = {};
    let files: UploadedFile[] = [];
    if (type.startsWith('multipart/form-data')) {
      if (!options.files) throw new FormRejected('files not expected');
      const body = await parseMultipart(this.ctx, fileStore, {
        maxFileBytes: config.storage.max_resource_size_mb * 1048576,
        maxBytesByField: { image_upload: config.storage.max_image_size_mb * 1048576 },
        maxFieldsBytes: config.api.max_body_mb * 1048576,
        maxFiles: 1,
      });
      fields = body.fields;
      files = body.files;
    } else {
      const text = await getRawBody(this.ctx.req, { limit: config.api.max_body_mb * 1048576, encoding: 'utf8', length: this.ctx.request.length });
      fields = mixed(new URLSearchParams(text).entries());
    }
    const sent = this.ctx.get('x-csrftoken') || this.ctx.get('x-csrf-token') || first(fields[CSRF_FIELD]);
    const expected = this.session ? this.session.record.csrf : this.ctx.cookies.get(CSRF_COOKIE);
    if (!sameToken(sent, expected)) {
      for (const file of files) await fileStore.discard(file);
      throw new FormRejected('CSRF token missing or wrong');
    }
    delete fields[CSRF_FIELD];
    if (this.session && !this.ctx.state.user) this.formUser = this.session.user;
    return { fields, files };
  }

  flash(key: string): void {
    this.ctx.cookies.set(FLASH_COOKIE, key, cookieOptions(this.ctx, 60_000));
  }

  private takeFlash(): string | null {
    const key = this.ctx.cookies.get(FLASH_COOKIE);
    if (!key) return null;
    this.ctx.cookies.set(FLASH_COOKIE, '', { ...cookieOptions(this.ctx), maxAge: 0 });
    return FLASH_KEYS.test(key) && this.tr.has(`flash.${key}`) ? this.t(`flash.${key}`) : null;
  }

  /** Redirect after a POST (303) or to a page; only to paths of this site. */
  redirect(target: string): void {
    this.ctx.status = 303;
    this.ctx.redirect(safeLocalPath(target) ?? '/');
    this.ctx.status = 303;
  }

  /** The path and query of this request, for "come back here" links. */
  get here(): string {
    return this.ctx.originalUrl;
  }

  layoutVars(): Record<string, unknown> {
    const { config } = this.portal.cradle;
    const user = this.user;
    const portal = this.portal;
    return {
      tr: this.tr,
      t: (key: string, params?: Record<string, unknown>) => this.tr.t(key, params),
      locale: this.locale,
      site: { title: config.site.title, description: config.site.description },
      user: user ? { name: user.name, sysadmin: user.sysadmin } : null,
      // Signed-out visitors get a CSRF cookie only on pages with a form that needs it (sign-in):
      // other pages set no cookie at all, so they can be cached.
      csrf: this.session ? this.session.record.csrf : (this.anonCsrf ?? ''),
      csrfField: CSRF_FIELD,
      here: this.here,
      path: this.ctx.path,
      css: portal.assets.url('kho.css'),
      js: portal.assets.url('kho.js'),
      pages: {
        harvest: portal.pluginProvides('harvest', 'harvest_source_list'),
        compliance: portal.pluginProvides('compliance', 'compliance_overview'),
        federation: portal.pluginProvides('federation', 'federation_status'),
      },
      flash: this.takeFlash(),
    };
  }

  /**
   * May this response come from (and go into) the page cache? Only for signed-out visitors, on a
   * GET, with no cookie that changes the page (a flash message, an expired session to clear).
   */
  cacheable(): boolean {
    return (this.ctx.method === 'GET' || this.ctx.method === 'HEAD') && !this.user && !this.session && !this.ctx.state.portalStaleSession && !this.ctx.cookies.get(FLASH_COOKIE);
  }

  /** The key of this page in the cache: the URL, the language, and what the caller says the page shows. */
  cacheKey(version: string): string {
    return `${this.locale}\u0000${this.ctx.originalUrl}\u0000${version}`;
  }

  /** Answer from the page cache if the page for `version` is there. */
  fromCache(version: string): boolean {
    if (!this.cacheable()) return false;
    const entry = this.portal.pageCache.get(this.cacheKey(version));
    if (!entry) return false;
    setPageHeaders(this.ctx, false);
    sendCached(this.ctx, entry);
    return true;
  }

  render(template: string, vars: Record<string, unknown> = {}, status = 200, cacheVersion?: string): void {
    const html = this.portal.env.render(template, { ...this.layoutVars(), ...vars });
    setPageHeaders(this.ctx, !!this.user || !!this.session);
    if (this.ctx.state.portalStaleSession) this.ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(this.ctx), maxAge: 0 });
    if (cacheVersion !== undefined && status === 200 && this.portal.pageCache.enabled && this.cacheable()) {
      sendCached(this.ctx, this.portal.pageCache.set(this.cacheKey(cacheVersion), html, status));
      return;
    }
    sendHtml(this.ctx, html, status);
  }

  /** JSON for the portal's own scripts (upload progress). */
  json(body: unknown, status = 200): void {
    setPageHeaders(this.ctx, true);
    this.ctx.status = status;
    this.ctx.type = 'application/json; charset=utf-8';
    this.ctx.body = JSON.stringify(body);
  }

  wantsJson(): boolean {
    return this.ctx.get('x-requested-with') === 'XMLHttpRequest';
  }

  errorPage(status: 403 | 404 | 400 | 413 | 500, message?: string): void {
    this.render('error.njk', { status, message: message ?? null }, status);
  }
}

export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function all(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A path on this site ("/dataset/x?y"), never "//evil.example" or "https://…". */
export function safeLocalPath(target: unknown): string | null {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return null;
  if (/[\u0000-\u001f\u007f]/.test(target)) return null;
  return target;
}

export type PageHandler = (page: PageRequest, next: () => Promise<unknown>) => Promise<unknown> | unknown;

/** Wrap a page handler: build the PageRequest and turn errors into pages. */
export function page(portalOf: () => Portal, container: AwilixContainer<Cradle>, handler: PageHandler): Koa.Middleware {
  return async (ctx, next) => {
    const request = new PageRequest(ctx, portalOf(), container);
    try {
      await handler(request, next);
    } catch (err) {
      await handleError(request, err);
    }
  };
}

async function handleError(request: PageRequest, err: unknown): Promise<void> {
  const { ctx } = request;
  if (err instanceof NotFound || err instanceof PageNotFound) return request.errorPage(404);
  if (err instanceof NotAuthorized) {
    if (!request.user && ctx.method === 'GET') {
      request.redirect(`/user/login?came_from=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }
    return request.errorPage(403);
  }
  if (err instanceof FormRejected) return request.errorPage(403, request.t('error.csrf'));
  if (err instanceof UploadTooLarge || (err as { status?: number }).status === 413) {
    if (request.wantsJson()) return request.json({ errors: { upload: [request.t('error.too_large')] } }, 413);
    return request.errorPage(413, request.t('error.too_large'));
  }
  const status = (err as { status?: number }).status;
  if (status === 400) return request.errorPage(400);
  request.portal.cradle.logger.error({ err, requestId: ctx.state.requestId }, 'page failed');
  request.errorPage(500);
}
