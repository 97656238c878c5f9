/**
 * Eigendecomposition of a small dense symmetric matrix (dim x dim, dim up to a few thousand): Householder
 * reduction to tridiagonal form, then the implicit QL algorithm with shifts (EISPACK tred2 / tql2, as in JAMA,
 * public domain). O(dim^3); used by the ridge regression's generalized cross-validation (ridge.ts), where the
 * Gram matrix of the weak activations is dim_weak x dim_weak.
 */
import { simdWorkspace, type SimdWorkspace } from './simd';
import { runSteps, STEP_WORK, type Steps } from './steps';

export interface SymmetricEigen {
  dim: number;
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as rows: vectors[k * dim + j] is component j of the eigenvector of values[k] (unit length). */
  vectors: Float64Array;
}

/**
 * Eigenvalues and eigenvectors of the symmetric `a` (row-major dim x dim; only symmetry is assumed, not checked;
 * `a` is not modified). Throws when the QL iteration does not converge (only on non-finite input).
 */
export function symmetricEigen(a: Float64Array, dim: number): SymmetricEigen {
  return runSteps(symmetricEigenSteps(a, dim));
}

/**
 * symmetricEigen as steps (steps.ts): yields every ~STEP_WORK multiply-adds, between iterations of the outer
 * loops (one Householder reflection, one accumulation row, one eigenvalue's QL iterations); the same arithmetic.
 */
export function* symmetricEigenSteps(a: Float64Array, dim: number): Steps<SymmetricEigen> {
  if (a.length < dim * dim) throw new Error(`symmetricEigen: ${a.length} values for a ${dim} x ${dim} matrix`);
  // tred2/tql2 (EISPACK) work on the columns of V; we store V transposed (v[j * n + i] = V[i][j]), so the inner loops
  // (the QL rotations, the Householder updates) run along contiguous memory instead of striding by n: the same
  // operations in the same order, several times faster at dim ~ 1,000. At the end row k of v is eigenvector k.
  const n = dim;
  // v lives in WebAssembly memory when SIMD is available, for the row kernels (kernels.wat: the same bits as the loops).
  // After v, d and e: room for one QL sweep's rotations (c, c, s, s each; at most n - 1 per sweep), for rotseq64.
  const ws = n >= 8 ? simdWorkspace((n * n + 6 * n) * 8) : null;
  const v = ws ? new Float64Array(ws.f64.buffer, 0, n * n) : new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v[j * n + i] = a[i * n + j];
  const d = ws ? new Float64Array(ws.f64.buffer, n * n * 8, n) : new Float64Array(n);
  const e = ws ? new Float64Array(ws.f64.buffer, (n * n + n) * 8, n) : new Float64Array(n);
  if (n > 0) {
    yield* tred2(v, d, e, n, ws);
    yield* tql2(v, d, e, n, ws);
  }
  return { dim: n, values: d, vectors: v };
}

