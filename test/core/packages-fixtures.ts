// Fixtures shared by the dataset, resource and upload tests: organizations with members, and a
// walk of the storage folder. Organizations go through organization_create when that action is
// registered, otherwise straight into the tables, so these tests do not wait on the groups work.
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TestServer, TestUser } from '../helpers/server.ts';

export type Capacity = 'admin' | 'editor' | 'member';

export interface TestOrg {
  id: string;
  name: string;
  title: string;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** An active organization, with the given users as members. */
export async function createOrg(server: TestServer, members: Array<[TestUser, Capacity]> = [], options: { name?: string; title?: string } = {}): Promise<TestOrg> {
  const name = options.name ?? uniqueName('org');
  const title = options.title ?? `Organization ${name}`;
  const { actions, repos, knex, clock } = server.kernel.container.cradle;
  let id: string;
  if (actions.has('organization_create')) {
    const response = await server.admin.post('organization_create', { name, title });
    if (response.status !== 200) throw new Error(`organization_create failed: ${response.text}`);
    id = response.body.result.id;
  } else {
    id = randomUUID();
    await repos.groups.insert(knex, {
      id,
      name,
      title,
      type: 'organization',
      description: '',
      image_url: null,
      created: clock.nowIso(),
      is_organization: true,
      approval_status: 'approved',
      state: 'active',
      extras: [],
      fields: {},
    });
  }
  for (const [user, capacity] of members) await repos.members.upsert(knex, id, 'user', user.id, capacity, clock.nowIso());
  return { id, name, title };
}

/** A group (not an organization), for the groups[] of a dataset. */
export async function createGroup(server: TestServer, options: { name?: string; title?: string } = {}): Promise<TestOrg> {
  const name = options.name ?? uniqueName('group');
  const title = options.title ?? `Group ${name}`;
  const { actions, repos, knex, clock } = server.kernel.container.cradle;
  if (actions.has('group_create')) {
    const response = await server.admin.post('group_create', { name, title });
    if (response.status !== 200) throw new Error(`group_create failed: ${response.text}`);
    return { id: response.body.result.id, name, title };
  }
  const id = randomUUID();
  await repos.groups.insert(knex, {
    id,
    name,
    title,
    type: 'group',
    description: '',
    image_url: null,
    created: clock.nowIso(),
    is_organization: false,
    approval_status: 'approved',
    state: 'active',
    extras: [],
    fields: {},
  });
  return { id, name, title };
}

/** Every file under `root`, as paths relative to it ([] when the folder does not exist). */
export async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string) => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(path.relative(root, full));
    }
  };
  await walk(root);
  return out.sort();
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Row counts a failed write must leave unchanged. */
export async function tableCounts(server: TestServer): Promise<Record<string, number>> {
  const { knex } = server.kernel.container.cradle;
  const out: Record<string, number> = {};
  for (const table of ['package', 'resource', 'package_tag', 'tag', 'member', 'package_search']) {
    const row = await knex(table).count<{ count: number }[]>('* as count').first();
    out[table] = Number(row?.count ?? 0);
  }
  return out;
}
