// Query AST → SQL conditions over package_search (alias `s`), with bound parameters only. Text terms
// become tsquery fragments; fragments on the same tsvector inside one bool are merged into a single
// `@@` (a & b, a | b, !a) so that the GIN index answers the whole boolean at once.
import { SearchQueryError } from '../../errors.ts';
import { nfc } from '../../text/vietnamese.ts';
import type { BoolNode, QueryNode, RangeNode, TermNode } from '../query-ast.ts';
import { resolveDateMath } from '../date-math.ts';
import { fieldKind, solrDate } from '../index-document.ts';
import { analyze, escapeLike, normalizeText, quoteLexeme, textArrayLiteral, tokenize, tokensTsquery, wildcardToLike } from './analysis.ts';
import { ARRAY_COLUMNS, SCALAR_COLUMNS, fieldPrefix } from './row.ts';
import { lookupTable } from '../../lookup-table.ts';

export interface Sql {
  sql: string;
  bindings: unknown[];
}

type TsColumn = 'tsv' | 'ftsv';

/** A translated condition; null means the clause analysed to nothing and is dropped (as Lucene does). */
export type Condition =
  | { kind: 'const'; value: boolean }
  | { kind: 'sql'; sql: string; bindings: unknown[] }
  | { kind: 'tsq'; column: TsColumn; query: string }
  | null;

/** A query value as stored values are: NFC, without U+0000 (which PostgreSQL text cannot hold). */
export const clean = (text: string) => nfc(text).replace(/\u0000/g, '');

const TRUE: Condition = { kind: 'const', value: true };
const FALSE: Condition = { kind: 'const', value: false };

const DATE_COLUMNS = lookupTable({ metadata_created: 's.metadata_created', metadata_modified: 's.metadata_modified' });
const NUMBER_COLUMNS = lookupTable({ num_resources: 's.num_resources', num_tags: 's.num_tags' });

function sql(text: string, bindings: unknown[] = []): Condition {
  return { kind: 'sql', sql: text, bindings };
}

export class QueryTranslator {
  private readonly now: Date;
  constructor(now: Date) {
    this.now = now;
  }

  translate(node: QueryNode): Condition {
    switch (node.type) {
      case 'matchAll':
        return TRUE;
      case 'term':
        return this.term(node);
      case 'range':
        return this.range(node);
      case 'bool':
        return this.bool(node);
    }
  }

  // ---- terms ----

  private term(node: TermNode): Condition {
    const field = clean(node.field ?? 'text');
    const kind = fieldKind(field);
    if (kind === 'text') return this.textTerm(field, node);
    if (kind === 'date') return this.dateTerm(field, node);
    if (kind === 'numeric' && NUMBER_COLUMNS[field] && !node.exists && !node.prefix && !node.wildcard) {
      return sql(`${NUMBER_COLUMNS[field]} = ?::numeric`, [parseNumber(node.value)]);
    }
    return this.exactTerm(field, node);
  }

  private textTerm(field: string, node: TermNode): Condition {
    const column: TsColumn = field === 'text' ? 'tsv' : 'ftsv';
    const lexemePrefix = field === 'text' ? '' : fieldPrefix(field);
    if (node.exists) {
      return column === 'tsv' ? sql(`s.tsv <> ''::tsvector`) : { kind: 'tsq', column, query: `${quoteLexeme(lexemePrefix)}:*` };
    }
    if (node.wildcard) {
      const pattern = escapeLike(lexemePrefix) + wildcardToLike(node.value, normalizeText);
      return sql(`exists (select 1 from unnest(s.${column}) as u where u.lexeme like ?)`, [pattern]);
    }
    const tokens = tokenize(node.value);
    const query = tokensTsquery(tokens, { prefix: node.prefix, lexemePrefix });
    if (query === null) return null;
    if (column === 'tsv') return { kind: 'tsq', column, query };
    // Every field's words are in the catch-all too: its GIN index finds the candidates, the
    // per-field vector (not indexed) keeps those where the words are in this field.
    return allOf([{ kind: 'tsq', column: 'tsv', query: tokensTsquery(tokens, { prefix: node.prefix })! }, { kind: 'tsq', column, query }]);
  }

  private dateTerm(field: string, node: TermNode): Condition {
    const column = DATE_COLUMNS[field];
    if (node.exists) return column ? TRUE : sql('jsonb_exists(s.exact, ?)', [field]);
    if (node.prefix || node.wildcard) throw new SearchQueryError(`Wildcards are not supported on the date field ${field}`);
    const value = resolveDateMath(node.value, this.now);
    if (column) return sql(`${column} = ?::timestamp`, [value]);
    return sql('s.exact @> ?::jsonb', [JSON.stringify({ [field]: [solrDate(value)] })]);
  }

