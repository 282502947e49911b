// The `ckan` harvester: any CKAN (2.0+) or Kho site, as ckanext-harvest's CKANHarvester pulls it
// (docs/ckan-api.md §5.1): package_search pages of `rows` sorted by `id asc`, until an empty page;
// org/group include/exclude filters as fq terms; after an error-free job, only datasets with
// `metadata_modified` since that job's start minus an hour. Search results are the records (no
// fetch stage). Unlike CKANHarvester, an incremental run also lists every id (fl=id) so datasets
// deleted at the source are found, and pages are processed as they arrive.
import type { DataDict } from '../../../core/actions/types.ts';
import { NotFound, ValidationError } from '../../../core/errors.ts';
import { M, msg } from '../i18n/messages.ts';
import { HarvestFetchError, PageLoopGuard, parseJson, type HttpResult } from '../services/http.ts';
import type { GatherContext, GatheredRecord, IHarvester, ImportContext } from './types.ts';

export interface CkanConfig {
  api_key?: string;
  remote_groups?: 'only_local' | 'create';
  remote_orgs?: 'only_local' | 'create';
  organizations_filter_include?: string[];
  organizations_filter_exclude?: string[];
  groups_filter_include?: string[];
  groups_filter_exclude?: string[];
  force_all?: boolean;
  page_size?: number;
  max_pages?: number;
}

const either = (a: string, b: string) => (_value: unknown, whole: Record<string, unknown>) =>
  whole[a] !== undefined && whole[b] !== undefined
    ? msg(`Harvest configuration cannot contain both ${a} and ${b}`, `Cấu hình không được có cả ${a} và ${b}`)
    : null;

/** Naive UTC ISO with microseconds, as Python's isoformat() prints CKAN's datetimes. */
function pythonIso(date: Date): string {
  return date.toISOString().slice(0, 23) + '000';
}

const ACTION = '/api/3/action';
const DROP_KEYS = [
  'organization', 'num_resources', 'num_tags', 'isopen', 'license_title', 'license_url', 'relationships_as_object',
  'relationships_as_subject', 'metadata_created', 'metadata_modified', 'creator_user_id', 'state', 'revision_id',
  'tracking_summary', 'plugin_data',
];
const DROP_GROUP_KEYS = ['packages', 'created', 'users', 'groups', 'tags', 'extras', 'display_name', 'package_count', 'num_followers', 'image_display_url', 'member_count'];

