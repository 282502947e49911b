// harvest_source_*: a harvest source is a dataset of type "harvest" (as in ckanext-harvest) plus a
// harvest_source row holding what only the harvester needs (source_type, frequency, config, active).
// Writes go through package_create / package_update so names, organizations and auth behave as for
// any dataset; both rows are written in one transaction.
import type { ActionContext, ActionDefinition, DataDict } from '../../../core/actions/types.ts';
import { NotFound, ValidationError } from '../../../core/errors.ts';
import { asBool } from '../../../core/actions/params.ts';
import { both, M } from '../i18n/messages.ts';
import { iso, jobs, records, sources, type SourceRow } from '../model/repo.ts';
import { validateSourceFields } from '../schemas/source.ts';
import { computeNextRun } from '../services/schedule.ts';
import { abortJob } from '../services/jobs.ts';
import type { HarvestSettings } from '../settings.ts';
import { configText, findSource, maySeeSecrets, requireParam, sourceDict, sourceStatus } from './common.ts';

const PACKAGE_KEYS = ['name', 'title', 'notes', 'owner_org', 'private', 'url', 'extras', 'tags', 'groups', 'license_id', 'author', 'author_email', 'maintainer', 'maintainer_email', 'version'];

function packageDictFrom(data: DataDict, fields: { url: string; source_type: string; frequency: string }): DataDict {
  const dict: DataDict = {};
  for (const key of PACKAGE_KEYS) if (data[key] !== undefined) dict[key] = data[key];
  if (Array.isArray(dict.tags)) dict.tags = dict.tags.map((tag: DataDict | string) => (typeof tag === 'string' ? { name: tag } : { name: tag?.name }));
  if (Array.isArray(dict.groups)) dict.groups = dict.groups.map((group: DataDict | string) => (typeof group === 'string' ? { name: group } : { id: group?.id, name: group?.name }));
  dict.url = fields.url;
  dict.type = 'harvest';
  const extras = (Array.isArray(data.extras) ? data.extras : []).filter((extra: DataDict) => extra && !['source_type', 'frequency', 'config'].includes(extra.key));
  extras.push({ key: 'source_type', value: fields.source_type }, { key: 'frequency', value: fields.frequency });
  dict.extras = extras;
  return dict;
}

