// The editors' console on CKAN's URLs: /dataset/new, /dataset/edit/{id}, /dataset/delete/{id},
// /dataset/{id}/resource/new, /dataset/{id}/resource/{rid}/edit|delete, plus /dataset/restore/{id}
// and /dashboard/deleted. Forms post back to themselves; a validation error re-renders the form
// with the messages next to their fields (status 409, as the Action API).
import type { DataDict } from '../../../core/actions/types.ts';
import { ValidationError, NotAuthorized } from '../../../core/errors.ts';
import { LICENSES } from '../../../core/model/licenses.ts';
import { type PageRequest, PageNotFound, first, all } from './page.ts';
import {
  datasetDataFromForm,
  datasetFieldsets,
  datasetFormValues,
  declaredFormValues,
  flattenErrors,
  resourceFieldsets,
  unplacedErrors,
  type FormValues,
} from './forms.ts';
import { fqValue } from './search.ts';
import type { Route } from './index.ts';

function requireUser(page: PageRequest): boolean {
  if (page.user) return true;
  page.redirect(`/user/login?came_from=${encodeURIComponent(page.ctx.originalUrl)}`);
  return false;
}

function licenseChoices(page: PageRequest) {
  return LICENSES.filter((license) => license.status === 'active').map((license) => ({
    value: license.id,
    label: page.tr.has(`license.${license.id}`) ? page.t(`license.${license.id}`) : license.title,
  }));
}

async function organizationChoices(page: PageRequest, current?: string) {
  const orgs = await page.act<DataDict[]>('organization_list_for_user', { id: page.user!.id, permission: 'create_dataset' });
  const choices = orgs.map((org) => ({ value: org.id as string, label: (org.display_name || org.title || org.name) as string, name: org.name as string }));
  return { choices, current: current && !choices.some((c) => c.value === current) ? current : null };
}

async function groupChoices(page: PageRequest) {
  const groups = await page.tryAct<DataDict[]>('group_list_authz', {}, []);
  return groups.map((group) => ({ value: group.name as string, label: (group.display_name || group.title || group.name) as string }));
}

async function renderDatasetForm(page: PageRequest, options: { pkg: DataDict | null; values: FormValues; declaredValues: DataDict; errors: Record<string, string[]>; status?: number }) {
  const { pkg, values, errors } = options;
  const orgs = await organizationChoices(page, pkg?.owner_org);
  const organizations = orgs.choices.map(({ value, label }) => ({ value, label }));
  // An editor of a dataset whose organization they cannot publish in still sees it selected.
  if (orgs.current && pkg?.organization) organizations.unshift({ value: pkg.owner_org, label: pkg.organization.title || pkg.organization.name });
  // A ?owner_org=name link preselects by name.
  const ownerValue = first(values.owner_org);
  if (ownerValue && !organizations.some((org) => org.value === ownerValue)) {
    const byName = orgs.choices.find((org) => org.name === ownerValue);
    if (byName) values.owner_org = byName.value;
  }
  if (!first(values.owner_org) && organizations.length === 1) values.owner_org = organizations[0].value;
  const groups = await groupChoices(page);
  const sets = datasetFieldsets(values, options.declaredValues, {
    organizations,
    licenses: licenseChoices(page),
    groups,
    declared: page.portal.cradle.fields.dataset,
    errors,
    isNew: !pkg,
  }, page.tr);
  const offered = new Set(groups.map((group) => group.value));
  const keptGroups = all(values.groups).filter((name) => !offered.has(name));
  page.render('console/dataset-form.njk', {
    nav: 'dashboard',
    pkg,
    sets,
    general: unplacedErrors(errors, sets),
    keptGroups,
    noOrganizations: organizations.length === 0 && !page.portal.cradle.config.auth.create_unowned_dataset,
  }, options.status ?? 200);
}

async function newDataset(page: PageRequest) {
  if (!requireUser(page)) return;
  const values: FormValues = { owner_org: first(page.ctx.query.owner_org as string) ?? '' };
  await renderDatasetForm(page, { pkg: null, values, declaredValues: {}, errors: {} });
}

async function createDataset(page: PageRequest) {
  const { fields } = await page.form();
  if (!requireUser(page)) return;
  const declared = page.portal.cradle.fields.dataset;
  const groups = (await groupChoices(page)).map((group) => group.value);
  const data = datasetDataFromForm(fields, declared, 'create', groups);
  try {
    const pkg = await page.act('package_create', data);
    page.flash('dataset_created');
    page.redirect(`/dataset/${encodeURIComponent(pkg.name)}/resource/new`);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const errors = flattenErrors(err.errors, page.tr, { tags: 'tag_string' });
    // A name made from the title is not the user's doing: say so next to the title too.
    if (!first(fields.name) && errors.name) errors.title = [...(errors.title ?? []), ...errors.name];
    await renderDatasetForm(page, { pkg: null, values: { ...fields, name: first(fields.name) ?? '' }, declaredValues: declaredFormValues(declared, fields), errors, status: 409 });
  }
}

