import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../../src/core/linalg/eigen';
import { jsLinalgKernel } from '../../../src/core/linalg/gemm';
import { accumulateReflectors } from '../../../src/core/linalg/householder';
import { TestRng } from '../probe/builders';

function symmetric(rng: TestRng, dim: number, zeroEvery = 0): Float64Array {
  const a = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      const zero = zeroEvery > 0 && (i % zeroEvery === 0 || j % zeroEvery === 0);
      a[i * dim + j] = a[j * dim + i] = zero ? 0 : rng.normal();
    }
  }
  return a;
}

describe('accumulateReflectors (the tridiagonal basis in blocks on a Gemm)', () => {
  it('gives the basis eigen.ts accumulates one reflector at a time, to rounding, for any block size', async () => {
    const rng = new TestRng(41);
    for (const [dim, zeroEvery] of [[1, 0], [2, 0], [7, 0], [30, 0], [65, 0], [40, 4], [12, 1]]) {
      const a = symmetric(rng, dim, zeroEvery);
      const whole = symmetricEigen(a, dim, { tridiagonal: true });
      const raw = symmetricEigen(a, dim, { tridiagonal: true, accumulate: false });
      expect(raw.householder).toBeDefined();
      expect(Array.from(raw.values)).toEqual(Array.from(whole.values));
      expect(Array.from(raw.tridiagonal!.diagonal)).toEqual(Array.from(whole.tridiagonal!.diagonal));
      expect(Array.from(raw.tridiagonal!.sub)).toEqual(Array.from(whole.tridiagonal!.sub));
      for (const block of [1, 3, 8, 96]) {
        const basis = await accumulateReflectors(raw.vectors, raw.householder!, dim, jsLinalgKernel, { block });
        let worst = 0;
        for (let i = 0; i < dim * dim; i++) worst = Math.max(worst, Math.abs(basis[i] - whole.vectors[i]));
        expect(worst).toBeLessThan(1e-13);
      }
    }
  });

  it('stops with CancelledError when the signal is aborted', async () => {
    const a = symmetric(new TestRng(3), 20);
    const raw = symmetricEigen(a, 20, { tridiagonal: true, accumulate: false });
    const ac = new AbortController();
    ac.abort();
    await expect(accumulateReflectors(raw.vectors, raw.householder!, 20, jsLinalgKernel, { signal: ac.signal, block: 4 })).rejects.toThrow(/cancel/i);
  });
});