export function sourceActions(settings: HarvestSettings): Record<string, ActionDefinition> {
  const create: ActionDefinition = {
    doc: 'Create a harvest source: a dataset of type "harvest" plus its harvester settings.\n\n:param url: the URL of the source\n:param name: the name of the source (like a dataset name)\n:param title: (optional)\n:param notes: a description (optional)\n:param source_type: the harvester: ckan, dcat_rdf, dcat_json or agency_api (see harvesters_info_show)\n:param frequency: MANUAL (default), HOURLY, DAILY, WEEKLY, BIWEEKLY, MONTHLY, ALWAYS or a cron expression\n:param config: the harvester\'s options, a JSON object (or its text)\n:param owner_org: the organization the harvested datasets belong to\n:param active: false to keep the source from running (default true)\n:returns: the source, as harvest_source_show\n:rtype: dictionary',
    async handler(context, data) {
      const { values, errors } = await validateSourceFields(context, data, settings, null);
      if (Object.keys(errors).length) throw new ValidationError(errors);
      return context.transaction(async (trx) => {
        const pkg = await context.action('package_create', { ...packageDictFrom(data, values), ...(data.id ? { id: data.id } : {}) });
        const now = context.services.clock.now();
        const row: SourceRow = {
          id: pkg.id,
          url: values.url,
          title: pkg.title,
          description: pkg.notes,
          type: values.source_type,
          config: Object.keys(values.config).length ? JSON.stringify(values.config) : null,
          frequency: values.frequency,
          active: values.active,
          user_id: context.user?.id ?? null,
          publisher_id: pkg.owner_org,
          created: context.services.clock.nowIso(),
          next_run: computeNextRun(values.frequency, now, null, settings),
        };
        await sources.insert(trx, row);
        return sourceDict(context, (await findSource(context, pkg.id))!);
      });
    },
  };

  const update: ActionDefinition = {
    access: 'manual',
    doc: 'Update a harvest source. The dataset fields are replaced as package_update does; source_type and url are required; frequency and config keep their value when not given (a masked secret sent back keeps the stored one).\n\n:param id: the id or name of the source\n:returns: the source, as harvest_source_show\n:rtype: dictionary',
    async handler(context, data) {
      const ref = requireParam(data, 'id', 'name');
      return context.transaction(async (trx) => {
        const loaded = await findSource(context, ref);
        await context.checkAccess('harvest_source_update', { ...data, __source_id: loaded.row.id });
        const { values, errors } = await validateSourceFields(context, data, settings, loaded.row);
        if (Object.keys(errors).length) throw new ValidationError(errors);
        const pkg = await context.action('package_update', { ...packageDictFrom(data, values), id: loaded.row.id });
        const frequencyChanged = values.frequency !== loaded.row.frequency;
        const changes: Partial<SourceRow> = {
          url: values.url,
          title: pkg.title,
          description: pkg.notes,
          type: values.source_type,
          config: Object.keys(values.config).length ? JSON.stringify(values.config) : null,
          frequency: values.frequency,
          active: values.active,
          publisher_id: pkg.owner_org,
        };
        if (frequencyChanged || (!loaded.row.active && values.active)) changes.next_run = computeNextRun(values.frequency, context.services.clock.now(), null, settings);
        await sources.update(trx, loaded.row.id, changes);
        if (!values.active) {
          const pending = await jobs.list(trx, { sourceId: loaded.row.id, status: 'New' });
          for (const job of pending) await abortJob(trx, job.id, M.sourceDeactivated, context.services.clock.nowIso());
        }
        return sourceDict(context, (await findSource(context, loaded.row.id))!);
      });
    },
  };

  const patch: ActionDefinition = {
    access: 'manual',
    doc: 'Patch a harvest source: only the given keys change.\n\n:param id: the id or name of the source\n:returns: the source\n:rtype: dictionary',
    async handler(context, data) {
      const ref = requireParam(data, 'id', 'name');
      const loaded = await findSource(context, ref);
      await context.checkAccess('harvest_source_patch', { ...data, __source_id: loaded.row.id });
      const current = await sourceDict(context, loaded);
      const secrets = await maySeeSecrets(context, loaded.view.owner_org);
      const merged: DataDict = { ...current, config: configText(loaded, secrets), ...data, id: loaded.row.id };
      delete merged.status;
      return context.action('harvest_source_update', merged);
    },
  };

  const show: ActionDefinition = {
    sideEffectFree: true,
    access: 'manual',
    doc: 'Show a harvest source: its dataset with url, source_type, frequency, config (credentials only for sysadmins and organization admins), active and status.\n\n:param id: the id or name of the source (or url)\n:rtype: dictionary',
    async handler(context, data) {
      let ref = data.id ?? data.name_or_id ?? data.name;
      if (!ref && data.url) {
        const byUrl = await sources.byUrl(context.db(), String(data.url));
        if (!byUrl) throw new NotFound('Harvest source not found');
        ref = byUrl.id;
      }
      if (!ref) throw new ValidationError({ id: ['Missing value'] });
      const loaded = await findSource(context, String(ref));
      await context.checkAccess('harvest_source_show', { id: loaded.row.id });
      return sourceDict(context, loaded);
    },
  };

  const showStatus: ActionDefinition = {
    sideEffectFree: true,
    access: 'manual',
    doc: 'Status of a harvest source: job_count, last_job (with stats) and total_datasets.\n\n:param id: the id or name of the source',
    async handler(context, data) {
      const loaded = await findSource(context, requireParam(data, 'id', 'source_id'));
      await context.checkAccess('harvest_source_show_status', { id: loaded.row.id });
      return sourceStatus(context, loaded.row.id);
    },
  };

  const list: ActionDefinition = {
    sideEffectFree: true,
    doc: 'List harvest sources the caller can see (as ckanext-harvest: id, url, title, type, frequency, active, config, status…).\n\n:param organization_id: only the sources of this organization\n:param only_active: only active sources\n:param return_last_job_status: include the last job\n:param limit, offset: paging (default 100)\n:rtype: list of dictionaries',
    async handler(context, data) {
      const db = context.db();
      const limit = Math.min(Number(data.limit ?? 100) || 100, 1000);
      const offset = Math.max(Number(data.offset ?? 0) || 0, 0);
      let rows = await sources.list(db, { onlyActive: asBool(data.only_active) });
      if (data.organization_id) {
        const org = await context.services.repos.groups.get(db, String(data.organization_id));
        rows = rows.filter((row) => org && row.publisher_id === org.id);
      }
      const out: DataDict[] = [];
      for (const row of rows) {
        const loaded = await findSource(context, row.id);
        if (loaded.pkg?.state === 'deleted' && !asBool(data.include_deleted)) continue;
        try {
          await context.checkAccess('harvest_source_show', { id: row.id });
        } catch {
          continue;
        }
        out.push(await listEntry(context, loaded, asBool(data.return_last_job_status)));
      }
      return out.slice(offset, offset + limit);
    },
  };

  const remove: ActionDefinition = {
    access: 'manual',
    doc: 'Delete a harvest source: its dataset is deleted, the source stops running and its New jobs are aborted. Harvested datasets stay unless clear_source is true.\n\n:param id: the id or name of the source\n:param clear_source: also purge every dataset harvested from it (harvest_source_clear)',
    async handler(context, data) {
      const loaded = await findSource(context, requireParam(data, 'id', 'name'));
      await context.checkAccess('harvest_source_delete', { __source_id: loaded.row.id });
      if (asBool(data.clear_source)) await context.action('harvest_source_clear', { id: loaded.row.id });
      await context.action('package_delete', { id: loaded.row.id });
      return null;
    },
  };

  const clear: ActionDefinition = {
    access: 'manual',
    doc: 'Clear a harvest source: purge every dataset harvested from it and delete its jobs, objects and errors; the source itself stays.\n\n:param id: the id or name of the source\n:returns: {id}',
    async handler(context, data) {
      const loaded = await findSource(context, requireParam(data, 'id', 'name'));
      const id = loaded.row.id;
      await context.checkAccess('harvest_source_clear', { __source_id: id });
      const { knex, clock } = context.services;
      const running = await jobs.active(knex, id);
      if (running) await abortJob(knex, running.id, M.abortedBy(context.user?.name ?? 'harvest_source_clear'), clock.nowIso());
      // One transaction per dataset: a large source is cleared in steps, never left half-purged.
      for (const packageId of await records.packageIds(knex, id)) {
        try {
          await context.action('dataset_purge', { id: packageId });
        } catch (err) {
          if (!(err instanceof NotFound)) throw err;
        }
      }
      await context.transaction(async (trx) => {
        await records.removeForSource(trx, id);
        await jobs.clearHistory(trx, id);
      });
      return { id };
    },
  };

  const historyClear: ActionDefinition = {
    access: 'manual',
    doc: 'Delete the jobs, objects and errors of a harvest source; its datasets (and their identity, so the next run updates them) stay.\n\n:param id: the id or name of the source\n:returns: {id}',
    async handler(context, data) {
      const loaded = await findSource(context, requireParam(data, 'id', 'name'));
      await context.checkAccess('harvest_source_job_history_clear', { __source_id: loaded.row.id });
      return clearHistory(context, loaded.row.id);
    },
  };

  const historyClearAll: ActionDefinition = {
    doc: 'harvest_source_job_history_clear for every source (sysadmins).\n\n:rtype: list of {id}',
    async handler(context) {
      const out = [];
      for (const row of await sources.list(context.db(), {})) {
        if (await jobs.active(context.db(), row.id)) continue;
        out.push(await clearHistory(context, row.id));
      }
      return out;
    },
  };

  return {
    harvest_source_create: create,
    harvest_source_update: update,
    harvest_source_patch: patch,
    harvest_source_show: show,
    harvest_source_show_status: showStatus,
    harvest_source_list: list,
    harvest_source_delete: remove,
    harvest_source_clear: clear,
    harvest_source_job_history_clear: historyClear,
    harvest_sources_job_history_clear: historyClearAll,
  };
}

