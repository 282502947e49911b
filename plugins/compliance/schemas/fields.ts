// The fields the plugin adds to datasets and organizations (through the core's field declarations,
// so they are validated, stored, shown top-level in package_show / organization_show and indexed).
// Validators report problems with field.error() rather than by throwing the core's Invalid: under
// the test runner the core and the plugins can be two copies of the same modules, and a class from
// one copy is not an instance of the other's.
// Names follow vn-legal.md §4 where it proposes one; the date and frequency fields avoid the names
// ckanext-dcat uses for extras (issued, modified, frequency), so harvested extras never clash.
import type { FieldChoice, FieldDeclaration } from '../../../core/validation/fields.ts';
import type { FieldState, Validator } from '../../../core/validation/navl.ts';
import { checkOrganizationCode } from '../services/qd20.ts';
import { PRIVACY_RESULTS } from '../services/dataset-state.ts';
import { say, type Language } from '../services/i18n.ts';

const choice = (value: string, vi: string, en: string): FieldChoice => ({ value, label: { vi, en } });

export const SECTOR_LABELS: Record<string, { vi: string; en: string }> = {
  'kinh-te': { vi: 'Kinh tế', en: 'Economy' },
  'xa-hoi': { vi: 'Xã hội', en: 'Society' },
  'van-hoa': { vi: 'Văn hóa', en: 'Culture' },
  'du-lich': { vi: 'Du lịch', en: 'Tourism' },
  'y-te': { vi: 'Y tế', en: 'Health' },
  'giao-duc': { vi: 'Giáo dục', en: 'Education' },
  'tai-nguyen-moi-truong': { vi: 'Tài nguyên và môi trường', en: 'Natural resources and environment' },
  'nong-nghiep': { vi: 'Nông nghiệp', en: 'Agriculture' },
  'giao-thong': { vi: 'Giao thông vận tải', en: 'Transport' },
  'tai-chinh': { vi: 'Tài chính', en: 'Finance' },
  'cong-thuong': { vi: 'Công thương', en: 'Industry and trade' },
  'lao-dong': { vi: 'Lao động, thương binh và xã hội', en: 'Labour and social affairs' },
  'khoa-hoc-cong-nghe': { vi: 'Khoa học và công nghệ', en: 'Science and technology' },
  'thong-tin-truyen-thong': { vi: 'Thông tin và truyền thông', en: 'Information and communications' },
  'tu-phap': { vi: 'Tư pháp', en: 'Justice' },
  'noi-vu': { vi: 'Nội vụ', en: 'Home affairs' },
  'xay-dung': { vi: 'Xây dựng', en: 'Construction' },
  'ke-hoach-dau-tu': { vi: 'Kế hoạch và đầu tư', en: 'Planning and investment' },
  'dan-toc-ton-giao': { vi: 'Dân tộc và tôn giáo', en: 'Ethnic and religious affairs' },
  'quoc-phong-an-ninh': { vi: 'Quốc phòng, an ninh', en: 'Defence and security' },
};

/** The 12 topic groups of the national open-data portal at launch (vn-legal.md R58). */
export const NATIONAL_TOPICS: FieldChoice[] = [
  choice('y-te', 'Y tế', 'Health'),
  choice('lao-dong', 'Lao động', 'Labour'),
  choice('cong-nghe', 'Công nghệ', 'Technology'),
  choice('nong-nghiep', 'Nông nghiệp', 'Agriculture'),
  choice('kinh-te-thuong-mai', 'Kinh tế – Thương mại', 'Economy and trade'),
  choice('co-so-ha-tang', 'Cơ sở hạ tầng', 'Infrastructure'),
  choice('tai-chinh', 'Tài chính', 'Finance'),
  choice('nang-luong', 'Năng lượng', 'Energy'),
  choice('giao-duc-dao-tao', 'Giáo dục – Đào tạo', 'Education and training'),
  choice('xa-hoi', 'Xã hội', 'Society'),
  choice('moi-truong', 'Môi trường', 'Environment'),
  choice('dia-phuong', 'Địa phương', 'Local'),
];

function sectorChoices(sectors: string[]): FieldChoice[] {
  return sectors.map((code) => ({ value: code, label: SECTOR_LABELS[code] ?? { vi: code, en: code } }));
}

