// `dcat_rdf` and `dcat_json` against fixture files served on loopback: one catalogue in RDF/XML,
// Turtle, JSON-LD and N-Triples giving the same datasets, hydra paging (and a paging loop), the
// DCAT-AP 3.0.1 examples, a document declaring XML entities, DCAT-US data.json, and the
// CKAN → DCAT direction of the shared mapping (harvest.dcat).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestServer } from '../../helpers/server.ts';
import { FIXTURES, harvestNow, makeOrg, send, startFixtureServer, startHarvester, type FixtureServer } from './helpers.ts';

const TYPES: Record<string, string> = {
  '.ttl': 'text/turtle; charset=utf-8',
  '.rdf': 'application/rdf+xml',
  '.jsonld': 'application/ld+json',
  '.nt': 'application/n-triples',
  '.json': 'application/json',
};

function extras(pkg: any): Record<string, string> {
  return Object.fromEntries(pkg.extras.map((e: any) => [e.key, e.value]));
}

/** What the mapping produced, without what differs per source (ids, provenance, times). */
function essence(pkg: any) {
  const ex = extras(pkg);
  for (const key of Object.keys(ex)) if (key.startsWith('harvest_')) delete ex[key];
  return {
    title: pkg.title,
    notes: pkg.notes,
    url: pkg.url,
    version: pkg.version,
    license_id: pkg.license_id,
    tags: pkg.tags.map((t: any) => t.name).sort(),
    extras: ex,
    resources: pkg.resources.map((r: any) => ({ name: r.name, url: r.url, format: r.format, mimetype: r.mimetype, size: r.size, hash: r.hash, uri: r.uri ?? null })),
  };
}

