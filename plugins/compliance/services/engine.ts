// The evaluation: given the facts, the rules and a moment, what is each dataset's, organization's and
// the province's status, and why. Pure: no database, no clock of its own. Every status carries the
// rule (id, version, legal basis), the dates computed and the facts used.
import type { DataDict } from '../../../core/actions/types.ts';
import type { WorkingCalendar } from './calendar.ts';
import type { Rule, RuleBook } from './packs.ts';
import { t, type Localized } from './i18n.ts';
import {
  deadline,
  describeDeadline,
  endOf,
  monthsAfter,
  parsePeriod,
  periodOf,
  previousPeriod,
  quarterOf,
  quartersUpTo,
  reportDeadline,
  updateWindow,
  yearPeriod,
  type Deadline,
  type Period,
} from './periods.ts';
import { addMonths, endOfLocalDay, formatDay, localDay, naiveUtc, startOfLocalDay } from './time.ts';
import { checkOrganizationCode } from './qd20.ts';
import { computeScore, isOpenMachineReadable, INDICATORS, type ScoreResult } from './score.ts';
import { declaredDataModified, frequencyOf, IMPORTANCE, SHARING } from './dataset-state.ts';
import type { Attestation, DatasetEvent, DatasetFacts, Facts, OrgFacts } from './types.ts';
import { findLicense, isOpenLicense } from '../../../core/model/licenses.ts';

export type Status = 'met' | 'met_late' | 'not_met' | 'pending' | 'due_soon' | 'overdue' | 'missed' | 'not_applicable' | 'not_evaluated';

/** Statuses that make an organization non-compliant. */
export const FAILING: readonly Status[] = ['not_met', 'overdue', 'missed'];

export interface RuleRef {
  id: string;
  version: number;
  kind: string;
  requirement: string | null;
  title: Localized;
  severity: string;
  legal_basis: Rule['legal_basis'];
  jurisdiction: string;
  pack: string;
  pack_version: string;
  effective_from: string;
  effective_to: string | null;
  evidence: string | null;
  parameters: Record<string, unknown>;
  overridden: string[];
}

export function ruleRef(rule: Rule): RuleRef {
  return {
    id: rule.id,
    version: rule.version,
    kind: rule.kind,
    requirement: rule.requirement,
    title: rule.title,
    severity: rule.severity,
    legal_basis: rule.legal_basis,
    jurisdiction: rule.jurisdiction,
    pack: rule.pack,
    pack_version: rule.pack_version,
    effective_from: rule.effective_from,
    effective_to: rule.effective_to,
    evidence: rule.evidence,
    parameters: rule.parameters,
    overridden: rule.overridden,
  };
}

export interface DutyItem {
  id: string;
  name: string;
  title: string;
  status: Status;
  [key: string]: unknown;
}

export interface Duty {
  rule: RuleRef;
  status: Status;
  period?: string;
  dates: DataDict;
  facts: DataDict;
  items?: DutyItem[];
  explanation: Localized;
}

const FREQUENCY_MONTHS: Record<string, number> = { monthly: 1, quarterly: 3, semiannual: 6, annual: 12 };
const FREQUENCY_DAYS: Record<string, number> = { daily: 1, weekly: 7 };

export interface TimelineEntry {
  rule: Rule;
  start: Date;
  cause: string;
  due: Deadline;
  satisfied_at: Date | null;
  satisfied_by: string | null;
  closed_at: Date | null;
}

export interface EvaluatorOptions {
  focalFields?: string[];
}

export class Evaluator {
  readonly book: RuleBook;
  readonly calendar: WorkingCalendar;
  readonly facts: Facts;
  readonly now: Date;
  readonly today: number;
  private readonly attestationsByPackage = new Map<string, Attestation[]>();
  private readonly attestationsByOrg = new Map<string, Attestation[]>();
  private readonly scoreCache = new Map<string, ScoreResult>();
  private readonly openCache = new Map<number, Map<string, DatasetFacts[]>>();
  private readonly byOwner = new Map<string, DatasetFacts[]>();
  private readonly firstOpenByOrg = new Map<string, Date>();
  private readonly firstSharedByOrg = new Map<string, Date>();
  private readonly itemIndex = new WeakMap<Duty, Map<string, DutyItem>>();

  constructor(book: RuleBook, calendar: WorkingCalendar, facts: Facts, now: Date) {
    this.book = book;
    this.calendar = calendar;
    this.facts = facts;
    this.now = now;
    this.today = localDay(now);
    for (const attestation of facts.attestations) {
      if (attestation.at > now) continue;
      if (attestation.package_id) push(this.attestationsByPackage, attestation.package_id, attestation);
      if (attestation.org_id) push(this.attestationsByOrg, attestation.org_id, attestation);
    }
    for (const ds of facts.datasets) {
      if (ds.dict && ds.dict.owner_org && ds.dict.state !== 'deleted') push(this.byOwner, ds.dict.owner_org, ds);
      for (const event of ds.events) {
        if (event.at > now || !event.org_id) continue;
        if (event.open && !(this.firstOpenByOrg.get(event.org_id)! <= event.at)) this.firstOpenByOrg.set(event.org_id, event.at);
        if (event.sharing === 'dung_chung' && !(this.firstSharedByOrg.get(event.org_id)! <= event.at)) this.firstSharedByOrg.set(event.org_id, event.at);
      }
    }
  }

  /** The organization's current (not deleted) datasets, by owner_org of the current dict. */
  datasetsOwnedBy(orgId: string): DatasetFacts[] {
    return this.byOwner.get(orgId) ?? [];
  }

  /** An item of a duty by dataset id (indexed once per duty). */
  itemOf(duty: Duty, id: string): DutyItem | undefined {
    let index = this.itemIndex.get(duty);
    if (!index) {
      index = new Map((duty.items ?? []).map((item) => [item.id, item]));
      this.itemIndex.set(duty, index);
    }
    return index.get(id);
  }

  // ---------------------------------------------------------------------------------------------
  // Dataset history

  /** The dataset's state at an instant: the last event at or before it (null: did not exist). */
  stateAt(ds: DatasetFacts, at: Date): DatasetEvent | null {
    let found: DatasetEvent | null = null;
    for (const event of ds.events) {
      if (event.at > at) break;
      found = event;
    }
    return found;
  }

  /** Instants the data changed (including first publication), up to `until`. */
  dataUpdates(ds: DatasetFacts, until: Date): Date[] {
    return ds.events.filter((event) => event.data_updated && event.at <= until).map((event) => event.at);
  }

  lastDataUpdate(ds: DatasetFacts, until: Date): Date | null {
    let platform: Date | null = null;
    for (const event of ds.events) {
      if (event.at > until) break;
      if (event.data_updated) platform = event.at;
    }
    const declared = ds.dict ? declaredDataModified(ds.dict) : null;
    if (declared && declared <= until && (!platform || declared > platform)) return declared;
    return platform;
  }

  /** Datasets of an organization that are open at an instant (one pass over the catalogue per instant). */
  openDatasetsOf(orgId: string, at: Date): DatasetFacts[] {
    let index = this.openCache.get(at.getTime());
    if (!index) {
      index = new Map();
      for (const ds of this.facts.datasets) {
        const state = this.stateAt(ds, at);
        if (state?.open && state.org_id) push(index, state.org_id, ds);
      }
      if (this.openCache.size > 64) this.openCache.clear();
      this.openCache.set(at.getTime(), index);
    }
    return index.get(orgId) ?? [];
  }

