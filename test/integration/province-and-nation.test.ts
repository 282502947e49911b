// The plugins a province really runs, together in one server: ui, harvest, compliance and federation.
// An agency's own system is harvested into the province's portal, the compliance plugin scores what
// arrived and still refuses an incomplete public dataset typed in by a user, the portal shows the
// harvested data, and the national portal pulls all of it through the federation change feed.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { FAST_HARVEST, harvestNow, runJob } from '../plugins/harvest/helpers.ts';

describe('a province running ui, harvest, compliance and federation together', function () {
  this.timeout(120000);
  let agency: TestServer; // an agency's own CKAN-compatible system
  let province: TestServer;
  let national: TestServer;

  before(async () => {
    const net = { allow_private_hosts: ['127.0.0.1', 'localhost'] };
    agency = await startTestServer();
    province = await startTestServer({
      plugins: ['ui', 'harvest', 'compliance', 'federation'],
      config: { net, harvest: FAST_HARVEST, ui: { page_cache_seconds: 0 } },
    });
    national = await startTestServer({ plugins: ['harvest', 'federation'], config: { net, harvest: FAST_HARVEST } });

    await agency.admin.call('organization_create', { name: 'so-y-te', title: 'Sở Y tế' });
    await agency.admin.call('package_create', {
      name: 'co-so-kham-chua-benh', title: 'Danh sách cơ sở khám chữa bệnh', owner_org: 'so-y-te', notes: 'Bệnh viện và trạm y tế',
      resources: [{ url: 'http://example.org/co-so.csv', format: 'CSV', name: 'Danh sách' }], tags: [{ name: 'y tế' }],
    });
    await agency.admin.call('package_create', { name: 'tiem-chung', title: 'Tỷ lệ tiêm chủng', owner_org: 'so-y-te' });
    await province.admin.call('organization_create', { name: 'so-y-te', title: 'Sở Y tế tỉnh' });
  });
  after(async () => Promise.all([agency, province, national].map((server) => server?.close())));

  it('harvests the agency\'s datasets although they lack the fields a user would have to fill in', async () => {
    const source = await province.admin.call('harvest_source_create', {
      name: 'he-thong-so-y-te', title: 'Hệ thống Sở Y tế', url: agency.url, source_type: 'ckan', owner_org: 'so-y-te',
    });
    const job = await harvestNow(province, source.id);
    expect(job.status).to.equal('Finished');
    expect(job.stats).to.include({ added: 2, errored: 0 });
    const found = await province.anon.call('package_search', { q: 'kham chua benh' });
    expect(found.results.map((pkg: any) => pkg.name)).to.deep.equal(['co-so-kham-chua-benh']);
  });

  it('scores the harvested datasets, and refuses the same incomplete dataset from a user', async () => {
    const status = await province.anon.call('compliance_dataset_show', { id: 'co-so-kham-chua-benh' });
    expect(status.name).to.equal('co-so-kham-chua-benh');
    expect(status.score.max).to.equal(505);
    // A CSV resource with a URL earns points; missing classification and focal point cost some.
    expect(status.score.total).to.be.above(0).and.below(505);
    const refused = await province.admin.post('package_create', { name: 'go-tay', title: 'Nhập tay', owner_org: 'so-y-te' });
    expect(refused.status).to.equal(409);
    expect(refused.body.error.__type).to.equal('Validation Error');
    expect(refused.body.error).to.have.property('phan_loai_chia_se');
    expect((await province.admin.get('package_show', { id: 'go-tay' })).status).to.equal(404);
  });

  it('shows a harvested dataset in the portal and in the DCAT catalogue', async () => {
    const page = await province.anon.request('/dataset/co-so-kham-chua-benh');
    expect(page.status).to.equal(200);
    expect(page.text).to.include('Danh sách cơ sở khám chữa bệnh');
    const catalog = await province.anon.request('/catalog.ttl');
    expect(catalog.status).to.equal(200);
    expect(catalog.text).to.include('Danh sách cơ sở khám chữa bệnh').and.to.include('Tỷ lệ tiêm chủng');
  });

  it('hands everything to the national portal, deletions included', async () => {
    await national.admin.call('federation_member_create', { name: 'tinh-x', title: 'Tỉnh X', url: province.url, schedule: 'MANUAL' });
    const pull = async () => {
      for (const entry of await national.admin.call('federation_sync', { id: 'tinh-x' })) if (entry.job_id) await runJob(national, entry.job_id);
      return (await national.anon.call('package_search', { q: '*:*', fq: 'extras_federation_member:tinh-x' })).results.map((pkg: any) => pkg.title).sort();
    };
    expect(await pull()).to.deep.equal(['Danh sách cơ sở khám chữa bệnh', 'Tỷ lệ tiêm chủng']);

    // The agency withdraws a dataset: the province's next harvest deletes it, and the nation follows.
    await agency.admin.call('package_delete', { id: 'tiem-chung' });
    const source = await province.admin.call('harvest_source_show', { id: 'he-thong-so-y-te' });
    expect((await harvestNow(province, source.id)).stats).to.include({ deleted: 1 });
    expect(await pull()).to.deep.equal(['Danh sách cơ sở khám chữa bệnh']);
  });
});
