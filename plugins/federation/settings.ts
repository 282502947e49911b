// The plugin's configuration keys (section `federation:` in the config file, KHO_FEDERATION_* in
// the environment). Members (national mode) are data, managed through federation_member_* actions.
import { key, type ConfigValues } from '../../core/config/declare.ts';

export const federationConfig = {
  changes_page_size: key.integer(100, 'Changes returned per federation_changes page when the caller does not pass limit.', { min: 1, max: 1000 }),
  changes_max_page_size: key.integer(1000, 'Largest limit a federation_changes caller may ask for.', { min: 1, max: 10000 }),
  datasets_per_page: key.integer(100, 'Datasets per page of /catalog.{format} (ckanext.dcat.datasets_per_page).', { min: 1, max: 1000 }),
  base_uri: key.string<string | null>(null, 'Base of the catalogue, dataset and distribution URIs in DCAT output (ckanext.dcat.base_uri); default site.url.', { nullable: true }),
  content_negotiation: key.boolean(true, 'Answer /catalog and /dataset/{id} in RDF when the Accept header prefers an RDF syntax (ckanext.dcat.enable_content_negotiation).'),
  topic_groups: key.object<Record<string, string>>({}, 'Sector code → national topic group (one of the 12 groups of the National Data Portal); merged over the built-in mapping.'),
  stale_after_minutes: key.integer(1440, 'National mode: a member with no successful sync for this long is reported stale by federation_status.', { min: 1 }),
  member_concurrency: key.integer(4, 'National mode: members pulled at the same time (the others wait their turn).', { min: 1, max: 64 }),
  push_url: key.string<string | null>(null, 'Push mode: the national portal (any CKAN-compatible Action API) this province pushes its public datasets into; null turns push off.', { nullable: true }),
  push_token: key.string<string | null>(null, 'Push mode: API token of the account at the national portal (a sysadmin there keeps the local dataset ids).', { nullable: true, secret: true }),
  push_schedule: key.string<string | null>(null, 'Push mode: when to push by itself — a five-field cron expression (timezone Asia/Ho_Chi_Minh) or HOURLY, DAILY, WEEKLY; null pushes only when federation_push is called.', { nullable: true }),
  push_organizations: key.object<Record<string, string>>({}, 'Push mode: local organization name → organization name at the national portal (created there on first use).'),
  push_organization_prefix: key.string('', 'Push mode: prefix of the national organization name of a local organization not in push_organizations.'),
  push_page_size: key.integer(100, 'Push mode: changes read and written per step; the cursor is saved after each step.', { min: 1, max: 1000 }),
  push_max_attempts: key.integer(10, 'Push mode: attempts of a push job before it is left failed (until the next run).', { min: 1, max: 1000 }),
  push_retry_base_ms: key.integer(5000, 'Push mode: wait before the first retry of a failed push, doubled at each attempt.', { min: 1 }),
  push_retry_max_ms: key.integer(600000, 'Push mode: longest wait between two attempts.', { min: 1 }),
  push_timeout_ms: key.integer(30000, 'Push mode: timeout of each request to the national portal.', { min: 100 }),
};

export type FederationSettings = ConfigValues<typeof federationConfig>;
