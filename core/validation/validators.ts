// CKAN's general-purpose validators (ckan/lib/navl/validators.py, ckan/logic/validators.py), with
// CKAN's messages. Entity-specific ones (package names, owner_org, …) live next to their schemas.
import { parseIsoDate } from '../clock.ts';
import { nfc } from '../text/vietnamese.ts';
import { Invalid, MISSING, STOP, isPlainObject, type FieldState, type Validator } from './navl.ts';
import { isUploadedFile } from '../storage/file-store.ts';

const isAbsent = (value: unknown) => value === MISSING || value === null || value === undefined;

/** Drop the key when it is missing or null, and stop. */
export const ignoreMissing: Validator = (value, field) => {
  if (isAbsent(value)) {
    delete field.data[field.key];
    throw STOP;
  }
  return value;
};

/** Drop the key when it is missing, null or ''. */
export const ignoreEmpty: Validator = (value, field) => {
  if (isAbsent(value) || value === '') {
    delete field.data[field.key];
    throw STOP;
  }
  return value;
};

/** Always drop the key. */
export const ignore: Validator = (_value, field) => {
  delete field.data[field.key];
  throw STOP;
};

export const notEmpty: Validator = (value, field) => {
  if (isAbsent(value) || value === '' || (Array.isArray(value) && value.length === 0)) {
    field.error('Missing value');
    throw STOP;
  }
  return value;
};

export const notMissing: Validator = (value, field) => {
  if (value === MISSING) {
    field.error('Missing value');
    throw STOP;
  }
  return value;
};

/** The key must not be given at all. */
export const empty: Validator = (value, field) => {
  if (value !== MISSING && value !== null && value !== '' && value !== undefined) {
    field.error(`The input field ${field.key} was not expected.`);
    delete field.data[field.key];
    throw STOP;
  }
  delete field.data[field.key];
  throw STOP;
};

/**
 * CKAN's unicode_safe: anything becomes text (numbers as written, structures as JSON), NFC. A file
 * sent in a text field becomes its name, as in CKAN; its server-side details must never be stored.
 */
export const unicodeSafe: Validator = (value) => {
  if (value === MISSING) return value;
  if (typeof value === 'string') return nfc(value);
  if (value === null || value === undefined) return value;
  if (isUploadedFile(value)) return value.filename;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

export const stripValue: Validator = (value) => (typeof value === 'string' ? value.trim() : value);

export const removeWhitespace: Validator = (value) => (typeof value === 'string' ? value.trim() : value);

export const booleanValidator: Validator = (value) => {
  if (isAbsent(value)) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  // CKAN calls value.lower() and answers a dict or list with a 500; a 409 says what is wrong.
  if (typeof value === 'object') throw new Invalid('Must be a boolean');
  return ['true', 'yes', 't', 'y', '1'].includes(String(value).toLowerCase());
};

export function toInteger(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    if (!value.trim()) return null;
    if (!/^\s*[+-]?\d+\s*$/.test(value)) throw new Invalid('Invalid integer');
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed)) throw new Invalid('Invalid integer');
    return parsed;
  }
  if (typeof value === 'number' && Number.isFinite(value) && Number.isInteger(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new Invalid('Invalid integer');
}

export const intValidator: Validator = (value) => toInteger(value);

export const naturalNumberValidator: Validator = (value) => {
  const parsed = toInteger(value);
  if (parsed !== null && parsed < 0) throw new Invalid('Must be a natural number');
  return parsed;
};

export const isPositiveInteger: Validator = (value) => {
  const parsed = toInteger(value);
  if (parsed !== null && parsed < 1) throw new Invalid('Must be a postive integer');
  return parsed;
};

/** Dates in: Python fromisoformat forms. Out: naive UTC ISO. '' becomes null. */
export const isodate: Validator = (value) => {
  if (value === '' || value === null) return null;
  if (typeof value !== 'string') throw new Invalid('Date format incorrect');
  const parsed = parseIsoDate(value);
  if (!parsed) throw new Invalid('Date format incorrect');
  return parsed;
};

export function ifEmptySameAs(other: string): Validator {
  return (value, field) => {
    if (isAbsent(value) || value === '') return field.data[other] ?? field.input[other];
    return value;
  };
}

export function defaultValue(def: unknown): Validator {
  return (value) => (isAbsent(value) || value === '' ? def : value);
}

export function oneOf(values: readonly unknown[]): Validator {
  return (value) => {
    if (!values.includes(value)) throw new Invalid(`Value must be one of ${JSON.stringify(values)}`);
    return value;
  };
}

export function maxLength(max: number, message?: string): Validator {
  return (value) => {
    if (typeof value === 'string' && [...value].length > max) {
      throw new Invalid(message ?? `Must be a maximum of ${max} characters long`);
    }
    return value;
  };
}

// The HTML5 e-mail pattern CKAN uses (ckan/logic/validators.py email_pattern), with its extra
// refusal of a leading, trailing or doubled dot.
const EMAIL = /^(?!\.)(?!.*\.$)(?!.*?\.\.)[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export const emailValidator: Validator = (value) => {
  if (typeof value === 'string' && value !== '' && !EMAIL.test(value)) {
    throw new Invalid(`Email ${value} is not a valid format`);
  }
  return value;
};

export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

const NAME = /^[a-z0-9_-]*$/;

/** CKAN's name_validator for datasets, groups, organizations and users. */
export const nameValidator: Validator = (value) => {
  if (typeof value !== 'string') throw new Invalid('Names must be strings');
  if (['new', 'edit', 'search'].includes(value)) throw new Invalid('That name cannot be used');
  if (value.length < 2) throw new Invalid('Must be at least 2 characters long');
  if (value.length > 100) throw new Invalid('Name must be a maximum of 100 characters long');
  if (!NAME.test(value)) throw new Invalid('Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_');
  return value;
};

export const jsonObject: Validator = (value) => {
  if (isAbsent(value) || value === '') return value;
  if (isUploadedFile(value)) throw new Invalid('The value should be a valid JSON object');
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Invalid('Could not parse the value as a valid JSON object');
    }
  }
  if (!isPlainObject(parsed)) throw new Invalid('The value should be a valid JSON object');
  return parsed;
};

