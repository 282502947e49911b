// The quality score out of 505: data.europa.eu's Metadata Quality Assessment (405 points in five
// dimensions; distribution-level indicators score the share of distributions that pass) plus 100
// points of Vietnamese legal and timeliness checks (vn-legal.md §7.2). The weights and bands are
// parameters of the quality_score rule in the national pack; this file only knows how to test each
// indicator on a package dict and what to tell the publisher to fix.
import type { DataDict } from '../../../core/actions/types.ts';
import { findLicense } from '../../../core/model/licenses.ts';
import { FORMAT_LABELS } from '../../../core/storage/mimetype.ts';
import { t, type Localized } from './i18n.ts';
import type { ScoreIndicator } from './rule-kinds.ts';
import type { Rule } from './packs.ts';
import type { LinkState } from './types.ts';
import { extra, IMPORTANCE, privacyPassed, SHARING } from './dataset-state.ts';
import { checkOrganizationCode } from './qd20.ts';

export type Dimension = 'findability' | 'accessibility' | 'interoperability' | 'reusability' | 'contextuality' | 'vn_legal';

interface IndicatorInfo {
  dimension: Dimension;
  label: Localized;
  fix: Localized;
}

export const INDICATORS: Record<ScoreIndicator, IndicatorInfo> = {
  keywords: { dimension: 'findability', label: t('Từ khóa', 'Keywords'), fix: t('Thêm ít nhất một từ khóa (tags)', 'Add at least one keyword (tags)') },
  themes: { dimension: 'findability', label: t('Chủ đề, lĩnh vực', 'Theme or category'), fix: t('Gán lĩnh vực (linh_vuc), nhóm chủ đề (nhom_chu_de) hoặc nhóm', 'Set a sector (linh_vuc), a national topic group (nhom_chu_de) or a group') },
  spatial: { dimension: 'findability', label: t('Phạm vi không gian', 'Spatial coverage'), fix: t('Thêm extra "spatial" hoặc "spatial_uri" (mã đơn vị hành chính)', 'Add a "spatial" or "spatial_uri" extra (administrative unit)') },
  temporal: { dimension: 'findability', label: t('Phạm vi thời gian', 'Temporal coverage'), fix: t('Thêm extra "temporal_start" / "temporal_end"', 'Add "temporal_start" / "temporal_end" extras') },
  access_url_reachable: { dimension: 'accessibility', label: t('Đường dẫn truy cập hoạt động', 'Access URL reachable'), fix: t('Sửa các đường dẫn tài nguyên không truy cập được (kiểm tra liên kết)', 'Fix resource URLs that do not answer 2xx (see the link checks)') },
  download_url_present: { dimension: 'accessibility', label: t('Có đường dẫn tải về', 'Download URL present'), fix: t('Cung cấp tệp tải về trực tiếp (tải lên tệp hoặc đường dẫn tới tệp)', 'Provide direct download files (upload, or link to the file)') },
  download_url_reachable: { dimension: 'accessibility', label: t('Đường dẫn tải về hoạt động', 'Download URL reachable'), fix: t('Sửa các đường dẫn tải về không truy cập được', 'Fix download URLs that do not answer 2xx') },
  format: { dimension: 'interoperability', label: t('Định dạng', 'Format'), fix: t('Ghi định dạng (format) cho mọi tài nguyên', 'Set the format of every resource') },
  media_type: { dimension: 'interoperability', label: t('Kiểu phương tiện (media type)', 'Media type'), fix: t('Ghi kiểu MIME (mimetype) cho mọi tài nguyên', 'Set the media type (mimetype) of every resource') },
  format_vocabulary: { dimension: 'interoperability', label: t('Định dạng theo danh mục chuẩn', 'Format from a vocabulary'), fix: t('Dùng tên định dạng chuẩn (CSV, JSON, XLSX…)', 'Use a standard format label (CSV, JSON, XLSX…)') },
  non_proprietary: { dimension: 'interoperability', label: t('Định dạng mở', 'Non-proprietary format'), fix: t('Cung cấp thêm bản ở định dạng mở (CSV, JSON, ODS…)', 'Add a copy in a non-proprietary format (CSV, JSON, ODS…)') },
  machine_readable: { dimension: 'interoperability', label: t('Máy đọc được', 'Machine-readable'), fix: t('Cung cấp dữ liệu máy đọc được thay vì PDF, ảnh', 'Provide machine-readable data rather than PDF or images') },
  dcat_ap_mandatory: { dimension: 'interoperability', label: t('Đủ thuộc tính bắt buộc DCAT-AP', 'DCAT-AP mandatory properties'), fix: t('Bổ sung tiêu đề, mô tả, cơ quan công bố và ít nhất một tài nguyên có đường dẫn', 'Provide a title, a description, the publisher and at least one resource with a URL') },
  licence: { dimension: 'reusability', label: t('Giấy phép', 'Licence'), fix: t('Chọn giấy phép (license_id), ví dụ vn-let-43', 'Choose a licence (license_id), e.g. vn-let-43') },
  licence_vocabulary: { dimension: 'reusability', label: t('Giấy phép theo danh mục', 'Licence from the vocabulary'), fix: t('Dùng giấy phép có trong license_list', 'Use a licence from license_list') },
  access_rights: { dimension: 'reusability', label: t('Quyền truy cập (phân loại chia sẻ)', 'Access rights (sharing classification)'), fix: t('Phân loại dữ liệu theo tính chất chia sẻ (phan_loai_chia_se)', 'Classify the dataset by sharing nature (phan_loai_chia_se)') },
  access_rights_vocabulary: { dimension: 'reusability', label: t('Quyền truy cập theo danh mục', 'Access rights from the vocabulary'), fix: t('Dùng giá trị mo, dung_chung hoặc dung_rieng', 'Use mo, dung_chung or dung_rieng') },
  contact_point: { dimension: 'reusability', label: t('Đầu mối liên hệ', 'Contact point'), fix: t('Bổ sung thư điện tử cán bộ đầu mối của cơ quan (contact_email)', "Fill in the organization's focal-point email (contact_email)") },
  publisher: { dimension: 'reusability', label: t('Cơ quan công bố', 'Publisher'), fix: t('Gán dữ liệu cho một tổ chức (owner_org)', 'Assign the dataset to an organization (owner_org)') },
  rights: { dimension: 'contextuality', label: t('Điều khoản sử dụng', 'Rights statement'), fix: t('Nhập điều khoản sử dụng (terms_of_use)', 'Write the terms of use (terms_of_use)') },
  byte_size: { dimension: 'contextuality', label: t('Dung lượng', 'Byte size'), fix: t('Ghi dung lượng (size) của mọi tài nguyên', 'Set the size of every resource') },
  issued: { dimension: 'contextuality', label: t('Ngày công bố', 'Issued date'), fix: t('Nhập ngày công bố dữ liệu (data_issued)', 'Set the date the data was first issued (data_issued)') },
  modified: { dimension: 'contextuality', label: t('Ngày cập nhật dữ liệu', 'Data modified date'), fix: t('Nhập ngày cập nhật dữ liệu (data_modified)', 'Set when the data last changed (data_modified)') },
  vn_classification: { dimension: 'vn_legal', label: t('Phân loại theo hai tiêu chí (Luật Dữ liệu Điều 13)', 'Both classifications (Law on Data Art. 13)'), fix: t('Nhập phan_loai_chia_se và muc_do_quan_trong', 'Set phan_loai_chia_se and muc_do_quan_trong') },
  vn_focal_point: { dimension: 'vn_legal', label: t('Cán bộ đầu mối đầy đủ (NĐ 47 Điều 7)', 'Complete focal point (Decree 47 Art. 7)'), fix: t('Bổ sung họ tên, chức vụ, điện thoại, thư điện tử cán bộ đầu mối của cơ quan', "Fill in the organization's focal point: name, position, phone, email") },
  vn_publisher_code: { dimension: 'vn_legal', label: t('Mã định danh cơ quan hợp lệ (QĐ 20/2020)', 'Valid agency code (Decision 20/2020)'), fix: t('Nhập mã định danh điện tử của cơ quan (ma_dinh_danh)', "Set the organization's electronic identifier code (ma_dinh_danh)") },
  vn_open_machine_readable: { dimension: 'vn_legal', label: t('Có tệp mở, máy đọc được (Luật GDĐT Điều 43)', 'An open, machine-readable file (LET Art. 43)'), fix: t('Cung cấp ít nhất một tệp CSV, JSON hoặc định dạng mở máy đọc được', 'Provide at least one CSV, JSON or other open machine-readable file') },
  vn_anonymous_access: { dimension: 'vn_legal', label: t('Truy cập không cần đăng nhập (Luật GDĐT Điều 43 khoản 3)', 'Access without login (LET Art. 43(3))'), fix: t('Công khai dữ liệu và bảo đảm tài nguyên tải được không cần đăng nhập', 'Make the dataset public and its files downloadable without logging in') },
  vn_fresh: { dimension: 'vn_legal', label: t('Cập nhật đúng hạn', 'Kept up to date'), fix: t('Cập nhật dữ liệu (hoặc xác nhận không thay đổi) theo tần suất và quy định của tỉnh', 'Update the data (or attest no change) per its frequency and the provincial rule') },
  vn_privacy_review: { dimension: 'vn_legal', label: t('Đã rà soát dữ liệu cá nhân (NĐ 47 Điều 5)', 'Privacy review attested (Decree 47 Art. 5)'), fix: t('Xác nhận đã rà soát dữ liệu cá nhân (privacy_review)', 'Attest the privacy review (privacy_review)') },
  vn_data_dictionary: { dimension: 'vn_legal', label: t('Có từ điển dữ liệu, cấu trúc', 'Data dictionary or schema'), fix: t('Thêm tài nguyên mô tả cấu trúc dữ liệu (resource_type: data_dictionary)', 'Add a resource describing the data structure (resource_type: data_dictionary)') },
  vn_terms_of_use: { dimension: 'vn_legal', label: t('Điều khoản sử dụng kèm ghi nguồn', 'Terms of use with attribution'), fix: t('Nhập điều khoản sử dụng (terms_of_use)', 'Write the terms of use (terms_of_use)') },
};

