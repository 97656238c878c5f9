/**
 * Multi-output ridge regression with an intercept, Y ~ X B + b, in closed form:
 * B = (Xc^T Xc + lambda I)^-1 Xc^T Yc on column-centred X and Y, b = mean(Y) - mean(X) B (the intercept is not
 * penalised). lambda is chosen by generalized cross-validation (Golub, Heath & Wahba 1979) unless given:
 * GCV(lambda) = (RSS / n) / (1 - df / n)^2 with df = 1 + sum_k e_k / (e_k + lambda) over the eigenvalues e_k of
 * Xc^T Xc, one lambda shared by every output column, searched on a log grid of multiples of the mean eigenvalue.
 * With the eigendecomposition Xc^T Xc = V^T diag(e) V (rows of V are eigenvectors) and Q = V Xc^T Yc, every grid
 * point costs O(dimX): RSS(lambda) = ||Yc||^2 - sum_k ||q_k||^2 (e_k + 2 lambda) / (e_k + lambda)^2.
 *
 * Cost: O(n dimX (dimX + dimY)) for the cross products and O(dimX^2 (dimX + dimY)) for the solve; the row passes
 * run through a RowEngine (WebAssembly SIMD over Float32 rows when available).
 */
import { throwIfAborted } from '../errors';
import { symmetricEigenSteps, type SymmetricEigen } from './eigen';
import { axpyRowAt, dotRowAt, sumSquaresRow } from './gemv';
import type { Matrix } from './matrix';
import { rowEngine, type RowEngine } from './rowEngine';
import { simdWorkspace } from './simd';
import { runSteps, runStepsYielding, stepRows, type Steps, type YieldingOptions } from './steps';

/** Default GCV grid: lambda = factor * mean eigenvalue of Xc^T Xc, factors 10^-6 .. 10^3, four per decade. */
export const DEFAULT_GCV_FACTORS: readonly number[] = Array.from({ length: 37 }, (_, i) => 10 ** (-6 + i / 4));

export interface RidgeOptions {
  /** A fixed penalty; when omitted, GCV picks one from `gcvFactors`. */
  lambda?: number;
  /** GCV grid as multiples of the mean eigenvalue of Xc^T Xc. */
  gcvFactors?: readonly number[];
  signal?: AbortSignal;
}

export interface RidgeFit {
  rows: number;
  xCols: number;
  yCols: number;
  lambda: number;
  /** How lambda was set. */
  rule: 'gcv' | 'fixed';
  /** Effective degrees of freedom at lambda, intercept included. */
  df: number;
  /** GCV score at lambda (mean squared residual per row, summed over outputs, inflated by (1 - df/n)^-2). */
  gcv: number;
  /** Residual and total sums of squares over every output (training rows). */
  rss: number;
  tss: number;
  /** yCols x xCols row-major: prediction = coefT x + intercept. */
  coefT: Float64Array;
  intercept: Float64Array;
  meanX: Float64Array;
  meanY: Float64Array;
  /** Of Xc^T Xc (eigenvalues clamped at 0): for leverages. */
  eigen: SymmetricEigen;
}

/** Column means of a matrix (Float64). */
export function columnMeans(m: Matrix): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let i = 0, off = 0; i < m.rows; i++, off += m.cols) axpyRowAt(1, m.data, off, mean, 0, m.cols);
  if (m.rows > 0) for (let j = 0; j < m.cols; j++) mean[j] /= m.rows;
  return mean;
}

/** Fits the ridge map from the rows of x to the rows of y (same row count, at least one row). */
export function fitRidge(x: Matrix, y: Matrix, options: RidgeOptions = {}): RidgeFit {
  return runSteps(fitRidgeSteps(x, y, options));
}

/** fitRidge, letting the event loop run (and a pending abort land) every few milliseconds of work (steps.ts). */
export function fitRidgeAsync(x: Matrix, y: Matrix, options: RidgeOptions & YieldingOptions = {}): Promise<RidgeFit> {
  return runStepsYielding(fitRidgeSteps(x, y, options), options);
}

