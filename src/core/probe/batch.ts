/**
 * Many probes on row subsets of one activation matrix, fitted together (the mixing experiment: 11 proportions x
 * seeds + random baselines on the same W2S-train rows). Each fit is its own L-BFGS run (own memory, line search and
 * stopping rule, same gradient tolerance) over its own objective; what they share is the matrix and the pass over
 * it. Every round, each running fit announces the first trial point of its coming line search (`prepare`), and one
 * blocked pass over the shared rows evaluates all of them: a block of rows is read from memory once and reused from
 * cache by every fit whose subset has rows in it, instead of every fit streaming its own copy of the matrix. Fits that
 * stop leave the batch. Rows of each subset are visited in ascending order, so a batched fit computes exactly what a
 * separate fit on the sorted rows computes (test/unit/probe/batch.test.ts).
 *
 * With a LinalgKernel (`linalg`; onnxruntime's Gemm, MLAS DGEMM, from the inference layer), a round is two dense
 * products over all shared rows instead: U = X [D | W] (n x K, one column per running fit: its line search's
 * direction, or for a fit's first evaluation its start point) and X^T R (d x K), R holding each fit's residuals at
 * its pending point on its own rows and 0 elsewhere. A fit's pending z is then z + t u (its line search computes
 * every later trial that way too, and gets this u, so those stay O(n)); the biases are added here. A fit whose line
 * search accepts a later trial yields once more (`prepareGradient`) and gets the gradient there from the next
 * round's X^T R instead of a pass of its own. X goes to the kernel once per call (`shareMatrix`: Float32 rows held as
 * Float32, `upload` keeping them there when the kernel can; released at the end, also on error or cancel). The last
 * few fits (their rows less than twice X's) go back to the blocked pass, which reads only their rows, unless the row
 * engine is the JavaScript one (then the products stay quicker to the end). Each fit still runs its own L-BFGS to the
 * same gradient tolerance, but the sums are in another order, so the probes equal the separate fits' to the
 * tolerance, not bitwise (test/unit/probe/batchGemm.test.ts).
 *
 * The product rounds are float32 products first (`float32`, on when X is Float32 and the kernel can hold it so):
 * MLAS multiplies in float32 twice as fast as in Float64, and the fits' sums then carry float32's rounding, about
 * 1e-9 of a gradient entry at bench/core's shapes, far under the 1e-6 stop. A fit whose L-BFGS stops on them is not
 * done: once no fit runs on float32 any more, those that stopped go on from their weights with Float64 products, a
 * fresh L-BFGS whose first evaluation recomputes the logits and the gradient in Float64. Where the float32 stop holds
 * in Float64 (the usual case) that one evaluation ends the fit; otherwise it runs on in Float64 to the same
 * tolerance. Every probe's stop is thus checked in Float64, in one round for all of them where the stops hold: the
 * Float64 products widen X a block of rows at a time (gemmByRowBlocks, no Float64 copy of X), slower per round than
 * the float32 ones, so the fewer such rounds the better.
 *
 * Two classes fit the logistic objective (one logit, one column of each product per fit); more classes the softmax
 * objective, C columns per fit (pending.ts). Fits whose L-BFGS memory adds up to more than BATCH_BYTES (or whose
 * product outputs to more than BATCH_OUTPUT_VALUES) run in groups, one group after the other (batchGroupSize), their
 * L-BFGS vectors in slots of one memory that every group reuses.
 */
import { throwIfAborted } from '../encoder';
import { asF64, isResident, type GemmOperand, type LinalgKernel, type ProductRider } from '../linalg/gemm';
import type { Matrix } from '../linalg/matrix';
import { engineFor, type RowEngine } from '../linalg/rowEngine';
import { LbfgsArena, lbfgsIterations, type LbfgsResult } from './lbfgs';
import { LogisticObjective, sigmoid } from './logistic';
import type { BatchedObjective } from './pending';
import { SoftmaxObjective } from './softmax';
import { softmaxInPlace } from './metrics';
import { InputError } from '../errors';
import { polishPasses, softmaxRowCurvature, type PolishResult } from './newton';
import {
  DEFAULT_L2, lbfgsOptions, logitsPerRow, polished, polishTol, startPoint, toProbe, validateProbeInput, withPolish, type Probe,
  type ProbeOptions,
} from './probe';

