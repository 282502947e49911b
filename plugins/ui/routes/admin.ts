// Managing organizations and groups (with the fields plugins declare for them, such as the focal
// point), organization members, users, and the sysadmin overview (/ckan-admin). Every change goes
// through the same actions and auth functions as the API, so a page never allows more than a token.
import type { DataDict } from '../../../core/actions/types.ts';
import { NotAuthorized, ValidationError } from '../../../core/errors.ts';
import type { UploadedFile } from '../../../core/storage/file-store.ts';
import { type PageRequest, first } from './page.ts';
import { declaredFormValues, flattenErrors, groupDataFromForm, groupFieldsets, unplacedErrors, type FormValues } from './forms.ts';
import { queryString } from './view-models.ts';
import type { Route } from './index.ts';

type Kind = 'organization' | 'group';

function requireUser(page: PageRequest): boolean {
  if (page.user) return true;
  page.redirect(`/user/login?came_from=${encodeURIComponent(page.ctx.originalUrl)}`);
  return false;
}

function requireSysadmin(page: PageRequest): boolean {
  if (!requireUser(page)) return false;
  if (!page.user!.sysadmin) throw new NotAuthorized();
  return true;
}

function declaredOf(page: PageRequest, kind: Kind) {
  return kind === 'organization' ? page.portal.cradle.fields.organization : page.portal.cradle.fields.group;
}

function renderGroupForm(page: PageRequest, kind: Kind, group: DataDict | null, values: FormValues, declaredValues: DataDict, errors: Record<string, string[]>, status = 200) {
  const sets = groupFieldsets(kind, values, declaredValues, declaredOf(page, kind), errors, page.tr, page.portal.cradle.config.storage.max_image_size_mb);
  page.render('admin/group-form.njk', { nav: kind === 'organization' ? 'organizations' : 'groups', kind, group, sets, general: unplacedErrors(errors, sets) }, status);
}

async function newGroup(page: PageRequest, kind: Kind) {
  if (!requireUser(page)) return;
  if (!(await page.allowed(`${kind}_create`, {}))) throw new NotAuthorized();
  renderGroupForm(page, kind, null, {}, {}, {});
}

