/**
 * fitProbesBatch on a LinalgKernel (the product route: U = X [D | W] and X^T R per round) with the JavaScript
 * kernel, which keeps X resident, and with a kernel that cannot (X sent with every product): each fit converges to
 * its own optimum like a separate fit, the same accuracies, cancel works, nothing stays resident.
 */
import { describe, expect, it } from 'vitest';
import { jsLinalgKernel, type LinalgKernel } from '../../../src/core/linalg/gemm';
import { BATCH_BYTES, batchGroups, batchGroupSize, fitProbe, fitProbesBatch, predictOnKernel, predictProbabilities } from '../../../src/core/probe';
import { expectBatchCancels, expectBatchEqualsSeparate } from './batchKernelCheck';
import { randomMatrix, softClassTargets, TestRng } from './builders';

let products = 0;
const sendEveryTime: LinalgKernel = { name: 'no upload', gemm: (a, b, o) => (products++, jsLinalgKernel.gemm(a, b, o)) };

describe('fitProbesBatch on a LinalgKernel', () => {
  it('equals separate fits with X resident (JavaScript kernel), and releases it', async () => {
    await expectBatchEqualsSeparate(jsLinalgKernel);
    expect(jsLinalgKernel.residents.size).toBe(0);
  });

  it('equals separate fits with a kernel without upload', async () => {
    await expectBatchEqualsSeparate(sendEveryTime, 5, 250, 40);
    expect(products).toBeGreaterThan(10);
  });

  it('more than two classes: softmax fits, C columns of the products each, equal separate fits', async () => {
    const before = products;
    await expectBatchEqualsSeparate(sendEveryTime, 6, 240, 16, 4);
    expect(products - before).toBeGreaterThan(10);
    expect(jsLinalgKernel.residents.size).toBe(0);
  });

  it('many classes: the fits run in groups within BATCH_BYTES of L-BFGS memory, each fit still its own optimum', async () => {
    expect(batchGroups(7, 4)).toEqual([[0, 1, 2, 3], [4, 5, 6]]);
    expect(batchGroups(3, 0)).toEqual([[0], [1], [2]]);
    expect(batchGroups(40, 341)).toEqual([Array.from({ length: 40 }, (_, k) => k)]);
    // bench/core's mixing batch (two classes, 4,096 wide, 5,000 rows): one group for its 38 fits
    expect(batchGroupSize(1, 4096, 5000)).toBeGreaterThanOrEqual(38);
    // 450 classes of 512-wide rows: 230,850 parameters, 27 vectors of 8 bytes each per fit
    expect(batchGroupSize(450, 512, 400)).toBe(Math.floor(BATCH_BYTES / (27 * 450 * 513 * 8)));
    expect(batchGroupSize(450, 512, 400)).toBeGreaterThan(1);
    // product outputs bound it too: 10^6 rows of 100 logits take one fit a group
    expect(batchGroupSize(100, 16, 1e6)).toBe(1);
    // groups small enough to split 7 fits of 60 classes (8 wide) into groups of 2
    await expectBatchEqualsSeparate(jsLinalgKernel, 7, 200, 8, 60, 2.5 * 27 * 60 * 9 * 8);
    expect(jsLinalgKernel.residents.size).toBe(0);
  });

  it('scores softmax and logistic probes by one product, as predictProbabilities does', async () => {
    const rng = new TestRng(9);
    const x = randomMatrix(rng, 120, 12);
    const probes = [fitProbe(x, softClassTargets(rng, x, 5), 5), fitProbe(x, softClassTargets(rng, x, 2), 2), fitProbe(x, softClassTargets(rng, x, 3), 3)];
    const test = randomMatrix(rng, 50, 12);
    const onKernel = await predictOnKernel(probes, { ...test, data: Float64Array.from(test.data) }, jsLinalgKernel);
    probes.forEach((p, k) => {
      const expected = predictProbabilities(p, test);
      expect(onKernel[k].length).toBe(expected.length);
      onKernel[k].forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-12));
    });
  });

  it('stops on cancel and releases X', async () => {
    await expectBatchCancels(jsLinalgKernel);
    expect(jsLinalgKernel.residents.size).toBe(0);
  });
});

