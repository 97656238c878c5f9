/**
 * Dense matrix products as an injected capability (issue 14, item 2). Core cannot import onnxruntime, so the heavy
 * products of the ridge map (and whatever else wants a GEMM) go through a `LinalgKernel` that the caller hands in,
 * the way the stage-2 alignment kernel is handed in: the inference layer implements it on onnxruntime's Gemm (MLAS
 * on the CPU, or the execution provider the user chose; src/inference/linalgKernel.ts), and `jsLinalgKernel` here is
 * plain JavaScript loops, the reference the tests hold the onnxruntime kernel to.
 *
 * The products are Float64 in and out (the ridge map's Gram matrices and solves need it: Float32 accumulation over
 * thousands of rows loses five digits). Matrices are row-major `Matrix<Float64Array>`. A product may ask for float32
 * arithmetic (`GemmOptions.float32`) on a matrix the kernel holds as Float32 (`upload(..., float32)`): twice MLAS's
 * speed and half the memory traffic, for iterations that finish in Float64 (the batched probe fits, batch.ts).
 */
import { throwIfAborted } from '../errors';
import type { SymmetricEigen } from './eigen';
import type { Matrix } from './matrix';

export type F64Matrix = Matrix<Float64Array>;

export interface GemmOptions {
  /** Use A^T instead of A. */
  transA?: boolean;
  /** Use B^T instead of B. */
  transB?: boolean;
  /** alpha op(A) op(B) (+ beta C); default 1. */
  alpha?: number;
  /** An addend C with the result's shape; default none. */
  c?: F64Matrix;
  /** Its factor; default 1 when c is given. */
  beta?: number;
  /**
   * Float32 arithmetic: the operands' values rounded to float32 (a matrix held as Float32 is used as is), float32
   * sums, the result widened to Float64. Each value then carries float32's rounding (about 6e-8 of the terms' size
   * per term summed): for iterations that check their stop in Float64 afterwards (batch.ts), not for solves.
   */
  float32?: boolean;
  /**
   * Where the kernel may write the result (at least m x n values; the returned data is then a view of it): a caller
   * that makes products of one shape round after round (batch.ts) saves fresh memory every round, which costs this
   * project's machines ~11 us per 4 KiB page. The caller reads the returned data, not `into`: a kernel may ignore it.
   * It must not share memory with the operands (onnxruntime writes the output while it reads them).
   */
  into?: Float64Array;
  signal?: AbortSignal;
}

export type F32Matrix = Matrix<Float32Array>;

/**
 * A matrix the kernel holds (`upload`), named in later products instead of being handed over again: the batched
 * probe fits multiply the same 5,000 x 4,096 matrix twice per round, and a worker-thread kernel must not receive its
 * 160 MB every time. Valid until `release`d, on the kernel that made it only.
 */
export interface ResidentMatrix {
  readonly resident: number;
  readonly rows: number;
  readonly cols: number;
  /**
   * Held as Float32 (`upload(..., float32)`, or Float32 data kept as is): serves float32 products as it is and Float64
   * ones exactly (its values widened, a block of rows at a time: `gemmByRowBlocks`).
   */
  readonly float32?: boolean;
}

/**
 * Columns riding another computation's rounds of products over the same rows X (batch.ts's product rounds: the
 * result's map, pca.ts's Pca2Rider, rides the mixing fits'): each round the rider names vectors v (cols long) for
 * the forward product X V, gets X v back (rows long each; the arrays are its own), and may answer vectors s (rows
 * long) for the backward product X^T S, whose columns it then gets (cols long each).
 */
export interface ProductRider {
  /** The vectors to multiply this round (none: the rider sits the round out). */
  vectors(): Float64Array[];
  /** X v for each of `vectors()`; returns the vectors X^T must multiply (as many), or null for none this round. */
  forward(u: Float64Array[]): Float64Array[] | null;
  /** X^T s for each vector `forward` returned. */
  backward(g: Float64Array[]): void;
}

/**
 * A product's operand: a matrix (Float64, or Float32: a kernel widens it for a Float64 product, uses it as is for a
 * float32 one), or one the kernel holds.
 */
export type GemmOperand = Matrix | ResidentMatrix;

export function isResident(m: GemmOperand): m is ResidentMatrix {
  return typeof (m as ResidentMatrix).resident === 'number';
}