async function createGroup(page: PageRequest, kind: Kind) {
  const { fields, files } = await page.form({ files: true });
  try {
    if (!requireUser(page)) return;
    const declared = declaredOf(page, kind);
    try {
      const group = await page.act(`${kind}_create`, withImage(groupDataFromForm(fields, declared, 'create'), files));
      page.flash(`${kind}_created`);
      page.redirect(`/${kind}/${encodeURIComponent(group.name)}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      renderGroupForm(page, kind, null, fields, declaredFormValues(declared, fields), flattenErrors(err.errors, page.tr), 409);
    }
  } finally {
    await discardAll(page, files);
  }
}

/** The logo picked in the form, if any: the action stores it (image_upload, as CKAN's form sends it). */
function withImage(data: DataDict, files: UploadedFile[]): DataDict {
  const image = files.find((file) => file.fieldName === 'image_upload' && file.size > 0);
  return image ? { ...data, image_upload: image } : data;
}

async function discardAll(page: PageRequest, files: UploadedFile[]) {
  for (const file of files) await page.portal.cradle.fileStore.discard(file);
}

async function editGroup(page: PageRequest, kind: Kind) {
  if (!requireUser(page)) return;
  const group = await page.act(`${kind}_show`, { id: String(page.ctx.params.id), include_datasets: false, include_users: false });
  if (!(await page.allowed(`${kind}_update`, { id: group.id }))) throw new NotAuthorized();
  const values: FormValues = { title: group.title ?? '', name: group.name, description: group.description ?? '', image_url: group.image_url ?? '' };
  renderGroupForm(page, kind, group, values, group, {});
}

async function updateGroup(page: PageRequest, kind: Kind) {
  const { fields, files } = await page.form({ files: true });
  try {
    if (!requireUser(page)) return;
    const group = await page.act(`${kind}_show`, { id: String(page.ctx.params.id), include_datasets: false, include_users: false });
    const declared = declaredOf(page, kind);
    try {
      const updated = await page.act(`${kind}_patch`, { ...withImage(groupDataFromForm(fields, declared, 'update'), files), id: group.id });
      page.flash(`${kind}_updated`);
      page.redirect(`/${kind}/${encodeURIComponent(updated.name)}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      renderGroupForm(page, kind, group, fields, declaredFormValues(declared, fields), flattenErrors(err.errors, page.tr), 409);
    }
  } finally {
    await discardAll(page, files);
  }
}

async function confirmDeleteGroup(page: PageRequest, kind: Kind) {
  if (!requireUser(page)) return;
  const group = await page.act(`${kind}_show`, { id: String(page.ctx.params.id), include_datasets: false, include_users: false });
  if (!(await page.allowed(`${kind}_delete`, { id: group.id }))) throw new NotAuthorized();
  page.render('console/confirm.njk', {
    nav: kind === 'organization' ? 'organizations' : 'groups',
    heading: page.t(`admin.delete_${kind}_q`, { title: group.display_name || group.name }),
    text: page.t(`admin.delete_${kind}_text`),
    action: `/${kind}/delete/${encodeURIComponent(group.name)}`,
    cancel: `/${kind}/${encodeURIComponent(group.name)}`,
    button: page.t('console.delete'),
  });
}

async function deleteGroup(page: PageRequest, kind: Kind) {
  await page.form();
  if (!requireUser(page)) return;
  try {
    await page.act(`${kind}_delete`, { id: String(page.ctx.params.id) });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return page.errorPage(400, Object.values(flattenErrors(err.errors, page.tr)).flat().join(' ') || page.t('admin.org_not_empty'));
  }
  page.flash(`${kind}_deleted`);
  page.redirect(`/${kind}`);
}

// -------------------------------------------------------------------------------------------------
// members

async function members(page: PageRequest, errors: Record<string, string[]> = {}, values: FormValues = {}, status = 200) {
  if (!requireUser(page)) return;
  const org = await page.act('organization_show', { id: String(page.ctx.params.id), include_datasets: false, include_users: true });
  if (!(await page.allowed('organization_member_create', { id: org.id, username: page.user!.name, role: 'member' }))) throw new NotAuthorized();
  const roles = await page.act<Array<{ text: string; value: string }>>('member_roles_list', { group_type: 'organization' });
  page.render('admin/members.njk', {
    nav: 'organizations',
    org,
    members: [...(org.users ?? [])].sort((a: DataDict, b: DataDict) => String(a.name).localeCompare(String(b.name))),
    roles: roles.map((role) => ({ value: role.value, label: page.t(`role.${role.value}`) })),
    errors,
    values: { username: first(values.username) ?? '', role: first(values.role) ?? 'editor' },
  }, status);
}

async function addMember(page: PageRequest) {
  const { fields } = await page.form();
  if (!requireUser(page)) return;
  try {
    await page.act('organization_member_create', { id: String(page.ctx.params.id), username: (first(fields.username) ?? '').trim(), role: first(fields.role) ?? '' });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const errors = flattenErrors(err.errors, page.tr);
    if (errors.username) errors.username = [page.t('err.user_not_found')];
    return members(page, errors, fields, 409);
  }
  page.flash('member_saved');
  page.redirect(`/organization/members/${encodeURIComponent(String(page.ctx.params.id))}`);
}

async function removeMember(page: PageRequest) {
  const { fields } = await page.form();
  if (!requireUser(page)) return;
  await page.act('organization_member_delete', { id: String(page.ctx.params.id), username: first(fields.user) ?? '' });
  page.flash('member_removed');
  page.redirect(`/organization/members/${encodeURIComponent(String(page.ctx.params.id))}`);
}

// -------------------------------------------------------------------------------------------------
// users (sysadmins)

const USERS_PAGE = 50;

async function userList(page: PageRequest) {
  if (!requireSysadmin(page)) return;
  const q = (first(page.ctx.query.q as string) ?? '').slice(0, 100);
  const pageNo = Math.max(1, Math.floor(Number(first(page.ctx.query.page as string)) || 1));
  const users = await page.act<DataDict[]>('user_list', { q: q || undefined, order_by: 'name', limit: USERS_PAGE + 1, offset: (pageNo - 1) * USERS_PAGE });
  const more = users.length > USERS_PAGE;
  const href = (n: number) => '/user' + queryString([['q', q], ['page', n > 1 ? String(n) : '']]);
  page.render('admin/users.njk', {
    nav: 'admin',
    q,
    users: users.slice(0, USERS_PAGE),
    prev: pageNo > 1 ? href(pageNo - 1) : null,
    next: more ? href(pageNo + 1) : null,
  });
}

function renderUserForm(page: PageRequest, account: DataDict | null, values: FormValues, errors: Record<string, string[]>, status = 200) {
  const known = new Set(['name', 'fullname', 'email', 'password', 'sysadmin']);
  page.render('admin/user-form.njk', {
    nav: 'admin',
    account,
    values: {
      name: first(values.name) ?? '',
      fullname: first(values.fullname) ?? '',
      email: first(values.email) ?? '',
      sysadmin: first(values.sysadmin) === 'on' || values.sysadmin === 'true',
    },
    errors,
    general: Object.entries(errors).filter(([key]) => !known.has(key)).flatMap(([, list]) => list),
  }, status);
}

async function newUser(page: PageRequest) {
  if (!requireSysadmin(page)) return;
  renderUserForm(page, null, {}, {});
}

async function createUser(page: PageRequest) {
  const { fields } = await page.form();
  if (!requireSysadmin(page)) return;
  const data: DataDict = {
    name: (first(fields.name) ?? '').trim(),
    fullname: (first(fields.fullname) ?? '').trim(),
    email: (first(fields.email) ?? '').trim(),
    password: first(fields.password) ?? '',
    sysadmin: first(fields.sysadmin) === 'on',
  };
  try {
    await page.act('user_create', data);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return renderUserForm(page, null, fields, flattenErrors(err.errors, page.tr), 409);
  }
  page.flash('user_created');
  page.redirect('/user');
}

async function editUser(page: PageRequest) {
  if (!requireSysadmin(page)) return;
  const account = await page.act('user_show', { id: String(page.ctx.params.id) });
  renderUserForm(page, account, { name: account.name, fullname: account.fullname ?? '', email: account.email ?? '', sysadmin: account.sysadmin ? 'true' : '' }, {});
}

async function updateUser(page: PageRequest) {
  const { fields } = await page.form();
  if (!requireSysadmin(page)) return;
  const account = await page.act('user_show', { id: String(page.ctx.params.id) });
  const data: DataDict = {
    id: account.id,
    fullname: (first(fields.fullname) ?? '').trim(),
    email: (first(fields.email) ?? '').trim(),
    sysadmin: first(fields.sysadmin) === 'on',
  };
  const password = first(fields.password) ?? '';
  if (password) data.password = password;
  if (account.id === page.user!.id && !data.sysadmin) {
    return renderUserForm(page, account, fields, { sysadmin: [page.t('err.own_sysadmin')] }, 409);
  }
  try {
    await page.act('user_patch', data);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return renderUserForm(page, account, fields, flattenErrors(err.errors, page.tr), 409);
  }
  page.flash('user_updated');
  page.redirect('/user');
}

async function deleteUser(page: PageRequest) {
  await page.form();
  if (!requireSysadmin(page)) return;
  const account = await page.act('user_show', { id: String(page.ctx.params.id) });
  if (account.id === page.user!.id) return page.errorPage(400, page.t('err.own_account'));
  await page.act('user_delete', { id: account.id });
  page.flash('user_deleted');
  page.redirect('/user');
}

async function adminHome(page: PageRequest) {
  if (!requireSysadmin(page)) return;
  const [status, orgs, groups, users, datasets] = await Promise.all([
    page.act('status_show', {}),
    page.act<string[]>('organization_list', {}),
    page.act<string[]>('group_list', {}),
    page.act<DataDict[]>('user_list', { limit: 1000 }),
    page.act('package_search', { rows: 0, include_private: true, include_drafts: true }),
  ]);
  const plugins = page.portal.cradle.plugins.map((plugin) => ({ name: plugin.name, version: plugin.version, description: plugin.description ?? '' }));
  page.render('admin/index.njk', {
    nav: 'admin',
    status,
    plugins,
    counts: { organizations: orgs.length, groups: groups.length, users: users.length, datasets: datasets.count },
    database: page.portal.cradle.database.kind,
  });
}

function both(kind: Kind): Route[] {
  return [
    ['get', `/${kind}/new`, (page) => newGroup(page, kind)],
    ['post', `/${kind}/new`, (page) => createGroup(page, kind)],
    ['get', `/${kind}/edit/:id`, (page) => editGroup(page, kind)],
    ['post', `/${kind}/edit/:id`, (page) => updateGroup(page, kind)],
    ['get', `/${kind}/delete/:id`, (page) => confirmDeleteGroup(page, kind)],
    ['post', `/${kind}/delete/:id`, (page) => deleteGroup(page, kind)],
  ];
}

export const adminRoutes: Route[] = [
  ...both('organization'),
  ...both('group'),
  ['get', '/organization/members/:id', (page) => members(page)],
  ['post', '/organization/member_new/:id', addMember],
  ['post', '/organization/member_delete/:id', removeMember],
  ['get', '/user', userList],
  ['get', '/user/new', newUser],
  ['post', '/user/new', createUser],
  ['get', '/user/edit/:id', editUser],
  ['post', '/user/edit/:id', updateUser],
  ['post', '/user/delete/:id', deleteUser],
  ['get', '/ckan-admin', adminHome],
];