/** Householder tridiagonalisation: on return d is the diagonal, e[1..] the subdiagonal, v the transformation (transposed). */
function* tred2(v: Float64Array, d: Float64Array, e: Float64Array, n: number, ws: SimdWorkspace | null): Steps<void> {
  for (let j = 0; j < n; j++) d[j] = v[j * n + (n - 1)];
  let work = 0;
  for (let i = n - 1; i > 0; i--) {
    householderStep(v, d, e, n, ws, i);
    work += 2 * i * i;
    if (work >= STEP_WORK) {
      work = 0;
      yield;
    }
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    accumulateStep(v, d, n, ws, i);
    work += 2 * (i + 1) * (i + 1);
    if (work >= STEP_WORK) {
      work = 0;
      yield;
    }
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + (n - 1)];
    v[j * n + (n - 1)] = 0;
  }
  v[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/** tred2's reflection i (i from n - 1 down to 1). */
function householderStep(v: Float64Array, d: Float64Array, e: Float64Array, n: number, ws: SimdWorkspace | null, i: number): void {
  let scale = 0;
  let h = 0;
  for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
  if (scale === 0) {
    e[i] = d[i - 1];
    for (let j = 0; j < i; j++) {
      d[j] = v[j * n + (i - 1)];
      v[j * n + i] = 0;
      v[i * n + j] = 0;
    }
  } else {
    for (let k = 0; k < i; k++) {
      d[k] /= scale;
      h += d[k] * d[k];
    }
    let f = d[i - 1];
    let g = Math.sqrt(h);
    if (f > 0) g = -g;
    e[i] = scale * g;
    h -= f * g;
    d[i - 1] = f - g;
    for (let j = 0; j < i; j++) e[j] = 0;
    for (let j = 0; j < i; j++) {
      f = d[j];
      v[i * n + j] = f;
      const rj = j * n;
      g = e[j] + v[rj + j] * f;
      // The rest of row j's dot with d (dot64's order: the kernel's and the loop's bits agree), and e += f row j.
      const len = i - 1 - j;
      if (len > 0) {
        if (ws) g += ws.dotAxpy64(f, v.byteOffset + (rj + j + 1) * 8, d.byteOffset + (j + 1) * 8, e.byteOffset + (j + 1) * 8, len);
        else {
          g += dot64(v, rj + j + 1, d, j + 1, len);
          for (let k = j + 1; k <= i - 1; k++) e[k] += v[rj + k] * f;
        }
      }
      e[j] = g;
    }
    f = 0;
    for (let j = 0; j < i; j++) {
      e[j] /= h;
      f += e[j] * d[j];
    }
    const hh = f / (h + h);
    for (let j = 0; j < i; j++) e[j] -= hh * d[j];
    for (let j = 0; j < i; j++) {
      f = d[j];
      g = e[j];
      const rj = j * n;
      if (ws) ws.rank2_64(f, g, e.byteOffset + j * 8, d.byteOffset + j * 8, v.byteOffset + (rj + j) * 8, i - j);
      else for (let k = j; k <= i - 1; k++) v[rj + k] -= f * e[k] + g * d[k];
      d[j] = v[j * n + (i - 1)];
      v[j * n + i] = 0;
    }
  }
  d[i] = h;
}

/** tred2's accumulation of transformation i (i from 0 to n - 2). */
function accumulateStep(v: Float64Array, d: Float64Array, n: number, ws: SimdWorkspace | null, i: number): void {
  v[i * n + (n - 1)] = v[i * n + i];
  v[i * n + i] = 1;
  const h = d[i + 1];
  if (h !== 0) {
    for (let k = 0; k <= i; k++) d[k] = v[(i + 1) * n + k] / h;
    const ri = (i + 1) * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      const g = ws ? ws.dot64(v.byteOffset + ri * 8, v.byteOffset + rj * 8, i + 1) : dot64(v, ri, v, rj, i + 1);
      // y - g d and y + (-g) d round alike, so the kernel gives the loop's bits
      if (ws) ws.axpy64(-g, d.byteOffset, v.byteOffset + rj * 8, i + 1);
      else for (let k = 0; k <= i; k++) v[rj + k] -= g * d[k];
    }
  }
  for (let k = 0; k <= i; k++) v[(i + 1) * n + k] = 0;
}

/** Implicit QL on the tridiagonal (d, e); sorts the eigenvalues ascending with their vectors (rows of v). */
function* tql2(v: Float64Array, d: Float64Array, e: Float64Array, n: number, ws: SimdWorkspace | null): Steps<void> {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  const state: QlState = { f: 0, tst1: 0 };
  let work = 0;
  for (let l = 0; l < n; l++) {
    work += qlStep(v, d, e, n, ws, l, state) * n;
    if (work >= STEP_WORK) {
      work = 0;
      yield;
    }
  }
  sortAscending(v, d, n);
}

/**
 * Rotations per rotseq64 call. At dim 1,024 (bench/core's ridge map) one sweep in one call took 2.2x the time of one
 * rot64 call per rotation (each walk down a column block missed the caches), groups of 6 to 12 took 0.45x, 24 0.6x.
 */
const ROTATION_GROUP = 8;

/** What tql2 carries from one eigenvalue to the next. */
interface QlState {
  f: number;
  tst1: number;
}

