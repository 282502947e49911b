// The memory index: a copy of the package_search table in typed arrays and posting lists, from
// which a search is answered without the database (mirror-search.ts). Each row lives in a slot; a
// changed dataset gets a new slot and its old one is marked dead (posting lists only ever grow at
// the end), and the dead are squeezed out once they outnumber the living. Only what the common
// searches need is kept: the columns, the plugin-declared fields (a portal's facets: sector, data
// classification…) out of the `exact` object but none of its other fields, the catch-all and
// per-field text vectors as sets (no positions: phrases are left to SQL), and the ranking vector as
// per-lexeme ts_rank contributions plus the pairs of adjacent words the phrase bonus looks for.
import { compareCodePoints } from '../../../text/code-point-order.ts';
import { foldToken } from '../../analysis.ts';
import { FloatList, IntList, grown } from './growable.ts';
import { lexemeContribution } from './ts-rank.ts';
import { SlotOrder } from './slot-order.ts';
import { parseTsvector, tsvectorLexemes } from './tsvector-text.ts';
import type { SearchRow } from '../row.ts';

/**
 * A package_search row as the memory index reads it back from the database: of the `exact` object
 * only the declared fields, timestamps as
 * 'YYYY-MM-DDTHH:MM:SS.ffffff', vectors as text.
 */
export type MirrorRow = Omit<SearchRow, 'exact'> & { declared?: Record<string, string[]> | null };

export const SCALAR_FIELDS = ['package_id', 'name', 'state', 'capacity', 'organization', 'owner_org', 'license_id', 'dataset_type'] as const;
export type ScalarField = (typeof SCALAR_FIELDS)[number];
export const LIST_FIELDS = ['labels', 'tags', 'groups', 'res_format'] as const;
export type ListField = (typeof LIST_FIELDS)[number];
export type DateColumn = 'created' | 'modified';

/** Distinct strings of a field, numbered. */
class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  intern(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  find(value: string): number | undefined {
    return this.ids.get(value);
  }

  /** Ids of the values for which `test` holds. */
  matching(test: (value: string) => boolean): number[] {
    const out: number[] = [];
    this.values.forEach((value, id) => {
      if (test(value)) out.push(id);
    });
    return out;
  }
}

/** A single-valued column: one dictionary id per slot, -1 for null. */
export class ScalarColumn {
  readonly dictionary = new Dictionary();
  values = new Int32Array(64);
}

/** A multi-valued column: each slot's values in a shared pool, and a posting list per value. */
export class ListColumn {
  readonly dictionary = new Dictionary();
  start = new Int32Array(64);
  length = new Int32Array(64);
  pool = new IntList(256);
  postings = new Map<number, IntList>();
}

/** Lexemes in code-point order, for prefix lookups; new ones wait in a short list until merged. */
class LexemeOrder {
  private sorted: string[] = [];
  private added: string[] = [];

  add(lexeme: string): void {
    this.added.push(lexeme);
    if (this.added.length > 4096) this.merge();
  }

  reset(lexemes: Iterable<string>): void {
    this.sorted = [...lexemes].sort(compareCodePoints);
    this.added = [];
  }

  /** Lexemes starting with `prefix`, in code-point order. */
  withPrefix(prefix: string): string[] {
    if (this.added.length > 256) this.merge();
    const sorted = this.sorted;
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareCodePoints(sorted[mid], prefix) < 0) low = mid + 1;
      else high = mid;
    }
    const out: string[] = [];
    for (let i = low; i < sorted.length && sorted[i].startsWith(prefix); i++) out.push(sorted[i]);
    const extra = this.added.filter((lexeme) => lexeme.startsWith(prefix));
    if (!extra.length) return out;
    return [...out, ...extra].sort(compareCodePoints);
  }

  private merge(): void {
    this.sorted = [...this.sorted, ...this.added].sort(compareCodePoints);
    this.added = [];
  }
}

/**
 * The slots of a posting list. Most lexemes and word pairs occur in one dataset only (numbers,
 * codes, names), so a single slot is kept as a plain number: a list object and its array cost
 * about ten times as much, and there are about three such lexemes per dataset.
 */
export type Slots = number | IntList;

/**
 * Ranking-vector postings of one lexeme: the slots holding it and its ts_rank contribution there
 * (one slot: the pair itself, for the reason above).
 */
export type RankPostings = { slots: IntList; contributions: FloatList } | { slot: number; contribution: number };