/** fitRidge as steps (steps.ts): the same arithmetic in the same order, yielding between chunks of rows. */
export function* fitRidgeSteps(x: Matrix, y: Matrix, options: RidgeOptions = {}): Steps<RidgeFit> {
  const n = x.rows;
  const dx = x.cols;
  const dy = y.cols;
  if (y.rows !== n) throw new Error(`fitRidge: ${n} rows of x but ${y.rows} rows of y`);
  if (n === 0) throw new Error('fitRidge: no rows');
  if (options.lambda !== undefined && !(options.lambda >= 0 && Number.isFinite(options.lambda))) {
    throw new Error(`fitRidge: lambda must be a finite number >= 0, got ${options.lambda}`);
  }
  const meanX = columnMeans(x);
  const meanY = columnMeans(y);

  // Uncentred cross products, then the centring correction (Float64 throughout).
  const engine = rowEngine(x, dx * dx + dy * dx, 2);
  const gram = engine.vector(dx * dx);
  const crossT = engine.vector(dy * dx); // Y^T X, dy x dx
  yield* accumulateOuter(engine, x.data, dx, dx, gram, options.signal);
  yield* accumulateOuter(engine, y.data, dy, dy, crossT, options.signal);
  let tss = 0;
  for (let i = 0, yOff = 0; i < n; i++, yOff += dy) {
    for (let c = 0; c < dy; c++) {
      const v = y.data[yOff + c] - meanY[c];
      tss += v * v;
    }
  }
  for (let j = 0; j < dx; j++) axpyRowAt(-n * meanX[j], meanX, 0, gram, j * dx, dx);
  for (let c = 0; c < dy; c++) axpyRowAt(-n * meanY[c], meanX, 0, crossT, c * dx, dx);
  throwIfAborted(options.signal);

  const eigen = yield* symmetricEigenSteps(gram, dx);
  const e = eigen.values;
  for (let k = 0; k < dx; k++) if (!(e[k] > 0)) e[k] = 0; // rounding makes null directions slightly negative
  // V, V^T, S^T X (then the coefficients) and Q^T in one WebAssembly memory for the Float64 SIMD axpy when available
  // (qT then sums in another order than the dot products of the JavaScript path: equal to rounding).
  const ws = simdWorkspace((2 * dx * dx + 2 * dy * dx) * 8);
  const slot = (offset: number, len: number) => (ws ? new Float64Array(ws.f64.buffer, offset * 8, len) : new Float64Array(len));
  const V = slot(0, dx * dx);
  V.set(eigen.vectors);
  const qT = slot(2 * dx * dx, dy * dx);
  const q2 = new Float64Array(dx);
  const coefT = slot(2 * dx * dx + dy * dx, dy * dx);
  const cStep = stepRows(dx * dx); // output columns per step of the dy x dx x dx products below
  if (ws) {
    // qT[c, :] = sum_j crossT[c, j] V^T_j
    const Vt = slot(dx * dx, dx * dx);
    for (let k = 0; k < dx; k++) for (let j = 0; j < dx; j++) Vt[j * dx + k] = V[k * dx + j];
    coefT.set(crossT);
    for (let c = 0; c < dy; c++) {
      for (let j = 0; j < dx; j++) {
        const a = coefT[c * dx + j];
        if (a !== 0) ws.axpy64(a, Vt.byteOffset + j * dx * 8, qT.byteOffset + c * dx * 8, dx);
      }
      if ((c + 1) % cStep === 0) yield;
    }
    coefT.fill(0);
  } else {
    // qT[c * dx + k] = (V Xc^T Yc)[k, c] = V_k . crossT_c
    for (let c = 0; c < dy; c++) {
      for (let k = 0; k < dx; k++) qT[c * dx + k] = dotRowAt(V, k * dx, crossT, c * dx, dx);
      if ((c + 1) % cStep === 0) yield;
    }
  }
  for (let c = 0; c < dy; c++) {
    for (let k = 0; k < dx; k++) {
      const q = qT[c * dx + k];
      q2[k] += q * q;
    }
  }
  throwIfAborted(options.signal);

  const { lambda, rule, df, rss, gcv } = chooseLambda(e, spectrumExplained(e, q2), tss, n, dx, options);

  // coefT[c, :] = sum_k qT[c, k] / (e_k + lambda) V_k
  for (let c = 0; c < dy; c++) {
    for (let k = 0; k < dx; k++) {
      const s = e[k] + lambda;
      if (!(s > 0)) continue;
      const a = qT[c * dx + k] / s;
      if (ws) ws.axpy64(a, V.byteOffset + k * dx * 8, coefT.byteOffset + c * dx * 8, dx);
      else axpyRowAt(a, V, k * dx, coefT, c * dx, dx);
    }
    if ((c + 1) % cStep === 0) yield;
  }
  const intercept = new Float64Array(dy);
  for (let c = 0; c < dy; c++) intercept[c] = meanY[c] - dotRowAt(coefT, c * dx, meanX, 0, dx);
  return { rows: n, xCols: dx, yCols: dy, lambda, rule, df, gcv, rss, tss, coefT, intercept, meanX, meanY, eigen };
}

/** The sums of squares a ridge fit explains, one per lambda asked for. */
export type ExplainedSums = (lambdas: number[]) => Float64Array;

