// What each kind of rule checks is code; everything legal about it (basis, dates, figures) is data in
// the rule packs. This file declares, per kind, the parameters a rule of that kind may carry, their
// types and defaults, and what the rule applies to. Packs are validated against it at boot.

export type ParamType =
  | { type: 'integer'; min?: number; max?: number }
  | { type: 'number'; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'string'; values?: readonly string[] }
  | { type: 'list'; values?: readonly string[] }
  | { type: 'map'; of: 'integer' | 'number'; keys?: readonly string[] };

export type ParamDecl = ParamType & { default?: unknown; required?: boolean; description: string };

export type Scope = 'dataset' | 'organization' | 'province';

export interface KindDecl {
  scope: Scope;
  description: string;
  /** False for rules Kho lists and computes deadlines for but has no data to evaluate yet. */
  evaluated: boolean;
  params: Record<string, ParamDecl>;
}

const remind = (days: number): ParamDecl => ({ type: 'integer', min: 0, max: 365, default: days, description: 'Days before the deadline when the reminder is sent.' });

/** The indicators of the quality score: MQA's 23 (405 points) and Kho's 9 Vietnamese legal checks (100). */
export const SCORE_INDICATORS = [
  'keywords', 'themes', 'spatial', 'temporal',
  'access_url_reachable', 'download_url_present', 'download_url_reachable',
  'format', 'media_type', 'format_vocabulary', 'non_proprietary', 'machine_readable', 'dcat_ap_mandatory',
  'licence', 'licence_vocabulary', 'access_rights', 'access_rights_vocabulary', 'contact_point', 'publisher',
  'rights', 'byte_size', 'issued', 'modified',
  'vn_classification', 'vn_focal_point', 'vn_publisher_code', 'vn_open_machine_readable', 'vn_anonymous_access', 'vn_fresh',
  'vn_privacy_review', 'vn_data_dictionary', 'vn_terms_of_use',
] as const;
export type ScoreIndicator = (typeof SCORE_INDICATORS)[number];

export const GATES = ['state_secret', 'open_classification', 'both_classifications', 'focal_point', 'privacy_review', 'sector_policy', 'core_important_override'] as const;
export type GateName = (typeof GATES)[number];

