// A harvester declares its source configuration as data: key, type, description (en/vi), limits,
// and whether the value is a secret. The same declaration validates `config` on
// harvest_source_create/update (409 with the messages under `config`), masks secrets for callers
// who may not see them, and documents the harvester (harvesters_info_show).
import { both, msg, type Msg } from '../i18n/messages.ts';

export type ConfigFieldType = 'string' | 'boolean' | 'integer' | 'string[]' | 'string-map' | 'enum' | 'url' | 'object' | 'any';

export interface ConfigField {
  type: ConfigFieldType;
  description: Msg;
  values?: readonly string[];
  min?: number;
  max?: number;
  /** Never shown to callers who may not administer the source. */
  secret?: boolean;
  /** Accepted for compatibility with ckanext-harvest configs, and ignored. */
  ignored?: boolean;
  /** Keys of a nested object (type "object"). */
  fields?: ConfigSpec;
  /** Extra check; returns a message when the value is wrong. */
  check?: (value: any, whole: Record<string, unknown>) => Msg | null;
}

export type ConfigSpec = Record<string, ConfigField>;

export const SECRET_MASK = '********';

/** Shown in place of a secret; sending it back on update keeps the stored secret. */
export function isMask(value: unknown): boolean {
  return value === SECRET_MASK;
}

const typeName: Record<ConfigFieldType, Msg> = {
  string: msg('a string', 'một chuỗi'),
  boolean: msg('true or false', 'true hoặc false'),
  integer: msg('an integer', 'một số nguyên'),
  'string[]': msg('a list of strings', 'một danh sách chuỗi'),
  'string-map': msg('an object whose values are strings', 'một đối tượng có giá trị là chuỗi'),
  enum: msg('one of the listed values', 'một trong các giá trị cho phép'),
  url: msg('an http or https URL', 'một URL http hoặc https'),
  object: msg('an object', 'một đối tượng'),
  any: msg('a value', 'một giá trị'),
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function checkType(field: ConfigField, value: unknown): Msg | null {
  const wrong = () => {
    const expected = typeName[field.type];
    const listed = field.type === 'enum' && field.values ? `: ${field.values.join(', ')}` : '';
    return msg(`must be ${expected.en}${listed}`, `phải là ${expected.vi}${listed}`);
  };
  switch (field.type) {
    case 'string':
      return typeof value === 'string' ? null : wrong();
    case 'boolean':
      return typeof value === 'boolean' ? null : wrong();
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return wrong();
      if (field.min !== undefined && value < field.min) return msg(`must be at least ${field.min}`, `phải từ ${field.min} trở lên`);
      if (field.max !== undefined && value > field.max) return msg(`must be at most ${field.max}`, `không được quá ${field.max}`);
      return null;
    }
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string') ? null : wrong();
    case 'string-map':
      return isPlainObject(value) && Object.values(value).every((item) => typeof item === 'string') ? null : wrong();
    case 'enum':
      return typeof value === 'string' && (field.values ?? []).includes(value) ? null : wrong();
    case 'url':
      return typeof value === 'string' && /^https?:\/\/\S+$/i.test(value) ? null : wrong();
    case 'object':
      return isPlainObject(value) ? null : wrong();
    case 'any':
      return null;
  }
}

/**
 * Validate `input` against `spec`. Returns the messages ("key: problem / vấn đề"), empty when the
 * config is valid. Unknown keys are refused so a typo does not silently do nothing.
 */
export function validateConfigSpec(spec: ConfigSpec, input: Record<string, unknown>, prefix = ''): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    const field = spec[key];
    const path = prefix + key;
    if (!field) {
      const known = Object.keys(spec).filter((name) => !spec[name].ignored);
      errors.push(both(msg(`${path}: unknown option (known: ${known.join(', ')})`, `${path}: tùy chọn không tồn tại (có: ${known.join(', ')})`)));
      continue;
    }
    if (field.ignored || value === null) continue;
    const problem = checkType(field, value);
    if (problem) {
      errors.push(`${path}: ${both(problem)}`);
      continue;
    }
    if (field.type === 'object' && field.fields) errors.push(...validateConfigSpec(field.fields, value as Record<string, unknown>, `${path}.`));
    const extra = field.check?.(value, input);
    if (extra) errors.push(`${path}: ${both(extra)}`);
  }
  return errors;
}

/** A copy of `config` with secret values replaced by the mask. */
export function maskSecrets(spec: ConfigSpec, config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const field = spec[key];
    if (field?.secret && value !== null && value !== undefined && value !== '') out[key] = SECRET_MASK;
    else if (field?.type === 'object' && field.fields && isPlainObject(value)) out[key] = maskSecrets(field.fields, value);
    else if (!field && /(api_?key|token|password|secret|authorization)/i.test(key) && typeof value === 'string' && value) out[key] = SECRET_MASK;
    else out[key] = value;
  }
  return out;
}

/** Put stored secrets back where an update sent the mask. */
export function restoreSecrets(spec: ConfigSpec, incoming: Record<string, unknown>, stored: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(incoming)) {
    const field = spec[key];
    if (isMask(value)) out[key] = stored[key];
    else if (field?.type === 'object' && field.fields && isPlainObject(value) && isPlainObject(stored[key])) {
      out[key] = restoreSecrets(field.fields, value, stored[key] as Record<string, unknown>);
    } else out[key] = value;
  }
  return out;
}

/** The declaration as harvesters_info_show prints it. */
export function describeSpec(spec: ConfigSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(spec)) {
    if (field.ignored) continue;
    out[key] = {
      type: field.type,
      description: field.description,
      ...(field.values ? { values: field.values } : {}),
      ...(field.min !== undefined ? { min: field.min } : {}),
      ...(field.max !== undefined ? { max: field.max } : {}),
      ...(field.secret ? { secret: true } : {}),
      ...(field.fields ? { fields: describeSpec(field.fields) } : {}),
    };
  }
  return out;
}
