/**
 * Leave-one-out residual norms of the ridge map x -> y on its own training rows (the residual detector's whole
 * need), the same numbers as `fitRidge` + `ridgeResidualNorms(..., { leaveOneOut: true })` (ridge.ts) by the cheaper
 * of two exact routes:
 *
 * - **dual** (rows n <= dimX): everything in n dimensions. K = Xc Xc^T = U^T diag(e) U (rows of U are eigenvectors)
 *   has the nonzero eigenvalues of Xc^T Xc, so GCV sees the same spectrum; with Sc = Yc Yc^T and S' = U Sc U^T,
 *   ||q_k||^2 = e_k S'_kk, the residuals are (I - H) Yc with I - H = U^T diag(g) U, g_k = lambda / (e_k + lambda),
 *   so ||r_i||^2 = sum_{k,l} g_k U_ki S'_kl g_l U_li, and the leverages are h_i = 1/n + sum_k f_k U_ki^2,
 *   f_k = 1 - g_k. No dimX x dimX or dimY x dimX matrix is formed: the cost is n^2 (dimX + dimY) / 2 multiply-adds
 *   for the two Gram matrices (WebAssembly SIMD rows) plus O(n^3) for the eigendecomposition and three n x n products,
 *   instead of n dimX (dimX + 2 dimY) + 2 dimX^2 dimY + O(dimX^3).
 * - **primal** (n > dimX): ridge.ts as it is (the dimX x dimX Gram matrix and its eigendecomposition).
 */
import { throwIfAborted } from '../errors';
import { symmetricEigenSteps } from './eigen';
import { axpyRowAt, dotRowAt } from './gemv';
import type { Matrix } from './matrix';
import { chooseLambda, fitRidgeSteps, ridgeResidualNormsSteps, spectrumExplained, type RidgeFit, type RidgeOptions } from './ridge';
import { rowEngine } from './rowEngine';
import { simdWorkspace } from './simd';
import { runSteps, runStepsYielding, stepRows, type Steps, type YieldingOptions } from './steps';

/** What the residual detector reports about its map (the coefficients themselves are never formed on the dual route). */
export type RidgeSummary = Pick<RidgeFit, 'rows' | 'xCols' | 'yCols' | 'lambda' | 'rule' | 'df' | 'gcv' | 'rss' | 'tss'> & {
  /** Which exact route computed it (see the file comment). */
  route: 'dual' | 'primal';
  /** The primal route on a kernel (ridgeGemm.ts): the basis it solved in, eigenvectors or the tridiagonal form's. */
  basis?: 'eigen' | 'tridiagonal';
};

export interface RidgeLooOptions extends RidgeOptions {
  /** Divide by 1 - h_i (default true); false gives the plain training residual norms. */
  leaveOneOut?: boolean;
  /** Force a route (tests, benches); default: dual when rows <= x columns. */
  route?: 'dual' | 'primal';
}

export interface RidgeLooResult {
  norms: Float64Array;
  fit: RidgeSummary;
  meanY: Float64Array;
}

/** Float64 rows per block of a Gram matrix: the block stays in a 256 KB L2 cache while the other rows stream past. */
const blockRows = (d: number) => Math.max(1, Math.floor((256 * 1024) / (8 * Math.max(1, d))));