/** Appends a slot to a key's posting list; true when the key is new. */
function appendSlot(map: Map<string, Slots>, key: string, slot: number): boolean {
  const slots = map.get(key);
  if (slots === undefined) {
    map.set(key, slot);
    return true;
  }
  if (typeof slots === 'number') {
    const list = new IntList();
    list.push(slots);
    list.push(slot);
    map.set(key, list);
  } else {
    slots.push(slot);
  }
  return false;
}

/** A posting list with its slots renumbered (dropping the dead), or undefined when none is left. */
function remapped(slots: Slots, remap: Int32Array): Slots | undefined {
  if (typeof slots === 'number') return remap[slots] >= 0 ? remap[slots] : undefined;
  const out = new IntList(Math.max(4, slots.length));
  for (let i = 0; i < slots.length; i++) {
    const slot = remap[slots.data[i]];
    if (slot >= 0) out.push(slot);
  }
  if (!out.length) return undefined;
  return out.length === 1 ? out.data[0] : out;
}

/** Every posting list of a map renumbered, those left empty dropped. */
function remappedAll(map: Map<string, Slots>, remap: Int32Array): Map<string, Slots> {
  const out = new Map<string, Slots>();
  for (const [key, slots] of map) {
    const kept = remapped(slots, remap);
    if (kept !== undefined) out.set(key, kept);
  }
  return out;
}

const EPOCH_MICROS = 0;

/**
 * Microseconds since 1970 of a naive timestamp 'YYYY-MM-DDTHH:MM:SS[.ffffff]' (years 1–9999), or
 * null if it is not one: what the memory index cannot compare exactly is left to the database.
 */
export function parseMicros(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return null;
  return date.getTime() * 1000 + Number((match[7] ?? '').padEnd(6, '0'));
}

export class SearchMirror {
  /** Changes with every write, so that what is derived from the rows can be kept until then. */
  version = 0;
  /** Slots handed out so far (living and dead). */
  slotCount = 0;
  living = 0;
  private dead = 0;
  alive = new Uint8Array(64);
  ids: string[] = [];
  readonly slotOf = new Map<string, number>();
  readonly scalars: Record<ScalarField, ScalarColumn> = Object.fromEntries(SCALAR_FIELDS.map((field) => [field, new ScalarColumn()])) as Record<ScalarField, ScalarColumn>;
  readonly lists: Record<ListField, ListColumn> = Object.fromEntries(LIST_FIELDS.map((field) => [field, new ListColumn()])) as Record<ListField, ListColumn>;
  titleSort: string[] = [];
  created = new Float64Array(64);
  modified = new Float64Array(64);
  numResources = new Int32Array(64);
  numTags = new Int32Array(64);
  hasText = new Uint8Array(64);
  text = new Map<string, Slots>();
  readonly textOrder = new LexemeOrder();
  /** The per-field vector's lexemes ("t:du" for du in the title: row.ts, fieldPrefix). */
  fieldText = new Map<string, Slots>();
  readonly fieldTextOrder = new LexemeOrder();
  rank = new Map<string, RankPostings>();
  readonly rankOrder = new LexemeOrder();
  /** "a b" → slots where folded word b directly follows a in the ranking vector. */
  bigrams = new Map<string, Slots>();
  /** Plugin-declared exact fields, each a multi-valued column (the `exact` object holds lists). */
  readonly declared: ReadonlyMap<string, ListColumn>;
  /** Living slots in package id order (code points): rows are read in that order, so always kept. */
  private readonly byId = new SlotOrder((a, b) => compareCodePoints(this.ids[a], this.ids[b]), { ready: true });
  /** Living slots by creation or modification time, then id: built when a deep page first needs one. */
  private readonly byDate: Record<DateColumn, SlotOrder> = {
    created: new SlotOrder((a, b) => this.created[a] - this.created[b] || compareCodePoints(this.ids[a], this.ids[b]), { ready: false }),
    modified: new SlotOrder((a, b) => this.modified[a] - this.modified[b] || compareCodePoints(this.ids[a], this.ids[b]), { ready: false }),
  };

  constructor(declaredFields: readonly string[] = []) {
    this.declared = new Map(declaredFields.map((field) => [field, new ListColumn()]));
  }