  private exactTerm(field: string, node: TermNode): Condition {
    const scalar = SCALAR_COLUMNS[field];
    const array = ARRAY_COLUMNS[field];
    if (node.exists) {
      if (scalar) return sql(`s.${scalar} is not null`);
      if (array) return sql(`cardinality(s.${array}) > 0`);
      return sql('jsonb_exists(s.exact, ?)', [field]);
    }
    const value = clean(node.value);
    if (node.prefix || node.wildcard) {
      const pattern = node.wildcard ? wildcardToLike(value) : `${escapeLike(value)}%`;
      if (scalar) return sql(`s.${scalar} like ?`, [pattern]);
      return sql(`exists (select 1 from ${this.elements(field)} as e(v) where e.v like ?)`, [...this.elementBindings(field), pattern]);
    }
    if (scalar) return sql(`s.${scalar} = ?`, [value]);
    if (array) return sql(`s.${array} @> ?::text[]`, [textArrayLiteral([value])]);
    return sql('s.exact @> ?::jsonb', [JSON.stringify({ [field]: [value] })]);
  }

  /** The values of a multi-valued exact field, as a set-returning SQL expression. */
  private elements(field: string): string {
    return ARRAY_COLUMNS[field] ? `unnest(s.${ARRAY_COLUMNS[field]})` : 'jsonb_array_elements_text(s.exact -> ?)';
  }

  private elementBindings(field: string): unknown[] {
    return ARRAY_COLUMNS[field] ? [] : [field];
  }

  // ---- ranges ----

  private range(node: RangeNode): Condition {
    const field = clean(node.field);
    const kind = fieldKind(field);
    if (kind === 'text') throw new SearchQueryError(`Range queries are not supported on the text field ${field}`);
    if (node.lower === null && node.upper === null) {
      return this.exactTerm(field, { type: 'term', field, value: '', phrase: false, prefix: false, exists: true });
    }
    if (kind === 'date') {
      const lower = node.lower === null ? null : resolveDateMath(node.lower, this.now);
      const upper = node.upper === null ? null : resolveDateMath(node.upper, this.now);
      const column = DATE_COLUMNS[field];
      if (column) return this.between(column, '::timestamp', node, lower, upper);
      return this.elementBetween(field, node, lower && solrDate(lower), upper && solrDate(upper));
    }
    if (kind === 'numeric' && NUMBER_COLUMNS[field]) {
      const lower = node.lower === null ? null : parseNumber(node.lower);
      const upper = node.upper === null ? null : parseNumber(node.upper);
      return this.between(NUMBER_COLUMNS[field], '::numeric', node, lower, upper);
    }
    const scalar = SCALAR_COLUMNS[field];
    const lower = node.lower === null ? null : clean(node.lower);
    const upper = node.upper === null ? null : clean(node.upper);
    if (scalar) return this.between(`s.${scalar}`, '', node, lower, upper);
    return this.elementBetween(field, node, lower, upper);
  }

  private between(column: string, cast: string, node: RangeNode, lower: unknown, upper: unknown): Condition {
    const parts: string[] = [];
    const bindings: unknown[] = [];
    if (lower !== null) {
      parts.push(`${column} ${node.includeLower ? '>=' : '>'} ?${cast}`);
      bindings.push(lower);
    }
    if (upper !== null) {
      parts.push(`${column} ${node.includeUpper ? '<=' : '<'} ?${cast}`);
      bindings.push(upper);
    }
    return sql(`(${parts.join(' and ')})`, bindings);
  }

  /** A multi-valued exact field matches a range when any of its values is inside it (code-point order). */
  private elementBetween(field: string, node: RangeNode, lower: string | null, upper: string | null): Condition {
    const parts: string[] = [];
    const bindings: unknown[] = this.elementBindings(field);
    if (lower !== null) {
      parts.push(`e.v collate "C" ${node.includeLower ? '>=' : '>'} ?`);
      bindings.push(lower);
    }
    if (upper !== null) {
      parts.push(`e.v collate "C" ${node.includeUpper ? '<=' : '<'} ?`);
      bindings.push(upper);
    }
    return sql(`exists (select 1 from ${this.elements(field)} as e(v) where ${parts.join(' and ')})`, bindings);
  }

  // ---- booleans ----

  private bool(node: BoolNode): Condition {
    const musts: Condition[] = [];
    const shoulds: Condition[] = [];
    const mustNots: Condition[] = [];
    for (const clause of node.clauses) {
      const condition = this.translate(clause.node);
      if (condition === null) continue;
      (clause.occur === 'must' ? musts : clause.occur === 'should' ? shoulds : mustNots).push(condition);
    }
    if (!musts.length && !shoulds.length && !mustNots.length) return FALSE;

    const required: Condition[] = [...musts, ...mustNots.map(negate)];
    const minimum = Math.min(node.minimumShouldMatch ?? 0, shoulds.length);
    if (minimum > 0) {
      if (minimum === shoulds.length) required.push(...shoulds);
      else required.push(atLeast(minimum, shoulds));
    } else if (!musts.length && shoulds.length) {
      required.push(anyOf(shoulds));
    }
    return allOf(required);
  }
}