function qd20Validator(language: Language): Validator {
  return (value, field) => {
    if (value === null || value === undefined || value === '') return value;
    const check = checkOrganizationCode(String(value));
    if (!check.valid) return reject(field, say(check.problem!, language), value);
    return String(value).trim();
  };
}

/** parent_org: another existing organization (by name or id), never the organization itself. */
function parentOrgValidator(language: Language): Validator {
  return async (value, field) => {
    if (value === null || value === undefined || value === '') return value;
    const { action } = field.context;
    const own = (field.context.group as { id?: string; name?: string } | null | undefined) ?? null;
    const ref = String(value).trim();
    let parent: { id: string; name: string } | null = null;
    try {
      parent = await action.action('organization_show', { id: ref, include_datasets: false, include_dataset_count: false, include_users: false, include_groups: false, include_tags: false, include_extras: false, include_followers: false }, { ignoreAuth: true });
    } catch {
      parent = null;
    }
    if (!parent) return reject(field, say({ vi: `Không có tổ chức "${ref}"`, en: `There is no organization "${ref}"` }, language), value);
    if (own && (own.id === parent.id || own.name === parent.name)) return reject(field, say({ vi: 'Tổ chức không thể là cấp trên của chính mình', en: 'An organization cannot be its own parent' }, language), value);
    return parent.name;
  };
}

function privacyReviewValidator(language: Language): Validator {
  return (value, field) => {
    if (value === null || value === undefined || value === '' || typeof value !== 'object') return value;
    const result = (value as { result?: unknown }).result;
    if (typeof result !== 'string' || !(PRIVACY_RESULTS as readonly string[]).includes(result)) {
      return reject(field, say({ vi: `result phải là một trong: ${PRIVACY_RESULTS.join(', ')}`, en: `result must be one of: ${PRIVACY_RESULTS.join(', ')}` }, language), value);
    }
    const note = (value as { note?: unknown }).note;
    if (note !== undefined && note !== null && typeof note !== 'string') return reject(field, say({ vi: 'note phải là văn bản', en: 'note must be a text' }, language), value);
    // by and at are the server's: the hooks set them; what a client sends is kept only to compare.
    return { ...(value as object) };
  };
}

export function organizationFields(language: Language, sectors: string[]): FieldDeclaration[] {
  return [
    {
      field_name: 'ma_dinh_danh',
      label: { vi: 'Mã định danh điện tử (QĐ 20/2020/QĐ-TTg)', en: 'Electronic identifier code (Decision 20/2020)' },
      help: { vi: 'Ví dụ H12.15', en: 'For example H12.15' },
      type: 'text',
      validators: ['strip_value', qd20Validator(language)],
    },
    { field_name: 'parent_org', label: { vi: 'Cơ quan cấp trên', en: 'Parent organization' }, type: 'text', validators: ['strip_value', parentOrgValidator(language)] },
    { field_name: 'contact_name', label: { vi: 'Cán bộ đầu mối: họ và tên', en: 'Focal point: name' }, type: 'text', validators: ['strip_value'] },
    { field_name: 'contact_position', label: { vi: 'Cán bộ đầu mối: chức vụ', en: 'Focal point: position' }, type: 'text', validators: ['strip_value'] },
    { field_name: 'contact_phone', label: { vi: 'Cán bộ đầu mối: điện thoại', en: 'Focal point: phone' }, type: 'text', validators: ['strip_value', phoneValidator(language)] },
    { field_name: 'contact_email', label: { vi: 'Cán bộ đầu mối: thư điện tử', en: 'Focal point: email' }, type: 'email' },
    { field_name: 'feedback_email', label: { vi: 'Đầu mối tiếp nhận phản ánh: thư điện tử', en: 'Feedback contact: email' }, type: 'email' },
    { field_name: 'feedback_phone', label: { vi: 'Đầu mối tiếp nhận phản ánh: điện thoại', en: 'Feedback contact: phone' }, type: 'text', validators: ['strip_value', phoneValidator(language)] },
    {
      field_name: 'linh_vuc_phu_trach',
      label: { vi: 'Lĩnh vực phụ trách', en: 'Assigned sectors' },
      type: 'multiselect',
      ...(sectors.length ? { choices: sectorChoices(sectors) } : {}),
    },
  ];
}

