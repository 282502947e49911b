// What the plugin reads from a package dict: its publication state and open-data status, its data
// changes, and the declared fields (with the DCAT extras harvested datasets carry as fallbacks).
import type { DataDict } from '../../../core/actions/types.ts';
import { parseInstant } from './time.ts';

export const SHARING = ['mo', 'dung_chung', 'dung_rieng'] as const;
export const IMPORTANCE = ['cot_loi', 'quan_trong', 'khac'] as const;
export const FREQUENCIES = ['daily', 'weekly', 'monthly', 'quarterly', 'semiannual', 'annual', 'irregular', 'never'] as const;
export const PRIVACY_PASSED = ['no_personal_data', 'personal_data_removed', 'anonymised'] as const;
export const PRIVACY_RESULTS = [...PRIVACY_PASSED, 'contains_personal_data'] as const;

export interface PublicationState {
  public: boolean;
  /** Public and not classified as shared or private data (unclassified public datasets count as open). */
  open: boolean;
  sharing: string | null;
  org_id: string | null;
}

export function publicationState(dict: DataDict): PublicationState {
  const isPublic = dict.state === 'active' && dict.private !== true;
  const sharing = typeof dict.phan_loai_chia_se === 'string' && dict.phan_loai_chia_se ? dict.phan_loai_chia_se : null;
  return { public: isPublic, open: isPublic && sharing !== 'dung_chung' && sharing !== 'dung_rieng', sharing, org_id: dict.owner_org ?? null };
}

function resourceSignature(resource: DataDict): string {
  return JSON.stringify([resource.id, resource.url, resource.url_type ?? null, resource.hash ?? null, resource.size ?? null, resource.last_modified ?? null, resource.format ?? null]);
}

/** Whether the data itself changed: resources added, removed or replaced, or data_modified moved. */
export function dataChanged(previous: DataDict, next: DataDict): boolean {
  if ((previous.data_modified ?? null) !== (next.data_modified ?? null)) return true;
  const before = ((previous.resources ?? []) as DataDict[]).map(resourceSignature);
  const after = ((next.resources ?? []) as DataDict[]).map(resourceSignature);
  if (before.length !== after.length) return true;
  const set = new Set(before);
  return after.some((signature) => !set.has(signature));
}

export function extra(dict: DataDict, key: string): string | null {
  const found = ((dict.extras ?? []) as DataDict[]).find((item) => item.key === key);
  return found && typeof found.value === 'string' && found.value.trim() ? found.value.trim() : null;
}

/** The declared update frequency, or a DCAT-style frequency extra of a harvested dataset. */
export function frequencyOf(dict: DataDict): string | null {
  if (typeof dict.ky_cap_nhat === 'string' && dict.ky_cap_nhat) return dict.ky_cap_nhat;
  const raw = (extra(dict, 'frequency') ?? extra(dict, 'accrual_periodicity') ?? '').toLowerCase();
  if (!raw) return null;
  const tail = raw.split(/[/#]/).pop() ?? raw;
  const map: Record<string, string> = {
    daily: 'daily', weekly: 'weekly', monthly: 'monthly', quarterly: 'quarterly', annual: 'annual', annually: 'annual', yearly: 'annual',
    annual_2: 'semiannual', semiannual: 'semiannual', biannual: 'semiannual', irreg: 'irregular', irregular: 'irregular', never: 'never', other: 'irregular',
    r1d: 'daily', p1d: 'daily', p1w: 'weekly', p1m: 'monthly', p3m: 'quarterly', p6m: 'semiannual', p1y: 'annual',
  };
  return map[tail] ?? map[tail.replace(/^r\//, '')] ?? null;
}

/** Declared data_modified (or a `modified` extra), as an instant. */
export function declaredDataModified(dict: DataDict): Date | null {
  return parseInstant(dict.data_modified) ?? parseInstant(extra(dict, 'modified'));
}

export function declaredIssued(dict: DataDict): Date | null {
  return parseInstant(dict.data_issued) ?? parseInstant(extra(dict, 'issued'));
}

export function privacyPassed(dict: DataDict): boolean {
  const review = dict.privacy_review;
  return !!review && typeof review === 'object' && (PRIVACY_PASSED as readonly string[]).includes(review.result);
}
