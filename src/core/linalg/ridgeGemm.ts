/**
 * The ridge map's leave-one-out residual norms (ridgeLoo.ts: the same numbers, the same two exact routes) with every
 * large product on an injected LinalgKernel (gemm.ts): onnxruntime's Float64 Gemm in the product, so the work that
 * took the WebAssembly rows most of a minute at paper widths (5,000 rows, 1,024 -> 4,096: about 110 G multiply-adds)
 * runs at BLAS speed (issue 14, item 2). What stays in TypeScript is O(min(n, dimX)^3 / 3) of dense symmetric work
 * no ONNX operator does: the eigendecomposition (eigen.ts), and O(n (dimX + dimY)) of elementwise passes.
 *
 * - **primal** (n > dimX): G = Xc^T Xc and C = Xc^T Yc accumulated over blocks of rows (the centred Float64 copy of
 *   a block is bounded, so a million rows never need a Float64 copy of the whole matrix), with Y in column chunks
 *   so that the C and fitted-value products' outputs stay within 16 MiB (`OUT_BYTES`: larger ones are fresh memory, at about
 *   half the speed); G = V^T diag(e) V, Q = V C; GCV on (e, ||q_k||^2); then per block P = Xc V^T, leverages
 *   h_i = 1/n + sum_k P_ik^2 / (e_k + lambda), fitted values F = P diag(1 / (e + lambda)) Q and residuals
 *   y_i - mean - F_i summed straight from Y.
 * - **dual** (n <= dimX): K = Xc Xc^T, Sc = Yc Yc^T, K = U^T diag(e) U, S' = U Sc U^T; GCV on (e, e_k S'_kk); then
 *   M = S' diag(g) U, ||r_i||^2 = sum_k g_k U_ki M_ki, h_i = 1/n + sum_k f_k U_ki^2 (ridgeLoo.ts has the algebra).
 *
 * The sums run in another order than ridgeLoo.ts's (blocked BLAS, centred before the products instead of after), so
 * the results agree to rounding, not bitwise (test/unit/linalg/ridgeGemm.test.ts: 1e-9 relative).
 */
import { throwIfAborted } from '../errors';
import { symmetricEigenSteps, type SymmetricEigen } from './eigen';
import { transpose, type F64Matrix, type LinalgKernel } from './gemm';
import type { Matrix } from './matrix';
import { chooseLambda, columnMeans, spectrumExplained, type ExplainedSums } from './ridge';
import { dualNorms, dualWeights, type RidgeLooOptions, type RidgeLooResult, type RidgeSummary } from './ridgeLoo';
import { macrotask, runStepsYielding, type YieldingOptions } from './steps';
import { explainedSums, factorTridiagonal, quadraticForm, solveInPlace, type TridiagonalFactor } from './tridiagonal';

/** Bytes of centred Float64 rows (both sides) per block of the primal route's passes. */
const BLOCK_BYTES = 64 * 1024 * 1024;

/**
 * Largest Float64 product output (and column chunk of Y) the primal route asks the kernel for. A product whose
 * output is 32 MiB or more gets fresh memory from the system every time (glibc serves such sizes with mmap, and
 * onnxruntime's output becomes a new JavaScript buffer), and touching fresh pages costs about as much as the
 * arithmetic here: the 5,000 x 1,024 -> 4,096 products ran at about half speed with 54 MB outputs
 * (docs/benchmarks.md, "Small product outputs"). Below this size the allocator hands back memory it already touched.
 */
const OUT_BYTES = 16 * 1024 * 1024;

/**
 * Weak widths from which the primal route solves in the tridiagonal basis instead of the eigenbasis: the QL
 * iterations it saves are 45% of a 2,048-wide eigendecomposition (which then outlasts the probes it runs beside),
 * while its solves on the analysing thread (one per GCV lambda over Q) cost more than the QL iterations save at
 * 1,024 columns, where the eigendecomposition (0.8 s) hides beside the probes anyway. docs/benchmarks.md, "The
 * residual detector at a 4,096-wide weak model".
 */
