// The one syntax tree every search backend translates. It follows Lucene's BooleanQuery model, which
// is what Solr (and so CKAN) and Elasticsearch's query_string both implement:
// - a bool node holds clauses that MUST, SHOULD or MUST_NOT match;
// - with at least one MUST clause, SHOULD clauses only add score;
// - with no MUST clause, at least one SHOULD clause must match;
// - a bool with only MUST_NOT clauses matches everything except them (Solr's pure-negative rule).

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
  boost?: number;
}

export type QueryNode = MatchAllNode | TermNode | RangeNode | BoolNode;
