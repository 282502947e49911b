// search-elasticsearch: package_search on Elasticsearch 8 or 9 instead of PostgreSQL, for catalogues
// that outgrow the database's full-text search (the national portal). Enable it and select it:
//   plugins: [search-elasticsearch]
//   search: { backend: elasticsearch }
//   search-elasticsearch: { url: http://localhost:9200 }
// then `kho search rebuild` once. See README.md in this folder.
import { definePlugin } from '../../core/plugins/define-plugin.ts';
import { key } from '../../core/config/declare.ts';
import { createElasticsearchIndex, ELASTICSEARCH_BACKEND_NAME, FLUSH_JOB, isElasticsearchIndex, type ElasticsearchConfig } from './services/backend.ts';

export default definePlugin({
  name: 'search-elasticsearch',
  version: '1.0.0',
  description: 'Elasticsearch 8/9 backend for package_search (search.backend: elasticsearch): Vietnamese-aware mapping, durable outbox, zero-downtime rebuild',
  config: {
    url: key.string('http://localhost:9200', 'Elasticsearch URL; several nodes separated by commas.', { env: 'KHO_ES_URL' }),
    index: key.string('kho-packages', 'Alias the searches use; each rebuild makes a new index behind it and swaps the alias.'),
    username: key.string<string | null>(null, 'User for basic authentication.', { nullable: true }),
    password: key.string<string | null>(null, 'Password for basic authentication.', { nullable: true, secret: true }),
    api_key: key.string<string | null>(null, 'API key (instead of username and password).', { nullable: true, secret: true }),
    request_timeout_ms: key.integer(5000, 'How long a request to Elasticsearch may take before package_search answers Search Connection Error.', { min: 100 }),
    refresh: key.enum(['true', 'false', 'wait_for'] as const, 'true', 'Refresh after each write so that the next search sees it, as CKAN commits to Solr on every write ("false" is faster for heavy harvesting).'),
    shards: key.integer(1, 'Primary shards of a new index.', { min: 1 }),
    replicas: key.integer(1, 'Replicas of a new index (0 on a single-node cluster keeps it green).', { min: 0 }),
    bulk_size: key.integer(500, 'Datasets per bulk request.', { min: 1, max: 10000 }),
  },
  register(api) {
    const config = api.config as ElasticsearchConfig;
    api.searchBackend(ELASTICSEARCH_BACKEND_NAME, (cradle) => createElasticsearchIndex(cradle, config));
    api.migrations(new URL('./migrations', import.meta.url));
    api.jobs({
      [FLUSH_JOB]: {
        timeoutMs: 10 * 60 * 1000,
        // Retried until Elasticsearch is back: quickly at first, then once a minute.
        maxAttempts: 100_000,
        backoffMs: (attempt) => Math.min(1000 * 2 ** Math.max(0, attempt - 1), 60_000),
        async handler(_payload, job) {
          const index = job.scope.cradle.searchIndex;
          if (!isElasticsearchIndex(index)) return { flushed: 0 };
          return { flushed: await index.flush() };
        },
      },
    });
    // A safety net: whatever failed or was interrupted is flushed within a minute.
    api.schedules([{ name: FLUSH_JOB, job: FLUSH_JOB, everyMs: 60_000 }]);
  },
});
