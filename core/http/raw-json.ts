// Stored package dicts are JSON text already. Parsing them only to print them again is the main
// cost of package_show and package_search, so actions may return RawJson pieces when the caller is
// the HTTP layer (context.rawJsonOk); the response is then written as UTF-8 pieces: the small
// outer structure encoded by JSON.stringify, each stored dict encoded on its own (or taken as the
// bytes a cache already holds). Building one large string first and encoding it afterwards costs
// about three times as much for a page of 100 datasets.
import { randomBytes } from 'node:crypto';

export class RawJson {
  private text: string | undefined;
  /** The text as UTF-8 bytes, when a cache or the database handed them over (no encoding per response). */
  readonly bytes: Buffer | undefined;
  constructor(json: string | Buffer, bytes?: Buffer) {
    if (typeof json === 'string') this.text = json;
    this.bytes = typeof json === 'string' ? bytes : json;
  }
  get json(): string {
    return (this.text ??= this.bytes!.toString('utf8'));
  }
  parse(): unknown {
    return JSON.parse(this.json);
  }
  toBytes(): Buffer {
    return this.bytes ?? Buffer.from(this.text!, 'utf8');
  }
}

// Stands in for a RawJson piece inside JSON.stringify's output. It never leaves the process, so no
// client can place it in a string of its own; `\u0000` cannot appear unescaped in JSON text.
const MARKER = `\u0000raw-${randomBytes(8).toString('hex')}-`;
const MARKER_PATTERN = new RegExp(`"${JSON.stringify(MARKER).slice(1, -1).replace(/\\/g, '\\\\')}(\\d+)"`, 'g');

/** The value as JSON in UTF-8 pieces, in order; RawJson values are spliced in unchanged. */
export function jsonPieces(value: unknown): Buffer[] {
  if (value instanceof RawJson) return [value.toBytes()];
  const raw: RawJson[] = [];
  const text =
    JSON.stringify(value, function (_key, inner) {
      if (inner instanceof RawJson) return MARKER + (raw.push(inner) - 1);
      return inner;
    }) ?? 'null';
  if (!raw.length) return [Buffer.from(text, 'utf8')];
  const pieces: Buffer[] = [];
  let last = 0;
  for (const match of text.matchAll(MARKER_PATTERN)) {
    if (match.index > last) pieces.push(Buffer.from(text.slice(last, match.index), 'utf8'));
    pieces.push(raw[Number(match[1])].toBytes());
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push(Buffer.from(text.slice(last), 'utf8'));
  return pieces;
}
