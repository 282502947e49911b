// What every member's import shares, whatever its protocol: the dataset goes into the member's
// namespaced organization, carries its provenance, and a dataset that another member already brought
// (the same identifier through two paths: a province and the ministry that re-publishes it) is kept
// once, with every member's provenance on it.
import type { DataDict } from '../../../core/actions/types.ts';
import { ValidationError } from '../../../core/errors.ts';
import type { GatheredRecord, ImportContext } from '../../harvest/harvesters/types.ts';
import { msg } from '../i18n/messages.ts';
import { organizationPatch, wantedOrganization, withoutRefusedFields } from '../services/organization-sync.ts';

export interface MemberConfig {
  member?: string;
  namespace?: string;
}

export interface Provenance {
  member: string;
  original_id: string;
  original_url: string | null;
  synced_at: string;
}

const OWN_EXTRAS = new Set(['federation_member', 'federation_members', 'federation_provenance', 'federation_original_id', 'federation_original_url', 'federation_synced_at']);

/** The identifiers a record is known by: its remote id, and the origin's id when the member is itself an aggregator. */
export function originKeys(guid: string, remote: DataDict | null): string[] {
  const keys = [guid];
  const extras: DataDict[] = Array.isArray(remote?.extras) ? remote!.extras : [];
  for (const key of ['federation_original_id', 'identifier']) {
    const value = extras.find((extra) => extra?.key === key)?.value ?? (key === 'identifier' ? remote?.identifier : undefined);
    if (typeof value === 'string' && value && !keys.includes(value)) keys.push(value);
  }
  if (remote && typeof remote.id === 'string' && !keys.includes(remote.id)) keys.push(remote.id);
  return keys;
}

/**
 * Finish a member's dataset: organization, provenance, duplicates. Null when another member holds
 * the same dataset already: this member is added to its provenance and nothing else is written.
 */
export async function federate(
  context: ImportContext<MemberConfig>,
  record: GatheredRecord,
  pkg: DataDict,
  options: { keys: string[]; remoteOrganization?: DataDict | null; originalId: string; originalUrl: string | null },
): Promise<DataDict | null> {
  const { knex, clock } = context.services;
  const member = context.config.member ?? context.source.name;
  const now = clock.nowIso();
  // One query for both questions (it runs for every record of every member): does another member
  // hold this dataset, and which members hold it as a duplicate.
  const { rows } = await knex.raw<{ rows: Array<{ kind: 'owner' | 'duplicate'; package_id: string; member: string; source_id: string; original_id: string | null; original_url: string | null; synced_at: unknown }> }>(
    `select 'owner' as kind, r.package_id, m.name as member, r.source_id, null as original_id, null as original_url, null::timestamp as synced_at
       from harvest_record r join federation_member m on m.source_id = r.source_id
      where r.guid = any(?::text[]) and r.state = 'active' and r.source_id <> ?
     union all
     select 'duplicate', package_id, member, source_id, original_id, original_url, synced_at
       from federation_duplicate where guid = any(?::text[])`,
    [options.keys, context.source.id, options.keys],
  );
  const owner = rows.find((row) => row.kind === 'owner');
  if (owner) {
    await knex('federation_duplicate')
      .insert({ source_id: context.source.id, guid: record.guid, member, package_id: owner.package_id, original_id: options.originalId, original_url: options.originalUrl, synced_at: now })
      .onConflict(['source_id', 'guid'])
      .merge();
    await refreshProvenance(context, owner.package_id);
    context.warn(
      msg(
        `Already held from member ${owner.member} (dataset ${owner.package_id}): kept once, ${member} added to its provenance`,
        `Đã có từ thành viên ${owner.member} (bộ dữ liệu ${owner.package_id}): chỉ giữ một bản, thêm ${member} vào nguồn gốc`,
      ),
    );
    return null;
  }
  // Held here before through another member that has since dropped it: this member now owns it.
  if (rows.some((row) => row.source_id === context.source.id)) await knex('federation_duplicate').where({ source_id: context.source.id, guid: record.guid }).delete();

  if (options.remoteOrganization?.name) pkg.owner_org = await memberOrganization(context, options.remoteOrganization);
  const own: Provenance = { member, original_id: options.originalId, original_url: options.originalUrl, synced_at: now };
  const others = rows.filter((row) => row.source_id !== context.source.id).sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  pkg.extras = (pkg.extras ?? []).filter((extra: DataDict) => !OWN_EXTRAS.has(extra.key));
  pkg.extras.push(
    { key: 'federation_member', value: member },
    { key: 'federation_original_id', value: options.originalId },
    ...(options.originalUrl ? [{ key: 'federation_original_url', value: options.originalUrl }] : []),
    { key: 'federation_synced_at', value: now },
    ...provenanceExtras(own, others.map(duplicateProvenance)),
  );
  return pkg;
}

