import { InputError } from '../errors';
import { EASY, HARD, OVERLAP } from '../detect/types';
import { Rng } from '../random/rng';
import type { Matrix } from '../linalg/matrix';

/**
 * The paper's Gaussian mixture with ground truth (METHOD.md section 5): d_easy = d_hard = 20,
 * theta ~ U[0,1]^40 drawn once per run, y ~ Bernoulli(1/2), x = (+theta if y = 1 else -theta) + N(0, 5 I).
 * easy-only rows zero the hard block, hard-only rows zero the easy block, overlap rows keep both.
 * The weak model sees x with the hard block zeroed; the strong model sees x.
 */
export type Scenario = 'mixed' | 'easy' | 'hard';

export interface SynthOptions {
  scenario: Scenario;
  /** Number of overlap rows. */
  nOverlap: number;
  /** Number of non-overlap rows (mixed: half easy-only, half hard-only). */
  nNonOverlap: number;
  seed: number;
  dEasy?: number;
  dHard?: number;
  /** Noise variance (5 in the paper). */
  noiseVariance?: number;
  /** Standard deviation of noise put into the absent block instead of zeros (robustness ablation; 0 = paper). */
  absentNoise?: number;
  /** A fixed theta (length dEasy + dHard); drawn from the seed when omitted. */
  theta?: Float64Array;
}

export interface SynthData {
  weak: Matrix<Float32Array>;
  strong: Matrix<Float32Array>;
  labels: Int32Array;
  /** 0 easy-only, 1 hard-only, 2 overlap. */
  membership: Uint8Array;
  theta: Float64Array;
}

/** Membership counts for a scenario: [easy-only, hard-only, overlap]. */
export function scenarioCounts(scenario: Scenario, nOverlap: number, nNonOverlap: number): [number, number, number] {
  switch (scenario) {
    case 'mixed': {
      const easy = Math.ceil(nNonOverlap / 2);
      return [easy, nNonOverlap - easy, nOverlap];
    }
    case 'easy':
      return [nNonOverlap, 0, nOverlap];
    case 'hard':
      return [0, nNonOverlap, nOverlap];
  }
}

export function drawTheta(rng: Rng, dim: number): Float64Array {
  const theta = new Float64Array(dim);
  for (let j = 0; j < dim; j++) theta[j] = rng.next();
  return theta;
}

/** Rows in a seeded random order of memberships. */
/** Rows the generator makes at most (weak and strong activations: 2 x 40 Float32 values a row, 3.2 GB at the bound). */
export const MAX_SYNTH_ROWS = 10_000_000;

export function generateSynthetic(opts: SynthOptions): SynthData {
  const dEasy = opts.dEasy ?? 20;
  const dHard = opts.dHard ?? 20;
  const d = dEasy + dHard;
  const sigma = Math.sqrt(opts.noiseVariance ?? 5);
  const absent = opts.absentNoise ?? 0;
  for (const [k, v] of [['nOverlap', opts.nOverlap], ['nNonOverlap', opts.nNonOverlap]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${k} must be a non-negative integer, got ${v}`);
  }
  const rng = new Rng(opts.seed);
  const theta = opts.theta ?? drawTheta(rng, d);
  if (theta.length !== d) throw new Error(`theta has length ${theta.length}, expected ${d}`);
  const [nEasy, nHard, nOv] = scenarioCounts(opts.scenario, opts.nOverlap, opts.nNonOverlap);
  const n = nEasy + nHard + nOv;
  if (!(n <= MAX_SYNTH_ROWS)) {
    throw new InputError(
      `${opts.nOverlap} overlap + ${opts.nNonOverlap} non-overlap rows is more than the generator makes (at most ${MAX_SYNTH_ROWS.toLocaleString('en-US')} ` +
        `rows in all: ${((MAX_SYNTH_ROWS * 2 * d * 4) / 2 ** 30).toFixed(1)} GiB of activations); ask for fewer`,
    );
  }
  const membership = new Uint8Array(n);
  membership.fill(EASY, 0, nEasy);
  membership.fill(HARD, nEasy, nEasy + nHard);
  membership.fill(OVERLAP, nEasy + nHard, n);
  rng.shuffle(membership);
  const labels = new Int32Array(n);
  const strong = new Float32Array(n * d);
  const weak = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const y = rng.next() < 0.5 ? 0 : 1;
    labels[i] = y;
    const sign = y === 1 ? 1 : -1;
    const m = membership[i];
    for (let j = 0; j < d; j++) {
      const inEasy = j < dEasy;
      const present = m === OVERLAP || (inEasy ? m === EASY : m === HARD);
      const noise = sigma * rng.normal();
      const v = present ? sign * theta[j] + noise : absent > 0 ? absent * rng.normal() : 0;
      strong[i * d + j] = v;
      if (inEasy) weak[i * d + j] = v;
    }
  }
  return {
    weak: { rows: n, cols: d, data: weak },
    strong: { rows: n, cols: d, data: strong },
    labels,
    membership,
    theta,
  };
}
