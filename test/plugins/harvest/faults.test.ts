// Sources that misbehave, served by a loopback HTTP server: HTML error pages, invalid JSON, 500s,
// 429 with Retry-After, answers slower than the timeout, bodies over the size limit, paging that
// repeats forever. Each run ends with a clear recorded error, no duplicate, and nothing deleted or
// half-written.
import { expect } from 'chai';
import type { TestServer } from '../../helpers/server.ts';
import { harvestNow, makeOrg, send, startFixtureServer, startHarvester, type FixtureServer } from './helpers.ts';

function dataset(i: number) {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    id,
    name: `bo-du-lieu-${i}`,
    title: `Bộ dữ liệu ${i}`,
    type: 'dataset',
    notes: 'Mô tả',
    metadata_modified: '2024-05-01T09:00:00.000000',
    tags: [{ name: 'thử nghiệm' }],
    extras: [],
    resources: [{ id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: 'CSV', url: `https://example.org/${i}.csv`, format: 'CSV' }],
  };
}

/** A CKAN package_search over `count` datasets, honouring rows and start. */
function searchPage(count: number, url: URL) {
  const rows = Number(url.searchParams.get('rows') ?? 10);
  const start = Number(url.searchParams.get('start') ?? 0);
  const all = Array.from({ length: count }, (_, i) => dataset(i + 1));
  const fl = url.searchParams.get('fl');
  const results = all.slice(start, start + rows).map((pkg) => (fl ? { id: pkg.id, type: pkg.type } : pkg));
  return JSON.stringify({ help: 'x', success: true, result: { count, results, sort: 'id asc', facets: {}, search_facets: {} } });
}

