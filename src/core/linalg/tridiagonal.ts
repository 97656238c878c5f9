/**
 * Solves with M = T + lambda I, T the symmetric tridiagonal matrix of a Householder reduction (eigen.ts,
 * `tridiagonal: true`): the ridge map's primal route in T's basis instead of its eigenbasis (ridgeGemm.ts). With
 * A = Xc^T Xc = V T V^T and Q = V^T Xc^T Yc, everything GCV and the residuals need is a quadratic form or a solve
 * with M, and M = L D L^T (L unit lower bidiagonal, D diagonal) costs O(dim):
 *
 *   q^T M^-1 q = sum_k z_k^2 / delta_k  with L z = q             (forward sweep only)
 *   M^-1 q:      x_k = z_k / delta_k - l_(k+1) x_(k+1)           (then a backward sweep)
 *
 * so the QL iterations that diagonalise T (O(dim^3) plane rotations of the basis, 45% of a 2,048-wide
 * eigendecomposition and most of a 4,096-wide one) are not needed. For lambda > 0 and T positive semi-definite the
 * pivots delta_k are >= the smallest eigenvalue of M, so the factorisation needs no pivoting.
 */

/** The LDL^T factors of T + lambda I: l[k] (k >= 1) joins k - 1 and k, delta the pivots. */
export interface TridiagonalFactor {
  l: Float64Array;
  delta: Float64Array;
}

/**
 * L D L^T of T + lambda I (diagonal, sub: T's diagonal and subdiagonal, sub[k] joining k - 1 and k). Returns null
 * when a pivot is not positive (T + lambda I not positive definite: lambda = 0 on a singular T); callers then use the
 * eigenbasis.
 */
export function factorTridiagonal(diagonal: Float64Array, sub: Float64Array, lambda: number): TridiagonalFactor | null {
  const n = diagonal.length;
  const l = new Float64Array(n);
  const delta = new Float64Array(n);
  let prev = 0;
  for (let k = 0; k < n; k++) {
    const lk = k > 0 ? sub[k] / prev : 0;
    const dk = diagonal[k] + lambda - lk * (k > 0 ? sub[k] : 0);
    if (!(dk > 0)) return null;
    l[k] = lk;
    delta[k] = dk;
    prev = dk;
  }
  return { l, delta };
}

/** Columns per slab of explainedSums: a slab of Q and its forward sweep stay in the second-level cache. */
const SLAB = 32;

/**
 * For each factor (one per lambda), over every column of the row-major blocks `q` (each dim x cols):
 * tr(Q^T M^-1 Q) + lambda ||M^-1 Q||_F^2, the sum of squares the ridge fit explains (ridge.ts ExplainedSums;
 * in the eigenbasis sum_k w_k (e_k + 2 lambda) / (e_k + lambda)^2, spectrumExplained). Slab by slab of columns, every
 * lambda while the slab is in cache.
 */
export function explainedSums(factors: TridiagonalFactor[], lambdas: number[], q: { cols: number; data: Float64Array }[], dim: number): Float64Array {
  const out = new Float64Array(factors.length);
  const z = new Float64Array(dim * SLAB);
  const x = new Float64Array(SLAB);
  for (const block of q) {
    const { cols, data } = block;
    for (let c0 = 0; c0 < cols; c0 += SLAB) {
      const w = Math.min(SLAB, cols - c0);
      for (let f = 0; f < factors.length; f++) {
        const { l, delta } = factors[f];
        let quad = 0;
        // forward: z_k = q_k - l_k z_(k-1); quad += |z_k|^2 / delta_k
        for (let k = 0; k < dim; k++) {
          const qo = k * cols + c0;
          const zo = k * SLAB;
          const lk = l[k];
          let s = 0;
          if (k === 0) {
            for (let c = 0; c < w; c++) {
              const v = data[qo + c];
              z[c] = v;
              s += v * v;
            }
          } else {
            const po = zo - SLAB;
            for (let c = 0; c < w; c++) {
              const v = data[qo + c] - lk * z[po + c];
              z[zo + c] = v;
              s += v * v;
            }
          }
          quad += s / delta[k];
        }
        // backward: x_k = z_k / delta_k - l_(k+1) x_(k+1); norm += |x_k|^2
        let norm = 0;
        for (let k = dim - 1; k >= 0; k--) {
          const zo = k * SLAB;
          const inv = 1 / delta[k];
          let s = 0;
          if (k === dim - 1) {
            for (let c = 0; c < w; c++) {
              const v = z[zo + c] * inv;
              x[c] = v;
              s += v * v;
            }
          } else {
            const ln = l[k + 1];
            for (let c = 0; c < w; c++) {
              const v = z[zo + c] * inv - ln * x[c];
              x[c] = v;
              s += v * v;
            }
          }
          norm += s;
        }
        out[f] += quad + lambdas[f] * norm;
      }
    }
  }
  return out;
}

/** M^-1 Q in place, Q row-major dim x cols. */
export function solveInPlace(factor: TridiagonalFactor, data: Float64Array, dim: number, cols: number): void {
  const { l, delta } = factor;
  for (let k = 1; k < dim; k++) {
    const lk = l[k];
    const o = k * cols;
    const p = o - cols;
    for (let c = 0; c < cols; c++) data[o + c] -= lk * data[p + c];
  }
  if (dim === 0) return;
  const last = (dim - 1) * cols;
  const invLast = 1 / delta[dim - 1];
  for (let c = 0; c < cols; c++) data[last + c] *= invLast;
  for (let k = dim - 2; k >= 0; k--) {
    const inv = 1 / delta[k];
    const ln = l[k + 1];
    const o = k * cols;
    const nx = o + cols;
    for (let c = 0; c < cols; c++) data[o + c] = data[o + c] * inv - ln * data[nx + c];
  }
}

/** p^T M^-1 p for row `row` of the row-major `p` (rows x dim). */
export function quadraticForm(factor: TridiagonalFactor, p: Float64Array, row: number, dim: number): number {
  const { l, delta } = factor;
  const o = row * dim;
  let z = 0;
  let s = 0;
  for (let k = 0; k < dim; k++) {
    z = p[o + k] - l[k] * z;
    s += (z * z) / delta[k];
  }
  return s;
}
