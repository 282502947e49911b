// Where uploaded resource files live. Every stored file carries its sha256, size and media type
// (CKAN's `hash`, `size`, `mimetype`), and is written to a temporary file first, then moved into
// place only when complete, so a reader never sees half a file.
import type { Readable } from 'node:stream';

/** A file received from a client, complete on disk in the temporary area, not yet committed. */
export interface UploadedFile {
  readonly kind: 'upload';
  /** Multipart field name (usually "upload"). */
  readonly fieldName: string;
  /** Sanitised base name: no path, no control characters, never empty. */
  readonly filename: string;
  readonly tempPath: string;
  readonly size: number;
  /** Hex sha256 of the content. */
  readonly sha256: string;
  /** Sniffed from the content and the name, never taken from the client's Content-Type. */
  readonly mimetype: string;
}

export interface StoredFileInfo {
  size: number;
  mtimeMs: number;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface FileStore {
  /** Folder for temporary uploads (same file system as the store, so commit is a rename). */
  readonly tempDir: string;
  /**
   * Stream `source` into a temporary file, hashing and counting as it goes. Rejects with
   * UploadTooLarge (and leaves nothing behind) past `maxBytes`, or with the stream's error if the
   * client goes away mid-body.
   */
  receive(source: Readable, options: { fieldName: string; filename: string; maxBytes: number }): Promise<UploadedFile>;
  /** Move a received file into place under `key` (atomic rename). */
  commit(upload: UploadedFile, key: string): Promise<void>;
  /** Delete a received file that will not be committed. Never throws. */
  discard(upload: UploadedFile): Promise<void>;
  /** Delete a committed file. Never throws when it is already gone. */
  remove(key: string): Promise<void>;
  stat(key: string): Promise<StoredFileInfo | null>;
  createReadStream(key: string, range?: ByteRange): Readable;
}

export class UploadTooLarge extends Error {
  readonly maxBytes: number;
  /** The multipart field that carried the file ("upload", "image_upload"), to key the 409 error dict. */
  readonly fieldName: string | undefined;
  constructor(maxBytes: number, fieldName?: string) {
    super(`File upload too large: the limit is ${formatLimit(maxBytes)}`);
    this.maxBytes = maxBytes;
    this.fieldName = fieldName;
  }
}

function formatLimit(bytes: number): string {
  if (bytes >= 1048576) return `${Math.round((bytes / 1048576) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return !!value && typeof value === 'object' && (value as UploadedFile).kind === 'upload';
}
