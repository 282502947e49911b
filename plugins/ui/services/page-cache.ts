// Rendered pages for signed-out visitors, kept briefly so that a popular dataset page costs one
// lookup of the stored package (to learn whether it changed) and a buffer write. A key always
// includes what the page shows (the package's id and metadata_modified, the language, the URL), so
// a change to the dataset is visible at once; entries also expire after `ttlMs` for what the key
// does not cover (an organization's contact details). Signed-in users never get cached pages.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface CachedPage {
  html: Buffer;
  gzip: Buffer;
  etag: string;
  created: number;
  status: number;
}

export class PageCache {
  private readonly entries = new Map<string, CachedPage>();
  private readonly capacity: number;
  private readonly ttlMs: number;

  constructor(capacity = 500, ttlMs = 60_000) {
    this.capacity = capacity;
    this.ttlMs = ttlMs;
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  get(key: string, now = Date.now()): CachedPage | undefined {
    if (!this.capacity) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now - entry.created > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, html: string, status = 200): CachedPage {
    const body = Buffer.from(html);
    const entry: CachedPage = {
      html: body,
      gzip: gzipSync(body, { level: 6 }),
      etag: `W/"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`,
      created: Date.now(),
      status,
    };
    if (!this.capacity) return entry;
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }
}