  private readonly noChangeCache = new Map<string, Attestation[]>();

  private noChangeAttestations(packageId: string, until: Date): Attestation[] {
    let list = this.noChangeCache.get(packageId);
    if (!list) {
      list = (this.attestationsByPackage.get(packageId) ?? []).filter((a) => a.kind === 'no_change');
      this.noChangeCache.set(packageId, list);
    }
    return until >= this.now ? list : list.filter((a) => a.at <= until);
  }

  // ---------------------------------------------------------------------------------------------
  // Rules

  private firstOfKind(kind: string, day: number, scope?: string): Rule | null {
    return this.book.ofKind(kind, day).find((rule) => !scope || rule.parameters.scope === scope) ?? null;
  }

  private focalFields(day: number): string[] {
    return (this.firstOfKind('focal_point', day)?.parameters.fields as string[] | undefined) ?? ['contact_name', 'contact_position', 'contact_phone', 'contact_email'];
  }

  /** An organization's compliance fields at an instant (its snapshot history, or current values). */
  orgFieldsAt(org: OrgFacts, at: Date): DataDict {
    let fields: DataDict | null = null;
    for (const snapshot of org.history) {
      if (snapshot.at > at) break;
      fields = snapshot.fields;
    }
    return fields ?? org.fields;
  }

  // ---------------------------------------------------------------------------------------------
  // Freshness (R22) and the rolling update duty (R28)

  /** Freshness without the wording: what scores need, for every dataset. */
  private freshnessCore(ds: DatasetFacts): { status: string; rule: Rule | null; frequency: string | null; last: Date | null; expected?: number; grace?: number; staleAfter?: number } {
    const rule = this.firstOfKind('freshness', this.today);
    const frequency = ds.dict ? frequencyOf(ds.dict) : null;
    const last = this.lastDataUpdate(ds, this.now);
    if (!rule) return { status: 'not_evaluated', rule, frequency, last };
    if (!frequency) return { status: 'unknown', rule, frequency, last };
    if (frequency === 'irregular' || frequency === 'never') return { status: 'not_applicable', rule, frequency, last };
    if (!last) return { status: 'unknown', rule, frequency, last };
    const lastDay = localDay(last);
    const expected = FREQUENCY_DAYS[frequency] !== undefined ? lastDay + FREQUENCY_DAYS[frequency] : addMonths(lastDay, FREQUENCY_MONTHS[frequency] ?? 12);
    const grace = Number((rule.parameters.grace_days as Record<string, number>)[frequency] ?? 0);
    const staleAfter = expected + grace;
    let status: string;
    if (this.today > staleAfter) status = 'stale';
    else if (this.today > expected) status = 'in_grace';
    else if (expected - this.today <= Number(rule.parameters.due_soon_days)) status = 'due_soon';
    else status = 'fresh';
    return { status, rule, frequency, last, expected, grace, staleAfter };
  }

  freshness(ds: DatasetFacts): { status: string; passed: boolean; rule: RuleRef | null; facts: DataDict; explanation: Localized } {
    const core = this.freshnessCore(ds);
    const facts: DataDict = { frequency: core.frequency, last_data_update: core.last ? naiveUtc(core.last) : null, declared_data_modified: ds.dict?.data_modified ?? null };
    const rule = core.rule ? ruleRef(core.rule) : null;
    switch (core.status) {
      case 'not_evaluated':
        return { status: core.status, passed: true, rule, facts, explanation: t('Không có quy tắc về tính cập nhật đang có hiệu lực', 'No freshness rule in force') };
      case 'not_applicable':
        return { status: core.status, passed: true, rule, facts, explanation: t('Dữ liệu không cập nhật định kỳ', 'The data is not updated on a schedule') };
      case 'unknown':
        return core.frequency
          ? { status: core.status, passed: false, rule, facts, explanation: t('Chưa có ngày cập nhật dữ liệu', 'No data update date known') }
          : { status: core.status, passed: false, rule, facts, explanation: t('Chưa khai báo tần suất cập nhật (ky_cap_nhat)', 'No update frequency declared (ky_cap_nhat)') };
      default: {
        const lastDay = formatDay(localDay(core.last!));
        Object.assign(facts, { expected_update_by: formatDay(core.expected!), grace_days: core.grace, stale_after: formatDay(core.staleAfter!) });
        const explanation =
          core.status === 'stale'
            ? t(`Quá hạn cập nhật: lần cập nhật cuối ${lastDay}, tần suất ${core.frequency}, hạn ${formatDay(core.expected!)} (+${core.grace} ngày)`, `Stale: last updated ${lastDay}, frequency ${core.frequency}, expected by ${formatDay(core.expected!)} (+${core.grace} days grace)`)
            : t(`Cập nhật lần cuối ${lastDay}, lần tới trước ${formatDay(core.expected!)}`, `Last updated ${lastDay}, next update expected by ${formatDay(core.expected!)}`);
        return { status: core.status, passed: core.status !== 'stale', rule, facts, explanation };
      }
    }
  }

  /** The rolling-update entry current at `cut`, and whether it is overdue then (no copies). */
  timelineAt(ds: DatasetFacts, cut: Date): { entry: TimelineEntry; overdue: boolean } | null {
    const full = this.updateTimeline(ds);
    let found: TimelineEntry | null = null;
    for (const entry of full) {
      if (entry.start > cut) break;
      found = entry;
    }
    if (!found) return null;
    const satisfied = !!found.satisfied_at && found.satisfied_at <= cut;
    return { entry: found, overdue: !satisfied && cut > endOf(found.due) };
  }

  /**
   * The rolling update duty (R28): each publication, update or "no change" attestation restarts a
   * clock of `months`; the duty is met when the next one comes before the deadline. Computed once per
   * dataset up to now; an earlier `until` sees only what had happened by then.
   */
  updateTimeline(ds: DatasetFacts, until: Date = this.now): TimelineEntry[] {
    let full = this.timelineCache.get(ds.id);
    if (!full) {
      full = this.computeTimeline(ds);
      this.timelineCache.set(ds.id, full);
    }
    if (until >= this.now) return full;
    const out: TimelineEntry[] = [];
    for (const entry of full) {
      if (entry.start > until) break;
      const satisfied = entry.satisfied_at && entry.satisfied_at <= until;
      out.push({
        ...entry,
        satisfied_at: satisfied ? entry.satisfied_at : null,
        satisfied_by: satisfied ? entry.satisfied_by : null,
        closed_at: entry.closed_at && entry.closed_at <= until ? entry.closed_at : null,
      });
    }
    return out;
  }

  private readonly timelineCache = new Map<string, TimelineEntry[]>();