describe('harvest › DCAT harvesters', function () {
  this.timeout(60000);
  let local: TestServer;
  let files: FixtureServer;

  before(async () => {
    files = await startFixtureServer({
      '*': (_req, res, url) => {
        const name = path.basename(url.pathname);
        let body: Buffer;
        try {
          body = readFileSync(path.join(FIXTURES, 'dcat', name));
        } catch {
          return send(res, 404, 'not found', 'text/plain');
        }
        const type = url.pathname.startsWith('/untyped/') ? 'text/plain' : (TYPES[path.extname(name)] ?? 'application/octet-stream');
        send(res, 200, body, type);
      },
    });
    local = await startHarvester();
    await makeOrg(local, 'so-tt-tt', 'Sở Thông tin và Truyền thông');
  });
  after(async () => {
    await Promise.all([local?.close(), files?.close()]);
  });

  async function harvest(name: string, url: string, type = 'dcat_rdf', config: Record<string, unknown> = {}) {
    const source = await local.admin.call('harvest_source_create', { name, url, source_type: type, owner_org: 'so-tt-tt', config });
    const job = await harvestNow(local, source.id);
    const report = await local.admin.call('harvest_job_report', { id: job.id });
    const datasets = await Promise.all(report.objects.filter((o: any) => o.package_id).map((o: any) => local.anon.call('package_show', { id: o.package_id })));
    return { source, job, report, datasets: datasets.sort((a: any, b: any) => a.title.localeCompare(b.title)) };
  }

  const mapped: Record<string, any[]> = {};
  for (const ext of ['ttl', 'rdf', 'jsonld', 'nt']) {
    it(`reads the catalogue in ${ext}`, async () => {
      const { job, datasets } = await harvest(`danh-muc-${ext}`, `${files.url}/catalog.${ext}`);
      expect(job.stats).to.deep.equal({ added: 3, updated: 0, 'not modified': 0, errored: 0, deleted: 0 });
      mapped[ext] = datasets.map(essence);
    });
  }

  it('maps DCAT to CKAN the same way whatever the syntax', () => {
    expect(mapped.rdf).to.deep.equal(mapped.ttl);
    expect(mapped.jsonld).to.deep.equal(mapped.ttl);
    expect(mapped.nt).to.deep.equal(mapped.ttl);
    const [health, tourism, school] = mapped.ttl;
    expect(health.title).to.equal('Danh sách cơ sở khám chữa bệnh'); // the site's language wins
    expect(health.notes).to.equal('Danh sách bệnh viện, trạm y tế và phòng khám trên địa bàn tỉnh.');
    expect(health.url).to.equal('https://syt.binhdinh.gov.vn/co-so-kham-chua-benh');
    expect(health.version).to.equal('2.1');
    expect(health.license_id).to.equal('cc-by');
    expect(health.tags).to.deep.equal(['bệnh viện', 'health', 'y tế']);
    expect(health.extras).to.deep.equal({
      access_rights: 'http://publications.europa.eu/resource/authority/access-right/PUBLIC',
      alternate_identifier: '["000.00.15.H08-SYT-01"]',
      contact_email: 'khtc.syt@binhdinh.gov.vn',
      contact_name: 'Phòng Kế hoạch - Tài chính, Sở Y tế',
      documentation: '["https://syt.binhdinh.gov.vn/huong-dan"]',
      frequency: 'http://publications.europa.eu/resource/authority/frequency/QUARTERLY',
      identifier: 'BD-SYT-0001',
      issued: '2023-03-01',
      language: '["http://publications.europa.eu/resource/authority/language/VIE"]',
      modified: '2024-04-15T08:30:00',
      publisher_email: 'syt@binhdinh.gov.vn',
      publisher_name: 'Sở Y tế tỉnh Bình Định',
      publisher_uri: 'https://data.binhdinh.gov.vn/organization/so-y-te',
      publisher_url: 'https://syt.binhdinh.gov.vn/',
      spatial: '{"type": "Point", "coordinates": [109.22, 13.78]}',
      spatial_text: 'Tỉnh Bình Định',
      temporal_end: '2024-12-31',
      temporal_start: '2020-01-01',
      theme: '["http://publications.europa.eu/resource/authority/data-theme/HEAL"]',
      uri: 'https://data.binhdinh.gov.vn/dataset/co-so-kham-chua-benh',
    });
    expect(health.resources).to.deep.equal([
      { name: 'API tra cứu', url: 'https://api.binhdinh.gov.vn/y-te/co-so', format: 'JSON', mimetype: null, size: null, hash: null, uri: 'https://data.binhdinh.gov.vn/dataset/co-so-kham-chua-benh/resource/api' },
      {
        name: 'Danh sách (CSV)',
        url: 'https://syt.binhdinh.gov.vn/files/co-so.csv',
        format: 'CSV',
        mimetype: 'text/csv',
        size: 48213,
        hash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        uri: 'https://data.binhdinh.gov.vn/dataset/co-so-kham-chua-benh/resource/csv',
      },
    ]);
    // A blank-node dataset is identified by dct:identifier; an invalid keyword is cleaned, not fatal.
    expect(school.title).to.equal('Trường học phổ thông');
    expect(school.tags).to.deep.equal(['giáo dục', 'trường học school']);
    expect(tourism.resources[0]).to.include({ url: 'https://dulich.binhdinh.gov.vn/diem.xlsx', format: 'XLSX' });
  });

  it('names datasets from their titles (Vietnamese transliterated) and links back to the source', async () => {
    const pkg = await local.anon.call('package_show', { id: 'danh-sach-co-so-kham-chua-benh' });
    expect(pkg.organization.name).to.equal('so-tt-tt');
    const ex = extras(pkg);
    expect(ex.harvest_original_url).to.equal('https://data.binhdinh.gov.vn/dataset/co-so-kham-chua-benh');
    expect(ex.harvest_source_title).to.equal('danh-muc-ttl');
  });

  it('a second run over the same catalogue changes nothing (blank nodes included)', async () => {
    const job = await harvestNow(local, 'danh-muc-ttl');
    expect(job.stats).to.deep.equal({ added: 0, updated: 0, 'not modified': 3, errored: 0, deleted: 0 });
  });

  it('sniffs the syntax when the Content-Type does not say', async () => {
    const { job } = await harvest('khong-kieu', `${files.url}/untyped/catalog.ttl`);
    expect(job.stats.added).to.equal(3);
    const forced = await harvest('ep-kieu', `${files.url}/untyped/catalog.nt`, 'dcat_rdf', { rdf_format: 'ntriples' });
    expect(forced.job.stats.added).to.equal(3);
  });

  it('follows hydra paging, and stops a paging loop with an error', async () => {
    const paged = await harvest('phan-trang', `${files.url}/page1.ttl`);
    expect(paged.job.stats.added).to.equal(3);
    expect(files.requests).to.include('/page2.ttl');
    expect(paged.datasets.map((d: any) => d.title)).to.deep.equal(['Ba', 'Hai', 'Một']);

    const loop = await harvest('vong-lap', `${files.url}/loop1.ttl`);
    expect(loop.job.stats.added).to.equal(2);
    expect(loop.report.gather_errors[0].message).to.match(/Paging loops back to a page already read \(.*loop1\.ttl\)/);
  });

  it('reads the DCAT-AP 3.0.1 examples', async () => {
    const { datasets } = await harvest('ong-mat', `${files.url}/example-bee-population.ttl`);
    expect(datasets.map((d: any) => [d.title, d.name])).to.deep.equal([['Bee population', 'bee-population']]);
    expect(extras(datasets[0]).uri).to.equal('https://data.gov.gr/id/dataset/BeePopulation');
    const series = await harvest('chuoi-ong-mat', `${files.url}/example-bee-population-dataset-series.ttl`);
    expect(series.datasets.map((d: any) => d.title)).to.deep.equal(['Bee population', 'BeePopulation2022', 'BeePopulation2023']);
    const member = series.datasets.find((d: any) => d.title === 'BeePopulation2022');
    expect(extras(member).in_series).to.equal('["https://data.gov.gr/id/datasetseries/BeePopulation"]');
    expect(extras(series.datasets[0]).dataset_series).to.equal('true');
    // The series' own title collides with the dataset harvested just before: deterministic suffix.
    expect(series.datasets[0].name).to.match(/^bee-population-[0-9a-f]{6}$/);
  });

  it('refuses XML that declares entities', async () => {
    const { job, report } = await harvest('xxe', `${files.url}/xxe.rdf`);
    expect(job.stats.added).to.equal(0);
    expect(report.gather_errors[0].message).to.match(/declares XML entities \(<!ENTITY>\); they are refused/);
    const found = await local.admin.call('package_search', { q: 'root', include_private: true });
    expect(found.count).to.equal(0);
  });

  it('an HTML page instead of RDF is a clear error', async () => {
    files.route('/portal.html', (_req, res) => send(res, 200, '<!doctype html><html><head><title>Cổng dữ liệu</title></head></html>', 'text/html'));
    const { report } = await harvest('trang-html', `${files.url}/portal.html`);
    expect(report.gather_errors[0].message).to.match(/sent an HTML page instead of an RDF document \(HTTP 200, page title "Cổng dữ liệu"\)/);
  });

  it('harvests DCAT-US data.json', async () => {
    const { job, datasets } = await harvest('du-lieu-my', `${files.url}/data.json`, 'dcat_json');
    expect(job.stats.added).to.equal(3);
    const [air, untitled, river] = datasets;
    expect(air.title).to.equal('Chất lượng không khí tự động');
    expect(air.license_id).to.equal('cc-by');
    expect(air.url).to.equal('https://stnmt.binhdinh.gov.vn/khong-khi');
    expect(air.tags.map((t: any) => t.name).sort()).to.deep.equal(['không khí', 'môi trường', 'quan trắc']);
    expect(extras(air)).to.include({
      identifier: 'https://stnmt.binhdinh.gov.vn/data/khong-khi',
      publisher_name: 'Trung tâm Quan trắc, Sở Tài nguyên và Môi trường',
      contact_email: 'quantrac@stnmt.binhdinh.gov.vn',
      temporal_start: '2022-01-01',
      temporal_end: '2024-12-31',
      access_level: 'public',
      bureau_code: '["015:11"]',
      spatial_text: 'Bình Định',
    });
    expect(air.resources.map((r: any) => [r.name, r.url, r.format])).to.deep.equal([
      ['Số liệu giờ (CSV)', 'https://stnmt.binhdinh.gov.vn/data/khong-khi.csv', 'CSV'],
      ['API', 'https://api.stnmt.binhdinh.gov.vn/khong-khi', 'API'],
    ]);
    expect(river.license_id).to.equal('odc-odbl');
    expect(untitled.title).to.equal('Dữ liệu không có định danh');
    const again = await harvestNow(local, 'du-lieu-my');
    expect(again.stats['not modified']).to.equal(3);
  });

  it('shares the mapping as the harvest.dcat service, both ways', async () => {
    const dcat = local.kernel.container.cradle['harvest.dcat'] as any;
    const pkg = await local.anon.call('package_show', { id: 'danh-sach-co-so-kham-chua-benh' });
    const quads = await dcat.datasetToQuads(pkg, { baseUri: 'https://kho.example', language: 'vi' });
    for (const syntax of ['turtle', 'ntriples', 'jsonld']) {
      const text = await dcat.serializeQuads(quads, syntax);
      const store = await dcat.parseRdf(text, syntax, { baseIRI: 'https://kho.example/' });
      const [back] = dcat.datasetsFromGraph(store, { language: 'vi' });
      const before = essence(pkg);
      const after = essence({ ...back.dict, extras: back.dict.extras, tags: back.dict.tags, resources: back.dict.resources });
      expect(after.title).to.equal(before.title);
      expect(after.notes).to.equal(before.notes);
      expect(after.license_id).to.equal('cc-by');
      expect(after.tags).to.deep.equal(before.tags);
      for (const key of ['identifier', 'contact_email', 'publisher_name', 'temporal_start', 'temporal_end', 'theme', 'uri', 'spatial_text']) expect(after.extras[key], key).to.equal(before.extras[key]);
      expect(after.resources.map((r: any) => r.url).sort()).to.deep.equal(before.resources.map((r: any) => r.url).sort());
    }
  });
});
