// Groups and organizations share CKAN's "group" table (is_organization tells them apart) and one
// namespace of names.
import type { Db } from './db.ts';
import { PACKAGE_COLUMNS, type PackageRow } from './packages.ts';

export interface GroupRow {
  id: string;
  name: string;
  title: string | null;
  type: string;
  description: string | null;
  image_url: string | null;
  created: string;
  is_organization: boolean;
  approval_status: string | null;
  state: string;
  extras: Array<{ key: string; value: unknown }>;
  fields: Record<string, unknown>;
}

export type GroupSortField = 'name' | 'title' | 'package_count';

export interface GroupListFilter {
  isOrganization: boolean;
  type: string;
  /** Only groups with these names. */
  names?: string[];
  /** Substring of the name, title or description. */
  q?: string;
  sort: { field: GroupSortField; direction: 'asc' | 'desc' };
  limit: number;
  offset: number;
}

/** Which of a group's active datasets the caller may see: public ones, plus private ones by label. */
export interface DatasetVisibility {
  includePrivate: boolean;
  /** The caller's permission labels (core/auth/labels.ts); null sees every private dataset. */
  labels: string[] | null;
}

type GroupRef = Pick<GroupRow, 'id' | 'is_organization'>;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/** Active datasets of an organization (owner_org) or of a group (active package membership). */
function activeDatasetsOf(db: Db, group: GroupRef) {
  const query = db('package as p').where('p.state', 'active');
  if (group.is_organization) return query.where('p.owner_org', group.id);
  return query.whereExists(packageMembership(db, group.id));
}

function packageMembership(db: Db, groupId: string) {
  return db('member as m').whereRaw('m.table_id = p.id').where({ 'm.group_id': groupId, 'm.table_name': 'package', 'm.state': 'active' });
}

/** The same rule as the search index's permission labels (DefaultPermissionLabels). */
function visibleTo(query: ReturnType<typeof activeDatasetsOf>, visibility: DatasetVisibility) {
  if (!visibility.includePrivate) return query.where('p.private', false);
  const labels = visibility.labels;
  if (labels === null) return query;
  const suffixes = (prefix: string) => labels.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
  const orgIds = suffixes('member-');
  const creatorIds = suffixes('creator-');
  const collaboratorOf = suffixes('collaborator-');
  return query.where((where) => {
    where.where('p.private', false);
    if (orgIds.length) where.orWhereIn('p.owner_org', orgIds);
    if (creatorIds.length) where.orWhere((w) => w.whereNull('p.owner_org').whereIn('p.creator_user_id', creatorIds));
    if (collaboratorOf.length) where.orWhereIn('p.id', collaboratorOf);
  });
}

