// `agency_api`: an agency's own system (JSON, CSV or XML over HTTP), described in the source config
// instead of code — where the records are, how pages follow each other (page number, offset,
// cursor, next link), the auth header, the record's identifier, and a field mapping (a path or
// column, a constant, or a template per dataset field). So a province's IT team connects a new
// agency system without writing a harvester. config/harvest-agency-example.yaml is a full example.
import type { DataDict } from '../../../core/actions/types.ts';
import { M, msg, type Msg } from '../i18n/messages.ts';
import { HarvestFetchError, PageLoopGuard, htmlTitle, looksLikeHtml, parseJson, type HttpResult } from '../services/http.ts';
import type { ConfigSpec } from '../schemas/config-spec.ts';
import type { GatheredRecord, GatherContext, IHarvester, ImportContext } from './types.ts';

type ValueSpec = string | { path?: string; const?: unknown; template?: string; split?: string; default?: unknown };

export interface AgencyConfig {
  format?: 'json' | 'csv' | 'xml';
  records?: string;
  id: string;
  modified?: string;
  original_url?: string;
  detail_url?: string;
  detail_records?: string;
  paging?: {
    type: 'none' | 'page' | 'offset' | 'cursor' | 'next_link';
    param?: string;
    start?: number;
    size_param?: string;
    size?: number;
    cursor_path?: string;
    next_path?: string;
    total_path?: string;
  };
  auth?: { header?: string; value?: string; type?: 'bearer' | 'basic' | 'header'; token?: string; username?: string; password?: string };
  headers?: Record<string, string>;
  query?: Record<string, string>;
  csv?: { delimiter?: string };
  mapping: Record<string, ValueSpec | ValueSpec[] | { path: string; each: Record<string, ValueSpec> }>;
}

const DATASET_TARGETS = ['name', 'title', 'notes', 'url', 'version', 'author', 'author_email', 'maintainer', 'maintainer_email', 'license_id', 'tags', 'groups', 'resources', 'private'];
const RESOURCE_TARGETS = ['url', 'name', 'description', 'format', 'mimetype', 'size', 'last_modified', 'created', 'hash', 'resource_type'];

// ---------------------------------------------------------------------------------------------
// Paths and templates

/** "data.items[0].ten" or "$.data.items": undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  if (!path || path === '$') return value;
  if (value && typeof value === 'object' && !Array.isArray(value) && path in (value as DataDict)) return (value as DataDict)[path];
  const steps = path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current) && /^\d+$/.test(step)) current = current[Number(step)];
    else if (typeof current === 'object') current = (current as DataDict)[step];
    else return undefined;
  }
  return current;
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && '#text' in (value as DataDict)) return asText((value as DataDict)['#text']);
  return JSON.stringify(value);
}

/** "https://…/{ma_du_lieu}": placeholders are paths into the record. */
export function fillTemplate(template: string, record: unknown, encode = false): string {
  return template.replace(/\{([^{}]+)\}/g, (_whole, path: string) => {
    const text = asText(getPath(record, path.trim())) ?? '';
    return encode ? encodeURIComponent(text) : text;
  });
}

function evaluate(spec: ValueSpec, record: unknown): unknown {
  if (typeof spec === 'string') return getPath(record, spec);
  if ('const' in spec) return spec.const;
  if (spec.template !== undefined) {
    const text = fillTemplate(spec.template, record).trim();
    return text === '' ? (spec.default ?? null) : text;
  }
  let value = spec.path !== undefined ? getPath(record, spec.path) : undefined;
  if ((value === undefined || value === null || value === '') && spec.default !== undefined) value = spec.default;
  if (spec.split && typeof value === 'string') value = value.split(spec.split).map((part) => part.trim()).filter(Boolean);
  return value;
}

const decodeXml = (text: string) =>
  text
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function decodeDeep(value: unknown): unknown {
  if (typeof value === 'string') return decodeXml(value);
  if (Array.isArray(value)) return value.map(decodeDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeDeep(v)]));
  return value;
}

// ---------------------------------------------------------------------------------------------
// Reading one page

