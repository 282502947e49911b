// The Lucene/Solr query parser: the query forms CKAN clients send (spec 3.5), CKAN's test_query.py
// queries, Lucene's clause-occurrence rules, dismax free text, date math and sort syntax.
import { expect } from 'chai';
import { SearchError, SearchQueryError } from '../../../core/errors.ts';
import type { BoolNode, QueryNode } from '../../../core/search/query-ast.ts';
import {
  hasFieldSyntax,
  minimumShouldMatch,
  parseFreeText,
  parseQuery,
  parseSort,
} from '../../../core/search/query-parser.ts';
import { resolveDateMath } from '../../../core/search/date-math.ts';

const term = (field: string | null, value: string, extra: Record<string, unknown> = {}) => ({
  type: 'term',
  field,
  value,
  phrase: false,
  prefix: false,
  ...extra,
});

/** A compact rendering of a query: +must -must_not ?should, terms as field:value. */
function show(node: QueryNode | null): string {
  if (node === null) return 'null';
  switch (node.type) {
    case 'matchAll':
      return '*:*';
    case 'term': {
      const value = node.exists ? '*' : node.phrase ? `"${node.value}"` : node.prefix ? `${node.value}*` : node.value;
      return `${node.field ?? '<default>'}:${value}${node.boost !== undefined ? `^${node.boost}` : ''}`;
    }
    case 'range':
      return `${node.field}:${node.includeLower ? '[' : '{'}${node.lower ?? '*'} TO ${node.upper ?? '*'}${node.includeUpper ? ']' : '}'}`;
    case 'bool': {
      const sign = { must: '+', must_not: '-', should: '?' } as const;
      const inner = node.clauses.map((clause) => sign[clause.occur] + show(clause.node)).join(' ');
      return `(${inner})${node.minimumShouldMatch ? `~${node.minimumShouldMatch}` : ''}`;
    }
  }
}

const lucene = (text: string) => show(parseQuery(text));
const lenient = (text: string) => show(parseQuery(text, { defaultOperator: 'OR' }));

function expectError(text: string, type: typeof SearchQueryError | typeof SearchError, message: RegExp) {
  let caught: unknown;
  try {
    parseQuery(text);
  } catch (err) {
    caught = err;
  }
  expect(caught, `parsing ${JSON.stringify(text)} should fail`).to.be.instanceOf(type);
  expect((caught as Error).message).to.match(message);
}

