// The job queue, worker and scheduler against a real database: embedded PGlite always, and a
// PostgreSQL server too when TEST_DATABASE_URL is set (a fresh database per suite, dropped after).
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import knexFactory, { type Knex } from 'knex';
import { pino } from 'pino';
import { createPglite, openDatabase, type Database } from '../../core/db/connect.ts';
import { CORE_MIGRATIONS, migrateLatest } from '../../core/db/migrate.ts';
import { FixedClock } from '../../core/clock.ts';
import {
  JobQueueService,
  JobScheduler,
  JobTimeoutError,
  JobLeaseLostError,
  JobWorker,
  PURGE_JOB,
  PermanentJobError,
  WorkerStoppingError,
  coreSchedules,
  defaultBackoffMs,
  registerCoreJobs,
  type JobRecord,
  type JobRunContext,
  type JobWorkerOptions,
  type JobsConfig,
} from '../../core/jobs/index.ts';
import { fromDbTime } from '../../core/jobs/db-time.ts';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const START = '2024-05-01T00:00:00Z';
const config: JobsConfig = {
  in_process: true,
  concurrency: 2,
  poll_interval_ms: 20,
  lease_ms: 1000,
  default_timeout_ms: 5000,
  max_attempts: 3,
  keep_finished_days: 14,
};

interface Backend {
  name: string;
  /** Create the database and return a connection to it. */
  setUp(): Promise<Database>;
  /** Another connection to the same database, as a second process would have. */
  another(): Promise<Database>;
  tearDown(): Promise<void>;
}

function pgliteBackend(): Backend {
  let db: Database | null = null;
  return {
    name: 'PGlite',
    async setUp() {
      db = await openDatabase({ url: null, dataDir: '', poolMax: 1, pglite: await createPglite(null) });
      return db;
    },
    // PGlite lives in this process only; "two processes" share its single connection.
    async another() {
      return db!;
    },
    async tearDown() {
      await db?.close();
    },
  };
}

