// National mode: federation_member_* (sysadmins), federation_sync and federation_status. A member
// is a parent organization (its namespace) plus a harvest source of the member's protocol, so its
// jobs, objects, errors and retention are the harvest plugin's, visible with harvest_job_report.
import { randomUUID } from 'node:crypto';
import type { ActionContext, ActionDefinition, AuthDefinition, DataDict } from '../../../core/actions/types.ts';
import { NotFound, ValidationError } from '../../../core/errors.ts';
import { both, MEMBER } from '../i18n/messages.ts';
import type { FederationSettings } from '../settings.ts';
import { isoTimestamp } from '../services/timestamps.ts';

const PROTOCOLS: Record<string, string> = { kho_feed: 'kho_feed', ckan: 'federation_ckan', dcat: 'federation_dcat' };
const NAME = /^[a-z0-9_-]{2,60}$/;

interface MemberRow {
  id: string;
  name: string;
  title: string;
  url: string;
  protocol: string;
  source_id: string;
  parent_org_id: string;
  namespace: string;
  created: string;
  modified: string;
}

async function load(context: ActionContext, id: unknown): Promise<MemberRow> {
  if (!id) throw new ValidationError({ id: [both(MEMBER.notFound)] });
  const row = await context.db()('federation_member').where('id', String(id)).orWhere('name', String(id)).first();
  if (!row) throw new NotFound(both(MEMBER.notFound));
  return row;
}

function sourceConfig(protocol: string, data: DataDict, name: string, namespace: string): DataDict {
  if (protocol === 'dcat') return { member: name, namespace };
  return { member: name, namespace, ...(data.api_key ? { api_key: String(data.api_key) } : {}) };
}

async function memberDict(context: ActionContext, row: MemberRow): Promise<DataDict> {
  const source = await context.action('harvest_source_show', { id: row.source_id });
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    url: row.url,
    protocol: row.protocol,
    namespace: row.namespace,
    organization: row.parent_org_id,
    schedule: source.frequency,
    active: source.active,
    harvest_source_id: row.source_id,
    config: source.config,
    created: String(row.created).replace(' ', 'T'),
    modified: String(row.modified).replace(' ', 'T'),
  };
}