async function parseBody(raw: HttpResult, format: 'json' | 'csv' | 'xml', config: AgencyConfig): Promise<unknown> {
  const url = raw.url;
  if (format === 'json') return parseJson(raw, 'JSON');
  if (looksLikeHtml(raw.headers['content-type'], raw.body)) {
    throw new HarvestFetchError('html', url, M.htmlInstead(url, format === 'csv' ? 'CSV' : 'XML', raw.status, htmlTitle(raw.body)), raw.status);
  }
  const text = raw.text();
  if (format === 'csv') {
    const { parse } = await import('csv-parse/sync');
    try {
      return parse(text, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, delimiter: config.csv?.delimiter ?? ',' });
    } catch (err) {
      throw new HarvestFetchError('csv', url, M.invalidCsv(url, (err as Error).message));
    }
  }
  if (/<!ENTITY/i.test(text.slice(0, 65536))) throw new HarvestFetchError('xml', url, M.xmlEntities(url));
  const { XMLParser, XMLValidator } = await import('fast-xml-parser');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new HarvestFetchError('xml', url, M.invalidXml(url, `${valid.err.msg} (line ${valid.err.line})`));
  // Entities are never processed (no DOCTYPE expansion); the five predefined ones are decoded by hand.
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: false, htmlEntities: false, parseTagValue: false, trimValues: true });
  return decodeDeep(parser.parse(text));
}

function recordsOf(body: unknown, config: AgencyConfig, url: string): unknown[] {
  const list = config.records ? getPath(body, config.records) : body;
  if (list === undefined || list === null || list === '') return [];
  if (Array.isArray(list)) return list;
  if (typeof list === 'object' && (config.format ?? 'json') === 'xml') return [list]; // one XML element is not a list
  throw new HarvestFetchError('shape', url, M.unexpectedShape(url, `"${config.records ?? '(the body)'}" is not a list of records`));
}

function withQuery(base: string, params: Record<string, string | number | undefined>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, String(value));
  return url.toString();
}

function linkNext(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match) return match[1];
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Config

const isObject = (value: unknown): value is DataDict => !!value && typeof value === 'object' && !Array.isArray(value);

function checkValueSpec(spec: unknown, where: string): string | null {
  if (typeof spec === 'string') return spec.trim() ? null : `${where}: empty path`;
  if (!isObject(spec)) return `${where}: a path, or {"path"}, {"const"} or {"template"}`;
  const kinds = ['path', 'const', 'template'].filter((key) => key in spec);
  if (kinds.length !== 1) return `${where}: give exactly one of path, const, template`;
  if ('template' in spec && typeof spec.template !== 'string') return `${where}: template must be a string`;
  if ('path' in spec && typeof spec.path !== 'string') return `${where}: path must be a string`;
  if ('split' in spec && typeof spec.split !== 'string') return `${where}: split must be a string`;
  return null;
}

function checkMapping(mapping: Record<string, unknown>): Msg | null {
  const problems: string[] = [];
  if (!('title' in mapping)) problems.push('title: required');
  for (const [target, spec] of Object.entries(mapping)) {
    if (target === 'resources') {
      const list = Array.isArray(spec) ? spec : isObject(spec) && 'each' in spec ? [spec.each] : null;
      if (!list) {
        problems.push('resources: a list of resource mappings, or {"path", "each"}');
        continue;
      }
      if (isObject(spec) && typeof spec.path !== 'string') problems.push('resources.path: required with "each"');
      list.forEach((entry, index) => {
        if (!isObject(entry)) return problems.push(`resources[${index}]: an object`);
        if (!('url' in entry)) problems.push(`resources[${index}].url: required`);
        for (const [key, value] of Object.entries(entry)) {
          if (!RESOURCE_TARGETS.includes(key)) problems.push(`resources[${index}].${key}: unknown resource field (known: ${RESOURCE_TARGETS.join(', ')})`);
          const problem = checkValueSpec(value, `resources[${index}].${key}`);
          if (problem) problems.push(problem);
        }
      });
      continue;
    }
    if (!target.startsWith('extras.') && !DATASET_TARGETS.includes(target) && !/^[a-z][a-z0-9_]*$/.test(target)) problems.push(`${target}: not a dataset field`);
    const problem = checkValueSpec(spec, target);
    if (problem) problems.push(problem);
  }
  if (!problems.length) return null;
  const text = problems.join('; ');
  return msg(text, text);
}

