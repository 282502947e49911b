// harvest_job_*, harvest_object_*, harvesters_info_show and harvest_jobs_run, with ckanext-harvest's
// parameters and result shapes (plus paging where ckanext-harvest has none, and both languages in
// the report).
import type { ActionDefinition, DataDict } from '../../../core/actions/types.ts';
import { NotFound, ValidationError } from '../../../core/errors.ts';
import { asBool } from '../../../core/actions/params.ts';
import { pagingParams } from '../../../core/actions/package/index.ts';
import { M } from '../i18n/messages.ts';
import { HARVESTERS, fullConfigSpec } from '../harvesters/index.ts';
import { iso, jobs, objects, records, sources, type ObjectRow } from '../model/repo.ts';
import { describeSpec } from '../schemas/config-spec.ts';
import { abortJob, createJob, jobDict } from '../services/jobs.ts';
import { tick } from '../services/scheduler.ts';
import type { HarvestSettings } from '../settings.ts';
import { findJob, findSource, requireParam } from './common.ts';

const REPORT_STATUSES = ['added', 'updated', 'not modified', 'deleted', 'errored'];

function objectDict(row: ObjectRow, errors: DataDict[]): DataDict {
  return {
    id: row.id,
    guid: row.guid,
    current: row.current,
    gathered: iso(row.gathered),
    fetch_started: iso(row.fetch_started),
    fetch_finished: iso(row.fetch_finished),
    import_started: iso(row.import_started),
    import_finished: iso(row.import_finished),
    state: row.state,
    report_status: row.report_status,
    metadata_modified_date: iso(row.metadata_modified_date),
    retry_times: 0,
    harvest_job_id: row.harvest_job_id,
    harvest_source_id: row.harvest_source_id,
    package_id: row.package_id,
    content: row.content,
    content_hash: row.content_hash,
    original_url: row.original_url,
    source: row.harvest_source_id,
    job: row.harvest_job_id,
    package: row.package_id,
    errors,
    extras: {},
  };
}

function errorDict(error: { id: string; harvest_object_id: string; message: string; message_vi: string | null; stage: string; line: number | null; level: string; created: string }): DataDict {
  return { id: error.id, harvest_object_id: error.harvest_object_id, message: error.message, message_vi: error.message_vi, stage: error.stage, line: error.line, level: error.level, created: iso(error.created) };
}