export interface SubsetFit {
  /** Rows of X (any order, no repeats). */
  rows: Int32Array;
  /** Soft targets, rows.length x C, in the order of `rows`. */
  targets: Float64Array;
}

export interface BatchOptions extends ProbeOptions {
  /** Called when fit k has finished. */
  onFit?: (k: number) => void;
  /**
   * Called once when the dense products are over (the last fits go on on the rows, one core; or every fit has
   * finished): the analysis starts its map on the other thread then, where it no longer competes with the products.
   */
  onProductsDone?: () => void;
  /** Bytes of matrix rows per block of the batched pass (default 256 KiB: a block stays in a core's L2 cache). */
  blockBytes?: number;
  /**
   * Dense products for the two-class fits (two GEMMs per round over the shared rows); absent: the blocked
   * WebAssembly pass.
   */
  linalg?: LinalgKernel;
  /**
   * X as `linalg`'s operand, made by the caller with `shareMatrix` (and released by it): several batches over one
   * matrix then pay for its Float64 copy once. Absent: each batch makes and releases its own.
   */
  shared?: GemmOperand;
  /**
   * More columns for the product rounds (the result's map: pca.ts's Pca2Rider), multiplied with the fits' as long as
   * the rounds go on the products; the rider keeps its own state (whatever it did not finish is its caller's).
   */
  rider?: ProductRider;
  /** L-BFGS memory per group of fits (default BATCH_BYTES; tests shrink it to reach several groups). */
  groupBytes?: number;
  /**
   * Float32 product rounds first, each fit finished in Float64 (see above). Default true; on only with `linalg`,
   * Float32 rows and a kernel that can hold them (`upload`, `release`).
   */
  float32?: boolean;
}

/** A batch's products: the kernel, X as its Float64 operand, and X as Float32 for the float32 rounds (if any). */
interface Products {
  kernel: LinalgKernel;
  x: GemmOperand;
  x32?: GemmOperand;
}

/** Rows ascending, targets permuted alike. */
function sorted(fit: SubsetFit, C: number): { rows: Int32Array; targets: Float64Array } {
  const order = Array.from(fit.rows.keys()).sort((a, b) => fit.rows[a] - fit.rows[b]);
  const rows = new Int32Array(order.length);
  const targets = new Float64Array(order.length * C);
  order.forEach((o, k) => {
    rows[k] = fit.rows[o];
    for (let c = 0; c < C; c++) targets[k * C + c] = fit.targets[o * C + c];
  });
  return { rows, targets };
}

/** One blocked pass evaluating every objective at its pending point. */
function batchedPass(objs: BatchedObjective[], n: number, blockRows: number): void {
  const cursor = new Int32Array(objs.length);
  for (const obj of objs) obj.beginPending();
  for (let lo = 0; lo < n; lo += blockRows) {
    const hi = Math.min(n, lo + blockRows);
    for (let k = 0; k < objs.length; k++) {
      const obj = objs[k];
      const rows = obj.rows!;
      const from = cursor[k];
      let to = from;
      while (to < rows.length && rows[to] < hi) to++;
      if (to > from) obj.passRows(from, to, obj.pendingZ());
      cursor[k] = to;
    }
  }
  for (const obj of objs) obj.finishPending();
}

/**
 * X for the kernel, once per batch (or per caller), uploaded when the kernel keeps matrices: Float32 rows held as
 * Float32 (in process the rows themselves, no copy), which float32 products use as they are and Float64 ones widen a
 * block of rows at a time (gemmByRowBlocks); Float64 rows as they are. Without uploads, a Float64 matrix.
 */
export async function shareMatrix(x: Matrix, kernel: LinalgKernel, signal?: AbortSignal): Promise<GemmOperand> {
  if (!kernel.upload || !kernel.release) return asF64(x);
  return kernel.upload(x, signal, undefined, x.data instanceof Float32Array);
}

/**
 * Class probabilities (rows x C, like predictProbabilities) of probes on the rows of `x`, a kernel operand (the
 * uploaded test rows): one product X W for all of them instead of one pass over the rows per probe.
 *
 * With `rows` (x's rows as a Float32 matrix, x uploaded as Float32) the product runs in float32, and every row whose
 * decision its rounding could change is recomputed exactly: a float32 dot product of d terms, the weights rounded to
 * float32 and the sum rounded once more, is off by at most about (d + 3) 2^-24 sum_j |x_j w_j| <= (d + 3) 2^-24
 * |x| |w|; taking twice (d + 4) 2^-24 |x| |w| as the bound, a row whose largest logit is not ahead of every other by
 * both logits' bounds (two classes: whose logit is within its bound of 0) gets its logits from a Float64 dot product
 * over its Float32 values. The predicted classes, and so the accuracies, are those of Float64 logits; the
 * probabilities elsewhere carry float32's rounding (~1e-7).
 */
