// The public catalogue, on CKAN's URLs so that old links keep working: / , /dataset,
// /dataset/{name}, /dataset/{id}/resource/{rid}, /organization[/{name}], /group[/{name}].
import type Router from '@koa/router';
import type { DataDict } from '../../../core/actions/types.ts';
import { NotFound } from '../../../core/errors.ts';
import type { StoredUpload } from '../../../core/model/resources.ts';
import { previewKind, type Preview } from '../services/preview.ts';
import { plainSnippet } from '../services/markdown.ts';
import { isLocale } from '../services/i18n.ts';
import { cookieOptions } from '../services/session.ts';
import { type PageRequest, LANG_COOKIE, PageNotFound, first, safeLocalPath } from './page.ts';
import { runSearch, fqValue } from './search.ts';
import { datasetInfoRows, datasetListItem, declaredRows, pageNumbers, queryString, resourceHref, resourceInfoRows } from './view-models.ts';
import type { Route } from './index.ts';

const RDF_SUFFIX = /\.(rdf|xml|ttl|n3|jsonld|nt)$/i;

/** Requests a DCAT endpoint (federation) should answer: /dataset/x.ttl or Accept: text/turtle. */
function wantsRdf(page: PageRequest, id: string): boolean {
  if (RDF_SUFFIX.test(id)) return true;
  const accept = page.ctx.get('accept');
  if (!accept || accept.includes('text/html') || accept.includes('*/*')) return false;
  return /(rdf\+xml|turtle|n3|ld\+json|n-triples)/.test(accept);
}

/** The version of pages built from searches: the catalogue's generation. */
const generation = (page: PageRequest) => `g${page.portal.generation}`;

async function home(page: PageRequest) {
  const version = generation(page);
  if (page.fromCache(version)) return;
  const [newest, updated, orgs, groups, orgNames, groupNames] = await Promise.all([
    page.act('package_search', { rows: 6, sort: 'metadata_created desc', 'facet.field': ['res_format'], 'facet.limit': 8, include_private: false }),
    page.act('package_search', { rows: 6, sort: 'metadata_modified desc', include_private: false }),
    page.act('organization_list', { all_fields: true, sort: 'package_count desc', limit: 8 }),
    page.act('group_list', { all_fields: true, sort: 'package_count desc', limit: 8 }),
    page.act<string[]>('organization_list', {}),
    page.act<string[]>('group_list', {}),
  ]);
  const formats = [...(newest.search_facets?.res_format?.items ?? [])].sort((a: DataDict, b: DataDict) => b.count - a.count);
  page.render('home.njk', {
    nav: 'home',
    counts: { datasets: newest.count, organizations: orgNames.length, groups: groupNames.length },
    newest: (newest.results as DataDict[]).map((pkg) => datasetListItem(pkg, page.tr)),
    updated: (updated.results as DataDict[]).map((pkg) => datasetListItem(pkg, page.tr)),
    organizations: orgs,
    groups,
    formats,
  }, 200, version);
}

async function datasetSearch(page: PageRequest) {
  const version = generation(page);
  if (page.fromCache(version)) return;
  const search = await runSearch(page, '/dataset');
  page.render('dataset/search.njk', { nav: 'datasets', search, title: search.q ? page.t('search.title_q', { q: search.q }) : page.t('search.title') }, 200, search.error ? undefined : version);
}

interface ResourceView {
  resource: DataDict;
  href: string | null;
  upload: StoredUpload | null;
  previewable: boolean;
  /** Shown in the resource list, computed here rather than in the template (it is the hot loop). */
  name: string;
  format: string;
  formatKey: string;
  snippet: string;
  size: string;
  modified: string;
  isUpload: boolean;
}

async function resourceViews(page: PageRequest, pkg: DataDict): Promise<ResourceView[]> {
  const { repos, knex, config } = page.portal.cradle;
  const resources: DataDict[] = pkg.resources ?? [];
  const uploads = new Map<string, StoredUpload>();
  if (resources.some((resource) => resource.url_type === 'upload')) {
    for (const row of await repos.resources.forPackage(knex, pkg.id)) if (row.upload) uploads.set(row.id, row.upload);
  }
  const unnamed = page.t('resource.unnamed');
  return resources.map((resource) => {
    const upload = uploads.get(resource.id) ?? null;
    const format = typeof resource.format === 'string' ? resource.format : '';
    return {
      resource,
      href: resourceHref(resource, config.site.url),
      upload,
      previewable: previewKind(resource, upload) !== null,
      name: resource.name || unnamed,
      format,
      formatKey: format.toLowerCase(),
      snippet: plainSnippet(resource.description, 160),
      size: resource.size ? page.tr.bytes(resource.size) : '',
      modified: resource.last_modified ? page.tr.date(resource.last_modified) : '',
      isUpload: resource.url_type === 'upload',
    };
  });
}

