// A small re-creation of CKAN's navl validation engine (ckan/lib/navl/dictization_functions.py):
// a schema maps each field to a chain of validators; an Invalid error is recorded and the chain goes
// on (so one field can collect several messages, as in CKAN), StopOnError ends the chain, and list
// fields hold sub-schemas validated item by item. The error dict has CKAN's shape, so a client sees
// exactly the 409 body CKAN would send.
import { DataError, type ErrorDict } from '../errors.ts';
import type { ActionContext, DataDict } from '../actions/types.ts';

/** The value of a key that was not given. Validators see it; it never reaches the output. */
export const MISSING: unique symbol = Symbol('missing');
export type Missing = typeof MISSING;

/** A message for this field; the remaining validators still run. */
export class Invalid extends Error {}
/**
 * Stop this field's chain without a message (or after one was pushed with field.error()). It is
 * control flow, thrown for every missing optional field of every write, so it skips the stack trace.
 */
export class StopOnError extends Error {
  constructor() {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super();
    Error.stackTraceLimit = limit;
  }
}

/** The one StopOnError the built-in validators throw: it carries nothing, so it is never rebuilt. */
export const STOP: StopOnError = new StopOnError();

export interface FieldState {
  /** Field name within the current (sub-)dict. */
  readonly key: string;
  /** The dict being built for the current level (already-validated sibling fields are in it). */
  readonly data: DataDict;
  /** The raw input for the current level. */
  readonly input: DataDict;
  readonly context: ValidationContext;
  /** Record a message without stopping the chain. */
  error(message: string): void;
  /** Record a message on another key of the current level, e.g. `extras_validation`. */
  errorOn(key: string, message: string): void;
}

/** One field's state; a class, so validating a field allocates no closures. */
class Field implements FieldState {
  readonly messages: string[] = [];
  readonly key: string;
  readonly data: DataDict;
  readonly input: DataDict;
  readonly context: ValidationContext;
  private readonly errors: ErrorDict;
  constructor(key: string, data: DataDict, input: DataDict, context: ValidationContext, errors: ErrorDict) {
    this.key = key;
    this.data = data;
    this.input = input;
    this.context = context;
    this.errors = errors;
  }
  error(message: string): void {
    this.messages.push(message);
  }
  errorOn(other: string, message: string): void {
    const list = (this.errors[other] ??= []) as string[];
    list.push(message);
  }
}

export interface ValidationContext {
  readonly action: ActionContext;
  /** The stored dict of the entity being updated, when updating. */
  readonly current?: DataDict | null;
  /** Anything a schema's validators want to share (e.g. the names of schema fields). */
  readonly [extra: string]: unknown;
}

export type Validator = (value: any, field: FieldState) => unknown | Promise<unknown>;
export type DictValidator = (data: DataDict, errors: ErrorDict, context: ValidationContext, input: DataDict) => void | Promise<void>;

export interface Schema {
  fields: { [field: string]: Validator[] | Schema };
  /** Keys the schema does not name: dropped ('ignore'), kept as given ('keep'). */
  unknown?: 'ignore' | 'keep';
  /**
   * Unknown keys holding a list of dicts are "junk" in CKAN (`__junk: [empty]`), a 409; set this to
   * reproduce that on the dataset schema.
   */
  junkIsError?: boolean;
  before?: DictValidator[];
  after?: DictValidator[];
}

export function isSchema(value: Validator[] | Schema): value is Schema {
  return !Array.isArray(value);
}

export interface ValidationResult {
  data: DataDict;
  errors: ErrorDict;
}

/** Validate `input` against `schema`; never throws for field errors (they are in `errors`). */
export async function validate(input: DataDict, schema: Schema, context: ValidationContext): Promise<ValidationResult> {
  const errors: ErrorDict = {};
  const data = await validateLevel(input, schema, context, errors, []);
  return { data, errors };
}

async function validateLevel(
  input: DataDict,
  schema: Schema,
  context: ValidationContext,
  errors: ErrorDict,
  path: string[],
): Promise<DataDict> {
  const data: DataDict = {};
  for (const hook of schema.before ?? []) await hook(data, errors, context, input);

  for (const [key, rule] of Object.entries(schema.fields)) {
    const given = Object.prototype.hasOwnProperty.call(input, key);
    if (isSchema(rule)) {
      if (!given || input[key] === null) continue;
      const list = input[key];
      checkListOfDicts(list, [...path, key]);
      const itemErrors: ErrorDict[] = [];
      const items: DataDict[] = [];
      for (const item of list as DataDict[]) {
        const errs: ErrorDict = {};
        items.push(await validateLevel(item, rule, context, errs, [...path, key]));
        itemErrors.push(errs);
      }
      data[key] = items;
      if (itemErrors.some((e) => Object.keys(e).length > 0)) errors[key] = itemErrors;
      continue;
    }

    let value: unknown = given ? input[key] : MISSING;
    data[key] = value;
    const field = new Field(key, data, input, context, errors);
    for (const validator of rule) {
      try {
        // Most validators are synchronous: awaiting only real promises saves a microtask per call,
        // and a dataset with resources makes hundreds of calls.
        let result = validator(value, field);
        if (result instanceof Promise) result = await result;
        value = result;
        data[key] = value;
      } catch (err) {
        if (err instanceof StopOnError) break;
        if (err instanceof Invalid) {
          field.messages.push(err.message);
          continue;
        }
        throw err;
      }
    }
    const messages = field.messages;
    // A validator may remove the key (ignore, ignore_missing) by deleting it from data.
    if (!Object.hasOwn(data, key) || data[key] === MISSING) delete data[key];
    if (messages.length) errors[key] = [...((errors[key] as string[]) ?? []), ...messages];
  }

  for (const [key, value] of Object.entries(input)) {
    if (Object.hasOwn(schema.fields, key)) continue;
    if (schema.junkIsError && isNonEmptyListOfDicts(value)) {
      errors.__junk = ['The input field __junk was not expected.'];
      continue;
    }
    if (schema.unknown === 'keep') setOwn(data, key, value);
  }

  for (const hook of schema.after ?? []) await hook(data, errors, context, input);
  return data;
}

function isNonEmptyListOfDicts(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every(isPlainObject);
}

/**
 * `target[key] = value`, also for a key named "__proto__": request data is a dict of whatever keys
 * the client sent, and that one must stay a key (CKAN sees it as one) rather than set a prototype.
 */
export function setOwn(target: DataDict, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export function isPlainObject(value: unknown): value is DataDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkListOfDicts(value: unknown, path: string[]) {
  if (Array.isArray(value) && value.length === 0) return;
  if (Array.isArray(value) && isPlainObject(value[0])) {
    if (!value.every(isPlainObject)) throw new DataError('Values in lists need to be dicts');
    return;
  }
  const tuple = `(${path.map((p) => `'${p}'`).join(', ')}${path.length === 1 ? ',' : ''})`;
  throw new DataError(`Only lists of dicts can be placed against subschema ${tuple}, not <class '${pyType(value)}'>`);
}

export function pyType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

export function hasErrors(errors: ErrorDict): boolean {
  return Object.keys(errors).length > 0;
}
