/**
 * BLAS-like level-1/2 kernels over row-major activation matrices. Activations stay Float32 (they are the big
 * arrays: 5,000 x 4,096 or 10^6 x 128); vectors and accumulators are Float64. Every loop reads its row
 * sequentially, is unrolled by 4 with independent accumulators, and allocates nothing.
 */
import type { Matrix } from './matrix';

type Data = Float32Array | Float64Array;

/** sum_j a[aOff + j] * v[j] for j < len. */
export function dotRow(a: Data, aOff: number, v: Float64Array, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end4 = len - (len & 3);
  let j = 0;
  for (; j < end4; j += 4) {
    const o = aOff + j;
    s0 += a[o] * v[j];
    s1 += a[o + 1] * v[j + 1];
    s2 += a[o + 2] * v[j + 2];
    s3 += a[o + 3] * v[j + 3];
  }
  for (; j < len; j++) s0 += a[aOff + j] * v[j];
  return s0 + s1 + (s2 + s3);
}

/** out[j] += alpha * a[aOff + j] for j < len. */
export function axpyRow(alpha: number, a: Data, aOff: number, out: Float64Array, len: number): void {
  const end4 = len - (len & 3);
  let j = 0;
  for (; j < end4; j += 4) {
    const o = aOff + j;
    out[j] += alpha * a[o];
    out[j + 1] += alpha * a[o + 1];
    out[j + 2] += alpha * a[o + 2];
    out[j + 3] += alpha * a[o + 3];
  }
  for (; j < len; j++) out[j] += alpha * a[aOff + j];
}

/** out[vOff + j] += alpha * a[aOff + j]: axpy into a slice of a longer vector (one class row of a weight matrix). */
export function axpyRowAt(alpha: number, a: Data, aOff: number, out: Float64Array, vOff: number, len: number): void {
  const end4 = len - (len & 3);
  let j = 0;
  for (; j < end4; j += 4) {
    const o = aOff + j;
    const p = vOff + j;
    out[p] += alpha * a[o];
    out[p + 1] += alpha * a[o + 1];
    out[p + 2] += alpha * a[o + 2];
    out[p + 3] += alpha * a[o + 3];
  }
  for (; j < len; j++) out[vOff + j] += alpha * a[aOff + j];
}

/** sum_j a[aOff + j] * v[vOff + j]: dot of a matrix row with a slice of a longer vector. */
export function dotRowAt(a: Data, aOff: number, v: Float64Array, vOff: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end4 = len - (len & 3);
  let j = 0;
  for (; j < end4; j += 4) {
    const o = aOff + j;
    const p = vOff + j;
    s0 += a[o] * v[p];
    s1 += a[o + 1] * v[p + 1];
    s2 += a[o + 2] * v[p + 2];
    s3 += a[o + 3] * v[p + 3];
  }
  for (; j < len; j++) s0 += a[aOff + j] * v[vOff + j];
  return s0 + s1 + (s2 + s3);
}

/** Sum of squares of a[aOff .. aOff + len). */
export function sumSquaresRow(a: Data, aOff: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end4 = len - (len & 3);
  let j = 0;
  for (; j < end4; j += 4) {
    const o = aOff + j;
    const x0 = a[o];
    const x1 = a[o + 1];
    const x2 = a[o + 2];
    const x3 = a[o + 3];
    s0 += x0 * x0;
    s1 += x1 * x1;
    s2 += x2 * x2;
    s3 += x3 * x3;
  }
  for (; j < len; j++) {
    const x = a[aOff + j];
    s0 += x * x;
  }
  return s0 + s1 + (s2 + s3);
}

/** y = X v + beta (y has X.rows entries): one sequential pass over X. */
export function gemv(x: Matrix, v: Float64Array, y: Float64Array, beta = 0): void {
  const { rows, cols, data } = x;
  if (v.length < cols || y.length < rows) throw new Error(`gemv: shapes ${rows} x ${cols}, v ${v.length}, y ${y.length}`);
  for (let i = 0, off = 0; i < rows; i++, off += cols) y[i] = dotRow(data, off, v, cols) + beta;
}

/** y = X^T r (y has X.cols entries, overwritten): one sequential pass over X, row by row. */
export function gemvT(x: Matrix, r: Float64Array, y: Float64Array): void {
  const { rows, cols, data } = x;
  if (r.length < rows || y.length < cols) throw new Error(`gemvT: shapes ${rows} x ${cols}, r ${r.length}, y ${y.length}`);
  y.fill(0, 0, cols);
  for (let i = 0, off = 0; i < rows; i++, off += cols) {
    const ri = r[i];
    if (ri !== 0) axpyRow(ri, data, off, y, cols);
  }
}

/**
 * Z = X W^T + b for k weight rows (W is k x cols row-major, Z is rows x k): one pass over X, each row read from
 * memory once and reused from cache for the k dot products.
 */
export function gemmNT(x: Matrix, w: Float64Array, k: number, z: Float64Array, bias?: Float64Array): void {
  const { rows, cols, data } = x;
  if (w.length < k * cols || z.length < rows * k) throw new Error(`gemmNT: shapes ${rows} x ${cols}, W ${w.length}, k ${k}`);
  for (let i = 0, off = 0; i < rows; i++, off += cols) {
    for (let c = 0; c < k; c++) z[i * k + c] = dotRowAt(data, off, w, c * cols, cols) + (bias ? bias[c] : 0);
  }
}

/** G = R^T X for k columns of R (R is rows x k, G is k x cols row-major, overwritten): one pass over X. */
export function gemmTN(x: Matrix, r: Float64Array, k: number, g: Float64Array): void {
  const { rows, cols, data } = x;
  if (r.length < rows * k || g.length < k * cols) throw new Error(`gemmTN: shapes ${rows} x ${cols}, R ${r.length}, k ${k}`);
  g.fill(0, 0, k * cols);
  for (let i = 0, off = 0; i < rows; i++, off += cols) {
    for (let c = 0; c < k; c++) {
      const ric = r[i * k + c];
      if (ric !== 0) axpyRowAt(ric, data, off, g, c * cols, cols);
    }
  }
}

/** Euclidean norm of every row (Float64). */
export function rowNorms(x: Matrix, out: Float64Array = new Float64Array(x.rows)): Float64Array {
  const { rows, cols, data } = x;
  for (let i = 0, off = 0; i < rows; i++, off += cols) out[i] = Math.sqrt(sumSquaresRow(data, off, cols));
  return out;
}

/** sum_j a[j] * b[j] over Float64 vectors of length len. */
export function dot(a: Float64Array, b: Float64Array, len = a.length): number {
  let s0 = 0;
  let s1 = 0;
  const end2 = len - (len & 1);
  let j = 0;
  for (; j < end2; j += 2) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
  }
  if (j < len) s0 += a[j] * b[j];
  return s0 + s1;
}

/** max_j |a[j]|. */
export function normInf(a: Float64Array, len = a.length): number {
  let m = 0;
  for (let j = 0; j < len; j++) {
    const v = Math.abs(a[j]);
    if (v > m || v !== v) m = v;
  }
  return m;
}