const PAGING_SPEC: ConfigSpec = {
  type: { type: 'enum', values: ['none', 'page', 'offset', 'cursor', 'next_link'], description: msg('How pages follow each other.', 'Cách các trang nối tiếp nhau.') },
  param: { type: 'string', description: msg('Query parameter of the page number, offset or cursor (default page / offset / cursor).', 'Tham số trang, vị trí hoặc con trỏ (mặc định page / offset / cursor).') },
  start: { type: 'integer', min: 0, description: msg('First page number (default 1) or offset (default 0).', 'Số trang đầu (mặc định 1) hoặc vị trí đầu (mặc định 0).') },
  size_param: { type: 'string', description: msg('Query parameter of the page size.', 'Tham số kích thước trang.') },
  size: { type: 'integer', min: 1, max: 10000, description: msg('Records asked per page.', 'Số bản ghi mỗi trang.') },
  cursor_path: { type: 'string', description: msg('Where the next cursor is in the answer (cursor paging).', 'Vị trí con trỏ tiếp theo trong phản hồi.') },
  next_path: { type: 'string', description: msg('Where the next page\'s URL is in the answer (next_link paging; default: the Link header).', 'Vị trí URL trang kế trong phản hồi (mặc định: header Link).') },
  total_path: { type: 'string', description: msg('Where the total number of records is (stops page/offset paging).', 'Vị trí tổng số bản ghi (dừng phân trang).') },
};

const AUTH_SPEC: ConfigSpec = {
  type: { type: 'enum', values: ['header', 'bearer', 'basic'], description: msg('header (default), bearer or basic.', 'header (mặc định), bearer hoặc basic.') },
  header: { type: 'string', description: msg('Header name (type header), e.g. X-API-Key.', 'Tên header, ví dụ X-API-Key.') },
  value: { type: 'string', secret: true, description: msg('Header value (type header).', 'Giá trị header.') },
  token: { type: 'string', secret: true, description: msg('Token (type bearer).', 'Mã token (bearer).') },
  username: { type: 'string', description: msg('User name (type basic).', 'Tên đăng nhập (basic).') },
  password: { type: 'string', secret: true, description: msg('Password (type basic).', 'Mật khẩu (basic).') },
};

// ---------------------------------------------------------------------------------------------

