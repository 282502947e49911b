// The DCAT-AP 3 catalogue as ckanext-dcat's clients see it: endpoints, formats, paging, content
// negotiation and errors; real output validated against the DCAT-AP 3.0.1 SHACL shapes; and read
// back by the harvest plugin's dcat_rdf harvester without losing what both sides know.
import { expect } from 'chai';
import type { TestServer } from '../../helpers/server.ts';
import { harvestNow } from '../harvest/helpers.ts';
import { startFederated } from './helpers.ts';
import { validateDcatAp } from './shacl.ts';

const SHA = 'a'.repeat(64);

async function parse(server: TestServer, text: string, syntax: 'xml' | 'turtle' | 'jsonld') {
  const dcat = server.kernel.container.cradle['harvest.dcat' as never] as any;
  return dcat.parseRdf(text, syntax, { baseIRI: server.url });
}

describe('federation: DCAT-AP catalogue', function () {
  this.timeout(90000);
  let province: TestServer;
  let rich: any;

  before(async () => {
    province = await startFederated({ siteUrl: 'http://tinh.example.gov.vn', federation: { datasets_per_page: 2, topic_groups: { 'giao-thong': 'co-so-ha-tang' } } });
    await province.admin.call('organization_create', {
      name: 'so-y-te',
      title: 'Sở Y tế',
      extras: [
        { key: 'ma_dinh_danh', value: 'H12.15' },
        { key: 'contact_name', value: 'Nguyễn Văn An' },
        { key: 'contact_email', value: 'an@syt.example.gov.vn' },
        { key: 'contact_phone', value: '0256 382 2222' },
        { key: 'contact_position', value: 'Chánh Văn phòng' },
      ],
    });
    rich = await province.admin.call('package_create', {
      name: 'co-so-kham-chua-benh',
      title: 'Danh sách cơ sở khám chữa bệnh',
      notes: 'Các bệnh viện, trạm y tế & phòng khám <đang hoạt động>.',
      owner_org: 'so-y-te',
      license_id: 'cc-by',
      url: 'http://tinh.example.gov.vn/y-te',
      version: '2.1',
      tags: [{ name: 'y tế' }, { name: 'bệnh viện' }],
      extras: [
        { key: 'ky_cap_nhat', value: 'quarterly' },
        { key: 'phan_loai_chia_se', value: 'mo' },
        { key: 'muc_do_quan_trong', value: 'khac' },
        { key: 'linh_vuc', value: 'y-te' },
        { key: 'temporal_start', value: '2024-01-01' },
        { key: 'temporal_end', value: '2024-12-31' },
      ],
      resources: [
        { url: 'http://tinh.example.gov.vn/files/co-so.csv', name: 'Danh sách (CSV)', description: 'Bảng đầy đủ', format: 'CSV', mimetype: 'text/csv', size: 2048, hash: SHA },
        { url: 'http://tinh.example.gov.vn/files/co-so.json', name: 'Danh sách (JSON)', format: 'JSON' },
      ],
    });
    for (const [name, sector] of [['duong-bo', 'giao-thong'], ['truong-hoc', 'giao-duc'], ['cho', null]] as const) {
      await province.admin.call('package_create', { name, title: `Dữ liệu ${name}`, owner_org: 'so-y-te', ...(sector ? { extras: [{ key: 'linh_vuc', value: sector }] } : {}) });
    }
    await province.admin.call('package_create', { name: 'rieng-tu', title: 'Riêng tư', owner_org: 'so-y-te', private: true });
  });
  after(async () => {
    await province?.close();
  });

  it('serves /catalog.{rdf,xml,ttl,n3,jsonld} with ckanext-dcat\'s content types, the same graph in each', async () => {
    const types = { rdf: 'application/rdf+xml', xml: 'application/rdf+xml', ttl: 'text/turtle', n3: 'text/n3', jsonld: 'application/ld+json' };
    const sizes: number[] = [];
    for (const [format, type] of Object.entries(types)) {
      const response = await province.anon.request(`/catalog.${format}`);
      expect(response.status, format).to.equal(200);
      expect(response.headers.get('content-type')).to.equal(`${type}; charset=utf-8`);
      const store = await parse(province, response.text, format === 'rdf' || format === 'xml' ? 'xml' : format === 'jsonld' ? 'jsonld' : 'turtle');
      sizes.push(store.size);
    }
    expect(new Set(sizes).size, `triples per format: ${sizes}`).to.equal(1);
  });

  it('pages the catalogue newest first with hydra links, and filters by q, fq and modified_since', async () => {
    const dcat = province.kernel.container.cradle['harvest.dcat' as never] as any;
    const first = await province.anon.request('/catalog.ttl');
    const store = await parse(province, first.text, 'turtle');
    const datasets = dcat.datasetsFromGraph(store);
    expect(datasets.map((d: any) => d.dict.title).sort()).to.deep.equal(['Dữ liệu cho', 'Dữ liệu truong-hoc']);
    expect(first.text).to.include('hydra:totalItems 4');
    const paging = dcat.pagingInfo(store, 'http://tinh.example.gov.vn/catalog.ttl?page=1');
    expect(paging).to.deep.equal({ next: 'http://tinh.example.gov.vn/catalog.ttl?page=2', totalItems: 4 });
    const last = await province.anon.request('/catalog.ttl?page=2');
    expect(last.text).to.include('hydra:previous "http://tinh.example.gov.vn/catalog.ttl?page=1"');
    expect(last.text).to.not.include('hydra:next ');
    expect(last.text).to.not.include('Riêng tư');

    const searched = await province.anon.request(`/catalog.ttl?q=${encodeURIComponent('khám chữa bệnh')}`);
    expect(dcat.datasetsFromGraph(await parse(province, searched.text, 'turtle')).map((d: any) => d.dict.title)).to.deep.equal(['Danh sách cơ sở khám chữa bệnh']);
    expect(searched.text).to.include('hydra:first "http://tinh.example.gov.vn/catalog.ttl?q=kh%C3%A1m+ch%E1%BB%AFa+b%E1%BB%87nh&page=1"');
    const filtered = await province.anon.request(`/catalog.ttl?fq=${encodeURIComponent('name:duong-bo')}`);
    expect(dcat.datasetsFromGraph(await parse(province, filtered.text, 'turtle')).map((d: any) => d.dict.title)).to.deep.equal(['Dữ liệu duong-bo']);
    const future = await province.anon.request('/catalog.ttl?modified_since=2999-01-01');
    expect(dcat.datasetsFromGraph(await parse(province, future.text, 'turtle'))).to.deep.equal([]);
    const past = await province.anon.request('/catalog.ttl?modified_since=2000-01-01T00:00:00');
    expect(past.text).to.include('hydra:totalItems 4');
  });

  it('answers bad page and modified_since values with ckanext-dcat\'s 409 messages, in English and Vietnamese', async () => {
    const page = await province.anon.request('/catalog.ttl?page=0');
    expect(page.status).to.equal(409);
    expect(page.body.error.__type).to.equal('Validation Error');
    expect(page.body.error.page[0]).to.equal('Page param must be a positive integer starting in 1 / Tham số page phải là số nguyên dương, bắt đầu từ 1');
    const date = await province.anon.request('/catalog.rdf?modified_since=yesterday-ish');
    expect(date.status).to.equal(409);
    expect(date.body.error.modified_since[0]).to.match(/^Wrong modified date format. Use ISO-8601 format/);
  });

  it('serves /dataset/{id}.{format}, with 404 for a missing dataset and 403 for a private one', async () => {
    for (const id of [rich.id, rich.name]) {
      const response = await province.anon.request(`/dataset/${id}.ttl`);
      expect(response.status).to.equal(200);
      expect(response.text).to.include(`<http://tinh.example.gov.vn/dataset/${rich.id}> a dcat:Dataset`);
    }
    expect((await province.anon.request('/dataset/khong-co.rdf')).status).to.equal(404);
    const hidden = await province.anon.request('/dataset/rieng-tu.rdf');
    expect(hidden.status).to.equal(403);
    expect(hidden.body.error.__type).to.equal('Authorization Error');
    expect((await province.admin.request('/dataset/rieng-tu.jsonld')).status).to.equal(200);
  });

  it('negotiates RDF on /dataset/{id} and /catalog from Accept, and leaves HTML requests alone', async () => {
    const turtle = await province.anon.request(`/dataset/${rich.name}`, { headers: { Accept: 'text/turtle' } });
    expect(turtle.headers.get('content-type')).to.equal('text/turtle; charset=utf-8');
    const jsonld = await province.anon.request('/catalog', { headers: { Accept: 'application/ld+json;q=0.9, text/html;q=0.5' } });
    expect(jsonld.headers.get('content-type')).to.equal('application/ld+json; charset=utf-8');
    expect(JSON.parse(jsonld.text)['@context']).to.be.an('object');
    const html = await province.anon.request(`/dataset/${rich.name}`, { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(html.headers.get('content-type') ?? '').to.not.match(/turtle|rdf|ld\+json/);
  });

  it('offers the same output through dcat_dataset_show, dcat_catalog_show and dcat_catalog_search', async () => {
    const shown = await province.anon.call('dcat_dataset_show', { id: rich.name, format: 'ttl' });
    expect(shown).to.equal((await province.anon.request(`/dataset/${rich.name}.ttl`)).text);
    const catalog = await province.anon.call('dcat_catalog_show', { format: 'ttl', page: 2 });
    expect(catalog).to.equal((await province.anon.request('/catalog.ttl?page=2')).text);
    const search = await province.anon.call('dcat_catalog_search', { format: 'jsonld', q: 'bệnh viện' });
    expect(search).to.include('Danh sách cơ sở khám chữa bệnh');
    const bad = await province.anon.post('dcat_dataset_show', { id: rich.name, format: 'pdf' });
    expect(bad.status).to.equal(409);
  });

  it('carries the Vietnamese profile: QĐ20 code, focal point vCard, classification, frequency, topic group, checksums', async () => {
    const text = await province.anon.call('dcat_dataset_show', { id: rich.name, format: 'ttl' });
    expect(text).to.include('vn:maDinhDanh "H12.15"');
    expect(text).to.match(/vcard:fn "Nguyễn Văn An"/);
    expect(text).to.include('vcard:hasEmail <mailto:an@syt.example.gov.vn>');
    expect(text).to.include('vcard:hasTelephone <tel:02563822222>');
    expect(text).to.include('vn:sharingClassification "mo"');
    expect(text).to.include('dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC>');
    expect(text).to.include('dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/QUARTERLY>');
    expect(text).to.include('dcat:theme <https://w3id.org/kho/vn/topic/y-te>');
    expect(text).to.include(`spdx:checksumValue "${SHA}"^^xsd:hexBinary`);
    expect(text).to.include('spdx:algorithm spdx:checksumAlgorithm_sha256');
    // The configured mapping wins over the built-in one (giao-thong → co-so-ha-tang either way here).
    expect(await province.anon.call('dcat_dataset_show', { id: 'duong-bo', format: 'ttl' })).to.include('dcat:theme <https://w3id.org/kho/vn/topic/co-so-ha-tang>');
  });

  it('serialises with the profiles asked for (ckanext-dcat\'s profiles=), keeps them in paging links, and refuses unknown ones with 409', async () => {
    const plain = await province.anon.request(`/dataset/${rich.name}.ttl?profiles=euro_dcat_ap_3`);
    expect(plain.status).to.equal(200);
    expect(plain.text).to.include(`<http://tinh.example.gov.vn/dataset/${rich.id}> a dcat:Dataset`);
    expect(plain.text).not.to.include('vn:maDinhDanh');
    expect(plain.text).not.to.include('vn:sharingClassification');
    for (const profiles of ['vn_dcat_ap', 'euro_dcat_ap_3,vn_dcat_ap']) {
      expect((await province.anon.request(`/dataset/${rich.name}.ttl?profiles=${profiles}`)).text).to.include('vn:sharingClassification "mo"');
    }
    expect(await province.anon.call('dcat_dataset_show', { id: rich.name, format: 'ttl', profiles: 'euro_dcat_ap_3' })).to.equal(plain.text);

    const page = await province.anon.request('/catalog.ttl?profiles=euro_dcat_ap_3&page=1');
    expect(page.text).not.to.include('vn:sharingClassification');
    expect(page.text).to.include('profiles=euro_dcat_ap_3&page=2');

    for (const response of [
      await province.anon.request(`/dataset/${rich.name}.ttl?profiles=nope,euro_dcat_ap_3`),
      await province.anon.request('/catalog.rdf?profiles=nope'),
      await province.anon.post('dcat_catalog_show', { profiles: 'nope' }),
    ]) {
      expect(response.status).to.equal(409);
      expect(response.body.error.__type).to.equal('Validation Error');
      expect(response.body.error.profiles[0]).to.match(/^Unknown RDF profiles: nope \/ /);
    }
  });

  it('serves ckanext-dcat\'s JSON interface: /dcat.json and dcat_datasets_list, paged, public datasets only', async () => {
    const pages = [];
    for (let page = 1; page <= 3; page++) {
      const response = await province.anon.request(`/dcat.json?page=${page}`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.equal('application/json; charset=utf-8');
      pages.push(JSON.parse(response.text));
    }
    expect(pages.map((page) => page.length)).to.deep.equal([2, 2, 0]);
    const all = pages.flat();
    expect(all.map((entry: any) => entry.title).sort()).to.deep.equal(['Danh sách cơ sở khám chữa bệnh', 'Dữ liệu cho', 'Dữ liệu duong-bo', 'Dữ liệu truong-hoc']);
    const entry = all.find((e: any) => e.title === rich.title);
    expect(entry).to.deep.include({ description: rich.notes, landingPage: 'http://tinh.example.gov.vn/y-te' });
    expect(entry.keyword.sort()).to.deep.equal(['bệnh viện', 'y tế']);
    expect(entry.distribution).to.deep.include({ title: 'Danh sách (CSV)', description: 'Bảng đầy đủ', format: 'CSV', byteSize: 2048, accessURL: 'http://tinh.example.gov.vn/files/co-so.csv' });
    expect(await province.anon.call('dcat_datasets_list', { page: 1 })).to.deep.equal(pages[0]);

    const bad = await province.anon.request('/dcat.json?page=0');
    expect(bad.status).to.equal(409);
    expect(bad.body.error.page[0]).to.match(/^Page param must be a positive integer starting in 1/);
  });

  it('is read page by page by the dcat_json harvester', async () => {
    const national = await startFederated();
    try {
      await national.admin.call('organization_create', { name: 'tinh-json', title: 'Tỉnh' });
      const source = await national.admin.call('harvest_source_create', { name: 'tinh-dcat-json', url: `${province.url}/dcat.json`, source_type: 'dcat_json', owner_org: 'tinh-json' });
      const job = await harvestNow(national, source.id);
      expect(job.stats).to.include({ added: 4, errored: 0 });
      const copy = (await national.anon.call('package_search', { q: 'khám chữa bệnh', rows: 10 })).results[0];
      expect(copy.title).to.equal(rich.title);
      expect(copy.notes).to.equal(rich.notes);
      expect(copy.resources.map((r: any) => r.url).sort()).to.deep.equal(rich.resources.map((r: any) => r.url).sort());
    } finally {
      await national.close();
    }
  });

  it('conforms to the DCAT-AP 3.0.1 SHACL shapes', async function () {
    for (const path of ['/catalog.ttl', '/catalog.ttl?page=2', `/dataset/${rich.name}.ttl`, `/dataset/${rich.name}.ttl?profiles=euro_dcat_ap_3`]) {
      const response = await province.anon.request(path);
      const report = await validateDcatAp(response.text);
      expect(report.violations, `${path}: ${JSON.stringify(report.violations)}`).to.deep.equal([]);
    }
    // The other syntaxes carry the same graph: RDF/XML, re-read and validated.
    const dcat = province.kernel.container.cradle['harvest.dcat' as never] as any;
    const xml = await parse(province, (await province.anon.request('/catalog.rdf')).text, 'xml');
    const report = await validateDcatAp(await dcat.serializeQuads(xml.getQuads(null, null, null, null), 'turtle'));
    expect(report.violations).to.deep.equal([]);
  });

  it('is read back by the dcat_rdf harvester with every field both sides know', async () => {
    const national = await startFederated();
    try {
      await national.admin.call('organization_create', { name: 'tinh', title: 'Tỉnh' });
      // The province's site URL is not where it listens in this test: hydra links point at site.url.
      const source = await national.admin.call('harvest_source_create', { name: 'tinh-dcat', url: `${province.url}/catalog.rdf?q=${encodeURIComponent('khám chữa bệnh')}`, source_type: 'dcat_rdf', owner_org: 'tinh' });
      const job = await harvestNow(national, source.id);
      expect(job.stats.errored ?? 0).to.equal(0);
      const found = await national.anon.call('package_search', { q: '*:*', rows: 10 });
      expect(found.count).to.equal(1);
      const copy = found.results[0];
      const original = await province.anon.call('package_show', { id: rich.id });
      const extra = (pkg: any, key: string) => pkg.extras.find((e: any) => e.key === key)?.value;
      expect(copy.title).to.equal(original.title);
      expect(copy.notes).to.equal(original.notes);
      expect(copy.url).to.equal(original.url);
      expect(copy.version).to.equal(original.version);
      expect(copy.license_id).to.equal(original.license_id);
      expect(copy.tags.map((t: any) => t.name).sort()).to.deep.equal(original.tags.map((t: any) => t.name).sort());
      expect(extra(copy, 'identifier')).to.equal(original.id);
      expect(extra(copy, 'uri')).to.equal(`http://tinh.example.gov.vn/dataset/${original.id}`);
      expect(extra(copy, 'issued')).to.equal(original.metadata_created);
      expect(extra(copy, 'modified')).to.equal(original.metadata_modified);
      expect(extra(copy, 'temporal_start')).to.equal('2024-01-01');
      expect(extra(copy, 'temporal_end')).to.equal('2024-12-31');
      expect(extra(copy, 'contact_name')).to.equal('Nguyễn Văn An');
      expect(extra(copy, 'contact_email')).to.equal('an@syt.example.gov.vn');
      expect(extra(copy, 'publisher_name')).to.equal('Sở Y tế');
      expect(extra(copy, 'frequency')).to.equal('http://publications.europa.eu/resource/authority/frequency/QUARTERLY');
      const pick = (r: any) => ({ name: r.name, description: r.description ?? '', url: r.url, format: r.format, mimetype: r.mimetype ?? null, size: r.size ?? null, hash: r.hash ?? '' });
      const byName = (a: any, b: any) => a.name.localeCompare(b.name);
      expect(copy.resources.map(pick).sort(byName)).to.deep.equal(original.resources.map(pick).sort(byName));
    } finally {
      await national.close();
    }
  });
});
