// Validation of a harvest source's own fields (url, source_type, frequency, config, active), as
// ckanext-harvest's harvest_source_schema; the dataset fields (name, title, owner_org, …) are left
// to package_create / package_update. Errors are CKAN field errors (409).
import type { ActionContext, DataDict } from '../../../core/actions/types.ts';
import { both, M, msg } from '../i18n/messages.ts';
import { HARVESTERS, fullConfigSpec } from '../harvesters/index.ts';
import { sources as sourceRepo, type SourceRow } from '../model/repo.ts';
import { restoreSecrets, validateConfigSpec } from './config-spec.ts';
import { normaliseFrequency } from '../services/schedule.ts';
import { stableStringify } from '../services/identity.ts';
import { parseConfig } from '../services/sources.ts';
import type { HarvestSettings } from '../settings.ts';

export interface SourceFields {
  url: string;
  source_type: string;
  frequency: string;
  config: Record<string, unknown>;
  active: boolean;
}

const MISSING = () => [both(M.missingValue)];

/** ckanext-harvest's _normalize_url: scheme, host (default port dropped) and path without the trailing slash. */
export function normaliseUrl(url: string): string {
  try {
    const parsed = new URL(url.trim());
    const port = parsed.port && !((parsed.protocol === 'http:' && parsed.port === '80') || (parsed.protocol === 'https:' && parsed.port === '443')) ? `:${parsed.port}` : '';
    return `${parsed.protocol}//${parsed.hostname}${port}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url.trim();
  }
}

function asBoolean(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  return String(value).toLowerCase() === 'true';
}

export async function validateSourceFields(
  context: ActionContext,
  data: DataDict,
  settings: HarvestSettings,
  current: SourceRow | null,
): Promise<{ values: SourceFields; errors: Record<string, string[]> }> {
  const errors: Record<string, string[]> = {};
  const values: Partial<SourceFields> = {};

  const url = typeof data.url === 'string' ? data.url.trim() : '';
  if (!url) errors.url = MISSING();
  else if (!/^https?:\/\/[^\s/]+/i.test(url) || !URL.canParse(url)) errors.url = [both(M.badUrl)];
  else values.url = url;

  const type = typeof data.source_type === 'string' ? data.source_type.trim() : '';
  const harvester = HARVESTERS.get(type);
  if (!type) errors.source_type = MISSING();
  else if (!harvester) errors.source_type = [both(M.unknownType(type, [...HARVESTERS.keys()]))];
  else values.source_type = type;

  if (data.frequency === undefined && current) values.frequency = current.frequency;
  else {
    const frequency = normaliseFrequency(data.frequency, settings.timezone);
    if (!frequency) errors.frequency = [both(M.badFrequency(String(data.frequency)))];
    else values.frequency = frequency;
  }

  const stored = parseConfig(current?.config);
  let config: Record<string, unknown> = {};
  if (data.config === undefined) config = stored;
  else if (data.config === null || data.config === '') config = {};
  else if (typeof data.config === 'string') {
    try {
      const parsed = JSON.parse(data.config);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      config = parsed;
    } catch (err) {
      errors.config = [both(M.configNotJson((err as Error).message))];
    }
  } else if (typeof data.config === 'object' && !Array.isArray(data.config)) config = data.config;
  else errors.config = [both(M.configNotJson(typeof data.config))];

  if (harvester && !errors.config) {
    const spec = fullConfigSpec(harvester);
    config = restoreSecrets(spec, config, stored);
    const problems = validateConfigSpec(spec, config);
    if (!problems.length) problems.push(...(await commonChecks(context, config)), ...((await harvester.validateConfig?.(config, context)) ?? []));
    if (problems.length) errors.config = problems.map((problem) => `Error parsing the configuration options: ${problem}`);
    else values.config = config;
  }

  values.active = asBoolean(data.active, current ? current.active : true);

  if (values.url && values.config && !errors.url) {
    const wanted = normaliseUrl(values.url);
    const wantedConfig = stableStringify(values.config);
    for (const other of await sourceRepo.withUrlLike(context.db(), current?.id ?? null)) {
      if (normaliseUrl(other.url) === wanted && stableStringify(parseConfig(other.config)) === wantedConfig) {
        errors.url = [both(M.duplicateSource(wanted))];
        break;
      }
    }
  }
  return { values: values as SourceFields, errors };
}

/** Options of the common set that need the database: groups and the user must exist. */
async function commonChecks(context: ActionContext, config: Record<string, unknown>): Promise<string[]> {
  const problems: string[] = [];
  const { repos } = context.services;
  for (const ref of (config.default_groups as string[] | undefined) ?? []) {
    const group = await repos.groups.get(context.db(), ref);
    if (!group || group.is_organization || group.state !== 'active') problems.push(`default_groups: ${both(msg(`group ${ref} not found`, `không tìm thấy nhóm ${ref}`))}`);
  }
  if (typeof config.user === 'string') {
    const user = await repos.users.get(context.db(), config.user);
    if (!user || user.state !== 'active') problems.push(`user: ${both(msg(`user ${config.user} not found`, `không tìm thấy người dùng ${config.user}`))}`);
  }
  return problems;
}
