/**
 * Data-source selection (METHOD.md section 4, the paper's Algorithm 1, after the reference's
 * `data_selection_with_linear_probing.py`): K arms, T rounds, n points per pull. Each pull takes the next n rows of
 * the arm's seeded shuffle, gives them weak pseudo-labels (the weak probe is trained once on the shared weak-train
 * set), detects overlap on the batch with the strategy's own history of hard-only rows ("augmented" detection),
 * updates o_k = detected overlap / points drawn from arm k, and scores W2S probes on the shared test set.
 * Every strategy runs on every seed; with one seed all strategies see the same arm orders (common random numbers,
 * as the reference rebuilds its arms with the same seed for each strategy).
 */
import { tsAlignmentKernel } from '../detect/alignKernel';
import { detectOverlap, type DetectionHistory } from '../detect/detect';
import { HARD, OVERLAP, type AlignmentKernel } from '../detect/types';
import { throwIfAborted, type ProgressFn } from '../encoder';
import { InputError } from '../errors';
import { labelAccuracy, pickRows, weakHardLabels, type WeakSide } from '../experiment/protocol';
import { concatArrays, selectRows, stackRows, type Matrix } from '../linalg/matrix';
import { accuracy, confidence, fitProbe, oneHot, predictProbabilities, type Probe } from '../probe';
import { Rng } from '../random/rng';
import type { EncoderInfo } from '../result/schema';
import { TOOL_VERSION } from '../version';
import { IncrementalMaxAlignment, isMaxAlignMode } from './incremental';
import { densestArm, optimalStrategy, randomStrategy, ucbStrategy, type Strategy } from './bandit';
import { planSelection, type PlanRequest } from './plan';
import {
  SELECTION_SCHEMA_VERSION, type RoundLog, type SelectionMode, type SelectionPlan, type SelectionResult,
  type SelectionSourceInfo, type StrategyName, type StrategyRun,
} from './schema';
import { membershipDensity, validateSetup, type SelectionSetup } from './setup';
import { summarize } from './summary';

import type { SelectionOptions } from './schema';
import { resolveAlign } from '../detect/resolve';

export type { SelectionOptions };

export const DEFAULT_SELECTION_OPTIONS: SelectionOptions = {
  hardRule: 'segment',
  align: 'dot-max',
  jump: 5,
  pseudo: 'soft',
  l2: 1e-3,
  w2sC: null,
  evalEvery: 1,
  augment: 'hard+rest',
  incremental: true,
};

export interface SelectionMeta {
  mode: SelectionMode;
  encoders: { weak: EncoderInfo; strong: EncoderInfo };
  device?: string;
  warnings?: string[];
}

export interface SelectionHooks {
  kernel?: AlignmentKernel;
  progress?: ProgressFn;
  signal?: AbortSignal;
}

