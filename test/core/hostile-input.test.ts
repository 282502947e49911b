// Every action, called by a sysadmin, an ordinary user and an anonymous caller with malformed or
// hostile values, must answer with CKAN's error envelope (or succeed), never a 500.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// The first values are the ones every caller sends; the rest only the sysadmin, who gets furthest.
const HOSTILE_VALUES: unknown[] = [
  null,
  ' ',
  -1,
  [{}],
  { id: { $ne: null } },
  'x'.repeat(5000),
  '',
  1e308,
  true,
  ['a', 1],
  "' or 1=1 --",
  '%_\\',
  'Ǆ\u202eĐà Nẵng\ud800',
  '{!child of=*:*}',
  'NOW-1000000YEARS',
  '[* TO',
];

const KEYS = ['id', 'name', 'q', 'fq', 'rows', 'start', 'sort', 'limit', 'offset', 'owner_org', 'package_id', 'user_id', 'capacity', 'object', 'object_type', 'resources', 'tags', 'extras', 'groups', 'users', 'facet.field', 'query', 'match', 'update'];

describe('hostile input never produces a 500', function () {
  this.timeout(900000);
  let server: TestServer;
  let userToken: string;

  before(async () => {
    server = await startTestServer();
    userToken = (await server.createUser('thuong-dan')).token;
    await server.admin.call('organization_create', { name: 'so-thu-nghiem', title: 'Sở Thử nghiệm' });
    await server.admin.call('package_create', { name: 'du-lieu-that', owner_org: 'so-thu-nghiem', resources: [{ url: 'http://example.org/a.csv' }] });
  });
  after(() => server.close());

  it('for every action, caller and hostile value', async () => {
    const actions = server.kernel.container.cradle.actions.names();
    const clients = [server.admin, server.client(userToken), server.anon];
    const failures: string[] = [];
    // knex warns (and silently drops the clause) when a non-integer reaches limit/offset: that is
    // unvalidated input getting through, so it counts as a failure too.
    const logger = (server.kernel.database.knex as unknown as { client: { logger: { warn: (m: string) => void } } }).client.logger;
    let current = '';
    const originalWarn = logger.warn;
    logger.warn = (message: string) => failures.push(`${current} → knex: ${message}`);
    try {
      for (const action of actions) {
        // Destructive actions on the shared fixtures are fine: the data is throwaway.
        for (const [index, client] of clients.entries()) {
          for (const key of KEYS) {
            // Every value for the sysadmin; a sample for the others (their requests mostly stop at auth).
            for (const value of index === 0 ? HOSTILE_VALUES : HOSTILE_VALUES.slice(0, 6)) {
              current = `${action} ${key}=${JSON.stringify(value)?.slice(0, 40)}`;
              const response = await client.post(action, { [key]: value });
              if (response.status >= 500 || (typeof response.body !== 'object' && response.status !== 400)) {
                failures.push(`${current} → ${response.status} ${response.text.slice(0, 120)}`);
              }
            }
          }
        }
      }
    } finally {
      logger.warn = originalWarn;
    }
    expect(failures, failures.slice(0, 20).join('\n')).to.deep.equal([]);
  });

  it('takes resource formats and file extensions named like members of every JavaScript object as unknown ones', async () => {
    const created = await server.admin.post('package_create', {
      name: 'dinh-dang-la',
      owner_org: 'so-thu-nghiem',
      resources: [{ url: 'http://example.org/a.constructor' }, { url: 'http://example.org/b.csv', format: '__proto__' }, { url: 'http://example.org/e.zzzz' }],
    });
    expect(created.status, created.text).to.equal(200);
    const formats = created.body.result.resources.map((resource: { format: unknown }) => resource.format);
    // As an extension nobody knows.
    expect(formats).to.deep.equal([formats[2], '__proto__', formats[2]]);
    const added = await server.admin.post('resource_create', { package_id: 'dinh-dang-la', url: 'http://example.org/c.toString', format: '.hasOwnProperty' });
    expect(added.status, added.text).to.equal(200);
    expect(added.body.result.format).to.equal('.hasOwnProperty');
    const guessed = await server.admin.post('resource_create', { package_id: 'dinh-dang-la', url: 'http://example.org/d.valueOf' });
    expect(guessed.status, guessed.text).to.equal(200);
    expect(guessed.body.result.format).to.equal(formats[2]);
  });

  it('treats field and parameter names that are members of every JavaScript object as unknown names', async () => {
    // Each name must be answered as an ordinary unknown field is: no 500, no stray column, no key
    // that silently disappears.
    const asked = (name: string): Array<Record<string, string>> => [
      { fq: `${name}:x` },
      { q: `${name}:x` },
      { fq: `${name}:[1 TO 2]` },
      { fq: `${name}:*` },
      { sort: `${name} asc` },
      { 'facet.field': JSON.stringify([name]) },
      { fl: `${name},name` },
      // As a parameter: unknown to package_search, a 400 (keys starting with "__" are dropped as internal).
      ...(name.startsWith('__') ? [] : [{ [name]: 'x' }]),
    ];
    // What the caller sees, with the asked name written as NAME (the datasets themselves are left alone).
    const shape = (name: string, body: any) => {
      const named = (value: unknown) => JSON.parse(JSON.stringify(value ?? null).replaceAll(name, 'NAME'));
      if (!body?.success) return named(body);
      const { count, results, facets, search_facets, sort } = body.result;
      return { count, results: results.map((pkg: { name?: string }) => pkg.name ?? null), facets: named(facets), search_facets: named(search_facets), sort: named(sort) };
    };
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      const requests = asked(name);
      const baseline = asked('no_such_field');
      for (const [i, params] of requests.entries()) {
        const [response, expected] = await Promise.all([server.anon.get('package_search', params), server.anon.get('package_search', baseline[i])]);
        const label = `${JSON.stringify(params)}: ${response.status} ${response.text.slice(0, 200)}`;
        expect(response.status, label).to.equal(expected.status);
        expect(shape(name, response.body), label).to.deep.equal(shape('no_such_field', expected.body));
      }
    }
  });
});

