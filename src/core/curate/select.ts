/**
 * The curation rule (issue 17, part 3): which W2S-train rows of an analysed dataset make a new W2S training pool
 * under a size budget. Pure: it reads an AnalysisResult's rows and returns dataset row indices.
 *
 * Order of preference (docs/curation.md says why):
 * 1. detected overlap rows: the weak model labels them through their easy patterns and they carry the hard patterns
 *    the strong model should learn (METHOD.md, "Ideas"); when the budget is smaller than the overlap set, a seeded
 *    random sample of them (a ranking would keep only one corner of the set);
 * 2. easy-only rows, most aligned with the hard set first (the stage-2 score: the ones just under the overlap
 *    threshold are the likeliest missed overlap rows); their weak labels are still confident, so they do not teach
 *    the strong model wrong labels;
 * 3. hard-only rows last, most confident first: the weak model is near chance on them, so their pseudo-labels are
 *    mostly noise;
 * 4. W2S-train rows without a category (none in a normal result) at the very end.
 * Weak-train and test rows are never chosen: the curated file is a W2S-train pool.
 */
import { InputError } from '../errors';
import type { ResultRow } from '../result/schema';
import { Rng } from '../random/rng';
import { count } from '../words';

/** The budget: a number of rows, or a share of the W2S-train rows (exactly one). */
export type CurationBudget = { size: number } | { fraction: number };

export const DEFAULT_CURATION_FRACTION = 0.5;

export type CurationGroup = 'overlap' | 'easy' | 'hard' | 'uncategorised';
export const CURATION_GROUPS: readonly CurationGroup[] = ['overlap', 'easy', 'hard', 'uncategorised'];

export interface CurationPlan {
  /** Chosen dataset row indices, ascending (file order). */
  rows: number[];
  /** W2S-train rows in the result (the pool the budget is taken from). */
  pool: number;
  /** Rows asked for by the budget, before clamping to the pool. */
  asked: number;
  /** Rows per group in the pool and among the chosen. */
  available: Record<CurationGroup, number>;
  taken: Record<CurationGroup, number>;
  seed: number;
  /** Plain-language notes (a clamped budget, a budget smaller than the overlap set, no overlap rows). */
  notes: string[];
}

function groupOf(row: ResultRow): CurationGroup {
  switch (row.category) {
    case 'overlap':
      return 'overlap';
    case 'easy':
      return 'easy';
    case 'hard':
      return 'hard';
    default:
      return 'uncategorised';
  }
}