async function clearHistory(context: ActionContext, sourceId: string) {
  return context.transaction(async (trx) => {
    if (await jobs.active(trx, sourceId)) throw new ValidationError({ id: [both({ en: 'A job of this source is New or Running; abort it first', vi: 'Nguồn này có lần thu thập đang chờ hoặc đang chạy; hãy hủy trước' })] });
    await jobs.clearHistory(trx, sourceId);
    return { id: sourceId };
  });
}

/** ckanext-harvest's harvest_source_dictize. */
async function listEntry(context: ActionContext, loaded: Awaited<ReturnType<typeof findSource>>, lastJobStatus: boolean): Promise<DataDict> {
  const { row } = loaded;
  const db = context.db();
  const secrets = await maySeeSecrets(context, loaded.view.owner_org);
  const count = await jobs.count(db, row.id);
  const pending = count ? await jobs.active(db, row.id) : undefined;
  const lastFinished = count ? (await jobs.list(db, { sourceId: row.id, status: 'Finished', limit: 1 }))[0] : undefined;
  const org = row.publisher_id ? await context.services.repos.groups.get(db, row.publisher_id) : undefined;
  const out: DataDict = {
    id: row.id,
    name: loaded.view.name,
    url: row.url,
    title: row.title,
    description: row.description,
    config: configText(loaded, secrets),
    created: iso(row.created),
    type: row.type,
    active: row.active && loaded.pkg?.state !== 'deleted',
    user_id: row.user_id,
    publisher_id: row.publisher_id,
    publisher_title: org?.title ?? '',
    frequency: row.frequency,
    next_run: iso(row.next_run),
    status: count
      ? {
          job_count: count,
          next_harvest: pending ? 'Scheduled' : 'Not yet scheduled',
          last_harvest_request: lastFinished ? iso(lastFinished.gather_finished) : 'Not yet harvested',
        }
      : { job_count: 0, next_harvest: '', last_harvest_request: '', msg: 'No jobs yet' },
  };
  if (lastJobStatus) out.last_job_status = (await sourceStatus(context, row.id)).last_job ?? {};
  return out;
}
