// Jobs run by the background workers, without cron: harvest_job_create hands the job to a worker;
// scheduled sources start by themselves; a job whose process stopped is resumed (or closed after
// too many tries); an overdue job is aborted with an error; a running job can be aborted.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../../helpers/server.ts';
import { computeNextRun, normaliseFrequency } from '../../../plugins/harvest/services/schedule.ts';
import { makeOrg, send, startFixtureServer, startHarvester, waitFor, type FixtureServer } from './helpers.ts';

const SETTINGS = { timezone: 'Asia/Ho_Chi_Minh', always_min_interval_ms: 300000 };

function page(count: number, url: URL, prefix: string) {
  const rows = Number(url.searchParams.get('rows'));
  const start = Number(url.searchParams.get('start'));
  const all = Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    name: `${prefix}-${i + 1}`,
    title: `Tập ${i + 1}`,
    type: 'dataset',
    resources: [],
  }));
  return JSON.stringify({ success: true, result: { count, results: all.slice(start, start + rows) } });
}

describe('harvest › scheduling and background jobs', function () {
  this.timeout(60000);
  let local: TestServer;
  let remote: FixtureServer;
  let delayMs = 0;

  before(async () => {
    remote = await startFixtureServer({
      '*': async (_req, res, url) => {
        if (!url.pathname.endsWith('/api/3/action/package_search')) return send(res, 404, 'not found', 'text/plain');
        if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
        send(res, 200, page(4, url, url.searchParams.get('fq')?.includes('cham') ? '30000000' : '40000000'));
      },
    });
    local = await startHarvester({ workers: true });
    await makeOrg(local, 'lich');
  });
  after(async () => {
    await Promise.all([local?.close(), remote?.close()]);
  });

  const jobOf = (id: string) => local.admin.call('harvest_job_show', { id });

  it('computes next runs without drift, and understands cron expressions', () => {
    const now = new Date('2024-05-01T10:07:00Z');
    expect(computeNextRun('MANUAL', now, null, SETTINGS)).to.equal(null);
    expect(computeNextRun('DAILY', now, null, SETTINGS)).to.equal('2024-05-01 10:07:00.000'); // new: at once
    // From the previous due time, not from when the job ran; missed runs are skipped, not repeated.
    expect(computeNextRun('HOURLY', now, new Date('2024-05-01T09:00:00Z'), SETTINGS)).to.equal('2024-05-01 11:00:00.000');
    expect(computeNextRun('DAILY', now, new Date('2024-04-28T02:00:00Z'), SETTINGS)).to.equal('2024-05-02 02:00:00.000');
    expect(computeNextRun('MONTHLY', now, new Date('2024-01-31T02:00:00Z'), SETTINGS)).to.equal('2024-05-29 02:00:00.000');
    expect(computeNextRun('BIWEEKLY', now, new Date('2024-04-30T00:00:00Z'), SETTINGS)).to.equal('2024-05-14 00:00:00.000');
    // 02:30 every day in Asia/Ho_Chi_Minh is 19:30 UTC.
    expect(computeNextRun('30 2 * * *', now, null, SETTINGS)).to.equal('2024-05-01 19:30:00.000');
    expect(normaliseFrequency('weekly', 'UTC')).to.equal('WEEKLY');
    expect(normaliseFrequency('*/15  * * * *', 'UTC')).to.equal('*/15 * * * *');
    expect(normaliseFrequency('every day', 'UTC')).to.equal(null);
    expect(normaliseFrequency('61 * * * *', 'UTC')).to.equal(null);
  });

  it('harvest_job_create hands the job to a background worker', async () => {
    const source = await local.admin.call('harvest_source_create', { name: 'thu-cong', url: remote.url, source_type: 'ckan', owner_org: 'lich' });
    const job = await local.admin.call('harvest_job_create', { source_id: source.id });
    const done = await waitFor(async () => {
      const current = await jobOf(job.id);
      return current.status === 'Finished' && current;
    });
    expect(done.stats.added).to.equal(4);
  });

  it('a scheduled source starts by itself, once per period', async () => {
    const source = await local.admin.call('harvest_source_create', { name: 'hang-gio', url: remote.url + '/hourly', source_type: 'ckan', owner_org: 'lich', frequency: 'HOURLY', config: { force_all: true } });
    expect(source.frequency).to.equal('HOURLY');
    const finished = await waitFor(async () => {
      const list = await local.admin.call('harvest_job_list', { source_id: source.id });
      return list.length && list[0].status === 'Finished' && list;
    });
    expect(finished).to.have.length(1);
    const shown = await local.admin.call('harvest_source_show', { id: source.id });
    const next = Date.parse(shown.next_run + 'Z');
    expect(next - Date.now()).to.be.within(55 * 60000, 61 * 60000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await local.admin.call('harvest_job_list', { source_id: source.id })).to.have.length(1);
    const cron = await local.admin.call('harvest_source_create', { name: 'theo-cron', url: remote.url + '/cron', source_type: 'ckan', owner_org: 'lich', frequency: '*/5 * * * *' });
    expect(new Date(cron.next_run + 'Z').getUTCMinutes() % 5).to.equal(0);
  });

  it('a job whose process stopped is resumed by a worker; after max_resumes it is closed', async () => {
    const source = await local.admin.call('harvest_source_create', { name: 'mo-coi', url: remote.url + '/dead', source_type: 'ckan', owner_org: 'lich' });
    const knex = local.kernel.database.knex;
    const dead = randomUUID();
    // A job some other process took and then died with: Running, a stale heartbeat, no queue job.
    await knex('harvest_job').insert({ id: dead, source_id: source.id, status: 'Running', created: '2024-01-01 00:00:00', gather_started: new Date(Date.now() - 5000).toISOString().replace('T', ' ').slice(0, 23), runner: 'cli:other-host:123', heartbeat_at: new Date(Date.now() - 10000).toISOString().replace('T', ' ').slice(0, 23) });
    const resumed = await waitFor(async () => {
      const job = await jobOf(dead);
      return job.status === 'Finished' && job;
    });
    const report = await local.admin.call('harvest_job_report', { id: dead });
    expect(resumed.stats.added, JSON.stringify(report)).to.equal(4);
    expect(report.gather_errors.map((e: any) => e.message).join('\n')).to.match(/The process running this job stopped \(cli:other-host:123/);

    const hopeless = randomUUID();
    await knex('harvest_job').insert({ id: hopeless, source_id: source.id, status: 'Running', created: '2024-01-01 00:00:00', gather_started: new Date(Date.now() - 5000).toISOString().replace('T', ' ').slice(0, 23), runner: 'x', resumes: 3, heartbeat_at: new Date(Date.now() - 10000).toISOString().replace('T', ' ').slice(0, 23) });
    const closed = await waitFor(async () => {
      const job = await jobOf(hopeless);
      return job.status === 'Aborted' && job;
    });
    expect(closed.stats.errored).to.equal(1);
    const closedReport = await local.admin.call('harvest_job_report', { id: hopeless });
    expect(closedReport.gather_errors[0].message).to.match(/already resumed 3 times; the job was closed/);
  });

  it('a job past its time limit is aborted with an error', async () => {
    const source = await local.admin.call('harvest_source_create', { name: 'qua-gio', url: remote.url + '/late', source_type: 'ckan', owner_org: 'lich' });
    const late = randomUUID();
    await local.kernel.database.knex('harvest_job').insert({ id: late, source_id: source.id, status: 'Running', created: '2024-01-01 00:00:00', gather_started: '2024-01-01 00:00:00', runner: 'gone', heartbeat_at: '2024-01-01 00:10:00' });
    const aborted = await waitFor(async () => {
      const job = await jobOf(late);
      return job.status === 'Aborted' && job;
    });
    const report = await local.admin.call('harvest_job_report', { id: late });
    expect(report.gather_errors[0].message).to.match(/ran longer than the limit of 720 minutes and was aborted/);
    expect(report.gather_errors[0].message_vi).to.match(/chạy quá giới hạn 720 phút/);
    expect(aborted.finished).to.be.a('string');
  });

  it('a running job stops when aborted, keeping what it wrote', async () => {
    delayMs = 400;
    try {
      const source = await local.admin.call('harvest_source_create', { name: 'bi-huy', url: remote.url + '/slow', source_type: 'ckan', owner_org: 'lich', config: { page_size: 1, force_all: true } });
      const job = await local.admin.call('harvest_job_create', { source_id: source.id });
      await waitFor(async () => (await jobOf(job.id)).stats.added >= 1);
      const aborted = await local.admin.call('harvest_job_abort', { id: job.id });
      expect(aborted.status).to.equal('Aborted');
      const settled = await waitFor(async () => {
        const current = await jobOf(job.id);
        const running = await local.kernel.database.knex('harvest_job').where('id', job.id).first('runner');
        return current.status === 'Aborted' && !running.runner && current;
      });
      expect(settled.stats.added).to.be.within(1, 3);
      // Nothing half-written: every dataset the job counted exists, complete.
      const report = await local.admin.call('harvest_job_report', { id: job.id, report_status: 'added' });
      for (const object of report.objects) expect((await local.anon.call('package_show', { id: object.package_id })).id).to.equal(object.package_id);
      // The source can run again at once.
      expect((await local.admin.call('harvest_job_create', { source_id: source.id })).status).to.equal('New');
    } finally {
      delayMs = 0;
    }
  });
});
