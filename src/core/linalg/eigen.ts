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
  /**
   * Eigenvectors as rows: vectors[k * dim + j] is component j of the eigenvector of values[k] (unit length). With
   * `tridiagonal` set they are not: see there.
   */
  vectors: Float64Array;
  /**
   * Only when asked for (EigenOptions.tridiagonal): the decomposition stopped at A = V T V^T, T symmetric tridiagonal
   * with this diagonal and subdiagonal (sub[k] joins k - 1 and k; sub[0] = 0), V orthogonal; `vectors` then holds the
   * columns of V as rows (row k is V's column k) and `values` T's eigenvalues (A's), ascending. The QL iterations,
   * most of the time at large dims, are left out: ridgeGemm.ts solves with T + lambda I instead of diagonalising.
   */
  tridiagonal?: { diagonal: Float64Array; sub: Float64Array };
  /**
   * Only with EigenOptions.accumulate false: the reflectors' h (H_i = I - u_i u_i^T / h[i], no reflection where
   * h[i] = 0), and `vectors` holds their vectors (row i: u_i over entries 0 .. i - 1) instead of the basis, for
   * householder.ts's blocked accumulation on a Gemm.
   */
  householder?: Float64Array;
}

/**
 * Eigenvalues and eigenvectors of the symmetric `a` (row-major dim x dim; only symmetry is assumed, not checked;
 * `a` is not modified). Throws when the QL iteration does not converge (only on non-finite input).
 */
export function symmetricEigen(a: Float64Array, dim: number, options: EigenOptions = {}): SymmetricEigen {
  return runSteps(symmetricEigenSteps(a, dim, options));
}

/** Tuning of the same arithmetic (tests compare the settings bit for bit). */
export interface EigenOptions {
  /**
   * Householder transformations accumulated per pass over the rows of v (default ACCUMULATE_GROUP; 1: one pass per
   * transformation, EISPACK's order of passes). Every row sees the same operations in the same order either way.
   */
  accumulateGroup?: number;
  /**
   * Fuse each Householder step's rank-2 update with the next step's symmetric product in one pass over the rows
   * (default true; false: EISPACK's two passes per step). The same operations on the same values: the same bits.
   */
  fuseReduction?: boolean;
  /** Stop at the tridiagonal form (SymmetricEigen.tridiagonal) with the eigenvalues only. */
  tridiagonal?: boolean;
  /** With `tridiagonal`: false leaves the reflectors unaccumulated (SymmetricEigen.householder). Default true. */
  accumulate?: boolean;
}

/**
 * Transformations per accumulation pass. One pass per transformation reads the whole growing block of v from memory
 * for each of the dim - 1 transformations (at dim 4,096: 21 s of a 67 s decomposition, memory-bound); a group of G
 * applies G in turn to each row while it is in the first-level cache, with the group's G Householder vectors
 * (2 G rows) in the second-level cache: G times less traffic to memory. docs/benchmarks.md, "The residual detector
 * at a 4,096-wide weak model".
 */
export const ACCUMULATE_GROUP = 8;

/**
 * symmetricEigen as steps (steps.ts): yields every ~STEP_WORK multiply-adds, between iterations of the outer
 * loops (one Householder reflection, one accumulation row, one eigenvalue's QL iterations); the same arithmetic.
 */
