// Errors of the Elasticsearch backend as package_search reports them.
import { ActionError, SearchError } from '../../../core/errors.ts';

/** Elasticsearch cannot be reached (down, timed out, refused): 500, never a hang. */
export class SearchConnectionError extends ActionError {
  readonly status = 500;
  readonly type = 'Search Connection Error';
  body() {
    return { message: `Could not connect to the search index: ${this.message}` };
  }
}

const CONNECTION_ERRORS = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError', 'RequestAbortedError', 'ProductNotSupportedError']);

/** An error of the Elasticsearch client as CKAN's error vocabulary. */
export function searchErrorFrom(err: unknown): Error {
  const error = err as { name?: string; message?: string; meta?: { statusCode?: number; body?: any } };
  if (error?.name && CONNECTION_ERRORS.has(error.name)) return new SearchConnectionError(error.message ?? error.name);
  const status = error?.meta?.statusCode;
  if (status === 503 || status === 502 || status === 504) return new SearchConnectionError(`Elasticsearch answered ${status}`);
  if (status && status >= 400 && status < 500) {
    const reason = error.meta?.body?.error?.root_cause?.[0]?.reason ?? error.meta?.body?.error?.reason ?? error.message ?? 'bad request';
    return new SearchError(String(reason));
  }
  return err instanceof Error ? err : new Error(String(err));
}
