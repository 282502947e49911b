// Turns an Action API request into CKAN's data_dict, in the order CKAN tries the sources
// (ckan/views/api.py _get_request_data): a form body (with the single-key JSON trick), else query
// parameters for GET-able actions, else the raw body as JSON whatever its Content-Type, then files.
import type Koa from 'koa';
import getRawBody from 'raw-body';
import { BadRequest, ValidationError } from '../../errors.ts';
import type { DataDict } from '../../actions/types.ts';
import { setOwn } from '../../validation/navl.ts';
import type { FileStore, UploadedFile } from '../../storage/file-store.ts';
import { parseMultipart } from '../multipart.ts';

export interface RequestData {
  data: DataDict;
  files: UploadedFile[];
}

export interface ParseOptions {
  sideEffectFree: boolean;
  maxBodyBytes: number;
  maxUploadBytes: number;
  /** Largest image_upload (logos and user pictures), CKAN's ckan.max_image_size. */
  maxImageBytes: number;
  fileStore: FileStore;
}

/** "a=1&a=2&b=3" → {a: ["1", "2"], b: "3"} (a repeated key becomes a list, as werkzeug's MultiDict). */
export function mixed(entries: Iterable<[string, string]>): DataDict {
  const out: DataDict = {};
  for (const [key, value] of entries) {
    if (!Object.hasOwn(out, key)) setOwn(out, key, value);
    else if (Array.isArray(out[key])) out[key].push(value);
    else setOwn(out, key, [out[key], value]);
  }
  return out;
}

function jsonError(detail: string): BadRequest {
  return new BadRequest(`Bad request - JSON Error: ${detail}`);
}

function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw jsonError(`Error decoding JSON data. Error: ${(err as Error).message}`);
  }
}

function pyReprish(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? text.slice(0, 200) + '…' : text;
}

function requireDict(value: unknown): DataDict {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw jsonError(`Request data JSON decoded to ${pyReprish(value)} but it needs to be a dictionary.`);
  }
  return value as DataDict;
}

async function readBody(ctx: Koa.Context, limit: number): Promise<string> {
  try {
    return await getRawBody(ctx.req, { limit, encoding: 'utf8', length: ctx.request.length });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      throw Object.assign(new ValidationError(`Request body too large: the limit is ${Math.round(limit / 1048576)} MB`), { status: 413 });
    }
    if (type === 'request.aborted') throw Object.assign(new BadRequest('Bad request - the client closed the connection'), { aborted: true });
    throw jsonError(`Could not read the request body: ${(err as Error).message}`);
  }
}

export async function parseRequestData(ctx: Koa.Context, options: ParseOptions): Promise<RequestData> {
  const method = ctx.method;
  if (method === 'GET' && !options.sideEffectFree) throw jsonError('Invalid request. Please use POST method for your request');

  const query = mixed(new URLSearchParams(ctx.querystring).entries());
  const hasQuery = Object.keys(query).length > 0;
  const type = (ctx.get('content-type') || '').toLowerCase();

  if (method === 'POST' && type.startsWith('multipart/form-data')) {
    const { fields, files } = await parseMultipart(ctx, options.fileStore, {
      maxFileBytes: options.maxUploadBytes,
      maxBytesByField: { image_upload: options.maxImageBytes },
      maxFieldsBytes: options.maxBodyBytes,
    });
    const data: DataDict = fieldsToData(fields);
    for (const file of files) setOwn(data, file.fieldName, file);
    return { data, files };
  }

  if (method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
    const text = await readBody(ctx, options.maxBodyBytes);
    // Clients that send JSON with curl -d get this content type; take the JSON as it is rather than
    // let form decoding mangle "+" and "&" inside it.
    const trimmed = text.trim();
    if (trimmed.startsWith('{')) {
      try {
        return { data: requireDict(JSON.parse(trimmed)), files: [] };
      } catch (err) {
        if (err instanceof BadRequest) throw err;
      }
    }
    const form = mixed(new URLSearchParams(text).entries());
    if (Object.keys(form).length) return { data: fieldsToData(form), files: [] };
    if (hasQuery && options.sideEffectFree) return { data: query, files: [] };
    return { data: {}, files: [] };
  }

  if (hasQuery && options.sideEffectFree) {
    // CKAN reads query parameters for GET-able actions and then ignores any body.
    if (method === 'POST') await readBody(ctx, options.maxBodyBytes).catch(() => '');
    return { data: query, files: [] };
  }
  if (method !== 'POST') return { data: {}, files: [] };
  const text = await readBody(ctx, options.maxBodyBytes);
  if (!text.trim()) return { data: {}, files: [] };
  return { data: requireDict(decodeJson(text)), files: [] };
}

/** A form with exactly one field whose value is "" or "1": the field name is the JSON body. */
function fieldsToData(form: DataDict): DataDict {
  const keys = Object.keys(form);
  if (keys.length === 1 && (form[keys[0]] === '' || form[keys[0]] === '1')) {
    return requireDict(decodeJson(keys[0]));
  }
  return form;
}