export async function predictOnKernel(
  probes: readonly Probe[], x: GemmOperand, kernel: LinalgKernel, signal?: AbortSignal, rows?: Matrix,
): Promise<Float64Array[]> {
  const d = x.cols;
  for (const p of probes) {
    if (p.dim !== d) throw new InputError(`the probe was fitted on ${p.dim}-dimensional activations, these have ${d}`);
  }
  if (rows && (rows.rows !== x.rows || rows.cols !== d)) throw new Error(`predictOnKernel: ${rows.rows} x ${rows.cols} rows for a ${x.rows} x ${d} operand`);
  if (probes.length === 0) return [];
  const widths = probes.map((p) => (p.kind === 'logistic' ? 1 : p.numClasses));
  const K = widths.reduce((a, b) => a + b, 0);
  const W = new Float64Array(d * K);
  for (let j = 0; j < d; j++) {
    let o = j * K;
    probes.forEach((p, k) => {
      for (let c = 0; c < widths[k]; c++) W[o++] = p.weights[c * d + j];
    });
  }
  const Z = (await kernel.gemm(x, { rows: d, cols: K, data: W }, { signal, float32: rows !== undefined })).data;
  const n = x.rows;
  // per row and logit, the bound of its float32 error (rows only): 2 (d + 4) 2^-24 |x_i| |w_c|
  let rowNorm: Float64Array | undefined;
  let weightNorm: Float64Array | undefined;
  if (rows) {
    rowNorm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = i * d; j < i * d + d; j++) s += rows.data[j] * rows.data[j];
      rowNorm[i] = Math.sqrt(s) * 2 * (d + 4) * 2 ** -24;
    }
    weightNorm = new Float64Array(K);
    for (let j = 0; j < d; j++) for (let c = 0; c < K; c++) weightNorm[c] += W[j * K + c] * W[j * K + c];
    for (let c = 0; c < K; c++) weightNorm[c] = Math.sqrt(weightNorm[c]);
  }
  /** Logits at..at+w-1 of row i from a Float64 dot product over the row's values (into Z). */
  const exact = (i: number, at: number, w: number) => {
    for (let c = at; c < at + w; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += rows!.data[i * d + j] * W[j * K + c];
      Z[i * K + c] = s;
    }
  };
  let col = 0;
  return probes.map((p, k) => {
    const at = col;
    col += widths[k];
    if (p.kind === 'logistic') {
      const b = p.bias[0];
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        if (rows && Math.abs(Z[i * K + at] + b) <= rowNorm![i] * weightNorm![at]) exact(i, at, 1);
        const q = sigmoid(Z[i * K + at] + b);
        out[2 * i] = 1 - q;
        out[2 * i + 1] = q;
      }
      return out;
    }
    const C = p.numClasses;
    const out = new Float64Array(C * n);
    for (let i = 0; i < n; i++) {
      if (rows) {
        let top = 0;
        for (let c = 1; c < C; c++) if (Z[i * K + at + c] + p.bias[c] > Z[i * K + at + top] + p.bias[top]) top = c;
        const low = Z[i * K + at + top] + p.bias[top] - rowNorm![i] * weightNorm![at + top];
        for (let c = 0; c < C; c++) {
          if (c !== top && Z[i * K + at + c] + p.bias[c] + rowNorm![i] * weightNorm![at + c] >= low) {
            exact(i, at, C);
            break;
          }
        }
      }
      for (let c = 0; c < C; c++) out[i * C + c] = Z[i * K + at + c] + p.bias[c];
      softmaxInPlace(out, i * C, C);
    }
    return out;
  });
}

/** Gives back what `shareMatrix` made (nothing to do for a plain Float64 matrix). */
export async function releaseShared(kernel: LinalgKernel, m: GemmOperand): Promise<void> {
  if (isResident(m) && kernel.release) await kernel.release(m);
}

