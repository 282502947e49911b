// The federation plugin: a province's change feed and DCAT-AP catalogue for the national portal,
// and national mode, in which Kho pulls its member provinces. Manifest only.
import { definePlugin } from '../../core/plugins/define-plugin.ts';
import { federationConfig } from './settings.ts';
import { changeActions, changeAuth, COMPACT_JOB, compactJob } from './actions/changes.ts';
import { dcatActions, dcatAuth } from './actions/dcat.ts';
import { mountDcatRoutes } from './routes/dcat.ts';
import { memberActions, memberAuth } from './actions/members.ts';
import { khoFeedHarvester } from './harvesters/kho-feed.ts';
import { memberHarvesters } from './harvesters/members.ts';
import type { IHarvester } from '../harvest/harvesters/types.ts';
import { pushActions, pushAuth, pushJob, pushSchedules } from './actions/push.ts';
import { PUSH_JOB } from './services/push.ts';

// One instance for the process: several kernels (tests) register the same objects.
const KHO_FEED = khoFeedHarvester();
let MEMBER_HARVESTERS: IHarvester[] | null = null;

export default definePlugin({
  name: 'federation',
  version: '0.1.0',
  description: 'Change feed, DCAT-AP 3 catalogue and push into the National Data Portal; national mode aggregating member provinces',
  dependsOn: ['harvest'],
  config: federationConfig,
  register(api) {
    const settings = api.config;
    api.actions({ ...changeActions(settings), ...dcatActions(settings), ...memberActions(settings), ...pushActions(settings) });
    api.authFunctions({ ...changeAuth, ...dcatAuth, ...memberAuth, ...pushAuth });
    api.routes(mountDcatRoutes(settings));
    api.migrations(new URL('./migrations', import.meta.url));
    api.jobs({ [PUSH_JOB]: pushJob(settings), [COMPACT_JOB]: compactJob });
    api.schedules([...pushSchedules(settings), { name: COMPACT_JOB, job: COMPACT_JOB, everyMs: 6 * 60 * 60 * 1000 }]);
  },
  init(context) {
    const register = context.scope.resolve('harvest.registerHarvester') as (harvester: unknown) => void;
    register(KHO_FEED);
    MEMBER_HARVESTERS ??= memberHarvesters(context.scope.resolve('harvest.harvesters') as ReadonlyMap<string, IHarvester>);
    for (const harvester of MEMBER_HARVESTERS) register(harvester);
  },
});
