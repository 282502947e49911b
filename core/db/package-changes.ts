// Other processes' dataset writes, heard through the NOTIFY that a trigger on `package` sends
// (migrations/0004). One connection per process serves every in-memory cache that must follow them
// (package_show's, package_search's); a cache must not answer while the listener cannot hear, so
// subscribers are told when it connects and when it is lost. Only a PostgreSQL server needs this:
// with the embedded database no other process can write.
import pg from 'pg';
import type { Logger } from '../logger.ts';

export const PACKAGE_CHANNEL = 'kho_package_changed';

export interface PackageChangeSubscriber {
  /** Some process wrote the dataset with this id (committed). */
  onChange(id: string): void;
  /** The listener connected (true) or lost its connection (false); a reconnect may have missed writes. */
  onListening(listening: boolean): void;
}

export class PackageChangeListener {
  private readonly subscribers = new Set<PackageChangeSubscriber>();
  private client: pg.Client | null = null;
  private listening = false;
  private closed = false;
  private retryMs = 500;
  private timer: NodeJS.Timeout | null = null;
  private readonly url: string;
  private readonly logger: Logger | undefined;

  constructor(url: string, logger?: Logger) {
    this.url = url;
    this.logger = logger;
  }

  /** Starts connecting on the first subscriber; returns the unsubscribe function. */
  subscribe(subscriber: PackageChangeSubscriber): () => void {
    this.subscribers.add(subscriber);
    subscriber.onListening(this.listening);
    if (!this.client && !this.timer && !this.closed && this.subscribers.size === 1) void this.connect();
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.setListening(false);
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }

  private setListening(listening: boolean): void {
    this.listening = listening;
    for (const subscriber of this.subscribers) subscriber.onListening(listening);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const next = new pg.Client({ connectionString: this.url });
    try {
      await next.connect();
      next.on('notification', (message) => {
        if (!message.payload) return;
        for (const subscriber of this.subscribers) subscriber.onChange(message.payload);
      });
      next.on('error', (err) => {
        this.logger?.warn({ err }, 'dataset change listener lost its connection; caches paused');
        this.client = null;
        this.setListening(false);
        next.end().catch(() => undefined);
        this.retry();
      });
      await next.query(`listen ${PACKAGE_CHANNEL}`);
      if (this.closed) {
        await next.end().catch(() => undefined);
        return;
      }
      this.client = next;
      this.retryMs = 500;
      this.setListening(true);
    } catch (err) {
      next.end().catch(() => undefined);
      if (!this.closed) this.logger?.warn({ err }, 'dataset change listener cannot connect; caches paused');
      this.retry();
    }
  }

  private retry(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
  }
}
