// Signing in and out, and the editor's dashboard. Passwords are checked against the core's scrypt
// hashes; failures are counted per user name and per client address (services/session.ts) and
// lock sign-in for a while once they pile up. The message never tells whether the name exists.
import { hashPassword, needsRehash, verifyPassword } from '../../../core/auth/password.ts';
import type { DataDict } from '../../../core/actions/types.ts';
import { LoginThrottle, SESSION_COOKIE, cookieOptions, type SessionStore } from '../services/session.ts';
import { type PageRequest, first, safeLocalPath } from './page.ts';
import { fqValue } from './search.ts';
import { datasetListItem } from './view-models.ts';
import type { Route } from './index.ts';

// A hash of a random password: verifying against it costs what a real check costs, so a missing
// user name answers as slowly as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$7l8zK6Zk0N8o6w2yB1Q7gkz5u7y3m0Y9c2t1x4VbN8E';

function loginForm(page: PageRequest, values: { username?: string; cameFrom?: string | null; error?: string | null }, status = 200) {
  page.render('user/login.njk', { nav: 'login', csrf: page.csrfToken(), username: values.username ?? '', cameFrom: values.cameFrom ?? '', error: values.error ?? null }, status);
}

async function showLogin(page: PageRequest) {
  if (page.user) return page.redirect(safeLocalPath(first(page.ctx.query.came_from as string)) ?? '/dashboard');
  loginForm(page, { cameFrom: safeLocalPath(first(page.ctx.query.came_from as string)) });
}

async function doLogin(page: PageRequest) {
  const { fields } = await page.form();
  const username = (first(fields.login) ?? first(fields.username) ?? '').trim().normalize('NFC');
  const password = first(fields.password) ?? '';
  const cameFrom = safeLocalPath(first(fields.came_from));
  const { repos, knex, logger } = page.portal.cradle;
  const throttle = page.portal.throttle;
  const keys = LoginThrottle.keys(username, page.ctx.ip);

  const lockedUntil = await throttle.lockedUntil([keys.user, keys.ip]);
  if (lockedUntil) {
    const minutes = Math.max(1, Math.ceil((lockedUntil - page.portal.cradle.clock.now().getTime()) / 60000));
    return loginForm(page, { username, cameFrom, error: page.t('login.locked', { minutes }) }, 429);
  }
  if (!username || !password) return loginForm(page, { username, cameFrom, error: page.t('login.missing') }, 400);

  // By user name, or by email address as CKAN 2.10+ allows.
  let row = await repos.users.get(knex, username);
  if (!row && username.includes('@')) {
    const matches = await repos.users.search(knex, { email: username, orderBy: 'name', limit: 2 });
    if (matches.length === 1) row = matches[0];
  }
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  if (!row || !ok || row.state !== 'active') {
    const locked = await throttle.fail(keys);
    logger.info({ username: username.slice(0, 100), ip: page.ctx.ip, locked: !!locked }, 'portal sign-in failed');
    const error = locked ? page.t('login.locked', { minutes: page.portal.ui.lockout_minutes }) : page.t('login.failed');
    return loginForm(page, { username, cameFrom, error }, locked ? 429 : 401);
  }
  await throttle.succeed(keys.user);
  // A hash brought from CKAN (or with older parameters) is replaced now that the password is known, as CKAN does.
  if (needsRehash(row.password_hash!)) await repos.users.update(knex, row.id, { password_hash: await hashPassword(password) });
  const sessions = page.container.resolve<SessionStore>('ui.sessions');
  // A fresh session id at every sign-in (no fixation); the old one, if any, ends.
  if (page.session) await sessions.destroy(page.session.record.idHash);
  const { token } = await sessions.create(row.id);
  page.ctx.cookies.set(SESSION_COOKIE, token, cookieOptions(page.ctx, sessions.maxAgeMs));
  logger.info({ user: row.name, ip: page.ctx.ip }, 'portal sign-in');
  page.flash('signed_in');
  page.redirect(cameFrom ?? '/dashboard');
}

async function doLogout(page: PageRequest) {
  await page.form();
  if (page.session) await page.container.resolve<SessionStore>('ui.sessions').destroy(page.session.record.idHash);
  page.ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(page.ctx), maxAge: 0 });
  page.flash('signed_out');
  page.redirect('/');
}

/** The editor's start page: their organizations and the datasets they may edit. */
async function dashboard(page: PageRequest) {
  const user = page.user;
  if (!user) return page.redirect('/user/login?came_from=/dashboard');
  const orgs = await page.act<DataDict[]>('organization_list_for_user', { id: user.id, permission: 'read', include_dataset_count: true });
  const editable = orgs.filter((org) => ['admin', 'editor'].includes(org.capacity) || user.sysadmin);
  // Every clause explicitly required (+): CKAN appends its own clauses to fq, and Lucene's
  // precedence would otherwise make an OR of ours optional.
  const scope = user.sysadmin ? '' : orgs.length ? `+(owner_org:(${orgs.map((org) => fqValue(org.id)).join(' OR ')}) OR creator_user_id:${fqValue(user.id)})` : `+creator_user_id:${fqValue(user.id)}`;
  const [datasets, drafts] = await Promise.all([
    page.act('package_search', { fq: scope, sort: 'metadata_modified desc', rows: 20, include_private: true, include_drafts: true }),
    page.act('package_search', { fq: `${scope} +state:deleted`.trim(), rows: 0, include_private: true }),
  ]);
  page.render('console/dashboard.njk', {
    nav: 'dashboard',
    orgs,
    canCreate: editable.length > 0 || user.sysadmin,
    datasets: (datasets.results as DataDict[]).map((pkg) => datasetListItem(pkg, page.tr)),
    count: datasets.count,
    deletedCount: drafts.count,
  });
}

export const accountRoutes: Route[] = [
  ['get', '/user/login', showLogin],
  ['post', '/user/login', doLogin],
  ['post', '/user/_logout', doLogout],
  ['get', '/dashboard', dashboard],
  ['get', '/dashboard/datasets', dashboard],
];
