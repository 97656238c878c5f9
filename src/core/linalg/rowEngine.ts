/**
 * Row operations of one activation matrix against Float64 vectors: the inner loops of the probes. Two engines with
 * one interface: WebAssembly SIMD over a copy of a Float32 matrix (simd.ts), and the JavaScript loops of gemv.ts
 * over the matrix in place (Float64 matrices, runtimes without SIMD, or matrices too large to copy).
 * Vectors passed to `dot` and `axpy` must come from the engine's `vector()`: for SIMD they live in its memory.
 */
import { axpyRowAt, dotRowAt } from './gemv';
import { selectRows, type Matrix } from './matrix';
import { simdWorkspace, type SimdWorkspace } from './simd';

export interface RowEngine {
  /** The matrix the engine was made for (its rows are this matrix's, copied or in place). */
  readonly source: Matrix;
  readonly rows: number;
  readonly cols: number;
  /** Which loops run: 'simd' (WebAssembly) or 'js'. */
  readonly kind: 'simd' | 'js';
  /** A zeroed Float64 vector usable by dot and axpy (from the capacity given at creation). */
  vector(len: number): Float64Array;
  /** Whether `count` more vectors of `values` Float64 values in all still fit. */
  hasRoom(values: number, count: number): boolean;
  /**
   * The vectors handed out so far (for `reset`): a caller that is done with the vectors it took since (a group of
   * batched fits) gives their room back, zeroed, for the next ones instead of a new engine with its own copy of X.
   */
  mark(): number;
  /** Gives back every vector handed out after `mark` returned m; they must not be used any more. */
  reset(m: number): void;
  /** sum_j X[i, j] v[vOff + j]. */
  dot(i: number, v: Float64Array, vOff: number): number;
  /** y[yOff + j] += alpha X[i, j]. */
  axpy(i: number, alpha: number, y: Float64Array, yOff: number): void;
}

class JsRowEngine implements RowEngine {
  readonly kind = 'js' as const;
  readonly rows: number;
  readonly cols: number;
  private readonly data: Float32Array | Float64Array;
  constructor(readonly source: Matrix) {
    const x = source;
    this.rows = x.rows;
    this.cols = x.cols;
    this.data = x.data;
  }
  vector(len: number): Float64Array {
    return new Float64Array(len);
  }
  hasRoom(): boolean {
    return true;
  }
  mark(): number {
    return 0;
  }
  reset(): void {}
  dot(i: number, v: Float64Array, vOff: number): number {
    return dotRowAt(this.data, i * this.cols, v, vOff, this.cols);
  }
  axpy(i: number, alpha: number, y: Float64Array, yOff: number): void {
    axpyRowAt(alpha, this.data, i * this.cols, y, yOff, this.cols);
  }
}

class SimdRowEngine implements RowEngine {
  readonly kind = 'simd' as const;
  readonly rows: number;
  readonly cols: number;
  private readonly rowBytes: number;
  private next: number;
  constructor(private readonly ws: SimdWorkspace, readonly source: Matrix, private readonly xByte: number) {
    const x = source;
    this.rows = x.rows;
    this.cols = x.cols;
    this.rowBytes = x.cols * 4;
    this.next = 0;
  }
  vector(len: number): Float64Array {
    const start = this.next;
    const bytes = Math.ceil((len * 8) / 16) * 16;
    if (start + bytes > this.xByte) throw new Error(`row engine: vector capacity exceeded (${len} more values)`);
    this.next = start + bytes;
    return new Float64Array(this.ws.f64.buffer, start, len);
  }
  hasRoom(values: number, count: number): boolean {
    return this.next + values * 8 + count * 16 <= this.xByte;
  }
  mark(): number {
    return this.next;
  }
  reset(m: number): void {
    if (!(m >= 0 && m <= this.next)) throw new Error(`row engine: reset to ${m}, past the vectors handed out (${this.next} bytes)`);
    new Uint8Array(this.ws.f64.buffer, m, this.next - m).fill(0);
    this.next = m;
  }
  dot(i: number, v: Float64Array, vOff: number): number {
    return this.ws.dot(this.xByte + i * this.rowBytes, v.byteOffset + vOff * 8, this.cols);
  }
  axpy(i: number, alpha: number, y: Float64Array, yOff: number): void {
    this.ws.axpy(alpha, this.xByte + i * this.rowBytes, y.byteOffset + yOff * 8, this.cols);
  }
}

