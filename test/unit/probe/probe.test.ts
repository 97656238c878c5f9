import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/core/encoder';
import { InputError } from '../../../src/core/errors';
import type { Matrix } from '../../../src/core/linalg/matrix';
import {
  accuracy, argmaxLabels, confidence, fitProbe, fitProbeAsync, minimizeLbfgs, oneHot, predictProbabilities,
  SoftmaxObjective, type Probe,
} from '../../../src/core/probe';
import { setSimdEnabled } from '../../../src/core/linalg/simd';
import { logisticGradient, randomMatrix, softBinaryTargets, softTargets, TestRng } from './builders';

function softmaxGradient(x: Matrix, targets: Float64Array, probe: Probe): Float64Array {
  const { rows: n, cols: d } = x;
  const C = probe.numClasses;
  const g = new Float64Array(C * d + C);
  const probs = predictProbabilities(probe, x);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      const r = (probs[i * C + c] - targets[i * C + c]) / n;
      for (let j = 0; j < d; j++) g[c * d + j] += r * x.data[i * d + j];
      g[C * d + c] += r;
    }
  }
  for (let j = 0; j < C * d; j++) g[j] += 2 * probe.l2 * probe.weights[j];
  return g;
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Newton's method on the binary objective with d features (dense Hessian, Gaussian elimination), to 1e-13. */
function newtonLogistic(x: Matrix, y: Float64Array, l2: number): Float64Array {
  const { rows: n, cols: d } = x;
  const k = d + 1;
  const p = new Float64Array(k);
  const feat = (i: number, j: number) => (j < d ? x.data[i * d + j] : 1);
  for (let iter = 0; iter < 100; iter++) {
    const g = new Float64Array(k);
    const h = Array.from({ length: k }, () => new Float64Array(k));
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < k; j++) z += feat(i, j) * p[j];
      const s = 1 / (1 + Math.exp(-z));
      for (let a = 0; a < k; a++) {
        g[a] += ((s - y[i]) * feat(i, a)) / n;
        for (let b = 0; b < k; b++) h[a][b] += (s * (1 - s) * feat(i, a) * feat(i, b)) / n;
      }
    }
    for (let j = 0; j < d; j++) {
      g[j] += 2 * l2 * p[j];
      h[j][j] += 2 * l2;
    }
    // solve h step = g
    const m = h.map((row, a) => [...row, g[a]]);
    for (let c = 0; c < k; c++) {
      let piv = c;
      for (let r = c + 1; r < k; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
      [m[c], m[piv]] = [m[piv], m[c]];
      for (let r = c + 1; r < k; r++) {
        const f = m[r][c] / m[c][c];
        for (let q = c; q <= k; q++) m[r][q] -= f * m[c][q];
      }
    }
    const step = new Float64Array(k);
    for (let r = k - 1; r >= 0; r--) {
      let s = m[r][k];
      for (let q = r + 1; q < k; q++) s -= m[r][q] * step[q];
      step[r] = s / m[r][r];
    }
    for (let j = 0; j < k; j++) p[j] -= step[j];
    if (maxAbs(step) < 1e-13) break;
  }
  return p;
}