export interface LinalgKernel {
  /** e.g. "onnxruntime (cpu)", "javascript". */
  readonly name: string;
  /** alpha op(A) op(B) + beta C, a new matrix. Never modifies its inputs. */
  gemm(a: GemmOperand, b: GemmOperand, options?: GemmOptions): Promise<F64Matrix>;
  /**
   * Optional (with `release`): keeps m for later products. The kernel may keep m's data itself (in process) or a
   * copy (a worker): either way the caller must not modify m afterwards. Float32 data is widened to Float64 by the
   * kernel, once, into memory of its own (the memory `reserve` prepared, when the shape is a reserved one). `rows`:
   * only those rows of m, in that order, gathered straight into that memory (no intermediate copy of the selection).
   * `float32`: held as Float32 instead, for `float32` products (Float32 data kept as is in process: no copy, unless
   * `rows` selects); a Float64 product with it widens it for that product.
   */
  upload?(m: Matrix, signal?: AbortSignal, rows?: ArrayLike<number>, float32?: boolean): Promise<ResidentMatrix>;
  /**
   * Optional: an `upload` of a rows x cols Float32 matrix will come soon (`float32`: an upload held as Float32). The
   * kernel may ready the memory for it now on another thread, while the caller's goes on: memory is slow to touch
   * the first time (each fresh page is a page fault; ~0.45 s per 160 MB on the development machine, about what
   * widening the values into it takes in all), and the probes' products need that copy only after the weak probe.
   * An upload takes the oldest reservation of its shape and precision; at most MAX_RESERVATIONS are kept (a newer one
   * drops the oldest). A kernel that keeps Float32 data as it is (in process) readies nothing for `float32`.
   */
  reserve?(rows: number, cols: number, float32?: boolean): void;
  /**
   * Optional: a fresh ArrayBuffer of `bytes` bytes whose pages another thread has touched, for a copy the caller makes
   * later (`Prefetched`); only kernels with such a thread offer it. That thread serves these, `reserve`'s and
   * `symmetricEigen` in the order asked.
   */
  touchedBuffer?(bytes: number): Promise<ArrayBuffer>;
  /**
   * Optional: pca.ts's `pca2` of m with MAP_PCA's options (the result's map) on another thread, the same bits; only
   * the projections come back. The analysis starts it once the mixing fits' dense products are over. The editor's
   * kernel has it (the inference worker computes the map, off the extension host's thread); in process the map is
   * computed in the analysing thread (beside the last fits it slowed them by about what it saved: both stream the
   * rows from memory).
   */
  pcaMap?(m: Matrix, signal?: AbortSignal): Promise<{ x: Float64Array; y: Float64Array }>;
  /** Forgets a resident matrix; releasing one twice, or one the kernel lost, is not an error. */
  release?(m: ResidentMatrix): Promise<void>;
  /**
   * Optional: eigen.ts's symmetricEigen of `a` (dim x dim, a.rows = a.cols) on another thread, the same bits. The
   * caller's thread goes on meanwhile: the ridge map's eigendecomposition starts when the analysis does and runs
   * beside the probes (ridgeGemm.ts, `prepareRidgeGram`). The kernel keeps no reference to `a`. `tridiagonal`: stop
   * at the tridiagonal form (eigen.ts EigenOptions.tridiagonal).
   */
  symmetricEigen?(a: F64Matrix, signal?: AbortSignal, options?: { tridiagonal?: boolean }): Promise<SymmetricEigen>;
}

/**
 * The resident matrices of an in-process kernel (and of the inference worker): a map from handle to data.
 * `resolve` turns an operand into its matrix, with a clear error for a handle it does not hold.
 */
export class ResidentStore {
  private readonly held = new Map<number, Matrix>();
  private next = 1;

  add(m: Matrix): ResidentMatrix {
    if (m.data.length !== m.rows * m.cols) throw new Error('upload: the matrix\'s data does not match its shape');
    const id = this.next++;
    this.held.set(id, m);
    return { resident: id, rows: m.rows, cols: m.cols, float32: m.data instanceof Float32Array };
  }

  resolve(m: GemmOperand): Matrix {
    if (!isResident(m)) return m;
    const held = this.held.get(m.resident);
    if (!held) throw new Error(`gemm: resident matrix ${m.resident} is not held by this kernel (released, or from another kernel)`);
    return held;
  }

  delete(m: ResidentMatrix): void {
    this.held.delete(m.resident);
  }

  clear(): void {
    this.held.clear();
  }

  get size(): number {
    return this.held.size;
  }
}

