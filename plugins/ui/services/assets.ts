// The portal's CSS and JavaScript: read once at start-up, fingerprinted (the URL carries a hash of
// the content, so browsers may cache them for a year), pre-compressed, served from this server
// only (no CDN: the portal must work on a government intranet).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type Koa from 'koa';
import { STATIC_PREFIX } from './session.ts';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
};

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  hash: string;
  type: string;
}

export class StaticAssets {
  private readonly assets = new Map<string, Asset>();

  constructor(directory: URL) {
    for (const name of readdirSync(directory)) {
      const ext = name.slice(name.lastIndexOf('.'));
      const type = TYPES[ext];
      if (!type) continue;
      const body = readFileSync(new URL(name, directory));
      const compressible = type.startsWith('text/') || type.startsWith('image/svg');
      this.assets.set(name, {
        body,
        gzip: compressible ? gzipSync(body, { level: 9 }) : null,
        hash: createHash('sha256').update(body).digest('hex').slice(0, 12),
        type,
      });
    }
  }

  url(name: string): string {
    const asset = this.assets.get(name);
    if (!asset) throw new Error(`No static asset "${name}"`);
    return `${STATIC_PREFIX}${name}?v=${asset.hash}`;
  }

  /** Bytes of an asset as sent to a browser that accepts gzip (for the page-size budget). */
  transferSize(name: string): number {
    const asset = this.assets.get(name);
    return asset ? (asset.gzip ?? asset.body).length : 0;
  }

  serve(ctx: Koa.Context, name: string): boolean {
    const asset = this.assets.get(name);
    if (!asset) return false;
    const etag = `"${asset.hash}"`;
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', ctx.query.v === asset.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Vary', 'Accept-Encoding');
    ctx.type = asset.type;
    if (ctx.get('If-None-Match') === etag) {
      ctx.status = 304;
      return true;
    }
    (ctx as unknown as { compress?: boolean }).compress = false;
    if (asset.gzip && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = asset.gzip;
    } else {
      ctx.body = asset.body;
    }
    return true;
  }
}