  private computeTimeline(ds: DatasetFacts): TimelineEntry[] {
    const until = this.now;
    const resets: Array<{ at: Date; cause: string }> = [];
    const closes: Date[] = [];
    let wasOpen = false;
    for (const event of ds.events) {
      if (event.at > until) break;
      if (event.open && !wasOpen) resets.push({ at: event.at, cause: 'published' });
      else if (event.open && event.data_updated) resets.push({ at: event.at, cause: 'updated' });
      if (!event.open && wasOpen) closes.push(event.at);
      wasOpen = event.open;
    }
    for (const attestation of this.noChangeAttestations(ds.id, until)) resets.push({ at: attestation.at, cause: 'attested' });
    resets.sort((a, b) => a.at.getTime() - b.at.getTime());
    const out: TimelineEntry[] = [];
    for (let i = 0; i < resets.length; i++) {
      const reset = resets[i];
      const rule = this.firstOfKind('update_within', localDay(reset.at));
      if (!rule) continue;
      if (reset.cause === 'attested' && !rule.parameters.attestation_counts) continue;
      // An attestation while the dataset is not open restarts nothing.
      const state = this.stateAt(ds, reset.at);
      if (!state?.open) continue;
      const due = monthsAfter(localDay(reset.at), rule.parameters.months, this.calendar);
      let next: { at: Date; cause: string } | null = null;
      for (let j = i + 1; j < resets.length; j++) {
        if (resets[j].cause !== 'attested' || rule.parameters.attestation_counts) {
          next = resets[j];
          break;
        }
      }
      const closed = closes.find((c) => c > reset.at && (!next || c < next.at)) ?? null;
      out.push({ rule, start: reset.at, cause: reset.cause, due, satisfied_at: next?.at ?? null, satisfied_by: next?.cause ?? null, closed_at: closed });
    }
    // Keep one entry per start (several resets at the same instant collapse).
    return out.filter((entry, index) => index === out.length - 1 || out[index + 1].start.getTime() !== entry.start.getTime());
  }

  /** The current status of the rolling update duty for a dataset. */
  updateDuty(ds: DatasetFacts): Duty | null {
    const state = this.stateAt(ds, this.now);
    const rule = this.firstOfKind('update_within', this.today);
    if (!rule) return null;
    if (!state?.open) return { rule: ruleRef(rule), status: 'not_applicable', dates: {}, facts: { open: false }, explanation: t('Dữ liệu không phải dữ liệu mở đang công bố', 'The dataset is not published open data') };
    const timeline = this.updateTimeline(ds);
    const current = timeline.at(-1);
    if (!current) return { rule: ruleRef(rule), status: 'not_applicable', dates: {}, facts: {}, explanation: t('Chưa có mốc công bố', 'No publication date known') };
    const end = endOf(current.due);
    const remind = Number(current.rule.parameters.remind_before_days ?? 14);
    const facts = { clock_started: naiveUtc(current.start), started_by: current.cause, months: current.rule.parameters.months, baseline_history: ds.baseline };
    const dates = { started_on: formatDay(localDay(current.start)), due_date: current.due.date, due_at: current.due.at, due_at_local: current.due.at_local, nominal_due_date: current.due.nominal_date, extended_past: current.due.extended_past };
    let status: Status;
    let explanation: Localized;
    if (this.now > end) {
      status = 'overdue';
      explanation = t(
        `Quá hạn cập nhật từ ${current.due.date}: mốc ${formatDay(localDay(current.start))} (${causeVi(current.cause)}) + ${current.rule.parameters.months} tháng`,
        `Overdue since ${current.due.date}: ${formatDay(localDay(current.start))} (${current.cause}) + ${current.rule.parameters.months} months`,
      );
    } else {
      status = current.due.day - this.today <= remind ? 'due_soon' : 'pending';
      explanation = t(
        `Cần cập nhật hoặc xác nhận không thay đổi trước hết ngày ${current.due.date} (${(describeDeadline(current.due) as { vi: string }).vi})`,
        `Update or attest no change by the end of ${current.due.date} (${(describeDeadline(current.due) as { en: string }).en})`,
      );
    }
    return { rule: ruleRef(current.rule), status, dates, facts, explanation };
  }

  // ---------------------------------------------------------------------------------------------
  // The quarterly window (R25)

  quarterWindow(orgId: string, period: Period): Duty | null {
    const probeDay = Math.min(period.end, Math.max(period.start, this.today));
    const rule = this.firstOfKind('quarterly_update_window', probeDay) ?? this.firstOfKind('quarterly_update_window', period.start);
    if (!rule || period.kind !== 'quarter') return null;
    const window = updateWindow(rule, period, this.calendar);
    const opens = startOfLocalDay(window.opens_day);
    const closes = endOf(window.closes);
    const cut = this.now < closes ? this.now : closes;
    const dates = {
      window_opens: window.opens,
      window_closes: window.closes.date,
      window_closes_at: window.closes.at,
      window_closes_at_local: window.closes.at_local,
      nominal_window_closes: window.closes.nominal_date,
      extended_past: window.closes.extended_past,
      unit: window.unit,
      length: window.length,
    };
    if (this.now < opens) {
      return { rule: ruleRef(rule), status: 'pending', period: period.key, dates, facts: {}, items: [], explanation: t(`Kỳ cập nhật mở từ ${window.opens} đến hết ${window.closes.date}`, `The update window runs from ${window.opens} to the end of ${window.closes.date}`) };
    }
    const required = this.openDatasetsOf(orgId, cut);
    const items: DutyItem[] = required.map((ds) => {
      const update = this.dataUpdates(ds, cut).find((at) => at >= opens);
      const attestation = rule.parameters.attestation_counts ? this.noChangeAttestations(ds.id, cut).find((a) => a.at >= opens) : undefined;
      const satisfied = update ?? attestation?.at ?? null;
      return {
        id: ds.id,
        name: ds.name,
        title: ds.title,
        status: satisfied ? 'met' : this.now > closes ? 'missed' : 'pending',
        satisfied_by: update ? 'update' : attestation ? 'attestation' : null,
        at: satisfied ? naiveUtc(satisfied) : null,
        attested_by: !update && attestation ? attestation.user_name : null,
      };
    });
    const done = items.filter((item) => item.status === 'met').length;
    const facts = { open_datasets: items.length, updated: items.filter((i) => i.satisfied_by === 'update').length, attested: items.filter((i) => i.satisfied_by === 'attestation').length, outstanding: items.length - done };
    let status: Status;
    if (!items.length) status = 'not_applicable';
    else if (done === items.length) status = 'met';
    else if (this.now > closes) status = 'missed';
    else status = window.closes.day - this.today <= Number(rule.parameters.remind_before_days ?? 5) ? 'due_soon' : 'pending';
    const explanation: Localized =
      status === 'not_applicable'
        ? t('Không có dữ liệu mở phải cập nhật trong kỳ', 'No open dataset to update this quarter')
        : t(
            `${done}/${items.length} bộ dữ liệu mở đã cập nhật hoặc xác nhận không thay đổi trong kỳ ${window.opens} – ${window.closes.date}${window.closes.extended_past.length ? ` (lùi hạn vì ${window.closes.extended_past.map((x) => x.day).join(', ')} là ngày nghỉ)` : ''}`,
            `${done}/${items.length} open datasets updated or attested unchanged in the window ${window.opens} – ${window.closes.date}${window.closes.extended_past.length ? ` (extended past non-working ${window.closes.extended_past.map((x) => x.day).join(', ')})` : ''}`,
          );
    return { rule: ruleRef(rule), status, period: period.key, dates, facts, items, explanation };
  }

  // ---------------------------------------------------------------------------------------------
  // Organization duties

