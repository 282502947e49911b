// IPackageController: the publish gates (refuse the write with 409 field errors, or 403 for the
// sector policy), the server-side record of privacy reviews, and the dataset history the duties are
// evaluated on. Everything runs inside the dataset's transaction.
import type { IPackageController } from '../../../core/plugins/interfaces.ts';
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import { NotAuthorized, ValidationError } from '../../../core/errors.ts';
import type { Settings } from '../services/settings.ts';
import { say, t, type Localized } from '../services/i18n.ts';
import { localDay, naiveUtc } from '../services/time.ts';
import { dataChanged, IMPORTANCE, privacyPassed, publicationState } from '../services/dataset-state.ts';
import { baselineEvents } from '../services/facts.ts';
import * as store from '../services/store.ts';
import type { Rule } from '../services/packs.ts';

const ORG_SHOW = { include_datasets: false, include_dataset_count: false, include_users: false, include_groups: false, include_tags: false, include_extras: false, include_followers: false };

async function organizationOf(context: ActionContext, pkg: DataDict): Promise<DataDict | null> {
  if (!pkg.owner_org) return null;
  try {
    return await context.action('organization_show', { id: pkg.owner_org, ...ORG_SHOW }, { ignoreAuth: true });
  } catch {
    return null;
  }
}

/**
 * Only datasets of CKAN's default type are data under these rules; other package types (harvest
 * sources, showcases…) are left alone.
 */
export function isData(pkg: DataDict): boolean {
  return !pkg.type || pkg.type === 'dataset';
}

function basis(rule: Rule): string {
  return `${rule.legal_basis.instrument_short}, ${rule.legal_basis.article} [${rule.id}]`;
}

/** The server records who reviewed and when; a client cannot backdate or reattribute a review. */
function settlePrivacyReview(context: ActionContext, pkg: DataDict, previous: DataDict | null) {
  const value = pkg.privacy_review;
  if (!value || typeof value !== 'object') {
    pkg.privacy_review = null;
    return;
  }
  const before = previous?.privacy_review;
  if (before && typeof before === 'object' && before.result === value.result && (before.note ?? null) === (value.note ?? null)) {
    pkg.privacy_review = before;
    return;
  }
  const { clock } = context.services;
  pkg.privacy_review = { result: value.result, note: value.note ?? null, by: context.user?.name ?? 'site', at: naiveUtc(clock.now()) };
}