export const groups = {
  async get(db: Db, idOrName: string): Promise<GroupRow | undefined> {
    return db<GroupRow>('group').where('id', idOrName).orWhere('name', idOrName).first();
  },
  async byIds(db: Db, ids: string[]): Promise<GroupRow[]> {
    if (!ids.length) return [];
    return db<GroupRow>('group').whereIn('id', ids);
  },
  async byIdsOrNames(db: Db, refs: string[]): Promise<GroupRow[]> {
    if (!refs.length) return [];
    return db<GroupRow>('group').whereIn('id', refs).orWhereIn('name', refs);
  },
  async titlesByName(db: Db, names: string[]): Promise<Map<string, string>> {
    if (!names.length) return new Map();
    const rows = await db('group').whereIn('name', names).select('name', 'title');
    return new Map(rows.map((row: { name: string; title: string | null }) => [row.name, row.title || row.name]));
  },
  async insert(db: Db, row: GroupRow): Promise<void> {
    await db('group').insert({ ...row, extras: JSON.stringify(row.extras), fields: JSON.stringify(row.fields) });
  },
  async update(db: Db, id: string, changes: Partial<GroupRow>): Promise<void> {
    const values: Record<string, unknown> = { ...changes };
    if (changes.extras) values.extras = JSON.stringify(changes.extras);
    if (changes.fields) values.fields = JSON.stringify(changes.fields);
    await db('group').where('id', id).update(values);
  },
  async remove(db: Db, id: string): Promise<void> {
    await db('group').where('id', id).delete();
  },
  async getForUpdate(db: Db, idOrName: string): Promise<GroupRow | undefined> {
    return (await db<GroupRow>('group').where('id', idOrName).forUpdate().first()) ?? db<GroupRow>('group').where('name', idOrName).forUpdate().first();
  },
  /** Who holds a name now: the name column is unique across all states, deleted groups included. */
  async nameHolder(db: Db, name: string): Promise<{ id: string; state: string } | undefined> {
    return db('group').where('name', name).first('id', 'state');
  },
  async exists(db: Db, id: string): Promise<boolean> {
    return !!(await db('group').where('id', id).first('id'));
  },
  /** group_list / organization_list: active groups of one kind and type, filtered, sorted and paged. */
  async list(db: Db, filter: GroupListFilter): Promise<GroupRow[]> {
    const query = db('group as g').where({ 'g.state': 'active', 'g.is_organization': filter.isOrganization, 'g.type': filter.type }).select('g.*');
    if (filter.names) query.whereIn('g.name', filter.names);
    if (filter.q) {
      const pattern = `%${escapeLike(filter.q)}%`;
      query.where((where) => where.whereRaw('g.name ilike ?', [pattern]).orWhereRaw('g.title ilike ?', [pattern]).orWhereRaw('g.description ilike ?', [pattern]));
    }
    const { field, direction } = filter.sort;
    if (field === 'package_count') {
      // Every active dataset counts for this sort, private ones too, as in CKAN's query. Counted
      // for all groups in one pass: a count per group read the package table once for each.
      const counts = filter.isOrganization
        ? db('package as p').where('p.state', 'active').whereNotNull('p.owner_org').groupBy('p.owner_org').select('p.owner_org as group_id', db.raw('count(*) as n'))
        : db('member as m')
            .join('package as p', 'p.id', 'm.table_id')
            .where({ 'm.table_name': 'package', 'm.state': 'active', 'p.state': 'active' })
            .groupBy('m.group_id')
            .select('m.group_id as group_id', db.raw('count(*) as n'));
      query.leftJoin(counts.as('c'), 'c.group_id', 'g.id').orderByRaw(`coalesce(c.n, 0) ${direction === 'desc' ? 'desc' : 'asc'}`);
    } else {
      query.orderBy(`g.${field}`, direction);
    }
    return (await query.orderBy('g.name', direction).limit(filter.limit).offset(filter.offset)) as GroupRow[];
  },
  async activeOfKind(db: Db, isOrganization: boolean, ids?: string[]): Promise<GroupRow[]> {
    const query = db<GroupRow>('group').where({ is_organization: isOrganization, state: 'active' });
    if (ids) query.whereIn('id', ids);
    return query;
  },
  /**
   * Groups below the given ones in the hierarchy, each mapped to the given group it descends from.
   * A member row (group_id = child, table_name = 'group', table_id = parent) links them, as in CKAN.
   */
  async descendants(db: Db, ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!ids.length) return out;
    const { rows } = await db.raw(
      `with recursive below(id, root) as (
         select m.group_id, m.table_id from member m
          where m.table_name = 'group' and m.state = 'active' and m.table_id in (${ids.map(() => '?').join(', ')})
         union
         select m.group_id, b.root from member m join below b on m.table_id = b.id
          where m.table_name = 'group' and m.state = 'active'
       )
       select id, root from below`,
      ids,
    );
    for (const row of rows as Array<{ id: string; root: string }>) {
      if (!ids.includes(row.id) && !out.has(row.id)) out.set(row.id, row.root);
    }
    return out;
  },
  /** The groups this group names as its parents ("groups" in its dict), with the capacity. */
  async parents(db: Db, groupId: string): Promise<Array<GroupRow & { capacity: string }>> {
    return db('member as m')
      .join('group as g', 'g.id', 'm.table_id')
      .where({ 'm.group_id': groupId, 'm.table_name': 'group', 'm.state': 'active' })
      .select('g.*', 'm.capacity');
  },
  async countDatasets(db: Db, group: GroupRef, visibility: DatasetVisibility): Promise<number> {
    const row = await visibleTo(activeDatasetsOf(db, group), visibility).count<{ count: number }[]>('* as count').first();
    return Number(row?.count ?? 0);
  },
  /** Stored dataset dicts (JSON text) the caller may see, most recently modified first. */
  async datasetData(db: Db, group: GroupRef, visibility: DatasetVisibility, limit: number): Promise<string[]> {
    const rows = await visibleTo(activeDatasetsOf(db, group), visibility).orderBy('p.metadata_modified', 'desc').limit(limit).select('p.data');
    return rows.map((row: { data: string }) => row.data);
  },
  /** Every dataset, in any state, whose stored dict embeds this organization or group; locked. */
  async embeddingDatasets(db: Db, group: GroupRef): Promise<PackageRow[]> {
    if (group.is_organization) return db<PackageRow>('package').where('owner_org', group.id).orderBy('id').select<PackageRow[]>(PACKAGE_COLUMNS).forUpdate();
    return db<PackageRow>('package as p').whereExists(packageMembership(db, group.id)).orderBy('p.id').select<PackageRow[]>(PACKAGE_COLUMNS.map((column) => `p.${column}`)).forUpdate();
  },
  /** Datasets of an organization that are not deleted (drafts included), oldest first. */
  async undeletedDatasetIds(db: Db, orgId: string): Promise<string[]> {
    const rows = await db('package').where('owner_org', orgId).whereNot('state', 'deleted').orderBy('metadata_created').select('id');
    return rows.map((row: { id: string }) => row.id);
  },
  async nameTaken(db: Db, name: string, exceptId?: string): Promise<boolean> {
    const query = db('group').where('name', name);
    if (exceptId) query.whereNot('id', exceptId);
    return !!(await query.first('id'));
  },
};