describe('harvest › faults', function () {
  this.timeout(60000);
  let local: TestServer;
  let remote: FixtureServer;
  let mode = 'ok';
  let calls = 0;

  before(async () => {
    local = await startHarvester({ harvest: { retries: 2, request_timeout_ms: 500, max_response_mb: 1, keep_jobs: 3 } });
    await makeOrg(local, 'nguon-loi');
    remote = await startFixtureServer({
      '/api/3/action/package_search': async (_req, res, url) => {
        calls++;
        switch (mode) {
          case 'ok':
            return send(res, 200, searchPage(6, url));
          case 'html':
            return send(res, 200, '<!DOCTYPE html><html><head><title>Hệ thống đang bảo trì</title></head><body>Bảo trì</body></html>', 'text/html; charset=utf-8');
          case 'html-503':
            return send(res, 503, '<html><head><title>503 Service Unavailable</title></head></html>', 'text/html');
          case 'json':
            return send(res, 200, '{"help": "x", "success": true, "result": {"count": 3, "results": [', 'application/json');
          case '500':
            return send(res, 500, 'Internal Server Error', 'text/plain');
          case 'flaky':
            // Two failures, then the page: retries with backoff get through.
            if (calls % 3 !== 0) return send(res, calls % 2 ? 502 : 429, 'busy', 'text/plain', calls % 2 ? {} : { 'retry-after': '0' });
            return send(res, 200, searchPage(6, url));
          case 'slow':
            await new Promise((resolve) => setTimeout(resolve, 1500));
            return send(res, 200, searchPage(6, url));
          case 'large':
            return send(res, 200, JSON.stringify({ success: true, result: { results: [{ id: 'x', pad: 'x'.repeat(1100 * 1024) }] } }));
          case 'repeat': {
            // Ignores start: the same first page forever.
            const first = new URL(url);
            first.searchParams.set('start', '0');
            return send(res, 200, searchPage(6, first));
          }
        }
      },
    });
  });
  after(async () => {
    await Promise.all([local?.close(), remote?.close()]);
  });

  let source: any;
  async function runWith(newMode: string) {
    mode = newMode;
    calls = 0;
    const job = await harvestNow(local, source.id);
    const report = await local.admin.call('harvest_job_report', { id: job.id });
    return { job, report };
  }

  async function harvestedNames(): Promise<string[]> {
    const result = await local.admin.call('package_search', { q: '', rows: 100, include_private: true });
    return result.results.map((pkg: any) => pkg.name).sort();
  }

  it('a good first run harvests six datasets (pages of two)', async () => {
    source = await local.admin.call('harvest_source_create', {
      name: 'nguon-hay-loi',
      url: remote.url,
      source_type: 'ckan',
      owner_org: 'nguon-loi',
      config: { page_size: 2, force_all: true },
    });
    const { job } = await runWith('ok');
    expect(job.stats).to.include({ added: 6, errored: 0 });
    expect(await harvestedNames()).to.have.length(6);
  });

  const cases: Array<[string, RegExp, RegExp?]> = [
    ['html', /sent an HTML page instead of the JSON of package_search \(HTTP 200, page title "Hệ thống đang bảo trì"\)/, /trả về một trang HTML/],
    ['html-503', /answered HTTP 503 \(after 2 retries\), with an HTML page "503 Service Unavailable"/],
    ['json', /did not send valid JSON/, /không trả về JSON hợp lệ/],
    ['500', /answered HTTP 500 \(after 2 retries\)/, /trả về mã HTTP 500 \(sau 2 lần thử lại\)/],
    ['slow', /did not answer within 500 ms \(after 2 retries\)/, /không trả lời trong 500 ms/],
    ['large', /sent more than the limit of 1048576 bytes|more than the limit of 1048576/],
  ];
  for (const [name, english, vietnamese] of cases) {
    it(`${name}: the job finishes with a clear gather error; nothing is deleted or duplicated`, async () => {
      const { job, report } = await runWith(name);
      expect(job.status).to.equal('Finished');
      expect(job.stats).to.deep.equal({ added: 0, updated: 0, 'not modified': 0, errored: 1, deleted: 0 });
      const errors = report.gather_errors.filter((e: any) => e.level === 'error');
      expect(errors, JSON.stringify(report.gather_errors)).to.have.length(1);
      expect(errors[0].message).to.match(english);
      if (vietnamese) expect(errors[0].message_vi).to.match(vietnamese);
      // The datasets of the first run are all still here, once each.
      expect(await harvestedNames()).to.have.length(6);
      const warning = report.gather_errors.find((e: any) => e.level === 'warning');
      expect(warning?.message).to.match(/No dataset was deleted: the gather stage had errors \(6 harvested earlier were not in the listing\)/);
    });
  }

  it('429 and 502 are retried with backoff (Retry-After honoured) and the run succeeds', async () => {
    const { job, report } = await runWith('flaky');
    expect(job.status).to.equal('Finished');
    expect(job.stats).to.deep.equal({ added: 0, updated: 0, 'not modified': 6, errored: 0, deleted: 0 });
    expect(report.gather_errors).to.deep.equal([]);
    expect(calls).to.be.greaterThan(4);
  });

  it('keeps only the last keep_jobs jobs, and every dataset\'s current object', async () => {
    const jobs = await local.admin.call('harvest_job_list', { source_id: source.id });
    expect(jobs).to.have.length(3);
    // The datasets were written by the first job, long pruned: their current objects remain.
    for (const name of await harvestedNames()) {
      const object = await local.admin.call('harvest_object_show', { dataset_id: name });
      expect(object).to.include({ current: true, report_status: 'added', harvest_job_id: null });
      expect(object.content).to.be.a('string');
      expect(object.last_sync_at).to.be.a('string');
    }
    const rows = await local.kernel.database.knex('harvest_object').where('harvest_source_id', source.id).count<{ count: number }[]>('* as count').first();
    expect(Number(rows!.count)).to.be.lessThan(6 + 3 * 6 + 1);
  });

  it('a page that repeats forever is stopped; its datasets are imported once', async () => {
    await local.admin.call('harvest_source_clear', { id: source.id });
    expect(await harvestedNames()).to.deep.equal([]);
    const { job, report } = await runWith('repeat');
    expect(report.gather_errors[0].message).to.match(/Paging (does not advance|loops back)/);
    expect(job.stats.added).to.equal(2);
    expect(await harvestedNames()).to.deep.equal(['bo-du-lieu-1', 'bo-du-lieu-2']);
    expect(calls).to.be.lessThan(5);
  });

  it('a blocked address is refused with a clear error', async () => {
    const blocked = await startHarvester({ config: { net: { allow_private_hosts: [] } } });
    try {
      await makeOrg(blocked, 'to-chuc');
      const src = await blocked.admin.call('harvest_source_create', { name: 'noi-bo', url: remote.url, source_type: 'ckan', owner_org: 'to-chuc' });
      const job = await harvestNow(blocked, src.id);
      const report = await blocked.admin.call('harvest_job_report', { id: job.id });
      expect(report.gather_errors[0].message).to.match(/was refused: 127\.0\.0\.1 .*not a public address; add it to net\.allow_private_hosts/);
    } finally {
      await blocked.close();
    }
  });
});
