// Parameter helpers shared by the actions.
import { ValidationError } from '../errors.ts';
import type { DataDict } from './types.ts';

/**
 * CKAN's get_or_bust: every named key must be given (null counts as not given), else one 409 naming
 * all the missing ones. Returns the values as text, in order.
 */
export function getOrBust(data: DataDict, keys: string[]): string[] {
  const missing = keys.filter((key) => data[key] === undefined || data[key] === null);
  if (missing.length) throw new ValidationError(Object.fromEntries(missing.map((key) => [key, ['Missing value']])));
  return keys.map((key) => String(data[key]));
}

export function getOrBustOne(data: DataDict, key: string): string {
  return getOrBust(data, [key])[0];
}

/** CKAN's asbool for parameters that arrive as text from GET and forms. */
export function asBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return typeof value === 'string' && ['true', 'yes', 't', 'y', '1', 'on'].includes(value.trim().toLowerCase());
}