async function editDataset(page: PageRequest) {
  if (!requireUser(page)) return;
  const pkg = await page.act('package_show', { id: String(page.ctx.params.id) });
  if (!(await page.allowed('package_update', { id: pkg.id }))) throw new NotAuthorized();
  await renderDatasetForm(page, { pkg, values: datasetFormValues(pkg), declaredValues: pkg, errors: {} });
}

async function updateDataset(page: PageRequest) {
  const { fields } = await page.form();
  if (!requireUser(page)) return;
  const pkg = await page.act('package_show', { id: String(page.ctx.params.id) });
  const declared = page.portal.cradle.fields.dataset;
  const groups = (await groupChoices(page)).map((group) => group.value);
  const data = datasetDataFromForm(fields, declared, 'update', groups);
  try {
    const updated = await page.act('package_patch', { ...data, id: pkg.id });
    page.flash('dataset_updated');
    page.redirect(`/dataset/${encodeURIComponent(updated.name)}`);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const errors = flattenErrors(err.errors, page.tr, { tags: 'tag_string' });
    await renderDatasetForm(page, { pkg, values: fields, declaredValues: declaredFormValues(declared, fields), errors, status: 409 });
  }
}

async function confirmDeleteDataset(page: PageRequest) {
  if (!requireUser(page)) return;
  const pkg = await page.act('package_show', { id: String(page.ctx.params.id) });
  if (!(await page.allowed('package_delete', { id: pkg.id }))) throw new NotAuthorized();
  page.render('console/confirm.njk', {
    nav: 'dashboard',
    heading: page.t('console.delete_dataset_q', { title: pkg.title || pkg.name }),
    text: page.t('console.delete_dataset_text'),
    action: `/dataset/delete/${encodeURIComponent(pkg.name)}`,
    cancel: `/dataset/${encodeURIComponent(pkg.name)}`,
    button: page.t('console.delete'),
  });
}

async function deleteDataset(page: PageRequest) {
  await page.form();
  if (!requireUser(page)) return;
  const pkg = await page.act('package_show', { id: String(page.ctx.params.id) });
  await page.act('package_delete', { id: pkg.id });
  page.flash('dataset_deleted');
  page.redirect('/dashboard/deleted');
}

async function restoreDataset(page: PageRequest) {
  await page.form();
  if (!requireUser(page)) return;
  const pkg = await page.act('package_show', { id: String(page.ctx.params.id) });
  try {
    await page.act('package_patch', { id: pkg.id, state: 'active' });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    // The name was taken by a newer dataset meanwhile, or a plugin refuses: show why.
    return page.errorPage(400, Object.values(flattenErrors(err.errors, page.tr)).flat().join(' '));
  }
  page.flash('dataset_restored');
  page.redirect(`/dataset/${encodeURIComponent(pkg.name)}`);
}

/** Deleted datasets the user may restore (their organizations', or all for sysadmins). */
async function deletedDatasets(page: PageRequest) {
  if (!requireUser(page)) return;
  const user = page.user!;
  const orgs = await page.act<DataDict[]>('organization_list_for_user', { id: user.id, permission: 'update_dataset' });
  let results: DataDict[] = [];
  if (user.sysadmin || orgs.length) {
    const scope = user.sysadmin ? '' : `+owner_org:(${orgs.map((org) => fqValue(org.id)).join(' OR ')}) `;
    const found = await page.act('package_search', { fq: `${scope}+state:deleted`, rows: 100, sort: 'metadata_modified desc', include_private: true });
    results = found.results;
  }
  page.render('console/deleted.njk', { nav: 'dashboard', datasets: results });
}

// -------------------------------------------------------------------------------------------------
// resources

function maxMb(page: PageRequest): number {
  return page.portal.cradle.config.storage.max_resource_size_mb;
}

async function loadEditable(page: PageRequest): Promise<DataDict> {
  const pkg = await page.act('package_show', { id: String(page.ctx.params.id) });
  if (!(await page.allowed('package_update', { id: pkg.id }))) throw new NotAuthorized();
  return pkg;
}

function renderResourceForm(page: PageRequest, pkg: DataDict, resource: DataDict | null, values: FormValues, errors: Record<string, string[]>, status = 200) {
  const sets = resourceFieldsets(values, errors, page.tr, maxMb(page), !resource);
  page.render('console/resource-form.njk', {
    nav: 'dashboard',
    pkg,
    resource,
    sets,
    general: unplacedErrors(errors, sets),
    maxBytes: maxMb(page) * 1048576,
    action: resource ? `/dataset/${encodeURIComponent(pkg.name)}/resource/${resource.id}/edit` : `/dataset/${encodeURIComponent(pkg.name)}/resource/new`,
  }, status);
}

async function newResource(page: PageRequest) {
  if (!requireUser(page)) return;
  const pkg = await loadEditable(page);
  renderResourceForm(page, pkg, null, {}, {});
}