/** Raw JSON bodies with own keys named __proto__, constructor… in the body, nested dicts and lists of dicts. */
function objectMemberBodies(): string[] {
  const nested = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "toString": "x", "hasOwnProperty": 1}';
  return [
    nested,
    `{"id": "du-lieu-that", "name": "du-lieu-that", "extras": [{"key": "constructor", "value": "x"}, {"key": "__proto__", "value": "y"}], "resources": [${nested}], "tags": [${nested}], "groups": [${nested}], "update": ${nested}, "match": ${nested}, "config": ${nested}, "rules": [${nested}], "fields": ${nested}}`,
    `{"id": "constructor", "name": "toString", "source_type": "constructor", "q": "constructor:x", "fq": "__proto__:y", "sort": "valueOf asc", "facet.field": ["constructor"], "object_type": "__proto__", "kind": "__proto__", "type": "constructor"}`,
  ];
}

describe('keys named like members of every JavaScript object never produce a 500', function () {
  this.timeout(300000);
  for (const plugins of [[], ['harvest', 'federation', 'compliance', 'ui']]) {
    it(`for every action, at every level of the body (plugins: ${plugins.join(', ') || 'none'})`, async () => {
      const server = await startTestServer({ plugins });
      try {
        await server.admin.call('organization_create', { name: 'so-thu-nghiem', title: 'Sở Thử nghiệm' });
        // private: the compliance plugin asks a public dataset for its data classification.
        await server.admin.call('package_create', { name: 'du-lieu-that', owner_org: 'so-thu-nghiem', private: true });
        const failures: string[] = [];
        for (const action of server.kernel.container.cradle.actions.names()) {
          for (const body of objectMemberBodies()) {
            const response = await server.admin.request(`/api/3/action/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
            if (response.status >= 500) failures.push(`${action} ${body.slice(0, 60)} → ${response.status} ${response.text.slice(0, 160)}`);
            if (({} as Record<string, unknown>).polluted !== undefined) failures.push(`${action} polluted Object.prototype`);
          }
        }
        expect(failures, failures.slice(0, 20).join('\n')).to.deep.equal([]);
      } finally {
        await server.close();
      }
    });
  }
});
