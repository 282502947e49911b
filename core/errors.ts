// The error vocabulary of the whole server. It lives at the bottom of the dependency graph so that
// validation, repositories and search can raise CKAN's errors without importing the HTTP layer.
// Each class knows its CKAN `__type` and HTTP status; core/http/envelope.ts turns them into responses.

export type ErrorDict = { [field: string]: unknown };

export abstract class ActionError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  /** The `error` object of CKAN's envelope, without `__type`. */
  abstract body(): Record<string, unknown>;
}

/** 409 with the field-error dict, e.g. `{name: ["That URL is already in use."]}`. */
export class ValidationError extends ActionError {
  readonly status = 409;
  readonly type = 'Validation Error';
  readonly errors: ErrorDict;

  constructor(errors: ErrorDict | string) {
    const dict: ErrorDict = typeof errors === 'string' ? { message: errors } : errors;
    super(typeof errors === 'string' ? errors : summarise(dict));
    this.errors = dict;
  }

  body(): Record<string, unknown> {
    // CKAN's ValidationError constructor flattens tag errors into a list of strings.
    const out: Record<string, unknown> = { ...this.errors };
    if (Array.isArray(out.tags)) out.tags = flattenTagErrors(out.tags);
    return out;
  }
}

function flattenTagErrors(tags: unknown[]): string[] {
  const messages: string[] = [];
  for (const entry of tags) {
    if (typeof entry === 'string') messages.push(entry);
    else if (entry && typeof entry === 'object') {
      for (const value of Object.values(entry)) {
        if (Array.isArray(value)) messages.push(...value.map(String));
        else if (value != null) messages.push(String(value));
      }
    }
  }
  return messages;
}

function summarise(errors: ErrorDict): string {
  return Object.entries(errors)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join('; ');
}

/** 404 "Not found[: detail]". */
export class NotFound extends ActionError {
  readonly status = 404;
  readonly type = 'Not Found Error';
  readonly detail: string;
  constructor(detail = '') {
    super(detail ? `Not found: ${detail}` : 'Not found');
    this.detail = detail;
  }
  body() {
    return { message: this.message };
  }
}

/** 403 "Access denied[: detail]". CKAN never answers 401 from the Action API. */
export class NotAuthorized extends ActionError {
  readonly status = 403;
  readonly type = 'Authorization Error';
  readonly detail: string;
  constructor(detail = '') {
    super(detail ? `Access denied: ${detail}` : 'Access denied');
    this.detail = detail;
  }
  body() {
    return { message: this.message };
  }
}

/** 400 "Integrity Error": malformed nesting, e.g. a list of strings where a list of dicts belongs. */
export class DataError extends ActionError {
  readonly status = 400;
  readonly type = 'Integrity Error';
  data: unknown = undefined;
  constructor(message: string) {
    super(message);
  }
  body() {
    return { message: this.message, data: this.data };
  }
}

/** 400 "Search Query Error". CKAN formats the message with Python's %r of the exception args. */
export class SearchQueryError extends ActionError {
  readonly status = 400;
  readonly type = 'Search Query Error';
  body() {
    return { message: `Search Query is invalid: ${pyRepr(this.message)}` };
  }
}

/** 409 "Search Error": local params, backend failures. */
export class SearchError extends ActionError {
  readonly status = 409;
  readonly type = 'Search Error';
  body() {
    return { message: `Search error: ${pyRepr(this.message)}` };
  }
}

/** A search stopped at search.timeout_ms: still CKAN's 409 "Search Error", told apart for the UI. */
export class SearchTimeoutError extends SearchError {}

/** 500 "Search Index Error". */
export class SearchIndexError extends ActionError {
  readonly status = 500;
  readonly type = 'Search Index Error';
  body() {
    return { message: `Unable to add package to search index: ${this.message}` };
  }
}

/**
 * Raised before an action runs (unknown action, undecodable body). CKAN answers these with a bare
 * JSON string "Bad request - ..." instead of the envelope.
 */
export class BadRequest extends Error {
  readonly status = 400;
}

/** A configuration or boot problem; the CLI prints the message as one line and exits. */
export class ConfigError extends Error {}

/** Python's repr() of a str, as CKAN's "%r" formatting shows it to clients. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  if (quote === "'") body = body.replace(/'/g, "\\'");
  return quote + body + quote;
}