export function jobActions(settings: HarvestSettings): Record<string, ActionDefinition> {
  return {
    harvest_job_create: {
      access: 'manual',
      doc: 'Start a harvest job for a source now (a background worker runs it). Conflict (409) when the source already has a New or Running job, from any process.\n\n:param source_id: the id or name of the source\n:rtype: the job dictionary',
      async handler(context, data) {
        const loaded = await findSource(context, requireParam(data, 'source_id', 'id'));
        await context.checkAccess('harvest_job_create', { __source_id: loaded.row.id });
        if (loaded.pkg?.state === 'deleted') throw new ValidationError({ source_id: [M.sourceInactive.en + ' / ' + M.sourceInactive.vi] });
        const job = await createJob(context, loaded.row.id, { trigger: 'manual', userId: context.user?.id ?? null });
        return jobDict(context.db(), job);
      },
    },

    harvest_job_create_all: {
      doc: 'Start a job for every active source that has none New or Running (sysadmins).\n\n:rtype: list of job dictionaries',
      async handler(context) {
        const out = [];
        for (const row of await sources.list(context.db(), { onlyActive: true })) {
          if (await jobs.active(context.db(), row.id)) continue;
          try {
            out.push(await jobDict(context.db(), await createJob(context, row.id, { trigger: 'manual', userId: context.user?.id ?? null })));
          } catch (err) {
            if (!(err instanceof ValidationError)) throw err;
          }
        }
        return out;
      },
    },

    harvest_job_list: {
      sideEffectFree: true,
      access: 'manual',
      doc: 'List the jobs of a source, newest first, with stats.\n\n:param source_id: the id or name of the source\n:param status: New, Running, Finished or Aborted\n:param limit: (default 100, at most 1000)\n:param offset:\n:rtype: list of job dictionaries',
      async handler(context, data) {
        const { limit, offset } = pagingParams(data, ['limit', 'offset']);
        let sourceId: string | undefined;
        if (data.source_id) sourceId = (await findSource(context, String(data.source_id))).row.id;
        if (sourceId) await context.checkAccess('harvest_job_list', { __source_id: sourceId });
        else if (!context.ignoreAuth && !context.user?.sysadmin) await context.checkAccess('harvest_job_list', {});
        const rows = await jobs.list(context.db(), { sourceId, status: data.status ? String(data.status) : undefined, limit: Math.min(limit ?? 100, 1000), offset });
        return Promise.all(rows.map((job) => jobDict(context.db(), job)));
      },
    },

    harvest_job_show: {
      sideEffectFree: true,
      access: 'manual',
      doc: 'Show a harvest job: times, status, stats and the most frequent errors.\n\n:param id: the job id\n:rtype: dictionary',
      async handler(context, data) {
        const job = await findJob(context, requireParam(data, 'id'));
        await context.checkAccess('harvest_job_show', { __source_id: job.source_id });
        return jobDict(context.db(), job, { summaries: true });
      },
    },

    harvest_job_report: {
      sideEffectFree: true,
      access: 'manual',
      doc: 'The report of a job: gather errors, errors per object (stage Gather, Fetch or Import, in English and Vietnamese), and every object with its outcome (added, updated, not modified, deleted, errored).\n\n:param id: the job id\n:param report_status: only objects with this outcome\n:param limit: objects per page (default 1000, at most 10000)\n:param offset:\n:rtype: {job, stats, gather_errors, object_errors, objects}',
      async handler(context, data) {
        const job = await findJob(context, requireParam(data, 'id'));
        await context.checkAccess('harvest_job_report', { __source_id: job.source_id });
        const { limit, offset } = pagingParams(data, ['limit', 'offset']);
        if (data.report_status !== undefined && !REPORT_STATUSES.includes(String(data.report_status))) {
          throw new ValidationError({ report_status: [`Must be one of: ${REPORT_STATUSES.join(', ')}`] });
        }
        const db = context.db();
        const gather = await jobs.gatherErrors(db, job.id);
        const errorIds = await objects.idsWithErrors(db, job.id, 10000);
        const errors = await objects.errors(db, errorIds);
        const guids = new Map<string, { guid: string; original_url: string | null; report_status: string | null; package_id: string | null }>();
        if (errorIds.length) {
          const rows: ObjectRow[] = await db('harvest_object').whereIn('id', errorIds).select('id', 'guid', 'original_url', 'report_status', 'package_id');
          for (const row of rows) guids.set(row.id, row);
        }
        const objectErrors: Record<string, DataDict> = {};
        for (const error of errors) {
          const meta = guids.get(error.harvest_object_id);
          const entry = (objectErrors[error.harvest_object_id] ??= {
            guid: meta?.guid ?? null,
            original_url: meta?.original_url ?? null,
            report_status: meta?.report_status ?? null,
            package_id: meta?.package_id ?? null,
            errors: [],
          });
          entry.errors.push({ message: error.message, message_vi: error.message_vi, line: error.line, type: error.stage, level: error.level });
        }
        const list = await objects.listForJob(db, job.id, { reportStatus: data.report_status ? String(data.report_status) : undefined, limit: Math.min(limit ?? 1000, 10000), offset: offset ?? 0 });
        return {
          job: await jobDict(db, job),
          stats: (await jobDict(db, job)).stats,
          gather_errors: gather.map((error) => ({ message: error.message, message_vi: error.message_vi, level: error.level, created: iso(error.created) })),
          object_errors: objectErrors,
          objects: list.map((row) => ({
            id: row.id,
            guid: row.guid,
            report_status: row.report_status,
            package_id: row.package_id,
            current: row.current,
            original_url: row.original_url,
            import_finished: iso(row.import_finished),
          })),
        };
      },
    },

    harvest_job_abort: {
      access: 'manual',
      doc: 'Abort a job (New or Running): it is marked Aborted with the reason in its report; a running job stops at its next heartbeat, after the record it is writing.\n\n:param id: the job id, or the id or name of a source (its latest job)\n:param source_id: the id or name of a source (its latest job)\n:rtype: the job dictionary',
      async handler(context, data) {
        const ref = requireParam(data, 'source_id', 'id');
        let job = data.source_id ? undefined : await jobs.get(context.db(), ref);
        if (!job) {
          const loaded = await findSource(context, ref).catch(() => null);
          if (!loaded) throw new NotFound(`Harvest job ${ref} does not exist`);
          job = await jobs.latest(context.db(), loaded.row.id);
          if (!job) throw new NotFound('Error: source has no jobs');
        }
        await context.checkAccess('harvest_job_abort', { __source_id: job.source_id });
        await abortJob(context.services.knex, job.id, M.abortedBy(context.user?.name ?? 'system'), context.services.clock.nowIso());
        return jobDict(context.db(), (await jobs.get(context.db(), job.id))!);
      },
    },

    harvest_jobs_run: {
      doc: 'Run the harvest scheduler once now: start jobs of due sources, resume jobs whose process stopped, close overdue ones. Kho does this by itself every harvest.scheduler_interval_ms; this is for compatibility with ckanext-harvest (sysadmins).\n\n:rtype: list (empty)',
      async handler(context) {
        await tick(context.services, settings, context.services.logger.child({ plugin: 'harvest' }));
        return [];
      },
    },

    harvest_object_show: {
      sideEffectFree: true,
      access: 'manual',
      doc: 'Show a harvest object (the record as fetched, its outcome and errors).\n\n:param id: the object id\n:param dataset_id: or the id or name of a harvested dataset (its current object)\n:rtype: dictionary',
      async handler(context, data) {
        const db = context.db();
        let row: ObjectRow | undefined;
        let syncedAt: string | null = null;
        if (data.id) row = await objects.get(db, String(data.id));
        else if (data.dataset_id) {
          const pkg = await context.services.repos.packages.get(db, String(data.dataset_id));
          if (!pkg) throw new NotFound('Dataset not found');
          const record = await records.byPackage(db, pkg.id);
          syncedAt = record?.synced_at ?? null;
          // An active record was confirmed by every complete gather since it was written (R52's last_sync_at).
          if (record?.state === 'active') {
            const confirmed = await jobs.lastComplete(db, record.source_id);
            if (confirmed?.gather_finished && (!syncedAt || confirmed.gather_finished > syncedAt)) syncedAt = confirmed.gather_finished;
          }
          row = record?.current_object_id ? await objects.get(db, record.current_object_id) : await objects.currentForPackage(db, pkg.id);
        } else throw new ValidationError({ message: 'Please provide either an "id" or a "dataset_id" parameter' });
        if (!row) throw new NotFound('Harvest object not found');
        await context.checkAccess('harvest_object_show', { __source_id: row.harvest_source_id });
        const errors = (await objects.errors(db, [row.id])).map(errorDict);
        const out = objectDict(row, errors);
        if (data.dataset_id) out.last_sync_at = iso(syncedAt);
        return out;
      },
    },

    harvest_object_list: {
      sideEffectFree: true,
      access: 'manual',
      doc: 'Ids of the harvest objects of a source.\n\n:param source_id: the id or name of the source\n:param only_current: only the current object of each dataset (default true)\n:rtype: list of strings',
      async handler(context, data) {
        const loaded = await findSource(context, requireParam(data, 'source_id'));
        await context.checkAccess('harvest_object_list', { __source_id: loaded.row.id });
        return objects.listIds(context.db(), { sourceId: loaded.row.id, onlyCurrent: data.only_current === undefined ? true : asBool(data.only_current) });
      },
    },

    harvesters_info_show: {
      sideEffectFree: true,
      doc: 'The harvesters installed: name, title, description, and their config options (type, description in English and Vietnamese).\n\n:rtype: list of dictionaries',
      handler() {
        return [...HARVESTERS.values()].map((harvester) => ({
          ...harvester.info,
          show_config: true,
          config_options: describeSpec(fullConfigSpec(harvester)),
        }));
      },
    },
  };
}
