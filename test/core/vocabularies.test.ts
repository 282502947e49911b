// Tag vocabularies over HTTP: vocabulary_list/show/create/update/delete, tag_create, tag_delete and
// vocabulary tags on datasets and in package_search (vocab_<name>), after
// ckan/tests/logic/action/test_{create,update,get}.py (TestVocabulary*, TestTagCreate, TestTagShow)
// and the legacy API tests' messages. A vocabulary name with a space is written escaped in a query
// (vocab_Lĩnh\ vực:…), as in Solr.
import { expect } from 'chai';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { expectError, expectOk } from '../helpers/expect.ts';
import { createOrg } from './packages-fixtures.ts';

const tagsOf = (...names: string[]) => names.map((name) => ({ name }));

describe('tag vocabularies', function () {
  this.timeout(60000);
  let server: TestServer;
  let user: TestUser;
  let orgId: string;

  before(async () => {
    server = await startTestServer({ plugins: ['ui'] });
    user = await server.createUser('vocab-user');
    orgId = (await createOrg(server, [[user, 'editor']])).id;
  });
  after(async () => server?.close());

  const create = (data: Record<string, unknown>) => server.admin.post('vocabulary_create', data);
  const search = async (fq: string) => expectOk(await server.anon.get('package_search', { fq })).results.map((pkg: { name: string }) => pkg.name);

  it('creates a vocabulary with its tags, shows it by id or name and lists it', async () => {
    const vocabulary = expectOk(await create({ name: 'Lĩnh vực', tags: tagsOf('giáo dục', 'y tế') }));
    expect(Object.keys(vocabulary).sort()).to.deep.equal(['id', 'name', 'tags']);
    expect(vocabulary.name).to.equal('Lĩnh vực');
    expect(vocabulary.tags.map((tag: { name: string }) => tag.name)).to.deep.equal(['giáo dục', 'y tế']);
    expect(vocabulary.tags[0]).to.deep.include({ vocabulary_id: vocabulary.id, display_name: 'giáo dục' });
    expect(expectOk(await server.anon.get('vocabulary_show', { id: vocabulary.id }))).to.deep.equal(vocabulary);
    expect(expectOk(await server.anon.get('vocabulary_show', { id: 'Lĩnh vực' }))).to.deep.equal(vocabulary);
    expect(expectOk(await server.anon.get('vocabulary_list')).map((v: { id: string }) => v.id)).to.include(vocabulary.id);
    expect(expectOk(await create({ name: 'Trống', tags: [] })).tags).to.deep.equal([]);
  });

  it('refuses what CKAN refuses, with its messages', async () => {
    expect(expectError(await create({ name: 'Lĩnh vực' }), 409, 'Validation Error').name).to.deep.equal(['That vocabulary name is already in use.']);
    // Two at once (on a PostgreSQL server both pass validation; the unique index refuses one).
    const raced = await Promise.all([create({ name: 'Cùng lúc' }), create({ name: 'Cùng lúc' })]);
    expect(raced.map((response) => response.status).sort()).to.deep.equal([200, 409]);
    expect(raced.find((response) => response.status === 409)!.body.error.name).to.deep.equal(['That vocabulary name is already in use.']);
    expect(expectError(await create({ id: 'x', name: 'Có id' }), 409, 'Validation Error').id).to.deep.equal(['The input field id was not expected.']);
    expect(expectError(await create({}), 409, 'Validation Error').name).to.deep.equal(['Missing value']);
    expect(expectError(await create({ name: 'a' }), 409, 'Validation Error').name).to.deep.equal(['Name must be at least 2 characters long']);
    expect(expectError(await create({ name: 'x'.repeat(101) }), 409, 'Validation Error').name).to.deep.equal(['Name must be a maximum of 100 characters long']);
    // CKAN's ValidationError flattens tag errors into their messages.
    const badTags = expectError(await create({ name: 'Thẻ hỏng', tags: [{ name: 'f' }, { name: 'Invalid!' }] }), 409, 'Validation Error');
    expect(badTags.tags[0]).to.equal('Tag "f" length is less than minimum 2');
    expect(badTags.tags[1]).to.match(/^Tag "Invalid!" can only contain alphanumeric characters/);
    expect(expectError(await create({ name: 'Thẻ null', tags: null }), 400, 'Integrity Error')).to.be.an('object');
    expect(expectOk(await server.anon.get('vocabulary_list')).map((v: { name: string }) => v.name)).to.not.include.members(['Thẻ hỏng', 'Thẻ null']);
    expect(expectError(await server.anon.post('vocabulary_create', { name: 'Ẩn danh' }), 403, 'Authorization Error').message).to.equal(
      'Access denied: Action vocabulary_create requires an authenticated user',
    );
    expectError(await server.client(user.token).post('vocabulary_create', { name: 'Người dùng' }), 403, 'Authorization Error');
    expect(expectError(await server.anon.get('vocabulary_show', {}), 409, 'Validation Error').id).to.equal('id not in data');
    expect(expectError(await server.anon.get('vocabulary_show', { id: 'khong-co' }), 404, 'Not Found Error').message).to.equal('Not found: Could not find vocabulary "khong-co"');
  });

  it('adds a tag with tag_create, once', async () => {
    const vocabulary = expectOk(await server.anon.get('vocabulary_show', { id: 'Lĩnh vực' }));
    const tag = expectOk(await server.admin.post('tag_create', { name: 'môi trường', vocabulary_id: vocabulary.id }));
    expect(tag).to.deep.include({ name: 'môi trường', vocabulary_id: vocabulary.id, packages: [] });
    const again = expectError(await server.admin.post('tag_create', { name: 'môi trường', vocabulary_id: vocabulary.id }), 409, 'Validation Error');
    expect(again.vocabulary_id).to.deep.equal([`Tag môi trường already belongs to vocabulary ${vocabulary.id}`]);
    expect(expectError(await server.admin.post('tag_create', { name: 'không vocab' }), 409, 'Validation Error').vocabulary_id).to.deep.equal(['Missing value']);
    // By id only, as CKAN's vocabulary_id_exists.
    expect(expectError(await server.admin.post('tag_create', { name: 'theo tên', vocabulary_id: 'Lĩnh vực' }), 409, 'Validation Error').vocabulary_id).to.deep.equal([
      'Tag vocabulary was not found.',
    ]);
    expectError(await server.client(user.token).post('tag_create', { name: 'khác', vocabulary_id: vocabulary.id }), 403, 'Authorization Error');
    expect(expectOk(await server.anon.get('tag_list', { vocabulary_id: vocabulary.id }))).to.deep.equal(['giáo dục', 'môi trường', 'y tế']);
  });

  it('puts vocabulary tags on datasets, searchable as vocab_<vocabulary name> and apart from the free tags', async () => {
    const vocabulary = expectOk(await server.anon.get('vocabulary_show', { id: 'Lĩnh vực' }));
    const writer = server.client(user.token);
    const pkg = expectOk(
      await writer.post('package_create', { name: 'truong-hoc', owner_org: orgId, tags: [{ name: 'giáo dục', vocabulary_id: vocabulary.id }, { name: 'trường học' }] }),
    );
    expect(pkg.tags.find((tag: { name: string }) => tag.name === 'giáo dục')).to.deep.include({ vocabulary_id: vocabulary.id });
    // A new name joins the vocabulary, as CKAN's package_tag_list_save does.
    expectOk(await writer.post('package_create', { name: 'benh-vien', owner_org: orgId, tags: [{ name: 'bệnh viện', vocabulary_id: vocabulary.id }] }));
    expect(expectOk(await server.anon.get('tag_list', { vocabulary_id: vocabulary.id }))).to.include('bệnh viện');
    const byName = expectError(await writer.post('package_create', { name: 'sai-vocab', owner_org: orgId, tags: [{ name: 'giáo dục', vocabulary_id: 'Lĩnh vực' }] }), 409, 'Validation Error');
    expect(byName.tags).to.deep.equal(['Tag vocabulary was not found.']);

    expect(await search('vocab_Lĩnh\\ vực:"giáo dục"')).to.deep.equal(['truong-hoc']);
    expect(await search('tags:"giáo dục"')).to.deep.equal([]);
    expect(await search('tags:"trường học"')).to.deep.equal(['truong-hoc']);
    const facets = expectOk(await server.anon.get('package_search', { 'facet.field': '["vocab_Lĩnh vực", "tags"]', rows: 0 })).facets;
    expect(facets['vocab_Lĩnh vực']).to.deep.equal({ 'bệnh viện': 1, 'giáo dục': 1 });
    expect(facets.tags).to.not.have.property('giáo dục');
    // The portal links free tags to their search; a vocabulary tag is not among the free tags, so it is not linked there.
    const html = await (await fetch(`${server.url}/dataset/truong-hoc`)).text();
    expect(html).to.include(`<a href="/dataset?tags=${encodeURIComponent('trường học')}">trường học</a>`);
    expect(html).to.include('<li>giáo dục</li>');
    expect(html).to.not.include(`/dataset?tags=${encodeURIComponent('giáo dục')}`);
    // `kho search check` builds the documents again the same way: nothing is stale.
    const check = await server.kernel.container.cradle.searchIndex.check!();
    expect(check.stale).to.deep.equal([]);
    const shown = expectOk(await server.anon.get('tag_show', { id: 'giáo dục', vocabulary_id: 'Lĩnh vực', include_datasets: true }));
    expect(shown.packages.map((p: { name: string }) => p.name)).to.deep.equal(['truong-hoc']);
  });

  it('renames a vocabulary (its datasets are found under the new name) and replaces its tags, taking removed ones off datasets', async () => {
    const vocabulary = expectOk(await server.anon.get('vocabulary_show', { id: 'Lĩnh vực' }));
    expect(expectOk(await server.admin.post('vocabulary_update', { id: vocabulary.id }))).to.deep.equal(vocabulary);
    expect(expectOk(await server.admin.post('vocabulary_update', { id: vocabulary.id, name: 'Lĩnh vực' }))).to.deep.equal(vocabulary);
    const renamed = expectOk(await server.admin.post('vocabulary_update', { id: 'Lĩnh vực', name: 'Chủ đề' }));
    expect(renamed).to.deep.include({ id: vocabulary.id, name: 'Chủ đề' });
    expect(await search('vocab_Chủ\\ đề:"giáo dục"')).to.deep.equal(['truong-hoc']);
    expect(await search('vocab_Lĩnh\\ vực:"giáo dục"')).to.deep.equal([]);

    const updated = expectOk(await server.admin.post('vocabulary_update', { id: vocabulary.id, tags: tagsOf('bệnh viện', 'y tế', 'nông nghiệp') }));
    expect(updated.tags.map((tag: { name: string }) => tag.name)).to.deep.equal(['bệnh viện', 'nông nghiệp', 'y tế']);
    const pkg = expectOk(await server.anon.get('package_show', { id: 'truong-hoc' }));
    expect(pkg.tags.map((tag: { name: string }) => tag.name)).to.deep.equal(['trường học']);
    expect(pkg.num_tags).to.equal(1);
    expect(await search('vocab_Chủ\\ đề:"giáo dục"')).to.deep.equal([]);
    expect(await search('vocab_Chủ\\ đề:"bệnh viện"')).to.deep.equal(['benh-vien']);

    expect(expectError(await server.admin.post('vocabulary_update', { name: 'x' }), 409, 'Validation Error').id).to.equal('id not in data');
    expectError(await server.admin.post('vocabulary_update', { id: 'khong-co', name: 'yy' }), 404, 'Not Found Error');
    expect(expectError(await server.admin.post('vocabulary_update', { id: vocabulary.id, name: 'Trống' }), 409, 'Validation Error').name).to.deep.equal([
      'That vocabulary name is already in use.',
    ]);
    expectError(await server.client(user.token).post('vocabulary_update', { id: vocabulary.id, name: 'Của tôi' }), 403, 'Authorization Error');
    expect(expectOk(await server.admin.post('vocabulary_update', { id: vocabulary.id, tags: [] })).tags).to.deep.equal([]);
    expect(await search('vocab_Chủ\\ đề:"bệnh viện"')).to.deep.equal([]);
  });

  it('deletes a tag from every dataset with tag_delete, and a vocabulary with its tags', async () => {
    const vocabulary = expectOk(await create({ name: 'Mức độ', tags: tagsOf('mở', 'hạn chế') }));
    const writer = server.client(user.token);
    expectOk(await writer.post('package_create', { name: 'muc-do', owner_org: orgId, tags: [{ name: 'mở', vocabulary_id: vocabulary.id }, { name: 'hạn chế', vocabulary_id: vocabulary.id }, { name: 'tự do' }] }));

    expect(expectError(await server.admin.post('tag_delete', { id: 'mở', vocabulary_id: 'khong-co' }), 404, 'Not Found Error').message).to.equal('Not found: Could not find tag "mở"');
    // Without vocabulary_id, a free tag of that name is meant.
    expectError(await server.admin.post('tag_delete', { id: 'mở' }), 404, 'Not Found Error');
    expectError(await writer.post('tag_delete', { id: 'mở', vocabulary_id: vocabulary.id }), 403, 'Authorization Error');
    expect(expectOk(await server.admin.post('tag_delete', { id: 'mở', vocabulary_id: 'Mức độ' }))).to.equal(null);
    let pkg = expectOk(await server.anon.get('package_show', { id: 'muc-do' }));
    expect(pkg.tags.map((tag: { name: string }) => tag.name)).to.deep.equal(['hạn chế', 'tự do']);
    expect(await search('vocab_Mức\\ độ:mở')).to.deep.equal([]);
    expect(expectOk(await server.admin.post('tag_delete', { id: 'tự do' }))).to.equal(null);
    expect(await search('tags:"tự do"')).to.deep.equal([]);

    expect(expectOk(await server.admin.post('vocabulary_delete', { id: vocabulary.id }))).to.equal(null);
    expectError(await server.anon.get('vocabulary_show', { id: vocabulary.id }), 404, 'Not Found Error');
    pkg = expectOk(await server.anon.get('package_show', { id: 'muc-do' }));
    expect(pkg.tags).to.deep.equal([]);
    expect(await search('vocab_Mức\\ độ:"hạn chế"')).to.deep.equal([]);
    expect(expectError(await server.admin.post('vocabulary_delete', { id: vocabulary.id }), 404, 'Not Found Error').message).to.match(/^Not found: Could not find vocabulary/);
    expect(expectError(await server.admin.post('vocabulary_delete', {}), 409, 'Validation Error').id).to.equal('id not in data');
  });
});
