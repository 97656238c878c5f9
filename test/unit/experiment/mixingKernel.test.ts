/**
 * The analysis hands its alignment kernel's dense products (`hooks.kernel.linalg`) to the mixing experiment's
 * batched fits (probe/batch.ts, product route): X uploaded once and released, the same mixing curve as without.
 */
import { describe, expect, it } from 'vitest';
import { tsAlignmentKernel } from '../../../src/core/detect/alignKernel';
import { runAnalysis, type AnalysisInput } from '../../../src/core/experiment/analyze';
import { jsLinalgKernel, type LinalgKernel } from '../../../src/core/linalg/gemm';
import { alternating, gaussian } from '../cancel/helpers';

describe('runAnalysis with a LinalgKernel', () => {
  it('fits the mixing probes on it, with the same curve', async () => {
    const labels = alternating(900);
    const encoder = (id: string, dim: number) => ({ id, kind: 'activations' as const, dim });
    const input: AnalysisInput = {
      weak: { kind: 'activations', acts: gaussian(900, 16, labels, 0.3, 1) }, strong: gaussian(900, 48, labels, 0.6, 2),
      labels, numClasses: 2, encoders: { weak: encoder('weak', 16), strong: encoder('strong', 48) },
    };
    const calls = { upload: 0, release: 0 };
    const linalg: LinalgKernel = {
      name: 'counted',
      gemm: (a, b, o) => jsLinalgKernel.gemm(a, b, o),
      upload: (m, s) => (calls.upload++, jsLinalgKernel.upload!(m, s)),
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
