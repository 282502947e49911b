// The harvesters this plugin ships, by `source_type`.
import { ckanHarvester } from './ckan.ts';
import { dcatRdfHarvester } from './dcat-rdf.ts';
import { dcatJsonHarvester } from './dcat-json.ts';
import { agencyApiHarvester } from './agency-api.ts';
import type { IHarvester } from './types.ts';
import { COMMON_CONFIG } from '../schemas/common-config.ts';
import type { ConfigSpec } from '../schemas/config-spec.ts';

export const HARVESTERS: ReadonlyMap<string, IHarvester> = new Map(
  [ckanHarvester, dcatRdfHarvester, dcatJsonHarvester, agencyApiHarvester].map((harvester) => [harvester.info.name, harvester as IHarvester]),
);

/** The harvester's own options plus the ones every harvester accepts. */
export function fullConfigSpec(harvester: IHarvester): ConfigSpec {
  return { ...COMMON_CONFIG, ...harvester.config };
}
