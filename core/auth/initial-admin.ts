// First start on an empty database: create sysadmin "admin" and print its API token and password
// once, so a province can log in and script against the API without another step.
import { randomBytes, randomUUID } from 'node:crypto';
import type { ActionContext } from '../actions/types.ts';
import type { Config } from '../config/schema.ts';
import { hashPassword } from './password.ts';
import { newUserRow } from '../model/users.ts';
import { issueApiToken } from './api-token.ts';
import { isEmail } from '../validation/validators.ts';

export async function ensureInitialAdmin(context: ActionContext, config: Config, print: (text: string) => void = (text) => process.stdout.write(text)): Promise<boolean> {
  const { repos, clock } = context.services;
  return context.transaction(async (trx) => {
    // Two processes starting at once on a PostgreSQL server must not both create it.
    await trx.raw('lock table "user" in exclusive mode');
    if ((await repos.users.count(trx)) > 0) return false;
    const now = clock.nowIso();
    const password = randomBytes(12).toString('base64url');
    const userId = randomUUID();
    // CKAN never has a user without an email, and user_update requires one: without it the account
    // could not be patched (ckanapi) or moved (load users) until someone set it by hand.
    const email = initialAdminEmail(config.site.url);
    await repos.users.insert(
      trx,
      newUserRow({ id: userId, name: 'admin', fullname: 'Quản trị hệ thống (Site administrator)', email, password_hash: await hashPassword(password), sysadmin: true, created: now }),
    );
    const token = await issueApiToken(context, userId, 'initial');
    print(
      [
        '',
        'Created the sysadmin account "admin" (shown once; store them now):',
        `  password:  ${password}`,
        `  API token: ${token}`,
        `  email:     ${email} (set the real one with user_patch or on the account page)`,
        `Try: curl -H "Authorization: ${token}" ${config.site.url}/api/3/action/status_show`,
        '',
      ].join('\n') + '\n',
    );
    return true;
  });
}

function initialAdminEmail(siteUrl: string): string {
  const host = new URL(siteUrl).hostname;
  const email = `admin@${host}`;
  return isEmail(email) ? email : 'admin@localhost';
}
