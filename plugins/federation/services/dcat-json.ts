// ckanext-dcat's JSON interface (`dcat_json_interface`: GET /dcat.json, action dcat_datasets_list):
// each dataset of a catalogue page as the flat DCAT-style dict of its converters.ckan_to_dcat, for
// clients (and ckanext-dcat's dcat_json harvester) that read that rather than RDF.
import type { DataDict } from '../../../core/actions/types.ts';

export function ckanToDcat(pkg: DataDict): DataDict {
  const out: DataDict = {
    title: pkg.title ?? null,
    description: pkg.notes ?? null,
    landingPage: pkg.url ?? null,
    keyword: (Array.isArray(pkg.tags) ? pkg.tags : []).map((tag: DataDict) => tag.name),
  };
  const publisher: DataDict = {};
  const creator: DataDict = {};
  for (const { key, value } of (Array.isArray(pkg.extras) ? pkg.extras : []) as Array<{ key: string; value: string }>) {
    if (key === 'dcat_issued' || key === 'dcat_modified') out[key.slice(5)] = value;
    else if (key === 'language') out.language = String(value).split(',');
    else if (key === 'dcat_publisher_name') publisher.name = value;
    else if (key === 'dcat_publisher_email') publisher.email = value;
    else if (key === 'dcat_publisher_id') publisher.identifier = value;
    else if (key === 'dcat_creator_name') creator.name = value;
    else if (key === 'dcat_creator_email') creator.email = value;
    else if (key === 'dcat_creator_id') creator.identifier = value;
    else if (key === 'guid') out.identifier = value;
  }
  if (!publisher.name && pkg.maintainer) {
    publisher.name = pkg.maintainer;
    if (pkg.maintainer_email) publisher.email = pkg.maintainer_email;
  }
  if (!creator.name && pkg.author) {
    creator.name = pkg.author;
    if (pkg.author_email) creator.email = pkg.author_email;
  }
  out.publisher = publisher;
  out.creator = creator;
  out.distribution = (Array.isArray(pkg.resources) ? pkg.resources : []).map((resource: DataDict) => ({
    title: resource.name ?? null,
    description: resource.description ?? null,
    format: resource.format ?? null,
    byteSize: resource.size ?? null,
    accessURL: resource.url ?? null,
  }));
  return out;
}
