/**
 * The analysis hands its alignment kernel's dense products (`hooks.kernel.linalg`) to the mixing experiment's
 * batched fits (probe/batch.ts, product route): X uploaded once and released, the same mixing curve as without.
 */
import { describe, expect, it } from 'vitest';
import { tsAlignmentKernel } from '../../../src/core/detect/alignKernel';
import { runAnalysis } from '../../../src/core/experiment/analyze';
import { jsLinalgKernel, type LinalgKernel } from '../../../src/core/linalg/gemm';
import { smallActivationsInput } from '../cancel/helpers';
import { CancelledError } from '../../../src/core/encoder';
import { mixingRun } from '../../../src/core/experiment/mixing';
import { selectRows } from '../../../src/core/linalg/matrix';
import { accuracy, fitProbeAsync, predictProbabilities } from '../../../src/core/probe';
import { Rng } from '../../../src/core/random/rng';

describe('runAnalysis with a LinalgKernel', () => {
  it('fits the mixing probes on it, with the same curve', async () => {
    const input = smallActivationsInput();
    const calls = { upload: 0, upload32: 0, release: 0, gemm32: 0 };
    const linalg: LinalgKernel = {
      name: 'counted',
      gemm: (a, b, o) => (o?.float32 && calls.gemm32++, jsLinalgKernel.gemm(a, b, o)),
      upload: (m, s, rows, f32) => (f32 ? calls.upload32++ : calls.upload++, jsLinalgKernel.upload!(m, s, rows, f32)),
      release: (m) => (calls.release++, jsLinalgKernel.release!(m)),
    };
    const options = { seeds: 2 };
    const plain = await runAnalysis(input, options);
    const withKernel = await runAnalysis(input, options, { kernel: { ...tsAlignmentKernel, linalg } });
    // the rows once, as Float32 (shareMatrix): the float32 rounds use them as they are, the Float64 finish widens a
    // block of rows at a time (gemmByRowBlocks); released
    expect(calls).toMatchObject({ upload: 0, upload32: 1, release: 1 });
    expect(calls.gemm32).toBeGreaterThan(0);
    expect(withKernel.mixing).not.toBeNull();
    expect(withKernel.mixing!.perSeed).toEqual(plain.mixing!.perSeed);
    expect(withKernel.mixing!.randomBaseline).toEqual(plain.mixing!.randomBaseline);
    // the map rode the mixing products (Pca2Rider) and is pca2's map: the same points to their 4 digits' rounding
    const [a, b] = [withKernel.map!, plain.map!];
    expect(a.rowIndex).toEqual(b.rowIndex);
    const scale = Math.max(...b.x.map(Math.abs), ...b.y.map(Math.abs));
    a.x.forEach((v, i) => expect(Math.abs(v - b.x[i])).toBeLessThanOrEqual(1e-3 * scale));
    a.y.forEach((v, i) => expect(Math.abs(v - b.y[i])).toBeLessThanOrEqual(1e-3 * scale));
  });
});

