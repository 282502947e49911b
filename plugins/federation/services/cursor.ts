// Feed cursors: opaque to callers (base64url of a small JSON), and bound to the instance that issued
// them, so a cursor from another province's feed is refused rather than silently misread.
import { ValidationError } from '../../../core/errors.ts';
import { both, M } from '../i18n/messages.ts';

export interface FeedPosition {
  txid: string;
  seq: string;
}

export const START: FeedPosition = { txid: '0', seq: '0' };

export function encodeCursor(instance: string, position: FeedPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, i: instance, t: position.txid, s: position.seq })).toString('base64url');
}

export function decodeCursor(instance: string, cursor: unknown): FeedPosition {
  if (cursor === undefined || cursor === null || cursor === '') return START;
  let parsed: any;
  try {
    parsed = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError({ cursor: [both(M.cursorMalformed)] });
  }
  const digits = (value: unknown) => typeof value === 'string' && /^\d{1,19}$/.test(value);
  if (!parsed || parsed.v !== 1 || typeof parsed.i !== 'string' || !digits(parsed.t) || !digits(parsed.s)) {
    throw new ValidationError({ cursor: [both(M.cursorMalformed)] });
  }
  if (parsed.i !== instance) throw new ValidationError({ cursor: [both(M.cursorForeign(parsed.i))] });
  return { txid: parsed.t, seq: parsed.s };
}