/** The result's shape, or a clear error for mismatched operands (shared by every implementation). */
export function gemmShape(a: Matrix, b: Matrix, options: GemmOptions = {}): { m: number; k: number; n: number } {
  const m = options.transA ? a.cols : a.rows;
  const k = options.transA ? a.rows : a.cols;
  const kb = options.transB ? b.cols : b.rows;
  const n = options.transB ? b.rows : b.cols;
  if (k !== kb) {
    throw new Error(`gemm: op(A) is ${m} x ${k} but op(B) is ${kb} x ${n}`);
  }
  if (a.data.length !== a.rows * a.cols || b.data.length !== b.rows * b.cols) {
    throw new Error('gemm: an operand\'s data does not match its shape');
  }
  const c = options.c;
  if (c && (c.rows !== m || c.cols !== n || c.data.length !== m * n)) {
    throw new Error(`gemm: C is ${c.rows} x ${c.cols}, the product ${m} x ${n}`);
  }
  return { m, k, n };
}

/**
 * Values of a Float32 operand widened at a time by `gemmByRowBlocks` (8 MiB of Float64): a block of a 4,096-wide
 * matrix is 256 rows.
 */
export const WIDEN_BLOCK_VALUES = 1 << 20;

/**
 * A Float64 product whose large operand is Float32 data, without a Float64 copy of all of it: the operand's rows are
 * widened a block at a time into `scratch()` (asked for only in those cases: at least WIDEN_BLOCK_VALUES values, the
 * caller's, untouched by anything else until this returns) and multiplied by `multiply` (a plain
 * Float64 product of two Float64 matrices), the blocks' results put together here. A 5,000 x 4,096 Float32 matrix
 * then costs an 8 MiB buffer instead of a 160 MiB copy (whose first touch alone is ~0.45 s on the development
 * machine) for the few Float64 products the batched fits make on it (probe/batch.ts: the float32 rounds' Float64
 * finish). The cases, with F the Float32 operand:
 * - F = A, A not transposed: its row blocks give the result's row blocks;
 * - F = A transposed and B not: its row blocks run along the inner dimension, with B's row blocks: the blocks'
 *   products are summed (in Float64, block by block: a sum order other than one product's, the same to rounding);
 * - F = B not transposed and A transposed: likewise along the inner dimension, with A's row blocks.
 * Returns undefined for any other case, or when F is no larger than a block: the caller widens it whole. alpha, beta
 * and C are applied here, after the products.
 */
export async function gemmByRowBlocks(
  a: Matrix, b: Matrix, options: GemmOptions, scratch: () => Float64Array,
  multiply: (a: F64Matrix, b: F64Matrix, transA: boolean, transB: boolean) => Promise<F64Matrix>,
): Promise<F64Matrix | undefined> {
  const transA = options.transA === true;
  const transB = options.transB === true;
  // (a row wider than a block, an absurd activation width, is widened whole by the caller as before)
  const big = (m: Matrix) => m.data instanceof Float32Array && m.data.length > WIDEN_BLOCK_VALUES && m.cols > 0 && m.cols <= WIDEN_BLOCK_VALUES;
  const onA = big(a) && (!transA || !transB);
  const onB = !onA && big(b) && !transB && transA;
  if (!onA && !onB) return undefined;
  const { m, n } = gemmShape(a, b, options);
  const f = onA ? a : b;
  const other = asF64(onA ? b : a);
  const step = Math.max(1, Math.floor(WIDEN_BLOCK_VALUES / f.cols));
  const buffer = scratch();
  if (buffer.length < step * f.cols) throw new Error(`gemmByRowBlocks: a scratch of ${buffer.length} values for blocks of ${step * f.cols}`);
  const out = new Float64Array(m * n);
  for (let r0 = 0; r0 < f.rows; r0 += step) {
    throwIfAborted(options.signal);
    const r1 = Math.min(f.rows, r0 + step);
    const part = buffer.subarray(0, (r1 - r0) * f.cols);
    part.set(f.data.subarray(r0 * f.cols, r1 * f.cols));
    const block: F64Matrix = { rows: r1 - r0, cols: f.cols, data: part };
    if (onA && !transA) {
      // the result's rows r0..r1
      out.set((await multiply(block, other, false, transB)).data, r0 * n);
      continue;
    }
    // along the inner dimension: the other operand's rows r0..r1 (B's for F = A^T, A's for F = B)
    const slice: F64Matrix = { rows: r1 - r0, cols: other.cols, data: other.data.subarray(r0 * other.cols, r1 * other.cols) };
    const y = onA ? await multiply(block, slice, true, false) : await multiply(slice, block, true, false);
    for (let t = 0; t < out.length; t++) out[t] += y.data[t];
  }
  scaleAdd(out, options.alpha ?? 1, options.c?.data, options.beta ?? 1);
  return { rows: m, cols: n, data: out };
}

