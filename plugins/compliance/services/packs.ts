// Rule packs: YAML files of versioned legal rules. They are read and validated when the plugin
// registers, so a malformed pack stops every `kho` command and the server with one line naming the
// file, the rule and the field. A province picks packs with compliance.rule_packs, may add its own
// folders with compliance.pack_dirs, override parameters with compliance.overrides and switch rules
// off with compliance.disabled_rules.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { ConfigError } from '../../../core/errors.ts';
import { PROJECT_ROOT } from '../../../core/config/load.ts';
import { RULE_KINDS, type ParamDecl, type Scope } from './rule-kinds.ts';
import type { CalendarSpec, HolidaySpec } from './calendar.ts';
import type { Localized } from './i18n.ts';
import { formatDay, parseDay } from './time.ts';

export const BUILTIN_PACK_DIR = fileURLToPath(new URL('../rule-packs', import.meta.url));

export type Evidence = 'SRC' | 'SEED' | 'SEC' | 'INF';
const EVIDENCE = ['SRC', 'SEED', 'SEC', 'INF'];

export interface Instrument {
  id: string;
  title: string;
  short: string;
  issued: string | null;
  url: string | null;
  evidence: Evidence | null;
  note: string | null;
}

export interface LegalBasis {
  instrument: string;
  instrument_title: string;
  instrument_short: string;
  article: string;
  quote: string | null;
  url: string | null;
}

export interface Rule {
  id: string;
  version: number;
  kind: string;
  scope: Scope;
  evaluated: boolean;
  title: Localized;
  requirement: string | null;
  legal_basis: LegalBasis;
  jurisdiction: string;
  effective_from: string;
  effective_to: string | null;
  evidence: Evidence | null;
  supersedes: string[];
  severity: 'required' | 'recommended';
  parameters: Record<string, any>;
  /** Parameters whose value comes from compliance.overrides rather than the pack. */
  overridden: string[];
  note: string | null;
  pack: string;
  pack_version: string;
  file: string;
  /** Day numbers of effective_from / effective_to, for the engine. */
  from: number;
  to: number | null;
}

export interface RulePack {
  id: string;
  version: string;
  title: Localized;
  jurisdiction: string;
  file: string;
  instruments: Record<string, Instrument>;
  calendar: CalendarSpec | null;
  rules: Rule[];
}

export interface PackSelection {
  names: string[];
  dirs: string[];
  overrides: Record<string, unknown>;
  disabled: string[];
}

class PackError extends ConfigError {}

const RULE_ID = /^[A-Z0-9][A-Z0-9-]*[A-Z0-9]$/;
const PACK_ID = /^[a-z0-9][a-z0-9-]*$/;

/** A pack file as users see it: relative to the project when it is inside (no server paths in answers). */
export function shownPath(file: string): string {
  const relative = path.relative(PROJECT_ROOT, file);
  return relative.startsWith('..') ? file : relative;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  return JSON.stringify(value);
}

/** Validate one parameter value; returns an error text or null. */
export function checkParam(decl: ParamDecl, value: unknown): string | null {
  switch (decl.type) {
    case 'integer':
    case 'number': {
      const ok = typeof value === 'number' && Number.isFinite(value) && (decl.type === 'number' || Number.isInteger(value));
      const bounds = [decl.min !== undefined ? `≥ ${decl.min}` : '', decl.max !== undefined ? `≤ ${decl.max}` : ''].filter(Boolean).join(' and ');
      if (!ok || (decl.min !== undefined && (value as number) < decl.min) || (decl.max !== undefined && (value as number) > decl.max)) {
        return `must be ${decl.type === 'integer' ? 'an integer' : 'a number'}${bounds ? ` ${bounds}` : ''} (got ${describe(value)})`;
      }
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : `must be true or false (got ${describe(value)})`;
    case 'string':
      if (typeof value !== 'string' || !value) return `must be a text (got ${describe(value)})`;
      if (decl.values && !decl.values.includes(value)) return `must be one of ${decl.values.join(', ')} (got ${describe(value)})`;
      return null;
    case 'list':
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) return `must be a list of texts (got ${describe(value)})`;
      if (decl.values) {
        const bad = value.find((item) => !decl.values!.includes(item));
        if (bad !== undefined) return `may only contain ${decl.values.join(', ')} (got ${describe(bad)})`;
      }
      return null;
    case 'map':
      if (!value || typeof value !== 'object' || Array.isArray(value)) return `must be a mapping (got ${describe(value)})`;
      for (const [key, item] of Object.entries(value)) {
        if (decl.keys && !decl.keys.includes(key)) return `.${key} is not one of ${decl.keys.join(', ')}`;
        const ok = typeof item === 'number' && Number.isFinite(item) && (decl.of === 'number' || Number.isInteger(item)) && item >= 0;
        if (!ok) return `.${key} must be ${decl.of === 'integer' ? 'an integer' : 'a number'} ≥ 0 (got ${describe(item)})`;
      }
      return null;
  }
}