  private catalogueReview(org: OrgFacts, rule: Rule, cut: Date): Duty {
    const kind = rule.parameters.attestation_kind as string;
    const reviews = (this.attestationsByOrg.get(org.id) ?? []).filter((a) => a.kind === kind && a.at <= cut);
    const last = reviews.at(-1) ?? null;
    let baseline: Date | null = last?.at ?? null;
    let baselineCause = last ? 'review' : null;
    if (!baseline) {
      // Never reviewed: the clock runs from when the organization first had data of that kind.
      const first = (rule.parameters.applies_when === 'shared_data' ? this.firstSharedByOrg : this.firstOpenByOrg).get(org.id) ?? null;
      baseline = first && first <= cut ? first : null;
      baselineCause = baseline ? (rule.parameters.applies_when === 'shared_data' ? 'first_shared_dataset' : 'first_open_dataset') : null;
    }
    if (!baseline) {
      return { rule: ruleRef(rule), status: 'not_applicable', dates: {}, facts: { last_reviewed_at: null }, explanation: t('Cơ quan chưa có dữ liệu thuộc danh mục này', 'The organization has no data in this catalogue yet') };
    }
    const due = monthsAfter(localDay(baseline), rule.parameters.months, this.calendar);
    const cutDay = localDay(cut);
    const age = cutDay - localDay(baseline);
    const facts = { last_reviewed_at: last ? naiveUtc(last.at) : null, reviewed_by: last?.user_name ?? null, clock_started_by: baselineCause, age_days: age, months: rule.parameters.months };
    const dates = { last_review: last ? formatDay(localDay(last.at)) : null, next_review_due: due.date, due_at: due.at, due_at_local: due.at_local, nominal_due_date: due.nominal_date, extended_past: due.extended_past };
    const overdue = cut > endOf(due);
    const status: Status = overdue ? 'overdue' : due.day - cutDay <= Number(rule.parameters.remind_before_days ?? 14) ? 'due_soon' : 'met';
    const explanation = overdue
      ? t(`Quá hạn rà soát danh mục từ ${due.date} (lần rà soát gần nhất: ${last ? formatDay(localDay(last.at)) : 'chưa có'})`, `Catalogue review overdue since ${due.date} (last review: ${last ? formatDay(localDay(last.at)) : 'none'})`)
      : t(`Rà soát danh mục tiếp theo trước hết ngày ${due.date}`, `Next catalogue review due by the end of ${due.date}`);
    return { rule: ruleRef(rule), status, dates, facts, explanation };
  }

