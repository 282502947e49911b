// Tag vocabularies and vocabulary tags (ckan/logic/action/{get,create,update,delete}.py:
// vocabulary_*, tag_create, tag_delete). A vocabulary is a named set of tags datasets pick from;
// its tags are indexed as vocab_<vocabulary name>. Unlike CKAN, which leaves the search index and the
// stored datasets as they were, removing a tag (tag_delete, or vocabulary_update/_delete) takes it out
// of every dataset that carries it, and renaming a vocabulary re-indexes its datasets, in the same
// transaction.
import { DataError, NotFound, ValidationError } from '../errors.ts';
import type { TagRow } from '../model/tags.ts';
import type { VocabularyRow } from '../model/vocabularies.ts';
import { Invalid, hasErrors, validate, type DictValidator, type Schema, type Validator } from '../validation/navl.ts';
import { empty, ignore, ignoreMissing, notEmpty, notMissing, unicodeSafe } from '../validation/validators.ts';
import { tagLengthValidator, tagNameValidator, vocabularyIdExists } from './package/schema.ts';
import { rewriteStoredDataset } from './package/save.ts';
import type { ActionContext, ActionDefinition, DataDict } from './types.ts';

const VOCABULARY_NAME_MIN = 2;
const VOCABULARY_NAME_MAX = 100;

function tagDict(row: TagRow): DataDict {
  return { id: row.id, name: row.name, vocabulary_id: row.vocabulary_id, display_name: row.name };
}

/** vocabulary_dictize for several vocabularies, their tags read in one query. */
async function vocabularyDicts(context: ActionContext, rows: VocabularyRow[]): Promise<DataDict[]> {
  const tags = await context.services.repos.vocabularies.tags(context.db(), rows.map((row) => row.id));
  return rows.map((row) => ({ id: row.id, name: row.name, tags: tags.filter((tag) => tag.vocabulary_id === row.id).map(tagDict) }));
}

async function vocabularyDict(context: ActionContext, row: VocabularyRow): Promise<DataDict> {
  return (await vocabularyDicts(context, [row]))[0];
}

/** CKAN answers a missing id of these actions with a plain string, not a list. */
function requiredId(data: DataDict): string {
  if (data.id === undefined || data.id === null || data.id === '') throw new ValidationError({ id: 'id not in data' });
  return String(data.id);
}

async function foundVocabulary(context: ActionContext, id: string, forUpdate = false): Promise<VocabularyRow> {
  const row = await context.services.repos.vocabularies.get(context.db(), id, { forUpdate });
  if (!row) throw new NotFound(`Could not find vocabulary "${id}"`);
  return row;
}

/** vocabulary_name_validator: 2–100 characters, not held by another vocabulary. */
const vocabularyName: Validator = async (value, field) => {
  if (typeof value !== 'string') return value;
  const length = [...value].length;
  if (length < VOCABULARY_NAME_MIN) throw new Invalid(`Name must be at least ${VOCABULARY_NAME_MIN} characters long`);
  if (length > VOCABULARY_NAME_MAX) throw new Invalid(`Name must be a maximum of ${VOCABULARY_NAME_MAX} characters long`);
  const { action } = field.context;
  const holder = await action.services.repos.vocabularies.nameHolder(action.db(), value);
  const own = field.context.vocabulary as VocabularyRow | undefined;
  if (holder && holder.id !== own?.id) throw new Invalid('That vocabulary name is already in use.');
  return value;
};

/** The tags of a vocabulary being written: only their names count (they join this vocabulary). */
function vocabularyTagsSchema(): Schema {
  return {
    fields: {
      name: [notMissing, notEmpty, unicodeSafe, tagLengthValidator, tagNameValidator],
      vocabulary_id: [ignore],
      id: [ignore],
      state: [ignore],
      display_name: [ignore],
    },
  };
}

function vocabularySchema(mode: 'create' | 'update'): Schema {
  return {
    fields: {
      id: mode === 'create' ? [empty] : [ignore],
      name: mode === 'create' ? [notMissing, notEmpty, unicodeSafe, vocabularyName] : [ignoreMissing, notEmpty, unicodeSafe, vocabularyName],
      tags: vocabularyTagsSchema(),
    },
  };
}

