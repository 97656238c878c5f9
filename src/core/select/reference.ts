/**
 * The "reference" setups of METHOD.md section 4: K sources with known, different overlap densities built from one
 * data set, as the paper's experiment does. Source k receives shares[k] of the overlap rows (10% and 90% by default)
 * and an even 1/K of the easy-only and of the hard-only rows.
 *   - synthetic: the paper's Gaussian mixture (core/synth), memberships are the ground truth;
 *   - detected: one labelled data set, memberships are those detected on its W2S-train split (as the reference,
 *     which partitions the detected easy / hard / overlap indices and records the detected density per source).
 * Weak-train and test are the data set's other two splits, shared by all sources.
 */
import { tsAlignmentKernel } from '../detect/alignKernel';
import { detectOverlap } from '../detect/detect';
import { EASY, HARD, OVERLAP, type AlignMode, type AlignmentKernel, type HardRule } from '../detect/types';
import { InputError } from '../errors';
import { pickRows, type WeakSide } from '../experiment/protocol';
import { indicesOf, randomThirds, TEST, W2S_TRAIN, WEAK_TRAIN } from '../experiment/split';
import { selectRows, type Matrix } from '../linalg/matrix';
import { confidence, fitProbe, oneHot, predictProbabilities } from '../probe';
import { Rng } from '../random/rng';
import { generateSynthetic } from '../synth/generate';
import type { SelectionSetup, SelectionSource } from './setup';

export const DEFAULT_OVERLAP_SHARES = [0.1, 0.9];

export function validateShares(shares: readonly number[]): void {
  if (shares.length < 2) throw new InputError(`reference mode needs at least 2 overlap shares (one per source), got ${shares.length}`);
  let sum = 0;
  for (const s of shares) {
    if (!(s >= 0 && s <= 1)) throw new InputError(`overlap share ${s} is not in [0, 1]`);
    sum += s;
  }
  if (sum > 1 + 1e-9) throw new InputError(`overlap shares sum to ${sum.toFixed(3)}, more than 1`);
}

/**
 * Splits `indices` (shuffled with `rng`) into consecutive parts of sizes round(len * cumulative share): the parts
 * never overlap, and with shares summing to 1 every index lands in one part.
 */
export function partitionByShares(indices: Int32Array, shares: readonly number[], rng: Rng): Int32Array[] {
  const order = rng.shuffle(Int32Array.from(indices));
  const parts: Int32Array[] = [];
  let cum = 0;
  let start = 0;
  for (const s of shares) {
    cum += s;
    const end = Math.min(order.length, Math.round(order.length * cum));
    parts.push(order.slice(start, end));
    start = end;
  }
  return parts;
}

interface PoolData {
  weak: WeakSide;
  strong: Matrix;
  labels: Int32Array;
  membership?: Uint8Array;
}

function weakRows(weak: WeakSide, rows: Int32Array, C: number): WeakSide {
  return weak.kind === 'activations'
    ? { kind: 'activations', acts: selectRows(weak.acts, rows) }
    : { kind: 'probabilities', probs: pickRows(weak.probs, rows, C) };
}

/** Sources from per-row categories (0 easy, 1 hard, 2 overlap) of the W2S-train rows `pool`. */
function buildSources(
  data: PoolData, C: number, pool: Int32Array, categories: Uint8Array, shares: readonly number[], seed: number,
  densityFrom: 'ground-truth' | 'detected',
): SelectionSource[] {
  const K = shares.length;
  const rng = new Rng((seed ^ 0x51ec7) >>> 0);
  const byCat = (c: number) => Int32Array.from(pool.filter((_, k) => categories[k] === c));
  const even = new Array<number>(K).fill(1 / K);
  const overlapParts = partitionByShares(byCat(OVERLAP), shares, rng);
  const easyParts = partitionByShares(byCat(EASY), even, rng);
  const hardParts = partitionByShares(byCat(HARD), even, rng);
  return shares.map((share, k) => {
    const rows = new Int32Array(overlapParts[k].length + easyParts[k].length + hardParts[k].length);
    rows.set(easyParts[k], 0);
    rows.set(hardParts[k], easyParts[k].length);
    rows.set(overlapParts[k], easyParts[k].length + hardParts[k].length);
    const source: SelectionSource = {
      name: `source ${k + 1} (${(share * 100).toFixed(0)}% of the overlap rows)`,
      strong: selectRows(data.strong, rows),
      weak: weakRows(data.weak, rows, C),
      labels: pickRows(data.labels, rows),
      trueOverlapDensity: rows.length > 0 ? overlapParts[k].length / rows.length : 0,
      densityFrom,
    };
    if (data.membership) source.membership = Uint8Array.from(rows, (r) => data.membership![r]);
    return source;
  });
}

function sharedSets(data: PoolData, C: number, split: Uint8Array): Pick<SelectionSetup, 'weakTrain' | 'test'> {
  const wt = indicesOf(split, WEAK_TRAIN);
  const te = indicesOf(split, TEST);
  return {
    weakTrain: data.weak.kind === 'activations' ? { weak: selectRows(data.weak.acts, wt), labels: pickRows(data.labels, wt) } : undefined,
    test: { strong: selectRows(data.strong, te), weak: weakRows(data.weak, te, C), labels: pickRows(data.labels, te) },
  };
}