/**
 * ExplainedSums in the eigenbasis: sum_k q2_k (e_k + 2 lambda) / (e_k + lambda)^2, with e the eigenvalues of
 * Xc^T Xc (or of Xc Xc^T: the same nonzero ones) and q2_k = ||q_k||^2.
 */
export function spectrumExplained(e: Float64Array, q2: Float64Array): ExplainedSums {
  return (lambdas) => Float64Array.from(lambdas, (lambda) => {
    let explained = 0;
    for (let k = 0; k < e.length; k++) {
      const s = e[k] + lambda;
      if (s <= 0) continue; // e_k = 0 and lambda = 0: a null direction takes no part
      explained += (q2[k] * (e[k] + 2 * lambda)) / (s * s);
    }
    return explained;
  });
}

/**
 * GCV over the grid (or the fixed lambda): df from e (the nonzero spectrum, eigenvalues of Xc^T Xc or of Xc Xc^T),
 * the explained sums from `explained` (spectrumExplained in the eigenbasis; ridgeGemm.ts's solves in the
 * tridiagonal basis), tss = ||Yc||^2, n rows, dimX columns (the grid's scale is trace / dimX).
 */
export function chooseLambda(
  e: Float64Array, explained: ExplainedSums, tss: number, n: number, dimX: number, options: RidgeOptions,
): { lambda: number; rule: RidgeFit['rule']; df: number; rss: number; gcv: number } {
  const m = e.length;
  const evaluate = (lambda: number, explained: number) => {
    let df = 1;
    for (let k = 0; k < m; k++) {
      const s = e[k] + lambda;
      if (s <= 0) continue;
      df += e[k] / s;
    }
    const rss = Math.max(0, tss - explained);
    const gcv = n - df > 1e-9 * n ? rss / n / (1 - df / n) ** 2 : Infinity;
    return { df, rss, gcv };
  };

  let rule: RidgeFit['rule'];
  let candidates: number[];
  if (options.lambda !== undefined) {
    candidates = [options.lambda];
    rule = 'fixed';
  } else {
    rule = 'gcv';
    let trace = 0;
    for (let k = 0; k < m; k++) trace += e[k];
    const scale = dimX > 0 ? trace / dimX : 0;
    const factors = options.gcvFactors ?? DEFAULT_GCV_FACTORS;
    if (factors.length === 0) throw new Error('fitRidge: empty GCV grid');
    // X constant: every lambda gives the mean
    candidates = scale > 0 ? factors.map((f) => scale * f) : [1];
  }
  const sums = explained(candidates);
  let chosen = candidates.length - 1;
  if (rule === 'gcv' && candidates.length > 1) {
    let best = Infinity;
    for (let c = 0; c < candidates.length; c++) {
      const g = evaluate(candidates[c], sums[c]).gcv;
      if (g < best) {
        best = g;
        chosen = c;
      }
    }
  }
  const lambda = candidates[chosen];
  return { lambda, rule, ...evaluate(lambda, sums[chosen]) };
}

/** Float64 rows of the output per block: a block stays in a typical 256 KB L2 cache while every row of x passes. */
const BLOCK_BYTES = 256 * 1024;
const blockRows = (dx: number) => Math.max(1, Math.floor(BLOCK_BYTES / (8 * Math.max(1, dx))));

/**
 * out[r, :] += sum_i coef[i * stride + r] x_i for r < count (out is count x dx, from the engine over x). Blocked over
 * the output rows, so each block is read and written from cache while the rows of x stream past once per block.
 */
function* accumulateOuter(
  engine: RowEngine, coef: ArrayLike<number>, stride: number, count: number, out: Float64Array, signal?: AbortSignal,
): Steps<void> {
  const n = engine.rows;
  const dx = engine.cols;
  const B = blockRows(dx);
  for (let r0 = 0; r0 < count; r0 += B) {
    throwIfAborted(signal);
    const r1 = Math.min(count, r0 + B);
    const S = stepRows((r1 - r0) * dx);
    for (let i0 = 0; i0 < n; i0 += S) {
      accumulateOuterRows(engine, coef, stride, r0, r1, i0, Math.min(n, i0 + S), out);
      yield;
    }
  }
}

/** accumulateOuter's block r0..r1 over the rows i0..i1 of x (in order). */
function accumulateOuterRows(
  engine: RowEngine, coef: ArrayLike<number>, stride: number, r0: number, r1: number, i0: number, i1: number, out: Float64Array,
): void {
  const dx = engine.cols;
  for (let i = i0, off = i0 * stride; i < i1; i++, off += stride) {
    for (let r = r0; r < r1; r++) {
      const v = coef[off + r];
      if (v !== 0) engine.axpy(i, v, out, r * dx);
    }
  }
}