/**
 * One round on the kernel. A fit at a new point gets `width` columns of U = X V: for a point from its line search
 * (`pendingStep`) V holds the direction and z + t u is its z (u kept for the line's later trials); for its start
 * point V holds the weights and z = X W^T + b. A fit whose line search accepted a later trial (`gradientLine`)
 * already has its z; it only needs the gradient there. Then one X^T R serves all of them (`width` columns each).
 */
/**
 * The operands a batch's rounds build, kept from round to round (V^T and R: ~1.2 and ~1.5 MB at bench/core's mixing,
 * 92 rounds): Float32 for a float32 round, which the kernel then takes as they are (no conversion of its own: the
 * values are rounded to float32 either way), Float64 otherwise. And the products' outputs (U and the gradients, Float64,
 * GemmOptions.into): a kernel that writes them there takes no fresh memory per round.
 */
class RoundBuffers {
  private readonly held = new Map<string, Float32Array | Float64Array>();

  /** `values` values of this precision (zeroed when `zero`), valid until the next call for the same name. */
  get(name: 'vt' | 'r' | 'u' | 'g', values: number, float32: boolean, zero: boolean): Float32Array | Float64Array {
    const key = `${name}${float32 ? 32 : 64}`;
    let b = this.held.get(key);
    if (!b || b.length < values) {
      b = float32 ? new Float32Array(values) : new Float64Array(values);
      this.held.set(key, b);
      return b.subarray(0, values);
    }
    const part = b.subarray(0, values);
    if (zero) part.fill(0);
    return part;
  }
}

async function productPass(
  objs: BatchedObjective[], kernel: LinalgKernel, x: GemmOperand, float32: boolean, buffers: RoundBuffers, signal?: AbortSignal,
  rider?: ProductRider,
): Promise<void> {
  const { rows: n, cols: d } = x;
  const lines = objs.map((obj) => obj.gradientLine);
  const points = objs.filter((_, k) => !lines[k]);
  const fitP = points.reduce((sum, obj) => sum + obj.width, 0);
  const riding = rider?.vectors() ?? [];
  const P = fitP + riding.length;
  let U: Float64Array = new Float64Array(0);
  let riderS: Float64Array[] | null = null;
  if (P > 0) {
    // V^T (P x d): each fit's weight rows (its direction's, or its start point's) one after the other, copied whole,
    // and the product takes it transposed (as fast as V itself: docs/benchmarks.md, "More than two classes"); the
    // rider's vectors last
    const Vt = buffers.get('vt', P * d, float32, false); // every value written below
    let o = 0;
    for (const obj of points) {
      const v = obj.pendingStep?.dir ?? obj.pending!;
      Vt.set(v.subarray(0, obj.width * d), o);
      o += obj.width * d;
    }
    for (const v of riding) {
      Vt.set(v, o);
      o += d;
    }
    const into = buffers.get('u', n * P, false, false) as Float64Array;
    U = (await kernel.gemm(x, { rows: P, cols: d, data: Vt }, { transB: true, float32, signal, into })).data;
    if (riding.length > 0) {
      const u = riding.map((_, k) => {
        const col = new Float64Array(n);
        for (let i = 0; i < n; i++) col[i] = U[i * P + fitP + k];
        return col;
      });
      riderS = rider!.forward(u);
    }
  }
  const fitK = objs.reduce((sum, obj) => sum + obj.width, 0);
  const S = riderS?.length ?? 0;
  const K = fitK + S;
  const R = buffers.get('r', n * K, float32, true);
  let p = 0;
  let col = 0;
  objs.forEach((obj, k) => {
    const w = obj.width;
    const line = lines[k];
    if (line) {
      line.gradientResiduals(R, K, col);
      col += w;
      return;
    }
    obj.beginPending();
    const rows = obj.rows!;
    const z = obj.pendingZ();
    const step = obj.pendingStep;
    const bOff = w * d;
    if (step) {
      const u = obj.pendingU();
      const { t, dir } = step;
      const z0 = obj.z;
      for (let i = 0; i < rows.length; i++) {
        const at = rows[i] * P + p;
        for (let c = 0; c < w; c++) {
          const ui = U[at + c] + dir[bOff + c];
          u[i * w + c] = ui;
          z[i * w + c] = z0[i * w + c] + t * ui;
        }
      }
    } else {
      const point = obj.pending!;
      for (let i = 0; i < rows.length; i++) {
        const at = rows[i] * P + p;
        for (let c = 0; c < w; c++) z[i * w + c] = U[at + c] + point[bOff + c];
      }
    }
    p += w;
    obj.pendingResiduals(R, K, col);
    col += w;
  });
  for (let k = 0; k < S; k++) {
    const s = riderS![k];
    for (let i = 0; i < n; i++) R[i * K + fitK + k] = s[i];
  }
  const riderG = Array.from({ length: S }, () => new Float64Array(d));
  if (K > 0 && fitK === objs.length) {
    // one logit per fit: X^T R (d x K), fit k's column spread row by row in one sequential pass (with few columns
    // this product is quicker than R^T X, whose rows would need no spreading)
    const into = buffers.get('g', d * K, false, false) as Float64Array;
    const G = (await kernel.gemm(x, { rows: n, cols: K, data: R }, { transA: true, float32, signal, into })).data;
    for (let j = 0, o = 0; j < d; j++) {
      for (const obj of objs) obj.gv[j] = G[o++];
      for (let k = 0; k < S; k++) riderG[k][j] = G[o++];
    }
  } else if (K > 0) {
    // softmax fits: R^T X (K x d), whose rows are the fits' gradient rows as they keep them (c d + j), copied whole
    const into = buffers.get('g', d * K, false, false) as Float64Array;
    const Gt = (await kernel.gemm({ rows: n, cols: K, data: R }, x, { transA: true, float32, signal, into })).data;
    let o = 0;
    for (const obj of objs) {
      obj.gv.set(Gt.subarray(o, o + obj.width * d));
      o += obj.width * d;
    }
    for (const g of riderG) {
      g.set(Gt.subarray(o, o + d));
      o += d;
    }
  }
  if (S > 0) rider!.backward(riderG);
  objs.forEach((obj, k) => {
    const line = lines[k];
    if (line) line.finishGradient();
    else obj.finishPendingProduct();
  });
}

