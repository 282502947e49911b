// Reports: generate (stored with the exact rules used, so it can be reproduced), show, list and
// verify. CSV and XLSX are served by the routes in routes/reports.ts from the stored JSON.
import { randomUUID } from 'node:crypto';
import type { ActionContext, ActionDefinition, AuthDefinition, DataDict } from '../../../core/actions/types.ts';
import { NotAuthorized, NotFound, ValidationError } from '../../../core/errors.ts';
import { hasPermissionFor } from '../../../core/auth/authz.ts';
import { fromDbTime, toDbTime } from '../../../core/jobs/db-time.ts';
import { runtimeOf, evaluationInstant, type Runtime } from '../services/runtime.ts';
import { Evaluator } from '../services/engine.ts';
import { loadFacts } from '../services/facts.ts';
import { parsePeriod, quarterOf, yearOf } from '../services/periods.ts';
import { localDay, naiveUtc } from '../services/time.ts';
import { quarterlyReport, selfAssessmentReport, type ProvinceInfo } from '../services/reports.ts';
import { RuleBook, shownPath, type Rule } from '../services/packs.ts';
import { WorkingCalendar, type CalendarSpec } from '../services/calendar.ts';
import { say, t } from '../services/i18n.ts';

const TYPES = ['quarterly_open_data', 'annual_self_assessment'];
const ORG_SHOW = { include_datasets: false, include_dataset_count: false, include_users: false, include_groups: false, include_tags: false, include_extras: false, include_followers: false };

function provinceInfo(runtime: Runtime): ProvinceInfo {
  const { province } = runtime.settings.config;
  return { code: province.code, name: province.name, reporting_unit: province.reporting_unit, report_recipient: province.report_recipient };
}

/** What is stored with a report so it can be recomputed: the packs, every rule version, the calendar. */
function rulesSnapshot(runtime: Runtime, at: Date): DataDict {
  const { book, config } = runtime.settings;
  return {
    packs: book.packs.map((pack) => ({ pack: pack.id, version: pack.version, file: shownPath(pack.file), title: pack.title, jurisdiction: pack.jurisdiction })),
    in_force: book.inForce(localDay(at)).map((rule) => ({ id: rule.id, version: rule.version })),
    book: { rules: book.rules, calendar: book.calendar },
    holidays: config.holidays,
  };
}

function bookFromSnapshot(snapshot: DataDict): { book: RuleBook; calendar: WorkingCalendar } {
  const packs = (snapshot.packs as DataDict[]).map((pack) => ({ id: pack.pack, version: pack.version, title: pack.title, jurisdiction: pack.jurisdiction, file: pack.file, instruments: {}, calendar: null, rules: [] }));
  const book = new RuleBook(packs, snapshot.book.rules as Rule[], snapshot.book.calendar as CalendarSpec);
  return { book, calendar: new WorkingCalendar(book.calendar, snapshot.holidays) };
}

function downloads(context: ActionContext, id: string): DataDict {
  const base = context.services.config.site.url;
  return { json: `${base}/compliance/reports/${id}.json`, csv: `${base}/compliance/reports/${id}.csv`, xlsx: `${base}/compliance/reports/${id}.xlsx` };
}

async function canReadReport(context: ActionContext, orgId: string | null): Promise<boolean> {
  if (context.ignoreAuth || context.user?.sysadmin) return true;
  return !!orgId && (await hasPermissionFor(context, orgId, 'update_dataset'));
}

export async function loadReport(context: ActionContext, id: string): Promise<DataDict> {
  const row = await context.db()('compliance_report').where('id', id).first();
  if (!row) throw new NotFound('report');
  if (!(await canReadReport(context, row.org_id))) throw new NotAuthorized('Only sysadmins and the organization\'s editors may read this report');
  const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
  return { id: row.id, type: row.type, period: row.period, org_id: row.org_id, generated_at: naiveUtc(fromDbTime(row.generated_at)), generated_by: row.generated_by, as_of: row.as_of, rules: parse(row.rules), result: parse(row.result) };
}

function build(evaluator: Evaluator, type: string, period: ReturnType<typeof parsePeriod>, org: DataDict | null, runtime: Runtime): DataDict {
  if (type === 'quarterly_open_data') return quarterlyReport(evaluator, period!, provinceInfo(runtime));
  const facts = evaluator.facts.orgs.get(org!.id)!;
  return selfAssessmentReport(evaluator, facts, period!.year, provinceInfo(runtime));
}

function differences(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  if (out.length >= 20) return out;
  if (a === b) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const key of keys) differences((a as DataDict)[key], (b as DataDict)[key], path ? `${path}.${key}` : key, out);
    return out;
  }
  out.push(path || '(root)');
  return out;
}

