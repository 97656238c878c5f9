import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../../src/core/linalg/eigen';
import type { Matrix } from '../../../src/core/linalg/matrix';
import { selectRows } from '../../../src/core/linalg/matrix';
import { DEFAULT_GCV_FACTORS, fitRidge, ridgeResidualNorms } from '../../../src/core/linalg/ridge';
import { setSimdEnabled } from '../../../src/core/linalg/simd';
import { randomMatrix, TestRng } from '../probe/builders';

/** Solves A x = b (A dim x dim, row-major) by Gaussian elimination with partial pivoting: the reference solver. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) piv = r;
    [m[col], m[piv]] = [m[piv], m[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** The definition: centre, solve (Xc^T Xc + lambda I) B = Xc^T Yc column by column, intercept from the means. */
function referenceRidge(x: Matrix, y: Matrix, lambda: number) {
  const n = x.rows;
  const dx = x.cols;
  const dy = y.cols;
  const at = (m: Matrix, i: number, j: number) => m.data[i * m.cols + j];
  const mx = Array.from({ length: dx }, (_, j) => Array.from({ length: n }, (_, i) => at(x, i, j)).reduce((a, b) => a + b, 0) / n);
  const my = Array.from({ length: dy }, (_, c) => Array.from({ length: n }, (_, i) => at(y, i, c)).reduce((a, b) => a + b, 0) / n);
  const a = Array.from({ length: dx }, (_, j) =>
    Array.from({ length: dx }, (_, k) => {
      let s = j === k ? lambda : 0;
      for (let i = 0; i < n; i++) s += (at(x, i, j) - mx[j]) * (at(x, i, k) - mx[k]);
      return s;
    }),
  );
  const coef = Array.from({ length: dy }, (_, c) => {
    const b = Array.from({ length: dx }, (_, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (at(x, i, j) - mx[j]) * (at(y, i, c) - my[c]);
      return s;
    });
    return solve(a, b);
  });
  const intercept = my.map((m, c) => m - coef[c].reduce((s, v, j) => s + v * mx[j], 0));
  const predict = (row: number[]) => coef.map((w, c) => intercept[c] + w.reduce((s, v, j) => s + v * row[j], 0));
  return { coef, intercept, predict };
}

const rowOf = (m: Matrix, i: number) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));

/** y = x M + noise, with a planted map. */
function regressionData(rng: TestRng, n: number, dx: number, dy: number, noise: number, f64 = false) {
  const x = randomMatrix(rng, n, dx, f64);
  const map = randomMatrix(rng, dx, dy, true);
  const y = randomMatrix(rng, n, dy, f64, noise);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dy; c++) {
      let s = 0.5 * c;
      for (let j = 0; j < dx; j++) s += x.data[i * dx + j] * map.data[j * dy + c];
      y.data[i * dy + c] += s;
    }
  }
  return { x, y };
}

describe('symmetricEigen', () => {
  it('returns ascending eigenvalues and orthonormal vectors with A v = lambda v', () => {
    const rng = new TestRng(11);
    for (const dim of [1, 2, 3, 7, 24]) {
      const b = randomMatrix(rng, dim, dim, true);
      const a = new Float64Array(dim * dim);
      for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) a[i * dim + j] = b.data[i * dim + j] + b.data[j * dim + i];
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
    // Brute force: for every grid lambda, RSS from explicit predictions and df = trace(H) = 1 + trace(Xc (Xc^T Xc + lambda I)^-1 Xc^T).
    const n = x.rows;
    const dx = x.cols;
    const mean = Array.from({ length: dx }, (_, j) => Array.from({ length: n }, (_, i) => x.data[i * dx + j]).reduce((a, b) => a + b, 0) / n);
    let traceGram = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < dx; j++) traceGram += (x.data[i * dx + j] - mean[j]) ** 2;
    const scale = traceGram / dx;
    let best = Infinity;
    let bestLambda = NaN;
    for (const f of DEFAULT_GCV_FACTORS) {
      const lambda = f * scale;
      const ref = referenceRidge(x, y, lambda);
      let rss = 0;
      for (let i = 0; i < n; i++) {
        const pred = ref.predict(rowOf(x, i));
        rowOf(y, i).forEach((v, c) => (rss += (v - pred[c]) ** 2));
      }
      // df: the hat matrix's trace, column by column (H e_i = prediction of a one-hot response at row i).
      let df = 0;
      for (let i = 0; i < n; i++) {
        const e = { rows: n, cols: 1, data: Float64Array.from({ length: n }, (_, k) => (k === i ? 1 : 0)) };
        df += referenceRidge(x, e, lambda).predict(rowOf(x, i))[0];
      }
      const gcv = rss / n / (1 - df / n) ** 2;
      if (gcv < best) {
        best = gcv;
        bestLambda = lambda;
      }
    }
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