/**
 * One round on the kernel: the fits on float32 (`coarse`) by float32 products, the others by Float64 ones; the rider
 * rides the float32 products when there are any.
 */
async function productRound(
  objs: BatchedObjective[], coarse: boolean[], products: Products, buffers: RoundBuffers, signal?: AbortSignal, rider?: ProductRider,
): Promise<void> {
  const f32 = objs.filter((_, k) => coarse[k]);
  const f64 = objs.filter((_, k) => !coarse[k]);
  if (f32.length > 0) await productPass(f32, products.kernel, products.x32!, true, buffers, signal, rider);
  if (f64.length > 0) await productPass(f64, products.kernel, products.x, false, buffers, signal, f32.length > 0 ? undefined : rider);
}

/**
 * A product round streams all of X (twice) whatever the fits' rows; the blocked pass only their rows, but 10-50x
 * slower per row and logit. Products while the running fits' rows (times their logits) add up to at least this many
 * times X's rows.
 */
const PRODUCT_MIN_ROWS = 2;

/**
 * The Newton polish (newton.ts `polishPasses`) with its passes on the kernel's Float64 products instead of the rows:
 * an evaluation is a product round of its own for the one fit (productPass at a point), a Hessian-vector product is
 * U = X V^T, the per-row curvature applied to u (hessianVector's arithmetic), and X^T R (R^T X for softmax). With many
 * classes a pass over the rows costs C dots and axpys per row on one core, and the polish can take thousands of them
 * (450 classes on 400 rows: 1,663 Hessian products, ~25 s on the rows).
 */
async function polishOnKernel(
  obj: LogisticObjective | SoftmaxObjective, x0: Float64Array, tol: number, kernel: LinalgKernel, x: GemmOperand, signal?: AbortSignal,
): Promise<PolishResult> {
  const passes = polishPasses(obj, x0, tol);
  const buffers = new RoundBuffers();
  let answer = 0;
  for (;;) {
    throwIfAborted(signal);
    const r = passes.next(answer);
    if (r.done) return r.value;
    const pass = r.value;
    if (pass.kind === 'evaluate') {
      obj.pending = Float64Array.from(pass.at);
      obj.pendingStep = null;
      obj.gradientLine = null;
      await productPass([obj], kernel, x, false, buffers, signal);
      answer = obj.evaluate(pass.at, pass.g);
    } else {
      await hessianOnKernel(obj, pass.prob, pass.v, pass.out, kernel, x, signal);
      answer = 0;
    }
  }
}