export interface ResidualOptions {
  /**
   * Divide each residual by (1 - h_i), h_i the leverage of row i (intercept included): the leave-one-out residual
   * of a training row, exact for ridge regression. Only meaningful for the rows the map was fitted on.
   */
  leaveOneOut?: boolean;
  signal?: AbortSignal;
}

/** Per row: the Euclidean norm of y_i - (coefT x_i + intercept). */
export function ridgeResidualNorms(fit: RidgeFit, x: Matrix, y: Matrix, options: ResidualOptions = {}): Float64Array {
  return runSteps(ridgeResidualNormsSteps(fit, x, y, options));
}

/** ridgeResidualNorms, letting the event loop run (and a pending abort land) every few milliseconds (steps.ts). */
export function ridgeResidualNormsAsync(
  fit: RidgeFit, x: Matrix, y: Matrix, options: ResidualOptions & YieldingOptions = {},
): Promise<Float64Array> {
  return runStepsYielding(ridgeResidualNormsSteps(fit, x, y, options), options);
}

/** ridgeResidualNorms as steps (steps.ts): the same arithmetic in the same order, yielding between chunks of rows. */
export function* ridgeResidualNormsSteps(fit: RidgeFit, x: Matrix, y: Matrix, options: ResidualOptions = {}): Steps<Float64Array> {
  const n = x.rows;
  const dx = fit.xCols;
  const dy = fit.yCols;
  if (x.cols !== dx || y.cols !== dy || y.rows !== n) {
    throw new Error(`ridgeResidualNorms: x ${n} x ${x.cols}, y ${y.rows} x ${y.cols}, fit ${dx} -> ${dy}`);
  }
  const loo = options.leaveOneOut === true;
  const engine = rowEngine(x, dy * dx + (loo ? dx * dx : 0), 2);
  const coefT = engine.vector(dy * dx);
  coefT.set(fit.coefT);
  let V: Float64Array | undefined;
  let vMean: Float64Array | undefined;
  let inv: Float64Array | undefined;
  if (loo) {
    V = engine.vector(dx * dx);
    V.set(fit.eigen.vectors);
    vMean = new Float64Array(dx);
    inv = new Float64Array(dx);
    for (let k = 0; k < dx; k++) {
      vMean[k] = dotRowAt(V, k * dx, fit.meanX, 0, dx);
      const s = fit.eigen.values[k] + fit.lambda;
      inv[k] = s > 0 ? 1 / s : 0;
    }
  }
  // Squared residuals and leverages, blocked over the rows of coefT and V (see accumulateOuter).
  const ss = new Float64Array(n);
  const B = blockRows(dx);
  for (let c0 = 0; c0 < dy; c0 += B) {
    throwIfAborted(options.signal);
    const c1 = Math.min(dy, c0 + B);
    const S = stepRows((c1 - c0) * dx);
    for (let i0 = 0; i0 < n; i0 += S) {
      const i1 = Math.min(n, i0 + S);
      for (let i = i0, yOff = i0 * dy; i < i1; i++, yOff += dy) {
        let acc = 0;
        for (let c = c0; c < c1; c++) {
          const r = y.data[yOff + c] - engine.dot(i, coefT, c * dx) - fit.intercept[c];
          acc += r * r;
        }
        ss[i] += acc;
      }
      yield;
    }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(ss[i]);
  if (V && vMean && inv) {
    const h = new Float64Array(n).fill(1 / fit.rows);
    for (let k0 = 0; k0 < dx; k0 += B) {
      throwIfAborted(options.signal);
      const k1 = Math.min(dx, k0 + B);
      const S = stepRows((k1 - k0) * dx);
      for (let i0 = 0; i0 < n; i0 += S) {
        const i1 = Math.min(n, i0 + S);
        for (let i = i0; i < i1; i++) {
          let acc = 0;
          for (let k = k0; k < k1; k++) {
            const z = engine.dot(i, V, k * dx) - vMean[k];
            acc += z * z * inv[k];
          }
          h[i] += acc;
        }
        yield;
      }
    }
    // h = 1 only for an exactly interpolated row (lambda = 0, as many directions as rows): keep the raw norm there.
    for (let i = 0; i < n; i++) if (h[i] < 1 - 1e-12) out[i] /= 1 - h[i];
  }
  return out;
}

/** Euclidean norm of every row of y around the column means `mean` (the residual of the intercept-only map). */
export function centredRowNorms(y: Matrix, mean: Float64Array): Float64Array {
  const out = new Float64Array(y.rows);
  const diff = new Float64Array(y.cols);
  for (let i = 0, off = 0; i < y.rows; i++, off += y.cols) {
    for (let c = 0; c < y.cols; c++) diff[c] = y.data[off + c] - mean[c];
    out[i] = Math.sqrt(sumSquaresRow(diff, 0, y.cols));
  }
  return out;
}