function postgresBackend(adminUrl: string): Backend {
  const name = `kho_test_jobs_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const open: Database[] = [];
  const connect = async () => {
    const db = await openDatabase({ url: url.toString(), dataDir: '', poolMax: 5 });
    open.push(db);
    return db;
  };
  return {
    name: 'PostgreSQL',
    async setUp() {
      await admin.raw(`create database "${name}"`);
      return connect();
    },
    another: connect,
    async tearDown() {
      await Promise.all(open.map((db) => db.close()));
      await admin.raw(`drop database if exists "${name}" with (force)`);
      await admin.destroy();
    },
  };
}

const backends: Array<() => Backend> = [pgliteBackend];
if (process.env.TEST_DATABASE_URL) backends.push(() => postgresBackend(process.env.TEST_DATABASE_URL!));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 4000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const never = () => new Promise<never>(() => {});
const msOf = (iso: string | null) => fromDbTime(iso)!.getTime();

for (const makeBackend of backends) {
  describe(`jobs on ${makeBackend().name}`, function () {
    this.timeout(15000);
    const backend = makeBackend();
    let db: Database;
    let knex: Knex;
    let clock: FixedClock;
    let running: Array<{ stop(grace?: number): Promise<void> }>;

    before(async () => {
      db = await backend.setUp();
      knex = db.knex;
      await migrateLatest(knex, [CORE_MIGRATIONS]);
    });
    after(() => backend.tearDown());

    beforeEach(async () => {
      clock = new FixedClock(START);
      running = [];
      await knex('job').delete();
      await knex('job_schedule').delete();
    });
    afterEach(async () => {
      await Promise.all(running.map((r) => r.stop(0)));
    });

    const makeQueue = (on: Knex = knex) => new JobQueueService({ knex: on, clock, logger, config });
    const makeWorker = (queue: JobQueueService, options: Partial<JobWorkerOptions> = {}, overrides: Partial<JobsConfig> = {}) => {
      const worker = new JobWorker({ queue, clock, logger, config: { ...config, ...overrides }, ...options });
      running.push(worker);
      return worker;
    };
    const makeScheduler = (queue: JobQueueService, on: Knex = knex) => {
      const scheduler = new JobScheduler({ knex: on, queue, clock, logger });
      running.push(scheduler);
      return scheduler;
    };
    const jobState = async (queue: JobQueueService, id: string): Promise<JobRecord> => (await queue.get(id))!;

    describe('enqueue', () => {
      it('creates the job only if the caller\'s transaction commits, and announces it after the commit', async () => {
        const queue = makeQueue();
        queue.define('test.echo', { handler: () => null }, 'test');
        let announced = 0;
        queue.onEnqueued(() => announced++);

        await knex
          .transaction(async (trx) => {
            await queue.enqueue(trx, 'test.echo', { n: 1 });
            throw new Error('the write failed');
          })
          .catch(() => {});
        await sleep(5);
        expect(await queue.list()).to.have.length(0);
        expect(announced).to.equal(0);

        let id: string | null = null;
        await knex.transaction(async (trx) => {
          id = await queue.enqueue(trx, 'test.echo', { n: 2 });
          await sleep(5);
          expect(announced, 'not before the commit').to.equal(0);
        });
        await sleep(5);
        expect(announced).to.equal(1);
        const job = await jobState(queue, id!);
        expect(job).to.include({ type: 'test.echo', state: 'queued', attempts: 0, maxAttempts: config.max_attempts, runAt: '2024-05-01T00:00:00' });
        expect(job.payload).to.deep.equal({ n: 2 });
      });

      it('refuses unknown job types and a second definition of a type', async () => {
        const queue = makeQueue();
        queue.define('test.once', { handler: () => null }, 'plugin-a');
        expect(() => queue.define('test.once', { handler: () => null }, 'plugin-b')).to.throw(/already defined by plugin-a/);
        let error: unknown;
        await queue.enqueue(knex, 'test.nope').catch((err) => (error = err));
        expect(String(error)).to.match(/unknown type "test.nope"/);
      });

      it('dedupes on an active key without breaking the caller\'s transaction, and frees the key when the job ends', async () => {
        const queue = makeQueue();
        queue.define('test.index', { handler: () => null });
        const first = await queue.enqueue(knex, 'test.index', { id: 'a' }, { dedupeKey: 'index:a' });
        expect(first).to.be.a('string');

        await knex.transaction(async (trx) => {
          expect(await queue.enqueue(trx, 'test.index', { id: 'a' }, { dedupeKey: 'index:a' })).to.equal(null);
          expect(await queue.enqueue(trx, 'test.index', { id: 'b' }, { dedupeKey: 'index:b' })).to.be.a('string');
          await trx('job').count(); // the transaction is still usable
        });
        expect(await queue.list()).to.have.length(2);

        const claimed = (await queue.claim('w', 2)).find((job) => job.id === first)!;
        expect(await queue.enqueue(knex, 'test.index', { id: 'a' }, { dedupeKey: 'index:a' }), 'still running').to.equal(null);
        await queue.complete(claimed, 'ok');
        expect(await queue.enqueue(knex, 'test.index', { id: 'a' }, { dedupeKey: 'index:a' })).to.be.a('string');
      });

      it('claims by priority, then due time, and not before run_at', async () => {
        const queue = makeQueue();
        queue.define('test.p', { handler: () => null });
        const low = await queue.enqueue(knex, 'test.p', 'low');
        const high = await queue.enqueue(knex, 'test.p', 'high', { priority: 10 });
        const later = await queue.enqueue(knex, 'test.p', 'later', { runAt: new Date(clock.now().getTime() + 60000) });
        const claimed = await queue.claim('w', 5);
        expect(claimed.map((job) => job.id)).to.deep.equal([high, low]);
        expect(claimed[0]).to.include({ attempt: 1, lockedBy: 'w' });
        clock.advance(60000);
        expect((await queue.claim('w', 5)).map((job) => job.id)).to.deep.equal([later]);
        expect(await queue.countByState()).to.deep.include({ running: 3, queued: 0 });

        clock.advance(500);
        expect(await queue.heartbeat(claimed[0])).to.equal(true);
        expect((await jobState(queue, high!)).lockedUntil).to.equal('2024-05-01T00:01:01.500000');
        expect(await queue.heartbeat({ ...claimed[0], lockedBy: 'someone-else' })).to.equal(false);
        expect(await queue.complete(claimed[0], { ok: true })).to.equal(true);
        expect(await queue.heartbeat(claimed[0]), 'no longer running').to.equal(false);
        expect(await queue.complete(claimed[0]), 'only once').to.equal(false);
      });
    });

    describe('worker', () => {
      it('runs a job and stores its result, building the run context only when used', async () => {
        const queue = makeQueue();
        const seen: Array<Pick<JobRunContext, 'id' | 'type' | 'attempt'> & { aborted: boolean; scope: unknown }> = [];
        let disposed = 0;
        queue.define('test.sum', {
          handler: (payload: { a: number; b: number }, job) => {
            seen.push({ id: job.id, type: job.type, attempt: job.attempt, aborted: job.signal.aborted, scope: job.scope });
            return { sum: payload.a + payload.b };
          },
        });
        const id = await queue.enqueue(knex, 'test.sum', { a: 2, b: 3 });
        const worker = makeWorker(queue, {
          createRunContext: () => ({ scope: 'the-scope' as never, actions: {} as never, dispose: () => void disposed++ }),
        });
        worker.start();
        await waitFor('the job to succeed', async () => (await jobState(queue, id!)).state === 'succeeded');
        const job = await jobState(queue, id!);
        expect(job.result).to.deep.equal({ sum: 5 });
        expect(job).to.include({ attempts: 1, lockedBy: null, lastError: null, finished: '2024-05-01T00:00:00' });
        expect(seen).to.deep.equal([{ id, type: 'test.sum', attempt: 1, aborted: false, scope: 'the-scope' }]);
        await waitFor('dispose', () => disposed === 1);
      });

      it('runs a job again when its worker died (lease expired without completion)', async () => {
        const queue = makeQueue();
        const attempts: number[] = [];
        queue.define('test.once-more', { handler: (_payload, job) => void attempts.push(job.attempt) });
        const id = await queue.enqueue(knex, 'test.once-more');
        const [dead] = await queue.claim('dead-worker', 1); // …and the process is killed here

        const worker = makeWorker(queue, { recoverIntervalMs: 10 });
        worker.start();
        await sleep(60);
        expect(attempts, 'not while the lease is valid').to.deep.equal([]);
        clock.advance(config.lease_ms + 1);
        await waitFor('the job to succeed', async () => (await jobState(queue, id!)).state === 'succeeded');
        expect(attempts).to.deep.equal([2]);
        expect((await jobState(queue, id!)).lastError).to.match(/lease expired during attempt 1 \(worker dead-worker/);
        expect(await queue.complete(dead, 'late'), 'the dead worker can no longer finish it').to.equal(false);
        expect((await jobState(queue, id!)).result).to.equal(null);
      });

      it('fails a job whose last attempt was lost with its worker', async () => {
        const queue = makeQueue();
        queue.define('test.crash', { handler: () => null, maxAttempts: 1 });
        const id = await queue.enqueue(knex, 'test.crash');
        await queue.claim('dead-worker', 1);
        clock.advance(config.lease_ms + 1);
        const recovered = await queue.recoverExpired();
        expect(recovered).to.deep.equal([{ id, type: 'test.crash', state: 'failed', attempts: 1, previousWorker: 'dead-worker' }]);
        expect((await jobState(queue, id!)).state).to.equal('failed');
      });

      it('retries with exponential backoff, then marks the job failed keeping the last error', async () => {
        const queue = makeQueue();
        let calls = 0;
        queue.define('test.flaky', {
          handler: () => {
            calls++;
            throw new Error(`upstream said no (${calls})`);
          },
        });
        const id = await queue.enqueue(knex, 'test.flaky', null, { maxAttempts: 3 });
        const worker = makeWorker(queue);
        worker.start();
        const t0 = clock.now().getTime();

        await waitFor('attempt 1 to fail', async () => (await jobState(queue, id!)).attempts === 1 && (await jobState(queue, id!)).state === 'queued');
        let job = await jobState(queue, id!);
        expect(job.lastError).to.equal('upstream said no (1)');
        expect(msOf(job.runAt) - t0).to.equal(1000);
        await sleep(60);
        expect(calls, 'not retried before its time').to.equal(1);

        clock.advance(1000);
        worker.notify();
        await waitFor('attempt 2 to fail', async () => (await jobState(queue, id!)).attempts === 2 && (await jobState(queue, id!)).state === 'queued');
        job = await jobState(queue, id!);
        expect(msOf(job.runAt) - t0).to.equal(1000 + 2000);

        clock.advance(2000);
        worker.notify();
        await waitFor('the job to fail', async () => (await jobState(queue, id!)).state === 'failed');
        job = await jobState(queue, id!);
        expect(job).to.include({ attempts: 3, lastError: 'upstream said no (3)', lockedBy: null });
        expect(job.finished).to.be.a('string');
        expect(calls).to.equal(3);
        expect([1, 2, 3, 12, 13, 40].map(defaultBackoffMs)).to.deep.equal([1000, 2000, 4000, 2048000, 3600000, 3600000]);
      });

      it('uses a type\'s own backoff, and gives up at once on a PermanentJobError', async () => {
        const queue = makeQueue();
        queue.define('test.custom', { backoffMs: (n) => n * 5000, handler: () => Promise.reject(new Error('later')) });
        queue.define('test.hopeless', { maxAttempts: 5, handler: () => Promise.reject(new PermanentJobError('no such dataset')) });
        const custom = await queue.enqueue(knex, 'test.custom');
        const hopeless = await queue.enqueue(knex, 'test.hopeless');
        makeWorker(queue).start();
        await waitFor('both to be handled', async () => (await jobState(queue, custom!)).attempts === 1 && (await jobState(queue, hopeless!)).state === 'failed');
        const job = await jobState(queue, custom!);
        expect(job.state).to.equal('queued');
        expect(msOf(job.runAt) - clock.now().getTime()).to.equal(5000);
        expect(await jobState(queue, hopeless!)).to.include({ attempts: 1, lastError: 'no such dataset' });
      });

      it('aborts a job at its timeout and counts a failed attempt, even if the handler ignores the signal', async () => {
        const queue = makeQueue();
        let signal: AbortSignal | null = null;
        queue.define('test.stuck', {
          timeoutMs: 50,
          maxAttempts: 2,
          handler: (_payload, job) => {
            signal = job.signal;
            return never();
          },
        });
        queue.define('test.default-timeout', { maxAttempts: 1, handler: never });
        const stuck = await queue.enqueue(knex, 'test.stuck');
        const other = await queue.enqueue(knex, 'test.default-timeout');
        const worker = makeWorker(queue, {}, { default_timeout_ms: 80 });
        worker.start();
        await waitFor('the timeouts', async () => (await jobState(queue, stuck!)).attempts === 1 && (await jobState(queue, stuck!)).state === 'queued' && (await jobState(queue, other!)).state === 'failed');
        expect((await jobState(queue, stuck!)).lastError).to.equal('timed out after 50 ms');
        expect((await jobState(queue, other!)).lastError).to.equal('timed out after 80 ms');
        const seen = signal as AbortSignal | null;
        expect(seen?.aborted).to.equal(true);
        expect(seen?.reason).to.be.instanceOf(JobTimeoutError);
        expect(worker.activeJobs, 'the slots are free again').to.deep.equal([]);
      });

      it('never runs the same job on two workers at once', async () => {
        const other = await backend.another();
        const executions = new Map<string, number>();
        const inFlight = new Set<string>();
        let overlaps = 0;
        const byWorker = new Map<string, number>();
        const ranOn = { A: 0, B: 0 };
        const define = (queue: JobQueueService, side: 'A' | 'B') =>
          queue.define('test.work', {
            handler: async (_payload, job) => {
              ranOn[side]++;
              if (inFlight.has(job.id)) overlaps++;
              inFlight.add(job.id);
              executions.set(job.id, (executions.get(job.id) ?? 0) + 1);
              await sleep(2 + Math.random() * 5);
              inFlight.delete(job.id);
            },
          });
        const queueA = makeQueue(knex);
        const queueB = makeQueue(other.knex);
        define(queueA, 'A');
        define(queueB, 'B');
        const ids: string[] = [];
        for (let i = 0; i < 40; i++) ids.push((await queueA.enqueue(knex, 'test.work', { i }))!);
        const workerA = makeWorker(queueA, { workerId: 'A' }, { concurrency: 4, poll_interval_ms: 5 });
        const workerB = makeWorker(queueB, { workerId: 'B' }, { concurrency: 4, poll_interval_ms: 5 });
        workerA.start();
        workerB.start();
        await waitFor('all jobs to succeed', async () => (await queueA.countByState()).succeeded === ids.length, 10000);
        for (const job of await queueA.list({ limit: 1000 })) byWorker.set(job.id, job.attempts);
        expect(overlaps).to.equal(0);
        expect(ids.every((id) => executions.get(id) === 1), 'each job ran exactly once').to.equal(true);
        expect([...byWorker.values()].every((attempts) => attempts === 1)).to.equal(true);
        expect(ranOn.A, 'both workers took part').to.be.greaterThan(0);
        expect(ranOn.B, 'both workers took part').to.be.greaterThan(0);
      });

      it('keeps the lease of a long job alive with heartbeats', async () => {
        const queue = makeQueue();
        const gate = deferred();
        const started = deferred();
        queue.define('test.long', {
          handler: async () => {
            started.resolve();
            await gate.promise;
          },
        });
        const id = await queue.enqueue(knex, 'test.long');
        makeWorker(queue, { heartbeatIntervalMs: 10, recoverIntervalMs: 0 }).start();
        await started.promise;
        clock.advance(config.lease_ms * 0.6);
        await sleep(60);
        clock.advance(config.lease_ms * 0.6); // past the first lease
        expect(await queue.recoverExpired()).to.deep.equal([]);
        gate.resolve();
        await waitFor('the job to succeed', async () => (await jobState(queue, id!)).state === 'succeeded');
        expect((await jobState(queue, id!)).attempts).to.equal(1);
      });

      it('cancels a queued job, and aborts a running one at its next heartbeat', async () => {
        const queue = makeQueue();
        const started = deferred();
        let reason: unknown = null;
        let runs = 0;
        queue.define('test.cancellable', {
          handler: (_payload, job) =>
            new Promise((_resolve, reject) => {
              runs++;
              started.resolve();
              job.signal.addEventListener('abort', () => {
                reason = job.signal.reason;
                reject(job.signal.reason);
              });
            }),
        });
        const queued = await queue.enqueue(knex, 'test.cancellable', null, { runAt: new Date(clock.now().getTime() + 60000) });
        expect(await queue.cancel(queued!)).to.equal(true);
        expect(await queue.cancel(queued!), 'already cancelled').to.equal(false);

        const id = await queue.enqueue(knex, 'test.cancellable');
        makeWorker(queue, { heartbeatIntervalMs: 10 }).start();
        await started.promise;
        expect(await queue.cancel(id!)).to.equal(true);
        await waitFor('the handler to be aborted', () => reason !== null);
        expect(reason).to.be.instanceOf(JobLeaseLostError);
        await sleep(30);
        expect(await jobState(queue, id!)).to.include({ state: 'cancelled', attempts: 1 });
        clock.advance(60000);
        await sleep(60);
        expect(runs).to.equal(1);
        expect((await jobState(queue, queued!)).state).to.equal('cancelled');
      });

      it('stops gracefully: waits for a running job within the grace period', async () => {
        const queue = makeQueue();
        const started = deferred();
        queue.define('test.finishes', {
          handler: async () => {
            started.resolve();
            await sleep(150);
            return 'done';
          },
        });
        const id = await queue.enqueue(knex, 'test.finishes');
        const worker = makeWorker(queue);
        worker.start();
        await started.promise;
        const t0 = performance.now();
        await worker.stop(3000);
        expect(performance.now() - t0).to.be.greaterThan(100);
        expect(await jobState(queue, id!)).to.include({ state: 'succeeded', result: 'done' });
        expect(worker.isRunning).to.equal(false);
      });

      it('stops gracefully: after the grace period aborts the job and gives it back uncounted', async () => {
        const queue = makeQueue();
        const started = deferred();
        let first: AbortSignal | null = null;
        queue.define('test.too-long', {
          handler: (_payload, job) => {
            if (first) return 'second worker finished it';
            first = job.signal;
            started.resolve();
            return never(); // ignores the signal
          },
        });
        const id = await queue.enqueue(knex, 'test.too-long');
        const worker = makeWorker(queue);
        worker.start();
        await started.promise;
        await worker.stop(50);
        const seen = first as AbortSignal | null;
        expect(seen?.reason).to.be.instanceOf(WorkerStoppingError);
        expect(await jobState(queue, id!)).to.include({ state: 'queued', attempts: 0, lockedBy: null });

        makeWorker(queue).start();
        await waitFor('another worker to finish it', async () => (await jobState(queue, id!)).state === 'succeeded');
        expect(await jobState(queue, id!)).to.include({ attempts: 1, result: 'second worker finished it' });
      });
    });

    describe('scheduler', () => {
      it('fires an interval schedule once per due time across two schedulers, without catching up after downtime', async () => {
        const other = await backend.another();
        const queueA = makeQueue(knex);
        const queueB = makeQueue(other.knex);
        for (const queue of [queueA, queueB]) queue.define('test.tick', { handler: () => null });
        const schedulerA = makeScheduler(queueA, knex);
        const schedulerB = makeScheduler(queueB, other.knex);
        const defs = [{ name: 'every-minute', job: 'test.tick', everyMs: 60000, payload: { from: 'schedule' } }];
        await schedulerA.sync(defs);
        clock.advance(30000);
        await schedulerB.sync(defs); // unchanged: keeps next_run_at
        expect((await schedulerA.list())[0]).to.include({ nextRunAt: '2024-05-01T00:01:00', lastRunAt: null });

        const tickBoth = async () => (await Promise.all([schedulerA.tick(), schedulerB.tick()])).flat();
        expect(await tickBoth(), 'not due yet').to.deep.equal([]);

        clock.advance(30000);
        let fired = await tickBoth();
        expect(fired).to.have.length(1);
        expect(fired[0].jobId).to.be.a('string');
        let jobs = await queueA.list();
        expect(jobs).to.have.length(1);
        expect(jobs[0]).to.include({ type: 'test.tick', dedupeKey: 'schedule:every-minute' });
        expect(jobs[0].payload).to.deep.equal({ from: 'schedule' });
        expect(await tickBoth(), 'fired once for this due time').to.deep.equal([]);

        clock.advance(60000);
        fired = await tickBoth();
        expect(fired).to.have.length(1);
        expect(fired[0].jobId, 'the previous run is still queued').to.equal(null);
        expect(await queueA.list()).to.have.length(1);

        const [claimed] = await queueA.claim('w', 1);
        await queueA.complete(claimed);
        clock.advance(10.5 * 60000); // down for ten minutes
        fired = await tickBoth();
        expect(fired).to.have.length(1);
        expect(fired[0].jobId).to.be.a('string');
        expect(fired[0].nextRunAt.toISOString()).to.equal('2024-05-01T00:13:00.000Z');
        expect(await queueA.list()).to.have.length(2);
        const [schedule] = await schedulerA.list();
        expect(schedule).to.include({ nextRunAt: '2024-05-01T00:13:00', lastRunAt: '2024-05-01T00:12:30', lastJobId: fired[0].jobId });
        jobs = await queueA.list({ state: 'queued' });
        expect(jobs.map((job) => job.id)).to.deep.equal([fired[0].jobId]);
      });

      it('evaluates cron in the schedule\'s time zone, validates at sync, and follows changed definitions', async () => {
        const queue = makeQueue();
        queue.define('test.nightly', { handler: () => null });
        const scheduler = makeScheduler(queue);
        await scheduler.sync([
          { name: 'nightly', job: 'test.nightly', cron: '0 2 * * *' },
          { name: 'hourly-utc', job: 'test.nightly', cron: '15 * * * *', timezone: 'UTC' },
        ]);
        // 02:00 in Hồ Chí Minh City (UTC+7) is 19:00 UTC the day before.
        expect((await scheduler.list()).map((s) => [s.name, s.nextRunAt, s.timezone])).to.deep.equal([
          ['hourly-utc', '2024-05-01T00:15:00', 'UTC'],
          ['nightly', '2024-05-01T19:00:00', 'Asia/Ho_Chi_Minh'],
        ]);

        const rejects = async (def: object, pattern: RegExp) => {
          let error: unknown = null;
          await scheduler.sync([def as never]).catch((err) => (error = err));
          expect(String(error)).to.match(pattern);
        };
        await rejects({ name: 'bad', job: 'test.nightly', cron: '61 * * * *' }, /Schedule "bad": invalid cron expression "61 \* \* \* \*"/);
        await rejects({ name: 'bad', job: 'test.nightly', cron: '0 0 2 * * *' }, /five fields/);
        await rejects({ name: 'bad', job: 'test.nightly', cron: '0 2 * * *', timezone: 'Mars/Olympus' }, /unknown time zone/);
        await rejects({ name: 'bad', job: 'test.missing', everyMs: 1000 }, /job type "test.missing" is not defined/);
        await rejects({ name: 'bad', job: 'test.nightly', everyMs: 1000, cron: '* * * * *' }, /exactly one of everyMs and cron/);
        await rejects({ name: 'bad', job: 'test.nightly', everyMs: 0 }, /positive integer/);
        expect(await scheduler.list(), 'a failed sync changes nothing').to.have.length(2);

        clock.advance(20 * 60000);
        let fired = await scheduler.tick();
        expect(fired.map((f) => [f.name, f.nextRunAt.toISOString()])).to.deep.equal([['hourly-utc', '2024-05-01T01:15:00.000Z']]);

        // Same timing: next run kept. New timing: recomputed. Left out: deleted.
        await scheduler.sync([
          { name: 'nightly', job: 'test.nightly', cron: '0 2 * * *', payload: { changed: true } },
          { name: 'hourly-utc', job: 'test.nightly', cron: '45 * * * *', timezone: 'UTC' },
        ]);
        expect((await scheduler.list()).map((s) => [s.name, s.nextRunAt])).to.deep.equal([
          ['hourly-utc', '2024-05-01T00:45:00'],
          ['nightly', '2024-05-01T19:00:00'],
        ]);
        await scheduler.sync([{ name: 'nightly', job: 'test.nightly', cron: '0 2 * * *' }]);
        expect((await scheduler.list()).map((s) => s.name)).to.deep.equal(['nightly']);

        clock.set('2024-05-03T00:00:00Z'); // two nights missed: one run
        fired = await scheduler.tick();
        expect(fired.map((f) => [f.name, f.nextRunAt.toISOString()])).to.deep.equal([['nightly', '2024-05-03T19:00:00.000Z']]);
      });

      it('ticks on its own once started', async () => {
        const queue = makeQueue();
        queue.define('test.auto', { handler: () => null });
        const scheduler = makeScheduler(queue);
        await scheduler.sync([{ name: 'auto', job: 'test.auto', everyMs: 1000 }]);
        clock.advance(1000);
        scheduler.start(10);
        await waitFor('the schedule to fire', async () => (await queue.list()).length === 1);
        await scheduler.stop();
      });
    });

    describe('maintenance', () => {
      it('kho.jobs.purge deletes finished jobs older than keep_finished_days and nothing else', async () => {
        const queue = makeQueue();
        registerCoreJobs(queue);
        queue.define('test.x', { handler: () => null });
        const day = 24 * 60 * 60 * 1000;
        const oldDone = await queue.enqueue(knex, 'test.x');
        const oldFailed = await queue.enqueue(knex, 'test.x');
        const waiting = await queue.enqueue(knex, 'test.x', null, { runAt: new Date(clock.now().getTime() + 100 * day) });
        const claimed = await queue.claim('w', 10);
        await queue.complete(claimed.find((job) => job.id === oldDone)!);
        await queue.fail(claimed.find((job) => job.id === oldFailed)!, new Error('x'), { retry: false });
        clock.advance(14 * day);
        const recent = await queue.enqueue(knex, 'test.x');
        await queue.complete((await queue.claim('w', 10))[0]);
        clock.advance(1 * day);

        const scheduler = makeScheduler(queue);
        await scheduler.sync(coreSchedules());
        expect((await scheduler.list()).map((s) => s.job)).to.deep.equal([PURGE_JOB]);

        const purge = await queue.enqueue(knex, PURGE_JOB);
        makeWorker(queue).start();
        await waitFor('the purge', async () => (await jobState(queue, purge!)).state === 'succeeded');
        expect((await jobState(queue, purge!)).result).to.deep.equal({ deleted: 2 });
        const left = (await queue.list()).map((job) => job.id).sort();
        expect(left).to.deep.equal([waiting, recent, purge].sort());
      });
    });
  });
}
