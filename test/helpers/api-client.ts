// A tiny HTTP client for tests, speaking to the Action API the way CKAN clients do.

export interface ApiResponse<T = any> {
  status: number;
  /** Parsed JSON (or the raw text when the body is not JSON). */
  body: T;
  text: string;
  headers: Headers;
}

export class ActionFailed extends Error {
  readonly response: ApiResponse;
  constructor(action: string, response: ApiResponse) {
    super(`${action} failed with ${response.status}: ${response.text.slice(0, 500)}`);
    this.response = response;
  }
}

export interface UploadFile {
  name: string;
  content: Buffer | string;
  type?: string;
}

export class ApiClient {
  readonly url: string;
  readonly token: string | null;

  constructor(url: string, token: string | null) {
    this.url = url;
    this.token = token;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { Authorization: this.token, ...extra } : extra;
  }

  async request(path: string, init: RequestInit = {}): Promise<ApiResponse> {
    const response = await fetch(this.url + path, { redirect: 'manual', ...init, headers: { ...this.headers(), ...(init.headers as Record<string, string>) } });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body, text, headers: response.headers };
  }

  /** POST a JSON body to /api/3/action/{name}. */
  post(action: string, data: unknown = {}, prefix = '/api/3/action'): Promise<ApiResponse> {
    return this.request(`${prefix}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data) });
  }

  /** GET /api/3/action/{name}?params (arrays become repeated parameters, as requests does). */
  get(action: string, params: Record<string, unknown> = {}, prefix = '/api/3/action'): Promise<ApiResponse> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      for (const item of Array.isArray(value) ? value : [value]) search.append(key, typeof item === 'string' ? item : JSON.stringify(item));
    }
    const query = search.toString();
    return this.request(`${prefix}/${action}${query ? `?${query}` : ''}`);
  }

  /** POST and return `result`, throwing when the call did not succeed. */
  async call<T = any>(action: string, data: unknown = {}): Promise<T> {
    const response = await this.post(action, data);
    if (response.status !== 200 || !response.body?.success) throw new ActionFailed(action, response);
    return response.body.result as T;
  }

  /** multipart/form-data POST with string fields and files. */
  upload(action: string, fields: Record<string, string>, files: Record<string, UploadFile>): Promise<ApiResponse> {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    for (const [key, file] of Object.entries(files)) {
      const bytes = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
      form.append(key, new Blob([bytes], { type: file.type ?? 'application/octet-stream' }), file.name);
    }
    return this.request(`/api/3/action/${action}`, { method: 'POST', body: form });
  }
}
