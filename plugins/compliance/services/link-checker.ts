// The link checker (R70): every resource URL is asked HEAD (and GET when HEAD is refused) through the
// core's SSRF-safe fetcher, with a 5-second limit, a bounded number of requests in flight overall and
// per host, an optional pause between requests to one host, and the result class (2xx, 3xx, 4xx, 5xx
// or unreachable) stored with its history. Bodies are never kept: a GET asks for one byte and is
// cut off, and results are written in batches, so memory stays flat whatever the catalogue size.
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import type { OutboundRequestError } from '../../../core/net/safe-fetch.ts';
import { toDbTime } from '../../../core/jobs/db-time.ts';
import type { Runtime } from './runtime.ts';
import { forEachDatasetPage } from './facts.ts';

export type LinkClass = '2xx' | '3xx' | '4xx' | '5xx' | 'unreachable';

export interface LinkResult {
  url: string;
  class: LinkClass;
  status: number | null;
  error: string | null;
  ms: number;
  final_url: string | null;
  checked_at: Date;
}

export interface LinkCheckOptions {
  /** Check these URLs instead of every resource URL of the catalogue. */
  urls?: string[];
  /** Check even URLs checked recently. */
  force?: boolean;
  signal?: AbortSignal;
  heartbeat?: () => Promise<void>;
}

export function classOf(status: number): LinkClass {
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 400 && status < 500) return '4xx';
  if (status >= 500 && status < 600) return '5xx';
  return 'unreachable';
}

type Fetcher = ActionContext['services']['fetcher'];

/** Check one URL: HEAD, then GET when HEAD is refused (≥ 400) or the connection failed. */
export async function checkUrl(fetcher: Fetcher, url: string, timeoutMs: number, now: () => Date): Promise<LinkResult> {
  const started = performance.now();
  const done = (cls: LinkClass, status: number | null, error: string | null, finalUrl: string | null): LinkResult => ({
    url,
    class: cls,
    status,
    error,
    ms: Math.round(performance.now() - started),
    final_url: finalUrl && finalUrl !== url ? finalUrl : null,
    checked_at: now(),
  });
  const attempt = async (method: 'HEAD' | 'GET') => {
    try {
      const response = await fetcher.fetch(url, { method, timeoutMs, maxBytes: method === 'GET' ? 65536 : Number.MAX_SAFE_INTEGER, headers: method === 'GET' ? { range: 'bytes=0-0' } : {} });
      return { status: response.status, url: response.url, error: null as { kind: string; message: string } | null };
    } catch (err) {
      // Duck-typed: the fetcher's error class may come from another copy of the core module.
      const outbound = err as Partial<OutboundRequestError>;
      if (typeof outbound.kind === 'string') return { status: outbound.status ?? null, url: null, error: { kind: outbound.kind, message: String(outbound.message) } };
      return { status: null, url: null, error: { kind: 'network', message: (err as Error).message } };
    }
  };
  let result = await attempt('HEAD');
  const retry = (result.status !== null && result.status >= 400) || (result.error && result.error.kind === 'network');
  if (retry) {
    const get = await attempt('GET');
    // Keep GET's answer unless it failed where HEAD had answered.
    if (get.status !== null || result.status === null) result = get;
  }
  if (result.status !== null) return done(classOf(result.status), result.status, result.error ? result.error.kind : null, result.url);
  const error = result.error!;
  if (error.kind === 'too-many-redirects') return done('3xx', null, error.kind, null);
  return done('unreachable', null, `${error.kind}: ${error.message}`.slice(0, 500), null);
}

/** Runs checks with a global limit and a per-host limit and pause. */
class PoliteQueue {
  private readonly byHost = new Map<string, string[]>();
  private readonly active = new Map<string, number>();
  private readonly lastStart = new Map<string, number>();
  private inflight = 0;
  private pendingCount = 0;

