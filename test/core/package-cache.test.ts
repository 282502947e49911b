import { expect } from 'chai';
import { PackageCache } from '../../core/model/package-cache.ts';
import type { PackageRow } from '../../core/model/packages.ts';
import { createKernel } from '../../core/app.ts';
import { startTestServer } from '../helpers/server.ts';
import { createPglite, openDatabase } from '../../core/db/connect.ts';

const row = (id: string, name: string, title = 'x'): PackageRow => ({
  id,
  name,
  title,
  type: 'dataset',
  state: 'active',
  private: false,
  owner_org: null,
  creator_user_id: null,
  metadata_created: '2024-01-01 00:00:00',
  metadata_modified: '2024-01-01 00:00:00',
  data: JSON.stringify({ id, name, title }),
  plugin_data: null,
});

describe('package cache', () => {
  it('finds a stored row by id and by name', () => {
    const cache = new PackageCache({ capacity: 10, enabled: true });
    cache.store(row('1', 'mot'), cache.snapshot());
    expect(cache.get('1')?.name).to.equal('mot');
    expect(cache.get('mot')?.id).to.equal('1');
  });

  it('does not keep a row read while a write happened (the read may be older than the write)', () => {
    const cache = new PackageCache({ capacity: 10, enabled: true });
    const snapshot = cache.snapshot();
    cache.invalidate('1'); // a write committed while the read was in flight
    cache.store(row('1', 'mot', 'old'), snapshot);
    expect(cache.get('1')).to.equal(undefined);
  });

  it('a write in a savepoint keeps rows out until the outer transaction ends, not the savepoint', async () => {
    const db = await openDatabase({ url: null, dataDir: '', poolMax: 1, pglite: await createPglite(null) });
    try {
      const cache = new PackageCache({ capacity: 10, enabled: true });
      let outerOpen = true;
      await db.knex.transaction(async (outer) => {
        await outer.transaction(async (savepoint) => {
          cache.written(savepoint, '1');
        });
        // The savepoint is released but nothing is committed: a read now may be older than the write.
        cache.store(row('1', 'mot', 'old'), cache.snapshot());
        expect(cache.get('1'), 'stored before the commit').to.equal(undefined);
        outerOpen = false;
      });
      expect(outerOpen).to.equal(false);
      cache.store(row('1', 'mot', 'new'), cache.snapshot());
      expect(cache.get('1')?.title).to.equal('new');
    } finally {
      await db.close();
    }
  });

  it('evicts the least recently used rows beyond its capacity', () => {
    const cache = new PackageCache({ capacity: 2, enabled: true });
    cache.store(row('1', 'a'), cache.snapshot());
    cache.store(row('2', 'b'), cache.snapshot());
    cache.get('1');
    cache.store(row('3', 'c'), cache.snapshot());
    expect(cache.get('2')).to.equal(undefined);
    expect(cache.get('1')).to.not.equal(undefined);
    expect(cache.get('c')).to.not.equal(undefined);
  });

  it('a renamed dataset is not found under its old name', () => {
    const cache = new PackageCache({ capacity: 10, enabled: true });
    cache.store(row('1', 'old-name'), cache.snapshot());
    cache.invalidate('1');
    cache.store(row('1', 'new-name'), cache.snapshot());
    expect(cache.get('old-name')).to.equal(undefined);
    expect(cache.get('new-name')?.id).to.equal('1');
  });

  it('package_show reflects every write at once in the writing process', async () => {
    const server = await startTestServer({ config: { auth: { create_unowned_dataset: true } } });
    try {
      await server.admin.call('package_create', { name: 'cached', title: 'Một' });
      for (const title of ['Hai', 'Ba', 'Bốn']) {
        expect((await server.anon.call('package_show', { id: 'cached' })).title).to.not.equal(title);
        await server.admin.call('package_patch', { id: 'cached', title });
        expect((await server.anon.call('package_show', { id: 'cached' })).title).to.equal(title);
      }
      await server.admin.call('package_patch', { id: 'cached', name: 'cached-renamed' });
      expect((await server.anon.post('package_show', { id: 'cached' })).status).to.equal(404);
      await server.admin.call('package_delete', { id: 'cached-renamed' });
      expect((await server.anon.post('package_show', { id: 'cached-renamed' })).status).to.equal(403);
    } finally {
      await server.close();
    }
  });

  it('on PostgreSQL, a write by another process reaches this process\'s cache (LISTEN/NOTIFY)', async function () {
    const server = await startTestServer({ config: { auth: { create_unowned_dataset: true } } });
    try {
      if (!server.databaseUrl) this.skip();
      await server.admin.call('package_create', { name: 'shared', title: 'Trước' });
      expect((await server.anon.call('package_show', { id: 'shared' })).title).to.equal('Trước');
      // A second process (here: a second kernel with its own pool) updates the dataset.
      const other = await createKernel({ config: { file: null, env: {}, overrides: { database: { url: server.databaseUrl }, data_dir: server.dataDir, log: { level: 'silent' } } } });
      try {
        await other.context().action('package_patch', { id: 'shared', title: 'Sau' });
      } finally {
        await other.close();
      }
      let title = '';
      for (let i = 0; i < 50 && title !== 'Sau'; i++) {
        title = (await server.anon.call('package_show', { id: 'shared' })).title;
        if (title !== 'Sau') await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(title).to.equal('Sau');
    } finally {
      await server.close();
    }
  });

  it('on PostgreSQL, a write by another process clears this process\'s cached search results too', async function () {
    const server = await startTestServer({ config: { auth: { create_unowned_dataset: true } } });
    try {
      if (!server.databaseUrl) this.skip();
      await server.admin.call('package_create', { name: 'benh-vien-a', title: 'Bệnh viện A' });
      const search = async () => (await server.anon.call('package_search', { q: 'benh vien' })).count;
      // Asked twice, so the answer is in the result cache (once the listener is up).
      for (let i = 0; i < 50 && (await search()) !== 1; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await search()).to.equal(1);
      const other = await createKernel({ config: { file: null, env: {}, overrides: { database: { url: server.databaseUrl }, data_dir: server.dataDir, log: { level: 'silent' }, auth: { create_unowned_dataset: true } } } });
      try {
        await other.context().action('package_create', { name: 'benh-vien-b', title: 'Bệnh viện B' });
      } finally {
        await other.close();
      }
      let count = 0;
      for (let i = 0; i < 50 && count !== 2; i++) {
        count = await search();
        if (count !== 2) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(count).to.equal(2);
    } finally {
      await server.close();
    }
  });
});
