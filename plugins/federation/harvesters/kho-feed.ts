// `kho_feed`: a harvester (registered into the harvest plugin) that reads another Kho's
// federation_changes from the cursor the last error-free job ended at, so each run costs what
// changed, and tombstones delete. Records are imported with the ckan harvester's mapping, then the
// dataset is put in the member's namespaced organization and given its provenance.
import type { DataDict } from '../../../core/actions/types.ts';
import type { GatheredRecord, GatherContext, IHarvester, ImportContext } from '../../harvest/harvesters/types.ts';
import { FEED, msg, type Msg } from '../i18n/messages.ts';
import { dropDuplicate, duplicateIds, federate, GONE, originKeys } from './federate.ts';
import { memberSlot } from './members.ts';

export interface KhoFeedConfig {
  api_key?: string;
  member?: string;
  namespace?: string;
  page_size?: number;
}

class FeedError extends Error {
  readonly msg: Msg;
  constructor(message: Msg) {
    super(message.en);
    this.msg = message;
  }
}

const KINDS = new Set(['created', 'updated', 'deleted', 'purged']);

function validPage(body: any): string | null {
  if (!body || typeof body !== 'object') return 'not a JSON object';
  if (body.success !== true) return 'success is not true';
  const result = body.result;
  if (!result || !Array.isArray(result.changes)) return 'result.changes is not a list';
  if (typeof result.cursor !== 'string' || !result.cursor) return 'result.cursor is missing';
  if (typeof result.has_more !== 'boolean') return 'result.has_more is not a boolean';
  for (const change of result.changes) {
    if (!change || typeof change.id !== 'string' || !KINDS.has(change.change)) return `a change is malformed: ${JSON.stringify(change).slice(0, 200)}`;
    const live = change.change === 'created' || change.change === 'updated';
    if (live && (!change.package || typeof change.package !== 'object' || change.package.id !== change.id)) return `change ${change.id} has no package dict`;
  }
  return null;
}

export function khoFeedHarvester(): IHarvester<KhoFeedConfig> {
  return {
    version: 1,
    info: {
      name: 'kho_feed',
      title: 'Kho change feed',
      description: 'Reads another Kho\'s federation_changes incrementally from its cursor; deletions, purges and privatisations propagate',
      form_config_interface: 'Text',
    },
    config: {
      api_key: { type: 'string', secret: true, description: msg('API token sent to the member (Authorization header).', 'Mã API gửi cho thành viên (tiêu đề Authorization).') },
      member: { type: 'string', description: msg('The federation member this source pulls (set by federation_member_create).', 'Thành viên liên thông mà nguồn này thu thập (do federation_member_create đặt).') },
      namespace: { type: 'string', description: msg('Prefix of the local names of the member\'s organizations.', 'Tiền tố tên cục bộ của các tổ chức của thành viên.') },
      page_size: { type: 'integer', min: 1, max: 1000, description: msg('Changes asked per page (default 500).', 'Số thay đổi mỗi trang (mặc định 500).') },
    },
    headers: (config): Record<string, string> => (config.api_key ? { authorization: config.api_key } : {}),

    async *gather(context: GatherContext<KhoFeedConfig>): AsyncGenerator<GatheredRecord[]> {
      context.incremental();
      await memberSlot(context);
      const { knex, clock } = context.services;
      const base = context.source.url.replace(/\/+$/, '').replace(/\/api\/3\/action\/federation_changes$/, '');
      const previous = context.previousJob ? await knex('federation_feed_cursor').where('job_id', context.previousJob.id).first('cursor') : null;
      let cursor: string | null = previous?.cursor ?? null;
      const limit = context.config.page_size ?? 500;
      const visited = new Set<string>();
      for (let page = 0; ; page++) {
        if (page >= context.defaults.maxPages) {
          context.warn(FEED.tooManyPages(base, context.defaults.maxPages));
          break;
        }
        const url = `${base}/api/3/action/federation_changes?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const raw = await context.http.get(url, { accept: 'application/json', okStatuses: [400, 403, 409] });
        let body: any;
        try {
          body = JSON.parse(raw.text());
        } catch {
          throw new FeedError(FEED.notFeed(base, `HTTP ${raw.status}, not JSON`));
        }
        if (raw.status !== 200) throw new FeedError(FEED.refused(base, `HTTP ${raw.status} ${JSON.stringify(body?.error ?? body).slice(0, 300)}`));
        const problem = validPage(body);
        if (problem) throw new FeedError(FEED.notFeed(base, problem));
        const result = body.result;
        if (result.has_more && (result.cursor === cursor || visited.has(result.cursor))) throw new FeedError(FEED.repeated(base));
        visited.add(result.cursor);
        const records: GatheredRecord[] = [];
        const gone: string[] = [];
        for (const change of result.changes) {
          if (change.package) records.push({ guid: change.id, content: change.package, remoteModified: change.metadata_modified ?? null, originalUrl: `${base}/dataset/${change.package.name ?? change.id}` });
          else gone.push(change.id);
        }
        // A tombstone of a dataset this member only held as a duplicate goes to import(), which
        // drops the member from the provenance of the copy another member brought.
        const duplicates = await duplicateIds(context, gone);
        context.removed(gone.filter((id) => !duplicates.has(id)));
        for (const id of duplicates) records.push({ guid: id, content: { id, [GONE]: true } });
        if (records.length) yield records;
        cursor = result.cursor;
        if (!result.has_more) break;
      }
      if (cursor) {
        await knex('federation_feed_cursor')
          .insert({ job_id: context.job.id, source_id: context.source.id, cursor, created: clock.nowIso() })
          .onConflict('job_id')
          .merge();
      }
    },

    async import(record, context: ImportContext<KhoFeedConfig>) {
      const remote = record.content as DataDict;
      if (remote[GONE]) {
        await dropDuplicate(context, record.guid);
        return null;
      }
      const harvesters = context.services['harvest.harvesters' as never] as unknown as ReadonlyMap<string, IHarvester>;
      const pkg = await harvesters.get('ckan')!.import(record, { ...context, config: {} } as ImportContext);
      if (!pkg) return null;
      const base = context.source.url.replace(/\/+$/, '');
      return federate(context, record, pkg, {
        keys: originKeys(record.guid, remote),
        remoteOrganization: remote.organization ?? null,
        originalId: remote.id,
        originalUrl: `${base}/dataset/${remote.name ?? remote.id}`,
      });
    },
  };
}