describe('search query parser', () => {
  describe('terms and fields', () => {
    it('parses field:value as a term on that field', () => {
      expect(parseQuery('tags:economy')).to.deep.equal(term('tags', 'economy'));
    });

    it('uses the default field for bare words', () => {
      expect(parseQuery('health')).to.deep.equal(term(null, 'health'));
    });

    it('keeps hyphens and plus signs inside a term (test_tags_token_simple)', () => {
      expect(parseQuery('tags:country-sweden')).to.deep.equal(term('tags', 'country-sweden'));
      expect(parseQuery('version:1.0+build')).to.deep.equal(term('version', '1.0+build'));
    });

    it('parses quoted phrases with punctuation and unicode (test_tags_token_with_punctuation)', () => {
      expect(parseQuery('tags:"surprise."')).to.deep.equal(term('tags', 'surprise.', { phrase: true }));
      expect(parseQuery('tags:"Flexible \u30a1"')).to.deep.equal(term('tags', 'Flexible \u30a1', { phrase: true }));
      expect(parseQuery('tags:"Hà Nội"')).to.deep.equal(term('tags', 'Hà Nội', { phrase: true }));
    });

    it('accepts whitespace after the colon', () => {
      expect(lucene('title: record')).to.equal('title:record');
    });

    it('unescapes backslash escapes in terms and phrases', () => {
      expect(parseQuery('title:Seymour\\:\\ An')).to.deep.equal(term('title', 'Seymour: An'));
      expect(parseQuery('title:Pop\\!')).to.deep.equal(term('title', 'Pop!'));
      expect(parseQuery('name:a\\(b\\)')).to.deep.equal(term('name', 'a(b)'));
      expect(parseQuery('title:"say \\"hi\\""')).to.deep.equal(term('title', 'say "hi"', { phrase: true }));
      expect(parseQuery('title:caf\\u00e9')).to.deep.equal(term('title', 'café'));
      expect(parseQuery('res_url:http\\://example.com/a.csv')).to.deep.equal(term('res_url', 'http://example.com/a.csv'));
    });

    it('treats an escaped colon as part of the field value, not a field separator', () => {
      expect(parseQuery('a\\:b')).to.deep.equal(term(null, 'a:b'));
    });

    it('reads *:* as match-all, field:* as exists and a bare * as exists on the default field', () => {
      expect(parseQuery('*:*')).to.deep.equal({ type: 'matchAll' });
      expect(parseQuery('license_id:*')).to.deep.equal(term('license_id', '', { exists: true }));
      expect(parseQuery('*')).to.deep.equal(term(null, '', { exists: true }));
    });

    it('parses trailing wildcards as prefix terms', () => {
      expect(parseQuery('name:hea*')).to.deep.equal(term('name', 'hea', { prefix: true }));
      expect(parseQuery('title:Hà*')).to.deep.equal(term('title', 'Hà', { prefix: true }));
    });

    it('keeps other wildcards as patterns, escaped literals escaped', () => {
      expect(parseQuery('name:*water*')).to.deep.equal(term('name', '*water*', { wildcard: true }));
      expect(parseQuery('name:te?t')).to.deep.equal(term('name', 'te?t', { wildcard: true }));
      expect(parseQuery('name:a\\*b*c')).to.deep.equal(term('name', 'a\\*b*c', { wildcard: true }));
      // An escaped star is literal: "a*" exactly, not a prefix.
      expect(parseQuery('name:a\\*')).to.deep.equal(term('name', 'a*'));
    });

    it('parses boosts and ignores fuzzy and slop markers', () => {
      expect(lucene('title:water^2 notes:air^0.5')).to.equal('(+title:water^2 +notes:air^0.5)');
      expect(lucene('title:watr~ title:"clean water"~3^4')).to.equal('(+title:watr +title:"clean water"^4)');
      expect(lucene('(a OR b)^3')).to.equal('(?<default>:a ?<default>:b)');
      expect((parseQuery('(a OR b)^3') as BoolNode).boost).to.equal(3);
    });
  });

  describe('ranges and dates', () => {
    it('parses the harvester date filter with microseconds and Z', () => {
      expect(parseQuery('metadata_modified:[2024-05-01T09:00:00.123456Z TO *]')).to.deep.equal({
        type: 'range',
        field: 'metadata_modified',
        lower: '2024-05-01T09:00:00.123456Z',
        upper: null,
        includeLower: true,
        includeUpper: true,
      });
    });

    it('parses exclusive, mixed and open ranges and date math', () => {
      expect(lucene('num_resources:{1 TO 5]')).to.equal('num_resources:{1 TO 5]');
      expect(lucene('metadata_created:[* TO NOW-1YEAR/DAY}')).to.equal('metadata_created:[* TO NOW-1YEAR/DAY}');
      expect(lucene('metadata_modified:[2024-05-01T09:00:00 TO NOW]')).to.equal('metadata_modified:[2024-05-01T09:00:00 TO NOW]');
      expect(lucene('name:["a b" TO z]')).to.equal('name:[a b TO z]');
    });

    it('parses the dcat catalog filter list items', () => {
      expect(lucene('-dataset_type:harvest')).to.equal('(-dataset_type:harvest)');
      expect(lucene('metadata_modified:[2024-01-01T00:00:00Z TO NOW]')).to.equal('metadata_modified:[2024-01-01T00:00:00Z TO NOW]');
    });

    it('resolves Solr date math against an injected now', () => {
      const now = new Date('2024-05-15T10:20:30.456Z');
      expect(resolveDateMath('NOW', now)).to.equal('2024-05-15T10:20:30.456000');
      expect(resolveDateMath('NOW/DAY', now)).to.equal('2024-05-15T00:00:00.000000');
      expect(resolveDateMath('NOW-1YEAR/DAY', now)).to.equal('2023-05-15T00:00:00.000000');
      expect(resolveDateMath('NOW+6MONTHS+3DAYS/DAY', now)).to.equal('2024-11-18T00:00:00.000000');
      expect(resolveDateMath('NOW-2HOURS', now)).to.equal('2024-05-15T08:20:30.456000');
      expect(resolveDateMath('NOW/MONTH', now)).to.equal('2024-05-01T00:00:00.000000');
      expect(resolveDateMath('NOW/YEAR', now)).to.equal('2024-01-01T00:00:00.000000');
    });

    it('resolves ISO dates with or without Z, with microseconds, offsets and math', () => {
      const now = new Date('2024-05-15T10:20:30Z');
      expect(resolveDateMath('2024-05-01T09:00:00.123456Z', now)).to.equal('2024-05-01T09:00:00.123456');
      expect(resolveDateMath('2024-05-01T09:00:00.123456', now)).to.equal('2024-05-01T09:00:00.123456');
      expect(resolveDateMath('2024-05-01T09:00:00Z', now)).to.equal('2024-05-01T09:00:00.000000');
      expect(resolveDateMath('2024-05-01', now)).to.equal('2024-05-01T00:00:00.000000');
      expect(resolveDateMath('2024-05-01T09:00:00+07:00', now)).to.equal('2024-05-01T02:00:00.000000');
      expect(resolveDateMath('2024-01-31T00:00:00Z+1MONTH', now)).to.equal('2024-02-29T00:00:00.000000');
      expect(resolveDateMath('2024-05-01T09:00:00.123456Z/SECOND', now)).to.equal('2024-05-01T09:00:00.000000');
    });

    it('rejects dates it cannot read with a Search Query Error', () => {
      const now = new Date();
      for (const bad of ['yesterday', '2024-13-01', '2024-02-30T00:00:00Z', 'NOW-1FORTNIGHT', 'NOW+', '2024-05-01Tnoon']) {
        expect(() => resolveDateMath(bad, now), bad).to.throw(SearchQueryError, /Invalid date string/);
      }
    });
  });

  describe('boolean structure (Lucene classic rules, default operator AND)', () => {
    it('requires every clause joined by spaces', () => {
      expect(lucene('tags:a tags:b')).to.equal('(+tags:a +tags:b)');
      expect(lucene('tags:country-sweden tags:format-pdf')).to.equal('(+tags:country-sweden +tags:format-pdf)');
    });

    it('makes an OR list optional but still requires one of them', () => {
      expect(lucene('organization:a OR organization:b')).to.equal('(?organization:a ?organization:b)');
      expect(lucene('groups:g1 || groups:g2')).to.equal('(?groups:g1 ?groups:g2)');
    });

    it('reproduces the harvester quirk: OR-ed clauses go optional next to a required date', () => {
      expect(lucene('organization:a OR organization:b metadata_modified:[2024-05-01T09:00:00.123456Z TO *]')).to.equal(
        '(?organization:a ?organization:b +metadata_modified:[2024-05-01T09:00:00.123456Z TO *])',
      );
    });

    it('reproduces CKAN\'s wrapped fq: the capacity and state clauses stay required', () => {
      expect(lucene('+capacity:public organization:a OR organization:b +state:(active OR draft)')).to.equal(
        '(+capacity:public ?organization:a ?organization:b +(?state:active ?state:draft))',
      );
      expect(lucene('+capacity:public tags:economy +state:(active)')).to.equal('(+capacity:public +tags:economy +state:active)');
    });

    it('handles negations, pure negative queries and NOT', () => {
      expect(lucene('-organization:a -organization:b')).to.equal('(-organization:a -organization:b)');
      expect(lucene('-groups:g1')).to.equal('(-groups:g1)');
      expect(lucene('NOT tags:x')).to.equal('(-tags:x)');
      expect(lucene('tags:a NOT tags:b')).to.equal('(+tags:a -tags:b)');
      expect(lucene('tags:a AND NOT tags:b')).to.equal('(+tags:a -tags:b)');
      expect(lucene('tags:a !tags:b')).to.equal('(+tags:a -tags:b)');
      expect(lucene('tags:a && !tags:b')).to.equal('(+tags:a -tags:b)');
    });

    it('follows Lucene when AND and OR are mixed', () => {
      // "a AND b OR c": the OR turns b back into an optional clause.
      expect(lucene('a AND b OR c')).to.equal('(+<default>:a ?<default>:b ?<default>:c)');
      expect(lucene('a OR b AND c')).to.equal('(?<default>:a +<default>:b +<default>:c)');
      expect(lucene('a OR b c')).to.equal('(?<default>:a ?<default>:b +<default>:c)');
      // A prohibited clause stays prohibited whatever follows.
      expect(lucene('-a OR b')).to.equal('(-<default>:a ?<default>:b)');
    });

    it('follows Lucene with the OR default operator (dismax)', () => {
      expect(lenient('a b')).to.equal('(?<default>:a ?<default>:b)');
      expect(lenient('a AND b c')).to.equal('(+<default>:a +<default>:b ?<default>:c)');
      expect(lenient('+a b -c')).to.equal('(+<default>:a ?<default>:b -<default>:c)');
    });

    it('applies a field to a parenthesised group', () => {
      expect(lucene('organization:(a OR b)')).to.equal('(?organization:a ?organization:b)');
      expect(lucene('tags:(economy health)')).to.equal('(+tags:economy +tags:health)');
      expect(lucene('state:(active)')).to.equal('state:active');
    });

    it('nests groups', () => {
      expect(lucene('(tags:a OR tags:b) AND -(organization:x OR organization:y)')).to.equal(
        '(+(?tags:a ?tags:b) -(?organization:x ?organization:y))',
      );
      expect(lucene('+owner_org:"abc-123" +groups:"g"')).to.equal('(+owner_org:"abc-123" +groups:"g")');
    });

    it('treats a lone operator followed by space as a term', () => {
      expect(lucene('a - b')).to.equal('(+<default>:a +<default>:- +<default>:b)');
    });

    it('returns match-all for blank input (Solr ignores a blank fq)', () => {
      expect(parseQuery('   ')).to.deep.equal({ type: 'matchAll' });
    });
  });

  describe('free text (dismax)', () => {
    it('detects field syntax the way CKAN does: any colon', () => {
      expect(hasFieldSyntax('tags:economy')).to.equal(true);
      expect(hasFieldSyntax('*:*')).to.equal(true);
      expect(hasFieldSyntax('Hà Nội')).to.equal(false);
    });

    it('applies CKAN\'s mm "2<-1 5<80%"', () => {
      expect(minimumShouldMatch(1, '2<-1 5<80%')).to.equal(1);
      expect(minimumShouldMatch(2, '2<-1 5<80%')).to.equal(2);
      expect(minimumShouldMatch(3, '2<-1 5<80%')).to.equal(2);
      expect(minimumShouldMatch(5, '2<-1 5<80%')).to.equal(4);
      expect(minimumShouldMatch(6, '2<-1 5<80%')).to.equal(4);
      expect(minimumShouldMatch(10, '2<-1 5<80%')).to.equal(8);
      expect(minimumShouldMatch(4, '75%')).to.equal(3);
      expect(minimumShouldMatch(4, '-1')).to.equal(3);
      expect(minimumShouldMatch(4, '100%')).to.equal(4);
    });

    it('makes optional words with a minimum to match', () => {
      expect(show(parseFreeText('todo split'))).to.equal('(?<default>:todo ?<default>:split)~2');
      expect(show(parseFreeText('ha noi ngan sach'))).to.equal('(?<default>:ha ?<default>:noi ?<default>:ngan ?<default>:sach)~3');
      expect(show(parseFreeText('Tolstoy'))).to.equal('<default>:Tolstoy');
    });

    it('keeps quotes, + and - as syntax and everything else literal', () => {
      expect(show(parseFreeText('"Government Expenditure"'))).to.equal('<default>:"Government Expenditure"');
      expect(show(parseFreeText('water -air +soil'))).to.equal('(?<default>:water -<default>:air +<default>:soil)~1');
      expect(show(parseFreeText('a (b) c!'))).to.equal('(?<default>:a ?<default>:(b) ?<default>:c!)~2');
      expect(show(parseFreeText('price^2 what?'))).to.equal('(?<default>:price^2 ?<default>:what?)~2');
    });

    it('drops unbalanced quotes and dangling operators instead of failing', () => {
      expect(show(parseFreeText('"unbalanced words'))).to.equal('(?<default>:unbalanced ?<default>:words)~2');
      expect(show(parseFreeText('water -'))).to.equal('<default>:water');
      expect(show(parseFreeText('water AND'))).to.equal('<default>:water');
      expect(parseFreeText('   ')).to.equal(null);
    });

    it('honours explicit operators', () => {
      expect(show(parseFreeText('water AND air'))).to.equal('(+<default>:water +<default>:air)');
      expect(show(parseFreeText('water OR air'))).to.equal('(?<default>:water ?<default>:air)~2');
    });
  });

  describe('errors', () => {
    it('names the position of a syntax error', () => {
      expectError('tags:economy AND', SearchQueryError, /^Cannot parse 'tags:economy AND': unexpected end of query at position 16$/);
      expectError('(tags:a OR tags:b', SearchQueryError, /missing '\)' at position 17/);
      expectError('tags:a)', SearchQueryError, /unexpected '\)' at position 6/);
      expectError('title:"open', SearchQueryError, /unterminated quoted phrase at position 6/);
      expectError('AND tags:a', SearchQueryError, /unexpected AND at position 0/);
      expectError('tags:a OR OR tags:b', SearchQueryError, /unexpected OR at position 10/);
      expectError('metadata_modified:[2024-01-01 TO', SearchQueryError, /at position/);
      expectError('name:abc\\', SearchQueryError, /escape character at position 8/);
      expectError('title:', SearchQueryError, /unexpected end of query at position 6/);
      expectError('()', SearchQueryError, /unexpected '\)' at position 1/);
      expectError('title:water^', SearchQueryError, /expected a number after '\^' at position 11/);
      expectError('a ] b', SearchQueryError, /unexpected '\]' at position 2/);
    });

    it('refuses local params anywhere with a Search Error', () => {
      expectError('{!lucene}*:*', SearchError, /Local parameters are not supported in param 'q'/);
      expectError('tags:a {!func}x', SearchError, /Local parameters/);
      expect(() => parseQuery('x', { param: 'fq' })).not.to.throw();
      expect(() => parseQuery('_query_:"{!dismax}x"', { param: 'fq' })).to.throw(SearchError, /param 'fq'/);
      expect(() => parseFreeText('{!xmlparser v=x}')).to.throw(SearchError);
    });

    it('refuses absurd nesting', () => {
      expect(() => parseQuery('('.repeat(200) + 'a' + ')'.repeat(200))).to.throw(SearchQueryError, /nested too deeply/);
    });
  });

  describe('sort', () => {
    it('parses CKAN sort strings', () => {
      expect(parseSort('score desc, metadata_modified desc')).to.deep.equal([
        { field: 'score', direction: 'desc' },
        { field: 'metadata_modified', direction: 'desc' },
      ]);
      expect(parseSort('id asc')).to.deep.equal([{ field: 'id', direction: 'asc' }]);
      expect(parseSort('title_string ASC')).to.deep.equal([{ field: 'title_string', direction: 'asc' }]);
      expect(parseSort('')).to.deep.equal([{ field: 'score', direction: 'desc' }]);
    });

    it('rejects a key without a direction (test_bad_solr_parameter)', () => {
      expect(() => parseSort('metadata_modified')).to.throw(SearchQueryError, 'Invalid "sort" parameter');
      expect(() => parseSort('name up')).to.throw(SearchQueryError, 'Invalid "sort" parameter');
      expect(() => parseSort('name asc,')).to.throw(SearchQueryError, 'Invalid "sort" parameter');
    });
  });
});