async function previewOf(page: PageRequest, view: ResourceView | undefined): Promise<Preview | null> {
  if (!view?.upload) return null;
  const kind = previewKind(view.resource, view.upload);
  return kind ? page.portal.previews.get(view.resource.id, kind, view.upload) : null;
}

/** What the signed-in user may do with a dataset (buttons are shown only when the action would be allowed). */
async function datasetPermissions(page: PageRequest, pkg: DataDict) {
  if (!page.user) return { edit: false, delete: false };
  const [edit, remove] = await Promise.all([page.allowed('package_update', { id: pkg.id }), page.allowed('package_delete', { id: pkg.id })]);
  return { edit, delete: remove };
}

const ORG_SHOW_LIGHT = { include_datasets: false, include_dataset_count: false, include_users: false, include_groups: false, include_tags: false, include_extras: false, include_followers: false };

/**
 * The publisher's declared fields (focal point, feedback contact, identifier code, when a plugin
 * declares them) for the dataset page's sidebar: an agency's contact belongs on every dataset page.
 */
async function publisherContact(page: PageRequest, pkg: DataDict) {
  const declared = page.portal.cradle.fields.organization;
  if (!declared.length || !pkg.owner_org) return [];
  const org = await page.tryAct<DataDict | null>('organization_show', { id: pkg.owner_org, ...ORG_SHOW_LIGHT }, null);
  return org ? declaredRows(declared, org, page.tr) : [];
}

function apiLinks(pkg: DataDict, resource?: DataDict) {
  const links = [{ label: 'package_show', href: `/api/3/action/package_show?id=${encodeURIComponent(pkg.name)}` }];
  if (resource) links.push({ label: 'resource_show', href: `/api/3/action/resource_show?id=${encodeURIComponent(resource.id)}` });
  return links;
}

function dcatLinks(page: PageRequest, pkg: DataDict) {
  if (!page.portal.cradle.plugins.some((plugin) => plugin.name === 'federation')) return [];
  return [
    { label: 'RDF/XML', href: `/dataset/${encodeURIComponent(pkg.name)}.rdf` },
    { label: 'Turtle', href: `/dataset/${encodeURIComponent(pkg.name)}.ttl` },
    { label: 'JSON-LD', href: `/dataset/${encodeURIComponent(pkg.name)}.jsonld` },
  ];
}

async function datasetRead(page: PageRequest, next: () => Promise<unknown>) {
  const id = String(page.ctx.params.id);
  if (wantsRdf(page, id)) return next();
  const gen = generation(page);
  const pkg = await page.act('package_show', { id });
  // The dataset's own version, and the catalogue's (its organization may have changed).
  const version = `${pkg.id}/${pkg.metadata_modified}/${gen}`;
  if (page.fromCache(version)) return;
  const views = await resourceViews(page, pkg);
  const first = views.find((view) => view.previewable);
  const [preview, can, orgInfo] = await Promise.all([previewOf(page, first), datasetPermissions(page, pkg), publisherContact(page, pkg)]);
  page.render('dataset/read.njk', {
    orgInfo,
    nav: 'datasets',
    pkg,
    resources: views,
    info: datasetInfoRows(pkg, page.portal.cradle.fields.dataset, page.tr),
    preview: preview && first ? { resource: first.resource, data: preview } : null,
    can,
    api: apiLinks(pkg),
    dcat: dcatLinks(page, pkg),
  }, 200, version);
}

async function resourceRead(page: PageRequest) {
  const gen = generation(page);
  const pkg = await page.act('package_show', { id: String(page.ctx.params.id) });
  const version = `${pkg.id}/${pkg.metadata_modified}/${gen}`;
  if (page.fromCache(version)) return;
  const views = await resourceViews(page, pkg);
  const view = views.find((item) => item.resource.id === String(page.ctx.params.rid));
  if (!view) throw new PageNotFound();
  const [preview, can] = await Promise.all([previewOf(page, view), datasetPermissions(page, pkg)]);
  page.render('dataset/resource.njk', {
    nav: 'datasets',
    pkg,
    view,
    resources: views,
    info: resourceInfoRows(view.resource, page.tr, view.href),
    preview,
    can,
    api: apiLinks(pkg, view.resource),
  }, 200, version);
}

const LIST_PAGE = 20;

