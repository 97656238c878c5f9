/** Slow, obviously-correct ridge regression for the tests of linalg/ridge.ts and linalg/ridgeLoo.ts. */
import type { Matrix } from '../../../src/core/linalg/matrix';
import { DEFAULT_GCV_FACTORS } from '../../../src/core/linalg/ridge';
import { randomMatrix, type TestRng } from '../probe/builders';

/** Solves A x = b (A dim x dim, row-major) by Gaussian elimination with partial pivoting: the reference solver. */
export function solve(a: number[][], b: number[]): number[] {
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
export function referenceRidge(x: Matrix, y: Matrix, lambda: number) {
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

export const rowOf = (m: Matrix, i: number) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));

/** y = x M + noise, with a planted map. */
export function regressionData(rng: TestRng, n: number, dx: number, dy: number, noise: number, f64 = false) {
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

/**
 * GCV's argmin by brute force: for every grid lambda (multiples of trace(Xc^T Xc) / dx), RSS from explicit
 * predictions and df = trace(H) from one-hot responses (H e_i = prediction of a one-hot response at row i).
 */
export function bruteForceGcv(x: Matrix, y: Matrix): { lambda: number; gcv: number } {
  const n = x.rows;
  const dx = x.cols;
  const mean = Array.from({ length: dx }, (_, j) => Array.from({ length: n }, (_, i) => x.data[i * dx + j]).reduce((a, b) => a + b, 0) / n);
  let traceGram = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < dx; j++) traceGram += (x.data[i * dx + j] - mean[j]) ** 2;
  let best = Infinity;
  let bestLambda = NaN;
  for (const f of DEFAULT_GCV_FACTORS) {
    const lambda = (f * traceGram) / dx;
    const ref = referenceRidge(x, y, lambda);
    let rss = 0;
    let df = 0;
    for (let i = 0; i < n; i++) {
      const pred = ref.predict(rowOf(x, i));
      rowOf(y, i).forEach((v, c) => (rss += (v - pred[c]) ** 2));
      const e = { rows: n, cols: 1, data: Float64Array.from({ length: n }, (_, k) => (k === i ? 1 : 0)) };
      df += referenceRidge(x, e, lambda).predict(rowOf(x, i))[0];
    }
    const gcv = rss / n / (1 - df / n) ** 2;
    if (gcv < best) {
      best = gcv;
      bestLambda = lambda;
    }
  }
  return { lambda: bestLambda, gcv: best };
}

/** Largest |a - b| / |b| over the entries. */
export function maxRelative(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new Error(`maxRelative: ${a.length} vs ${b.length} values`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return m;
}