  /** A periodic report for a period: owed by the province (org null) or by an organization. */
  reportDuty(rule: Rule, period: Period, org: OrgFacts | null): Duty {
    const due = reportDeadline(rule, period, this.calendar);
    const type = rule.parameters.report_type as string;
    const end = endOf(due);
    const filed = [
      ...this.facts.reports.filter((r) => r.type === type && r.period === period.key && (org ? r.org_id === org.id : !r.org_id) && r.generated_at <= this.now).map((r) => ({ at: r.generated_at, how: 'report', id: r.id })),
      ...(org ? (this.attestationsByOrg.get(org.id) ?? []) : this.facts.attestations.filter((a) => !a.org_id && a.at <= this.now))
        .filter((a) => (a.kind === 'report_submitted' && a.period === `${type}/${period.key}`) || (org && a.kind === 'self_assessment' && type === 'annual_self_assessment' && a.period === period.key))
        .map((a) => ({ at: a.at, how: 'attestation', id: a.id })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime());
    const first = filed[0] ?? null;
    const dates = { period_start: formatDay(period.start), period_end: formatDay(period.end), due_date: due.date, due_at: due.at, due_at_local: due.at_local, nominal_due_date: due.nominal_date, extended_past: due.extended_past };
    const facts = { report_type: type, filed_at: first ? naiveUtc(first.at) : null, filed_as: first?.how ?? null, filed_id: first?.id ?? null };
    let status: Status;
    if (first) status = first.at <= end ? 'met' : 'met_late';
    else if (this.now > end) status = 'overdue';
    else status = due.day - this.today <= Number(rule.parameters.remind_before_days ?? 10) ? 'due_soon' : 'pending';
    const explanation =
      status === 'met' || status === 'met_late'
        ? t(`Đã nộp ngày ${formatDay(localDay(first!.at))}, hạn ${due.date}${status === 'met_late' ? ' (muộn)' : ''}`, `Filed on ${formatDay(localDay(first!.at))}, due ${due.date}${status === 'met_late' ? ' (late)' : ''}`)
        : status === 'overdue'
          ? t(`Quá hạn nộp báo cáo từ ${due.date}`, `Report overdue since ${due.date}`)
          : t(`Báo cáo kỳ ${period.key}: ${(describeDeadline(due) as { vi: string }).vi}`, `Report for ${period.key}: ${(describeDeadline(due) as { en: string }).en}`);
    return { rule: ruleRef(rule), status, period: period.key, dates, facts, explanation };
  }

  /** Every duty of an organization for a period, evaluated as of min(now, end of period). */
  organizationDuties(org: OrgFacts, period: Period): Duty[] {
    const cut = this.now < endOfLocalDay(period.end) ? this.now : endOfLocalDay(period.end);
    const cutDay = localDay(cut);
    const duties: Duty[] = [];
    const fields = this.orgFieldsAt(org, cut);
    const open = this.openDatasetsOf(org.id, cut);
    for (const rule of this.book.inForce(cutDay)) {
      if (!rule.evaluated) continue;
      const ref = ruleRef(rule);
      switch (rule.kind) {
        case 'organization_code': {
          const check = checkOrganizationCode(fields.ma_dinh_danh, rule.parameters.allow);
          duties.push({
            rule: ref,
            status: check.valid ? 'met' : 'not_met',
            dates: {},
            facts: { ma_dinh_danh: fields.ma_dinh_danh ?? null, family: check.family, level: check.level },
            explanation: check.valid ? t(`Mã định danh ${fields.ma_dinh_danh} hợp lệ`, `Code ${fields.ma_dinh_danh} is valid`) : check.problem!,
          });
          break;
        }
        case 'focal_point': {
          const missing = (rule.parameters.fields as string[]).filter((field) => !filledValue(fields[field]));
          duties.push({
            rule: ref,
            status: missing.length ? 'not_met' : 'met',
            dates: {},
            facts: { missing, focal_point: Object.fromEntries((rule.parameters.fields as string[]).map((f) => [f, fields[f] ?? null])) },
            explanation: missing.length ? t(`Thiếu thông tin cán bộ đầu mối: ${missing.join(', ')}`, `Focal point incomplete: missing ${missing.join(', ')}`) : t('Đã có đủ thông tin cán bộ đầu mối', 'Focal point complete'),
          });
          break;
        }
        case 'feedback_contact': {
          const present = (rule.parameters.fields as string[]).filter((field) => filledValue(fields[field]));
          duties.push({ rule: ref, status: present.length ? 'met' : 'not_met', dates: {}, facts: { present }, explanation: present.length ? t('Có đầu mối tiếp nhận phản ánh', 'A feedback contact is set') : t('Chưa có đầu mối tiếp nhận phản ánh (feedback_email)', 'No feedback contact (feedback_email)') });
          break;
        }
        case 'min_open_datasets': {
          const minimum = rule.parameters.minimum as number;
          duties.push({
            rule: ref,
            status: open.length >= minimum ? 'met' : 'not_met',
            dates: { as_of: formatDay(cutDay) },
            facts: { open_datasets: open.length, minimum },
            explanation: t(`${open.length} bộ dữ liệu mở đang công bố (tối thiểu ${minimum})`, `${open.length} open datasets published (at least ${minimum} required)`),
          });
          break;
        }
        case 'classification': {
          const all = this.datasetsOwnedBy(org.id).filter((ds) => this.stateAt(ds, cut));
          const unclassified = all.filter((ds) => !(SHARING as readonly string[]).includes(ds.dict!.phan_loai_chia_se) || !(IMPORTANCE as readonly string[]).includes(ds.dict!.muc_do_quan_trong));
          duties.push({
            rule: ref,
            status: unclassified.length ? 'not_met' : all.length ? 'met' : 'not_applicable',
            dates: {},
            facts: { datasets: all.length, unclassified: unclassified.length },
            items: unclassified.slice(0, 50).map((ds) => ({ id: ds.id, name: ds.name, title: ds.title, status: 'not_met' as Status })),
            explanation: t(`${all.length - unclassified.length}/${all.length} bộ dữ liệu đã phân loại đủ hai tiêu chí`, `${all.length - unclassified.length}/${all.length} datasets carry both classifications`),
          });
          break;
        }
        case 'quarterly_update_window': {
          if (period.kind !== 'quarter') break;
          const duty = this.quarterWindow(org.id, period);
          if (duty) duties.push(duty);
          break;
        }
        case 'update_within': {
          const items: DutyItem[] = [];
          for (const ds of open) {
            const timeline = this.updateTimeline(ds, cut);
            const inPeriod = timeline.filter((entry) => entry.due.day >= period.start && entry.due.day <= period.end && !entry.closed_at);
            const current = timeline.at(-1);
            for (const entry of inPeriod) {
              const end = endOf(entry.due);
              const status: Status = entry.satisfied_at && entry.satisfied_at <= end ? 'met' : this.now > end ? (entry.satisfied_at ? 'met_late' : 'overdue') : 'pending';
              items.push({ id: ds.id, name: ds.name, title: ds.title, status, due_date: entry.due.date, started_on: formatDay(localDay(entry.start)), started_by: entry.cause, satisfied_at: entry.satisfied_at ? naiveUtc(entry.satisfied_at) : null, satisfied_by: entry.satisfied_by });
            }
            if (current && !inPeriod.includes(current) && cut > endOf(current.due) && !current.satisfied_at) {
              items.push({ id: ds.id, name: ds.name, title: ds.title, status: 'overdue', due_date: current.due.date, started_on: formatDay(localDay(current.start)), started_by: current.cause, satisfied_at: null, satisfied_by: null });
            }
          }
          const overdue = items.filter((item) => item.status === 'overdue').length;
          const late = items.filter((item) => item.status === 'met_late').length;
          const met = items.filter((item) => item.status === 'met').length;
          const pending = items.filter((item) => item.status === 'pending').length;
          const soon = items.filter((item) => item.status === 'pending' && String(item.due_date) <= formatDay(this.today + Number(rule.parameters.remind_before_days ?? 14))).length;
          const status: Status = overdue ? 'overdue' : !items.length ? 'not_applicable' : pending ? (soon ? 'due_soon' : 'pending') : late ? 'met_late' : 'met';
          duties.push({
            rule: ref,
            status,
            period: period.key,
            dates: { period_start: formatDay(period.start), period_end: formatDay(period.end) },
            facts: { open_datasets: open.length, deadlines: items.length, met, met_late: late, overdue, pending },
            items: items.sort((a, b) => String(a.due_date).localeCompare(String(b.due_date))),
            explanation: t(
              `${items.length} hạn cập nhật trong kỳ hoặc đang quá hạn: ${met} đúng hạn, ${late} muộn, ${overdue} quá hạn, ${pending} chưa đến hạn`,
              `${items.length} update deadlines in the period or overdue: ${met} on time, ${late} late, ${overdue} overdue, ${pending} not yet due`,
            ),
          });
          break;
        }
        case 'catalogue_review':
          duties.push(this.catalogueReview(org, rule, cut));
          break;
        case 'periodic_report': {
          if (rule.parameters.scope !== 'organization') break;
          const reportPeriod = rule.parameters.period === 'year' ? yearPeriod(period.year) : periodOf('quarter', period.start);
          // A yearly report shows in the quarter it falls due in, and in the year view.
          const due = reportDeadline(rule, reportPeriod, this.calendar);
          if (period.kind === 'quarter' && (due.day < period.start || due.day > period.end + 7)) break;
          duties.push(this.reportDuty(rule, reportPeriod, org));
          break;
        }
        default:
          break;
      }
    }
    return duties;
  }

  // ---------------------------------------------------------------------------------------------
  // Scores

  /** The quality score; cached per dataset, with each indicator's facts only when `detail`. */
  score(ds: DatasetFacts, detail = false): ScoreResult | null {
    if (!ds.dict) return null;
    if (!detail) {
      const cached = this.scoreCache.get(ds.id);
      if (cached) return cached;
    }
    const rule = this.firstOfKind('quality_score', this.today);
    if (!rule) return null;
    const org = ds.dict.owner_org ? this.facts.orgs.get(ds.dict.owner_org) : undefined;
    const freshness = this.freshnessCore(ds);
    const state = this.stateAt(ds, this.now);
    const update = state?.open && this.firstOfKind('update_within', this.today) ? this.timelineAt(ds, this.now) : null;
    const quarter = org ? this.windowItemFor(ds, org.id) : null;
    const fresh = freshness.status !== 'stale' && freshness.status !== 'unknown' && !update?.overdue && quarter !== 'missed';
    const score = computeScore(
      ds.dict,
      rule,
      {
        org: org?.fields ?? null,
        links: this.facts.links,
        fresh,
        freshFacts: detail ? { freshness: freshness.status, update_rule_overdue: update?.overdue ?? null, last_quarter_window: quarter } : {},
        openFormat: this.firstOfKind('open_format', this.today),
        focalFields: this.focalFields(this.today),
      },
      detail,
    );
    if (!detail) this.scoreCache.set(ds.id, score);
    return score;
  }

  /** This dataset's status in the most recent quarterly window that has opened. */
  private windowItemFor(ds: DatasetFacts, orgId: string): Status | null {
    const rule = this.firstOfKind('quarterly_update_window', this.today);
    if (!rule) return null;
    let period = quarterOf(this.today);
    if (this.now < startOfLocalDay(updateWindow(rule, period, this.calendar).opens_day)) period = previousPeriod(period);
    const duty = this.quarterWindowCached(orgId, period);
    return duty ? ((this.itemOf(duty, ds.id)?.status as Status | undefined) ?? null) : null;
  }

  private windowCache = new Map<string, Duty | null>();
  quarterWindowCached(orgId: string, period: Period): Duty | null {
    const key = `${orgId}/${period.key}`;
    if (!this.windowCache.has(key)) this.windowCache.set(key, this.quarterWindow(orgId, period));
    return this.windowCache.get(key)!;
  }

  // ---------------------------------------------------------------------------------------------
  // A dataset, as compliance_dataset_show returns it

  dataset(ds: DatasetFacts): DataDict {
    const dict = ds.dict ?? {};
    const org = dict.owner_org ? this.facts.orgs.get(dict.owner_org) ?? null : null;
    const state = this.stateAt(ds, this.now);
    const score = this.score(ds, true);
    const freshness = this.freshness(ds);
    const duties: Duty[] = [];
    const update = this.updateDuty(ds);
    if (update) duties.push(update);
    if (org) {
      const period = quarterOf(this.today);
      const window = this.quarterWindowCached(org.id, period);
      if (window) {
        const item = this.itemOf(window, ds.id);
        duties.push({ ...window, status: item ? item.status : 'not_applicable', items: item ? [item] : [], facts: { ...window.facts, this_dataset: item ?? null } });
      }
    }
    const classificationRule = this.firstOfKind('classification', this.today);
    const openFormatRule = this.firstOfKind('open_format', this.today);
    const resources = ((dict.resources ?? []) as DataDict[]);
    const firstOpen = ds.events.find((event) => event.open);
    return {
      id: ds.id,
      name: ds.name,
      title: ds.title,
      organization: org ? { id: org.id, name: org.name, title: org.title, ma_dinh_danh: org.fields.ma_dinh_danh ?? null } : null,
      evaluated_at: naiveUtc(this.now),
      evaluated_on: formatDay(this.today),
      state: { state: dict.state ?? null, private: dict.private ?? null, public: state?.public ?? false, open: state?.open ?? false, phan_loai_chia_se: dict.phan_loai_chia_se ?? null, muc_do_quan_trong: dict.muc_do_quan_trong ?? null },
      score: score ? { ...score, rule: ruleRef(this.firstOfKind('quality_score', this.today)!) } : null,
      freshness,
      classification: classificationRule
        ? {
            rule: ruleRef(classificationRule),
            status: (SHARING as readonly string[]).includes(dict.phan_loai_chia_se) && (IMPORTANCE as readonly string[]).includes(dict.muc_do_quan_trong) ? 'met' : 'not_met',
            facts: { phan_loai_chia_se: dict.phan_loai_chia_se ?? null, muc_do_quan_trong: dict.muc_do_quan_trong ?? null },
          }
        : null,
      open_format: openFormatRule
        ? {
            rule: ruleRef(openFormatRule),
            status: resources.some((r) => isOpenMachineReadable(r, openFormatRule)) ? 'met' : 'not_met',
            facts: { formats: resources.map((r) => r.format ?? null) },
          }
        : null,
      duties,
      history: {
        recorded: !ds.baseline,
        first_published: firstOpen ? naiveUtc(firstOpen.at) : null,
        last_data_update: this.lastDataUpdate(ds, this.now) ? naiveUtc(this.lastDataUpdate(ds, this.now)!) : null,
        events: ds.events.slice(-20).map((event) => ({ at: naiveUtc(event.at), kind: event.kind, public: event.public, open: event.open, data_updated: event.data_updated })),
      },
      attestations: (this.attestationsByPackage.get(ds.id) ?? []).map(publicAttestation),
      links: resources.map((r) => {
        const link = this.facts.links.get(r.url);
        if (r.url_type === 'upload') return { resource_id: r.id, url: r.url, upload: true, class: null, status: null, checked_at: null, error: null };
        return { resource_id: r.id, url: r.url, upload: false, class: link?.class ?? null, status: link?.status ?? null, checked_at: link?.checked_at ? naiveUtc(link.checked_at) : null, error: link?.error ?? null };
      }),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // An organization: current period, earlier periods, fix this first

  organization(org: OrgFacts, options: { period?: Period; history?: number } = {}): DataDict {
    const current = options.period ?? quarterOf(this.today);
    const periods = quartersUpTo(current, Math.max(1, options.history ?? 4));
    const reports = periods.map((period) => this.organizationPeriod(org, period));
    const now = reports.at(-1)!;
    const datasets = this.datasetsOwnedBy(org.id);
    const scores = datasets.map((ds) => ({ ds, score: this.score(ds) })).filter((entry) => entry.score);
    const mean = scores.length ? round1(scores.reduce((sum, entry) => sum + entry.score!.total, 0) / scores.length) : null;
    const catalogue = now.duties.find((duty: Duty) => duty.rule.kind === 'catalogue_review' && duty.rule.parameters.attestation_kind === 'catalogue_review') as Duty | undefined;
    return {
      organization: { id: org.id, name: org.name, title: org.title, ...org.fields, code_check: checkOrganizationCode(org.fields.ma_dinh_danh) },
      evaluated_at: naiveUtc(this.now),
      evaluated_on: formatDay(this.today),
      current: now,
      previous: reports.slice(0, -1).reverse(),
      catalogue_review_age_days: catalogue?.facts.age_days ?? null,
      overdue: this.overdueItems(now.duties),
      datasets: { total: datasets.length, open: this.openDatasetsOf(org.id, this.now).length, quality_score_mean: mean },
      fix_this_first: this.fixThisFirst(org, now.duties, scores.map((entry) => ({ ds: entry.ds, score: entry.score! }))),
    };
  }

  organizationPeriod(org: OrgFacts, period: Period): DataDict {
    const duties = this.organizationDuties(org, period);
    const counts: Record<string, number> = {};
    for (const duty of duties) counts[duty.status] = (counts[duty.status] ?? 0) + 1;
    const failing = duties.filter((duty) => FAILING.includes(duty.status) && duty.rule.severity === 'required');
    const ended = endOfLocalDay(period.end) <= this.now;
    return {
      period: period.key,
      period_start: formatDay(period.start),
      period_end: formatDay(period.end),
      as_of: formatDay(Math.min(this.today, period.end)),
      final: ended,
      compliant: failing.length === 0,
      failing: failing.map((duty) => duty.rule.id),
      status_counts: counts,
      duties,
    };
  }

  private overdueItems(duties: Duty[]): DataDict[] {
    const out: DataDict[] = [];
    for (const duty of duties) {
      if (duty.status === 'overdue' && !duty.items) out.push({ rule_id: duty.rule.id, due_date: duty.dates.due_date ?? duty.dates.next_review_due ?? null, explanation: duty.explanation });
      for (const item of duty.items ?? []) {
        if (item.status === 'overdue' || item.status === 'missed') out.push({ rule_id: duty.rule.id, dataset: { id: item.id, name: item.name, title: item.title }, status: item.status, due_date: item.due_date ?? duty.dates.window_closes ?? null });
      }
    }
    return out.sort((a, b) => String(a.due_date ?? '').localeCompare(String(b.due_date ?? '')));
  }

  /** Overdue and due-soon duties first (earliest deadline first), then score indicators by points gained across the catalogue. */
  fixThisFirst(org: OrgFacts, duties: Duty[], scores: Array<{ ds: DatasetFacts; score: ScoreResult }>): DataDict[] {
    const urgent: DataDict[] = [];
    for (const duty of duties) {
      if (!['overdue', 'not_met', 'due_soon', 'missed'].includes(duty.status)) continue;
      const open = (duty.items ?? []).filter((item) => item.status !== 'met' && item.status !== 'met_late');
      const itemDue = open.map((item) => item.due_date as string | undefined).filter((x): x is string => !!x).sort()[0] ?? null;
      const due = (duty.dates.due_date ?? duty.dates.window_closes ?? duty.dates.next_review_due ?? itemDue) as string | null;
      urgent.push({
        kind: 'duty',
        priority: duty.status === 'due_soon' ? 2 : 1,
        rule_id: duty.rule.id,
        legal_basis: duty.rule.legal_basis,
        status: duty.status,
        due_date: due,
        datasets: open.slice(0, 20).map((item) => ({ id: item.id, name: item.name, title: item.title, status: item.status })),
        action: actionFor(duty),
        explanation: duty.explanation,
      });
    }
    urgent.sort((a, b) => a.priority - b.priority || String(a.due_date ?? '9999').localeCompare(String(b.due_date ?? '9999')));
    const byIndicator = new Map<string, { gain: number; datasets: Array<{ id: string; name: string; gain: number }> }>();
    for (const { ds, score } of scores) {
      for (const indicator of score.indicators) {
        if (indicator.gain <= 0) continue;
        const entry = byIndicator.get(indicator.id) ?? { gain: 0, datasets: [] };
        entry.gain = round1(entry.gain + indicator.gain);
        entry.datasets.push({ id: ds.id, name: ds.name, gain: indicator.gain });
        byIndicator.set(indicator.id, entry);
      }
    }
    const improvements = [...byIndicator.entries()]
      .sort((a, b) => b[1].gain - a[1].gain || a[0].localeCompare(b[0]))
      .map(([id, entry]) => ({
        kind: 'score',
        priority: 3,
        indicator: id,
        label: INDICATORS[id as keyof typeof INDICATORS].label,
        points_gained: entry.gain,
        dataset_count: entry.datasets.length,
        datasets: entry.datasets.sort((a, b) => b.gain - a.gain).slice(0, 20),
        action: INDICATORS[id as keyof typeof INDICATORS].fix,
      }));
    void org;
    return [...urgent, ...improvements];
  }

  // ---------------------------------------------------------------------------------------------
  // The province

  /** Province-level duties (reports owed by the IT unit) for a period. */
  provinceDuties(period: Period): Duty[] {
    const day = Math.min(this.today, period.end);
    const duties: Duty[] = [];
    for (const rule of this.book.ofKind('periodic_report', day)) {
      if (rule.parameters.scope !== 'province') continue;
      if (rule.parameters.period === 'quarter' && period.kind === 'quarter') duties.push(this.reportDuty(rule, period, null));
      if (rule.parameters.period === 'year') duties.push(this.reportDuty(rule, yearPeriod(period.year), null));
    }
    return duties;
  }

  /** KPIs of vn-legal.md §7.3 at the end of a period (or now, for the current one). */
  kpis(period: Period, detailed: boolean): DataDict {
    const cut = this.now < endOfLocalDay(period.end) ? this.now : endOfLocalDay(period.end);
    const cutDay = localDay(cut);
    const orgs = [...this.facts.orgs.values()].filter((org) => org.state === 'active' && (!org.created || org.created <= cut));
    const openByOrg = new Map<string, DatasetFacts[]>();
    let openTotal = 0;
    for (const org of orgs) {
      const list = this.openDatasetsOf(org.id, cut);
      openByOrg.set(org.id, list);
      openTotal += list.length;
    }
    const withOpen = orgs.filter((org) => (openByOrg.get(org.id)?.length ?? 0) > 0).length;
    const kpi = (value: number | null, numerator: number | null, denominator: number | null, extra: DataDict = {}) => ({ value, numerator, denominator, ...extra });
    const share = (n: number, d: number) => (d ? Math.round((n / d) * 10000) / 10000 : null);
    const rulesOf = (kind: string) => this.book.ofKind(kind, cutDay).map((rule) => ({ id: rule.id, version: rule.version, legal_basis: rule.legal_basis }));

    // On-time quarterly updates (R25).
    let windowRequired = 0;
    let windowDone = 0;
    const windowRule = this.firstOfKind('quarterly_update_window', cutDay);
    if (windowRule && period.kind === 'quarter') {
      for (const org of orgs) {
        const duty = this.quarterWindowCached(org.id, period);
        windowRequired += duty?.items?.length ?? 0;
        windowDone += duty?.items?.filter((item) => item.status === 'met').length ?? 0;
      }
    }
    // Rolling update compliance (R28): open datasets not overdue at the cut.
    let updateOk = 0;
    let updateTotal = 0;
    const updateRule = this.firstOfKind('update_within', cutDay);
    if (updateRule) {
      for (const list of openByOrg.values()) {
        for (const ds of list) {
          const current = this.timelineAt(ds, cut);
          if (!current) continue;
          updateTotal++;
          if (!current.overdue) updateOk++;
        }
      }
    }
    // Catalogue review age (R27).
    const reviewRule = this.book.ofKind('catalogue_review', cutDay).find((rule) => rule.parameters.attestation_kind === 'catalogue_review') ?? null;
    const reviewAges: number[] = [];
    let reviewOk = 0;
    let reviewApplicable = 0;
    if (reviewRule) {
      for (const org of orgs) {
        const duty = this.catalogueReview(org, reviewRule, cut);
        if (duty.status === 'not_applicable') continue;
        reviewApplicable++;
        if (duty.status !== 'overdue') reviewOk++;
        reviewAges.push(Number(duty.facts.age_days));
      }
    }
    // Self-assessments (R30) for the period's year.
    const assessmentRule = this.book.ofKind('periodic_report', cutDay).find((rule) => rule.parameters.scope === 'organization' && rule.parameters.report_type === 'annual_self_assessment') ?? null;
    let assessed = 0;
    if (assessmentRule) for (const org of orgs) if (this.reportDuty(assessmentRule, yearPeriod(period.year), org).status === 'met') assessed++;
    // Growth against the previous quarter.
    const previous = previousPeriod(period.kind === 'quarter' ? period : quarterOf(period.end));
    const previousCut = endOfLocalDay(previous.end);
    let previousOpen = 0;
    for (const org of orgs) previousOpen += this.openDatasetsOf(org.id, previousCut).length;
    const growth = previousOpen ? Math.round(((openTotal - previousOpen) / previousOpen) * 1000) / 10 : null;

    const out: DataDict = {
      period: period.key,
      as_of: formatDay(cutDay),
      agencies: orgs.length,
      open_datasets: openTotal,
      agencies_with_open_data: kpi(share(withOpen, orgs.length), withOpen, orgs.length, { rules: rulesOf('min_open_datasets') }),
      on_time_quarterly_updates: windowRule && period.kind === 'quarter' ? kpi(share(windowDone, windowRequired), windowDone, windowRequired, { rules: rulesOf('quarterly_update_window') }) : null,
      update_within_compliance: updateRule ? kpi(share(updateOk, updateTotal), updateOk, updateTotal, { rules: rulesOf('update_within') }) : null,
      catalogue_review: reviewRule
        ? kpi(share(reviewOk, reviewApplicable), reviewOk, reviewApplicable, { median_age_days: median(reviewAges), max_age_days: reviewAges.length ? Math.max(...reviewAges) : null, flag_after_months: reviewRule.parameters.months, rules: rulesOf('catalogue_review') })
        : null,
      self_assessments_on_time: assessmentRule ? kpi(share(assessed, orgs.length), assessed, orgs.length, { year: period.year, rules: [{ id: assessmentRule.id, version: assessmentRule.version, legal_basis: assessmentRule.legal_basis }] }) : null,
      catalogue_growth_pct: kpi(growth, openTotal, previousOpen, { previous_period: previous.key }),
    };
    if (detailed) {
      // Metadata-based KPIs use the current metadata (their history is not kept).
      const current = this.facts.datasets.filter((ds) => ds.dict && this.stateAt(ds, this.now)?.open);
      const openFormat = this.firstOfKind('open_format', this.today);
      const machineAndLicensed = current.filter((ds) => ((ds.dict!.resources ?? []) as DataDict[]).some((r) => isOpenMachineReadable(r, openFormat)) && isOpenLicense(findLicense(ds.dict!.license_id))).length;
      const scores = current.map((ds) => this.score(ds)).filter((s): s is ScoreResult => !!s);
      const bands: Record<string, number> = { excellent: 0, good: 0, sufficient: 0, bad: 0 };
      for (const s of scores) bands[s.band]++;
      Object.assign(out, {
        machine_readable_open_licence: kpi(share(machineAndLicensed, current.length), machineAndLicensed, current.length, { rules: rulesOf('open_format') }),
        link_health: this.linkHealth(current),
        quality_score: { mean: scores.length ? round1(scores.reduce((s, x) => s + x.total, 0) / scores.length) : null, max: scores[0]?.max ?? null, datasets: scores.length, bands },
        service_publication_sla: notTracked('data-sharing services'),
        connection_request_sla: notTracked('connection requests'),
        issue_sla: notTracked('issues'),
        federated_share: notTracked('national-portal federation (federation plugin)'),
      });
    }
    return out;
  }

  linkHealth(datasets: DatasetFacts[]): DataDict {
    const counts: Record<string, number> = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, unreachable: 0 };
    let checked = 0;
    let unchecked = 0;
    const seen = new Set<string>();
    for (const ds of datasets) {
      for (const resource of (ds.dict?.resources ?? []) as DataDict[]) {
        if (!resource.url || resource.url_type === 'upload' || seen.has(resource.url)) continue;
        seen.add(resource.url);
        const state = this.facts.links.get(resource.url);
        if (!state?.class) {
          unchecked++;
          continue;
        }
        checked++;
        counts[state.class] = (counts[state.class] ?? 0) + 1;
      }
    }
    const shares: Record<string, number | null> = {};
    for (const [key, value] of Object.entries(counts)) shares[key] = checked ? Math.round((value / checked) * 10000) / 10000 : null;
    return { checked, not_checked_yet: unchecked, counts, shares };
  }

  province(options: { quarters?: number; province?: DataDict } = {}): DataDict {
    const period = quarterOf(this.today);
    const trend = quartersUpTo(period, Math.max(1, options.quarters ?? 4)).map((p) => this.kpis(p, false));
    const organizations = [...this.facts.orgs.values()]
      .filter((org) => org.state === 'active')
      .map((org) => {
        const duties = this.organizationDuties(org, period);
        const failing = duties.filter((duty) => FAILING.includes(duty.status) && duty.rule.severity === 'required');
        const scores = this.datasetsOwnedBy(org.id).map((ds) => this.score(ds)).filter((s): s is ScoreResult => !!s);
        return {
          id: org.id,
          name: org.name,
          title: org.title,
          ma_dinh_danh: org.fields.ma_dinh_danh ?? null,
          compliant: failing.length === 0,
          failing: failing.map((duty) => duty.rule.id),
          due_soon: duties.filter((duty) => duty.status === 'due_soon').map((duty) => duty.rule.id),
          open_datasets: this.openDatasetsOf(org.id, this.now).length,
          quality_score_mean: scores.length ? round1(scores.reduce((s, x) => s + x.total, 0) / scores.length) : null,
        };
      })
      .sort((a, b) => Number(a.compliant) - Number(b.compliant) || a.name.localeCompare(b.name));
    return {
      province: options.province ?? null,
      evaluated_at: naiveUtc(this.now),
      evaluated_on: formatDay(this.today),
      period: period.key,
      kpis: this.kpis(period, true),
      trend,
      duties: this.provinceDuties(period),
      organizations,
      rule_packs: this.book.packs.map((pack) => ({ pack: pack.id, version: pack.version, title: pack.title, jurisdiction: pack.jurisdiction })),
    };
  }

  /** Every duty instance due around now, for reminders: upcoming within lead time, or overdue. */
  dutiesForReminders(): Array<{ org: OrgFacts | null; duty: Duty }> {
    const out: Array<{ org: OrgFacts | null; duty: Duty }> = [];
    const period = quarterOf(this.today);
    const periods = [previousPeriod(period), period];
    for (const org of this.facts.orgs.values()) {
      if (org.state !== 'active') continue;
      for (const p of periods) for (const duty of this.organizationDuties(org, p)) out.push({ org, duty });
    }
    for (const p of periods) for (const duty of this.provinceDuties(p)) out.push({ org: null, duty });
    return out;
  }

  resolvePeriod(value: unknown): Period | null {
    return parsePeriod(value);
  }
}

function notTracked(what: string) {
  return { value: null, note: t(`Chưa theo dõi: Kho chưa có dữ liệu về ${what}`, `Not tracked: Kho has no data on ${what} yet`) };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function filledValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === 'string' ? value.trim() !== '' : value !== null && value !== undefined;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function causeVi(cause: string): string {
  return ({ published: 'công bố', updated: 'cập nhật', attested: 'xác nhận không thay đổi' } as Record<string, string>)[cause] ?? cause;
}

export function publicAttestation(a: Attestation): DataDict {
  return { id: a.id, kind: a.kind, package_id: a.package_id, org_id: a.org_id, period: a.period, at: naiveUtc(a.at), user_name: a.user_name, rule_id: a.rule_id, note: a.note, payload: a.payload };
}

function actionFor(duty: Duty): Localized {
  switch (duty.rule.kind) {
    case 'quarterly_update_window':
      return t('Cập nhật dữ liệu hoặc xác nhận "không thay đổi" (compliance_attest kind=no_change) cho các bộ dữ liệu còn thiếu trong kỳ', 'Update, or attest "no change" (compliance_attest kind=no_change) for, the datasets still outstanding in the window');
    case 'update_within':
      return t('Cập nhật dữ liệu hoặc xác nhận không thay đổi (compliance_attest kind=no_change)', 'Update the data or attest no change (compliance_attest kind=no_change)');
    case 'catalogue_review':
      return t(`Rà soát danh mục và ghi nhận (compliance_attest kind=${duty.rule.parameters.attestation_kind})`, `Review the catalogue and record it (compliance_attest kind=${duty.rule.parameters.attestation_kind})`);
    case 'periodic_report':
      return duty.rule.parameters.report_type === 'annual_self_assessment'
        ? t('Lập báo cáo tự đánh giá năm (compliance_report_generate type=annual_self_assessment)', 'Produce the annual self-assessment (compliance_report_generate type=annual_self_assessment)')
        : t('Lập báo cáo (compliance_report_generate)', 'Produce the report (compliance_report_generate)');
    case 'focal_point':
      return t('Bổ sung thông tin cán bộ đầu mối của cơ quan (organization_patch)', "Complete the organization's focal point (organization_patch)");
    case 'organization_code':
      return t('Nhập mã định danh điện tử đúng Quyết định 20/2020/QĐ-TTg (ma_dinh_danh)', 'Set a valid Decision 20/2020 code (ma_dinh_danh)');
    case 'min_open_datasets':
      return t('Công bố ít nhất một bộ dữ liệu mở', 'Publish at least one open dataset');
    case 'classification':
      return t('Phân loại các bộ dữ liệu (phan_loai_chia_se, muc_do_quan_trong)', 'Classify the datasets (phan_loai_chia_se, muc_do_quan_trong)');
    default:
      return duty.explanation;
  }
}

export { deadline, parsePeriod };
