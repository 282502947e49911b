// Read actions: the rules, the calendar, deadlines, and the evaluated status of a dataset, an
// organization and the province. Every status carries the rule, legal basis, dates and facts.
import type { ActionDefinition, AuthDefinition, DataDict } from '../../../core/actions/types.ts';
import { NotFound, ValidationError } from '../../../core/errors.ts';
import { hasPermissionFor } from '../../../core/auth/authz.ts';
import { runtimeOf, evaluationInstant, evaluatorFor } from '../services/runtime.ts';
import { ruleRef } from '../services/engine.ts';
import { RULE_KINDS } from '../services/rule-kinds.ts';
import { shownPath } from '../services/packs.ts';
import { deadline, describeDeadline, monthsAfter, parsePeriod, reportDeadline, updateWindow, quarterOf, yearOf } from '../services/periods.ts';
import { dayOf, formatDay, localDay, parseDayParam } from '../services/time.ts';
import { LUNAR_MAX_YEAR, LUNAR_MIN_YEAR } from '../services/lunar.ts';
import { say, t } from '../services/i18n.ts';
import { datasetFacts, orgFacts } from '../services/facts.ts';

const ORG_SHOW = { include_datasets: false, include_dataset_count: false, include_users: false, include_groups: false, include_tags: false, include_extras: false, include_followers: false };

function intParam(data: DataDict, key: string, fallback: number, min: number, max: number): number {
  const value = data[key];
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ValidationError({ [key]: [`Must be an integer from ${min} to ${max}`] });
  return n;
}