export function* symmetricEigenSteps(a: Float64Array, dim: number, options: EigenOptions = {}): Steps<SymmetricEigen> {
  if (a.length < dim * dim) throw new Error(`symmetricEigen: ${a.length} values for a ${dim} x ${dim} matrix`);
  // tred2/tql2 (EISPACK) work on the columns of V; we store V transposed (v[j * n + i] = V[i][j]), so the inner loops
  // (the QL rotations, the Householder updates) run along contiguous memory instead of striding by n: the same
  // operations in the same order, several times faster at dim ~ 1,000. At the end row k of v is eigenvector k.
  const n = dim;
  // v lives in WebAssembly memory when SIMD is available, for the row kernels (kernels.wat: the same bits as the loops).
  // After v, d and e: room for one QL sweep's rotations (c, c, s, s each; at most n - 1 per sweep), for rotseq64.
  // After those the accumulation's scaled Householder vectors: `group` rows of n.
  const group = Math.max(1, Math.min(Math.floor(options.accumulateGroup ?? ACCUMULATE_GROUP), Math.max(1, n - 1)));
  // Then the fused reduction's second pair of working vectors (2 rows of n).
  const ws = n >= 8 ? simdWorkspace((n * n + 8 * n + group * n) * 8) : null;
  const v = ws ? new Float64Array(ws.f64.buffer, 0, n * n) : new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v[j * n + i] = a[i * n + j];
  const d = ws ? new Float64Array(ws.f64.buffer, n * n * 8, n) : new Float64Array(n);
  const e = ws ? new Float64Array(ws.f64.buffer, (n * n + n) * 8, n) : new Float64Array(n);
  if (n > 0) {
    const scaled = ws ? new Float64Array(ws.f64.buffer, (n * n + 6 * n) * 8, group * n) : new Float64Array(group * n);
    const spare = ws ? new Float64Array(ws.f64.buffer, (n * n + 6 * n + group * n) * 8, 2 * n) : new Float64Array(2 * n);
    if (options.fuseReduction ?? true) yield* reduceFused(v, d, e, n, ws, spare);
    else yield* reduce(v, d, e, n, ws);
    if (options.tridiagonal && options.accumulate === false) {
      // the reduction leaves T's diagonal on v's diagonal (the accumulation would move it to d), h in d, e below
      const diagonal = new Float64Array(n);
      for (let j = 0; j < n; j++) diagonal[j] = v[j * n + j];
      const sub = e.slice();
      sub[0] = 0;
      return { ...(yield* tridiagonalForm(v, diagonal, sub)), householder: d.slice() };
    }
    yield* accumulate(v, d, e, n, ws, group, scaled);
    // accumulate() leaves tql2's input: d the diagonal, e[k] the subdiagonal entry joining k - 1 and k (e[0] = 0)
    if (options.tridiagonal) return yield* tridiagonalForm(v, d.slice(), e.slice());
    yield* tql2(v, d, e, n, ws);
  }
  if (options.tridiagonal) return yield* tridiagonalForm(v, d.slice(), new Float64Array(n));
  return { dim: n, values: d, vectors: v };
}

/** The result stopped at the tridiagonal form (basis rows in v): T's eigenvalues by QL without vectors. */
function* tridiagonalForm(v: Float64Array, diagonal: Float64Array, sub: Float64Array): Steps<SymmetricEigen> {
  const n = diagonal.length;
  const values = diagonal.slice();
  yield* tql2(null, values, sub.slice(), n, null);
  return { dim: n, values, vectors: v, tridiagonal: { diagonal, sub } };
}

/**
 * tred2's Householder reduction, EISPACK's order: per step one pass over the leading block for the symmetric product
 * and one for the rank-2 update. On return d[1..] and e[1..] hold the steps' h and the subdiagonal, v the
 * Householder vectors (the accumulation's input).
 */
function* reduce(v: Float64Array, d: Float64Array, e: Float64Array, n: number, ws: SimdWorkspace | null): Steps<void> {
  for (let j = 0; j < n; j++) d[j] = v[j * n + (n - 1)];
  const p: StepVectors = { x: d, y: e };
  let work = 0;
  for (let i = n - 1; i > 0; i--) {
    // step i writes d[i] = h and e[i] as it starts (EISPACK at its end: nothing in between reads them)
    if (beginStep(v, p, n, i, d, e)) {
      for (let j = 0; j < i; j++) symmetricProductRow(v, p, n, ws, i, j);
      finishProduct(p, i, d[i]);
      for (let j = 0; j < i; j++) {
        rank2Row(v, p, n, ws, i, j);
        d[j] = v[j * n + (i - 1)];
      }
    }
    work += 2 * i * i;
    if (work >= STEP_WORK) {
      work = 0;
      yield;
    }
  }
}

/** A step's working vectors: x the (scaled) Householder vector, y its product with the block (EISPACK's d and e). */
interface StepVectors {
  x: Float64Array;
  y: Float64Array;
}

/**
 * reduce() with step i's rank-2 update and step i - 1's symmetric product in one pass over the rows: each row is
 * updated and then, while it is in cache, multiplied into the next step's product. Step i - 1's vector (column i - 1 of
 * the updated block) is computed first with the update's own formula, so the next step's scaling is known before the
 * pass. Both steps' vectors are live during the pass, so they alternate between two pairs of buffers, and the
 * finished d[i], e[i] wait in `hs`, `es` until the end. Every entry of v, d and e gets the same operations on the
 * same values in the same order as in reduce(): the same bits, with half the passes over memory (at dim 4,096 the
 * reduction read 67 MB twice per step).
 */
