// Shared test tools for the harvest plugin: a harvesting Kho on loopback, a small loopback HTTP
// server for fixtures and faults, and running a job to its end.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer, type TestServerOptions } from '../../helpers/server.ts';
import type { HarvestSettings } from '../../../plugins/harvest/settings.ts';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** Settings that make retries, heartbeats and the scheduler fast enough for tests. */
export const FAST_HARVEST = {
  retry_base_ms: 20,
  retry_max_wait_ms: 2000,
  request_timeout_ms: 3000,
  heartbeat_ms: 100,
  stale_after_ms: 1500,
  scheduler_interval_ms: 200,
};

export async function startHarvester(options: { harvest?: Record<string, unknown>; workers?: boolean; config?: Record<string, any>; plugins?: TestServerOptions['plugins']; clock?: TestServerOptions['clock'] } = {}): Promise<TestServer> {
  return startTestServer({
    plugins: options.plugins ?? ['harvest'],
    workers: options.workers ?? false,
    clock: options.clock,
    config: {
      ...(options.config ?? {}),
      net: { allow_private_hosts: ['127.0.0.1', 'localhost'], ...(options.config?.net ?? {}) },
      harvest: { ...FAST_HARVEST, ...(options.harvest ?? {}) },
    },
  });
}

export function settingsOf(server: TestServer): HarvestSettings {
  return server.kernel.config.harvest as HarvestSettings;
}

/** Create a job through the API and run it here, to its end; returns the job dict. */
export async function harvestNow(server: TestServer, sourceId: string): Promise<any> {
  const job = await server.admin.call('harvest_job_create', { source_id: sourceId });
  await runJob(server, job.id);
  return server.admin.call('harvest_job_show', { id: job.id });
}

/** Run a job in the test process, with the plugin instance the kernel loaded. */
export async function runJob(server: TestServer, jobId: string, signal?: AbortSignal): Promise<any> {
  const createRunner = server.kernel.container.cradle['harvest.createRunner'] as (container: unknown) => { run(id: string, options: { signal?: AbortSignal }): Promise<unknown> };
  return createRunner(server.kernel.container).run(jobId, { signal });
}

export async function makeOrg(server: TestServer, name: string, title = name): Promise<any> {
  return server.admin.call('organization_create', { name, title });
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 15000, intervalMs = 50): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse, url: URL) => void | Promise<void>;

export interface FixtureServer {
  url: string;
  /** Requests received, by path and query. */
  requests: string[];
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

/** A loopback HTTP server; routes match on the path (a handler for "*" takes the rest). */
export async function startFixtureServer(routes: Record<string, Handler> = {}): Promise<FixtureServer> {
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname + url.search);
    const handler = table.get(url.pathname) ?? table.get('*');
    try {
      if (!handler) {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not found');
        return;
      }
      await handler(request, response, url);
    } catch (err) {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(err));
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (name, handler) => table.set(name, handler),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function send(response: http.ServerResponse, status: number, body: string | Buffer, type = 'application/json', headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': type, ...headers });
  response.end(body);
}
