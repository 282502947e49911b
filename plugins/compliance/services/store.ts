// SQL on the plugin's own tables (compliance_*). Times are written as naive UTC text and read back as
// the text Postgres prints, like the core's job tables (core/jobs/db-time.ts).
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { fromDbTime, toDbTime } from '../../../core/jobs/db-time.ts';
import type { DataDict } from '../../../core/actions/types.ts';
import type { Attestation, DatasetEvent, LinkState, OrgSnapshot, ReportRecord } from './types.ts';

type Db = Knex | Knex.Transaction;

export interface EventRow {
  package_id: string;
  org_id: string | null;
  at: Date;
  kind: string;
  public: boolean;
  open: boolean;
  sharing: string | null;
  data_updated: boolean;
}

export async function insertDatasetEvents(db: Db, rows: EventRow[]): Promise<void> {
  if (!rows.length) return;
  await db('compliance_dataset_event').insert(rows.map((row) => ({ ...row, at: toDbTime(row.at) })));
}

export async function hasDatasetEvents(db: Db, packageId: string): Promise<boolean> {
  return !!(await db('compliance_dataset_event').where('package_id', packageId).first('seq'));
}

export async function datasetEvents(db: Db, packageIds?: string[]): Promise<Map<string, DatasetEvent[]>> {
  const query = db('compliance_dataset_event').orderBy(['package_id', 'at', 'seq']).select('package_id', 'org_id', 'at', 'kind', 'public', 'open', 'sharing', 'data_updated');
  if (packageIds) query.whereIn('package_id', packageIds);
  const out = new Map<string, DatasetEvent[]>();
  for (const row of await query) {
    let list = out.get(row.package_id);
    if (!list) out.set(row.package_id, (list = []));
    list.push({ at: fromDbTime(row.at), kind: row.kind, public: row.public, open: row.open, sharing: row.sharing, org_id: row.org_id, data_updated: row.data_updated });
  }
  return out;
}

export async function insertOrgSnapshot(db: Db, orgId: string, at: Date, fields: DataDict): Promise<void> {
  await db('compliance_org_event').insert({ org_id: orgId, at: toDbTime(at), fields: JSON.stringify(fields) });
}

export async function orgSnapshots(db: Db): Promise<Map<string, OrgSnapshot[]>> {
  const out = new Map<string, OrgSnapshot[]>();
  for (const row of await db('compliance_org_event').orderBy(['org_id', 'at', 'seq']).select('org_id', 'at', 'fields')) {
    let list = out.get(row.org_id);
    if (!list) out.set(row.org_id, (list = []));
    list.push({ at: fromDbTime(row.at), fields: typeof row.fields === 'string' ? JSON.parse(row.fields) : row.fields });
  }
  return out;
}

export async function latestOrgSnapshot(db: Db, orgId: string): Promise<DataDict | null> {
  const row = await db('compliance_org_event').where('org_id', orgId).orderBy([{ column: 'at', order: 'desc' }, { column: 'seq', order: 'desc' }]).first('fields');
  if (!row) return null;
  return typeof row.fields === 'string' ? JSON.parse(row.fields) : row.fields;
}

function attestationFromRow(row: any): Attestation {
  return {
    id: row.id,
    kind: row.kind,
    package_id: row.package_id,
    org_id: row.org_id,
    period: row.period,
    at: fromDbTime(row.at),
    user_id: row.user_id,
    user_name: row.user_name,
    rule_id: row.rule_id,
    note: row.note,
    payload: row.payload ? (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) : null,
  };
}

export interface NewAttestation {
  kind: string;
  package_id?: string | null;
  org_id?: string | null;
  period?: string | null;
  at: Date;
  user_id?: string | null;
  user_name?: string | null;
  rule_id?: string | null;
  note?: string | null;
  payload?: DataDict | null;
}

/** Record an attestation; when one already exists for the same kind, subject and period, return it instead. */
export async function insertAttestation(db: Db, attestation: NewAttestation): Promise<{ attestation: Attestation; created: boolean }> {
  const id = randomUUID();
  const row = {
    id,
    kind: attestation.kind,
    package_id: attestation.package_id ?? null,
    org_id: attestation.org_id ?? null,
    period: attestation.period ?? null,
    at: toDbTime(attestation.at),
    user_id: attestation.user_id ?? null,
    user_name: attestation.user_name ?? null,
    rule_id: attestation.rule_id ?? null,
    note: attestation.note ?? null,
    payload: attestation.payload ? JSON.stringify(attestation.payload) : null,
  };
  const inserted = await db.raw(
    `insert into compliance_attestation (id, kind, package_id, org_id, period, at, user_id, user_name, rule_id, note, payload)
     values (?, ?, ?, ?, ?, ?::timestamp, ?, ?, ?, ?, ?::jsonb) on conflict do nothing returning id`,
    [row.id, row.kind, row.package_id, row.org_id, row.period, row.at, row.user_id, row.user_name, row.rule_id, row.note, row.payload],
  );
  const created = (inserted.rows ?? inserted).length > 0;
  if (created) return { attestation: attestationFromRow({ ...row, payload: attestation.payload ?? null }), created };
  const existing = await db('compliance_attestation')
    .where({ kind: row.kind, period: row.period })
    .where((q) => (row.package_id ? q.where('package_id', row.package_id) : q.whereNull('package_id')))
    .where((q) => (row.org_id ? q.where('org_id', row.org_id) : q.whereNull('org_id')))
    .first();
  return { attestation: attestationFromRow(existing), created: false };
}

export async function attestations(db: Db, filter: { package_id?: string; org_id?: string } = {}): Promise<Attestation[]> {
  const query = db('compliance_attestation').orderBy(['at', 'id']);
  if (filter.package_id) query.where('package_id', filter.package_id);
  if (filter.org_id) query.where('org_id', filter.org_id);
  return (await query).map(attestationFromRow);
}

/** An organization's attestations and its datasets', plus the province's own (org_id null). */
export async function attestationsOfOrg(db: Db, orgId: string): Promise<Attestation[]> {
  return (await db('compliance_attestation').where((q) => q.where('org_id', orgId).orWhereNull('org_id')).orderBy(['at', 'id'])).map(attestationFromRow);
}

export async function reportRecords(db: Db): Promise<ReportRecord[]> {
  const rows = await db('compliance_report').orderBy('generated_at').select('id', 'type', 'period', 'org_id', 'generated_at');
  return rows.map((row: any) => ({ id: row.id, type: row.type, period: row.period, org_id: row.org_id, generated_at: fromDbTime(row.generated_at) }));
}

export async function linkStates(db: Db, urls?: string[]): Promise<Map<string, LinkState>> {
  const out = new Map<string, LinkState>();
  const query = db('compliance_link_state').select('url', 'class', 'status', 'checked_at', 'error', 'response_ms');
  if (urls) {
    if (!urls.length) return out;
    query.whereIn('url', urls);
  }
  for (const row of await query) {
    out.set(row.url, { url: row.url, class: row.class, status: row.status, checked_at: fromDbTime(row.checked_at), error: row.error, response_ms: row.response_ms });
  }
  return out;
}