/** tql2's iterations for eigenvalue l; returns the number of row rotations done (the work, in rows of v). */
function qlStep(v: Float64Array, d: Float64Array, e: Float64Array, n: number, ws: SimdWorkspace | null, l: number, state: QlState): number {
  let { f, tst1 } = state;
  let rotations = 0;
  const eps = 2 ** -52;
  tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
  let m = l;
  while (m < n) {
    if (Math.abs(e[m]) <= eps * tst1) break;
    m++;
  }
  if (m > l) {
    let iter = 0;
    do {
      if (++iter > 60) throw new Error('symmetricEigen: the QL iteration did not converge (non-finite input?)');
      let g = d[l];
      let p = (d[l + 1] - g) / (2 * e[l]);
      let r = Math.hypot(p, 1);
      if (p < 0) r = -r;
      d[l] = e[l] / (p + r);
      d[l + 1] = e[l] * (p + r);
      const dl1 = d[l + 1];
      let h = g - d[l];
      for (let i = l + 2; i < n; i++) d[i] -= h;
      f += h;
      p = d[m];
      let c = 1;
      let c2 = c;
      let c3 = c;
      const el1 = e[l + 1];
      let s = 0;
      let s2 = 0;
      // With the kernels the sweep's rotations are stored (c, c, s, s) and applied to v together afterwards
      // (rotseq64: each row read and written once); they depend on d and e only, never on v.
      const cs = ws ? new Float64Array(ws.f64.buffer, (n * n + 2 * n) * 8, 4 * n) : null;
      for (let i = m - 1; i >= l; i--) {
        c3 = c2;
        c2 = c;
        s2 = s;
        g = c * e[i];
        h = c * p;
        r = Math.hypot(p, e[i]);
        e[i + 1] = s * r;
        s = e[i] / r;
        c = p / r;
        p = c * d[i] - s * g;
        d[i + 1] = h + s * (c * g + s * d[i]);
        // the rotation of rows i and i + 1 of v (h is reassigned before its next use)
        const r0 = i * n;
        const r1 = r0 + n;
        rotations++;
        if (cs) {
          const o = 4 * (m - 1 - i);
          cs[o] = c;
          cs[o + 1] = c;
          cs[o + 2] = s;
          cs[o + 3] = s;
        } else for (let k = 0; k < n; k++) {
          const t = v[r1 + k];
          const u = v[r0 + k];
          v[r1 + k] = s * u + c * t;
          v[r0 + k] = c * u - s * t;
        }
      }
      if (ws && cs) {
        // in groups of ROTATION_GROUP rotations: the rows one walk down a column block touches stay in the first-level
        // cache (rows n * 8 bytes apart share its sets), and each group hands its top row to the next through memory
        for (let q = 0; q < m - l; q += ROTATION_GROUP) {
          ws.rotseq64(cs.byteOffset + q * 32, Math.min(ROTATION_GROUP, m - l - q), v.byteOffset + (m - q) * n * 8, n * 8, n);
        }
      }
      p = (-s * s2 * c3 * el1 * e[l]) / dl1;
      e[l] = s * p;
      d[l] = c * p;
    } while (Math.abs(e[l]) > eps * tst1);
  }
  d[l] += f;
  e[l] = 0;
  state.f = f;
  state.tst1 = tst1;
  return rotations;
}

/** Selection sort, ascending, swapping the columns of v along. */
function sortAscending(v: Float64Array, d: Float64Array, n: number): void {
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      for (let j = 0; j < n; j++) {
        const t = v[i * n + j];
        v[i * n + j] = v[k * n + j];
        v[k * n + j] = t;
      }
    }
  }
}

/**
 * sum_k a[ao + k] b[bo + k] in the SIMD kernel's order (kernels.wat dot64): eight partial sums, element k into sum
 * k % 8, combined as ((s0 + s2) + (s4 + s6)) + ((s1 + s3) + (s5 + s7)), then the len % 8 tail in order. With and
 * without WebAssembly the eigendecomposition gives the same bits.
 */
export function dot64(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  const end8 = len & ~7;
  let k = 0;
  for (; k < end8; k += 8) {
    const x = ao + k;
    const y = bo + k;
    s0 += a[x] * b[y];
    s1 += a[x + 1] * b[y + 1];
    s2 += a[x + 2] * b[y + 2];
    s3 += a[x + 3] * b[y + 3];
    s4 += a[x + 4] * b[y + 4];
    s5 += a[x + 5] * b[y + 5];
    s6 += a[x + 6] * b[y + 6];
    s7 += a[x + 7] * b[y + 7];
  }
  let s = ((s0 + s2) + (s4 + s6)) + ((s1 + s3) + (s5 + s7));
  for (; k < len; k++) s += a[ao + k] * b[bo + k];
  return s;
}
