// The only code that writes SQL for the harvest_ tables.
import type { Knex } from 'knex';
import { pgTimestampToIso } from '../../../core/clock.ts';
import type { Msg } from '../i18n/messages.ts';

export type Db = Knex | Knex.Transaction;

export type JobStatus = 'New' | 'Running' | 'Finished' | 'Aborted';
export type ReportStatus = 'added' | 'updated' | 'not modified' | 'deleted' | 'errored';
export type Stage = 'Gather' | 'Fetch' | 'Import';

export interface SourceRow {
  id: string;
  url: string;
  title: string | null;
  description: string | null;
  type: string;
  config: string | null;
  frequency: string;
  active: boolean;
  user_id: string | null;
  publisher_id: string | null;
  created: string;
  next_run: string | null;
}

export interface JobRow {
  id: string;
  source_id: string;
  status: JobStatus;
  created: string;
  gather_started: string | null;
  gather_finished: string | null;
  finished: string | null;
  trigger: string;
  user_id: string | null;
  runner: string | null;
  heartbeat_at: string | null;
  resumes: number;
  gather_complete: boolean;
  stats: Stats | null;
}

export interface ObjectRow {
  id: string;
  guid: string;
  harvest_job_id: string | null;
  harvest_source_id: string;
  package_id: string | null;
  current: boolean;
  state: string;
  report_status: ReportStatus | null;
  content: string | null;
  content_hash: string | null;
  original_url: string | null;
  metadata_modified_date: string | null;
  gathered: string;
  fetch_started: string | null;
  fetch_finished: string | null;
  import_started: string | null;
  import_finished: string | null;
}

export interface RecordRow {
  source_id: string;
  guid: string;
  package_id: string;
  preferred_name: string | null;
  content_hash: string | null;
  current_object_id: string | null;
  last_seen_job_id: string | null;
  state: 'active' | 'deleted';
  remote_modified: string | null;
  synced_at: string | null;
  deleted_at: string | null;
}

export interface ErrorInput {
  message: Msg;
  stage: Stage;
  level?: 'error' | 'warning';
  line?: number | null;
}

export interface Stats {
  added: number;
  updated: number;
  'not modified': number;
  errored: number;
  deleted: number;
}

export const emptyStats = (): Stats => ({ added: 0, updated: 0, 'not modified': 0, errored: 0, deleted: 0 });

export const iso = (value: string | null | undefined): string | null => pgTimestampToIso(value ?? null);