function* reduceFused(
  v: Float64Array, d: Float64Array, e: Float64Array, n: number, ws: SimdWorkspace | null, spare: Float64Array,
): Steps<void> {
  const pairs: StepVectors[] = [{ x: d, y: e }, { x: spare.subarray(0, n), y: spare.subarray(n, 2 * n) }];
  const hs = new Float64Array(n);
  const es = new Float64Array(n);
  let cur = pairs[0];
  for (let j = 0; j < n; j++) cur.x[j] = v[j * n + (n - 1)];
  // whether step i transforms (beginStep: false for a zero column), and whether its product is summed already
  let transform = n > 1 && beginStep(v, cur, n, n - 1, hs, es);
  let productDone = false;
  let work = 0;
  for (let i = n - 1; i > 0; i--) {
    if (!transform) {
      // a zero column: beginStep left step i - 1's vector, unscaled, in cur.x
      transform = i > 1 && beginStep(v, cur, n, i - 1, hs, es);
      productDone = false;
      continue;
    }
    if (!productDone) {
      for (let j = 0; j < i; j++) symmetricProductRow(v, cur, n, ws, i, j);
      work += i * i;
    }
    finishProduct(cur, i, hs[i]);
    const next = cur === pairs[0] ? pairs[1] : pairs[0];
    // step i - 1's vector: column i - 1 of the block after this step's update, by the update's formula (the same bits)
    let fuse = false;
    if (i > 1) {
      const { x, y } = cur;
      let scale = 0;
      for (let j = 0; j < i - 1; j++) {
        next.x[j] = v[j * n + (i - 1)] - (x[j] * y[i - 1] + y[j] * x[i - 1]);
        scale += Math.abs(next.x[j]);
      }
      // a zero column's branch reads the block after this update: it runs after the pass, unfused
      fuse = scale !== 0 && beginStep(v, next, n, i - 1, hs, es);
    }
    for (let j = 0; j < i; j++) {
      rank2Row(v, cur, n, ws, i, j);
      if (fuse && j < i - 1) symmetricProductRow(v, next, n, ws, i - 1, j);
    }
    work += 2 * i * i;
    cur = next;
    transform = fuse || (i > 1 && beginStep(v, cur, n, i - 1, hs, es));
    productDone = fuse;
    if (work >= STEP_WORK) {
      work = 0;
      yield;
    }
  }
  for (let i = 1; i < n; i++) {
    d[i] = hs[i];
    e[i] = es[i];
  }
}

/**
 * The start of step i (householderStep's opening) on the vector in p.x[0..i-1]: scales it, writes the step's h and
 * subdiagonal to hs[i], es[i], zeroes p.y; true. For a zero column, that branch instead (v's row i and column i
 * zeroed, step i - 1's vector read into p.x, h = 0); false.
 */
function beginStep(v: Float64Array, p: StepVectors, n: number, i: number, hs: Float64Array, es: Float64Array): boolean {
  const { x, y } = p;
  let scale = 0;
  for (let k = 0; k < i; k++) scale += Math.abs(x[k]);
  if (scale === 0) {
    es[i] = x[i - 1];
    for (let j = 0; j < i; j++) {
      x[j] = v[j * n + (i - 1)];
      v[j * n + i] = 0;
      v[i * n + j] = 0;
    }
    hs[i] = 0;
    return false;
  }
  let h = 0;
  for (let k = 0; k < i; k++) {
    x[k] /= scale;
    h += x[k] * x[k];
  }
  const f = x[i - 1];
  let g = Math.sqrt(h);
  if (f > 0) g = -g;
  es[i] = scale * g;
  h -= f * g;
  x[i - 1] = f - g;
  for (let j = 0; j < i; j++) y[j] = 0;
  hs[i] = h;
  return true;
}