export const agencyApiHarvester: IHarvester<AgencyConfig> = {
  version: 1,
  info: {
    name: 'agency_api',
    title: 'Agency API (JSON, CSV, XML)',
    description: 'Harvests an agency system\'s own JSON, CSV or XML endpoint, described in the config: paging, auth header and field mapping',
    form_config_interface: 'Text',
  },
  config: {
    format: { type: 'enum', values: ['json', 'csv', 'xml'], description: msg('What the endpoint answers (default json).', 'Định dạng phản hồi (mặc định json).') },
    records: { type: 'string', description: msg('Path to the list of records in the answer, e.g. data.items (JSON, XML); not for CSV.', 'Đường dẫn tới danh sách bản ghi, ví dụ data.items.') },
    id: { type: 'string', description: msg('Path or column of the record\'s identifier (required).', 'Đường dẫn hoặc cột mã định danh bản ghi (bắt buộc).') },
    modified: { type: 'string', description: msg('Path or column of the record\'s modification date.', 'Đường dẫn hoặc cột ngày cập nhật.') },
    original_url: { type: 'string', description: msg('Template of the record\'s page at the agency, e.g. https://…/du-lieu/{ma}.', 'Mẫu URL trang bản ghi tại cơ quan.') },
    detail_url: { type: 'string', description: msg('Template of a URL giving the full record (fetched per record, in parallel).', 'Mẫu URL lấy bản ghi đầy đủ (tải từng bản ghi).') },
    detail_records: { type: 'string', description: msg('Path to the record in the detail answer.', 'Đường dẫn tới bản ghi trong phản hồi chi tiết.') },
    paging: { type: 'object', fields: PAGING_SPEC, description: msg('Paging of the endpoint.', 'Phân trang.') },
    auth: { type: 'object', fields: AUTH_SPEC, description: msg('Credentials sent with every request.', 'Thông tin xác thực gửi kèm mỗi yêu cầu.') },
    headers: { type: 'string-map', description: msg('Other headers sent with every request.', 'Các header khác.') },
    query: { type: 'string-map', description: msg('Query parameters added to the URL.', 'Tham số truy vấn thêm vào URL.') },
    csv: { type: 'object', fields: { delimiter: { type: 'string', description: msg('Column separator (default ,).', 'Ký tự phân tách cột (mặc định ,).') } }, description: msg('CSV options.', 'Tùy chọn CSV.') },
    mapping: {
      type: 'object',
      check: checkMapping,
      description: msg(
        'Dataset field (title, notes, tags, license_id, url, extras.<key>, resources, …) → a path or column, {"const": …}, {"template": "…{path}…"}, {"path", "split"}.',
        'Trường bộ dữ liệu (title, notes, tags, license_id, url, extras.<khóa>, resources, …) → đường dẫn/cột, {"const": …}, {"template": "…{path}…"}, {"path", "split"}.',
      ),
    },
  },

  async validateConfig(config) {
    const problems: string[] = [];
    if (!config.id) problems.push('id: required (the path or column of each record\'s identifier) / bắt buộc (đường dẫn hoặc cột mã định danh)');
    if (!config.mapping) problems.push('mapping: required (at least {"title": "…"}) / bắt buộc (ít nhất {"title": "…"})');
    if (config.format === 'csv' && config.records) problems.push('records: not used with CSV (each row is a record) / không dùng với CSV');
    const paging = config.paging?.type;
    if (paging === 'cursor' && !config.paging?.cursor_path) problems.push('paging.cursor_path: required for cursor paging / bắt buộc với phân trang con trỏ');
    return problems;
  },

  headers(config) {
    const headers: Record<string, string> = { ...(config.headers ?? {}) };
    const auth = config.auth;
    if (auth) {
      const type = auth.type ?? (auth.token ? 'bearer' : auth.username ? 'basic' : 'header');
      if (type === 'bearer' && auth.token) headers.authorization = `Bearer ${auth.token}`;
      else if (type === 'basic' && auth.username) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
      else if (auth.header && auth.value !== undefined) headers[auth.header.toLowerCase()] = auth.value;
    }
    return headers;
  },

  async *gather(context: GatherContext<AgencyConfig>) {
    const { config, http } = context;
    const format = config.format ?? 'json';
    const paging = config.paging ?? { type: 'none' };
    const accept = format === 'json' ? 'application/json' : format === 'csv' ? 'text/csv, text/plain;q=0.5' : 'application/xml, text/xml;q=0.9';
    const guard = new PageLoopGuard(context.config.paging ? (context.defaults.maxPages) : 1);
    const base = withQuery(context.source.url, config.query ?? {});
    const sizeParams = paging.size_param && paging.size ? { [paging.size_param]: paging.size } : {};
    let pageNumber = paging.start ?? (paging.type === 'page' ? 1 : 0);
    let url: string | null = paging.type === 'page' || paging.type === 'offset' ? withQuery(base, { [paging.param ?? paging.type]: pageNumber, ...sizeParams }) : withQuery(base, sizeParams);
    let fetched = 0;
    while (url) {
      guard.visit(url, base);
      const raw = await http.get(url, { accept });
      guard.content(url, raw.body);
      const body = await parseBody(raw, format, config);
      const rows = recordsOf(body, config, url);
      fetched += rows.length;
      const records: GatheredRecord[] = [];
      for (const row of rows) {
        const guid = asText(getPath(row, config.id));
        if (!guid) {
          context.warn(M.missingGuid);
          continue;
        }
        records.push({
          guid,
          content: config.detail_url ? undefined : row,
          summary: row,
          fetchUrl: config.detail_url ? fillTemplate(config.detail_url, row, true) : undefined,
          remoteModified: config.modified ? asText(getPath(row, config.modified)) : null,
          originalUrl: config.original_url ? fillTemplate(config.original_url, row, true) : null,
        });
      }
      if (records.length) yield records;

      // The next page, by the configured kind of paging.
      const total = paging.total_path ? Number(getPath(body, paging.total_path)) : NaN;
      switch (paging.type) {
        case 'page':
        case 'offset': {
          const full = paging.size ? rows.length >= paging.size : rows.length > 0;
          if (!rows.length || !full || (Number.isFinite(total) && fetched >= total)) {
            url = null;
            break;
          }
          pageNumber += paging.type === 'page' ? 1 : rows.length;
          url = withQuery(base, { [paging.param ?? paging.type]: pageNumber, ...sizeParams });
          break;
        }
        case 'cursor': {
          const cursor = asText(getPath(body, paging.cursor_path!));
          url = cursor && rows.length ? withQuery(base, { [paging.param ?? 'cursor']: cursor, ...sizeParams }) : null;
          break;
        }
        case 'next_link': {
          const next = paging.next_path ? asText(getPath(body, paging.next_path)) : linkNext(raw.headers.link);
          url = next ? new URL(next, raw.url).toString() : null;
          break;
        }
        default:
          url = null;
      }
    }
  },

  async fetch(record, context: ImportContext<AgencyConfig>) {
    const { config } = context;
    const format = config.format === 'xml' ? 'xml' : 'json';
    const raw = await context.http.get(record.fetchUrl!, { accept: format === 'json' ? 'application/json' : 'application/xml' });
    const body = await parseBody(raw, format, config);
    const detail = config.detail_records ? getPath(body, config.detail_records) : body;
    if (!isObject(detail)) throw new HarvestFetchError('shape', record.fetchUrl!, M.unexpectedShape(record.fetchUrl!, 'the detail is not an object'));
    return isObject(record.summary) ? { ...record.summary, ...detail } : detail;
  },

  async import(record, context: ImportContext<AgencyConfig>) {
    const { config } = context;
    const row = record.content;
    const dict: DataDict = { extras: [], tags: [], resources: [] };
    for (const [target, spec] of Object.entries(config.mapping)) {
      if (target === 'resources') {
        dict.resources = resourcesFrom(spec as never, row);
        continue;
      }
      const value = evaluate(spec as ValueSpec, row);
      if (value === undefined || value === null || value === '') continue;
      if (target.startsWith('extras.')) {
        const text = Array.isArray(value) ? JSON.stringify(value) : asText(value);
        if (text !== null) dict.extras.push({ key: target.slice(7), value: text });
      } else if (target === 'tags' || target === 'groups') {
        const items = Array.isArray(value) ? value : String(value).split(/[;,]/);
        dict[target] = items.map((item) => asText(item)).filter((item): item is string => !!item).map((name) => ({ name }));
      } else if (target === 'private') dict.private = value === true || String(value).toLowerCase() === 'true';
      else dict[target] = asText(value);
    }
    if (!dict.title) throw Object.assign(new Error('the title mapping gave no value'), { msg: M.mappingError(`the title mapping gave no value for record ${record.guid}`) });
    return dict;
  },
};

function resourcesFrom(spec: Array<Record<string, ValueSpec>> | { path: string; each: Record<string, ValueSpec> }, row: unknown): DataDict[] {
  const build = (mapping: Record<string, ValueSpec>, item: unknown): DataDict | null => {
    const resource: DataDict = {};
    for (const [key, valueSpec] of Object.entries(mapping)) {
      const value = evaluate(valueSpec, item);
      if (value === undefined || value === null || value === '') continue;
      if (key === 'size') {
        const number = Number(value);
        if (Number.isInteger(number) && number >= 0) resource.size = number;
      } else resource[key] = asText(value);
    }
    return resource.url ? resource : null;
  };
  if (Array.isArray(spec)) return spec.map((mapping) => build(mapping, row)).filter((r): r is DataDict => !!r);
  const items = getPath(row, spec.path);
  const list = Array.isArray(items) ? items : items ? [items] : [];
  return list.map((item) => build(spec.each, { ...(isObject(row) ? row : {}), ...(isObject(item) ? item : { value: item }) })).filter((r): r is DataDict => !!r);
}
