// The harvest plugin: pull other portals' and agencies' catalogues into Kho, incrementally, with
// ckanext-harvest's action names. Manifest only; the work is in actions/, services/, harvesters/.
import { asValue, type AwilixContainer } from 'awilix';
import type { Cradle } from '../../core/container.ts';
import { HarvestRunner } from './services/runner.ts';
import { definePlugin } from '../../core/plugins/define-plugin.ts';
import { harvestConfig } from './settings.ts';
import { sourceActions } from './actions/sources.ts';
import { jobActions } from './actions/jobs.ts';
import { harvestAuth } from './auth/index.ts';
import { packageHooks } from './subscribers/package-hooks.ts';
import { runJob } from './jobs/run.ts';
import { tickJob } from './jobs/tick.ts';
import { RUN_JOB, TICK_JOB } from './services/jobs.ts';
import { HARVESTERS, registerHarvester } from './harvesters/index.ts';
import { dcatService } from './dcat/index.ts';
import { mountCli } from './cli.ts';

export default definePlugin({
  name: 'harvest',
  version: '1.0.0',
  description: 'Harvest sources and jobs with ckanext-harvest\'s actions; CKAN, DCAT (RDF, JSON-LD), DCAT-US data.json and agency API harvesters',
  config: harvestConfig,
  register(api) {
    const settings = api.config;
    api.actions({ ...sourceActions(settings), ...jobActions(settings) });
    api.authFunctions(harvestAuth);
    api.packageController(packageHooks);
    api.migrations(new URL('./migrations', import.meta.url));
    api.jobs({ [RUN_JOB]: runJob(settings), [TICK_JOB]: tickJob(settings) });
    api.schedules([{ name: TICK_JOB, job: TICK_JOB, everyMs: settings.scheduler_interval_ms }]);
    api.services({
      dcat: asValue(dcatService),
      harvesters: asValue(HARVESTERS),
      /** Add a harvester (source_type) from another plugin's init(). */
      registerHarvester: asValue(registerHarvester),
      /** Run a job in this process (the CLI's foreground run): createRunner(container).run(jobId, options). */
      createRunner: asValue((container: AwilixContainer<Cradle>) => new HarvestRunner({ container, settings, harvesters: HARVESTERS })),
    });
    api.cli(mountCli(settings, api.coreConfig.site.locale_default));
  },
});