/** out = alpha out + beta c in place (c absent: alpha out): a product's alpha, beta and C applied after it. */
export function scaleAdd(out: Float64Array, alpha: number, c: Float64Array | undefined, beta: number): void {
  if (alpha === 1 && !c) return;
  for (let t = 0; t < out.length; t++) out[t] = alpha * out[t] + (c ? beta * c[t] : 0);
}

/** Row-major transpose. */
export function transpose(a: Matrix): F64Matrix {
  const out = new Float64Array(a.rows * a.cols);
  transposeInto(a.data, a.rows, a.cols, out);
  return { rows: a.cols, cols: a.rows, data: out };
}

/**
 * out (cols x rows) = x^T for row-major x (rows x cols), in square blocks of 64 so that both sides' lines stay in
 * cache (the product kernel's transposed copy of 5,000 x 4,096 rows: ~50 ms instead of ~0.3 s row by row).
 */
export function transposeInto(x: Float32Array | Float64Array, rows: number, cols: number, out: Float32Array | Float64Array): void {
  const B = 64;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let j = j0; j < j1; j++) {
        const o = j * rows;
        for (let i = i0; i < i1; i++) out[o + i] = x[i * cols + j];
      }
    }
  }
}

/**
 * Largest reservation a kernel takes (LinalgKernel.reserve), 1 GiB: the probes' batched products use a Float64 copy
 * of at most BATCH_MAX_VALUES values (experiment/protocol.ts).
 */
export const MAX_RESERVED_BYTES = 2 ** 30;

/**
 * Reservations a kernel keeps (LinalgKernel.reserve): the analysis makes two, the W2S-train and the test rows. An
 * analysis stopped before its uploads leaves them held until the next one's push them out (bounded memory).
 */
export const MAX_RESERVATIONS = 2;

/**
 * Rows `rows` of m (every row when absent), in that order, as Float64 values in `into` (a new array when absent or
 * of another length). Throws for a row index outside m.
 */
export function widenRows(m: Matrix, rows?: ArrayLike<number>, into?: Float64Array): Float64Array {
  const n = rows ? rows.length : m.rows;
  return gatherRows(m, rows, into && into.length === n * m.cols ? into : new Float64Array(n * m.cols));
}

/** Rows `rows` of m (every row when absent) copied, in that order, into `out` (n x cols values); out. */
function gatherRows<T extends Float32Array | Float64Array>(m: Matrix, rows: ArrayLike<number> | undefined, out: T): T {
  const d = m.cols;
  if (!rows) {
    out.set(m.data.subarray(0, m.rows * d));
    return out;
  }
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(Number.isInteger(r) && r >= 0 && r < m.rows)) throw new Error(`upload: row ${r} of a ${m.rows}-row matrix`);
    out.set(m.data.subarray(r * d, r * d + d), i * d);
  }
  return out;
}

/**
 * A kernel's reservations (LinalgKernel.reserve): the memory being readied for coming uploads, by shape. Shared by
 * the in-process kernel and the editor's client.
 */
export class Reservations {
  private readonly held: { rows: number; cols: number; float32: boolean; buffer: Promise<ArrayBuffer | undefined> }[] = [];

  /** Keeps `buffer` for an upload of rows x cols (held as Float32 or not); the oldest goes past MAX_RESERVATIONS. */
  add(rows: number, cols: number, buffer: Promise<ArrayBuffer | undefined>, float32 = false): void {
    this.held.push({ rows, cols, float32, buffer });
    if (this.held.length > MAX_RESERVATIONS) this.held.shift();
  }

  /** The oldest reservation of this shape and precision, taken (undefined without one). */
  take(rows: number, cols: number, float32 = false): Promise<ArrayBuffer | undefined> | undefined {
    const k = this.held.findIndex((r) => r.rows === rows && r.cols === cols && r.float32 === float32);
    return k < 0 ? undefined : this.held.splice(k, 1)[0].buffer;
  }

  /** The shapes held, oldest first (tests). */
  shapes(): [number, number][] {
    return this.held.map((r) => [r.rows, r.cols]);
  }

  clear(): void {
    this.held.length = 0;
  }
}

/**
 * Memory asked of the kernel's other thread now (LinalgKernel.touchedBuffer) for a copy this thread makes later: a
 * fresh page costs ~2.8 ms per MB to touch the first time on the development machine (a 5,000 x 4,096 Float32 copy
 * ~0.23 s), a copy into touched pages ~0.04 ms per MB. `takeF32` waits for it (the other thread has been at it since,
 * and finishes no later than this thread doing the same work), or answers undefined without it (no such kernel, or
 * the other thread failed): the caller then allocates its own.
 */
