// Uploaded file names come from the client and end up in download URLs, Content-Disposition headers
// and users' file systems, so they are cleaned once on the way in. Cleaning keeps the name readable:
// "Danh sách trường học 2024.csv" stays as it is, only dangerous or unportable characters go.

export const FALLBACK_FILENAME = 'upload';

/** Most file systems cap a name at 255 bytes; keep a margin for "(1)" suffixes added by browsers. */
export const MAX_FILENAME_BYTES = 200;

/** Longer "extensions" are just a dot inside the name and are not worth keeping whole. */
const MAX_EXTENSION_BYTES = 20;

// Control characters, plus the invisible characters that can disguise a name: bidirectional
// overrides turn "gpj.exe" into what looks like "exe.jpg", and a BOM or lone surrogate cannot be
// written to most file systems.
const INVISIBLE = /[\p{Cc}\p{Cs}\u061C\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/gu;

// Forbidden in Windows names; "/" and "\" are separators and never reach this point.
const WINDOWS_FORBIDDEN = /[<>:"|?*]/g;

// Windows refuses these as a name whatever the extension ("con.csv" included).
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

/**
 * Turn a client-supplied file name into a safe base name: no directory part (either separator),
 * NFC, no control or invisible characters, no characters Windows forbids, single spaces, no
 * trailing dots or spaces, at most `maxBytes` UTF-8 bytes with the extension kept, never empty,
 * never "." or "..".
 */
export function sanitizeFilename(input: unknown, maxBytes: number = MAX_FILENAME_BYTES): string {
  if (typeof input !== 'string') return FALLBACK_FILENAME;
  // Line breaks and tabs become spaces before the other control characters are dropped.
  let name = input.normalize('NFC').replace(/[\t\n\v\f\r\u0085\u2028\u2029]/g, ' ').replace(INVISIBLE, '');
  // Base name only. Trailing separators are dropped first so "data/" keeps "data".
  name = name.replace(/[/\\]+$/, '');
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name.replace(WINDOWS_FORBIDDEN, '_');
  name = name.replace(/\s+/gu, ' ').trim();
  // Windows strips trailing dots and spaces silently, which would make "a.csv." and "a.csv" clash
  // and turns "." and ".." into nothing, which is what we want for them too.
  name = name.replace(/[. ]+$/, '');
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  name = truncateKeepingExtension(name, maxBytes);
  return name === '' ? FALLBACK_FILENAME : name;
}

/**
 * A name that is the last segment of a URL, as `ckanapi load --upload-resources` sends the files it
 * moves (url.rsplit('/', 1)[-1]): "B%C3%A1o%20c%C3%A1o.csv" is "Báo cáo.csv". Decoded so that a
 * dump and load between portals keeps the name instead of encoding it once more on every trip.
 * Text that is not valid percent-encoded UTF-8 is left as it is.
 */
export function decodeUrlSegmentName(name: string): string {
  if (!/%[0-9A-Fa-f]{2}/.test(name)) return name;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

function truncateKeepingExtension(name: string, maxBytes: number): string {
  if (utf8Length(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot) : '';
  const keepExtension = extension !== '' && utf8Length(extension) <= MAX_EXTENSION_BYTES && utf8Length(extension) < maxBytes;
  const stem = keepExtension ? name.slice(0, dot) : name;
  const budget = maxBytes - (keepExtension ? utf8Length(extension) : 0);
  const shortStem = truncateUtf8(stem, budget).replace(/[. ]+$/, '');
  return shortStem + (keepExtension ? extension : '');
}

/** Cut at a grapheme boundary, so a letter never loses its accent half-way. */
function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = utf8Length(segment);
    if (used + size > maxBytes) break;
    out += segment;
    used += size;
  }
  return out;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Fold a name to printable ASCII for clients that ignore `filename*`: Vietnamese letters lose
 * their marks ("Danh sách trường" → "Danh sach truong", đ → d), anything else becomes "_".
 */
export function asciiFallback(filename: string): string {
  const folded = filename
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC')
    // Quotes and backslashes would need escaping inside a quoted-string that some clients get
    // wrong; "%" followed by hex digits is decoded by some browsers, so it goes too.
    .replace(/[^\x20-\x7E]|["\\%]/g, '_')
    .trim();
  const stemIsOnlyReplacements = folded.replace(/\.[^.]*$/, '').replace(/[_ ]/g, '') === '';
  return stemIsOnlyReplacements && folded !== filename ? fallbackKeepingExtension(folded) : folded;
}

// A name made only of replaced characters ("_____.csv") is less useful than "upload.csv".
function fallbackKeepingExtension(folded: string): string {
  const dot = folded.lastIndexOf('.');
  const extension = dot >= 0 ? folded.slice(dot) : '';
  return FALLBACK_FILENAME + (/^\.[A-Za-z0-9]+$/.test(extension) ? extension : '');
}

export type DispositionType = 'attachment' | 'inline';

/**
 * An RFC 6266 Content-Disposition value: `filename="<ASCII fallback>"`, plus
 * `filename*=UTF-8''<percent-encoded>` (RFC 8187) whenever the fallback is not the exact name.
 */
export function contentDisposition(filename: string, disposition: DispositionType = 'attachment'): string {
  const clean = sanitizeFilename(filename);
  const fallback = asciiFallback(clean);
  let header = `${disposition}; filename="${fallback}"`;
  if (fallback !== clean) header += `; filename*=UTF-8''${encodeRfc8187(clean)}`;
  return header;
}

// encodeURIComponent leaves ' ( ) * ! unescaped; RFC 8187's attr-char allows "!" but not the others.
function encodeRfc8187(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
