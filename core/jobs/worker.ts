// Runs queued jobs in this process: claims as many as it has free slots, gives each an AbortSignal
// that fires at the job's timeout, keeps the lease alive while it runs, and records the outcome.
// Polling is the guarantee; notify() and the queue's enqueue announcements only make it prompt.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AwilixContainer } from 'awilix';
import type { Logger } from '../logger.ts';
import type { Clock } from '../clock.ts';
import type { Cradle } from '../container.ts';
import type { ActionContext } from '../actions/types.ts';
import type { JobRunContext } from './types.ts';
import type { ClaimedJob, JobQueueService, JobsConfig } from './queue.ts';
import { JobLeaseLostError, JobTimeoutError, PermanentJobError, WorkerStoppingError } from './errors.ts';

/** What the kernel supplies per job so this module need not know the action layer. */
export interface RunContextParts {
  scope: AwilixContainer<Cradle>;
  actions: ActionContext;
  /** Called when the attempt ends, e.g. to dispose a per-job scope. */
  dispose?(): void | Promise<void>;
}

export interface JobWorkerOptions {
  queue: JobQueueService;
  logger: Logger;
  config: Pick<JobsConfig, 'concurrency' | 'poll_interval_ms' | 'lease_ms' | 'default_timeout_ms'>;
  /** Called lazily, the first time a handler reads `scope` or `actions`. */
  createRunContext?: (jobId: string) => RunContextParts;
  /** Not needed by the worker (lease times come from the queue's clock); accepted for symmetry. */
  clock?: Clock;
  /** Defaults to host:pid:random. */
  workerId?: string;
  /** How often to requeue jobs of dead workers; default lease_ms; 0 turns it off. */
  recoverIntervalMs?: number;
  /** How often a running job's lease is extended; default lease_ms / 3. */
  heartbeatIntervalMs?: number;
}

interface ActiveJob {
  job: ClaimedJob;
  controller: AbortController;
  done: Promise<void>;
}

export class JobWorker {
  readonly id: string;
  private readonly queue: JobQueueService;
  private readonly logger: Logger;
  private readonly config: JobWorkerOptions['config'];
  private readonly createRunContext: JobWorkerOptions['createRunContext'];
  private readonly recoverIntervalMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly active = new Map<ActiveJob['controller'], ActiveJob>();
  private running = false;
  private stopping: Promise<void> | null = null;
  private pumping: Promise<void> | null = null;
  private recovering: Promise<void> | null = null;
  private wakeAgain = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private recoverTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(options: JobWorkerOptions) {
    this.queue = options.queue;
    this.logger = options.logger;
    this.config = options.config;
    this.createRunContext = options.createRunContext;
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.recoverIntervalMs = options.recoverIntervalMs ?? options.config.lease_ms;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.max(1, Math.floor(options.config.lease_ms / 3));
  }

  get isRunning(): boolean {
    return this.running && !this.stopping;
  }

