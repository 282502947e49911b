// Licences by URI: the URLs catalogues use (Creative Commons, Open Data Commons, SPDX, the EU
// licence vocabulary) mapped to Kho's licence ids, and back.
import { LICENSES, findLicense } from '../../../core/model/licenses.ts';

const EU = 'http://publications.europa.eu/resource/authority/licence/';

const KNOWN: Record<string, string> = {
  'creativecommons.org/licenses/by/4.0': 'cc-by',
  'creativecommons.org/licenses/by/3.0': 'cc-by',
  'creativecommons.org/licenses/by/2.0': 'cc-by',
  'creativecommons.org/licenses/by-sa/4.0': 'cc-by-sa',
  'creativecommons.org/licenses/by-sa/3.0': 'cc-by-sa',
  'creativecommons.org/publicdomain/zero/1.0': 'cc-zero',
  'creativecommons.org/licenses/by-nc/4.0': 'cc-nc',
  'creativecommons.org/licenses/by-nc/2.0': 'cc-nc',
  'opendatacommons.org/licenses/odbl': 'odc-odbl',
  'opendatacommons.org/licenses/odbl/1.0': 'odc-odbl',
  'opendatacommons.org/licenses/by': 'odc-by',
  'opendatacommons.org/licenses/by/1.0': 'odc-by',
  'opendatacommons.org/licenses/pddl': 'odc-pddl',
  'opendatacommons.org/licenses/pddl/1.0': 'odc-pddl',
  'www.opendefinition.org/licenses/odc-odbl': 'odc-odbl',
  'www.opendefinition.org/licenses/odc-by': 'odc-by',
  'www.opendefinition.org/licenses/odc-pddl': 'odc-pddl',
  'www.opendefinition.org/licenses/gfdl': 'gfdl',
  'spdx.org/licenses/cc-by-4.0': 'cc-by',
  'spdx.org/licenses/cc-by-sa-4.0': 'cc-by-sa',
  'spdx.org/licenses/cc0-1.0': 'cc-zero',
  'spdx.org/licenses/odbl-1.0': 'odc-odbl',
  'spdx.org/licenses/pddl-1.0': 'odc-pddl',
  'spdx.org/licenses/odc-by-1.0': 'odc-by',
  'publications.europa.eu/resource/authority/licence/cc_by_4_0': 'cc-by',
  'publications.europa.eu/resource/authority/licence/cc_bysa_4_0': 'cc-by-sa',
  'publications.europa.eu/resource/authority/licence/cc0': 'cc-zero',
  'publications.europa.eu/resource/authority/licence/odc_odbl': 'odc-odbl',
  'publications.europa.eu/resource/authority/licence/odc_by': 'odc-by',
  'publications.europa.eu/resource/authority/licence/odc_pddl': 'odc-pddl',
  'reference.data.gov.uk/id/open-government-licence': 'uk-ogl',
};

/** The EU vocabulary URI used when Kho exports a licence (DCAT-AP asks for it). */
const EXPORT: Record<string, string> = {
  'cc-by': `${EU}CC_BY_4_0`,
  'cc-by-sa': `${EU}CC_BYSA_4_0`,
  'cc-zero': `${EU}CC0`,
  'odc-odbl': `${EU}ODC_ODBL`,
  'odc-by': `${EU}ODC_BY`,
  'odc-pddl': `${EU}ODC_PDDL`,
};

function key(uri: string): string {
  return uri
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/(\.html?|\/legalcode(\.[a-z-]+)?)$/, '')
    .replace(/\/+$/, '');
}

const byUrl = new Map<string, string>(Object.entries(KNOWN));
for (const license of LICENSES) if (license.url) byUrl.set(key(license.url), license.id);

/** Kho's licence id for a licence URI, id or title; null when unknown. */
export function licenseIdFor(value: string | null | undefined): string | null {
  if (!value) return null;
  const text = value.trim();
  const direct = findLicense(text);
  if (direct) return direct.id;
  const fromUrl = byUrl.get(key(text));
  if (fromUrl) return fromUrl;
  const byTitle = LICENSES.find((license) => license.title.toLowerCase() === text.toLowerCase());
  return byTitle?.id ?? null;
}

/** A licence URI for a Kho licence id (EU vocabulary when there is one, else the licence's URL). */
export function licenseUriFor(id: string | null | undefined): string | null {
  if (!id) return null;
  const license = findLicense(id);
  if (!license) return /^https?:\/\//.test(id) ? id : null;
  return EXPORT[license.id] ?? (license.url || null);
}
