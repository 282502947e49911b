// The Elasticsearch index: settings (Vietnamese-aware analysers) and mappings. Words are split as
// the core's analysis does (core/search/analysis.ts: anything not a letter, digit or mark separates
// syllables), then lower-cased and folded (ASCII folding: "Hà Nội" → ha, noi; đ → d) for matching.
// The fields that rank (name, title, tags, groups) keep an `exact` sub-field without folding, so a
// query typed with marks ranks the datasets written with the same marks first. Exact-match fields
// of CKAN's schema (spec 3.4) are case-sensitive keywords; any other string field a dataset or a
// plugin brings is a keyword too (Solr's `*` dynamic field), `extras_*` are analysed text, and
// `*_date` are dates. The package dict itself is kept whole, unindexed, in `kho_package`.

import { WORD_SEPARATOR_PATTERN } from '../../../core/search/analysis.ts';

/** The core's word separators (core/search/analysis.ts); Java's regex syntax reads them the same. */
export const WORD_SEPARATORS = WORD_SEPARATOR_PATTERN;

/** Searches that page deep (a harvester at start=90,000) need more than the default 10,000. */
export const MAX_RESULT_WINDOW = 10_000_000;
/**
 * Each extra key adds two fields (extras_k and k) and a national catalogue gathers the keys of
 * every province: past Elasticsearch's default 1,000, a document bringing a new key is refused.
 */
export const TOTAL_FIELDS_LIMIT = 10_000;
/** Tokens longer than this are dropped, as the core's analysis does (base64 blobs and the like). */
export const MAX_TOKEN_LENGTH = 100;
/** metadata_created and metadata_modified keep microseconds: date_nanos, 1970 to 2262 only. */
export const NANOSECOND_DATE_FIELDS = new Set(['metadata_created', 'metadata_modified']);

export interface IndexOptions {
  shards: number;
  replicas: number;
}

export function indexSettings(options: IndexOptions): Record<string, unknown> {
  return {
    number_of_shards: options.shards,
    number_of_replicas: options.replicas,
    max_result_window: MAX_RESULT_WINDOW,
    'mapping.total_fields.limit': TOTAL_FIELDS_LIMIT,
    analysis: {
      tokenizer: {
        kho_words: { type: 'pattern', pattern: WORD_SEPARATORS },
      },
      filter: {
        kho_fold: { type: 'asciifolding', preserve_original: false },
        // Lucene refuses a document holding a term over 32,766 bytes.
        kho_length: { type: 'length', max: MAX_TOKEN_LENGTH },
      },
      analyzer: {
        kho_folded: { type: 'custom', tokenizer: 'kho_words', filter: ['lowercase', 'kho_length', 'kho_fold'] },
        kho_exact: { type: 'custom', tokenizer: 'kho_words', filter: ['lowercase', 'kho_length'] },
      },
      normalizer: {
        kho_sort: { type: 'custom', filter: ['lowercase', 'asciifolding'] },
      },
    },
  };
}

const keyword = { type: 'keyword' };
const folded = { type: 'text', analyzer: 'kho_folded' };
const exactText = { type: 'text', analyzer: 'kho_exact' };
/** A keyword that free text also reaches, folded and as written. */
const rankedKeyword = { type: 'keyword', fields: { text: folded, exact: exactText } };
const timestamp = { type: 'date_nanos', format: 'strict_date_optional_time_nanos||strict_date_optional_time' };

/** Fields free text ranks on, with CKAN's dismax weights (qf "name^4 title^4 tags^2 groups^2 text"). */
export const FREE_TEXT_FIELDS = ['name.text^4', 'title^4', 'tags.text^2', 'groups.text^2', 'text'];
/** Their unfolded forms, for the exact-diacritic bonus. */
export const EXACT_FIELDS_FOR_RANKING = ['name.exact^4', 'title.exact^4', 'tags.exact^2', 'groups.exact^2'];
/** For the adjacent-words bonus (edismax's pf). */
export const PHRASE_FIELDS = ['name.text^4', 'title^4', 'tags.text^2', 'groups.text^2'];

export function indexMappings(): Record<string, unknown> {
  return {
    dynamic: true,
    date_detection: false,
    numeric_detection: false,
    dynamic_templates: [
      { extras_text: { match: 'extras_*', match_mapping_type: 'string', mapping: folded } },
      { res_extras_text: { match: 'res_extras_*', match_mapping_type: 'string', mapping: folded } },
      {
        dates: {
          match: '*_date',
          match_mapping_type: 'string',
          mapping: { type: 'date', format: 'strict_date_optional_time_nanos||strict_date_optional_time', ignore_malformed: true },
        },
      },
      { other_strings: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 8191 } } },
    ],
    properties: {
      id: keyword,
      name: rankedKeyword,
      title: { type: 'text', analyzer: 'kho_folded', fields: { exact: exactText } },
      title_string: { type: 'keyword', ignore_above: 8191 },
      title_sort: { type: 'keyword', normalizer: 'kho_sort', ignore_above: 8191 },
      tags: rankedKeyword,
      groups: rankedKeyword,
      organization: { type: 'keyword', fields: { text: folded } },
      notes: folded,
      res_name: folded,
      res_description: folded,
      author: folded,
      maintainer: folded,
      urls: folded,
      text: folded,
      metadata_created: timestamp,
      metadata_modified: timestamp,
      num_resources: { type: 'integer' },
      num_tags: { type: 'integer' },
      views_total: { type: 'integer' },
      views_recent: { type: 'integer' },
      kho_version: { type: 'long' },
      kho_package: { type: 'object', enabled: false },
    },
  };
}
