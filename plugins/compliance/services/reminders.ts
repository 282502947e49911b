// Reminders: before a deadline (each rule's remind_before_days) and once it has passed, an e-mail to
// the organization's focal point (or the province's reporting unit for province-level reports), in
// Vietnamese with an English copy. Each reminder is a row keyed by duty, period, organization and
// kind (before / overdue); the row is written and committed as "sending" before the e-mail goes out,
// so a duty and period are reminded once, however often the job runs, and never twice after a crash.
// No storm after downtime: only deadlines inside their reminder window, or passed at most
// reminders.overdue_max_age_days ago, are considered; one e-mail per recipient per run; a cap per run.
import nodemailer from 'nodemailer';
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import { fromDbTime, toDbTime } from '../../../core/jobs/db-time.ts';
import type { Runtime } from './runtime.ts';
import type { Duty } from './engine.ts';
import { Evaluator } from './engine.ts';
import { loadFacts } from './facts.ts';
import { naiveUtc, parseDay } from './time.ts';
import { en, vi } from './i18n.ts';
import type { OrgFacts } from './types.ts';

export interface ReminderCandidate {
  duty: string;
  period: string;
  org_id: string;
  kind: 'before' | 'overdue';
  rule_id: string;
  due_date: string;
  due_at: string | null;
  org: OrgFacts | null;
  source: Duty;
  datasets: DataDict[];
}

const RETRYABLE = ['failed', 'skipped'];
const MAX_ATTEMPTS = 3;

