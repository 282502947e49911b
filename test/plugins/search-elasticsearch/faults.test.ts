// The Elasticsearch backend when the cluster misbehaves: busy, hanging, refusing documents,
// losing the answer to a change it made, or losing its index to an operator. A real cluster
// cannot be made to do these on demand, so the cluster here is a stand-in that keeps indices,
// aliases and versioned documents as Elasticsearch does (stand-in-cluster.ts); what a real
// Elasticsearch does with the mapping and the queries is the conformance suite's (ES_URL).
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { expectError, expectOk } from '../../helpers/expect.ts';
import { isElasticsearchIndex, createElasticsearchIndex, type ElasticsearchIndex } from '../../../plugins/search-elasticsearch/services/backend.ts';
import { StandInCluster } from './stand-in-cluster.ts';

const ALIAS = 'kho-faults';

async function until(check: () => boolean | Promise<boolean>, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('search-elasticsearch: faults of the cluster', function () {
  this.timeout(120000);
  const cluster = new StandInCluster();
  let server: TestServer;
  let index: ElasticsearchIndex;
  const config = () => server.kernel.container.cradle.config['search-elasticsearch' as never] as any;
  const outbox = () => server.kernel.container.cradle.knex('search_elasticsearch_outbox');
  const pending = async () => (await outbox().whereRaw('flushed_seq is distinct from seq')).length;
  const rebuildState = async () => server.kernel.container.cradle.knex('search_elasticsearch_state').select('key');
  /** The concrete index searches use now. */
  const live = () => {
    const targets = cluster.aliasTargets(ALIAS);
    expect(targets).to.have.length(1);
    return targets[0];
  };

  before(async () => {
    await cluster.start();
    server = await startTestServer({
      plugins: ['search-elasticsearch'],
      config: {
        search: { backend: 'elasticsearch' },
        'search-elasticsearch': { url: cluster.url, index: ALIAS, request_timeout_ms: 1000, bulk_size: 50 },
      },
    });
    const searchIndex = server.kernel.container.cradle.searchIndex;
    if (!isElasticsearchIndex(searchIndex)) throw new Error('not the Elasticsearch backend');
    index = searchIndex;
    expectOk(await server.admin.post('organization_create', { name: 'so-y-te', title: 'Sở Y tế' }));
    for (let i = 0; i < 5; i++) expectOk(await server.admin.post('package_create', { name: `bo-du-lieu-${i}`, title: `Bộ dữ liệu ${i}`, owner_org: 'so-y-te' }));
    await until(async () => (await pending()) === 0);
  });
  afterEach(() => {
    cluster.itemFault = undefined;
    cluster.requestFault = undefined;
  });
  after(async () => {
    await server?.close();
    await cluster.stop();
  });

  it('makes its first index under a fixed name, so that processes starting together share it', async () => {
    expect(cluster.aliasTargets(ALIAS)).to.deep.equal([`${ALIAS}-initial`]);
    // A second process that saw no alias a moment before the first one made it.
    let hidden = true;
    cluster.requestFault = (method, path) => {
      if (method === 'HEAD' && path === `/_alias/${ALIAS}` && hidden) {
        hidden = false;
        return { status: 404, body: {} };
      }
      return undefined;
    };
    const second = createElasticsearchIndex(server.kernel.container.cradle, config());
    try {
      expect(await second.flush()).to.equal(0);
    } finally {
      await second.close!();
    }
    expect(hidden).to.equal(false);
    expect([...cluster.indices.keys()]).to.deep.equal([`${ALIAS}-initial`]);
  });

  it('indexes a dataset whose extras have names Elasticsearch refuses as field names', async () => {
    const pkg = expectOk(
      await server.admin.post('package_create', {
        name: 'do-cao',
        title: 'Độ cao',
        owner_org: 'so-y-te',
        extras: [
          { key: 'Độ', value: 'cao' },
          { key: '_id', value: 'x' },
        ],
      }),
    );
    await until(async () => (await pending()) === 0);
    const stored = cluster.docs(ALIAS).get(pkg.id)!.source!;
    expect(stored.kho_package).to.deep.equal(expectOk(await server.anon.get('package_show', { id: pkg.id })));
    expect(Object.keys(stored).filter((key) => key === '' || key.startsWith('_'))).to.deep.equal([]);
  });

  it('sends again soon what Elasticsearch was too busy to take (429)', async () => {
    const pkg = expectOk(await server.anon.get('package_show', { id: 'bo-du-lieu-0' }));
    let refusals = 0;
    cluster.itemFault = (op) => (op.meta._id === pkg.id && refusals++ < 2 ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' } } : undefined);
    expectOk(await server.admin.post('package_patch', { id: pkg.id, notes: 'Ghi chú mới' }));
    await until(() => refusals >= 1); // the push right after the commit
    await until(async () => (await pending()) === 1);
    // The flush job fails, so that it is tried again within seconds rather than at the next minute.
    let failure: Error | null = null;
    await index.flush().catch((err) => (failure = err));
    expect(failure).to.match(/busy \(429\)/);
    expect(await pending()).to.equal(1);
    expect(await index.flush()).to.equal(1);
    expect(await pending()).to.equal(0);
    expect(cluster.docs(ALIAS).get(pkg.id)!.source!.kho_package.notes).to.equal('Ghi chú mới');
  });

  it('never lets a write make a plain index where the alias was deleted, and makes the alias again', async () => {
    const pkg = expectOk(await server.anon.get('package_show', { id: 'bo-du-lieu-1' }));
    cluster.indices.delete(live()); // an operator deletes the index
    expectOk(await server.admin.post('package_patch', { id: pkg.id, notes: 'Sau khi xoá chỉ mục' }));
    await until(() => cluster.ops.some((op) => op.meta._id === pkg.id && op.doc?.kho_package.notes === 'Sau khi xoá chỉ mục'));
    expect([...cluster.indices.keys()]).to.deep.equal([]);
    expect(await pending()).to.equal(1);
    expect(await index.flush()).to.equal(1);
    expect(live()).to.equal(`${ALIAS}-initial`);
    expect(cluster.docs(ALIAS).get(pkg.id)!.source!.kho_package.notes).to.equal('Sau khi xoá chỉ mục');

    // A delete, which Elasticsearch lets make an index when it carries an external version.
    const doomed = expectOk(await server.anon.get('package_show', { id: 'do-cao' }));
    cluster.indices.delete(live());
    const bulksBefore = cluster.bulks.length;
    expectOk(await server.admin.post('dataset_purge', { id: doomed.id }));
    await until(async () => (await outbox().where('package_id', doomed.id)).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...cluster.indices.keys()]).to.deep.equal([]);
    expect(cluster.bulks.length).to.equal(bulksBefore);
    await index.flush();
    expect(live()).to.equal(`${ALIAS}-initial`);
    expect(cluster.docs(ALIAS).get(doomed.id)).to.deep.include({ source: null });
    expect([...cluster.indices.values()].some((stored) => stored.autoCreated)).to.equal(false);
    expect(await index.rebuild!()).to.equal(5);
  });

  it('sends many large datasets in requests of at most 10 MB', async () => {
    const notes = 'Dữ liệu mở của tỉnh được cập nhật hằng tháng. '.repeat(20000); // about 1 MB
    let refused = 0;
    cluster.requestFault = (method, path) => (path === '/_bulk' && ++refused ? { status: 500, body: { error: { type: 'x', reason: 'not now' } } } : undefined);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(expectOk(await server.admin.post('package_create', { name: `du-lieu-lon-${i}`, title: `Dữ liệu lớn ${i}`, owner_org: 'so-y-te', notes })).id);
    }
    await until(() => refused === 6); // each one's push right after its commit
    expect(await pending()).to.equal(6);
    cluster.requestFault = undefined;
    const bulksBefore = cluster.bulks.length;
    expect(await index.flush()).to.equal(6);
    const sent = cluster.bulks.slice(bulksBefore);
    expect(sent.length).to.be.greaterThan(1);
    for (const bulk of sent) expect(bulk.bytes).to.be.at.most(10 * 1024 * 1024 + 64 * 1024);
    for (const id of ids) expect(cluster.docs(ALIAS).get(id)!.source!.kho_package.notes).to.equal(notes);
    for (const id of ids) expectOk(await server.admin.post('dataset_purge', { id }));
    await until(async () => (await pending()) === 0);
  });

  describe('kho search rebuild', () => {
    const datasets = async () => (await server.kernel.container.cradle.knex('package').select('id')).map((row: { id: string }) => row.id).sort();
    const indexed = () => [...cluster.docs(ALIAS)].filter(([, doc]) => doc.source).map(([id]) => id).sort();

    it('keeps the index in use when Elasticsearch refused part of the new one, and says which', async () => {
      const before = live();
      const victim = (await datasets())[2];
      cluster.itemFault = (op) => (op.meta._index !== ALIAS && op.meta._id === victim ? { status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse field [x]' } } : undefined);
      let failure: Error | null = null;
      await index.rebuild!().catch((err) => (failure = err));
      expect(failure).to.match(new RegExp(`refused 1 of ${(await datasets()).length} datasets, so the index in use was kept \\(first: ${victim}: failed to parse field \\[x\\]\\)`));
      expect(live()).to.equal(before);
      expect([...cluster.indices.keys()]).to.deep.equal([before]);
      expect(await rebuildState()).to.deep.equal([]);
    });

    it('drops the new index and its state when Elasticsearch fails before the swap, so the next rebuild can start', async () => {
      const before = live();
      cluster.requestFault = (method, path) => (path === '/_bulk' || path.startsWith('/_alias/') ? { status: 500, body: { error: { type: 'x', reason: 'node failing' } } } : undefined);
      let failure: Error | null = null;
      await index.rebuild!().catch((err) => (failure = err));
      expect(failure).to.match(/node failing/);
      expect(await rebuildState()).to.deep.equal([]);
      expect([...cluster.indices.keys()]).to.deep.equal([before]);
    });

    it('sends again what Elasticsearch was too busy to take, then swaps', async () => {
      const before = live();
      let refusals = 0;
      cluster.itemFault = (op) => (op.meta._index !== ALIAS && refusals++ < 2 ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' } } : undefined);
      expect(await index.rebuild!()).to.equal((await datasets()).length);
      expect(refusals).to.be.greaterThan(2);
      expect(live()).to.not.equal(before);
      expect([...cluster.indices.keys()]).to.deep.equal([live()]);
      expect(indexed()).to.deep.equal(await datasets());
    });

    it('never deletes the new index once the alias points at it, even when the answer to the swap is lost', async () => {
      const before = live();
      cluster.requestFault = (method, path) => (path === '/_aliases' ? { status: 500, body: { error: { type: 'node_closed_exception', reason: 'node closed' } }, after: true } : undefined);
      expect(await index.rebuild!()).to.equal((await datasets()).length);
      expect(live()).to.not.equal(before);
      expect([...cluster.indices.keys()]).to.deep.equal([live()]);
      expect(indexed()).to.deep.equal(await datasets());
      expect(await rebuildState()).to.deep.equal([]);
    });

    it('succeeds when the old index cannot be deleted, leaving it for the operator', async () => {
      const before = live();
      cluster.requestFault = (method, path) => (method === 'DELETE' && path === `/${before}` ? { status: 500, body: { error: { type: 'x', reason: 'disk busy' } } } : undefined);
      expect(await index.rebuild!()).to.equal((await datasets()).length);
      expect(live()).to.not.equal(before);
      expect(cluster.indices.has(before)).to.equal(true);
      expect(cluster.aliasTargets(ALIAS)).to.deep.equal([live()]);
      cluster.indices.delete(before);
    });
  });

  describe('package_search', () => {
    it('answers Search Connection Error within request_timeout_ms when Elasticsearch hangs', async () => {
      cluster.requestFault = (method, path) => (path.endsWith('/_search') ? 'hang' : undefined);
      const started = Date.now();
      const error = expectError(await server.anon.get('package_search', { q: 'dữ liệu' }), 500, 'Search Connection Error');
      expect(error.message).to.match(/^Could not connect to the search index: /);
      expect(Date.now() - started).to.be.lessThan(3000);
    });

    it('answers Search Connection Error when the cluster refuses Kho (403), not a Search Error about the query', async () => {
      cluster.requestFault = (method, path) =>
        path.endsWith('/_search') ? { status: 403, body: { error: { root_cause: [{ type: 'security_exception', reason: 'action [indices:data/read/search] is unauthorized' }], type: 'security_exception', reason: 'unauthorized' }, status: 403 } } : undefined;
      const error = expectError(await server.anon.get('package_search', { q: 'dữ liệu' }), 500, 'Search Connection Error');
      expect(error.message).to.include('Elasticsearch answered 403: action [indices:data/read/search] is unauthorized');
    });

    it('makes the alias again after its index was deleted', async () => {
      cluster.indices.delete(live());
      expectError(await server.anon.get('package_search', { q: 'dữ liệu' }), 500, 'Search Connection Error');
      expectOk(await server.anon.get('package_search', { q: 'dữ liệu' }));
      expect(live()).to.equal(`${ALIAS}-initial`);
    });
  });
});