/** out = H v at the objective's z (newton.ts hessianVector's sums), the products on the kernel. */
async function hessianOnKernel(
  obj: LogisticObjective | SoftmaxObjective, prob: Float64Array, v: Float64Array, out: Float64Array, kernel: LinalgKernel, x: GemmOperand,
  signal?: AbortSignal,
): Promise<void> {
  const { d, l2, width: w, fitBias } = obj;
  const rows = obj.rows;
  const N = x.rows;
  const bOff = w * d;
  const invN = 1 / obj.n;
  const U = (await kernel.gemm(x, { rows: w, cols: d, data: v.subarray(0, bOff) }, { transB: true, signal })).data;
  const R = new Float64Array(N * w);
  const hb = new Float64Array(w);
  const u = new Float64Array(w);
  const r = new Float64Array(w);
  for (let i = 0; i < obj.n; i++) {
    const row = rows ? rows[i] : i;
    for (let c = 0; c < w; c++) u[c] = U[row * w + c] + (fitBias ? v[bOff + c] : 0);
    if (w === 1) r[0] = prob[i] * u[0] * invN; // newton.ts hessianVector's logistic row
    else softmaxRowCurvature(prob, i, w, u, invN, r);
    for (let c = 0; c < w; c++) {
      R[row * w + c] = r[c];
      hb[c] += r[c];
    }
  }
  const G = w === 1
    ? (await kernel.gemm(x, { rows: N, cols: 1, data: R }, { transA: true, signal })).data
    : (await kernel.gemm({ rows: N, cols: w, data: R }, x, { transA: true, signal })).data;
  for (let j = 0; j < bOff; j++) out[j] = G[j] + 2 * l2 * v[j];
  for (let c = 0; c < w; c++) out[bOff + c] = fitBias ? hb[c] : 0;
}

/** A round on the blocked pass: fits waiting for their accepted step's gradient compute it themselves. */
function passRound(objs: BatchedObjective[], n: number, blockRows: number): void {
  const points = objs.filter((obj) => {
    const waiting = obj.gradientLine !== null;
    obj.gradientLine = null;
    return !waiting;
  });
  batchedPass(points, n, blockRows);
}

/**
 * Most bytes of L-BFGS memory the fits of one group hold together: (4 + 2 m) vectors of each fit's parameters (the
 * row engine's 3 vectors per fit come with them). At bench/core's widths (4,097 parameters) that is 341 fits, so the
 * two-class mixing experiment (40 fits) is one group; 450 classes of 512-wide activations (230,850 parameters, 44 MB
 * each) go 6 at a time instead of one by one, which is what a limit on the products' columns did (docs/benchmarks.md,
 * "Many classes").
 */
export const BATCH_BYTES = 256 * 2 ** 20;
/** Most values of one round's product outputs (rows x logits of the group's fits, Float64: 256 MiB). */
export const BATCH_OUTPUT_VALUES = 2 ** 25;

/**
 * How many fits of `width` logits each over `rows` rows of `dim`-wide activations one group takes: as many as
 * BATCH_BYTES of L-BFGS memory and BATCH_OUTPUT_VALUES of product outputs allow, at least one.
 */
/** L-BFGS vectors of one run (lbfgs.ts: iterate, gradient, its previous value, direction, and m pairs). */
function vectorsPerRun(history = 10): number {
  return 4 + 2 * Math.max(1, history);
}

export function batchGroupSize(width: number, dim: number, rows: number, history = 10, bytes = BATCH_BYTES): number {
  const params = width * (dim + 1);
  const memory = vectorsPerRun(history) * params * 8 + 3 * params * 8;
  return Math.max(1, Math.min(Math.floor(bytes / memory), Math.floor(BATCH_OUTPUT_VALUES / Math.max(1, rows * width))));
}

/** Consecutive groups of at most `perGroup` fits. */
export function batchGroups(count: number, perGroup: number): number[][] {
  const per = Math.max(1, Math.floor(perGroup));
  const groups: number[][] = [];
  for (let k = 0; k < count; k += per) groups.push(Array.from({ length: Math.min(per, count - k) }, (_, i) => k + i));
  return groups;
}

/**
 * Fits one probe per subset of X's rows to its soft targets; the same probes as `fitProbe` on each subset's rows
 * (in ascending order) with the same options. Results are in the order of `fits`.
 */