export const DIMENSIONS: Record<Dimension, Localized> = {
  findability: t('Khả năng tìm thấy', 'Findability'),
  accessibility: t('Khả năng truy cập', 'Accessibility'),
  interoperability: t('Khả năng tương tác', 'Interoperability'),
  reusability: t('Khả năng tái sử dụng', 'Reusability'),
  contextuality: t('Ngữ cảnh', 'Contextuality'),
  vn_legal: t('Pháp lý và tính kịp thời (Việt Nam)', 'Vietnamese legal and timeliness'),
};

export const BAND_LABELS: Record<string, Localized> = {
  excellent: t('Xuất sắc', 'Excellent'),
  good: t('Tốt', 'Good'),
  sufficient: t('Đạt', 'Sufficient'),
  bad: t('Kém', 'Bad'),
};

/** What the score needs besides the dict. */
export interface ScoreInputs {
  org: DataDict | null;
  links: Map<string, LinkState>;
  /** Kept up to date under the freshness rule and the provincial update rules. */
  fresh: boolean;
  freshFacts: DataDict;
  openFormat: Rule | null;
  focalFields: string[];
}

export interface IndicatorResult {
  id: ScoreIndicator;
  dimension: Dimension;
  label: Localized;
  weight: number;
  fraction: number;
  points: number;
  passed: boolean;
  gain: number;
  facts: DataDict;
  fix: Localized | null;
}