/** CKAN's tag_not_in_vocabulary, under vocabulary_id. */
const tagNotInVocabulary: DictValidator = async (data, errors, context) => {
  if (errors.vocabulary_id || errors.name || typeof data.name !== 'string' || typeof data.vocabulary_id !== 'string') return;
  const existing = await context.action.services.repos.tags.get(context.action.db(), data.name, data.vocabulary_id);
  if (existing && existing.vocabulary_id === data.vocabulary_id && existing.name === data.name) {
    errors.vocabulary_id = [`Tag ${data.name} already belongs to vocabulary ${data.vocabulary_id}`];
  }
};

function tagCreateSchema(): Schema {
  return {
    fields: {
      id: [empty],
      name: [notMissing, notEmpty, unicodeSafe, tagLengthValidator, tagNameValidator],
      vocabulary_id: [notMissing, notEmpty, unicodeSafe, vocabularyIdExists],
      state: [ignore],
      display_name: [ignore],
    },
    after: [tagNotInVocabulary],
  };
}

/** CKAN raises a DataError for `tags: null` (a list of dicts was expected). */
function refuseNullTags(data: DataDict): void {
  if (Object.prototype.hasOwnProperty.call(data, 'tags') && data.tags === null) {
    throw new DataError("Only lists of dicts can be placed against subschema ('tags',), not <class 'NoneType'>");
  }
}

/** Take tags out of every dataset that carries them, then delete them. */
async function removeTags(context: ActionContext, tags: TagRow[]): Promise<void> {
  if (!tags.length) return;
  const { repos } = context.services;
  const ids = new Set(tags.map((tag) => tag.id));
  for (const row of await repos.tags.datasetsCarrying(context.db(), [...ids])) {
    await rewriteStoredDataset(context, row, (dict) => {
      dict.tags = (Array.isArray(dict.tags) ? dict.tags : []).filter((tag: DataDict) => !ids.has(tag.id));
      dict.num_tags = dict.tags.length;
    });
  }
  await repos.tags.remove(context.db(), [...ids]);
}

/** Make the vocabulary's tags exactly these names (vocabulary_tag_list_save). */
async function replaceTags(context: ActionContext, vocabularyId: string, wanted: DataDict[]): Promise<void> {
  const { repos } = context.services;
  const names = [...new Set(wanted.map((tag) => String(tag.name)))];
  const current = await repos.vocabularies.tags(context.db(), [vocabularyId]);
  await removeTags(context, current.filter((tag) => !names.includes(tag.name)));
  const have = new Set(current.map((tag) => tag.name));
  await repos.vocabularies.addTags(context.db(), vocabularyId, names.filter((name) => !have.has(name)));
}

async function validated(context: ActionContext, data: DataDict, schema: Schema, extra: DataDict = {}): Promise<DataDict> {
  const { data: clean, errors } = await validate(data, schema, { action: context, memo: new Map(), ...extra });
  if (hasErrors(errors)) throw new ValidationError(errors);
  return clean;
}

const vocabularyList: ActionDefinition = {
  sideEffectFree: true,
  doc: "Return the site's tag vocabularies, each with its tags.\n\n:rtype: list of dictionaries",
  async handler(context) {
    return vocabularyDicts(context, await context.services.repos.vocabularies.list(context.db()));
  },
};

const vocabularyShow: ActionDefinition = {
  sideEffectFree: true,
  doc: 'Return a tag vocabulary with its tags.\n\n:param id: the id or name of the vocabulary\n:rtype: {id, name, tags}',
  async handler(context, data) {
    return vocabularyDict(context, await foundVocabulary(context, requiredId(data)));
  },
};

const vocabularyCreate: ActionDefinition = {
  doc: "Create a tag vocabulary (sysadmins only).\n\n:param name: 2–100 characters, unique, e.g. 'Topics'\n:param tags: its tags, [{name}]\n:returns: the new vocabulary\n:rtype: {id, name, tags}",
  async handler(context, data) {
    refuseNullTags(data);
    return context.transaction(async () => {
      const clean = await validated(context, data, vocabularySchema('create'));
      const row = await context.services.repos.vocabularies.insert(context.db(), clean.name);
      if (clean.tags) await replaceTags(context, row.id, clean.tags);
      return vocabularyDict(context, row);
    });
  },
};

