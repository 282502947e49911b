import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { seedDemo } from '../../core/cli/seed/demo.ts';

describe('kho seed demo', function () {
  this.timeout(180000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('creates a dozen agencies with Vietnamese names and about 100 datasets with resources, and is idempotent', async () => {
    const first = await seedDemo(server.kernel.context());
    expect(first.organizations).to.be.within(12, 15);
    expect(first.datasets).to.be.within(90, 120);
    expect(first.created).to.equal(first.datasets);

    const orgs = await server.anon.call('organization_list', { all_fields: true });
    expect(orgs.map((org: { title: string }) => org.title)).to.include.members(['Sở Tài chính', 'Sở Y tế', 'Sở Tài nguyên và Môi trường']);
    expect(orgs.find((org: { name: string }) => org.name === 'so-tai-nguyen-va-moi-truong')).to.exist;

    const search = await server.anon.call('package_search', { q: 'trường học', rows: 5 });
    expect(search.count).to.be.greaterThan(0);
    const all = await server.anon.call('package_search', { rows: 0, 'facet.field': ['res_format', 'organization'] });
    expect(all.count).to.equal(first.datasets);
    const show = await server.anon.call('package_show', { id: 'danh-sach-truong-hoc-tren-dia-ban-tinh' });
    expect(show.resources.length).to.be.greaterThan(0);
    const uploaded = show.resources.find((resource: { url_type: string }) => resource.url_type === 'upload');
    expect(uploaded.hash).to.match(/^[0-9a-f]{64}$/);
    const download = await server.anon.request(new URL(uploaded.url).pathname);
    expect(download.status).to.equal(200);
    expect(download.text).to.include('Trường THPT');

    const second = await seedDemo(server.kernel.context());
    expect(second.created).to.equal(0);
    expect((await server.anon.call('package_search', { rows: 0 })).count).to.equal(first.datasets);
  });
});
