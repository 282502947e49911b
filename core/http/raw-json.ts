// Stored package dicts are JSON text already. Parsing them only to print them again is the main
// cost of package_show and package_search, so actions may return RawJson pieces when the caller is
// the HTTP layer (context.rawJsonOk); serializeJson splices them into the response unchanged.
import { randomBytes } from 'node:crypto';

export class RawJson {
  readonly json: string;
  /** The same text as UTF-8 bytes, when a cache already holds them (saves encoding per response). */
  readonly bytes: Buffer | undefined;
  constructor(json: string, bytes?: Buffer) {
    this.json = json;
    this.bytes = bytes;
  }
  parse(): unknown {
    return JSON.parse(this.json);
  }
}

export function serializeJson(value: unknown): string {
  if (value instanceof RawJson) return value.json;
  const pieces: string[] = [];
  const marker = `\u0000raw-${randomBytes(6).toString('hex')}-`;
  const text = JSON.stringify(value, function (_key, inner) {
    if (inner instanceof RawJson) {
      pieces.push(inner.json);
      return marker + (pieces.length - 1);
    }
    return inner;
  });
  if (!pieces.length) return text;
  const escaped = JSON.stringify(marker).slice(1, -1);
  return text.replace(new RegExp(`"${escaped.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)"`, 'g'), (_m, index) => pieces[Number(index)]);
}