export const reportActions: Record<string, ActionDefinition> = {
  compliance_report_generate: {
    access: 'manual',
    doc: "Generate and store a report: the quarterly open-data report of the province (type=quarterly_open_data, period=2026-Q1; sysadmins) or an organization's annual data self-assessment (type=annual_self_assessment, organization, period=2026; the organization's editors or sysadmins, and generating it files it). The report is stored with the rule packs and rule versions used; JSON, CSV and XLSX (Vietnamese column headings) are downloadable from the returned URLs.\n\n:param type:\n:param period: 2026-Q1 or 2026 (default: the current quarter or year)\n:param organization: for annual_self_assessment\n:param date: compute as of the end of this day (default: now, or the end of the period if it is over)\n:rtype: {id, type, period, generated_at, as_of, rules, result, downloads}",
    async handler(context, data) {
      const runtime = runtimeOf(context);
      const { language } = runtime.settings;
      const type = String(data.type ?? 'quarterly_open_data');
      if (!TYPES.includes(type)) throw new ValidationError({ type: [`Must be one of: ${TYPES.join(', ')}`] });
      const now = context.services.clock.now();
      const today = localDay(now);
      const period = data.period !== undefined ? parsePeriod(data.period) : type === 'quarterly_open_data' ? quarterOf(today) : yearOf(today);
      if (!period || period.kind !== (type === 'quarterly_open_data' ? 'quarter' : 'year')) {
        throw new ValidationError({ period: [say(type === 'quarterly_open_data' ? t('Kỳ phải là một quý, ví dụ 2026-Q1', 'The period must be a quarter, e.g. 2026-Q1') : t('Kỳ phải là một năm, ví dụ 2026', 'The period must be a year, e.g. 2026'), language)] });
      }
      let org: DataDict | null = null;
      if (type === 'annual_self_assessment') {
        if (!data.organization) throw new ValidationError({ organization: ['Missing value'] });
        org = await context.action('organization_show', { id: data.organization, ...ORG_SHOW }, { ignoreAuth: true });
        if (!(await canReadReport(context, org!.id))) throw new NotAuthorized(say(t('Chỉ thành viên có quyền biên tập của cơ quan mới được lập báo cáo này', "Only the organization's editors may produce its self-assessment"), language));
      } else if (!context.ignoreAuth && !context.user?.sysadmin) {
        throw new NotAuthorized(say(t('Chỉ quản trị hệ thống lập báo cáo quý của tỉnh', "Only sysadmins produce the province's quarterly report"), language));
      }
      const at = evaluationInstant(context, runtime, data.date);
      const facts = await loadFacts(context);
      const evaluator = new Evaluator(runtime.settings.book, runtime.settings.calendar, facts, at);
      const result = build(evaluator, type, period, org, runtime);
      const id = randomUUID();
      const rules = rulesSnapshot(runtime, at);
      await context.transaction(async () => {
        await context.db()('compliance_report').insert({
          id,
          type,
          period: period.key,
          org_id: org?.id ?? null,
          generated_at: toDbTime(now),
          generated_by: context.user?.name ?? 'site',
          as_of: at.toISOString().slice(0, 23),
          rules: JSON.stringify(rules),
          result: JSON.stringify(result),
        });
      });
      return { id, type, period: period.key, organization: org ? { id: org.id, name: org.name } : null, generated_at: naiveUtc(now), as_of: naiveUtc(at), rules: { packs: rules.packs, in_force: rules.in_force }, result, downloads: downloads(context, id) };
    },
  },

  compliance_report_show: {
    sideEffectFree: true,
    access: 'manual',
    doc: 'A stored report, with the rules it was computed with. With verify=true it is recomputed from the stored rule versions and calendar at the same instant, and the differences (if the catalogue changed since) are listed.\n\n:param id:\n:param verify: (default false)\n:rtype: dictionary',
    async handler(context, data) {
      if (!data.id) throw new ValidationError({ id: ['Missing value'] });
      const report = await loadReport(context, String(data.id));
      const out: DataDict = { ...report, rules: { packs: report.rules.packs, in_force: report.rules.in_force }, downloads: downloads(context, report.id) };
      if (data.verify === true || data.verify === 'true') {
        const runtime = runtimeOf(context);
        const { book, calendar } = bookFromSnapshot(report.rules);
        const facts = await loadFacts(context);
        const at = new Date(report.as_of + 'Z');
        const evaluator = new Evaluator(book, calendar, facts, at);
        const org = report.org_id ? { id: report.org_id } : null;
        const again = build(evaluator, report.type, parsePeriod(report.period), org, runtime);
        // generated_at is the moment of generation; the recomputation runs at as_of.
        const diff = differences({ ...report.result, generated_at: null }, { ...again, generated_at: null });
        out.verification = { identical: diff.length === 0, differences: diff, recomputed_with: { packs: report.rules.packs, rules: report.rules.in_force } };
      }
      return out;
    },
  },

  compliance_report_list: {
    sideEffectFree: true,
    access: 'manual',
    doc: 'Stored reports, newest first (sysadmins see all; others the reports of organizations they edit).\n\n:param type:\n:param period:\n:param limit: (default 50)\n:rtype: list',
    async handler(context, data) {
      const query = context.db()('compliance_report').orderBy('generated_at', 'desc').limit(Math.min(Number(data.limit) || 50, 500)).select('id', 'type', 'period', 'org_id', 'generated_at', 'generated_by', 'as_of');
      if (data.type) query.where('type', String(data.type));
      if (data.period) query.where('period', String(data.period));
      const rows = await query;
      const out: DataDict[] = [];
      for (const row of rows) {
        if (!(await canReadReport(context, row.org_id))) continue;
        out.push({ ...row, generated_at: naiveUtc(fromDbTime(row.generated_at)), downloads: downloads(context, row.id) });
      }
      return out;
    },
  },
};

export const reportAuth: Record<string, AuthDefinition> = {
  compliance_report_generate: { fn: () => true },
  compliance_report_show: { fn: () => true },
  compliance_report_list: { fn: () => true },
};
