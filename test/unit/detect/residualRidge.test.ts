import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../../src/core/linalg/eigen';
import { selectRows } from '../../../src/core/linalg/matrix';
import { fitRidge, ridgeResidualNorms } from '../../../src/core/linalg/ridge';
import { setSimdEnabled } from '../../../src/core/linalg/simd';
import { randomMatrix, TestRng } from '../probe/builders';
import { bruteForceGcv, referenceRidge, regressionData, rowOf } from './ridgeReference';

/** B + B^T for a random B. */
function randomSymmetric(rng: TestRng, dim: number): Float64Array {
  const b = randomMatrix(rng, dim, dim, true);
  const a = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) a[i * dim + j] = b.data[i * dim + j] + b.data[j * dim + i];
  return a;
}

describe('symmetricEigen', () => {
  it('returns ascending eigenvalues and orthonormal vectors with A v = lambda v', () => {
    const rng = new TestRng(11);
    for (const dim of [1, 2, 3, 7, 24]) {
      const a = randomSymmetric(rng, dim);
      const { values, vectors } = symmetricEigen(a, dim);
      let trace = 0;
      for (let i = 0; i < dim; i++) trace += a[i * dim + i];
      expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 9);
      for (let k = 1; k < dim; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
      for (let k = 0; k < dim; k++) {
        for (let i = 0; i < dim; i++) {
          let av = 0;
          for (let j = 0; j < dim; j++) av += a[i * dim + j] * vectors[k * dim + j];
          expect(av).toBeCloseTo(values[k] * vectors[k * dim + i], 9);
        }
        for (let l = 0; l < dim; l++) {
          let d = 0;
          for (let j = 0; j < dim; j++) d += vectors[k * dim + j] * vectors[l * dim + j];
          expect(d).toBeCloseTo(k === l ? 1 : 0, 12);
        }
      }
    }
  });

  it('handles a zero matrix, a diagonal with repeated values and an empty matrix', () => {
    expect(Array.from(symmetricEigen(new Float64Array(9), 3).values)).toEqual([0, 0, 0]);
    const diag = Float64Array.from([2, 0, 0, 0, -1, 0, 0, 0, 2]);
    expect(Array.from(symmetricEigen(diag, 3).values)).toEqual([-1, 2, 2]);
    expect(symmetricEigen(new Float64Array(0), 0).values.length).toBe(0);
  });

  it('stops at the tridiagonal form A = V T V^T when asked, with the same eigenvalues bit for bit', () => {
    const rng = new TestRng(31);
    for (const dim of [1, 2, 6, 19, 40]) {
      const a = randomSymmetric(rng, dim);
      const full = symmetricEigen(a, dim);
      const tri = symmetricEigen(a, dim, { tridiagonal: true });
      expect(full.tridiagonal).toBeUndefined();
      expect(Array.from(tri.values)).toEqual(Array.from(full.values));
      const { diagonal, sub } = tri.tridiagonal!;
      expect(sub[0]).toBe(0);
      // T dense, then V T V^T with V's columns the rows of tri.vectors
      const v = tri.vectors;
      for (let i = 0; i < dim; i++) {
        for (let j = 0; j < dim; j++) {
          let s = 0;
          let o = 0;
          for (let k = 0; k < dim; k++) {
            // (T V^T)_kj = diag_k V_jk + sub_k V_j(k-1) + sub_(k+1) V_j(k+1), V_jk = v[k * dim + j]
            let t = diagonal[k] * v[k * dim + j];
            if (k > 0) t += sub[k] * v[(k - 1) * dim + j];
            if (k + 1 < dim) t += sub[k + 1] * v[(k + 1) * dim + j];
            s += v[k * dim + i] * t;
            o += v[k * dim + i] * v[k * dim + j];
          }
          expect(s).toBeCloseTo(a[i * dim + j], 10);
          expect(o).toBeCloseTo(i === j ? 1 : 0, 12);
        }
      }
    }
  });

  it('fuses the reduction and groups the accumulation with the same bits as EISPACK\'s order of passes', () => {
    const rng = new TestRng(29);
    const cases: Float64Array[] = [];
    const dims = [1, 2, 5, 9, 17, 40];
    for (const dim of dims) {
      const a = randomSymmetric(rng, dim);
      cases.push(a);
    }
    // zero rows and columns make some steps' h exactly 0 (those transformations are skipped)
    const dimZ = 12;
    const z = new Float64Array(dimZ * dimZ);
    for (let i = 0; i < dimZ; i++) for (let j = 0; j < dimZ; j++) if (i % 3 !== 0 && j % 3 !== 0) z[i * dimZ + j] = 1 + ((i * j) % 5);
    cases.push(z);
    dims.push(dimZ);
    // a diagonal (every step a zero column), and a block-diagonal one (zero columns between transforming steps)
    const diag = new Float64Array(36);
    for (let i = 0; i < 6; i++) diag[i * 6 + i] = i - 2.5;
    cases.push(diag);
    dims.push(6);
    const blocks = new Float64Array(100);
    for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) if (Math.floor(i / 4) === Math.floor(j / 4)) blocks[i * 10 + j] = Math.cos(i + 2 * j) + Math.cos(j + 2 * i);
    cases.push(blocks);
    dims.push(10);
    for (const simd of [true, false]) {
      setSimdEnabled(simd);
      try {
        cases.forEach((a, c) => {
          const dim = dims[c];
          const once = symmetricEigen(a, dim, { accumulateGroup: 1, fuseReduction: false });
          for (const group of [1, 2, 3, 8, 64]) {
            const grouped = symmetricEigen(a, dim, { accumulateGroup: group });
            expect(Array.from(grouped.values)).toEqual(Array.from(once.values));
            expect(Array.from(grouped.vectors)).toEqual(Array.from(once.vectors));
            const unfused = symmetricEigen(a, dim, { accumulateGroup: group, fuseReduction: false });
            expect(Array.from(unfused.vectors)).toEqual(Array.from(once.vectors));
          }
          for (const group of [2, 64]) {
            const grouped = symmetricEigen(a, dim, { accumulateGroup: group });
            expect(Array.from(grouped.values)).toEqual(Array.from(once.values));
            expect(Array.from(grouped.vectors)).toEqual(Array.from(once.vectors));
          }
          expect(Array.from(symmetricEigen(a, dim).vectors)).toEqual(Array.from(once.vectors));
        });
      } finally {
        setSimdEnabled(true);
      }
    }
    // and the grouped result is an eigendecomposition (the first test checks A v = lambda v at the default group)
    const a = cases[5];
    const { values, vectors } = symmetricEigen(a, 40, { accumulateGroup: 3 });
    for (let i = 0; i < 40; i++) {
      let av = 0;
      for (let j = 0; j < 40; j++) av += a[i * 40 + j] * vectors[7 * 40 + j];
      expect(av).toBeCloseTo(values[7] * vectors[7 * 40 + i], 9);
    }
  });
});

