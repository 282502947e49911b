// The Vietnamese extension of the DCAT-AP profile (documented in README.md): the publisher's
// electronic identifier code (QĐ 20/2020/QĐ-TTg), the focal-point contact as a vCard (D47 Art. 7),
// the data classification (Law on Data Art. 13), the update frequency, and the sector mapped to one
// of the National Data Portal's 12 topic groups (R58). Fields come from the compliance plugin when
// it is enabled; a dataset without them simply gets no extra triples.
import type { Quad } from 'n3';

export const VN = (local: string) => `https://w3id.org/kho/vn#${local}`;
export const TOPIC = (code: string) => `https://w3id.org/kho/vn/topic/${code}`;
const EU_FREQ = (code: string) => `http://publications.europa.eu/resource/authority/frequency/${code}`;
const EU_ACCESS = (code: string) => `http://publications.europa.eu/resource/authority/access-right/${code}`;

/** ky_cap_nhat → EU frequency vocabulary. */
export const FREQUENCIES: Record<string, string> = {
  daily: 'DAILY',
  weekly: 'WEEKLY',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  semiannual: 'ANNUAL_2',
  annual: 'ANNUAL',
  irregular: 'IRREG',
  never: 'NEVER',
};

/** phan_loai_chia_se → EU access rights: open data is public, shared data restricted, private data non-public. */
export const ACCESS_RIGHTS: Record<string, string> = { mo: 'PUBLIC', dung_chung: 'RESTRICTED', dung_rieng: 'NON_PUBLIC' };

/** Province sector (lĩnh vực) → national topic group; `federation.topic_groups` is merged over it. */
export const DEFAULT_TOPIC_GROUPS: Record<string, string> = {
  'y-te': 'y-te',
  'lao-dong': 'lao-dong',
  'khoa-hoc-cong-nghe': 'cong-nghe',
  'thong-tin-truyen-thong': 'cong-nghe',
  'nong-nghiep': 'nong-nghiep',
  'kinh-te': 'kinh-te-thuong-mai',
  'cong-thuong': 'kinh-te-thuong-mai',
  'ke-hoach-dau-tu': 'kinh-te-thuong-mai',
  'du-lich': 'kinh-te-thuong-mai',
  'giao-thong': 'co-so-ha-tang',
  'xay-dung': 'co-so-ha-tang',
  'tai-chinh': 'tai-chinh',
  'giao-duc': 'giao-duc-dao-tao',
  'xa-hoi': 'xa-hoi',
  'van-hoa': 'xa-hoi',
  'noi-vu': 'xa-hoi',
  'tu-phap': 'xa-hoi',
  'dan-toc-ton-giao': 'xa-hoi',
  'tai-nguyen-moi-truong': 'moi-truong',
};

export const TOPIC_LABELS: Record<string, [string, string]> = {
  'y-te': ['Y tế', 'Health'],
  'lao-dong': ['Lao động', 'Labour'],
  'cong-nghe': ['Công nghệ', 'Technology'],
  'nong-nghiep': ['Nông nghiệp', 'Agriculture'],
  'kinh-te-thuong-mai': ['Kinh tế – Thương mại', 'Economy and trade'],
  'co-so-ha-tang': ['Cơ sở hạ tầng', 'Infrastructure'],
  'tai-chinh': ['Tài chính', 'Finance'],
  'nang-luong': ['Năng lượng', 'Energy'],
  'giao-duc-dao-tao': ['Giáo dục – Đào tạo', 'Education and training'],
  'xa-hoi': ['Xã hội', 'Society'],
  'moi-truong': ['Môi trường', 'Environment'],
  'dia-phuong': ['Địa phương', 'Local'],
};

type DataDict = Record<string, any>;
type Factory = typeof import('n3').DataFactory;

const value = (pkg: DataDict, key: string): string | null => {
  const direct = pkg[key];
  if (direct !== undefined && direct !== null && direct !== '') return String(direct);
  const extra = (pkg.extras ?? []).find((entry: DataDict) => entry.key === key)?.value;
  return extra ? String(extra) : null;
};

const has = (quads: Quad[], subject: string, predicate: string) => quads.some((q) => q.subject.value === subject && q.predicate.value === predicate);

/** An organization's custom fields at the top level, whether the compliance plugin declared them or they are extras. */
function flatten(org: DataDict): DataDict {
  const out: DataDict = { ...org };
  for (const extra of org.extras ?? []) if (out[extra.key] === undefined || out[extra.key] === null || out[extra.key] === '') out[extra.key] = extra.value;
  return out;
}

export interface VnOptions {
  topicGroups: Record<string, string>;
  /** The organization_show dict of the dataset's publisher (custom fields included), if any. */
  organization: DataDict | null;
}