/** Column means and the centred Gram matrix M_c M_c^T (n x n, symmetric) of the rows of m. */
function* centredGram(m: Matrix, signal?: AbortSignal): Steps<{ gram: Float64Array; mean: Float64Array }> {
  const n = m.rows;
  const d = m.cols;
  const engine = rowEngine(m, n * d + d, 2);
  const rows64 = engine.vector(n * d);
  for (let k = 0; k < n * d; k++) rows64[k] = m.data[k];
  const mean = engine.vector(d);
  for (let i = 0; i < n; i++) axpyRowAt(1, rows64, i * d, mean, 0, d);
  for (let j = 0; j < d; j++) mean[j] /= n;
  const gram = new Float64Array(n * n);
  const B = blockRows(d);
  for (let j0 = 0; j0 < n; j0 += B) {
    throwIfAborted(signal);
    const j1 = Math.min(n, j0 + B);
    const S = stepRows((j1 - j0) * d);
    for (let i0 = j0; i0 < n; i0 += S) {
      const i1 = Math.min(n, i0 + S);
      for (let i = i0; i < i1; i++) {
        const jEnd = Math.min(j1, i + 1);
        for (let j = j0; j < jEnd; j++) gram[i * n + j] = engine.dot(i, rows64, j * d);
      }
      yield;
    }
  }
  // (x_i - m).(x_j - m) = x_i.x_j - a_i - a_j + m.m with a_i = x_i.m
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = engine.dot(i, mean, 0);
  const c = dotRowAt(mean, 0, mean, 0, d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = gram[i * n + j] - a[i] - a[j] + c;
      gram[i * n + j] = v;
      gram[j * n + i] = v;
    }
  }
  return { gram, mean: Float64Array.from(mean) };
}

/** Leave-one-out (or plain) residual norms of every training row of the ridge map x -> y, with the fit's summary. */
export function ridgeLooResidualNorms(x: Matrix, y: Matrix, options: RidgeLooOptions = {}): RidgeLooResult {
  return runSteps(ridgeLooResidualNormsSteps(x, y, options));
}

/**
 * ridgeLooResidualNorms, letting the event loop run every few milliseconds of work and then checking the signal
 * (steps.ts), so a cancel click lands within one slice instead of when the fit ends. Bitwise the same results.
 */
export function ridgeLooResidualNormsAsync(x: Matrix, y: Matrix, options: RidgeLooOptions & YieldingOptions = {}): Promise<RidgeLooResult> {
  return runStepsYielding(ridgeLooResidualNormsSteps(x, y, options), options);
}

