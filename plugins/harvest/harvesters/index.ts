// The harvesters this plugin ships, by `source_type`.
import { ckanHarvester } from './ckan.ts';
import { dcatRdfHarvester } from './dcat-rdf.ts';
import { dcatJsonHarvester } from './dcat-json.ts';
import { agencyApiHarvester } from './agency-api.ts';
import type { IHarvester } from './types.ts';
import { COMMON_CONFIG } from '../schemas/common-config.ts';
import type { ConfigSpec } from '../schemas/config-spec.ts';

const registry = new Map<string, IHarvester>(
  [ckanHarvester, dcatRdfHarvester, dcatJsonHarvester, agencyApiHarvester].map((harvester) => [harvester.info.name, harvester as IHarvester]),
);
export const HARVESTERS: ReadonlyMap<string, IHarvester> = registry;

/**
 * IHarvester for other plugins (ckanext-harvest's plugin entry point): a plugin that depends on
 * harvest adds its harvester here, from its init(), and gets jobs, objects and reports for free.
 */
export function registerHarvester(harvester: IHarvester): void {
  const existing = registry.get(harvester.info.name);
  if (existing && existing !== harvester) throw new Error(`A harvester named "${harvester.info.name}" is already registered`);
  registry.set(harvester.info.name, harvester);
}

/** The harvester's own options plus the ones every harvester accepts. */
export function fullConfigSpec(harvester: IHarvester): ConfigSpec {
  return { ...COMMON_CONFIG, ...harvester.config };
}
