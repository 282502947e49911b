// Uploads and downloads over real HTTP: a small Koa app wires parseMultipart and sendStoredFile the
// way the API layer will, and the tests talk to it with fetch, http.request and raw sockets.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Koa from 'koa';
import { BadRequest } from '../../../core/errors.ts';
import { RequestAborted, RequestTooLarge, parseMultipart } from '../../../core/http/multipart.ts';
import type { MultipartBody } from '../../../core/http/multipart.ts';
import { sendStoredFile } from '../../../core/http/send-stored-file.ts';
import type { StoredFileRef } from '../../../core/http/send-stored-file.ts';
import { UploadTooLarge } from '../../../core/storage/file-store.ts';
import type { FileStore } from '../../../core/storage/file-store.ts';
import { LocalFileStore } from '../../../core/storage/local-file-store.ts';
import { VIETNAMESE_CSV, pngBytes } from './sample-files.ts';

const LIMIT = 256 * 1024;

type Outcome = { body: MultipartBody } | { error: unknown };

describe('HTTP uploads and downloads', () => {
  let root: string;
  let store: LocalFileStore;
  let server: Server;
  let base: string;
  const outcomes: Array<Promise<Outcome>> = [];
  const storedFiles = new Map<string, StoredFileRef>();

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kho-http-files-'));
    store = new LocalFileStore({ root });
    const app = new Koa();
    app.silent = true; // Koa would print the socket error of the deliberately aborted upload
    app.use(async (ctx) => {
      if (ctx.path === '/upload') {
        let settle!: (outcome: Outcome) => void;
        outcomes.push(new Promise((resolveOutcome) => (settle = resolveOutcome)));
        try {
          const body = await parseMultipart(ctx, store, {
            maxFileBytes: LIMIT,
            maxBytesByField: { image_upload: 1024 },
            maxFiles: 3,
            maxFieldsBytes: 4096,
          });
          settle({ body });
          ctx.body = { fields: body.fields, files: body.files.map(({ tempPath: _tempPath, ...rest }) => rest) };
          // Like the API layer: whatever no action committed is discarded.
          for (const file of body.files) await store.discard(file);
        } catch (error) {
          settle({ error });
          if (error instanceof UploadTooLarge) {
            ctx.status = 409;
            ctx.body = { success: false, error: { __type: 'Validation Error', [error.fieldName ?? 'upload']: ['File upload too large'] } };
          } else if (error instanceof RequestAborted) {
            ctx.status = 400;
          } else if (error instanceof BadRequest) {
            ctx.status = 400;
            ctx.body = JSON.stringify(error.message);
          } else if (error instanceof RequestTooLarge) {
            ctx.status = 413;
            ctx.body = { success: false, error: { __type: 'Validation Error', message: error.message } };
          } else {
            throw error;
          }
        }
        return;
      }
      const stored = storedFiles.get(ctx.path);
      if (stored) await sendStoredFile(ctx, store, stored);
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolveListening) => server.once('listening', resolveListening));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolveClosed) => server.close(resolveClosed));
    await rm(root, { recursive: true, force: true });
  });

  async function tempFiles(): Promise<string[]> {
    return readdir(store.tempDir).catch(() => []);
  }

  /** Everything under the root except the (empty) temp folder. */
  async function storedEntries(): Promise<string[]> {
    return (await readdir(root)).filter((name) => name !== 'tmp');
  }

  describe('parseMultipart', () => {
    it('returns flat string fields, repeated names as lists, and files with sniffed types and Vietnamese names', async () => {
      const form = new FormData();
      form.append('package_id', 'truong-hoc');
      form.append('name', 'Danh sách trường học');
      form.append('tags', 'giáo dục');
      form.append('tags', 'thống kê');
      form.append('extras[0][key]', 'nguồn');
      form.append('upload', new Blob([VIETNAMESE_CSV], { type: 'text/html' }), 'Danh sách trường học 2024.csv');

      const response = await fetch(`${base}/upload`, { method: 'POST', body: form });
      expect(response.status).to.equal(200);
      const result = (await response.json()) as { fields: Record<string, unknown>; files: Array<Record<string, unknown>> };
      expect(result.fields).to.deep.equal({
        package_id: 'truong-hoc',
        name: 'Danh sách trường học',
        tags: ['giáo dục', 'thống kê'],
        'extras[0][key]': 'nguồn',
      });
      expect(result.files).to.have.length(1);
      expect(result.files[0]).to.deep.equal({
        kind: 'upload',
        fieldName: 'upload',
        filename: 'Danh sách trường học 2024.csv',
        size: Buffer.byteLength(VIETNAMESE_CSV),
        sha256: createHash('sha256').update(VIETNAMESE_CSV).digest('hex'),
        mimetype: 'text/csv',
      });
      expect(await tempFiles()).to.deep.equal([]);
    });

    it("never trusts the client's Content-Type or the file name's claims", async () => {
      const form = new FormData();
      form.append('upload', new Blob([pngBytes()], { type: 'text/html' }), 'logo.html');
      form.append('image_upload', new Blob(['<html><script>alert(1)</script></html>'], { type: 'image/png' }), 'photo.png');
      const response = await fetch(`${base}/upload`, { method: 'POST', body: form });
      const result = (await response.json()) as { files: Array<{ fieldName: string; mimetype: string }> };
      expect(result.files.map((file) => [file.fieldName, file.mimetype])).to.deep.equal([
        ['upload', 'image/png'],
        ['image_upload', 'text/plain'],
      ]);
    });

    it('answers an upload over the limit with UploadTooLarge and keeps nothing on disk', async () => {
      const form = new FormData();
      form.append('package_id', 'x');
      form.append('upload', new Blob([randomBytes(LIMIT + 1)]), 'too-big.bin');
      const response = await fetch(`${base}/upload`, { method: 'POST', body: form });
      expect(response.status).to.equal(409);
      expect(await response.json()).to.deep.equal({ success: false, error: { __type: 'Validation Error', upload: ['File upload too large'] } });
      expect(await tempFiles()).to.deep.equal([]);
      expect(await storedEntries()).to.deep.equal([]);
    });

    it('answers 409 as soon as the limit is passed, without waiting for the rest of the body', async () => {
      const boundary = 'kho-boundary-early';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="huge.bin"\r\n\r\n`;
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      await new Promise((resolveConnected) => socket.once('connect', resolveConnected));
      let answer = '';
      const answered = new Promise<void>((resolveAnswered) => {
        socket.on('data', (chunk: Buffer) => {
          answer += chunk.toString('latin1');
          if (answer.includes('\r\n\r\n')) resolveAnswered();
        });
      });
      socket.on('error', () => {});
      // Declares 100 MB but sends only a little more than the limit.
      socket.write(`POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`);
      socket.write(head);
      socket.write(randomBytes(LIMIT + 64 * 1024));
      await answered;
      socket.destroy();
      expect(answer.startsWith('HTTP/1.1 409')).to.equal(true);
      expect(await tempFiles()).to.deep.equal([]);
    });

    it('discards the files already received when a later one is over its field limit', async () => {
      const form = new FormData();
      form.append('first', new Blob(['small,file\n']), 'small.csv');
      form.append('image_upload', new Blob([randomBytes(2048)]), 'over-its-own-limit.png');
      const response = await fetch(`${base}/upload`, { method: 'POST', body: form });
      expect(response.status).to.equal(409);
      expect(((await response.json()) as { error: Record<string, unknown> }).error).to.have.property('image_upload');
      const outcome = await outcomes[outcomes.length - 1];
      expect(outcome).to.have.property('error').that.is.instanceOf(UploadTooLarge);
      expect(await tempFiles()).to.deep.equal([]);
    });

    it('refuses too many files with a 400 and keeps none of them', async () => {
      const form = new FormData();
      for (let i = 0; i < 4; i++) form.append('upload', new Blob([`file ${i}\n`]), `f${i}.txt`);
      const response = await fetch(`${base}/upload`, { method: 'POST', body: form });
      expect(response.status).to.equal(400);
      expect(await response.json()).to.equal('Bad request - Multipart Error: too many files');
      expect(await tempFiles()).to.deep.equal([]);
    });

    it('answers 413 when the text fields are over their limit, and keeps no file', async () => {
      const form = new FormData();
      form.append('upload', new Blob(['a,b\n']), 'small.csv');
      form.append('notes', 'ghi chú '.repeat(200));
      form.append('description', 'mô tả '.repeat(300));
      const response = await fetch(`${base}/upload`, { method: 'POST', body: form });
      expect(response.status).to.equal(413);
      expect(((await response.json()) as { error: { message: string } }).error.message).to.equal(
        'Request body too large: the form fields exceed the limit of 4 KB',
      );
      expect(await tempFiles()).to.deep.equal([]);

      const single = new FormData();
      single.append('notes', 'x'.repeat(5000));
      const singleResponse = await fetch(`${base}/upload`, { method: 'POST', body: single });
      expect(singleResponse.status).to.equal(413);
      await singleResponse.arrayBuffer();
    });

    it('refuses a body that is not multipart', async () => {
      const response = await fetch(`${base}/upload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status).to.equal(400);
    });

    it('answers a truncated form with a 400 and deletes the partial file', async () => {
      const boundary = 'kho-boundary-7MA4YWxkTrZu0gW';
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="cut.csv"\r\nContent-Type: text/csv\r\n\r\n`),
        Buffer.from(VIETNAMESE_CSV.repeat(50)),
        // no closing boundary: the body simply ends
      ]);
      const { status, text } = await rawPost('/upload', boundary, body);
      expect(status).to.equal(400);
      expect(JSON.parse(text)).to.match(/^Bad request - Multipart Error: Unexpected end of (form|file)$/);
      expect(await tempFiles()).to.deep.equal([]);
    });

    it('deletes the partial file when the client disconnects mid-body', async () => {
      const boundary = 'kho-boundary-abort';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="half.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
      const declaredLength = head.length + 200 * 1024 + `\r\n--${boundary}--\r\n`.length;
      const outcomesBefore = outcomes.length;
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      await new Promise((resolveConnected) => socket.once('connect', resolveConnected));
      socket.write(
        `POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${declaredLength}\r\n\r\n`,
      );
      socket.write(head);
      socket.write(randomBytes(100 * 1024)); // half of the file
      await waitFor(async () => (await tempFiles()).length === 1);
      socket.destroy();

      await waitFor(async () => outcomes.length > outcomesBefore);
      const outcome = await outcomes[outcomesBefore];
      expect(outcome).to.have.property('error').that.is.instanceOf(RequestAborted);
      expect(await tempFiles()).to.deep.equal([]);
      expect(await storedEntries()).to.deep.equal([]);
    });

    it('passes a storage failure through unchanged and discards the other files', async () => {
      // A store whose disk "fills up" on the second file, while the first one is already received.
      let calls = 0;
      const failing: FileStore = Object.create(store, {
        receive: {
          value: async (source: Readable, options: { fieldName: string; filename: string; maxBytes: number }) => {
            calls++;
            if (calls === 2) {
              source.resume();
              throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            }
            return store.receive(source, options);
          },
        },
      });
      const localApp = new Koa();
      localApp.silent = true;
      let caught: unknown;
      localApp.use(async (ctx) => {
        try {
          await parseMultipart(ctx, failing, { maxFileBytes: LIMIT });
          ctx.status = 200;
        } catch (error) {
          caught = error;
          ctx.status = 500;
        }
      });
      const localServer = localApp.listen(0, '127.0.0.1');
      await new Promise((resolveListening) => localServer.once('listening', resolveListening));
      try {
        const form = new FormData();
        form.append('upload', new Blob(['a,b\n1,2\n']), 'one.csv');
        form.append('upload', new Blob([randomBytes(100 * 1024)]), 'two.bin');
        form.append('upload', new Blob(['three']), 'three.txt');
        const response = await fetch(`http://127.0.0.1:${(localServer.address() as AddressInfo).port}/`, { method: 'POST', body: form });
        expect(response.status).to.equal(500);
        expect((caught as NodeJS.ErrnoException).code).to.equal('ENOSPC');
        expect(await tempFiles()).to.deep.equal([]);
      } finally {
        localServer.closeAllConnections();
        await new Promise((resolveClosed) => localServer.close(resolveClosed));
      }
    });

    function rawPost(path: string, boundary: string, body: Buffer): Promise<{ status: number; text: string }> {
      return new Promise((resolveResponse, reject) => {
        const req = httpRequest(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.end(body);
      });
    }
  });

  describe('sendStoredFile', () => {
    const csvBytes = Buffer.from(VIETNAMESE_CSV);
    let csv: StoredFileRef;
    let etag: string;

    async function storeFile(path: string, content: Buffer, filename: string): Promise<StoredFileRef> {
      const upload = await store.receive(Readable.from([content]), { fieldName: 'upload', filename, maxBytes: LIMIT });
      const key = `resources${path}`;
      await store.commit(upload, key);
      const ref = { key, filename: upload.filename, mimetype: upload.mimetype, size: upload.size, sha256: upload.sha256 };
      storedFiles.set(path, ref);
      return ref;
    }

    before(async () => {
      csv = await storeFile('/files/csv', csvBytes, 'Danh sách trường học 2024.csv');
      etag = `"${csv.sha256}"`;
      await storeFile('/files/png', pngBytes(), 'logo.png');
      await storeFile('/files/html', Buffer.from('<!doctype html><script>alert(1)</script>'), 'page.html');
      await storeFile('/files/svg', Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'), 'icon.svg');
      storedFiles.set('/files/gone', { ...csv, key: 'resources/never/written' });
    });

    it('serves the whole file with its headers', async () => {
      const response = await fetch(`${base}/files/csv`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
      expect(response.headers.get('content-length')).to.equal(String(csvBytes.length));
      expect(response.headers.get('etag')).to.equal(etag);
      expect(response.headers.get('accept-ranges')).to.equal('bytes');
      expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(response.headers.get('last-modified')).to.match(/GMT$/);
      expect(response.headers.get('content-disposition')).to.equal(
        `inline; filename="Danh sach truong hoc 2024.csv"; filename*=UTF-8''${encodeURIComponent('Danh sách trường học 2024.csv')}`,
      );
      expect(Buffer.from(await response.arrayBuffer()).equals(csvBytes)).to.equal(true);
    });

    it('answers HEAD with the headers and no body, ignoring Range', async () => {
      const response = await fetch(`${base}/files/csv`, { method: 'HEAD', headers: { range: 'bytes=0-9' } });
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-length')).to.equal(String(csvBytes.length));
      expect(response.headers.get('etag')).to.equal(etag);
      expect((await response.arrayBuffer()).byteLength).to.equal(0);
    });

    it('serves single byte ranges with 206', async () => {
      const size = csvBytes.length;
      const cases: Array<[string, number, number]> = [
        ['bytes=0-9', 0, 9],
        ['bytes=10-', 10, size - 1],
        ['bytes=-5', size - 5, size - 1],
        ['bytes=5-999999', 5, size - 1],
      ];
      for (const [range, start, end] of cases) {
        const response = await fetch(`${base}/files/csv`, { headers: { range } });
        expect(response.status, range).to.equal(206);
        expect(response.headers.get('content-range'), range).to.equal(`bytes ${start}-${end}/${size}`);
        expect(response.headers.get('content-length'), range).to.equal(String(end - start + 1));
        expect(Buffer.from(await response.arrayBuffer()).equals(csvBytes.subarray(start, end + 1)), range).to.equal(true);
      }
    });

    it('serves the whole file for several ranges or a malformed one', async () => {
      for (const range of ['bytes=0-1,4-5', 'bytes=5-2', 'items=0-1', 'bytes=abc']) {
        const response = await fetch(`${base}/files/csv`, { headers: { range } });
        expect(response.status, range).to.equal(200);
        expect((await response.arrayBuffer()).byteLength, range).to.equal(csvBytes.length);
      }
    });

    it('answers an unsatisfiable range with 416', async () => {
      for (const range of [`bytes=${csvBytes.length}-`, 'bytes=-0']) {
        const response = await fetch(`${base}/files/csv`, { headers: { range } });
        expect(response.status, range).to.equal(416);
        expect(response.headers.get('content-range'), range).to.equal(`bytes */${csvBytes.length}`);
        await response.arrayBuffer();
      }
    });

    it('answers 304 when If-None-Match matches, weakly or with *', async () => {
      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const response = await fetch(`${base}/files/csv`, { headers: { 'if-none-match': ifNoneMatch } });
        expect(response.status, ifNoneMatch).to.equal(304);
        expect(response.headers.get('etag')).to.equal(etag);
        expect((await response.arrayBuffer()).byteLength).to.equal(0);
      }
      const changed = await fetch(`${base}/files/csv`, { headers: { 'if-none-match': '"something-else"' } });
      expect(changed.status).to.equal(200);
      await changed.arrayBuffer();
    });

    it('honours If-Range: the range only while the validator still matches', async () => {
      const matching = await fetch(`${base}/files/csv`, { headers: { range: 'bytes=0-3', 'if-range': etag } });
      expect(matching.status).to.equal(206);
      await matching.arrayBuffer();

      const lastModified = matching.headers.get('last-modified') ?? '';
      const byDate = await fetch(`${base}/files/csv`, { headers: { range: 'bytes=0-3', 'if-range': lastModified } });
      expect(byDate.status).to.equal(206);
      await byDate.arrayBuffer();

      for (const ifRange of ['"an-older-version"', `W/${etag}`, 'Mon, 01 Jan 2001 00:00:00 GMT']) {
        const stale = await fetch(`${base}/files/csv`, { headers: { range: 'bytes=0-3', 'if-range': ifRange } });
        expect(stale.status, ifRange).to.equal(200);
        expect((await stale.arrayBuffer()).byteLength).to.equal(csvBytes.length);
      }
    });

    it('shows images inline but makes HTML and SVG downloads', async () => {
      const png = await fetch(`${base}/files/png`);
      expect(png.headers.get('content-type')).to.equal('image/png');
      expect(png.headers.get('content-disposition')).to.equal('inline; filename="logo.png"');
      await png.arrayBuffer();

      const html = await fetch(`${base}/files/html`);
      expect(html.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      expect(html.headers.get('content-disposition')).to.equal('attachment; filename="page.html"');
      await html.arrayBuffer();

      const svg = await fetch(`${base}/files/svg`);
      expect(svg.headers.get('content-type')).to.equal('image/svg+xml; charset=utf-8');
      expect(svg.headers.get('content-disposition')).to.equal('attachment; filename="icon.svg"');
      await svg.arrayBuffer();
    });

    it('answers 404 for a file missing on disk and 405 for other methods', async () => {
      const missing = await fetch(`${base}/files/gone`);
      expect(missing.status).to.equal(404);
      await missing.arrayBuffer();
      const post = await fetch(`${base}/files/csv`, { method: 'POST' });
      expect(post.status).to.equal(405);
      expect(post.headers.get('allow')).to.equal('GET, HEAD');
      await post.arrayBuffer();
    });
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolveLater) => setTimeout(resolveLater, 10));
  }
}