export const listOfStrings: Validator = (value) => {
  if (!Array.isArray(value)) throw new Invalid('Not a list');
  for (const item of value) if (typeof item !== 'string') throw new Invalid(`Not a string: ${JSON.stringify(item)}`);
  return value;
};

export const convertToListIfString: Validator = (value) => {
  if (typeof value === 'string') return value.split(/[,\s]+/).filter(Boolean);
  return value;
};

export const convertToJsonIfString: Validator = (value) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new Invalid('Could not parse as valid JSON');
  }
};

export const uuidValidator: Validator = (value) => {
  if (typeof value !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new Invalid('Invalid id provided');
  }
  return value.toLowerCase();
};

/** Keep the key only for sysadmins (or when auth is ignored). */
export const ignoreNotSysadmin: Validator = (value, field) => {
  const { user, ignoreAuth } = field.context.action;
  if (ignoreAuth || user?.sysadmin) return value;
  delete field.data[field.key];
  throw STOP;
};

/** 2.11: only sysadmins may set ids; others get "The input field id was not expected." */
export const emptyIfNotSysadmin: Validator = (value, field) => {
  const { user, ignoreAuth } = field.context.action;
  if (ignoreAuth || user?.sysadmin) return value;
  return empty(value, field);
};

/** CKAN validator names, so plugin field declarations can name them as ckanext-scheming does. */
export const validatorsByName: Record<string, Validator> = {
  ignore_missing: ignoreMissing,
  ignore_empty: ignoreEmpty,
  ignore,
  not_empty: notEmpty,
  not_missing: notMissing,
  empty,
  unicode_safe: unicodeSafe,
  strip_value: stripValue,
  remove_whitespace: removeWhitespace,
  boolean_validator: booleanValidator,
  int_validator: intValidator,
  natural_number_validator: naturalNumberValidator,
  is_positive_integer: isPositiveInteger,
  isodate,
  email_validator: emailValidator,
  name_validator: nameValidator,
  json_object: jsonObject,
  list_of_strings: listOfStrings,
  convert_to_list_if_string: convertToListIfString,
  convert_to_json_if_string: convertToJsonIfString,
  ignore_not_sysadmin: ignoreNotSysadmin,
};

export type { FieldState };