describe('fitProbe, binary logistic', () => {
  it('converges to ||grad||_inf <= 1e-6 (checked against an independent gradient) on random problems', () => {
    const rng = new TestRng(31);
    for (let trial = 0; trial < 6; trial++) {
      const n = rng.int(20, 300);
      const d = rng.int(2, 40);
      const x = randomMatrix(rng, n, d, trial % 2 === 1, 1 + trial);
      const targets = trial % 3 === 0 ? oneHot(Array.from({ length: n }, () => rng.int(0, 1)), 2) : softBinaryTargets(rng, x);
      const probe = fitProbe(x, targets, 2);
      expect(probe.kind).toBe('logistic');
      expect(probe.fit.converged).toBe(true);
      expect(probe.fit.stop).toBe('gradient');
      expect(probe.fit.gradNorm).toBeLessThanOrEqual(1e-6);
      expect(maxAbs(logisticGradient(x, targets, probe))).toBeLessThan(1.5e-6);
    }
  });

  it('equals an independent Newton solve on tiny problems (1-D and 3-D) within 1e-6', () => {
    const rng = new TestRng(32);
    for (const d of [1, 3]) {
      const n = 40;
      const x = randomMatrix(rng, n, d, true);
      const targets = softBinaryTargets(rng, x);
      const y = Float64Array.from({ length: n }, (_, i) => targets[2 * i + 1]);
      for (const l2 of [1e-3, 0.1]) {
        const exact = newtonLogistic(x, y, l2);
        const probe = fitProbe(x, targets, 2, { l2, gradTol: 1e-10 });
        expect(probe.fit, JSON.stringify(probe.fit)).toMatchObject({ converged: true });
        for (let j = 0; j < d; j++) expect(Math.abs(probe.weights[j] - exact[j])).toBeLessThan(1e-6);
        expect(Math.abs(probe.bias[0] - exact[d])).toBeLessThan(1e-6);
      }
    }
  });

  it("meets scikit-learn's optimality condition w = C X^T (y - p), sum(y - p) = 0 at l2 = 1/(2 C n)", () => {
    const rng = new TestRng(33);
    const n = 120;
    const x = randomMatrix(rng, n, 6, true);
    const labels = Array.from({ length: n }, () => rng.int(0, 1));
    const Csk = 0.5;
    const probe = fitProbe(x, oneHot(labels, 2), 2, { l2: 1 / (2 * Csk * n), gradTol: 1e-10 });
    const probs = predictProbabilities(probe, x);
    const rhs = new Float64Array(6);
    let biasCondition = 0;
    for (let i = 0; i < n; i++) {
      const resid = labels[i] - probs[2 * i + 1];
      for (let j = 0; j < 6; j++) rhs[j] += Csk * resid * x.data[i * 6 + j];
      biasCondition += resid;
    }
    for (let j = 0; j < 6; j++) expect(probe.weights[j]).toBeCloseTo(rhs[j], 7);
    expect(Math.abs(biasCondition)).toBeLessThan(1e-7);
  });

  it('returns w = 0, b = 0 without iterating when every soft label is 0.5', () => {
    const rng = new TestRng(34);
    const x = randomMatrix(rng, 50, 8);
    const targets = new Float64Array(100).fill(0.5);
    const probe = fitProbe(x, targets, 2);
    expect(probe.fit.iterations).toBe(0);
    expect(probe.fit.converged).toBe(true);
    expect(maxAbs(probe.weights)).toBe(0);
    expect(probe.bias[0]).toBe(0);
    expect(probe.fit.loss).toBeCloseTo(Math.log(2), 14);
  });

  it('gives the same probe for Float32 and Float64 copies of the same activations, with and without SIMD', () => {
    const rng = new TestRng(35);
    const x32 = randomMatrix(rng, 80, 10) as Matrix<Float32Array>;
    const x64: Matrix = { rows: 80, cols: 10, data: Float64Array.from(x32.data) };
    for (const [targets, C] of [[softBinaryTargets(rng, x32), 2], [softTargets(rng, 80, 3), 3]] as const) {
      const simd = fitProbe(x32, targets, C, { gradTol: 1e-10 });
      const f64 = fitProbe(x64, targets, C, { gradTol: 1e-10 }); // Float64 data always runs the JavaScript loops
      setSimdEnabled(false);
      const js = fitProbe(x32, targets, C, { gradTol: 1e-10 });
      setSimdEnabled(true);
      for (const other of [f64, js]) {
        for (let j = 0; j < simd.weights.length; j++) expect(other.weights[j]).toBeCloseTo(simd.weights[j], 8);
        for (let c = 0; c < simd.bias.length; c++) expect(other.bias[c]).toBeCloseTo(simd.bias[c], 8);
      }
    }
  });

  it('keeps the bias at 0 without an intercept and then meets the stationarity condition of w alone', () => {
    const rng = new TestRng(37);
    const x = randomMatrix(rng, 70, 5, true);
    const targets = softBinaryTargets(rng, x);
    for (const C of [2, 3]) {
      const t = C === 2 ? targets : softTargets(rng, 70, 3);
      const probe = fitProbe(x, t, C, { fitBias: false });
      expect(Array.from(probe.bias)).toEqual(new Array(C === 2 ? 1 : 3).fill(0));
      expect(probe.fit.converged).toBe(true);
      const g = C === 2 ? logisticGradient(x, t, probe) : softmaxGradient(x, t, probe);
      const wPart = g.subarray(0, probe.weights.length);
      expect(maxAbs(wPart)).toBeLessThan(1.5e-6);
      expect(maxAbs(g.subarray(probe.weights.length))).toBeGreaterThan(1e-4); // the bias was not free to move
    }
  });

  it('is a two-class softmax with half the penalty (w = W1 - W0)', () => {
    const rng = new TestRng(36);
    const x = randomMatrix(rng, 60, 4, true);
    const targets = softBinaryTargets(rng, x);
    const logistic = fitProbe(x, targets, 2, { l2: 0.01, gradTol: 1e-10 });
    const obj = new SoftmaxObjective(x, targets, 2, 0.02);
    const res = minimizeLbfgs(obj, new Float64Array(obj.dim), { gradTol: 1e-10 });
    for (let j = 0; j < 4; j++) expect(res.x[4 + j] - res.x[j]).toBeCloseTo(logistic.weights[j], 7);
    expect(res.x[9] - res.x[8]).toBeCloseTo(logistic.bias[0], 7);
  });
});

