// Errors a job attempt can end with. The worker aborts the handler's signal with one of them, so a
// handler that checks `signal.reason` can tell a timeout from a shutdown.

/** The attempt ran past its timeout; counts as a failed attempt. */
export class JobTimeoutError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** Throw from a handler when retrying cannot help (bad payload, missing record): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** The worker is shutting down and its grace period is over; the job goes back to the queue uncounted. */
export class WorkerStoppingError extends Error {
  constructor() {
    super('worker stopped before the job finished');
    this.name = 'WorkerStoppingError';
  }
}

/** The job is no longer held by this worker: it was cancelled, or taken over after the lease ran out. */
export class JobLeaseLostError extends Error {
  constructor(id: string) {
    super(`job ${id} is no longer held by this worker (cancelled, or its lease expired and it was recovered)`);
    this.name = 'JobLeaseLostError';
  }
}

export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : typeof err === 'string' ? err : safeJson(err);
  return text.length > 8000 ? text.slice(0, 8000) + '…' : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
