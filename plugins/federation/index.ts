// The federation plugin: a province's change feed and DCAT-AP catalogue for the national portal,
// and national mode, in which Kho pulls its member provinces. Manifest only.
import { definePlugin } from '../../core/plugins/define-plugin.ts';
import { federationConfig } from './settings.ts';
import { changeActions, changeAuth } from './actions/changes.ts';
import { dcatActions, dcatAuth } from './actions/dcat.ts';
import { mountDcatRoutes } from './routes/dcat.ts';

export default definePlugin({
  name: 'federation',
  version: '0.1.0',
  description: 'Change feed and DCAT-AP 3 catalogue for the National Data Portal; national mode aggregating member provinces',
  dependsOn: ['harvest'],
  config: federationConfig,
  register(api) {
    const settings = api.config;
    api.actions({ ...changeActions(settings), ...dcatActions(settings) });
    api.authFunctions({ ...changeAuth, ...dcatAuth });
    api.routes(mountDcatRoutes(settings));
    api.migrations(new URL('./migrations', import.meta.url));
  },
});