  /** The attempts running right now. */
  get activeJobs(): Array<Pick<ClaimedJob, 'id' | 'type' | 'attempt'>> {
    return [...this.active.values()].map(({ job }) => ({ id: job.id, type: job.type, attempt: job.attempt }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.onEnqueued(() => this.notify());
    if (this.recoverIntervalMs > 0) {
      this.recoverTimer = setInterval(() => void this.recover(), this.recoverIntervalMs);
    }
    this.logger.info({ workerId: this.id, concurrency: this.config.concurrency }, 'job worker started');
    void this.recover().then(() => this.kick());
  }

  /** Look for due jobs now instead of at the next poll. */
  notify(): void {
    this.kick();
  }

  /**
   * Stop claiming, let running jobs finish for up to `graceMs`, then abort the rest and give them
   * back to the queue (their attempt is not counted) so another worker can take them.
   */
  stop(graceMs = 0): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.stopping ??= this.shutdown(graceMs).finally(() => {
      this.running = false;
      this.stopping = null;
    });
    return this.stopping;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.recoverTimer) clearInterval(this.recoverTimer);
    this.pollTimer = this.recoverTimer = null;
    if (this.pumping) await this.pumping;
    if (this.recovering) await this.recovering;
    if (this.active.size > 0) {
      this.logger.info({ workerId: this.id, jobs: this.active.size, graceMs }, 'job worker stopping; waiting for running jobs');
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.allSettled(this.doneOfActive()), graceOver]);
      clearTimeout(graceTimer);
      for (const { controller } of this.active.values()) controller.abort(new WorkerStoppingError());
      await Promise.allSettled(this.doneOfActive());
    }
    this.logger.info({ workerId: this.id }, 'job worker stopped');
  }

  private doneOfActive(): Array<Promise<void>> {
    return [...this.active.values()].map((entry) => entry.done);
  }

  private kick(): void {
    if (!this.running || this.stopping) return;
    if (this.pumping) {
      this.wakeAgain = true;
      return;
    }
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (!this.running || this.stopping) return;
      if (this.wakeAgain) this.kick();
      else this.pollTimer = setTimeout(() => {
        this.pollTimer = null;
        this.kick();
      }, this.config.poll_interval_ms);
    });
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        this.wakeAgain = false;
        const free = this.config.concurrency - this.active.size;
        if (free <= 0) return;
        const jobs = await this.queue.claim(this.id, free);
        if (this.stopping) {
          await Promise.all(jobs.map((job) => this.queue.release(job)));
          return;
        }
        for (const job of jobs) this.launch(job);
        // A full batch suggests more are due; otherwise wait for a poll or a notification.
        if (jobs.length < free && !this.wakeAgain) return;
      }
    } catch (err) {
      this.wakeAgain = false; // a failing database must not turn polling into a busy loop
      this.logger.error({ err, workerId: this.id }, 'claiming jobs failed');
    }
  }

  private recover(): Promise<void> {
    this.recovering ??= (async () => {
      try {
        const recovered = await this.queue.recoverExpired();
        if (recovered.some((job) => job.state === 'queued')) this.kick();
      } catch (err) {
        this.logger.error({ err, workerId: this.id }, 'recovering expired jobs failed');
      } finally {
        this.recovering = null;
      }
    })();
    return this.recovering;
  }

  private launch(job: ClaimedJob): void {
    const controller = new AbortController();
    const entry: ActiveJob = { job, controller, done: Promise.resolve() };
    this.active.set(controller, entry);
    entry.done = this.execute(job, controller).finally(() => {
      this.active.delete(controller);
      this.kick();
    });
  }

  private async execute(job: ClaimedJob, controller: AbortController): Promise<void> {
    const log = this.logger.child({ jobId: job.id, jobType: job.type, attempt: job.attempt, workerId: this.id });
    const registered = this.queue.definition(job.type);
    const timeoutMs = registered?.definition.timeoutMs ?? this.config.default_timeout_ms;
    const startedAt = performance.now();
    const durationMs = () => Math.round(performance.now() - startedAt);
    const { signal } = controller;

    let parts: RunContextParts | null = null;
    const runParts = (): RunContextParts => {
      if (parts) return parts;
      if (!this.createRunContext) throw new Error('This job worker was created without createRunContext; handlers cannot use scope or actions');
      parts = this.createRunContext(job.id);
      return parts;
    };
    const context: JobRunContext = {
      id: job.id,
      type: job.type,
      attempt: job.attempt,
      signal,
      logger: log,
      get scope() {
        return runParts().scope;
      },
      get actions() {
        return runParts().actions;
      },
      heartbeat: async () => {
        if (!(await this.queue.heartbeat(job))) {
          const lost = new JobLeaseLostError(job.id);
          controller.abort(lost);
          throw lost;
        }
      },
    };

    // Settles as soon as the signal fires, so a handler that ignores the signal still ends the attempt.
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => {});
    const timeout = setTimeout(() => controller.abort(new JobTimeoutError(timeoutMs)), timeoutMs);
    const heartbeat = setInterval(() => void this.extendLease(job, controller, log), this.heartbeatIntervalMs);
    log.info({ maxAttempts: job.maxAttempts, timeoutMs }, 'job started');
    let outcome: { ok: true; result: unknown } | { ok: false; err: unknown };
    try {
      if (!registered) throw new PermanentJobError(`job type "${job.type}" is not defined in this process`);
      const handler = registered.definition.handler;
      outcome = { ok: true, result: await Promise.race([Promise.resolve().then(() => handler(job.payload, context)), aborted]) };
    } catch (thrown) {
      outcome = { ok: false, err: signal.aborted ? signal.reason : thrown };
    } finally {
      clearTimeout(timeout);
      clearInterval(heartbeat);
    }
    if (outcome.ok) await this.recordSuccess(job, outcome.result, log, durationMs());
    else await this.recordFailure(job, outcome.err, log, durationMs());

    const ended = parts as RunContextParts | null;
    if (ended?.dispose) {
      try {
        await ended.dispose();
      } catch (err) {
        log.error({ err }, 'disposing the job context failed');
      }
    }
  }

  private async recordSuccess(job: ClaimedJob, result: unknown, log: Logger, durationMs: number): Promise<void> {
    try {
      if (await this.queue.complete(job, result)) log.info({ durationMs }, 'job succeeded');
      else log.warn({ durationMs }, 'job finished after it stopped being ours (cancelled or recovered); outcome dropped');
    } catch (err) {
      // The lease will run out and recoverExpired requeues the job: at least once still holds.
      log.error({ err, durationMs }, 'could not record the job outcome');
    }
  }

  private async recordFailure(job: ClaimedJob, err: unknown, log: Logger, durationMs: number): Promise<void> {
    try {
      if (err instanceof WorkerStoppingError) {
        await this.queue.release(job);
        log.warn({ durationMs }, 'job interrupted by shutdown; released to the queue');
        return;
      }
      if (err instanceof JobLeaseLostError) {
        log.warn({ durationMs }, 'job aborted: cancelled, or taken over after its lease expired');
        return;
      }
      const outcome = await this.queue.fail(job, err, { retry: !(err instanceof PermanentJobError) });
      if (!outcome) log.warn({ err, durationMs }, 'job failed after it stopped being ours; outcome dropped');
      else if (outcome.state === 'queued') log.warn({ err, durationMs, retryAt: outcome.retryAt }, 'job failed; will retry');
      else log.error({ err, durationMs }, 'job failed; no attempts left');
      if (err instanceof JobTimeoutError) log.warn('the timed-out handler may still be running; it no longer holds a slot');
    } catch (dbErr) {
      // The lease will run out and recoverExpired requeues the job: at least once still holds.
      log.error({ err: dbErr, jobError: err, durationMs }, 'could not record the job outcome');
    }
  }

  private async extendLease(job: ClaimedJob, controller: AbortController, log: Logger): Promise<void> {
    if (controller.signal.aborted) return;
    try {
      if (!(await this.queue.heartbeat(job))) controller.abort(new JobLeaseLostError(job.id));
    } catch (err) {
      log.warn({ err }, 'job heartbeat failed');
    }
  }
}
