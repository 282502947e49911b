// Answers a SearchQuery from the memory index (mirror.ts) with the semantics of the SQL the
// postgres backend would run (translate.ts, planSearch): the same boolean rules, the same
// visibility, the same ts_rank-based score and the same order. A query that needs what the memory
// index does not hold (phrases, fields other than the columns, the `exact` object) or that SQL
// would refuse is not answered here: `searchMirror` returns null and the database answers it.
import { resolveDateMath } from '../../date-math.ts';
import { fieldKind } from '../../index-document.ts';
import type { BoolNode, QueryNode, RangeNode, TermNode } from '../../query-ast.ts';
import type { SearchQuery } from '../../search-index.ts';
import { compareCodePoints } from '../../../text/code-point-order.ts';
import { tokenize, wildcardToLike } from '../analysis.ts';
import { EXACT_WEIGHT, PHRASE_WEIGHT, clean, rankingTerms } from '../translate.ts';
import { type DateColumn, type ListColumn, type ListField, type ScalarField, type SearchMirror, parseMicros } from './mirror.ts';
import { SlotSet } from './slot-set.ts';
import { ARRAY_COLUMNS, NULLABLE_COLUMNS, SCALAR_COLUMNS, fieldPrefix } from '../row.ts';
import { finishRank, uniqueRankItems, type RankItem } from './ts-rank.ts';

export interface MirrorAnswer {
  count: number;
  /** Package ids of the page, in order. */
  ids: string[];
  facets: Record<string, Record<string, number>>;
}

/** The matching slots: the set, its size, and the slots in order (listed only when needed). */
class Matches {
  readonly set: SlotSet;
  readonly count: number;
  private listed: Int32Array | undefined;

  constructor(set: SlotSet) {
    this.set = set;
    this.count = set.count();
  }

  get slots(): Int32Array {
    return (this.listed ??= this.set.toArray());
  }
}

interface SortKey {
  /** The key is the dataset id: the id-ordered array gives the order without sorting. */
  id: boolean;
  descending: boolean;
  sign: 1 | -1;
  compare: (a: number, b: number) => number;
  /** The key's value per slot, when it is a number compared by subtraction. */
  numbers?: ArrayLike<number>;
  /** The key is a date the memory index keeps an order of. */
  date?: DateColumn;
}

/** Thrown inside the evaluation when the query is one for the database. */
class NotHere extends Error {}
const notHere = (): never => {
  throw new NotHere();
};

// The fields with columns of their own (row.ts), as Maps: a field named "constructor" must not find
// Object's.
const SCALAR_OF = new Map(Object.entries(SCALAR_COLUMNS)) as Map<string, ScalarField>;
const LIST_OF = new Map(Object.entries(ARRAY_COLUMNS)) as Map<string, ListField>;


/** Above this many matches, a page that is neither small nor in id order is left to the database. */
const MAX_FULL_SORT = 20_000;
const MAX_TOP = 2_000;

export function searchMirror(mirror: SearchMirror, query: SearchQuery, now: Date): MirrorAnswer | null {
  try {
    return new MirrorSearch(mirror, now).run(query);
  } catch (err) {
    if (err instanceof NotHere) return null;
    throw err;
  }
}

/** Sets every search of a mirror version starts from: the living, and who sees what. */
interface BaseSets {
  version: number;
  everything: SlotSet;
  visibility: Map<string, SlotSet>;
  /** Sets of single clauses (a word, a filter), as Solr's filterCache: a portal's facets repeat. */
  clauses: Map<string, SlotSet | null>;
  /** Per-slot work arrays for scoring, zeroed before use (searches run one at a time). */
  scratch: Float32Array[];
  scores?: Float64Array;
  /** A search's matches in id order, for a harvester paging deep through the same search. */
  idOrdered: Map<string, Int32Array>;
}

/** From this start on, an id-ordered page lists all the search's matches once for the pages after it. */
const DEEP_ID_PAGE = 1000;
const MAX_ID_ORDERED = 4;

const MAX_CACHED_CLAUSES = 512;
const baseSets = new WeakMap<SearchMirror, BaseSets>();

class MirrorSearch {
  private readonly mirror: SearchMirror;
  private readonly now: Date;
  private readonly capacity: number;
  private readonly everything: SlotSet;
  private readonly base: BaseSets;

