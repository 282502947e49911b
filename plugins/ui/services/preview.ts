// A look at the first rows of a CSV, XLSX or JSON file stored here, for the dataset and resource
// pages. Only uploaded files are read (never a remote URL: no outbound request is made on behalf of
// a page view), CSV and JSON from their first bytes only, XLSX only up to a size limit. Previews are
// cached by resource id and sha256, so a page view costs one map lookup once a file was seen.
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import { readSheet } from 'read-excel-file/node';
import type { FileStore } from '../../../core/storage/file-store.ts';
import type { StoredUpload } from '../../../core/model/resources.ts';

export interface Preview {
  kind: 'table' | 'text';
  columns: string[];
  rows: string[][];
  /** For kind "text": a pretty-printed excerpt. */
  text?: string;
  /** More rows (or bytes) exist than shown. */
  truncated: boolean;
  /** Why there is no preview (set instead of rows): 'too_large', 'unreadable'. */
  problem?: 'too_large' | 'unreadable';
  /**
   * The table's header and body rows as escaped HTML, made once per file and cached with it: a
   * template loop over every cell would cost more than the rest of the page.
   */
  html?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);

/** <thead> and <tbody> of a table preview, every cell escaped. */
export function tableHtml(preview: Preview): string {
  const head = `<thead><tr>${preview.columns.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${preview.rows.map((row) => `<tr>${row.map((value) => `<td>${escapeHtml(value)}</td>`).join('')}</tr>`).join('')}</tbody>`;
  return head + body;
}

const CSV_HEAD_BYTES = 128 * 1024;
const JSON_MAX_BYTES = 2 * 1024 * 1024;
const MAX_COLUMNS = 30;
const MAX_CELL = 200;

export type PreviewKind = 'csv' | 'xlsx' | 'json';

/** Which preview a resource gets, from its format, media type or file name. */
export function previewKind(resource: { format?: unknown; mimetype?: unknown }, upload: StoredUpload | null): PreviewKind | null {
  if (!upload) return null;
  const format = String(resource.format ?? '').toUpperCase();
  const mimetype = String(upload.mimetype || resource.mimetype || '').toLowerCase().split(';')[0];
  const name = upload.filename.toLowerCase();
  if (format === 'CSV' || format === 'TSV' || mimetype === 'text/csv' || mimetype === 'text/tab-separated-values' || /\.(csv|tsv)$/.test(name)) return 'csv';
  if (format === 'XLSX' || mimetype === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' || name.endsWith('.xlsx')) return 'xlsx';
  if (format === 'JSON' || format === 'GEOJSON' || mimetype === 'application/json' || mimetype === 'application/geo+json' || /\.(geo)?json$/.test(name)) return 'json';
  return null;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = Number.isNaN(value.getTime()) ? '' : value.toISOString().replace(/T00:00:00\.000Z$/, '').replace('.000Z', 'Z');
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return [...text].length > MAX_CELL ? [...text].slice(0, MAX_CELL).join('') + '…' : text;
}

async function readHead(store: FileStore, key: string, bytes: number, size: number): Promise<Buffer> {
  const end = Math.min(size, bytes) - 1;
  if (end < 0) return Buffer.alloc(0);
  return streamToBuffer(store.createReadStream(key, { start: 0, end }));
}

async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The delimiter that splits the header line into the most fields. */
function guessDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', ';', '\t', '|']) {
    const count = firstLine.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

export function previewCsv(head: Buffer, complete: boolean, maxRows: number): Preview {
  let text = head.toString('utf8').replace(/^\uFEFF/, '');
  if (!complete) {
    // The last line was cut by the byte limit: drop it.
    const cut = text.lastIndexOf('\n');
    text = cut > 0 ? text.slice(0, cut) : text;
  }
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const records: string[][] = parseCsv(text, {
    delimiter: guessDelimiter(firstLine),
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    to_line: maxRows + 2,
    bom: true,
  });
  if (!records.length) return { kind: 'table', columns: [], rows: [], truncated: false };
  const [header, ...body] = records;
  const width = Math.min(MAX_COLUMNS, Math.max(header.length, ...body.map((row) => row.length)));
  const columns = Array.from({ length: width }, (_, i) => cell(header[i] ?? ''));
  const rows = body.slice(0, maxRows).map((row) => Array.from({ length: width }, (_, i) => cell(row[i])));
  return { kind: 'table', columns, rows, truncated: body.length > maxRows || !complete };
}

export async function previewXlsx(buffer: Buffer, maxRows: number): Promise<Preview> {
  const data = (await readSheet(buffer)) as unknown[][];
  const nonEmpty = data.filter((row) => row.some((value) => value !== null && value !== ''));
  if (!nonEmpty.length) return { kind: 'table', columns: [], rows: [], truncated: false };
  const [header, ...body] = nonEmpty;
  const width = Math.min(MAX_COLUMNS, Math.max(header.length, ...body.slice(0, maxRows).map((row) => row.length)));
  return {
    kind: 'table',
    columns: Array.from({ length: width }, (_, i) => cell(header[i])),
    rows: body.slice(0, maxRows).map((row) => Array.from({ length: width }, (_, i) => cell(row[i]))),
    truncated: body.length > maxRows,
  };
}

/** An array of objects (or {data|features|records|results: [...]}) becomes a table; anything else an excerpt. */
export function previewJson(text: string, maxRows: number): Preview {
  const value = JSON.parse(text.replace(/^\uFEFF/, ''));
  let list: unknown = value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of ['features', 'data', 'records', 'results', 'items', 'result']) {
      if (Array.isArray((value as Record<string, unknown>)[key])) {
        list = (value as Record<string, unknown>)[key];
        break;
      }
    }
  }
  if (Array.isArray(list) && list.length && list.every((item) => item && typeof item === 'object' && !Array.isArray(item))) {
    const objects = (list as Array<Record<string, unknown>>).slice(0, maxRows).map((item) =>
      // GeoJSON features: their properties are the interesting part.
      item.type === 'Feature' && item.properties && typeof item.properties === 'object' ? (item.properties as Record<string, unknown>) : item,
    );
    const columns: string[] = [];
    for (const object of objects) for (const key of Object.keys(object)) if (!columns.includes(key) && columns.length < MAX_COLUMNS) columns.push(key);
    return { kind: 'table', columns, rows: objects.map((object) => columns.map((column) => cell(object[column]))), truncated: list.length > maxRows };
  }
  if (Array.isArray(list) && list.length && list.every(Array.isArray)) return previewCsvLike(list as unknown[][], maxRows);
  const pretty = JSON.stringify(value, null, 2);
  return { kind: 'text', columns: [], rows: [], text: pretty.length > 4000 ? pretty.slice(0, 4000) + '\n…' : pretty, truncated: pretty.length > 4000 };
}