async function groupList(page: PageRequest, kind: 'organization' | 'group') {
  const version = generation(page);
  if (page.fromCache(version)) return;
  const query = page.ctx.query as Record<string, string | undefined>;
  const q = (first(query.q) ?? '').slice(0, 200);
  const sortOptions = ['title asc', 'package_count desc', 'name asc'];
  const sort = sortOptions.includes(first(query.sort) ?? '') ? first(query.sort)! : 'title asc';
  const names = await page.act<string[]>(`${kind}_list`, { q: q || undefined, sort });
  const last = Math.max(1, Math.ceil(names.length / LIST_PAGE));
  const pageNo = Math.max(1, Math.min(Math.floor(Number(first(query.page)) || 1), last));
  const items = names.length
    ? await page.act<DataDict[]>(`${kind}_list`, { q: q || undefined, sort, all_fields: true, limit: LIST_PAGE, offset: (pageNo - 1) * LIST_PAGE })
    : [];
  const base = `/${kind}`;
  const pageHref = (n: number) => base + queryString([['q', q], ['sort', sort === 'title asc' ? '' : sort], ['page', n > 1 ? String(n) : '']]);
  page.render(`${kind}/list.njk`, {
    nav: kind === 'organization' ? 'organizations' : 'groups',
    q,
    sort,
    sorts: sortOptions.map((value) => ({ value, label: page.t(`group_sort.${value.replace(' ', '_')}`), selected: value === sort })),
    count: names.length,
    items,
    pages: last > 1 ? pageNumbers(pageNo, last).map((n) => ({ number: n, href: n ? pageHref(n) : '', current: n === pageNo })) : [],
  }, 200, version);
}

async function groupRead(page: PageRequest, kind: 'organization' | 'group') {
  const version = generation(page);
  if (page.fromCache(version)) return;
  const group = await page.act(`${kind}_show`, { id: String(page.ctx.params.id), include_datasets: false, include_users: false, include_extras: true });
  if (group.state === 'deleted' && !page.user?.sysadmin) throw new NotFound();
  const fq = kind === 'organization' ? `owner_org:${fqValue(group.id)}` : `groups:${fqValue(group.name)}`;
  const search = await runSearch(page, `/${kind}/${encodeURIComponent(group.name)}`, { fq, hideFacets: [kind === 'organization' ? 'organization' : 'groups'] });
  const declared = kind === 'organization' ? page.portal.cradle.fields.organization : page.portal.cradle.fields.group;
  const canManage = await page.allowed(`${kind}_update`, { id: group.id });
  page.render(`${kind}/read.njk`, {
    nav: kind === 'organization' ? 'organizations' : 'groups',
    group,
    info: declaredRows(declared, group, page.tr),
    extras: (group.extras ?? []).filter((extra: DataDict) => extra.value !== '' && extra.value !== null),
    search,
    canManage,
  }, 200, search.error ? undefined : version);
}

/** /lang/en?next=/dataset: remember the language in a cookie and go back. */
function switchLanguage(page: PageRequest) {
  const locale = String(page.ctx.params.locale);
  if (isLocale(locale)) rememberLanguage(page, locale);
  page.redirect(safeLocalPath(first(page.ctx.query.next as string | string[] | undefined)) ?? '/');
}

function rememberLanguage(page: PageRequest, locale: string) {
  page.ctx.cookies.set(LANG_COOKIE, locale, cookieOptions(page.ctx, 365 * 24 * 3600 * 1000));
}

/**
 * CKAN's locale-prefixed URLs (/en/dataset/x), as links copied from a CKAN portal carry them:
 * remember the language and go to the same page without the prefix.
 */
function localePrefixed(locale: string) {
  return (page: PageRequest) => {
    rememberLanguage(page, locale);
    const rest = page.ctx.path.slice(locale.length + 1) || '/';
    const query = page.ctx.querystring ? `?${page.ctx.querystring}` : '';
    // page.redirect refuses anything off this site (/en//evil.example becomes /).
    page.redirect(rest + query);
  };
}

export const publicRoutes: Route[] = [
  ['get', '/en{/*rest}', localePrefixed('en')],
  ['get', '/vi{/*rest}', localePrefixed('vi')],
  ['get', '/', home],
  ['get', '/dataset', datasetSearch],
  ['get', '/dataset/', datasetSearch],
  ['get', '/lang/:locale', switchLanguage],
  // /dataset/new and the other console URLs are registered before these (routes/index.ts).
  ['get', '/dataset/:id', datasetRead],
  ['get', '/dataset/:id/resource/:rid', resourceRead],
  ['get', '/organization', (page) => groupList(page, 'organization')],
  ['get', '/organization/:id', (page) => groupRead(page, 'organization')],
  ['get', '/group', (page) => groupList(page, 'group')],
  ['get', '/group/:id', (page) => groupRead(page, 'group')],
];

export type { Router };
