// Runs one harvest job: gather (a page at a time) → fetch → import, then deletions, then the report.
// Each record is written in the same transaction as its harvest_record and harvest_object rows,
// through the dataset actions. Records ready together share one (group-commit.ts; a failed batch is
// written again record by record). So a crash never leaves a half-written dataset, and re-running
// never duplicates one. The job row is a lease: the runner that holds it heartbeats; a runner that
// stopped is detected (stale heartbeat) and the job is resumed, skipping what it already wrote.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { AwilixContainer } from 'awilix';
import type { Logger } from 'pino';
import type { Cradle } from '../../../core/container.ts';
import type { ActionContext, AuthUser, DataDict } from '../../../core/actions/types.ts';
import { createActionContext } from '../../../core/actions/context.ts';
import { ActionError, ValidationError } from '../../../core/errors.ts';
import { parseIsoDate } from '../../../core/clock.ts';
import { JobLeaseLostError, JobTimeoutError, WorkerStoppingError } from '../../../core/jobs/errors.ts';
import { M, type Msg } from '../i18n/messages.ts';
import type { GatheredRecord, IHarvester, ImportContext, GatherContext, PreviousJob } from '../harvesters/types.ts';
import {
  jobs,
  objects,
  packageStates,
  records,
  sources,
  emptyStats,
  type ErrorInput,
  type JobRow,
  type ObjectRow,
  type RecordRow,
  type ReportStatus,
  type Stats,
} from '../model/repo.ts';
import { HarvestFetchError, HarvestHttp } from './http.ts';
import type { HarvestSettings } from '../settings.ts';
import { loadSource, type LoadedSource } from './sources.ts';
import { finalizeDataset, hashSalt, provenanceExtras, writeDataset } from './importer.ts';
import { contentHash } from './identity.ts';
import { GroupCommit, type GroupWork } from './group-commit.ts';
import { computeNextRun } from './schedule.ts';

export interface Progress {
  jobId: string;
  source: string;
  phase: 'gather' | 'delete' | 'done';
  gathered: number;
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  errored: number;
  elapsedMs: number;
}