export function negate(condition: Condition): Condition {
  if (condition === null) return null;
  switch (condition.kind) {
    case 'const':
      return condition.value ? FALSE : TRUE;
    case 'tsq':
      return { ...condition, query: `!${wrap(condition.query)}` };
    case 'sql':
      // Null-safe: a dataset without an organization does match -organization:x.
      return sql(`not coalesce(${condition.sql}, false)`, condition.bindings);
  }
}

export function allOf(conditions: Condition[]): Condition {
  return combine(conditions, 'and');
}

export function anyOf(conditions: Condition[]): Condition {
  return combine(conditions, 'or');
}

function combine(conditions: Condition[], operator: 'and' | 'or'): Condition {
  const absorbing = operator === 'or';
  const tsq: Record<TsColumn, string[]> = { tsv: [], ftsv: [] };
  const parts: Array<{ sql: string; bindings: unknown[] }> = [];
  for (const condition of conditions) {
    if (condition === null) continue;
    if (condition.kind === 'const') {
      if (condition.value === absorbing) return condition;
      continue;
    }
    if (condition.kind === 'tsq') tsq[condition.column].push(condition.query);
    else parts.push(condition);
  }
  const merged: Condition[] = [];
  for (const column of ['tsv', 'ftsv'] as const) {
    if (!tsq[column].length) continue;
    const query = tsq[column].length === 1 ? tsq[column][0] : tsq[column].map(wrap).join(operator === 'and' ? ' & ' : ' | ');
    merged.push({ kind: 'tsq', column, query });
  }
  if (!parts.length && merged.length === 1) return merged[0];
  const all = [...merged.map(render), ...parts];
  if (!all.length) return operator === 'and' ? TRUE : FALSE;
  if (all.length === 1) return sql(all[0].sql, all[0].bindings);
  return sql(`(${all.map((part) => part.sql).join(` ${operator} `)})`, all.flatMap((part) => part.bindings));
}

/** Above this many combinations, "at least k of n" is a count instead of one tsquery. */
const MAX_COMBINATIONS = 256;

/**
 * At least `minimum` of the conditions. When they are all text terms on one tsvector, one tsquery
 * the GIN index answers exactly: the OR of every AND of `minimum` of them ("2 of a, b, c" is
 * (a & b) | (a & c) | (b & c)). Otherwise an OR the index can use, then a count to enforce it.
 */
function atLeast(minimum: number, conditions: Condition[]): Condition {
  const queries = conditions.map((condition) => (condition?.kind === 'tsq' ? condition : null));
  const column = queries[0]?.column;
  if (column && queries.every((query) => query?.column === column) && combinations(conditions.length, minimum) <= MAX_COMBINATIONS) {
    const terms = queries.map((query) => wrap(query!.query));
    const groups: string[] = [];
    const pick = (from: number, chosen: string[]) => {
      if (chosen.length === minimum) {
        groups.push(chosen.length === 1 ? chosen[0] : `(${chosen.join(' & ')})`);
        return;
      }
      for (let i = from; i <= terms.length - (minimum - chosen.length); i++) pick(i + 1, [...chosen, terms[i]]);
    };
    pick(0, []);
    return { kind: 'tsq', column, query: groups.join(' | ') };
  }
  const rendered = conditions.map((condition) => render(condition));
  const count = sql(
    `(${rendered.map((part) => `coalesce((${part.sql})::int, 0)`).join(' + ')}) >= ${minimum}`,
    rendered.flatMap((part) => part.bindings),
  );
  return allOf([anyOf(conditions), count]);
}

function combinations(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) {
    result = (result * (n - k + i)) / i;
    if (result > MAX_COMBINATIONS) return result;
  }
  return result;
}

/** SQL for a condition (a tsquery fragment becomes an `@@` test on its column). */
export function render(condition: Condition): Sql {
  if (condition === null) return { sql: 'false', bindings: [] };
  switch (condition.kind) {
    case 'const':
      return { sql: condition.value ? 'true' : 'false', bindings: [] };
    case 'tsq':
      return { sql: `s.${condition.column} @@ ?::tsquery`, bindings: [condition.query] };
    case 'sql':
      return { sql: condition.sql, bindings: condition.bindings };
  }
}

function wrap(text: string): string {
  return text.startsWith('(') && balancedOuter(text) ? text : `(${text})`;
}

