/**
 * Batched subset fits (fitProbesBatch, the mixing experiment's probes) against separate fits: each batched fit is an
 * L-BFGS run of its own, so it must reach its own optimum at the same gradient tolerance and score the same.
 */
import { describe, expect, it } from 'vitest';
import { selectRows, type Matrix } from '../../../src/core/linalg/matrix';
import { setSimdEnabled } from '../../../src/core/linalg/simd';
import {
  accuracy, fitProbe, fitProbesBatch, predictProbabilities, type Probe, type SubsetFit,
} from '../../../src/core/probe';
import { logisticGradient, randomMatrix, softBinaryTargets, softTargets, TestRng } from './builders';

function gradInf(x: Matrix, targets: Float64Array, probe: Probe): number {
  return logisticGradient(x, targets, probe).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

function subsets(rng: TestRng, n: number, C: number, all: Float64Array, count: number): SubsetFit[] {
  const fits: SubsetFit[] = [];
  for (let k = 0; k < count; k++) {
    const size = rng.int(20, Math.floor(n / 2));
    const pool = Array.from({ length: n }, (_, i) => i);
    const rows = new Int32Array(size);
    for (let i = 0; i < size; i++) rows[i] = pool.splice(rng.int(0, pool.length - 1), 1)[0];
    const targets = new Float64Array(size * C);
    for (let i = 0; i < size; i++) for (let c = 0; c < C; c++) targets[i * C + c] = all[rows[i] * C + c];
    fits.push({ rows, targets });
  }
  return fits;
}

function labels(p: Float64Array, C: number): Int32Array {
  return Int32Array.from({ length: p.length / C }, (_, i) => {
    let best = 0;
    for (let c = 1; c < C; c++) if (p[i * C + c] > p[i * C + best]) best = c;
    return best;
  });
}

describe('fitProbesBatch', () => {
  for (const simd of [true, false]) {
    it(`equals separate fits (${simd ? 'SIMD' : 'JS'} rows): gradient norms within 1e-6, same accuracies`, async () => {
      setSimdEnabled(simd);
      try {
        const rng = new TestRng(simd ? 11 : 12);
        const x = randomMatrix(rng, 300, 24);
        const targets = softBinaryTargets(rng, x);
        const test = randomMatrix(rng, 200, 24);
        const testLabels = labels(softBinaryTargets(rng, test), 2);
        const init = fitProbe(x, targets, 2);
        const fits = subsets(rng, x.rows, 2, targets, 9);
        for (const warm of [undefined, init]) {
          const done: number[] = [];
          const batched = await fitProbesBatch(x, fits, 2, { init: warm, onFit: (k) => done.push(k) });
          expect(done.sort((a, b) => a - b)).toEqual(fits.map((_, k) => k));
          fits.forEach((fit, k) => {
            const sub = selectRows(x, fit.rows);
            const separate = fitProbe(sub, fit.targets, 2, { init: warm });
            const b = batched[k];
            expect(b.fit.converged).toBe(true);
            expect(Math.abs(gradInf(sub, fit.targets, b) - gradInf(sub, fit.targets, separate))).toBeLessThan(1e-6);
            expect(gradInf(sub, fit.targets, b)).toBeLessThan(1e-6 + 1e-9);
            expect(accuracy(predictProbabilities(b, test), testLabels, 2))
              .toBe(accuracy(predictProbabilities(separate, test), testLabels, 2));
            // against a separate fit on the rows in ascending order (the order the batch visits them): the same numbers
            const order = Array.from(fit.rows.keys()).sort((p, q) => fit.rows[p] - fit.rows[q]);
            const rowsAsc = Int32Array.from(order, (o) => fit.rows[o]);
            const tAsc = Float64Array.from({ length: order.length * 2 }, (_, i) => fit.targets[order[i >> 1] * 2 + (i & 1)]);
            const exact = fitProbe(selectRows(x, rowsAsc), tAsc, 2, { init: warm });
            expect(Array.from(b.weights)).toEqual(Array.from(exact.weights));
            expect(b.bias[0]).toBe(exact.bias[0]);
            expect(b.fit.iterations).toBe(exact.fit.iterations);
          });
        }
      } finally {
        setSimdEnabled(true);
      }
    });
  }

  it('a batch after another one (whose L-BFGS memory it reuses, zeroed) fits the same bits as the first batch of the process', async () => {
    const rng = new TestRng(21);
    const x = randomMatrix(rng, 300, 24);
    const targets = softBinaryTargets(rng, x);
    const fits = subsets(rng, x.rows, 2, targets, 6);
    const first = await fitProbesBatch(x, fits, 2);
    // another batch in between: other data and more fits, leaving its vectors in the memory it gives back
    const y = randomMatrix(rng, 200, 24, false, 3);
    const other = subsets(rng, y.rows, 2, softBinaryTargets(rng, y), 9);
    await fitProbesBatch(y, other, 2);
    for (let again = 0; again < 2; again++) {
      const later = await fitProbesBatch(x, fits, 2);
      later.forEach((p, k) => {
        expect(Array.from(p.weights)).toEqual(Array.from(first[k].weights));
        expect(p.bias[0]).toBe(first[k].bias[0]);
        expect(p.fit.iterations).toBe(first[k].fit.iterations);
      });
    }
  });

  it('more than two classes: softmax fits on the blocked pass, the same probes as separate fits on the rows in ascending order', async () => {
    const rng = new TestRng(5);
    const x = randomMatrix(rng, 200, 10);
    const targets = softTargets(rng, x.rows, 3);
    const fits = subsets(rng, x.rows, 3, targets, 3);
    const batched = await fitProbesBatch(x, fits, 3);
    fits.forEach((fit, k) => {
      const order = Array.from(fit.rows.keys()).sort((p, q) => fit.rows[p] - fit.rows[q]);
      const rowsAsc = Int32Array.from(order, (o) => fit.rows[o]);
      const tAsc = Float64Array.from({ length: order.length * 3 }, (_, i) => fit.targets[order[Math.floor(i / 3)] * 3 + (i % 3)]);
      const exact = fitProbe(selectRows(x, rowsAsc), tAsc, 3);
      expect(batched[k].kind).toBe('softmax');
      expect(Array.from(batched[k].weights)).toEqual(Array.from(exact.weights));
      expect(Array.from(batched[k].bias)).toEqual(Array.from(exact.bias));
      expect(batched[k].fit.iterations).toBe(exact.fit.iterations);
    });
  });
});
