// What a dataset write must know before it can be validated (is the id taken, who holds the name,
// which organization owner_org names, which resource ids another dataset uses), asked in one round
// trip: each question on its own was a statement of its own on every package_create and update.
import type { Db } from './db.ts';
import type { GroupRow } from './groups.ts';

export interface DatasetLookupQuestion {
  /** A dataset id the caller wants (create only). */
  id?: string;
  name?: string;
  /** owner_org as given: an organization id or name. */
  organization?: string;
  resourceIds?: string[];
  /** The dataset being updated: its own resource ids are not "taken". */
  ownId?: string | null;
}

export interface DatasetLookupAnswer {
  idTaken?: boolean;
  nameHolder?: { id: string; state: string } | null;
  organization?: GroupRow | null;
  takenResourceIds?: string[];
}

export const datasetLookups = {
  async ask(db: Db, question: DatasetLookupQuestion): Promise<DatasetLookupAnswer> {
    const ids = question.resourceIds ?? [];
    // The group columns come back exactly as `select * from "group"` gives them (same type parsing).
    const { rows } = (await db.raw(
      `select g.*,
              exists (select 1 from package where id = ?) as __id_taken,
              h.id as __holder_id, h.state as __holder_state,
              array(select r.id from resource r where r.id = any(?::text[]) and r.package_id is distinct from ?) as __taken
         from (select 1) as one
         left join lateral (select * from "group" where id = ? or name = ? limit 1) as g on true
         left join lateral (select id, state from package where name = ? limit 1) as h on true`,
      [question.id ?? null, ids, question.ownId ?? null, question.organization ?? null, question.organization ?? null, question.name ?? null],
    )) as { rows: Array<Record<string, any>> };
    const row = rows[0];
    const answer: DatasetLookupAnswer = {};
    if (question.id !== undefined) answer.idTaken = row.__id_taken === true;
    if (question.name !== undefined) answer.nameHolder = row.__holder_id ? { id: row.__holder_id, state: row.__holder_state } : null;
    if (question.organization !== undefined) {
      const { __id_taken, __holder_id, __holder_state, __taken, ...group } = row;
      answer.organization = group.id ? (group as GroupRow) : null;
    }
    if (question.resourceIds !== undefined) answer.takenResourceIds = row.__taken;
    return answer;
  },
};