export const RULE_KINDS: Record<string, KindDecl> = {
  focal_point: {
    scope: 'organization',
    evaluated: true,
    description: 'The organization has designated a focal-point officer with every listed field filled.',
    params: { fields: { type: 'list', default: ['contact_name', 'contact_position', 'contact_phone', 'contact_email'], description: 'Organization fields that must all be filled.' } },
  },
  feedback_contact: {
    scope: 'organization',
    evaluated: true,
    description: 'The organization has a contact for feedback on its open data.',
    params: { fields: { type: 'list', default: ['feedback_email'], description: 'Organization fields of which at least one must be filled.' } },
  },
  organization_code: {
    scope: 'organization',
    evaluated: true,
    description: 'The organization carries a valid electronic identifier code (QĐ20/2020).',
    params: { allow: { type: 'list', values: ['state', 'other', 'enterprise'], default: ['state', 'other', 'enterprise'], description: 'Which code families are accepted.' } },
  },
  min_open_datasets: {
    scope: 'organization',
    evaluated: true,
    description: 'The organization publishes at least `minimum` open datasets.',
    params: { minimum: { type: 'integer', min: 1, default: 1, description: 'How many published open datasets are required.' } },
  },
  classification: {
    scope: 'dataset',
    evaluated: true,
    description: 'The dataset is classified by sharing nature and by importance.',
    params: {},
  },
  quarterly_update_window: {
    scope: 'organization',
    evaluated: true,
    description: 'Every open dataset of the organization is updated, or attested unchanged, inside a window at the start of each quarter.',
    params: {
      window_start_day: { type: 'integer', min: 1, max: 28, default: 1, description: 'Day of the quarter\'s first month on which the window opens.' },
      window_length: { type: 'integer', min: 1, max: 92, required: true, description: 'Length of the window.' },
      unit: { type: 'string', values: ['calendar_days', 'working_days'], default: 'calendar_days', description: 'Whether the length counts calendar days or working days.' },
      extend_to_working_day: { type: 'boolean', default: true, description: 'A window ending on a non-working day ends on the next working day (Civil Code 2015 Art. 148(5)).' },
      attestation_counts: { type: 'boolean', default: true, description: 'A "no change this period" attestation inside the window counts as an update.' },
      remind_before_days: remind(5),
    },
  },
  update_within: {
    scope: 'dataset',
    evaluated: true,
    description: 'A published open dataset is updated, or attested unchanged, within `months` of its publication or last update.',
    params: {
      months: { type: 'integer', min: 1, max: 60, required: true, description: 'Calendar months allowed between updates.' },
      attestation_counts: { type: 'boolean', default: true, description: 'A "no change" attestation restarts the clock like an update.' },
      remind_before_days: remind(14),
    },
  },
  catalogue_review: {
    scope: 'organization',
    evaluated: true,
    description: 'The organization reviews its catalogue at least every `months` months (recorded as an attestation).',
    params: {
      months: { type: 'integer', min: 1, max: 60, required: true, description: 'Calendar months allowed between reviews.' },
      attestation_kind: { type: 'string', values: ['catalogue_review', 'default_sharing_review'], default: 'catalogue_review', description: 'Which attestation records the review.' },
      applies_when: { type: 'string', values: ['open_data', 'shared_data'], default: 'open_data', description: 'Organizations it applies to: those with published open datasets, or with datasets classified shared.' },
      remind_before_days: remind(14),
    },
  },
  periodic_report: {
    scope: 'province',
    evaluated: true,
    description: 'A report is due every period (quarter or year) by a fixed day.',
    params: {
      scope: { type: 'string', values: ['province', 'organization'], default: 'province', description: 'Who owes the report: the province\'s IT unit, or each organization.' },
      period: { type: 'string', values: ['quarter', 'year'], required: true, description: 'How often the report is due.' },
      due_month: { type: 'integer', min: 1, max: 12, required: true, description: 'Month of the period (1–3 for a quarter, 1–12 for a year) in which it is due.' },
      due_day: { type: 'integer', min: 1, max: 31, required: true, description: 'Day of that month.' },
      before: { type: 'boolean', default: false, description: 'Due before that day ("trước ngày 25"): the last day allowed is the day before.' },
      extend_to_working_day: { type: 'boolean', default: true, description: 'A deadline on a non-working day moves to the next working day (Civil Code 2015 Art. 148(5)).' },
      report_type: { type: 'string', values: ['quarterly_open_data', 'annual_self_assessment', 'annual_connection'], required: true, description: 'The report that satisfies the duty.' },
      remind_before_days: remind(10),
    },
  },
  freshness: {
    scope: 'dataset',
    evaluated: true,
    description: 'A dataset is fresh while its last data update plus its declared frequency plus a grace period has not passed.',
    params: {
      grace_days: {
        type: 'map',
        of: 'integer',
        default: { daily: 1, weekly: 2, monthly: 7, quarterly: 15, semiannual: 30, annual: 30 },
        description: 'Grace after the expected update, per update frequency.',
      },
      due_soon_days: { type: 'integer', min: 0, default: 7, description: 'How long before the expected update a dataset is "due soon".' },
    },
  },
  open_format: {
    scope: 'dataset',
    evaluated: true,
    description: 'At least one distribution of an open dataset is in an open, machine-readable format.',
    params: {
      open_formats: { type: 'list', required: true, description: 'Formats (CKAN labels, case-insensitive) that are open and non-proprietary.' },
      machine_readable_formats: { type: 'list', required: true, description: 'Formats that are machine-readable.' },
      xlsx_is_open: { type: 'boolean', default: false, description: 'Count XLSX (ISO/IEC 29500) as an open format.' },
    },
  },
  quality_score: {
    scope: 'dataset',
    evaluated: true,
    description: 'Quality score out of 505: data.europa.eu MQA (405) plus Vietnamese legal and timeliness checks (100).',
    params: {
      weights: { type: 'map', of: 'integer', keys: SCORE_INDICATORS, required: true, description: 'Points per indicator.' },
      bands: { type: 'map', of: 'integer', keys: ['excellent', 'good', 'sufficient'], required: true, description: 'Lowest score of each band (excellent, good, sufficient).' },
    },
  },
  publish_gate: {
    scope: 'dataset',
    evaluated: true,
    description: 'A hard condition checked when a dataset is created or updated: the write is refused when it fails.',
    params: {
      gate: { type: 'string', values: GATES, required: true, description: 'Which gate.' },
      enabled: { type: 'boolean', default: true, description: 'Whether the gate is enforced.' },
    },
  },
  working_day_sla: {
    scope: 'province',
    evaluated: false,
    description: 'A time limit in working days (computed by compliance_deadline; Kho has no data to evaluate it yet).',
    params: {
      working_days: { type: 'integer', min: 1, max: 365, required: true, description: 'Working days allowed.' },
      starts: { type: 'string', description: 'The event that starts the clock.' , required: true },
    },
  },
};