export interface ScoreResult {
  total: number;
  max: number;
  band: string;
  band_label: Localized;
  dimensions: Record<string, { label: Localized; points: number; max: number }>;
  indicators: IndicatorResult[];
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const upper = (value: unknown) => (typeof value === 'string' ? value.trim().toUpperCase() : '');
const filled = (value: unknown) => (typeof value === 'string' ? value.trim() !== '' : value !== null && value !== undefined && value !== false);
const NON_FILE_FORMATS = new Set(['API', 'HTML', 'WMS', 'WFS', 'WMTS', 'ESRI REST', 'ARCGIS GEOSERVICES REST API', 'SPARQL']);

const formatSetCache = new WeakMap<object, { open: Set<string>; machine: Set<string> }>();
const NO_RULE = {};

function formatSets(rule: Rule | null) {
  const key = rule ?? NO_RULE;
  let sets = formatSetCache.get(key);
  if (!sets) {
    const open = new Set<string>(((rule?.parameters.open_formats ?? []) as string[]).map(upper));
    const machine = new Set<string>(((rule?.parameters.machine_readable_formats ?? []) as string[]).map(upper));
    if (rule?.parameters.xlsx_is_open) open.add('XLSX');
    sets = { open, machine };
    formatSetCache.set(key, sets);
  }
  return sets;
}

/** Whether a resource is an open, machine-readable distribution under the open_format rule. */
export function isOpenMachineReadable(resource: DataDict, rule: Rule | null): boolean {
  const { open, machine } = formatSets(rule);
  const format = upper(resource.format);
  return open.has(format) && machine.has(format);
}

function hasDownloadUrl(resource: DataDict): boolean {
  if (!filled(resource.url)) return false;
  if (resource.url_type === 'upload' || filled(resource.download_url)) return true;
  const format = upper(resource.format);
  return format !== '' && !NON_FILE_FORMATS.has(format);
}

/** Whether a resource answered 2xx at its last check; null when never checked. Uploads are Kho's own files. */
export function resourceReachable(links: Map<string, LinkState>, resource: DataDict): boolean | null {
  if (resource.url_type === 'upload') return true;
  return reachable(links, resource.url);
}

export function reachable(links: Map<string, LinkState>, url: unknown): boolean | null {
  if (typeof url !== 'string' || !url) return false;
  const state = links.get(url);
  if (!state || !state.class) return null;
  return state.class === '2xx';
}

/** What the indicator tests read, built once per dataset. */
interface TestContext {
  /** Record each indicator's facts (compliance_dataset_show), or only compute points (overviews). */
  detail: boolean;
  facts: DataDict;
  dict: DataDict;
  resources: DataDict[];
  n: number;
  open: Set<string>;
  machine: Set<string>;
  org: DataDict;
  inputs: ScoreInputs;
  linkFacts: DataDict;
  unchecked: number;
}

/** A test returns the fraction that passes; with `detail` it also records its facts in c.facts. */
type Test = (c: TestContext) => number;

const NO_FACTS: DataDict = Object.freeze({}) as DataDict;

function share(c: TestContext, test: (r: DataDict, c: TestContext) => boolean): number {
  if (!c.n) return 0;
  let passing = 0;
  for (const r of c.resources) if (test(r, c)) passing++;
  return passing / c.n;
}

function count(c: TestContext, test: (r: DataDict) => boolean): number {
  let passing = 0;
  for (const r of c.resources) if (test(r)) passing++;
  return passing;
}

const formats = (c: TestContext) => c.resources.map((r) => r.format ?? null);
const hasFormat = (r: DataDict) => filled(r.format);
const hasMediaType = (r: DataDict) => filled(r.mimetype);
const hasSize = (r: DataDict) => r.size !== null && r.size !== undefined && r.size !== '';
const isReachable = (r: DataDict, c: TestContext) => resourceReachable(c.inputs.links, r) === true;
const downloadReachable = (r: DataDict, c: TestContext) => hasDownloadUrl(r) && resourceReachable(c.inputs.links, r) === true;
const inVocabulary = (r: DataDict, c: TestContext) => FORMAT_LABELS.has(String(r.format ?? '').trim().toLowerCase()) || c.open.has(upper(r.format)) || c.machine.has(upper(r.format));
const nonProprietary = (r: DataDict, c: TestContext) => c.open.has(upper(r.format));
const machineReadable = (r: DataDict, c: TestContext) => c.machine.has(upper(r.format));
const openAndMachine = (r: DataDict, c: TestContext) => c.open.has(upper(r.format)) && c.machine.has(upper(r.format));
const bool = (ok: boolean) => (ok ? 1 : 0);

const CLASSIFIED = (c: TestContext) => (SHARING as readonly string[]).includes(c.dict.phan_loai_chia_se) && (IMPORTANCE as readonly string[]).includes(c.dict.muc_do_quan_trong);

const TESTS: Record<ScoreIndicator, Test> = {
  keywords(c) {
    const tags = (c.dict.tags ?? []).length;
    if (c.detail) c.facts = { tags };
    return bool(tags > 0);
  },
  themes(c) {
    const groups = (c.dict.groups ?? []).length;
    if (c.detail) c.facts = { groups, nhom_chu_de: c.dict.nhom_chu_de ?? null, linh_vuc: c.dict.linh_vuc ?? null };
    return bool(groups > 0 || filled(c.dict.nhom_chu_de) || filled(c.dict.linh_vuc));
  },
  spatial(c) {
    const value = extra(c.dict, 'spatial') ?? extra(c.dict, 'spatial_uri') ?? extra(c.dict, 'spatial_text');
    if (c.detail) c.facts = { spatial: value };
    return bool(!!value);
  },
  temporal(c) {
    const start = extra(c.dict, 'temporal_start');
    const end = extra(c.dict, 'temporal_end');
    if (c.detail) c.facts = { temporal_start: start, temporal_end: end };
    return bool(!!(start || end));
  },
  access_url_reachable(c) {
    if (c.detail) c.facts = c.linkFacts;
    return share(c, isReachable);
  },
  download_url_present(c) {
    if (c.detail) c.facts = { resources: c.n, with_download_url: count(c, hasDownloadUrl) };
    return share(c, hasDownloadUrl);
  },
  download_url_reachable(c) {
    if (c.detail) c.facts = c.linkFacts;
    return share(c, downloadReachable);
  },
  format(c) {
    if (c.detail) c.facts = { resources: c.n, with_format: count(c, hasFormat) };
    return share(c, hasFormat);
  },
  media_type(c) {
    if (c.detail) c.facts = { resources: c.n, with_media_type: count(c, hasMediaType) };
    return share(c, hasMediaType);
  },
  format_vocabulary(c) {
    if (c.detail) c.facts = { formats: formats(c) };
    return share(c, inVocabulary);
  },
  non_proprietary(c) {
    if (c.detail) c.facts = { formats: formats(c) };
    return share(c, nonProprietary);
  },
  machine_readable(c) {
    if (c.detail) c.facts = { formats: formats(c) };
    return share(c, machineReadable);
  },
  dcat_ap_mandatory(c) {
    const withUrl = c.resources.some((r) => filled(r.url));
    if (c.detail) c.facts = { title: filled(c.dict.title), description: filled(c.dict.notes), publisher: filled(c.dict.owner_org), distribution_with_url: withUrl };
    return bool(filled(c.dict.title) && filled(c.dict.notes) && filled(c.dict.owner_org) && withUrl);
  },
  licence(c) {
    if (c.detail) c.facts = { license_id: c.dict.license_id ?? null };
    return bool(filled(c.dict.license_id));
  },
  licence_vocabulary(c) {
    if (c.detail) c.facts = { license_id: c.dict.license_id ?? null };
    return bool(!!findLicense(c.dict.license_id));
  },
  access_rights(c) {
    if (c.detail) c.facts = { phan_loai_chia_se: c.dict.phan_loai_chia_se ?? null };
    return bool(filled(c.dict.phan_loai_chia_se));
  },
  access_rights_vocabulary(c) {
    if (c.detail) c.facts = { phan_loai_chia_se: c.dict.phan_loai_chia_se ?? null };
    return bool((SHARING as readonly string[]).includes(c.dict.phan_loai_chia_se));
  },
  contact_point(c) {
    const email = c.org.contact_email || c.dict.maintainer_email || c.dict.author_email || null;
    if (c.detail) c.facts = { contact_email: email };
    return bool(filled(email));
  },
  publisher(c) {
    if (c.detail) c.facts = { owner_org: c.dict.owner_org ?? null };
    return bool(filled(c.dict.owner_org));
  },
  rights(c) {
    if (c.detail) c.facts = { terms_of_use: filled(c.dict.terms_of_use) };
    return bool(filled(c.dict.terms_of_use));
  },
  byte_size(c) {
    if (c.detail) c.facts = { resources: c.n, with_size: count(c, hasSize) };
    return share(c, hasSize);
  },
  issued(c) {
    const value = c.dict.data_issued ?? extra(c.dict, 'issued');
    if (c.detail) c.facts = { issued: value ?? null };
    return bool(filled(value));
  },
  modified(c) {
    const value = c.dict.data_modified ?? extra(c.dict, 'modified');
    if (c.detail) c.facts = { modified: value ?? null };
    return bool(filled(value));
  },
  vn_classification(c) {
    if (c.detail) c.facts = { phan_loai_chia_se: c.dict.phan_loai_chia_se ?? null, muc_do_quan_trong: c.dict.muc_do_quan_trong ?? null };
    return bool(CLASSIFIED(c));
  },
  vn_focal_point(c) {
    const missing = c.inputs.focalFields.filter((field) => !filled(c.org[field]));
    if (c.detail) c.facts = { missing: c.inputs.org ? missing : c.inputs.focalFields };
    return bool(!!c.inputs.org && missing.length === 0);
  },
  vn_publisher_code(c) {
    const check = checkOrganizationCode(c.org.ma_dinh_danh);
    if (c.detail) c.facts = { ma_dinh_danh: c.org.ma_dinh_danh ?? null, problem: check.problem };
    return bool(check.valid);
  },
  vn_open_machine_readable(c) {
    if (c.detail) c.facts = { formats: formats(c) };
    return bool(c.resources.some((r) => openAndMachine(r, c)));
  },
  vn_anonymous_access(c) {
    const isPublic = c.dict.state === 'active' && !c.dict.private;
    const probed = c.resources.some((r) => isReachable(r, c));
    if (c.detail) c.facts = { public: isPublic, reachable_without_login: probed, not_checked_yet: c.unchecked };
    return bool(isPublic && probed);
  },
  vn_fresh(c) {
    if (c.detail) c.facts = c.inputs.freshFacts;
    return bool(c.inputs.fresh);
  },
  vn_privacy_review(c) {
    if (c.detail) c.facts = { privacy_review: c.dict.privacy_review ?? null };
    return bool(privacyPassed(c.dict));
  },
  vn_data_dictionary(c) {
    if (c.detail) c.facts = { resource_types: c.resources.map((r) => r.resource_type ?? null) };
    return bool(c.resources.some((r) => ['data_dictionary', 'schema', 'documentation'].includes(String(r.resource_type ?? ''))) || !!extra(c.dict, 'conforms_to') || !!extra(c.dict, 'schema'));
  },
  vn_terms_of_use(c) {
    if (c.detail) c.facts = { terms_of_use: filled(c.dict.terms_of_use) };
    return bool(filled(c.dict.terms_of_use));
  },
};

export function computeScore(dict: DataDict, rule: Rule, inputs: ScoreInputs, detail = true): ScoreResult {
  const weights = rule.parameters.weights as Record<string, number>;
  const resources = ((dict.resources ?? []) as DataDict[]).filter((r) => r.state !== 'deleted');
  const { open, machine } = formatSets(inputs.openFormat);
  let unchecked = 0;
  let reachableCount = 0;
  for (const r of resources) {
    const state = resourceReachable(inputs.links, r);
    if (state === null) unchecked++;
    else if (state) reachableCount++;
  }
  const context: TestContext = {
    detail,
    facts: NO_FACTS,
    dict,
    resources,
    n: resources.length,
    open,
    machine,
    org: inputs.org ?? {},
    inputs,
    unchecked,
    linkFacts: { resources: resources.length, reachable: reachableCount, not_checked_yet: unchecked },
  };
  const indicators: IndicatorResult[] = [];
  const dimensions: ScoreResult['dimensions'] = {};
  let total = 0;
  let max = 0;
  for (const id in weights) {
    const weight = weights[id];
    const info = INDICATORS[id as ScoreIndicator];
    context.facts = NO_FACTS;
    const fraction = TESTS[id as ScoreIndicator](context);
    const facts = context.facts;
    const points = round1(weight * fraction);
    const gain = round1(weight - points);
    indicators.push({ id: id as ScoreIndicator, dimension: info.dimension, label: info.label, weight, fraction: Math.round(fraction * 1000) / 1000, points, passed: fraction >= 1, gain, facts, fix: gain > 0 ? info.fix : null });
    const dim = (dimensions[info.dimension] ??= { label: DIMENSIONS[info.dimension], points: 0, max: 0 });
    dim.points = round1(dim.points + points);
    dim.max += weight;
    total += points;
    max += weight;
  }
  const rounded = round1(total);
  const band = bandOf(rounded, rule.parameters.bands);
  return { total: rounded, max, band, band_label: BAND_LABELS[band], dimensions, indicators };
}

export function bandOf(total: number, bands: Record<string, number>): string {
  if (total >= (bands.excellent ?? Infinity)) return 'excellent';
  if (total >= (bands.good ?? Infinity)) return 'good';
  if (total >= (bands.sufficient ?? Infinity)) return 'sufficient';
  return 'bad';
}
