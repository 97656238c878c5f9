/**
 * Dense matrix products as an injected capability (issue 14, item 2). Core cannot import onnxruntime, so the heavy
 * products of the ridge map (and whatever else wants a GEMM) go through a `LinalgKernel` that the caller hands in,
 * the way the stage-2 alignment kernel is handed in: the inference layer implements it on onnxruntime's Gemm (MLAS
 * on the CPU, or the execution provider the user chose; src/inference/linalgKernel.ts), and `jsLinalgKernel` here is
 * plain JavaScript loops, the reference the tests hold the onnxruntime kernel to.
 *
 * The products are Float64 in and out (the ridge map's Gram matrices and solves need it: Float32 accumulation over
 * thousands of rows loses five digits). Matrices are row-major `Matrix<Float64Array>`.
 */
import { throwIfAborted } from '../errors';
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
  signal?: AbortSignal;
}

export interface LinalgKernel {
  /** e.g. "onnxruntime (cpu)", "javascript". */
  readonly name: string;
  /** alpha op(A) op(B) + beta C, a new matrix. Never modifies its inputs. */
  gemm(a: F64Matrix, b: F64Matrix, options?: GemmOptions): Promise<F64Matrix>;
}

/** The result's shape, or a clear error for mismatched operands (shared by every implementation). */
export function gemmShape(a: F64Matrix, b: F64Matrix, options: GemmOptions = {}): { m: number; k: number; n: number } {
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

/** Row-major transpose. */
export function transpose(a: F64Matrix): F64Matrix {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.cols, cols: a.rows, data: out };
}

/**
 * GEMM in plain JavaScript (i-k-j loops over row-major operands, transposes copied first): the fallback and the
 * reference. About 1 GFLOP/s; the onnxruntime kernel is 50-100x faster on the CPU.
 */
export const jsLinalgKernel: LinalgKernel = {
  name: 'javascript',
  async gemm(a, b, options = {}) {
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
      for (let t = 0; t < m * n; t++) out[t] += beta * options.c.data[t];
    }
    return { rows: m, cols: n, data: out };
  },
};
