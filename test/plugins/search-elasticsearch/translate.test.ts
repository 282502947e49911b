// The Elasticsearch backend without Elasticsearch: the query AST → query DSL translation, the index
// mapping and the documents. What Elasticsearch then does with them is the conformance suite's
// (test/core/package-search-api.test.ts with ES_URL set).
import { expect } from 'chai';
import { SearchError, SearchQueryError } from '../../../core/errors.ts';
import { parseQuery, parseSort } from '../../../core/search/query-parser.ts';
import { buildIndexDocument } from '../../../core/search/index-document.ts';
import { tokenize } from '../../../core/search/analysis.ts';
import { buildSearchRequest, readFacets, translateNode, UNLIMITED_FACET_SIZE } from '../../../plugins/search-elasticsearch/services/translate.ts';
import { indexMappings, indexSettings, MAX_RESULT_WINDOW, WORD_SEPARATORS } from '../../../plugins/search-elasticsearch/services/mapping.ts';
import { esDocument } from '../../../plugins/search-elasticsearch/services/document.ts';
import { clientOptions } from '../../../plugins/search-elasticsearch/services/backend.ts';
import { searchErrorFrom, SearchConnectionError } from '../../../plugins/search-elasticsearch/services/errors.ts';
import { packageDict, searchQuery } from '../../core/search/search-fixtures.ts';

const NOW = new Date('2024-07-01T00:00:00Z');
const fq = (text: string) => translateNode(parseQuery(text, { param: 'fq' }), { now: NOW });

