// Lookup tables keyed by names that arrive in requests (fields in q, fq, sort, facet.field, fl).
// A plain object literal answers "constructor", "toString" or "__proto__" with Object's own
// members, which then reach the SQL as column names; these tables have no prototype, so such a
// name finds nothing, as any other unknown field does.
export function fieldTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