function duplicateProvenance(row: any): Provenance {
  return { member: row.member, original_id: row.original_id, original_url: row.original_url ?? null, synced_at: String(row.synced_at).replace(' ', 'T') };
}

function provenanceExtras(own: Provenance, others: Provenance[]): DataDict[] {
  if (!others.length) return [];
  const all = [own, ...others];
  return [
    { key: 'federation_members', value: all.map((p) => p.member).join(',') },
    { key: 'federation_provenance', value: JSON.stringify(all) },
  ];
}

/** Rewrite the provenance extras of a dataset after a member was added to or removed from it. */
export async function refreshProvenance(context: ImportContext<MemberConfig>, packageId: string): Promise<void> {
  const { knex } = context.services;
  const current = await context.actions.action('package_show', { id: packageId }).catch(() => null);
  if (!current || current.state !== 'active') return;
  const extras: DataDict[] = current.extras ?? [];
  const value = (key: string) => extras.find((extra) => extra.key === key)?.value ?? null;
  const own: Provenance = { member: value('federation_member') ?? '', original_id: value('federation_original_id') ?? '', original_url: value('federation_original_url'), synced_at: value('federation_synced_at') ?? '' };
  const others = (await knex('federation_duplicate').where('package_id', packageId).orderBy('member')).map(duplicateProvenance);
  const next = [...extras.filter((extra) => extra.key !== 'federation_members' && extra.key !== 'federation_provenance'), ...provenanceExtras(own, others)];
  const before = JSON.stringify(extras.map((e) => [e.key, e.value]).sort());
  const after = JSON.stringify(next.map((e) => [e.key, e.value]).sort());
  if (before !== after) await context.actions.action('package_patch', { id: packageId, extras: next.map((e) => ({ key: e.key, value: e.value })) });
}

/**
 * The member's organization under its namespace: created on first use, and once per job brought up
 * to date with the member's title, description and the organization fields this portal declares
 * (R59: the focal point travels with the organization), read from the member's organization_show,
 * where they are fields (a Kho, ckanext-scheming) or extras of the same name (a plain CKAN).
 */
export async function memberOrganization(context: ImportContext<MemberConfig>, remote: DataDict): Promise<string> {
  const namespace = context.config.namespace ?? context.source.name;
  const name = `${namespace}-${String(remote.name)}`.slice(0, 100);
  const key = `federation-org:${name}`;
  if (!context.cache.has(key)) {
    context.cache.set(
      key,
      (async () => {
        const shown = await memberOrganizationShow(context, remote);
        // Without the member's own organization_show (unreadable this time) only the title and
        // description are known: the declared fields are left as they are here, never cleared.
        const fields = shown ? context.services.fields.organization.map((field) => field.field_name) : [];
        // The parent agency is one of the member's organizations: here, under the same namespace.
        const wanted = wantedOrganization(shown ? { ...shown, ...declaredValues(shown, fields) } : remote, fields, (parent) => `${namespace}-${parent}`.slice(0, 100));
        const found = await context.actions.action('organization_show', { id: name, include_datasets: false }).catch(() => null);
        if (found) {
          const patch = organizationPatch(found, wanted);
          if (patch) await writeOrganization(context, 'organization_patch', { id: found.id, ...patch }, name);
          return found.id as string;
        }
        const extras = [
          { key: 'federation_member', value: context.config.member ?? context.source.name },
          { key: 'federation_parent', value: context.source.owner_org ?? '' },
          { key: 'federation_original_id', value: String(remote.id ?? '') },
        ];
        try {
          const created = await writeOrganization(context, 'organization_create', { name, title: wanted.title, description: wanted.description, extras, ...wanted.declared }, name);
          return created.id as string;
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          return (await context.actions.action('organization_show', { id: name, include_datasets: false })).id as string;
        }
      })(),
    );
  }
  return (await context.cache.get(key)) as string;
}