async function saveResource(page: PageRequest, resourceId: string | null) {
  const { fields, files } = await page.form({ files: true });
  const { fileStore } = page.portal.cradle;
  try {
    if (!requireUser(page)) return;
    const pkg = await loadEditable(page);
    const upload = files.find((file) => file.fieldName === 'upload' && file.size > 0);
    const data: DataDict = {};
    for (const key of ['name', 'description', 'format']) data[key] = (first(fields[key]) ?? '').trim();
    const url = (first(fields.url) ?? '').trim();
    if (upload) data.upload = upload;
    else if (url) data.url = url;
    const resource = resourceId ? (pkg.resources ?? []).find((item: DataDict) => item.id === resourceId) : null;
    if (resourceId && !resource) throw new PageNotFound();
    if (!upload && !url && !resource) {
      const errors = { upload: [page.t('err.file_or_url')] };
      if (page.wantsJson()) return page.json({ errors }, 409);
      return renderResourceForm(page, pkg, null, fields, errors, 409);
    }
    if (!data.name && upload) data.name = upload.filename;
    try {
      const saved = resource
        ? await page.act('resource_patch', { ...data, id: resource.id, ...(!upload && url && resource.url_type === 'upload' ? { clear_upload: true, url_type: '' } : {}) })
        : await page.act('resource_create', { ...data, package_id: pkg.id });
      const location = `/dataset/${encodeURIComponent(pkg.name)}/resource/${saved.id}`;
      page.flash(resource ? 'resource_updated' : 'resource_created');
      if (page.wantsJson()) return page.json({ location, resource: { id: saved.id, size: saved.size ?? null, hash: saved.hash ?? null } });
      page.redirect(location);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const errors = flattenErrors(err.errors, page.tr);
      if (page.wantsJson()) return page.json({ errors }, 409);
      renderResourceForm(page, pkg, resource ?? null, fields, errors, 409);
    }
  } finally {
    for (const file of files) await fileStore.discard(file);
  }
}

async function editResource(page: PageRequest) {
  if (!requireUser(page)) return;
  const pkg = await loadEditable(page);
  const resource = (pkg.resources ?? []).find((item: DataDict) => item.id === String(page.ctx.params.rid));
  if (!resource) throw new PageNotFound();
  const values: FormValues = {
    name: resource.name ?? '',
    description: resource.description ?? '',
    format: resource.format ?? '',
    url: resource.url_type === 'upload' ? '' : (resource.url ?? ''),
  };
  renderResourceForm(page, pkg, resource, values, {});
}

async function confirmDeleteResource(page: PageRequest) {
  if (!requireUser(page)) return;
  const pkg = await loadEditable(page);
  const resource = (pkg.resources ?? []).find((item: DataDict) => item.id === String(page.ctx.params.rid));
  if (!resource) throw new PageNotFound();
  page.render('console/confirm.njk', {
    nav: 'dashboard',
    heading: page.t('console.delete_resource_q', { name: resource.name || page.t('resource.unnamed') }),
    text: page.t(resource.url_type === 'upload' ? 'console.delete_resource_file' : 'console.delete_resource_text'),
    action: `/dataset/${encodeURIComponent(pkg.name)}/resource/${resource.id}/delete`,
    cancel: `/dataset/${encodeURIComponent(pkg.name)}/resource/${resource.id}`,
    button: page.t('console.delete'),
  });
}

async function deleteResource(page: PageRequest) {
  await page.form();
  if (!requireUser(page)) return;
  const pkg = await loadEditable(page);
  const resource = (pkg.resources ?? []).find((item: DataDict) => item.id === String(page.ctx.params.rid));
  if (!resource) throw new PageNotFound();
  await page.act('resource_delete', { id: resource.id });
  page.flash('resource_deleted');
  page.redirect(`/dataset/${encodeURIComponent(pkg.name)}`);
}

export const consoleRoutes: Route[] = [
  ['get', '/dataset/new', newDataset],
  ['post', '/dataset/new', createDataset],
  ['get', '/dataset/edit/:id', editDataset],
  ['post', '/dataset/edit/:id', updateDataset],
  ['get', '/dataset/delete/:id', confirmDeleteDataset],
  ['post', '/dataset/delete/:id', deleteDataset],
  ['post', '/dataset/restore/:id', restoreDataset],
  ['get', '/dashboard/deleted', deletedDatasets],
  ['get', '/dataset/:id/resource/new', newResource],
  ['post', '/dataset/:id/resource/new', (page) => saveResource(page, null)],
  ['get', '/dataset/:id/resource/:rid/edit', editResource],
  ['post', '/dataset/:id/resource/:rid/edit', (page) => saveResource(page, String(page.ctx.params.rid))],
  ['get', '/dataset/:id/resource/:rid/delete', confirmDeleteResource],
  ['post', '/dataset/:id/resource/:rid/delete', deleteResource],
];