function localized(value: unknown): value is Localized {
  if (typeof value === 'string') return value.trim() !== '';
  return !!value && typeof value === 'object' && typeof (value as any).vi === 'string' && typeof (value as any).en === 'string';
}

function dateText(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string' && parseDay(value) !== null) return value;
  return null;
}

export function parsePack(file: string, text: string): RulePack {
  const where = `Rule pack ${shownPath(file)}`;
  let doc: any;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new PackError(`${where}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new PackError(`${where}: must be a mapping with pack, version, title, jurisdiction, instruments and rules`);
  const fail = (field: string, message: string): never => {
    throw new PackError(`${where}: ${field} ${message}`);
  };
  if (typeof doc.pack !== 'string' || !PACK_ID.test(doc.pack)) fail('pack', `must be a lowercase id (got ${describe(doc.pack)})`);
  if (doc.version === undefined || doc.version === null || doc.version === '') fail('version', 'is missing');
  if (!localized(doc.title)) fail('title', 'must be a text or {vi, en}');
  if (typeof doc.jurisdiction !== 'string' || !doc.jurisdiction) fail('jurisdiction', `must be a text such as VN or VN-31 (got ${describe(doc.jurisdiction)})`);
  const known = new Set(['pack', 'version', 'title', 'jurisdiction', 'description', 'instruments', 'calendar', 'rules', 'note']);
  for (const key of Object.keys(doc)) if (!known.has(key)) fail(key, `is not a pack field (expected ${[...known].join(', ')})`);

  const instruments: Record<string, Instrument> = {};
  if (doc.instruments !== undefined) {
    if (!doc.instruments || typeof doc.instruments !== 'object' || Array.isArray(doc.instruments)) fail('instruments', 'must be a mapping of id → {title, …}');
    for (const [id, raw] of Object.entries<any>(doc.instruments)) {
      if (!raw || typeof raw !== 'object' || typeof raw.title !== 'string') fail(`instruments.${id}.title`, 'must be a text');
      if (raw.evidence !== undefined && !EVIDENCE.includes(raw.evidence)) fail(`instruments.${id}.evidence`, `must be one of ${EVIDENCE.join(', ')}`);
      instruments[id] = {
        id,
        title: raw.title,
        short: typeof raw.short === 'string' ? raw.short : id,
        issued: dateText(raw.issued),
        url: typeof raw.url === 'string' ? raw.url : null,
        evidence: raw.evidence ?? null,
        note: typeof raw.note === 'string' ? raw.note : null,
      };
    }
  }

  const calendar = doc.calendar === undefined ? null : parseCalendar(doc.calendar, (field, message) => fail(`calendar.${field}`, message));

  if (!Array.isArray(doc.rules)) fail('rules', 'must be a list');
  const packVersion = String(doc.version);
  const rules: Rule[] = doc.rules.map((raw: any, index: number) => parseRule(raw, index, { where, instruments, pack: doc.pack, packVersion, jurisdiction: doc.jurisdiction, file }));
  checkVersions(rules, where);
  return { id: doc.pack, version: packVersion, title: doc.title, jurisdiction: doc.jurisdiction, file, instruments, calendar, rules };
}

function parseCalendar(raw: any, fail: (field: string, message: string) => never): CalendarSpec {
  if (!raw || typeof raw !== 'object') fail('', 'must be a mapping with weekend and holidays');
  const weekend = raw.weekend ?? [6, 7];
  if (!Array.isArray(weekend) || weekend.some((d: unknown) => !Number.isInteger(d) || (d as number) < 1 || (d as number) > 7)) fail('weekend', 'must list ISO weekdays 1–7');
  if (!Array.isArray(raw.holidays)) fail('holidays', 'must be a list');
  const holidays: HolidaySpec[] = raw.holidays.map((h: any, i: number) => {
    const at = `holidays[${i}]`;
    if (!h || typeof h.id !== 'string') fail(`${at}.id`, 'must be a text');
    if (!localized(h.name)) fail(`${at}.name`, 'must be a text or {vi, en}');
    const anchors = ['solar', 'lunar', 'national_day_adjacent'].filter((key) => h[key] !== undefined);
    if (anchors.length !== 1) fail(`${at}`, 'needs exactly one of solar, lunar, national_day_adjacent');
    for (const key of ['solar', 'lunar']) {
      if (h[key] !== undefined && !/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|30|31)$/.test(String(h[key]))) fail(`${at}.${key}`, `must be "MM-DD" (got ${describe(h[key])})`);
    }
    for (const key of ['days_before', 'days_after']) {
      if (h[key] !== undefined && (!Number.isInteger(h[key]) || h[key] < 0 || h[key] > 10)) fail(`${at}.${key}`, 'must be an integer 0–10');
    }
    for (const key of ['effective_from', 'effective_to']) {
      if (h[key] !== undefined && h[key] !== null && dateText(h[key]) === null) fail(`${at}.${key}`, `must be a date YYYY-MM-DD (got ${describe(h[key])})`);
    }
    return { ...h, effective_from: dateText(h.effective_from), effective_to: dateText(h.effective_to) };
  });
  return { weekend, holidays, legal_basis: raw.legal_basis };
}

interface RuleContext {
  where: string;
  instruments: Record<string, Instrument>;
  pack: string;
  packVersion: string;
  jurisdiction: string;
  file: string;
}

const RULE_FIELDS = new Set([
  'id', 'version', 'kind', 'title', 'requirement', 'legal_basis', 'jurisdiction', 'effective_from', 'effective_to', 'evidence',
  'supersedes', 'severity', 'parameters', 'note',
]);

function parseRule(raw: any, index: number, ctx: RuleContext): Rule {
  const label = raw && typeof raw.id === 'string' ? `rule "${raw.id}" (rules[${index}])` : `rules[${index}]`;
  const fail = (field: string, message: string): never => {
    throw new PackError(`${ctx.where}: ${label}: ${field} ${message}`);
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('', 'must be a mapping');
  for (const key of Object.keys(raw)) if (!RULE_FIELDS.has(key)) fail(key, `is not a rule field (expected ${[...RULE_FIELDS].join(', ')})`);
  if (typeof raw.id !== 'string' || !RULE_ID.test(raw.id)) fail('id', `must be upper-case letters, digits and dashes (got ${describe(raw.id)})`);
  if (!Number.isInteger(raw.version) || raw.version < 1) fail('version', `must be an integer ≥ 1 (got ${describe(raw.version)})`);
  const kind = RULE_KINDS[raw.kind];
  if (!kind) fail('kind', `must be one of ${Object.keys(RULE_KINDS).join(', ')} (got ${describe(raw.kind)})`);
  if (!localized(raw.title)) fail('title', 'must be a text or {vi, en}');
  if (raw.requirement !== undefined && !/^R\d+$/.test(String(raw.requirement))) fail('requirement', `must look like R25 (got ${describe(raw.requirement)})`);
  const basis = raw.legal_basis;
  if (!basis || typeof basis !== 'object' || Array.isArray(basis)) fail('legal_basis', 'must be a mapping {instrument, article}');
  for (const key of Object.keys(basis)) {
    if (!['instrument', 'article', 'quote'].includes(key)) fail(`legal_basis.${key}`, 'is not a legal-basis field (expected instrument, article, quote); quote texts that contain commas');
  }
  if (typeof basis.instrument !== 'string' || !ctx.instruments[basis.instrument]) {
    fail('legal_basis.instrument', `must name one of the pack's instruments (${Object.keys(ctx.instruments).join(', ') || 'none declared'}; got ${describe(basis.instrument)})`);
  }
  if (typeof basis.article !== 'string' || !basis.article) fail('legal_basis.article', `must be a text such as "Điều 7 khoản 1" (got ${describe(basis.article)})`);
  const from = dateText(raw.effective_from);
  if (!from) fail('effective_from', `must be a date YYYY-MM-DD (got ${describe(raw.effective_from)})`);
  const to = raw.effective_to === undefined || raw.effective_to === null ? null : dateText(raw.effective_to);
  if (raw.effective_to !== undefined && raw.effective_to !== null && !to) fail('effective_to', `must be a date YYYY-MM-DD or null (got ${describe(raw.effective_to)})`);
  if (to && parseDay(to)! < parseDay(from!)!) fail('effective_to', `(${to}) is before effective_from (${from})`);
  if (raw.evidence !== undefined && !EVIDENCE.includes(raw.evidence)) fail('evidence', `must be one of ${EVIDENCE.join(', ')} (got ${describe(raw.evidence)})`);
  if (raw.severity !== undefined && raw.severity !== 'required' && raw.severity !== 'recommended') fail('severity', `must be required or recommended (got ${describe(raw.severity)})`);
  const supersedes = raw.supersedes ?? [];
  if (!Array.isArray(supersedes) || supersedes.some((id: unknown) => typeof id !== 'string')) fail('supersedes', 'must be a list of rule ids');
  const parameters = checkParameters(raw.kind, raw.parameters ?? {}, (field, message) => fail(`parameters.${field}`, message));
  const instrument = ctx.instruments[basis.instrument];
  return {
    id: raw.id,
    version: raw.version,
    kind: raw.kind,
    scope: raw.kind === 'periodic_report' ? (parameters.scope === 'organization' ? 'organization' : 'province') : kind.scope,
    evaluated: kind.evaluated,
    title: raw.title,
    requirement: raw.requirement ?? null,
    legal_basis: {
      instrument: basis.instrument,
      instrument_title: instrument.title,
      instrument_short: instrument.short,
      article: basis.article,
      quote: typeof basis.quote === 'string' ? basis.quote.trim() : null,
      url: instrument.url,
    },
    jurisdiction: typeof raw.jurisdiction === 'string' ? raw.jurisdiction : ctx.jurisdiction,
    effective_from: from!,
    effective_to: to,
    evidence: raw.evidence ?? instrument.evidence ?? null,
    supersedes,
    severity: raw.severity ?? 'required',
    parameters,
    overridden: [],
    note: typeof raw.note === 'string' ? raw.note.trim() : null,
    pack: ctx.pack,
    pack_version: ctx.packVersion,
    file: shownPath(ctx.file),
    from: parseDay(from!)!,
    to: to ? parseDay(to)! : null,
  };
}

