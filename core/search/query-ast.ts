// The one syntax tree every search backend translates. It follows Lucene's BooleanQuery model, which
// is what Solr (and so CKAN) and Elasticsearch's query_string both implement:
// - a bool node holds clauses that MUST, SHOULD or MUST_NOT match;
// - with at least one MUST clause, SHOULD clauses only add score (unless minimumShouldMatch says
//   otherwise);
// - with no MUST clause, at least one SHOULD clause must match;
// - a bool with only MUST_NOT clauses matches everything except them (Solr's pure-negative rule).
// Values are raw query text: analysis (lower-casing, diacritic folding, tokenising) is the backend's
// job, because it depends on whether the field is an exact-match or a text field.

export type Occur = 'must' | 'should' | 'must_not';

export interface MatchAllNode {
  type: 'matchAll';
}

export interface TermNode {
  type: 'term';
  /** null = the default field (`text`, the catch-all). */
  field: string | null;
  value: string;
  /** A quoted phrase: the words must appear in this order. */
  phrase: boolean;
  /** A trailing-* prefix query ("hea*"); `value` holds the prefix without the star. */
  prefix: boolean;
  /** field:* — the field has any value. */
  exists?: boolean;
  /**
   * A wildcard pattern other than a plain trailing star ("h?a*", "*water*"): in `value`, bare `*` and
   * `?` are wildcards, and a literal `*`, `?` or `\` is written with a backslash before it.
   */
  wildcard?: boolean;
  boost?: number;
}

export interface RangeNode {
  type: 'range';
  field: string;
  /** null = unbounded (`*`). Values are raw text; dates may use Solr date math (NOW-1DAY/DAY). */
  lower: string | null;
  upper: string | null;
  includeLower: boolean;
  includeUpper: boolean;
}

export interface BoolNode {
  type: 'bool';
  clauses: Array<{ occur: Occur; node: QueryNode }>;
  /**
   * At least this many SHOULD clauses must match, MUST clauses or not (Lucene's
   * minimumNumberShouldMatch). Set by dismax-style free-text parsing from CKAN's mm "2<-1 5<80%".
   */
  minimumShouldMatch?: number;
  boost?: number;
}

export type QueryNode = MatchAllNode | TermNode | RangeNode | BoolNode;