  constructor(mirror: SearchMirror, now: Date) {
    this.mirror = mirror;
    this.now = now;
    this.capacity = mirror.slotCount;
    let base = baseSets.get(mirror);
    if (!base || base.version !== mirror.version) {
      const everything = new SlotSet(this.capacity);
      const alive = mirror.alive;
      for (let slot = 0; slot < this.capacity; slot++) if (alive[slot]) everything.add(slot);
      base = { version: mirror.version, everything, visibility: new Map(), clauses: new Map(), scratch: [], idOrdered: new Map() };
      baseSets.set(mirror, base);
    }
    this.base = base;
    this.everything = base.everything;
  }

  run(query: SearchQuery): MirrorAnswer {
    const matched = this.visibility(query);
    if (query.q) matched.and(this.translate(query.q) ?? this.none());
    for (const filter of query.filters) matched.and(this.translate(filter) ?? this.none());
    const matches = new Matches(matched);
    const facets = this.facets(query, matches);
    const ids = query.rows > 0 ? this.page(query, matches) : [];
    return { count: matches.count, ids, facets };
  }

  // ---- what the caller may see (whereClause) ----

  private visibility(query: SearchQuery): SlotSet {
    const key = JSON.stringify([query.states, query.includePrivate]);
    let shared = this.base.visibility.get(key);
    if (!shared) {
      shared = this.everything.copy();
      if (query.states.length) shared.and(this.scalarIn('state', query.states));
      if (!query.includePrivate) shared.and(this.scalarIn('capacity', ['public']));
      this.base.visibility.set(key, shared);
    }
    const visible = shared.copy();
    // Active public datasets carry exactly the label "public" (whereClause leaves the test out too).
    const onlyPublicActive = !query.includePrivate && query.states.length === 1 && query.states[0] === 'active';
    if (query.labels && !(onlyPublicActive && query.labels.includes('public'))) {
      const column = this.mirror.lists.labels;
      const labelled = this.none();
      for (const label of query.labels) this.addPostings(labelled, column, label);
      visible.and(labelled);
    }
    return visible;
  }

  // ---- the query tree (QueryTranslator) ----

  /** The set of a clause. Callers never change it: it may be shared with later searches. */
  private translate(node: QueryNode): SlotSet | null {
    switch (node.type) {
      case 'matchAll':
        return this.everything;
      case 'term':
        return this.cached(node, () => this.term(node));
      case 'range':
        return this.cached(node, () => this.range(node));
      case 'bool':
        return this.bool(node);
    }
  }

  private cached(node: TermNode | RangeNode, compute: () => SlotSet | null): SlotSet | null {
    const key = JSON.stringify(node);
    // Date math against the clock changes its answer without any write.
    if (/NOW/i.test(key)) return compute();
    const clauses = this.base.clauses;
    if (clauses.has(key)) return clauses.get(key)!;
    const set = compute();
    if (clauses.size >= MAX_CACHED_CLAUSES) clauses.delete(clauses.keys().next().value!);
    clauses.set(key, set);
    return set;
  }

  private term(node: TermNode): SlotSet | null {
    const field = clean(node.field ?? 'text');
    const kind = fieldKind(field);
    if (kind === 'text') return field === 'text' ? this.textTerm(node) : this.fieldTextTerm(field, node);
    if (kind === 'date') return this.dateTerm(field, node);
    if (kind === 'numeric' && !node.exists && !node.prefix && !node.wildcard) {
      const column = this.numberColumn(field);
      const value = parseNumber(node.value);
      return this.where((slot) => column[slot] === value);
    }
    return this.exactTerm(field, node);
  }

  private textTerm(node: TermNode): SlotSet | null {
    const mirror = this.mirror;
    if (node.exists) return this.where((slot) => mirror.hasText[slot] === 1);
    if (node.wildcard) return notHere();
    const tokens = tokenize(node.value);
    if (!tokens.length) return null;
    if (tokens.length > 1) return notHere(); // a phrase: positions are in the database only
    const set = this.none();
    const lexemes = node.prefix ? mirror.textOrder.withPrefix(tokens[0]) : [tokens[0]];
    for (const lexeme of lexemes) {
      const slots = mirror.text.get(lexeme);
      if (typeof slots === 'number') set.add(slots);
      else if (slots) set.addAll(slots.data, slots.length);
    }
    return set;
  }

