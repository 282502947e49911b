// Turning action results into what templates show: the metadata table rows (core and plugin-declared
// fields, with their labels in the page's language), resource links, search URLs and pagination.
import type { DeclaredField } from '../../../core/validation/fields.ts';
import type { DataDict } from '../../../core/actions/types.ts';
import type { Translator } from '../services/i18n.ts';
import { plainSnippet } from '../services/markdown.ts';

/** What a dataset list shows of each dataset, computed once here rather than in the template. */
export interface DatasetListItem {
  name: string;
  title: string;
  org: string | null;
  updated: string;
  snippet: string;
  formats: string[];
  private: boolean;
  state: string;
}

export function datasetListItem(pkg: DataDict, tr: Translator): DatasetListItem {
  const formats: string[] = [];
  for (const resource of (pkg.resources ?? []) as DataDict[]) {
    const format = typeof resource.format === 'string' ? resource.format : '';
    if (format && !formats.includes(format)) formats.push(format);
  }
  return {
    name: pkg.name,
    title: pkg.title || pkg.name,
    org: pkg.organization ? pkg.organization.title || pkg.organization.name : null,
    updated: tr.t('dataset.updated_on', { date: tr.date(pkg.metadata_modified) }),
    snippet: plainSnippet(pkg.notes),
    formats,
    private: !!pkg.private,
    state: String(pkg.state ?? 'active'),
  };
}

export interface InfoRow {
  label: string;
  /** text (escaped), link (href + text), email, markdown, code, list */
  kind: 'text' | 'link' | 'email' | 'markdown' | 'code' | 'list';
  text: string;
  href?: string;
  items?: string[];
}

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0);

export function httpHref(value: unknown): string | undefined {
  return typeof value === 'string' && /^https?:\/\/\S+$/i.test(value.trim()) ? value.trim() : undefined;
}

function choiceLabel(field: DeclaredField, value: unknown, tr: Translator): string {
  const choice = field.choices?.find((item) => item.value === value);
  return choice ? tr.label(choice.label) : String(value);
}

/** One row for a plugin-declared field, formatted by its type; null when the value is empty. */
export function declaredFieldRow(field: DeclaredField, value: unknown, tr: Translator): InfoRow | null {
  if (isEmpty(value)) return null;
  const label = tr.label(field.label);
  switch (field.type ?? 'text') {
    case 'select':
      return { label, kind: 'text', text: choiceLabel(field, value, tr) };
    case 'multiselect':
      return { label, kind: 'list', text: '', items: (Array.isArray(value) ? value : [value]).map((item) => choiceLabel(field, item, tr)) };
    case 'boolean':
      return { label, kind: 'text', text: tr.t(value === true || value === 'true' ? 'common.yes' : 'common.no') };
    case 'date':
      return { label, kind: 'text', text: tr.date(value) };
    case 'url': {
      const href = httpHref(value);
      return href ? { label, kind: 'link', text: href, href } : { label, kind: 'text', text: String(value) };
    }
    case 'email':
      return { label, kind: 'email', text: String(value), href: `mailto:${String(value)}` };
    case 'markdown':
      return { label, kind: 'markdown', text: String(value) };
    case 'object':
      return { label, kind: 'code', text: JSON.stringify(value, null, 2) };
    case 'integer':
      return { label, kind: 'text', text: tr.number(value) };
    default:
      return { label, kind: 'text', text: typeof value === 'object' ? JSON.stringify(value) : String(value) };
  }
}

export function declaredRows(fields: readonly DeclaredField[], dict: DataDict, tr: Translator): InfoRow[] {
  const rows: InfoRow[] = [];
  for (const field of fields) {
    const row = declaredFieldRow(field, dict[field.field_name], tr);
    if (row) rows.push(row);
  }
  return rows;
}

function personRow(label: string, name: unknown, email: unknown): InfoRow | null {
  if (isEmpty(name) && isEmpty(email)) return null;
  if (!isEmpty(email)) return { label, kind: 'email', text: String(isEmpty(name) ? email : name), href: `mailto:${String(email)}` };
  return { label, kind: 'text', text: String(name) };
}