export class Prefetched {
  private readonly buffer: Promise<ArrayBuffer | undefined>;
  private taken = false;

  constructor(kernel: LinalgKernel | undefined, readonly bytes: number) {
    this.buffer = kernel?.touchedBuffer && bytes > 0 && bytes <= MAX_RESERVED_BYTES
      ? kernel.touchedBuffer(bytes).then((b) => (b.byteLength === bytes ? b : undefined), () => undefined)
      : Promise.resolve(undefined);
  }

  /**
   * The memory as Float32 values for a use that is over before `takeF32` (the detection's row copies, before the
   * test rows' upload fills it), waited for like `takeF32`; undefined without it, or once taken.
   */
  async borrowF32(): Promise<Float32Array | undefined> {
    if (this.taken) return undefined;
    const b = await this.buffer;
    return b && !this.taken ? new Float32Array(b) : undefined;
  }

  /** The memory as Float32 values, or undefined without it; once (later calls: undefined). */
  async takeF32(): Promise<Float32Array | undefined> {
    if (this.taken) return undefined;
    this.taken = true;
    const b = await this.buffer;
    return b ? new Float32Array(b) : undefined;
  }
}

/** m itself when its data is Float64; otherwise a Float64 copy (the values widened, exactly). */
export function asF64(m: Matrix): F64Matrix {
  return m.data instanceof Float64Array ? (m as F64Matrix) : { rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) };
}

/** m itself when its data is Float32; otherwise a Float32 copy (the values rounded to float32). */
export function asF32(m: Matrix): F32Matrix {
  return m.data instanceof Float32Array ? (m as F32Matrix) : { rows: m.rows, cols: m.cols, data: Float32Array.from(m.data) };
}

/**
 * Rows `rows` of m (every row when absent) as Float32, for an `upload(..., float32)`: m itself when it is Float32 and
 * no rows select, else a copy (values rounded to float32). Throws for a row index outside m.
 */
export function float32Rows(m: Matrix, rows?: ArrayLike<number>, into?: Float32Array): F32Matrix {
  if (!rows && !into) return asF32(m);
  const n = rows ? rows.length : m.rows;
  const out = into && into.length === n * m.cols ? into : new Float32Array(n * m.cols);
  return { rows: n, cols: m.cols, data: gatherRows(m, rows, out) };
}

const jsResident = new ResidentStore();

/**
 * GEMM in plain JavaScript (i-k-j loops over row-major operands, transposes copied first): the fallback and the
 * reference. About 1 GFLOP/s; the onnxruntime kernel is 50-100x faster on the CPU.
 */
export const jsLinalgKernel: LinalgKernel & { readonly residents: ResidentStore } = {
  name: 'javascript',
  residents: jsResident,
  async upload(m, _signal, rows, float32) {
    if (float32) return jsResident.add(float32Rows(m, rows));
    return jsResident.add(rows ? { rows: rows.length, cols: m.cols, data: widenRows(m, rows) } : asF64(m));
  },
  async release(m) {
    jsResident.delete(m);
  },
  async gemm(ra, rb, options = {}) {
    // float32: the operands' values rounded as a float32 kernel rounds them; the sums here stay Float64 (the
    // reference for a float32 product is the exact product of the rounded values, rounded once)
    const f32 = options.float32 === true;
    const a = f32 ? asF32(jsResident.resolve(ra)) : jsResident.resolve(ra);
    const b = f32 ? asF32(jsResident.resolve(rb)) : jsResident.resolve(rb);
    const { m, k, n } = gemmShape(a, b, options);
    const A = options.transA ? transpose(a) : a;
    const B = options.transB ? transpose(b) : b;
    const alpha = options.alpha ?? 1;
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      if (i % 64 === 0) throwIfAborted(options.signal);
      const o = i * n;
      for (let p = 0; p < k; p++) {
        const v = A.data[i * k + p] * alpha;
        if (v === 0) continue;
        const bo = p * n;
        for (let j = 0; j < n; j++) out[o + j] += v * B.data[bo + j];
      }
    }
    if (options.c) {
      const beta = options.beta ?? 1;
      const c = f32 ? Float32Array.from(options.c.data) : options.c.data;
      for (let t = 0; t < m * n; t++) out[t] += beta * c[t];
    }
    if (f32) for (let t = 0; t < m * n; t++) out[t] = Math.fround(out[t]);
    return { rows: m, cols: n, data: out };
  },
};
