// CKAN's bulk actions of an organization's admins (bulk_update_private / _public / _delete) and
// package_owner_org_update (sysadmins), as the dataset, search and list actions then show them.
import { expect } from 'chai';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { createOrg, uniqueName, type TestOrg } from './packages-fixtures.ts';

describe('bulk_update_* and package_owner_org_update', function () {
  let server: TestServer;
  let admin: TestUser;
  let editor: TestUser;
  let orgA: TestOrg;
  let orgB: TestOrg;

  before(async () => {
    server = await startTestServer({ config: { auth: { create_unowned_dataset: true } } });
    admin = await server.createUser(uniqueName('bulk-admin'));
    editor = await server.createUser(uniqueName('bulk-editor'));
    orgA = await createOrg(server, [[admin, 'admin'], [editor, 'editor']]);
    orgB = await createOrg(server);
  });
  after(() => server?.close());

  const dataset = (org: TestOrg, fields: Record<string, unknown> = {}) => server.admin.call('package_create', { name: uniqueName('bulk'), owner_org: org.id, ...fields });
  const visible = async (id: string) => (await server.anon.post('package_show', { id })).status === 200;

  it('an organization admin makes datasets private and public again; others are left alone', async () => {
    const [one, two, three] = [await dataset(orgA), await dataset(orgA), await dataset(orgA)];
    const elsewhere = await dataset(orgB);
    const asAdmin = server.client(admin.token);
    expect(await asAdmin.call('bulk_update_private', { org_id: orgA.id, datasets: [one.id, two.id, elsewhere.id] })).to.equal(null);
    expect([await visible(one.id), await visible(two.id), await visible(three.id), await visible(elsewhere.id)]).to.deep.equal([false, false, true, true]);
    const found = await server.anon.call('package_search', { fq: `owner_org:${orgA.id}`, rows: 100 });
    expect(found.results.map((p: { id: string }) => p.id)).to.include(three.id).and.not.include(one.id);
    const shown = await server.admin.call('package_show', { id: one.id });
    expect(shown.private).to.equal(true);
    expect(shown.metadata_modified > one.metadata_modified).to.equal(true);
    await asAdmin.call('bulk_update_public', { org_id: orgA.name, datasets: [one.id, two.id] });
    expect([await visible(one.id), await visible(two.id)]).to.deep.equal([true, true]);
  });

  it('deletes in bulk, and refuses editors and outsiders (403), changing nothing', async () => {
    const [one, two] = [await dataset(orgA), await dataset(orgA)];
    for (const user of [editor, await server.createUser(uniqueName('bulk-outsider'))]) {
      const refused = await server.client(user.token).post('bulk_update_delete', { org_id: orgA.id, datasets: [one.id] });
      expect(refused.status).to.equal(403);
      expect(refused.body.error.__type).to.equal('Authorization Error');
    }
    expect(await visible(one.id)).to.equal(true);
    await server.client(admin.token).call('bulk_update_delete', { org_id: orgA.id, datasets: [one.id] });
    expect((await server.admin.call('package_show', { id: one.id })).state).to.equal('deleted');
    expect(await server.anon.call('package_list', {})).to.include(two.name).and.not.include(one.name);
  });

  it('answers 409 when datasets is not a list of ids, and 404 for an unknown organization', async () => {
    const notList = await server.admin.post('bulk_update_private', { org_id: orgA.id, datasets: 'abc' });
    expect(notList.status).to.equal(409);
    expect(notList.body.error.__type).to.equal('Validation Error');
    expect((await server.admin.post('bulk_update_private', { org_id: 'khong-co', datasets: [] })).status).to.equal(404);
    // permission first, as CKAN checks it before anything else
    expect((await server.client(editor.token).post('bulk_update_private', { org_id: orgA.id, datasets: 'abc' })).status).to.equal(403);
  });

  it('package_owner_org_update moves a dataset to another organization, or to none; sysadmins only', async () => {
    const ds = await dataset(orgA, { private: true });
    const refused = await server.client(admin.token).post('package_owner_org_update', { id: ds.id, organization_id: orgB.id });
    expect(refused.status).to.equal(403);
    expect(await server.admin.call('package_owner_org_update', { id: ds.name, organization_id: orgB.name })).to.equal(null);
    const moved = await server.admin.call('package_show', { id: ds.id });
    expect(moved.owner_org).to.equal(orgB.id);
    expect(moved.organization.name).to.equal(orgB.name);
    const inB = await server.admin.call('package_search', { fq: `organization:${orgB.name}`, include_private: true, rows: 100 });
    expect(inB.results.map((p: { id: string }) => p.id)).to.include(ds.id);
    // orgA's admin no longer sees it; orgB's members would
    expect((await server.client(admin.token).post('package_show', { id: ds.id })).status).to.equal(403);
    const unknown = await server.admin.post('package_owner_org_update', { id: ds.id, organization_id: 'khong-co' });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.message).to.equal('Not found: Organization was not found.');
    await server.admin.call('package_owner_org_update', { id: ds.id, organization_id: '' });
    const none = await server.admin.call('package_show', { id: ds.id });
    expect([none.owner_org, none.organization]).to.deep.equal([null, null]);
    expect((await server.admin.post('package_owner_org_update', { id: 'khong-co', organization_id: orgB.id })).status).to.equal(404);
  });
});
