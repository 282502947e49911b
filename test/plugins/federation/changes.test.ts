// federation_changes as a consumer sees it over HTTP: every creation, update, deletion, purge and
// privatisation, in order, paged, resumable, and never a private dataset.
import { expect } from 'chai';
import type { TestServer } from '../../helpers/server.ts';
import { drainFeed, startFederated } from './helpers.ts';

describe('federation: change feed (federation_changes)', function () {
  this.timeout(60000);
  let province: TestServer;
  let other: TestServer;

  before(async () => {
    [province, other] = await Promise.all([startFederated(), startFederated()]);
    await province.admin.call('organization_create', { name: 'so-y-te', title: 'Sở Y tế' });
  });
  after(async () => {
    await Promise.all([province?.close(), other?.close()]);
  });

  it('reports creations, updates, deletions, purges and privatisations, and never a private dataset', async () => {
    const start = await drainFeed(province);
    expect(start.changes).to.deep.equal([]);

    const a = await province.admin.call('package_create', { name: 'benh-vien', title: 'Danh sách bệnh viện', owner_org: 'so-y-te' });
    const b = await province.admin.call('package_create', { name: 'nha-thuoc', title: 'Nhà thuốc', owner_org: 'so-y-te' });
    const hidden = await province.admin.call('package_create', { name: 'noi-bo', title: 'Nội bộ', owner_org: 'so-y-te', private: true });
    await province.admin.call('package_patch', { id: hidden.id, notes: 'vẫn riêng tư' });

    const first = await drainFeed(province, start.cursor);
    expect(first.changes.map((c) => [c.name, c.change])).to.deep.equal([
      ['benh-vien', 'created'],
      ['nha-thuoc', 'created'],
    ]);
    expect(first.changes[0].package.title).to.equal('Danh sách bệnh viện');
    const shown = await province.anon.call('package_show', { id: a.id });
    expect(first.changes[0].package).to.deep.equal(shown);

    await province.admin.call('package_patch', { id: a.id, notes: 'Cập nhật' });
    await province.admin.call('package_patch', { id: b.id, private: true });
    const c = await province.admin.call('package_create', { name: 'phong-kham', title: 'Phòng khám', owner_org: 'so-y-te' });
    await province.admin.call('package_delete', { id: c.id });
    const second = await drainFeed(province, first.cursor);
    expect(second.changes.map((x) => [x.name, x.change, x.package === null])).to.deep.equal([
      ['benh-vien', 'updated', false],
      ['nha-thuoc', 'deleted', true],
      ['phong-kham', 'deleted', true],
    ]);
    expect(second.changes[0].package.notes).to.equal('Cập nhật');

    await province.admin.call('dataset_purge', { id: a.id });
    await province.admin.call('dataset_purge', { id: hidden.id });
    const third = await drainFeed(province, second.cursor);
    expect(third.changes.map((x) => [x.id, x.name, x.change])).to.deep.equal([[a.id, 'benh-vien', 'purged']]);

    // Nothing new: the same cursor comes back and the page is empty.
    const idle = await province.anon.call('federation_changes', { cursor: third.cursor });
    expect(idle).to.deep.equal({ changes: [], cursor: third.cursor, has_more: false });

    const everything = await drainFeed(province);
    expect(everything.changes.map((x) => x.name)).to.not.include('noi-bo');

    // A private dataset appears when it is made public, and only from then on.
    const draft = await province.admin.call('package_create', { name: 'sap-cong-bo', title: 'Sắp công bố', owner_org: 'so-y-te', private: true });
    expect((await drainFeed(province, third.cursor)).changes).to.deep.equal([]);
    await province.admin.call('package_patch', { id: draft.id, private: false });
    const published = await drainFeed(province, third.cursor);
    expect(published.changes.map((x) => [x.name, x.package?.private])).to.deep.equal([['sap-cong-bo', false]]);
  });

  it('pages by limit, each dataset once per page, and resumes exactly where the last page ended', async () => {
    const start = await drainFeed(province);
    const names = Array.from({ length: 7 }, (_, i) => `trang-${i}`);
    for (const name of names) await province.admin.call('package_create', { name, title: name, owner_org: 'so-y-te' });
    const paged = await drainFeed(province, start.cursor, 3);
    expect(paged.pages).to.equal(3);
    expect(paged.changes.map((x) => x.name)).to.deep.equal(names);
    await province.admin.call('package_patch', { id: 'trang-6', title: 'Trang sáu' });
    const resumed = await drainFeed(province, paged.cursor, 3);
    expect(resumed.changes.map((x) => [x.name, x.change, x.package.title])).to.deep.equal([['trang-6', 'updated', 'Trang sáu']]);
  });

  it('refuses a malformed cursor, a cursor from another instance and a bad limit with a CKAN Validation Error', async () => {
    const foreign = (await other.anon.call('federation_changes', {})).cursor;
    const response = await province.anon.post('federation_changes', { cursor: foreign });
    expect(response.status).to.equal(409);
    expect(response.body.success).to.equal(false);
    expect(response.body.error.__type).to.equal('Validation Error');
    expect(response.body.error.cursor[0]).to.match(/another Kho instance.*máy chủ Kho khác/);

    const garbled = await province.anon.get('federation_changes', { cursor: 'not-a-cursor' });
    expect(garbled.status).to.equal(409);
    expect(garbled.body.error.cursor[0]).to.match(/Invalid cursor/);

    const tooMany = await province.anon.get('federation_changes', { limit: '100000' });
    expect(tooMany.status).to.equal(409);
    expect(tooMany.body.error.limit[0]).to.match(/between 1 and 1000/);
  });
});

