// Outbound HTTP for everything that fetches what a user configured (harvest sources, link checks):
// the address is checked when the connection is made, not only when the URL is read, so a host name
// that resolves (or re-resolves, DNS rebinding) to loopback, a private network or a cloud metadata
// address is refused unless the province allowlisted it. Redirects are followed by hand so every hop is
// checked; bodies are capped while they stream; every request has a timeout.
import dns from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, request, type Dispatcher } from 'undici';

export type OutboundFailure = 'blocked' | 'invalid-url' | 'timeout' | 'too-large' | 'too-many-redirects' | 'network';

export class OutboundRequestError extends Error {
  readonly kind: OutboundFailure;
  readonly url: string;
  /** The HTTP status, when the server answered before the request failed (a body over the limit). */
  readonly status: number | null;
  constructor(kind: OutboundFailure, url: string, message: string, status: number | null = null) {
    super(message);
    this.kind = kind;
    this.url = url;
    this.status = status;
  }
}

export interface SafeFetchPolicy {
  /** Hosts, addresses or CIDR ranges that may be reached even though they are not public. */
  allowPrivate: readonly string[];
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
}

export interface SafeFetchRequest {
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Override the policy's limits for this request. */
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
}

export interface SafeFetchResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

const PUBLIC_RANGES = new Set(['unicast']);

function isAllowedByList(host: string, address: string, allow: readonly string[]): boolean {
  for (const entry of allow) {
    if (entry === host) return true;
    if (entry.includes('/')) {
      try {
        const [range, bits] = ipaddr.parseCIDR(entry);
        const parsed = ipaddr.process(address);
        if (parsed.kind() === range.kind() && parsed.match(range, bits)) return true;
      } catch {
        // not a CIDR we can read: ignore the entry
      }
    } else if (isIP(entry) && isIP(address) && ipaddr.process(entry).toString() === ipaddr.process(address).toString()) {
      return true;
    }
  }
  return false;
}

/** Why an address may not be contacted, or null when it may. */
export function blockedReason(host: string, address: string, allow: readonly string[]): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return `cannot read the address ${address}`;
  }
  const range = parsed.range();
  if (PUBLIC_RANGES.has(range)) return null;
  if (isAllowedByList(host, address, allow)) return null;
  return `${host} resolves to ${address} (${range}), which is not a public address; add it to net.allow_private_hosts to allow it`;
}

function checkedLookup(allow: readonly string[]) {
  return (hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      for (const entry of list) {
        const reason = blockedReason(hostname, entry.address, allow);
        if (reason) return callback(Object.assign(new Error(reason), { code: 'KHO_BLOCKED_ADDRESS' }), '', 0);
      }
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

export class SafeFetcher {
  private readonly policy: SafeFetchPolicy;
  private readonly dispatcher: Dispatcher;

  constructor(policy: SafeFetchPolicy) {
    this.policy = policy;
    this.dispatcher = new Agent({
      connect: { lookup: checkedLookup(policy.allowPrivate) as never, timeout: policy.timeoutMs },
      connections: 64,
    });
  }

  async fetch(url: string, options: SafeFetchRequest = {}): Promise<SafeFetchResponse> {
    let current = url;
    for (let hop = 0; hop <= this.policy.maxRedirects; hop++) {
      const response = await this.once(current, options);
      if (response.status >= 300 && response.status < 400 && response.headers.location && (options.method ?? 'GET') !== 'POST') {
        current = new URL(response.headers.location, current).toString();
        continue;
      }
      return response;
    }
    throw new OutboundRequestError('too-many-redirects', url, `more than ${this.policy.maxRedirects} redirects from ${url}`);
  }

  private async once(url: string, options: SafeFetchRequest): Promise<SafeFetchResponse> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OutboundRequestError('invalid-url', url, `not a URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new OutboundRequestError('invalid-url', url, `only http and https URLs can be fetched (got ${parsed.protocol})`);
    }
    // A literal address never goes through DNS, so check it here.
    const literal = parsed.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal)) {
      const reason = blockedReason(literal, literal, this.policy.allowPrivate);
      if (reason) throw new OutboundRequestError('blocked', url, reason);
    }
    const timeoutMs = options.timeoutMs ?? this.policy.timeoutMs;
    const maxBytes = options.maxBytes ?? this.policy.maxBytes;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const response = await request(url, {
        method: options.method ?? 'GET',
        headers: { 'user-agent': this.policy.userAgent, ...options.headers },
        body: options.body,
        dispatcher: this.dispatcher,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      // Destroying the body emits an abort error; it is expected and must not surface as uncaught.
      response.body.on('error', () => undefined);
      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        response.body.destroy();
        throw new OutboundRequestError('too-large', url, `${url} answered with ${declared} bytes, more than the limit of ${maxBytes}`, response.statusCode);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += chunk.length;
        if (size > maxBytes) {
          response.body.destroy();
          throw new OutboundRequestError('too-large', url, `${url} sent more than the limit of ${maxBytes} bytes`, response.statusCode);
        }
        chunks.push(chunk as Buffer);
      }
      return { status: response.statusCode, headers, body: Buffer.concat(chunks), url };
    } catch (err) {
      if (err instanceof OutboundRequestError) throw err;
      const code = (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code;
      if (code === 'KHO_BLOCKED_ADDRESS') throw new OutboundRequestError('blocked', url, (err as Error).message);
      if (timeout.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || (err as Error).name === 'TimeoutError') {
        throw new OutboundRequestError('timeout', url, `${url} did not answer within ${timeoutMs} ms`);
      }
      const message = (err as Error).message || String(err);
      throw new OutboundRequestError('network', url, `${url}: ${message}`);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
