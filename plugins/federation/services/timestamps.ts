/** A timestamp column, as a Date from the driver or as PostgreSQL prints it, in the form CKAN gives
 *  its dates ("2026-11-21T09:17:28.112"); null for none. */
export function isoTimestamp(value: unknown): string | null {
  if (!value) return null;
  return value instanceof Date ? value.toISOString().replace('Z', '') : String(value).replace(' ', 'T');
}
