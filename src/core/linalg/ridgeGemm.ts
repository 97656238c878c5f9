/**
 * The ridge map's leave-one-out residual norms (ridgeLoo.ts: the same numbers, the same two exact routes) with every
 * large product on an injected LinalgKernel (gemm.ts): onnxruntime's Float64 Gemm in the product, so the work that
 * took the WebAssembly rows most of a minute at paper widths (5,000 rows, 1,024 -> 4,096: about 110 G multiply-adds)
 * runs at BLAS speed (issue 14, item 2). What stays in TypeScript is O(min(n, dimX)^3 / 3) of dense symmetric work
 * no ONNX operator does: the eigendecomposition (eigen.ts), and O(n (dimX + dimY)) of elementwise passes.
 *
 * - **primal** (n > dimX): G = Xc^T Xc and C = Xc^T Yc accumulated over blocks of rows (the centred Float64 copy of
 *   a block is bounded, so a million rows never need a Float64 copy of the whole matrix), G = V^T diag(e) V,
 *   Q = V C; GCV on (e, ||q_k||^2); then per block P = Xc V^T, leverages h_i = 1/n + sum_k P_ik^2 / (e_k + lambda),
 *   residuals R = Yc - P diag(1 / (e + lambda)) Q.
 * - **dual** (n <= dimX): K = Xc Xc^T, Sc = Yc Yc^T, K = U^T diag(e) U, S' = U Sc U^T; GCV on (e, e_k S'_kk); then
 *   M = S' diag(g) U, ||r_i||^2 = sum_k g_k U_ki M_ki, h_i = 1/n + sum_k f_k U_ki^2 (ridgeLoo.ts has the algebra).
 *
 * The sums run in another order than ridgeLoo.ts's (blocked BLAS, centred before the products instead of after), so
 * the results agree to rounding, not bitwise (test/unit/linalg/ridgeGemm.test.ts: 1e-9 relative).
 */
import { throwIfAborted } from '../errors';
import { symmetricEigenSteps } from './eigen';
import type { F64Matrix, LinalgKernel } from './gemm';
import type { Matrix } from './matrix';
import { chooseLambda, columnMeans } from './ridge';
import { dualNorms, dualWeights, type RidgeLooOptions, type RidgeLooResult } from './ridgeLoo';
import { macrotask, runStepsYielding, type YieldingOptions } from './steps';

/** Bytes of centred Float64 rows (both sides) per block of the primal route's passes. */
const BLOCK_BYTES = 64 * 1024 * 1024;

/**
 * Rows [from, to) of m minus the column means, as a Float64 matrix, written into `buffer` when given (a view of its
 * start). Fresh memory is expensive to touch the first time (page faults: ~0.5 s per 160 MB on the development
 * machine, more than the arithmetic), so the primal route reuses one buffer per side for every block of both passes.
 */
function centredRows(m: Matrix, mean: Float64Array, from: number, to: number, buffer?: Float64Array): F64Matrix {
  const { cols, data } = m;
  const len = (to - from) * cols;
  const out = buffer ? buffer.subarray(0, len) : new Float64Array(len);
  for (let i = from, o = 0; i < to; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++, o++) out[o] = data[off + j] - mean[j];
  }
  return { rows: to - from, cols, data: out };
}

function sumSquares(a: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * a[t];
  return s;
}

/** Leave-one-out (or plain) residual norms of every training row, as ridgeLooResidualNorms, products on `kernel`. */
export async function ridgeLooResidualNormsGemm(
  x: Matrix, y: Matrix, kernel: LinalgKernel, options: RidgeLooOptions & YieldingOptions = {},
): Promise<RidgeLooResult> {
  const n = x.rows;
  if (y.rows !== n) throw new Error(`fitRidge: ${n} rows of x but ${y.rows} rows of y`);
  if (n === 0) throw new Error('fitRidge: no rows');
  if (options.lambda !== undefined && !(options.lambda >= 0 && Number.isFinite(options.lambda))) {
    throw new Error(`fitRidge: lambda must be a finite number >= 0, got ${options.lambda}`);
  }
  const route = options.route ?? (n <= x.cols ? 'dual' : 'primal');
  return route === 'dual' ? dual(x, y, kernel, options) : primal(x, y, kernel, options);
}