/** Chunks for multi-row statements (Postgres allows 65535 bind parameters). */
function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const sources = {
  async get(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<SourceRow | undefined> {
    const query = db<SourceRow>('harvest_source').where('id', id).first();
    if (options.forUpdate) query.forUpdate();
    return query;
  },
  async byUrl(db: Db, url: string): Promise<SourceRow | undefined> {
    return db<SourceRow>('harvest_source').where('url', url).orderBy('created', 'desc').first();
  },
  async insert(db: Db, row: SourceRow): Promise<void> {
    await db('harvest_source').insert(row);
  },
  async update(db: Db, id: string, changes: Partial<SourceRow>): Promise<void> {
    await db('harvest_source').where('id', id).update(changes);
  },
  async remove(db: Db, id: string): Promise<void> {
    await db('harvest_source').where('id', id).delete();
  },
  async list(db: Db, filter: { ids?: string[]; onlyActive?: boolean; limit?: number; offset?: number }): Promise<SourceRow[]> {
    const query = db<SourceRow>('harvest_source').orderBy('created', 'desc');
    if (filter.ids) query.whereIn('id', filter.ids);
    if (filter.onlyActive) query.where('active', true);
    if (filter.limit !== undefined) query.limit(filter.limit);
    if (filter.offset) query.offset(filter.offset);
    return query;
  },
  /** Active scheduled sources that are due, locked so one process schedules each. */
  async due(db: Db, now: string): Promise<SourceRow[]> {
    return db<SourceRow>('harvest_source')
      .where('active', true)
      .whereNot('frequency', 'MANUAL')
      .where((q) => q.whereNull('next_run').orWhere('next_run', '<=', now))
      .orderBy('next_run')
      .forUpdate()
      .skipLocked();
  },
  /** Other sources with the same normalised URL (ckanext-harvest's duplicate check). */
  async withUrlLike(db: Db, exceptId: string | null): Promise<Array<Pick<SourceRow, 'id' | 'url' | 'config'>>> {
    const query = db('harvest_source').where('active', true).select('id', 'url', 'config');
    if (exceptId) query.whereNot('id', exceptId);
    return query;
  },
};

export const jobs = {
  /** Insert a New job unless the source already has one New or Running; false then. */
  async insertNew(db: Db, row: Pick<JobRow, 'id' | 'source_id' | 'created' | 'trigger' | 'user_id'>): Promise<boolean> {
    const { rows } = await db.raw<{ rows: Array<{ id: string }> }>(
      `insert into harvest_job (id, source_id, status, created, trigger, user_id)
       values (?, ?, 'New', ?::timestamp, ?, ?)
       on conflict (source_id) where status in ('New', 'Running') do nothing
       returning id`,
      [row.id, row.source_id, row.created, row.trigger, row.user_id],
    );
    return rows.length > 0;
  },
  async get(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<JobRow | undefined> {
    const query = db<JobRow>('harvest_job').where('id', id).first();
    if (options.forUpdate) query.forUpdate();
    return query;
  },
  async update(db: Db, id: string, changes: Partial<JobRow>): Promise<number> {
    const values: Record<string, unknown> = { ...changes };
    if (changes.stats !== undefined) values.stats = changes.stats === null ? null : JSON.stringify(changes.stats);
    return db('harvest_job').where('id', id).update(values);
  },
  async active(db: Db, sourceId: string): Promise<JobRow | undefined> {
    return db<JobRow>('harvest_job').where('source_id', sourceId).whereIn('status', ['New', 'Running']).first();
  },
  async latest(db: Db, sourceId: string): Promise<JobRow | undefined> {
    return db<JobRow>('harvest_job').where('source_id', sourceId).orderBy('created', 'desc').first();
  },
  async list(db: Db, filter: { sourceId?: string; sourceIds?: string[]; status?: string; limit?: number; offset?: number }): Promise<JobRow[]> {
    const query = db<JobRow>('harvest_job').orderBy('created', 'desc');
    if (filter.sourceId) query.where('source_id', filter.sourceId);
    if (filter.sourceIds) query.whereIn('source_id', filter.sourceIds);
    if (filter.status) query.where('status', filter.status);
    if (filter.limit !== undefined) query.limit(filter.limit);
    if (filter.offset) query.offset(filter.offset);
    return query;
  },
  async count(db: Db, sourceId: string): Promise<number> {
    const row = await db('harvest_job').where('source_id', sourceId).count<{ count: number }[]>('* as count').first();
    return Number(row?.count ?? 0);
  },
  /** The newest Finished job, other than `exceptId`, with no error of any kind (incremental harvesting). */
  async lastErrorFree(db: Db, sourceId: string, exceptId: string): Promise<JobRow | undefined> {
    return db('harvest_job as j')
      .where({ 'j.source_id': sourceId, 'j.status': 'Finished' })
      .whereNot('j.id', exceptId)
      .whereNotExists((q) => q.select(db.raw('1')).from('harvest_gather_error as g').whereRaw('g.harvest_job_id = j.id').where('g.level', 'error'))
      .whereNotExists((q) =>
        q
          .select(db.raw('1'))
          .from('harvest_object as o')
          .whereRaw('o.harvest_job_id = j.id')
          .where((w) => w.where('o.report_status', 'errored').orWhereExists((e) => e.select(db.raw('1')).from('harvest_object_error as e').whereRaw('e.harvest_object_id = o.id').where('e.level', 'error'))),
      )
      .orderBy('j.created', 'desc')
      .first('j.*');
  },
  /** The newest job whose gather listed the whole source without an error. */
  async lastComplete(db: Db, sourceId: string): Promise<JobRow | undefined> {
    return db<JobRow>('harvest_job').where({ source_id: sourceId, gather_complete: true }).orderBy('created', 'desc').first();
  },
  /** New or Running jobs (for the watchdog). */
  async unfinished(db: Db): Promise<JobRow[]> {
    return db<JobRow>('harvest_job').whereIn('status', ['New', 'Running']);
  },
  async stats(db: Db, jobId: string): Promise<Stats> {
    const stats = emptyStats();
    const rows: Array<{ report_status: ReportStatus | null; count: number }> = await db('harvest_object')
      .where('harvest_job_id', jobId)
      .groupBy('report_status')
      .select('report_status')
      .count('* as count');
    for (const row of rows) if (row.report_status) stats[row.report_status] = Number(row.count);
    // As ckanext-harvest: objects with errors count as errored (even when imported), plus gather errors.
    const withErrors = await db('harvest_object_error as e')
      .join('harvest_object as o', 'o.id', 'e.harvest_object_id')
      .where({ 'o.harvest_job_id': jobId, 'e.level': 'error' })
      .countDistinct<{ count: number }[]>('e.harvest_object_id as count')
      .first();
    if (Number(withErrors?.count ?? 0) > 0) stats.errored = Math.max(stats.errored, Number(withErrors!.count));
    const gather = await db('harvest_gather_error').where({ harvest_job_id: jobId, level: 'error' }).count<{ count: number }[]>('* as count').first();
    stats.errored += Number(gather?.count ?? 0);
    return stats;
  },
  async errorSummaries(db: Db, jobId: string, limit = 20): Promise<{ object: Array<[string, number]>; gather: Array<[string, number]> }> {
    const object = (await db('harvest_object_error as e')
      .join('harvest_object as o', 'o.id', 'e.harvest_object_id')
      .where('o.harvest_job_id', jobId)
      .groupBy('e.message')
      .select('e.message')
      .count('* as count')
      .orderBy('count', 'desc')
      .limit(limit)) as unknown as Array<{ message: string; count: number }>;
    const gather = (await db('harvest_gather_error')
      .where('harvest_job_id', jobId)
      .groupBy('message')
      .select('message')
      .count('* as count')
      .orderBy('count', 'desc')
      .limit(limit)) as unknown as Array<{ message: string; count: number }>;
    return { object: object.map((row) => [row.message, Number(row.count)]), gather: gather.map((row) => [row.message, Number(row.count)]) };
  },
  async gatherErrors(db: Db, jobId: string): Promise<Array<{ id: string; message: string; message_vi: string | null; level: string; created: string }>> {
    return db('harvest_gather_error').where('harvest_job_id', jobId).orderBy('created').select('id', 'message', 'message_vi', 'level', 'created');
  },
  async addGatherError(db: Db, id: string, jobId: string, error: Omit<ErrorInput, 'stage'>, created: string): Promise<void> {
    await db('harvest_gather_error').insert({ id, harvest_job_id: jobId, message: error.message.en, message_vi: error.message.vi, level: error.level ?? 'error', created });
  },
  /** Delete all but the newest `keep` finished jobs of a source; current objects survive (job set null). */
  async prune(db: Db, sourceId: string, keep: number): Promise<number> {
    const old: Array<{ id: string }> = await db('harvest_job')
      .where('source_id', sourceId)
      .whereIn('status', ['Finished', 'Aborted'])
      .orderBy('created', 'desc')
      .offset(keep)
      .select('id');
    if (!old.length) return 0;
    const ids = old.map((row) => row.id);
    for (const part of chunks(ids, 500)) {
      await db('harvest_object').whereIn('harvest_job_id', part).where('current', false).delete();
      await db('harvest_job').whereIn('id', part).delete();
    }
    return ids.length;
  },
  async clearHistory(db: Db, sourceId: string): Promise<void> {
    await db('harvest_object').where('harvest_source_id', sourceId).delete();
    await db('harvest_job').where('source_id', sourceId).delete();
    await db('harvest_record').where('source_id', sourceId).update({ current_object_id: null, last_seen_job_id: null });
  },
};

export const objects = {
  async insertMany(db: Db, rows: ObjectRow[]): Promise<void> {
    for (const part of chunks(rows, 300)) await db('harvest_object').insert(part);
  },
  async get(db: Db, id: string): Promise<ObjectRow | undefined> {
    return db<ObjectRow>('harvest_object').where('id', id).first();
  },
  async currentForPackage(db: Db, packageId: string): Promise<ObjectRow | undefined> {
    return db<ObjectRow>('harvest_object').where({ package_id: packageId, current: true }).first();
  },
  /** The previous current object of a record stops being current and drops its content. */
  async retire(db: Db, id: string): Promise<void> {
    await db('harvest_object').where('id', id).update({ current: false, content: null });
  },
  async retireMany(db: Db, ids: string[]): Promise<void> {
    for (const part of chunks(ids, 1000)) await db('harvest_object').whereIn('id', part).update({ current: false, content: null });
  },
  async guidsOfJob(db: Db, jobId: string): Promise<Set<string>> {
    const rows: Array<{ guid: string }> = await db('harvest_object').where('harvest_job_id', jobId).select('guid');
    return new Set(rows.map((row) => row.guid));
  },
  async errors(db: Db, objectIds: string[]): Promise<Array<{ id: string; harvest_object_id: string; message: string; message_vi: string | null; stage: string; line: number | null; level: string; created: string }>> {
    if (!objectIds.length) return [];
    const out = [];
    for (const part of chunks(objectIds, 1000)) {
      out.push(...(await db('harvest_object_error').whereIn('harvest_object_id', part).orderBy('created')));
    }
    return out;
  },
  async addErrors(db: Db, rows: Array<{ id: string; objectId: string; error: ErrorInput; created: string }>): Promise<void> {
    if (!rows.length) return;
    const values = rows.map(({ id, objectId, error, created }) => ({
      id,
      harvest_object_id: objectId,
      message: error.message.en,
      message_vi: error.message.vi,
      stage: error.stage,
      line: error.line ?? null,
      level: error.level ?? 'error',
      created,
    }));
    for (const part of chunks(values, 500)) await db('harvest_object_error').insert(part);
  },
  async listForJob(db: Db, jobId: string, filter: { reportStatus?: string; limit: number; offset: number }): Promise<ObjectRow[]> {
    const query = db('harvest_object')
      .where('harvest_job_id', jobId)
      .orderBy('import_finished')
      .orderBy('id')
      .limit(filter.limit)
      .offset(filter.offset)
      .select('id', 'guid', 'harvest_job_id', 'harvest_source_id', 'package_id', 'current', 'state', 'report_status', 'original_url', 'metadata_modified_date', 'gathered', 'import_finished');
    if (filter.reportStatus) query.where('report_status', filter.reportStatus);
    return (await query) as ObjectRow[];
  },
  async idsWithErrors(db: Db, jobId: string, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await db('harvest_object as o')
      .where('o.harvest_job_id', jobId)
      .whereExists((q) => q.select(db.raw('1')).from('harvest_object_error as e').whereRaw('e.harvest_object_id = o.id'))
      .orderBy('o.id')
      .limit(limit)
      .select('o.id');
    return rows.map((row) => row.id);
  },
  async listIds(db: Db, filter: { sourceId?: string; onlyCurrent: boolean }): Promise<string[]> {
    const query = db('harvest_object').select('id');
    if (filter.sourceId) query.where('harvest_source_id', filter.sourceId);
    if (filter.onlyCurrent) query.where('current', true);
    return (await query).map((row: { id: string }) => row.id);
  },
};

export const records = {
  async getMany(db: Db, sourceId: string, guids: string[]): Promise<Map<string, RecordRow>> {
    const out = new Map<string, RecordRow>();
    for (const part of chunks(guids, 1000)) {
      const rows: RecordRow[] = await db('harvest_record').where('source_id', sourceId).whereIn('guid', part);
      for (const row of rows) out.set(row.guid, row);
    }
    return out;
  },
  async get(db: Db, sourceId: string, guid: string, options: { forUpdate?: boolean } = {}): Promise<RecordRow | undefined> {
    const query = db<RecordRow>('harvest_record').where({ source_id: sourceId, guid }).first();
    if (options.forUpdate) query.forUpdate();
    return query;
  },
  async byPackage(db: Db, packageId: string): Promise<RecordRow | undefined> {
    return db<RecordRow>('harvest_record').where('package_id', packageId).first();
  },
  async byPackages(db: Db, packageIds: string[]): Promise<RecordRow[]> {
    if (!packageIds.length) return [];
    return db<RecordRow>('harvest_record').whereIn('package_id', packageIds);
  },
  async upsert(db: Db, row: RecordRow): Promise<void> {
    await db('harvest_record').insert(row).onConflict(['source_id', 'guid']).merge();
  },
  /** Many records of one source at once (each (source, guid) at most once). */
  async upsertMany(db: Db, rows: RecordRow[]): Promise<void> {
    for (const part of chunks(rows, 300)) await db('harvest_record').insert(part).onConflict(['source_id', 'guid']).merge();
  },
  async update(db: Db, sourceId: string, guid: string, changes: Partial<RecordRow>): Promise<void> {
    await db('harvest_record').where({ source_id: sourceId, guid }).update(changes);
  },
  /** The active records of a source, narrow (deletion detection compares them with what the job listed). */
  async activeGuids(db: Db, sourceId: string): Promise<Array<Pick<RecordRow, 'source_id' | 'guid' | 'package_id' | 'content_hash'>>> {
    return db('harvest_record').where({ source_id: sourceId, state: 'active' }).orderBy('guid').select('source_id', 'guid', 'package_id', 'content_hash');
  },
  async countActive(db: Db, sourceId: string): Promise<number> {
    const row = await db('harvest_record').where({ source_id: sourceId, state: 'active' }).count<{ count: number }[]>('* as count').first();
    return Number(row?.count ?? 0);
  },
  async packageIds(db: Db, sourceId: string): Promise<string[]> {
    return (await db('harvest_record').where('source_id', sourceId).select('package_id')).map((row: { package_id: string }) => row.package_id);
  },
  async removeForPackage(db: Db, packageId: string): Promise<void> {
    await db('harvest_record').where('package_id', packageId).delete();
  },
  async removeForSource(db: Db, sourceId: string): Promise<void> {
    await db('harvest_record').where('source_id', sourceId).delete();
  },
};

/** Package rows' existence and state, in one query (which harvested datasets still exist here). */
export async function packageStates(db: Db, ids: string[]): Promise<Map<string, { state: string; name: string }>> {
  const out = new Map<string, { state: string; name: string }>();
  for (const part of chunks(ids, 1000)) {
    const rows: Array<{ id: string; state: string; name: string }> = await db('package').whereIn('id', part).select('id', 'state', 'name');
    for (const row of rows) out.set(row.id, { state: row.state, name: row.name });
  }
  return out;
}
