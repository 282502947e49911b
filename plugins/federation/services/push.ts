// Push mode: write this province's public datasets into a national portal that only speaks the CKAN
// Action API (package_create/update/delete, organization_show/create), reading the province's own
// change feed from a saved cursor.
//
// Why it never duplicates: a dataset is created with the local id (a sysadmin token at the target
// keeps it, as CKAN and Kho do), and a create that the target refuses because the id or the name is
// taken is taken as "an earlier attempt got there and its answer was lost" and becomes an update —
// of that dataset only when it carries this site's provenance (federation_source_id), so a foreign
// dataset with the same name is never overwritten. The cursor moves only after every remote write of
// a page succeeded, and each dataset's pushed version is recorded, so a page read again after a crash
// re-sends nothing that already arrived.
import type { Knex } from 'knex';
import type { Clock } from '../../../core/clock.ts';
import type { SafeFetcher } from '../../../core/net/safe-fetch.ts';
import { PermanentJobError } from '../../../core/jobs/errors.ts';
import { PUSH, type Msg } from '../i18n/messages.ts';
import type { FederationSettings } from '../settings.ts';
import { readChanges, type Change } from './changes.ts';
import { organizationPatch, wantedOrganization, withoutRefusedFields } from './organization-sync.ts';

export const PUSH_JOB = 'federation.push';
const LEASE_MS = 10 * 60 * 1000;

export interface PushDeps {
  knex: Knex;
  clock: Clock;
  fetcher: SafeFetcher;
  settings: FederationSettings;
  /** This site's URL, for the provenance extras written at the target. */
  siteUrl: string;
  /** The fields this site declares for organizations (focal point, …), pushed with them (R59). */
  organizationFields: readonly string[];
  /** A local organization as organization_show gives it; null when it is gone. */
  showOrganization(id: string): Promise<Record<string, any> | null>;
  logger?: { warn(object: object, message: string): void };
}

export interface PushOptions {
  /** The queue job running the push: a retry of the same job takes its own lease back. */
  jobId: string;
  signal?: AbortSignal;
  heartbeat?: () => Promise<void>;
}

export interface PushStats {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  errors: number;
  organizations_created: number;
  organizations_updated: number;
  /** Organizations the target refused to update (their datasets are pushed all the same). */
  organization_errors: number;
  skipped?: string;
}

/** A push failure with its message in both languages (kept for the push status). */
class PushError extends Error {
  readonly msg: Msg;
  constructor(message: Msg) {
    super(message.en);
    this.msg = message;
  }
}

/** The target answered for this one dataset with something retrying will not fix (a validation error). */
class ItemError extends PushError {}

/** The target is down, overloaded or refuses the token: the whole job fails and is retried later. */
export class PushUnavailable extends PushError {}

interface Answer {
  status: number;
  body: any;
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return (text ?? '').slice(0, 300);
}

export function pushTarget(settings: FederationSettings): string | null {
  return settings.push_url ? settings.push_url.replace(/\/+$/, '').replace(/\/api\/3\/action$/, '') : null;
}

class Remote {
  private readonly fetcher: SafeFetcher;
  private readonly base: string;
  private readonly token: string | null;
  private readonly timeoutMs: number;
  private readonly signal?: AbortSignal;
  constructor(fetcher: SafeFetcher, base: string, token: string | null, timeoutMs: number, signal?: AbortSignal) {
    this.fetcher = fetcher;
    this.base = base;
    this.token = token;
    this.timeoutMs = timeoutMs;
    this.signal = signal;
  }