async function primal(x: Matrix, y: Matrix, kernel: LinalgKernel, options: RidgeLooOptions & YieldingOptions): Promise<RidgeLooResult> {
  const { signal } = options;
  const n = x.rows;
  const dx = x.cols;
  const dy = y.cols;
  const leaveOneOut = options.leaveOneOut ?? true;
  const meanX = columnMeans(x);
  const meanY = columnMeans(y);
  const step = Math.max(1, Math.floor(BLOCK_BYTES / (8 * Math.max(1, dx + dy))));

  const xBuf = new Float64Array(Math.min(n, step) * dx);
  const yBuf = new Float64Array(Math.min(n, step) * dy);
  let G: F64Matrix = { rows: dx, cols: dx, data: new Float64Array(dx * dx) };
  let C: F64Matrix = { rows: dx, cols: dy, data: new Float64Array(dx * dy) };
  let tss = 0;
  for (let i0 = 0; i0 < n; i0 += step) {
    throwIfAborted(signal);
    const i1 = Math.min(n, i0 + step);
    const xb = centredRows(x, meanX, i0, i1, xBuf);
    const yb = centredRows(y, meanY, i0, i1, yBuf);
    tss += sumSquares(yb.data);
    if (dx > 0) {
      G = await kernel.gemm(xb, xb, { transA: true, c: G, signal });
      C = await kernel.gemm(xb, yb, { transA: true, c: C, signal });
    }
    await macrotask();
  }
  throwIfAborted(signal);
  const eigen = await runStepsYielding(symmetricEigenSteps(G.data, dx), options);
  const e = eigen.values;
  for (let k = 0; k < dx; k++) if (!(e[k] > 0)) e[k] = 0; // rounding makes null directions slightly negative
  const V: F64Matrix = { rows: dx, cols: dx, data: eigen.vectors };
  const Q = dx > 0 ? await kernel.gemm(V, C, { signal }) : { rows: 0, cols: dy, data: new Float64Array(0) };
  const q2 = new Float64Array(dx);
  for (let k = 0; k < dx; k++) {
    let s = 0;
    for (let c = 0, off = k * dy; c < dy; c++) s += Q.data[off + c] * Q.data[off + c];
    q2[k] = s;
  }
  const { lambda, rule, df, rss, gcv } = chooseLambda(e, q2, tss, n, dx, options);

  // Dq = diag(1 / (e + lambda)) Q (0 where e_k + lambda = 0: a null direction takes no part)
  const inv = new Float64Array(dx);
  const Dq = new Float64Array(dx * dy);
  for (let k = 0; k < dx; k++) {
    const s = e[k] + lambda;
    inv[k] = s > 0 ? 1 / s : 0;
    for (let c = 0, off = k * dy; c < dy; c++) Dq[off + c] = Q.data[off + c] * inv[k];
  }
  const dq: F64Matrix = { rows: dx, cols: dy, data: Dq };
  const norms = new Float64Array(n);
  for (let i0 = 0; i0 < n; i0 += step) {
    throwIfAborted(signal);
    const i1 = Math.min(n, i0 + step);
    const xb = centredRows(x, meanX, i0, i1, xBuf);
    const yb = centredRows(y, meanY, i0, i1, yBuf);
    const P = dx > 0 ? await kernel.gemm(xb, V, { transB: true, signal }) : xb;
    const R = dx > 0 ? await kernel.gemm(P, dq, { alpha: -1, c: yb, beta: 1, signal }) : yb;
    for (let i = i0; i < i1; i++) {
      const r = i - i0;
      let ss = 0;
      for (let c = 0, off = r * dy; c < dy; c++) ss += R.data[off + c] * R.data[off + c];
      let h = 1 / n;
      for (let k = 0, off = r * dx; k < dx; k++) h += P.data[off + k] * P.data[off + k] * inv[k];
      let v = Math.sqrt(ss);
      // h = 1 only for an exactly interpolated row (lambda = 0, as many directions as rows): keep the raw norm there.
      if (leaveOneOut && h < 1 - 1e-12) v /= 1 - h;
      norms[i] = v;
    }
    await macrotask();
  }
  throwIfAborted(signal);
  return { norms, fit: { rows: n, xCols: dx, yCols: dy, lambda, rule, df, gcv, rss, tss, route: 'primal' }, meanY };
}

async function dual(x: Matrix, y: Matrix, kernel: LinalgKernel, options: RidgeLooOptions & YieldingOptions): Promise<RidgeLooResult> {
  const { signal } = options;
  const n = x.rows;
  const dx = x.cols;
  const leaveOneOut = options.leaveOneOut ?? true;
  const meanY = columnMeans(y);
  const xc = centredRows(x, columnMeans(x), 0, n);
  const K = await kernel.gemm(xc, xc, { transB: true, signal });
  const yc = centredRows(y, meanY, 0, n);
  const Sc = await kernel.gemm(yc, yc, { transB: true, signal });
  throwIfAborted(signal);
  const eigen = await runStepsYielding(symmetricEigenSteps(K.data, n), options);
  const e = eigen.values;
  for (let j = 0; j < n; j++) if (!(e[j] > 0)) e[j] = 0;
  const U: F64Matrix = { rows: n, cols: n, data: eigen.vectors };
  const T = await kernel.gemm(U, Sc, { signal });
  const Sp = await kernel.gemm(T, U, { transB: true, signal });
  let tss = 0;
  const q2 = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    tss += Sp.data[r * n + r];
    q2[r] = e[r] * Sp.data[r * n + r];
  }
  const { lambda, rule, df, rss, gcv } = chooseLambda(e, q2, tss, n, dx, options);
  const { g, f } = dualWeights(e, lambda);
  // M = S' diag(g) U; ||r_i||^2 = sum_r g_r U_ri M_ri
  const SpG = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let l = 0; l < n; l++) SpG[r * n + l] = Sp.data[r * n + l] * g[l];
  const M = await kernel.gemm({ rows: n, cols: n, data: SpG }, U, { signal });
  throwIfAborted(signal);
  const norms = dualNorms(U.data, M.data, g, f, n, leaveOneOut);
  return { norms, fit: { rows: n, xCols: dx, yCols: y.cols, lambda, rule, df, gcv, rss, tss, route: 'dual' }, meanY };
}
