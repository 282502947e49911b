// Parses the Lucene/Solr query syntax CKAN clients send (q with field syntax, fq, fq_list) into the
// query AST. Clause occurrence follows Lucene's classic QueryParser exactly (addClause), because
// clients depend on its quirks: with the default operator AND, `a OR b c` makes a and b optional
// next to a required c. Free-text q (no ':') goes through parseFreeText, which mimics Solr's dismax:
// only quotes, +/- and the boolean operators are syntax, and CKAN's mm "2<-1 5<80%" decides how many
// optional words must match.
import { SearchError, SearchQueryError } from '../errors.ts';
import type { BoolNode, Occur, QueryNode, RangeNode, TermNode } from './query-ast.ts';

export type DefaultOperator = 'AND' | 'OR';

export interface ParseOptions {
  /** Lucene's q.op: how clauses without AND/OR combine. CKAN sends AND. */
  defaultOperator?: DefaultOperator;
  /** The request parameter being parsed, named in error messages. */
  param?: string;
}

/** CKAN's minimum-match rule for free-text q (ckan/lib/search/query.py). */
export const CKAN_MINIMUM_MATCH = '2<-1 5<80%';

const MAX_DEPTH = 64;

/** CKAN's test for fielded search: any ':' sends q to the Lucene parser instead of dismax. */
export function hasFieldSyntax(q: string): boolean {
  return q.includes(':');
}

/** Solr local params (`{!func ...}`) can switch parsers or reach other cores; CKAN refuses them. */
export function assertNoLocalParams(param: string, value: string): void {
  if (value.includes('{!')) throw new SearchError(`Local parameters are not supported in param '${param}'.`);
}

/**
 * Parse Lucene syntax. Blank input matches everything (Solr ignores a blank fq).
 * Throws SearchQueryError naming the position for malformed input, SearchError for local params.
 */
export function parseQuery(text: string, options: ParseOptions = {}): QueryNode {
  assertNoLocalParams(options.param ?? 'q', text);
  if (!text.trim()) return { type: 'matchAll' };
  const parser = new Parser(text, options.defaultOperator ?? 'AND');
  return parser.parseTop();
}

/**
 * Parse free text the way Solr's dismax does: everything except `"`, `+`, `-` and the operators
 * AND/OR/NOT/&&/|| is literal, unbalanced quotes are dropped, dangling operators removed, the
 * default operator is OR, and `mm` sets how many optional clauses must match.
 */
export function parseFreeText(text: string, mm: string = CKAN_MINIMUM_MATCH): QueryNode | null {
  assertNoLocalParams('q', text);
  const prepared = stripIllegalOperators(partialEscape(stripUnbalancedQuotes(text)));
  if (!prepared.trim()) return null;
  let node: QueryNode;
  try {
    node = new Parser(prepared, 'OR').parseTop();
  } catch (err) {
    // What is left to go wrong is a stray operator ("a AND", "-"): a search box should still search
    // the words rather than answer 400.
    if (!(err instanceof SearchQueryError)) throw err;
    node = wordsQuery(text);
  }
  if (node.type !== 'bool') return node;
  const optional = node.clauses.filter((clause) => clause.occur === 'should').length;
  const required = minimumShouldMatch(optional, mm);
  return required > 0 ? { ...node, minimumShouldMatch: required } : node;
}

export interface SortKey {
  field: string;
  direction: 'asc' | 'desc';
}

/**
 * Solr's sort syntax: "field asc|desc" joined by commas. A key without a direction, or with an
 * unknown one, is CKAN's 400 'Invalid "sort" parameter'. An empty sort means relevance.
 */
export function parseSort(sort: string): SortKey[] {
  if (!sort.trim()) return [{ field: 'score', direction: 'desc' }];
  return sort.split(',').map((part) => {
    const words = part.trim().split(/\s+/);
    const direction = words[1]?.toLowerCase();
    if (words.length !== 2 || (direction !== 'asc' && direction !== 'desc')) throw new SearchQueryError('Invalid "sort" parameter');
    return { field: words[0], direction };
  });
}

