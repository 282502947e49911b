// The Elasticsearch backend's promise to dataset writers, tested without Elasticsearch: with the
// cluster down, writes succeed at once and wait in the outbox while package_search answers
// Search Connection Error (500) instead of hanging; when the cluster is back the flush job sends
// them in bulk, with the outbox sequence as external version, and later writes go out right after
// their commit. The cluster is a stand-in (stand-in-cluster.ts; the real Elasticsearch is the
// conformance suite's, with ES_URL).
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { expectError, expectOk } from '../../helpers/expect.ts';
import { FLUSH_JOB } from '../../../plugins/search-elasticsearch/services/backend.ts';
import { StandInCluster } from './stand-in-cluster.ts';

async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function until(check: () => Promise<boolean>, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('search-elasticsearch: writes while Elasticsearch is down', function () {
  this.timeout(120000);
  let server: TestServer;
  const cluster = new StandInCluster();
  let port: number;
  const pending = async () => (await server.kernel.container.cradle.knex('search_elasticsearch_outbox').whereRaw('flushed_seq is distinct from seq')).length;

  before(async () => {
    port = await freePort();
    server = await startTestServer({
      plugins: ['search-elasticsearch'],
      config: {
        search: { backend: 'elasticsearch' },
        'search-elasticsearch': { url: `http://127.0.0.1:${port}`, index: 'kho-outbox-test', request_timeout_ms: 1000 },
      },
    });
  });
  after(async () => {
    await server?.close();
    await cluster.stop();
  });

  it('accepts dataset writes at once and keeps them in the outbox', async () => {
    expectOk(await server.admin.post('organization_create', { name: 'so-y-te', title: 'Sở Y tế' }));
    const started = Date.now();
    const pkg = expectOk(await server.admin.post('package_create', { name: 'benh-vien', title: 'Bệnh viện', owner_org: 'so-y-te' }));
    expectOk(await server.admin.post('package_patch', { id: pkg.id, notes: 'Danh sách bệnh viện' }));
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(expectOk(await server.anon.get('package_show', { id: 'benh-vien' })).notes).to.equal('Danh sách bệnh viện');
    const { knex } = server.kernel.container.cradle;
    const rows = await knex('search_elasticsearch_outbox').select('package_id', 'flushed_seq', 'deleted');
    expect(rows).to.deep.equal([{ package_id: pkg.id, flushed_seq: null, deleted: false }]);
    const jobs = await knex('job').where({ type: FLUSH_JOB, state: 'queued' });
    expect(jobs).to.have.length(1);
  });

  it('answers package_search with Search Connection Error (500), not a hang', async () => {
    const started = Date.now();
    const error = expectError(await server.anon.get('package_search', { q: 'bệnh viện' }), 500, 'Search Connection Error');
    expect(error.message).to.match(/^Could not connect to the search index: /);
    expect(Date.now() - started).to.be.lessThan(5000);
  });

  it('sends the waiting writes in bulk once Elasticsearch is back, newest version', async () => {
    await cluster.start(port);
    const worker = server.kernel.jobs.newWorker();
    worker.start();
    try {
      await until(async () => (await pending()) === 0);
    } finally {
      await worker.stop(2000);
    }
    const shown = expectOk(await server.anon.get('package_show', { id: 'benh-vien' }));
    const indexed = cluster.ops.filter((op) => op.action === 'index' && op.meta._id === shown.id);
    expect(indexed).to.have.length(1);
    const { seq } = await server.kernel.container.cradle.knex('search_elasticsearch_outbox').where('package_id', shown.id).first('seq');
    expect(indexed[0].meta).to.deep.include({ _index: 'kho-outbox-test', version: Number(seq), version_type: 'external' });
    expect(indexed[0].doc!.kho_package).to.deep.equal(shown);
    expect(indexed[0].doc!.kho_version).to.equal(Number(seq));
    expect(indexed[0].doc).to.include({ name: 'benh-vien', organization: 'so-y-te', capacity: 'public', state: 'active' });
  });

  it('pushes later writes right after their commit, and removes purged datasets', async () => {
    const before = cluster.ops.length;
    const pkg = expectOk(await server.admin.post('package_create', { name: 'tram-y-te', title: 'Trạm y tế', owner_org: 'so-y-te' }));
    await until(async () => cluster.ops.length > before);
    expect(cluster.ops.at(-1)).to.deep.include({ action: 'index' });
    expect(cluster.ops.at(-1)!.meta._id).to.equal(pkg.id);
    await until(async () => (await pending()) === 0);
    expectOk(await server.admin.post('dataset_purge', { id: pkg.id }));
    await until(async () => cluster.ops.at(-1)?.action === 'delete');
    expect(cluster.ops.at(-1)!.meta._id).to.equal(pkg.id);
    await until(async () => !(await server.kernel.container.cradle.knex('search_elasticsearch_outbox').where('package_id', pkg.id).first()));
    // Searching works again.
    expect(expectOk(await server.anon.get('package_search', { q: 'y tế' })).count).to.equal(0);
  });
});
