// The actions around package_search (ckan/logic/action/get.py): package_autocomplete,
// format_autocomplete, tag_autocomplete, tag_list with query, resource_search with CKAN's query
// syntax, group_autocomplete and organization_autocomplete, and the /api/util/* helpers that
// front ends call on every keystroke (spec 1.7), over HTTP. Vietnamese: case and diacritics are
// ignored for matching, and matches as written come first. Runs against each search backend
// (package_autocomplete and format_autocomplete go through it).
import { expect } from 'chai';
import type { TestServer, TestUser } from '../../helpers/server.ts';
import { searchBackends } from './backends.ts';
import { expectError, expectOk } from '../../helpers/expect.ts';
import { createDataset, type Row } from '../package-search-api-fixtures.ts';

for (const backend of searchBackends()) {
  describe(`autocomplete and resource_search over HTTP on ${backend.name}`, function () {
    before(function () {
      if (backend.skipReason) this.skip();
    });
    this.timeout(120000);
    let server: TestServer;
    let member: TestUser;

    before(async () => {
      server = await backend.startServer();
      const admin = server.admin;
      expectOk(await admin.post('organization_create', { name: 'so-y-te', title: 'Sở Y tế' }));
      expectOk(await admin.post('organization_create', { name: 'so-tai-chinh', title: 'Sở Tài chính' }));
      expectOk(await admin.post('group_create', { name: 'y-te-cong-dong', title: 'Y tế cộng đồng' }));
      expectOk(await admin.post('group_create', { name: 'giao-duc', title: 'Giáo dục' }));
      member = await server.createUser('thanh-vien');
      expectOk(await admin.post('organization_member_create', { id: 'so-y-te', username: member.name, role: 'member' }));

      const resource = (format: string, extra: Row = {}) => ({ url: `https://data.example.vn/file.${format.toLowerCase()}`, format, name: `Tệp ${format}`, ...extra });
      await createDataset(admin, {
        name: 'benh-vien-ha-noi',
        title: 'Bệnh viện Hà Nội',
        owner_org: 'so-y-te',
        tags: [{ name: 'y tế' }, { name: 'bệnh viện' }],
        resources: [resource('CSV', { hash: 'abc123' }), resource('XLSX')],
      });
      await createDataset(admin, {
        name: 'ha-noi-dau-nang',
        title: 'Dữ liệu Hạ Nổi',
        owner_org: 'so-y-te',
        tags: [{ name: 'y học' }],
        resources: [resource('CSV'), resource('csv', { description: 'Bản sao viết thường' })],
      });
      await createDataset(admin, {
        name: 'ngan-sach-2024',
        title: 'Ngân sách năm 2024',
        owner_org: 'so-tai-chinh',
        tags: [{ name: 'ngân sách' }, { name: 'Y tế dự phòng' }],
        resources: [resource('JSON'), resource('GeoJSON')],
      });
      await createDataset(admin, {
        name: 'benh-vien-noi-bo',
        title: 'Bệnh viện nội bộ',
        owner_org: 'so-y-te',
        private: true,
        tags: [{ name: 'bí mật' }],
        resources: [resource('PDF', { secret_note: 'kín' })],
      });
    });
    after(async () => server?.close());

    describe('package_autocomplete', () => {
      it('matches words of the name or title by prefix, diacritics ignored, exact marks first', async () => {
        const found = expectOk(await server.anon.get('package_autocomplete', { q: 'Hà Nội' }));
        expect(found.map((pkg: Row) => pkg.name)).to.deep.equal(['benh-vien-ha-noi', 'ha-noi-dau-nang']);
        expect(found[0]).to.deep.equal({ name: 'benh-vien-ha-noi', title: 'Bệnh viện Hà Nội', match_field: 'name', match_displayed: 'benh-vien-ha-noi' });
        expect(Object.keys(found[0])).to.deep.equal(['name', 'title', 'match_field', 'match_displayed']);
        expect(expectOk(await server.anon.get('package_autocomplete', { q: 'hạ nổi' })).map((pkg: Row) => pkg.name)).to.deep.equal(['ha-noi-dau-nang', 'benh-vien-ha-noi']);
        const byTitle = expectOk(await server.anon.get('package_autocomplete', { q: 'năm 2024' }));
        expect(byTitle).to.deep.equal([{ name: 'ngan-sach-2024', title: 'Ngân sách năm 2024', match_field: 'title', match_displayed: 'Ngân sách năm 2024 (ngan-sach-2024)' }]);
        expect(expectOk(await server.anon.get('package_autocomplete', { q: 'ngân' }))[0]).to.include({ match_field: 'name', match_displayed: 'ngan-sach-2024' });
        expect(expectOk(await server.anon.get('dataset_autocomplete', { q: 'BENH VI' })).map((pkg: Row) => pkg.name)).to.deep.equal(['benh-vien-ha-noi']);
      });

      it('honours limit, ignores an empty q and matches nothing in the notes only', async () => {
        expect(expectOk(await server.anon.get('package_autocomplete', { q: 'ha', limit: 1 }))).to.have.length(1);
        expect(expectOk(await server.anon.get('package_autocomplete', { q: '' }))).to.deep.equal([]);
        expect(expectOk(await server.anon.get('package_autocomplete', { q: 'dataset' }))).to.deep.equal([]);
        expectError(await server.anon.get('package_autocomplete', { q: 'ha', limit: 'x' }), 409, 'Validation Error');
      });

      it('shows a private dataset only to those who may read it', async () => {
        expect(expectOk(await server.anon.get('package_autocomplete', { q: 'benh vien' })).map((pkg: Row) => pkg.name)).to.deep.equal(['benh-vien-ha-noi']);
        const asMember = expectOk(await server.client(member.token).get('package_autocomplete', { q: 'benh vien' }));
        expect(asMember.map((pkg: Row) => pkg.name).sort()).to.deep.equal(['benh-vien-ha-noi', 'benh-vien-noi-bo']);
      });
    });

    describe('format_autocomplete', () => {
      it('lists formats in use containing the string, most used first, in lower case', async () => {
        // Counted in datasets; those that start with the string first on equal counts.
        expect(expectOk(await server.anon.get('format_autocomplete', { q: 'json' }))).to.deep.equal(['json', 'geojson']);
        expect(expectOk(await server.anon.get('format_autocomplete', { q: 's' }))).to.deep.equal(['csv', 'geojson', 'json', 'xlsx']);
        expect(expectOk(await server.anon.get('format_autocomplete', { q: 's', limit: 1 }))).to.deep.equal(['csv']);
        expect(expectOk(await server.anon.get('format_autocomplete', { q: 'pd' }))).to.deep.equal(['pdf']);
        expectError(await server.anon.get('format_autocomplete', {}), 409, 'Validation Error');
      });
    });

    describe('tags', () => {
      it('tag_autocomplete ignores diacritics and puts names starting with the string first', async () => {
        expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'y te' }))).to.deep.equal(['y tế', 'Y tế dự phòng']);
        expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'hoc' }))).to.deep.equal(['y học']);
        expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'Y' }))).to.deep.equal(['Y tế dự phòng', 'y học', 'y tế']);
        expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'benh' }))).to.deep.equal(['bệnh viện']);
        // Tags of private datasets are listed too (CKAN lists tags of active datasets).
        expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'mat' }))).to.deep.equal(['bí mật']);
      });

      it('tag_autocomplete puts the tags of more active datasets first among equal matches', async () => {
        const admin = server.admin;
        const made: string[] = [];
        const withTags = async (tags: string[], fields: Row = {}) => made.push((await createDataset(admin, { owner_org: 'so-y-te', tags: tags.map((name) => ({ name })), ...fields })).id);
        try {
          await withTags(['quan-trac-a']);
          await withTags(['quan-trac-b']);
          await withTags(['quan-trac-b'], { private: true });
          await withTags(['quan-trac-c', 'quan-trac-b']);
          await withTags(['quan-trac-c']);
          // A deleted dataset's tags do not count, and a tag only deleted datasets use is not listed.
          for (let i = 0; i < 3; i++) await withTags(['quan-trac-a', 'quan-trac-d']);
          for (const id of made.slice(-3)) expectOk(await admin.post('package_delete', { id }));
          expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'quan-trac' }))).to.deep.equal(['quan-trac-b', 'quan-trac-c', 'quan-trac-a']);
          // An exact match still comes before a more used one.
          expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'quan-trac-a' }))).to.deep.equal(['quan-trac-a']);
          expect(expectOk(await server.anon.get('tag_autocomplete', { q: 'quan-trac', limit: 1, offset: 1 }))).to.deep.equal(['quan-trac-c']);
        } finally {
          for (const id of made) await admin.post('dataset_purge', { id });
        }
      });

      it('tag_list filters by query the same way', async () => {
        expect(expectOk(await server.anon.get('tag_list', { query: 'NGAN SACH' }))).to.deep.equal(['ngân sách']);
        expect(expectOk(await server.anon.get('tag_list', { query: 'y', all_fields: true })).map((tag: Row) => tag.name)).to.include('y học');
      });
    });

    describe('resource_search (CKAN\'s query syntax)', () => {
      const search = (data: Row) => server.anon.post('resource_search', data);

      it('matches field:term as a case-insensitive substring, every criterion, public datasets only', async () => {
        const csv = expectOk(await search({ query: 'format:csv' }));
        expect(csv.count).to.equal(3);
        // (Kho stores "csv" as the known format "CSV".)
        expect(csv.results.map((res: Row) => res.format).sort()).to.deep.equal(['CSV', 'CSV', 'CSV']);
        expect(csv.results[0]).to.include.keys('id', 'package_id', 'url', 'name', 'position');
        const both = expectOk(await search({ query: ['format:csv', 'description:viết'] }));
        expect(both.count).to.equal(1);
        expect(expectOk(await search({ query: 'format:pdf' })).count).to.equal(0);
        expect(expectOk(await search({ query: 'secret_note:kín' })).count).to.equal(0);
        expect(expectOk(await server.anon.get('resource_search', { query: 'name:Tệp JSON' })).count).to.equal(1);
      });

      it('matches hash as a prefix, and the deprecated fields form splits its terms', async () => {
        expect(expectOk(await search({ query: 'hash:abc' })).count).to.equal(1);
        expect(expectOk(await search({ query: 'hash:123' })).count).to.equal(0);
        expect(expectOk(await search({ fields: { format: 'geo json' } })).count).to.equal(1);
        expect(expectOk(await search({ fields: { format: ['json'] } })).count).to.equal(2);
      });

      it('orders, pages and counts', async () => {
        const all = expectOk(await search({ query: 'url:data.example.vn', order_by: 'format' }));
        expect(all.count).to.equal(6);
        expect(all.results.map((res: Row) => res.format)).to.deep.equal(['CSV', 'CSV', 'CSV', 'GeoJSON', 'JSON', 'XLSX']);
        const page = expectOk(await search({ query: 'url:data.example.vn', order_by: 'format', offset: 2, limit: 2 }));
        expect(page.count).to.equal(6);
        expect(page.results).to.deep.equal(all.results.slice(2, 4));
        // An order_by that is no field is ignored, as in CKAN.
        expect(expectOk(await search({ query: 'url:data.example.vn', order_by: 'format desc' })).count).to.equal(6);
      });

      it('follows every change to a dataset: a resource renamed or added, the dataset made private, deleted', async () => {
        const admin = server.admin;
        const names = async () => expectOk(await search({ query: 'url:thay-doi.example.vn', order_by: 'name' })).results.map((res: Row) => res.name);
        const dataset = await createDataset(admin, {
          name: 'thay-doi-tai-nguyen',
          owner_org: 'so-tai-chinh',
          resources: [{ url: 'https://thay-doi.example.vn/a.csv', name: 'Bảng cũ' }],
        });
        expect(await names()).to.deep.equal(['Bảng cũ']);
        expectOk(await admin.post('resource_patch', { id: dataset.resources[0].id, name: 'Bảng mới' }));
        expectOk(await admin.post('resource_create', { package_id: dataset.id, url: 'https://thay-doi.example.vn/b.csv', name: 'Bảng thêm' }));
        expect(await names()).to.deep.equal(['Bảng mới', 'Bảng thêm']);
        expect(expectOk(await search({ query: 'name:cũ' })).count).to.equal(0);
        expectOk(await admin.post('package_patch', { id: dataset.id, private: true }));
        expect(await names()).to.deep.equal([]);
        expectOk(await admin.post('package_patch', { id: dataset.id, private: false }));
        expect(await names()).to.have.length(2);
        expectOk(await admin.post('package_delete', { id: dataset.id }));
        expect(await names()).to.deep.equal([]);
      });

      it('answers CKAN\'s validation errors', async () => {
        expect(expectError(await search({}), 409, 'Validation Error')).to.deep.include({ query: 'Missing value' });
        expect(expectError(await search({ query: 'format:csv', fields: { format: 'csv' } }), 409, 'Validation Error')).to.deep.include({
          fields: 'Do not specify if using "query" parameter',
        });
        expect(expectError(await search({ query: 'csv' }), 409, 'Validation Error')).to.deep.include({ query: 'Must be <field>:<value> pair(s)' });
        expect(expectError(await search({ query: 'for mat:csv' }), 409, 'Validation Error')).to.deep.include({
          query: 'Field "for mat" not recognised in resource_search.',
        });
      });
    });

    describe('group_autocomplete and organization_autocomplete', () => {
      it('find active groups or organizations by name or title, diacritics ignored', async () => {
        expect(expectOk(await server.anon.get('organization_autocomplete', { q: 'so y' }))).to.deep.equal([
          { id: (await server.admin.call('organization_show', { id: 'so-y-te' })).id, name: 'so-y-te', title: 'Sở Y tế' },
        ]);
        expect(expectOk(await server.anon.get('organization_autocomplete', { q: 'sở' })).map((org: Row) => org.name)).to.deep.equal(['so-tai-chinh', 'so-y-te']);
        expect(expectOk(await server.anon.get('group_autocomplete', { q: 'giao' })).map((group: Row) => group.name)).to.deep.equal(['giao-duc']);
        expect(expectOk(await server.anon.get('group_autocomplete', { q: 'so' }))).to.deep.equal([]);
      });
    });

    describe('/api/util/* (spec 1.7)', () => {
      const util = async (path: string, query: Record<string, string>) => {
        const response = await server.anon.request(`${path}?${new URLSearchParams(query)}`);
        expect(response.status, response.text).to.equal(200);
        expect(response.headers.get('content-type')).to.match(/^application\/json/);
        return response.body;
      };

      it('answers without the envelope, unversioned and under /api/1 and /api/2', async () => {
        for (const prefix of ['/api', '/api/1', '/api/2']) {
          const body = await util(`${prefix}/util/dataset/autocomplete`, { incomplete: 'ngân' });
          expect(body).to.deep.equal({
            ResultSet: { Result: [{ name: 'ngan-sach-2024', title: 'Ngân sách năm 2024', match_field: 'name', match_displayed: 'ngan-sach-2024' }] },
          });
        }
        expect(await util('/api/2/util/tag/autocomplete', { incomplete: 'y te', limit: '1' })).to.deep.equal({ ResultSet: { Result: [{ Name: 'y tế' }] } });
        expect(await util('/api/2/util/resource/format_autocomplete', { incomplete: 'JSO' })).to.deep.equal({
          ResultSet: { Result: [{ Format: 'json' }, { Format: 'geojson' }] },
        });
        expect(await util('/api/2/util/organization/autocomplete', { q: 'tai chinh' })).to.have.length(1);
        expect((await util('/api/2/util/group/autocomplete', { q: 'y te' }))[0]).to.include({ name: 'y-te-cong-dong', title: 'Y tế cộng đồng' });
        expect((await util('/api/util/user/autocomplete', { q: 'thanh' }))[0]).to.deep.equal({ id: member.id, name: 'thanh-vien', fullname: null });
      });

      it('answers the empty result for an empty string', async () => {
        expect(await util('/api/util/dataset/autocomplete', { incomplete: '' })).to.deep.equal({ ResultSet: { Result: [] } });
        expect(await util('/api/util/tag/autocomplete', {})).to.deep.equal({ ResultSet: { Result: [] } });
        expect(await util('/api/util/resource/format_autocomplete', { incomplete: ' ' })).to.deep.equal({ ResultSet: { Result: [] } });
        expect(await util('/api/util/user/autocomplete', {})).to.deep.equal([]);
        expect(await util('/api/util/organization/autocomplete', { q: '' })).to.deep.equal([]);
      });

      it('uses the caller\'s identity, and wraps JSONP', async () => {
        const asMember = await server.client(member.token).request('/api/2/util/dataset/autocomplete?incomplete=noi+bo');
        expect(asMember.body.ResultSet.Result.map((pkg: Row) => pkg.name)).to.deep.equal(['benh-vien-noi-bo']);
        expect((await util('/api/2/util/dataset/autocomplete', { incomplete: 'noi bo' })).ResultSet.Result).to.deep.equal([]);
        const jsonp = await server.anon.request('/api/2/util/tag/autocomplete?incomplete=hoc&callback=cb');
        expect(jsonp.headers.get('content-type')).to.match(/^application\/javascript/);
        expect(jsonp.text).to.equal('cb({"ResultSet":{"Result":[{"Name":"y học"}]}});');
        const bad = await server.anon.request('/api/2/util/dataset/autocomplete?incomplete=x&limit=abc');
        expect(bad.status).to.equal(409);
      });
    });
  });
}