/** The "Additional information" table of a dataset page. */
export function datasetInfoRows(pkg: DataDict, declared: readonly DeclaredField[], tr: Translator): InfoRow[] {
  const rows: Array<InfoRow | null> = [];
  const source = httpHref(pkg.url);
  if (!isEmpty(pkg.url)) rows.push(source ? { label: tr.t('dataset.source'), kind: 'link', text: source, href: source } : { label: tr.t('dataset.source'), kind: 'text', text: String(pkg.url) });
  rows.push(personRow(tr.t('dataset.author'), pkg.author, pkg.author_email));
  rows.push(personRow(tr.t('dataset.maintainer'), pkg.maintainer, pkg.maintainer_email));
  if (!isEmpty(pkg.version)) rows.push({ label: tr.t('dataset.version'), kind: 'text', text: String(pkg.version) });
  rows.push(...declaredRows(declared, pkg, tr));
  for (const extra of (pkg.extras ?? []) as Array<{ key: string; value: string }>) {
    if (!isEmpty(extra.value)) rows.push({ label: extra.key, kind: 'text', text: String(extra.value) });
  }
  rows.push({ label: tr.t('dataset.created'), kind: 'text', text: tr.dateTime(pkg.metadata_created) });
  rows.push({ label: tr.t('dataset.modified'), kind: 'text', text: tr.dateTime(pkg.metadata_modified) });
  if (pkg.state && pkg.state !== 'active') rows.push({ label: tr.t('dataset.state'), kind: 'text', text: tr.t(`state.${pkg.state}`) });
  return rows.filter((row): row is InfoRow => row !== null);
}

/** Resource fields shown in the resource page's table, in this order; other keys follow as extras. */
const RESOURCE_CORE = ['url', 'format', 'mimetype', 'size', 'hash', 'created', 'last_modified', 'metadata_modified'];
const RESOURCE_HIDDEN = new Set([
  'id', 'package_id', 'name', 'description', 'position', 'state', 'url_type', 'cache_url', 'cache_last_updated', 'mimetype_inner',
  'resource_type', 'datastore_active', 'tracking_summary',
]);

export function resourceInfoRows(resource: DataDict, tr: Translator, downloadHref: string | null): InfoRow[] {
  const rows: InfoRow[] = [];
  for (const key of RESOURCE_CORE) {
    const value = resource[key];
    if (isEmpty(value)) continue;
    const label = tr.t(`resource.${key}`);
    if (key === 'url') {
      const href = downloadHref ?? httpHref(value);
      rows.push(href ? { label, kind: 'link', text: String(value), href } : { label, kind: 'text', text: String(value) });
    } else if (key === 'size') rows.push({ label, kind: 'text', text: `${tr.bytes(value)} (${tr.number(value)} B)` });
    else if (key === 'hash') rows.push({ label, kind: 'code', text: String(value) });
    else if (key === 'created' || key === 'last_modified' || key === 'metadata_modified') rows.push({ label, kind: 'text', text: tr.dateTime(value) });
    else rows.push({ label, kind: 'text', text: String(value) });
  }
  for (const [key, value] of Object.entries(resource)) {
    if (RESOURCE_CORE.includes(key) || RESOURCE_HIDDEN.has(key) || isEmpty(value)) continue;
    rows.push({ label: key, kind: 'text', text: typeof value === 'object' ? JSON.stringify(value) : String(value) });
  }
  return rows;
}

/** A resource's download link as a path on this site when it is an upload here, else its http(s) URL. */
export function resourceHref(resource: DataDict, siteUrl: string): string | null {
  const url = typeof resource.url === 'string' ? resource.url.trim() : '';
  if (!url) return null;
  const base = siteUrl.replace(/\/+$/, '');
  if (url.startsWith(base + '/')) return url.slice(base.length);
  return httpHref(url) ?? null;
}

/** Page numbers with gaps: 1 … 4 5 [6] 7 8 … 20 (null is a gap). */
export function pageNumbers(current: number, last: number): Array<number | null> {
  const pages = new Set<number>([1, last]);
  for (let n = current - 2; n <= current + 2; n++) if (n >= 1 && n <= last) pages.add(n);
  const sorted = [...pages].sort((a, b) => a - b);
  const out: Array<number | null> = [];
  sorted.forEach((n, i) => {
    if (i > 0 && n - sorted[i - 1] > 1) out.push(null);
    out.push(n);
  });
  return out;
}

/** Query string from ordered pairs ("a=1&b=2"), empty values left out. */
export function queryString(pairs: Array<[string, string]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of pairs) if (value !== '') params.append(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
