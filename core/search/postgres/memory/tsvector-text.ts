// Reads a tsvector as PostgreSQL prints it ('lexeme':1A,2 'other'): lexemes in code-point order,
// each with its positions ascending and unique. The memory index reads rows back from the database,
// so it always sees this canonical form, whatever the literal that was written.

export interface TsvectorEntry {
  lexeme: string;
  /** position * 4 + weight code (D 0, C 1, B 2, A 3), as PostgreSQL stores them. */
  positions: number[];
}

const WEIGHT_CODE: Record<string, number> = { A: 3, B: 2, C: 1, D: 0, a: 3, b: 2, c: 1, d: 0 };
const QUOTE = 39;
const BACKSLASH = 92;
const SPACE = 32;

/**
 * The quoted lexeme opening at `start` (its quote), and where it ends. Most lexemes have no
 * escaped character and are sliced out whole: the memory index reads millions of them at start.
 */
function readLexeme(text: string, start: number): [string, number] {
  if (text.charCodeAt(start) !== QUOTE) throw new Error(`Unexpected tsvector text at ${start}`);
  let i = start + 1;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) break;
    if (code === QUOTE) {
      if (text.charCodeAt(i + 1) === QUOTE) break;
      return [text.slice(start + 1, i), i + 1];
    }
    i++;
  }
  let lexeme = text.slice(start + 1, i);
  for (;;) {
    if (i >= n) throw new Error('Unterminated lexeme in tsvector text');
    const ch = text[i];
    if (ch === '\\') {
      lexeme += text[i + 1];
      i += 2;
    } else if (ch === "'") {
      if (text[i + 1] === "'") {
        lexeme += "'";
        i += 2;
      } else {
        return [lexeme, i + 1];
      }
    } else {
      lexeme += ch;
      i++;
    }
  }
}

/**
 * Walks the entries: `after` gets each lexeme and the index just past it (where its positions, if
 * any, begin) and returns the index where the entry ends.
 */
function eachEntry(text: string, after: (lexeme: string, at: number) => number): void {
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (text.charCodeAt(i) === SPACE) {
      i++;
      continue;
    }
    const [lexeme, end] = readLexeme(text, i);
    i = after(lexeme, end);
  }
}

export function parseTsvector(text: string): TsvectorEntry[] {
  const entries: TsvectorEntry[] = [];
  const n = text.length;
  eachEntry(text, (lexeme, at) => {
    let i = at;
    const positions: number[] = [];
    if (text[i] === ':') {
      i++;
      for (;;) {
        let position = 0;
        while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) position = position * 10 + text.charCodeAt(i++) - 48;
        const weight = WEIGHT_CODE[text[i]];
        if (weight !== undefined) i++;
        positions.push(position * 4 + (weight ?? 0));
        if (text[i] !== ',') break;
        i++;
      }
    }
    entries.push({ lexeme, positions });
    return i;
  });
  return entries;
}

/** Only the lexemes of a tsvector's text (positions, if printed, are skipped). */
export function tsvectorLexemes(text: string): string[] {
  const lexemes: string[] = [];
  eachEntry(text, (lexeme, at) => {
    lexemes.push(lexeme);
    let i = at;
    while (i < text.length && text.charCodeAt(i) !== SPACE) i++;
    return i;
  });
  return lexemes;
}