export const ckanHarvester: IHarvester<CkanConfig> = {
  version: 1,
  info: {
    name: 'ckan',
    title: 'CKAN',
    description: 'Harvests remote CKAN instances (and Kho sites) through the Action API',
    form_config_interface: 'Text',
  },
  config: {
    api_key: { type: 'string', secret: true, description: msg('API token sent as Authorization; the search then includes the private datasets it may read (include_private).', 'Mã API gửi trong Authorization; khi đó tìm cả dữ liệu riêng tư mà mã được đọc (include_private).') },
    remote_groups: {
      type: 'enum',
      values: ['only_local', 'create'],
      description: msg('Keep the remote groups that exist here (only_local) or create the missing ones (create); otherwise groups are dropped.', 'Giữ các nhóm đã có tại đây (only_local) hoặc tạo nhóm còn thiếu (create); nếu không, bỏ nhóm.'),
    },
    remote_orgs: {
      type: 'enum',
      values: ['only_local', 'create'],
      description: msg('Use the remote organization when it exists here (only_local) or create it (create); otherwise the source\'s organization.', 'Dùng tổ chức từ nguồn nếu đã có (only_local) hoặc tạo mới (create); nếu không, dùng tổ chức của nguồn thu thập.'),
    },
    organizations_filter_include: { type: 'string[]', check: either('organizations_filter_include', 'organizations_filter_exclude'), description: msg('Only datasets of these remote organizations.', 'Chỉ các bộ dữ liệu của các tổ chức này.') },
    organizations_filter_exclude: { type: 'string[]', description: msg('Not the datasets of these remote organizations.', 'Trừ các bộ dữ liệu của các tổ chức này.') },
    groups_filter_include: { type: 'string[]', check: either('groups_filter_include', 'groups_filter_exclude'), description: msg('Only datasets in these remote groups.', 'Chỉ các bộ dữ liệu thuộc các nhóm này.') },
    groups_filter_exclude: { type: 'string[]', description: msg('Not the datasets in these remote groups.', 'Trừ các bộ dữ liệu thuộc các nhóm này.') },
    force_all: { type: 'boolean', description: msg('Always harvest every dataset instead of only the ones changed since the last error-free job.', 'Luôn thu thập toàn bộ thay vì chỉ phần thay đổi từ lần không lỗi gần nhất.') },
    page_size: { type: 'integer', min: 1, max: 1000, description: msg('Rows asked per package_search page (default harvest.page_size, 500; a site answering fewer is paged by what it sends).', 'Số dòng mỗi trang package_search (mặc định harvest.page_size, 500).') },
    api_version: { type: 'any', ignored: true, description: msg('Ignored (the Action API v3 is always used).', 'Bỏ qua.') },
    read_only: { type: 'any', ignored: true, description: msg('Ignored.', 'Bỏ qua.') },
  },

  headers(config): Record<string, string> {
    return config.api_key ? { authorization: config.api_key } : {};
  },

  async *gather(context: GatherContext<CkanConfig>) {
    const { config, source } = context;
    const base = source.url.replace(/\/+$/, '');
    const fq: string[] = [];
    if (config.organizations_filter_include?.length) fq.push(config.organizations_filter_include.map((org) => `organization:${org}`).join(' OR '));
    else if (config.organizations_filter_exclude?.length) fq.push(...config.organizations_filter_exclude.map((org) => `-organization:${org}`));
    if (config.groups_filter_include?.length) fq.push(config.groups_filter_include.map((group) => `groups:${group}`).join(' OR '));
    else if (config.groups_filter_exclude?.length) fq.push(...config.groups_filter_exclude.map((group) => `-groups:${group}`));
    const pageSize = config.page_size ?? context.defaults.pageSize;
    const maxPages = config.max_pages ?? context.defaults.maxPages;

    if (context.previousJob && !config.force_all) {
      const since = new Date(Date.parse(context.previousJob.gather_started + 'Z') - 60 * 60 * 1000);
      const sinceTerm = `metadata_modified:[${pythonIso(since)}Z TO *]`;
      let failed: Error | null = null;
      try {
        for await (const page of search(context, base, [...fq, sinceTerm], pageSize, maxPages)) yield page;
      } catch (err) {
        if (context.signal.aborted) throw err;
        failed = err as Error;
      }
      if (!failed) {
        // Every id at the source, so datasets deleted there are found (CKANHarvester never does this).
        try {
          for await (const ids of listIds(context, base, fq, maxPages)) context.seen(ids);
        } catch (err) {
          if (context.signal.aborted) throw err;
          context.incomplete(err instanceof HarvestFetchError ? err.msg : M.deletionListIncomplete);
        }
        return;
      }
      context.warn(M.incrementalFallback(failed instanceof HarvestFetchError ? failed.msg.en : failed.message));
    }
    for await (const page of search(context, base, fq, pageSize, maxPages)) yield page;
  },

  async import(record, context: ImportContext<CkanConfig>) {
    const { config, source } = context;
    const pkg: DataDict = structuredClone(record.content as DataDict);
    const remoteOrgName: string | undefined = pkg.organization?.name;
    for (const key of DROP_KEYS) delete pkg[key];
    const base = source.url.replace(/\/+$/, '');

    if (config.remote_groups !== 'only_local' && config.remote_groups !== 'create') {
      delete pkg.groups;
    } else {
      const groups: DataDict[] = [];
      for (const ref of Array.isArray(pkg.groups) ? pkg.groups : []) {
        const found = await localGroup(context, ref, false);
        if (found) groups.push(found);
        else if (config.remote_groups === 'create') {
          const created = await createRemoteGroup(context, base, ref, false);
          if (created) groups.push(created);
          else context.warn(M.remoteGroupMissing(String(ref?.name ?? ref?.id ?? ref)));
        } else context.warn(M.remoteGroupMissing(String(ref?.name ?? ref?.id ?? ref)));
      }
      pkg.groups = groups;
    }

    if (config.remote_orgs !== 'only_local' && config.remote_orgs !== 'create') {
      pkg.owner_org = source.owner_org;
    } else {
      const remote = pkg.owner_org;
      let local: DataDict | null = remote ? await localGroup(context, { id: remote, name: remoteOrgName }, true) : null;
      if (!local && remote && config.remote_orgs === 'create') local = await createRemoteGroup(context, base, { id: remote }, true);
      if (!local && remote) context.warn(M.remoteOrgMissing(String(remote)));
      pkg.owner_org = local?.id ?? source.owner_org;
    }

    pkg.resources = (Array.isArray(pkg.resources) ? pkg.resources : []).map((resource: DataDict) => {
      const copy = { ...resource };
      // Links to the remote files, never local uploads or datastore tables.
      delete copy.url_type;
      delete copy.revision_id;
      delete copy.package_id;
      delete copy.position;
      delete copy.state;
      delete copy.metadata_modified;
      delete copy.tracking_summary;
      delete copy.datastore_active;
      return copy;
    });
    if (Array.isArray(pkg.tags)) pkg.tags = pkg.tags.map((tag: DataDict | string) => (typeof tag === 'string' ? { name: tag } : { name: tag.name }));
    if (Array.isArray(pkg.extras)) pkg.extras = pkg.extras.filter((extra: DataDict) => extra && typeof extra.key === 'string').map((extra: DataDict) => ({ key: extra.key, value: extra.value }));
    return pkg;
  },
};