describe('the strong and W2S probes on a LinalgKernel', () => {
  const input = smallActivationsInput();
  const counted = () => {
    // Float64 uploads and releases counted; the Float32 copies of the float32 rounds apart (`upload32`, `release32`)
    const calls = { upload: 0, release: 0, gemm: 0, upload32: 0, release32: 0 };
    const f32 = new Set<number>();
    const linalg: LinalgKernel & { calls: typeof calls } = {
      name: 'counted', calls,
      gemm: (a, b, o) => (calls.gemm++, jsLinalgKernel.gemm(a, b, o)),
      upload: async (m, s, rows, float32) => {
        const h = await jsLinalgKernel.upload!(m, s, rows, float32);
        if (float32) (calls.upload32++, f32.add(h.resident));
        else calls.upload++;
        return h;
      },
      release: (m) => (f32.has(m.resident) ? calls.release32++ : calls.release++, jsLinalgKernel.release!(m)),
    };
    return linalg;
  };

  it('ride in the mixing batch above the size threshold, to the separate fits\' optimum, and share one upload with the mixing fits', async () => {
    const plain = await runAnalysis(input, { seeds: 2 });
    const linalg = counted();
    const columns: number[] = [];
    // the forward products' widths (X V^T: V^T's rows)
    const seen: LinalgKernel = { ...linalg, gemm: (a, b, o) => (o?.transA || columns.push(o?.transB ? b.rows : b.cols), linalg.gemm(a, b, o)) };
    const held = jsLinalgKernel.residents.size;
    const progress: string[] = [];
    const batched = await runAnalysis(input, { seeds: 2 }, {
      kernel: { ...tsAlignmentKernel, linalg: seen }, batchMinValues: 0, progress: (s) => void (progress.includes(s) || progress.push(s)),
    });
    // no rounds of their own: the first product is the mixing batch's, its 2 x 12 subset fits and the two probes, and
    // the map's two vectors riding it
    expect(progress).not.toContain('strong and W2S probes');
    expect(progress).not.toContain('W2S probe');
    const first = columns.indexOf(2 * 12 + 2 + 2);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(columns.slice(0, first)).not.toContain(2);
    // one Float32 copy of the W2S-train rows for the probes and the mixing fits (float32 rounds and their Float64
    // finish), and one of the test rows that score them (float32 scores, uncertain decisions made exact); no Float64
    // copy; all released at the end
    expect(linalg.calls).toMatchObject({ upload: 0, release: 0, upload32: 2, release32: 2 });
    expect(jsLinalgKernel.residents.size).toBe(held);
    expect(batched.accuracy).toEqual(plain.accuracy);
    expect(batched.pgr).toEqual(plain.pgr);
    expect(batched.detection.counts).toEqual(plain.detection.counts);
    expect(batched.mixing!.perSeed).toEqual(plain.mixing!.perSeed);
    // below the threshold (the default here: 300 x 48 values) the probes stay on the rows; only the mixing uploads
    const small = counted();
    const separate = await runAnalysis(input, { seeds: 2 }, { kernel: { ...tsAlignmentKernel, linalg: small } });
    expect(small.calls).toMatchObject({ upload: 0, upload32: 1, release32: 1 });
    expect(separate.accuracy).toEqual(plain.accuracy);
    // and above the upper bound (a million rows: the Float64 copy would outlive the probes through the detection)
    const large = counted();
    const stages: string[] = [];
    await runAnalysis(input, { seeds: 2 }, {
      kernel: { ...tsAlignmentKernel, linalg: large }, batchMinValues: 0, batchMaxValues: 300 * 48 - 1, progress: (s) => void stages.push(s),
    });
    expect(stages).toContain('W2S probe');
    expect(large.calls).toMatchObject({ upload: 0, upload32: 1, release32: 1 });
  });

  it('are fitted and scored when the mixing curve is empty, equal to fitting them alone', async () => {
    const C = 2;
    const n = 200;
    const d = 12;
    const rng = new Rng(5);
    const x = { rows: n, cols: d, data: Float32Array.from({ length: n * d }, () => rng.normal()) };
    const test = { rows: 80, cols: d, data: Float32Array.from({ length: 80 * d }, () => rng.normal()) };
    const targets = new Float64Array(n * C);
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(x.data[i * d] + 0.5 * x.data[i * d + 1])));
      targets[2 * i] = 1 - p;
      targets[2 * i + 1] = p;
    }
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const testLabels = Int32Array.from({ length: 80 }, (_, i) => (test.data[i * d] > 0 ? 1 : 0));
    const extraFits = [{ rows: all, targets }, { rows: all.slice(0, 150), targets: targets.slice(0, 300) }];
    const linalg = counted();
    const testShared = await linalg.upload!(test);
    const run = await mixingRun({
      strongW2s: x, targets, numClasses: C, overlap: Int32Array.of(3), nonOverlap: all.slice(10), testShared, testLabels, l2: 1e-3,
      seeds: [0, 1], linalg, extraFits,
    });
    await linalg.release!(testShared);
    expect(run.curve).toBeNull(); // one overlap row: nothing to mix
    expect(run.extra.probes).toHaveLength(2);
    for (const [k, fit] of extraFits.entries()) {
      const alone = await fitProbeAsync(selectRows(x, fit.rows), fit.targets, C, { l2: 1e-3 });
      const probe = run.extra.probes[k];
      for (let j = 0; j < d; j++) expect(Math.abs(probe.weights[j] - alone.weights[j])).toBeLessThan(1e-4);
      expect(probe.fit.converged).toBe(true);
      expect(accuracy(run.extra.testProbs[k], testLabels, C)).toBe(accuracy(predictProbabilities(alone, test), testLabels, C));
    }
    // and with a curve, the extra fits come back the same, the curve as without them
    const overlap = all.slice(0, 60);
    const rest = all.slice(60);
    const testAgain = await linalg.upload!(test);
    const withExtra = await mixingRun({
      strongW2s: x, targets, numClasses: C, overlap, nonOverlap: rest, testShared: testAgain, testLabels, l2: 1e-3, seeds: [0], linalg, extraFits,
    });
    const without = await mixingRun({ strongW2s: x, targets, numClasses: C, overlap, nonOverlap: rest, testShared: testAgain, testLabels, l2: 1e-3, seeds: [0], linalg });
    await linalg.release!(testAgain);
    expect(withExtra.curve!.perSeed).toEqual(without.curve!.perSeed);
    expect(without.extra.probes).toHaveLength(0);
    for (const k of [0, 1]) expect(accuracy(withExtra.extra.testProbs[k], testLabels, C)).toBe(accuracy(run.extra.testProbs[k], testLabels, C));
  });

  it('releases the shared copy when the analysis stops with an error after the probes, and when it is cancelled in them', async () => {
    const linalg = counted();
    const held = jsLinalgKernel.residents.size;
    const failing: LinalgKernel = { ...linalg, gemm: async (a, b, o) => (linalg.calls.gemm > 40 ? Promise.reject(new Error('device lost')) : linalg.gemm(a, b, o)) };
    await expect(runAnalysis(input, { seeds: 1 }, { kernel: { ...tsAlignmentKernel, linalg: failing }, batchMinValues: 0 })).rejects.toThrow(/device lost/);
    expect(linalg.calls.upload32).toBeGreaterThan(0);
    expect(linalg.calls.release).toBe(linalg.calls.upload);
    expect(linalg.calls.release32).toBe(linalg.calls.upload32);
    expect(jsLinalgKernel.residents.size).toBe(held);
    const cancel = counted();
    const controller = new AbortController();
    const err = await runAnalysis(input, { seeds: 1 }, {
      kernel: { ...tsAlignmentKernel, linalg: { ...cancel, gemm: (a, b, o) => (cancel.calls.gemm === 5 && controller.abort(), cancel.gemm(a, b, o)) } },
      batchMinValues: 0, signal: controller.signal,
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    // the W2S-train rows and the test rows the mixing batch's probes are scored on (both Float32), all released
    expect(cancel.calls).toMatchObject({ upload: 0, release: 0, upload32: 2, release32: 2 });
    expect(cancel.calls.release32).toBe(cancel.calls.upload32);
    expect(jsLinalgKernel.residents.size).toBe(held);
    // a cancel between the probes and the detection
    const between = counted();
    const stop = new AbortController();
    const err2 = await runAnalysis(input, { seeds: 1 }, {
      kernel: { ...tsAlignmentKernel, linalg: between }, batchMinValues: 0, signal: stop.signal,
      progress: (s) => void (s === 'detecting overlap' && stop.abort()),
    }).then(() => undefined, (e: unknown) => e);
    expect(err2).toBeInstanceOf(CancelledError);
    expect(between.calls).toMatchObject({ upload32: 1, release32: 1 }); // the W2S-train rows (the test rows go up with the mixing)
    expect(jsLinalgKernel.residents.size).toBe(held);
  });
});
