// Outbound requests of one harvest job, through the core's SafeFetcher (SSRF checks at connect time
// and on every redirect, size caps, timeouts), with retries: 429 and 5xx answers and network errors
// are retried with exponential backoff, honouring Retry-After. Every failure becomes a
// HarvestFetchError carrying a message in English and Vietnamese.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { OutboundRequestError, type SafeFetcher, type SafeFetchResponse } from '../../../core/net/safe-fetch.ts';
import { M, type Msg } from '../i18n/messages.ts';

export type FetchFailure = 'http' | 'html' | 'json' | 'xml' | 'rdf' | 'csv' | 'timeout' | 'too-large' | 'blocked' | 'invalid-url' | 'network' | 'paging' | 'shape';

export class HarvestFetchError extends Error {
  readonly kind: FetchFailure;
  readonly url: string;
  readonly status: number | null;
  readonly msg: Msg;
  constructor(kind: FetchFailure, url: string, message: Msg, status: number | null = null) {
    super(message.en);
    this.name = 'HarvestFetchError';
    this.kind = kind;
    this.url = url;
    this.status = status;
    this.msg = message;
  }
}

export interface HttpPolicy {
  timeoutMs: number;
  maxBytes: number;
  retries: number;
  retryBaseMs: number;
  retryMaxWaitMs: number;
  /** Sent with every request (auth headers from the source config). */
  headers: Record<string, string>;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  url: string;
  text(): string;
}

export interface GetOptions {
  accept?: string;
  headers?: Record<string, string>;
  /** Answer statuses that are returned instead of raising (e.g. 404 when probing). */
  okStatuses?: number[];
}

/** Seconds or an HTTP date → milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504, 507, 508, 509, 520, 521, 522, 523, 524]);

export class HarvestHttp {
  private readonly fetcher: SafeFetcher;
  private readonly policy: HttpPolicy;
  private readonly signal: AbortSignal;
  /** Requests made, retries done (for the job's log). */
  requests = 0;
  retried = 0;

  constructor(fetcher: SafeFetcher, policy: HttpPolicy, signal: AbortSignal) {
    this.fetcher = fetcher;
    this.policy = policy;
    this.signal = signal;
  }

  get maxBytes(): number {
    return this.policy.maxBytes;
  }

  /** GET with retries; a final non-2xx answer raises unless listed in okStatuses. */
  async get(url: string, options: GetOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = { ...this.policy.headers, ...options.headers };
    if (options.accept) headers.accept = options.accept;
    let attempt = 0;
    let lastResponse: SafeFetchResponse | null = null;
    for (;;) {
      this.signal.throwIfAborted();
      let response: SafeFetchResponse | null = null;
      lastResponse = null;
      let failure: HarvestFetchError | null = null;
      let waitHint: number | null = null;
      try {
        this.requests++;
        response = await this.fetcher.fetch(url, { headers, timeoutMs: this.policy.timeoutMs, maxBytes: this.policy.maxBytes, signal: this.signal });
      } catch (err) {
        this.signal.throwIfAborted();
        failure = this.describe(url, err, attempt);
        if (!['timeout', 'network'].includes(failure.kind)) throw failure;
      }
      if (response) {
        lastResponse = response;
        if ((response.status >= 200 && response.status < 300) || options.okStatuses?.includes(response.status)) return wrap(response);
        failure = new HarvestFetchError('http', url, M.httpStatus(url, response.status, attempt), response.status);
        if (!RETRY_STATUSES.has(response.status)) throw this.htmlOr(failure, response);
        waitHint = retryAfterMs(response.headers['retry-after']);
        if (waitHint !== null && waitHint > this.policy.retryMaxWaitMs) {
          throw new HarvestFetchError('http', url, M.retryAfterTooLong(url, response.status, Math.round(waitHint / 1000)), response.status);
        }
      }
      if (attempt >= this.policy.retries) throw lastResponse ? this.htmlOr(failure!, lastResponse) : failure!;
      attempt++;
      this.retried++;
      const backoff = Math.min(this.policy.retryBaseMs * 2 ** (attempt - 1), this.policy.retryMaxWaitMs);
      const jittered = Math.round(backoff * (0.8 + Math.random() * 0.4));
      await sleep(waitHint ?? jittered, undefined, { signal: this.signal });
    }
  }

  /** GET a JSON document; an HTML page or unparsable text is a clear error. */
  async json<T = unknown>(url: string, options: GetOptions = {}): Promise<{ data: T; raw: HttpResult }> {
    const raw = await this.get(url, { accept: 'application/json', ...options });
    return { data: parseJson<T>(raw, 'JSON'), raw };
  }

  private htmlOr(failure: HarvestFetchError, response: SafeFetchResponse): HarvestFetchError {
    if (looksLikeHtml(response.headers['content-type'], response.body)) {
      return new HarvestFetchError('http', failure.url, {
        en: `${failure.msg.en}, with an HTML page${htmlTitle(response.body) ? ` "${htmlTitle(response.body)}"` : ''}`,
        vi: `${failure.msg.vi}, kèm một trang HTML${htmlTitle(response.body) ? ` "${htmlTitle(response.body)}"` : ''}`,
      }, response.status);
    }
    return failure;
  }

  private describe(url: string, err: unknown, retries: number): HarvestFetchError {
    if (err instanceof HarvestFetchError) return err;
    if (err instanceof OutboundRequestError) {
      switch (err.kind) {
        case 'timeout':
          return new HarvestFetchError('timeout', url, M.timeout(url, this.policy.timeoutMs, retries));
        case 'too-large':
          return new HarvestFetchError('too-large', url, M.tooLarge(url, this.policy.maxBytes));
        case 'blocked':
          return new HarvestFetchError('blocked', url, M.blocked(url, err.message));
        case 'invalid-url':
        case 'too-many-redirects':
          return new HarvestFetchError('invalid-url', url, M.invalidUrl(url, err.message));
        default:
          return new HarvestFetchError('network', url, M.network(url, err.message, retries));
      }
    }
    return new HarvestFetchError('network', url, M.network(url, (err as Error)?.message ?? String(err), retries));
  }
}