function previewCsvLike(list: unknown[][], maxRows: number): Preview {
  const [header, ...body] = list;
  const width = Math.min(MAX_COLUMNS, header.length);
  return {
    kind: 'table',
    columns: header.slice(0, width).map(cell),
    rows: body.slice(0, maxRows).map((row) => Array.from({ length: width }, (_, i) => cell(row[i]))),
    truncated: body.length > maxRows,
  };
}

export class PreviewService {
  private readonly store: FileStore;
  private readonly maxRows: number;
  private readonly xlsxMaxBytes: number;
  private readonly cache = new Map<string, Promise<Preview | null>>();
  private readonly capacity = 500;

  constructor(store: FileStore, options: { maxRows: number; xlsxMaxMb: number }) {
    this.store = store;
    this.maxRows = options.maxRows;
    this.xlsxMaxBytes = options.xlsxMaxMb * 1048576;
  }

  /** The preview of an uploaded file, or null when its kind has none. Never throws. */
  get(resourceId: string, kind: PreviewKind, upload: StoredUpload): Promise<Preview | null> {
    const cacheKey = `${resourceId}:${upload.sha256}:${upload.size}`;
    const cached = this.cache.get(cacheKey);
    if (cached) {
      // Least recently used goes first: re-insert on a hit.
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, cached);
      return cached;
    }
    const pending = this.build(kind, upload)
      .then((preview) => {
        if (preview && preview.kind === 'table' && !preview.problem) preview.html = tableHtml(preview);
        return preview;
      })
      .catch((): Preview => ({ kind: 'table', columns: [], rows: [], truncated: false, problem: 'unreadable' }));
    this.cache.set(cacheKey, pending);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return pending;
  }

  private async build(kind: PreviewKind, upload: StoredUpload): Promise<Preview | null> {
    const info = await this.store.stat(upload.key);
    if (!info) return { kind: 'table', columns: [], rows: [], truncated: false, problem: 'unreadable' };
    const size = info.size;
    if (kind === 'csv') {
      const head = await readHead(this.store, upload.key, CSV_HEAD_BYTES, size);
      return previewCsv(head, size <= CSV_HEAD_BYTES, this.maxRows);
    }
    if (kind === 'json') {
      if (size > JSON_MAX_BYTES) return { kind: 'table', columns: [], rows: [], truncated: false, problem: 'too_large' };
      const buffer = await readHead(this.store, upload.key, JSON_MAX_BYTES, size);
      return previewJson(buffer.toString('utf8'), this.maxRows);
    }
    if (size > this.xlsxMaxBytes) return { kind: 'table', columns: [], rows: [], truncated: false, problem: 'too_large' };
    const buffer = await readHead(this.store, upload.key, this.xlsxMaxBytes, size);
    return previewXlsx(buffer, this.maxRows);
  }
}