  private readonly concurrency: number;
  private readonly perHost: number;
  private readonly delayMs: number;

  constructor(concurrency: number, perHost: number, delayMs: number) {
    this.concurrency = concurrency;
    this.perHost = perHost;
    this.delayMs = delayMs;
  }

  add(url: string) {
    let host: string;
    try {
      host = new URL(url).host.toLowerCase();
    } catch {
      host = '';
    }
    const list = this.byHost.get(host);
    if (list) list.push(url);
    else this.byHost.set(host, [url]);
    this.pendingCount++;
  }

  get size() {
    return this.pendingCount;
  }

  async run(work: (url: string) => Promise<void>, signal?: AbortSignal): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const pump = () => {
        if (signal?.aborted) {
          if (this.inflight === 0) reject(signal.reason ?? new Error('aborted'));
          return;
        }
        let nextWake = Infinity;
        for (const [host, list] of this.byHost) {
          while (this.inflight < this.concurrency && list.length && (this.active.get(host) ?? 0) < this.perHost) {
            const wait = this.delayMs ? (this.lastStart.get(host) ?? -Infinity) + this.delayMs - Date.now() : 0;
            if (wait > 0) {
              nextWake = Math.min(nextWake, wait);
              break;
            }
            const url = list.shift()!;
            this.pendingCount--;
            this.inflight++;
            this.active.set(host, (this.active.get(host) ?? 0) + 1);
            this.lastStart.set(host, Date.now());
            work(url)
              .catch(() => undefined)
              .finally(() => {
                this.inflight--;
                this.active.set(host, (this.active.get(host) ?? 1) - 1);
                pump();
              });
          }
          if (!list.length) this.byHost.delete(host);
          if (this.inflight >= this.concurrency) break;
        }
        if (this.pendingCount === 0 && this.inflight === 0) {
          if (timer) clearTimeout(timer);
          resolve();
          return;
        }
        if (nextWake !== Infinity && !timer) {
          timer = setTimeout(() => {
            timer = null;
            pump();
          }, nextWake);
        }
      };
      pump();
    });
  }
}

/** Every http(s) resource URL of the catalogue's active datasets (not Kho's own uploads), deduplicated; read page by page. */
export async function catalogueUrls(context: ActionContext): Promise<string[]> {
  const urls = new Set<string>();
  await forEachDatasetPage(context, (page) => {
    for (const dict of page) {
      if (dict.state !== 'active' || (dict.type && dict.type !== 'dataset')) continue;
      for (const resource of (dict.resources ?? []) as DataDict[]) {
        // Files uploaded to Kho are served by Kho itself from its own store (with their sha256).
        if (resource.url_type === 'upload') continue;
        if (typeof resource.url === 'string' && /^https?:\/\//i.test(resource.url)) urls.add(resource.url);
      }
    }
  });
  return [...urls];
}

export async function runLinkCheck(context: ActionContext, runtime: Runtime, options: LinkCheckOptions = {}): Promise<DataDict> {
  const cfg = runtime.settings.config.link_checker;
  const { knex, clock, fetcher } = context.services;
  const startedAt = performance.now();
  const all = options.urls ?? (await catalogueUrls(context));
  const now = clock.now();
  // Remember every URL (first_seen_at), then skip those checked recently.
  for (let i = 0; i < all.length; i += 500) {
    const batch = all.slice(i, i + 500).map((url) => ({ url, first_seen_at: toDbTime(now) }));
    await knex('compliance_link_state').insert(batch).onConflict('url').ignore();
  }
  let todo = all;
  if (!options.force && cfg.recheck_after_hours > 0) {
    const since = toDbTime(new Date(now.getTime() - cfg.recheck_after_hours * 3600 * 1000));
    const recent = new Set<string>();
    for (let i = 0; i < all.length; i += 1000) {
      const rows = await knex('compliance_link_state').whereIn('url', all.slice(i, i + 1000)).where('checked_at', '>=', since).select('url');
      for (const row of rows) recent.add(row.url);
    }
    todo = all.filter((url) => !recent.has(url));
  }
  const queue = new PoliteQueue(cfg.concurrency, cfg.per_host_concurrency, cfg.per_host_delay_ms);
  for (const url of todo) queue.add(url);
  const counts: Record<string, number> = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, unreachable: 0 };
  let buffer: LinkResult[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    const batch = buffer;
    buffer = [];
    writing = writing.then(() => writeResults(context, batch)).then(() => options.heartbeat?.());
    return writing;
  };
  let flushing = 0;
  await queue.run(async (url) => {
    const result = await checkUrl(fetcher, url, cfg.timeout_ms, () => clock.now());
    counts[result.class]++;
    buffer.push(result);
    if (buffer.length >= 200) {
      // Back-pressure: checks wait while two batches are still being written.
      flushing++;
      const done = flush();
      if (flushing > 2) await done;
      // A failed write surfaces from the final flush below; never as an unhandled rejection here.
      done.then(
        () => flushing--,
        () => flushing--,
      );
    }
  }, options.signal);
  await flush();
  await pruneHistory(context, cfg.history_per_url, todo);
  const seconds = (performance.now() - startedAt) / 1000;
  return { urls: all.length, checked: todo.length, skipped_recent: all.length - todo.length, classes: counts, seconds: Math.round(seconds * 100) / 100, urls_per_second: seconds ? Math.round(todo.length / seconds) : null };
}

