// Text analysis for the PostgreSQL backend (core/search/analysis.ts), done in JS so that documents and queries are analysed by
// the same code: NFC, lower case, split on anything that is not a letter, digit or mark, then
// Vietnamese diacritic folding (đ→d) per token. No stemming, no stop words: Vietnamese words are
// space-separated syllables, so a syllable is a token and a phrase is a run of adjacent tokens
// ("dân số" = 'dan' <-> 'so'). The folded token is what matching uses; the token as written (its
// "exact" form, kept only when it carries marks) is what ranks an exact-diacritic match higher.
// tsvector and tsquery literals are built here and sent as bound parameters.
import { analyzeText, normalizeText, tokenize, type AnalyzedText } from '../analysis.ts';

export { analyze, analyzeText, foldToken, normalizeText, tokenize, type AnalyzedText, type Token } from '../analysis.ts';

// tsvector limits: positions go up to 16383, and at most 255 are kept per lexeme.
const MAX_POSITION = 16383;
const MAX_POSITIONS_PER_LEXEME = 255;

/** analyzeText(), remembering each text: the fields of one document are analysed for several vectors. */
export function memoizedAnalyzer(): (text: string) => AnalyzedText {
  const seen = new Map<string, AnalyzedText>();
  return (text) => {
    let tokens = seen.get(text);
    if (!tokens) seen.set(text, (tokens = analyzeText(text)));
    return tokens;
  };
}

/** The key title_string sorts by: folded and lower-cased, so "Ấn phẩm" sorts with "an", not after "z". */
export function sortKey(text: string): string {
  return normalizeText(text).trim();
}

export type Weight = 'A' | 'B' | 'C' | 'D';
const WEIGHT_CODE: Record<Weight, number> = { D: 0, C: 1, B: 2, A: 3 };
const WEIGHT_SUFFIX = ['', 'C', 'B', 'A'];

/**
 * Accumulates positioned, weighted lexemes and prints a tsvector literal. Lexemes are kept per
 * prefix (the per-field vector's "title:", "notes:"), and a lexeme's positions as one number until
 * it has a second: a document makes thousands of them, and garbage is what indexing spends most on.
 */
export class TsvectorBuilder {
  /** prefix → lexeme → position(s), each encoded as position * 4 + weight code. */
  private readonly groups = new Map<string, Map<string, number | number[]>>();
  private position = 0;
  private readonly analyzer: (text: string) => AnalyzedText;

  /** `analyzer`: share one memoised analyzeText() between the vectors of a document. */
  constructor(analyzer: (text: string) => AnalyzedText = analyzeText) {
    this.analyzer = analyzer;
  }

  /**
   * Add one value. Consecutive values are a position apart, so a phrase never spans two values.
   * With `exact`, a token with marks also gets its exact form at the same position.
   */
  add(text: string, weight: Weight, prefix = '', exact = false): void {
    const tokens = this.analyzer(text);
    const count = tokens.folded.length;
    if (!count) return;
    let lexemes = this.groups.get(prefix);
    if (!lexemes) this.groups.set(prefix, (lexemes = new Map()));
    const code = WEIGHT_CODE[weight];
    for (let i = 0; i < count; i++) {
      if (this.position < MAX_POSITION) this.position++;
      const entry = this.position * 4 + code;
      push(lexemes, tokens.folded[i], entry);
      if (exact) {
        const written = tokens.exact[i];
        if (written !== null) push(lexemes, written, entry);
      }
    }
    if (this.position < MAX_POSITION) this.position++;
  }

  /** A lexeme without position or weight (a marker, never part of a phrase or of the score). */
  addMarker(lexeme: string): void {
    let lexemes = this.groups.get('');
    if (!lexemes) this.groups.set('', (lexemes = new Map()));
    if (!lexemes.has(lexeme)) lexemes.set(lexeme, []);
  }

  get size(): number {
    let size = 0;
    for (const lexemes of this.groups.values()) size += lexemes.size;
    return size;
  }

  toString(): string {
    const parts: string[] = [];
    for (const [prefix, lexemes] of this.groups) {
      for (const [lexeme, positions] of lexemes) {
        const quoted = quoteLexeme(prefix + lexeme);
        if (typeof positions === 'number') parts.push(`${quoted}:${positions >> 2}${WEIGHT_SUFFIX[positions & 3]}`);
        else if (!positions.length) parts.push(quoted);
        else parts.push(`${quoted}:${positions.map((entry) => `${entry >> 2}${WEIGHT_SUFFIX[entry & 3]}`).join(',')}`);
      }
    }
    return parts.join(' ');
  }
}

function push(lexemes: Map<string, number | number[]>, lexeme: string, entry: number): void {
  const positions = lexemes.get(lexeme);
  if (positions === undefined) {
    lexemes.set(lexeme, entry);
    return;
  }
  if (typeof positions === 'number') {
    if (positions >> 2 !== entry >> 2) lexemes.set(lexeme, [positions, entry]);
    return;
  }
  if (positions.length >= MAX_POSITIONS_PER_LEXEME || positions[positions.length - 1] >> 2 === entry >> 2) return;
  positions.push(entry);
}

const NEEDS_ESCAPE = /['\\]/;

/** A lexeme quoted for tsvector / tsquery input. */
export function quoteLexeme(lexeme: string): string {
  if (!NEEDS_ESCAPE.test(lexeme)) return `'${lexeme}'`;
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The tsquery for one query term on a text field: its tokens must be adjacent and in order (a phrase,
 * as Lucene makes of a term its analyser splits), the last one as a prefix for `hea*`. Null when the
 * text has no tokens at all (Lucene drops such a clause).
 */
export function termTsquery(text: string, options: { prefix?: boolean; lexemePrefix?: string; adjacent?: boolean } = {}): string | null {
  return tokensTsquery(tokenize(text), options);
}

export function tokensTsquery(tokens: readonly string[], options: { prefix?: boolean; lexemePrefix?: string; adjacent?: boolean } = {}): string | null {
  if (!tokens.length) return null;
  const lexemePrefix = options.lexemePrefix ?? '';
  const parts = tokens.map((token, i) => {
    const quoted = quoteLexeme(lexemePrefix + token);
    return options.prefix && i === tokens.length - 1 ? `${quoted}:*` : quoted;
  });
  if (parts.length === 1) return parts[0];
  return `(${parts.join(options.adjacent === false ? ' & ' : ' <-> ')})`;
}

/** Escape LIKE's metacharacters (the default escape character is the backslash). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/**
 * A LIKE pattern from a wildcard term (`*` any run, `?` one character, backslash-escaped literals),
 * optionally passing the literal parts through `normalize` (text fields are folded and lower-cased).
 */
export function wildcardToLike(pattern: string, normalize: (text: string) => string = (text) => text): string {
  let out = '';
  let literal = '';
  const flush = () => {
    out += escapeLike(normalize(literal));
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) {
      literal += pattern[++i];
    } else if (ch === '*' || ch === '?') {
      flush();
      out += ch === '*' ? '%' : '_';
    } else {
      literal += ch;
    }
  }
  flush();
  return out;
}

/** A PostgreSQL text[] literal (knex would expand a JS array binding into a list of parameters). */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}