export const TRIDIAGONAL_MIN_COLUMNS = 1536;

/** The primal route's basis for x columns and the options (a fixed lambda = 0 needs the eigenbasis: T may be singular). */
export function primalBasis(dx: number, options: RidgeLooOptions & { basis?: 'eigen' | 'tridiagonal' }): 'eigen' | 'tridiagonal' {
  if (options.lambda === 0) return 'eigen';
  return options.basis ?? (dx >= TRIDIAGONAL_MIN_COLUMNS ? 'tridiagonal' : 'eigen');
}

/** ridgeLooResidualNormsGemm's options: the exact routes', yielding, block sizes, and a Gram matrix begun earlier. */
export type RidgeGemmOptions = RidgeLooOptions & YieldingOptions & RidgeChunking & {
  prepared?: PreparedGram;
  /** The primal route's basis (tests, benches; default `primalBasis`). */
  basis?: 'eigen' | 'tridiagonal';
};

/** Block sizes of the primal route (tests shrink them to reach several blocks and chunks with small matrices). */
export interface RidgeChunking {
  /** Bytes of Float64 rows (X both ways and one chunk of Y) per block of the first pass. */
  blockBytes?: number;
  /** Largest product output in bytes; also bounds a column chunk of Y. */
  outBytes?: number;
}

/**
 * Rows [from, to) of m, columns [c0, c1), minus the column means, as a Float64 matrix written into `buffer` when
 * given (a view of its start). Fresh memory is expensive to touch the first time (page faults: ~0.5 s per 160 MB on
 * the development machine, more than the arithmetic), which is why the primal route reuses its block buffers.
 */
function centredBlock(m: Matrix, mean: Float64Array, from: number, to: number, c0: number, c1: number, buffer?: Float64Array): F64Matrix {
  const { cols, data } = m;
  const w = c1 - c0;
  const out = buffer ? buffer.subarray(0, (to - from) * w) : new Float64Array((to - from) * w);
  for (let i = from, o = 0; i < to; i++) {
    const off = i * cols;
    for (let j = c0; j < c1; j++, o++) out[o] = data[off + j] - mean[j];
  }
  return { rows: to - from, cols: w, data: out };
}

/** The transpose of rows [from, to) of m minus the column means (cols x rows), into `buffer`. */
function centredBlockT(m: Matrix, mean: Float64Array, from: number, to: number, buffer: Float64Array): F64Matrix {
  const { cols, data } = m;
  const r = to - from;
  const out = buffer.subarray(0, r * cols);
  for (let i = from; i < to; i++) {
    const off = i * cols;
    const o = i - from;
    for (let j = 0; j < cols; j++) out[j * r + o] = data[off + j] - mean[j];
  }
  return { rows: cols, cols: r, data: out };
}

function addInto(acc: Float64Array, v: Float64Array): void {
  for (let t = 0; t < acc.length; t++) acc[t] += v[t];
}

function sumSquares(a: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * a[t];
  return s;
}

/** Y's column-chunk width on the primal route. */
function chunkWidth(dx: number, dy: number, chunking: RidgeChunking): number {
  const outValues = Math.max(1, Math.floor((chunking.outBytes ?? OUT_BYTES) / 8));
  return Math.max(1, Math.min(dy, Math.floor(outValues / Math.max(1, dx))));
}

/** Rows per block of the primal route's first pass (X both ways and one chunk of Y within blockBytes). */
function primalStep(n: number, dx: number, dy: number, chunking: RidgeChunking): number {
  const blockValues = Math.max(1, Math.floor((chunking.blockBytes ?? BLOCK_BYTES) / 8));
  return Math.max(1, Math.min(n, Math.floor(blockValues / Math.max(1, 2 * dx + chunkWidth(dx, dy, chunking)))));
}