  /**
   * A word in one text field (title:du): its lexeme in the per-field vector, where the database
   * also asks the catch-all vector for the word (translate.ts), so both are asked here too.
   */
  private fieldTextTerm(field: string, node: TermNode): SlotSet | null {
    const mirror = this.mirror;
    const lexemePrefix = fieldPrefix(field);
    if (node.exists) return this.fieldLexemes(mirror.fieldTextOrder.withPrefix(lexemePrefix));
    if (node.wildcard) return notHere();
    const tokens = tokenize(node.value);
    if (!tokens.length) return null;
    if (tokens.length > 1) return notHere(); // a phrase: positions are in the database only
    const lexeme = lexemePrefix + tokens[0];
    const inField = this.fieldLexemes(node.prefix ? mirror.fieldTextOrder.withPrefix(lexeme) : [lexeme]);
    return inField.and(this.textTerm({ ...node, field: 'text' }) ?? this.none());
  }

  private fieldLexemes(lexemes: readonly string[]): SlotSet {
    const set = this.none();
    for (const lexeme of lexemes) {
      const slots = this.mirror.fieldText.get(lexeme);
      if (typeof slots === 'number') set.add(slots);
      else if (slots) set.addAll(slots.data, slots.length);
    }
    return set;
  }

  private dateTerm(field: string, node: TermNode): SlotSet {
    const column = this.dateColumn(field);
    if (node.exists) return this.everything.copy();
    if (node.prefix || node.wildcard) return notHere();
    const value = this.micros(node.value);
    return this.where((slot) => column[slot] === value);
  }

  private exactTerm(field: string, node: TermNode): SlotSet {
    const scalar = SCALAR_OF.get(field);
    const list = this.listColumn(field);
    if (!scalar && !list) return notHere();
    if (node.exists) {
      if (scalar) {
        const values = this.mirror.scalars[scalar].values;
        return this.where((slot) => values[slot] >= 0);
      }
      const lengths = list!.length;
      return this.where((slot) => lengths[slot] > 0);
    }
    const value = clean(node.value);
    let test: ((candidate: string) => boolean) | null = null;
    if (node.wildcard) {
      const pattern = likeRegExp(wildcardToLike(value));
      test = (candidate) => pattern.test(candidate);
    } else if (node.prefix) {
      test = (candidate) => candidate.startsWith(value);
    }
    if (scalar) {
      const column = this.mirror.scalars[scalar];
      const ids = test ? column.dictionary.matching(test) : [column.dictionary.find(value)].filter((id): id is number => id !== undefined);
      return this.scalarIds(column.values, ids);
    }
    const column = list!;
    const set = this.none();
    const ids = test ? column.dictionary.matching(test) : [column.dictionary.find(value)].filter((id): id is number => id !== undefined);
    for (const id of ids) {
      const postings = column.postings.get(id);
      if (postings) set.addAll(postings.data, postings.length);
    }
    return set;
  }

  private range(node: RangeNode): SlotSet {
    const field = clean(node.field);
    const kind = fieldKind(field);
    if (kind === 'text') return notHere();
    if (node.lower === null && node.upper === null) {
      return this.exactTerm(field, { type: 'term', field, value: '', phrase: false, prefix: false, exists: true });
    }
    if (kind === 'date') {
      const column = this.dateColumn(field);
      const lower = node.lower === null ? null : this.micros(node.lower);
      const upper = node.upper === null ? null : this.micros(node.upper);
      return this.where((slot) => inRange(column[slot], lower, upper, node, (a, b) => a - b));
    }
    if (kind === 'numeric') {
      const column = this.numberColumn(field);
      const lower = node.lower === null ? null : parseNumber(node.lower);
      const upper = node.upper === null ? null : parseNumber(node.upper);
      return this.where((slot) => inRange(column[slot], lower, upper, node, (a, b) => a - b));
    }
    const lower = node.lower === null ? null : clean(node.lower);
    const upper = node.upper === null ? null : clean(node.upper);
    const inside = (value: string) => inRange(value, lower, upper, node, compareCodePoints);
    const scalar = SCALAR_OF.get(field);
    if (scalar) {
      const column = this.mirror.scalars[scalar];
      return this.scalarIds(column.values, column.dictionary.matching(inside));
    }
    const column = this.listColumn(field);
    if (!column) return notHere();
    const set = this.none();
    for (const id of column.dictionary.matching(inside)) {
      const postings = column.postings.get(id);
      if (postings) set.addAll(postings.data, postings.length);
    }
    return set;
  }

