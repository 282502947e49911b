// The plugin's configuration keys (section `harvest:` in the config file, KHO_HARVEST_* in the
// environment). Per-source options live in each source's `config` instead.
import { key, type ConfigValues } from '../../core/config/declare.ts';

export const harvestConfig = {
  timeout_minutes: key.integer(720, 'A job running longer than this is aborted with an error (ckanext-harvest\'s ckan.harvest.timeout).', { min: 1 }),
  scheduler_interval_ms: key.integer(60000, 'How often the scheduler looks for due sources and for jobs whose process stopped.', { min: 100 }),
  heartbeat_ms: key.integer(10000, 'How often a running job records that its process is alive.', { min: 50 }),
  stale_after_ms: key.integer(120000, 'A running job with no heartbeat for this long is taken as stopped and is resumed.', { min: 200 }),
  max_resumes: key.integer(3, 'How many times a job whose process stopped is resumed before it is closed with an error.', { min: 0 }),
  concurrency: key.integer(4, 'Records fetched and imported in parallel per source (a source config may lower or raise it up to max_concurrency).', { min: 1, max: 64 }),
  write_batch: key.integer(50, 'Most records written in one transaction (a batch that fails is written again record by record; 1 writes every record alone; also per source: config.write_batch).', { min: 1, max: 500 }),
  max_concurrency: key.integer(16, 'The highest concurrency a source config may ask for.', { min: 1, max: 64 }),
  request_timeout_ms: key.integer(30000, 'Timeout of each request to a source.', { min: 100 }),
  max_response_mb: key.integer(50, 'Largest response accepted from a source, in MB.', { min: 1 }),
  retries: key.integer(3, 'Retries of a request answered with 429 or 5xx or that failed on the network.', { min: 0, max: 20 }),
  retry_base_ms: key.integer(1000, 'First retry delay; doubled on each retry, unless the source sends Retry-After.', { min: 1 }),
  retry_max_wait_ms: key.integer(120000, 'Longest wait before a retry; a Retry-After beyond it fails the request.', { min: 1 }),
  max_pages: key.integer(10000, 'Most pages read from one source in one job (guards against paging that never ends).', { min: 1 }),
  page_size: key.integer(500, 'Rows asked per package_search page when harvesting a CKAN site (CKAN\'s rows_max; a site that answers fewer is paged by what it sends).', { min: 1, max: 1000 }),
  keep_jobs: key.integer(10, 'Finished jobs kept per source with their objects and errors; older ones are deleted (the current object of each dataset is kept).', { min: 1 }),
  not_overwrite_fields: key.list([], 'Dataset fields a re-harvest never overwrites once set locally (also per source: config.not_overwrite_fields).'),
  user: key.string<string | null>(null, 'Name of the user harvested datasets are created as (else the site, or a source\'s config.user).', { nullable: true }),
  timezone: key.string('Asia/Ho_Chi_Minh', 'Time zone of cron expressions in source frequencies.'),
  always_min_interval_ms: key.integer(300000, 'Frequency ALWAYS starts a new job at most this often.', { min: 1000 }),
};

export type HarvestSettings = ConfigValues<typeof harvestConfig>;
