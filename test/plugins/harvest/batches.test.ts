// Records are written in batches, one transaction per batch (services/group-commit.ts). What a user
// sees must not depend on it: a record that fails (invalid, or a failure after its rows were
// written) costs only itself, nothing is lost or written twice, warnings are reported once, and the
// outcome is the same as writing every record alone (write_batch: 1).
import { expect } from 'chai';
import type { TestServer } from '../../helpers/server.ts';
import { definePlugin } from '../../../core/plugins/define-plugin.ts';
import { createActionContext } from '../../../core/actions/context.ts';
import { GroupCommit, type GroupWork } from '../../../plugins/harvest/services/group-commit.ts';
import { harvestNow, makeOrg, send, startFixtureServer, startHarvester, type FixtureServer } from './helpers.ts';

const COUNT = 60;
const INVALID = 17;
const FAILS_AFTER_WRITE = 33;
const WARNED = 32;

function dataset(i: number) {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    id,
    name: `lo-du-lieu-${i}`,
    title: i === FAILS_AFTER_WRITE ? 'Hỏng sau khi ghi' : `Bộ dữ liệu ${i}`,
    type: 'dataset',
    notes: 'Mô tả',
    maintainer_email: i === INVALID ? 'không phải email' : `lien-he-${i}@example.org`,
    metadata_modified: '2024-05-01T09:00:00.000000',
    // A one-letter tag is dropped with a warning.
    tags: i === WARNED ? [{ name: 'thử nghiệm' }, { name: 'x' }] : [{ name: 'thử nghiệm' }],
    extras: [],
    resources: [{ id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: 'CSV', url: `https://example.org/${i}.csv`, format: 'CSV' }],
  };
}

function searchPage(url: URL) {
  const rows = Number(url.searchParams.get('rows') ?? 10);
  const start = Number(url.searchParams.get('start') ?? 0);
  const all = Array.from({ length: COUNT }, (_, i) => dataset(i + 1));
  const fl = url.searchParams.get('fl');
  const results = all.slice(start, start + rows).map((pkg) => (fl ? { id: pkg.id, type: pkg.type } : pkg));
  return JSON.stringify({ help: 'x', success: true, result: { count: COUNT, results, sort: 'id asc', facets: {}, search_facets: {} } });
}

/** A plugin whose after_dataset_create fails for one dataset, after its rows were written. */
function failingHook(writes: Map<string, number>) {
  return definePlugin({
    name: 'fails-after-write',
    version: '1.0.0',
    register(api) {
      api.packageController({
        after_dataset_create(_context, pkg) {
          writes.set(pkg.name, (writes.get(pkg.name) ?? 0) + 1);
          if (pkg.title === 'Hỏng sau khi ghi') throw new Error('the storage hook failed after the write');
        },
      });
    },
  });
}

async function harvestInto(server: TestServer, remote: FixtureServer, config: Record<string, unknown>) {
  await makeOrg(server, 'so-thu-nghiem');
  const source = await server.admin.call('harvest_source_create', {
    name: 'nguon-theo-lo',
    title: 'Nguồn theo lô',
    url: remote.url,
    source_type: 'ckan',
    owner_org: 'so-thu-nghiem',
    config,
  });
  const job = await harvestNow(server, source.id);
  const report = await server.admin.call('harvest_job_report', { id: job.id });
  const search = await server.anon.call('package_search', { q: '*:*', rows: 1000, fl: 'id,name' });
  return { job, report, search };
}