describe('fitProbe, softmax', () => {
  it('converges to ||grad||_inf <= 1e-6 on random soft and hard multi-class problems', () => {
    const rng = new TestRng(41);
    for (let trial = 0; trial < 4; trial++) {
      const n = rng.int(30, 200);
      const d = rng.int(2, 20);
      const C = rng.int(3, 6);
      const x = randomMatrix(rng, n, d, trial % 2 === 0);
      const targets = trial < 2 ? softTargets(rng, n, C) : oneHot(Array.from({ length: n }, () => rng.int(0, C - 1)), C);
      const probe = fitProbe(x, targets, C);
      expect(probe.kind).toBe('softmax');
      expect(probe.weights.length).toBe(C * d);
      expect(probe.fit.converged).toBe(true);
      expect(maxAbs(softmaxGradient(x, targets, probe))).toBeLessThan(1.5e-6);
    }
  });

  it('learns a separable 3-class problem', () => {
    const rng = new TestRng(42);
    const n = 150;
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const data = new Float32Array(n * 2);
    const centres = [[4, 0], [-2, 3.5], [-2, -3.5]];
    for (let i = 0; i < n; i++) {
      data[2 * i] = centres[labels[i]][0] + 0.5 * rng.normal();
      data[2 * i + 1] = centres[labels[i]][1] + 0.5 * rng.normal();
    }
    const x = { rows: n, cols: 2, data };
    const probe = fitProbe(x, oneHot(labels, 3), 3);
    expect(accuracy(predictProbabilities(probe, x), labels, 3)).toBe(1);
  });
});

