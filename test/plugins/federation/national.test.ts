// National mode with real Kho instances on loopback: three provinces and one national portal.
// Creations, updates, deletions, purges and privatisations reach the national catalogue; a province
// that is down shows as stale while the others sync and catches up when it returns; bad feeds end in
// a recorded error and nothing lost.
import { expect } from 'chai';
import type { TestServer } from '../../helpers/server.ts';
import { runJob, send, startFixtureServer, type FixtureServer } from '../harvest/helpers.ts';
import { startFederated } from './helpers.ts';
import { openDataset } from '../compliance/helpers.ts';

async function sync(national: TestServer, member?: string): Promise<any[]> {
  const started = await national.admin.call('federation_sync', member ? { id: member } : {});
  for (const entry of started) if (entry.job_id) await runJob(national, entry.job_id);
  return started;
}

async function held(national: TestServer, member: string): Promise<Record<string, any>> {
  const result = await national.anon.call('package_search', { q: '*:*', fq: `extras_federation_member:${member}`, rows: 100 });
  const byOriginal: Record<string, any> = {};
  for (const pkg of result.results) byOriginal[pkg.extras.find((e: any) => e.key === 'federation_original_id').value] = pkg;
  return byOriginal;
}

async function heldAll(national: TestServer): Promise<string[]> {
  const result = await national.anon.call('package_search', { q: '*:*', rows: 100 });
  return result.results.map((pkg: any) => pkg.title).sort();
}

