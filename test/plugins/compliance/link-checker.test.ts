// The link checker (R70) against a loopback server that answers every status class, redirects,
// refuses HEAD, sends too much, and never answers; with bounded per-host concurrency and the SSRF
// rules of core/net/safe-fetch.ts.
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { expectError } from '../../helpers/expect.ts';
import { createOrganization, openDataset } from './helpers.ts';
import { configDeclaration } from '../../../plugins/compliance/services/settings.ts';

describe('compliance: link checker', function () {
  this.timeout(60_000);
  let server: TestServer;
  let site: http.Server;
  let base: string;
  let closedPort: number;
  const inflight = { now: 0, max: 0 };
  const starts: number[] = [];
  const held: http.ServerResponse[] = [];

  before(async () => {
    site = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      switch (url.pathname) {
        case '/ok':
          res.writeHead(200, { 'content-type': 'text/csv' }).end(req.method === 'HEAD' ? undefined : 'a,b\n');
          return;
        case '/redirect':
          res.writeHead(302, { location: '/ok' }).end();
          return;
        case '/loop':
          res.writeHead(302, { location: '/loop' }).end();
          return;
        case '/choices':
          res.writeHead(300).end();
          return;
        case '/no-head':
          res.writeHead(req.method === 'HEAD' ? 405 : 200).end();
          return;
        case '/big':
          if (req.method === 'HEAD') res.writeHead(405).end();
          else res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) }).end(Buffer.alloc(10 * 1024 * 1024));
          return;
        case '/error':
          res.writeHead(500).end('boom');
          return;
        case '/slow':
          held.push(res);
          return;
        case '/polite':
          inflight.now++;
          inflight.max = Math.max(inflight.max, inflight.now);
          starts.push(Date.now());
          setTimeout(() => {
            inflight.now--;
            res.writeHead(200).end();
          }, 40);
          return;
        default:
          res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    server = await startTestServer({
      plugins: ['compliance'],
      config: {
        net: { allow_private_hosts: ['127.0.0.1', 'localhost'] },
        compliance: { rule_packs: ['national'], link_checker: { timeout_ms: 400, per_host_concurrency: 2, concurrency: 8 } },
      },
    });
  });
  after(async () => {
    for (const res of held) res.destroy();
    await server.close();
    await new Promise<void>((resolve) => site.close(() => resolve()));
  });

  it('has a 5-second timeout by default', () => {
    expect(configDeclaration.link_checker.timeout_ms.default).to.equal(5000);
  });

  it('classifies every answer: 2xx (also after a redirect or a refused HEAD), 3xx, 4xx, 5xx, unreachable', async () => {
    const urls = {
      ok: `${base}/ok`,
      redirect: `${base}/redirect`,
      noHead: `${base}/no-head`,
      big: `${base}/big`,
      loop: `${base}/loop`,
      choices: `${base}/choices`,
      missing: `${base}/missing`,
      error: `${base}/error`,
      slow: `${base}/slow`,
      refused: `http://127.0.0.1:${closedPort}/x`,
      blocked: 'http://10.255.255.1/data.csv',
      notHttp: 'ftp://127.0.0.1/data.csv',
    };
    const started = Date.now();
    const summary = await server.admin.call('compliance_link_check_run', { wait: true, urls: Object.values(urls) });
    expect(Date.now() - started).to.be.below(5000);
    expect(summary).to.include({ urls: 12, checked: 12 });
    expect(summary.classes).to.deep.equal({ '2xx': 4, '3xx': 2, '4xx': 1, '5xx': 1, unreachable: 4 });
    const state = async (url: string) => (await server.anon.call('compliance_link_show', { url })).state;
    expect(await state(urls.ok)).to.include({ class: '2xx', status: 200, error: null, final_url: null });
    expect(await state(urls.redirect)).to.include({ class: '2xx', status: 200, final_url: `${base}/ok` });
    expect(await state(urls.noHead)).to.include({ class: '2xx', status: 200 });
    expect(await state(urls.big)).to.include({ class: '2xx', status: 200, error: 'too-large' });
    expect(await state(urls.loop)).to.include({ class: '3xx', status: null, error: 'too-many-redirects' });
    expect(await state(urls.choices)).to.include({ class: '3xx', status: 300 });
    expect(await state(urls.missing)).to.include({ class: '4xx', status: 404 });
    expect(await state(urls.error)).to.include({ class: '5xx', status: 500 });
    expect((await state(urls.slow)).error).to.match(/^timeout: .* did not answer within 400 ms/);
    expect((await state(urls.refused)).error).to.match(/^network: /);
    expect((await state(urls.blocked)).error).to.match(/^blocked: .*not a public address/);
    expect((await state(urls.notHttp)).error).to.match(/^invalid-url: /);
    expect(await state(urls.slow)).to.include({ class: 'unreachable', status: null, consecutive_failures: 1 });
  });

  it('keeps each URL\'s history and counts consecutive failures', async () => {
    await server.admin.call('compliance_link_check_run', { wait: true, urls: [`${base}/error`, `${base}/ok`] });
    const shown = await server.anon.call('compliance_link_show', { url: `${base}/error` });
    expect(shown.history.map((h: { class: string }) => h.class)).to.deep.equal(['5xx', '5xx']);
    expect(shown.state.consecutive_failures).to.equal(2);
    expect((await server.anon.call('compliance_link_show', { url: `${base}/ok` })).state.consecutive_failures).to.equal(0);
  });

  it('stays polite: at most per_host_concurrency requests in flight to one host', async () => {
    inflight.max = 0;
    const urls = Array.from({ length: 12 }, (_, i) => `${base}/polite?i=${i}`);
    const summary = await server.admin.call('compliance_link_check_run', { wait: true, urls });
    expect(summary.classes['2xx']).to.equal(12);
    expect(inflight.max).to.equal(2);
  });

  it('checks the catalogue\'s resource URLs and feeds the score and the province\'s link health', async () => {
    await createOrganization(server, 'so-y-te');
    await server.admin.call('package_create', openDataset('tot', 'so-y-te', { resources: [{ url: `${base}/ok`, format: 'CSV' }, { url: `${base}/missing`, format: 'CSV' }] }));
    const summary = await server.admin.call('compliance_link_check_run', { wait: true, force: true });
    expect(summary).to.include({ urls: 2, checked: 2 });
    // Checked recently: skipped unless forced.
    const again = await server.admin.call('compliance_link_check_run', { wait: true });
    expect(again).to.include({ urls: 2, checked: 0, skipped_recent: 2 });
    const show = await server.anon.call('compliance_dataset_show', { id: 'tot' });
    expect(show.links.map((l: { class: string }) => l.class)).to.deep.equal(['2xx', '4xx']);
    expect(show.score.indicators.find((i: { id: string }) => i.id === 'access_url_reachable')).to.include({ fraction: 0.5, points: 25 });
    const overview = await server.anon.call('compliance_overview');
    expect(overview.kpis.link_health).to.deep.include({ checked: 2, counts: { '2xx': 1, '3xx': 0, '4xx': 1, '5xx': 0, unreachable: 0 } });
    expect(overview.kpis.link_health.shares['2xx']).to.equal(0.5);
  });

  it("does not fetch Kho's own uploads, which count as reachable", async () => {
    const upload = await server.admin.upload('resource_create', { package_id: 'tot', name: 'Tệp tải lên', format: 'CSV' }, { upload: { name: 'du-lieu.csv', content: 'a,b\n1,2\n', type: 'text/csv' } });
    expect(upload.status).to.equal(200);
    const summary = await server.admin.call('compliance_link_check_run', { wait: true, force: true });
    expect(summary.urls).to.equal(2);
    const show = await server.anon.call('compliance_dataset_show', { id: 'tot' });
    expect(show.links[2]).to.include({ upload: true, class: null });
    expect(show.score.indicators.find((i: { id: string }) => i.id === 'access_url_reachable')).to.include({ fraction: 0.667, points: 33.3 });
  });

  it('queues a background job when not waiting, and is for sysadmins only', async () => {
    const queued = await server.admin.call('compliance_link_check_run', {});
    expect(queued.queued).to.equal(true);
    const user = await server.createUser('nguoi-dung');
    expectError(await server.client(user.token).post('compliance_link_check_run', { wait: true }), 403, 'Authorization Error');
  });
});