/** The member's own organization_show (a CKAN or Kho member); null when it cannot be read. */
async function memberOrganizationShow(context: ImportContext<MemberConfig>, remote: DataDict): Promise<DataDict | null> {
  const base = context.source.url.replace(/\/+$/, '').replace(/\/api\/3\/action\/federation_changes$/, '');
  try {
    const raw = await context.http.get(`${base}/api/3/action/organization_show?id=${encodeURIComponent(String(remote.id ?? remote.name))}&include_datasets=false&include_users=false`, { accept: 'application/json', okStatuses: [403, 404, 409] });
    const body = JSON.parse(raw.text());
    return body?.success && body.result?.name === remote.name ? (body.result as DataDict) : null;
  } catch (err) {
    if (context.signal.aborted) throw err;
    return null;
  }
}

/** Of the fields this portal declares, the member's values: its fields, else its extras. */
function declaredValues(organization: DataDict, fields: readonly string[]): Record<string, unknown> {
  const extras: DataDict[] = Array.isArray(organization.extras) ? organization.extras : [];
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    let value = organization[field];
    if (value === undefined || value === null || value === '') value = extras.find((extra) => extra?.key === field)?.value;
    out[field] = value === undefined || value === '' ? null : value;
  }
  return out;
}

/**
 * An organization write whose declared fields this portal may refuse (a parent agency it does not
 * know, a sector it does not list): those are left out with a warning and the rest written.
 */
async function writeOrganization(context: ImportContext<MemberConfig>, action: 'organization_create' | 'organization_patch', body: Record<string, unknown>, name: string): Promise<DataDict> {
  try {
    return await context.actions.action(action, body);
  } catch (err) {
    if (!(err instanceof ValidationError) || !withoutRefusedFields(body, err.errors)) throw err;
    context.warn(msg(`Organization ${name}: fields refused by this portal were left out: ${JSON.stringify(err.errors).slice(0, 300)}`, `Tổ chức ${name}: đã bỏ các trường cổng này không nhận: ${JSON.stringify(err.errors).slice(0, 300)}`));
    return context.actions.action(action, body);
  }
}

/** Marker content for a tombstone of a record this member only held as a duplicate. */
export const GONE = '__federation_duplicate_gone';

/** Of the ids a member says are gone, those it only held as duplicates (handled by import, not deleted). */
export async function duplicateIds(context: { services: any; source: { id: string } }, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await context.services.knex('federation_duplicate').where('source_id', context.source.id).whereIn('guid', ids).select('guid');
  return new Set(rows.map((row: { guid: string }) => row.guid));
}

/** The member no longer has a dataset it held as a duplicate: drop its provenance. */
export async function dropDuplicate(context: ImportContext<MemberConfig>, guid: string): Promise<void> {
  const row = await context.services.knex('federation_duplicate').where({ source_id: context.source.id, guid }).first('package_id');
  if (!row) return;
  await context.services.knex('federation_duplicate').where({ source_id: context.source.id, guid }).delete();
  await refreshProvenance(context, row.package_id);
}
