// The `ckan` harvester against a second Kho started in this test run: the CKAN Action API for real,
// over loopback. Covers full and incremental runs, an edit, a deletion and an addition at the
// source between runs, org and group filters, remote orgs/groups, name collisions, local edits,
// and the source and job actions around them.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { expectError, expectOk } from '../../helpers/expect.ts';
import { harvestNow, makeOrg, startHarvester } from './helpers.ts';

function extra(pkg: any, key: string): string | undefined {
  return pkg.extras.find((entry: any) => entry.key === key)?.value;
}

describe('harvest › ckan harvester (Kho to Kho)', function () {
  this.timeout(60000);
  let remote: TestServer;
  let local: TestServer;
  const ids: Record<string, string> = {};

  before(async () => {
    [remote, local] = await Promise.all([startTestServer(), startHarvester()]);
    await makeOrg(remote, 'so-y-te', 'Sở Y tế');
    await makeOrg(remote, 'so-giao-duc', 'Sở Giáo dục và Đào tạo');
    await remote.admin.call('group_create', { name: 'suc-khoe', title: 'Sức khỏe' });
    await remote.admin.call('group_create', { name: 'hoc-tap', title: 'Học tập' });
    const make = async (name: string, org: string, extraFields: Record<string, unknown> = {}) => {
      const pkg = await remote.admin.call('package_create', {
        name,
        title: name.replace(/-/g, ' '),
        owner_org: org,
        notes: `Mô tả ${name}`,
        license_id: 'cc-by',
        tags: [{ name: 'dữ liệu mở' }, { name: org }],
        extras: [{ key: 'linh_vuc', value: org }],
        resources: [
          { name: 'CSV', url: `https://agency.example/${name}.csv`, format: 'CSV' },
          { name: 'API', url: `https://agency.example/api/${name}`, format: 'JSON' },
        ],
        ...extraFields,
      });
      ids[name] = pkg.id;
      return pkg;
    };
    await make('benh-vien', 'so-y-te', { groups: [{ name: 'suc-khoe' }] });
    await make('tram-y-te', 'so-y-te', { groups: [{ name: 'suc-khoe' }] });
    await make('nha-thuoc', 'so-y-te');
    await make('truong-hoc', 'so-giao-duc', { groups: [{ name: 'hoc-tap' }] });
    await make('thu-vien', 'so-giao-duc');
    await makeOrg(local, 'cong-du-lieu', 'Cổng dữ liệu tỉnh');
  });
  after(async () => {
    await Promise.all([remote?.close(), local?.close()]);
  });

  it('refuses invalid sources with CKAN field errors (409)', async () => {
    const bad = await local.admin.post('harvest_source_create', {
      name: 'sai',
      url: 'not a url',
      source_type: 'nope',
      frequency: 'SOMETIMES',
      owner_org: 'cong-du-lieu',
    });
    const error = expectError(bad, 409, 'Validation Error');
    expect(error.url[0]).to.match(/valid http/);
    expect(error.source_type[0]).to.match(/Unknown harvester type: nope/);
    expect(error.frequency[0]).to.match(/Frequency SOMETIMES not recognised/);

    const badConfig = await local.admin.post('harvest_source_create', {
      name: 'sai-cau-hinh',
      url: remote.url,
      source_type: 'ckan',
      owner_org: 'cong-du-lieu',
      config: JSON.stringify({ default_tags: 'x', organizations_filter_include: ['a'], organizations_filter_exclude: ['b'], remote_orgs: 'all', bogus: 1 }),
    });
    const configErrors = expectError(badConfig, 409, 'Validation Error').config.join('\n');
    expect(configErrors).to.match(/default_tags: must be a list/);
    expect(configErrors).to.match(/cannot contain both organizations_filter_include and organizations_filter_exclude/);
    expect(configErrors).to.match(/remote_orgs: must be one of the listed values: only_local, create/);
    expect(configErrors).to.match(/bogus: unknown option/);
    expect(configErrors).to.match(/phải là/); // Vietnamese too

    const notJson = await local.admin.post('harvest_source_create', { name: 'x1', url: remote.url, source_type: 'ckan', owner_org: 'cong-du-lieu', config: '{not json' });
    expect(expectError(notJson, 409, 'Validation Error').config[0]).to.match(/not a JSON object/);
  });

  let source: any;
  it('creates a source: a dataset of type harvest, hidden from normal search', async () => {
    source = await local.admin.call('harvest_source_create', {
      name: 'nguon-tinh-ban',
      title: 'Cổng dữ liệu tỉnh bạn',
      url: remote.url + '/',
      source_type: 'ckan',
      frequency: 'manual',
      owner_org: 'cong-du-lieu',
      config: JSON.stringify({ default_tags: [{ name: 'thu-thap' }], default_extras: { nguon: '{harvest_source_title}' } }),
    });
    expect(source).to.include({ type: 'harvest', source_type: 'ckan', frequency: 'MANUAL', active: true, name: 'nguon-tinh-ban' });
    expect(JSON.parse(source.config).default_tags).to.deep.equal([{ name: 'thu-thap' }]);
    expect(source.status).to.deep.equal({ job_count: 0, last_job: null, total_datasets: 0 });

    const search = await local.anon.call('package_search', { q: '' });
    expect(search.results.map((pkg: any) => pkg.name)).to.not.include('nguon-tinh-ban');
    const sources = await local.anon.call('package_search', { fq: 'dataset_type:harvest' });
    expect(sources.results.map((pkg: any) => pkg.name)).to.deep.equal(['nguon-tinh-ban']);

    const listed = await local.anon.call('harvest_source_list');
    expect(listed.map((entry: any) => entry.name)).to.deep.equal(['nguon-tinh-ban']);
    expect(listed[0]).to.include({ type: 'ckan', url: remote.url + '/', frequency: 'MANUAL' });

    const duplicate = await local.admin.post('harvest_source_create', { name: 'nguon-trung', url: remote.url, source_type: 'ckan', owner_org: 'cong-du-lieu', config: source.config });
    expect(expectError(duplicate, 409, 'Validation Error').url[0]).to.match(/already is a Harvest Source for this URL/);
  });

  it('harvests every dataset with the same ids, names and resource ids, and provenance', async () => {
    const job = await harvestNow(local, source.id);
    expect(job.status).to.equal('Finished');
    expect(job.stats).to.deep.equal({ added: 5, updated: 0, 'not modified': 0, errored: 0, deleted: 0 });
    expect(job.gather_started).to.match(/^\d{4}-\d\d-\d\dT/);

    for (const [name, id] of Object.entries(ids)) {
      const [theirs, ours] = await Promise.all([remote.anon.call('package_show', { id: name }), local.anon.call('package_show', { id: name })]);
      expect(ours.id).to.equal(id);
      expect(ours.title).to.equal(theirs.title);
      expect(ours.notes).to.equal(theirs.notes);
      expect(ours.license_id).to.equal('cc-by');
      expect(ours.organization.name).to.equal('cong-du-lieu');
      expect(ours.resources.map((r: any) => r.id)).to.deep.equal(theirs.resources.map((r: any) => r.id));
      expect(ours.resources.map((r: any) => r.url)).to.deep.equal(theirs.resources.map((r: any) => r.url));
      expect(ours.tags.map((t: any) => t.name).sort()).to.deep.equal([...theirs.tags.map((t: any) => t.name), 'thu-thap'].sort());
      expect(extra(ours, 'linh_vuc')).to.equal(extra(theirs, 'linh_vuc'));
      expect(extra(ours, 'harvest_source_id')).to.equal(source.id);
      expect(extra(ours, 'harvest_source_title')).to.equal('Cổng dữ liệu tỉnh bạn');
      expect(extra(ours, 'harvest_original_url')).to.equal(`${remote.url}/dataset/${name}`);
      expect(extra(ours, 'nguon')).to.equal('Cổng dữ liệu tỉnh bạn');
      expect(ours.groups).to.deep.equal([]); // remote_groups not set: dropped, as CKANHarvester
      const object = await local.admin.call('harvest_object_show', { id: extra(ours, 'harvest_object_id') });
      expect(object).to.include({ guid: id, package_id: id, current: true, report_status: 'added', harvest_source_id: source.id });
      expect(JSON.parse(object.content).name).to.equal(name);
    }
    const report = await local.admin.call('harvest_job_report', { id: job.id });
    expect(report.objects).to.have.length(5);
    expect(report.objects.every((o: any) => o.report_status === 'added')).to.equal(true);
    expect(report.gather_errors).to.deep.equal([]);
    expect(report.object_errors).to.deep.equal({});

    const status = await local.anon.call('harvest_source_show', { id: 'nguon-tinh-ban' });
    expect(status.status.job_count).to.equal(1);
    expect(status.status.total_datasets).to.equal(5);
    expect(status.status.last_job.stats.added).to.equal(5);
  });

  it('a second run with nothing changed writes nothing', async () => {
    const before = await local.anon.call('package_show', { id: 'benh-vien' });
    const job = await harvestNow(local, source.id);
    expect(job.stats).to.deep.equal({ added: 0, updated: 0, 'not modified': 5, errored: 0, deleted: 0 });
    const after = await local.anon.call('package_show', { id: 'benh-vien' });
    expect(after.metadata_modified).to.equal(before.metadata_modified);
    expect(extra(after, 'harvest_object_id')).to.equal(extra(before, 'harvest_object_id'));
  });

  it('an edit, a deletion and an addition at the source propagate; nothing is duplicated', async () => {
    await remote.admin.call('package_patch', { id: 'benh-vien', title: 'Danh sách bệnh viện (cập nhật)', resources: [{ name: 'Chỉ còn CSV', url: 'https://agency.example/benh-vien-v2.csv', format: 'CSV' }] });
    await remote.admin.call('package_delete', { id: 'nha-thuoc' });
    const added = await remote.admin.call('package_create', { name: 'phong-kham', title: 'Phòng khám', owner_org: 'so-y-te', resources: [{ url: 'https://agency.example/pk.csv' }] });

    const job = await harvestNow(local, source.id);
    expect(job.stats).to.deep.equal({ added: 1, updated: 1, 'not modified': 3, errored: 0, deleted: 1 });

    const edited = await local.anon.call('package_show', { id: 'benh-vien' });
    expect(edited.title).to.equal('Danh sách bệnh viện (cập nhật)');
    expect(edited.resources.map((r: any) => r.url)).to.deep.equal(['https://agency.example/benh-vien-v2.csv']);
    expect((await local.admin.call('package_show', { id: 'nha-thuoc' })).state).to.equal('deleted');
    expect((await local.anon.call('package_show', { id: 'phong-kham' })).id).to.equal(added.id);

    const all = await local.admin.call('package_search', { q: '', rows: 100, include_private: true });
    const names = all.results.map((pkg: any) => pkg.name);
    expect(new Set(names).size).to.equal(names.length);
    expect(names.sort()).to.deep.equal(['benh-vien', 'phong-kham', 'thu-vien', 'tram-y-te', 'truong-hoc']);

    const report = await local.admin.call('harvest_job_report', { id: job.id, report_status: 'deleted' });
    expect(report.objects.map((o: any) => o.guid)).to.deep.equal([ids['nha-thuoc']]);

    // Back at the source: the dataset is restored, with the same id.
    await remote.admin.call('package_patch', { id: ids['nha-thuoc'], state: 'active' });
    const again = await harvestNow(local, source.id);
    expect(again.stats.updated).to.equal(1);
    const restored = await local.anon.call('package_show', { id: 'nha-thuoc' });
    expect(restored).to.include({ state: 'active', id: ids['nha-thuoc'] });
  });

  it('one job at a time per source: a second harvest_job_create is a Conflict', async () => {
    const first = await local.admin.call('harvest_job_create', { source_id: 'nguon-tinh-ban' });
    expect(first.status).to.equal('New');
    const second = await local.admin.post('harvest_job_create', { source_id: 'nguon-tinh-ban' });
    expect(expectError(second, 409, 'Validation Error').source_id[0]).to.match(/already is an unrun or running job/);
    const aborted = await local.admin.call('harvest_job_abort', { id: first.id });
    expect(aborted.status).to.equal('Aborted');
    const report = await local.admin.call('harvest_job_report', { id: first.id });
    expect(report.gather_errors[0].message).to.match(/Aborted by test-sysadmin/);
    expect(report.gather_errors[0].message_vi).to.match(/Bị hủy bởi/);
    const list = await local.admin.call('harvest_job_list', { source_id: 'nguon-tinh-ban' });
    expect(list[0].id).to.equal(first.id);
    expect(list.map((j: any) => j.status)).to.include('Finished');
  });

  it('filters by organization and group, and creates remote orgs and groups when asked', async () => {
    const filtered = await local.admin.call('harvest_source_create', {
      name: 'chi-so-giao-duc',
      url: remote.url,
      source_type: 'ckan',
      owner_org: 'cong-du-lieu',
      config: { organizations_filter_include: ['so-giao-duc'], remote_orgs: 'create', remote_groups: 'create' },
    });
    const job = await harvestNow(local, filtered.id);
    // The datasets already harvested by the other source keep their ids there; these get derived ids.
    expect(job.stats.added).to.equal(2);
    const report = await local.admin.call('harvest_job_report', { id: job.id });
    const created = await Promise.all(report.objects.map((o: any) => local.anon.call('package_show', { id: o.package_id })));
    expect(created.map((pkg: any) => pkg.organization.name)).to.deep.equal(['so-giao-duc', 'so-giao-duc']);
    const remoteOrg = await remote.anon.call('organization_show', { id: 'so-giao-duc' });
    expect((await local.anon.call('organization_show', { id: 'so-giao-duc' })).id).to.equal(remoteOrg.id);
    const truong = created.find((pkg: any) => pkg.title === 'truong hoc');
    expect(truong.groups.map((g: any) => g.name)).to.deep.equal(['hoc-tap']);
    // Collisions with the other source's datasets are resolved deterministically and reported.
    expect(truong.name).to.match(/^truong-hoc-[0-9a-f]{6}$/);
    expect(truong.id).to.not.equal(ids['truong-hoc']);
    const errors = Object.values(report.object_errors).flatMap((entry: any) => entry.errors);
    const collision = errors.find((e: any) => /The name "truong-hoc" is taken by the dataset "truong-hoc" harvested from "Cổng dữ liệu tỉnh bạn"/.test(e.message));
    expect(collision).to.include({ level: 'warning' });
    // Vietnamese throughout, the holder's description included.
    expect(collision.message_vi).to.match(/^Tên "truong-hoc" đã được dùng bởi bộ dữ liệu "truong-hoc" thu thập từ "Cổng dữ liệu tỉnh bạn"; /);
    expect(job.stats.errored).to.equal(0);

    const excluded = await local.admin.call('harvest_source_create', {
      name: 'tru-nhom-suc-khoe',
      url: remote.url,
      source_type: 'ckan',
      owner_org: 'cong-du-lieu',
      config: { groups_filter_exclude: ['suc-khoe'], default_extras: { khac: '1' } },
    });
    const third = await harvestNow(local, excluded.id);
    const thirdReport = await local.admin.call('harvest_job_report', { id: third.id });
    const titles = (await Promise.all(thirdReport.objects.map((o: any) => local.anon.call('package_show', { id: o.package_id })))).map((pkg: any) => pkg.title).sort();
    expect(titles).to.deep.equal(['nha thuoc', 'phong-kham'.replace('-', ' ').replace('phong kham', 'Phòng khám'), 'thu vien', 'truong hoc'].sort());
  });

  it('keeps local edits of not_overwrite_fields', async () => {
    await local.admin.call('harvest_source_patch', { id: 'nguon-tinh-ban', config: { not_overwrite_fields: ['notes', 'linh_vuc'] } });
    await local.admin.call('package_patch', { id: 'tram-y-te', notes: 'Ghi chú sửa tại chỗ', extras: [...(await local.admin.call('package_show', { id: 'tram-y-te' })).extras.filter((e: any) => e.key !== 'linh_vuc'), { key: 'linh_vuc', value: 'y-te-dia-phuong' }] });
    await remote.admin.call('package_patch', { id: 'tram-y-te', notes: 'Nguồn đổi mô tả', title: 'Trạm y tế xã' });
    const job = await harvestNow(local, 'nguon-tinh-ban');
    expect(job.stats.errored).to.equal(0);
    const pkg = await local.anon.call('package_show', { id: 'tram-y-te' });
    expect(pkg.title).to.equal('Trạm y tế xã');
    expect(pkg.notes).to.equal('Ghi chú sửa tại chỗ');
    expect(extra(pkg, 'linh_vuc')).to.equal('y-te-dia-phuong');
  });

  it('sends api_key to harvest private datasets; clean_tags and default_groups apply', async () => {
    const hidden = await remote.admin.call('package_create', { name: 'so-lieu-noi-bo', title: 'Số liệu nội bộ', owner_org: 'so-y-te', private: true, tags: [{ name: 'Dữ liệu Mở' }] });
    await local.admin.call('group_create', { name: 'y-te-cong-dong', title: 'Y tế cộng đồng' });
    const keyed = await local.admin.call('harvest_source_create', {
      name: 'nguon-co-khoa',
      url: remote.url,
      source_type: 'ckan',
      owner_org: 'cong-du-lieu',
      config: { api_key: remote.sysadmin.token, organizations_filter_include: ['so-y-te'], clean_tags: true, default_groups: ['y-te-cong-dong'], force_all: true },
    });
    const job = await harvestNow(local, keyed.id);
    const report = await local.admin.call('harvest_job_report', { id: job.id });
    const object = report.objects.find((o: any) => o.guid === hidden.id);
    expect(object, 'the private dataset is listed with the key').to.not.equal(undefined);
    const pkg = await local.admin.call('package_show', { id: object.package_id });
    expect(pkg.private).to.equal(true);
    expect(pkg.tags.map((t: any) => t.name)).to.deep.equal(['du-lieu-mo']);
    expect(pkg.groups.map((g: any) => g.name)).to.deep.equal(['y-te-cong-dong']);
    // Without the key the private dataset is not seen at all (the first source never had it).
    expect((await local.admin.call('harvest_job_report', { id: (await harvestNow(local, 'nguon-tinh-ban')).id })).objects.some((o: any) => o.guid === hidden.id)).to.equal(false);
  });

  it('never shows credentials to non-admins', async () => {
    const secret = await local.admin.call('harvest_source_create', {
      name: 'nguon-rieng',
      url: remote.url + '/rieng',
      source_type: 'ckan',
      owner_org: 'cong-du-lieu',
      config: { api_key: 'kho_bi-mat-123' },
    });
    expect(JSON.parse(secret.config).api_key).to.equal('kho_bi-mat-123');
    const editor = await local.createUser('bien-tap-vien');
    await local.admin.call('organization_member_create', { id: 'cong-du-lieu', username: editor.name, role: 'editor' });
    for (const client of [local.anon, local.client(editor.token)]) {
      const shown = await client.call('harvest_source_show', { id: 'nguon-rieng' });
      expect(shown.config).to.not.include('bi-mat');
      expect(JSON.parse(shown.config).api_key).to.equal('********');
      const listed = (await client.call('harvest_source_list')).find((s: any) => s.name === 'nguon-rieng');
      expect(listed.config).to.not.include('bi-mat');
    }
    // An editor may manage the source; sending the mask back keeps the secret.
    await local.client(editor.token).call('harvest_source_patch', { id: 'nguon-rieng', title: 'Nguồn riêng' });
    expect(JSON.parse((await local.admin.call('harvest_source_show', { id: 'nguon-rieng' })).config).api_key).to.equal('kho_bi-mat-123');
    // An anonymous caller may not start jobs or read reports.
    expect((await local.anon.post('harvest_job_create', { source_id: 'nguon-rieng' })).status).to.equal(403);
    expectOk(await local.admin.post('harvest_source_delete', { id: 'nguon-rieng' }));
    expect((await local.admin.call('harvest_source_show', { id: 'nguon-rieng' })).active).to.equal(false);
  });
});
