// The web portal: the public catalogue citizens browse, and the console agencies and the province
// work in. Server-rendered pages (Nunjucks) that call actions like any other client, Vietnamese
// first with English by switch, no external CDN. See plugins/ui/README.md.
import { asFunction } from 'awilix';
import { definePlugin } from '../../core/plugins/define-plugin.ts';
import { key } from '../../core/config/declare.ts';
import type { Cradle } from '../../core/container.ts';
import type { ActionContext } from '../../core/actions/types.ts';
import { Portal, createSessionStore, type UiConfig } from './services/portal.ts';
import { sessionAuthenticator } from './services/session.ts';
import { mountPortal, mountNotFound } from './routes/index.ts';

export default definePlugin({
  name: 'ui',
  version: '1.0.0',
  description: 'Web portal: catalogue, sign-in, editors\' console, harvest/compliance/federation pages (vi, en)',
  config: {
    session_days: key.integer(14, 'How long a portal sign-in lasts without use, in days.', { min: 1, max: 365 }),
    lockout_attempts: key.integer(5, 'Failed sign-ins for one user name that lock it (four times as many lock a client address).', { min: 1 }),
    lockout_minutes: key.integer(15, 'Length of the lock-out, and the window in which failures are counted, in minutes.', { min: 1 }),
    page_size: key.integer(20, 'Datasets per search page.', { min: 1, max: 100 }),
    search_facets: key.list(['organization', 'groups', 'tags', 'res_format', 'license_id'], 'Facets of the dataset search page, in order; plugin fields declared with facet: true are added after them.'),
    preview_rows: key.integer(20, 'Rows shown in a CSV/XLSX/JSON preview.', { min: 1, max: 200 }),
    preview_xlsx_max_mb: key.integer(5, 'Largest XLSX file that gets a preview, in MB.', { min: 1 }),
    page_cache_seconds: key.integer(30, 'Pages shown to signed-out visitors are kept this long at most (0: never cached). Changes made through this process show at once; changes by other processes sharing the database within this time.', { min: 0, max: 3600 }),
  },
  register(api) {
    const ui = api.config as UiConfig;
    api.migrations(new URL('./migrations', import.meta.url));
    api.services({
      portal: asFunction((cradle: Cradle) => new Portal(cradle, ui)).singleton(),
      sessions: asFunction((cradle: Cradle) => createSessionStore(cradle, ui)).singleton(),
    });
    api.authenticator(sessionAuthenticator);
    // Cached pages name the catalogue generation they were rendered in; every committed write moves it.
    const changed = (context: ActionContext) => context.afterCommit(() => (context.services['ui.portal'] as Portal).catalogueChanged());
    api.packageController({ after_dataset_create: changed, after_dataset_update: changed, after_dataset_delete: changed, after_dataset_purge: changed });
    api.resourceController({ after_resource_create: changed, after_resource_update: changed, after_resource_delete: changed });
    api.organizationController({ after_create: changed, after_update: changed, after_delete: changed });
    api.groupController({ after_create: changed, after_update: changed, after_delete: changed });
    api.routes(mountPortal);
    // Last, so that other plugins' routes answer first: an HTML 404 page for browsers.
    api.routes(mountNotFound);
  },
});