export async function fitProbesBatch(
  x: Matrix, fits: readonly SubsetFit[], numClasses: number, opts: BatchOptions = {},
): Promise<Probe[]> {
  const C = numClasses;
  const l2 = opts.l2 ?? DEFAULT_L2;
  const out: Probe[] = new Array(fits.length);
  for (const fit of fits) validateProbeInput(fit.rows.length, fit.targets, C, l2);
  const width = logitsPerRow(C);
  const kernel = opts.linalg;
  const own = kernel && !opts.shared;
  const shared = kernel ? (opts.shared ?? await shareMatrix(x, kernel, opts.signal)) : undefined;
  if (shared && (shared.rows !== x.rows || shared.cols !== x.cols)) throw new Error(`fitProbesBatch: a shared ${shared.rows} x ${shared.cols} operand for a ${x.rows} x ${x.cols} matrix`);
  // X as Float32 for the float32 rounds: in process the rows themselves, no copy
  let x32: GemmOperand | undefined;
  let announced = false;
  const productsDone = () => {
    if (!announced) opts.onProductsDone?.();
    announced = true;
  };
  try {
    if (kernel?.upload && kernel.release && (opts.float32 ?? true) && x.data instanceof Float32Array && fits.length > 0) {
      x32 = isResident(shared!) && shared.float32 ? shared : await kernel.upload(x, opts.signal, undefined, true);
    }
    const groups = batchGroups(fits.length, batchGroupSize(width, x.cols, x.rows, opts.history, opts.groupBytes));
    // one memory for every group's L-BFGS vectors, a slot per fit of the largest group (touched once: at 450 classes
    // a fresh 44 MB per fit cost ~0.1 s of page faults, per group and again for each Float64 finish)
    const perRun = vectorsPerRun(opts.history);
    const dim = width * x.cols + width;
    // and every group's L-BFGS options, the diagonal preconditioner (from X's columns) among them
    const runs = { lopts: lbfgsOptions(opts, x, C), slots: LbfgsArena.slots(groups[0]?.length ?? 0, perRun * dim, perRun) };
    for (const [g, group] of groups.entries()) {
      await fitGroup(x, fits, group, C, width, opts, out, kernel ? { kernel, x: shared!, x32 } : undefined, g === groups.length - 1 ? productsDone : () => {}, runs);
    }
    // every run is over and its probe holds copies: the memory serves the next batch (not after an error or a cancel,
    // where a run may still hold its vectors)
    LbfgsArena.giveBack(runs.slots);
  } finally {
    if (x32 && x32 !== shared) await releaseShared(kernel!, x32);
    if (own && shared) await releaseShared(kernel, shared);
  }
  throwIfAborted(opts.signal);
  productsDone();
  return out;
}

/** What every group of a batch shares: L-BFGS's options, and the slots of the fits' L-BFGS vectors (if any). */
interface GroupRuns {
  lopts: ReturnType<typeof lbfgsOptions>;
  slots?: LbfgsArena[];
}

/** One batch: the fits named by `group`, their probes into `out` at the same places. */
async function fitGroup(
  x: Matrix, fits: readonly SubsetFit[], group: readonly number[], C: number, width: number, opts: BatchOptions, out: Probe[],
  products: Products | undefined, productsDone: () => void, runs: GroupRuns,
): Promise<void> {
  const d = x.cols;
  const engine = engineFor(x, opts.engine, group.length * 3 * width * d, group.length * 3);
  // the group's vectors go back to the engine when it is done (the next group takes their room, not a new copy of X)
  const mark = engine.mark();
  try {
    await runGroup(x, fits, group, C, opts, out, products, productsDone, engine, runs);
  } finally {
    engine.reset(mark);
  }
}

