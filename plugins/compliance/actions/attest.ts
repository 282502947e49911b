// compliance_attest: an agency records, with who and when, that a dataset did not change this period
// (R25, R28), that it reviewed its catalogue (R27, R29) or filed its self-assessment (R30); the
// province's IT unit records reports it submitted outside Kho. Only members of the organization
// with dataset-editing rights (or sysadmins) may attest for it.
import type { ActionDefinition, AuthDefinition, DataDict } from '../../../core/actions/types.ts';
import { NotAuthorized, ValidationError } from '../../../core/errors.ts';
import { hasPermissionFor } from '../../../core/auth/authz.ts';
import { runtimeOf } from '../services/runtime.ts';
import { insertAttestation } from '../services/store.ts';
import { publicAttestation, ruleRef } from '../services/engine.ts';
import { parsePeriod, quarterOf, updateWindow, yearOf } from '../services/periods.ts';
import { endOfLocalDay, localDay, startOfLocalDay } from '../services/time.ts';
import { say, t, type Localized } from '../services/i18n.ts';

const DATASET_KINDS = ['no_change'];
const ORG_KINDS = ['catalogue_review', 'default_sharing_review', 'self_assessment'];
const PROVINCE_KINDS = ['report_submitted'];
const KINDS = [...DATASET_KINDS, ...ORG_KINDS, ...PROVINCE_KINDS];
const REPORT_TYPES = ['quarterly_open_data', 'annual_self_assessment', 'annual_connection'];
const ORG_SHOW = { include_datasets: false, include_dataset_count: false, include_users: false, include_groups: false, include_tags: false, include_extras: false, include_followers: false };