describe('probe outputs', () => {
  it('predicts rows that sum to 1; confidence is top-1 minus top-2 and 2|p - 0.5| for two classes', () => {
    const rng = new TestRng(51);
    const x = randomMatrix(rng, 40, 5);
    const bin = fitProbe(x, softBinaryTargets(rng, x), 2);
    const pb = predictProbabilities(bin, x);
    const cb = confidence(pb, 2);
    for (let i = 0; i < 40; i++) {
      expect(pb[2 * i] + pb[2 * i + 1]).toBeCloseTo(1, 15);
      expect(cb[i]).toBeCloseTo(2 * Math.abs(pb[2 * i + 1] - 0.5), 15);
    }
    const multi = fitProbe(x, softTargets(rng, 40, 4), 4);
    const pm = predictProbabilities(multi, x);
    const cm = confidence(pm, 4);
    for (let i = 0; i < 40; i++) {
      const row = Array.from(pm.subarray(4 * i, 4 * i + 4)).sort((a, b) => b - a);
      expect(row.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 14);
      expect(cm[i]).toBeCloseTo(row[0] - row[1], 15);
    }
  });

  it('breaks argmax ties towards the first class (p = 0.5 predicts 0) and scores accuracy', () => {
    const probs = Float64Array.from([0.5, 0.5, 0.2, 0.8, 0.9, 0.1, 0.3, 0.3, 0.4]);
    expect(Array.from(argmaxLabels(probs.subarray(0, 6), 2))).toEqual([0, 1, 0]);
    expect(Array.from(argmaxLabels(probs.subarray(6, 9), 3))).toEqual([2]);
    expect(accuracy(probs.subarray(0, 6), [0, 1, 1], 2)).toBeCloseTo(2 / 3, 15);
    expect(Array.from(oneHot([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => oneHot([3], 3)).toThrow(InputError);
  });

  it('rejects targets of the wrong shape, rows that do not sum to 1, and non-finite activations', () => {
    const x: Matrix = { rows: 2, cols: 2, data: new Float32Array([1, 2, 3, 4]) };
    expect(() => fitProbe(x, new Float64Array(3), 2)).toThrow(/expected 2 rows x 2 classes/);
    expect(() => fitProbe(x, Float64Array.from([0.5, 0.6, 1, 0]), 2)).toThrow(/sum to 1.1/);
    const bad: Matrix = { rows: 2, cols: 2, data: new Float32Array([1, NaN, 3, 4]) };
    expect(() => fitProbe(bad, oneHot([0, 1], 2), 2)).toThrow(/NaN or Inf/);
    expect(() => predictProbabilities(fitProbe(x, oneHot([0, 1], 2), 2), { rows: 1, cols: 3, data: new Float32Array(3) }))
      .toThrow(/2-dimensional/);
  });
});

describe('cancellation', () => {
  it('throws CancelledError for an aborted signal, before and during a fit', async () => {
    const rng = new TestRng(61);
    const x = randomMatrix(rng, 100, 10);
    const targets = softBinaryTargets(rng, x);
    const ac = new AbortController();
    ac.abort();
    expect(() => fitProbe(x, targets, 2, { signal: ac.signal })).toThrow(CancelledError);
    await expect(fitProbeAsync(x, targets, 2, { signal: ac.signal })).rejects.toThrow(CancelledError);
    // aborted from inside the third evaluation: the next iteration's check stops the run
    const mid = new AbortController();
    let calls = 0;
    const obj = {
      dim: 2,
      evaluate(p: Float64Array, g: Float64Array) {
        if (++calls === 3) mid.abort();
        g[0] = 2 * (p[0] - 1);
        g[1] = 20 * (p[1] + 2);
        return (p[0] - 1) ** 2 + 10 * (p[1] + 2) ** 2;
      },
    };
    expect(() => minimizeLbfgs(obj, new Float64Array(2), { signal: mid.signal })).toThrow(CancelledError);
  });

  it('fitProbeAsync gives the same probe as fitProbe', async () => {
    const rng = new TestRng(62);
    const x = randomMatrix(rng, 90, 7);
    const targets = softTargets(rng, 90, 3);
    const a = fitProbe(x, targets, 3);
    const b = await fitProbeAsync(x, targets, 3);
    expect(Array.from(b.weights)).toEqual(Array.from(a.weights));
  });
});
