/**
 * Memory readied on the kernel's other thread for a copy this thread makes later (gemm.ts `Prefetched`): the
 * analysis gathers the Float32 test rows into it; its numbers are those of an analysis without it.
 */
import { describe, expect, it } from 'vitest';
import { tsAlignmentKernel } from '../../../src/core/detect/alignKernel';
import { runAnalysis } from '../../../src/core/experiment/analyze';
import { jsLinalgKernel, Prefetched, type LinalgKernel } from '../../../src/core/linalg/gemm';
import { smallActivationsInput } from '../cancel/helpers';

describe('Prefetched memory', () => {
  it('hands over the kernel\'s buffer once, or nothing without one (or when it fails)', async () => {
    const given: ArrayBuffer[] = [];
    const kernel: LinalgKernel = { ...jsLinalgKernel, touchedBuffer: async (bytes) => (given.push(new ArrayBuffer(bytes)), given.at(-1)!) };
    const p = new Prefetched(kernel, 64);
    const a = await p.takeF32();
    expect(a?.buffer).toBe(given[0]);
    expect(a?.length).toBe(16);
    expect(await p.takeF32()).toBeUndefined();
    expect(await new Prefetched(jsLinalgKernel, 64).takeF32()).toBeUndefined();
    expect(await new Prefetched(undefined, 64).takeF32()).toBeUndefined();
    const failing: LinalgKernel = { ...jsLinalgKernel, touchedBuffer: () => Promise.reject(new Error('no memory')) };
    expect(await new Prefetched(failing, 64).takeF32()).toBeUndefined();
    const wrongSize: LinalgKernel = { ...jsLinalgKernel, touchedBuffer: async () => new ArrayBuffer(8) };
    expect(await new Prefetched(wrongSize, 64).takeF32()).toBeUndefined();
  });

  it('an analysis gathers its Float32 test rows into the kernel\'s buffer, with the numbers of one without it', async () => {
    const input = smallActivationsInput();
    const given: ArrayBuffer[] = [];
    const reserve = (rows: number, cols: number) => void [rows, cols];
    const linalg: LinalgKernel = { ...jsLinalgKernel, reserve, touchedBuffer: async (bytes) => (given.push(new ArrayBuffer(bytes)), given.at(-1)!) };
    for (const align of ['dot-max', 'residual'] as const) {
      given.length = 0;
      const plain = await runAnalysis(input, { seeds: 2, align }, { kernel: { ...tsAlignmentKernel, linalg: { ...jsLinalgKernel, reserve } }, batchMinValues: 0 });
      const prefetched = await runAnalysis(input, { seeds: 2, align }, { kernel: { ...tsAlignmentKernel, linalg }, batchMinValues: 0 });
      // two buffers, in the order needed: the strong W2S-train rows' (300 x 48 Float32 values), then the one the
      // detection's hard and rest rows and then the test rows use (the larger of the two sets: 300 rows each here),
      // both written (the rows gathered into them)
      expect(given.map((b) => b.byteLength)).toEqual([300 * 48 * 4, 300 * 48 * 4]);
      for (const b of given) expect(new Float32Array(b).some((v) => v !== 0)).toBe(true);
      expect(prefetched.accuracy).toEqual(plain.accuracy);
      expect(prefetched.detection.counts).toEqual(plain.detection.counts);
      expect(prefetched.mixing!.perSeed).toEqual(plain.mixing!.perSeed);
    }
  });
});