/** Solr's SolrPluginUtils.calculateMinShouldMatch for specs like "2<-1 5<80%", "75%", "-1", "3". */
export function minimumShouldMatch(optionalClauses: number, spec: string): number {
  let result = optionalClauses;
  const trimmed = spec.trim();
  if (trimmed.includes('<')) {
    for (const part of trimmed.replace(/\s*<\s*/g, '<').split(/\s+/)) {
      const [bound, rest] = part.split('<');
      const upper = Number.parseInt(bound, 10);
      if (!Number.isFinite(upper) || rest === undefined) throw new SearchQueryError(`Invalid mm parameter: ${spec}`);
      if (optionalClauses <= upper) return result;
      result = minimumShouldMatch(optionalClauses, rest);
    }
    return result;
  }
  if (trimmed.endsWith('%')) {
    const percent = Number.parseInt(trimmed.slice(0, -1), 10);
    if (!Number.isFinite(percent)) throw new SearchQueryError(`Invalid mm parameter: ${spec}`);
    const calc = (result * percent) / 100;
    result = calc < 0 ? result + Math.trunc(calc) : Math.trunc(calc);
  } else {
    const calc = Number.parseInt(trimmed, 10);
    if (!Number.isFinite(calc)) throw new SearchQueryError(`Invalid mm parameter: ${spec}`);
    result = calc < 0 ? result + calc : calc;
  }
  return optionalClauses < result ? optionalClauses : Math.max(result, 0);
}

function wordsQuery(text: string): QueryNode {
  const words = text.split(/\s+/).filter((word) => word && !/^(AND|OR|NOT|&&|\|\|)$/.test(word));
  const terms: TermNode[] = words.map((value) => ({ type: 'term', field: null, value, phrase: false, prefix: false }));
  if (terms.length === 1) return terms[0];
  return { type: 'bool', clauses: terms.map((node) => ({ occur: 'should', node })) };
}

// ---- dismax pre-processing (SolrPluginUtils) ----

