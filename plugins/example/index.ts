// A small plugin that exercises every part of the plugin contract, so the tests prove the contract
// end to end. It is an example to copy, not a feature; real plugins follow the same layout.
import { definePlugin } from '../../core/plugins/define-plugin.ts';
import { key } from '../../core/config/declare.ts';
import { exampleActions, exampleAuth, chainStatusShow } from './actions/hello.ts';
import { themeField, agencyCodeField } from './schemas/fields.ts';
import { datasetEvents } from './subscribers/dataset-events.ts';
import { mountHelloRoute } from './routes/hello.ts';
import { tallyJob, TALLY_JOB } from './jobs/tally.ts';
import { mountCli } from './cli.ts';

export default definePlugin({
  name: 'example',
  version: '1.0.0',
  description: 'Example plugin: a greeting action, a dataset theme field, dataset event log, a route, a job and a CLI command',
  config: {
    greeting: key.string('Xin chào', 'What example_hello says.'),
    theme_required: key.boolean(false, 'Whether datasets must have an example_theme.'),
  },
  register(api) {
    api.actions(exampleActions(api.config.greeting));
    api.authFunctions(exampleAuth);
    api.chainAction('status_show', chainStatusShow(api.config.greeting));
    api.datasetFields([themeField(api.config.theme_required)]);
    api.organizationFields([agencyCodeField]);
    api.packageController(datasetEvents);
    api.migrations(new URL('./migrations', import.meta.url));
    api.routes(mountHelloRoute(api.config.greeting));
    api.jobs({ [TALLY_JOB]: tallyJob });
    api.schedules([{ name: 'example.tally.hourly', job: TALLY_JOB, everyMs: 60 * 60 * 1000 }]);
    api.cli(mountCli);
  },
});