/** True when the whole text is one parenthesised group: "(a) & (b)" is not. */
function balancedOuter(text: string): boolean {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    if (ch === ')') {
      depth--;
      if (depth === 0 && i < text.length - 1) return false;
    }
  }
  return depth === 0;
}

function parseNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new SearchQueryError(`Invalid number: '${text}'`);
  return value;
}

/**
 * What relevance is computed from, all on the ranking vector (rtsv: name and title at weight A,
 * tags and groups at B):
 * - `folded`: the positive text terms of q, diacritics folded, OR-ed (terms under a MUST_NOT add
 *   nothing to the score);
 * - `exact`: their syllables that carry marks, as written, so that "Hà Nội" ranks "Hà Nội" above
 *   "Hạ Nổi" although both match;
 * - `phrases`: for free text, each pair of adjacent words as a phrase, so that "dân số" ranks
 *   "Dân số" above "số liệu người dân" (edismax's pf2).
 */
export interface RankingQueries {
  folded: string | null;
  exact: string | null;
  phrases: string[];
}

/** What relevance is computed from, before it is written as tsqueries (the memory index reads this). */
export interface RankingTerms {
  /** Each positive text term of q: its folded tokens (a phrase when several), the last one a prefix. */
  folded: Array<{ tokens: string[]; prefix: boolean }>;
  /** Marked syllables as written, each once. */
  exact: Array<{ lexeme: string; prefix: boolean }>;
  /** Adjacent free-text words, each pair once. */
  phrases: Array<[string, string]>;
}

const MAX_PHRASES = 8;

/** ts_rank weights for D, C, B, A: CKAN's qf "name^4 title^4 tags^2 groups^2 text". */
export const RANK_WEIGHTS: readonly number[] = [0.25, 0.25, 0.5, 1];

/**
 * Weights of the exact-diacritic and phrase parts of the score, next to ts_rank's 0..1 (one title
 * word ≈ 0.3). Adjacency weighs more than marks: for "dân số" (population), "Dan so Quang Nam"
 * written without marks is a better answer than "Số liệu về người dân" (data about people).
 */
export const EXACT_WEIGHT = 0.25;
export const PHRASE_WEIGHT = 0.5;

export function rankingTerms(node: QueryNode | null, freeText = false): RankingTerms {
  const folded: RankingTerms['folded'] = [];
  const exact = new Map<string, { lexeme: string; prefix: boolean }>();
  const visit = (current: QueryNode) => {
    if (current.type === 'bool') {
      for (const clause of current.clauses) if (clause.occur !== 'must_not') visit(clause.node);
      return;
    }
    if (current.type !== 'term' || current.exists || current.wildcard) return;
    if (fieldKind(clean(current.field ?? 'text')) !== 'text') return;
    const tokens = analyze(current.value);
    if (tokens.length) folded.push({ tokens: tokens.map((token) => token.folded), prefix: current.prefix });
    tokens.forEach((token, i) => {
      const prefix = current.prefix && i === tokens.length - 1;
      if (token.exact !== null) exact.set(quoteLexeme(token.exact) + (prefix ? ':*' : ''), { lexeme: token.exact, prefix });
    });
  };
  if (node) visit(node);

  const phrases = new Map<string, [string, string]>();
  if (freeText && node) {
    const words: string[] = [];
    const clauses = node.type === 'bool' ? node.clauses : [{ occur: 'should' as const, node }];
    for (const clause of clauses) {
      const term = clause.node;
      const plain = clause.occur !== 'must_not' && term.type === 'term' && term.field === null && !term.phrase && !term.prefix && !term.wildcard && !term.exists;
      if (plain) words.push(...tokenize(term.value));
      else words.push('');
    }
    let pairs = 0;
    for (let i = 0; i + 1 < words.length && pairs < MAX_PHRASES; i++) {
      if (!words[i] || !words[i + 1]) continue;
      pairs++;
      phrases.set(`${words[i]} ${words[i + 1]}`, [words[i], words[i + 1]]);
    }
  }
  return { folded, exact: [...exact.values()], phrases: [...phrases.values()] };
}

export function rankingQueries(node: QueryNode | null, freeText = false): RankingQueries {
  const terms = rankingTerms(node, freeText);
  const folded = terms.folded.map((term) => tokensTsquery(term.tokens, { prefix: term.prefix })!);
  return {
    folded: folded.length ? [...new Set(folded)].join(' | ') : null,
    exact: terms.exact.length ? terms.exact.map((item) => quoteLexeme(item.lexeme) + (item.prefix ? ':*' : '')).join(' | ') : null,
    phrases: terms.phrases.map(([a, b]) => `${quoteLexeme(a)} <-> ${quoteLexeme(b)}`),
  };
}