describe('federation: change feed with interleaved transactions (PostgreSQL)', function () {
  this.timeout(60000);
  let province: TestServer;

  before(async function () {
    // PGlite has one connection: transactions cannot interleave there, so there is nothing to test.
    if (!process.env.TEST_DATABASE_URL) this.skip();
    province = await startFederated();
    await province.admin.call('organization_create', { name: 'so-xay-dung', title: 'Sở Xây dựng' });
  });
  after(async () => {
    await province?.close();
  });

  it('does not hand out a later commit past an earlier transaction still running, so nothing is skipped', async () => {
    const early = await province.admin.call('package_create', { name: 'som', title: 'Sớm', owner_org: 'so-xay-dung' });
    const start = await drainFeed(province);
    const { knex } = province.kernel.container.cradle;
    // A writer that takes its log position first and commits last.
    const trx = await knex.transaction();
    try {
      const row = await trx('package').where('id', early.id).first('data');
      const dict = JSON.parse(row.data);
      dict.notes = 'viết trong giao dịch dài';
      await trx('package').where('id', early.id).update({ data: JSON.stringify(dict) });
      await province.admin.call('package_create', { name: 'muon', title: 'Muộn', owner_org: 'so-xay-dung' });
      const during = await drainFeed(province, start.cursor);
      expect(during.changes).to.deep.equal([]);
      await trx.commit();
    } catch (err) {
      await trx.rollback();
      throw err;
    }
    const after = await drainFeed(province, start.cursor);
    expect(after.changes.map((x) => x.name)).to.deep.equal(['som', 'muon']);
    expect(after.changes[0].package.notes).to.equal('viết trong giao dịch dài');
  });
});

describe('federation: change log compaction', function () {
  this.timeout(60000);
  let province: TestServer;

  before(async () => {
    province = await startFederated({ workers: true });
    await province.admin.call('organization_create', { name: 'so-tai-chinh', title: 'Sở Tài chính' });
  });
  after(async () => {
    await province?.close();
  });

  it('keeps about one entry per dataset, and every reader still gets each dataset as it is now', async () => {
    const { knex, jobQueue } = province.kernel.container.cradle;
    const before = await drainFeed(province);
    const pkg = await province.admin.call('package_create', { name: 'ngan-sach', title: 'Ngân sách 0', owner_org: 'so-tai-chinh' });
    await province.admin.call('package_patch', { id: pkg.id, title: 'Ngân sách 1' });
    const middle = await drainFeed(province, before.cursor);
    for (let i = 2; i <= 6; i++) await province.admin.call('package_patch', { id: pkg.id, title: `Ngân sách ${i}` });
    const entries = () => knex('federation_change').where('package_id', pkg.id).count<{ count: string }[]>('* as count').then((rows) => Number(rows[0].count));
    expect(await entries()).to.equal(7);

    const id = await jobQueue.enqueue(knex, 'federation.compact_changes', {});
    for (let i = 0; i < 200; i++) {
      const row = await knex('job').where('id', id).first('state');
      if (row?.state === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // The insert and the newest update stay.
    expect(await entries()).to.equal(2);

    const fromStart = await drainFeed(province, before.cursor);
    expect(fromStart.changes.map((c) => [c.name, c.change, c.package?.title])).to.deep.equal([['ngan-sach', 'created', 'Ngân sách 6']]);
    const fromMiddle = await drainFeed(province, middle.cursor);
    expect(fromMiddle.changes.map((c) => [c.name, c.change, c.package?.title])).to.deep.equal([['ngan-sach', 'updated', 'Ngân sách 6']]);
    expect((await drainFeed(province, fromStart.cursor)).changes).to.deep.equal([]);
  });
});
