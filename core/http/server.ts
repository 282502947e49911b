// The Koa application and the HTTP server around a kernel: middleware order, plugin routes,
// health check, and a graceful shutdown that stops accepting, lets in-flight requests finish and
// then closes the kernel (workers, plugins, database).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import type { Kernel } from '../app.ts';
import { requestLog } from './request-log.ts';
import { cors } from './cors.ts';
import { authenticate } from './authenticate.ts';
import { apiRouter } from './api/router.ts';
import { downloadRouter } from './download-route.ts';
import { imageRouter } from './image-route.ts';
import { utilRouter } from './util-routes.ts';
import type { JobWorker } from '../jobs/index.ts';

const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

export function createHttpApp(kernel: Kernel): Koa {
  const { config, logger } = kernel.container.cradle;
  const app = new Koa();
  app.proxy = config.server.trust_proxy;
  app.silent = true;
  app.on('error', (err, ctx) => {
    if ((err as { status?: number }).status && (err as { status: number }).status < 500) return;
    // A client that stops reading (a cancelled download, a range reader closing early) breaks the
    // pipe of a streamed body: the server did nothing wrong, so it is no error for the operator.
    if (CLIENT_GONE.has((err as { code?: string }).code ?? '')) {
      logger.debug({ requestId: ctx?.state?.requestId, code: (err as { code?: string }).code }, 'client closed the connection during the response');
      return;
    }
    logger.error({ err, requestId: ctx?.state?.requestId }, 'unhandled request error');
  });

  app.use(requestLog(logger, config.log.requests));
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const status = (err as { status?: number }).status ?? 500;
      ctx.status = status;
      ctx.type = 'application/json;charset=utf-8';
      ctx.body = JSON.stringify(status >= 500 ? 'Internal Server Error' : (err as Error).message);
      if (status >= 500) logger.error({ err, requestId: ctx.state.requestId }, 'request failed');
    }
  });
  app.use(async (ctx, next) => {
    if (ctx.path !== '/healthz') return next();
    try {
      await kernel.database.knex.raw('select 1');
      ctx.body = { status: 'ok', database: kernel.database.kind };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', database: kernel.database.kind };
    }
  });
  app.use(cors(config));
  app.use(authenticate(kernel));

  const api = apiRouter(kernel);
  app.use(api.routes());
  app.use(api.allowedMethods());
  app.use(downloadRouter(kernel).routes());
  app.use(imageRouter(kernel).routes());
  app.use(utilRouter(kernel).routes());

  for (const { owner, mount } of kernel.extensions.routes) {
    const router = new Router();
    try {
      mount(router, kernel.container);
    } catch (err) {
      throw new Error(`Plugin "${owner}" failed to mount its routes: ${(err as Error).message}`);
    }
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}

export interface RunningServer {
  readonly server: http.Server;
  readonly url: string;
  readonly port: number;
  /** Stop accepting, finish in-flight requests (up to the timeout), stop workers, close the kernel. */
  close(): Promise<void>;
}

export async function startServer(kernel: Kernel, options: { port?: number; host?: string; workers?: boolean } = {}): Promise<RunningServer> {
  const { config, logger } = kernel.container.cradle;
  await kernel.start({ serving: true });
  const app = createHttpApp(kernel);
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // uploads of 100 MB on a slow connection take long; the per-socket timeout below guards idle clients
  server.timeout = 120_000;

  const port = options.port ?? config.server.port;
  const host = options.host ?? config.server.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const url = `http://${shownHost}:${address.port}`;

  let worker: JobWorker | null = null;
  if (options.workers ?? config.jobs.in_process) {
    worker = kernel.jobs.newWorker();
    worker.start();
    kernel.jobs.scheduler.start();
  }

  let closing: Promise<void> | null = null;
  // While shutting down, a connection whose request just finished is closed at once instead of
  // lingering as keep-alive until the timeout.
  server.on('request', (_req, res) => {
    if (closing) res.setHeader('Connection', 'close');
    res.on('finish', () => {
      if (closing) server.closeIdleConnections();
    });
  });
  const close = () => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timeout = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn('shutdown timeout: closing remaining connections');
          server.closeAllConnections();
          resolve();
        }, config.server.shutdown_timeout_ms);
        timer.unref();
      });
      await Promise.race([closed, timeout]);
      await kernel.close();
    })();
    return closing;
  };
  return { server, url, port: address.port, close };
}