  private bool(node: BoolNode): SlotSet {
    const musts: SlotSet[] = [];
    const shoulds: SlotSet[] = [];
    const mustNots: SlotSet[] = [];
    for (const clause of node.clauses) {
      const set = this.translate(clause.node);
      if (set === null) continue;
      (clause.occur === 'must' ? musts : clause.occur === 'should' ? shoulds : mustNots).push(set);
    }
    if (!musts.length && !shoulds.length && !mustNots.length) return this.none();
    const result = this.everything.copy();
    for (const set of musts) result.and(set);
    for (const set of mustNots) result.andNot(set);
    const minimum = Math.min(node.minimumShouldMatch ?? 0, shoulds.length);
    if (minimum > 0) {
      if (minimum === shoulds.length) for (const set of shoulds) result.and(set);
      else result.and(this.atLeast(minimum, shoulds));
    } else if (!musts.length && shoulds.length) {
      const any = this.none();
      for (const set of shoulds) any.or(set);
      result.and(any);
    }
    return result;
  }

  /**
   * Slots in at least `minimum` of the sets. Per word of 32 slots, the 32 counts are kept as binary
   * numbers spread over bit planes (plane k holds bit k of every count), so adding a set is a ripple
   * carry of a few word operations and the comparison with `minimum` is done on all 32 at once.
   */
  private atLeast(minimum: number, sets: SlotSet[]): SlotSet {
    const result = this.none();
    const out = result.words;
    const bits = 32 - Math.clz32(sets.length);
    const planes = new Int32Array(bits);
    const lists = sets.map((set) => set.words);
    for (let w = 0; w < out.length; w++) {
      planes.fill(0);
      for (let s = 0; s < lists.length; s++) {
        let carry = lists[s][w];
        for (let k = 0; carry && k < bits; k++) {
          const next = planes[k] & carry;
          planes[k] ^= carry;
          carry = next;
        }
      }
      // count >= minimum, from the most significant bit down: greater once a plane has a 1 where
      // minimum has a 0 while all higher bits were equal.
      let greater = 0;
      let equal = -1;
      for (let k = bits - 1; k >= 0; k--) {
        if ((minimum >>> k) & 1) equal &= planes[k];
        else greater |= equal & planes[k];
      }
      out[w] = greater | equal;
    }
    return result;
  }

  // ---- relevance (scoreExpression) ----

  /** Each matched slot's score, or null when every document scores the same. */
  private scores(query: SearchQuery, matches: Matches): Float64Array | null {
    const matched = matches.set;
    const terms = rankingTerms(query.q, query.qIsFreeText);
    if (!terms.folded.length) return null;
    // Several words in one term make a phrase query, which ts_rank scores another way.
    if (terms.folded.some((term) => term.tokens.length !== 1)) return notHere();
    const folded = this.rank(terms.folded.map((term) => ({ lexeme: term.tokens[0], prefix: term.prefix })), 0, matched);
    const foldedItems = folded.items;
    const exact = terms.exact.length ? this.rank(terms.exact, 1, matched) : null;
    // Every matched slot is assigned below and no other is read: no zeroing needed.
    const scores = (this.base.scores ??= new Float64Array(this.capacity));
    for (const slot of matches.slots) {
      // As scoreExpression adds them up: float4 ranks, the sum in double precision.
      let score = finishRank(folded.totals[slot], foldedItems);
      if (exact) score += EXACT_WEIGHT * finishRank(exact.totals[slot], exact.items);
      scores[slot] = score;
    }
    for (const [a, b] of terms.phrases) {
      const slots = this.mirror.bigrams.get(`${a} ${b}`);
      if (typeof slots === 'number') {
        if (matched.has(slots)) scores[slots] += PHRASE_WEIGHT;
      } else if (slots) {
        for (let i = 0; i < slots.length; i++) if (matched.has(slots.data[i])) scores[slots.data[i]] += PHRASE_WEIGHT;
      }
    }
    return scores;
  }

