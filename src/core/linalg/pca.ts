import type { Matrix } from './matrix';
import { Rng } from '../random/rng';
import { engineFor, type RowEngine } from './rowEngine';
import type { ProductRider } from './gemm';

export interface Pca2 {
  /** Projection of every row on the first and second principal axes (rows long). */
  x: Float64Array;
  y: Float64Array;
  /** The two unit principal axes, each `cols` long. */
  axes: [Float64Array, Float64Array];
  /** Variance along each axis (eigenvalues of the covariance, divisor rows). */
  variance: [number, number];
  /** Total variance (trace of the covariance), to report the explained fraction. */
  totalVariance: number;
  iterations: number;
}

export interface Pca2Options {
  maxIterations?: number;
  /** Stop when both axes move less than this (1 - |cos| between iterations). */
  tolerance?: number;
  seed?: number;
  /** A row engine of `m` to share (room for 6 x cols more Float64 values); absent: a new one. */
  engine?: RowEngine;
}

/**
 * The first two principal components of `m` (rows = points) by subspace (block power) iteration on the covariance,
 * never forming the cols x cols covariance: each step is two passes of O(rows * cols), so 10^5 x 512 activations
 * take well under a second per iteration. A final Rayleigh-Ritz step on the 2-D subspace orders and rotates the
 * axes. Signs are fixed so that each axis's largest-magnitude entry is positive (deterministic plots).
 * The passes run through a RowEngine (WebAssembly SIMD dot and axpy over Float32 rows when available: ~3x the
 * plain loops at 5,000 x 4,096, for one copy of the rows). The steps are `Pca2Steps`'s, which another caller can
 * drive with products of its own (`Pca2Rider`); `pca2` goes on from wherever `steps` stopped.
 */
export function pca2(m: Matrix, options: Pca2Options = {}, steps = new Pca2Steps(m, options)): Pca2 {
  const { rows, cols } = m;
  if (steps.rows !== rows || steps.cols !== cols) throw new Error(`pca2: steps of a ${steps.rows} x ${steps.cols} matrix for a ${rows} x ${cols} one`);
  // covTimes' four vectors and the two axes of the projection
  const engine = engineFor(m, options.engine, 6 * cols, 6);
  const work: CovVectors = { v1: engine.vector(cols), v2: engine.vector(cols), w1: engine.vector(cols), w2: engine.vector(cols) };
  for (let v = steps.wanted(); v; v = steps.wanted()) {
    const [c1, c2] = covTimes(engine, work, steps.mean, v[0], v[1]);
    steps.give(c1, c2);
  }
  const { axes } = steps.result();
  const x = new Float64Array(rows);
  const y = new Float64Array(rows);
  const meanDot1 = dot(steps.mean, axes[0]);
  const meanDot2 = dot(steps.mean, axes[1]);
  if (rows > 0 && cols > 0) {
    const a1v = engine.vector(cols);
    const a2v = engine.vector(cols);
    a1v.set(axes[0]);
    a2v.set(axes[1]);
    for (let i = 0; i < rows; i++) {
      x[i] = engine.dot(i, a1v, 0) - meanDot1;
      y[i] = engine.dot(i, a2v, 0) - meanDot2;
    }
  }
  return { x, y, ...steps.result() };
}

/**
 * pca2's iteration as steps: the mean and total variance of `m` (two passes at construction), then `wanted()` names
 * the two vectors whose covariance products come next and `give` takes C v1, C v2: `maxIterations` subspace steps
 * (fewer once both axes move less than `tolerance`), then one Rayleigh-Ritz step. Whoever multiplies by C (pca2's
 * row passes, or the mixing fits' dense products: `Pca2Rider`) gets the same iteration.
 */
export class Pca2Steps {
  readonly rows: number;
  readonly cols: number;
  readonly mean: Float64Array;
  /** Trace of the covariance (divisor rows). */
  readonly total: number;
  iterations = 0;
  private readonly maxIterations: number;
  private readonly tolerance: number;
  private v1: Float64Array;
  private v2: Float64Array;
  private phase: 'iterate' | 'ritz' | 'done';
  private outcome: Omit<Pca2, 'x' | 'y'> | null = null;