export interface SyntheticReferenceOptions {
  /** Overlap and non-overlap rows of the whole data set (split in thirds: weak-train, pools, test). */
  nOverlap: number;
  nNonOverlap: number;
  shares?: readonly number[];
  seed: number;
}

/** K sources from the paper's Gaussian mixture ("mixed" scenario), densities from the ground truth. */
export function syntheticReferenceSetup(opts: SyntheticReferenceOptions): SelectionSetup {
  const shares = opts.shares ?? DEFAULT_OVERLAP_SHARES;
  validateShares(shares);
  const data = generateSynthetic({ scenario: 'mixed', nOverlap: opts.nOverlap, nNonOverlap: opts.nNonOverlap, seed: opts.seed });
  const n = data.labels.length;
  if (n < 21) throw new InputError(`the synthetic data set needs at least 21 rows (7 per split), got ${n}`);
  const split = randomThirds(n, opts.seed);
  const pool = indicesOf(split, W2S_TRAIN);
  const categories = Uint8Array.from(pool, (r) => data.membership[r]);
  const pd: PoolData = { weak: { kind: 'activations', acts: data.weak }, strong: data.strong, labels: data.labels, membership: data.membership };
  const sources = buildSources(pd, 2, pool, categories, shares, opts.seed, 'ground-truth');
  return {
    sources,
    ...sharedSets(pd, 2, split),
    numClasses: 2,
    notes: [
      `synthetic reference: ${n} rows (${opts.nOverlap} overlap, ${opts.nNonOverlap} easy-only + hard-only), seeded thirds ` +
        `for weak-train / pools / test; the ${pool.length} pool rows go to ${shares.length} sources with ` +
        `${shares.map((s) => `${(s * 100).toFixed(0)}%`).join(' / ')} of the overlap rows and even shares of the rest`,
    ],
  };
}

export interface DetectedReferenceInput {
  weak: WeakSide;
  strong: Matrix;
  labels: Int32Array;
  numClasses: number;
  /** 0 weak-train, 1 W2S-train, 2 test; seeded thirds when omitted. */
  split?: Uint8Array;
  membership?: Uint8Array;
  labelNames?: string[];
  name?: string;
}

export interface DetectedReferenceOptions {
  shares?: readonly number[];
  seed: number;
  hardRule: HardRule;
  align: AlignMode;
  jump: number;
  l2: number;
  kernel?: AlignmentKernel;
  signal?: AbortSignal;
}

/**
 * K sources from one labelled data set by detected overlap (the reference's LLM experiment): weak probe on
 * weak-train, detection on the whole W2S-train split, then the detected overlap rows are dealt out by `shares`.
 */
export async function detectedReferenceSetup(input: DetectedReferenceInput, opts: DetectedReferenceOptions): Promise<SelectionSetup> {
  const shares = opts.shares ?? DEFAULT_OVERLAP_SHARES;
  validateShares(shares);
  const C = input.numClasses;
  const n = input.labels.length;
  const split = input.split ?? randomThirds(n, opts.seed);
  const pool = indicesOf(split, W2S_TRAIN);
  const wt = indicesOf(split, WEAK_TRAIN);
  if (pool.length === 0 || indicesOf(split, TEST).length === 0) {
    throw new InputError(`${input.name ?? 'the data set'}: the W2S-train and test splits must both be non-empty to build reference sources`);
  }
  let probs: Float64Array;
  if (input.weak.kind === 'activations') {
    if (wt.length === 0) throw new InputError(`${input.name ?? 'the data set'}: the weak-train split is empty`);
    const probe = fitProbe(selectRows(input.weak.acts, wt), oneHot(pickRows(input.labels, wt), C), C, { l2: opts.l2, signal: opts.signal });
    probs = predictProbabilities(probe, selectRows(input.weak.acts, pool));
  } else {
    probs = pickRows(input.weak.probs, pool, C);
  }
  const det = await detectOverlap({
    confidence: confidence(probs, C),
    strong: selectRows(input.strong, pool),
    weak: input.weak.kind === 'activations' ? selectRows(input.weak.acts, pool) : undefined,
    hardRule: opts.hardRule,
    align: opts.align,
    jump: opts.jump,
    kernel: opts.kernel ?? tsAlignmentKernel,
    signal: opts.signal,
  });
  if (det.counts.overlap === 0) {
    throw new InputError(
      `${input.name ?? 'the data set'}: no overlap rows were detected on its ${pool.length} W2S-train rows, so sources with ` +
        'different overlap densities cannot be built from it',
    );
  }
  const pd: PoolData = { weak: input.weak, strong: input.strong, labels: input.labels, membership: input.membership };
  const sources = buildSources(pd, C, pool, det.categories, shares, opts.seed, 'detected');
  for (const s of sources) s.labelNames = input.labelNames;
  const c = det.counts;
  return {
    sources,
    ...sharedSets(pd, C, split),
    numClasses: C,
    labelNames: input.labelNames,
    notes: [
      `reference split of ${input.name ?? 'the data set'}: detection on its ${pool.length} W2S-train rows found ${c.overlap} overlap, ` +
        `${c.easy} easy-only and ${c.hard} hard-only rows (density ${(det.overlapDensity * 100).toFixed(1)}%); sources get ` +
        `${shares.map((s) => `${(s * 100).toFixed(0)}%`).join(' / ')} of the overlap rows and even shares of the rest`,
      ...det.notes,
    ],
  };
}