  /** calc_rank_or's running totals for ts_rank(weights, rtsv, item | item | …), and the item count. */
  private rank(items: RankItem[], scratch: number, matched: SlotSet): { totals: Float32Array; items: number } {
    const unique = uniqueRankItems(items);
    // The same word as a prefix and as a word: which one PostgreSQL keeps is up to its qsort.
    if (new Set(items.map((item) => `${item.lexeme}\u0000${item.prefix}`)).size !== new Set(items.map((item) => item.lexeme)).size) return notHere();
    const totals = this.scratch(scratch);
    for (const item of unique) {
      const lexemes = item.prefix ? this.mirror.rankOrder.withPrefix(item.lexeme) : [item.lexeme];
      for (const lexeme of lexemes) {
        const postings = this.mirror.rank.get(lexeme);
        if (!postings) continue;
        // A Float32Array rounds each sum to float4 as it stores it, as `res = res + …` does in C.
        if ('slot' in postings) {
          totals[postings.slot] += postings.contribution;
          continue;
        }
        const slots = postings.slots.data;
        const contributions = postings.contributions.data;
        for (let i = 0; i < postings.slots.length; i++) totals[slots[i]] += contributions[i];
      }
    }
    return { totals, items: unique.length };
  }

  // ---- facets ----

  private facets(query: SearchQuery, matches: Matches): MirrorAnswer['facets'] {
    const out: Array<[string, Record<string, number>]> = [];
    for (const field of new Set(query.facetFields.map(clean))) {
      const slots = matches.slots;
      const scalar = SCALAR_OF.get(field);
      const list = this.listColumn(field);
      if (!scalar && !list) return notHere();
      let values: string[];
      let counts: Int32Array;
      if (scalar) {
        const column = this.mirror.scalars[scalar];
        values = column.dictionary.values;
        counts = new Int32Array(values.length);
        const ids = column.values;
        for (let i = 0; i < slots.length; i++) {
          const id = ids[slots[i]];
          if (id >= 0) counts[id]++;
        }
      } else {
        const column = list!;
        values = column.dictionary.values;
        counts = new Int32Array(values.length);
        const { start, length } = column;
        const pool = column.pool.data;
        for (let i = 0; i < slots.length; i++) {
          const slot = slots[i];
          for (let k = start[slot], end = k + length[slot]; k < end; k++) counts[pool[k]]++;
        }
      }
      const found: Array<[string, number]> = [];
      counts.forEach((count, id) => {
        if (count > 0 && count >= query.facetMincount) found.push([values[id], count]);
      });
      let items = found;
      items.sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
      if (query.facetLimit >= 0) items = items.slice(0, query.facetLimit);
      out.push([field, Object.fromEntries(items)]);
    }
    return Object.fromEntries(out);
  }

  // ---- order and page (sortKeys) ----

  private page(query: SearchQuery, matches: Matches): string[] {
    const ids = this.mirror.ids;
    const end = query.start + query.rows;
    if (query.start >= matches.count) return [];
    const keys = this.sortKeys(query, matches);
    const matched = matches.set;
    if (keys[0].id) {
      const listed = query.start >= DEEP_ID_PAGE ? this.idOrdered(query, matched) : null;
      if (listed) {
        const out: string[] = [];
        const last = listed.length - 1;
        for (let k = query.start; k < end && k <= last; k++) out.push(ids[listed[keys[0].descending ? last - k : k]]);
        return out;
      }
      // In id order already: walk it (a harvester's deep page costs no sort).
      const order = this.mirror.idOrder();
      const out: string[] = [];
      let seen = 0;
      const step = keys[0].descending ? -1 : 1;
      for (let i = step > 0 ? 0 : order.length - 1; i >= 0 && i < order.length && seen < end; i += step) {
        if (!matched.has(order[i])) continue;
        if (seen++ >= query.start) out.push(ids[order[i]]);
      }
      return out;
    }
    const compare = (a: number, b: number) => {
      for (const key of keys) {
        const order = key.compare(a, b);
        if (order) return order;
      }
      return 0;
    };
    let chosen: number[];
    const slots = matches.slots;
    if (end <= MAX_TOP && end * 8 < slots.length) chosen = smallest(slots, end, compare, keys[0]);
    else if (keys.length === 2 && keys[0].date && keys[1].id && !keys[1].descending) return this.dateWalk(keys[0].date, keys[0].descending, query, matched);
    else if (slots.length <= MAX_FULL_SORT) chosen = Array.from(slots).sort(compare);
    else return notHere();
    return chosen.slice(query.start, end).map((slot) => ids[slot]);
  }

