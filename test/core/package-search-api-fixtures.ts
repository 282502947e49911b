// Fixtures for the package_search HTTP tests: organizations with a user in each capacity, made
// through the API; URL encoding exactly as Python's urlencode does it; and the loops with which the
// CKAN clients that read package_search page through it (ckanext-harvest's CKANHarvester,
// ckanext-dcat's catalog search, ckanapi's `search datasets`), each asserting what that client
// depends on while it runs.
import { expect } from 'chai';
import type { ApiClient, ApiResponse } from '../helpers/api-client.ts';
import type { TestServer, TestUser } from '../helpers/server.ts';
import { expectOk, uniqueName } from '../helpers/expect.ts';

export type Row = Record<string, any>;

export interface OrgWithMembers {
  id: string;
  name: string;
  title: string;
  /** The creator, who becomes its admin. */
  admin: TestUser;
  editor: TestUser;
  member: TestUser;
}

/** organization_create by a plain user (its admin), then an editor and a member added by that admin. */
export async function createOrgWithMembers(server: TestServer, options: { name?: string; title?: string } = {}): Promise<OrgWithMembers> {
  const admin = await server.createUser(uniqueName('admin'));
  const editor = await server.createUser(uniqueName('editor'));
  const member = await server.createUser(uniqueName('member'));
  const name = options.name ?? uniqueName('org');
  const title = options.title ?? `Organization ${name}`;
  const adminClient = server.client(admin.token);
  const org = expectOk(await adminClient.post('organization_create', { name, title }));
  expectOk(await adminClient.post('organization_member_create', { id: org.id, username: editor.name, role: 'editor' }));
  expectOk(await adminClient.post('organization_member_create', { id: org.id, username: member.name, role: 'member' }));
  return { id: org.id, name, title, admin, editor, member };
}

export async function createGroup(server: TestServer, name: string, title: string): Promise<Row> {
  return expectOk(await server.admin.post('group_create', { name, title }));
}

/** package_create through the API; the caller's own defaults for what CKAN's factories fill in. */
export async function createDataset(client: ApiClient, fields: Row = {}): Promise<Row> {
  return expectOk(await client.post('package_create', { name: uniqueName('dataset'), title: 'Test Dataset', notes: 'Just another test dataset.', ...fields }));
}

/**
 * A draft or deleted dataset the way a non-sysadmin gets one over HTTP: package_create ignores
 * `state` from them (ignore_not_package_admin), so the dataset is created, then moved.
 */
export async function moveToState(client: ApiClient, id: string, state: 'draft' | 'deleted'): Promise<void> {
  if (state === 'deleted') expectOk(await client.post('package_delete', { id }));
  else expect(expectOk(await client.post('package_patch', { id, state })).state).to.equal('draft');
}

/** Every dataset purged, so a test starts from the empty index CKAN's clean_index fixture gives. */
export async function purgeAllDatasets(server: TestServer): Promise<void> {
  const rows: Array<{ id: string }> = await server.kernel.container.cradle.knex('package').select('id');
  for (const row of rows) expectOk(await server.admin.post('dataset_purge', { id: row.id }));
}

/** Python's urllib.parse.quote_plus: only [A-Za-z0-9_.~-] stay, a space becomes '+'. */
export function quotePlus(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.~-]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Python's urlencode over an ordered list of pairs (a dict keeps insertion order). */
export function urlencode(params: Array<[string, string]>): string {
  return params.map(([key, value]) => `${quotePlus(key)}=${quotePlus(value)}`).join('&');
}

/** Python's datetime.isoformat() of a naive UTC datetime (the fraction is left out when zero). */
export function pythonIsoformat(date: Date): string {
  const iso = date.toISOString().slice(0, 23);
  return iso.endsWith('.000') ? iso.slice(0, 19) : `${iso}000`;
}

/** package_show's `result` exactly as sent: the bytes a search result must repeat. */
export async function rawShowResult(client: ApiClient, id: string): Promise<string> {
  const response = await client.get('package_show', { id });
  expect(response.status, response.text).to.equal(200);
  const prefix = '"success":true,"result":';
  const at = response.text.indexOf(prefix);
  expect(at, response.text).to.be.greaterThan(0);
  expect(response.text.endsWith('}')).to.equal(true);
  return response.text.slice(at + prefix.length, -1);
}

