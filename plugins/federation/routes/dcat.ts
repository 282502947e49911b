// ckanext-dcat's routes, outside /api: /catalog.{format}, /dataset/{id}.{format}, /dcat.json, and content
// negotiation on /catalog and /dataset/{id} (only when Accept prefers an RDF syntax, so the web
// portal keeps its HTML pages).
import type Router from '@koa/router';
import type { AwilixContainer } from 'awilix';
import type Koa from 'koa';
import type { Cradle } from '../../../core/container.ts';
import { createActionContext } from '../../../core/actions/context.ts';
import { ActionError } from '../../../core/errors.ts';
import { FORMATS, isFormat, negotiate, type DcatFormat } from '../services/dcat.ts';
import { listDatasets, profilesOf, renderCatalog, renderDataset } from '../actions/dcat.ts';
import type { FederationSettings } from '../settings.ts';

const SUFFIX = /^(.+)\.(rdf|xml|ttl|n3|jsonld)$/;

export function mountDcatRoutes(settings: FederationSettings) {
  return (router: Router, container: AwilixContainer<Cradle>) => {
    const respond = async (ctx: Koa.Context, type: string, render: (context: ReturnType<typeof createActionContext>) => Promise<unknown>) => {
      const context = createActionContext(container, { user: ctx.state.user ?? null, requestId: ctx.state.requestId ?? null });
      try {
        const body = await render(context);
        ctx.type = type;
        ctx.set('Vary', 'Accept');
        ctx.body = body;
      } catch (err) {
        if (!(err instanceof ActionError)) throw err;
        ctx.status = err.status;
        ctx.body = { success: false, error: { __type: err.type, ...err.body() } };
      }
    };
    const send = (ctx: Koa.Context, format: DcatFormat, render: (context: ReturnType<typeof createActionContext>) => Promise<string>) =>
      respond(ctx, `${FORMATS[format]}; charset=utf-8`, render);
    const query = (ctx: Koa.Context) => ({ ...(ctx.query as Record<string, string>) });

    router.get('/catalog.:format', async (ctx, next) => {
      const format = String(ctx.params.format).toLowerCase();
      if (!isFormat(format)) return next();
      await send(ctx, format, (context) => renderCatalog(context, settings, query(ctx), format));
    });
    // ckanext-dcat's dcat_json_interface: only page and modified_since are read from the URL.
    router.get('/dcat.json', async (ctx) => {
      const { page, modified_since } = query(ctx);
      await respond(ctx, 'application/json; charset=utf-8', (context) => listDatasets(context, settings, { page, modified_since }));
    });
    router.get('/catalog', async (ctx, next) => {
      const format = settings.content_negotiation ? negotiate(ctx.get('accept')) : null;
      if (!format) return next();
      await send(ctx, format, (context) => renderCatalog(context, settings, query(ctx), format));
    });
    router.get('/dataset/:id', async (ctx, next) => {
      const id = String(ctx.params.id);
      const suffixed = SUFFIX.exec(id);
      const format = suffixed ? (suffixed[2] as DcatFormat) : settings.content_negotiation ? negotiate(ctx.get('accept')) : null;
      if (!format) return next();
      await send(ctx, format, (context) => renderDataset(context, settings, suffixed ? suffixed[1] : id, format, profilesOf(query(ctx))));
    });
  };
}