function wrap(response: SafeFetchResponse): HttpResult {
  let text: string | null = null;
  return {
    status: response.status,
    headers: response.headers,
    body: response.body,
    url: response.url,
    text: () => (text ??= stripBom(response.body.toString('utf8'))),
  };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function looksLikeHtml(contentType: string | undefined, body: Buffer): boolean {
  if (contentType && /text\/html|application\/xhtml/i.test(contentType)) return true;
  const head = body.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

export function htmlTitle(body: Buffer): string | null {
  const match = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(body.subarray(0, 65536).toString('utf8'));
  return match ? match[1].replace(/\s+/g, ' ').trim() : null;
}

/** Parse a JSON answer, telling an HTML error page apart from broken JSON. */
export function parseJson<T>(raw: HttpResult, expected: string): T {
  if (looksLikeHtml(raw.headers['content-type'], raw.body)) {
    throw new HarvestFetchError('html', raw.url, M.htmlInstead(raw.url, expected, raw.status, htmlTitle(raw.body)), raw.status);
  }
  try {
    return JSON.parse(raw.text()) as T;
  } catch (err) {
    throw new HarvestFetchError('json', raw.url, M.invalidJson(raw.url, (err as Error).message), raw.status);
  }
}

/** Detects a paging loop: the same URL twice, or a page whose bytes equal an earlier page's. */
export class PageLoopGuard {
  private readonly urls = new Set<string>();
  private readonly bodies = new Map<string, string>();
  private readonly maxPages: number;
  private pages = 0;

  constructor(maxPages: number) {
    this.maxPages = maxPages;
  }

  /** Call before requesting a page. */
  visit(url: string, firstUrl: string): void {
    if (this.urls.has(url)) throw new HarvestFetchError('paging', url, M.pagingRepeatedUrl(url));
    this.pages++;
    if (this.pages > this.maxPages) throw new HarvestFetchError('paging', url, M.tooManyPages(firstUrl, this.maxPages));
    this.urls.add(url);
  }

  /** Call with each page's body; identical bodies mean the paging does not advance. */
  content(url: string, body: Buffer): void {
    // A page whose bytes were seen before: remember a digest per page, not the body.
    const digest = hashBuffer(body);
    const previous = this.bodies.get(digest);
    if (previous !== undefined && body.length > 0) throw new HarvestFetchError('paging', url, M.pagingLoop(url, previous));
    this.bodies.set(digest, url);
  }
}

function hashBuffer(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
