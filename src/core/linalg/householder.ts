/**
 * The Householder reduction's basis formed in blocks on a LinalgKernel's Gemm (LAPACK's orgtr in compact WY form):
 * the part of the tridiagonal form that is matrix products. eigen.ts's accumulation applies the dim - 1 reflectors
 * one at a time with dot and axpy kernels on one core (13 s of the 28 s a 4,096-wide tridiagonal form took, at
 * 7 GFLOP/s); here a block of `block` reflectors is one product I - Y T Y^T, applied to the growing leading block by
 * two matrix products on the kernel (onnxruntime's Gemm, all cores).
 *
 * Input (eigen.ts with `accumulate: false`): row i of `v` (i = 1 .. dim - 1) holds reflector i's vector u_i over
 * entries 0 .. i - 1 and h[i] its h, H_i = I - u_i u_i^T / h_i (h_i = 0: no reflection). Output: V^T with
 * V = H_(dim-1) ... H_1, i.e. the rows eigen.ts's own accumulation leaves (row k = column k of V), to rounding.
 */
import { throwIfAborted } from '../errors';
import type { F64Matrix, LinalgKernel } from './gemm';

/**
 * Reflectors per block: the products' inner dimension. 4,096 x 192 x 4,096 ran at 114 GFLOP/s on the development
 * machine (96: 83); T's O(block^3) work in TypeScript stays small.
 */
export const REFLECTOR_BLOCK = 192;

/** Largest product output in values (8 MiB): larger ones came from fresh memory, page faults and all. */
const OUT_VALUES = 1 << 20;

/**
 * The basis V^T (row-major dim x dim) from the reflectors in `v` and `h` (see the file comment). `v` is not modified.
 * The result starts as the identity and takes blocks of ascending reflectors, R <- R B_k with
 * B_k = H_b0 ... H_(b1-1) = I - Y T Y^T: only R's leading b1 x b1 block changes (reflector i touches 0 .. i - 1).
 */
export async function accumulateReflectors(
  v: Float64Array, h: Float64Array, dim: number, kernel: LinalgKernel, options: { signal?: AbortSignal; block?: number } = {},
): Promise<Float64Array> {
  const n = dim;
  const { signal } = options;
  const nb = Math.max(1, Math.floor(options.block ?? REFLECTOR_BLOCK));
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) R[i * n + i] = 1;
  for (let b0 = 1; b0 < n; b0 += nb) {
    throwIfAborted(signal);
    const b1 = Math.min(n, b0 + nb);
    const k = b1 - b0;
    const t = b1 - 1; // the support of the block's last reflector: entries 0 .. b1 - 2
    // Y (t x k): column c is reflector b0 + c's vector, zero below its support; held with zero rows down to dim
    // (Yp) for the product with R's full rows below
    const Y = new Float64Array(n * k);
    for (let c = 0; c < k; c++) {
      const i = b0 + c;
      if (h[i] === 0) continue;
      for (let j = 0; j < i; j++) Y[j * k + c] = v[i * n + j];
    }
    const Ym: F64Matrix = { rows: t, cols: k, data: Y.subarray(0, t * k) };
    const Yp: F64Matrix = { rows: n, cols: k, data: Y };
    const G = (await kernel.gemm(Ym, Ym, { transA: true, signal })).data; // Y^T Y, k x k
    const T = blockT(G, h, b0, k);
    // R's leading t x t block L <- L - (L Y) T Y^T. L Y as R's first t rows (contiguous) times Y padded to dim rows:
    // R is the identity beyond its previous block, so the padding's zeros meet R's zeros, and no copy of L is made
    const Z = await kernel.gemm({ rows: t, cols: n, data: R.subarray(0, t * n) }, Yp, { signal }); // t x k
    const ZT = await kernel.gemm(Z, { rows: k, cols: k, data: T }, { signal }); // t x k
    // the t x t update (ZT Y^T) in row chunks whose outputs stay small: onnxruntime's outputs of 16 MiB or more were
    // fresh memory every time, which made this product 4-5x slower than its arithmetic (docs/benchmarks.md)
    const rowsPer = Math.max(1, Math.floor(OUT_VALUES / Math.max(1, t)));
    for (let r0 = 0; r0 < t; r0 += rowsPer) {
      const r1 = Math.min(t, r0 + rowsPer);
      const zt: F64Matrix = { rows: r1 - r0, cols: k, data: ZT.data.subarray(r0 * k, r1 * k) };
      const D = (await kernel.gemm(zt, Ym, { transB: true, signal })).data; // (r1 - r0) x t
      for (let r = r0; r < r1; r++) {
        const ro = r * n;
        const dr = (r - r0) * t;
        for (let c = 0; c < t; c++) R[ro + c] -= D[dr + c];
      }
    }
  }
  return R;
}

/**
 * T (k x k, upper triangular, row-major) with H_b0 ... H_(b0+k-1) = I - Y T Y^T, from G = Y^T Y (LAPACK's larft,
 * forward, by columns): T_cc = tau_c = 1 / h, T[0:c, c] = -tau_c T[0:c, 0:c] G[0:c, c]. A reflector with h = 0 has a
 * zero column of Y and tau 0: the identity.
 */
function blockT(G: Float64Array, h: Float64Array, b0: number, k: number): Float64Array {
  const T = new Float64Array(k * k);
  const w = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const hc = h[b0 + c];
    const tau = hc === 0 ? 0 : 1 / hc;
    T[c * k + c] = tau;
    if (tau === 0) continue;
    // w = T[0:c, 0:c] G[0:c, c] (T upper triangular)
    for (let r = 0; r < c; r++) {
      let s = 0;
      for (let q = r; q < c; q++) s += T[r * k + q] * G[q * k + c];
      w[r] = s;
    }
    for (let r = 0; r < c; r++) T[r * k + c] = -tau * w[r];
  }
  return T;
}