const vocabularyUpdate: ActionDefinition = {
  access: 'manual',
  doc: 'Update a tag vocabulary (sysadmins only). Given tags replace its tags: a tag left out is taken out of every dataset that carries it. A new name re-indexes its datasets (vocab_<name>).\n\n:param id: the id or name of the vocabulary\n:param name: the new name (optional)\n:param tags: its tags, [{name}] (optional)\n:returns: the updated vocabulary\n:rtype: {id, name, tags}',
  async handler(context, data) {
    const id = requiredId(data);
    return context.transaction(async () => {
      const row = await foundVocabulary(context, id, true);
      await context.checkAccess('vocabulary_update', { ...data, id: row.id });
      refuseNullTags(data);
      const input: DataDict = { ...data, id: row.id };
      if (input.name === row.name) delete input.name;
      const clean = await validated(context, input, vocabularySchema('update'), { vocabulary: row });
      const { repos, searchIndex } = context.services;
      if (typeof clean.name === 'string' && clean.name !== row.name) {
        await repos.vocabularies.rename(context.db(), row.id, clean.name);
        // Its tags are indexed under vocab_<name>.
        const tagIds = (await repos.vocabularies.tags(context.db(), [row.id])).map((tag) => tag.id);
        for (const dataset of await repos.tags.datasetsCarrying(context.db(), tagIds)) await searchIndex.index(context.trx!, JSON.parse(dataset.data));
      }
      if (clean.tags) await replaceTags(context, row.id, clean.tags);
      return vocabularyDict(context, (await repos.vocabularies.get(context.db(), row.id))!);
    });
  },
};

const vocabularyDelete: ActionDefinition = {
  access: 'manual',
  doc: 'Delete a tag vocabulary and its tags (sysadmins only); its tags are taken out of every dataset that carries them.\n\n:param id: the id or name of the vocabulary',
  async handler(context, data) {
    const id = requiredId(data);
    await context.transaction(async () => {
      const row = await foundVocabulary(context, id, true);
      await context.checkAccess('vocabulary_delete', { ...data, id: row.id });
      await removeTags(context, await context.services.repos.vocabularies.tags(context.db(), [row.id]));
      await context.services.repos.vocabularies.remove(context.db(), row.id);
    });
    return null;
  },
};

const tagCreate: ActionDefinition = {
  doc: "Create a tag in a vocabulary (sysadmins only). Free tags are made by adding them to a dataset.\n\n:param name: 2–100 characters: letters, digits, spaces, - _ and .\n:param vocabulary_id: the vocabulary's id\n:returns: the new tag, with its (no) datasets\n:rtype: {id, name, vocabulary_id, display_name, packages}",
  async handler(context, data) {
    return context.transaction(async () => {
      const clean = await validated(context, data, tagCreateSchema());
      const { repos } = context.services;
      await repos.vocabularies.addTags(context.db(), clean.vocabulary_id, [clean.name]);
      const row = (await repos.tags.get(context.db(), clean.name, clean.vocabulary_id))!;
      return { ...tagDict(row), packages: [] };
    });
  },
};

const tagDelete: ActionDefinition = {
  access: 'manual',
  doc: "Delete a tag (sysadmins only): it is taken out of every dataset that carries it.\n\n:param id: the tag's id or name\n:param vocabulary_id: the id or name of its vocabulary (default: a free tag)",
  async handler(context, data) {
    const id = requiredId(data);
    await context.transaction(async () => {
      const { repos } = context.services;
      const vocabularyRef = data.vocabulary_id ? String(data.vocabulary_id) : null;
      const vocabulary = vocabularyRef ? await repos.vocabularies.get(context.db(), vocabularyRef) : null;
      const tag = vocabularyRef && !vocabulary ? undefined : await repos.tags.get(context.db(), id, vocabulary?.id ?? null);
      // Found by id in another vocabulary than the one named: not this tag (CKAN's Tag.get).
      if (!tag || (vocabularyRef && tag.vocabulary_id !== vocabulary!.id)) throw new NotFound(`Could not find tag "${id}"`);
      await context.checkAccess('tag_delete', { ...data, id: tag.id });
      await removeTags(context, [tag]);
    });
    return null;
  },
};

export const vocabularyActions: Record<string, ActionDefinition> = {
  vocabulary_list: vocabularyList,
  vocabulary_show: vocabularyShow,
  vocabulary_create: vocabularyCreate,
  vocabulary_update: vocabularyUpdate,
  vocabulary_delete: vocabularyDelete,
  tag_create: tagCreate,
  tag_delete: tagDelete,
};