describe('search-elasticsearch: query translation', () => {
  it('matches exact fields as case-sensitive terms, with prefixes, wildcards and existence', () => {
    expect(fq('tags:economy')).to.deep.equal({ term: { tags: { value: 'economy' } } });
    expect(fq('organization:"so-y-te"')).to.deep.equal({ term: { organization: { value: 'so-y-te' } } });
    expect(fq('name:gov*')).to.deep.equal({ prefix: { name: { value: 'gov' } } });
    expect(fq('name:th?rd-dataset')).to.deep.equal({ wildcard: { name: { value: 'th?rd-dataset' } } });
    expect(fq('license_id:*')).to.deep.equal({ exists: { field: 'license_id' } });
    expect(fq('spatial:"Hà Nội"')).to.deep.equal({ term: { spatial: { value: 'Hà Nội' } } });
  });

  it('matches text fields by folded words: one word, a phrase, a prefix, a pattern', () => {
    expect(fq('title:record')).to.deep.equal({ match: { title: { query: 'record' } } });
    expect(fq('title:"ha noi"')).to.deep.equal({ match_phrase: { title: { query: 'ha noi' } } });
    // A term the analyser splits is a phrase, as Lucene makes of it.
    expect(fq('text:moi-truong')).to.deep.equal({ match_phrase: { text: { query: 'moi-truong' } } });
    expect(fq('title:Hà*')).to.deep.equal({ prefix: { title: { value: 'ha' } } });
    expect(fq('title:*CORD')).to.deep.equal({ wildcard: { title: { value: '*cord' } } });
    expect(fq('notes:AQI')).to.deep.equal({ match: { notes: { query: 'AQI' } } });
    expect(fq('extras_spatial:noi')).to.deep.equal({ match: { extras_spatial: { query: 'noi' } } });
    // Decomposed marks arrive composed (documents are stored NFC).
    expect(fq('title:Ha\u0300')).to.deep.equal({ match: { title: { query: 'Hà' } } });
    // Only punctuation: nothing to match, the clause is dropped (Lucene).
    expect(fq('title:"&"')).to.equal(null);
  });

  it('resolves dates and numbers, and ranges with Solr date math', () => {
    expect(fq('metadata_modified:[2024-05-01T09:00:00.123456Z TO *]')).to.deep.equal({ range: { metadata_modified: { gte: '2024-05-01T09:00:00.123456Z' } } });
    expect(fq('metadata_modified:{2024-05-01T09:00:00 TO NOW]')).to.deep.equal({
      range: { metadata_modified: { gt: '2024-05-01T09:00:00.000000Z', lte: '2024-07-01T00:00:00.000000Z' } },
    });
    expect(fq('metadata_modified:[NOW-1MONTH/DAY TO NOW]')).to.deep.equal({
      range: { metadata_modified: { gte: '2024-06-01T00:00:00.000000Z', lte: '2024-07-01T00:00:00.000000Z' } },
    });
    expect(fq('metadata_modified:"2024-06-01T00:00:00Z"')).to.deep.equal({ term: { metadata_modified: '2024-06-01T00:00:00.000000Z' } });
    expect(fq('release_date:[2020-01-01 TO *]')).to.deep.equal({ range: { release_date: { gte: '2020-01-01T00:00:00.000000Z' } } });
    expect(fq('num_resources:[2 TO *]')).to.deep.equal({ range: { num_resources: { gte: 2 } } });
    expect(fq('num_tags:{2 TO 5}')).to.deep.equal({ range: { num_tags: { gt: 2, lt: 5 } } });
    expect(fq('num_resources:1')).to.deep.equal({ term: { num_resources: 1 } });
    expect(fq('name:[a TO m}')).to.deep.equal({ range: { name: { gte: 'a', lt: 'm' } } });
  });

  it('keeps date bounds on metadata_* within what date_nanos holds (1970 to 2262), as Elasticsearch refuses others', () => {
    // A harvester's "everything since the beginning" and "until far in the future".
    expect(fq('metadata_modified:[1900-01-01T00:00:00Z TO *]')).to.deep.equal({ exists: { field: 'metadata_modified' } });
    expect(fq('metadata_created:[2020-01-01T00:00:00Z TO 9999-12-31T23:59:59Z]')).to.deep.equal({ range: { metadata_created: { gte: '2020-01-01T00:00:00.000000Z' } } });
    expect(fq('metadata_modified:[1900-01-01T00:00:00Z TO 2020-01-01T00:00:00Z]')).to.deep.equal({ range: { metadata_modified: { lte: '2020-01-01T00:00:00.000000Z' } } });
    expect(fq('metadata_modified:[* TO 1969-12-31T00:00:00Z]')).to.deep.equal({ match_none: {} });
    expect(fq('metadata_modified:[2300-01-01T00:00:00Z TO *]')).to.deep.equal({ match_none: {} });
    expect(fq('metadata_modified:"1900-01-01T00:00:00Z"')).to.deep.equal({ match_none: {} });
    expect(fq('metadata_modified:[NOW-100YEARS TO NOW+300YEARS]')).to.deep.equal({ exists: { field: 'metadata_modified' } });
    // Other dates are millisecond dates, which hold those years.
    expect(fq('release_date:[1900-01-01 TO *]')).to.deep.equal({ range: { release_date: { gte: '1900-01-01T00:00:00.000000Z' } } });
  });

  it('refuses what the PostgreSQL backend refuses, with the same errors', () => {
    expect(() => fq('title:[a TO b]')).to.throw(SearchQueryError, 'Range queries are not supported on the text field title');
    expect(() => fq('metadata_modified:2024*')).to.throw(SearchQueryError, 'Wildcards are not supported on the date field metadata_modified');
    expect(() => fq('num_resources:[two TO *]')).to.throw(SearchQueryError, "Invalid number: 'two'");
    expect(() => fq('metadata_modified:[yesterday TO *]')).to.throw(SearchQueryError);
    expect(() => buildSearchRequest(searchQuery('*:*', { sort: parseSort('title asc') }), NOW)).to.throw(SearchError, 'Can not sort on a text field: title');
    expect(() => buildSearchRequest(searchQuery('*:*', { sort: parseSort('tags desc') }), NOW)).to.throw(SearchError, 'Can not sort on a multi-valued field: tags');
  });

  it('keeps Lucene\'s boolean rules: required, optional, prohibited, purely negative', () => {
    expect(fq('-organization:a -organization:b')).to.deep.equal({
      bool: {
        must_not: [{ term: { organization: { value: 'a' } } }, { term: { organization: { value: 'b' } } }],
        must: [{ match_all: {} }],
      },
    });
    expect(fq('organization:a OR organization:b')).to.deep.equal({
      bool: { should: [{ term: { organization: { value: 'a' } } }, { term: { organization: { value: 'b' } } }], minimum_should_match: 1 },
    });
    // The harvester's quirk: the OR-ed organizations go optional next to the required date.
    const quirk = fq('organization:a OR organization:b metadata_modified:[2024-05-01T00:00:00Z TO *]')!;
    expect(quirk.bool.must).to.have.length(1);
    expect(quirk.bool.should).to.have.length(2);
    expect(quirk.bool.minimum_should_match).to.equal(0);
    expect(fq('*:*')).to.deep.equal({ match_all: {} });
  });

  it('scores free text as CKAN\'s dismax over name^4 title^4 tags^2 groups^2 text, with its minimum match', () => {
    const request = buildSearchRequest(searchQuery('ngân sách xyzzy'), NOW);
    const must = request.query.bool.must[0];
    expect(must.bool.minimum_should_match).to.equal(2);
    expect(must.bool.should).to.have.length(3);
    expect(must.bool.should[0]).to.deep.equal({
      multi_match: { query: 'ngân', fields: ['name.text^4', 'title^4', 'tags.text^2', 'groups.text^2', 'text'], type: 'best_fields', tie_breaker: 0.1, operator: 'and' },
    });
    // Bonuses that never decide matching: the words as written, and adjacent words.
    expect(request.query.bool.minimum_should_match).to.equal(0);
    expect(request.query.bool.should).to.deep.equal([
      { multi_match: { query: 'ngân sách xyzzy', fields: ['name.exact^4', 'title.exact^4', 'tags.exact^2', 'groups.exact^2'], type: 'best_fields', boost: 0.5 } },
      { multi_match: { query: 'ngân sách xyzzy', fields: ['name.text^4', 'title^4', 'tags.text^2', 'groups.text^2'], type: 'phrase', slop: 0, boost: 1 } },
    ]);
    // Without marks there is nothing exact to prefer; one word has no neighbour.
    expect(buildSearchRequest(searchQuery('population'), NOW).query.bool.should).to.equal(undefined);
    expect(buildSearchRequest(searchQuery('"Government Expenditure"'), NOW).query.bool.must[0].multi_match.type).to.equal('phrase');
  });

  it('filters by visibility and fq without scoring, and pages, sorts and counts', () => {
    const request = buildSearchRequest(
      searchQuery('title:record', { filters: [parseQuery('organization:so-y-te')], start: 90000, rows: 100, sort: parseSort('id asc'), labels: ['public', 'member-x'], includePrivate: true, states: ['active', 'draft'] }),
      NOW,
    );
    expect(request.query.bool.filter).to.deep.equal([
      { terms: { state: ['active', 'draft'] } },
      { terms: { permission_labels: ['public', 'member-x'] } },
      { term: { organization: { value: 'so-y-te' } } },
    ]);
    expect(request.query.bool.must).to.deep.equal([{ match: { title: { query: 'record' } } }]);
    expect(request).to.include({ from: 90000, size: 100, track_total_hits: true });
    expect(request._source).to.deep.equal(['kho_package']);
    expect(request.sort).to.deep.equal([{ id: { order: 'asc', missing: '_last', unmapped_type: 'keyword' } }]);
    const anonymous = buildSearchRequest(searchQuery(''), NOW);
    expect(anonymous.query.bool.filter).to.deep.equal([{ terms: { state: ['active'] } }, { term: { capacity: 'public' } }, { terms: { permission_labels: ['public'] } }]);
    expect(anonymous.sort).to.deep.equal([
      { _score: { order: 'desc' } },
      { metadata_modified: { order: 'desc', missing: '_last', unmapped_type: 'date_nanos' } },
      { id: { order: 'asc' } },
    ]);
    expect(buildSearchRequest(searchQuery('', { sort: parseSort('title_string asc') }), NOW).sort[0]).to.deep.equal({
      title_sort: { order: 'asc', missing: '_last', unmapped_type: 'keyword' },
    });
    expect(buildSearchRequest(searchQuery('', { sort: [], labels: null }), NOW).query.bool.filter).to.have.length(2);
  });

  it('asks for facets as terms aggregations, most frequent first, and reads them back', () => {
    const query = searchQuery('', { facetFields: ['organization', 'tags', 'notes', 'tags'], facetLimit: -1, facetMincount: 2 });
    const request = buildSearchRequest(query, NOW);
    expect(request.aggs).to.deep.equal({
      f0: { terms: { field: 'organization', size: UNLIMITED_FACET_SIZE, min_doc_count: 2, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
      f1: { terms: { field: 'tags', size: UNLIMITED_FACET_SIZE, min_doc_count: 2, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
    });
    const facets = readFacets(query, { f0: { buckets: [{ key: 'so-y-te', doc_count: 3 }] }, f1: { buckets: [{ key: 'y tế', doc_count: 2 }, { key: 'x', doc_count: 2 }] } });
    expect(facets).to.deep.equal({ organization: { 'so-y-te': 3 }, tags: { 'y tế': 2, x: 2 }, notes: {} });
    expect(buildSearchRequest(searchQuery('', { facetFields: ['license_id'], facetLimit: 0 }), NOW).aggs!.f0.terms.size).to.equal(1);
  });
});

describe('search-elasticsearch: mapping and documents', () => {
  it('splits words as the core does, folds for matching, and keeps the marks in an exact sub-field', () => {
    const settings = indexSettings({ shards: 1, replicas: 0 }) as any;
    expect(new RegExp(WORD_SEPARATORS, 'u').source).to.equal('[^\\p{L}\\p{N}\\p{M}]+');
    expect(settings.analysis.tokenizer.kho_words).to.deep.equal({ type: 'pattern', pattern: WORD_SEPARATORS });
    expect(settings.analysis.analyzer.kho_folded.filter).to.deep.equal(['lowercase', 'kho_length', 'kho_fold']);
    expect(settings.analysis.filter.kho_fold.type).to.equal('asciifolding');
    expect(settings.analysis.analyzer.kho_exact.filter).to.deep.equal(['lowercase', 'kho_length']);
    // Lucene refuses a document with a term over 32,766 bytes; the core drops words over 100 characters.
    expect(settings.analysis.filter.kho_length).to.deep.equal({ type: 'length', max: 100 });
    // A national catalogue gathers every province's extra keys, two fields each.
    expect(settings['mapping.total_fields.limit']).to.be.at.least(10_000);
    expect(settings.max_result_window).to.equal(MAX_RESULT_WINDOW);
    expect(MAX_RESULT_WINDOW).to.be.greaterThan(100_000);
    // The tokenizer is the one the core's analysis uses for every other backend.
    expect('Thành phố Hà Nội, 2023/24'.split(new RegExp(WORD_SEPARATORS, 'u'))).to.deep.equal(['Thành', 'phố', 'Hà', 'Nội', '2023', '24']);
    expect(tokenize('Thành phố Hà Nội')).to.deep.equal(['thanh', 'pho', 'ha', 'noi']);
  });

  it('maps CKAN\'s exact fields as keywords, text fields analysed, dates with microseconds, extras by pattern', () => {
    const mappings = indexMappings() as any;
    for (const field of ['id', 'name', 'tags', 'groups', 'organization']) expect(mappings.properties[field].type, field).to.equal('keyword');
    for (const field of ['title', 'notes', 'res_name', 'res_description', 'author', 'maintainer', 'text', 'urls']) {
      expect(mappings.properties[field]).to.include({ type: 'text', analyzer: 'kho_folded' });
    }
    expect(mappings.properties.title.fields.exact.analyzer).to.equal('kho_exact');
    expect(mappings.properties.name.fields.text.analyzer).to.equal('kho_folded');
    expect(mappings.properties.title_sort.normalizer).to.equal('kho_sort');
    expect(mappings.properties.metadata_modified.type).to.equal('date_nanos');
    expect(mappings.properties.kho_package).to.deep.equal({ type: 'object', enabled: false });
    const templates = Object.assign({}, ...mappings.dynamic_templates);
    expect(templates.extras_text).to.deep.include({ match: 'extras_*' });
    expect(templates.dates.match).to.equal('*_date');
    expect(templates.other_strings.mapping.type).to.equal('keyword');
  });

  it('makes a document with typed fields, the catch-all text and the whole package dict', () => {
    const pkg = packageDict({
      name: 'ngan-sach',
      title: 'Ngân sách Hà Nội',
      org: 'so-tai-chinh',
      groups: ['kinh-te'],
      tags: ['ngân sách'],
      formats: ['CSV'],
      extras: { spatial: 'Hà Nội', release_date: '2024-02-03', 'Độ': 'cao', _id: 'y' },
      extra: { 'a.b': 'x' },
    });
    const doc = esDocument(buildIndexDocument(pkg, { permissionLabels: ['public'], siteId: 'default' }), pkg, 42);
    // Names Elasticsearch refuses (empty, or its own "_…") are prefixed: the document is still taken.
    expect(Object.keys(doc).filter((key) => key === '' || key.startsWith('_'))).to.deep.equal([]);
    expect(doc).to.include({ kho__: 'cao', kho___id: 'y', extras__id: 'y' });
    expect(doc).to.include({ id: pkg.id, name: 'ngan-sach', title: 'Ngân sách Hà Nội', title_sort: 'Ngân sách Hà Nội', capacity: 'public', organization: 'so-tai-chinh' });
    expect(doc).to.include({ extras_spatial: 'Hà Nội', spatial: 'Hà Nội', release_date: '2024-02-03T00:00:00.000000Z', num_resources: 1, kho_version: 42, a_b: 'x' });
    expect(doc.tags).to.deep.equal(['ngân sách']);
    expect(doc.res_format).to.deep.equal(['CSV']);
    expect(doc.permission_labels).to.deep.equal(['public']);
    expect(doc.private).to.equal('false');
    expect(doc.text).to.include.members(['ngan-sach', 'Ngân sách Hà Nội', 'ngân sách', 'kinh-te', 'Hà Nội']);
    expect(doc.kho_package).to.equal(pkg);
    expect(JSON.stringify(doc.kho_package)).to.equal(JSON.stringify(pkg));
  });

  it('talks plain JSON, which Elasticsearch 8 and 9 both accept', () => {
    const options = clientOptions({ url: 'http://a:9200, http://b:9200', index: 'x', username: 'u', password: 'p', api_key: null, request_timeout_ms: 1000, refresh: 'true', shards: 1, replicas: 0, bulk_size: 10 }) as any;
    expect(options.node).to.deep.equal(['http://a:9200', 'http://b:9200']);
    expect(options.headers).to.deep.equal({ accept: 'application/json', 'content-type': 'application/json' });
    expect(options.auth).to.deep.equal({ username: 'u', password: 'p' });
    expect(options.requestTimeout).to.equal(1000);
  });

  it('reports an unreachable Elasticsearch as Search Connection Error, a refused query as Search Error', () => {
    const down = searchErrorFrom(Object.assign(new Error('connect ECONNREFUSED'), { name: 'ConnectionError' }));
    expect(down).to.be.instanceOf(SearchConnectionError);
    expect((down as SearchConnectionError).status).to.equal(500);
    expect((down as SearchConnectionError).type).to.equal('Search Connection Error');
    const bad = searchErrorFrom({ name: 'ResponseError', message: 'x', meta: { statusCode: 400, body: { error: { root_cause: [{ reason: 'failed to parse date' }] } } } });
    expect(bad).to.be.instanceOf(SearchError);
    expect(bad.message).to.equal('failed to parse date');
    // Anything but a 400 is the cluster's state, not the query's fault.
    for (const [status, type] of [[401, 'security_exception'], [403, 'security_exception'], [404, 'index_not_found_exception'], [429, 'circuit_breaking_exception'], [500, 'x'], [503, 'x']] as const) {
      const error = searchErrorFrom({ name: 'ResponseError', message: 'x', meta: { statusCode: status, body: { error: { root_cause: [{ type, reason: 'why' }] } } } });
      expect(error, String(status)).to.be.instanceOf(SearchConnectionError);
      expect(error.message).to.equal(`Elasticsearch answered ${status}: why`);
    }
  });
});
