// Serving a stored upload: conditional requests and byte ranges (resumable downloads, and the
// HTTP range readers that stream parts of big files), with headers that keep a browser from ever
// running an uploaded file as part of this site.
import type Koa from 'koa';
import type { ByteRange, FileStore } from '../storage/file-store.ts';
import { contentDisposition } from '../storage/filename.ts';
import type { DispositionType } from '../storage/filename.ts';
import { OCTET_STREAM, isTextMimetype } from '../storage/mimetype.ts';

export interface StoredFileRef {
  key: string;
  filename: string;
  mimetype: string;
  size: number;
  sha256: string;
}

// Types a browser shows passively. Everything else is downloaded: HTML, SVG and XML can carry
// scripts that would run with this site's cookies, and unknown types are not worth the risk.
const INLINE_TYPES = new Set([
  'application/pdf',
  'text/plain',
  'text/csv',
  'text/tab-separated-values',
  'text/markdown',
  'application/json',
  'application/geo+json',
]);

/**
 * Answer a GET or HEAD for a stored file. The caller has already checked permissions and may set
 * Cache-Control first (private datasets must not land in shared caches). A file missing from disk
 * answers 404; any other method answers 405.
 */
export async function sendStoredFile(ctx: Koa.Context, fileStore: FileStore, file: StoredFileRef): Promise<void> {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    ctx.set('Allow', 'GET, HEAD');
    ctx.status = 405;
    ctx.body = 'Method Not Allowed';
    return;
  }
  const info = await fileStore.stat(file.key);
  if (!info) {
    ctx.status = 404;
    ctx.body = 'Not found: the file is missing from storage';
    return;
  }
  const size = info.size;
  // The recorded hash describes the recorded bytes; if the file on disk differs, it is not its tag.
  const etag = /^[0-9a-f]{64}$/i.test(file.sha256) && file.size === size ? `"${file.sha256.toLowerCase()}"` : null;
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000);
  const mimetype = safeMimetype(file.mimetype);

  // Compressing would break byte ranges and Content-Length; koa-compress honours this flag.
  (ctx as unknown as { compress?: boolean }).compress = false;
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Last-Modified', lastModified.toUTCString());
  if (etag) ctx.set('ETag', etag);

  if (isNotModified(ctx, etag, lastModified)) {
    ctx.status = 304;
    return;
  }

  ctx.set('Content-Type', isTextMimetype(mimetype) && !/;\s*charset=/i.test(mimetype) ? `${mimetype}; charset=utf-8` : mimetype);
  ctx.set('Content-Disposition', contentDisposition(file.filename, dispositionFor(mimetype)));

  // Ranges are defined for GET only (RFC 9110 §14.2); a HEAD describes the whole file.
  const rangeHeader = ctx.method === 'GET' ? ctx.get('Range') : '';
  const wanted = rangeHeader && ifRangeAllows(ctx.get('If-Range'), etag, lastModified) ? parseRange(rangeHeader, size) : null;
  if (wanted === 'unsatisfiable') {
    ctx.status = 416;
    ctx.set('Content-Range', `bytes */${size}`);
    ctx.remove('Content-Disposition');
    ctx.type = 'text/plain';
    ctx.body = 'Range Not Satisfiable';
    return;
  }

  if (wanted) {
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${wanted.start}-${wanted.end}/${size}`);
  } else {
    ctx.status = 200;
  }
  const length = wanted ? wanted.end - wanted.start + 1 : size;
  // A HEAD gets no stream at all: Koa would never read it, only close it.
  if (ctx.method === 'GET') ctx.body = fileStore.createReadStream(file.key, wanted ?? undefined);
  // Set after the body: assigning a stream body may drop an earlier Content-Length.
  ctx.set('Content-Length', String(length));
}

function safeMimetype(mimetype: string): string {
  // The mimetype field can be set through the API, so it is checked before it becomes a header.
  const trimmed = typeof mimetype === 'string' ? mimetype.trim().toLowerCase() : '';
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;\s*[a-z0-9_-]+=[a-z0-9_.-]+)*$/.test(trimmed) ? trimmed : OCTET_STREAM;
}

function dispositionFor(mimetype: string): DispositionType {
  const base = mimetype.split(';')[0];
  if (INLINE_TYPES.has(base)) return 'inline';
  if ((base.startsWith('image/') && base !== 'image/svg+xml') || base.startsWith('audio/') || base.startsWith('video/')) return 'inline';
  return 'attachment';
}

function isNotModified(ctx: Koa.Context, etag: string | null, lastModified: Date): boolean {
  const ifNoneMatch = ctx.get('If-None-Match');
  if (ifNoneMatch) {
    // Weak comparison (RFC 9110 §13.1.2): a W/ prefix on either side does not matter.
    if (ifNoneMatch.trim() === '*') return true;
    if (!etag) return false;
    return parseEtagList(ifNoneMatch).some((tag) => tag.replace(/^W\//, '') === etag);
  }
  // If-Modified-Since counts only when If-None-Match is absent.
  const ifModifiedSince = Date.parse(ctx.get('If-Modified-Since'));
  return !Number.isNaN(ifModifiedSince) && lastModified.getTime() <= ifModifiedSince;
}

function parseEtagList(header: string): string[] {
  return header.match(/(?:W\/)?"[^"]*"/g) ?? [];
}

/** If-Range: the range applies only while the file is the one the client already has part of. */
function ifRangeAllows(ifRange: string, etag: string | null, lastModified: Date): boolean {
  const value = ifRange.trim();
  if (!value) return true;
  // Strong comparison only: a weak validator never matches here.
  if (value.startsWith('"') || value.startsWith('W/')) return etag !== null && value === etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === lastModified.getTime();
}

/**
 * One byte range of a file of `size` bytes, "unsatisfiable", or null when the header is malformed
 * or asks for several ranges (both answered with the whole file, which RFC 9110 allows).
 */
export function parseRange(header: string, size: number): ByteRange | 'unsatisfiable' | null {
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!match) return null;
  const specs = match[1].split(',').map((spec) => spec.trim()).filter((spec) => spec !== '');
  if (specs.length !== 1) return null;
  const single = /^(\d*)\s*-\s*(\d*)$/.exec(specs[0]);
  if (!single || (single[1] === '' && single[2] === '')) return null;

  if (single[1] === '') {
    const suffix = Number(single[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(single[1]);
  if (single[2] !== '' && Number(single[2]) < start) return null; // "5-2" is malformed, not unsatisfiable
  if (start >= size) return 'unsatisfiable';
  const end = single[2] === '' ? size - 1 : Math.min(Number(single[2]), size - 1);
  return { start, end };
}
