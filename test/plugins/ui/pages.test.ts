// The public catalogue over HTTP, as a browser without JavaScript sees it: CKAN's URLs, search with
// facets, sort and paging in the URL, dataset and resource pages with previews and downloads,
// organizations with their focal point, groups, languages, security headers and page sizes.
import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import writeXlsxFile from 'write-excel-file/node';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient, pageText, seedCatalogue } from './helpers.ts';

async function upload(server: TestServer, packageId: string, name: string, filename: string, content: Buffer | string, format?: string) {
  const form = new FormData();
  form.set('package_id', packageId);
  form.set('name', name);
  if (format) form.set('format', format);
  form.set('upload', new Blob([content]), filename);
  const response = await fetch(`${server.url}/api/3/action/resource_create`, { method: 'POST', headers: { Authorization: server.sysadmin.token }, body: form });
  const body = (await response.json()) as { success: boolean; result: Record<string, any> };
  if (!body.success) throw new Error(JSON.stringify(body));
  return body.result;
}

describe('ui › public pages', function () {
  this.timeout(60000);
  let server: TestServer;
  let web: WebClient;
  const csv = 'ten_truong,quan_huyen,so_hoc_sinh\nTHPT Quốc Học,TP Huế,1200\nTHPT Hai Bà Trưng,TP Huế,900\n"Trường ""đặc biệt""",Phú Vang,300\n';

  before(async () => {
    server = await startTestServer({ plugins: ['ui', 'example'], config: { ui: { page_size: 2 } } });
    await seedCatalogue(server);
    web = new WebClient(server.url);
    await server.admin.call('organization_patch', { id: 'so-y-te', example_code: 'H12.15' });
    await server.admin.call('package_patch', { id: 'nha-thuoc', example_theme: 'y-te' });
  });
  after(() => server.close());

  describe('home', () => {
    it('is Vietnamese by default, with counts, newest datasets and organizations', async () => {
      const res = await web.get('/');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
      expect(res.text).to.match(/<html lang="vi">/);
      const text = pageText(res.text);
      expect(text).to.include('4 bộ dữ liệu');
      expect(text).to.include('Dữ liệu mới nhất');
      expect(text).to.include('Danh sách nhà thuốc');
      expect(text).to.include('Sở Y tế');
      expect(res.text).to.include('action="/dataset"');
    });

    it('sends a strict Content-Security-Policy and no inline script or style', async () => {
      const res = await web.get('/');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).to.include("default-src 'self'");
      expect(csp).to.include("script-src 'self'");
      expect(csp).to.include("frame-ancestors 'none'");
      expect(csp).not.to.include('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.text).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(res.text).not.to.match(/\sstyle="/);
      expect(res.text).not.to.match(/\son[a-z]+="/);
      expect(res.text).not.to.match(/https?:\/\/(?!127\.0\.0\.1|localhost|kho\.test|example\.org)[a-z0-9.-]+\.[a-z]+\/[^"]*\.(js|css)/i);
    });
  });

  describe('dataset search', () => {
    it('finds datasets ignoring diacritics, with counts', async () => {
      const res = await web.get('/dataset?q=truong+hoc');
      expect(res.status).to.equal(200);
      const text = pageText(res.text);
      expect(text).to.include('Tìm thấy 1 bộ dữ liệu');
      expect(text).to.include('Danh sách trường học');
    });

    it('shows facets with display names and filters by them through bookmarkable URLs', async () => {
      const res = await web.get('/dataset');
      const text = pageText(res.text);
      for (const title of ['Tổ chức', 'Nhóm chủ đề', 'Từ khoá', 'Định dạng', 'Giấy phép', 'Chủ đề']) expect(text).to.include(title);
      expect(text).to.include('Sở Giáo dục và Đào tạo');
      expect(text).to.include('Y tế 1'); // the plugin facet, with the choice's label
      expect(res.text).to.include('href="/dataset?organization=so-y-te"');
      const filtered = await web.get('/dataset?organization=so-y-te');
      const filteredText = pageText(filtered.text);
      expect(filteredText).to.include('Tìm thấy 2 bộ dữ liệu');
      expect(filteredText).to.include('Tổ chức: Sở Y tế');
      // two facets combine (AND), and each link keeps the other filter
      expect(filtered.text).to.include('href="/dataset?organization=so-y-te&amp;tags=d%C6%B0%E1%BB%A3c"');
      const both = pageText((await web.get('/dataset?organization=so-y-te&tags=d%C6%B0%E1%BB%A3c')).text);
      expect(both).to.include('Tìm thấy 1 bộ dữ liệu');
      expect(both).to.include('Danh sách nhà thuốc');
      const format = pageText((await web.get('/dataset?res_format=XLSX')).text);
      expect(format).to.include('Điểm thi tốt nghiệp THPT');
      expect(format).to.include('Tìm thấy 1 bộ dữ liệu');
    });

    it('sorts and pages, keeping the query in every link', async () => {
      const first = await web.get('/dataset?sort=title_string+asc');
      const text = pageText(first.text);
      expect(text).to.include('Tìm thấy 4 bộ dữ liệu');
      expect(text.indexOf('Cơ sở khám chữa bệnh')).to.be.greaterThan(-1);
      expect(text).not.to.include('Điểm thi tốt nghiệp');
      expect(first.text).to.include('href="/dataset?sort=title_string+asc&amp;page=2"');
      expect(first.text).to.match(/<option value="title_string asc" selected>/);
      const second = pageText((await web.get('/dataset?sort=title_string+asc&page=2')).text);
      expect(second).to.include('Danh sách trường học');
      expect(second).not.to.include('Cơ sở khám chữa bệnh');
      // an unknown sort is ignored, a silly page number clamped
      expect((await web.get('/dataset?sort=drop+table&page=99999999')).status).to.equal(200);
    });

    it('answers a query it cannot parse with a message, not an error page', async () => {
      const res = await web.get('/dataset?q=title:(');
      expect(res.status).to.equal(200);
      expect(pageText(res.text)).to.satisfy((t: string) => t.includes('Không hiểu câu truy vấn') || t.includes('Tìm thấy'));
      // Local params, which the API refuses as Search Error (409).
      const local = await web.get(`/dataset?q=${encodeURIComponent('{!lucene}x')}`);
      expect(local.status).to.equal(200);
      expect(pageText(local.text)).to.include('Không hiểu câu truy vấn');
    });
  });

  describe('dataset page', () => {
    let resource: Record<string, any>;
    before(async () => {
      resource = await upload(server, 'danh-sach-truong-hoc', 'Danh sách trường (CSV)', 'truong-hoc.csv', csv);
      await server.admin.call('package_patch', { id: 'danh-sach-truong-hoc', example_theme: 'giao-duc', author: 'Phòng Kế hoạch', author_email: 'khtc@sgd.example.vn' });
    });

    it("shows metadata (plugin-declared fields with their labels), resources with format, size and sha256", async () => {
      const res = await web.get('/dataset/danh-sach-truong-hoc');
      expect(res.status).to.equal(200);
      const text = pageText(res.text);
      expect(text).to.include('Danh sách trường học');
      expect(text).to.include('Chủ đề Giáo dục'); // example plugin's select field, choice label in Vietnamese
      expect(text).to.include('Tác giả Phòng Kế hoạch');
      expect(text).to.include(resource.hash.replace(/^sha256:/, ''));
      expect(text).to.include(`${Buffer.byteLength(csv)} B`);
      expect(res.text).to.include(`href="/dataset/${resource.package_id}/resource/${resource.id}/download/truong-hoc.csv"`);
      expect(res.text).to.include('href="/api/3/action/package_show?id=danh-sach-truong-hoc"');
      expect(text).to.include('Dữ liệu mở theo Điều 43 Luật Giao dịch điện tử 2023');
    });

    it('previews the first rows of a CSV and the download gives the uploaded bytes', async () => {
      const page = await web.get('/dataset/danh-sach-truong-hoc');
      const text = pageText(page.text);
      expect(text).to.include('Xem trước');
      expect(text).to.include('THPT Quốc Học');
      expect(text).to.include('Trường "đặc biệt"');
      const href = /href="(\/dataset\/[^"]+\/download\/[^"]+)"/.exec(page.text)![1];
      const file = await fetch(server.url + href);
      expect(file.status).to.equal(200);
      expect(Buffer.from(await file.arrayBuffer()).toString('utf8')).to.equal(csv);
    });

    it('is reachable by id too (CKAN links), and 404s in HTML for an unknown name', async () => {
      const shown = await server.anon.call('package_show', { id: 'danh-sach-truong-hoc' });
      expect((await web.get(`/dataset/${shown.id}`)).status).to.equal(200);
      const missing = await web.get('/dataset/khong-co');
      expect(missing.status).to.equal(404);
      expect(pageText(missing.text)).to.include('Không tìm thấy trang');
      const unknownPath = await web.get('/khong/co/trang/nay');
      expect(unknownPath.status).to.equal(404);
      expect(unknownPath.headers.get('content-type')).to.match(/text\/html/);
      // API clients keep their plain answers
      const api = await fetch(`${server.url}/api/3/action/nope`);
      expect(api.status).to.equal(400);
    });

    it('leaves /dataset/{id}.rdf and RDF content negotiation to others (federation)', async () => {
      expect((await web.get('/dataset/danh-sach-truong-hoc.rdf')).status).to.equal(404);
      expect((await web.get('/dataset/danh-sach-truong-hoc', { Accept: 'text/turtle' })).status).to.equal(404);
      expect((await web.get('/dataset/danh-sach-truong-hoc', { Accept: '*/*' })).status).to.equal(200);
    });
  });

  describe('resource page', () => {
    it('previews XLSX and JSON files', async () => {
      const xlsx = await (await writeXlsxFile([
        [{ value: 'Trường' }, { value: 'Điểm TB' }, { value: 'Ngày thi' }],
        [{ value: 'THPT Quốc Học' }, { value: 8.25 }, { value: new Date(Date.UTC(2025, 5, 26)), format: 'yyyy-mm-dd' }],
        [{ value: 'THPT Hai Bà Trưng' }, { value: 7.5 }, { value: new Date(Date.UTC(2025, 5, 27)), format: 'yyyy-mm-dd' }],
      ])).toBuffer();
      const sheet = await upload(server, 'diem-thi-tot-nghiep', 'Điểm thi', 'diem-thi.xlsx', xlsx);
      const page = await web.get(`/dataset/diem-thi-tot-nghiep/resource/${sheet.id}`);
      expect(page.status).to.equal(200);
      const text = pageText(page.text);
      expect(text).to.include('Điểm TB');
      expect(text).to.include('THPT Hai Bà Trưng');
      expect(text).to.include('8.25');
      expect(text).to.include('2025-06-26');

      const json = JSON.stringify({ data: [{ ten: 'Bệnh viện Trung ương Huế', giuong: 3000 }, { ten: 'Bệnh viện Đa khoa tỉnh', giuong: 800, ghi_chu: '<b>x</b>' }] });
      const res = await upload(server, 'co-so-kham-chua-benh', 'Cơ sở', 'co-so.json', json);
      const jsonPage = pageText((await web.get(`/dataset/co-so-kham-chua-benh/resource/${res.id}`)).text);
      expect(jsonPage).to.include('Bệnh viện Trung ương Huế');
      expect(jsonPage).to.include('giuong');
      expect(jsonPage).to.include('<b>x</b>'); // shown as text
    });

    it('lists the resource metadata and links back to the dataset', async () => {
      const pkg = await server.anon.call('package_show', { id: 'nha-thuoc' });
      const rid = pkg.resources[0].id;
      const page = await web.get(`/dataset/nha-thuoc/resource/${rid}`);
      const text = pageText(page.text);
      expect(text).to.include('Danh sách nhà thuốc (CSV)');
      expect(page.text).to.include('href="http://example.org/nha-thuoc.csv"');
      expect(page.text).to.include(`href="/api/3/action/resource_show?id=${rid}"`);
      expect((await web.get(`/dataset/nha-thuoc/resource/00000000-0000-0000-0000-000000000000`)).status).to.equal(404);
      expect((await web.get(`/dataset/danh-sach-truong-hoc/resource/${rid}`)).status).to.equal(404);
    });
  });

  describe('organizations and groups', () => {
    it('lists organizations with their dataset counts, and searches them', async () => {
      const text = pageText((await web.get('/organization')).text);
      expect(text).to.include('Sở Y tế');
      expect(text).to.include('2 bộ dữ liệu');
      const found = pageText((await web.get('/organization?q=gi%C3%A1o')).text);
      expect(found).to.include('Sở Giáo dục và Đào tạo');
      expect(found).not.to.include('Sở Y tế');
    });

    it("shows an organization's declared fields (focal point, identifier) and its datasets with facets", async () => {
      const res = await web.get('/organization/so-y-te');
      expect(res.status).to.equal(200);
      const text = pageText(res.text);
      expect(text).to.include('Mã cơ quan H12.15');
      expect(text).to.include('Danh sách nhà thuốc');
      expect(text).to.include('Cơ sở khám chữa bệnh');
      expect(text).not.to.include('Danh sách trường học');
      expect(res.text).to.include('<strong>y tế</strong>');
      expect(res.text).to.include('href="/organization/so-y-te?tags=d%C6%B0%E1%BB%A3c"');
      expect(pageText((await web.get('/organization/so-y-te?tags=d%C6%B0%E1%BB%A3c')).text)).to.include('Tìm thấy 1 bộ dữ liệu');
    });

    it('lists groups and shows a group with its datasets', async () => {
      expect(pageText((await web.get('/group')).text)).to.include('Giáo dục');
      const text = pageText((await web.get('/group/giao-duc')).text);
      expect(text).to.include('Danh sách trường học');
      expect(text).to.include('Điểm thi tốt nghiệp THPT');
      expect(text).not.to.include('Danh sách nhà thuốc');
      expect((await web.get('/group/khong-co')).status).to.equal(404);
    });
  });

  describe('languages', () => {
    it('switches to English with a cookie and back, and refuses to redirect off-site', async () => {
      const client = new WebClient(server.url);
      const switched = await client.get('/lang/en?next=%2Fdataset%3Fq%3Dy');
      expect(switched.status).to.equal(303);
      expect(switched.location).to.equal('/dataset?q=y');
      const english = await client.get('/dataset');
      expect(english.text).to.match(/<html lang="en">/);
      expect(pageText(english.text)).to.include('4 datasets found');
      expect(pageText(english.text)).to.include('Organizations');
      expect(pageText((await client.get('/dataset/danh-sach-truong-hoc')).text)).to.include('Theme Education');
      await client.get('/lang/vi?next=/');
      expect((await client.get('/')).text).to.match(/<html lang="vi">/);
      for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
        expect((await client.get(`/lang/en?next=${encodeURIComponent(next)}`)).location).to.equal('/');
      }
    });

    it("follows CKAN's locale-prefixed links (/en/dataset/…) to the page, in that language", async () => {
      const client = new WebClient(server.url);
      const prefixed = await client.get('/en/dataset/danh-sach-truong-hoc?x=1');
      expect(prefixed.status).to.equal(303);
      expect(prefixed.location).to.equal('/dataset/danh-sach-truong-hoc?x=1');
      expect((await client.get('/dataset/danh-sach-truong-hoc')).text).to.match(/<html lang="en">/);
      expect((await client.get('/vi')).location).to.equal('/');
      expect((await client.get('/')).text).to.match(/<html lang="vi">/);
      expect((await client.get('/en//evil.example/x')).location).to.equal('/');
      // Only the whole first segment is a language: /english is an ordinary unknown page.
      expect((await client.get('/english')).status).to.equal(404);
    });
  });

  describe('safety', () => {
    const probe = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    before(async () => {
      await server.admin.call('organization_create', { name: 'xss-org', title: `Tổ chức ${probe}`, description: `[bấm](javascript:alert(3)) <iframe src="//evil"></iframe>` });
      await server.admin.call('package_create', {
        name: 'xss-probe',
        title: `Tiêu đề ${probe}`,
        notes: `Ghi chú ${probe}\n\n[nhấn vào đây](javascript:alert(4)) [an toàn](https://example.org/a)\n\n<a href="javascript:alert(5)">x</a>`,
        owner_org: 'xss-org',
        tags: [{ name: 'thẻ an toàn' }],
        author: probe,
        url: 'javascript:alert(6)',
        resources: [{ url: 'javascript:alert(7)', name: `Tệp ${probe}`, format: 'CSV', description: probe }],
      });
    });

    it('renders XSS probes in every text field inert', async () => {
      const pkg = await server.anon.call('package_show', { id: 'xss-probe' });
      for (const path of ['/', '/dataset', '/dataset?q=probe', '/dataset/xss-probe', `/dataset/xss-probe/resource/${pkg.resources[0].id}`, '/organization', '/organization/xss-org']) {
        const res = await web.get(path);
        expect(res.status, path).to.equal(200);
        expect(res.text, path).not.to.include('<script>alert');
        expect(res.text, path).not.to.include('<img src=x');
        expect(res.text, path).not.to.match(/href="javascript:/i);
        expect(res.text, path).not.to.include('<iframe');
        expect(res.text, path).not.to.match(/<[a-z][^>]*\sonerror=/i);
      }
      const page = await web.get('/dataset/xss-probe');
      expect(page.text).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.text).to.include('<a href="https://example.org/a" rel="nofollow ugc noopener">an toàn</a>');
    });
  });

  describe('cache of signed-out pages', () => {
    it('serves unchanged pages from memory with an ETag, and shows a change at once', async () => {
      const first = await web.get('/dataset/nha-thuoc');
      const etag = first.headers.get('etag')!;
      expect(etag).to.match(/^W\/"/);
      expect(first.headers.getSetCookie()).to.deep.equal([]);
      expect((await web.get('/dataset/nha-thuoc', { 'If-None-Match': etag })).status).to.equal(304);
      const searchEtag = (await web.get('/dataset?q=thuoc')).headers.get('etag')!;
      await server.admin.call('package_patch', { id: 'nha-thuoc', title: 'Danh sách nhà thuốc đạt chuẩn GPP' });
      const changed = await web.get('/dataset/nha-thuoc', { 'If-None-Match': etag });
      expect(changed.status).to.equal(200);
      expect(pageText(changed.text)).to.include('Danh sách nhà thuốc đạt chuẩn GPP');
      const search = await web.get('/dataset?q=thuoc', { 'If-None-Match': searchEtag });
      expect(search.status).to.equal(200);
      expect(pageText(search.text)).to.include('đạt chuẩn GPP');
      await server.admin.call('organization_patch', { id: 'so-y-te', title: 'Sở Y tế tỉnh' });
      expect(pageText((await web.get('/dataset?q=thuoc')).text)).to.include('Sở Y tế tỉnh');
      await server.admin.call('organization_patch', { id: 'so-y-te', title: 'Sở Y tế' });
    });
  });

  describe('page weight', () => {
    it('keeps every main page, with its CSS and script, under 150 KB (and gzips HTML)', async () => {
      const home = await web.get('/');
      const css = /href="(\/ui-static\/kho\.css\?v=[0-9a-f]+)"/.exec(home.text)![1];
      const js = /src="(\/ui-static\/kho\.js\?v=[0-9a-f]+)"/.exec(home.text)![1];
      let assets = 0;
      for (const path of [css, js]) {
        const res = await fetch(server.url + path, { headers: { 'Accept-Encoding': 'gzip' } });
        expect(res.status).to.equal(200);
        expect(res.headers.get('cache-control')).to.include('immutable');
        assets += Number((await res.arrayBuffer()).byteLength);
      }
      const pkg = await server.anon.call('package_show', { id: 'danh-sach-truong-hoc' });
      for (const path of ['/', '/dataset', '/dataset/danh-sach-truong-hoc', `/dataset/danh-sach-truong-hoc/resource/${pkg.resources[1].id}`, '/organization', '/organization/so-y-te', '/group/giao-duc', '/user/login']) {
        const res = await web.get(path);
        const size = gzipSync(res.text).length + assets;
        expect(size, path).to.be.below(150 * 1024);
        expect(Buffer.byteLength(res.text), path).to.be.below(150 * 1024);
      }
      const gz = await fetch(server.url + '/dataset', { headers: { 'Accept-Encoding': 'gzip' } });
      expect(gz.headers.get('content-encoding')).to.equal('gzip');
    });
  });
});

describe('ui › a search stopped at search.timeout_ms (PostgreSQL server)', function () {
  this.timeout(60000);
  let server: TestServer;

  before(async function () {
    // PGlite cannot stop a running statement; the limit applies on a PostgreSQL server only.
    if (!process.env.TEST_DATABASE_URL) this.skip();
    server = await startTestServer({ plugins: ['ui'], config: { search: { memory_index: false, cache_mb: 0, timeout_ms: 300 } } });
    await server.admin.call('organization_create', { name: 'so-y-te', title: 'Sở Y tế' });
    await server.admin.call('package_create', { name: 'benh-vien', title: 'Bệnh viện', owner_org: 'so-y-te' });
  });
  after(() => server?.close());

  it('answers 409 Search Error on the API and says so on the search page', async () => {
    const { knex } = server.kernel.container.cradle;
    // Another transaction holding the search table keeps every search waiting.
    const holder = await knex.transaction();
    try {
      await holder.raw('lock table package_search in access exclusive mode');
      const api = await fetch(`${server.url}/api/3/action/package_search?q=benh`);
      expect(api.status).to.equal(409);
      const body = (await api.json()) as { success: boolean; error: { __type: string; message: string } };
      expect(body.error.__type).to.equal('Search Error');
      expect(body.error.message).to.include('took longer than 0.3 s');
      const page = await new WebClient(server.url).get('/dataset?q=benh');
      expect(page.status).to.equal(200);
      expect(pageText(page.text)).to.include('Tìm kiếm này chạy quá lâu nên đã bị dừng');
    } finally {
      await holder.rollback();
    }
    expect((await server.anon.call('package_search', { q: 'benh' })).count).to.equal(1);
  });
});
