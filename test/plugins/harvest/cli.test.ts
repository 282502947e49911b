// `kho harvest …` commands, run in this process against a test server's kernel (the spawned
// `kho harvest run` is covered by restart.test.ts): sources, source add --file with the example
// agency config, jobs, job show, abort, clear, types.
import { expect } from 'chai';
import path from 'node:path';
import { Command } from 'commander';
import type { TestServer } from '../../helpers/server.ts';
import { PROJECT_ROOT } from '../../../core/config/load.ts';
import { harvestNow, makeOrg, send, startFixtureServer, startHarvester, type FixtureServer } from './helpers.ts';

describe('harvest › kho harvest commands', function () {
  this.timeout(60000);
  let local: TestServer;
  let remote: FixtureServer;

  before(async () => {
    remote = await startFixtureServer({
      '/api/3/action/package_search': (_req, res, url) => {
        const start = Number(url.searchParams.get('start'));
        const results = start ? [] : [{ id: '50000000-0000-4000-8000-000000000001', name: 'mot', title: 'Một', type: 'dataset', resources: [] }];
        send(res, 200, JSON.stringify({ success: true, result: { count: 1, results } }));
      },
    });
    local = await startHarvester({ config: { site: { locale_default: 'en' } } });
    await makeOrg(local, 'so-tai-nguyen-va-moi-truong');
    await makeOrg(local, 'so-khac');
  });
  after(async () => {
    await Promise.all([local?.close(), remote?.close()]);
  });

  /** Run `kho …args` with the harvest plugin's commands; returns what it printed. */
  async function kho(...args: string[]): Promise<string> {
    const program = new Command('kho').exitOverride();
    const mount = local.kernel.extensions.cli.find((entry) => entry.owner === 'harvest')!.mount;
    mount(program, { kernel: async () => local.kernel });
    const original = process.stdout.write.bind(process.stdout);
    let printed = '';
    process.stdout.write = ((chunk: string | Uint8Array) => {
      printed += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      await program.parseAsync(args, { from: 'user' });
    } finally {
      process.stdout.write = original;
    }
    return printed;
  }

  it('adds sources from arguments and from the example file, and lists them', async () => {
    expect(await kho('harvest', 'sources')).to.match(/No harvest sources/);
    const added = await kho('harvest', 'source', 'add', 'nguon-cli', remote.url, 'ckan', '--org', 'so-khac', '--frequency', 'weekly', '--source-config', '{"default_tags": ["cli"]}');
    expect(added).to.match(/Created harvest source "nguon-cli" \(.*\), ckan, WEEKLY\./);
    const fromFile = await kho('harvest', 'source', 'add', '--file', path.join(PROJECT_ROOT, 'config/harvest-agency-example.yaml'));
    expect(fromFile).to.match(/Created harvest source "stnmt-quan-trac-moi-truong"/);
    const listed = await kho('harvest', 'sources');
    expect(listed).to.match(/nguon-cli\s+ckan\s+WEEKLY\s+yes/);
    expect(listed).to.match(/stnmt-quan-trac-moi-truong\s+agency_api\s+30 1 \* \* \*/);
    const shown = JSON.parse(await kho('harvest', 'source', 'show', 'nguon-cli'));
    expect(JSON.parse(shown.config)).to.deep.equal({ default_tags: ['cli'] });
  });

  it('lists jobs, shows a job with its errors, aborts and clears', async () => {
    const job = await harvestNow(local, 'nguon-cli');
    // After an error-free job the ckan harvester asks only for changes (CKANHarvester's fq), and lists ids.
    remote.requests.length = 0;
    await harvestNow(local, 'nguon-cli');
    const incremental = remote.requests.map((r) => new URL(r, 'http://x').searchParams);
    expect(incremental[0].get('fq')).to.match(/^metadata_modified:\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z TO \*\]$/);
    expect(incremental[0].get('sort')).to.equal('id asc');
    expect(incremental.some((params) => params.get('fl') === 'id,type' && !params.get('fq'))).to.equal(true);
    const jobs = await kho('harvest', 'jobs', 'nguon-cli');
    expect(jobs).to.include(job.id);
    expect(jobs).to.match(/Finished/);
    const shown = await kho('harvest', 'job', 'show', job.id);
    expect(shown).to.match(/: Finished/);
    expect(shown).to.match(/added 1, updated 0, not modified 0, deleted 0, errored 0/);
    const report = JSON.parse(await kho('harvest', 'job', 'show', job.id, '--json'));
    expect(report.objects).to.have.length(1);
    expect(await kho('harvest', 'jobs', 'nguon-cli')).to.match(/Finished[\s\S]*Finished/);

    const pending = await local.admin.call('harvest_job_create', { source_id: 'nguon-cli' });
    expect(await kho('harvest', 'abort', 'nguon-cli')).to.equal(`Job ${pending.id}: Aborted.\n`);
    expect(await kho('harvest', 'job', 'show', pending.id)).to.match(/\[Gather error\] Aborted by/);

    expect(await kho('harvest', 'clear', 'nguon-cli', '--history-only')).to.match(/Cleared the job history/);
    expect((await local.anon.call('package_show', { id: 'mot' })).state).to.equal('active');
    expect(await kho('harvest', 'clear', 'nguon-cli')).to.match(/its datasets and jobs are gone/);
    expect((await local.anon.post('package_show', { id: 'mot' })).status).to.equal(404);
    expect(await kho('harvest', 'types')).to.match(/agency_api: .*\n(.*\n)*\s+mapping\s+object/);
  });
});
