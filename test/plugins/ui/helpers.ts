// Helpers for the portal's tests: a cookie-keeping HTTP client that behaves like a browser without
// JavaScript (forms, redirects, CSRF tokens), a Chromium launcher for the end-to-end tests, and a
// small catalogue to look at.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestServer } from '../../helpers/server.ts';

export interface WebResponse {
  status: number;
  text: string;
  headers: Headers;
  location: string | null;
}

export class WebClient {
  readonly base: string;
  readonly cookies = new Map<string, string>();

  constructor(base: string) {
    this.base = base;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([key, value]) => `${key}=${value}`).join('; ');
  }

  private keep(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((attr) => /^\s*max-age=0/i.test(attr) || /^\s*expires=Thu, 01 Jan 1970/i.test(attr));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(pathname: string, init: RequestInit = {}): Promise<WebResponse> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('Cookie', this.cookieHeader());
    if (!headers.has('Accept')) headers.set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    const response = await fetch(this.base + pathname, { ...init, headers, redirect: 'manual' });
    this.keep(response.headers);
    const text = await response.text();
    return { status: response.status, text, headers: response.headers, location: response.headers.get('location') };
  }

  get(pathname: string, headers: Record<string, string> = {}): Promise<WebResponse> {
    return this.request(pathname, { headers });
  }

  /** Follow redirects like a browser (GET after a 303). */
  async follow(response: WebResponse, limit = 5): Promise<WebResponse> {
    let current = response;
    for (let i = 0; i < limit && current.location; i++) current = await this.get(new URL(current.location, this.base).pathname + new URL(current.location, this.base).search);
    return current;
  }

  /** POST a urlencoded form; the CSRF token is taken from `fromPage` (or the page at `pathname`) unless given. */
  async post(pathname: string, fields: Record<string, string | string[]>, options: { csrf?: string | null; fromPage?: string } = {}): Promise<WebResponse> {
    let csrf = options.csrf;
    if (csrf === undefined) csrf = csrfToken((await this.get(options.fromPage ?? pathname)).text);
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    if (csrf) body.set('_csrf_token', csrf);
    return this.request(pathname, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
  }

  async postMultipart(pathname: string, form: FormData, options: { csrf?: string | null; fromPage?: string; headers?: Record<string, string> } = {}): Promise<WebResponse> {
    let csrf = options.csrf;
    if (csrf === undefined) csrf = csrfToken((await this.get(options.fromPage ?? pathname)).text);
    if (csrf) form.set('_csrf_token', csrf);
    return this.request(pathname, { method: 'POST', body: form, headers: options.headers });
  }

  async login(name: string, password: string): Promise<WebResponse> {
    const response = await this.post('/user/login', { login: name, password }, { fromPage: '/user/login' });
    if (response.status !== 303) throw new Error(`sign-in failed with ${response.status}`);
    return response;
  }
}

export function csrfToken(html: string): string | null {
  return /name="_csrf_token" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

/** Text of the page without tags, whitespace collapsed (for "the page says …" checks). */
export function pageText(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** Debian's Chromium through playwright-core, with a fresh profile that is removed at close. */
export async function launchChromium(baseURL?: string) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'kho-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'vi-VN',
    baseURL,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A small catalogue: two organizations, a group, datasets with tags, formats and one uploaded CSV. */
export async function seedCatalogue(server: TestServer, datasetExtras: Record<string, unknown> = {}) {
  const admin = server.admin;
  await admin.call('organization_create', { name: 'so-y-te', title: 'Sở Y tế', description: 'Cơ quan chuyên môn về **y tế**.' });
  await admin.call('organization_create', { name: 'so-giao-duc', title: 'Sở Giáo dục và Đào tạo' });
  await admin.call('group_create', { name: 'giao-duc', title: 'Giáo dục' });
  await admin.call('group_create', { name: 'y-te', title: 'Y tế' });
  const datasets = [
    { name: 'danh-sach-truong-hoc', title: 'Danh sách trường học', owner_org: 'so-giao-duc', tags: ['giáo dục', 'trường học'], groups: ['giao-duc'], format: 'CSV' },
    { name: 'diem-thi-tot-nghiep', title: 'Điểm thi tốt nghiệp THPT', owner_org: 'so-giao-duc', tags: ['giáo dục', 'thi cử'], groups: ['giao-duc'], format: 'XLSX' },
    { name: 'co-so-kham-chua-benh', title: 'Cơ sở khám chữa bệnh', owner_org: 'so-y-te', tags: ['y tế'], groups: ['y-te'], format: 'JSON' },
    { name: 'nha-thuoc', title: 'Danh sách nhà thuốc', owner_org: 'so-y-te', tags: ['y tế', 'dược'], groups: ['y-te'], format: 'CSV' },
  ];
  for (const item of datasets) {
    await admin.call('package_create', {
      name: item.name,
      title: item.title,
      owner_org: item.owner_org,
      notes: `Bộ dữ liệu **${item.title}** do ${item.owner_org} cung cấp.`,
      license_id: 'vn-let-43',
      tags: item.tags.map((name) => ({ name })),
      groups: item.groups.map((name) => ({ name })),
      resources: [{ url: `http://example.org/${item.name}.${item.format.toLowerCase()}`, format: item.format, name: `${item.title} (${item.format})` }],
      ...datasetExtras,
    });
  }
}