/** Adds the Vietnamese triples to a dataset's quads (in place). */
export function addVietnameseProfile(quads: Quad[], datasetIri: string, pkg: DataDict, options: VnOptions, f: Factory) {
  const { namedNode: iri, literal, blankNode, quad } = f;
  const dataset = iri(datasetIri);
  const RDF_TYPE = iri('http://www.w3.org/1999/02/22-rdf-syntax-ns#type');
  const DCT = (local: string) => iri(`http://purl.org/dc/terms/${local}`);
  const DCAT = (local: string) => iri(`http://www.w3.org/ns/dcat#${local}`);
  const VCARD = (local: string) => iri(`http://www.w3.org/2006/vcard/ns#${local}`);
  const SKOS = (local: string) => iri(`http://www.w3.org/2004/02/skos/core#${local}`);

  const frequency = value(pkg, 'ky_cap_nhat');
  if (frequency) {
    quads.push(quad(dataset, iri(VN('updateFrequency')), literal(frequency)));
    if (FREQUENCIES[frequency] && !has(quads, datasetIri, DCT('accrualPeriodicity').value)) {
      const node = iri(EU_FREQ(FREQUENCIES[frequency]));
      quads.push(quad(dataset, DCT('accrualPeriodicity'), node), quad(node, RDF_TYPE, DCT('Frequency')));
    }
  }
  const sharing = value(pkg, 'phan_loai_chia_se');
  if (sharing) {
    quads.push(quad(dataset, iri(VN('sharingClassification')), literal(sharing)));
    if (ACCESS_RIGHTS[sharing] && !has(quads, datasetIri, DCT('accessRights').value)) {
      const node = iri(EU_ACCESS(ACCESS_RIGHTS[sharing]));
      quads.push(quad(dataset, DCT('accessRights'), node), quad(node, RDF_TYPE, DCT('RightsStatement')));
    }
  }
  const importance = value(pkg, 'muc_do_quan_trong');
  if (importance) quads.push(quad(dataset, iri(VN('importance')), literal(importance)));

  const sector = value(pkg, 'linh_vuc');
  if (sector) quads.push(quad(dataset, iri(VN('sector')), literal(sector)));
  const topic = value(pkg, 'nhom_chu_de') ?? (sector ? options.topicGroups[sector] : undefined);
  if (topic) {
    const node = iri(TOPIC(topic));
    quads.push(quad(dataset, DCAT('theme'), node), quad(dataset, iri(VN('nationalTopicGroup')), literal(topic)), quad(node, RDF_TYPE, SKOS('Concept')));
    const label = TOPIC_LABELS[topic];
    if (label) quads.push(quad(node, SKOS('prefLabel'), literal(label[0], 'vi')), quad(node, SKOS('prefLabel'), literal(label[1], 'en')));
  }

  // The focal point: the dataset's own contact, else its organization's (cán bộ đầu mối).
  const org = options.organization ? flatten(options.organization) : null;
  if (org && !has(quads, datasetIri, DCAT('contactPoint').value) && (org.contact_name || org.contact_email)) {
    const contact = blankNode();
    quads.push(quad(dataset, DCAT('contactPoint'), contact), quad(contact, RDF_TYPE, VCARD('Kind')), quad(contact, RDF_TYPE, VCARD('Individual')));
    if (org.contact_name) quads.push(quad(contact, VCARD('fn'), literal(String(org.contact_name))));
    if (org.contact_email) quads.push(quad(contact, VCARD('hasEmail'), iri(`mailto:${org.contact_email}`)));
    if (org.contact_phone) quads.push(quad(contact, VCARD('hasTelephone'), iri(`tel:${String(org.contact_phone).replace(/[^0-9+]/g, '')}`)));
    if (org.contact_position) quads.push(quad(contact, VCARD('role'), literal(String(org.contact_position), 'vi')));
    quads.push(quad(contact, VCARD('organization-name'), literal(String(org.title ?? org.name))));
  }
  // The publisher's electronic identifier code (mã định danh điện tử, QĐ 20/2020/QĐ-TTg).
  const publisher = quads.find((q) => q.subject.value === datasetIri && q.predicate.value === DCT('publisher').value)?.object;
  if (org?.ma_dinh_danh && publisher && publisher.termType !== 'Literal') {
    const code = String(org.ma_dinh_danh);
    const identifier = blankNode();
    quads.push(
      quad(publisher as any, DCT('identifier'), literal(code)),
      quad(publisher as any, iri(VN('maDinhDanh')), literal(code)),
      quad(publisher as any, iri('http://www.w3.org/ns/adms#identifier'), identifier),
      quad(identifier, RDF_TYPE, iri('http://www.w3.org/ns/adms#Identifier')),
      quad(identifier, SKOS('notation'), literal(code)),
      quad(identifier, iri('http://www.w3.org/ns/adms#schemaAgency'), literal('QĐ 20/2020/QĐ-TTg', 'vi')),
    );
  }
}
