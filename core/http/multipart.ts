// multipart/form-data bodies, as CKAN clients send them for uploads (ckanapi's `upload@file`,
// the web form's `upload` and `image_upload`). Files stream straight into the FileStore's
// temporary area through a multer storage engine, so no upload is ever held in memory. Fields stay
// flat strings as in CKAN (section 1.2 of the API notes): `a[b]` is a key named "a[b]", not a
// nested object as multer would make it, and a repeated key becomes a list.
import multer from '@koa/multer';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type Koa from 'koa';
import { BadRequest } from '../errors.ts';
import { UploadTooLarge } from '../storage/file-store.ts';
import { decodeUrlSegmentName } from '../storage/filename.ts';
import type { FileStore, UploadedFile } from '../storage/file-store.ts';

export interface MultipartOptions {
  /** Largest accepted file, in bytes (CKAN's ckan.max_resource_size). */
  maxFileBytes: number;
  /** Per-field limits that override maxFileBytes, e.g. `{ image_upload: <ckan.max_image_size> }`. */
  maxBytesByField?: Readonly<Record<string, number>>;
  /** Most file parts in one request. Default 10. */
  maxFiles?: number;
  /** Most non-file fields. Default 1000. */
  maxFields?: number;
  /** All text fields together (names and values), in bytes. Default 8 MiB. */
  maxFieldsBytes?: number;
  /** Longest single field value in bytes. Default: maxFieldsBytes. */
  maxFieldBytes?: number;
  /** Longest field name in bytes. Default 200. */
  maxFieldNameBytes?: number;
}

export interface MultipartBody {
  /** Text fields; a name sent more than once gives the list of its values, in order. */
  fields: Record<string, string | string[]>;
  /** Received files in the order they arrived, still in the temporary area. */
  files: UploadedFile[];
}

/** The client went away before the body was complete. Nobody is left to read the answer. */
export class RequestAborted extends BadRequest {
  readonly aborted = true;
  constructor() {
    super('Bad request - the client closed the connection');
  }
}

