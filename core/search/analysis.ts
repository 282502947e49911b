// Text analysis shared by search backends and the autocomplete actions: NFC, lower case, split on
// anything that is not a letter, digit or mark, then Vietnamese diacritic folding (đ→d) per token.
// No stemming, no stop words: Vietnamese words are space-separated syllables, so a syllable is a
// token and a phrase is a run of adjacent tokens ("dân số" = dan, so). The folded token is what
// matching uses; the token as written (its "exact" form, kept only when it carries marks) is what
// ranks an exact-diacritic match higher.
import { nfc } from '../text/vietnamese.ts';

/** What separates words: anything that is not a letter, a digit or a mark (backends copy it). */
export const WORD_SEPARATOR_PATTERN = '[^\\p{L}\\p{N}\\p{M}]+';
const SEPARATORS = new RegExp(WORD_SEPARATOR_PATTERN, 'u');
const COMBINING_MARKS = /[\u0300-\u036f]/g;
const ASCII = /^[\x00-\x7f]*$/;
// Longer "words" are base64 blobs and the like; tsvector caps lexemes at 2 KB anyway.
const MAX_TOKEN_LENGTH = 100;

// Folding is the costly step and the vocabulary of a catalogue is small: remember folded tokens.
const FOLD_CACHE_LIMIT = 200_000;
let foldCache = new Map<string, string>();

function fold(text: string): string {
  if (ASCII.test(text)) return text;
  return text.normalize('NFD').replace(COMBINING_MARKS, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

/** A lower-case NFC token without diacritics: "nội" → "noi", "đường" → "duong". */
export function foldToken(token: string): string {
  if (ASCII.test(token)) return token;
  let folded = foldCache.get(token);
  if (folded === undefined) {
    folded = fold(token);
    if (foldCache.size >= FOLD_CACHE_LIMIT) foldCache = new Map();
    foldCache.set(token, folded);
  }
  return folded;
}

/** NFC, lower case, diacritics folded: the form every text comparison uses. */
export function normalizeText(text: string): string {
  return fold(nfc(text).toLowerCase());
}

/** The tokens of a text as written (NFC, lower case), each under MAX_TOKEN_LENGTH once folded. */
function rawTokens(text: string): string[] {
  return nfc(text).toLowerCase().split(SEPARATORS);
}

export interface Token {
  /** What matching uses. */
  folded: string;
  /** The token as written, when it differs from `folded` (it has marks); else null. */
  exact: string | null;
}

/** The folded tokens of a text. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of rawTokens(text)) {
    if (!raw) continue;
    const folded = foldToken(raw);
    if (folded.length > 0 && folded.length <= MAX_TOKEN_LENGTH) out.push(folded);
  }
  return out;
}

/** A text's tokens as two parallel lists (fewer objects than Token[] when indexing many texts). */
export interface AnalyzedText {
  folded: string[];
  /** The token as written where it differs from the folded one, else null. */
  exact: Array<string | null>;
}

export function analyzeText(text: string): AnalyzedText {
  const folded: string[] = [];
  const exact: Array<string | null> = [];
  for (const raw of rawTokens(text)) {
    if (!raw) continue;
    const token = foldToken(raw);
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) continue;
    folded.push(token);
    exact.push(token === raw ? null : raw);
  }
  return { folded, exact };
}

/** Tokens with their exact forms. */
export function analyze(text: string): Token[] {
  const out: Token[] = [];
  for (const raw of rawTokens(text)) {
    if (!raw) continue;
    const folded = foldToken(raw);
    if (folded.length > 0 && folded.length <= MAX_TOKEN_LENGTH) out.push({ folded, exact: folded === raw ? null : raw });
  }
  return out;
}

