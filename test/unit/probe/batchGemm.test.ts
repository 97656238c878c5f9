/**
 * fitProbesBatch on a LinalgKernel (the product route: U = X [D | W] and X^T R per round) with the JavaScript
 * kernel, which keeps X resident, and with a kernel that cannot (X sent with every product): each fit converges to
 * its own optimum like a separate fit, the same accuracies, cancel works, nothing stays resident.
 */
import { describe, expect, it } from 'vitest';
import { jsLinalgKernel, type LinalgKernel } from '../../../src/core/linalg/gemm';
import { expectBatchCancels, expectBatchEqualsSeparate } from './batchKernelCheck';

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

  it('stops on cancel and releases X', async () => {
    await expectBatchCancels(jsLinalgKernel);
    expect(jsLinalgKernel.residents.size).toBe(0);
  });
});
