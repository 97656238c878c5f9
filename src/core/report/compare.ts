/**
 * Two results of one dataset side by side (issue 17, item 4): how density, PGR and the accuracies moved, and which
 * rows changed category. Rows are matched by their text when both datasets' texts are given (an edit may insert,
 * delete or reorder rows; repeated texts pair up in file order), else by row index when both results describe the
 * same bytes (same sha256); otherwise no rows are compared and `reason` says why. Pure; the listed rows are bounded.
 */
import type { CategoryName } from '../detect/types';
import type { AnalysisResult, RegimeLabel, ResultRow } from '../result/schema';

/** A row's category in the report's words; rows outside W2S-train have none. */
export type CategoryWord = 'overlap' | 'easy-only' | 'hard-only' | 'outside W2S-train';

const WORDS: ReadonlyMap<CategoryName, CategoryWord> = new Map([
  ['overlap', 'overlap'],
  ['easy', 'easy-only'],
  ['hard', 'hard-only'],
]);

export function categoryWord(category: CategoryName | null): CategoryWord {
  return (category !== null && WORDS.get(category)) || 'outside W2S-train';
}

export interface RowChange {
  /** Dataset row index (0-based) in each result. */
  indexA: number;
  indexB: number;
  /** 1-based line in each file, when known. */
  lineA?: number;
  lineB?: number;
  from: CategoryWord;
  to: CategoryWord;
}

export interface Transition {
  from: CategoryWord;
  to: CategoryWord;
  count: number;
}

export interface ResultComparison {
  /** How rows were paired; 'none' when they could not be (see `reason`). */
  matchedBy: 'text' | 'index' | 'none';
  reason?: string;
  a: ResultSummary;
  b: ResultSummary;
  /** b minus a; PGR only when both have one. */
  deltas: { density: number; pgr: number | null; accuracy: { weak: number; strong: number; w2s: number } };
  /** Rows paired between the two results. */
  matched: number;
  /** Rows of a (of b) with no partner in the other: deleted (added) or edited rows when matched by text. */
  onlyInA: number;
  onlyInB: number;
  /** Paired rows whose category differs. */
  changed: number;
  /** Counts per (from, to) among the changed rows, largest first. */
  transitions: Transition[];
  /** The changed rows in b's row order, at most `maxRows`. */
  rows: RowChange[];
  /** True when more rows changed than `rows` lists. */
  truncated: boolean;
}

export interface CompareOptions {
  /** Most changed rows listed (default 500); the counts cover all of them. */
  maxRows?: number;
}

type Texts = ReadonlyArray<string | null | undefined>;

/** The headline numbers of a result (also the history listing's, src/pipeline/history.ts). */
export interface ResultSummary {
  createdAt: string;
  /** SHA-256 of the dataset bytes analysed; null when the result has none. */
  sha256: string | null;
  /** Overlap density: |overlap| / |W2S-train|. */
  density: number;
  pgr: number | null;
  regime: RegimeLabel;
  /** The verdict's short form (the regime's rule for results older than the verdict). */
  verdict: string;
}

export const resultSummary = (r: AnalysisResult): ResultSummary => ({
  createdAt: r.createdAt,
  sha256: r.dataset.contentHash ?? null,
  density: r.detection.overlapDensity,
  pgr: r.pgr,
  regime: r.regime.label,
  verdict: r.verdict?.headline ?? r.regime.rule,
});

/** Pairs of (row of a, row of b), and how many rows of each had no partner. */
function pairRows(a: AnalysisResult, b: AnalysisResult, textsA?: Texts, textsB?: Texts): { pairs: [ResultRow, ResultRow][]; by: ResultComparison['matchedBy']; reason?: string } {
  if (textsA && textsB) {
    // Rows of a by text, in row order; each row of b takes the first unused one.
    const byText = new Map<string, ResultRow[]>();
    for (const row of a.rows) {
      const t = textsA[row.index];
      if (typeof t !== 'string') continue;
      const list = byText.get(t);
      if (list) list.push(row);
      else byText.set(t, [row]);
    }
    const next = new Map<string, number>();
    const pairs: [ResultRow, ResultRow][] = [];
    for (const row of b.rows) {
      const t = textsB[row.index];
      if (typeof t !== 'string') continue;
      const list = byText.get(t);
      const k = next.get(t) ?? 0;
      if (!list || k >= list.length) continue;
      next.set(t, k + 1);
      pairs.push([list[k]!, row]);
    }
    return { pairs, by: 'text' };
  }
  const ha = a.dataset.contentHash;
  if (ha && ha === b.dataset.contentHash) {
    const rowsA = new Map(a.rows.map((r) => [r.index, r] as const));
    const pairs: [ResultRow, ResultRow][] = [];
    for (const row of b.rows) {
      const partner = rowsA.get(row.index);
      if (partner) pairs.push([partner, row]);
    }
    return { pairs, by: 'index' };
  }
  return {
    pairs: [],
    by: 'none',
    reason: ha && b.dataset.contentHash
      ? 'the two results describe different file contents and no row texts were given: rows cannot be paired'
      : 'a result has no recorded sha256 and no row texts were given: rows cannot be paired',
  };
}

/** Compares result `a` (earlier) with result `b` (later). */
export function compareResults(a: AnalysisResult, b: AnalysisResult, textsA?: Texts, textsB?: Texts, opts: CompareOptions = {}): ResultComparison {
  const maxRows = Math.max(0, opts.maxRows ?? 500);
  const { pairs, by, reason } = pairRows(a, b, textsA, textsB);
  const counts = new Map<string, Transition>();
  const rows: RowChange[] = [];
  let changed = 0;
  for (const [ra, rb] of pairs) {
    const from = categoryWord(ra.category);
    const to = categoryWord(rb.category);
    if (from === to) continue;
    changed++;
    const key = `${from}\u0000${to}`;
    const t = counts.get(key);
    if (t) t.count++;
    else counts.set(key, { from, to, count: 1 });
    if (rows.length < maxRows) {
      rows.push({ indexA: ra.index, indexB: rb.index, ...(ra.line !== undefined ? { lineA: ra.line } : {}), ...(rb.line !== undefined ? { lineB: rb.line } : {}), from, to });
    }
  }
  rows.sort((x, y) => x.indexB - y.indexB);
  const transitions = [...counts.values()].sort((x, y) => y.count - x.count || x.from.localeCompare(y.from) || x.to.localeCompare(y.to));
  return {
    matchedBy: by,
    ...(reason ? { reason } : {}),
    a: resultSummary(a),
    b: resultSummary(b),
    deltas: {
      density: b.detection.overlapDensity - a.detection.overlapDensity,
      pgr: a.pgr !== null && b.pgr !== null ? b.pgr - a.pgr : null,
      accuracy: { weak: b.accuracy.weak - a.accuracy.weak, strong: b.accuracy.strong - a.accuracy.strong, w2s: b.accuracy.w2s - a.accuracy.w2s },
    },
    matched: pairs.length,
    onlyInA: by === 'none' ? 0 : a.rows.length - pairs.length,
    onlyInB: by === 'none' ? 0 : b.rows.length - pairs.length,
    changed,
    transitions,
    rows,
    truncated: changed > rows.length,
  };
}