export const attestActions: Record<string, ActionDefinition> = {
  compliance_attest: {
    access: 'manual',
    doc: 'Record an attestation, with who and when (the server\'s clock):\n- kind=no_change, package_id: the dataset did not change this quarter (counts as an update for the quarterly window and restarts the 3-month clock);\n- kind=catalogue_review or default_sharing_review, organization: the catalogue was reviewed;\n- kind=self_assessment, organization, period=YYYY: the annual self-assessment was filed;\n- kind=report_submitted, report_type, period (sysadmins): a report was submitted outside Kho.\nAttesting the same thing twice for the same period returns the first attestation.\n\n:param kind:\n:param package_id: for no_change\n:param organization: id or name, for organization kinds\n:param period: 2026-Q1 (no_change, reviews; default: this quarter) or 2026 (self_assessment, yearly reports)\n:param note: optional\n:rtype: {attestation, created, effect}',
    async handler(context, data) {
      const runtime = runtimeOf(context);
      const { language, book, calendar } = runtime.settings;
      const kind = String(data.kind ?? '');
      if (!KINDS.includes(kind)) throw new ValidationError({ kind: [say(t(`kind phải là một trong: ${KINDS.join(', ')}`, `kind must be one of: ${KINDS.join(', ')}`), language)] });
      if (!context.user && !context.ignoreAuth) throw new NotAuthorized(say(t('Phải đăng nhập để xác nhận', 'You must be signed in to attest'), language));
      const now = context.services.clock.now();
      const today = localDay(now);
      const note = data.note === undefined || data.note === null ? null : String(data.note).slice(0, 2000);
      let packageId: string | null = null;
      let orgId: string | null = null;
      let period: string;
      let ruleId: string | null = null;
      let effect: Localized;

      if (DATASET_KINDS.includes(kind)) {
        if (!data.package_id) throw new ValidationError({ package_id: ['Missing value'] });
        const pkg: DataDict = await context.action('package_show', { id: data.package_id }, { ignoreAuth: true });
        if (pkg.state !== 'active') throw new ValidationError({ package_id: [say(t('Chỉ xác nhận cho bộ dữ liệu đang hoạt động', 'Only active datasets can be attested'), language)] });
        packageId = pkg.id;
        orgId = pkg.owner_org ?? null;
        await requireAgencyRights(context, orgId, language);
        const current = quarterOf(today);
        if (data.period !== undefined && parsePeriod(data.period)?.key !== current.key) {
          throw new ValidationError({ period: [say(t(`Chỉ xác nhận được cho quý hiện tại (${current.key})`, `Only the current quarter (${current.key}) can be attested`), language)] });
        }
        period = current.key;
        const window = book.ofKind('quarterly_update_window', today)[0];
        const update = book.ofKind('update_within', today)[0];
        const parts: Localized[] = [];
        if (window) {
          const w = updateWindow(window, current, calendar);
          const inside = now >= startOfLocalDay(w.opens_day) && now <= endOfLocalDay(w.closes.day);
          ruleId = window.id;
          parts.push(
            inside
              ? t(`Được tính là đã cập nhật trong kỳ ${w.opens} – ${w.closes.date} (${window.id})`, `Counts as updated in the window ${w.opens} – ${w.closes.date} (${window.id})`)
              : t(`Ngoài kỳ cập nhật ${w.opens} – ${w.closes.date}: không được tính cho ${window.id}`, `Outside the update window ${w.opens} – ${w.closes.date}: does not count for ${window.id}`),
          );
        }
        if (update) {
          ruleId ??= update.id;
          parts.push(t(`Bắt đầu lại thời hạn ${update.parameters.months} tháng (${update.id})`, `Restarts the ${update.parameters.months}-month clock (${update.id})`));
        }
        effect = parts.length ? { vi: parts.map((p) => (p as { vi: string }).vi).join('; '), en: parts.map((p) => (p as { en: string }).en).join('; ') } : t('Không có quy tắc nào đang áp dụng xác nhận này', 'No rule in force uses this attestation');
      } else if (ORG_KINDS.includes(kind)) {
        if (!data.organization) throw new ValidationError({ organization: ['Missing value'] });
        const org: DataDict = await context.action('organization_show', { id: data.organization, ...ORG_SHOW }, { ignoreAuth: true });
        orgId = org.id;
        await requireAgencyRights(context, orgId, language);
        if (kind === 'self_assessment') {
          const year = data.period !== undefined ? parsePeriod(data.period) : yearOf(today);
          if (!year || year.kind !== 'year') throw new ValidationError({ period: [say(t('Kỳ phải là một năm, ví dụ 2026', 'The period must be a year, e.g. 2026'), language)] });
          period = year.key;
          const rule = book.ofKind('periodic_report', today).find((r) => r.parameters.report_type === 'annual_self_assessment' && r.parameters.scope === 'organization');
          ruleId = rule?.id ?? null;
          effect = rule ? t(`Ghi nhận đã nộp báo cáo tự đánh giá năm ${period} (${rule.id})`, `Records the ${period} self-assessment as filed (${rule.id})`) : t('Không có quy tắc nào đang áp dụng', 'No rule in force uses this attestation');
        } else {
          period = quarterOf(today).key;
          const rule = book.ofKind('catalogue_review', today).find((r) => r.parameters.attestation_kind === kind);
          ruleId = rule?.id ?? null;
          effect = rule ? t(`Bắt đầu lại thời hạn rà soát ${rule.parameters.months} tháng (${rule.id})`, `Restarts the ${rule.parameters.months}-month review clock (${rule.id})`) : t('Không có quy tắc nào đang áp dụng', 'No rule in force uses this attestation');
        }
      } else {
        if (!context.ignoreAuth && !context.user?.sysadmin) throw new NotAuthorized(say(t('Chỉ quản trị hệ thống ghi nhận báo cáo của tỉnh', 'Only sysadmins record the province\'s reports'), language));
        const type = String(data.report_type ?? '');
        if (!REPORT_TYPES.includes(type)) throw new ValidationError({ report_type: [`Must be one of: ${REPORT_TYPES.join(', ')}`] });
        const p = parsePeriod(data.period);
        if (!p) throw new ValidationError({ period: ['Missing value'] });
        period = `${type}/${p.key}`;
        const rule = book.ofKind('periodic_report', today).find((r) => r.parameters.report_type === type);
        ruleId = rule?.id ?? null;
        effect = t(`Ghi nhận đã nộp báo cáo ${type} kỳ ${p.key}`, `Records the ${type} report for ${p.key} as submitted`);
      }
      const { attestation, created } = await context.transaction(() =>
        insertAttestation(context.db(), { kind, package_id: packageId, org_id: orgId, period, at: now, user_id: context.user?.id ?? null, user_name: context.user?.name ?? 'site', rule_id: ruleId, note }),
      );
      const rule = ruleId ? book.version(ruleId, today) : null;
      return { attestation: publicAttestation(attestation), created, effect, rule: rule ? ruleRef(rule) : null };
    },
  },
};

async function requireAgencyRights(context: Parameters<ActionDefinition['handler']>[0], orgId: string | null, language: Parameters<typeof say>[1]) {
  if (context.ignoreAuth || context.user?.sysadmin) return;
  if (orgId && (await hasPermissionFor(context, orgId, 'update_dataset'))) return;
  throw new NotAuthorized(say(t('Chỉ thành viên có quyền biên tập của cơ quan mới được xác nhận', 'Only members of the organization with editing rights may attest for it'), language));
}

export const attestAuth: Record<string, AuthDefinition> = {
  compliance_attest: { fn: () => true },
};