/** Seeds of the arm orders and of the random strategy, kept apart so that adding a strategy changes no other. */
function mix(seed: number, salt: number): number {
  return (Math.imul(seed ^ 0x2545f491, 0x9e3779b1) + Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
}

/** The order in which arm k hands out its pool rows under `seed` (a seeded shuffle, as the reference's Arm). */
export function armOrder(seed: number, arm: number, size: number): Int32Array {
  return new Rng(mix(seed, 1000 + arm)).shuffle(Int32Array.from({ length: size }, (_, i) => i));
}

function makeStrategy(name: StrategyName, plan: SelectionPlan, seed: number, denseArm: number | null): Strategy {
  switch (name) {
    case 'ucb':
      return ucbStrategy(plan.bonus);
    case 'random':
      return randomStrategy(new Rng(mix(seed, 7)));
    case 'optimal':
      if (denseArm === null) throw new InputError('"optimal" needs the sources\' true overlap densities');
      return optimalStrategy(denseArm);
  }
}

/** A growing row buffer with a Matrix view of the rows so far. */
class Rows {
  private data: Float32Array;
  rows = 0;
  constructor(readonly cols: number, capacity: number) {
    this.data = new Float32Array(Math.max(1, capacity) * Math.max(1, cols));
  }
  push(src: Matrix, row: number): void {
    const need = (this.rows + 1) * this.cols;
    if (need > this.data.length) {
      const grown = new Float32Array(Math.max(need, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(src.data.subarray(row * src.cols, (row + 1) * src.cols), this.rows * this.cols);
    this.rows++;
  }
  view(): Matrix<Float32Array> {
    return { rows: this.rows, cols: this.cols, data: this.data.subarray(0, this.rows * this.cols) };
  }
}

/** Everything that is the same for every strategy and seed: the weak probe's outputs and the test set. */
interface Shared {
  setup: SelectionSetup;
  C: number;
  /** Per source: weak probabilities (pool rows x C), their confidence, and the W2S targets. */
  weakProbs: Float64Array[];
  conf: Float64Array[];
  targets: Float64Array[];
  testStrong: Matrix;
  testLabels: Int32Array;
}

function weakProbabilities(weak: WeakSide, probe: Probe | null): Float64Array {
  if (weak.kind === 'probabilities') return weak.probs;
  if (!probe) throw new Error('weak probe missing');
  return predictProbabilities(probe, weak.acts);
}

/** Test accuracy of a probe fitted on (x, targets); `w2sC` switches the penalty to scikit-learn's C. */
function scoreProbe(x: Matrix, targets: Float64Array, shared: Shared, opts: SelectionOptions, signal?: AbortSignal): number {
  const l2 = opts.w2sC === null ? opts.l2 : 1 / (2 * opts.w2sC * x.rows);
  const probe = fitProbe(x, targets, shared.C, { l2, signal });
  return accuracy(predictProbabilities(probe, shared.testStrong), shared.testLabels, shared.C);
}

async function runStrategy(
  shared: Shared, plan: SelectionPlan, opts: SelectionOptions, name: StrategyName, seed: number, denseArm: number | null,
  hooks: SelectionHooks, step: () => void,
): Promise<StrategyRun> {
  const { setup, C } = shared;
  const K = setup.sources.length;
  const T = plan.rounds;
  const n = plan.perRound;
  const strategy = makeStrategy(name, plan, seed, denseArm);
  const orders = setup.sources.map((s, k) => armOrder(seed, k, s.labels.length));
  const cursor = new Array<number>(K).fill(0);
  const pulls = new Array<number>(K).fill(0);
  const drawn = new Array<number>(K).fill(0);
  const detected = new Array<number>(K).fill(0);
  const estimates: (number | null)[] = new Array<number | null>(K).fill(null);
  const d = setup.sources[0].strong.cols;
  const weakActs = setup.sources[0].weak.kind === 'activations';
  const dw = weakActs ? (setup.sources[0].weak as { acts: Matrix }).acts.cols : 0;
  const collected = new Rows(d, T * n);
  const collectedTargets = new Float64Array(T * n * C);
  const overlapPositions: number[] = [];
  let trueOverlap = 0;
  const hasTruth = setup.sources.every((s) => s.membership);
  const hardHist = new Rows(d, T * n);
  const restHist = new Rows(d, opts.augment === 'hard+rest' ? T * n : 0);
  const weakHardHist = new Rows(dw, weakActs ? T * n : 0);
  const weakRestHist = new Rows(dw, weakActs && opts.augment === 'hard+rest' ? T * n : 0);
  const rounds: RoundLog[] = [];
  const kernel = hooks.kernel ?? tsAlignmentKernel;
  const incremental =
    opts.incremental && opts.augment === 'hard+rest' && isMaxAlignMode(opts.align) ? new IncrementalMaxAlignment(opts.align) : undefined;

  for (let round = 1; round <= T; round++) {
    throwIfAborted(hooks.signal);
    const choice = strategy.choose(round, { pulls, estimates, horizon: T });
    const k = choice.arm;
    const src = setup.sources[k];
    if (cursor[k] + n > orders[k].length) {
      // planSelection sizes n so that this cannot happen; a clear message if a caller bypasses it.
      throw new InputError(`source "${src.name}" ran out of rows at round ${round} (${orders[k].length} rows, ${n} per pull)`);
    }
    const batch = orders[k].subarray(cursor[k], cursor[k] + n);
    cursor[k] += n;

    const batchStrong = selectRows(src.strong, batch);
    const batchWeak = src.weak.kind === 'activations' ? selectRows(src.weak.acts, batch) : undefined;
    const history: DetectionHistory = { strongHard: hardHist.view() };
    if (opts.augment === 'hard+rest') history.strongRest = restHist.view();
    if (weakActs) {
      history.weakHard = weakHardHist.view();
      if (opts.augment === 'hard+rest') history.weakRest = weakRestHist.view();
    }
    const historyHard = hardHist.rows;
    const restBefore = restHist.view();
    const det = await detectOverlap({
      confidence: pickRows(shared.conf[k], Int32Array.from(batch)),
      strong: batchStrong,
      weak: batchWeak,
      hardRule: opts.hardRule,
      align: opts.align,
      jump: opts.jump,
      kernel,
      history,
      ...(incremental ? { scorer: incremental } : {}),
      signal: hooks.signal,
    });

    const restCountBefore = restHist.rows;
    for (let i = 0; i < n; i++) {
      const row = batch[i];
      const c = det.categories[i];
      if (c === OVERLAP) overlapPositions.push(collected.rows);
      collectedTargets.set(shared.targets[k].subarray(row * C, (row + 1) * C), collected.rows * C);
      collected.push(batchStrong, i);
      if (src.membership && src.membership[row] === OVERLAP) trueOverlap++;
      if (c === HARD) {
        hardHist.push(batchStrong, i);
        if (batchWeak) weakHardHist.push(batchWeak, i);
      } else if (opts.augment === 'hard+rest') {
        restHist.push(batchStrong, i);
        if (batchWeak) weakRestHist.push(batchWeak, i);
      }
    }
    if (incremental) {
      const newHard = Int32Array.from({ length: n }, (_, i) => i).filter((i) => det.categories[i] === HARD);
      await incremental.commit(restHist.rows - restCountBefore, selectRows(batchStrong, newHard), restBefore, kernel, hooks.signal);
    }
    pulls[k]++;
    drawn[k] += n;
    detected[k] += det.counts.overlap;
    estimates[k] = detected[k] / drawn[k];

    let acc: number | null = null;
    let accOverlap: number | null = null;
    if (round % opts.evalEvery === 0 || round === T) {
      const all = collected.view();
      acc = scoreProbe(all, collectedTargets.subarray(0, all.rows * C), shared, opts, hooks.signal);
      if (overlapPositions.length > 0) {
        const pos = Int32Array.from(overlapPositions);
        accOverlap = scoreProbe(selectRows(all, pos), pickRows(collectedTargets, pos, C), shared, opts, hooks.signal);
      }
    }
    rounds.push({
      round,
      arm: k,
      indices: choice.indices,
      bonuses: choice.bonuses,
      estimates: [...estimates],
      pulls: [...pulls],
      batch: {
        size: n,
        overlap: det.counts.overlap,
        easy: det.counts.easy,
        hard: det.counts.hard,
        t1: det.t1,
        t2: det.t2,
        historyHard,
        fallback: det.fallbacks.confidence || det.fallbacks.align,
      },
      collected: collected.rows,
      collectedOverlap: overlapPositions.length,
      detectedOverlapRatio: overlapPositions.length / collected.rows,
      trueOverlapRatio: hasTruth ? trueOverlap / collected.rows : null,
      accuracy: acc,
      accuracyOverlapOnly: accOverlap,
    });
    step();
    // A turn for the event loop between rounds, so that cancellation and progress get through.
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  return { strategy: name, seed, rounds, pulls };
}

/** Runs every strategy on every seed and summarises; the setup is validated and the plan fitted to it first. */
export async function runSelection(
  setup: SelectionSetup,
  request: PlanRequest,
  options: Partial<SelectionOptions>,
  meta: SelectionMeta,
  hooks: SelectionHooks = {},
): Promise<SelectionResult> {
  const t0 = performance.now();
  const opts: SelectionOptions = { ...DEFAULT_SELECTION_OPTIONS, ...options };
  if (!Number.isInteger(opts.evalEvery) || opts.evalEvery < 1) throw new InputError(`evalEvery must be a positive integer, got ${opts.evalEvery}`);
  validateSetup(setup);
  const alignNotes: string[] = [];
  const detector = resolveAlign(opts.align, setup.sources[0].weak.kind === 'activations');
  opts.align = detector.align;
  if (detector.note) alignNotes.push(detector.note);
  const C = setup.numClasses;
  const densities = setup.sources.map((s) =>
    s.membership ? membershipDensity(s.membership) : s.trueOverlapDensity ?? null,
  );
  const denseArm = densestArm(densities);
  const plan = planSelection(request, {
    poolSizes: setup.sources.map((s) => s.labels.length),
    names: setup.sources.map((s) => s.name),
    denseKnown: denseArm !== null,
    jump: opts.jump,
  });
  const progress = hooks.progress ?? (() => {});
  progress('weak probe', 0);

  // The weak probe is trained once on the shared weak-train set (METHOD.md section 1), and labels every pool.
  const weakProbe = setup.weakTrain
    ? fitProbe(setup.weakTrain.weak, oneHot(setup.weakTrain.labels, C), C, { l2: opts.l2, signal: hooks.signal })
    : null;
  const weakProbs = setup.sources.map((s) => weakProbabilities(s.weak, weakProbe));
  const shared: Shared = {
    setup,
    C,
    weakProbs,
    conf: weakProbs.map((p) => confidence(p, C)),
    // Hard targets: the votes' tie-broken labels where the weak side has them (as analyze), else the argmax.
    targets: weakProbs.map((p, k) => (opts.pseudo === 'soft' ? p : oneHot(weakHardLabels(setup.sources[k]!.weak, p, C), C))),
    testStrong: setup.test.strong,
    testLabels: setup.test.labels,
  };
  const testWeakProbs = weakProbabilities(setup.test.weak, weakProbe);
  const weakAcc = labelAccuracy(weakHardLabels(setup.test.weak, testWeakProbs, C), setup.test.labels);
  // Reference lines for the plots: the strong ceiling and W2S on all pools together.
  progress('reference probes', 0.02);
  const poolStrong = stackRows(setup.sources.map((s) => s.strong));
  const poolLabels = Int32Array.from(setup.sources.flatMap((s) => Array.from(s.labels)));
  const poolTargets = concatArrays(shared.targets, Float64Array);
  const strongAcc = scoreProbe(poolStrong, oneHot(poolLabels, C), shared, { ...opts, w2sC: null }, hooks.signal);
  const w2sAll = scoreProbe(poolStrong, poolTargets, shared, opts, hooks.signal);
  // Each pool's density as a one-shot detection on the whole pool sees it: a reference number, not used by UCB.
  const poolDensities: number[] = [];
  for (const [k, s] of setup.sources.entries()) {
    const det = await detectOverlap({
      confidence: shared.conf[k], strong: s.strong, weak: s.weak.kind === 'activations' ? s.weak.acts : undefined,
      hardRule: opts.hardRule, align: opts.align, jump: opts.jump, kernel: hooks.kernel ?? tsAlignmentKernel, signal: hooks.signal,
    });
    poolDensities.push(det.overlapDensity);
  }
  const timings: Record<string, number> = { setup: (performance.now() - t0) / 1000 };

  const total = plan.seeds.length * plan.strategies.length * plan.rounds;
  let done = 0;
  const runs: StrategyRun[] = [];
  const tRuns = performance.now();
  for (const seed of plan.seeds) {
    for (const name of plan.strategies) {
      const run = await runStrategy(shared, plan, opts, name, seed, denseArm, hooks, () => {
        done++;
        progress(`${name}, seed ${seed}`, 0.05 + (0.95 * done) / total, `${done}/${total} pulls`);
      });
      runs.push(run);
    }
  }
  timings.runs = (performance.now() - tRuns) / 1000;
  timings.total = (performance.now() - t0) / 1000;

  const sources: SelectionSourceInfo[] = setup.sources.map((s, k) => ({
    name: s.name,
    ...(s.path ? { path: s.path } : {}),
    poolRows: s.labels.length,
    weakTrainRows: s.weakTrainRows ?? 0,
    testRows: s.testRows ?? 0,
    trueOverlapDensity: densities[k],
    detectedPoolDensity: poolDensities[k],
    densityFrom: s.membership ? 'ground-truth' : s.trueOverlapDensity !== undefined ? s.densityFrom ?? 'detected' : null,
  }));
  const warnings = [...(meta.warnings ?? []), ...(setup.notes ?? []), ...plan.adjustments, ...alignNotes];
  const fallbacks = runs.reduce((a, r) => a + r.rounds.filter((x) => x.batch.fallback).length, 0);
  if (fallbacks > 0) {
    warnings.push(
      `${fallbacks} of ${runs.length * plan.rounds} pulls had too few points for a change point (fewer than 7) and ` +
        'used the median threshold; more points per round avoid it',
    );
  }
  progress('done', 1);
  return {
    schemaVersion: SELECTION_SCHEMA_VERSION,
    kind: 'selection',
    tool: { name: 'overlap-density', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    mode: meta.mode,
    plan,
    sources,
    denseArm,
    numClasses: C,
    ...(setup.labelNames ? { labelNames: setup.labelNames } : {}),
    encoders: meta.encoders,
    options: {
      hardRule: opts.hardRule, align: opts.align, jump: opts.jump, pseudo: opts.pseudo, l2: opts.l2, w2sC: opts.w2sC,
      evalEvery: opts.evalEvery, augment: opts.augment,
    },
    shared: {
      weakTrainRows: setup.weakTrain?.labels.length ?? 0,
      testRows: setup.test.labels.length,
      accuracy: { weak: weakAcc, strong: strongAcc, w2sAllPools: w2sAll },
    },
    runs,
    summary: summarize(runs, plan.strategies, plan.rounds, setup.sources.length, denseArm),
    warnings,
    device: meta.device ?? 'cpu',
    timings,
  };
}