/** A seeded tie-break key per row: equal scores are ordered the same way for a seed, differently across seeds. */
function tieKey(seed: number, index: number): number {
  let h = (Math.imul(index ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(seed | 0, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/** Descending by score (null or non-finite scores last), then by the seeded tie key. */
function byScoreDesc(rows: ResultRow[], score: (r: ResultRow) => number | null, seed: number): ResultRow[] {
  const keyed = rows.map((r) => {
    const s = score(r);
    return { r, s: typeof s === 'number' && Number.isFinite(s) ? s : -Infinity, t: tieKey(seed, r.index) };
  });
  keyed.sort((a, b) => (b.s - a.s) || (a.t - b.t) || (a.r.index - b.r.index));
  return keyed.map((k) => k.r);
}

/** Rows the budget asks for: an integer >= 1, or round(fraction x pool) with 0 < fraction <= 1 (at least 1). */
export function budgetRows(budget: CurationBudget, pool: number): number {
  if ('size' in budget) {
    if (!Number.isSafeInteger(budget.size) || budget.size < 1) throw new InputError(`the size must be a whole number of rows >= 1, got ${budget.size}`);
    return budget.size;
  }
  const f = budget.fraction;
  if (!Number.isFinite(f) || f <= 0 || f > 1) throw new InputError(`the fraction must be in (0, 1], got ${f}`);
  return Math.max(1, Math.round(f * pool));
}

/** The curation rule on an analysed dataset's rows (see the file comment for the order and why). */
export function curationPlan(rows: readonly ResultRow[], budget: CurationBudget, seed = 0): CurationPlan {
  const groups: Record<CurationGroup, ResultRow[]> = { overlap: [], easy: [], hard: [], uncategorised: [] };
  const seen = new Set<number>();
  for (const r of rows) {
    if (r.split !== 'w2s-train') continue;
    if (!Number.isSafeInteger(r.index) || r.index < 0) throw new InputError(`a result row has an invalid dataset index (${String(r.index)})`);
    if (seen.has(r.index)) throw new InputError(`the result lists dataset row ${r.index} twice`);
    seen.add(r.index);
    groups[groupOf(r)].push(r);
  }
  const pool = seen.size;
  if (pool === 0) throw new InputError('the analysis has no W2S-train rows to curate');
  const asked = budgetRows(budget, pool);
  const want = Math.min(asked, pool);
  const notes: string[] = [];
  if (asked > pool) notes.push(`the budget (${count(asked, 'row')}) is larger than the ${pool} W2S-train rows: all of them are kept`);

  const overlap = groups.overlap;
  let overlapOrder: ResultRow[];
  if (want < overlap.length) {
    // Sorted by index first so that the sample depends on the seed and the set of rows, not on the result's row order.
    const sorted = [...overlap].sort((a, b) => a.index - b.index);
    const picked = new Rng(seed ^ 0x2545f491).sample(Int32Array.from(sorted, (_, k) => k), want);
    overlapOrder = Array.from(picked, (k) => sorted[k]!);
    notes.push(`the budget (${count(want, 'row')}) is smaller than the ${overlap.length} overlap rows: a seeded random ${want} of them`);
  } else {
    overlapOrder = overlap;
  }
  if (overlap.length === 0) notes.push('no overlap rows were detected: the curated pool is easy-only rows first, then hard-only rows');
  const order = [
    ...overlapOrder,
    ...byScoreDesc(groups.easy, (r) => r.alignment, seed),
    ...byScoreDesc(groups.hard, (r) => r.confidence, seed),
    ...byScoreDesc(groups.uncategorised, () => null, seed),
  ].slice(0, want);
  const taken: Record<CurationGroup, number> = { overlap: 0, easy: 0, hard: 0, uncategorised: 0 };
  for (const r of order) taken[groupOf(r)]++;
  const available = Object.fromEntries(CURATION_GROUPS.map((g) => [g, groups[g].length])) as Record<CurationGroup, number>;
  return { rows: order.map((r) => r.index).sort((a, b) => a - b), pool, asked, available, taken, seed, notes };
}

/** One line for a summary: "1,200 of 3,460 W2S-train rows: 740 overlap (all), 460 easy-only, 0 hard-only". */
export function curationSummary(plan: CurationPlan): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const part = (g: CurationGroup, word: string) =>
    `${n(plan.taken[g])} ${word}${plan.taken[g] === plan.available[g] && plan.available[g] > 0 ? ' (all)' : ` of ${n(plan.available[g])}`}`;
  const parts = [part('overlap', 'overlap'), part('easy', 'easy-only'), part('hard', 'hard-only')];
  if (plan.available.uncategorised > 0) parts.push(part('uncategorised', 'without a category'));
  return `${n(plan.rows.length)} of ${n(plan.pool)} W2S-train rows: ${parts.join(', ')}`;
}

/**
 * A budget as a person types it: "50%" or "0.5" (a share of the W2S-train rows), "1000" (rows). Returns the budget,
 * or why the text is not one.
 */
export function parseBudget(text: string): CurationBudget | { error: string } {
  const t = text.trim().replace(/,/g, '');
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (pct) {
    const f = Number(pct[1]) / 100;
    return f > 0 && f <= 1 ? { fraction: f } : { error: 'a share must be more than 0% and at most 100%' };
  }
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return Number.isSafeInteger(n) && n >= 1 ? { size: n } : { error: 'a number of rows must be 1 or more' };
  }
  if (/^0?\.\d+$/.test(t)) {
    const f = Number(t);
    return f > 0 ? { fraction: f } : { error: 'a share must be more than 0' };
  }
  return { error: 'type a number of rows (1000) or a share of the W2S-train rows (50% or 0.5)' };
}
