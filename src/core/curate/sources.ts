/**
 * Curation by the UCB selection across sources (issue 17, part 3, second mode; docs/curation.md): the curated rows
 * are the rows one UCB run (the paper's Algorithm 1, core/select/run.ts) drew from the sources' pools, in the order
 * it drew them, up to a row budget. Pure: a StrategyRun and the plan in, (source, pool row) pairs out; plus the plan
 * request that makes a run draw the budget, and the fair comparison of the curated rows with a random draw of the
 * same size from the pooled sources and with all pooled rows (one W2S probe each, scored on the shared test set).
 *
 * Which run: selection runs every strategy on every seed; curation runs UCB alone on one seed (`--seed S`, default
 * 0) and takes that run's pulls. One run is what Algorithm 1 selects: the union of several seeds' pulls would be
 * larger than the budget and mix histories that each decided on their own pulls.
 */
import { minimumPoints } from '../detect/changepoint';
import { InputError } from '../errors';
import { labelAccuracy, pickRows, weakHardLabels } from '../experiment/protocol';
import { selectRows, stackRows, type Matrix } from '../linalg/matrix';
import { accuracy, fitProbe, oneHot, predictProbabilities } from '../probe';
import { Rng } from '../random/rng';
import type { PlanRequest } from '../select/plan';
import { armOrder } from '../select/run';
import type { BonusMode, SelectionOptions, SelectionPlan, StrategyRun } from '../select/schema';
import type { SelectionSetup } from '../select/setup';

/** One curated row: its source (arm), its position in that source's pool, and the round that drew it. */
export interface DrawnRow {
  source: number;
  pool: number;
  round: number;
}

/** Rounds of a UCB curation run when --rounds is not given (the selection default). */
export const UCB_CURATION_ROUNDS = 50;

/** The budget must fit in every pool: UCB may pull one source in every round (the selection plan's own rule). */
export function checkUcbBudget(budget: number, pools: readonly { name: string; rows: number }[]): void {
  if (!Number.isSafeInteger(budget) || budget < 1) throw new InputError(`the size must be a whole number of rows >= 1, got ${budget}`);
  const small = pools.reduce((a, b) => (b.rows < a.rows ? b : a));
  if (budget > small.rows) {
    throw new InputError(
      `the budget of ${budget} rows is more than source "${small.name}" can give (${small.rows} pool rows): UCB may pull one ` +
        'source in every round, so a run draws at most the smallest pool; lower --size, or give larger sources',
    );
  }
}

/**
 * The plan request of a run that draws at least `budget` rows: n points per round (given, or ceil(budget / T) with
 * at least the fewest a change point can split), T = ceil(budget / n) rounds (given, or so), at least one per source.
 */
export function ucbCurationRequest(
  budget: number,
  sources: number,
  opts: { rounds?: number; perRound?: number; seed?: number; bonus?: BonusMode; jump?: number } = {},
): PlanRequest {
  const minBatch = minimumPoints(opts.jump ?? 5);
  const perRound = opts.perRound ?? Math.max(minBatch, Math.ceil(budget / (opts.rounds ?? UCB_CURATION_ROUNDS)));
  const rounds = Math.max(opts.rounds ?? Math.ceil(budget / perRound), sources);
  return { rounds, perRound, bonus: opts.bonus ?? 'code', strategies: ['ucb'], seed: opts.seed ?? 0, seeds: 1 };
}

/**
 * The rows a run drew, in the order it drew them (round by round; within a pull, the arm's seeded order), cut at
 * `budget`. Each arm hands out its pool in the order `armOrder(seed, arm, poolSize)`, the next n rows per pull.
 */
export function ucbDrawnRows(run: StrategyRun, plan: SelectionPlan, poolSizes: readonly number[], budget: number): DrawnRow[] {
  const orders = poolSizes.map((size, k) => armOrder(run.seed, k, size));
  const cursor = poolSizes.map(() => 0);
  const out: DrawnRow[] = [];
  for (const r of run.rounds) {
    const k = r.arm;
    const size = r.batch?.size ?? plan.perRound;
    for (let i = 0; i < size && out.length < budget; i++) {
      const pool = orders[k]![cursor[k]! + i];
      if (pool === undefined) throw new Error(`internal error: round ${r.round} drew past the end of source ${k}'s pool`);
      out.push({ source: k, pool, round: r.round });
    }
    cursor[k]! += size;
    if (out.length >= budget) break;
  }
  return out;
}

