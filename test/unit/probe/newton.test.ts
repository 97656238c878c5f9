import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/core/encoder';
import { jsLinalgKernel, type LinalgKernel } from '../../../src/core/linalg/gemm';
import { selectRows, type Matrix } from '../../../src/core/linalg/matrix';
import { setSimdEnabled } from '../../../src/core/linalg/simd';
import {
  argmaxLabels, fitProbe, fitProbeAsync, fitProbesBatch, LogisticObjective, newtonPolish, newtonPolishAsync, oneHot,
  predictProbabilities,
  SoftmaxObjective, type Probe,
} from '../../../src/core/probe';
import { logisticGradient, randomMatrix, softBinaryTargets, softTargets, TestRng } from './builders';

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The probe's objective gradient at its weights (an independent evaluation through the objective class). */
function gradientAt(x: Matrix, targets: Float64Array, probe: Probe): Float64Array {
  const C = probe.numClasses;
  const params = new Float64Array(probe.weights.length + probe.bias.length);
  params.set(probe.weights);
  params.set(probe.bias, probe.weights.length);
  const g = new Float64Array(params.length);
  if (C === 2) {
    const y = Float64Array.from({ length: x.rows }, (_, i) => targets[2 * i + 1]);
    new LogisticObjective(x, y, probe.l2).evaluate(params, g);
  } else {
    new SoftmaxObjective(x, targets, C, probe.l2).evaluate(params, g);
  }
  return g;
}

/** ||grad||_inf at zero weights: the scale the polish's gradient is relative to. */
function startGradient(x: Matrix, targets: Float64Array, C: number): number {
  const zero: Probe = {
    kind: C === 2 ? 'logistic' : 'softmax', numClasses: C, dim: x.cols,
    weights: new Float64Array((C === 2 ? 1 : C) * x.cols), bias: new Float64Array(C === 2 ? 1 : C), l2: 1e-3,
    fit: { iterations: 0, evaluations: 0, converged: false, gradNorm: NaN, loss: NaN, stop: 'maxIter' },
  };
  return maxAbs(gradientAt(x, targets, zero));
}

