import { throwIfAborted } from '../encoder';
import type { GemmOperand, LinalgKernel, ProductRider } from '../linalg/gemm';
import { selectRows, type Matrix } from '../linalg/matrix';
import type { RowEngine } from '../linalg/rowEngine';
import {
  accuracy, fitProbeAsync, fitProbesBatch, predictOnKernel, predictProbabilities, predictProbabilitiesOn, type Probe,
  type SubsetFit,
} from '../probe';
import { Rng } from '../random/rng';
import type { MixingCurve } from '../result/schema';

export const DEFAULT_PROPORTIONS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export interface MixingInput {
  /** Strong activations of the W2S-train rows. */
  strongW2s: Matrix;
  /** W2S probe targets on W2S-train rows (soft probabilities or one-hot), |W2S-train| x C. */
  targets: Float64Array;
  numClasses: number;
  /** Positions (into W2S-train) of detected overlap rows, and of the rest (easy-only + hard-only). */
  overlap: Int32Array;
  nonOverlap: Int32Array;
  /** The strong test rows (absent only with `testShared`). */
  strongTest?: Matrix;
  /** A row engine of `strongTest` to score the probes with (predictProbabilitiesOn); absent: the plain loop. */
  testEngine?: RowEngine;
  /**
   * The test rows as `linalg`'s operand (protocol.ts uploads them when the probes ran on the products): every
   * two-class probe is scored by one product X W (predictOnKernel) instead of a pass over the rows per probe.
   */
  testShared?: GemmOperand;
  /** `testShared`'s rows as Float32, when it holds them so: float32 scores, uncertain decisions made exact (predictOnKernel). */
  testRows?: Matrix;
  testLabels: Int32Array;
  l2: number;
  seeds: number[];
  proportions?: number[];
  /**
   * Start of every subset fit (same optimum; default zero, METHOD.md's). A probe on all rows is no better a start
   * when a subset has fewer rows than dimensions (bench/warmstart), and the analysis does not pass one.
   */
  init?: Probe;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * Fit the probes together (default true; probe/batch.ts): one pass over the shared rows per round evaluates every
   * running fit, each still its own L-BFGS run. false: one fit after the other (the reference of bench/mixing).
   */
  batched?: boolean;
  /**
   * Dense products for the batched fits (the analysis passes its alignment kernel's, onnxruntime's Gemm): two GEMMs
   * per round instead of the WebAssembly pass (probe/batch.ts). Absent: the WebAssembly pass.
   */
  linalg?: LinalgKernel;
  /** `strongW2s` as `linalg`'s operand, made earlier (fitProbesBatch's `shared`). */
  shared?: GemmOperand;
  /** A row engine of `strongW2s` to share (room for 3 x fits x dim Float64 values and 3 x fits vectors). */
  engine?: RowEngine;
  /** Called once when the batched fits' dense products are over (fitProbesBatch's `onProductsDone`), or before the fits without them. */
  onProductsDone?: () => void;
  /**
   * More fits on `strongW2s`'s rows to run in the same batch (the analysis's strong and W2S probes: two more columns
   * of the products instead of rounds of their own), fitted and scored on the test rows even when the curve is empty.
   * They start from zero whatever `init` says.
   */
  extraFits?: SubsetFit[];
  /** Columns riding the batched fits' product rounds (the analysis's map: fitProbesBatch's `rider`). */
  rider?: ProductRider;
}

/** The curve, and the extra fits' probes with their test probabilities (in the order of `extraFits`). */
export interface MixingRun {
  curve: MixingCurve | null;
  extra: { probes: Probe[]; testProbs: Float64Array[] };
  /** The curve's fits (not the extra ones): how many, and how many ended short of their gradient stop. */
  fits: { count: number; unconverged: number };
}

function subsetFit(input: MixingInput, rows: Int32Array): SubsetFit {
  const C = input.numClasses;
  const targets = new Float64Array(rows.length * C);
  for (let k = 0; k < rows.length; k++) {
    for (let c = 0; c < C; c++) targets[k * C + c] = input.targets[rows[k] * C + c];
  }
  return { rows, targets };
}

function stats(values: number[]): { mean: number; std: number; min: number; max: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, std, min: Math.min(...values), max: Math.max(...values) };
}

/**
 * The mixing experiment (METHOD.md section 3): m = min(|O|, |N|); at proportion p draw floor(m p) overlap rows and
 * floor(m (1 - p)) non-overlap rows without replacement, train a W2S probe on their pseudo-labels, score on test.
 * Every draw is seeded (the reference's are not). Also a random-subset baseline of m W2S-train rows per seed.
 * Returns null when m < 2: with m = 0 there is nothing to mix, with m = 1 every proportion strictly between 0 and 1
 * draws floor(p) + floor(1 - p) = 0 rows and no probe can be trained.
 */
