// The plugin's configuration (declared in the manifest) and what register() builds from it once: the
// rule book and the working-day calendar. Shared by hooks, actions, jobs and the CLI.
import { key } from '../../../core/config/declare.ts';
import type { ConfigValues } from '../../../core/config/declare.ts';
import { ConfigError } from '../../../core/errors.ts';
import { CalendarConfigError, WorkingCalendar } from './calendar.ts';
import { loadRuleBook, type RuleBook } from './packs.ts';
import type { Language } from './i18n.ts';
import { SECTOR_LABELS } from '../schemas/fields.ts';

export const configDeclaration = {
  rule_packs: key.list(['national'], 'Rule packs to apply, by name (national, binh-dinh, thai-binh, or a pack in pack_dirs).'),
  pack_dirs: key.list([], "Extra folders searched for rule packs before the shipped ones (relative to the project root)."),
  overrides: key.object({}, 'Parameter overrides per rule id, e.g. {"BD-4-5-QUARTERLY-UPDATE": {"window_length": 20}}.'),
  disabled_rules: key.list([], 'Rule ids not to apply.'),
  language: key.enum(['both', 'vi', 'en'] as const, 'both', 'Language of error messages and e-mails: Vietnamese, English, or both.'),
  dashboard_public: key.boolean(true, 'Anyone may read compliance statuses (overview, organizations, public datasets); otherwise only signed-in users.'),
  province: {
    code: key.string('VN', 'ISO 3166-2 code of the province (VN-31 Bình Định, VN-20 Thái Bình…), shown in reports.'),
    name: key.string('', 'Name of the province, shown in reports.'),
    reporting_unit: key.string('Sở Khoa học và Công nghệ', 'The unit that compiles the reports (formerly the Sở Thông tin và Truyền thông).'),
    report_recipient: key.string('Ủy ban nhân dân tỉnh', 'Who the quarterly report is addressed to.'),
    report_email: key.string<string | null>(null, 'E-mail address of the reporting unit, for reminders of province-level reports.', { nullable: true }),
  },
  sectors: key.list(Object.keys(SECTOR_LABELS), 'Sector codes (lĩnh vực) offered for datasets and assignable to organizations; empty allows any text.'),
  gates: {
    enforce_on_system_writes: key.boolean(false, 'Also refuse system writes (harvest jobs, CLI seeding) that fail a publish gate; user writes are always checked.'),
  },
  holidays: {
    extra: key.list([], 'Announced days off, "YYYY-MM-DD note" (e.g. extra Tết days in the Government\'s yearly notice).'),
    working_days: key.list([], 'Weekend days announced as working days (make-up Saturdays), "YYYY-MM-DD note".'),
    removed: key.list([], 'Computed holidays the announcement moved elsewhere, "YYYY-MM-DD note".'),
  },
  reminders: {
    enabled: key.boolean(false, 'Send reminder e-mails (needs smtp.host).'),
    cron: key.string('0 8 * * 1-5', 'When the reminder job runs (cron, Asia/Ho_Chi_Minh).'),
    overdue_max_age_days: key.integer(30, 'Overdue reminders are sent only for deadlines that passed at most this many days ago (no storm after downtime).', { min: 0 }),
    max_per_run: key.integer(200, 'At most this many e-mails per run; the rest go out on the next run.', { min: 1 }),
    fallback_email: key.string<string | null>(null, 'Where reminders go when an organization has no focal-point e-mail (null: not sent, recorded as skipped).', { nullable: true }),
  },
  smtp: {
    host: key.string<string | null>(null, 'SMTP server host.', { nullable: true }),
    port: key.integer(587, 'SMTP port.', { min: 1, max: 65535 }),
    secure: key.boolean(false, 'Use TLS from the start (port 465); otherwise STARTTLS when offered.'),
    user: key.string<string | null>(null, 'SMTP user name.', { nullable: true }),
    password: key.string<string | null>(null, 'SMTP password.', { nullable: true, secret: true }),
    from: key.string('Cổng dữ liệu mở <no-reply@localhost>', 'Sender of reminder e-mails.'),
    timeout_ms: key.integer(15000, 'Connection and greeting timeout.', { min: 100 }),
    reject_unauthorized: key.boolean(true, 'Check the server\'s TLS certificate.'),
  },
  link_checker: {
    enabled: key.boolean(true, 'Run the scheduled link check.'),
    cron: key.string('0 2 * * 0', 'When the link check runs (cron, Asia/Ho_Chi_Minh; default weekly, Sunday 02:00).'),
    timeout_ms: key.integer(5000, 'A URL that does not answer within this time is unreachable.', { min: 100 }),
    concurrency: key.integer(16, 'Requests in flight at once.', { min: 1, max: 256 }),
    per_host_concurrency: key.integer(2, 'Requests in flight at once to one host (politeness).', { min: 1, max: 64 }),
    per_host_delay_ms: key.integer(0, 'Pause between two requests to the same host (politeness).', { min: 0 }),
    recheck_after_hours: key.integer(144, 'A URL checked more recently than this is skipped by the scheduled run.', { min: 0 }),
    history_per_url: key.integer(20, 'Check results kept per URL.', { min: 1 }),
  },
} as const;

export type ComplianceConfig = ConfigValues<typeof configDeclaration>;

export interface Settings {
  config: ComplianceConfig;
  book: RuleBook;
  calendar: WorkingCalendar;
  language: Language;
}

export function buildSettings(config: ComplianceConfig): Settings {
  const book = loadRuleBook({ names: config.rule_packs, dirs: config.pack_dirs, overrides: config.overrides as Record<string, unknown>, disabled: config.disabled_rules });
  let calendar: WorkingCalendar;
  try {
    calendar = new WorkingCalendar(book.calendar, config.holidays);
  } catch (err) {
    if (err instanceof CalendarConfigError) throw new ConfigError(`Config: ${err.message}`);
    throw err;
  }
  return { config, book, calendar, language: config.language };
}