/** The reminders that are due now, before deduplication against what was already sent. */
export function reminderCandidates(evaluator: Evaluator, overdueMaxAgeDays: number): ReminderCandidate[] {
  const out: ReminderCandidate[] = [];
  const today = evaluator.today;
  const push = (org: OrgFacts | null, duty: Duty, key: string, period: string, kind: 'before' | 'overdue', due: string | null, dueAt: string | null, datasets: DataDict[]) => {
    if (!due) return;
    const dueDay = parseDay(due);
    if (dueDay === null) return;
    if (kind === 'overdue' && today - dueDay > overdueMaxAgeDays) return;
    out.push({ duty: key, period, org_id: org?.id ?? '', kind, rule_id: duty.rule.id, due_date: due, due_at: dueAt, org, source: duty, datasets });
  };
  for (const { org, duty } of evaluator.dutiesForReminders()) {
    const rule = duty.rule;
    switch (rule.kind) {
      case 'quarterly_update_window': {
        const outstanding = (duty.items ?? []).filter((item) => item.status !== 'met');
        if (!outstanding.length) break;
        if (duty.status === 'due_soon') push(org, duty, rule.id, duty.period!, 'before', duty.dates.window_closes, duty.dates.window_closes_at, outstanding);
        if (duty.status === 'missed') push(org, duty, rule.id, duty.period!, 'overdue', duty.dates.window_closes, duty.dates.window_closes_at, outstanding);
        break;
      }
      case 'update_within': {
        // One duty per dataset and deadline: the period is the due date.
        const remind = Number(rule.parameters.remind_before_days ?? 14);
        for (const item of duty.items ?? []) {
          const due = String(item.due_date ?? '');
          const dueDay = parseDay(due);
          if (dueDay === null) continue;
          if (item.status === 'overdue') push(org, duty, `${rule.id}:${item.id}`, due, 'overdue', due, null, [item]);
          else if (item.status === 'pending' && dueDay - today <= remind && dueDay >= today) push(org, duty, `${rule.id}:${item.id}`, due, 'before', due, null, [item]);
        }
        break;
      }
      case 'catalogue_review':
        if (duty.status === 'due_soon') push(org, duty, rule.id, duty.dates.next_review_due, 'before', duty.dates.next_review_due, duty.dates.due_at, []);
        if (duty.status === 'overdue') push(org, duty, rule.id, duty.dates.next_review_due, 'overdue', duty.dates.next_review_due, duty.dates.due_at, []);
        break;
      case 'periodic_report':
        if (duty.status === 'due_soon') push(org, duty, rule.id, duty.period!, 'before', duty.dates.due_date, duty.dates.due_at, []);
        if (duty.status === 'overdue') push(org, duty, rule.id, duty.period!, 'overdue', duty.dates.due_date, duty.dates.due_at, []);
        break;
      default:
        break;
    }
  }
  // The same duty may be seen from two periods (the previous and the current quarter): keep one.
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = `${c.duty}|${c.period}|${c.org_id}|${c.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function recipientOf(runtime: Runtime, candidate: ReminderCandidate): string | null {
  const { reminders, province } = runtime.settings.config;
  if (!candidate.org) return province.report_email ?? reminders.fallback_email ?? null;
  const email = candidate.org.fields.contact_email;
  return typeof email === 'string' && email.includes('@') ? email : (reminders.fallback_email ?? null);
}

function compose(runtime: Runtime, org: OrgFacts | null, reminders: ReminderCandidate[], siteUrl: string): { subject: string; text: string } {
  const overdue = reminders.some((r) => r.kind === 'overdue');
  const first = [...reminders].sort((a, b) => a.due_date.localeCompare(b.due_date))[0];
  const who = org ? org.title : runtime.settings.config.province.reporting_unit;
  const subject = `[${overdue ? 'Quá hạn' : 'Nhắc hạn'}] ${vi(first.source.rule.title)} — ${who} — hạn ${first.due_date}${reminders.length > 1 ? ` (+${reminders.length - 1})` : ''}`;
  const lines: string[] = [];
  const name = org?.fields.contact_name;
  lines.push(`Kính gửi ${name ? `${name}, cán bộ đầu mối của ` : ''}${who},`, '');
  lines.push('Cổng dữ liệu mở xin nhắc các nghĩa vụ sau:', '');
  reminders.forEach((r, index) => {
    const basis = r.source.rule.legal_basis;
    lines.push(`${index + 1}. ${vi(r.source.rule.title)}`);
    lines.push(`   Căn cứ: ${basis.instrument_short}, ${basis.article} (quy tắc ${r.rule_id})`);
    lines.push(`   ${r.kind === 'overdue' ? 'Đã quá hạn từ' : 'Hạn cuối'}: hết ngày ${r.due_date} (giờ Việt Nam)`);
    lines.push(`   ${vi(r.source.explanation)}`);
    for (const ds of r.datasets.slice(0, 20)) lines.push(`   - ${ds.title ?? ds.name} (${siteUrl}/dataset/${ds.name})`);
    if (r.datasets.length > 20) lines.push(`   … và ${r.datasets.length - 20} bộ dữ liệu khác`);
    lines.push('');
  });
  lines.push(`Xem chi tiết: ${siteUrl}/api/3/action/compliance_organization_show?id=${org?.name ?? ''}`);
  lines.push('Thư này được gửi tự động, một lần cho mỗi nghĩa vụ và kỳ.', '', '---', '');
  lines.push(`To ${name ? `${name}, focal point of ` : ''}${who}:`, '');
  reminders.forEach((r, index) => {
    const basis = r.source.rule.legal_basis;
    lines.push(`${index + 1}. ${en(r.source.rule.title)} — ${r.kind === 'overdue' ? 'overdue since' : 'due by the end of'} ${r.due_date} (Viet Nam time); ${basis.instrument_short}, ${basis.article} [${r.rule_id}]. ${en(r.source.explanation)}`);
  });
  lines.push('', 'This message is sent automatically, once per duty and period.');
  return { subject, text: lines.join('\n') };
}

export function createMailer(runtime: Runtime) {
  const smtp = runtime.settings.config.smtp;
  if (!smtp.host) return null;
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: smtp.timeout_ms,
    greetingTimeout: smtp.timeout_ms,
    socketTimeout: smtp.timeout_ms * 2,
    tls: { rejectUnauthorized: smtp.reject_unauthorized },
  });
}

export interface ReminderRunResult {
  candidates: number;
  new: number;
  sent: number;
  failed: number;
  skipped: number;
  emails: number;
  deferred: number;
}

export async function runReminders(context: ActionContext, runtime: Runtime, options: { force?: boolean } = {}): Promise<ReminderRunResult> {
  const cfg = runtime.settings.config.reminders;
  const { knex, clock, config } = context.services;
  const now = clock.now();
  const evaluator = new Evaluator(runtime.settings.book, runtime.settings.calendar, await loadFacts(context), now);
  const candidates = reminderCandidates(evaluator, cfg.overdue_max_age_days);
  const result: ReminderRunResult = { candidates: candidates.length, new: 0, sent: 0, failed: 0, skipped: 0, emails: 0, deferred: 0 };
  if (!cfg.enabled && !options.force) return result;

  // Claim: insert the rows that do not exist yet, and take back failed or skipped ones still relevant.
  const claimed: Array<{ seq: number; candidate: ReminderCandidate; recipient: string | null }> = [];
  await knex.transaction(async (trx) => {
    for (const candidate of candidates) {
      const recipient = recipientOf(runtime, candidate);
      const inserted = await trx.raw(
        `insert into compliance_reminder (duty, period, org_id, kind, rule_id, recipient, status, due_at, created_at, attempts)
         values (?, ?, ?, ?, ?, ?, 'sending', ?::timestamp, ?::timestamp, 1)
         on conflict (duty, period, org_id, kind) do nothing returning seq`,
        [candidate.duty, candidate.period, candidate.org_id, candidate.kind, candidate.rule_id, recipient, candidate.due_at ? candidate.due_at.replace('T', ' ') : null, toDbTime(now)],
      );
      const rows = (inserted.rows ?? inserted) as Array<{ seq: number }>;
      if (rows.length) {
        result.new++;
        claimed.push({ seq: Number(rows[0].seq), candidate, recipient });
        continue;
      }
      const retried = await trx('compliance_reminder')
        .where({ duty: candidate.duty, period: candidate.period, org_id: candidate.org_id, kind: candidate.kind })
        .whereIn('status', RETRYABLE)
        .where('attempts', '<', MAX_ATTEMPTS)
        .update({ status: 'sending', recipient, attempts: knex.raw('attempts + 1') })
        .returning('seq');
      if (retried.length) claimed.push({ seq: Number((retried[0] as { seq: number }).seq ?? retried[0]), candidate, recipient });
    }
  });

  const mailer = createMailer(runtime);
  const byRecipient = new Map<string, typeof claimed>();
  for (const entry of claimed) {
    if (!entry.recipient || !mailer) {
      await knex('compliance_reminder').where('seq', entry.seq).update({ status: 'skipped', error: !mailer ? 'smtp.host is not configured' : 'no recipient (no focal-point e-mail, no fallback)' });
      result.skipped++;
      continue;
    }
    const key = `${entry.recipient}|${entry.candidate.org_id}`;
    const list = byRecipient.get(key);
    if (list) list.push(entry);
    else byRecipient.set(key, [entry]);
  }
  try {
    for (const [key, entries] of byRecipient) {
      if (result.emails >= cfg.max_per_run) {
        // Over the cap: release the claim so the next run sends them.
        await knex('compliance_reminder').whereIn('seq', entries.map((e) => e.seq)).update({ status: 'failed', error: 'deferred: reminders.max_per_run reached', attempts: knex.raw('attempts - 1') });
        result.deferred += entries.length;
        continue;
      }
      const recipient = key.split('|')[0];
      const mail = compose(runtime, entries[0].candidate.org, entries.map((e) => e.candidate), config.site.url);
      try {
        await mailer!.sendMail({ from: runtime.settings.config.smtp.from, to: recipient, subject: mail.subject, text: mail.text });
        await knex('compliance_reminder').whereIn('seq', entries.map((e) => e.seq)).update({ status: 'sent', sent_at: toDbTime(clock.now()), subject: mail.subject, error: null });
        result.sent += entries.length;
        result.emails++;
      } catch (err) {
        await knex('compliance_reminder').whereIn('seq', entries.map((e) => e.seq)).update({ status: 'failed', error: String((err as Error).message).slice(0, 500) });
        result.failed += entries.length;
      }
    }
  } finally {
    mailer?.close();
  }
  return result;
}

export async function listReminders(context: ActionContext, filter: { status?: string; org_id?: string; limit?: number }): Promise<DataDict[]> {
  const query = context.db()('compliance_reminder').orderBy('seq', 'desc').limit(Math.min(filter.limit ?? 100, 1000));
  if (filter.status) query.where('status', filter.status);
  if (filter.org_id) query.where('org_id', filter.org_id);
  const rows = await query;
  return rows.map((row: DataDict) => ({
    ...row,
    org_id: row.org_id || null,
    due_at: row.due_at ? naiveUtc(fromDbTime(row.due_at)) : null,
    created_at: naiveUtc(fromDbTime(row.created_at)),
    sent_at: row.sent_at ? naiveUtc(fromDbTime(row.sent_at)) : null,
  }));
}