/** Row j's part of step i's product y = A x (row j of the block: its dot with x, and x_j times it into y). */
function symmetricProductRow(v: Float64Array, p: StepVectors, n: number, ws: SimdWorkspace | null, i: number, j: number): void {
  const { x: d, y: e } = p;
  const f = d[j];
  v[i * n + j] = f;
  const rj = j * n;
  let g = e[j] + v[rj + j] * f;
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

/** Step i's product finished: y / h, then y - (x.y / 2h) x (householderStep's middle). */
function finishProduct(p: StepVectors, i: number, h: number): void {
  const { x: d, y: e } = p;
  let f = 0;
  for (let j = 0; j < i; j++) {
    e[j] /= h;
    f += e[j] * d[j];
  }
  const hh = f / (h + h);
  for (let j = 0; j < i; j++) e[j] -= hh * d[j];
}

/** Row j's part of step i's rank-2 update (entries j..i-1 minus x_j y + y_j x), and its entry i zeroed. */
function rank2Row(v: Float64Array, p: StepVectors, n: number, ws: SimdWorkspace | null, i: number, j: number): void {
  const { x: d, y: e } = p;
  const f = d[j];
  const g = e[j];
  const rj = j * n;
  if (ws) ws.rank2_64(f, g, e.byteOffset + j * 8, d.byteOffset + j * 8, v.byteOffset + (rj + j) * 8, i - j);
  else for (let k = j; k <= i - 1; k++) v[rj + k] -= f * e[k] + g * d[k];
  v[rj + i] = 0;
}

/** tred2's accumulation of the transformations into v, `group` at a time; then d and e as tql2 takes them. */
function* accumulate(
  v: Float64Array, d: Float64Array, e: Float64Array, n: number, ws: SimdWorkspace | null, group: number, scaled: Float64Array,
): Steps<void> {
  for (let i0 = 0; i0 < n - 1; i0 += group) yield* accumulateGroup(v, d, n, ws, i0, Math.min(n - 1, i0 + group), scaled);
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + (n - 1)];
    v[j * n + (n - 1)] = 0;
  }
  v[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/**
 * tred2's accumulation of transformations i0 .. i1 - 1 (EISPACK applies transformation i to rows 0..i of v, in turn,
 * over entries 0..i: row i is born as the unit vector e_i at step i; row i + 1, before it is born, holds step i's
 * Householder vector, divided by h = d[i + 1]). Here each row takes every step of the group in turn while it is in
 * cache: the rows born before the group first, then the group's own rows in order, each born only after every row
 * before it has used it as a vector. Each row sees the same operations on the same values in the same order as in
 * EISPACK's order of passes: the same bits. The scaled vectors go to `scaled` (EISPACK borrows d, reset at the end).
 */
function* accumulateGroup(
  v: Float64Array, d: Float64Array, n: number, ws: SimdWorkspace | null, i0: number, i1: number, scaled: Float64Array,
): Steps<void> {
  for (let s = i0; s < i1; s++) {
    const h = d[s + 1];
    if (h === 0) continue;
    const o = (s - i0) * n;
    const r = (s + 1) * n;
    for (let k = 0; k <= s; k++) scaled[o + k] = v[r + k] / h;
  }
  let work = 0;
  for (let j = 0; j < i1; j++) {
    const rj = j * n;
    if (j >= i0) {
      // row j is born: the end of step j - 1 (its entries 0..j-1 were that step's vector), the start of step j
      if (j > i0) for (let k = 0; k < j; k++) v[rj + k] = 0;
      v[rj + (n - 1)] = v[rj + j];
      v[rj + j] = 1;
    }
    for (let s = Math.max(i0, j); s < i1; s++) {
      if (d[s + 1] === 0) continue;
      const rs = (s + 1) * n;
      const o = (s - i0) * n;
      const g = ws ? ws.dot64(v.byteOffset + rs * 8, v.byteOffset + rj * 8, s + 1) : dot64(v, rs, v, rj, s + 1);
      // y - g d and y + (-g) d round alike, so the kernel gives the loop's bits
      if (ws) ws.axpy64(-g, scaled.byteOffset + o * 8, v.byteOffset + rj * 8, s + 1);
      else for (let k = 0; k <= s; k++) v[rj + k] -= g * scaled[o + k];
      work += 2 * (s + 1);
    }
    if (work >= STEP_WORK) {
      work = 0;
      yield;
    }
  }
  // the end of step i1 - 1
  for (let k = 0; k < i1; k++) v[i1 * n + k] = 0;
}

/**
 * Implicit QL on the tridiagonal (d, e); sorts the eigenvalues ascending with their vectors (rows of v). With v null,
 * the eigenvalues alone (tql1): the rotations never feed back into d and e, so the same eigenvalues, bitwise.
 */
function* tql2(v: Float64Array | null, d: Float64Array, e: Float64Array, n: number, ws: SimdWorkspace | null): Steps<void> {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  const state: QlState = { f: 0, tst1: 0 };
  let work = 0;
  for (let l = 0; l < n; l++) {
    work += qlStep(v, d, e, n, ws, l, state) * (v ? n : 1);
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
function qlStep(v: Float64Array | null, d: Float64Array, e: Float64Array, n: number, ws: SimdWorkspace | null, l: number, state: QlState): number {
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
        } else if (v) for (let k = 0; k < n; k++) {
          const t = v[r1 + k];
          const u = v[r0 + k];
          v[r1 + k] = s * u + c * t;
          v[r0 + k] = c * u - s * t;
        }
      }
      if (ws && cs && v) {
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
function sortAscending(v: Float64Array | null, d: Float64Array, n: number): void {
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
      if (v) for (let j = 0; j < n; j++) {
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