export interface ClientRun {
  /** Result ids in the order received, duplicates kept (a client that drops them would hide a paging bug). */
  ids: string[];
  results: Row[];
  pages: ApiResponse[];
}

/**
 * ckanext-harvest's CKANHarvester._search_for_datasets: GET with rows=100, start=0,100,…, sort=id asc
 * and the fq terms joined by a space, urlencoded; the status is not looked at, only `result`; two
 * byte-identical pages in a row abort the harvest; paging ends at the first empty page.
 */
export async function harvesterSearch(client: ApiClient, fqTerms: string[], extra: Array<[string, string]> = []): Promise<ClientRun> {
  const run: ClientRun = { ids: [], results: [], pages: [] };
  let start = 0;
  let previous: string | null = null;
  for (;;) {
    const params: Array<[string, string]> = [['rows', '100'], ['start', String(start)], ['sort', 'id asc']];
    if (fqTerms.length) params.push(['fq', fqTerms.join(' ')]);
    const response = await client.request(`/api/3/action/package_search?${urlencode([...params, ...extra])}`);
    expect(response.status, response.text).to.equal(200);
    expect(response.text, "The paging doesn't seem to work").not.to.equal(previous);
    previous = response.text;
    run.pages.push(response);
    const page: Row[] = response.body.result.results;
    if (!page.length) return run;
    for (const pkg of page) {
      run.ids.push(pkg.id);
      run.results.push(pkg);
    }
    start += 100;
    if (run.pages.length > 100) throw new Error('harvester paging never reached an empty page');
  }
}

/**
 * ckanext-dcat's _search_ckan_datasets, as the catalog endpoint calls package_search: q `*:*`, the
 * caller's fq (None when not given), harvest sources and showcases excluded by fq_list, the
 * modified_since range, newest first, 100 a page; the pages come from `count`.
 */
export async function dcatSearch(client: ApiClient, options: { modifiedSince?: string; fq?: string | null; extra?: Row } = {}): Promise<ClientRun> {
  const run: ClientRun = { ids: [], results: [], pages: [] };
  const fqList = ['-dataset_type:harvest', '-dataset_type:showcase'];
  if (options.modifiedSince) fqList.push(`metadata_modified:[${options.modifiedSince}Z TO NOW]`);
  for (let page = 1; ; page++) {
    const response = await client.post('package_search', {
      rows: 100,
      start: 100 * (page - 1),
      sort: 'metadata_modified desc',
      q: '*:*',
      fq: options.fq ?? null,
      fq_list: fqList,
      ...options.extra,
    });
    expect(response.status, response.text).to.equal(200);
    run.pages.push(response);
    for (const pkg of response.body.result.results as Row[]) {
      run.ids.push(pkg.id);
      run.results.push(pkg);
    }
    if (page * 100 >= response.body.result.count) return run;
  }
}

/**
 * ckanapi's `search datasets`: POST to the unversioned /api/action path with both key headers,
 * rows=1000, `start` advanced by the number of rows received, until an empty page.
 */
export async function ckanapiSearch(client: ApiClient, dataDict: Row = {}): Promise<ClientRun> {
  const run: ClientRun = { ids: [], results: [], pages: [] };
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (client.token) headers['X-CKAN-API-Key'] = client.token;
  let start = 0;
  for (;;) {
    const response = await client.request('/api/action/package_search', { method: 'POST', headers, body: JSON.stringify({ ...dataDict, start, rows: 1000 }) });
    expect(response.status, response.text).to.equal(200);
    run.pages.push(response);
    const page: Row[] = response.body.result.results;
    if (!page.length) return run;
    for (const pkg of page) {
      run.ids.push(pkg.id);
      run.results.push(pkg);
    }
    start += page.length;
    if (run.pages.length > 100) throw new Error('ckanapi paging never reached an empty page');
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
