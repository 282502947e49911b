// The facts the engine evaluates, as loaded from the catalogue (through actions) and from the
// plugin's own tables. Everything here is plain data, so the evaluation itself is a pure function
// of facts, rules, calendar and the evaluation time: that is what makes time travel and
// reproducible reports possible.
import type { DataDict } from '../../../core/actions/types.ts';

export interface DatasetEvent {
  at: Date;
  kind: string;
  public: boolean;
  open: boolean;
  sharing: string | null;
  org_id: string | null;
  data_updated: boolean;
}

export interface Attestation {
  id: string;
  kind: string;
  package_id: string | null;
  org_id: string | null;
  period: string | null;
  at: Date;
  user_id: string | null;
  user_name: string | null;
  rule_id: string | null;
  note: string | null;
  payload: DataDict | null;
}

export interface OrgSnapshot {
  at: Date;
  fields: DataDict;
}

export interface OrgFacts {
  id: string;
  name: string;
  title: string;
  state: string;
  created: Date | null;
  /** The plugin's organization fields, current values. */
  fields: DataDict;
  /** Earlier values of those fields, oldest first (from compliance_org_event). */
  history: OrgSnapshot[];
}

export interface DatasetFacts {
  id: string;
  name: string;
  title: string;
  /** The current package dict (for scoring); null when only history is known. */
  dict: DataDict | null;
  /** Events, oldest first; synthesized from the dict when the plugin never saw the dataset change. */
  events: DatasetEvent[];
  /** True when `events` were synthesized from the current dict. */
  baseline: boolean;
}

export interface LinkState {
  url: string;
  class: string | null;
  status: number | null;
  checked_at: Date | null;
  error: string | null;
  response_ms: number | null;
}

export interface ReportRecord {
  id: string;
  type: string;
  period: string;
  org_id: string | null;
  generated_at: Date;
}

export interface Facts {
  orgs: Map<string, OrgFacts>;
  datasets: DatasetFacts[];
  byId: Map<string, DatasetFacts>;
  attestations: Attestation[];
  reports: ReportRecord[];
  links: Map<string, LinkState>;
}
