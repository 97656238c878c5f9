/**
 * The probes' diagonal preconditioner (probe.ts `diagonalPreconditioner`, lbfgs.ts `diagonal`): activations with a
 * few dimensions far larger than the rest (LLM hidden states) reach the gradient stop in a few dozen iterations
 * instead of spending L-BFGS's 1,000, at the same optimum; other data keep their exact runs.
 */
import { describe, expect, it } from 'vitest';
import { diagonalPreconditioner, fitProbe, minimizeLbfgs, oneHot } from '../../../src/core/probe';
import { Rng } from '../../../src/core/random/rng';

function outlierData(scale: number, n = 800, d = 60, C = 2) {
  const rng = new Rng(23);
  const w = Float64Array.from({ length: d }, () => rng.normal());
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = rng.normal();
      s += v * w[j];
      x[i * d + j] = j < 3 ? scale * (v + 3) : v;
    }
    labels[i] = C === 2 ? (s + 4 * rng.normal() > 0 ? 1 : 0) : Math.min(C - 1, Math.max(0, Math.floor(s / 4 + C / 2)));
  }
  return { x: { rows: n, cols: d, data: x }, targets: oneHot(labels, C) };
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('diagonal preconditioner', () => {
  it('is none for columns of like scales, and shrinks only the large columns otherwise', () => {
    expect(diagonalPreconditioner(outlierData(1).x, 1)).toBeUndefined();
    const D = diagonalPreconditioner(outlierData(100).x, 1)!;
    expect(D.length).toBe(61);
    expect(Math.max(...D.subarray(0, 3))).toBeLessThan(1e-3); // the three outlier columns
    expect(Math.min(...D.subarray(3, 60))).toBeGreaterThan(0.5);
    expect(D[60]).toBeGreaterThan(0.5); // the bias
    expect(diagonalPreconditioner(outlierData(100).x, 1, { precondition: false })).toBeUndefined();
    expect(diagonalPreconditioner(outlierData(100).x, 3)!.length).toBe(3 * 61);
  });

  for (const C of [2, 3]) {
    it(`brings a probe on outlier dimensions to its stop at the same optimum (${C} classes)`, () => {
      const { x, targets } = outlierData(100, 800, 60, C);
      const plain = fitProbe(x, targets, C, { precondition: false });
      const pre = fitProbe(x, targets, C);
      expect(plain.fit.converged).toBe(false); // the plain run spends its iterations
      expect(plain.fit.iterations).toBe(1000);
      expect(pre.fit.converged, JSON.stringify(pre.fit)).toBe(true);
      expect(pre.fit.iterations).toBeLessThan(300);
      // the optimum: both polished to 1e-12 agree, and the preconditioned 1e-6 fit is within its stop of it
      const optimum = fitProbe(x, targets, C, { polish: true, precondition: false });
      expect(optimum.fit.gradNorm).toBeLessThan(1e-10);
      const polishedPre = fitProbe(x, targets, C, { polish: true });
      expect(maxAbs(polishedPre.weights.map((v, j) => v - optimum.weights[j]))).toBeLessThan(1e-8);
      expect(maxAbs(pre.weights.map((v, j) => v - optimum.weights[j]))).toBeLessThan(1e-2);
    });
  }

  it('leaves a run on columns of like scales bitwise as it was', () => {
    const { x, targets } = outlierData(1);
    const a = fitProbe(x, targets, 2);
    const b = fitProbe(x, targets, 2, { precondition: false });
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(a.fit.iterations).toBe(b.fit.iterations);
  });

  it('L-BFGS with a diagonal: a badly scaled quadratic in few iterations, the same minimum', () => {
    const n = 50;
    const h = Float64Array.from({ length: n }, (_, j) => (j < 5 ? 1e4 : 1 + j / 10));
    const obj = {
      dim: n,
      evaluate(x: Float64Array, g: Float64Array) {
        let f = 0;
        for (let j = 0; j < n; j++) {
          g[j] = h[j] * (x[j] - 1);
          f += 0.5 * h[j] * (x[j] - 1) ** 2;
        }
        return f;
      },
    };
    const plain = minimizeLbfgs(obj, new Float64Array(n), { gradTol: 1e-8 });
    const pre = minimizeLbfgs(obj, new Float64Array(n), { gradTol: 1e-8, diagonal: Float64Array.from(h, (v) => Math.min(1, 1 / v)) });
    expect(pre.converged).toBe(true);
    expect(pre.iterations).toBeLessThan(plain.iterations);
    expect(maxAbs(pre.x.map((v) => v - 1))).toBeLessThan(1e-8);
  });
});