async function runGroup(
  x: Matrix, fits: readonly SubsetFit[], group: readonly number[], C: number, opts: BatchOptions, out: Probe[],
  products: Products | undefined, productsDone: () => void, engine: RowEngine, { lopts, slots }: GroupRuns,
): Promise<void> {
  const l2 = opts.l2 ?? DEFAULT_L2;
  const d = x.cols;
  const objs: BatchedObjective[] = group.map((f) => {
    const s = sorted(fits[f], C);
    let obj: BatchedObjective;
    if (C === 2) {
      const y = new Float64Array(s.rows.length);
      for (let i = 0; i < y.length; i++) y[i] = s.targets[2 * i + 1];
      obj = new LogisticObjective(x, y, l2, engine, opts.fitBias ?? true, s.rows);
    } else {
      obj = new SoftmaxObjective(x, s.targets, C, l2, engine, opts.fitBias ?? true, s.rows);
    }
    obj.batchGradients = products !== undefined;
    return obj;
  });
  // every fit's L-BFGS vectors in a slot of one WebAssembly memory, where the two-loop recursion runs in SIMD
  // (lbfgs.ts LbfgsArena): 4 + 2 m vectors per run; a Float64 finish's run takes its fit's slot over
  const slot = (k: number) => {
    const arena = slots?.[k];
    arena?.reset();
    return arena;
  };
  const runs = objs.map((obj, k) => {
    const x0 = startPoint(obj, x, C, opts);
    obj.pending = Float64Array.from(x0); // the run's first evaluation, batched like the line searches' first trials
    return lbfgsIterations(obj, x0, { ...lopts, vectors: slot(k) });
  });
  // Fits on float32 products (`coarse`); those whose L-BFGS stopped there (`stopped`) wait to go on in Float64
  const coarse = objs.map(() => products?.x32 !== undefined);
  const stopped: (LbfgsResult | null)[] = objs.map(() => null);
  const goOnInF64 = (k: number) => {
    const obj = objs[k];
    const first = stopped[k]!;
    stopped[k] = null;
    coarse[k] = false;
    // a fresh L-BFGS from the float32 run's weights: its first evaluation (a start point: the logits X w + b in full)
    // is the check; the iterations left of the budget are the float32 run's remainder
    obj.pending = Float64Array.from(first.x);
    obj.pendingStep = null;
    obj.gradientLine = null;
    const maxIter = Math.max(0, (lopts.maxIter ?? 1000) - first.iterations);
    const run = lbfgsIterations(obj, first.x, { ...lopts, maxIter, vectors: slot(k) });
    runs[k] = (function* () {
      const r = yield* run;
      return { ...r, iterations: r.iterations + first.iterations, evaluations: r.evaluations + first.evaluations };
    })();
  };
  const blockRows = Math.max(1, Math.floor((opts.blockBytes ?? 2 ** 18) / (4 * Math.max(1, d))));
  const buffers = new RoundBuffers();
  let active = objs.map((_, k) => k);
  let last = performance.now();
  while (active.length > 0) {
    throwIfAborted(opts.signal);
    // the stopped float32 fits go on in Float64 together: once they are at least as many as those still on float32
    const waiting = active.filter((k) => stopped[k] !== null);
    if (waiting.length > 0 && !active.some((k) => coarse[k] && stopped[k] === null)) waiting.forEach(goOnInF64);
    const running = active.filter((k) => stopped[k] === null);
    const round = running.map((k) => objs[k]);
    const rows = round.reduce((sum, obj) => sum + obj.n * obj.width, 0);
    // (an engine of JavaScript loops: the products whatever the rows, 10-50x quicker than its passes)
    if (products && (rows >= PRODUCT_MIN_ROWS * x.rows || engine.kind === 'js')) await productRound(round, running.map((k) => coarse[k]), products, buffers, opts.signal, opts.rider);
    else {
      productsDone();
      passRound(round, x.rows, blockRows);
    }
    const still: number[] = [];
    for (const k of active) {
      if (stopped[k] !== null) {
        still.push(k);
        continue;
      }
      const step = runs[k].next();
      if (step.done && coarse[k]) {
        stopped[k] = step.value as LbfgsResult;
        still.push(k);
      } else if (step.done) {
        const obj = objs[k] as LogisticObjective | SoftmaxObjective;
        const res = step.value as LbfgsResult;
        const tol = products ? polishTol(res, opts) : null;
        // the polish on the products when the fits ran there (on the rows otherwise, as a separate fit polishes)
        const p = tol !== null ? withPolish(res, await polishOnKernel(obj, res.x, tol, products!.kernel, products!.x, opts.signal), opts) : polished(obj, res, opts);
        out[group[k]] = toProbe(x, C, l2, p.res, p.polish);
        opts.onFit?.(group[k]);
      } else {
        still.push(k);
      }
    }
    // A turn for the event loop every 50 ms, and after every round that reported progress (a cancel click there
    // must land before the next fits finish: many finish in the same round).
    if (still.length < active.length || performance.now() - last >= 50) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
    active = still;
  }
}