async function writeResults(context: ActionContext, results: LinkResult[]) {
  if (!results.length) return;
  const { knex } = context.services;
  // The same URL may appear twice in a batch only if it was queued twice; keep its last result.
  const latest = [...new Map(results.map((r) => [r.url, r])).values()];
  await knex.transaction(async (trx) => {
    await trx('compliance_link_check').insert(results.map((r) => ({ url: r.url, checked_at: toDbTime(r.checked_at), class: r.class, status: r.status, error: r.error, response_ms: r.ms })));
    const values = latest.map(() => '(?, ?::timestamp, ?::timestamp, ?, ?::integer, ?, ?::integer, ?, ?::integer)').join(', ');
    const bindings = latest.flatMap((r) => [r.url, toDbTime(r.checked_at), toDbTime(r.checked_at), r.class, r.status, r.error, r.ms, r.final_url, r.class === '2xx' || r.class === '3xx' ? 0 : 1]);
    await trx.raw(
      `insert into compliance_link_state (url, first_seen_at, checked_at, class, status, error, response_ms, final_url, consecutive_failures)
       values ${values}
       on conflict (url) do update set checked_at = excluded.checked_at, class = excluded.class, status = excluded.status, error = excluded.error,
         response_ms = excluded.response_ms, final_url = excluded.final_url,
         consecutive_failures = case when excluded.consecutive_failures > 0 then compliance_link_state.consecutive_failures + 1 else 0 end`,
      bindings,
    );
  });
}

/** Keep the newest `keep` results per URL. */
async function pruneHistory(context: ActionContext, keep: number, urls: string[]) {
  const { knex } = context.services;
  for (let i = 0; i < urls.length; i += 1000) {
    await knex.raw(
      `delete from compliance_link_check where seq in (
         select seq from (select seq, row_number() over (partition by url order by checked_at desc, seq desc) as n from compliance_link_check where url = any(?)) ranked where n > ?)`,
      [urls.slice(i, i + 1000), keep],
    );
  }
}

export async function linkHistory(context: ActionContext, url: string, limit = 20): Promise<DataDict[]> {
  const rows = await context.db()('compliance_link_check').where('url', url).orderBy([{ column: 'checked_at', order: 'desc' }, { column: 'seq', order: 'desc' }]).limit(limit).select('checked_at', 'class', 'status', 'error', 'response_ms');
  return rows;
}
