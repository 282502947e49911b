// The harvesters of `ckan` and `dcat` members: the harvest plugin's own `ckan` and `dcat_rdf`
// harvesters for reading, with the member's organization namespace, provenance and duplicate
// handling of federate.ts on import, as for `kho_feed` members. And the member slot every member's
// gather waits for, so that at most federation.member_concurrency members are pulled at a time.
import type { DataDict } from '../../../core/actions/types.ts';
import type { GatherContext, GatheredRecord, IHarvester, ImportContext } from '../../harvest/harvesters/types.ts';
import { msg } from '../i18n/messages.ts';
import { federate, originKeys, type MemberConfig } from './federate.ts';

const MEMBER_OPTIONS = {
  member: { type: 'string', description: msg('The federation member this source pulls (set by federation_member_create).', 'Thành viên liên thông mà nguồn này thu thập (do federation_member_create đặt).') },
  namespace: { type: 'string', description: msg('Prefix of the local names of the member\'s organizations.', 'Tiền tố tên cục bộ của các tổ chức của thành viên.') },
} as const;

function stockConfig<C extends MemberConfig>(config: C): Omit<C, 'member' | 'namespace'> {
  const { member: _member, namespace: _namespace, ...rest } = config;
  return rest;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/**
 * Wait until this job is among the first `member_concurrency` running member jobs (in the order
 * they started). Counted in the database, so it holds across processes; a job that waits does not
 * hold a slot, so a dead member times out in its own slot and the others keep going.
 */
export async function memberSlot(context: GatherContext<MemberConfig>): Promise<void> {
  const { knex, config } = context.services;
  const limit = Number((config as unknown as Record<string, any>).federation?.member_concurrency ?? 4);
  let waited = false;
  for (;;) {
    const running: Array<{ id: string }> = await knex('harvest_job as j')
      .join('federation_member as m', 'm.source_id', 'j.source_id')
      .where('j.status', 'Running')
      .orderBy([{ column: 'j.gather_started' }, { column: 'j.id' }])
      .select('j.id');
    const rank = running.findIndex((row) => row.id === context.job.id);
    if (rank < limit) return;
    if (!waited) context.logger.info({ rank, limit }, 'federation: waiting for a member slot');
    waited = true;
    await sleep(200, context.signal);
  }
}

function wrap<C extends MemberConfig>(stock: IHarvester, name: string, title: string, description: string, provenance: (record: GatheredRecord & { content: unknown }, base: string, pkg: DataDict) => { remoteOrganization: DataDict | null; originalId: string; originalUrl: string | null; remote: DataDict | null }): IHarvester<C> {
  return {
    version: stock.version,
    info: { ...stock.info, name, title, description },
    config: { ...stock.config, ...MEMBER_OPTIONS } as IHarvester['config'],
    headers: stock.headers ? (config: C) => stock.headers!(stockConfig(config)) : undefined,
    validateConfig: stock.validateConfig ? (config: C, context) => stock.validateConfig!(stockConfig(config), context) : undefined,
    async *gather(context: GatherContext<C>) {
      await memberSlot(context);
      yield* stock.gather({ ...context, config: stockConfig(context.config) } as GatherContext);
    },
    fetch: stock.fetch ? (record, context: ImportContext<C>) => stock.fetch!(record, { ...context, config: stockConfig(context.config) } as ImportContext) : undefined,
    async import(record, context: ImportContext<C>) {
      const pkg = await stock.import(record, { ...context, config: stockConfig(context.config) } as ImportContext);
      if (!pkg) return null;
      const base = context.source.url.replace(/\/+$/, '');
      const origin = provenance(record, base, pkg);
      return federate(context, record, pkg, { keys: originKeys(record.guid, origin.remote), remoteOrganization: origin.remoteOrganization, originalId: origin.originalId, originalUrl: origin.originalUrl });
    },
  };
}

export function memberHarvesters(harvesters: ReadonlyMap<string, IHarvester>): IHarvester[] {
  const ckan = harvesters.get('ckan');
  const dcat = harvesters.get('dcat_rdf');
  const out: IHarvester[] = [];
  if (ckan) {
    out.push(
      wrap(ckan, 'federation_ckan', 'CKAN member (federation)', 'A federation member read through the CKAN Action API, with namespaced organizations, provenance and duplicates kept once', (record, base) => {
        const remote = record.content as DataDict;
        return { remote, remoteOrganization: remote.organization ?? null, originalId: String(remote.id ?? record.guid), originalUrl: `${base}/dataset/${remote.name ?? remote.id ?? record.guid}` };
      }),
    );
  }
  if (dcat) {
    out.push(
      // A DCAT catalogue says who publishes, not in which organization: datasets stay in the member's
      // parent organization.
      // The dataset's dct:identifier (a Kho or CKAN catalogue gives the dataset id) is what finds it
      // again when it also arrives by another path.
      wrap(dcat, 'federation_dcat', 'DCAT member (federation)', 'A federation member read as a DCAT-AP catalogue, with provenance and duplicates kept once', (record, _base, pkg) => {
        const identifier = (pkg.extras ?? []).find((extra: DataDict) => extra?.key === 'identifier')?.value ?? pkg.identifier;
        return { remote: pkg, remoteOrganization: null, originalId: typeof identifier === 'string' && identifier ? identifier : record.guid, originalUrl: record.originalUrl ?? record.guid };
      }),
    );
  }
  return out;
}