/** Page through package_search (sort id asc) until an empty page, as CKANHarvester does. */
async function* search(context: GatherContext<CkanConfig>, base: string, fq: string[], rows: number, maxPages: number): AsyncGenerator<GatheredRecord[]> {
  const guard = new PageLoopGuard(maxPages);
  const seen = new Set<string>();
  let first: string | null = null;
  const request = (start: number) => {
    const params = new URLSearchParams({ rows: String(rows), start: String(start), sort: 'id asc' });
    if (fq.length) params.set('fq', fq.join(' '));
    // With a key, the private datasets the key may read too (package_search leaves them out otherwise).
    if (context.config.api_key) params.set('include_private', 'true');
    const url = `${base}${ACTION}/package_search?${params}`;
    first ??= url;
    guard.visit(url, first);
    const pending = context.http.get(url, { accept: 'application/json', okStatuses: [400, 403, 404, 409] }).then((raw) => ({ url, raw }));
    pending.catch(() => undefined); // observed below; never an unhandled rejection if the consumer stops
    return pending;
  };
  let start = 0;
  let next = request(start);
  for (;;) {
    const { url, raw } = await next;
    guard.content(url, raw.body);
    const results = searchResults(raw, url);
    if (results.length === 0) return;
    // The next page is requested while this one is imported. `start` advances by what came back,
    // so a site that caps `rows` below what was asked (ckan.search.rows_max) loses nothing.
    start += results.length;
    next = request(start);
    const page: GatheredRecord[] = [];
    for (const pkg of results) {
      if (!pkg || typeof pkg.id !== 'string') continue;
      if (seen.has(pkg.id)) continue; // datasets changing while we page
      seen.add(pkg.id);
      if (pkg.type === 'harvest') continue; // a remote harvest source is not data
      page.push({ guid: pkg.id, content: pkg, remoteModified: pkg.metadata_modified ?? null, originalUrl: pkg.name ? `${base}/dataset/${pkg.name}` : null });
    }
    if (page.length) yield page;
  }
}

/** Every dataset id matching the filters (fl=id keeps the pages small). */
async function* listIds(context: GatherContext<CkanConfig>, base: string, fq: string[], maxPages: number): AsyncGenerator<string[]> {
  const guard = new PageLoopGuard(maxPages);
  const rows = 1000;
  let start = 0;
  let first: string | null = null;
  for (;;) {
    const params = new URLSearchParams({ rows: String(rows), start: String(start), sort: 'id asc', fl: 'id,type' });
    if (fq.length) params.set('fq', fq.join(' '));
    if (context.config.api_key) params.set('include_private', 'true');
    const url = `${base}${ACTION}/package_search?${params}`;
    first ??= url;
    guard.visit(url, first);
    const raw = await context.http.get(url, { accept: 'application/json', okStatuses: [400, 403, 404, 409] });
    guard.content(url, raw.body);
    const results = searchResults(raw, url);
    if (results.length === 0) return;
    yield results.filter((pkg) => pkg && typeof pkg.id === 'string' && pkg.type !== 'harvest').map((pkg) => pkg.id as string);
    start += results.length;
  }
}

