import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { UploadTooLarge } from '../../../core/storage/file-store.ts';
import type { UploadedFile } from '../../../core/storage/file-store.ts';
import { InvalidStorageKey, LocalFileStore } from '../../../core/storage/local-file-store.ts';
import { VIETNAMESE_CSV, pngBytes } from './sample-files.ts';

/** Emits `total` bytes in `chunkSize` pieces, then optionally fails instead of ending. */
function byteSource(total: number, options: { chunkSize?: number; failAfter?: number; seed?: Buffer } = {}): { stream: Readable; hash: () => string } {
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const seed = options.seed ?? randomBytes(chunkSize);
  const hash = createHash('sha256');
  let sent = 0;
  const stream = new Readable({
    read() {
      if (options.failAfter !== undefined && sent >= options.failAfter) {
        this.destroy(new Error('connection reset by peer'));
        return;
      }
      if (sent >= total) {
        this.push(null);
        return;
      }
      const piece = seed.subarray(0, Math.min(chunkSize, total - sent));
      hash.update(piece);
      sent += piece.length;
      this.push(piece);
    },
  });
  return { stream, hash: () => hash.digest('hex') };
}

describe('LocalFileStore', () => {
  let root: string;
  let store: LocalFileStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kho-store-'));
    store = new LocalFileStore({ root });
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function tempFiles(): Promise<string[]> {
    return readdir(store.tempDir).catch(() => []);
  }

  describe('receive', () => {
    it('computes the sha256 and size of a multi-MB stream and keeps it in the temp folder', async () => {
      const total = 5 * 1024 * 1024 + 123;
      const source = byteSource(total);
      const upload = await store.receive(source.stream, { fieldName: 'upload', filename: 'big.bin', maxBytes: 10 * 1024 * 1024 });
      expect(upload.kind).to.equal('upload');
      expect(upload.fieldName).to.equal('upload');
      expect(upload.size).to.equal(total);
      expect(upload.sha256).to.equal(source.hash());
      expect(upload.tempPath.startsWith(store.tempDir)).to.equal(true);
      expect((await stat(upload.tempPath)).size).to.equal(total);
      const onDisk = createHash('sha256').update(await readFile(upload.tempPath)).digest('hex');
      expect(onDisk).to.equal(upload.sha256);
    });

    it('sanitises the name and sniffs the type from the content', async () => {
      const upload = await store.receive(Readable.from([Buffer.from(VIETNAMESE_CSV)]), {
        fieldName: 'upload',
        filename: '../../Danh sách trường học 2024.csv',
        maxBytes: 1024 * 1024,
      });
      expect(upload.filename).to.equal('Danh sách trường học 2024.csv');
      expect(upload.mimetype).to.equal('text/csv');

      const png = await store.receive(Readable.from([pngBytes()]), { fieldName: 'image_upload', filename: 'logo.csv', maxBytes: 1024 });
      expect(png.mimetype).to.equal('image/png');
    });

    it('accepts a file of exactly maxBytes and an empty file', async () => {
      const exact = await store.receive(byteSource(1000, { chunkSize: 300 }).stream, { fieldName: 'upload', filename: 'a', maxBytes: 1000 });
      expect(exact.size).to.equal(1000);
      const empty = await store.receive(Readable.from([]), { fieldName: 'upload', filename: 'empty.csv', maxBytes: 10 });
      expect(empty.size).to.equal(0);
      expect(empty.sha256).to.equal(createHash('sha256').digest('hex'));
      expect(empty.mimetype).to.equal('text/csv');
    });

    it('rejects an upload over the limit with UploadTooLarge, destroys the source and leaves nothing behind', async () => {
      const source = byteSource(3 * 1024 * 1024);
      let error: unknown;
      try {
        await store.receive(source.stream, { fieldName: 'upload', filename: 'big.bin', maxBytes: 1024 * 1024 });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(UploadTooLarge);
      expect((error as UploadTooLarge).maxBytes).to.equal(1024 * 1024);
      expect((error as UploadTooLarge).fieldName).to.equal('upload');
      expect(source.stream.destroyed).to.equal(true);
      expect(await tempFiles()).to.deep.equal([]);
    });

    it('leaves nothing behind when the source fails mid-stream', async () => {
      const source = byteSource(4 * 1024 * 1024, { failAfter: 1024 * 1024 });
      let error: unknown;
      try {
        await store.receive(source.stream, { fieldName: 'upload', filename: 'x.bin', maxBytes: 10 * 1024 * 1024 });
      } catch (caught) {
        error = caught;
      }
      expect((error as Error).message).to.equal('connection reset by peer');
      expect(await tempFiles()).to.deep.equal([]);
    });

    it('leaves nothing behind when the source is destroyed without an error (client went away)', async () => {
      const stream = new Readable({ read() {} });
      stream.push(Buffer.alloc(10_000, 1));
      const pending = store.receive(stream, { fieldName: 'upload', filename: 'x.bin', maxBytes: 1e9 });
      setTimeout(() => stream.destroy(), 20);
      let error: unknown;
      try {
        await pending;
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(Error);
      expect(await tempFiles()).to.deep.equal([]);
    });
  });

  describe('commit', () => {
    async function receiveText(content: string, filename = 'data.csv'): Promise<UploadedFile> {
      return store.receive(Readable.from([Buffer.from(content)]), { fieldName: 'upload', filename, maxBytes: 1e6 });
    }

    it('moves the file into place, creating folders, and empties the temp area', async () => {
      const upload = await receiveText(VIETNAMESE_CSV);
      const key = 'resources/ab/cd/abcd1234-0000-4000-8000-000000000000/1';
      await store.commit(upload, key);
      expect(await readFile(join(root, key), 'utf8')).to.equal(VIETNAMESE_CSV);
      expect(await tempFiles()).to.deep.equal([]);
      expect(await store.stat(key)).to.include({ size: Buffer.byteLength(VIETNAMESE_CSV) });
    });

    it('replaces an existing file whole, while a reader of the old file still gets all of it', async () => {
      const key = 'resources/aa/bb/x/1';
      const oldContent = 'old,'.repeat(200_000);
      await store.commit(await receiveText(oldContent), key);
      const reader = store.createReadStream(key);
      await new Promise((resolveOpen) => reader.once('open', resolveOpen));
      await store.commit(await receiveText('new content'), key);
      expect(await text(reader)).to.equal(oldContent);
      expect(await readFile(join(root, key), 'utf8')).to.equal('new content');
    });

    it('refuses keys that are absolute, climb out of the root or point into the temp area', async () => {
      const upload = await receiveText('x');
      const badKeys = ['', '/etc/passwd', '../outside', 'a/../../outside', 'a/./b', 'a//b', 'a/', 'a\\..\\b', 'C:/x', 'tmp/upload', 'a\u0000b'];
      for (const key of badKeys) {
        let error: unknown;
        try {
          await store.commit(upload, key);
        } catch (caught) {
          error = caught;
        }
        expect(error, JSON.stringify(key)).to.be.instanceOf(InvalidStorageKey);
        expect(() => store.createReadStream(key), JSON.stringify(key)).to.throw(InvalidStorageKey);
      }
      // The upload is untouched and can still be committed properly.
      await store.commit(upload, 'resources/ok');
      expect(await readFile(join(root, 'resources/ok'), 'utf8')).to.equal('x');
    });

    it('refuses to move a file that is not one of its temporary uploads', async () => {
      const victim = join(root, 'victim.txt');
      await writeFile(victim, 'keep me');
      const forged: UploadedFile = { kind: 'upload', fieldName: 'upload', filename: 'x', tempPath: victim, size: 7, sha256: '', mimetype: 'text/plain' };
      let error: unknown;
      try {
        await store.commit(forged, 'resources/stolen');
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(Error);
      await store.discard(forged); // never throws, never deletes
      expect(await readFile(victim, 'utf8')).to.equal('keep me');
    });

    it('discard deletes a received file and never throws', async () => {
      const upload = await receiveText('bye');
      await store.discard(upload);
      await store.discard(upload);
      expect(await tempFiles()).to.deep.equal([]);
    });
  });

  describe('reading and removing', () => {
    it('streams a byte range (end inclusive)', async () => {
      const key = 'resources/r/1';
      await store.commit(await store.receive(Readable.from([Buffer.from('0123456789')]), { fieldName: 'upload', filename: 'd.txt', maxBytes: 100 }), key);
      expect(await text(store.createReadStream(key, { start: 2, end: 5 }))).to.equal('2345');
      expect(await text(store.createReadStream(key, { start: 9, end: 9 }))).to.equal('9');
      expect(await text(store.createReadStream(key))).to.equal('0123456789');
    });

    it('stat answers null for a missing file, and remove is idempotent and prunes empty folders', async () => {
      const key = 'resources/ab/cd/id/1';
      expect(await store.stat(key)).to.equal(null);
      await store.commit(await store.receive(Readable.from([Buffer.from('x')]), { fieldName: 'upload', filename: 'd.txt', maxBytes: 100 }), key);
      await mkdir(join(root, 'resources/ab/other'), { recursive: true });
      await store.remove(key);
      await store.remove(key);
      expect(await store.stat(key)).to.equal(null);
      expect(await readdir(join(root, 'resources/ab'))).to.deep.equal(['other']);
    });
  });

  describe('sweepTemp', () => {
    it('deletes only temporary files older than the cut-off', async () => {
      await mkdir(store.tempDir, { recursive: true });
      const stale = join(store.tempDir, 'upload-stale.part');
      const fresh = join(store.tempDir, 'upload-fresh.part');
      await writeFile(stale, 'left by a crash');
      await writeFile(fresh, 'still uploading');
      const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
      await utimes(stale, twoHoursAgo, twoHoursAgo);
      expect(await store.sweepTemp(60 * 60 * 1000)).to.equal(1);
      expect(await tempFiles()).to.deep.equal(['upload-fresh.part']);
    });

    it('copes with a temp folder that does not exist yet', async () => {
      expect(await store.sweepTemp(0)).to.equal(0);
    });
  });
});
