// Text analysis for the PostgreSQL backend, done in JS so that documents and queries are analysed by
// the same code: NFC, Vietnamese diacritic folding (đ→d), lower case, split on anything that is not a
// letter, digit or mark. No stemming, no stop words (the 'simple' configuration's rules, with our own
// tokeniser). tsvector and tsquery literals are built here and sent as bound parameters.
import { foldDiacritics, nfc } from '../../text/vietnamese.ts';

const SEPARATORS = /[^\p{L}\p{N}\p{M}]+/u;
// Longer "words" are base64 blobs and the like; tsvector caps lexemes at 2 KB anyway.
const MAX_TOKEN_LENGTH = 100;
// tsvector limits: positions go up to 16383, and at most 255 are kept per lexeme.
const MAX_POSITION = 16383;
const MAX_POSITIONS_PER_LEXEME = 255;

export function normalizeText(text: string): string {
  return foldDiacritics(nfc(text)).toLowerCase();
}

export function tokenize(text: string): string[] {
  return normalizeText(text)
    .split(SEPARATORS)
    .filter((token) => token.length > 0 && token.length <= MAX_TOKEN_LENGTH);
}

/** The key title_string sorts by: folded and lower-cased, so "Ấn phẩm" sorts with "an", not after "z". */
export function sortKey(text: string): string {
  return normalizeText(text).trim();
}

export type Weight = 'A' | 'B' | 'C' | 'D';

/** Accumulates positioned, weighted lexemes and prints a tsvector literal. */
export class TsvectorBuilder {
  private readonly lexemes = new Map<string, Map<number, Weight>>();
  private position = 0;

  /** Add one value. Consecutive values are a position apart, so a phrase never spans two values. */
  add(text: string, weight: Weight, prefix = ''): void {
    const tokens = tokenize(text);
    if (!tokens.length) return;
    for (const token of tokens) {
      this.position = Math.min(this.position + 1, MAX_POSITION);
      const lexeme = prefix + token;
      let positions = this.lexemes.get(lexeme);
      if (!positions) this.lexemes.set(lexeme, (positions = new Map()));
      if (positions.size < MAX_POSITIONS_PER_LEXEME && !positions.has(this.position)) positions.set(this.position, weight);
    }
    this.position = Math.min(this.position + 1, MAX_POSITION);
  }

  toString(): string {
    const parts: string[] = [];
    for (const [lexeme, positions] of this.lexemes) {
      const list = [...positions].map(([position, weight]) => (weight === 'D' ? String(position) : `${position}${weight}`));
      parts.push(`${quoteLexeme(lexeme)}:${list.join(',')}`);
    }
    return parts.join(' ');
  }
}

/** A lexeme quoted for tsvector / tsquery input. */
export function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The tsquery for one query term on a text field: its tokens must be adjacent and in order (a phrase,
 * as Lucene makes of a term its analyser splits), the last one as a prefix for `hea*`. Null when the
 * text has no tokens at all (Lucene drops such a clause).
 */
export function termTsquery(text: string, options: { prefix?: boolean; lexemePrefix?: string; adjacent?: boolean } = {}): string | null {
  const tokens = tokenize(text);
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