export async function mixingCurve(input: MixingInput): Promise<MixingCurve | null> {
  return (await mixingRun(input)).curve;
}

/** mixingCurve with `extraFits` (see there). */
export async function mixingRun(input: MixingInput): Promise<MixingRun> {
  const proportions = input.proportions ?? DEFAULT_PROPORTIONS;
  const m = Math.min(input.overlap.length, input.nonOverlap.length);
  const extraFits = input.extraFits ?? [];
  const n = input.strongW2s.rows;
  const all = Int32Array.from({ length: n }, (_, i) => i);
  // Draw every subset first (same draws, same order as fitting them one by one), then fit them.
  const fits: SubsetFit[] = [];
  if (m >= 2) {
    for (const seed of input.seeds) {
      const rng = new Rng(seed * 2654435761);
      for (const p of proportions) {
        const nO = Math.floor(m * p + 1e-9);
        const nN = Math.floor(m * (1 - p) + 1e-9);
        const chosen = new Int32Array(nO + nN);
        chosen.set(rng.sample(input.overlap, nO), 0);
        chosen.set(rng.sample(input.nonOverlap, nN), nO);
        fits.push(subsetFit(input, chosen));
      }
      fits.push(subsetFit(input, rng.sample(all, m)));
    }
  }
  if (fits.length + extraFits.length === 0) return { curve: null, extra: { probes: [], testProbs: [] }, fits: { count: 0, unconverged: 0 } };
  const total = fits.length + extraFits.length;
  let done = 0;
  const opts = { l2: input.l2, signal: input.signal };
  const E = extraFits.length;
  let probes: Probe[];
  if (input.batched ?? true) {
    const batch = (group: SubsetFit[], init?: Probe) => fitProbesBatch(input.strongW2s, group, input.numClasses, {
      ...opts, init, linalg: input.linalg, shared: input.shared, engine: input.engine, onFit: () => input.onProgress?.(++done / total),
      onProductsDone: input.onProductsDone, rider: input.rider,
    });
    // one batch for all of them, unless the subset fits start elsewhere than the extra fits (zero)
    probes = input.init && E > 0 && fits.length > 0
      ? [...await batch(extraFits), ...await batch(fits, input.init)]
      : await batch([...extraFits, ...fits], E > 0 ? undefined : input.init);
  } else {
    input.onProductsDone?.();
    probes = [];
    for (const [k, fit] of [...extraFits, ...fits].entries()) {
      throwIfAborted(input.signal);
      probes.push(await fitProbeAsync(selectRows(input.strongW2s, fit.rows), fit.targets, input.numClasses, { ...opts, init: k < E ? undefined : input.init }));
      input.onProgress?.(++done / total);
    }
  }
  let testProbs: Float64Array[];
  if (input.testShared && input.linalg) {
    testProbs = await predictOnKernel(probes, input.testShared, input.linalg, input.signal, input.testRows);
  } else {
    const strongTest = input.strongTest;
    if (!strongTest) throw new Error('mixingCurve: no test rows (strongTest, or testShared with linalg)');
    const testEngine = input.testEngine?.source === strongTest ? input.testEngine : undefined;
    testProbs = probes.map((probe) => (testEngine ? predictProbabilitiesOn(probe, testEngine) : predictProbabilities(probe, strongTest)));
  }
  const extra = { probes: probes.slice(0, E), testProbs: testProbs.slice(0, E) };
  const fitCounts = { count: fits.length, unconverged: probes.slice(E).filter((p) => !p.fit.converged).length };
  if (fits.length === 0) return { curve: null, extra, fits: fitCounts };
  testProbs = testProbs.slice(E);
  const scores = testProbs.map((p) => accuracy(p, input.testLabels, input.numClasses));
  const per = proportions.length + 1;
  const perSeed = input.seeds.map((_, s) => scores.slice(s * per, s * per + proportions.length));
  const baseline = input.seeds.map((_, s) => scores[s * per + proportions.length]);
  const columns = proportions.map((_, j) => stats(perSeed.map((r) => r[j])));
  const base = stats(baseline);
  const curve: MixingCurve = {
    proportions,
    mean: columns.map((c) => c.mean),
    std: columns.map((c) => c.std),
    min: columns.map((c) => c.min),
    max: columns.map((c) => c.max),
    perSeed,
    subsetSize: m,
    randomBaseline: { mean: base.mean, std: base.std, perSeed: baseline },
    seeds: input.seeds,
  };
  return { curve, extra, fits: fitCounts };
}