describe('fitProbesBatch: float32 product rounds, every fit finished in Float64', () => {
  /** jsLinalgKernel counting its products by precision; `skew` spoils the float32 ones (relative error ~skew). */
  const counting = (skew = 0) => {
    const calls = { f32: 0, f64: 0 };
    const kernel: LinalgKernel = {
      ...jsLinalgKernel,
      gemm: async (a, b, o) => {
        if (!o?.float32) {
          calls.f64++;
          return jsLinalgKernel.gemm(a, b, o);
        }
        calls.f32++;
        const r = await jsLinalgKernel.gemm(a, b, o);
        if (skew) for (let t = 0; t < r.data.length; t++) r.data[t] *= 1 + skew * Math.sin(1 + t * 0.7 + calls.f32);
        return r;
      },
    };
    return { kernel, calls };
  };

  it('runs most rounds on float32 products and checks each stop with Float64 ones', async () => {
    const { kernel, calls } = counting();
    await expectBatchEqualsSeparate(kernel);
    expect(calls.f32).toBeGreaterThan(3 * calls.f64);
    expect(calls.f64).toBeGreaterThan(0);
    expect(jsLinalgKernel.residents.size).toBe(0);
  });

  it('float32: false keeps every product in Float64', async () => {
    const { kernel, calls } = counting();
    const rng = new TestRng(2);
    const x = randomMatrix(rng, 200, 10);
    const targets = softClassTargets(rng, x, 2);
    const rows = Int32Array.from({ length: 150 }, (_, i) => i);
    const fits = [0, 10, 20, 30].map((o) => ({ rows: rows.map((r) => r + o), targets: targets.slice(2 * o, 2 * o + 300) }));
    await fitProbesBatch(x, fits, 2, { linalg: kernel, float32: false });
    expect(calls.f32).toBe(0);
    expect(calls.f64).toBeGreaterThan(0);
  });

  it('products far worse than float32\'s own rounding still end at each subset\'s Float64 optimum', async () => {
    // 1e-4 relative error in every float32 product: the float32 runs stop off the optimum (or never reach the stop);
    // the Float64 runs that follow them end where separate fits end (same gradient bound, same accuracy)
    for (const C of [2, 3]) {
      const { kernel, calls } = counting(1e-4);
      await expectBatchEqualsSeparate(kernel, 3, 300, 24, C);
      expect(calls.f32).toBeGreaterThan(0);
      expect(calls.f64).toBeGreaterThan(0);
    }
  });
});

describe('predictOnKernel on Float32 rows: float32 scores, every uncertain decision exact', () => {
  it('predicts the classes Float64 logits give, even where float32 errors up to their bound flip a logit', async () => {
    const rng = new TestRng(21);
    const d = 40;
    const x = randomMatrix(rng, 300, d);
    const probes = [fitProbe(x, softClassTargets(rng, x, 2), 2), fitProbe(x, softClassTargets(rng, x, 4), 4)];
    // rows on the probes' decision boundaries (then rounded to Float32): logits tied to ~1e-7
    const n = 400;
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const p = probes[i % 2];
      const row = Array.from({ length: d }, () => rng.normal());
      // the difference of two logits' weights (two classes: the one logit's), and the bias difference
      const [a, b] = p.kind === 'logistic' ? [0, -1] : [i % 4, (i + 1) % 4];
      const w = Array.from({ length: d }, (_, j) => p.weights[a * d + j] - (b < 0 ? 0 : p.weights[b * d + j]));
      const bias = p.bias[a] - (b < 0 ? 0 : p.bias[b]);
      const ww = w.reduce((s, v) => s + v * v, 0);
      const t = (row.reduce((s, v, j) => s + v * w[j], 0) + bias) / ww;
      for (let j = 0; j < d; j++) data[i * d + j] = row[j] - t * w[j];
    }
    const rows = { rows: n, cols: d, data };
    const bound = (i: number, c: number, W: Float64Array, K: number) => {
      let xs = 0;
      let ws = 0;
      for (let j = 0; j < d; j++) (xs += data[i * d + j] ** 2), (ws += W[j * K + c] ** 2);
      return 2 * (d + 4) * 2 ** -24 * Math.sqrt(xs * ws);
    };
    // float32 products off by 0.9 of each logit's bound, up or down (far more than float32's usual error)
    let spoiled = 0;
    const kernel: LinalgKernel = {
      ...jsLinalgKernel,
      gemm: async (a, b, o) => {
        const r = await jsLinalgKernel.gemm(a, b, o);
        if (!o?.float32) return r;
        spoiled++;
        const W = (b as { data: Float64Array }).data;
        for (let i = 0; i < r.rows; i++) for (let c = 0; c < r.cols; c++) r.data[i * r.cols + c] += (i % 3 === c % 3 ? 0.9 : -0.9) * bound(i, c, W, r.cols);
        return r;
      },
    };
    const held = await kernel.upload!(rows, undefined, undefined, true);
    const got = await predictOnKernel(probes, held, kernel, undefined, rows);
    await kernel.release!(held);
    expect(spoiled).toBe(1);
    const argmax = (p: Float64Array, C: number, i: number) => {
      let best = 0;
      for (let c = 1; c < C; c++) if (p[i * C + c] > p[i * C + best]) best = c;
      return best;
    };
    let flippedWithoutCheck = 0;
    probes.forEach((p, k) => {
      const C = p.numClasses;
      const exact = predictProbabilities(p, rows);
      for (let i = 0; i < n; i++) expect(argmax(got[k], C, i)).toBe(argmax(exact, C, i));
      // without the exact checks the spoiled logits would have changed some decisions (the test can fail)
      const W = Float64Array.from({ length: d * C }, (_, t) => p.weights[(t % C) * d + Math.floor(t / C)]);
      for (let i = 0; i < n; i++) {
        const z = Array.from({ length: C === 2 ? 1 : C }, (_, c) => {
          let s = p.bias[c];
          for (let j = 0; j < d; j++) s += data[i * d + j] * W[j * C + c];
          return s + (i % 3 === c % 3 ? 0.9 : -0.9) * bound(i, c, W, C);
        });
        const spoiledClass = C === 2 ? (z[0] > 0 ? 1 : 0) : z.indexOf(Math.max(...z));
        if (spoiledClass !== argmax(exact, C, i)) flippedWithoutCheck++;
      }
    });
    expect(flippedWithoutCheck).toBeGreaterThan(20);
  });
});
