/**
 * The checks of fitProbesBatch's product route (two GEMMs per round on a LinalgKernel), shared by the JavaScript
 * kernel's unit test and the onnxruntime kernel's integration test: every batched fit reaches its own optimum (the
 * gradient of its subset's objective, from the definition, within the tolerance like a separate fitProbeAsync) and
 * scores the same on held-out rows; a cancel stops it and the kernel holds no matrix afterwards.
 */
import { expect } from 'vitest';
import { CancelledError } from '../../../src/core/encoder';
import type { LinalgKernel } from '../../../src/core/linalg/gemm';
import { selectRows, type Matrix } from '../../../src/core/linalg/matrix';
import {
  accuracy, fitProbe, fitProbeAsync, fitProbesBatch, predictProbabilities, type Probe, type SubsetFit,
} from '../../../src/core/probe';
import { logisticGradient, randomMatrix, softBinaryTargets, softClassTargets, softmaxGradient, TestRng } from './builders';

const supNorm = (v: Float64Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

/** count subsets of about `share` of the rows each, in random order, with their rows' targets (C per row). */
function drawSubsets(rng: TestRng, n: number, targets: Float64Array, count: number, share: number, C = 2): SubsetFit[] {
  return Array.from({ length: count }, () => {
    const keys = Array.from({ length: n }, (_, i) => ({ i, key: rng.next() }));
    const chosen = keys.filter((e) => e.key < share).sort((p, q) => p.key - q.key).map((e) => e.i);
    const rows = Int32Array.from(chosen);
    return { rows, targets: Float64Array.from({ length: rows.length * C }, (_, t) => targets[rows[Math.floor(t / C)] * C + (t % C)]) };
  });
}

function problem(seed: number, n: number, d: number, C = 2) {
  const rng = new TestRng(seed);
  const x = randomMatrix(rng, n, d);
  const soft = (m: Matrix) => (C === 2 ? softBinaryTargets(rng, m) : softClassTargets(rng, m, C));
  const targets = soft(x);
  const test = randomMatrix(rng, 200, d);
  const testTargets = soft(test);
  const testLabels = Int32Array.from({ length: test.rows }, (_, i) => {
    let best = 0;
    for (let c = 1; c < C; c++) if (testTargets[i * C + c] > testTargets[i * C + best]) best = c;
    return best;
  });
  const fits = [0.5, 0.3, 0.6, 0.2, 0.4, 0.1, 0.7].flatMap((share) => drawSubsets(rng, n, targets, 1, share, C));
  return { x, targets, test, testLabels, fits };
}

/**
 * Batched on `kernel` vs fitProbeAsync on each subset, cold and warm started; C classes (more than 2: softmax fits,
 * C columns of the products each); groupBytes: the batch's groups (BATCH_BYTES) made small enough to split them.
 */
export async function expectBatchEqualsSeparate(kernel: LinalgKernel, seed = 3, n = 300, d = 24, C = 2, groupBytes?: number): Promise<void> {
  const { x, targets, test, testLabels, fits } = problem(seed, n, d, C);
  const acc = (p: Probe) => accuracy(predictProbabilities(p, test), testLabels, C);
  const gradAt = (sub: Matrix, fit: SubsetFit, p: Probe) => supNorm(C === 2 ? logisticGradient(sub, fit.targets, p) : softmaxGradient(sub, fit.targets, p));
  for (const init of [undefined, fitProbe(x, targets, C)]) {
    const done = new Set<number>();
    // onProductsDone: once, when the last product round is over (every fit before it stopped, or went on on the rows)
    const productsDone: number[] = [];
    const batched = await fitProbesBatch(x, fits, C, { init, linalg: kernel, groupBytes, onFit: (k) => done.add(k), onProductsDone: () => productsDone.push(done.size) });
    expect(done.size).toBe(fits.length);
    expect(productsDone.length).toBe(1);
    // two classes: the last fits go on on the rows; wide softmax fits keep their rows x logits above the products' bar
    if (C === 2) expect(productsDone[0]).toBeLessThan(fits.length);
    else expect(productsDone[0]).toBeLessThanOrEqual(fits.length);
    for (let k = 0; k < fits.length; k++) {
      const sub = selectRows(x, fits[k].rows);
      const separate = await fitProbeAsync(sub, fits[k].targets, C, { init });
      expect(batched[k].fit.converged).toBe(true);
      const gb = gradAt(sub, fits[k], batched[k]);
      expect(gb).toBeLessThan(1e-6 + 1e-9);
      expect(Math.abs(gb - gradAt(sub, fits[k], separate))).toBeLessThan(1e-6);
      expect(acc(batched[k])).toBe(acc(separate));
      expect(batched[k].kind).toBe(C === 2 ? 'logistic' : 'softmax');
    }
  }
}

/** An abort while the fits run (and one before they start) ends the batch with CancelledError. */
export async function expectBatchCancels(kernel: LinalgKernel): Promise<void> {
  const { x, fits } = problem(4, 300, 24);
  const ac = new AbortController();
  let finished = 0;
  const run = fitProbesBatch(x, fits, 2, { linalg: kernel, signal: ac.signal, onFit: () => (++finished === 1 ? ac.abort() : undefined) });
  await expect(run).rejects.toBeInstanceOf(CancelledError);
  expect(finished).toBeLessThan(fits.length);
  await expect(fitProbesBatch(x, fits, 2, { linalg: kernel, signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
}