export function memberActions(settings: FederationSettings): Record<string, ActionDefinition> {
  return {
    federation_member_create: {
      doc: 'Add a member (a province or ministry) to pull.\n\n:param name: short name, also its organization namespace unless namespace is given\n:param title:\n:param url: the member\'s site\n:param protocol: kho_feed (default), ckan or dcat\n:param api_key: credentials sent to the member (optional)\n:param schedule: a harvest frequency (HOURLY by default, or a cron expression)\n:param namespace: prefix of the member\'s organizations here\n:rtype: dictionary',
      async handler(context, data) {
        const name = String(data.name ?? '').trim();
        const protocol = String(data.protocol ?? 'kho_feed');
        const errors: Record<string, string[]> = {};
        if (!NAME.test(name)) errors.name = [both(MEMBER.name)];
        if (!PROTOCOLS[protocol]) errors.protocol = [both(MEMBER.protocol)];
        if (!/^https?:\/\/\S+$/i.test(String(data.url ?? ''))) errors.url = [both(MEMBER.url)];
        const namespace = String(data.namespace ?? name);
        if (!NAME.test(namespace)) errors.namespace = [both(MEMBER.name)];
        if (Object.keys(errors).length) throw new ValidationError(errors);
        return context.transaction(async (trx) => {
          if (await trx('federation_member').where('name', name).first()) throw new ValidationError({ name: [both(MEMBER.exists)] });
          const title = String(data.title ?? name);
          const parent =
            (await context.action('organization_show', { id: namespace, include_datasets: false }, { ignoreAuth: true }).catch(() => null)) ??
            (await context.action('organization_create', { name: namespace, title, extras: [{ key: 'federation_member', value: name }] }));
          const url = String(data.url).replace(/\/+$/, '');
          const source = await inMemberTerms(context.action('harvest_source_create', {
            name: `federation-${name}`,
            title: `${title} (federation)`,
            url: protocol === 'dcat' ? `${url}/catalog.rdf` : url,
            source_type: PROTOCOLS[protocol],
            frequency: data.schedule ?? 'HOURLY',
            owner_org: parent.id,
            config: sourceConfig(protocol, data, name, namespace),
          }));
          const now = context.services.clock.nowIso();
          const row: MemberRow = { id: randomUUID(), name, title, url, protocol, source_id: source.id, parent_org_id: parent.id, namespace, created: now, modified: now };
          await trx('federation_member').insert(row);
          return memberDict(context, row);
        });
      },
    },
    federation_member_update: {
      doc: 'Change a member: title, url, api_key, schedule, active.\n\n:param id: id or name\n:rtype: dictionary',
      async handler(context, data) {
        const row = await load(context, data.id);
        return context.transaction(async (trx) => {
          const patch: DataDict = { id: row.source_id };
          if (data.url !== undefined) {
            if (!/^https?:\/\/\S+$/i.test(String(data.url))) throw new ValidationError({ url: [both(MEMBER.url)] });
            row.url = String(data.url).replace(/\/+$/, '');
            patch.url = row.protocol === 'dcat' ? `${row.url}/catalog.rdf` : row.url;
          }
          if (data.schedule !== undefined) patch.frequency = data.schedule;
          if (data.active !== undefined) patch.active = data.active;
          if (data.api_key !== undefined) patch.config = sourceConfig(row.protocol, data, row.name, row.namespace);
          if (data.title !== undefined) row.title = String(data.title);
          await inMemberTerms(context.action('harvest_source_patch', patch));
          row.modified = context.services.clock.nowIso();
          await trx('federation_member').where('id', row.id).update({ url: row.url, title: row.title, modified: row.modified });
          return memberDict(context, row);
        });
      },
    },
    federation_member_show: {
      sideEffectFree: true,
      doc: ':param id: id or name of the member\n:rtype: dictionary',
      handler: async (context, data) => memberDict(context, await load(context, data.id)),
    },
    federation_member_list: {
      sideEffectFree: true,
      doc: 'All members, by name.\n\n:rtype: list of dictionaries',
      async handler(context) {
        const rows: MemberRow[] = await context.db()('federation_member').orderBy('name');
        return Promise.all(rows.map((row) => memberDict(context, row)));
      },
    },
    federation_member_delete: {
      doc: 'Remove a member and its harvest source; with clear=true its datasets are deleted too.\n\n:param id:\n:param clear: (default false)',
      async handler(context, data) {
        const row = await load(context, data.id);
        await context.transaction(async (trx) => {
          await context.action('harvest_source_delete', { id: row.source_id, clear_source: data.clear === true || data.clear === 'true' });
          await trx('federation_member').where('id', row.id).delete();
          await trx('federation_duplicate').where('source_id', row.source_id).delete();
        });
        return null;
      },
    },
    federation_sync: {
      doc: 'Pull members now (all, or the one named) instead of waiting for their schedule.\n\n:param id: (optional)\n:rtype: list of {member, job_id}',
      async handler(context, data) {
        const rows: MemberRow[] = data.id ? [await load(context, data.id)] : await context.db()('federation_member').orderBy('name');
        const out = [];
        for (const row of rows) {
          // A member already being pulled is reported, not an error for the others; anything else is.
          const job = await context.action('harvest_job_create', { source_id: row.source_id }).catch((err: unknown) => {
            if (!(err instanceof ValidationError)) throw err;
            return { error: err.message };
          });
          out.push({ member: row.name, job_id: (job as DataDict).id ?? null, ...((job as DataDict).error ? { error: (job as DataDict).error } : {}) });
        }
        return out;
      },
    },
    federation_status: {
      sideEffectFree: true,
      doc: `Per member: last successful sync, lag in seconds, datasets held, errors of the last run, and stale (no success for federation.stale_after_minutes = ${settings.stale_after_minutes}).\n\n:rtype: list of dictionaries`,
      async handler(context) {
        const db = context.db();
        const rows: MemberRow[] = await db('federation_member').orderBy('name');
        const now = Date.parse(context.services.clock.nowIso() + 'Z');
        const out = [];
        for (const row of rows) {
          // The status is public; the job reports behind it are read as the site.
          const status = await context.action('harvest_source_show_status', { id: row.source_id }, { ignoreAuth: true });
          const success = await db('harvest_job as j')
            .where({ 'j.source_id': row.source_id, 'j.status': 'Finished' })
            .whereNotExists((q) => q.select(db.raw('1')).from('harvest_gather_error as g').whereRaw('g.harvest_job_id = j.id').where('g.level', 'error'))
            .orderBy('j.created', 'desc')
            .first('j.finished');
          const lastSuccess = isoTimestamp(success?.finished);
          const lag = lastSuccess ? Math.max(0, Math.round((now - Date.parse(lastSuccess + 'Z')) / 1000)) : null;
          const last = status.last_job;
          const errors = last ? await context.action('harvest_job_report', { id: last.id, limit: 1 }, { ignoreAuth: true }).then((report: DataDict) => report.gather_errors ?? []).catch(() => []) : [];
          out.push({
            member: row.name,
            title: row.title,
            url: row.url,
            protocol: row.protocol,
            last_success: lastSuccess,
            lag_seconds: lag,
            datasets: status.total_datasets,
            last_job: last ? { id: last.id, status: last.status, created: last.created, finished: last.finished ?? null, stats: last.stats ?? null } : null,
            last_errors: errors.filter((e: DataDict) => (e.level ?? 'error') === 'error').map((e: DataDict) => e.message),
            last_errors_vi: errors.filter((e: DataDict) => (e.level ?? 'error') === 'error').map((e: DataDict) => e.message_vi ?? e.message),
            stale: lag === null || lag > settings.stale_after_minutes * 60,
          });
        }
        return out;
      },
    },
  };
}

/** A member's schedule is its harvest source's frequency: errors name the field the caller sent. */
async function inMemberTerms<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (!(err instanceof ValidationError) || !err.errors.frequency) throw err;
    const { frequency, ...rest } = err.errors;
    throw new ValidationError({ ...rest, schedule: frequency });
  }
}

const sysadminOnly: AuthDefinition = { fn: () => ({ success: false, msg: both(MEMBER.sysadmin) }) };
export const memberAuth: Record<string, AuthDefinition> = {
  federation_member_create: sysadminOnly,
  federation_member_update: sysadminOnly,
  federation_member_show: sysadminOnly,
  federation_member_list: sysadminOnly,
  federation_member_delete: sysadminOnly,
  federation_sync: sysadminOnly,
  federation_status: { allowAnonymous: true, fn: () => true },
};
