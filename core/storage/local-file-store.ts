// The FileStore on a local disk. Uploads stream into <root>/tmp and are renamed into place, which is
// atomic because the temporary folder sits under the same root (and so on the same file system).
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import type { Readable, TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UploadTooLarge } from './file-store.ts';
import type { ByteRange, FileStore, StoredFileInfo, UploadedFile } from './file-store.ts';
import { sanitizeFilename } from './filename.ts';
import { SNIFF_BYTES, sniffMimetype } from './mimetype.ts';

export interface LocalFileStoreOptions {
  /** Folder that holds every stored file; created on demand. */
  root: string;
}

const TEMP_FOLDER = 'tmp';
const TEMP_NAME = /^upload-[0-9a-f-]{36}\.part$/;

/** A storage key that could escape the store or collide with its temporary area. */
export class InvalidStorageKey extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`Invalid storage key: ${JSON.stringify(key)}`);
    this.key = key;
  }
}

export class LocalFileStore implements FileStore {
  readonly root: string;
  readonly tempDir: string;

  constructor(options: LocalFileStoreOptions) {
    this.root = resolve(options.root);
    this.tempDir = join(this.root, TEMP_FOLDER);
  }

  async receive(source: Readable, options: { fieldName: string; filename: string; maxBytes: number }): Promise<UploadedFile> {
    const tempPath = join(this.tempDir, `upload-${randomUUID()}.part`);
    let handle: FileHandle;
    try {
      await mkdir(this.tempDir, { recursive: true });
      // "wx": never write through a file (or symlink) that is already there.
      handle = await open(tempPath, 'wx');
    } catch (error) {
      source.destroy();
      throw error;
    }

    const meter = new UploadMeter(options.maxBytes, options.fieldName);
    const out = handle.createWriteStream();
    try {
      // pipeline destroys the source when the meter or the disk fails, and fails itself when the
      // source errors or closes before its end (a client that goes away mid-body).
      await pipeline(source, meter, out);
      const filename = sanitizeFilename(options.filename);
      return Object.freeze({
        kind: 'upload' as const,
        fieldName: options.fieldName,
        filename,
        tempPath,
        size: meter.size,
        sha256: meter.digest(),
        mimetype: await sniffMimetype(meter.head(), filename),
      });
    } catch (error) {
      // The descriptor must be closed before the unlink, or a write still in flight could land in
      // a file nobody will ever delete (on Windows the unlink would fail outright).
      await whenClosed(out);
      await rm(tempPath, { force: true });
      throw error;
    }
  }

  async commit(upload: UploadedFile, key: string): Promise<void> {
    const from = this.ownTempPath(upload);
    const to = this.pathFor(key);
    // remove() prunes empty folders, so a folder made here can vanish before the rename; retry.
    for (let attempt = 1; ; attempt++) {
      await mkdir(dirname(to), { recursive: true });
      try {
        await rename(from, to);
        return;
      } catch (error) {
        if (errorCode(error) !== 'ENOENT' || attempt === 3 || !(await exists(from))) throw error;
      }
    }
  }

  async discard(upload: UploadedFile): Promise<void> {
    try {
      await rm(this.ownTempPath(upload), { force: true });
    } catch {
      // Never throws, as promised: a temp file left behind is swept at the next start-up.
    }
  }

  async remove(key: string): Promise<void> {
    const path = this.pathFor(key);
    try {
      await unlink(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return;
      throw error;
    }
    await this.pruneEmptyFolders(dirname(path));
  }

  async stat(key: string): Promise<StoredFileInfo | null> {
    try {
      const info = await stat(this.pathFor(key));
      return info.isFile() ? { size: info.size, mtimeMs: info.mtimeMs } : null;
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return null;
      throw error;
    }
  }

  createReadStream(key: string, range?: ByteRange): Readable {
    return createReadStream(this.pathFor(key), range ? { start: range.start, end: range.end } : {});
  }

  /**
   * Delete temporary files older than `olderThanMs` (by modification time), left behind when the
   * process died mid-upload. Uploads in progress keep touching their file, so a live upload of
   * another process sharing the folder is never old. Returns how many files were deleted.
   */
  async sweepTemp(olderThanMs: number = 60 * 60 * 1000): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.tempDir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 0;
      throw error;
    }
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of names) {
      const path = join(this.tempDir, name);
      try {
        const info = await lstat(path);
        if (info.mtimeMs > cutoff) continue;
        await rm(path, { force: true, recursive: true });
        removed++;
      } catch {
        // Gone already, or not ours to delete; the next sweep will try again.
      }
    }
    return removed;
  }

  /** Absolute path of a key. Keys are relative, "/"-separated, with no empty, "." or ".." parts. */
  pathFor(key: string): string {
    if (typeof key !== 'string' || key === '' || key.includes('\0') || key.includes('\\') || isAbsolute(key) || /^[A-Za-z]:/.test(key)) {
      throw new InvalidStorageKey(String(key));
    }
    const parts = key.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..') || parts[0] === TEMP_FOLDER) {
      throw new InvalidStorageKey(key);
    }
    const path = resolve(this.root, ...parts);
    if (!path.startsWith(this.root + sep)) throw new InvalidStorageKey(key);
    return path;
  }

  // An UploadedFile is a plain object; one forged from request data must not let commit() move or
  // discard() delete an arbitrary file, so only names this store creates in its own temp folder pass.
  private ownTempPath(upload: UploadedFile): string {
    const path = typeof upload?.tempPath === 'string' ? resolve(upload.tempPath) : '';
    if (dirname(path) !== this.tempDir || !TEMP_NAME.test(basename(path))) {
      throw new Error(`Not a temporary upload of this store: ${JSON.stringify(upload?.tempPath)}`);
    }
    return path;
  }

  private async pruneEmptyFolders(folder: string): Promise<void> {
    let current = folder;
    while (current.startsWith(this.root + sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
      current = dirname(current);
    }
  }
}

/** Counts, hashes and keeps the first bytes for sniffing, failing as soon as the limit is passed. */
class UploadMeter extends Transform {
  size = 0;
  private readonly maxBytes: number;
  private readonly fieldName: string;
  private readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;

  constructor(maxBytes: number, fieldName: string) {
    super();
    this.maxBytes = maxBytes;
    this.fieldName = fieldName;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new UploadTooLarge(this.maxBytes, this.fieldName));
      return;
    }
    this.hash.update(chunk);
    if (this.headLength < SNIFF_BYTES) {
      const piece = chunk.subarray(0, SNIFF_BYTES - this.headLength);
      this.headChunks.push(Buffer.from(piece));
      this.headLength += piece.length;
    }
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  head(): Buffer {
    return Buffer.concat(this.headChunks, this.headLength);
  }
}

function whenClosed(stream: Writable): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolveClosed) => stream.once('close', () => resolveClosed()));
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}
