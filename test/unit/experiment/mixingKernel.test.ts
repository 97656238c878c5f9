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

describe('runAnalysis with a LinalgKernel', () => {
  it('fits the mixing probes on it, with the same curve', async () => {
    const input = smallActivationsInput();
    const calls = { upload: 0, release: 0 };
    const linalg: LinalgKernel = {
      name: 'counted',
      gemm: (a, b, o) => jsLinalgKernel.gemm(a, b, o),
      upload: (m, s, rows) => (calls.upload++, jsLinalgKernel.upload!(m, s, rows)),
      release: (m) => (calls.release++, jsLinalgKernel.release!(m)),
    };
    const options = { seeds: 2 };
    const plain = await runAnalysis(input, options);
    const withKernel = await runAnalysis(input, options, { kernel: { ...tsAlignmentKernel, linalg } });
    expect(calls).toEqual({ upload: 1, release: 1 });
    expect(withKernel.mixing).not.toBeNull();
    expect(withKernel.mixing!.perSeed).toEqual(plain.mixing!.perSeed);
    expect(withKernel.mixing!.randomBaseline).toEqual(plain.mixing!.randomBaseline);
  });
});

describe('the strong and W2S probes on a LinalgKernel', () => {
  const input = smallActivationsInput();
  const counted = () => {
    const calls = { upload: 0, release: 0, gemm: 0 };
    const linalg: LinalgKernel & { calls: typeof calls } = {
      name: 'counted', calls,
      gemm: (a, b, o) => (calls.gemm++, jsLinalgKernel.gemm(a, b, o)),
      upload: (m, s, rows) => (calls.upload++, jsLinalgKernel.upload!(m, s, rows)),
      release: (m) => (calls.release++, jsLinalgKernel.release!(m)),
    };
    return linalg;
  };

  it('are fitted together on it above the size threshold, to the separate fits\' optimum, and share one upload with the mixing fits', async () => {
    const plain = await runAnalysis(input, { seeds: 2 });
    const linalg = counted();
    const held = jsLinalgKernel.residents.size;
    const progress: string[] = [];
    const batched = await runAnalysis(input, { seeds: 2 }, {
      kernel: { ...tsAlignmentKernel, linalg }, batchMinValues: 0, progress: (s) => void (progress.includes(s) || progress.push(s)),
    });
    expect(progress).toContain('strong and W2S probes');
    expect(progress).not.toContain('W2S probe');
    // one Float64 copy for the probes and the mixing fits, and one of the test rows that scores them, released at the end
    expect(linalg.calls.upload).toBe(2);
    expect(linalg.calls.release).toBe(2);
    expect(jsLinalgKernel.residents.size).toBe(held);
    expect(batched.accuracy).toEqual(plain.accuracy);
    expect(batched.pgr).toEqual(plain.pgr);
    expect(batched.detection.counts).toEqual(plain.detection.counts);
    expect(batched.mixing!.perSeed).toEqual(plain.mixing!.perSeed);
    // below the threshold (the default here: 300 x 48 values) the probes stay on the rows; only the mixing uploads
    const small = counted();
    const separate = await runAnalysis(input, { seeds: 2 }, { kernel: { ...tsAlignmentKernel, linalg: small } });
    expect(small.calls).toMatchObject({ upload: 1, release: 1 });
    expect(separate.accuracy).toEqual(plain.accuracy);
    // and above the upper bound (a million rows: the Float64 copy would outlive the probes through the detection)
    const large = counted();
    const stages: string[] = [];
    await runAnalysis(input, { seeds: 2 }, {
      kernel: { ...tsAlignmentKernel, linalg: large }, batchMinValues: 0, batchMaxValues: 300 * 48 - 1, progress: (s) => void stages.push(s),
    });
    expect(stages).toContain('W2S probe');
    expect(large.calls).toMatchObject({ upload: 1, release: 1 });
  });

  it('releases the shared copy when the analysis stops with an error after the probes, and when it is cancelled in them', async () => {
    const linalg = counted();
    const held = jsLinalgKernel.residents.size;
    const failing: LinalgKernel = { ...linalg, gemm: async (a, b, o) => (linalg.calls.gemm > 40 ? Promise.reject(new Error('device lost')) : linalg.gemm(a, b, o)) };
    await expect(runAnalysis(input, { seeds: 1 }, { kernel: { ...tsAlignmentKernel, linalg: failing }, batchMinValues: 0 })).rejects.toThrow(/device lost/);
    expect(linalg.calls.upload).toBeGreaterThan(0);
    expect(linalg.calls.release).toBe(linalg.calls.upload);
    expect(jsLinalgKernel.residents.size).toBe(held);
    const cancel = counted();
    const controller = new AbortController();
    const err = await runAnalysis(input, { seeds: 1 }, {
      kernel: { ...tsAlignmentKernel, linalg: { ...cancel, gemm: (a, b, o) => (cancel.calls.gemm === 5 && controller.abort(), cancel.gemm(a, b, o)) } },
      batchMinValues: 0, signal: controller.signal,
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(cancel.calls.upload).toBe(1);
    expect(cancel.calls.release).toBe(1);
    expect(jsLinalgKernel.residents.size).toBe(held);
    // a cancel between the probes and the detection
    const between = counted();
    const stop = new AbortController();
    const err2 = await runAnalysis(input, { seeds: 1 }, {
      kernel: { ...tsAlignmentKernel, linalg: between }, batchMinValues: 0, signal: stop.signal,
      progress: (s) => void (s === 'detecting overlap' && stop.abort()),
    }).then(() => undefined, (e: unknown) => e);
    expect(err2).toBeInstanceOf(CancelledError);
    expect(between.calls).toMatchObject({ upload: 2, release: 2 }); // the W2S-train and the test rows
    expect(jsLinalgKernel.residents.size).toBe(held);
  });
});
