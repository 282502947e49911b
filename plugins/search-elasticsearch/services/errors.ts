// Errors of the Elasticsearch backend as package_search reports them.
import { ActionError, SearchError } from '../../../core/errors.ts';

/** Elasticsearch cannot answer (down, timed out, refused, overloaded, misconfigured): 500, never a hang. */
export class SearchConnectionError extends ActionError {
  readonly status = 500;
  readonly type = 'Search Connection Error';
  body() {
    return { message: `Could not connect to the search index: ${this.message}` };
  }
}

const CONNECTION_ERRORS = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError', 'RequestAbortedError', 'ProductNotSupportedError']);

/** The reason Elasticsearch gave, as short as it says it. */
export function elasticsearchReason(err: unknown): string {
  const error = err as { message?: string; meta?: { body?: any } };
  const body = error?.meta?.body;
  return String(body?.error?.root_cause?.[0]?.reason ?? body?.error?.reason ?? error?.message ?? 'no reason given');
}

/** The type Elasticsearch gave (`index_not_found_exception`, …), if any. */
export function elasticsearchErrorType(err: unknown): string | undefined {
  const body = (err as { meta?: { body?: any } })?.meta?.body;
  return body?.error?.root_cause?.[0]?.type ?? body?.error?.type;
}

/**
 * An error of the Elasticsearch client as CKAN's error vocabulary. Only a 400 means the query
 * itself was refused (CKAN's Search Error, 409, as when Solr refuses one); anything else (401/403
 * credentials, 404 alias gone, 408/429 overloaded, 5xx) is the cluster's state, which the client
 * cannot fix by changing its query: Search Connection Error (500).
 */
export function searchErrorFrom(err: unknown): Error {
  if (err instanceof SearchConnectionError || err instanceof SearchError) return err;
  const error = err as { name?: string; message?: string; meta?: { statusCode?: number } };
  if (error?.name && CONNECTION_ERRORS.has(error.name)) return new SearchConnectionError(error.message ?? error.name);
  const status = error?.meta?.statusCode;
  if (status === 400) return new SearchError(elasticsearchReason(err));
  if (status && status > 400) return new SearchConnectionError(`Elasticsearch answered ${status}: ${elasticsearchReason(err)}`);
  return err instanceof Error ? err : new Error(String(err));
}
