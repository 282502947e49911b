// The licence register behind license_list / license_show and each dataset's license_title and
// isopen. CKAN's default ids are kept (harvested CKAN datasets keep their licence), with the
// Vietnamese statutory open-data terms added: Law on E-Transactions 2023, Art. 43 makes open data
// free to access and reuse with attribution, and provinces cite it as the default.

export interface License {
  id: string;
  title: string;
  url: string;
  family: string;
  maintainer: string;
  status: 'active' | 'deleted';
  is_generic: boolean;
  domain_content: boolean;
  domain_data: boolean;
  domain_software: boolean;
  od_conformance: 'approved' | 'not reviewed' | 'rejected';
  osd_conformance: 'approved' | 'not reviewed' | 'rejected';
}

const open = { od_conformance: 'approved', osd_conformance: 'not reviewed' } as const;
const closed = { od_conformance: 'not reviewed', osd_conformance: 'not reviewed' } as const;
const base = { family: '', maintainer: '', status: 'active', is_generic: false, domain_content: false, domain_data: false, domain_software: false } as const;

export const LICENSES: readonly License[] = [
  { ...base, ...closed, id: 'notspecified', title: 'License not specified', url: '', is_generic: true, domain_content: true, domain_data: true },
  { ...base, ...open, id: 'vn-let-43', title: 'Dữ liệu mở theo Điều 43 Luật Giao dịch điện tử 2023 (Open data, Law on E-Transactions Art. 43)', url: 'https://vanban.chinhphu.vn/?pageid=27160&docid=208406', domain_content: true, domain_data: true },
  { ...base, ...open, id: 'odc-pddl', title: 'Open Data Commons Public Domain Dedication and License (PDDL)', url: 'http://www.opendefinition.org/licenses/odc-pddl', domain_data: true },
  { ...base, ...open, id: 'odc-odbl', title: 'Open Data Commons Open Database License (ODbL)', url: 'http://www.opendefinition.org/licenses/odc-odbl', domain_data: true },
  { ...base, ...open, id: 'odc-by', title: 'Open Data Commons Attribution License', url: 'http://www.opendefinition.org/licenses/odc-by', domain_data: true },
  { ...base, ...open, id: 'cc-zero', title: 'Creative Commons CCZero (CC0 1.0)', url: 'https://creativecommons.org/publicdomain/zero/1.0/', domain_content: true, domain_data: true },
  { ...base, ...open, id: 'cc-by', title: 'Creative Commons Attribution 4.0 (CC BY 4.0)', url: 'https://creativecommons.org/licenses/by/4.0/', domain_content: true, domain_data: true },
  { ...base, ...open, id: 'cc-by-sa', title: 'Creative Commons Attribution Share-Alike 4.0 (CC BY-SA 4.0)', url: 'https://creativecommons.org/licenses/by-sa/4.0/', domain_content: true, domain_data: true },
  { ...base, ...open, id: 'gfdl', title: 'GNU Free Documentation License', url: 'http://www.opendefinition.org/licenses/gfdl', domain_content: true },
  { ...base, ...open, id: 'other-open', title: 'Other (Open)', url: '', is_generic: true, domain_content: true },
  { ...base, ...open, id: 'other-pd', title: 'Other (Public Domain)', url: '', is_generic: true, domain_content: true },
  { ...base, ...open, id: 'other-at', title: 'Other (Attribution)', url: '', is_generic: true, domain_content: true },
  { ...base, ...open, id: 'uk-ogl', title: 'UK Open Government Licence (OGL)', url: 'http://reference.data.gov.uk/id/open-government-licence', domain_content: true },
  { ...base, ...closed, id: 'cc-nc', title: 'Creative Commons Non-Commercial (Any)', url: 'http://creativecommons.org/licenses/by-nc/2.0/' },
  { ...base, ...closed, id: 'other-nc', title: 'Other (Non-Commercial)', url: '', is_generic: true, domain_content: true },
  { ...base, ...closed, id: 'other-closed', title: 'Other (Not Open)', url: '', is_generic: true, domain_content: true },
];

const byId = new Map(LICENSES.map((license) => [license.id, license]));
// Identifiers other catalogues use for the same licences (SPDX, older CKAN ids).
const aliases: Record<string, string> = {
  'CC-BY-4.0': 'cc-by',
  'cc-by-4.0': 'cc-by',
  'CC0-1.0': 'cc-zero',
  'cc0': 'cc-zero',
  'ODbL-1.0': 'odc-odbl',
  'odbl': 'odc-odbl',
  'CC-BY-SA-4.0': 'cc-by-sa',
};

export function findLicense(id: string | null | undefined): License | undefined {
  if (!id) return undefined;
  return byId.get(id) ?? byId.get(aliases[id] ?? '');
}

export function isOpenLicense(license: License | undefined): boolean {
  return !!license && (license.od_conformance === 'approved' || license.osd_conformance === 'approved');
}

/** CKAN's license dict: every attribute as a string, booleans as "True"/"False" (ckan/model/license.py). */
export function licenseDict(license: License): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(license)) out[key] = typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
  return out;
}
