// Autocomplete actions beside package_autocomplete (package/index.ts), tag_autocomplete (tag.ts) and
// user_autocomplete (user.ts): format_autocomplete, group_autocomplete, organization_autocomplete
// (ckan/logic/action/get.py). They back the /api/util/* helpers (core/http/util-routes.ts). Matching
// ignores case and Vietnamese diacritics ("y te" finds "Y tế"); the best matches come first.
import { ValidationError } from '../errors.ts';
import { normalizeText } from '../search/analysis.ts';
import { countingQuery } from '../search/search-index.ts';
import { pagingParams } from './package/index.ts';
import type { ActionDefinition, AuthDefinition, DataDict } from './types.ts';

// ---- folding in SQL ----

const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** Every precomposed Latin letter with marks (Vietnamese and others) and its folded lower-case form. */
function foldTable(): { from: string; to: string } {
  let from = '';
  let to = '';
  const ranges: Array<[number, number]> = [[0x00c0, 0x024f], [0x1e00, 0x1eff]];
  for (const [first, last] of ranges) {
    for (let code = first; code <= last; code++) {
      const char = String.fromCharCode(code);
      const folded = char.normalize('NFD').replace(COMBINING_MARKS, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
      if (folded.length === 1 && /[a-z]/.test(folded) && folded !== char) {
        from += char;
        to += folded;
      }
    }
  }
  return { from, to };
}

const FOLD = foldTable();

/**
 * A SQL expression folding a text column the way search does (diacritics off, lower case), for
 * LIKE against normalizeText() of the query. Needs no database extension (PGlite has none).
 */
export function foldedColumn(column: string): { sql: string; bindings: string[] } {
  return { sql: `lower(translate(${column}, ?, ?))`, bindings: [FOLD.from, FOLD.to] };
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/** ORDER BY pieces ranking matches of `text` in a folded column: equal, then prefix, then word start. */
export function matchRank(folded: { sql: string; bindings: string[] }, text: string): { sql: string; bindings: string[] } {
  return {
    sql: `case when ${folded.sql} = ? then 0 when ${folded.sql} like ? then 1 when ${folded.sql} like ? then 2 else 3 end`,
    bindings: [...folded.bindings, text, ...folded.bindings, `${escapeLike(text)}%`, ...folded.bindings, `% ${escapeLike(text)}%`],
  };
}

// ---- format_autocomplete ----

const formatAutocomplete: ActionDefinition = {
  sideEffectFree: true,
  doc: 'Return resource formats in use that contain a string, most used first, in lower case.\n\n:param q: the string\n:param limit: (default 5)\n:rtype: list of strings',
  async handler(context, data) {
    if (data.q === undefined || data.q === null) throw new ValidationError({ q: ['Missing value'] });
    const q = normalizeText(String(data.q)).trim();
    const { limit = 5 } = pagingParams(data, ['limit']);
    // The search index counts formats already (the res_format facet), and caches the count.
    const query = countingQuery({ facetFields: ['res_format'] });
    const counts = (await context.services.searchIndex.search(query, context.trx)).facets.res_format ?? {};
    const merged = new Map<string, number>();
    for (const [format, count] of Object.entries(counts)) {
      const key = format.toLowerCase();
      if (normalizeText(format).includes(q)) merged.set(key, (merged.get(key) ?? 0) + count);
    }
    const starts = (format: string) => (normalizeText(format).startsWith(q) ? 0 : 1);
    return [...merged.entries()]
      .sort(([a, x], [b, y]) => y - x || starts(a) - starts(b) || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([format]) => format);
  },
};

// ---- group_autocomplete, organization_autocomplete ----

function groupAutocomplete(isOrganization: boolean): ActionDefinition {
  const what = isOrganization ? 'organizations' : 'groups';
  return {
    sideEffectFree: true,
    doc: `Return active ${what} whose name or title contains a string, best matches first.\n\n:param q: the string\n:param limit: (default 20)\n:rtype: list of {id, name, title}`,
    async handler(context, data) {
      if (data.q === undefined || data.q === null) throw new ValidationError({ q: ['Missing value'] });
      const q = normalizeText(String(data.q)).trim();
      const { limit = 20 } = pagingParams(data, ['limit']);
      const title = foldedColumn(`coalesce(g.title, '')`);
      const name = foldedColumn('g.name');
      const rank = matchRank(title, q);
      const rows: DataDict[] = await context
        .db()('group as g')
        .where({ 'g.state': 'active', 'g.is_organization': isOrganization })
        .where((where) => where.whereRaw(`${name.sql} like ?`, [...name.bindings, `%${escapeLike(q)}%`]).orWhereRaw(`${title.sql} like ?`, [...title.bindings, `%${escapeLike(q)}%`]))
        .orderByRaw(rank.sql, rank.bindings)
        .orderBy('g.title')
        .orderBy('g.name')
        .limit(limit)
        .select('g.id', 'g.name', 'g.title');
      return rows.map((row) => ({ id: row.id, name: row.name, title: row.title }));
    },
  };
}

export const autocompleteActions: Record<string, ActionDefinition> = {
  format_autocomplete: formatAutocomplete,
  group_autocomplete: groupAutocomplete(false),
  organization_autocomplete: groupAutocomplete(true),
};

const anyone: AuthDefinition = { allowAnonymous: true, fn: () => true };

export const autocompleteAuth: Record<string, AuthDefinition> = {
  format_autocomplete: anyone,
  group_autocomplete: anyone,
  organization_autocomplete: anyone,
};
