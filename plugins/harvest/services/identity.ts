// Stable identity for harvested datasets: deterministic ids (UUID v5 of source and remote
// identifier), names chosen deterministically with a collision suffix derived from the identity, and
// resource ids that stay the same across runs. Also the content hash that lets unchanged records be
// skipped without writing.
import { createHash } from 'node:crypto';
import { foldDiacritics, slugify } from '../../../core/text/vietnamese.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** The namespace of Kho's harvest UUIDs (a fixed random UUID). */
const NAMESPACE = Buffer.from('6a0f3c52d2a94c47a7f1b9de0c5e4a31', 'hex');

/** RFC 4122 version 5 UUID of `name` in Kho's harvest namespace. */
export function uuid5(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function datasetUuid(sourceId: string, guid: string): string {
  return uuid5(`dataset\u0000${sourceId}\u0000${guid}`);
}

export function resourceUuid(packageId: string, key: string): string {
  return uuid5(`resource\u0000${packageId}\u0000${key}`);
}

/** A short suffix that depends only on the identity, so the same record always gets the same name. */
export function identitySuffix(sourceId: string, guid: string, length = 6): string {
  return createHash('sha256').update(`${sourceId}\u0000${guid}`).digest('hex').slice(0, length);
}

const NAME = /^[a-z0-9_-]{2,100}$/;
export const isValidName = (value: unknown): value is string => typeof value === 'string' && NAME.test(value);

/** The name a record would like: the remote name when valid, else one made from the title or the guid. */
export function preferredName(wanted: unknown, title: unknown, guid: string): string {
  if (isValidName(wanted)) return wanted;
  if (typeof wanted === 'string') {
    const slug = slugify(wanted);
    if (slug.length >= 2) return slug;
  }
  if (typeof title === 'string') {
    const slug = slugify(title);
    if (slug.length >= 2) return slug;
  }
  const fromGuid = slugify(guid.replace(/^[a-z]+:\/\/[^/]+\//i, ''));
  if (fromGuid.length >= 2) return fromGuid.slice(-100).replace(/^-+/, '');
  return `dataset-${createHash('sha256').update(guid).digest('hex').slice(0, 12)}`;
}

/** `base` with the identity suffix, within 100 characters. */
export function suffixedName(base: string, suffix: string): string {
  return `${base.slice(0, 100 - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

/** JSON with object keys sorted at every level: equal content gives equal text. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>).filter((key) => (value as Record<string, unknown>)[key] !== undefined).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`).join(',')}}`;
}

/**
 * The hash of a record's content. Plain JSON text: a source sends the same record with its keys in
 * the same order (if it does not, the record is just written again, which is harmless).
 */
export function contentHash(salt: string, content: unknown): string {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  return createHash('sha256').update(salt).update('\u0000').update(text).digest('hex');
}

const TAG_ALLOWED = /[^\p{L}\p{N}_ .-]+/gu;

/** A keyword as a valid tag: invalid characters become spaces (Vietnamese letters are kept). */
export function cleanTagName(raw: string, munge: boolean): string | null {
  let tag = raw.normalize('NFC').trim();
  if (munge) {
    // ckanext-harvest's clean_tags (munge_tag): lowercase ASCII, spaces to dashes.
    tag = foldDiacritics(tag).toLowerCase().replace(/[^a-z0-9 _.-]+/g, '').trim().replace(/\s+/g, '-');
  } else {
    tag = tag.replace(TAG_ALLOWED, ' ').replace(/\s+/g, ' ').trim();
  }
  tag = [...tag].slice(0, 100).join('').trim();
  return [...tag].length >= 2 ? tag : null;
}