  /** Adds or replaces a dataset's row. */
  upsert(row: MirrorRow): void {
    this.version++;
    const previous = this.slotOf.get(row.package_id);
    if (previous !== undefined) this.kill(previous);
    const slot = this.slotCount++;
    this.ensure(this.slotCount);
    this.alive[slot] = 1;
    this.living++;
    this.ids[slot] = row.package_id;
    this.slotOf.set(row.package_id, slot);
    for (const field of SCALAR_FIELDS) {
      const value = row[field];
      const column = this.scalars[field];
      column.values[slot] = value === null || value === undefined ? -1 : column.dictionary.intern(value);
    }
    for (const field of LIST_FIELDS) this.addList(this.lists[field], slot, row[field] ?? []);
    for (const [field, column] of this.declared) this.addList(column, slot, row.declared?.[field] ?? []);
    this.titleSort[slot] = row.title_sort;
    this.created[slot] = parseMicros(row.metadata_created) ?? EPOCH_MICROS;
    this.modified[slot] = parseMicros(row.metadata_modified) ?? EPOCH_MICROS;
    this.numResources[slot] = row.num_resources;
    this.numTags[slot] = row.num_tags;

    const textLexemes = tsvectorLexemes(row.tsv);
    this.hasText[slot] = textLexemes.length ? 1 : 0;
    for (const lexeme of textLexemes) if (appendSlot(this.text, lexeme, slot)) this.textOrder.add(lexeme);
    for (const lexeme of tsvectorLexemes(row.ftsv)) if (appendSlot(this.fieldText, lexeme, slot)) this.fieldTextOrder.add(lexeme);

    const atPosition = new Map<number, string[]>();
    for (const { lexeme, positions } of parseTsvector(row.rtsv)) {
      const contribution = lexemeContribution(positions);
      const postings = this.rank.get(lexeme);
      if (!postings) {
        this.rank.set(lexeme, { slot, contribution });
        this.rankOrder.add(lexeme);
      } else if ('slot' in postings) {
        const grown = { slots: new IntList(), contributions: new FloatList() };
        grown.slots.push(postings.slot);
        grown.contributions.push(postings.contribution);
        grown.slots.push(slot);
        grown.contributions.push(contribution);
        this.rank.set(lexeme, grown);
      } else {
        postings.slots.push(slot);
        postings.contributions.push(contribution);
      }
      // Phrase queries are made of folded words: only those make pairs.
      if (foldToken(lexeme) !== lexeme) continue;
      for (const entry of positions) {
        const position = entry >> 2;
        const words = atPosition.get(position);
        if (words) words.push(lexeme);
        else atPosition.set(position, [lexeme]);
      }
    }
    const pairs = new Set<string>();
    for (const [position, words] of atPosition) {
      const next = atPosition.get(position + 1);
      if (next) for (const a of words) for (const b of next) pairs.add(`${a} ${b}`);
    }
    for (const pair of pairs) appendSlot(this.bigrams, pair, slot);
    for (const order of this.orders()) {
      if (previous !== undefined) order.remove(previous);
      order.insert(slot);
    }
  }

  remove(packageId: string): void {
    const slot = this.slotOf.get(packageId);
    if (slot === undefined) return;
    this.version++;
    this.kill(slot);
    this.slotOf.delete(packageId);
    for (const order of this.orders()) order.remove(slot);
  }

  /** Dead slots outnumber the living (and are many): renumber the living and rebuild the lists. */
  compactIfWasteful(): void {
    if (this.dead < 4096 || this.dead < this.living) return;
    this.compact();
  }