function stripUnbalancedQuotes(text: string): string {
  const quotes = text.split('"').length - 1;
  return quotes % 2 === 0 ? text : text.replace(/"/g, '');
}

function partialEscape(text: string): string {
  return text.replace(/[\\!():^[\]/{}~*?]/g, '\\$&');
}

function stripIllegalOperators(text: string): string {
  return text.replace(/\s+[+-](?:\s*[+-]+)+/g, ' ').replace(/\s+[-+\s]+$/, '');
}

// ---- lexer ----

type TokenKind =
  | 'LPAREN' | 'RPAREN' | 'COLON' | 'CARAT' | 'TILDE' | 'PLUS' | 'MINUS' | 'NOT' | 'AND' | 'OR'
  | 'QUOTED' | 'TERM' | 'PREFIXTERM' | 'WILDTERM' | 'STAR' | 'BAREOPER' | 'RANGE' | 'EOF';

interface Token {
  kind: TokenKind;
  pos: number;
  /** Unescaped text (TERM, QUOTED, PREFIXTERM without its star, BAREOPER). */
  value: string;
  /** WILDTERM: the pattern with wildcards bare and literal * ? \ escaped. */
  pattern?: string;
  /** CARAT / TILDE: the number that follows, if any. */
  number?: number;
  range?: { lower: string | null; upper: string | null; includeLower: boolean; includeUpper: boolean };
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\u3000', '\f']);
// Characters that cannot start a bare term (Lucene's _TERM_START_CHAR exclusions). Unlike Lucene,
// '/' is an ordinary character: regular expressions are not supported and URLs then just work.
const SPECIAL = new Set(['+', '-', '!', '(', ')', ':', '^', '[', ']', '"', '{', '}', '~', '*', '?', '\\']);

class Lexer {
  private readonly text: string;
  private pos = 0;
  constructor(text: string) {
    this.text = text;
  }

  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const token = this.next();
      out.push(token);
      if (token.kind === 'EOF') return out;
    }
  }

  private fail(message: string, at: number): never {
    throw new SearchQueryError(`Cannot parse '${this.text}': ${message} at position ${at}`);
  }

  private next(): Token {
    const { text } = this;
    while (this.pos < text.length && WHITESPACE.has(text[this.pos])) this.pos++;
    const start = this.pos;
    if (start >= text.length) return { kind: 'EOF', pos: start, value: '' };
    const ch = text[start];
    const single = (kind: TokenKind): Token => {
      this.pos++;
      return { kind, pos: start, value: ch };
    };
    switch (ch) {
      case '(':
        return single('LPAREN');
      case ')':
        return single('RPAREN');
      case ':':
        return single('COLON');
      case '^':
        this.pos++;
        return { kind: 'CARAT', pos: start, value: '^', number: this.number(true, start) };
      case '~':
        this.pos++;
        return { kind: 'TILDE', pos: start, value: '~', number: this.number(false, start) };
      case '"':
        return this.quoted();
      case '[':
      case '{':
        return this.range();
      case ']':
      case '}':
        this.fail(`unexpected '${ch}'`, start);
    }
    if (ch === '+' || ch === '-' || ch === '!') {
      const following = text[start + 1];
      if (following !== undefined && WHITESPACE.has(following)) {
        this.pos++;
        return { kind: 'BAREOPER', pos: start, value: ch };
      }
      return single(ch === '+' ? 'PLUS' : ch === '-' ? 'MINUS' : 'NOT');
    }
    return this.term();
  }

  private number(required: boolean, at: number): number | undefined {
    const match = /^\d+(?:\.\d+)?|^\.\d+/.exec(this.text.slice(this.pos));
    if (!match) {
      if (required) this.fail("expected a number after '^'", at);
      return undefined;
    }
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private quoted(): Token {
    const start = this.pos;
    let value = '';
    this.pos++;
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch === '"') {
        this.pos++;
        return { kind: 'QUOTED', pos: start, value };
      }
      if (ch === '\\') {
        const [unescaped, length] = this.escape(this.pos);
        value += unescaped;
        this.pos += length;
        continue;
      }
      value += ch;
      this.pos++;
    }
    return this.fail('unterminated quoted phrase', start);
  }

  /** An escape sequence at `at`: `\x` or `\uXXXX`. Returns the character and the length consumed. */
  private escape(at: number): [string, number] {
    const next = this.text[at + 1];
    if (next === undefined) this.fail('a term cannot end with the escape character', at);
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(at + 2, at + 6))) {
      return [String.fromCharCode(Number.parseInt(this.text.slice(at + 2, at + 6), 16)), 6];
    }
    const codePoint = this.text.codePointAt(at + 1)!;
    const char = String.fromCodePoint(codePoint);
    return [char, 1 + char.length];
  }

  private term(): Token {
    const { text } = this;
    const start = this.pos;
    let value = '';
    let pattern = '';
    let wildcards = 0;
    let trailingStar = false;
    while (this.pos < text.length) {
      const ch = text[this.pos];
      if (ch === '\\') {
        const [unescaped, length] = this.escape(this.pos);
        value += unescaped;
        pattern += /[*?\\]/.test(unescaped) ? '\\' + unescaped : unescaped;
        this.pos += length;
        trailingStar = false;
        continue;
      }
      if (ch === '*' || ch === '?') {
        wildcards++;
        pattern += ch;
        value += ch;
        trailingStar = ch === '*';
        this.pos++;
        continue;
      }
      if (WHITESPACE.has(ch)) break;
      // '+' and '-' may continue a term (2024-05-01, a+b) but not start one.
      if (SPECIAL.has(ch) && !(this.pos > start && (ch === '-' || ch === '+'))) break;
      value += ch;
      pattern += ch;
      trailingStar = false;
      this.pos++;
    }
    if (this.pos === start) this.fail(`unexpected '${text[start]}'`, start);
    const raw = text.slice(start, this.pos);
    if (raw === '*') return { kind: 'STAR', pos: start, value: '*' };
    if (wildcards === 0) {
      if (raw === 'AND' || raw === '&&') return { kind: 'AND', pos: start, value: raw };
      if (raw === 'OR' || raw === '||') return { kind: 'OR', pos: start, value: raw };
      if (raw === 'NOT') return { kind: 'NOT', pos: start, value: raw };
      return { kind: 'TERM', pos: start, value };
    }
    if (wildcards === 1 && trailingStar) return { kind: 'PREFIXTERM', pos: start, value: value.slice(0, -1) };
    return { kind: 'WILDTERM', pos: start, value, pattern };
  }

  private range(): Token {
    const { text } = this;
    const start = this.pos;
    const includeLower = text[start] === '[';
    this.pos++;
    const lower = this.rangeBound(start);
    this.skipSpace();
    if (text.startsWith('TO', this.pos) && (WHITESPACE.has(text[this.pos + 2] ?? '') || text[this.pos + 2] === '"')) {
      this.pos += 2;
    }
    const upper = this.rangeBound(start);
    this.skipSpace();
    const close = text[this.pos];
    if (close !== ']' && close !== '}') this.fail("expected ']' or '}' to close the range", this.pos);
    this.pos++;
    return {
      kind: 'RANGE',
      pos: start,
      value: text.slice(start, this.pos),
      range: { lower, upper, includeLower, includeUpper: close === ']' },
    };
  }

  private skipSpace() {
    while (this.pos < this.text.length && WHITESPACE.has(this.text[this.pos])) this.pos++;
  }

  /** One end of a range: a quoted string, `*` (open), or a run of characters up to space, ] or }. */
  private rangeBound(rangeStart: number): string | null {
    this.skipSpace();
    const { text } = this;
    if (this.pos >= text.length) this.fail('unterminated range', rangeStart);
    if (text[this.pos] === '"') return this.quoted().value;
    const start = this.pos;
    while (this.pos < text.length && !WHITESPACE.has(text[this.pos]) && text[this.pos] !== ']' && text[this.pos] !== '}') this.pos++;
    const raw = text.slice(start, this.pos);
    if (!raw) this.fail('missing range bound', start);
    if (raw === '*') return null;
    return raw.replace(/\\(u[0-9a-fA-F]{4}|[\s\S])/g, (_m, escaped: string) =>
      escaped.length === 5 ? String.fromCharCode(Number.parseInt(escaped.slice(1), 16)) : escaped,
    );
  }
}