/**
 * The JavaScript loops over x in place (no copy): for rows that live elsewhere for another reason (the analysis's
 * strong W2S-train rows in memory touched on another thread, when the probes run on a kernel's products and the
 * engine mostly hands out vectors).
 */
export function jsRowEngine(x: Matrix): RowEngine {
  return new JsRowEngine(x);
}

/**
 * An engine for X with room for `vectorCapacity` Float64 values in its vectors (each vector is padded to 16 bytes).
 * Float32 matrices get the SIMD engine (a copy of X) when WebAssembly SIMD is available; otherwise the JS loops.
 */
export function rowEngine(x: Matrix, vectorCapacity: number, vectorCount = 8): RowEngine {
  const simd = x.data instanceof Float32Array
    ? simdEngine(x.rows, x.cols, vectorCapacity, vectorCount, (rows) => rows.set(x.data.subarray(0, x.rows * x.cols)), x)
    : null;
  return simd ?? new JsRowEngine(x);
}

/**
 * A SIMD engine of rows x cols Float32 values that `fill` writes into its memory (after room for the vectors), or
 * null without SIMD or memory; `source` is the matrix the engine stands for (default: the view of its copy).
 */
function simdEngine(
  rows: number, cols: number, vectorCapacity: number, vectorCount: number, fill: (rows: Float32Array) => void, source?: Matrix,
): RowEngine | null {
  if (rows * cols === 0) return null;
  const vecBytes = Math.ceil((vectorCapacity * 8 + vectorCount * 16) / 16) * 16;
  const ws = simdWorkspace(vecBytes + rows * cols * 4);
  if (!ws) return null;
  const copy = new Float32Array(ws.f32.buffer, vecBytes, rows * cols);
  fill(copy);
  return new SimdRowEngine(ws, source ?? { rows, cols, data: copy }, vecBytes);
}

/**
 * An engine for the rows of x named by `indices` (in that order), without a separate copy of them: the SIMD engine
 * copies them straight into its WebAssembly memory and its `source` is a view of that copy (a WebAssembly memory
 * that never grows, so the view stays valid); the JavaScript engine's source is `selectRows(x, indices)`. Either
 * way `source` is the selected matrix for everyone else to use, and one fresh copy of the rows is made instead of
 * two (fresh memory costs ~0.5 s per 160 MB on the development machine, more than the arithmetic).
 */
export function rowEngineOfRows(x: Matrix, indices: ArrayLike<number>, vectorCapacity: number, vectorCount = 8): RowEngine {
  const d = x.cols;
  const data = x.data;
  const simd = data instanceof Float32Array
    ? simdEngine(indices.length, d, vectorCapacity, vectorCount, (rows) => {
      for (let i = 0; i < indices.length; i++) {
        const src = indices[i] * d;
        if (!(src >= 0 && src + d <= data.length)) throw new Error(`rowEngineOfRows: row ${indices[i]} of a ${x.rows}-row matrix`);
        rows.set(data.subarray(src, src + d), i * d);
      }
    })
    : null;
  return simd ?? new JsRowEngine(selectRows(x, indices));
}

/**
 * `shared` when it was made for x (several fits of one matrix share its copy in WebAssembly memory: one copy of
 * 5,000 x 4,096 Float32 rows is ~0.25 s of fresh memory on the development machine), else a new engine for x with
 * this capacity (also when the shared one lacks room for the caller's vectors).
 */
export function engineFor(x: Matrix, shared: RowEngine | undefined, vectorCapacity: number, vectorCount: number): RowEngine {
  return shared && shared.source === x && shared.hasRoom(vectorCapacity, vectorCount) ? shared : rowEngine(x, vectorCapacity, vectorCount);
}