/** Check a rule's parameters against its kind; fill defaults. */
export function checkParameters(kindName: string, raw: unknown, fail: (field: string, message: string) => never): Record<string, any> {
  const kind = RULE_KINDS[kindName];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('', 'must be a mapping');
  const out: Record<string, any> = {};
  for (const key of Object.keys(raw as object)) {
    if (!kind.params[key]) fail(key, `is not a parameter of kind ${kindName} (it takes: ${Object.keys(kind.params).join(', ') || 'none'})`);
  }
  for (const [name, decl] of Object.entries(kind.params)) {
    const value = (raw as Record<string, unknown>)[name];
    if (value === undefined || value === null) {
      if (decl.required) fail(name, 'is required');
      if (decl.default !== undefined) out[name] = structuredClone(decl.default);
      continue;
    }
    const problem = checkParam(decl, value);
    if (problem) fail(name, problem);
    out[name] = value;
  }
  return out;
}

function checkVersions(rules: Rule[], where: string) {
  const byId = new Map<string, Rule[]>();
  for (const rule of rules) byId.set(rule.id, [...(byId.get(rule.id) ?? []), rule]);
  for (const [id, versions] of byId) {
    const seen = new Set<number>();
    for (const rule of versions) {
      if (seen.has(rule.version)) throw new PackError(`${where}: rule "${id}": version ${rule.version} appears twice`);
      seen.add(rule.version);
    }
    const sorted = [...versions].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1];
      if (previous.to === null || previous.to >= sorted[i].from) {
        throw new PackError(`${where}: rule "${id}": versions ${previous.version} and ${sorted[i].version} are both in force on ${formatDay(sorted[i].from)}; end the earlier one with effective_to`);
      }
      if (previous.kind !== sorted[i].kind) throw new PackError(`${where}: rule "${id}": versions ${previous.version} and ${sorted[i].version} have different kinds`);
    }
  }
}