/** A seeded random draw of `size` rows from all pools together (the baseline of the same size). */
export function randomPooledRows(poolSizes: readonly number[], size: number, seed: number): DrawnRow[] {
  const all: DrawnRow[] = [];
  poolSizes.forEach((n, k) => {
    for (let i = 0; i < n; i++) all.push({ source: k, pool: i, round: 0 });
  });
  const order = new Rng((seed ^ 0x5bd1e995) >>> 0).shuffle(Int32Array.from({ length: all.length }, (_, i) => i));
  return Array.from(order.subarray(0, Math.min(size, all.length)), (i) => all[i]!);
}

/** Every pool row (the all-sources pool). */
export function allPooledRows(poolSizes: readonly number[]): DrawnRow[] {
  return poolSizes.flatMap((n, k) => Array.from({ length: n }, (_, i) => ({ source: k, pool: i, round: 0 })));
}

/** Rows per source of a row set. */
export function rowsPerSource(rows: readonly DrawnRow[], sources: number): number[] {
  const c = new Array<number>(sources).fill(0);
  for (const r of rows) c[r.source]!++;
  return c;
}

export interface W2sScorer {
  /** Test accuracy of a W2S probe trained on these pool rows with the weak probe's pseudo-labels. */
  score(rows: readonly DrawnRow[], signal?: AbortSignal): number;
  weakAccuracy: number;
  testRows: number;
}

/**
 * The selection's own W2S protocol (core/select/run.ts): the weak probe trained once on the shared weak-train set
 * labels the pools (soft or hard targets), and a strong probe trained on a row set is scored on the shared test set.
 */
export function w2sScorer(setup: SelectionSetup, opts: Pick<SelectionOptions, 'l2' | 'pseudo' | 'w2sC'>, signal?: AbortSignal): W2sScorer {
  const C = setup.numClasses;
  const weakProbe = setup.weakTrain ? fitProbe(setup.weakTrain.weak, oneHot(setup.weakTrain.labels, C), C, { l2: opts.l2, signal }) : null;
  const probsOf = (w: SelectionSetup['test']['weak']) => {
    if (w.kind === 'probabilities') return w.probs;
    if (!weakProbe) throw new Error('internal error: weak activations without a weak-train set');
    return predictProbabilities(weakProbe, w.acts);
  };
  const targets = setup.sources.map((s) => {
    const p = probsOf(s.weak);
    return opts.pseudo === 'soft' ? p : oneHot(weakHardLabels(s.weak, p, C), C);
  });
  const weakAccuracy = labelAccuracy(weakHardLabels(setup.test.weak, probsOf(setup.test.weak), C), setup.test.labels);
  return {
    weakAccuracy,
    testRows: setup.test.labels.length,
    score(rows, sig) {
      if (rows.length === 0) throw new InputError('no rows to train a W2S probe on');
      const bySource = setup.sources.map((_, k) => Int32Array.from(rows.filter((r) => r.source === k), (r) => r.pool));
      const x: Matrix = stackRows(setup.sources.map((s, k) => selectRows(s.strong, bySource[k]!)), setup.sources[0]!.strong.cols);
      const t = new Float64Array(rows.length * C);
      let at = 0;
      bySource.forEach((idx, k) => {
        t.set(pickRows(targets[k]!, idx, C), at * C);
        at += idx.length;
      });
      const l2 = opts.w2sC === null ? opts.l2 : 1 / (2 * opts.w2sC * x.rows);
      const probe = fitProbe(x, t, C, { l2, signal: sig ?? signal });
      return accuracy(predictProbabilities(probe, setup.test.strong), setup.test.labels, C);
    },
  };
}

export interface UcbCurationComparison {
  size: number;
  curated: { accuracy: number; perSource: number[] };
  random: { accuracy: number; perSource: number[] };
  all: { accuracy: number; rows: number };
  weakAccuracy: number;
  testRows: number;
}

/** Curated vs a same-size random draw from the pooled sources vs all pooled rows, on the shared test set. */
export function compareUcbCuration(
  setup: SelectionSetup,
  curated: readonly DrawnRow[],
  opts: Pick<SelectionOptions, 'l2' | 'pseudo' | 'w2sC'>,
  seed: number,
  signal?: AbortSignal,
): UcbCurationComparison {
  const K = setup.sources.length;
  const sizes = setup.sources.map((s) => s.labels.length);
  const scorer = w2sScorer(setup, opts, signal);
  const random = randomPooledRows(sizes, curated.length, seed);
  const all = allPooledRows(sizes);
  return {
    size: curated.length,
    curated: { accuracy: scorer.score(curated), perSource: rowsPerSource(curated, K) },
    random: { accuracy: scorer.score(random), perSource: rowsPerSource(random, K) },
    all: { accuracy: scorer.score(all), rows: all.length },
    weakAccuracy: scorer.weakAccuracy,
    testRows: scorer.testRows,
  };
}
