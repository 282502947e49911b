// Site-level actions: status_show, help_show, site_read (2.10's health check), licences.
import { NotFound, ValidationError } from '../errors.ts';
import { findLicense, licenseDict, LICENSES } from '../model/licenses.ts';
import type { ActionDefinition, AuthDefinition } from './types.ts';

export const siteActions: Record<string, ActionDefinition> = {
  status_show: {
    sideEffectFree: true,
    doc: 'Return the site title, description, URL, default locale, enabled plugins and the CKAN API version it is compatible with.\n\n:rtype: dictionary',
    handler(context) {
      const { config, plugins } = context.services;
      const status: Record<string, unknown> = {
        site_title: config.site.title,
        site_description: config.site.description,
        site_url: config.site.url,
        error_emails_to: config.site.error_emails_to,
        locale_default: config.site.locale_default,
        extensions: plugins.map((plugin) => plugin.name),
      };
      if (!config.site.hide_version || context.user?.sysadmin) status.ckan_version = config.api.ckan_version;
      return status;
    },
  },
  help_show: {
    sideEffectFree: true,
    doc: "Return an action's documentation.\n\n:param name: the action's name\n:rtype: string",
    handler(context, data) {
      const name = data.name;
      if (!name) throw new ValidationError({ name: ['Missing value'] });
      const entry = context.services.actions.get(String(name));
      if (!entry) throw new NotFound('Action function not found');
      return entry.def.doc ?? null;
    },
  },
  site_read: {
    sideEffectFree: true,
    doc: 'Return true: the site is up (kept from CKAN 2.10 for old health checks).',
    handler: () => true,
  },
  license_list: {
    sideEffectFree: true,
    doc: 'Return the licences datasets may use.\n\n:rtype: list of dictionaries',
    handler: () => LICENSES.filter((license) => license.status === 'active').map(licenseDict),
  },
  license_show: {
    sideEffectFree: true,
    doc: 'Return one licence.\n\n:param id: the licence id\n:rtype: dictionary',
    handler(_context, data) {
      if (!data.id) throw new ValidationError({ id: ['Missing value'] });
      const license = findLicense(String(data.id));
      if (!license) throw new NotFound('License not found');
      return licenseDict(license);
    },
  },
};

const anyone: AuthDefinition = { allowAnonymous: true, fn: () => true };

export const siteAuth: Record<string, AuthDefinition> = {
  status_show: anyone,
  help_show: anyone,
  site_read: anyone,
  license_list: anyone,
  license_show: anyone,
};
