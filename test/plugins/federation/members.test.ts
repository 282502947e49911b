// National mode, beyond the basic pull: the same dataset arriving through two members is kept once
// with both provenances; package_search facets by member; a CKAN member gets the same organization
// namespace and provenance as a Kho one; member_concurrency bounds how many members pull at once.
import { expect } from 'chai';
import type { TestServer } from '../../helpers/server.ts';
import { runJob, send, startFixtureServer } from '../harvest/helpers.ts';
import { startFederated } from './helpers.ts';

async function sync(national: TestServer, member: string): Promise<void> {
  const [entry] = await national.admin.call('federation_sync', { id: member });
  await runJob(national, entry.job_id);
}

const extra = (pkg: any, key: string) => pkg.extras.find((e: any) => e.key === key)?.value;

describe('federation: duplicates, facets, protocols and member concurrency', function () {
  this.timeout(120000);
  let province: TestServer;
  let ministry: TestServer;
  let ckanProvince: TestServer;
  let national: TestServer;
  let shared: any;

  before(async () => {
    [province, ministry, ckanProvince, national] = await Promise.all([startFederated(), startFederated(), startFederated(), startFederated({ federation: { member_concurrency: 1 } })]);
    await province.admin.call('organization_create', { name: 'so-y-te', title: 'Sở Y tế tỉnh A' });
    shared = await province.admin.call('package_create', { name: 'benh-vien', title: 'Bệnh viện tỉnh A', owner_org: 'so-y-te' });
    // The ministry re-publishes the province's dataset under the same identifier, and one of its own.
    await ministry.admin.call('organization_create', { name: 'bo-y-te', title: 'Bộ Y tế' });
    await ministry.admin.call('package_create', { id: shared.id, name: 'benh-vien-tinh-a', title: 'Bệnh viện tỉnh A (Bộ Y tế)', owner_org: 'bo-y-te' });
    await ministry.admin.call('package_create', { name: 'thuoc', title: 'Danh mục thuốc', owner_org: 'bo-y-te' });
    await ckanProvince.admin.call('organization_create', { name: 'so-gd', title: 'Sở Giáo dục tỉnh Q' });
    for (const name of ['truong-hoc', 'giao-vien']) await ckanProvince.admin.call('package_create', { name, title: name, owner_org: 'so-gd' });

    await national.admin.call('federation_member_create', { name: 'tinh-a', title: 'Tỉnh A', url: province.url, schedule: 'MANUAL' });
    await national.admin.call('federation_member_create', { name: 'bo-y-te', title: 'Bộ Y tế', url: ministry.url, schedule: 'MANUAL' });
    await national.admin.call('federation_member_create', { name: 'tinh-q', title: 'Tỉnh Q', url: ckanProvince.url, protocol: 'ckan', schedule: 'MANUAL' });
    // Province A a second time, through its DCAT catalogue: a third path to the same dataset.
    await national.admin.call('federation_member_create', { name: 'tinh-a-dcat', title: 'Tỉnh A (DCAT)', url: province.url, protocol: 'dcat', schedule: 'MANUAL' });
    for (const member of ['tinh-a', 'bo-y-te', 'tinh-q', 'tinh-a-dcat']) await sync(national, member);
  });
  after(async () => {
    await Promise.all([province, ministry, ckanProvince, national].map((server) => server?.close()));
  });

  it('keeps a dataset that arrives through two members once, with both provenances', async () => {
    const copies = await national.anon.call('package_search', { q: '*:*', fq: `extras_federation_original_id:"${shared.id}"`, rows: 10 });
    expect(copies.count).to.equal(1);
    const kept = copies.results[0];
    expect(kept.title).to.equal('Bệnh viện tỉnh A');
    expect(extra(kept, 'federation_member')).to.equal('tinh-a');
    expect(extra(kept, 'federation_members')).to.equal('tinh-a,bo-y-te,tinh-a-dcat');
    const provenance = JSON.parse(extra(kept, 'federation_provenance'));
    expect(provenance.map((p: any) => [p.member, p.original_id, p.original_url])).to.deep.equal([
      ['tinh-a', shared.id, `${province.url}/dataset/benh-vien`],
      ['bo-y-te', shared.id, `${ministry.url}/dataset/benh-vien-tinh-a`],
      ['tinh-a-dcat', shared.id, `http://kho.test/dataset/${shared.id}`],
    ]);
    // The DCAT member's report says why nothing was written.
    const status = (await national.anon.call('federation_status', {})).find((s: any) => s.member === 'tinh-a-dcat');
    expect(status.last_job.stats).to.include({ added: 0, 'not modified': 1, errored: 0 });
    // The ministry's own dataset arrives as usual.
    expect((await national.anon.call('package_search', { q: 'name:bo-y-te-thuoc OR title:thuoc', rows: 10 })).results.map((p: any) => p.title)).to.include('Danh mục thuốc');

    // The ministry drops its copy: the dataset stays (the province still has it), with one provenance.
    await ministry.admin.call('package_delete', { id: shared.id });
    await sync(national, 'bo-y-te');
    const after = await national.anon.call('package_show', { id: kept.id });
    expect(after.state).to.equal('active');
    expect(extra(after, 'federation_members')).to.equal('tinh-a,tinh-a-dcat');
    expect(extra(after, 'federation_member')).to.equal('tinh-a');
  });

  it('facets package_search by member', async () => {
    const result = await national.anon.call('package_search', { q: '*:*', rows: 0, 'facet.field': '["federation_member"]' });
    expect(result.facets.federation_member).to.deep.equal({ 'tinh-a': 1, 'bo-y-te': 1, 'tinh-q': 2 });
    expect(result.search_facets.federation_member.items.map((item: any) => [item.name, item.count]).sort()).to.deep.equal([
      ['bo-y-te', 1],
      ['tinh-a', 1],
      ['tinh-q', 2],
    ]);
    expect((await national.anon.call('package_search', { fq: 'federation_member:tinh-q', rows: 0 })).count).to.equal(2);
  });

  it('gives a CKAN-protocol member the same organization namespace and provenance as a Kho member', async () => {
    const result = await national.anon.call('package_search', { fq: 'federation_member:tinh-q', rows: 10, sort: 'name asc' });
    const pkg = result.results.find((p: any) => p.title === 'truong-hoc');
    expect(pkg.organization).to.include({ name: 'tinh-q-so-gd', title: 'Sở Giáo dục tỉnh Q' });
    const original = await ckanProvince.anon.call('package_show', { id: 'truong-hoc' });
    expect(extra(pkg, 'federation_original_id')).to.equal(original.id);
    expect(extra(pkg, 'federation_original_url')).to.equal(`${ckanProvince.url}/dataset/truong-hoc`);
    expect(extra(pkg, 'federation_synced_at')).to.match(/^\d{4}-\d\d-\d\dT/);
    const members = await national.admin.call('federation_member_show', { id: 'tinh-q' });
    expect(members.protocol).to.equal('ckan');
  });

  it('pulls at most member_concurrency members at a time; the others wait their turn', async () => {
    const spans: Record<string, { start: number; end: number }> = {};
    const slow = (member: string) =>
      startFixtureServer({
        '/api/3/action/federation_changes': async (_request, response) => {
          spans[member] = { start: Date.now(), end: 0 };
          await new Promise((resolve) => setTimeout(resolve, 500));
          spans[member].end = Date.now();
          send(response, 200, JSON.stringify({ success: true, result: { changes: [], cursor: `c-${member}`, has_more: false } }));
        },
      });
    const [one, two] = await Promise.all([slow('cham-1'), slow('cham-2')]);
    try {
      await national.admin.call('federation_member_create', { name: 'cham-1', url: one.url, schedule: 'MANUAL' });
      await national.admin.call('federation_member_create', { name: 'cham-2', url: two.url, schedule: 'MANUAL' });
      const jobs = [(await national.admin.call('federation_sync', { id: 'cham-1' }))[0].job_id, (await national.admin.call('federation_sync', { id: 'cham-2' }))[0].job_id];
      await Promise.all(jobs.map((id) => runJob(national, id)));
      const [first, second] = [spans['cham-1'], spans['cham-2']].sort((a, b) => a.start - b.start);
      expect(second.start, 'the second member starts after the first one is done').to.be.at.least(first.end);
      const status = await national.anon.call('federation_status', {});
      for (const name of ['cham-1', 'cham-2']) expect(status.find((s: any) => s.member === name).stale).to.equal(false);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