describe('fitRidge', () => {
  it('matches the closed form (Xc^T Xc + lambda I)^-1 Xc^T Yc with an unpenalised intercept', () => {
    const rng = new TestRng(12);
    for (const [n, dx, dy, f64] of [[40, 5, 3, false], [30, 8, 11, true], [6, 9, 2, true]] as const) {
      const { x, y } = regressionData(rng, n, dx, dy, 0.3, f64);
      for (const lambda of [0.01, 1, 30]) {
        const fit = fitRidge(x, y, { lambda });
        const ref = referenceRidge(x, y, lambda);
        expect(fit.rule).toBe('fixed');
        for (let c = 0; c < dy; c++) {
          for (let j = 0; j < dx; j++) expect(fit.coefT[c * dx + j]).toBeCloseTo(ref.coef[c][j], 8);
          expect(fit.intercept[c]).toBeCloseTo(ref.intercept[c], 8);
        }
        const norms = ridgeResidualNorms(fit, x, y);
        for (let i = 0; i < n; i++) {
          const pred = ref.predict(rowOf(x, i));
          const r = Math.hypot(...rowOf(y, i).map((v, c) => v - pred[c]));
          expect(norms[i]).toBeCloseTo(r, 7);
        }
      }
    }
  });

  it('gives the same fit with the SIMD and the JavaScript row loops', () => {
    const rng = new TestRng(13);
    const { x, y } = regressionData(rng, 300, 17, 9, 0.5);
    setSimdEnabled(false);
    const js = fitRidge(x, y);
    const jsNorms = ridgeResidualNorms(js, x, y, { leaveOneOut: true });
    setSimdEnabled(true);
    const simd = fitRidge(x, y);
    const simdNorms = ridgeResidualNorms(simd, x, y, { leaveOneOut: true });
    expect(simd.lambda).toBe(js.lambda);
    for (let i = 0; i < simd.coefT.length; i++) expect(simd.coefT[i]).toBeCloseTo(js.coefT[i], 9);
    for (let i = 0; i < 300; i++) expect(simdNorms[i]).toBeCloseTo(jsNorms[i], 9);
  });

  it('chooses lambda as the argmin of GCV computed from the explicit hat matrix', () => {
    const rng = new TestRng(14);
    const { x, y } = regressionData(rng, 25, 6, 4, 2);
    const fit = fitRidge(x, y);
    expect(fit.rule).toBe('gcv');
    const { lambda: bestLambda, gcv: best } = bruteForceGcv(x, y);
    expect(fit.lambda).toBeCloseTo(bestLambda, 9);
    expect(fit.gcv).toBeCloseTo(best, 8);
  });

  it('gives exact leave-one-out residuals: each row against the map fitted without it', () => {
    const rng = new TestRng(15);
    const { x, y } = regressionData(rng, 20, 4, 3, 1, true);
    const lambda = 2.5;
    const fit = fitRidge(x, y, { lambda });
    const loo = ridgeResidualNorms(fit, x, y, { leaveOneOut: true });
    for (let i = 0; i < 20; i++) {
      const others = Int32Array.from({ length: 19 }, (_, k) => (k < i ? k : k + 1));
      const ref = referenceRidge(selectRows(x, others), selectRows(y, others), lambda);
      const pred = ref.predict(rowOf(x, i));
      expect(loo[i]).toBeCloseTo(Math.hypot(...rowOf(y, i).map((v, c) => v - pred[c])), 8);
    }
  });

  it('predicts the mean when x is constant, and rejects bad shapes and penalties', () => {
    const x = { rows: 4, cols: 2, data: new Float32Array(8).fill(3) };
    const y = { rows: 4, cols: 1, data: Float32Array.from([1, 2, 3, 6]) };
    const fit = fitRidge(x, y);
    expect(Array.from(ridgeResidualNorms(fit, x, y))).toEqual([2, 1, 0, 3]);
    expect(() => fitRidge(x, { rows: 3, cols: 1, data: new Float32Array(3) })).toThrow(/4 rows of x but 3 rows of y/);
    expect(() => fitRidge(x, y, { lambda: -1 })).toThrow(/lambda must be/);
    expect(() => fitRidge({ rows: 0, cols: 2, data: new Float32Array(0) }, { rows: 0, cols: 1, data: new Float32Array(0) })).toThrow(/no rows/);
  });
});
