// Forms generated from the schemas: the core dataset, organization and group fields plus every
// field a plugin declared (FieldRegistry: label {vi, en}, type, choices, required), with the
// validation errors of the action placed next to the field they belong to. Messages the core
// raises in English (CKAN's) are translated when the portal knows them.
import type { DataDict } from '../../../core/actions/types.ts';
import type { ErrorDict } from '../../../core/errors.ts';
import type { DeclaredField } from '../../../core/validation/fields.ts';
import { slugify } from '../../../core/text/vietnamese.ts';
import type { Translator } from '../services/i18n.ts';
import { all, first } from './page.ts';
import { lookupTable } from '../../../core/lookup-table.ts';

export type Control = 'text' | 'textarea' | 'select' | 'radios' | 'checkbox' | 'checkboxes' | 'date' | 'email' | 'url' | 'number' | 'password' | 'file' | 'json';

export interface FormField {
  name: string;
  id: string;
  label: string;
  help: string;
  control: Control;
  required: boolean;
  value: string;
  values: string[];
  checked: boolean;
  choices: Array<{ value: string; label: string }>;
  errors: string[];
  autocomplete: string;
  markdown: boolean;
  /** File fields: the media types offered in the picker. */
  accept: string;
}

export interface Fieldset {
  legend: string;
  fields: FormField[];
}

export type FormValues = Record<string, string | string[] | undefined>;

// -------------------------------------------------------------------------------------------------
// error messages

const EXACT = lookupTable({
  'Missing value': 'err.missing',
  'That URL is already in use.': 'err.url_in_use',
  'An organization must be provided': 'err.org_required',
  'Organization does not exist': 'err.org_missing',
  'You cannot add a dataset to this organization': 'err.org_forbidden',
  'Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_': 'err.name_chars',
  'Must be at least 2 characters long': 'err.name_short',
  'That name cannot be used': 'err.name_reserved',
  'Group name already exists in database': 'err.group_name_taken',
  'Date format incorrect': 'err.date',
  'Invalid integer': 'err.integer',
  'Please provide a valid URL': 'err.url',
  'Could not parse the value as a valid JSON object': 'err.json',
  'The value should be a valid JSON object': 'err.json',
  'Your password must be 8 characters or longer': 'err.password_short',
  'That login name is not available.': 'err.username_taken',
  "Datasets with no organization can't be private.": 'err.private_no_org',
  'role does not exist.': 'err.role',
});

const PATTERNS: Array<[RegExp, string]> = [
  [/^Value must be one of:? (.*)$/, 'err.one_of'],
  [/^Email (.*) is not a valid format$/, 'err.email'],
  [/^Tag "(.*)" length is less than minimum/, 'err.tag_short'],
  [/^Tag "(.*)" length is more than maximum/, 'err.tag_long'],
  [/^Tag "(.*)" can only contain/, 'err.tag_chars'],
  [/^Name "(.*)" length is/, 'err.name_short'],
];

export function translateError(message: string, tr: Translator): string {
  const exact = EXACT[message];
  if (exact) return tr.t(exact);
  for (const [pattern, key] of PATTERNS) {
    const match = pattern.exec(message);
    if (match) return tr.t(key, { value: match[1] });
  }
  return message;
}

/** A ValidationError's dict as {field: [messages]}, nested lists flattened; keys in `rename` move. */
export function flattenErrors(errors: ErrorDict, tr: Translator, rename: Record<string, string> = {}): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const collect = (value: unknown, into: string[]) => {
    if (typeof value === 'string') into.push(translateError(value, tr));
    else if (Array.isArray(value)) for (const item of value) collect(item, into);
    else if (value && typeof value === 'object') for (const item of Object.values(value)) collect(item, into);
  };
  for (const [key, value] of Object.entries(errors)) {
    const target = rename[key] ?? key;
    const list = (out[target] ??= []);
    collect(value, list);
    if (!list.length) delete out[target];
  }
  return out;
}

// -------------------------------------------------------------------------------------------------
// building fields

