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
    const shape = (name: string, body: unknown) => JSON.parse(JSON.stringify(body).replaceAll(name, 'NAME'));
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
