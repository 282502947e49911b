// Every configuration key the core understands. config/default.yaml mirrors this file; plugins
// declare their own keys under a section named after the plugin.
import { key, type ConfigValues } from './declare.ts';

export const coreConfigDecl = {
  server: {
    port: key.integer(5000, 'HTTP port (CKAN uses 5000 too).', { env: 'KHO_PORT', min: 0, max: 65535 }),
    host: key.string('0.0.0.0', 'Interface to listen on.', { env: 'KHO_HOST' }),
    shutdown_timeout_ms: key.integer(15000, 'How long a graceful shutdown waits for in-flight requests.', { min: 0 }),
    trust_proxy: key.boolean(false, 'Trust X-Forwarded-* headers (set when behind nginx or a load balancer).'),
  },
  site: {
    url: key.url('http://localhost:5000', 'Public base URL, used in help links, upload URLs and DCAT URIs (ckan.site_url).', { env: 'KHO_SITE_URL' }),
    id: key.string('default', 'Site id (ckan.site_id).'),
    title: key.string('Cổng dữ liệu mở', 'Site title shown by status_show (ckan.site_title).'),
    description: key.string('', 'Site description (ckan.site_description).'),
    locale_default: key.string('vi', 'Default locale (ckan.locale_default).'),
    error_emails_to: key.string<string | null>(null, 'Address shown by status_show.', { nullable: true }),
    hide_version: key.boolean(false, 'Hide ckan_version from status_show for non-sysadmins (ckan.hide_version).'),
  },
  data_dir: key.string('./data', 'Folder for the embedded database, uploads and the lock file.', { env: 'KHO_DATA_DIR' }),
  database: {
    url: key.string<string | null>(null, 'postgres:// URL of a PostgreSQL server. Empty means the embedded PGlite in <data_dir>/pg.', { env: 'KHO_DATABASE_URL', nullable: true, secret: true }),
    pool_max: key.integer(10, 'Connections in the PostgreSQL pool.', { min: 1 }),
  },
  plugins: key.list([], 'Plugins to enable, in order (ckan.plugins).', { env: 'KHO_PLUGINS' }),
  log: {
    level: key.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info', 'Log level.', { env: 'KHO_LOG_LEVEL' }),
    requests: key.boolean(true, 'Log one line per HTTP request.'),
  },
  auth: {
    create_unowned_dataset: key.boolean(false, 'Allow datasets without an organization (ckan.auth.create_unowned_dataset).'),
    allow_dataset_collaborators: key.boolean(false, 'Enable package_collaborator_* (ckan.auth.allow_dataset_collaborators).'),
    allow_admin_collaborators: key.boolean(false, 'Allow the admin capacity for collaborators (ckan.auth.allow_admin_collaborators).'),
    allow_collaborators_to_change_owner_org: key.boolean(false, 'ckan.auth.allow_collaborators_to_change_owner_org.'),
    user_create_organizations: key.boolean(true, 'Any signed-in user may create organizations (ckan.auth.user_create_organizations).'),
    user_create_groups: key.boolean(true, 'Any signed-in user may create groups (ckan.auth.user_create_groups).'),
    create_user_via_api: key.boolean(false, 'Anonymous callers may call user_create (ckan.auth.create_user_via_api).'),
    public_user_details: key.boolean(true, 'Anonymous callers may see user details (ckan.auth.public_user_details).'),
    create_initial_admin: key.boolean(true, 'On first start with an empty database create sysadmin "admin" and print its API token.'),
    token_last_access_interval_s: key.integer(60, 'How often (seconds) an API token\'s last_access is written.', { min: 0 }),
  },
  api: {
    cors_origin_allow_all: key.boolean(false, 'Answer CORS for any Origin (ckan.cors.origin_allow_all).'),
    cors_origin_whitelist: key.list([], 'Origins allowed for CORS (ckan.cors.origin_whitelist).'),
    max_body_mb: key.integer(10, 'Largest JSON or form body accepted on the Action API, in MB.', { min: 1 }),
    ckan_version: key.string('2.11.5', 'CKAN version reported by status_show; clients sniff it.'),
  },
  search: {
    backend: key.string('postgres', 'SearchIndex backend; plugins can provide others (e.g. elasticsearch).'),
    rows_max: key.integer(1000, 'Largest rows for package_search (ckan.search.rows_max).', { min: 1 }),
    default_package_sort: key.string('score desc, metadata_modified desc', 'ckan.search.default_package_sort.'),
    facets_limit: key.integer(50, 'Default facet.limit (search.facets.limit).', { min: -1 }),
    facets_limit_max: key.integer(10000, 'Most values one facet lists, whatever facet.limit asks (-1 included): facet.field=["name"] would otherwise list every dataset.', { min: 1 }),
    facets_default: key.integer(10, 'Facet items shown by default in the UI (search.facets.default).', { min: 1 }),
    timeout_ms: key.integer(10000, 'Longest a package_search may run on a PostgreSQL server before it is stopped and answered 409 Search Error (0: no limit; PGlite cannot stop a statement).', { min: 0 }),
    cache_mb: key.integer(64, 'Memory for cached package_search results of the postgres backend, cleared by every dataset write (0 turns it off).', { min: 0 }),
    memory_index: key.boolean(true, 'Answer common package_search queries of the postgres backend from an in-memory copy of its index (about 2.3 KB a dataset); the database answers the others.'),
  },
  groups: {
    list_max: key.integer(1000, 'ckan.group_and_organization_list_max.', { min: 1 }),
    list_all_fields_max: key.integer(25, 'ckan.group_and_organization_list_all_fields_max.', { min: 1 }),
  },
  storage: {
    path: key.string<string | null>(null, 'Where uploaded files live. Empty means <data_dir>/storage.', { nullable: true }),
    max_resource_size_mb: key.integer(100, 'Largest resource upload in MB (ckan.max_resource_size).', { min: 1 }),
    max_image_size_mb: key.integer(2, 'Largest organization, group or user image upload (image_upload) in MB (ckan.max_image_size).', { min: 1 }),
  },
  net: {
    allow_private_hosts: key.list([], 'Hosts, addresses or CIDR ranges that harvesting and link checks may reach although they are not public (e.g. an agency system on the government intranet, 10.20.0.0/16).'),
    user_agent: key.string('Kho/0.1 (open-data portal; +https://github.com/kho-opendata)', 'User-Agent of outbound requests.'),
    timeout_ms: key.integer(30000, 'Timeout of one outbound request.', { min: 100 }),
    max_response_mb: key.integer(50, 'Largest outbound response body, in MB.', { min: 1 }),
    max_redirects: key.integer(5, 'Redirects followed by an outbound request.', { min: 0 }),
  },
  cache: {
    package_entries: key.integer(5000, 'Datasets kept in memory for package_show (0 turns the cache off). With PostgreSQL the cache follows other processes\' writes via LISTEN/NOTIFY.', { min: 0 }),
  },
  jobs: {
    in_process: key.boolean(true, 'Run job workers inside the server process. Turn off when running `kho jobs worker` apart.'),
    concurrency: key.integer(2, 'Jobs one worker process runs at once.', { min: 1 }),
    poll_interval_ms: key.integer(1000, 'How often an idle worker looks for due jobs.', { min: 10 }),
    lease_ms: key.integer(60000, 'How long a claimed job stays claimed without a heartbeat before another worker may take it.', { min: 1000 }),
    default_timeout_ms: key.integer(600000, 'Timeout of a job whose type does not set its own.', { min: 100 }),
    max_attempts: key.integer(5, 'Attempts before a job is marked failed, unless its type says otherwise.', { min: 1 }),
    keep_finished_days: key.integer(14, 'Finished and failed jobs older than this are deleted.', { min: 0 }),
  },
} as const;

export type CoreConfig = ConfigValues<typeof coreConfigDecl>;

/** The loaded configuration: core keys, plus one section per plugin. */
export type Config = CoreConfig & { readonly [pluginSection: string]: unknown };