function field(partial: Partial<FormField> & { name: string; label: string }): FormField {
  return {
    id: `field-${partial.name}`,
    help: '',
    control: 'text',
    required: false,
    value: '',
    values: [],
    checked: false,
    choices: [],
    errors: [],
    autocomplete: 'off',
    markdown: false,
    accept: '',
    ...partial,
  };
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}

/** A form field for a plugin-declared field (`value` from the dict or the submitted form). */
export function declaredField(decl: DeclaredField, value: unknown, tr: Translator, errors: string[] = []): FormField {
  const base = { name: decl.field_name, label: tr.label(decl.label), help: tr.label(decl.help ?? ''), required: !!decl.required, errors };
  const choices = (decl.choices ?? []).map((choice) => ({ value: choice.value, label: tr.label(choice.label) }));
  switch (decl.type ?? 'text') {
    case 'select':
      return field({ ...base, control: 'select', value: text(value), choices });
    case 'multiselect':
      return field({ ...base, control: 'checkboxes', values: Array.isArray(value) ? value.map(String) : value ? String(value).split(',').map((item) => item.trim()) : [], choices });
    case 'boolean':
      return field({ ...base, control: 'checkbox', checked: value === true || value === 'true' || value === 'on' });
    case 'markdown':
      return field({ ...base, control: 'textarea', value: text(value), markdown: true });
    case 'object':
      return field({ ...base, control: 'json', value: text(value) });
    case 'integer':
      return field({ ...base, control: 'number', value: text(value) });
    case 'date':
      return field({ ...base, control: 'date', value: text(value).slice(0, 10) });
    case 'email':
      return field({ ...base, control: 'email', value: text(value), autocomplete: 'email' });
    case 'url':
      return field({ ...base, control: 'url', value: text(value) });
    default:
      return field({ ...base, value: text(value) });
  }
}

/** The value of a declared field from a submitted form, typed for the action. */
export function declaredValue(decl: DeclaredField, form: FormValues): unknown {
  const raw = form[decl.field_name];
  switch (decl.type ?? 'text') {
    case 'boolean':
      return first(raw) === 'on' || first(raw) === 'true';
    case 'multiselect':
      return all(raw).filter(Boolean);
    default: {
      const value = (first(raw) ?? '').trim();
      return value === '' ? undefined : value;
    }
  }
}

export interface DatasetFormOptions {
  organizations: Array<{ value: string; label: string }>;
  licenses: Array<{ value: string; label: string }>;
  groups: Array<{ value: string; label: string }>;
  declared: readonly DeclaredField[];
  errors: Record<string, string[]>;
  isNew: boolean;
}

/** Values for the form from a package dict (edit) or from what was submitted (after an error). */
export function datasetFormValues(pkg: DataDict): FormValues {
  const values: FormValues = {};
  for (const key of ['title', 'name', 'notes', 'url', 'version', 'author', 'author_email', 'maintainer', 'maintainer_email', 'license_id', 'owner_org']) values[key] = text(pkg[key]);
  values.private = pkg.private ? 'True' : 'False';
  values.tag_string = ((pkg.tags ?? []) as Array<{ name: string }>).map((tag) => tag.name).join(', ');
  values.groups = ((pkg.groups ?? []) as Array<{ name: string }>).map((group) => group.name);
  return values;
}

