// Input text is NFC-normalised (Vietnamese letters arrive precomposed or decomposed), and text that
// PostgreSQL cannot store — the NUL character — is refused up front with a clear message.
import { ValidationError } from '../../errors.ts';
import { isUploadedFile } from '../../storage/file-store.ts';
import { setOwn } from '../../validation/navl.ts';

export function normaliseInput<T>(value: T, path = ''): T {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new ValidationError({ [path || 'message']: ['Text must not contain the NUL character (U+0000).'] });
    return value.normalize('NFC') as T;
  }
  if (Array.isArray(value)) return value.map((item) => normaliseInput(item, path)) as T;
  if (value && typeof value === 'object' && !isUploadedFile(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key.includes('\u0000')) throw new ValidationError({ message: ['Keys must not contain the NUL character (U+0000).'] });
      setOwn(out, key.normalize('NFC'), normaliseInput(inner, path || key));
    }
    return out as T;
  }
  return value;
}

/** The request data as echoed back in an Integrity Error (files shown by name only). */
export function echoable(data: unknown): unknown {
  if (isUploadedFile(data)) return data.filename;
  if (Array.isArray(data)) return data.map(echoable);
  if (data && typeof data === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(data)) setOwn(out, key, echoable(inner));
    return out;
  }
  return data;
}