  async call(action: string, data: Record<string, unknown>): Promise<Answer> {
    this.signal?.throwIfAborted();
    const response = await this.fetcher.fetch(`${this.base}/api/3/action/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(this.token ? { authorization: this.token } : {}) },
      body: JSON.stringify(data),
      timeoutMs: this.timeoutMs,
      signal: this.signal,
    });
    let body: any = null;
    try {
      body = JSON.parse(response.body.toString('utf8'));
    } catch {
      // not JSON: judged below
    }
    if (response.status >= 500 || response.status === 429 || response.status === 401 || response.status === 403) {
      throw new PushUnavailable(PUSH.refused(action, response.status, short(body?.error ?? response.body.toString('utf8'))));
    }
    if (!body || typeof body !== 'object' || typeof body.success !== 'boolean') throw new PushUnavailable(PUSH.notCkan(action, response.status));
    return { status: response.status, body };
  }
}

const CORE_FIELDS = ['name', 'title', 'notes', 'url', 'version', 'author', 'author_email', 'maintainer', 'maintainer_email', 'license_id'];
// Resource ids are kept, so links to a resource at the national portal survive updates.
const RESOURCE_FIELDS = ['id', 'url', 'name', 'description', 'format', 'mimetype', 'hash', 'size'];
// Keys of package_show that are not the publisher's metadata (or are sent in their own form).
const NOT_METADATA = new Set([
  ...CORE_FIELDS, 'id', 'type', 'state', 'private', 'owner_org', 'organization', 'groups', 'tags', 'extras', 'resources', 'metadata_created', 'metadata_modified',
  'creator_user_id', 'num_resources', 'num_tags', 'isopen', 'license_title', 'license_url', 'relationships_as_object', 'relationships_as_subject', 'tracking_summary',
]);
const PROVENANCE = new Set(['federation_source', 'federation_source_id', 'federation_source_url']);

/**
 * The dataset as the target takes it: fields of this site's profile travel as extras so that a plain
 * CKAN loses nothing, except those the target declares too (`targetFields`), sent as they are.
 */
export function remotePackage(pkg: Record<string, any>, owner: string | null, siteUrl: string, targetFields: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of CORE_FIELDS) if (pkg[field] !== undefined && pkg[field] !== null) out[field] = pkg[field];
  for (const field of targetFields) if (!NOT_METADATA.has(field) && !PROVENANCE.has(field) && pkg[field] !== undefined) out[field] = pkg[field];
  if (owner) out.owner_org = owner;
  out.private = false;
  out.tags = (pkg.tags ?? []).map((tag: any) => ({ name: tag.name }));
  const extras: Array<{ key: string; value: string }> = [];
  const seen = new Set<string>();
  for (const extra of pkg.extras ?? []) {
    if (PROVENANCE.has(extra.key) || seen.has(extra.key) || targetFields.has(extra.key)) continue;
    seen.add(extra.key);
    extras.push({ key: extra.key, value: String(extra.value ?? '') });
  }
  for (const [key, value] of Object.entries(pkg)) {
    if (NOT_METADATA.has(key) || seen.has(key) || PROVENANCE.has(key) || targetFields.has(key) || value === null || value === undefined || value === '') continue;
    seen.add(key);
    extras.push({ key, value: typeof value === 'string' ? value : JSON.stringify(value) });
  }
  extras.push(
    { key: 'federation_source', value: siteUrl },
    { key: 'federation_source_id', value: String(pkg.id) },
    { key: 'federation_source_url', value: `${siteUrl}/dataset/${pkg.name}` },
  );
  out.extras = extras;
  out.resources = (pkg.resources ?? []).map((resource: any) => {
    const copy: Record<string, unknown> = {};
    for (const field of RESOURCE_FIELDS) if (resource[field] !== undefined && resource[field] !== null && resource[field] !== '') copy[field] = resource[field];
    return copy;
  });
  return out;
}

const SAME_NAME = /schema field with the same name/i;

/** Keys of the sent extras that the target refused as names of its own dataset fields. */
export function extrasInTargetSchema(sent: Array<{ key: string }> | undefined, errors: unknown): string[] {
  if (!Array.isArray(sent) || !Array.isArray(errors)) return [];
  const keys: string[] = [];
  errors.forEach((error, i) => {
    const messages = error && typeof error === 'object' ? (error as Record<string, unknown>).key : null;
    if (sent[i] && Array.isArray(messages) && messages.some((message) => SAME_NAME.test(String(message)))) keys.push(sent[i].key);
  });
  return keys;
}

function failure(action: string, answer: Answer): ItemError {
  return new ItemError(PUSH.refused(action, answer.status, short(answer.body?.error ?? answer.body)));
}

interface ItemRow {
  package_id: string;
  name: string | null;
  remote_id: string | null;
  state: 'pushed' | 'deleted' | 'error';
  metadata_modified: string | null;
  error: string | null;
  error_vi: string | null;
}

export class Pusher {
  private readonly remote: Remote;
  private readonly orgs = new Map<string, Promise<string | null>>();
  /** Fields of this site's datasets that the target declares too (learned from its refusals). */
  private readonly targetFields = new Set<string>();
  readonly stats: PushStats = { created: 0, updated: 0, deleted: 0, unchanged: 0, errors: 0, organizations_created: 0, organizations_updated: 0, organization_errors: 0 };

  private readonly deps: PushDeps;

  constructor(deps: PushDeps, target: string, signal?: AbortSignal) {
    this.deps = deps;
    this.remote = new Remote(deps.fetcher, target, deps.settings.push_token, deps.settings.push_timeout_ms, signal);
  }

  /** Push one change; a refusal of this dataset alone is recorded on it and does not stop the run. */
  async push(change: Change): Promise<void> {
    const { knex } = this.deps;
    const item: ItemRow | undefined = await knex('federation_push_item').where('package_id', change.id).first();
    try {
      if (change.package) {
        if (item?.state === 'pushed' && item.metadata_modified && item.metadata_modified === change.metadata_modified) {
          this.stats.unchanged++;
          return;
        }
        const remoteId = await this.write(change.package, item);
        await this.record(change, { state: 'pushed', remote_id: remoteId, metadata_modified: change.metadata_modified, error: null, error_vi: null });
      } else {
        if (item?.state === 'deleted') {
          this.stats.unchanged++;
          return;
        }
        await this.remove(change.id, item);
        await this.record(change, { state: 'deleted', remote_id: item?.remote_id ?? null, metadata_modified: change.metadata_modified, error: null, error_vi: null });
      }
    } catch (err) {
      if (!(err instanceof ItemError)) throw err;
      this.stats.errors++;
      await this.record(change, { state: 'error', remote_id: item?.remote_id ?? null, metadata_modified: null, error: err.msg.en, error_vi: err.msg.vi });
    }
  }

  private async record(change: Change, fields: Omit<ItemRow, 'package_id' | 'name'>): Promise<void> {
    await this.deps
      .knex('federation_push_item')
      .insert({ package_id: change.id, name: change.name, ...fields, updated: this.deps.clock.nowIso() })
      .onConflict('package_id')
      .merge();
  }

  private async write(pkg: Record<string, any>, item: ItemRow | undefined): Promise<string> {
    const owner = pkg.organization?.name ? await this.organization(pkg.organization.id ?? pkg.organization.name, pkg.organization) : null;
    if (item?.remote_id) {
      const updated = await this.update(item.remote_id, pkg, owner);
      if (updated) return updated;
    }
    const created = await this.send('package_create', pkg, owner, { id: pkg.id });
    if (created.body.success) {
      this.stats.created++;
      return String(created.body.result.id);
    }
    if (created.status !== 409) throw failure('package_create', created);
    // The id or the name is taken: most likely by an earlier attempt whose answer never came back.
    const existing = await this.ours(pkg);
    if (!existing) {
      const errors = created.body.error ?? {};
      if (errors.name && !errors.id) throw new ItemError(PUSH.nameTaken(String(pkg.name)));
      throw failure('package_create', created);
    }
    const updated = await this.update(existing, pkg, owner);
    if (!updated) throw failure('package_create', created);
    return updated;
  }

  /**
   * package_create or package_update with the dataset as the target takes it. A target that
   * declares some of this site's fields refuses them as extras ("There is a schema field with the
   * same name", CKAN's check): they are learned, sent as fields from then on, and the write is sent
   * once more.
   */
  private async send(action: 'package_create' | 'package_update', pkg: Record<string, any>, owner: string | null, fields: Record<string, unknown>): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      const body = { ...remotePackage(pkg, owner, this.deps.siteUrl, this.targetFields), ...fields };
      const answer = await this.remote.call(action, body);
      if (answer.body.success || answer.status !== 409 || attempt > 0) return answer;
      const refused = extrasInTargetSchema(body.extras as Array<{ key: string }>, answer.body.error?.extras);
      if (!refused.length) return answer;
      for (const key of refused) this.targetFields.add(key);
    }
  }

  /** The target's id of a dataset this site created there (by id, else by name with our provenance). */
  private async ours(pkg: Record<string, any>): Promise<string | null> {
    const byId = await this.remote.call('package_show', { id: pkg.id });
    if (byId.body.success) return String(byId.body.result.id);
    const byName = await this.remote.call('package_show', { id: pkg.name });
    if (!byName.body.success) return null;
    const extras: Array<{ key: string; value: string }> = byName.body.result.extras ?? [];
    const source = extras.find((extra) => extra.key === 'federation_source_id')?.value;
    return source === String(pkg.id) ? String(byName.body.result.id) : null;
  }

  /** package_update; null when the target no longer has the dataset (purged there). */
  private async update(remoteId: string, pkg: Record<string, any>, owner: string | null): Promise<string | null> {
    // state: a dataset deleted here and published again is restored there, not created twice.
    const answer = await this.send('package_update', pkg, owner, { id: remoteId, state: 'active' });
    if (answer.body.success) {
      this.stats.updated++;
      return String(answer.body.result.id);
    }
    if (answer.status === 404) return null;
    throw failure('package_update', answer);
  }

  private async remove(id: string, item: ItemRow | undefined): Promise<void> {
    const answer = await this.remote.call('package_delete', { id: item?.remote_id ?? id });
    // 404: it never arrived there (created and deleted between two pushes), or was purged there.
    if (answer.body.success) this.stats.deleted++;
    else if (answer.status !== 404) throw failure('package_delete', answer);
  }

  /**
   * The target's organization for a local one: created there on first use, and brought up to date
   * with the local title, description and declared fields once per run. Null when the organization
   * is not here any more.
   */
  organization(id: string, embedded?: Record<string, any>): Promise<string | null> {
    let pending = this.orgs.get(id);
    if (!pending) {
      pending = (async () => {
        const local = (await this.deps.showOrganization(id)) ?? embedded;
        if (!local?.name) return null;
        const name = this.targetName(local.name);
        const wanted = wantedOrganization(local, this.deps.organizationFields, (parent) => this.targetName(parent));
        let shown = await this.remote.call('organization_show', { id: name, include_datasets: false });
        if (!shown.body.success) {
          const created = await this.remote.call('organization_create', { name, title: wanted.title, description: wanted.description });
          if (created.body.success) {
            this.stats.organizations_created++;
            shown = created;
          } else {
            // Created meanwhile by another writer: use it.
            shown = await this.remote.call('organization_show', { id: name, include_datasets: false });
            if (!shown.body.success) throw failure('organization_create', created);
          }
        }
        await this.updateOrganization(name, shown.body.result ?? {}, wanted);
        return name;
      })();
      pending.catch(() => this.orgs.delete(id));
      this.orgs.set(id, pending);
    }
    return pending;
  }

  private targetName(local: string): string {
    const { settings } = this.deps;
    return settings.push_organizations[local] ?? `${settings.push_organization_prefix}${local}`;
  }

  /**
   * A field the target refuses (its own validation: a parent agency it does not know, a sector it
   * does not list) is left out and the rest sent once more, so one field never holds the focal
   * point back. A refusal is counted and logged; the organization's datasets are pushed all the same.
   */
  private async updateOrganization(name: string, shown: Record<string, any>, wanted: ReturnType<typeof wantedOrganization>): Promise<void> {
    const patch = organizationPatch(shown, wanted);
    if (!patch) return;
    let answer = await this.remote.call('organization_patch', { id: name, ...patch });
    if (!answer.body.success) {
      this.stats.organization_errors++;
      this.deps.logger?.warn({ organization: name, status: answer.status, error: short(answer.body?.error) }, 'federation push: the national portal refused the organization update');
      if (answer.status !== 409 || !withoutRefusedFields(patch, answer.body.error) || !Object.keys(patch).length) return;
      answer = await this.remote.call('organization_patch', { id: name, ...patch });
    }
    if (answer.body.success) this.stats.organizations_updated++;
  }

  /** Organizations with datasets at the target that no dataset change of this run brought up to date. */
  async syncOrganizations(): Promise<void> {
    const rows: Array<{ owner_org: string }> = await this.deps
      .knex('federation_push_item as i')
      .join('package as p', 'p.id', 'i.package_id')
      .where('i.state', 'pushed')
      .whereNotNull('p.owner_org')
      .distinct('p.owner_org');
    for (const { owner_org } of rows) {
      try {
        await this.organization(owner_org);
      } catch (err) {
        if (!(err instanceof ItemError)) throw err;
        this.stats.organization_errors++;
      }
    }
  }
}

/** One run of the push: errored datasets again, then the feed from the saved cursor to its end. */
export async function runPush(deps: PushDeps, options: PushOptions): Promise<PushStats> {
  const { knex, clock, settings } = deps;
  const target = pushTarget(settings);
  if (!target) throw new PermanentJobError(PUSH.notConfigured.en);
  const now = () => clock.nowIso();
  const leaseUntil = () => new Date(clock.now().getTime() + LEASE_MS).toISOString().replace('Z', '');
  const { rows } = await knex.raw<{ rows: unknown[] }>(
    `update federation_push_state set lock_job = ?, lock_until = ?::timestamp, last_started = ?::timestamp
     where id = 'default' and (lock_job is null or lock_job = ? or lock_until < ?::timestamp) returning id`,
    [options.jobId, leaseUntil(), now(), options.jobId, now()],
  );
  const pusher = new Pusher(deps, target, options.signal);
  if (rows.length === 0) return { ...pusher.stats, skipped: PUSH.busy.en };
  try {
    const state = await knex('federation_push_state').where('id', 'default').first();
    let cursor: string | null = state.target === target ? state.cursor : null;
    if (state.target !== target) await knex('federation_push_item').delete();

    // Datasets the target refused last time, as they are now (the feed will not bring them again
    // until they change).
    const failed: Array<{ package_id: string }> = await knex('federation_push_item').where('state', 'error').select('package_id');
    for (const { package_id } of failed) {
      const row = await knex('package').where('id', package_id).first('id', 'name', 'state', 'private', 'type', 'data');
      const live = row && row.state === 'active' && !row.private && row.type !== 'harvest';
      const dict = live ? JSON.parse(row.data) : null;
      await pusher.push({ id: package_id, name: row?.name ?? null, change: live ? 'updated' : row ? 'deleted' : 'purged', metadata_modified: dict?.metadata_modified ?? null, package: dict });
    }

    for (;;) {
      const page = await readChanges(knex, cursor, settings.push_page_size);
      for (const change of page.changes) await pusher.push(change);
      cursor = page.cursor;
      await knex('federation_push_state').where({ id: 'default', lock_job: options.jobId }).update({ target, cursor, lock_until: leaseUntil() });
      await options.heartbeat?.();
      if (!page.has_more) break;
    }
    await pusher.syncOrganizations();
    await knex('federation_push_state')
      .where('id', 'default')
      .update({ last_finished: now(), last_success: now(), last_error: null, last_error_vi: null, last_stats: JSON.stringify(pusher.stats) });
    return pusher.stats;
  } catch (err) {
    await knex('federation_push_state')
      .where('id', 'default')
      .update({
        last_finished: now(),
        last_error: err instanceof Error ? err.message : String(err),
        last_error_vi: err instanceof PushError ? err.msg.vi : null,
        last_stats: JSON.stringify(pusher.stats),
      });
    throw err;
  } finally {
    await knex('federation_push_state').where({ id: 'default', lock_job: options.jobId }).update({ lock_job: null, lock_until: null });
  }
}
