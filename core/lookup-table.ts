// Constant tables looked up with names that arrive from outside: search fields (q, fq, sort,
// facet.field, fl), resource formats, file extensions, media types. A plain object literal answers
// "constructor", "toString" or "__proto__" with Object's own members, which then travel on as
// column names or formats; these tables have no prototype, so such a name finds nothing, as any
// other unknown name does.
export function lookupTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
