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
};

export type FederationSettings = ConfigValues<typeof federationConfig>;