  constructor(m: Matrix, options: Pca2Options = {}) {
    const { rows, cols, data } = m;
    this.rows = rows;
    this.cols = cols;
    this.maxIterations = options.maxIterations ?? 300;
    this.tolerance = options.tolerance ?? 1e-10;
    const mean = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let j = 0; j < cols; j++) mean[j] += data[o + j];
    }
    if (rows > 0) for (let j = 0; j < cols; j++) mean[j] /= rows;
    let total = 0;
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      for (let j = 0; j < cols; j++) {
        const c = data[o + j] - mean[j];
        total += c * c;
      }
    }
    this.mean = mean;
    this.total = rows > 0 ? total / rows : 0;
    const rng = new Rng(options.seed ?? 1);
    this.v1 = new Float64Array(cols).map(() => rng.next() - 0.5);
    this.v2 = new Float64Array(cols).map(() => rng.next() - 0.5);
    orthonormalise(this.v1, this.v2);
    this.phase = cols > 0 && rows > 0 && this.total > 0 && this.maxIterations > 0 ? 'iterate' : 'ritz';
  }

  /** The vectors whose covariance products `give` takes next, or null when the axes are known (`result`). */
  wanted(): [Float64Array, Float64Array] | null {
    return this.phase === 'done' ? null : [this.v1, this.v2];
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** C v1 and C v2 for `wanted()`'s vectors (this object keeps them). */
  give(c1: Float64Array, c2: Float64Array): void {
    if (this.phase === 'iterate') {
      orthonormalise(c1, c2);
      const moved = Math.max(1 - Math.abs(dot(c1, this.v1)), 1 - Math.abs(dot(c2, this.v2)));
      this.v1 = c1;
      this.v2 = c2;
      this.iterations++;
      if (moved < this.tolerance || this.iterations >= this.maxIterations) this.phase = 'ritz';
      return;
    }
    if (this.phase !== 'ritz') throw new Error('Pca2Steps: the axes are known already');
    this.outcome = this.ritz(c1, c2);
    this.phase = 'done';
  }

  /** The axes, their variances and the total once `done` (the projections are the caller's). */
  result(): Omit<Pca2, 'x' | 'y'> {
    if (!this.outcome) throw new Error('Pca2Steps: not done');
    return this.outcome;
  }

  /** Rayleigh-Ritz: H = V^T C V (2 x 2), rotate V by H's eigenvectors so the axes are ordered by variance. */
  private ritz(c1: Float64Array, c2: Float64Array): Omit<Pca2, 'x' | 'y'> {
    const { v1, v2, cols } = this;
    const h11 = dot(v1, c1);
    const h12 = dot(v1, c2);
    const h22 = dot(v2, c2);
    const theta = 0.5 * Math.atan2(2 * h12, h11 - h22);
    const cs = Math.cos(theta);
    const sn = Math.sin(theta);
    const a1 = new Float64Array(cols);
    const a2 = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      a1[j] = cs * v1[j] + sn * v2[j];
      a2[j] = -sn * v1[j] + cs * v2[j];
    }
    let l1 = cs * cs * h11 + 2 * cs * sn * h12 + sn * sn * h22;
    let l2 = sn * sn * h11 - 2 * cs * sn * h12 + cs * cs * h22;
    let axes: [Float64Array, Float64Array] = [a1, a2];
    if (l2 > l1) {
      axes = [a2, a1];
      [l1, l2] = [l2, l1];
    }
    for (const a of axes) fixSign(a);
    return { axes, variance: [Math.max(0, l1), Math.max(0, l2)], totalVariance: this.total, iterations: this.iterations };
  }
}

/**
 * The map's PCA riding another computation's dense products over the same rows X (batch.ts's product rounds of the
 * mixing fits: two more columns of each, instead of ~50 passes of its own over the rows). Each round it asks for
 * X v1, X v2 (`vectors`), answers with the centred s = X v - (mean . v) (`forward`), and takes X^T s (`backward`):
 * C v = (X^T s - (sum s) mean) / rows, as pca2's row passes compute it. Once the axes are known, one more forward
 * product gives the projections (`projections`).
 */
export class Pca2Rider implements ProductRider {
  projections: { x: Float64Array; y: Float64Array } | null = null;
  private sums: [number, number] = [0, 0];

  constructor(readonly steps: Pca2Steps) {}

  vectors(): Float64Array[] {
    if (this.projections) return [];
    const v = this.steps.wanted();
    return v ?? this.steps.result().axes;
  }

  forward(u: Float64Array[]): Float64Array[] | null {
    const { steps } = this;
    const v = this.vectors();
    const md = v.map((vk) => dot(steps.mean, vk));
    if (steps.done) {
      // the axes: the projections, as pca2 makes them
      for (let k = 0; k < 2; k++) for (let i = 0; i < u[k].length; i++) u[k][i] -= md[k];
      this.projections = { x: u[0], y: u[1] };
      return null;
    }
    for (let k = 0; k < 2; k++) {
      let sum = 0;
      for (let i = 0; i < u[k].length; i++) {
        u[k][i] -= md[k];
        sum += u[k][i];
      }
      this.sums[k] = sum;
    }
    return u;
  }

  backward(g: Float64Array[]): void {
    const { mean, rows } = this.steps;
    const c = g.map((gk, k) => {
      const out = new Float64Array(gk.length);
      for (let j = 0; j < gk.length; j++) out[j] = (gk[j] - this.sums[k] * mean[j]) / rows;
      return out;
    });
    this.steps.give(c[0], c[1]);
  }
}