export function datasetFieldsets(values: FormValues, declaredValues: DataDict, options: DatasetFormOptions, tr: Translator): Fieldset[] {
  const errs = (name: string) => options.errors[name] ?? [];
  const v = (name: string) => first(values[name]) ?? '';
  const basics: FormField[] = [
    field({ name: 'title', label: tr.t('form.title'), required: true, value: v('title'), errors: errs('title') }),
    field({ name: 'name', label: tr.t('form.name'), help: tr.t('form.name_help'), value: v('name'), errors: errs('name') }),
    field({ name: 'notes', label: tr.t('form.notes'), help: tr.t('form.markdown_help'), control: 'textarea', markdown: true, value: v('notes'), errors: errs('notes') }),
    field({ name: 'tag_string', label: tr.t('form.tags'), help: tr.t('form.tags_help'), value: v('tag_string'), errors: errs('tag_string') }),
    field({ name: 'license_id', label: tr.t('form.license'), control: 'select', value: v('license_id') || (options.isNew ? 'vn-let-43' : ''), choices: options.licenses, errors: errs('license_id') }),
    field({ name: 'owner_org', label: tr.t('form.organization'), control: 'select', required: true, value: v('owner_org'), choices: options.organizations, errors: errs('owner_org') }),
    field({
      name: 'private', label: tr.t('form.visibility'), control: 'radios', value: v('private') || 'False', errors: errs('private'),
      choices: [{ value: 'False', label: tr.t('form.public') }, { value: 'True', label: tr.t('form.private') }],
    }),
  ];
  if (options.groups.length) {
    basics.push(field({ name: 'groups', label: tr.t('form.groups'), control: 'checkboxes', values: all(values.groups), choices: options.groups, errors: errs('groups') }));
  }
  const contact: FormField[] = [
    field({ name: 'author', label: tr.t('form.author'), value: v('author'), errors: errs('author') }),
    field({ name: 'author_email', label: tr.t('form.author_email'), control: 'email', value: v('author_email'), errors: errs('author_email') }),
    field({ name: 'maintainer', label: tr.t('form.maintainer'), value: v('maintainer'), errors: errs('maintainer') }),
    field({ name: 'maintainer_email', label: tr.t('form.maintainer_email'), control: 'email', value: v('maintainer_email'), errors: errs('maintainer_email') }),
    field({ name: 'url', label: tr.t('form.source'), control: 'url', value: v('url'), errors: errs('url') }),
    field({ name: 'version', label: tr.t('form.version'), value: v('version'), errors: errs('version') }),
  ];
  const sets: Fieldset[] = [{ legend: tr.t('form.basics'), fields: basics }];
  // Plugin fields, one fieldset per plugin, after the basics: this is where the legal metadata goes.
  const owners = [...new Set(options.declared.map((decl) => decl.owner))];
  for (const owner of owners) {
    const fields = options.declared.filter((decl) => decl.owner === owner).map((decl) => declaredField(decl, declaredValues[decl.field_name], tr, errs(decl.field_name)));
    const legendKey = `form.plugin_${owner}`;
    sets.push({ legend: tr.has(legendKey) ? tr.t(legendKey) : tr.t('form.plugin_fields', { name: owner }), fields });
  }
  sets.push({ legend: tr.t('form.contact'), fields: contact });
  return sets;
}

/** The data dict for package_create / package_patch from a submitted dataset form. */
export function datasetDataFromForm(form: FormValues, declared: readonly DeclaredField[], mode: 'create' | 'update', offeredGroups: string[]): DataDict {
  const data: DataDict = {};
  const str = (name: string) => (first(form[name]) ?? '').trim();
  for (const key of ['title', 'name', 'notes', 'url', 'version', 'author', 'author_email', 'maintainer', 'maintainer_email', 'license_id', 'owner_org', 'tag_string']) {
    const value = key === 'notes' ? (first(form[key]) ?? '') : str(key);
    if (mode === 'create' && value === '') continue;
    data[key] = value;
  }
  if (!data.name && data.title && mode === 'create') {
    const slug = slugify(String(data.title));
    if (slug.length >= 2) data.name = slug;
  }
  if (mode === 'update' && data.name === '') delete data.name;
  data.private = str('private') === 'True';
  if (offeredGroups.length || form.groups !== undefined) {
    const kept = all(form.groups_kept);
    data.groups = [...new Set([...all(form.groups).filter((name) => offeredGroups.includes(name)), ...kept])].map((name) => ({ name }));
  }
  for (const decl of declared) {
    const value = declaredValue(decl, form);
    if (value === undefined) {
      if (mode === 'update') data[decl.field_name] = null;
      continue;
    }
    data[decl.field_name] = value;
  }
  // tags are given as tag_string; an edit that empties it must clear the tags.
  if (mode === 'update') data.tags = [];
  return data;
}