function phoneValidator(language: Language): Validator {
  return (value, field) => {
    if (value === null || value === undefined || value === '') return value;
    if (!/^\+?[0-9][0-9 .()-]{5,19}$/.test(String(value))) return reject(field, say({ vi: 'Số điện thoại không hợp lệ', en: 'Not a phone number' }, language), value);
    return value;
  };
}

function reject(field: FieldState, message: string, value: unknown): unknown {
  field.error(message);
  return value;
}

export function datasetFields(language: Language, sectors: string[]): FieldDeclaration[] {
  return [
    {
      field_name: 'phan_loai_chia_se',
      label: { vi: 'Phân loại theo tính chất chia sẻ', en: 'Classification by sharing nature' },
      type: 'select',
      facet: true,
      choices: [choice('mo', 'Dữ liệu mở', 'Open'), choice('dung_chung', 'Dữ liệu dùng chung', 'Shared'), choice('dung_rieng', 'Dữ liệu dùng riêng', 'Private')],
    },
    {
      field_name: 'muc_do_quan_trong',
      label: { vi: 'Phân loại theo mức độ quan trọng', en: 'Classification by importance' },
      type: 'select',
      facet: true,
      choices: [choice('cot_loi', 'Dữ liệu cốt lõi', 'Core'), choice('quan_trong', 'Dữ liệu quan trọng', 'Important'), choice('khac', 'Dữ liệu khác', 'Other')],
    },
    { field_name: 'bi_mat_nha_nuoc', label: { vi: 'Thuộc phạm vi bí mật nhà nước', en: 'State secret' }, type: 'boolean' },
    {
      field_name: 'linh_vuc',
      label: { vi: 'Lĩnh vực', en: 'Sector' },
      type: 'select',
      facet: true,
      ...(sectors.length ? { choices: sectorChoices(sectors) } : {}),
    },
    { field_name: 'nhom_chu_de', label: { vi: 'Nhóm chủ đề quốc gia', en: 'National topic group' }, type: 'select', facet: true, choices: NATIONAL_TOPICS },
    {
      field_name: 'ky_cap_nhat',
      label: { vi: 'Kỳ cập nhật', en: 'Update frequency' },
      type: 'select',
      facet: true,
      choices: [
        choice('daily', 'Hằng ngày', 'Daily'),
        choice('weekly', 'Hằng tuần', 'Weekly'),
        choice('monthly', 'Hằng tháng', 'Monthly'),
        choice('quarterly', 'Hằng quý', 'Quarterly'),
        choice('semiannual', '6 tháng một lần', 'Every six months'),
        choice('annual', 'Hằng năm', 'Annual'),
        choice('irregular', 'Không định kỳ', 'Irregular'),
        choice('never', 'Không cập nhật', 'Never'),
      ],
    },
    { field_name: 'data_modified', label: { vi: 'Ngày cập nhật dữ liệu', en: 'Data last modified' }, help: { vi: 'Khác ngày sửa siêu dữ liệu (metadata_modified)', en: 'Not the metadata change date (metadata_modified)' }, type: 'date' },
    { field_name: 'data_issued', label: { vi: 'Ngày công bố lần đầu', en: 'First issued' }, type: 'date' },
    { field_name: 'danh_muc_ref', label: { vi: 'Mục trong danh mục dữ liệu (số, ngày quyết định)', en: 'Catalogue item (decision number and date)' }, type: 'text', validators: ['strip_value'] },
    {
      field_name: 'privacy_review',
      label: { vi: 'Xác nhận rà soát dữ liệu cá nhân', en: 'Privacy review attestation' },
      help: {
        vi: `{"result": "${PRIVACY_RESULTS.join('" | "')}", "note": "…"}; người xác nhận và thời điểm do hệ thống ghi`,
        en: `{"result": "${PRIVACY_RESULTS.join('" | "')}", "note": "…"}; who and when are recorded by the server`,
      },
      type: 'object',
      validators: [privacyReviewValidator(language)],
    },
    { field_name: 'terms_of_use', label: { vi: 'Điều khoản sử dụng', en: 'Terms of use' }, type: 'markdown' },
    { field_name: 'open_override_basis', label: { vi: 'Căn cứ pháp lý cho phép mở dữ liệu cốt lõi/quan trọng', en: 'Legal basis for opening core or important data' }, type: 'text', validators: ['strip_value'] },
  ];
}