/** ridgeLooResidualNorms as steps (steps.ts): yields between chunks of rows. */
export function* ridgeLooResidualNormsSteps(x: Matrix, y: Matrix, options: RidgeLooOptions = {}): Steps<RidgeLooResult> {
  const n = x.rows;
  const leaveOneOut = options.leaveOneOut ?? true;
  const route = options.route ?? (n <= x.cols ? 'dual' : 'primal');
  if (route === 'primal' || n === 0 || y.rows !== n || x.cols === 0) {
    const fit = yield* fitRidgeSteps(x, y, options); // also throws the shape errors
    const norms = yield* ridgeResidualNormsSteps(fit, x, y, { leaveOneOut, signal: options.signal });
    const { rows, xCols, yCols, lambda, rule, df, gcv, rss, tss } = fit;
    return { norms, fit: { rows, xCols, yCols, lambda, rule, df, gcv, rss, tss, route: 'primal' }, meanY: fit.meanY };
  }
  if (options.lambda !== undefined && !(options.lambda >= 0 && Number.isFinite(options.lambda))) {
    throw new Error(`fitRidge: lambda must be a finite number >= 0, got ${options.lambda}`);
  }
  const dx = x.cols;
  const { signal } = options;
  const k = (yield* centredGram(x, signal)).gram;
  const { gram: scGram, mean: meanY } = yield* centredGram(y, signal);
  throwIfAborted(signal);
  const eigen = yield* symmetricEigenSteps(k, n);
  const e = eigen.values;
  for (let j = 0; j < n; j++) if (!(e[j] > 0)) e[j] = 0;
  throwIfAborted(signal);
  // U, Sc and T in one WebAssembly memory for the Float64 SIMD axpy (bitwise the JavaScript loop's sums).
  const ws = simdWorkspace(3 * n * n * 8);
  const rows64 = (slot: number) => (ws ? new Float64Array(ws.f64.buffer, slot * n * n * 8, n * n) : new Float64Array(n * n));
  const U = rows64(0);
  U.set(eigen.vectors);
  const sc = rows64(1);
  sc.set(scGram);
  const axpy = ws
    ? (alpha: number, x: Float64Array, xRow: number, out: Float64Array, outRow: number) =>
      ws.axpy64(alpha, x.byteOffset + xRow * n * 8, out.byteOffset + outRow * n * 8, n)
    : (alpha: number, x: Float64Array, xRow: number, out: Float64Array, outRow: number) => axpyRowAt(alpha, x, xRow * n, out, outRow * n, n);

  // T = U Sc (row k: sum_j U_kj Sc_j), S' = T U^T (symmetric), q2_k = e_k S'_kk
  const T = rows64(2);
  const rStep = stepRows(n * n); // rows per step of the n x n x n products below
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < n; j++) {
      const u = U[r * n + j];
      if (u !== 0) axpy(u, sc, j, T, r);
    }
    if ((r + 1) % rStep === 0) yield;
  }
  throwIfAborted(signal);
  const Sp = sc; // Sc is no longer needed
  for (let r = 0; r < n; r++) {
    for (let l = 0; l <= r; l++) {
      const v = dotRowAt(T, r * n, U, l * n, n);
      Sp[r * n + l] = v;
      Sp[l * n + r] = v;
    }
    if ((r + 1) % rStep === 0) yield;
  }
  throwIfAborted(signal);
  let tss = 0;
  for (let r = 0; r < n; r++) tss += Sp[r * n + r];
  const q2 = new Float64Array(n);
  for (let r = 0; r < n; r++) q2[r] = e[r] * Sp[r * n + r];

  const { lambda, rule, df, rss, gcv } = chooseLambda(e, spectrumExplained(e, q2), tss, n, dx, options);

  const { g, f } = dualWeights(e, lambda);
  // M^T = S' diag(g) U (row r: sum_l S'_rl g_l U_l); ||r_i||^2 = sum_r g_r U_ri M^T_ri
  const M = T; // T is no longer needed
  M.fill(0);
  for (let r = 0; r < n; r++) {
    for (let l = 0; l < n; l++) {
      const w = Sp[r * n + l] * g[l];
      if (w !== 0) axpy(w, U, l, M, r);
    }
    if ((r + 1) % rStep === 0) yield;
  }
  throwIfAborted(signal);
  const norms = dualNorms(U, M, g, f, n, leaveOneOut);
  return { norms, fit: { rows: n, xCols: dx, yCols: y.cols, lambda, rule, df, gcv, rss, tss, route: 'dual' }, meanY };
}

/**
 * The dual route's last step (also ridgeGemm.ts's): ||r_i||^2 = sum_k g_k U_ki M_ki, h_i = 1/n + sum_k f_k U_ki^2,
 * norms sqrt(||r_i||^2), divided by 1 - h_i for leave-one-out (kept raw where h_i = 1: an interpolated row).
 */
export function dualNorms(
  U: Float64Array, M: Float64Array, g: Float64Array, f: Float64Array, n: number, leaveOneOut: boolean,
): Float64Array {
  const ss = new Float64Array(n);
  const h = new Float64Array(n).fill(1 / n);
  for (let r = 0; r < n; r++) {
    const gr = g[r];
    const fr = f[r];
    for (let i = 0; i < n; i++) {
      const u = U[r * n + i];
      ss[i] += gr * u * M[r * n + i];
      h[i] += fr * u * u;
    }
  }
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    norms[i] = Math.sqrt(Math.max(0, ss[i]));
    if (leaveOneOut && h[i] < 1 - 1e-12) norms[i] /= 1 - h[i];
  }
  return norms;
}

/** g_k = lambda / (e_k + lambda) (1 where e_k + lambda = 0) and f_k = e_k / (e_k + lambda): I - H and H in U's basis. */
export function dualWeights(e: Float64Array, lambda: number): { g: Float64Array; f: Float64Array } {
  const n = e.length;
  const g = new Float64Array(n);
  const f = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const s = e[j] + lambda;
    f[j] = s > 0 ? e[j] / s : 0;
    g[j] = s > 0 ? lambda / s : 1;
  }
  return { g, f };
}