/** G = Xc^T Xc summed over blocks of `step` rows, in the same order whoever computes it (the same bits). */
async function gramBlocks(
  x: Matrix, meanX: Float64Array, step: number, kernel: LinalgKernel, signal: AbortSignal | undefined, xBuf: Float64Array, xtBuf: Float64Array,
): Promise<Float64Array> {
  const n = x.rows;
  const dx = x.cols;
  const G = new Float64Array(dx * dx);
  for (let i0 = 0; i0 < n; i0 += step) {
    throwIfAborted(signal);
    const i1 = Math.min(n, i0 + step);
    const xb = centredBlock(x, meanX, i0, i1, 0, dx, xBuf);
    const xt = centredBlockT(x, meanX, i0, i1, xtBuf);
    addInto(G, (await kernel.gemm(xt, xb, { signal })).data);
  }
  return G;
}

/**
 * The ridge map's weak-side Gram matrix and its eigendecomposition, begun before the map is needed: the residual
 * detector's X is the weak W2S-train rows, known when the analysis starts, so the eigendecomposition (0.8 s at
 * 1,024 columns, one core) runs on the kernel's other thread beside the probes instead of inside the detection.
 * `ridgeLooResidualNormsGemm(x, y, kernel, { prepared })` uses it when given the same `x` object and the same block
 * size (the same bits as computing it there).
 */
export interface PreparedGram {
  x: Matrix;
  meanX: Float64Array;
  /** Rows per block of G's sum. */
  step: number;
  /** The basis asked for (a primal route wanting the other one does its own). */
  basis: 'eigen' | 'tridiagonal';
  eigen: Promise<SymmetricEigen>;
  /** The block buffers G's sum filled (step x dx each), for the route's own passes (one route at a time): memory already touched. */
  buffers: { x: Float64Array; xt: Float64Array };
}

/**
 * Starts the primal route's eigendecomposition for a map from `x` to a `dy`-column Y; undefined where it would not be
 * used (the dual route: rows <= columns) or cannot run elsewhere (a kernel without `symmetricEigen`).
 */
export async function prepareRidgeGram(
  x: Matrix, dy: number, kernel: LinalgKernel, options: RidgeChunking & { signal?: AbortSignal; lambda?: number; basis?: 'eigen' | 'tridiagonal' } = {},
): Promise<PreparedGram | undefined> {
  const n = x.rows;
  const dx = x.cols;
  if (!kernel.symmetricEigen || n <= dx || dx === 0) return undefined;
  const meanX = columnMeans(x);
  const step = primalStep(n, dx, dy, options);
  const buffers = { x: new Float64Array(step * dx), xt: new Float64Array(step * dx) };
  const G = await gramBlocks(x, meanX, step, kernel, options.signal, buffers.x, buffers.xt);
  const basis = primalBasis(dx, options);
  const eigen = kernel.symmetricEigen({ rows: dx, cols: dx, data: G }, options.signal, { tridiagonal: basis === 'tridiagonal' });
  eigen.catch(() => undefined); // awaited by the map, or dropped with the analysis
  return { x, meanX, step, basis, eigen, buffers };
}

