/** A dense row-major matrix. `data.length === rows * cols`. Activations stay Float32; probes work in Float64. */
export interface Matrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  rows: number;
  cols: number;
  data: T;
}

export function matrix<T extends Float32Array | Float64Array>(rows: number, cols: number, data: T): Matrix<T> {
  if (data.length !== rows * cols) {
    throw new Error(`matrix: data has ${data.length} values, expected ${rows} x ${cols} = ${rows * cols}`);
  }
  return { rows, cols, data };
}

/**
 * Copies the rows named by `indices` into a new matrix of the same element type, or into the start of `into` (same
 * element type, long enough: memory readied earlier, gemm.ts `Prefetched`) when given.
 */
export function selectRows<T extends Float32Array | Float64Array>(m: Matrix<T>, indices: ArrayLike<number>, into?: T): Matrix<T> {
  const Ctor = m.data.constructor as { new (n: number): T };
  const size = indices.length * m.cols;
  const out = into && into.constructor === m.data.constructor && into.length >= size ? (into.subarray(0, size) as T) : new Ctor(size);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i] * m.cols;
    out.set(m.data.subarray(src, src + m.cols), i * m.cols);
  }
  return { rows: indices.length, cols: m.cols, data: out };
}

/** Index of the first non-finite value (or, with `limit`, the first with |value| > limit), or -1. */
export function firstNonFinite(data: ArrayLike<number>, limit = Infinity): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(Math.abs(v) <= limit) || !Number.isFinite(v)) return i;
  }
  return -1;
}

/** Rows of `a` followed by rows of `b` (same column count) in a new matrix; the element type is a's. */
export function concatRows<T extends Float32Array | Float64Array>(a: Matrix<T>, b: Matrix): Matrix<T> {
  if (a.rows > 0 && b.rows > 0 && a.cols !== b.cols) {
    throw new Error(`concatRows: ${a.cols} columns and ${b.cols} columns`);
  }
  const cols = a.rows > 0 ? a.cols : b.cols;
  const Ctor = a.data.constructor as { new (n: number): T };
  const out = new Ctor((a.rows + b.rows) * cols);
  out.set(a.data.subarray(0, a.rows * cols), 0);
  out.set(b.data.subarray(0, b.rows * cols), a.rows * cols);
  return { rows: a.rows + b.rows, cols, data: out };
}

/** Stacks the rows of matrices of one width into one Float32 matrix (`cols` gives the width when there are none). */
export function stackRows(parts: readonly Matrix[], cols: number = parts[0]?.cols ?? 0): Matrix<Float32Array> {
  for (const p of parts) {
    if (p.cols !== cols) throw new Error(`stackRows: ${p.cols} columns and ${cols} columns`);
  }
  const rows = parts.reduce((a, p) => a + p.rows, 0);
  const data = new Float32Array(rows * cols);
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { rows, cols, data };
}

type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Concatenates typed arrays of one kind. */
export function concatArrays<T extends TypedArray>(parts: readonly T[], Ctor: { new (n: number): T }): T {
  const out = new Ctor(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p as never, off);
    off += p.length;
  }
  return out;
}