  /**
   * The matches in id order, kept until the next write for the same search (its q, filters and
   * visibility): a harvester walks its pages one after the other, each one deeper. Null when the
   * search depends on the clock.
   */
  private idOrdered(query: SearchQuery, matched: SlotSet): Int32Array | null {
    const key = JSON.stringify([query.q, query.filters, query.states, query.includePrivate, query.labels]);
    if (/NOW/i.test(key)) return null;
    const cache = this.base.idOrdered;
    let listed = cache.get(key);
    if (!listed) {
      const order = this.mirror.idOrder();
      const out: number[] = [];
      for (let i = 0; i < order.length; i++) if (matched.has(order[i])) out.push(order[i]);
      listed = Int32Array.from(out);
      if (cache.size >= MAX_ID_ORDERED) cache.delete(cache.keys().next().value!);
      cache.set(key, listed);
    }
    return listed;
  }

  /**
   * A page under "date, then id ascending", walked along the date order (date, then id). Newest
   * first walks it backwards a run of equal dates at a time, each run forwards: ties stay in id order.
   */
  private dateWalk(column: DateColumn, descending: boolean, query: SearchQuery, matched: SlotSet): string[] {
    const order = this.mirror.dateOrder(column);
    const values = column === 'created' ? this.mirror.created : this.mirror.modified;
    const ids = this.mirror.ids;
    const end = query.start + query.rows;
    const out: string[] = [];
    let seen = 0;
    const take = (slot: number) => {
      if (!matched.has(slot)) return;
      if (seen++ >= query.start) out.push(ids[slot]);
    };
    if (!descending) {
      for (let i = 0; i < order.length && seen < end; i++) take(order[i]);
      return out;
    }
    for (let last = order.length - 1; last >= 0 && seen < end; ) {
      let first = last;
      while (first > 0 && values[order[first - 1]] === values[order[last]]) first--;
      for (let i = first; i <= last && seen < end; i++) take(order[i]);
      last = first - 1;
    }
    return out;
  }

  private sortKeys(query: SearchQuery, matches: Matches): SortKey[] {
    const mirror = this.mirror;
    const keys: SortKey[] = [];
    let hasId = false;
    let scores: Float64Array | null | undefined;
    for (const { field: asked, direction } of query.sort) {
      const field = clean(asked);
      const descending = direction === 'desc';
      const sign = descending ? -1 : 1;
      let compare: (a: number, b: number) => number;
      let numbers: SortKey['numbers'];
      let date: DateColumn | undefined;
      if (field === 'score') {
        if (scores === undefined) scores = this.scores(query, matches);
        if (!scores) continue;
        const values = scores;
        compare = (a, b) => sign * (values[a] - values[b]);
        numbers = values;
      } else if (SCALAR_OF.has(field)) {
        const column = mirror.scalars[SCALAR_OF.get(field)!];
        const strings = column.dictionary.values;
        const values = column.values;
        const nullable = NULLABLE_COLUMNS.has(SCALAR_OF.get(field)!);
        compare = (a, b) => {
          const x = values[a];
          const y = values[b];
          if (x === y) return 0;
          // Solr sorts documents without the field last, whichever the direction.
          if (nullable && (x < 0 || y < 0)) return x < 0 ? 1 : -1;
          return sign * compareCodePoints(strings[x], strings[y]);
        };
        if (field === 'id') hasId = true;
      } else if (field === 'title_string') {
        const values = mirror.titleSort;
        compare = (a, b) => sign * compareCodePoints(values[a], values[b]);
      } else if (field === 'metadata_created' || field === 'metadata_modified' || field === 'num_resources' || field === 'num_tags') {
        const values = field === 'metadata_created' ? mirror.created : field === 'metadata_modified' ? mirror.modified : field === 'num_resources' ? mirror.numResources : mirror.numTags;
        compare = (a, b) => sign * (values[a] - values[b]);
        numbers = values;
        if (field === 'metadata_created') date = 'created';
        if (field === 'metadata_modified') date = 'modified';
      } else {
        // Another sortable field is in `exact`; an unsortable one is the database's error to raise.
        return notHere();
      }
      keys.push({ id: field === 'id', descending, compare, numbers, sign, date });
    }
    if (!hasId) {
      const ids = mirror.ids;
      keys.push({ id: true, descending: false, sign: 1, compare: (a, b) => compareCodePoints(ids[a], ids[b]) });
    }
    return keys;
  }