function findPackFile(name: string, dirs: string[]): string | null {
  for (const dir of dirs) {
    for (const ext of ['.yaml', '.yml']) {
      const file = path.resolve(dir, name + ext);
      if (existsSync(file)) return file;
    }
  }
  return null;
}

/** Load, validate and combine the selected packs; apply the province's overrides. */
export function loadRuleBook(selection: PackSelection): RuleBook {
  const dirs = [...selection.dirs.map((dir) => path.resolve(PROJECT_ROOT, dir)), BUILTIN_PACK_DIR];
  if (!selection.names.length) throw new ConfigError('Config: compliance.rule_packs is empty; name at least one pack (e.g. [national])');
  const packs: RulePack[] = [];
  for (const name of selection.names) {
    if (!PACK_ID.test(name)) throw new ConfigError(`Config: compliance.rule_packs: "${name}" is not a pack name`);
    const file = findPackFile(name, dirs);
    if (!file) throw new ConfigError(`Config: compliance.rule_packs: no pack "${name}" (looked for ${name}.yaml in ${dirs.map(shownPath).join(', ')})`);
    const pack = parsePack(file, readFileSync(file, 'utf8'));
    if (pack.id !== name) throw new ConfigError(`Rule pack ${shownPath(file)}: pack is "${pack.id}" but the file is named "${name}"; they must match`);
    packs.push(pack);
  }
  const rules = packs.flatMap((pack) => pack.rules);
  const owners = new Map<string, string>();
  for (const rule of rules) {
    const owner = owners.get(rule.id);
    if (owner && owner !== rule.pack) throw new ConfigError(`Rule packs "${owner}" and "${rule.pack}" both define rule "${rule.id}"`);
    owners.set(rule.id, rule.pack);
  }
  for (const rule of rules) {
    for (const id of rule.supersedes) {
      if (!owners.has(id)) throw new ConfigError(`Rule pack ${rule.file}: rule "${rule.id}": supersedes "${id}", which no enabled pack defines`);
    }
  }
  for (const id of selection.disabled) {
    if (!owners.has(id)) throw new ConfigError(`Config: compliance.disabled_rules: no enabled pack defines rule "${id}"`);
  }
  applyOverrides(rules, selection.overrides);
  const calendars = packs.filter((pack) => pack.calendar);
  if (calendars.length === 0) throw new ConfigError(`Config: compliance.rule_packs: none of ${selection.names.join(', ')} defines the working-day calendar; include the national pack`);
  if (calendars.length > 1) throw new ConfigError(`Rule packs ${calendars.map((p) => `"${p.id}"`).join(' and ')} both define the calendar; only one may`);
  return new RuleBook(packs, rules.filter((rule) => !selection.disabled.includes(rule.id)), calendars[0].calendar!);
}