/** Leave-one-out (or plain) residual norms of every training row, as ridgeLooResidualNorms, products on `kernel`. */
export async function ridgeLooResidualNormsGemm(
  x: Matrix, y: Matrix, kernel: LinalgKernel, options: RidgeGemmOptions = {},
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

async function primal(x: Matrix, y: Matrix, kernel: LinalgKernel, options: RidgeGemmOptions): Promise<RidgeLooResult> {
  const { signal } = options;
  const n = x.rows;
  const dx = x.cols;
  const dy = y.cols;
  const leaveOneOut = options.leaveOneOut ?? true;
  const step1 = primalStep(n, dx, dy, options);
  // a Gram matrix begun earlier counts for this x only, summed in this route's blocks (the same bits)
  const basis = primalBasis(dx, options);
  const prepared = options.prepared?.x === x && options.prepared.step === step1 && options.prepared.basis === basis ? options.prepared : undefined;
  const meanX = prepared ? prepared.meanX : columnMeans(x);
  const meanY = columnMeans(y);
  const outValues = Math.max(1, Math.floor((options.outBytes ?? OUT_BYTES) / 8));
  // Y in column chunks of width w, so that C_j = Xc^T Yc_j (dx x w) and the pass-2 products (rows x w) stay small.
  const w = chunkWidth(dx, dy, options);
  const chunks: [number, number][] = [];
  for (let c0 = 0; c0 < dy; c0 += w) chunks.push([c0, Math.min(dy, c0 + w)]);

  // Pass 1: G = Xc^T Xc first, then its eigendecomposition starts (on the kernel's other thread when it has one,
  // or already running since the analysis began: `prepared`) while C_j = Xc^T Yc_j is summed over blocks of rows
  // (each product a fresh output, added here: an addend would make onnxruntime copy it into yet another output).
  // the prepared Gram matrix's block buffers when there is one (fresh memory is slow to touch the first time)
  const xBuf = prepared?.buffers.x ?? new Float64Array(step1 * dx);
  const xtBuf = prepared?.buffers.xt ?? new Float64Array(step1 * dx);
  const yBuf = new Float64Array(step1 * Math.min(w, dy));
  let eigenRun: Promise<SymmetricEigen> | undefined = prepared?.eigen;
  // G's sum shares the block buffers with the pass below: it ends before the pass starts (the eigendecomposition runs on)
  const decompose = (G: Float64Array, which: 'eigen' | 'tridiagonal'): Promise<SymmetricEigen> => {
    const tridiagonal = which === 'tridiagonal';
    return kernel.symmetricEigen
      ? kernel.symmetricEigen({ rows: dx, cols: dx, data: G }, signal, { tridiagonal })
      : runStepsYielding(symmetricEigenSteps(G, dx, { tridiagonal }), options);
  };
  if (!prepared && dx > 0) eigenRun = decompose(await gramBlocks(x, meanX, step1, kernel, signal, xBuf, xtBuf), basis);
  // settled later; a failure here must not be an unhandled rejection while the products run
  eigenRun?.catch(() => undefined);
  const C = chunks.map(([c0, c1]) => new Float64Array(dx * (c1 - c0)));
  let tss = 0;
  for (let i0 = 0; i0 < n; i0 += step1) {
    throwIfAborted(signal);
    const i1 = Math.min(n, i0 + step1);
    if (dx > 0) {
      const xt = centredBlockT(x, meanX, i0, i1, xtBuf);
      for (let j = 0; j < chunks.length; j++) {
        const yb = centredBlock(y, meanY, i0, i1, chunks[j][0], chunks[j][1], yBuf);
        tss += sumSquares(yb.data);
        addInto(C[j], (await kernel.gemm(xt, yb, { signal })).data);
      }
    } else {
      for (const [c0, c1] of chunks) tss += sumSquares(centredBlock(y, meanY, i0, i1, c0, c1, yBuf).data);
    }
    await macrotask();
  }
  throwIfAborted(signal);
  let eigen = eigenRun ? await eigenRun : { dim: 0, values: new Float64Array(0), vectors: new Float64Array(0) };
  throwIfAborted(signal);
  let spectral = await spectralFit(eigen, C, chunks, tss, n, dx, kernel, options);
  if (!spectral) {
    // T + lambda I had a pivot <= 0 (only a near-singular T with a tiny lambda): the eigenbasis handles any spectrum
    eigen = await decompose(await gramBlocks(x, meanX, step1, kernel, signal, xBuf, xtBuf), 'eigen');
    throwIfAborted(signal);
    spectral = await spectralFit(eigen, C, chunks, tss, n, dx, kernel, options);
    if (!spectral) throw new Error('fitRidge: the eigenbasis fit failed');
  }
  const { lambda, rule, df, rss, gcv, dq, leverage } = spectral;
  const V: F64Matrix = { rows: dx, cols: dx, data: eigen.vectors };
  const Vt = dx > 0 ? transpose(V) : V;

  // Pass 2, per block of rows: P = Xc V^T, leverages from P; the fitted values F_j = P Dq_j per chunk, and the
  // residual r_i = y_i - mean - F_i summed here straight from y (no centred copy of Y).
  const step2 = Math.max(1, Math.min(n, Math.floor(outValues / Math.max(1, w, dx))));
  const pBuf = xBuf.length >= step2 * dx ? xBuf : new Float64Array(step2 * dx);
  const ss = new Float64Array(n);
  const norms = new Float64Array(n);
  for (let i0 = 0; i0 < n; i0 += step2) {
    throwIfAborted(signal);
    const i1 = Math.min(n, i0 + step2);
    const P = dx > 0 ? await kernel.gemm(centredBlock(x, meanX, i0, i1, 0, dx, pBuf), Vt, { signal }) : undefined;
    for (let j = 0; j < chunks.length; j++) {
      const [c0, c1] = chunks[j];
      const cw = c1 - c0;
      const F = P ? (await kernel.gemm(P, dq[j], { signal })).data : undefined;
      for (let i = i0; i < i1; i++) {
        const yo = i * dy;
        const fo = (i - i0) * cw;
        let s = 0;
        for (let c = c0; c < c1; c++) {
          const v = y.data[yo + c] - meanY[c] - (F ? F[fo + c - c0] : 0);
          s += v * v;
        }
        ss[i] += s;
      }
    }
    for (let i = i0; i < i1; i++) {
      const h = P ? leverage(P.data, i - i0, 1 / n) : 1 / n;
      let v = Math.sqrt(ss[i]);
      // h = 1 only for an exactly interpolated row (lambda = 0, as many directions as rows): keep the raw norm there.
      if (leaveOneOut && h < 1 - 1e-12) v /= 1 - h;
      norms[i] = v;
    }
    await macrotask();
  }
  throwIfAborted(signal);
  const basisUsed = eigen.tridiagonal ? 'tridiagonal' : 'eigen';
  return { norms, fit: { rows: n, xCols: dx, yCols: dy, lambda, rule, df, gcv, rss, tss, route: 'primal', basis: basisUsed }, meanY };
}

/** The primal route's lambda and what pass 2 needs: the scaled Q_j (Dq_j) and each row's leverage term from P. */
interface SpectralFit {
  lambda: number;
  rule: RidgeSummary['rule'];
  df: number;
  rss: number;
  gcv: number;
  dq: F64Matrix[];
  /** start + p_i^T M^-1 p_i for row `row` of P (rows x dx): the leverage for start = 1/n. */
  leverage: (p: Float64Array, row: number, start: number) => number;
}

/**
 * Q_j = V C_j (V's rows: the eigenvectors, or the tridiagonal form's basis), lambda by GCV, Dq_j = M^-1 Q_j with
 * M = diag(e) + lambda I or T + lambda I. Null when T + lambda I is not positive definite for some lambda needed.
 */
async function spectralFit(
  eigen: SymmetricEigen, C: Float64Array[], chunks: [number, number][], tss: number, n: number, dx: number,
  kernel: LinalgKernel, options: RidgeGemmOptions,
): Promise<SpectralFit | null> {
  const { signal } = options;
  const e = eigen.values;
  for (let k = 0; k < dx; k++) if (!(e[k] > 0)) e[k] = 0; // rounding makes null directions slightly negative
  const V: F64Matrix = { rows: dx, cols: dx, data: eigen.vectors };
  const tri = eigen.tridiagonal;
  // Q_j = V C_j; in the eigenbasis q2_k = ||row k of Q||^2 over every chunk
  const q2 = new Float64Array(dx);
  const Q: Float64Array[] = [];
  for (let j = 0; j < chunks.length; j++) {
    const cw = chunks[j][1] - chunks[j][0];
    const q = dx > 0 ? (await kernel.gemm(V, { rows: dx, cols: cw, data: C[j] }, { signal })).data : new Float64Array(0);
    if (!tri) {
      for (let k = 0; k < dx; k++) {
        let s = 0;
        for (let c = 0, off = k * cw; c < cw; c++) s += q[off + c] * q[off + c];
        q2[k] += s;
      }
    }
    Q.push(q);
  }
  const blocks = Q.map((q, j) => ({ rows: dx, cols: chunks[j][1] - chunks[j][0], data: q }));
  if (tri) {
    // GCV's explained sums by solves with T + lambda I for every lambda of the grid (tridiagonal.ts)
    let singular = false;
    const explainedFor: ExplainedSums = (lambdas) => {
      const factors = lambdas.map((l) => factorTridiagonal(tri.diagonal, tri.sub, l));
      if (factors.some((f) => !f)) {
        singular = true;
        return new Float64Array(lambdas.length);
      }
      return explainedSums(factors as TridiagonalFactor[], lambdas, blocks, dx);
    };
    const choice = chooseLambda(e, explainedFor, tss, n, dx, options);
    const factor = singular ? null : factorTridiagonal(tri.diagonal, tri.sub, choice.lambda);
    if (!factor) return null;
    for (const b of blocks) solveInPlace(factor, b.data, dx, b.cols);
    return { ...choice, dq: blocks, leverage: (p, row, start) => start + quadraticForm(factor, p, row, dx) };
  }
  const choice = chooseLambda(e, spectrumExplained(e, q2), tss, n, dx, options);
  // Dq_j = diag(1 / (e + lambda)) Q_j (0 where e_k + lambda = 0: a null direction takes no part)
  const inv = new Float64Array(dx);
  for (let k = 0; k < dx; k++) {
    const s = e[k] + choice.lambda;
    inv[k] = s > 0 ? 1 / s : 0;
  }
  for (const b of blocks) {
    const { cols, data } = b;
    for (let k = 0; k < dx; k++) for (let c = 0, off = k * cols; c < cols; c++) data[off + c] *= inv[k];
  }
  const leverage = (p: Float64Array, row: number, start: number) => {
    let h = start;
    for (let k = 0, off = row * dx; k < dx; k++) h += p[off + k] * p[off + k] * inv[k];
    return h;
  };
  return { ...choice, dq: blocks, leverage };
}

async function dual(x: Matrix, y: Matrix, kernel: LinalgKernel, options: RidgeLooOptions & YieldingOptions): Promise<RidgeLooResult> {
  const { signal } = options;
  const n = x.rows;
  const dx = x.cols;
  const leaveOneOut = options.leaveOneOut ?? true;
  const meanY = columnMeans(y);
  const xc = centredBlock(x, columnMeans(x), 0, n, 0, x.cols);
  const K = await kernel.gemm(xc, xc, { transB: true, signal });
  const yc = centredBlock(y, meanY, 0, n, 0, y.cols);
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
  const { lambda, rule, df, rss, gcv } = chooseLambda(e, spectrumExplained(e, q2), tss, n, dx, options);
  const { g, f } = dualWeights(e, lambda);
  // M = S' diag(g) U; ||r_i||^2 = sum_r g_r U_ri M_ri
  const SpG = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let l = 0; l < n; l++) SpG[r * n + l] = Sp.data[r * n + l] * g[l];
  const M = await kernel.gemm({ rows: n, cols: n, data: SpG }, U, { signal });
  throwIfAborted(signal);
  const norms = dualNorms(U.data, M.data, g, f, n, leaveOneOut);
  return { norms, fit: { rows: n, xCols: dx, yCols: y.cols, lambda, rule, df, gcv, rss, tss, route: 'dual' }, meanY };
}
