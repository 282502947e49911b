// Extra dataset and organization fields declared by plugins (CKAN's IDatasetForm, the way
// ckanext-scheming describes them). A declared field is validated on create and update, stored,
// shown top-level in the package or organization dict, indexed for search, and described well
// enough for a form to be generated from it.
import { Invalid, MISSING, type Validator } from './navl.ts';
import {
  booleanValidator,
  emailValidator,
  ignoreMissing,
  intValidator,
  isodate,
  jsonObject,
  notEmpty,
  stripValue,
  unicodeSafe,
  validatorsByName,
} from './validators.ts';

export type Localized = string | { vi: string; en: string };

export interface FieldChoice {
  value: string;
  label: Localized;
}

export type FieldType = 'text' | 'markdown' | 'integer' | 'boolean' | 'date' | 'email' | 'url' | 'select' | 'multiselect' | 'object';

export interface FieldDeclaration {
  field_name: string;
  label: Localized;
  help?: Localized;
  type?: FieldType;
  required?: boolean;
  choices?: FieldChoice[];
  /** Used when the field is missing on create. */
  default?: unknown;
  /** Extra validators after the type's own: functions, or CKAN validator names ("strip_value"). */
  validators?: Array<Validator | string>;
  /** Offer the field as a search facet (it is always indexed as an exact-match field). */
  facet?: boolean;
}

export interface DeclaredField extends FieldDeclaration {
  owner: string;
}

const typeValidators: Record<FieldType, Validator[]> = {
  text: [unicodeSafe],
  markdown: [unicodeSafe],
  integer: [intValidator],
  boolean: [booleanValidator],
  date: [isodate],
  email: [unicodeSafe, stripValue, emailValidator],
  url: [
    unicodeSafe,
    stripValue,
    (value) => {
      if (typeof value === 'string' && value !== '' && !/^https?:\/\/\S+$/i.test(value)) throw new Invalid('Please provide a valid URL');
      return value;
    },
  ],
  select: [unicodeSafe],
  multiselect: [
    (value) => {
      if (typeof value === 'string') return value.split(',').map((part) => part.trim()).filter(Boolean);
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new Invalid('Must be a list of strings');
      return value;
    },
  ],
  object: [jsonObject],
};

/** The validator chain for one declared field. */
export function fieldValidators(field: FieldDeclaration, mode: 'create' | 'update'): Validator[] {
  const chain: Validator[] = [];
  if (field.default !== undefined && mode === 'create') {
    chain.push((value) => (value === MISSING || value === null || value === '' ? structuredClone(field.default) : value));
  }
  chain.push(field.required ? notEmpty : ignoreMissing);
  chain.push(...typeValidators[field.type ?? 'text']);
  if (field.choices) {
    const allowed = field.choices.map((choice) => choice.value);
    chain.push((value) => {
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) {
        if (!allowed.includes(item)) throw new Invalid(`Value must be one of: ${allowed.join(', ')}`);
      }
      return value;
    });
  }
  for (const extra of field.validators ?? []) {
    if (typeof extra === 'function') chain.push(extra);
    else {
      const named = validatorsByName[extra];
      if (!named) throw new Error(`Field "${field.field_name}" names an unknown validator "${extra}"`);
      chain.push(named);
    }
  }
  return chain;
}

/** Dataset and organization fields declared by the enabled plugins. */
export class FieldRegistry {
  readonly dataset: DeclaredField[] = [];
  readonly organization: DeclaredField[] = [];
  readonly group: DeclaredField[] = [];

  add(entity: 'dataset' | 'organization' | 'group', fields: FieldDeclaration[], owner: string, reserved: ReadonlySet<string>) {
    const list = this[entity];
    for (const field of fields) {
      if (!/^[a-z][a-z0-9_]*$/.test(field.field_name)) {
        throw new Error(`Plugin "${owner}" declares ${entity} field "${field.field_name}": names are lowercase letters, digits and _`);
      }
      if (reserved.has(field.field_name)) {
        throw new Error(`Plugin "${owner}" declares ${entity} field "${field.field_name}", which is a core field`);
      }
      const clash = list.find((other) => other.field_name === field.field_name);
      if (clash) {
        throw new Error(`Plugins "${clash.owner}" and "${owner}" both declare the ${entity} field "${field.field_name}"`);
      }
      list.push({ ...field, owner });
    }
  }
}