/** The text fields are over their limits. HTTP 413. */
export class RequestTooLarge extends Error {
  readonly status = 413;
  constructor(limitBytes: number) {
    super(`Request body too large: the form fields exceed the limit of ${formatBytes(limitBytes)}`);
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1048576 ? `${Math.round((bytes / 1048576) * 10) / 10} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export function isMultipart(ctx: Koa.Context): boolean {
  return Boolean(ctx.request.is('multipart/form-data'));
}

/**
 * Read a multipart/form-data request. Resolves with flat fields and received (not yet committed)
 * files; the caller must commit or discard every file. Rejects, with every received file already
 * deleted, with UploadTooLarge (a file over its limit; `fieldName` says which field),
 * RequestTooLarge (413: text fields over their limits), RequestAborted (a BadRequest: the client
 * disconnected), BadRequest (malformed body, too many files or fields), or the FileStore's own
 * error (disk full, permissions).
 */
export async function parseMultipart(ctx: Koa.Context, fileStore: FileStore, options: MultipartOptions): Promise<MultipartBody> {
  if (!isMultipart(ctx)) throw new BadRequest('Bad request - Multipart Error: the request body is not multipart/form-data');
  const maxFiles = options.maxFiles ?? 10;
  const maxFields = options.maxFields ?? 1000;
  const maxFieldsBytes = options.maxFieldsBytes ?? 8 * 1024 * 1024;
  const maxFieldBytes = Math.min(options.maxFieldBytes ?? maxFieldsBytes, maxFieldsBytes);

  const fields = new Map<string, string | string[]>();
  const receipts: Receipt[] = [];
  // multer reports an error only once the rest of the body has been read and thrown away, which
  // for a multi-GB file over the limit means a long wait; answering at once lets the client stop.
  let answerTooLarge!: (error: UploadTooLarge) => void;
  const tooLarge = new Promise<never>((_resolve, reject) => (answerTooLarge = reject));
  tooLarge.catch(() => {});
  const middleware = multer({
    storage: fileStoreEngine(fileStore, (fieldName) => fileLimitFor(options, fieldName), receipts, (error) => {
      if (error instanceof UploadTooLarge) answerTooLarge(error);
    }),
    limits: {
      fileSize: Infinity, // enforced by FileStore.receive, which reports it as UploadTooLarge
      files: maxFiles,
      fields: maxFields,
      parts: maxFiles + maxFields,
      fieldSize: maxFieldBytes,
      fieldNameSize: options.maxFieldNameBytes ?? 200,
    },
    // Browsers, Node's FormData and Python's requests all send UTF-8 file names as raw bytes;
    // multer's default of latin1 turns "Danh sách.csv" into mojibake.
    defParamCharset: 'utf8',
    // busboy turns a file name of "." or ".." into "", and multer then drops the file without a
    // word; keeping the name as sent lets sanitizeFilename() make the one decision about names.
    preservePath: true,
    streamHandler(req: IncomingMessage, busboy: FieldSource & NodeJS.WritableStream) {
      // multer's own listener nests bracketed names; this one keeps CKAN's flat dict.
      let fieldsBytes = 0;
      busboy.on('field', (name: string, value: string, info: { nameTruncated: boolean; valueTruncated: boolean }) => {
        if (name == null || info.nameTruncated || info.valueTruncated) return; // multer rejects these
        fieldsBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
        // Destroying busboy with an error makes multer abort and clean up as for any parse error.
        if (fieldsBytes > maxFieldsBytes) busboy.destroy(new RequestTooLarge(maxFieldsBytes));
        else addField(fields, decodeFormDataName(name), value);
      });
      req.pipe(busboy);
    },
  } as MulterOptionsWithExtras).any();

  const leftovers = rememberMulterLeftovers(ctx);
  try {
    const parsing = middleware(ctx, async () => {});
    parsing.catch(() => {}); // after an early answer its late rejection has no one to tell
    await Promise.race([parsing, tooLarge]);
    const files = ((ctx.files ?? []) as Array<{ upload?: UploadedFile }>).flatMap((file) => (file.upload ? [file.upload] : []));
    return { fields: Object.fromEntries(fields), files };
  } catch (error) {
    await discardAll(fileStore, receipts);
    throw translateError(error, ctx, maxFieldBytes);
  } finally {
    leftovers.restore();
  }
}

interface Receipt {
  stream: Readable;
  result: Promise<UploadedFile>;
}

interface FieldSource {
  destroy(error?: Error): unknown;
  on(event: 'field', listener: (name: string, value: string, info: { nameTruncated: boolean; valueTruncated: boolean }) => void): unknown;
}

// Options multer 2 accepts that @types/koa__multer does not know about yet.
type MulterOptionsWithExtras = multer.Options & {
  defParamCharset?: string;
  streamHandler?: (req: IncomingMessage, busboy: FieldSource & NodeJS.WritableStream) => void;
};

function fileLimitFor(options: MultipartOptions, fieldName: string): number {
  const byField = options.maxBytesByField;
  return byField && Object.prototype.hasOwnProperty.call(byField, fieldName) ? byField[fieldName] : options.maxFileBytes;
}

function fileStoreEngine(
  fileStore: FileStore,
  maxBytesFor: (fieldName: string) => number,
  receipts: Receipt[],
  onFailure: (error: unknown) => void,
): multer.StorageEngine {
  return {
    _handleFile(_req, file, callback) {
      const stream = (file as unknown as { stream: Readable }).stream;
      const maxBytes = maxBytesFor(file.fieldname);
      const result = fileStore.receive(stream, { fieldName: file.fieldname, filename: decodeUrlSegmentName(file.originalname), maxBytes });
      receipts.push({ stream, result });
      result.then(
        (upload) => callback(null, { upload } as unknown as multer.File),
        (error: unknown) => {
          callback(error); // first, so multer stops accepting files before anyone reacts
          onFailure(error);
        },
      );
    },
    _removeFile(_req, file, callback) {
      const upload = (file as unknown as { upload?: UploadedFile }).upload;
      void (upload ? fileStore.discard(upload) : Promise.resolve()).then(() => callback(null as unknown as Error));
    },
  };
}

/**
 * On failure multer removes the files it knows are complete, but it can give up while one is still
 * being written (client abort) or, after an error elsewhere, stop feeding a file that will then
 * never end. Ending every source and waiting for every receive makes "nothing left on disk" hold
 * by the time parseMultipart rejects.
 */
async function discardAll(fileStore: FileStore, receipts: Receipt[]): Promise<void> {
  for (const receipt of receipts) {
    if (!receipt.stream.destroyed) receipt.stream.destroy();
  }
  const settled = await Promise.allSettled(receipts.map((receipt) => receipt.result));
  await Promise.all(settled.map((outcome) => (outcome.status === 'fulfilled' ? fileStore.discard(outcome.value) : undefined)));
}

function addField(fields: Map<string, string | string[]>, name: string, value: string): void {
  const previous = fields.get(name);
  if (previous === undefined) fields.set(name, value);
  else if (Array.isArray(previous)) previous.push(value);
  else fields.set(name, [previous, value]);
}

// The HTML spec makes browsers escape LF, CR and '"' in part names as %0A, %0D and %22; only those
// are reversed, so a name containing a literal "%41" stays as sent (multer does the same).
function decodeFormDataName(name: string): string {
  return name.replace(/%0A|%0D|%22/gi, (match) => ({ '%0A': '\n', '%0D': '\r', '%22': '"' })[match.toUpperCase()] ?? match);
}

const MULTER_MESSAGES: Readonly<Record<string, string>> = {
  LIMIT_FILE_COUNT: 'too many files',
  LIMIT_FIELD_COUNT: 'too many fields',
  LIMIT_PART_COUNT: 'too many parts',
  LIMIT_FIELD_KEY: 'a field name is too long',
  MISSING_FIELD_NAME: 'a part has no field name',
};

function translateError(error: unknown, ctx: Koa.Context, maxFieldBytes: number): unknown {
  if (error instanceof UploadTooLarge || error instanceof RequestTooLarge) return error;
  if (!ctx.req.complete && ctx.req.destroyed) return new RequestAborted();
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (error.name === 'MulterError' && typeof code === 'string') {
    if (code === 'LIMIT_FIELD_VALUE') return new RequestTooLarge(maxFieldBytes);
    const field = (error as { field?: string }).field;
    const detail = MULTER_MESSAGES[code] ?? error.message;
    return new BadRequest(`Bad request - Multipart Error: ${detail}${field ? ` (${field})` : ''}`);
  }
  // busboy reports a malformed body ("Unexpected end of form", "Malformed part header",
  // "Multipart: Boundary not found") with a bare Error and no code; file system errors carry a code
  // and programming errors a more specific class, and those must surface as they are.
  if (error.constructor === Error && code === undefined) return new BadRequest(`Bad request - Multipart Error: ${error.message}`);
  return error;
}

// @koa/multer moves multer's results onto ctx (request.body with multer's nested fields, files,
// file); parseMultipart returns its own results, so those are put back as they were.
function rememberMulterLeftovers(ctx: Koa.Context): { restore(): void } {
  const request = ctx.request as unknown as Record<string, unknown>;
  const hadBody = Object.prototype.hasOwnProperty.call(request, 'body');
  const body = request.body;
  return {
    restore() {
      if (hadBody) request.body = body;
      else delete request.body;
      for (const target of [ctx as unknown as Record<string, unknown>, request, ctx.req as unknown as Record<string, unknown>]) {
        delete target.files;
        delete target.file;
      }
      delete (ctx.req as unknown as Record<string, unknown>).body;
    },
  };
}