describe('federation: national mode with three provinces', function () {
  this.timeout(120000);
  const provinces: TestServer[] = [];
  let national: TestServer;
  let gate: FixtureServer;
  let cDown = true;

  before(async () => {
    for (let i = 0; i < 3; i++) provinces.push(await startFederated());
    national = await startFederated();
    for (const [i, province] of provinces.entries()) {
      await province.admin.call('organization_create', { name: 'so-y-te', title: `Sở Y tế tỉnh ${'ABC'[i]}` });
      for (const n of [1, 2]) await province.admin.call('package_create', { name: `du-lieu-${n}`, title: `Tỉnh ${'ABC'[i]} – dữ liệu ${n}`, owner_org: 'so-y-te', resources: [{ url: `http://example.org/${i}/${n}.csv`, format: 'CSV' }] });
      await province.admin.call('package_create', { name: 'noi-bo', title: `Tỉnh ${'ABC'[i]} – nội bộ`, owner_org: 'so-y-te', private: true });
    }
    // Province C sits behind a gate that can be closed, as a province whose server is down.
    const target = provinces[2].url;
    gate = await startFixtureServer({
      '*': async (request, response, url) => {
        if (cDown) return send(response, 503, 'down for maintenance', 'text/plain');
        const upstream = await fetch(target + url.pathname + url.search, { headers: { accept: String(request.headers.accept ?? '*/*') } });
        send(response, upstream.status, Buffer.from(await upstream.arrayBuffer()), upstream.headers.get('content-type') ?? 'application/json');
      },
    });
    await national.admin.call('federation_member_create', { name: 'tinh-a', title: 'Tỉnh A', url: provinces[0].url, schedule: 'MANUAL' });
    await national.admin.call('federation_member_create', { name: 'tinh-b', title: 'Tỉnh B', url: provinces[1].url, schedule: 'MANUAL' });
    await national.admin.call('federation_member_create', { name: 'tinh-c', title: 'Tỉnh C', url: gate.url, schedule: 'MANUAL' });
  });
  after(async () => {
    await gate?.close();
    await Promise.all([...provinces, national].map((server) => server?.close()));
  });

  it('pulls every public dataset, under each member\'s organizations, with provenance; a province that is down is stale', async () => {
    await sync(national);
    expect(await heldAll(national)).to.deep.equal(['Tỉnh A – dữ liệu 1', 'Tỉnh A – dữ liệu 2', 'Tỉnh B – dữ liệu 1', 'Tỉnh B – dữ liệu 2']);
    const a = await held(national, 'tinh-a');
    const original = await provinces[0].anon.call('package_show', { id: 'du-lieu-1' });
    const copy = a[original.id];
    expect(copy.organization.name).to.equal('tinh-a-so-y-te');
    expect(copy.organization.title).to.equal('Sở Y tế tỉnh A');
    const extra = (key: string) => copy.extras.find((e: any) => e.key === key)?.value;
    expect(extra('federation_member')).to.equal('tinh-a');
    expect(extra('federation_original_url')).to.equal(`${provinces[0].url}/dataset/du-lieu-1`);
    expect(extra('federation_synced_at')).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(copy.resources[0].url).to.equal('http://example.org/0/1.csv');

    const status = await national.anon.call('federation_status', {});
    const byName = Object.fromEntries(status.map((s: any) => [s.member, s]));
    expect(byName['tinh-a']).to.include({ stale: false, datasets: 2 });
    expect(byName['tinh-c'].stale).to.equal(true);
    expect(byName['tinh-c'].last_success).to.equal(null);
    expect(byName['tinh-c'].last_errors.join(' ')).to.match(/503/);
  });

  it('propagates updates, deletions, purges and privatisations, and a returning province catches up', async () => {
    const [pa, pb, pc] = provinces;
    await pa.admin.call('package_patch', { id: 'du-lieu-1', title: 'Tỉnh A – dữ liệu 1 (sửa)' });
    await pa.admin.call('package_delete', { id: 'du-lieu-2' });
    await pb.admin.call('package_patch', { id: 'du-lieu-1', private: true });
    await pb.admin.call('dataset_purge', { id: 'du-lieu-2' });
    await pb.admin.call('package_create', { name: 'du-lieu-3', title: 'Tỉnh B – dữ liệu 3', owner_org: 'so-y-te' });
    await pc.admin.call('package_patch', { id: 'du-lieu-2', title: 'Tỉnh C – dữ liệu 2 (sửa)' });
    cDown = false;
    await sync(national);
    expect(await heldAll(national)).to.deep.equal(['Tỉnh A – dữ liệu 1 (sửa)', 'Tỉnh B – dữ liệu 3', 'Tỉnh C – dữ liệu 1', 'Tỉnh C – dữ liệu 2 (sửa)']);
    const status = await national.anon.call('federation_status', {});
    for (const entry of status) expect(entry.stale, entry.member).to.equal(false);
    expect(status.map((s: any) => s.datasets)).to.deep.equal([1, 1, 2]);

    // An incremental run with nothing new changes nothing.
    const [job] = await sync(national, 'tinh-a');
    const report = await national.admin.call('harvest_job_show', { id: job.job_id });
    expect(report.stats).to.include({ added: 0, updated: 0, deleted: 0 });
  });

  it('records malformed feeds and repeating pages as errors, keeping what it holds', async () => {
    let mode: 'garbage' | 'repeat' = 'garbage';
    const bad = await startFixtureServer({
      '/api/3/action/federation_changes': (_request, response) => {
        if (mode === 'garbage') return send(response, 200, JSON.stringify({ success: true, result: { changes: [{ id: 'x', change: 'created' }], cursor: 'c', has_more: false } }));
        send(response, 200, JSON.stringify({ success: true, result: { changes: [], cursor: 'same', has_more: true } }));
      },
    });
    try {
      await national.admin.call('federation_member_create', { name: 'hong', title: 'Hỏng', url: bad.url, schedule: 'MANUAL' });
      await sync(national, 'hong');
      let status = (await national.anon.call('federation_status', {})).find((s: any) => s.member === 'hong');
      expect(status.last_errors.join(' ')).to.match(/did not answer as a Kho change feed: change x has no package dict/);
      mode = 'repeat';
      await sync(national, 'hong');
      status = (await national.anon.call('federation_status', {})).find((s: any) => s.member === 'hong');
      expect(status.last_errors.join(' ')).to.match(/returned the same page again/);
      expect(status.stale).to.equal(true);
      expect(await heldAll(national)).to.have.length(4);
    } finally {
      await bad.close();
    }
  });

  it('refuses a cursor from another member with a recorded error, and loses nothing', async () => {
    // tinh-a's stored cursor, sent to province B: B answers 409, the job records it.
    await national.admin.call('federation_member_update', { id: 'tinh-a', url: provinces[1].url });
    await sync(national, 'tinh-a');
    const status = (await national.anon.call('federation_status', {})).find((s: any) => s.member === 'tinh-a');
    expect(status.last_errors.join(' ')).to.match(/409.*another Kho instance/);
    expect(Object.keys(await held(national, 'tinh-a'))).to.have.length(1);
    await national.admin.call('federation_member_update', { id: 'tinh-a', url: provinces[0].url });
  });

  it('lets only sysadmins manage members', async () => {
    const user = await national.createUser('nguoi-dung');
    const response = await national.client(user.token).post('federation_member_create', { name: 'x', url: 'http://example.org' });
    expect(response.status).to.equal(403);
    expect(response.body.error.__type).to.equal('Authorization Error');
    const invalid = await national.admin.post('federation_member_create', { name: 'X Y', url: 'ftp://a', protocol: 'smtp' });
    expect(invalid.status).to.equal(409);
    expect(Object.keys(invalid.body.error).sort()).to.deep.equal(['__type', 'name', 'namespace', 'protocol', 'url']);
    const badSchedule = await national.admin.post('federation_member_create', { name: 'tinh-d', url: 'http://example.org', schedule: 'thỉnh thoảng' });
    expect(badSchedule.status).to.equal(409);
    expect(Object.keys(badSchedule.body.error).sort()).to.deep.equal(['__type', 'schedule']);
    expect((await national.admin.get('organization_show', { id: 'tinh-d' })).status).to.equal(404); // nothing half-made
    expect((await national.admin.post('federation_member_update', { id: 'tinh-a', schedule: 'never' })).body.error).to.have.property('schedule');
    const list = await national.admin.call('federation_member_list', {});
    expect(list.map((m: any) => m.name)).to.deep.equal(['hong', 'tinh-a', 'tinh-b', 'tinh-c']);
  });

  it('reports a member already being pulled instead of starting it twice', async () => {
    const [first] = await national.admin.call('federation_sync', { id: 'tinh-a' });
    const [second] = await national.admin.call('federation_sync', { id: 'tinh-a' });
    expect(first.job_id).to.be.a('string');
    expect(second).to.include({ member: 'tinh-a', job_id: null });
    expect(second.error).to.match(/already/i);
    await runJob(national, first.job_id);
  });
});