describe('harvest › batched writes', function () {
  this.timeout(120000);
  let remote: FixtureServer;
  const servers: TestServer[] = [];

  before(async () => {
    remote = await startFixtureServer({ '/api/3/action/package_search': (_req, res, url) => send(res, 200, searchPage(url)) });
  });
  after(async () => {
    await Promise.all([remote?.close(), ...servers.map((server) => server.close())]);
  });

  it('a failing record costs only itself; nothing is lost or written twice; the same outcome as writing records alone', async () => {
    const writes = new Map<string, number>();
    const batched = await startHarvester({ plugins: ['harvest', failingHook(writes)], harvest: { concurrency: 8 } });
    const alone = await startHarvester({ plugins: ['harvest', failingHook(new Map())], harvest: { concurrency: 8 } });
    servers.push(batched, alone);

    const a = await harvestInto(batched, remote, { write_batch: 50 });
    const b = await harvestInto(alone, remote, { write_batch: 1 });

    for (const { job, report, search } of [a, b]) {
      expect(job.stats).to.deep.equal({ added: COUNT - 2, updated: 0, 'not modified': 0, errored: 2, deleted: 0 });
      expect(search.count).to.equal(COUNT - 2);
      const names = search.results.map((pkg: any) => pkg.name);
      expect(new Set(names).size).to.equal(COUNT - 2);
      expect(names).not.to.include(`lo-du-lieu-${INVALID}`);
      expect(names).not.to.include(`lo-du-lieu-${FAILS_AFTER_WRITE}`);
      expect(report.objects).to.have.length(COUNT);

      const byGuid = new Map(report.objects.map((object: any) => [object.guid, object]));
      const errorsOf = (i: number) => report.object_errors[(byGuid.get(dataset(i).id) as any).id]?.errors ?? [];
      expect(errorsOf(INVALID).map((e: any) => e.message).join(' ')).to.match(/maintainer_email/);
      expect(errorsOf(FAILS_AFTER_WRITE).map((e: any) => e.message).join(' ')).to.match(/storage hook failed after the write/);
      // The warning of a record that was written again after its batch rolled back appears once.
      expect(errorsOf(WARNED).filter((e: any) => /"x"/.test(e.message))).to.have.length(1);
      expect((byGuid.get(dataset(WARNED).id) as any).report_status).to.equal('added');
    }
    // The failure after the write really rolled back a batch: its other records were written twice.
    expect([...writes.values()].some((count) => count > 1)).to.equal(true);
    expect(a.search.results.map((pkg: any) => `${pkg.id} ${pkg.name}`).sort()).to.deep.equal(b.search.results.map((pkg: any) => `${pkg.id} ${pkg.name}`).sort());
  });

  it('writes the records queued together in one transaction, and a failure sends each back to be written alone', async () => {
    const server = await startHarvester();
    servers.push(server);
    const { container } = server.kernel;
    const { knex } = container.cradle;
    await knex.raw('create table batch_probe (n integer primary key, txid bigint not null)');
    const alone: number[] = [];
    const group = new GroupCommit({
      size: 10,
      parallel: 1,
      context: () => createActionContext(container, { user: null, ignoreAuth: true }),
      guard: (work) => work(),
      alone: (work) => work(createActionContext(container, { user: null, ignoreAuth: true }), null),
      signal: new AbortController().signal,
    });
    const probe = (n: number, fail = false): GroupWork<number> => async (actions, bookkeeping) => {
      if (!bookkeeping) alone.push(n);
      return actions.transaction(async (trx) => {
        const { rows } = await trx.raw('insert into batch_probe (n, txid) values (?, txid_current()) returning txid', [n]);
        if (fail) throw new Error(`record ${n} failed after its write`);
        return Number(rows[0].txid);
      });
    };

    const txids = await Promise.all([1, 2, 3, 4, 5].map((n) => group.write(probe(n))));
    expect(new Set(txids).size).to.equal(1);
    expect(alone).to.deep.equal([]);

    const results = await Promise.allSettled([6, 7, 8, 9].map((n) => group.write(probe(n, n === 8))));
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).to.match(/record 8 failed/);
    expect(alone).to.deep.equal([6, 7, 8, 9]);
    const rows = await knex('batch_probe').orderBy('n').select('n');
    expect(rows.map((row: { n: number }) => row.n)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 9]);
  });
});
