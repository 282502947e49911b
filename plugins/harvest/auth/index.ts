// Auth functions (same names as the actions), following ckanext-harvest's default profile: reading a
// source is reading its dataset; creating one needs create_dataset in the organization; running,
// editing, and reading jobs and reports need update rights on the source's dataset (org editors and
// admins); the site-wide actions are for sysadmins.
import type { ActionContext, AuthDefinition, AuthResult, DataDict } from '../../../core/actions/types.ts';
import { NotFound } from '../../../core/errors.ts';
import { hasPermissionFor } from '../../../core/auth/authz.ts';
import { mayUpdatePackage } from '../../../core/auth/functions/package.ts';
import { jobs, objects } from '../model/repo.ts';

const who = (context: ActionContext) => context.user?.name ?? '';

async function sourceHead(context: ActionContext, data: DataDict) {
  const ref = data.__source_id ?? data.id ?? data.source_id ?? data.name;
  if (!ref) throw new NotFound('Harvest source not found');
  const head = await context.services.repos.packages.head(context.db(), String(ref));
  if (!head) throw new NotFound('Harvest source not found');
  return head;
}

async function mayUpdateSource(context: ActionContext, sourceId: string, data: DataDict = {}): Promise<AuthResult> {
  const head = await context.services.repos.packages.head(context.db(), sourceId);
  if (!head) throw new NotFound('Harvest source not found');
  const verdict = await mayUpdatePackage(context, head, { ...data, groups: undefined });
  if (!verdict.success) return { success: false, msg: `User ${who(context)} not authorized to manage harvest source ${sourceId}` };
  return { success: true };
}

const showSource: AuthDefinition = {
  allowAnonymous: true,
  fn: async (context, data) => {
    const head = await sourceHead(context, data);
    try {
      await context.checkAccess('package_show', { id: head.id, __package: head });
      return { success: true };
    } catch {
      return { success: false, msg: `User ${who(context)} not authorized to read harvest source ${head.id}` };
    }
  },
};

const updateSource: AuthDefinition = {
  fn: async (context, data) => mayUpdateSource(context, String(data.__source_id ?? (await sourceHead(context, data)).id)),
};

const jobAccess: AuthDefinition = {
  fn: async (context, data) => {
    let sourceId = data.__source_id as string | undefined;
    if (!sourceId && data.id) sourceId = (await jobs.get(context.db(), String(data.id)))?.source_id;
    if (!sourceId) throw new NotFound('Harvest job not found');
    const verdict = await mayUpdateSource(context, sourceId);
    return verdict.success ? verdict : { success: false, msg: `User ${who(context)} not authorized to see jobs from source ${sourceId}` };
  },
};

const objectAccess: AuthDefinition = {
  fn: async (context, data) => {
    let sourceId = data.__source_id as string | undefined;
    if (!sourceId && data.id) sourceId = (await objects.get(context.db(), String(data.id)))?.harvest_source_id;
    if (!sourceId) throw new NotFound('Harvest object not found');
    return mayUpdateSource(context, sourceId);
  },
};

const sysadminOnly: AuthDefinition = { fn: () => ({ success: false, msg: 'Only sysadmins can do this' }) };

export const harvestAuth: Record<string, AuthDefinition> = {
  harvest_source_show: showSource,
  harvest_source_show_status: showSource,
  harvest_source_list: { allowAnonymous: true, fn: () => true },
  harvesters_info_show: { allowAnonymous: true, fn: () => true },
  harvest_source_create: {
    fn: async (context, data) => {
      const org = data.owner_org ? await context.services.repos.groups.get(context.db(), String(data.owner_org)) : undefined;
      if (org && (await hasPermissionFor(context, org.id, 'create_dataset'))) return { success: true };
      if (!data.owner_org && context.services.config.auth.create_unowned_dataset && context.user) return { success: true };
      return { success: false, msg: `User ${who(context)} not authorized to create harvest sources` };
    },
  },
  harvest_source_update: updateSource,
  harvest_source_patch: updateSource,
  harvest_source_delete: updateSource,
  harvest_source_clear: updateSource,
  harvest_source_job_history_clear: updateSource,
  harvest_job_create: updateSource,
  harvest_job_abort: jobAccess,
  harvest_job_show: jobAccess,
  harvest_job_report: jobAccess,
  harvest_job_list: {
    fn: async (context, data) => {
      if (!data.__source_id) return { success: false, msg: `User ${who(context)} not authorized to list jobs of all sources` };
      return mayUpdateSource(context, String(data.__source_id));
    },
  },
  harvest_object_show: objectAccess,
  harvest_object_list: updateSource,
  harvest_sources_job_history_clear: sysadminOnly,
  harvest_job_create_all: sysadminOnly,
  harvest_jobs_run: sysadminOnly,
};