describe('federation: national mode carries the focal point with the organization (R59)', function () {
  this.timeout(120000);
  const FOCAL = { contact_name: 'Nguyễn Thị Lan', contact_position: 'Chuyên viên', contact_phone: '0256 3822 123', contact_email: 'lan@syt.binhdinh.gov.vn' };
  let province: TestServer;
  let national: TestServer;
  let gate: FixtureServer;
  // The member's organization_show fails (as on a member under load) while this is set.
  let organizationShowDown = false;
  before(async () => {
    province = await startFederated({ plugins: ['harvest', 'federation', 'compliance'] });
    national = await startFederated({ plugins: ['harvest', 'federation', 'compliance'] });
    await province.admin.call('organization_create', { name: 'ubnd-tinh', title: 'UBND tỉnh', ...FOCAL, contact_email: 'vp@binhdinh.gov.vn' });
    await province.admin.call('organization_create', { name: 'so-y-te', title: 'Sở Y tế', parent_org: 'ubnd-tinh', ...FOCAL });
    await province.admin.call('package_create', openDataset('ke-hoach', 'ubnd-tinh'));
    await province.admin.call('package_create', openDataset('benh-vien', 'so-y-te'));
    gate = await startFixtureServer({
      '*': async (request, response, url) => {
        if (organizationShowDown && url.pathname.endsWith('/organization_show')) return send(response, 503, 'busy', 'text/plain');
        const upstream = await fetch(province.url + url.pathname + url.search, { headers: { accept: String(request.headers.accept ?? '*/*') } });
        send(response, upstream.status, Buffer.from(await upstream.arrayBuffer()), upstream.headers.get('content-type') ?? 'application/json');
      },
    });
    await national.admin.call('federation_member_create', { name: 'tinh-a', title: 'Tỉnh A', url: gate.url, schedule: 'MANUAL' });
  });
  after(async () => {
    await gate?.close();
    await Promise.all([province?.close(), national?.close()]);
  });

  it('reads the member\'s organization and keeps it up to date, its parent agency under the member\'s namespace', async () => {
    // This portal's publish gates need the focal point: without it, no dataset of the member would pass.
    await sync(national);
    const shown = await national.anon.call('organization_show', { id: 'tinh-a-so-y-te' });
    expect(shown).to.include({ title: 'Sở Y tế', ...FOCAL });
    expect(Object.keys(await held(national, 'tinh-a'))).to.have.length(2);

    await province.admin.call('organization_patch', { id: 'so-y-te', title: 'Sở Y tế tỉnh A', contact_name: 'Trần Văn Bình' });
    await province.admin.call('package_patch', { id: 'benh-vien', notes: 'Cập nhật' });
    await sync(national);
    const again = await national.anon.call('organization_show', { id: 'tinh-a-so-y-te' });
    expect(again).to.include({ title: 'Sở Y tế tỉnh A', contact_name: 'Trần Văn Bình', contact_email: FOCAL.contact_email, parent_org: 'tinh-a-ubnd-tinh' });

    // The member's organization_show cannot be read: what is held is kept, not cleared.
    organizationShowDown = true;
    await province.admin.call('package_patch', { id: 'benh-vien', notes: 'Cập nhật lần hai' });
    await sync(national);
    organizationShowDown = false;
    expect((await national.anon.call('package_show', { id: (await province.anon.call('package_show', { id: 'benh-vien' })).id })).notes).to.equal('Cập nhật lần hai');
    const kept = await national.anon.call('organization_show', { id: 'tinh-a-so-y-te' });
    expect(kept).to.include({ title: 'Sở Y tế tỉnh A', contact_name: 'Trần Văn Bình', contact_email: FOCAL.contact_email, parent_org: 'tinh-a-ubnd-tinh' });
  });
});