export interface RunOptions {
  /** Who holds the job while it runs (a queue job, a CLI process). */
  runnerId?: string;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export type RunOutcome =
  | { outcome: 'finished' | 'aborted'; job: JobRow; stats: Stats }
  | { outcome: 'busy' | 'done' | 'missing' | 'released'; job?: JobRow };

/** Why a run stopped early. */
class StopRun extends Error {
  readonly reason: 'aborted' | 'timeout' | 'lost' | 'stopping' | 'inactive';
  constructor(reason: StopRun['reason']) {
    super(reason);
    this.reason = reason;
  }
}

/** A record fetched and mapped, waiting to be written. */
interface PreparedImport {
  record: GatheredRecord;
  existing: RecordRow | undefined;
  base: ObjectRow;
  mapped: DataDict;
  hash: string;
  /** The record's content as stored on its harvest object. */
  text: string;
  warnings: ErrorInput[];
}

export interface RunnerDeps {
  container: AwilixContainer<Cradle>;
  settings: HarvestSettings;
  harvesters: ReadonlyMap<string, IHarvester>;
}

export function defaultRunnerId(kind: string): string {
  return `${kind}:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** A tiny mutex: PGlite has one connection, so writes take turns while fetches overlap. */
class Gate {
  private tail: Promise<void> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }
}

/** At most `size` tasks at once, started in the order they asked. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = size;
  }
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>, signal: AbortSignal): Promise<void> {
  let index = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (index < items.length) {
      if (signal.aborted) return;
      const item = items[index++];
      await work(item);
    }
  });
  await Promise.all(workers);
}

export class HarvestRunner {
  private readonly deps: RunnerDeps;

  constructor(deps: RunnerDeps) {
    this.deps = deps;
  }

  private get services(): Cradle {
    return this.deps.container.cradle;
  }

  async run(jobId: string, options: RunOptions = {}): Promise<RunOutcome> {
    const runnerId = options.runnerId ?? defaultRunnerId('run');
    const { knex, clock, logger: rootLogger } = this.services;
    const settings = this.deps.settings;
    const logger = rootLogger.child({ harvestJob: jobId, runner: runnerId });

    // Take the job (a lease on the row), or find that someone else holds it.
    const taken = await knex.transaction(async (trx) => {
      const job = await jobs.get(trx, jobId, { forUpdate: true });
      if (!job) return { state: 'missing' as const };
      if (job.status === 'Finished' || job.status === 'Aborted') return { state: 'done' as const, job };
      const now = clock.now();
      const heartbeat = job.heartbeat_at ? Date.parse(job.heartbeat_at.replace(' ', 'T') + 'Z') : null;
      const alive = heartbeat !== null && now.getTime() - heartbeat < settings.stale_after_ms;
      if (job.status === 'Running' && job.runner && job.runner !== runnerId && alive) return { state: 'busy' as const, job };
      const resumed = job.status === 'Running' && !!job.runner && job.runner !== runnerId;
      const resumes = job.resumes + (resumed ? 1 : 0);
      const nowIso = clock.nowIso();
      if (resumed && resumes > settings.max_resumes) {
        await jobs.addGatherError(trx, randomUUID(), job.id, { message: M.workerDied(job.heartbeat_at, job.resumes) }, nowIso);
        await this.close(trx, job.id, 'Aborted', nowIso, job.gather_finished ?? nowIso);
        return { state: 'closed' as const, job };
      }
      if (resumed) {
        await jobs.addGatherError(trx, randomUUID(), job.id, { message: M.resumed(job.heartbeat_at, job.runner), level: 'warning' }, nowIso);
      }
      await jobs.update(trx, job.id, { status: 'Running', runner: runnerId, heartbeat_at: nowIso, gather_started: job.gather_started ?? nowIso, resumes });
      return { state: 'taken' as const, job: { ...job, status: 'Running' as const, runner: runnerId, gather_started: job.gather_started ?? nowIso, resumes }, resumed: job.status === 'Running' };
    });
    if (taken.state === 'missing') return { outcome: 'missing' };
    if (taken.state === 'done') return { outcome: 'done', job: taken.job };
    if (taken.state === 'busy') return { outcome: 'busy', job: taken.job };
    if (taken.state === 'closed') return { outcome: 'aborted', job: (await jobs.get(knex, jobId))!, stats: await jobs.stats(knex, jobId) };

    const job = taken.job;
    const loaded = await loadSource(this.services, knex, job.source_id);
    const controller = new AbortController();
    const signals = [controller.signal, ...(options.signal ? [options.signal] : [])];
    const signal = AbortSignal.any(signals);
    let stop: StopRun | null = null;
    let externalReason: string | null = null;
    const halt = (reason: StopRun['reason']) => {
      if (!stop) stop = new StopRun(reason);
      controller.abort(stop);
    };
    options.signal?.addEventListener(
      'abort',
      () => {
        const reason = options.signal!.reason;
        if (reason instanceof WorkerStoppingError || reason instanceof JobLeaseLostError) halt('stopping');
        else if (reason instanceof JobTimeoutError) halt('timeout');
        else {
          externalReason = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'the process running it';
          halt('aborted');
        }
      },
      { once: true },
    );

    const startedAt = Date.parse(job.gather_started!.replace(' ', 'T') + 'Z');
    const deadline = startedAt + settings.timeout_minutes * 60000;
    const beat = async () => {
      try {
        if (clock.now().getTime() > deadline) return halt('timeout');
        const count = await knex('harvest_job').where({ id: job.id, runner: runnerId, status: 'Running' }).update({ heartbeat_at: clock.nowIso() });
        if (count === 0) {
          const current = await jobs.get(knex, job.id);
          halt(current?.status === 'Aborted' ? 'aborted' : 'lost');
        }
      } catch (err) {
        logger.warn({ err }, 'harvest heartbeat failed');
      }
    };
    const timer = setInterval(() => void beat(), settings.heartbeat_ms);
    timer.unref?.();

    const run = new JobExecution(this.deps, job, loaded, signal, logger, options.onProgress, taken.resumed);
    try {
      if (!loaded || !loaded.row.active) {
        halt('inactive');
        throw stop;
      }
      if (clock.now().getTime() > deadline) {
        halt('timeout');
        throw stop;
      }
      await run.execute();
      clearInterval(timer);
      return await this.finish(run, 'Finished');
    } catch (err) {
      clearInterval(timer);
      const reason: StopRun['reason'] | null = stop ? (stop as StopRun).reason : err instanceof StopRun ? err.reason : null;
      if (reason === 'stopping') {
        // The process is shutting down: give the job back; it is resumed where it stopped.
        await knex('harvest_job').where({ id: job.id, runner: runnerId }).update({ runner: null, heartbeat_at: null }).catch(() => undefined);
        logger.info('harvest job released for later (shutdown)');
        return { outcome: 'released' };
      }
      if (reason === 'lost') {
        logger.warn('harvest job taken over by another runner; stopping');
        return { outcome: 'released' };
      }
      const nowIso = clock.nowIso();
      try {
        if (reason === 'timeout') await jobs.addGatherError(knex, randomUUID(), job.id, { message: M.timedOut(settings.timeout_minutes) }, nowIso);
        else if (reason === 'inactive') await jobs.addGatherError(knex, randomUUID(), job.id, { message: M.sourceDeactivated }, nowIso);
        else if (reason === 'aborted' && externalReason) await jobs.addGatherError(knex, randomUUID(), job.id, { message: M.abortedBy(externalReason) }, nowIso);
        else if (!reason) {
          logger.error({ err }, 'harvest job failed');
          await jobs.addGatherError(knex, randomUUID(), job.id, { message: M.internal((err as Error)?.message ?? String(err)) }, nowIso);
          return await this.finish(run, 'Finished');
        }
      } catch (recordErr) {
        logger.error({ err: recordErr }, 'could not record why the harvest job stopped');
      }
      return await this.finish(run, 'Aborted');
    }
  }

  private async close(db: typeof this.services.knex, jobId: string, status: 'Finished' | 'Aborted', now: string, gatherFinished: string | null) {
    const stats = await jobs.stats(db, jobId);
    await jobs.update(db, jobId, { status, finished: now, gather_finished: gatherFinished, runner: null, stats });
  }

  private async finish(run: JobExecution, status: 'Finished' | 'Aborted'): Promise<RunOutcome> {
    const { knex, clock } = this.services;
    const now = clock.nowIso();
    const jobId = run.job.id;
    // An abort by a user already set the status; keep the first verdict.
    await knex.transaction(async (trx) => {
      const current = await jobs.get(trx, jobId, { forUpdate: true });
      const finalStatus = current?.status === 'Aborted' ? 'Aborted' : status;
      const stats = await jobs.stats(trx, jobId);
      await jobs.update(trx, jobId, {
        status: finalStatus,
        finished: current?.finished ?? now,
        gather_finished: current?.gather_finished ?? run.gatherFinished ?? now,
        gather_complete: run.gatherComplete,
        runner: null,
        stats,
      });
      if (run.source) {
        const row = await sources.get(trx, run.source.row.id);
        if (row?.frequency === 'ALWAYS') {
          await sources.update(trx, row.id, { next_run: computeNextRun('ALWAYS', clock.now(), clock.now(), this.deps.settings) });
        }
      }
    });
    if (run.source) {
      try {
        await jobs.prune(knex, run.source.row.id, this.deps.settings.keep_jobs);
      } catch (err) {
        run.logger.warn({ err }, 'pruning old harvest jobs failed');
      }
    }
    const job = (await jobs.get(knex, jobId))!;
    const stats = job.stats ?? emptyStats();
    run.report('done');
    run.logger.info({ status: job.status, stats }, 'harvest job ended');
    return { outcome: job.status === 'Aborted' ? 'aborted' : 'finished', job, stats };
  }
}

/** The state of one run of one job. */
class JobExecution {
  readonly job: JobRow;
  readonly source: LoadedSource | null;
  readonly logger: Logger;
  gatherComplete = false;
  gatherFinished: string | null = null;
  private readonly deps: RunnerDeps;
  private readonly signal: AbortSignal;
  private readonly onProgress?: (progress: Progress) => void;
  private readonly resumed: boolean;
  private readonly processed = new Set<string>();
  private readonly counts = { gathered: 0, added: 0, updated: 0, unchanged: 0, deleted: 0, errored: 0 };
  private readonly started = Date.now();
  private readonly gate = new Gate();
  private slots = new Slots(1);
  private readonly cache = new Map<string, unknown>();
  /** Every guid the source listed in this job (records to keep); the rest are gone from the source. */
  private readonly seen = new Set<string>();
  /** Incremental listings: only the guids the source reported removed are deleted. */
  private incrementalListing = false;
  private readonly removedGuids = new Set<string>();
  private gatherWarnings: Msg[] = [];
  private incompleteReason: Msg | null = null;
  private gatherErrored = false;
  private gatherErrorCount = 0;
  private harvester!: IHarvester;
  private config!: Record<string, any>;
  private http!: HarvestHttp;
  private salt!: string;
  private writeConcurrency = 1;
  private concurrency = 1;
  private group!: GroupCommit;
  private inFlight!: Slots;
  private user: AuthUser | null = null;
  private lastReport = 0;

  constructor(deps: RunnerDeps, job: JobRow, source: LoadedSource | null, signal: AbortSignal, logger: Logger, onProgress: ((p: Progress) => void) | undefined, resumed: boolean) {
    this.deps = deps;
    this.job = job;
    this.source = source;
    this.signal = signal;
    this.logger = logger;
    this.onProgress = onProgress;
    this.resumed = resumed;
  }

  private get services(): Cradle {
    return this.deps.container.cradle;
  }

  report(phase: Progress['phase'], force = false) {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && phase !== 'done' && now - this.lastReport < 200) return;
    this.lastReport = now;
    // Gather errors count as errored, as in the job's stats, so the last progress line and the
    // summary printed under it agree.
    const errored = this.counts.errored + this.gatherErrorCount;
    this.onProgress({ jobId: this.job.id, source: this.source?.view.name ?? this.job.source_id, phase, ...this.counts, errored, elapsedMs: now - this.started });
  }

  async execute(): Promise<void> {
    const { knex, fetcher } = this.services;
    const settings = this.deps.settings;
    const source = this.source!;
    const harvester = this.deps.harvesters.get(source.row.type);
    if (!harvester) throw new Error(`No harvester for source type "${source.row.type}"`);
    this.harvester = harvester;
    this.config = source.view.config;
    this.concurrency = Math.max(1, Math.min(this.config.concurrency ?? settings.concurrency, settings.max_concurrency));
    this.writeConcurrency = this.services.database.kind === 'pglite' ? 1 : this.concurrency;
    this.slots = new Slots(this.concurrency);
    const batchSize = Math.max(1, Number(this.config.write_batch ?? settings.write_batch));
    const batchesInFlight = Math.max(1, Math.floor(this.writeConcurrency / 2));
    // Enough for the batches being written and the next ones to fill while they are.
    this.inFlight = new Slots(batchSize * (batchesInFlight + 1) + this.concurrency);
    this.group = new GroupCommit({
      size: batchSize,
      // Half the write slots carry batches: a batch is a sequence of round trips, two in flight keep
      // the database busy, and fewer, larger batches save more statements (measured with
      // bench:federation: 4 in flight wrote ~8% fewer datasets/s than 2).
      parallel: batchesInFlight,
      context: () => this.writeContext(),
      guard: (work) => this.write(work),
      alone: (work) => this.writeWithRetry(() => work(this.writeContext(), null)),
      rolledBack: (err, records) => this.logger.debug({ err, records }, 'a batch of records was rolled back; writing them one by one'),
      ensureTags: async (names) => {
        await this.services.repos.tags.ensure(this.services.knex, names.map((name) => ({ name, vocabulary_id: null })));
      },
      signal: this.signal,
    });
    this.salt = hashSalt(harvester, source.view);
    this.http = new HarvestHttp(
      fetcher,
      {
        timeoutMs: this.config.timeout ? this.config.timeout * 1000 : settings.request_timeout_ms,
        maxBytes: settings.max_response_mb * 1048576,
        retries: this.config.retries ?? settings.retries,
        retryBaseMs: settings.retry_base_ms,
        retryMaxWaitMs: settings.retry_max_wait_ms,
        headers: harvester.headers?.(this.config) ?? {},
      },
      this.signal,
    );
    const userName: string | null = this.config.user ?? settings.user ?? null;
    if (userName) {
      const row = await this.services.repos.users.get(knex, userName);
      if (row && row.state === 'active') this.user = { id: row.id, name: row.name, sysadmin: row.sysadmin, state: row.state };
    }
    if (this.resumed) for (const guid of await objects.guidsOfJob(knex, this.job.id)) this.processed.add(guid);

    const previous = await jobs.lastErrorFree(knex, source.row.id, this.job.id);
    const previousJob: PreviousJob | null = previous?.gather_started ? { id: previous.id, gather_started: previous.gather_started.replace(' ', 'T') } : null;

    const gatherContext: GatherContext = {
      ...this.stageContext(),
      previousJob,
      defaults: { pageSize: settings.page_size, maxPages: this.config.max_pages ?? settings.max_pages },
      seen: (guids) => {
        for (const guid of guids) if (typeof guid === 'string' && guid) this.seen.add(guid.trim());
      },
      incomplete: (reason) => {
        this.incompleteReason ??= reason;
      },
      incremental: () => {
        this.incrementalListing = true;
      },
      removed: (guids) => {
        for (const guid of guids) {
          if (typeof guid !== 'string' || !guid.trim()) continue;
          this.removedGuids.add(guid.trim());
          this.seen.delete(guid.trim());
        }
      },
      warn: (message) => {
        this.gatherWarnings.push(message);
      },
    };

    this.report('gather', true);
    let listingOk = true;
    try {
      // Batches overlap: the next page's records start while the slow writes of the previous one
      // finish (records share `concurrency` slots); at most two pages are held in memory.
      const inflight: Array<Promise<void>> = [];
      try {
        for await (const batch of harvester.gather(gatherContext)) {
          this.checkSignal();
          await this.flushWarnings();
          const work = this.processBatch(batch);
          work.catch(() => undefined);
          inflight.push(work);
          while (inflight.length > 1) await inflight.shift();
          this.report('gather');
        }
      } finally {
        const left = await Promise.allSettled(inflight);
        const failed = left.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected');
        if (failed) throw failed.reason;
      }
      await this.flushWarnings();
    } catch (err) {
      if (this.signal.aborted) throw this.signal.reason ?? err;
      listingOk = false;
      await this.gatherError(describeError(err));
    }
    await this.flushWarnings().catch((err) => this.logger.warn({ err }, 'recording gather warnings failed'));
    this.gatherFinished = this.services.clock.nowIso();
    await jobs.update(knex, this.job.id, { gather_finished: this.gatherFinished });
    this.gatherComplete = listingOk && !this.incompleteReason && !this.gatherErrored;
    await this.deletions();
  }

  private stageContext() {
    return {
      source: this.source!.view,
      job: { id: this.job.id, created: this.job.created },
      config: this.config,
      http: this.http,
      signal: this.signal,
      services: this.services,
      logger: this.logger,
    };
  }

  private checkSignal() {
    if (this.signal.aborted) throw this.signal.reason;
  }

  private async gatherError(message: Msg, level: 'error' | 'warning' = 'error') {
    if (level === 'error') {
      this.gatherErrored = true;
      this.gatherErrorCount++;
    }
    await jobs.addGatherError(this.services.knex, randomUUID(), this.job.id, { message, level }, this.services.clock.nowIso());
  }

  private async flushWarnings() {
    for (const message of this.gatherWarnings.splice(0)) await this.gatherError(message, 'warning');
  }

  private async processBatch(batch: GatheredRecord[]) {
    const { knex } = this.services;
    const sourceId = this.source!.row.id;
    const fresh: GatheredRecord[] = [];
    const inBatch = new Set<string>();
    for (const record of batch) {
      const guid = typeof record?.guid === 'string' ? record.guid.trim() : '';
      if (!guid) {
        await this.gatherError(M.missingGuid, 'warning');
        continue;
      }
      if (inBatch.has(guid)) {
        await this.gatherError(M.duplicateGuid(guid), 'warning');
        continue;
      }
      inBatch.add(guid);
      this.seen.add(guid);
      this.counts.gathered++;
      // Seen before in this job: a resumed job, or the same dataset on two pages.
      if (this.processed.has(guid)) continue;
      this.processed.add(guid);
      fresh.push({ ...record, guid });
    }
    if (!fresh.length) return;
    const existing = await records.getMany(knex, sourceId, fresh.map((record) => record.guid));
    const states = await packageStates(knex, [...existing.values()].map((row) => row.package_id));
    const unchanged: ObjectRow[] = [];
    // `slots` bound the fetch and mapping of records, `inFlight` the records mapped and not yet
    // written (their dicts are what a job holds in memory); writes queue for the batch writer.
    await Promise.all(
      fresh.map((record) =>
        this.inFlight.run(async () => {
          const prepared = await this.slots.run(async () => (this.signal.aborted ? null : this.prepareRecord(record, existing.get(record.guid), states)));
          if (!prepared) return;
          if ('unchanged' in prepared) unchanged.push(prepared.unchanged);
          else await this.importRecord(prepared);
        }),
      ),
    );
    this.checkSignal();
    if (unchanged.length) await objects.insertMany(knex, unchanged);
  }

  /**
   * Fetch, hash and map one record: what to write, or the object row of an unchanged record
   * (written in bulk), or null when it failed (recorded).
   */
  private async prepareRecord(record: GatheredRecord, existing: RecordRow | undefined, states: Map<string, { state: string; name: string }>): Promise<PreparedImport | { unchanged: ObjectRow } | null> {
    const { clock } = this.services;
    const gathered = clock.nowIso();
    const objectId = randomUUID();
    const base: ObjectRow = {
      id: objectId,
      guid: record.guid,
      harvest_job_id: this.job.id,
      harvest_source_id: this.source!.row.id,
      package_id: existing?.package_id ?? null,
      current: false,
      state: 'COMPLETE',
      report_status: null,
      content: null,
      content_hash: null,
      original_url: record.originalUrl ?? null,
      metadata_modified_date: record.remoteModified ? parseIsoDate(String(record.remoteModified)) : null,
      gathered,
      fetch_started: null,
      fetch_finished: null,
      import_started: null,
      import_finished: null,
    };
    const importContext = this.importContext(objectId);
    let content = record.content;
    if (content === undefined && record.fetchUrl && this.harvester.fetch) {
      base.fetch_started = clock.nowIso();
      try {
        content = await this.harvester.fetch(record, importContext.context);
      } catch (err) {
        if (this.signal.aborted) throw this.signal.reason ?? err;
        await this.errored(base, [...importContext.warnings, { message: describeError(err), stage: 'Fetch' }]);
        return null;
      }
      base.fetch_finished = clock.nowIso();
    }
    if (content === undefined || content === null) {
      await this.errored(base, [{ message: M.mappingError('the record has no content'), stage: 'Fetch' }]);
      return null;
    }
    const hash = contentHash(this.salt, content);
    base.content_hash = hash;
    const alive = existing ? states.get(existing.package_id) : undefined;
    if (existing && existing.content_hash === hash && existing.state === 'active' && alive) {
      this.counts.unchanged++;
      base.report_status = 'not modified';
      base.import_finished = clock.nowIso();
      return { unchanged: base };
    }

    base.import_started = clock.nowIso();
    let mapped: DataDict;
    try {
      const imported = await this.harvester.import({ ...record, content }, importContext.context);
      if (imported === null) {
        this.counts.unchanged++;
        base.report_status = 'not modified';
        base.import_finished = clock.nowIso();
        return { unchanged: base };
      }
      mapped = await finalizeDataset(imported, {
        config: this.config,
        source: this.source!.view,
        context: importContext.context,
        warn: importContext.context.warn,
      });
    } catch (err) {
      if (this.signal.aborted) throw this.signal.reason ?? err;
      await this.errored(base, [...importContext.warnings, { message: describeError(err, M.mappingError), stage: 'Import' }]);
      return null;
    }
    const text = typeof content === 'string' ? content : JSON.stringify(content);
    return { record, existing, base, mapped, hash, text, warnings: importContext.warnings };
  }

  /** Write a mapped record (in a batch with others when the database allows). */
  private async importRecord(prepared: PreparedImport): Promise<void> {
    const { record, existing, base, mapped, hash, text } = prepared;
    let warnings = prepared.warnings;
    const write: GroupWork<'added' | 'updated'> = (actions, bookkeeping) => {
      // Each attempt starts from the mapping's warnings: a batch that was rolled back leaves none.
      warnings = [...prepared.warnings];
      return writeDataset({
        actions,
        source: this.source!.view,
        job: this.job,
        record,
        mapped,
        object: { ...base, content: text },
        hash,
        notOverwrite: [...(this.deps.settings.not_overwrite_fields ?? []), ...((this.config.not_overwrite_fields as string[] | undefined) ?? [])],
        warnings,
        provenance: provenanceExtras(this.source!.view, base.id, record.originalUrl ?? null),
        restore: existing?.state === 'deleted',
        existing,
        signal: this.signal,
        bookkeeping,
      });
    };
    try {
      this.checkSignal();
      const tags = (Array.isArray(mapped.tags) ? mapped.tags : []).filter((tag: DataDict) => tag && !tag.vocabulary_id).map((tag: DataDict) => tag.name).filter((name: unknown): name is string => typeof name === 'string');
      const status = await this.group.write(write, tags);
      if (status === 'added') this.counts.added++;
      else this.counts.updated++;
    } catch (err) {
      if (this.signal.aborted && !(err instanceof ActionError)) throw this.signal.reason ?? err;
      const message = err instanceof ValidationError ? M.invalidDataset(record.guid, validationDetail(err)) : describeError(err);
      await this.errored(base, [...warnings, { message, stage: 'Import' }], text);
    }
  }

  /**
   * Parallel writers on PostgreSQL can collide (two new records wanting the same name, a deadlock on
   * new tag rows another batch is still inserting): such a write is tried again, after a short
   * random wait, up to three times. A batch holds its locks until it commits, so a record that
   * collided with one may collide with the next (seen once in 94,151 records with one retry).
   */
  private async writeWithRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.write(work);
      } catch (err) {
        const code = (err as { code?: string })?.code;
        const nameTaken = err instanceof ValidationError && JSON.stringify(err.errors).includes('That URL is already in use');
        if (this.signal.aborted || attempt > 3 || !(nameTaken || code === '40P01' || code === '40001' || code === '23505')) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * attempt));
      }
    }
  }

  /** Writes take turns on PGlite (one connection); on PostgreSQL up to `concurrency` run at once. */
  private write<T>(work: () => Promise<T>): Promise<T> {
    return this.writeConcurrency === 1 ? this.gate.run(work) : work();
  }

  private writeContext(): ActionContext {
    return createActionContext(this.deps.container, { user: this.user, ignoreAuth: true, requestId: `harvest-${this.job.id.slice(0, 8)}` });
  }

  private importContext(objectId: string): { context: ImportContext; warnings: ErrorInput[] } {
    const warnings: ErrorInput[] = [];
    const context: ImportContext = {
      ...this.stageContext(),
      actions: this.writeContext(),
      cache: this.cache,
      warn: (message) => {
        warnings.push({ message, stage: 'Import', level: 'warning' });
      },
    };
    void objectId;
    return { context, warnings };
  }

  private async errored(base: ObjectRow, errors: ErrorInput[], content: string | null = null) {
    const { knex, clock } = this.services;
    this.counts.errored++;
    const now = clock.nowIso();
    const row: ObjectRow = { ...base, state: 'ERROR', report_status: 'errored', content, current: false, import_finished: now };
    await this.write(async () => {
      await knex.transaction(async (trx) => {
        await objects.insertMany(trx, [row]);
        await objects.addErrors(trx, errors.map((error) => ({ id: randomUUID(), objectId: row.id, error, created: now })));
      });
    });
  }

  /** After a complete, error-free listing: records the source no longer has are deleted (or marked). */
  private async deletions() {
    const { knex } = this.services;
    const sourceId = this.source!.row.id;
    if (this.incrementalListing) {
      // A tombstone is final whatever else the gather met, and a record listed again after its
      // tombstone (deleted, then restored at the source) is not deleted.
      const gone = (await records.activeGuids(knex, sourceId)).filter((row) => this.removedGuids.has(row.guid) && !this.seen.has(row.guid));
      await this.deleteAll(gone);
      return;
    }
    if (this.gatherComplete && this.seen.size === 0) {
      // An empty listing is never taken as "everything was deleted" (ckanext-harvest: a gather error).
      const count = await records.countActive(knex, sourceId);
      await this.gatherError(count ? M.noDatasetsKept(this.source!.view.url, count) : M.noDatasets(this.source!.view.url));
      this.gatherComplete = false;
      return;
    }
    const unseen = (await records.activeGuids(knex, sourceId)).filter((row) => !this.seen.has(row.guid));
    if (!unseen.length) return;
    if (!this.gatherComplete) {
      const reason = this.incompleteReason ?? M.deletionGatherErrors;
      await this.gatherError(M.deletionsSkipped(reason, unseen.length), 'warning');
      return;
    }
    await this.deleteAll(unseen);
  }

  private async deleteAll(unseen: Array<Pick<RecordRow, 'source_id' | 'guid' | 'package_id' | 'content_hash'>>) {
    if (!unseen.length) return;
    const mode: 'delete' | 'mark' | 'keep' = this.config.delete_mode ?? 'delete';
    this.report('delete', true);
    await pool(
      unseen,
      this.writeConcurrency,
      async (record) => {
        await this.write(() => this.deleteRecord(record, mode));
        this.report('delete');
      },
      this.signal,
    );
    this.checkSignal();
  }

  private async deleteRecord(record: Pick<RecordRow, 'source_id' | 'guid' | 'package_id' | 'content_hash'>, mode: 'delete' | 'mark' | 'keep') {
    const { clock } = this.services;
    const now = clock.nowIso();
    const context = this.writeContext();
    const objectId = randomUUID();
    const row: ObjectRow = {
      id: objectId,
      guid: record.guid,
      harvest_job_id: this.job.id,
      harvest_source_id: record.source_id,
      package_id: record.package_id,
      current: true,
      state: 'COMPLETE',
      report_status: 'deleted',
      content: null,
      content_hash: record.content_hash,
      original_url: null,
      metadata_modified_date: null,
      gathered: now,
      fetch_started: null,
      fetch_finished: null,
      import_started: now,
      import_finished: now,
    };
    const warnings: ErrorInput[] = [];
    try {
      await context.transaction(async (trx) => {
        const current = await records.get(trx, record.source_id, record.guid, { forUpdate: true });
        if (!current || current.state !== 'active') return;
        const pkgRow = await this.services.repos.packages.get(trx, record.package_id, { forUpdate: true });
        if (pkgRow && pkgRow.state !== 'deleted') {
          if (mode === 'delete') await context.action('package_delete', { id: record.package_id });
          else if (mode === 'mark') {
            const dict = JSON.parse(pkgRow.data);
            const extras = (dict.extras ?? []).filter((extra: DataDict) => extra.key !== 'harvest_removed_from_source');
            extras.push({ key: 'harvest_removed_from_source', value: now });
            await context.action('package_patch', { id: record.package_id, extras });
          } else {
            row.report_status = 'not modified';
            row.current = false;
            warnings.push({ message: { en: 'Gone from the source; kept (delete_mode keep)', vi: 'Không còn ở nguồn; được giữ lại (delete_mode keep)' }, stage: 'Import', level: 'warning' });
          }
        }
        if (row.current && current.current_object_id) await objects.retire(trx, current.current_object_id);
        await records.update(trx, record.source_id, record.guid, {
          state: 'deleted',
          deleted_at: now,
          ...(row.current ? { current_object_id: objectId } : {}),
        });
        await objects.insertMany(trx, [row]);
        await objects.addErrors(trx, warnings.map((error) => ({ id: randomUUID(), objectId, error, created: now })));
        if (row.report_status === 'deleted') this.counts.deleted++;
      });
    } catch (err) {
      if (this.signal.aborted && !(err instanceof ActionError)) throw this.signal.reason ?? err;
      await this.errored({ ...row, current: false }, [{ message: M.deleteFailed(describeError(err).en), stage: 'Import' }]);
    }
  }
}

export function validationDetail(err: ValidationError): string {
  return Object.entries(err.body())
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join('; ');
}

/** The message of a failure, in both languages. */
export function describeError(err: unknown, wrap?: (detail: string) => Msg): Msg {
  if (err instanceof HarvestFetchError) return err.msg;
  if (err instanceof ValidationError) {
    const detail = validationDetail(err);
    return { en: `Validation Error: ${detail}`, vi: `Lỗi kiểm tra dữ liệu: ${detail}` };
  }
  if (err && typeof err === 'object' && 'msg' in err && (err as { msg?: Msg }).msg?.en) return (err as { msg: Msg }).msg;
  const text = err instanceof Error ? err.message || err.name : String(err);
  return wrap ? wrap(text) : M.internal(text);
}

export type { ReportStatus };