export const readActions: Record<string, ActionDefinition> = {
  compliance_rules_list: {
    sideEffectFree: true,
    doc: 'The compliance rules of the enabled rule packs: the versions in force on a date (default today), or every version with all=true. Each rule has its legal basis, jurisdiction, dates in force and parameters (after the province\'s overrides).\n\n:param date: YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh)\n:param all: every version, in force or not (default false)\n:param kind: only rules of this kind\n:rtype: {as_of, packs, rules}',
    handler(context, data) {
      const runtime = runtimeOf(context);
      const { book } = runtime.settings;
      const at = evaluationInstant(context, runtime, data.date);
      const day = localDay(at);
      const all = data.all === true || data.all === 'true';
      let rules = all ? book.rules : book.inForce(day);
      if (data.kind) rules = rules.filter((rule) => rule.kind === data.kind);
      return {
        as_of: formatDay(day),
        packs: book.packs.map((pack) => ({ pack: pack.id, version: pack.version, title: pack.title, jurisdiction: pack.jurisdiction, file: shownPath(pack.file), instruments: Object.values(pack.instruments) })),
        rules: rules.map((rule) => ({
          ...ruleRef(rule),
          scope: rule.scope,
          evaluated: rule.evaluated,
          in_force: rule.from <= day && (rule.to === null || day <= rule.to) && book.inForce(day).includes(rule),
          supersedes: rule.supersedes,
          note: rule.note,
          file: rule.file,
          checks: RULE_KINDS[rule.kind].description,
        })),
      };
    },
  },

  compliance_calendar_show: {
    sideEffectFree: true,
    doc: 'Non-working days of a year in Asia/Ho_Chi_Minh: public holidays (Tết and Giỗ Tổ Hùng Vương from the lunar calendar), compensatory days, announced changes, and the count of working days.\n\n:param year: (default: this year)\n:rtype: dictionary',
    handler(context, data) {
      const runtime = runtimeOf(context);
      const { calendar, book } = runtime.settings;
      const year = intParam(data, 'year', yearOf(localDay(context.services.clock.now())).year, LUNAR_MIN_YEAR, LUNAR_MAX_YEAR - 1);
      const start = dayOf(year, 1, 1);
      const end = dayOf(year, 12, 31);
      return {
        year,
        timezone: 'Asia/Ho_Chi_Minh',
        legal_basis: book.calendar.legal_basis ?? null,
        weekend: book.calendar.weekend,
        days_off: calendar.listYear(year),
        working_weekends: calendar.workingWeekends(year),
        working_days: calendar.countWorkingDays(start, end),
      };
    },
  },

  compliance_deadline: {
    sideEffectFree: true,
    doc: 'Compute a deadline under a rule, with the non-working days it was moved past: the update window or report deadline of a period, or the due date counted from a start date (working-day limits, months after an update or review).\n\n:param rule_id: the rule\n:param period: for windows and reports, e.g. 2026-Q1 or 2026\n:param start: for counted limits, the start date YYYY-MM-DD\n:param date: which version of the rule to use (default: the one in force on start, period or today)\n:rtype: dictionary',
    handler(context, data) {
      const runtime = runtimeOf(context);
      const { book, calendar, language } = runtime.settings;
      const id = String(data.rule_id ?? '');
      if (!id) throw new ValidationError({ rule_id: ['Missing value'] });
      const period = data.period !== undefined ? parsePeriod(data.period) : null;
      if (data.period !== undefined && !period) throw new ValidationError({ period: [say(t('Kỳ không hợp lệ (2026-Q1 hoặc 2026)', 'Not a period (2026-Q1 or 2026)'), language)] });
      const start = data.start !== undefined ? parseDayParam(data.start) : null;
      if (data.start !== undefined && start === null) throw new ValidationError({ start: [say(t('Ngày không hợp lệ (YYYY-MM-DD)', 'Not a date (YYYY-MM-DD)'), language)] });
      const today = localDay(context.services.clock.now());
      const versionDay = data.date !== undefined ? parseDayParam(data.date) : (start ?? period?.start ?? today);
      if (versionDay === null) throw new ValidationError({ date: ['Not a date (YYYY-MM-DD)'] });
      const versions = book.rules.filter((rule) => rule.id === id);
      if (!versions.length) throw new NotFound(`rule ${id}`);
      const rule = versions.find((r) => r.from <= versionDay && (r.to === null || versionDay <= r.to));
      if (!rule) throw new ValidationError({ rule_id: [say(t(`Quy tắc ${id} không có hiệu lực vào ngày ${formatDay(versionDay)}`, `Rule ${id} is not in force on ${formatDay(versionDay)}`), language)] });
      const out: DataDict = { rule: ruleRef(rule) };
      switch (rule.kind) {
        case 'quarterly_update_window': {
          const p = period ?? quarterOf(today);
          if (p.kind !== 'quarter') throw new ValidationError({ period: ['A quarter is needed, e.g. 2026-Q1'] });
          const window = updateWindow(rule, p, calendar);
          Object.assign(out, { period: p.key, window: { opens: window.opens, closes: window.closes, unit: window.unit, length: window.length }, explanation: t(`Kỳ cập nhật ${p.key}: từ ${window.opens}, ${(describeDeadline(window.closes) as { vi: string }).vi}`, `Update window ${p.key}: from ${window.opens}, ${(describeDeadline(window.closes) as { en: string }).en}`) });
          break;
        }
        case 'periodic_report': {
          const p = period ?? (rule.parameters.period === 'quarter' ? quarterOf(today) : yearOf(today));
          const due = reportDeadline(rule, rule.parameters.period === 'year' && p.kind === 'quarter' ? yearOf(p.start) : p, calendar);
          Object.assign(out, { period: p.key, deadline: due, explanation: describeDeadline(due) });
          break;
        }
        case 'working_day_sla': {
          if (start === null) throw new ValidationError({ start: ['Missing value'] });
          const n = rule.parameters.working_days as number;
          const due = deadline(calendar.nthWorkingDay(start + 1, n), calendar, false);
          Object.assign(out, {
            start: formatDay(start),
            deadline: due,
            non_working_days_skipped: Array.from({ length: due.day - start }, (_, i) => start + 1 + i).filter((d) => !calendar.isWorkingDay(d)).map((d) => ({ day: formatDay(d), reason: calendar.nonWorkingReason(d)!.name })),
            explanation: t(`${n} ngày làm việc kể từ ngày ${formatDay(start)}: hết ngày ${due.date}`, `${n} working days from ${formatDay(start)}: by the end of ${due.date}`),
          });
          break;
        }
        case 'update_within':
        case 'catalogue_review': {
          if (start === null) throw new ValidationError({ start: ['Missing value'] });
          const due = monthsAfter(start, rule.parameters.months, calendar);
          Object.assign(out, { start: formatDay(start), deadline: due, explanation: describeDeadline(due) });
          break;
        }
        default:
          throw new ValidationError({ rule_id: [say(t(`Quy tắc loại ${rule.kind} không có hạn`, `Rules of kind ${rule.kind} have no deadline`), language)] });
      }
      return out;
    },
  },

  compliance_dataset_show: {
    sideEffectFree: true,
    doc: "A dataset's compliance: quality score out of 505 with each indicator (points, pass/fail, points it would gain, facts), freshness against its declared frequency, the update duties of the province's rules with their due dates, classification, attestations, link checks and history.\n\n:param id: the dataset's id or name\n:param date: evaluate as of the end of this day (default: now)\n:rtype: dictionary",
    async handler(context, data) {
      const runtime = runtimeOf(context);
      const ref = data.id ?? data.name_or_id;
      if (!ref) throw new ValidationError({ id: ['Missing value'] });
      // package_show as the caller: a private dataset stays private.
      const dict: DataDict = await context.action('package_show', { id: ref });
      const at = evaluationInstant(context, runtime, data.date);
      const evaluator = await evaluatorFor(context, runtime, at, dict.owner_org ? { orgId: dict.owner_org } : { orgId: '__none__' });
      let facts = evaluator.facts.byId.get(dict.id);
      if (!facts) {
        facts = datasetFacts(dict, undefined);
        evaluator.facts.datasets.push(facts);
        evaluator.facts.byId.set(dict.id, facts);
      }
      return evaluator.dataset(facts);
    },
  },

  compliance_organization_show: {
    sideEffectFree: true,
    doc: "An organization's compliance for the current quarter and the previous ones: each duty of the rules in force (focal point, code, open data, quarterly update window, 3-month updates, catalogue review, self-assessment) with its status, rule, legal basis, dates and facts; overdue items with their due dates; and \"fix this first\", ordered by deadline and then by quality points gained across its catalogue.\n\n:param id: the organization's id or name\n:param period: the quarter to show as current (e.g. 2026-Q1; default: this quarter)\n:param history: how many quarters to include (default 4, at most 12)\n:param date: evaluate as of the end of this day (default: now)\n:rtype: dictionary",
    async handler(context, data) {
      const runtime = runtimeOf(context);
      if (!data.id) throw new ValidationError({ id: ['Missing value'] });
      const org: DataDict = await context.action('organization_show', { id: data.id, ...ORG_SHOW });
      const at = evaluationInstant(context, runtime, data.date);
      const period = data.period !== undefined ? parsePeriod(data.period) : null;
      if (data.period !== undefined && (!period || period.kind !== 'quarter')) throw new ValidationError({ period: [say(t('Kỳ phải là một quý, ví dụ 2026-Q1', 'The period must be a quarter, e.g. 2026-Q1'), runtime.settings.language)] });
      const history = intParam(data, 'history', 4, 1, 12);
      const evaluator = await evaluatorFor(context, runtime, at, { orgId: org.id });
      const facts = evaluator.facts.orgs.get(org.id) ?? orgFacts(org);
      const result = evaluator.organization(facts, { period: period ?? undefined, history });
      // Private datasets are named only to those who may read the organization's datasets.
      if (context.ignoreAuth || context.user?.sysadmin || (await hasPermissionFor(context, org.id, 'read'))) return result;
      const hidden = new Set(evaluator.facts.datasets.filter((ds) => !ds.dict || ds.dict.private || ds.dict.state !== 'active').map((ds) => ds.id));
      return redact(result, hidden);
    },
  },

  compliance_overview: {
    sideEffectFree: true,
    doc: "The province at a glance: the KPIs of vn-legal.md §7.3 (agencies with open data, on-time quarterly updates, 3-month update compliance, catalogue review age, self-assessments, link health, catalogue growth, machine-readable and open-licensed share, quality score) with their legal basis, the trend by quarter, the province's own reporting duties, and every organization's status.\n\n:param date: evaluate as of the end of this day (default: now)\n:param quarters: quarters in the trend (default 4, at most 12)\n:rtype: dictionary",
    async handler(context, data) {
      const runtime = runtimeOf(context);
      const at = evaluationInstant(context, runtime, data.date);
      const quarters = intParam(data, 'quarters', 4, 1, 12);
      const evaluator = await evaluatorFor(context, runtime, at);
      const { province } = runtime.settings.config;
      return evaluator.province({ quarters, province: { code: province.code, name: province.name, reporting_unit: province.reporting_unit } });
    },
  },
};