// ---- parser ----

type Conjunction = 'none' | 'and' | 'or';
type Modifier = 'none' | 'required' | 'prohibited';

const DESCRIBE: Record<TokenKind, string> = {
  LPAREN: "'('",
  RPAREN: "')'",
  COLON: "':'",
  CARAT: "'^'",
  TILDE: "'~'",
  PLUS: "'+'",
  MINUS: "'-'",
  NOT: 'NOT',
  AND: 'AND',
  OR: 'OR',
  QUOTED: 'a quoted phrase',
  TERM: 'a term',
  PREFIXTERM: 'a term',
  WILDTERM: 'a term',
  STAR: "'*'",
  BAREOPER: 'an operator',
  RANGE: 'a range',
  EOF: 'end of query',
};

class Parser {
  private readonly text: string;
  private readonly tokens: Token[];
  private readonly defaultOperator: DefaultOperator;
  private index = 0;

  constructor(text: string, defaultOperator: DefaultOperator) {
    this.text = text;
    this.tokens = new Lexer(text).tokens();
    this.defaultOperator = defaultOperator;
  }

  parseTop(): QueryNode {
    const node = this.parseQuery(null, 0);
    const rest = this.peek();
    if (rest.kind !== 'EOF') this.unexpected(rest);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private take(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private unexpected(token: Token): never {
    const shown = token.kind === 'TERM' || token.kind === 'QUOTED' ? `${DESCRIBE[token.kind]} "${token.value}"` : DESCRIBE[token.kind];
    throw new SearchQueryError(`Cannot parse '${this.text}': unexpected ${shown} at position ${token.pos}`);
  }

  private parseQuery(field: string | null, depth: number): QueryNode {
    if (depth > MAX_DEPTH) throw new SearchQueryError(`Cannot parse '${this.text}': parentheses nested too deeply`);
    const clauses: BoolNode['clauses'] = [];
    let modifier = this.parseModifier();
    let node = this.parseClause(field, depth);
    this.addClause(clauses, 'none', modifier, node);
    const first = modifier === 'none' ? node : null;
    for (;;) {
      const next = this.peek().kind;
      if (next === 'EOF' || next === 'RPAREN') break;
      const conjunction = this.parseConjunction();
      modifier = this.parseModifier();
      node = this.parseClause(field, depth);
      this.addClause(clauses, conjunction, modifier, node);
    }
    if (clauses.length === 1 && first) return first;
    return { type: 'bool', clauses };
  }

  private parseConjunction(): Conjunction {
    const kind = this.peek().kind;
    if (kind === 'AND') {
      this.take();
      return 'and';
    }
    if (kind === 'OR') {
      this.take();
      return 'or';
    }
    return 'none';
  }

  private parseModifier(): Modifier {
    const kind = this.peek().kind;
    if (kind === 'PLUS') {
      this.take();
      return 'required';
    }
    if (kind === 'MINUS' || kind === 'NOT') {
      this.take();
      return 'prohibited';
    }
    return 'none';
  }

  /** Lucene's QueryParserBase.addClause, including how AND/OR change the previous clause. */
  private addClause(clauses: BoolNode['clauses'], conjunction: Conjunction, modifier: Modifier, node: QueryNode) {
    const previous = clauses[clauses.length - 1];
    if (previous && conjunction === 'and' && previous.occur !== 'must_not') previous.occur = 'must';
    if (previous && this.defaultOperator === 'AND' && conjunction === 'or' && previous.occur !== 'must_not') previous.occur = 'should';
    const prohibited = modifier === 'prohibited';
    let required: boolean;
    if (this.defaultOperator === 'OR') {
      required = modifier === 'required' || (conjunction === 'and' && !prohibited);
    } else {
      required = !prohibited && conjunction !== 'or';
    }
    const occur: Occur = prohibited ? 'must_not' : required ? 'must' : 'should';
    clauses.push({ occur, node });
  }

  private parseClause(field: string | null, depth: number): QueryNode {
    let clauseField = field;
    const first = this.peek();
    if ((first.kind === 'TERM' || first.kind === 'STAR') && this.peek(1).kind === 'COLON') {
      clauseField = first.kind === 'STAR' ? '*' : first.value;
      this.take();
      this.take();
    }
    if (this.peek().kind === 'LPAREN') {
      this.take();
      if (this.peek().kind === 'RPAREN') this.unexpected(this.peek());
      const inner = this.parseQuery(clauseField, depth + 1);
      const close = this.take();
      if (close.kind !== 'RPAREN') {
        throw new SearchQueryError(`Cannot parse '${this.text}': missing ')' at position ${close.pos}`);
      }
      const boost = this.parseBoost();
      if (boost !== undefined && (inner.type === 'bool' || inner.type === 'term')) return { ...inner, boost };
      return inner;
    }
    return this.parseTerm(clauseField);
  }

  private parseBoost(): number | undefined {
    if (this.peek().kind !== 'CARAT') return undefined;
    return this.take().number;
  }

  /** `~` and `~0.8` (fuzzy) or `"..."~3` (slop) are accepted and ignored. */
  private skipFuzzy() {
    if (this.peek().kind === 'TILDE') this.take();
  }

  private parseTerm(field: string | null): QueryNode {
    const token = this.take();
    switch (token.kind) {
      case 'TERM':
      case 'BAREOPER':
      case 'PREFIXTERM':
      case 'WILDTERM':
      case 'STAR':
      case 'QUOTED': {
        this.skipFuzzy();
        const boost = this.parseBoost();
        this.skipFuzzy();
        const node = this.termNode(field, token);
        if (boost !== undefined && node.type === 'term') node.boost = boost;
        return node;
      }
      case 'RANGE': {
        this.parseBoost();
        if (field === '*') throw new SearchQueryError(`Cannot parse '${this.text}': a range needs a field at position ${token.pos}`);
        const node: RangeNode = { type: 'range', field: field ?? 'text', ...token.range! };
        return node;
      }
      default:
        return this.unexpected(token);
    }
  }

  private termNode(field: string | null, token: Token): QueryNode {
    const base: TermNode = { type: 'term', field, value: token.value, phrase: false, prefix: false };
    if (field === '*') {
      if (token.kind === 'STAR') return { type: 'matchAll' };
      throw new SearchQueryError(`Cannot parse '${this.text}': '*' can only be used as the field of '*:*' (position ${token.pos})`);
    }
    switch (token.kind) {
      case 'STAR':
        return { ...base, value: '', exists: true };
      case 'QUOTED':
        return { ...base, phrase: true };
      case 'PREFIXTERM':
        return { ...base, prefix: true };
      case 'WILDTERM':
        return { ...base, value: token.pattern!, wildcard: true };
      default:
        return base;
    }
  }
}