export function groupFieldsets(kind: 'organization' | 'group', values: FormValues, declaredValues: DataDict, declared: readonly DeclaredField[], errors: Record<string, string[]>, tr: Translator, maxImageMb: number): Fieldset[] {
  const errs = (name: string) => errors[name] ?? [];
  const v = (name: string) => first(values[name]) ?? '';
  const basics = [
    field({ name: 'title', label: tr.t(`form.${kind}_title`), required: true, value: v('title'), errors: errs('title') }),
    field({ name: 'name', label: tr.t('form.name'), help: tr.t('form.name_help'), value: v('name'), errors: errs('name') }),
    field({ name: 'description', label: tr.t('form.description'), help: tr.t('form.markdown_help'), control: 'textarea', markdown: true, value: v('description'), errors: errs('description') }),
    field({ name: 'image_upload', label: tr.t('form.image_upload'), help: tr.t('form.image_upload_help', { mb: maxImageMb }), control: 'file', accept: 'image/png,image/gif,image/jpeg', errors: errs('image_upload') }),
    // Text, not a URL field: an uploaded logo's image_url is a file name.
    field({ name: 'image_url', label: tr.t('form.image_url'), help: tr.t('form.image_url_help'), value: v('image_url'), errors: errs('image_url') }),
  ];
  const sets: Fieldset[] = [{ legend: tr.t('form.basics'), fields: basics }];
  if (declared.length) sets.push({ legend: tr.t(kind === 'organization' ? 'form.org_extra' : 'form.group_extra'), fields: declared.map((decl) => declaredField(decl, declaredValues[decl.field_name], tr, errs(decl.field_name))) });
  return sets;
}

export function groupDataFromForm(form: FormValues, declared: readonly DeclaredField[], mode: 'create' | 'update'): DataDict {
  const data: DataDict = {};
  for (const key of ['title', 'name', 'description', 'image_url']) {
    const value = key === 'description' ? (first(form[key]) ?? '') : (first(form[key]) ?? '').trim();
    if (value === '' && (mode === 'create' || key === 'name')) continue;
    data[key] = value;
  }
  if (!data.name && data.title && mode === 'create') data.name = slugify(String(data.title));
  for (const decl of declared) {
    const value = declaredValue(decl, form);
    if (value === undefined) {
      if (mode === 'update') data[decl.field_name] = null;
      continue;
    }
    data[decl.field_name] = value;
  }
  return data;
}

/** Submitted values of declared fields, to refill the form after an error. */
export function declaredFormValues(declared: readonly DeclaredField[], form: FormValues): DataDict {
  const out: DataDict = {};
  for (const decl of declared) out[decl.field_name] = declaredValue(decl, form) ?? '';
  return out;
}

export function resourceFieldsets(values: FormValues, errors: Record<string, string[]>, tr: Translator, maxMb: number, isNew: boolean): Fieldset[] {
  const errs = (name: string) => errors[name] ?? [];
  const v = (name: string) => first(values[name]) ?? '';
  return [
    {
      legend: tr.t('form.resource_data'),
      fields: [
        field({ name: 'upload', label: tr.t(isNew ? 'form.upload' : 'form.upload_replace'), help: tr.t('form.upload_help', { mb: maxMb }), control: 'file', errors: errs('upload') }),
        field({ name: 'url', label: tr.t('form.resource_url'), help: tr.t('form.resource_url_help'), control: 'url', value: v('url'), errors: errs('url') }),
      ],
    },
    {
      legend: tr.t('form.resource_about'),
      fields: [
        field({ name: 'name', label: tr.t('form.resource_name'), value: v('name'), errors: errs('name') }),
        field({ name: 'description', label: tr.t('form.description'), help: tr.t('form.markdown_help'), control: 'textarea', markdown: true, value: v('description'), errors: errs('description') }),
        field({ name: 'format', label: tr.t('form.format'), help: tr.t('form.format_help'), value: v('format'), errors: errs('format') }),
      ],
    },
  ];
}

/** Error keys that no field shows go to the summary at the top. */
export function unplacedErrors(errors: Record<string, string[]>, sets: Fieldset[]): string[] {
  const placed = new Set(sets.flatMap((set) => set.fields.map((item) => item.name)));
  return Object.entries(errors).filter(([key]) => !placed.has(key)).flatMap(([, messages]) => messages);
}
