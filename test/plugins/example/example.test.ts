// The example plugin exercises the whole plugin contract end to end over HTTP.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

async function makeOrganization(server: TestServer, name: string, members: Array<{ id: string; capacity: string }> = []) {
  const { repos, knex, clock } = server.kernel.container.cradle;
  const id = randomUUID();
  const now = clock.nowIso();
  await repos.groups.insert(knex, { id, name, title: name, type: 'organization', description: null, image_url: null, created: now, is_organization: true, approval_status: 'approved', state: 'active', extras: [], fields: {} });
  for (const member of members) await repos.members.upsert(knex, id, 'user', member.id, member.capacity, now);
  return id;
}

async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('example plugin', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ plugins: ['example'], config: { example: { greeting: 'Chào Bình Định' } }, workers: true });
    await makeOrganization(server, 'so-y-te');
  });
  after(() => server.close());

  it('adds an action that reads its own config section, and chains status_show', async () => {
    expect(await server.anon.call('example_hello')).to.deep.equal({ greeting: 'Chào Bình Định', user: null });
    expect(await server.admin.call('example_hello')).to.deep.equal({ greeting: 'Chào Bình Định', user: 'test-sysadmin' });
    const status = await server.anon.call('status_show');
    expect(status.extensions).to.deep.equal(['example']);
    expect(status.example_greeting).to.equal('Chào Bình Định');
    const help = await server.anon.call('help_show', { name: 'example_hello' });
    expect(help).to.match(/^Say hello/);
  });

  it('adds an auth function: a non-sysadmin is refused with its message', async () => {
    const user = await server.createUser('nguoi-dung');
    const response = await server.client(user.token).post('example_dataset_events', { id: 'x' });
    expect(response.status).to.equal(403);
    expect(response.body.error).to.deep.equal({ __type: 'Authorization Error', message: 'Access denied: Only sysadmins may list dataset events' });
  });

  it('declares a dataset field: validated, shown top-level, kept by patch, removed by update', async () => {
    const bad = await server.admin.post('package_create', { name: 'benh-vien', owner_org: 'so-y-te', example_theme: 'thể thao' });
    expect(bad.status).to.equal(409);
    expect(bad.body.error).to.deep.equal({ __type: 'Validation Error', example_theme: ['Value must be one of: giao-duc, y-te, giao-thong'] });

    const created = await server.admin.call('package_create', { name: 'benh-vien', owner_org: 'so-y-te', example_theme: 'y-te' });
    expect(created.example_theme).to.equal('y-te');
    const shown = await server.anon.call('package_show', { id: 'benh-vien' });
    expect(shown.example_theme).to.equal('y-te');
    const patched = await server.admin.call('package_patch', { id: 'benh-vien', notes: 'Danh sách bệnh viện' });
    expect(patched.example_theme).to.equal('y-te');
    const updated = await server.admin.call('package_update', { id: 'benh-vien', name: 'benh-vien', owner_org: 'so-y-te' });
    expect(updated.example_theme).to.equal(null);
  });

  it('IPackageController hooks change the dict before the write and record events in the same transaction', async () => {
    const created = await server.admin.call('package_create', { name: 'truong-hoc', owner_org: 'so-y-te', example_theme: 'giao-duc' });
    expect(created.tags.map((tag: { name: string }) => tag.name)).to.deep.equal(['giao-duc']);
    await server.admin.call('package_patch', { id: 'truong-hoc', title: 'Trường học' });
    await server.admin.call('package_delete', { id: 'truong-hoc' });
    const events = await server.admin.call('example_dataset_events', { id: created.id });
    expect(events.map((e: { event: string }) => e.event)).to.deep.equal(['created', 'updated', 'deleted']);

    // A create that fails validation leaves no event behind.
    const before = await server.kernel.database.knex('example_event').count<{ count: number }[]>('* as count').first();
    const failed = await server.admin.post('package_create', { name: 'Không-Hợp-Lệ', owner_org: 'so-y-te' });
    expect(failed.status).to.equal(409);
    const after = await server.kernel.database.knex('example_event').count<{ count: number }[]>('* as count').first();
    expect(Number(after!.count)).to.equal(Number(before!.count));
  });

  it('adds a route outside /api that sees the authenticated user', async () => {
    const anon = await server.anon.request('/example/hello');
    expect(anon.status).to.equal(200);
    expect(anon.body).to.deep.equal({ greeting: 'Chào Bình Định', user: null });
    const admin = await server.admin.request('/example/hello');
    expect(admin.body.user).to.equal('test-sysadmin');
  });

  it('runs its own migration, job type and schedule', async () => {
    const schedule = await server.kernel.database.knex('job_schedule').where('name', 'example.tally.hourly').first();
    expect(schedule, 'the plugin schedule is stored').to.exist;
    const { knex, jobQueue } = server.kernel.container.cradle;
    const id = await jobQueue.enqueue(knex, 'example.tally', {});
    const job = await waitFor(async () => {
      const row = await knex('job').where('id', id).first();
      return row?.state === 'succeeded' ? row : null;
    });
    expect(job.state).to.equal('succeeded');
    const tallies = await knex('example_tally').orderBy('event');
    expect(tallies.length).to.be.greaterThan(0);
    expect(tallies.find((row: { event: string }) => row.event === 'created').count).to.be.at.least(2);
  });
});

describe('example plugin config', () => {
  it('a required declared field is enforced when the province turns it on', async () => {
    const server = await startTestServer({ plugins: ['example'], config: { example: { theme_required: true } } });
    try {
      await makeOrganization(server, 'so-giao-duc');
      const response = await server.admin.post('package_create', { name: 'khong-chu-de', owner_org: 'so-giao-duc' });
      expect(response.status).to.equal(409);
      expect(response.body.error.example_theme).to.deep.equal(['Missing value']);
    } finally {
      await server.close();
    }
  });
});
