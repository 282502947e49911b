// What every group and organization action shares: the two kinds, CKAN's parameter parsing
// (asbool, get_or_bust) and loading a group by id or name.
import { NotFound, ValidationError } from '../../errors.ts';
import type { GroupRow } from '../../model/groups.ts';
import type { ActionContext, DataDict } from '../types.ts';
import { GROUP_ROW } from '../../auth/functions/group.ts';

export type GroupKind = 'organization' | 'group';

export function isOrganizationKind(kind: GroupKind): boolean {
  return kind === 'organization';
}

/** The row belongs to the kind an action serves (organization_show of a group is a 404). */
export function isKind(row: GroupRow, kind: GroupKind): boolean {
  return row.is_organization === isOrganizationKind(kind);
}

const TRUTHY = ['true', 'yes', 'on', 'y', 't', '1'];
const FALSY = ['false', 'no', 'off', 'n', 'f', '0'];

/**
 * CKAN's asbool: strings must be a recognised word (anything else is an error, which CKAN reports
 * as "Parameter is not an bool"); other values by their truthiness.
 */
export function paramBool(data: DataDict, key: string, fallback: boolean): boolean {
  const value = data[key];
  if (value === undefined) return fallback;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUTHY.includes(word)) return true;
    if (FALSY.includes(word)) return false;
    throw new ValidationError('Parameter is not an bool');
  }
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return !!value;
}


/** An id or name as given: text or a number; anything else cannot name a row. */
export function refOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export async function findGroup(context: ActionContext, value: unknown, options: { forUpdate?: boolean } = {}): Promise<GroupRow | undefined> {
  const ref = refOf(value);
  if (ref === null || ref === '') return undefined;
  const { groups } = context.services.repos;
  return options.forUpdate ? groups.getForUpdate(context.db(), ref) : groups.get(context.db(), ref);
}

/** Load the group of the action's kind, or 404 with the given detail. */
export async function loadGroupOfKind(
  context: ActionContext,
  kind: GroupKind,
  value: unknown,
  notFound: string,
  options: { forUpdate?: boolean } = {},
): Promise<GroupRow> {
  const row = await findGroup(context, value, options);
  if (!row || !isKind(row, kind)) throw new NotFound(notFound);
  return row;
}

/** The data handed to an auth function, carrying the row already loaded (never client input). */
export function withGroup(data: DataDict, row: GroupRow): DataDict {
  return { ...data, id: row.id, [GROUP_ROW]: row };
}

/** A list parameter given as a list, or as a comma-separated string (groups=a,b). */
export function listParam(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const items = Array.isArray(value) ? value : String(value).split(',');
  const out = items.map((item) => (typeof item === 'string' ? item.trim() : refOf(item))).filter((item): item is string => !!item);
  return out.length ? out : undefined;
}
