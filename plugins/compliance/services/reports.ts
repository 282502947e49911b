// The reports a province owes: the quarterly open-data report (vn-legal.md §6.1, Bình Định Art. 10(2)
// and 13(2)) and each organization's annual data self-assessment (§6.2, Decree 47 Art. 16, Thái Bình
// Art. 5(2)). Built from an evaluation, as JSON; CSV and XLSX are renderings of the same JSON with
// Vietnamese column headings, so their totals are the JSON's.
import writeXlsxFile from 'write-excel-file/node';
import type { DataDict } from '../../../core/actions/types.ts';
import type { Evaluator, Duty } from './engine.ts';
import { ruleRef } from './engine.ts';
import { t } from './i18n.ts';
import { describeDeadline, quarterPeriod, reportDeadline, updateWindow, type Period } from './periods.ts';
import { dayOf, endOfLocalDay, formatDay, localDay, naiveUtc, startOfLocalDay } from './time.ts';
import { checkOrganizationCode } from './qd20.ts';
import type { OrgFacts } from './types.ts';
import { frequencyOf } from './dataset-state.ts';

const ROMAN = ['I', 'II', 'III', 'IV'];

export interface ProvinceInfo {
  code: string;
  name: string;
  reporting_unit: string;
  report_recipient: string;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

function focalComplete(evaluator: Evaluator, org: OrgFacts, at: Date): boolean {
  const fields = evaluator.orgFieldsAt(org, at);
  const rule = evaluator.book.ofKind('focal_point', localDay(at))[0];
  const required: string[] = rule?.parameters.fields ?? ['contact_name', 'contact_position', 'contact_phone', 'contact_email'];
  return required.every((field) => typeof fields[field] === 'string' && fields[field].trim() !== '');
}

/** The quarterly open-data report (§6.1). */
export function quarterlyReport(evaluator: Evaluator, period: Period, province: ProvinceInfo): DataDict {
  const cut = evaluator.now < endOfLocalDay(period.end) ? evaluator.now : endOfLocalDay(period.end);
  const cutDay = localDay(cut);
  const start = startOfLocalDay(period.start);
  const windowRule = evaluator.book.ofKind('quarterly_update_window', cutDay)[0] ?? null;
  const updateRule = evaluator.book.ofKind('update_within', cutDay)[0] ?? null;
  const reportRule = evaluator.book.ofKind('periodic_report', cutDay).find((rule) => rule.parameters.report_type === 'quarterly_open_data') ?? null;
  const rulesUsed = new Map<string, ReturnType<typeof ruleRef>>();
  for (const rule of [windowRule, updateRule, reportRule, evaluator.book.ofKind('min_open_datasets', cutDay)[0], evaluator.book.ofKind('focal_point', cutDay)[0], evaluator.book.ofKind('quality_score', cutDay)[0]]) {
    if (rule) rulesUsed.set(rule.id, ruleRef(rule));
  }
  const orgs = [...evaluator.facts.orgs.values()].filter((org) => org.state === 'active' && (!org.created || org.created <= cut)).sort((a, b) => (a.fields.ma_dinh_danh ?? '~').localeCompare(b.fields.ma_dinh_danh ?? '~') || a.title.localeCompare(b.title, 'vi'));
  const agencies: DataDict[] = [];
  for (const org of orgs) {
    const open = evaluator.openDatasetsOf(org.id, cut);
    const publishedInQuarter = open.filter((ds) => {
      const first = ds.events.find((event) => event.open);
      return !!first && first.at >= start && first.at <= cut;
    }).length;
    const updatedInQuarter = open.filter((ds) => evaluator.dataUpdates(ds, cut).some((at) => at >= start)).length;
    const window = windowRule ? evaluator.quarterWindowCached(org.id, period) : null;
    const items = window?.items ?? [];
    let overdue = items.filter((item) => item.status === 'missed').length;
    if (updateRule) {
      for (const ds of open) {
        const current = evaluator.timelineAt(ds, cut);
        if (current?.overdue && !(window && evaluator.itemOf(window, ds.id)?.status === 'missed')) overdue++;
      }
    }
    const scores = evaluator.datasetsOwnedBy(org.id).map((ds) => evaluator.score(ds)).filter((s) => !!s);
    agencies.push({
      org_code: org.fields.ma_dinh_danh ?? null,
      org_code_valid: checkOrganizationCode(org.fields.ma_dinh_danh).valid,
      name: org.name,
      title: org.title,
      focal_point_complete: focalComplete(evaluator, org, cut),
      open_datasets_total: open.length,
      published_in_quarter: publishedInQuarter,
      updated_in_quarter: updatedInQuarter,
      updated_in_window: window ? items.filter((item) => item.satisfied_by === 'update').length : null,
      no_change_attestations: window ? items.filter((item) => item.satisfied_by === 'attestation').length : null,
      window_status: window?.status ?? null,
      overdue_updates: overdue,
      api_sources_required: null,
      api_source_status: null,
      quality_score_mean: scores.length ? round1(scores.reduce((sum, s) => sum + s!.total, 0) / scores.length) : null,
    });
  }
  const sum = (key: string) => agencies.reduce((total, agency) => total + (Number(agency[key]) || 0), 0);
  const withOpen = agencies.filter((agency) => agency.open_datasets_total > 0).length;
  const kpis = evaluator.kpis(period, true);
  const allScores = agencies.map((a) => a.quality_score_mean).filter((v): v is number => v !== null);
  const due = reportRule ? reportDeadline(reportRule, period, evaluator.calendar) : null;
  const window = windowRule ? updateWindow(windowRule, period, evaluator.calendar) : null;
  const instrument = reportRule?.legal_basis ?? windowRule?.legal_basis ?? null;
  return {
    type: 'quarterly_open_data',
    title: t(
      `BÁO CÁO TÌNH HÌNH CẬP NHẬT DỮ LIỆU HẰNG QUÝ CỦA CÁC SỞ, BAN, NGÀNH CẤP TỈNH LÊN HỆ THỐNG DỮ LIỆU MỞ — QUÝ ${ROMAN[period.quarter! - 1]} NĂM ${period.year}`,
      `Quarterly report on the provincial agencies' updates of the open-data system — Q${period.quarter} ${period.year}`,
    ),
    province: { code: province.code, name: province.name },
    reporting_unit: province.reporting_unit,
    recipient: province.report_recipient,
    basis: instrument ? { instrument: instrument.instrument_title, article: instrument.article } : null,
    year: period.year,
    quarter: period.quarter,
    period: period.key,
    as_of: formatDay(cutDay),
    generated_at: naiveUtc(evaluator.now),
    due: due ? { date: due.date, at: due.at, nominal_date: due.nominal_date, extended_past: due.extended_past, explanation: describeDeadline(due) } : null,
    update_window: window ? { opens: window.opens, closes: window.closes.date, nominal_closes: window.closes.nominal_date, extended_past: window.closes.extended_past } : null,
    agencies,
    totals: {
      agencies: agencies.length,
      agencies_with_open_data: withOpen,
      share_with_open_data: agencies.length ? Math.round((withOpen / agencies.length) * 10000) / 10000 : null,
      datasets: sum('open_datasets_total'),
      published_in_quarter: sum('published_in_quarter'),
      updated_in_quarter: sum('updated_in_quarter'),
      updated_in_window: windowRule ? sum('updated_in_window') : null,
      no_change_attestations: windowRule ? sum('no_change_attestations') : null,
      overdue_updates: sum('overdue_updates'),
      agencies_focal_point_complete: agencies.filter((agency) => agency.focal_point_complete).length,
      qoq_growth_pct: (kpis.catalogue_growth_pct as DataDict).value,
      link_health: (kpis.link_health as DataDict).shares,
      quality_score_mean: allScores.length ? round1(allScores.reduce((a, b) => a + b, 0) / allScores.length) : null,
    },
    kpis,
    notes: [
      t('api_sources_required / api_source_status: chưa theo dõi (kết nối API do plugin harvest quản lý)', 'api_sources_required / api_source_status: not tracked here (API connections belong to the harvest plugin)'),
    ],
    rules: [...rulesUsed.values()],
  };
}

/** An organization's annual data self-assessment (§6.2), pre-filled from the catalogue. */
export function selfAssessmentReport(evaluator: Evaluator, org: OrgFacts, year: number, province: ProvinceInfo): DataDict {
  const yearEnd = endOfLocalDay(dayOf(year, 12, 31));
  const cut = evaluator.now < yearEnd ? evaluator.now : yearEnd;
  const yearStart = startOfLocalDay(dayOf(year, 1, 1));
  const datasets = evaluator.datasetsOwnedBy(org.id);
  const inventory = datasets.map((ds) => {
    const dict = ds.dict!;
    const resources = (dict.resources ?? []) as DataDict[];
    const score = evaluator.score(ds);
    const updates = evaluator.dataUpdates(ds, cut).filter((at) => at >= yearStart).length;
    const attestations = evaluator.facts.attestations.filter((a) => a.package_id === ds.id && a.kind === 'no_change' && a.at >= yearStart && a.at <= cut).length;
    return {
      name: ds.name,
      title: ds.title,
      phan_loai_chia_se: dict.phan_loai_chia_se ?? null,
      muc_do_quan_trong: dict.muc_do_quan_trong ?? null,
      ky_cap_nhat: frequencyOf(dict),
      public: dict.state === 'active' && !dict.private,
      resources: resources.length,
      formats: [...new Set(resources.map((r) => String(r.format ?? '').toUpperCase()).filter(Boolean))].join(', '),
      with_hash: resources.filter((r) => r.hash).length,
      updates_in_year: updates,
      no_change_attestations: attestations,
      freshness: evaluator.freshness(ds).status,
      quality_score: score?.total ?? null,
      quality_band: score?.band ?? null,
    };
  });
  const compliance: DataDict[] = [];
  for (const quarter of [1, 2, 3, 4].map((q) => quarterPeriod(year, q))) {
    if (evaluator.today < quarter.start) continue;
    const report = evaluator.organizationPeriod(org, quarter);
    for (const duty of report.duties as Duty[]) {
      compliance.push({ period: report.period, rule_id: duty.rule.id, title: duty.rule.title, legal_basis: `${duty.rule.legal_basis.instrument_short}, ${duty.rule.legal_basis.article}`, status: duty.status, explanation: duty.explanation });
    }
  }
  const scores = inventory.map((i) => i.quality_score).filter((v): v is number => v !== null);
  const bands: Record<string, number> = { excellent: 0, good: 0, sufficient: 0, bad: 0 };
  for (const item of inventory) if (item.quality_band) bands[item.quality_band]++;
  const current = evaluator.organization(org, { history: 1 });
  const resources = inventory.reduce((n, i) => n + i.resources, 0);
  return {
    type: 'annual_self_assessment',
    title: t(`BÁO CÁO KẾT QUẢ TỰ KIỂM TRA, ĐÁNH GIÁ DỮ LIỆU NĂM ${year}`, `Annual data self-assessment report ${year}`),
    organization: { id: org.id, name: org.name, title: org.title, ma_dinh_danh: org.fields.ma_dinh_danh ?? null },
    province: { code: province.code, name: province.name },
    recipient: province.reporting_unit,
    year,
    period: String(year),
    as_of: formatDay(localDay(cut)),
    generated_at: naiveUtc(evaluator.now),
    sections: {
      a_inventory: { heading: t('a) Danh mục dữ liệu', 'a) Inventory of data items'), datasets: inventory },
      b_compliance: { heading: t('b) Việc tuân thủ tiêu chuẩn, quy chuẩn kỹ thuật và quy định về dữ liệu', 'b) Compliance with standards, technical regulations and rules on data'), duties: compliance },
      c_quality: {
        heading: t('c) Chất lượng dữ liệu: độ chính xác, tính toàn vẹn, dữ liệu bất thường', 'c) Data quality: accuracy, integrity, anomalies'),
        quality_score_mean: scores.length ? round1(scores.reduce((a, b) => a + b, 0) / scores.length) : null,
        bands,
        resources,
        resources_with_hash: inventory.reduce((n, i) => n + i.with_hash, 0),
        link_health: evaluator.linkHealth(datasets),
      },
      d_maintenance: {
        heading: t('d) Duy trì, vận hành, cập nhật dữ liệu; nhật ký cập nhật và sử dụng', 'd) Maintenance, operation and updating; update and usage logs'),
        updates_in_year: inventory.reduce((n, i) => n + i.updates_in_year, 0),
        no_change_attestations: inventory.reduce((n, i) => n + i.no_change_attestations, 0),
        stale: inventory.filter((i) => i.freshness === 'stale').length,
      },
      dd_sharing: {
        heading: t('đ) Chia sẻ dữ liệu: đối tượng sử dụng, mục đích, sự phù hợp với quy chế khai thác', 'đ) Sharing: users, purposes, fit with the usage rules'),
        open: inventory.filter((i) => i.phan_loai_chia_se === 'mo' || (i.public && !i.phan_loai_chia_se)).length,
        shared: inventory.filter((i) => i.phan_loai_chia_se === 'dung_chung').length,
        private: inventory.filter((i) => i.phan_loai_chia_se === 'dung_rieng').length,
        usage: t('Kho chưa ghi nhận số liệu khai thác, sử dụng', 'Kho does not record usage statistics yet'),
      },
      e_other: { heading: t('e) Nội dung khác theo yêu cầu của cơ quan chuyên trách công nghệ thông tin', 'e) Other content required by the IT authority'), content: null },
      proposals: { heading: t('Đề xuất biện pháp duy trì, nâng cấp dữ liệu', 'Proposed maintenance and improvement actions'), items: (current.fix_this_first as DataDict[]).slice(0, 10) },
    },
    totals: { datasets: inventory.length, resources, updates_in_year: inventory.reduce((n, i) => n + i.updates_in_year, 0), quality_score_mean: scores.length ? round1(scores.reduce((a, b) => a + b, 0) / scores.length) : null },
    rules: [...new Map(compliance.map((c) => [c.rule_id, c.rule_id])).keys()],
  };
}

// ------------------------------------------------------------------------------------------------
// Renderings

interface Column {
  key: string;
  heading: string;
  format?: (value: unknown) => string | number | boolean | null;
}

const yesNo = (value: unknown) => (value === true ? 'Có' : value === false ? 'Không' : null);

export const QUARTERLY_COLUMNS: Column[] = [
  { key: 'org_code', heading: 'Mã định danh' },
  { key: 'title', heading: 'Cơ quan, đơn vị' },
  { key: 'focal_point_complete', heading: 'Cán bộ đầu mối đầy đủ', format: yesNo },
  { key: 'open_datasets_total', heading: 'Tổng số bộ dữ liệu mở' },
  { key: 'published_in_quarter', heading: 'Công bố mới trong quý' },
  { key: 'updated_in_quarter', heading: 'Cập nhật trong quý' },
  { key: 'updated_in_window', heading: 'Cập nhật đúng thời hạn' },
  { key: 'no_change_attestations', heading: 'Xác nhận không thay đổi' },
  { key: 'overdue_updates', heading: 'Quá hạn cập nhật' },
  { key: 'quality_score_mean', heading: 'Điểm chất lượng trung bình (/505)' },
];

const QUARTERLY_TOTALS: Record<string, string> = {
  focal_point_complete: 'agencies_focal_point_complete',
  open_datasets_total: 'datasets',
  published_in_quarter: 'published_in_quarter',
  updated_in_quarter: 'updated_in_quarter',
  updated_in_window: 'updated_in_window',
  no_change_attestations: 'no_change_attestations',
  overdue_updates: 'overdue_updates',
  quality_score_mean: 'quality_score_mean',
};

export const INVENTORY_COLUMNS: Column[] = [
  { key: 'name', heading: 'Mã bộ dữ liệu' },
  { key: 'title', heading: 'Tên bộ dữ liệu' },
  { key: 'phan_loai_chia_se', heading: 'Phân loại chia sẻ' },
  { key: 'muc_do_quan_trong', heading: 'Mức độ quan trọng' },
  { key: 'ky_cap_nhat', heading: 'Kỳ cập nhật' },
  { key: 'public', heading: 'Công khai', format: yesNo },
  { key: 'resources', heading: 'Số tài nguyên' },
  { key: 'formats', heading: 'Định dạng' },
  { key: 'updates_in_year', heading: 'Số lần cập nhật trong năm' },
  { key: 'no_change_attestations', heading: 'Xác nhận không thay đổi' },
  { key: 'freshness', heading: 'Tình trạng cập nhật' },
  { key: 'quality_score', heading: 'Điểm chất lượng (/505)' },
];

function rowsOf(report: DataDict): { columns: Column[]; rows: DataDict[]; totals: DataDict | null } {
  if (report.type === 'quarterly_open_data') {
    const totals: DataDict = { org_code: '', title: 'Tổng cộng' };
    for (const [column, key] of Object.entries(QUARTERLY_TOTALS)) totals[column] = report.totals[key];
    return { columns: QUARTERLY_COLUMNS, rows: report.agencies, totals };
  }
  const inventory = report.sections.a_inventory.datasets as DataDict[];
  return {
    columns: INVENTORY_COLUMNS,
    rows: inventory,
    totals: { name: '', title: 'Tổng cộng', resources: report.totals.resources, updates_in_year: report.totals.updates_in_year, quality_score: report.totals.quality_score_mean },
  };
}

function cell(column: Column, row: DataDict): string | number | boolean | null {
  const value = row[column.key];
  if (column.format) return column.format(value);
  return value === undefined ? null : (value as string | number | boolean | null);
}

function csvEscape(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV with a UTF-8 BOM (so spreadsheet programs read the Vietnamese headings), numbered rows and a totals row. */
export function reportCsv(report: DataDict): string {
  const { columns, rows, totals } = rowsOf(report);
  const lines = [['STT', ...columns.map((c) => c.heading)].map(csvEscape).join(',')];
  rows.forEach((row, index) => lines.push([index + 1, ...columns.map((c) => cell(c, row))].map(csvEscape).join(',')));
  if (totals) lines.push(['', ...columns.map((c) => (totals[c.key] === undefined ? '' : totals[c.key]))].map(csvEscape).join(','));
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

type XCell = { value: string | number | boolean | null; fontWeight?: 'bold'; wrap?: boolean; span?: number } | null;

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return (value as { vi?: string }).vi ?? JSON.stringify(value);
  return String(value);
}

export async function reportXlsx(report: DataDict): Promise<Buffer> {
  const { columns, rows, totals } = rowsOf(report);
  const header: XCell[][] = [];
  const bold = (value: string): XCell => ({ value, fontWeight: 'bold' });
  header.push([bold(text(report.title))]);
  if (report.type === 'quarterly_open_data') {
    header.push([{ value: `Đơn vị báo cáo: ${report.reporting_unit}` }]);
    header.push([{ value: `Kính gửi: ${report.recipient}${report.province?.name ? ` ${report.province.name}` : ''}` }]);
    if (report.basis) header.push([{ value: `Căn cứ: ${report.basis.instrument}, ${report.basis.article}` }]);
    header.push([{ value: `Số liệu tính đến ngày ${report.as_of}; lập lúc ${report.generated_at} (UTC)` }]);
  } else {
    header.push([{ value: `Cơ quan: ${report.organization.title} (${report.organization.ma_dinh_danh ?? 'chưa có mã định danh'})` }]);
    header.push([{ value: `Kính gửi: ${report.recipient}` }]);
    header.push([{ value: `Số liệu tính đến ngày ${report.as_of}; lập lúc ${report.generated_at} (UTC)` }]);
  }
  header.push([]);
  const table: XCell[][] = [[bold('STT'), ...columns.map((c) => bold(c.heading))]];
  rows.forEach((row, index) => table.push([{ value: index + 1 }, ...columns.map((c) => ({ value: cell(c, row) }))]));
  if (totals) table.push([null, ...columns.map((c) => (totals[c.key] === undefined || totals[c.key] === '' ? null : c.key === 'title' ? bold(String(totals[c.key])) : { value: totals[c.key] as number }))]);

  const summary: XCell[][] = [[bold('Chỉ tiêu'), bold('Giá trị')]];
  const flat = report.type === 'quarterly_open_data' ? report.totals : report.totals;
  for (const [key, value] of Object.entries(flat)) {
    if (value !== null && typeof value === 'object') {
      for (const [sub, subValue] of Object.entries(value as DataDict)) summary.push([{ value: `${key}.${sub}` }, { value: subValue as number | null }]);
    } else summary.push([{ value: key }, { value: value as number | string | null }]);
  }
  const basis: XCell[][] = [[bold('Quy tắc'), bold('Phiên bản'), bold('Văn bản'), bold('Điều khoản'), bold('Hiệu lực từ'), bold('Hiệu lực đến')]];
  for (const rule of (report.rules ?? []) as DataDict[]) {
    if (typeof rule === 'string') basis.push([{ value: rule }]);
    else basis.push([{ value: rule.id }, { value: rule.version }, { value: rule.legal_basis.instrument_title }, { value: rule.legal_basis.article }, { value: rule.effective_from }, { value: rule.effective_to ?? '' }]);
  }
  const sheets = [
    { data: [...header, ...table].map((row) => row.map((c) => (c ? { ...c, value: c.value ?? null } : null))), sheet: 'Báo cáo', columns: [{ width: 8 }, ...columns.map((c) => ({ width: Math.max(12, Math.min(40, c.heading.length + 2)) }))] },
    { data: summary, sheet: 'Tổng hợp', columns: [{ width: 40 }, { width: 16 }] },
    { data: basis, sheet: 'Căn cứ', columns: [{ width: 36 }, { width: 10 }, { width: 60 }, { width: 24 }, { width: 12 }, { width: 12 }] },
  ];
  return writeXlsxFile(sheets as never).toBuffer();
}
