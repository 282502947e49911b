// PostgreSQL's ts_rank, as the memory index needs it, computed exactly as tsrank.c does (in single
// precision where C uses float), so that the memory index orders results as the SQL path does.
// The search's ranking queries are ORs of single lexemes (phrases go to SQL), which ts_rank scores
// with calc_rank_or: for each distinct query lexeme (a prefix one: each matching lexeme of the
// document, in order), a contribution that depends on that lexeme's positions and weights alone,
// summed and divided by the number of distinct query lexemes. The contributions are therefore
// computed once per document when it is indexed, and a search only adds them up.
import { compareCodePoints } from '../../../text/code-point-order.ts';
import { RANK_WEIGHTS } from '../translate.ts';

const f = Math.fround;

/** ts_rank's weights {D, C, B, A} as the postgres backend passes them, as float4[]. */
const WEIGHTS: readonly number[] = RANK_WEIGHTS.map(f);

/** One lexeme's term of calc_rank_or's sum, before it is added (in double precision) to the float total. */
export function lexemeContribution(positions: readonly number[]): number {
  const weights = WEIGHTS;
  let resj = 0;
  let wjm = -1;
  let jm = 0;
  const count = positions.length || 1;
  for (let j = 0; j < count; j++) {
    // A lexeme without positions counts as one occurrence of weight D.
    const w = positions.length ? weights[positions[j] & 3] : weights[0];
    resj = f(resj + f(w / ((j + 1) * (j + 1))));
    if (w > wjm) {
      wjm = w;
      jm = j;
    }
  }
  return f(f(wjm + resj) - f(wjm / ((jm + 1) * (jm + 1)))) / 1.64493406685;
}

/** The final division by the number of distinct query lexemes. */
export function finishRank(total: number, items: number): number {
  return items > 0 ? f(total / items) : 0;
}

export interface RankItem {
  lexeme: string;
  prefix: boolean;
}

/**
 * The query's lexemes as SortAndUniqItems leaves them: in code-point order, each text once (a
 * prefix and a plain item with the same text count as one; the first one seen is kept).
 */
export function uniqueRankItems(items: readonly RankItem[]): RankItem[] {
  const sorted = [...items].sort((a, b) => compareCodePoints(a.lexeme, b.lexeme));
  const out: RankItem[] = [];
  for (const item of sorted) if (!out.length || out[out.length - 1].lexeme !== item.lexeme) out.push(item);
  return out;
}
