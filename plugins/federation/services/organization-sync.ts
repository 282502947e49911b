// What federation keeps of an organization at the other portal (pushed to the national portal, or
// pulled from a member): its title and description, and the fields this site declares for
// organizations — the focal point and feedback contact, the identifier code, the parent agency, the
// sectors — which Decree 47 Art. 7(2) has travel with the organization (R59).
//
// The other portal may or may not declare the same fields. One that does shows them as top-level
// keys of organization_show (Kho, ckanext-scheming), and takes them back the same way; one that does
// not would drop such keys silently, so for it they travel as extras under the same names. Its own
// extras are kept: organization_patch replaces the whole list, so it is sent merged.
import type { DataDict } from '../../../core/actions/types.ts';

export interface WantedOrganization {
  title: string;
  description: string;
  /** Declared field → the local value (null when not filled in). */
  declared: Record<string, unknown>;
}

/**
 * `targetName` gives an organization's name at the target: the parent agency (the compliance
 * plugin's `parent_org`) names one of this site's organizations, which the target knows by that name.
 */
export function wantedOrganization(local: DataDict, declaredFields: readonly string[], targetName: (name: string) => string = (name) => name): WantedOrganization {
  const declared: Record<string, unknown> = {};
  for (const field of declaredFields) declared[field] = local[field] ?? null;
  if (typeof declared.parent_org === 'string' && declared.parent_org) declared.parent_org = targetName(declared.parent_org);
  return { title: String(local.title || local.name), description: String(local.description ?? ''), declared };
}

/** A value as an extra holds it; '' for nothing. */
function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The organization_patch body (without id) that brings the target's organization, as it showed it,
 * to `wanted`; null when it already holds all of it.
 */
export function organizationPatch(shown: DataDict, wanted: WantedOrganization): Record<string, unknown> | null {
  const patch: Record<string, unknown> = {};
  if (asText(shown.title) !== wanted.title) patch.title = wanted.title;
  if (asText(shown.description) !== wanted.description) patch.description = wanted.description;

  const extras = new Map<string, string>();
  for (const extra of (Array.isArray(shown.extras) ? shown.extras : []) as DataDict[]) {
    if (extra && typeof extra.key === 'string') extras.set(extra.key, asText(extra.value));
  }
  let extrasChanged = false;
  for (const [field, value] of Object.entries(wanted.declared)) {
    if (Object.hasOwn(shown, field)) {
      if (asText(shown[field]) !== asText(value)) patch[field] = value;
      continue;
    }
    const text = asText(value);
    if (text === (extras.get(field) ?? '')) continue;
    if (text) extras.set(field, text);
    else extras.delete(field);
    extrasChanged = true;
  }
  if (extrasChanged) patch.extras = [...extras].map(([key, value]) => ({ key, value }));
  return Object.keys(patch).length ? patch : null;
}

/**
 * Drop from `body` the fields a CKAN validation error names (title and name excepted: without them
 * there is nothing to send); returns how many were dropped.
 */
export function withoutRefusedFields(body: Record<string, unknown>, error: unknown): number {
  if (!error || typeof error !== 'object') return 0;
  let dropped = 0;
  for (const key of Object.keys(error)) {
    if (key === '__type' || key === 'name' || key === 'title' || !Object.hasOwn(body, key)) continue;
    delete body[key];
    dropped++;
  }
  return dropped;
}