/**
 * The map's PCA: a plot needs 4 significant digits, not converged eigenvectors, so 25 block-power steps bound the
 * cost at 50 passes over the rows (~0.7 s at 5,000 x 4,096) where the default 1e-10 tolerance could take 600.
 */
export const MAP_PCA: Readonly<Required<Pick<Pca2Options, 'maxIterations' | 'tolerance'>>> = { maxIterations: 25, tolerance: 1e-6 };

/** The `map` field of a result: PCA of the strong activations of the W2S-train rows, 4 significant digits. */
export function pcaMap(
  strongW2sTrain: Matrix, rowIndex: ArrayLike<number>, engine?: RowEngine,
): { x: number[]; y: number[]; rowIndex: number[] } {
  if (rowIndex.length !== strongW2sTrain.rows) {
    throw new Error(`pcaMap: ${strongW2sTrain.rows} activation rows but ${rowIndex.length} row indices`);
  }
  return mapOf(pca2(strongW2sTrain, { ...MAP_PCA, engine }), rowIndex);
}

/** The `map` field from the projections (pca2 with MAP_PCA, here or on another thread). */
export function mapOf(p: { x: ArrayLike<number>; y: ArrayLike<number> }, rowIndex: ArrayLike<number>): { x: number[]; y: number[]; rowIndex: number[] } {
  if (p.x.length !== rowIndex.length || p.y.length !== rowIndex.length) {
    throw new Error(`pcaMap: ${p.x.length} projections but ${rowIndex.length} row indices`);
  }
  const round = (v: number) => Number(v.toPrecision(4));
  return { x: Array.from(p.x, round), y: Array.from(p.y, round), rowIndex: Array.from(rowIndex) };
}

/** Engine vectors covTimes works in: its inputs and accumulators. */
interface CovVectors {
  v1: Float64Array;
  v2: Float64Array;
  w1: Float64Array;
  w2: Float64Array;
}

/**
 * [C v1, C v2] with C the covariance (divisor rows), without forming C: C v = X_c^T (X_c v) / rows
 * = (sum_i s_i x_i - (sum_i s_i) mean) / rows with s_i = x_i . v - mean . v, in the engine's vectors `vs` (reused
 * every step; the results are copied out).
 */
function covTimes(engine: RowEngine, vs: CovVectors, mean: Float64Array, v1: Float64Array, v2: Float64Array): [Float64Array, Float64Array] {
  const { rows, cols } = engine;
  const out1 = new Float64Array(cols);
  const out2 = new Float64Array(cols);
  if (rows === 0 || cols === 0) return [out1, out2];
  vs.v1.set(v1);
  vs.v2.set(v2);
  vs.w1.fill(0);
  vs.w2.fill(0);
  const mv1 = dot(mean, v1);
  const mv2 = dot(mean, v2);
  let sum1 = 0;
  let sum2 = 0;
  for (let i = 0; i < rows; i++) {
    const s1 = engine.dot(i, vs.v1, 0) - mv1;
    const s2 = engine.dot(i, vs.v2, 0) - mv2;
    engine.axpy(i, s1, vs.w1, 0);
    engine.axpy(i, s2, vs.w2, 0);
    sum1 += s1;
    sum2 += s2;
  }
  for (let j = 0; j < cols; j++) {
    out1[j] = (vs.w1[j] - sum1 * mean[j]) / rows;
    out2[j] = (vs.w2[j] - sum2 * mean[j]) / rows;
  }
  return [out1, out2];
}

/** Gram-Schmidt in place; a vector that collapses is replaced by a unit basis vector orthogonal to the other. */
function orthonormalise(a: Float64Array, b: Float64Array): void {
  normalise(a, 0);
  const p = dot(a, b);
  for (let j = 0; j < b.length; j++) b[j] -= p * a[j];
  if (!normalise(b, 1)) {
    b.fill(0);
    if (b.length > 1) {
      const k = Math.abs(a[0]) < 0.9 ? 0 : 1;
      b[k] = 1;
      const q = dot(a, b);
      for (let j = 0; j < b.length; j++) b[j] -= q * a[j];
      normalise(b, k);
    }
  }
}

function normalise(a: Float64Array, fallback: number): boolean {
  const n = Math.sqrt(dot(a, a));
  if (!(n > 1e-300)) {
    a.fill(0);
    if (a.length > fallback) a[fallback] = 1;
    return false;
  }
  for (let j = 0; j < a.length; j++) a[j] /= n;
  return true;
}

function fixSign(a: Float64Array): void {
  let k = 0;
  for (let j = 1; j < a.length; j++) if (Math.abs(a[j]) > Math.abs(a[k])) k = j;
  if (a[k] < 0) for (let j = 0; j < a.length; j++) a[j] = -a[j];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}
