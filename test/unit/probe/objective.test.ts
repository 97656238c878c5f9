import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../../src/core/linalg/matrix';
import { LogisticObjective, SoftmaxObjective, type DifferentiableObjective } from '../../../src/core/probe';
import { randomMatrix, softBinaryTargets, softTargets, TestRng } from './builders';

/** The binary objective written from its definition (METHOD.md section 1), in plain loops. */
function logisticLoss(x: Matrix, y: Float64Array, l2: number, params: Float64Array): number {
  const { rows: n, cols: d } = x;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let z = params[d];
    for (let j = 0; j < d; j++) z += x.data[i * d + j] * params[j];
    loss += Math.log(1 + Math.exp(z)) - y[i] * z;
  }
  let ww = 0;
  for (let j = 0; j < d; j++) ww += params[j] ** 2;
  return loss / n + l2 * ww;
}

/** The multinomial objective from its definition: mean cross-entropy with soft rows plus l2 ||W||^2. */
function softmaxLoss(x: Matrix, y: Float64Array, C: number, l2: number, params: Float64Array): number {
  const { rows: n, cols: d } = x;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: C }, (_, c) => {
      let s = params[C * d + c];
      for (let j = 0; j < d; j++) s += x.data[i * d + j] * params[c * d + j];
      return s;
    });
    const lse = Math.log(z.reduce((a, v) => a + Math.exp(v), 0));
    for (let c = 0; c < C; c++) loss -= y[i * C + c] * (z[c] - lse);
  }
  let ww = 0;
  for (let j = 0; j < C * d; j++) ww += params[j] ** 2;
  return loss / n + l2 * ww;
}

function centralDifference(f: (p: Float64Array) => number, p: Float64Array, j: number, h = 1e-6): number {
  const plus = Float64Array.from(p);
  const minus = Float64Array.from(p);
  plus[j] += h;
  minus[j] -= h;
  return (f(plus) - f(minus)) / (2 * h);
}

function randomParams(rng: TestRng, dim: number, scale = 0.5): Float64Array {
  return Float64Array.from({ length: dim }, () => rng.normal() * scale);
}

function expectGradientMatchesDifferences(obj: DifferentiableObjective, reference: (p: Float64Array) => number, p: Float64Array): void {
  const g = new Float64Array(obj.dim);
  const f = obj.evaluate(p, g);
  expect(f).toBeCloseTo(reference(p), 12);
  for (let j = 0; j < obj.dim; j++) {
    const fd = centralDifference(reference, p, j);
    expect(Math.abs(g[j] - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
  }
}

describe('logistic objective', () => {
  it('matches its definition and central finite differences on random soft-label problems', () => {
    const rng = new TestRng(11);
    for (let trial = 0; trial < 8; trial++) {
      const n = rng.int(3, 40);
      const d = rng.int(1, 9);
      const x = randomMatrix(rng, n, d, trial % 2 === 0);
      const t = softBinaryTargets(rng, x);
      const y = Float64Array.from({ length: n }, (_, i) => t[2 * i + 1]);
      const l2 = [0, 1e-3, 0.1][trial % 3];
      const obj = new LogisticObjective(x, y, l2);
      expectGradientMatchesDifferences(obj, (p) => logisticLoss(x, y, l2, p), randomParams(rng, d + 1));
    }
  });

  it('gives the same values and gradients along a line as full evaluations', () => {
    const rng = new TestRng(12);
    const x = randomMatrix(rng, 30, 5);
    const t = softBinaryTargets(rng, x);
    const y = Float64Array.from({ length: 30 }, (_, i) => t[2 * i + 1]);
    const obj = new LogisticObjective(x, y, 1e-2);
    const p0 = randomParams(rng, 6);
    const dir = randomParams(rng, 6);
    const g = new Float64Array(6);
    obj.evaluate(p0, g);
    const line = obj.line(p0, dir);
    const slope = new Float64Array(1);
    const at = (s: number) => Float64Array.from(p0, (v, j) => v + s * dir[j]);
    // first trial (a full evaluation), then the O(n) path through X d
    for (const s of [1, 0.3, 2.5, 0.01]) {
      const f = line.phi(s, slope);
      expect(f).toBeCloseTo(logisticLoss(x, y, 1e-2, at(s)), 12);
      const fd = (logisticLoss(x, y, 1e-2, at(s + 1e-6)) - logisticLoss(x, y, 1e-2, at(s - 1e-6))) / 2e-6;
      expect(Math.abs(slope[0] - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
    const gLine = new Float64Array(6);
    const fLine = line.gradientAt(0.3, gLine);
    const gFull = new Float64Array(6);
    const fFull = new LogisticObjective(x, y, 1e-2).evaluate(at(0.3), gFull);
    expect(fLine).toBeCloseTo(fFull, 13);
    for (let j = 0; j < 6; j++) expect(gLine[j]).toBeCloseTo(gFull[j], 13);
  });
});

describe('softmax objective', () => {
  it('matches its definition and central finite differences on random soft-target problems', () => {
    const rng = new TestRng(21);
    for (let trial = 0; trial < 6; trial++) {
      const n = rng.int(3, 30);
      const d = rng.int(1, 6);
      const C = rng.int(3, 5);
      const x = randomMatrix(rng, n, d, trial % 2 === 1);
      const y = softTargets(rng, n, C);
      const l2 = [1e-3, 0.05, 0][trial % 3];
      const obj = new SoftmaxObjective(x, y, C, l2);
      expectGradientMatchesDifferences(obj, (p) => softmaxLoss(x, y, C, l2, p), randomParams(rng, C * d + C));
    }
  });

  it('gives the same values and gradients along a line as full evaluations', () => {
    const rng = new TestRng(22);
    const C = 4;
    const x = randomMatrix(rng, 25, 3);
    const y = softTargets(rng, 25, C);
    const dim = C * 3 + C;
    const obj = new SoftmaxObjective(x, y, C, 1e-2);
    const p0 = randomParams(rng, dim);
    const dir = randomParams(rng, dim);
    obj.evaluate(p0, new Float64Array(dim));
    const line = obj.line(p0, dir);
    const slope = new Float64Array(1);
    const at = (s: number) => Float64Array.from(p0, (v, j) => v + s * dir[j]);
    for (const s of [1, 0.4, 3]) {
      expect(line.phi(s, slope)).toBeCloseTo(softmaxLoss(x, y, C, 1e-2, at(s)), 12);
      const fd = (softmaxLoss(x, y, C, 1e-2, at(s + 1e-6)) - softmaxLoss(x, y, C, 1e-2, at(s - 1e-6))) / 2e-6;
      expect(Math.abs(slope[0] - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
    const gLine = new Float64Array(dim);
    const fLine = line.gradientAt(0.4, gLine);
    const gFull = new Float64Array(dim);
    const fFull = new SoftmaxObjective(x, y, C, 1e-2).evaluate(at(0.4), gFull);
    expect(fLine).toBeCloseTo(fFull, 13);
    for (let j = 0; j < dim; j++) expect(gLine[j]).toBeCloseTo(gFull[j], 13);
  });
});