function searchResults(raw: HttpResult, url: string): DataDict[] {
  let body: DataDict;
  try {
    body = parseJson<DataDict>(raw, 'the JSON of package_search');
  } catch (err) {
    // An error status with a body that is not CKAN's JSON envelope: report the status.
    if (raw.status >= 400) throw new HarvestFetchError('http', url, M.httpStatus(url, raw.status, 0), raw.status);
    throw err;
  }
  if (!body || typeof body !== 'object') throw new HarvestFetchError('shape', url, M.unexpectedShape(url, 'the answer is not a JSON object'));
  if (body.success === false || raw.status >= 400) {
    const error = body.error && typeof body.error === 'object' ? `${body.error.__type ?? 'error'}: ${body.error.message ?? JSON.stringify(body.error)}` : `HTTP ${raw.status}`;
    throw new HarvestFetchError('http', url, M.unexpectedShape(url, error), raw.status);
  }
  const results = body.result?.results;
  if (!Array.isArray(results)) throw new HarvestFetchError('shape', url, M.unexpectedShape(url, 'no result.results list in the answer'));
  return results;
}

async function localGroup(context: ImportContext<CkanConfig>, ref: DataDict | string, organization: boolean): Promise<DataDict | null> {
  const keys = typeof ref === 'string' ? [ref] : [ref?.id, ref?.name].filter((key): key is string => typeof key === 'string' && key !== '');
  for (const key of keys) {
    const cacheKey = `${organization ? 'org' : 'group'}:${key}`;
    if (context.cache.has(cacheKey)) {
      const hit = context.cache.get(cacheKey) as DataDict | null;
      if (hit) return hit;
      continue;
    }
    const row = await context.services.repos.groups.get(context.services.knex, key);
    const found = row && row.state === 'active' && row.is_organization === organization ? { id: row.id, name: row.name } : null;
    context.cache.set(cacheKey, found);
    if (found) return found;
  }
  return null;
}

/** remote_groups / remote_orgs "create": copy the remote group with the same id (CKANHarvester). */
async function createRemoteGroup(context: ImportContext<CkanConfig>, base: string, ref: DataDict | string, organization: boolean): Promise<DataDict | null> {
  const id = typeof ref === 'string' ? ref : (ref?.id ?? ref?.name);
  if (!id) return null;
  const lock = `create:${organization ? 'org' : 'group'}:${id}`;
  if (context.cache.has(lock)) return (await (context.cache.get(lock) as Promise<DataDict | null>)) ?? null;
  const work = (async (): Promise<DataDict | null> => {
    const actionName = organization ? 'organization_show' : 'group_show';
    let remote: DataDict | null = null;
    for (const name of organization ? [actionName, 'group_show'] : [actionName]) {
      try {
        const raw = await context.http.get(`${base}${ACTION}/${name}?id=${encodeURIComponent(id)}`, { accept: 'application/json', okStatuses: [403, 404, 409] });
        const body = parseJson<DataDict>(raw, 'JSON');
        if (body?.success && body.result) {
          remote = body.result;
          break;
        }
      } catch (err) {
        if (context.signal.aborted) throw err;
      }
    }
    if (!remote) return null;
    const dict: DataDict = { ...remote };
    for (const key of DROP_GROUP_KEYS) delete dict[key];
    delete dict.type;
    delete dict.is_organization;
    delete dict.approval_status;
    delete dict.state;
    try {
      const created = await context.actions.action(organization ? 'organization_create' : 'group_create', dict);
      const found = { id: created.id, name: created.name };
      context.cache.set(`${organization ? 'org' : 'group'}:${id}`, found);
      return found;
    } catch (err) {
      if (err instanceof ValidationError || err instanceof NotFound) {
        // Created meanwhile by another record, or the name is taken: use what exists.
        return localGroup(context, { id: remote.id, name: remote.name }, organization);
      }
      throw err;
    }
  })();
  context.cache.set(lock, work);
  return work;
}
