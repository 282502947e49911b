// The search backends the conformance suite runs against: the core's PostgreSQL backend always (on
// PGlite, and on a PostgreSQL server with TEST_DATABASE_URL), and the search-elasticsearch plugin
// when ES_URL points at an Elasticsearch 8 or 9 (each suite gets its own index alias, removed after);
// without ES_URL its suites are reported as pending.
import { randomBytes } from 'node:crypto';
import { startTestServer, type TestServer, type TestServerOptions } from '../../helpers/server.ts';

export interface SearchBackend {
  name: string;
  /** Why the backend's suites cannot run here, or null. */
  skipReason: string | null;
  /** startTestServer with this backend selected (and the caller's own options merged in). */
  startServer(options?: TestServerOptions): Promise<TestServer>;
}

const postgres: SearchBackend = {
  name: 'postgres',
  skipReason: null,
  startServer: (options = {}) => startTestServer(options),
};

function elasticsearch(url: string | undefined): SearchBackend {
  return {
    name: 'elasticsearch',
    skipReason: url ? null : 'ES_URL is not set (e.g. ES_URL=http://localhost:9200)',
    async startServer(options = {}) {
      const alias = `kho-test-${randomBytes(5).toString('hex')}`;
      const config = options.config ?? {};
      const server = await startTestServer({
        ...options,
        plugins: ['search-elasticsearch', ...(options.plugins ?? [])],
        config: {
          ...config,
          search: { ...(config.search ?? {}), backend: 'elasticsearch' },
          'search-elasticsearch': { url: url!, index: alias, replicas: 0, refresh: 'true', ...(config['search-elasticsearch'] ?? {}) },
        },
      });
      const close = server.close.bind(server);
      return Object.assign(server, {
        async close() {
          await close();
          // The test's indices go with it.
          await fetch(`${url!.replace(/\/$/, '')}/${alias}-*`, { method: 'DELETE' }).catch(() => undefined);
        },
      });
    },
  };
}

export function searchBackends(): SearchBackend[] {
  return [postgres, elasticsearch(process.env.ES_URL)];
}