function applyOverrides(rules: Rule[], overrides: Record<string, unknown>) {
  for (const [id, raw] of Object.entries(overrides ?? {})) {
    const versions = rules.filter((rule) => rule.id === id);
    if (!versions.length) throw new ConfigError(`Config: compliance.overrides: no enabled pack defines rule "${id}"`);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`Config: compliance.overrides.${id} must be a mapping of parameter → value`);
    for (const rule of versions) {
      const merged = { ...rule.parameters, ...(raw as object) };
      rule.parameters = checkParameters(rule.kind, merged, (field, message) => {
        throw new ConfigError(`Config: compliance.overrides.${id}.${field} ${message}`);
      });
      rule.overridden = Object.keys(raw as object).sort();
    }
  }
}

/** The rules of the enabled packs, all versions, with the questions the engine asks of them. */
export class RuleBook {
  readonly packs: RulePack[];
  readonly rules: Rule[];
  readonly calendar: CalendarSpec;

  constructor(packs: RulePack[], rules: Rule[], calendar: CalendarSpec) {
    this.packs = packs;
    this.rules = rules;
    this.calendar = calendar;
  }

  private readonly byDay = new Map<number, Rule[]>();

  /** Rules in force on a local day: the version whose dates contain it, minus superseded rules. */
  inForce(day: number): Rule[] {
    const cached = this.byDay.get(day);
    if (cached) return cached;
    const current = this.rules.filter((rule) => rule.from <= day && (rule.to === null || day <= rule.to));
    const superseded = new Set(current.flatMap((rule) => rule.supersedes));
    const result = current.filter((rule) => !superseded.has(rule.id));
    if (this.byDay.size > 5000) this.byDay.clear();
    this.byDay.set(day, result);
    return result;
  }

  ofKind(kind: string, day: number): Rule[] {
    return this.inForce(day).filter((rule) => rule.kind === kind);
  }

  /** The version of a rule in force on a day (null when none, or superseded). */
  version(id: string, day: number): Rule | null {
    return this.inForce(day).find((rule) => rule.id === id) ?? null;
  }

  gate(name: string, day: number): Rule | null {
    return this.ofKind('publish_gate', day).find((rule) => rule.parameters.gate === name) ?? null;
  }

  /** What a report records so it can be reproduced: packs and the exact rules used. */
  snapshot(rules: Rule[]): { packs: Array<{ pack: string; version: string; file: string }>; rules: Array<Record<string, unknown>> } {
    return {
      packs: this.packs.map((pack) => ({ pack: pack.id, version: pack.version, file: shownPath(pack.file) })),
      rules: rules.map((rule) => ({
        id: rule.id,
        version: rule.version,
        pack: rule.pack,
        pack_version: rule.pack_version,
        kind: rule.kind,
        effective_from: rule.effective_from,
        effective_to: rule.effective_to,
        parameters: rule.parameters,
        overridden: rule.overridden,
      })),
    };
  }
}