export function datasetHooks(settings: Settings): IPackageController {
  const { book, language } = settings;
  const message = (text: Localized, rule: Rule) => `${say(text, language)} (${basis(rule)})`;

  async function gates(context: ActionContext, pkg: DataDict) {
    if (!context.user && !settings.config.gates.enforce_on_system_writes) return;
    const day = localDay(context.services.clock.now());
    const errors: Record<string, string[]> = {};
    const add = (field: string, text: string) => (errors[field] ??= []).push(text);
    const gate = (name: string) => {
      const rule = book.gate(name, day);
      return rule && rule.parameters.enabled ? rule : null;
    };

    const secret = gate('state_secret');
    if (secret && pkg.bi_mat_nha_nuoc === true) {
      add('bi_mat_nha_nuoc', message(t('Dữ liệu thuộc phạm vi bí mật nhà nước không được đưa lên hệ thống', 'Data within the scope of state secrets may not be stored in this system'), secret));
    }
    const publishing = pkg.state === 'active' && pkg.private !== true;
    let org: DataDict | null | undefined;
    const sector = gate('sector_policy');
    const userIsAgency = !!context.user && !context.user.sysadmin && !context.ignoreAuth;
    if (sector && userIsAgency && pkg.owner_org) {
      org = await organizationOf(context, pkg);
      const assigned: string[] = Array.isArray(org?.linh_vuc_phu_trach) ? org!.linh_vuc_phu_trach : [];
      if (pkg.linh_vuc && !assigned.includes(pkg.linh_vuc)) {
        throw new NotAuthorized(
          message(
            t(
              `Tài khoản của cơ quan chỉ được cập nhật dữ liệu thuộc lĩnh vực được phân công (${assigned.join(', ') || 'chưa được phân công lĩnh vực nào'}); "${pkg.linh_vuc}" không thuộc số đó`,
              `An agency account may only publish in its assigned sectors (${assigned.join(', ') || 'none assigned'}); "${pkg.linh_vuc}" is not one of them`,
            ),
            sector,
          ),
        );
      }
      if (publishing && !pkg.linh_vuc) add('linh_vuc', message(t('Phải chọn lĩnh vực khi công bố', 'A sector is required to publish'), sector));
    }
    if (publishing) {
      const open = gate('open_classification');
      if (open && pkg.phan_loai_chia_se !== 'mo') {
        add(
          'phan_loai_chia_se',
          message(
            pkg.phan_loai_chia_se
              ? t(`Chỉ dữ liệu mở (mo) mới được công bố công khai; dữ liệu "${pkg.phan_loai_chia_se}" phải để riêng tư (private)`, `Only open data (mo) may be public; "${pkg.phan_loai_chia_se}" data must stay private`)
              : t('Phải phân loại là dữ liệu mở (phan_loai_chia_se = mo) trước khi công bố công khai', 'Classify the dataset as open (phan_loai_chia_se = mo) before making it public'),
            open,
          ),
        );
      }
      const both = gate('both_classifications');
      if (both && !(IMPORTANCE as readonly string[]).includes(pkg.muc_do_quan_trong)) {
        add('muc_do_quan_trong', message(t('Phải phân loại mức độ quan trọng (cot_loi, quan_trong, khac) trước khi công bố', 'Classify the importance (cot_loi, quan_trong, khac) before publishing'), both));
      }
      const focal = gate('focal_point');
      if (focal) {
        const fieldsRule = book.ofKind('focal_point', day)[0];
        const fields: string[] = fieldsRule?.parameters.fields ?? ['contact_name', 'contact_position', 'contact_phone', 'contact_email'];
        if (!pkg.owner_org) {
          add('owner_org', message(t('Dữ liệu công bố phải thuộc một cơ quan có cán bộ đầu mối', 'Published data must belong to an organization with a focal point'), focal));
        } else {
          org ??= await organizationOf(context, pkg);
          const missing = fields.filter((field) => !(typeof org?.[field] === 'string' && org[field].trim()));
          if (missing.length) {
            add(
              'owner_org',
              message(
                t(`Cơ quan chưa công khai đủ thông tin cán bộ đầu mối, còn thiếu: ${missing.join(', ')}`, `The organization's focal point is incomplete; missing: ${missing.join(', ')}`),
                focal,
              ),
            );
          }
        }
      }
      const privacy = gate('privacy_review');
      if (privacy && !privacyPassed(pkg)) {
        add(
          'privacy_review',
          message(
            pkg.privacy_review?.result === 'contains_personal_data'
              ? t('Dữ liệu chứa dữ liệu cá nhân chưa được xử lý, không được công bố', 'The data contains personal data and may not be published')
              : t('Cần xác nhận đã rà soát dữ liệu cá nhân trước khi công bố: privacy_review = {"result": "no_personal_data"}', 'A privacy review must be attested before publishing: privacy_review = {"result": "no_personal_data"}'),
            privacy,
          ),
        );
      }
      const override = gate('core_important_override');
      if (override && (pkg.muc_do_quan_trong === 'cot_loi' || pkg.muc_do_quan_trong === 'quan_trong') && !pkg.open_override_basis) {
        add('open_override_basis', message(t('Dữ liệu cốt lõi, quan trọng chỉ được mở khi ghi căn cứ pháp lý', 'Core or important data may be opened only with a recorded legal basis'), override));
      }
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
  }

  async function record(context: ActionContext, pkg: DataDict, previous: DataDict | null, kind: string) {
    const db = context.db();
    const now = context.services.clock.now();
    const rows: store.EventRow[] = [];
    if (previous && !(await store.hasDatasetEvents(db, pkg.id))) {
      // First change the plugin sees of a dataset that existed before: keep what it was.
      for (const event of baselineEvents(previous)) {
        if (event.at < now) rows.push({ package_id: pkg.id, org_id: event.org_id, at: event.at, kind: 'baseline', public: event.public, open: event.open, sharing: event.sharing, data_updated: event.data_updated });
      }
    }
    const state = publicationState(pkg);
    const before = previous ? publicationState(previous) : null;
    const changedData = !previous || dataChanged(previous, pkg);
    const changedState = !before || before.public !== state.public || before.open !== state.open || before.sharing !== state.sharing || before.org_id !== state.org_id;
    if (changedData || changedState) {
      rows.push({ package_id: pkg.id, org_id: state.org_id, at: now, kind, public: state.public, open: state.open, sharing: state.sharing, data_updated: changedData && kind !== 'deleted' });
    }
    await store.insertDatasetEvents(db, rows);
    const review = pkg.privacy_review;
    if (review && typeof review === 'object' && JSON.stringify(review) !== JSON.stringify(previous?.privacy_review ?? null)) {
      await store.insertAttestation(db, { kind: 'privacy_review', package_id: pkg.id, org_id: pkg.owner_org ?? null, at: now, user_id: context.user?.id ?? null, user_name: review.by, note: review.note ?? null, payload: { result: review.result } });
    }
  }

  return {
    async before_dataset_create(context, pkg) {
      if (!isData(pkg)) return;
      settlePrivacyReview(context, pkg, null);
      await gates(context, pkg);
    },
    async before_dataset_update(context, pkg, previous) {
      if (!isData(pkg)) return;
      settlePrivacyReview(context, pkg, previous);
      await gates(context, pkg);
    },
    async after_dataset_create(context, pkg) {
      if (isData(pkg)) await record(context, pkg, null, 'created');
    },
    async after_dataset_update(context, pkg, previous) {
      if (isData(pkg)) await record(context, pkg, previous, 'updated');
    },
    async after_dataset_delete(context, pkg) {
      if (!isData(pkg)) return;
      const now = context.services.clock.now();
      await store.insertDatasetEvents(context.db(), [{ package_id: pkg.id, org_id: pkg.owner_org ?? null, at: now, kind: 'deleted', public: false, open: false, sharing: pkg.phan_loai_chia_se ?? null, data_updated: false }]);
    },
  };
}
