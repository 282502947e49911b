// The compliance plugin: Vietnamese open-data duties as versioned rule packs, tracked, scored and
// reported. This file only declares; the work is in services/, subscribers/, actions/, jobs/.
import { asValue } from 'awilix';
import { definePlugin } from '../../core/plugins/define-plugin.ts';
import { buildSettings, configDeclaration } from './services/settings.ts';
import type { Runtime } from './services/runtime.ts';
import { datasetFields, organizationFields } from './schemas/fields.ts';
import { datasetHooks } from './subscribers/datasets.ts';
import { organizationHooks } from './subscribers/organizations.ts';
import { readActions, readAuth } from './actions/read.ts';
import { attestActions, attestAuth } from './actions/attest.ts';
import { reportActions, reportAuth } from './actions/reports.ts';
import { operationActions, operationAuth } from './actions/operations.ts';
import { jobs, schedules } from './jobs/index.ts';
import { mountReportRoutes } from './routes/reports.ts';
import { mountCli } from './cli.ts';

export default definePlugin({
  name: 'compliance',
  version: '1.0.0',
  description: 'Vietnamese open-data duties as versioned rule packs: deadlines in working days, publish gates, attestations, scores out of 505, organization and province status, link checks, reports (JSON/CSV/XLSX) and reminders',
  config: configDeclaration,
  register(api) {
    // Rule packs are data shipped with the plugin (and the province's own folders): read and
    // validated here so that a malformed pack stops every process at boot, naming file, rule, field.
    const settings = buildSettings(api.config);
    const runtime: Runtime = { settings, container: null };
    api.services({ runtime: asValue(runtime) });
    api.organizationFields(organizationFields(settings.language, api.config.sectors));
    api.datasetFields(datasetFields(settings.language, api.config.sectors));
    api.packageController(datasetHooks(settings));
    api.organizationController(organizationHooks);
    api.actions({ ...readActions, ...attestActions, ...reportActions, ...operationActions });
    api.authFunctions({ ...readAuth, ...attestAuth, ...reportAuth, ...operationAuth });
    api.migrations(new URL('./migrations', import.meta.url));
    api.jobs(jobs);
    api.schedules(schedules(runtime));
    api.routes(mountReportRoutes(runtime));
    api.cli(mountCli);
  },
  init(context) {
    const runtime = context.scope.resolve('compliance.runtime') as Runtime;
    runtime.container = context.scope;
  },
});