  // ---- helpers ----

  private scratch(index: number): Float32Array {
    const list = this.base.scratch;
    if (!list[index]) list[index] = new Float32Array(this.capacity);
    return list[index].fill(0);
  }

  private none(): SlotSet {
    return new SlotSet(this.capacity);
  }

  private where(test: (slot: number) => boolean): SlotSet {
    const set = this.none();
    const alive = this.mirror.alive;
    for (let slot = 0; slot < this.capacity; slot++) if (alive[slot] && test(slot)) set.add(slot);
    return set;
  }

  /** A multi-valued column: tags, groups, res_format, or a plugin-declared field. */
  private listColumn(field: string): ListColumn | undefined {
    const list = LIST_OF.get(field);
    return list ? this.mirror.lists[list] : this.mirror.declared.get(field);
  }

  private scalarIn(field: ScalarField, values: readonly string[]): SlotSet {
    const column = this.mirror.scalars[field];
    return this.scalarIds(column.values, values.map((value) => column.dictionary.find(value)).filter((id): id is number => id !== undefined));
  }

  private scalarIds(values: Int32Array, ids: number[]): SlotSet {
    if (!ids.length) return this.none();
    if (ids.length === 1) {
      const id = ids[0];
      return this.where((slot) => values[slot] === id);
    }
    const wanted = new Set(ids);
    return this.where((slot) => wanted.has(values[slot]));
  }

  private addPostings(set: SlotSet, column: ListColumn, value: string): void {
    const id = column.dictionary.find(value);
    const postings = id === undefined ? undefined : column.postings.get(id);
    if (postings) set.addAll(postings.data, postings.length);
  }

  private dateColumn(field: string): Float64Array {
    if (field === 'metadata_created') return this.mirror.created;
    if (field === 'metadata_modified') return this.mirror.modified;
    return notHere();
  }

  private numberColumn(field: string): Int32Array {
    if (field === 'num_resources') return this.mirror.numResources;
    if (field === 'num_tags') return this.mirror.numTags;
    return notHere();
  }

  private micros(text: string): number {
    let resolved: string;
    try {
      resolved = resolveDateMath(text, this.now);
    } catch {
      return notHere();
    }
    return parseMicros(resolved) ?? notHere();
  }
}

function parseNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) return notHere();
  return value;
}

function inRange<T>(value: T, lower: T | null, upper: T | null, node: RangeNode, compare: (a: T, b: T) => number): boolean {
  if (lower !== null) {
    const order = compare(value, lower);
    if (order < 0 || (order === 0 && !node.includeLower)) return false;
  }
  if (upper !== null) {
    const order = compare(value, upper);
    if (order > 0 || (order === 0 && !node.includeUpper)) return false;
  }
  return true;
}

/** A LIKE pattern (backslash escapes, % and _) as an anchored regular expression. */
function likeRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]);
    else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`, 'su');
}

function escapeRegExp(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The `count` smallest slots under `compare`, in order (a bounded max-heap). Most slots lose to the
 * heap's top on the first key alone; when that key is a number it is compared inline.
 */
function smallest(slots: Int32Array, count: number, compare: (a: number, b: number) => number, first: SortKey): number[] {
  const heap: number[] = [];
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(heap[i], heap[parent]) <= 0) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < heap.length && compare(heap[left], heap[largest]) > 0) largest = left;
      if (right < heap.length && compare(heap[right], heap[largest]) > 0) largest = right;
      if (largest === i) return;
      [heap[i], heap[largest]] = [heap[largest], heap[i]];
      i = largest;
    }
  };
  const { numbers, sign } = first;
  for (const slot of slots) {
    if (heap.length < count) {
      heap.push(slot);
      up(heap.length - 1);
      continue;
    }
    if (numbers) {
      const difference = sign * (numbers[slot] - numbers[heap[0]]);
      if (difference > 0) continue;
      if (difference < 0) {
        heap[0] = slot;
        down(0);
        continue;
      }
    }
    if (compare(slot, heap[0]) < 0) {
      heap[0] = slot;
      down(0);
    }
  }
  return heap.sort(compare);
}