/** Drop list entries that name a hidden dataset (items, datasets, overdue entries), keeping the counts. */
function redact(value: unknown, hidden: Set<string>): any {
  if (Array.isArray(value)) {
    return value
      .filter((entry) => !(entry && typeof entry === 'object' && ((typeof (entry as DataDict).id === 'string' && hidden.has((entry as DataDict).id)) || hidden.has((entry as DataDict).dataset?.id))))
      .map((entry) => redact(entry, hidden));
  }
  if (value && typeof value === 'object') {
    const out: DataDict = {};
    for (const [key, item] of Object.entries(value)) out[key] = key === 'rule' || key === 'legal_basis' ? item : redact(item, hidden);
    return out;
  }
  return value;
}

function dashboardAuth(): AuthDefinition {
  return {
    allowAnonymous: true,
    fn: (context) => {
      const runtime = runtimeOf(context);
      if (runtime.settings.config.dashboard_public || context.user) return true;
      return { success: false, msg: 'Compliance statuses are visible to signed-in users only' };
    },
  };
}

export const readAuth: Record<string, AuthDefinition> = {
  compliance_rules_list: { allowAnonymous: true, fn: () => true },
  compliance_calendar_show: { allowAnonymous: true, fn: () => true },
  compliance_deadline: { allowAnonymous: true, fn: () => true },
  compliance_dataset_show: dashboardAuth(),
  compliance_organization_show: dashboardAuth(),
  compliance_overview: dashboardAuth(),
};