describe('Newton-CG polish of a probe (issue 14, item 5)', () => {
  for (const simd of [true, false]) {
    it(`takes binary probes to ||grad||_inf < 1e-10 relative with the same predictions (SIMD ${simd ? 'on' : 'off'})`, () => {
      setSimdEnabled(simd);
      try {
        const rng = new TestRng(71);
        for (let trial = 0; trial < 5; trial++) {
          const n = rng.int(60, 400);
          const d = rng.int(5, 120); // both n > d and n < d (separable, ill-conditioned)
          const x = randomMatrix(rng, n, d, trial === 4, 1 + trial / 2);
          const targets = trial % 2 === 0 ? oneHot(Array.from({ length: n }, () => rng.int(0, 1)), 2) : softBinaryTargets(rng, x);
          const plain = fitProbe(x, targets, 2);
          const polished = fitProbe(x, targets, 2, { polish: true });
          const scale = startGradient(x, targets, 2);
          expect(polished.fit.polish, JSON.stringify(polished.fit)).toBeDefined();
          expect(polished.fit.converged).toBe(true);
          expect(maxAbs(logisticGradient(x, targets, polished)) / scale).toBeLessThan(1e-10);
          expect(polished.fit.gradNorm).toBeLessThanOrEqual(plain.fit.gradNorm);
          // the same labels as the 1e-6 fit; the probabilities move by at most what the 1e-6 stop left
          const pa = predictProbabilities(plain, x);
          const pb = predictProbabilities(polished, x);
          expect(Array.from(argmaxLabels(pb, 2))).toEqual(Array.from(argmaxLabels(pa, 2)));
          expect(maxAbs(pa.map((v, i) => v - pb[i]))).toBeLessThan(1e-2);
        }
      } finally {
        setSimdEnabled(true);
      }
    });
  }

  it('reaches the optimum that a much tighter L-BFGS run approaches (weights within 1e-7)', () => {
    const rng = new TestRng(72);
    const x = randomMatrix(rng, 300, 20);
    const targets = softBinaryTargets(rng, x);
    const polished = fitProbe(x, targets, 2, { polish: true });
    const tight = fitProbe(x, targets, 2, { gradTol: 1e-11 });
    expect(maxAbs(polished.weights.map((w, j) => w - tight.weights[j]))).toBeLessThan(1e-7);
    expect(Math.abs(polished.bias[0] - tight.bias[0])).toBeLessThan(1e-7);
  });

  it('polishes softmax probes (C = 4) to ||grad||_inf < 1e-10 relative, same argmax', async () => {
    const rng = new TestRng(73);
    for (const [n, d] of [[200, 15], [80, 100]]) {
      const x = randomMatrix(rng, n, d);
      const targets = softTargets(rng, n, 4);
      const plain = fitProbe(x, targets, 4);
      const polished = await fitProbeAsync(x, targets, 4, { polish: true });
      expect(polished.fit.converged).toBe(true);
      expect(maxAbs(gradientAt(x, targets, polished)) / startGradient(x, targets, 4)).toBeLessThan(1e-10);
      expect(Array.from(argmaxLabels(predictProbabilities(polished, x), 4)))
        .toEqual(Array.from(argmaxLabels(predictProbabilities(plain, x), 4)));
    }
  });

  it('polishes the batched fits like the separate ones (same weights within 1e-9)', async () => {
    const rng = new TestRng(74);
    const x = randomMatrix(rng, 300, 30);
    const all = softBinaryTargets(rng, x);
    const fits = [0, 1, 2].map(() => {
      const rows = Int32Array.from(Array.from({ length: 300 }, (_, i) => i).filter(() => rng.next() < 0.5));
      const targets = new Float64Array(rows.length * 2);
      rows.forEach((r, k) => targets.set(all.subarray(2 * r, 2 * r + 2), 2 * k));
      return { rows, targets };
    });
    const batched = await fitProbesBatch(x, fits, 2, { polish: true });
    for (let k = 0; k < fits.length; k++) {
      const sub = { rows: fits[k].rows.length, cols: 30, data: Float32Array.from(Array.from(fits[k].rows).flatMap((r) => Array.from(x.data.subarray(r * 30, r * 30 + 30)))) };
      const separate = fitProbe(sub, fits[k].targets, 2, { polish: true });
      expect(batched[k].fit.polish).toBeDefined();
      expect(maxAbs(batched[k].weights.map((w, j) => w - separate.weights[j]))).toBeLessThan(1e-9);
    }
  });

  it('polishes on the kernel\'s products when the batch runs there: the rows\' optimum, its passes as products (2 and 5 classes)', async () => {
    const rng = new TestRng(77);
    for (const C of [2, 5]) {
      const x = randomMatrix(rng, 160, 12);
      const targets = C === 2 ? softBinaryTargets(rng, x) : softTargets(rng, 160, C);
      const subset = Int32Array.from(Array.from({ length: 160 }, (_, i) => i).filter((i) => i % 3 !== 1));
      const subTargets = new Float64Array(subset.length * C);
      subset.forEach((r, k) => subTargets.set(targets.subarray(C * r, C * r + C), C * k));
      const fits = [{ rows: Int32Array.from({ length: 160 }, (_, i) => i), targets }, { rows: subset, targets: subTargets }];
      // Float64 products counted from the moment the first fit is done (the polish's: evaluations and Hessian products)
      let done = false;
      let polishProducts = 0;
      const kernel: LinalgKernel = {
        ...jsLinalgKernel,
        gemm: async (a, b, o) => {
          if (done && !o?.float32) polishProducts++;
          return jsLinalgKernel.gemm(a, b, o);
        },
      };
      const onKernel = await fitProbesBatch(x, fits, C, { polish: true, linalg: kernel, onFit: () => (done = true) });
      expect(polishProducts).toBeGreaterThan(4);
      for (const [k, fit] of fits.entries()) {
        const sub = selectRows(x, fit.rows);
        const onRows = fitProbe(sub, fit.targets, C, { polish: true });
        const p = onKernel[k];
        expect(p.fit.polish, JSON.stringify(p.fit)).toBeDefined();
        expect(p.fit.polish!.hessianProducts).toBeGreaterThan(0);
        expect(maxAbs(gradientAt(sub, fit.targets, p)) / startGradient(sub, fit.targets, C)).toBeLessThan(1e-10);
        expect(maxAbs(p.weights.map((w, j) => w - onRows.weights[j]))).toBeLessThan(1e-8);
        expect(maxAbs(p.bias.map((b, j) => b - onRows.bias[j]))).toBeLessThan(1e-8);
      }
    }
  });

  it('newtonPolish stops where it starts when the gradient is already below tol', () => {
    const rng = new TestRng(75);
    const x = randomMatrix(rng, 100, 8);
    const targets = softBinaryTargets(rng, x);
    const probe = fitProbe(x, targets, 2, { polish: true });
    const y = Float64Array.from({ length: 100 }, (_, i) => targets[2 * i + 1]);
    const params = Float64Array.from([...probe.weights, ...probe.bias]);
    const r = newtonPolish(new LogisticObjective(x, y, probe.l2), params, 1e-6);
    expect(r.newtonSteps).toBe(0);
    expect(Array.from(r.x)).toEqual(Array.from(params));
  });

  it('newtonPolishAsync gives the sync result, and stops with CancelledError on an aborted signal', async () => {
    const rng = new TestRng(76);
    const x = randomMatrix(rng, 200, 40);
    const targets = softBinaryTargets(rng, x);
    const y = Float64Array.from({ length: 200 }, (_, i) => targets[2 * i + 1]);
    const start = fitProbe(x, targets, 2);
    const params = Float64Array.from([...start.weights, ...start.bias]);
    const sync = newtonPolish(new LogisticObjective(x, y, start.l2), params);
    const viaAsync = await newtonPolishAsync(new LogisticObjective(x, y, start.l2), params);
    expect(Array.from(viaAsync.x)).toEqual(Array.from(sync.x));
    const controller = new AbortController();
    controller.abort();
    await expect(newtonPolishAsync(new LogisticObjective(x, y, start.l2), params, 1e-12, controller.signal))
      .rejects.toBeInstanceOf(CancelledError);
  });
});