  compact(): void {
    this.version++;
    const remap = new Int32Array(this.slotCount).fill(-1);
    let next = 0;
    for (let slot = 0; slot < this.slotCount; slot++) if (this.alive[slot]) remap[slot] = next++;
    const keep = <T extends Int32Array | Float64Array | Uint8Array>(array: T): T => {
      const out = new (array.constructor as new (length: number) => T)(Math.max(64, next));
      for (let slot = 0; slot < this.slotCount; slot++) if (remap[slot] >= 0) out[remap[slot]] = array[slot];
      return out;
    };
    const keepStrings = (array: string[]) => {
      const out: string[] = new Array(next);
      for (let slot = 0; slot < this.slotCount; slot++) if (remap[slot] >= 0) out[remap[slot]] = array[slot];
      return out;
    };
    for (const column of Object.values(this.scalars)) column.values = keep(column.values);
    for (const column of this.listColumns()) {
      const start = new Int32Array(Math.max(64, next));
      const length = new Int32Array(Math.max(64, next));
      const pool = new IntList(Math.max(256, column.pool.length));
      for (let slot = 0; slot < this.slotCount; slot++) {
        const to = remap[slot];
        if (to < 0) continue;
        start[to] = pool.length;
        length[to] = column.length[slot];
        for (let i = 0; i < column.length[slot]; i++) pool.push(column.pool.data[column.start[slot] + i]);
      }
      column.start = start;
      column.length = length;
      column.pool = pool;
      const postings = new Map<number, IntList>();
      for (const [value, list] of column.postings) {
        const kept = new IntList(Math.max(4, list.length));
        for (let i = 0; i < list.length; i++) if (remap[list.data[i]] >= 0) kept.push(remap[list.data[i]]);
        if (kept.length) postings.set(value, kept);
      }
      column.postings = postings;
    }
    this.ids = keepStrings(this.ids);
    this.titleSort = keepStrings(this.titleSort);
    this.created = keep(this.created);
    this.modified = keep(this.modified);
    this.numResources = keep(this.numResources);
    this.numTags = keep(this.numTags);
    this.hasText = keep(this.hasText);
    this.alive = keep(this.alive);
    this.text = remappedAll(this.text, remap);
    this.textOrder.reset(this.text.keys());
    this.fieldText = remappedAll(this.fieldText, remap);
    this.fieldTextOrder.reset(this.fieldText.keys());
    const rank = new Map<string, RankPostings>();
    for (const [lexeme, postings] of this.rank) {
      if ('slot' in postings) {
        if (remap[postings.slot] >= 0) rank.set(lexeme, { slot: remap[postings.slot], contribution: postings.contribution });
        continue;
      }
      const slots = new IntList(Math.max(4, postings.slots.length));
      const contributions = new FloatList(Math.max(4, postings.slots.length));
      for (let i = 0; i < postings.slots.length; i++) {
        const slot = remap[postings.slots.data[i]];
        if (slot < 0) continue;
        slots.push(slot);
        contributions.push(postings.contributions.data[i]);
      }
      if (slots.length === 1) rank.set(lexeme, { slot: slots.data[0], contribution: contributions.data[0] });
      else if (slots.length) rank.set(lexeme, { slots, contributions });
    }
    this.rank = rank;
    this.rankOrder.reset(rank.keys());
    this.bigrams = remappedAll(this.bigrams, remap);
    for (const order of this.orders()) order.renumber(remap);
    for (const [id, slot] of this.slotOf) this.slotOf.set(id, remap[slot]);
    this.slotCount = next;
    this.dead = 0;
  }

  /** The values of a multi-valued column at a slot. */
  listValues(column: ListColumn, slot: number): Int32Array {
    return column.pool.data.subarray(column.start[slot], column.start[slot] + column.length[slot]);
  }

  private listColumns(): ListColumn[] {
    return [...Object.values(this.lists), ...this.declared.values()];
  }

  private kill(slot: number): void {
    if (!this.alive[slot]) return;
    this.alive[slot] = 0;
    this.living--;
    this.dead++;
  }

  private addList(column: ListColumn, slot: number, values: readonly string[]): void {
    column.start[slot] = column.pool.length;
    column.length[slot] = values.length;
    const seen = new Set<number>();
    for (const value of values) {
      const id = column.dictionary.intern(value);
      column.pool.push(id);
      if (seen.has(id)) continue;
      seen.add(id);
      let list = column.postings.get(id);
      if (!list) column.postings.set(id, (list = new IntList()));
      list.push(slot);
    }
  }

  private ensure(size: number): void {
    this.alive = grown(this.alive, size);
    for (const column of Object.values(this.scalars)) column.values = grown(column.values, size);
    for (const column of this.listColumns()) {
      column.start = grown(column.start, size);
      column.length = grown(column.length, size);
    }
    this.created = grown(this.created, size);
    this.modified = grown(this.modified, size);
    this.numResources = grown(this.numResources, size);
    this.numTags = grown(this.numTags, size);
    this.hasText = grown(this.hasText, size);
  }

  /** Living slots in package id order. */
  idOrder(): Int32Array {
    return this.byId.view();
  }

  /** Living slots by a date column, then id (built at the first call). */
  dateOrder(column: DateColumn): Int32Array {
    const order = this.byDate[column];
    if (!order.ready) order.build(this.byId.view());
    return order.view();
  }

  private orders(): SlotOrder[] {
    return [this.byId, this.byDate.created, this.byDate.modified];
  }
}
