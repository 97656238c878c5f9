/**
 * The mixing experiment's batched probe fits on onnxruntime's Gemm (probe/batch.ts, product route), in process and
 * through the inference worker (X uploaded once, named by handle, released at the end, also on cancel): every fit
 * reaches its own optimum like a separate fitProbeAsync, with the same held-out accuracies.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinalgKernel, ResidentMatrix } from '../../../src/core/linalg/gemm';
import { createInferenceClient } from '../../../src/inference/client';
import { createLocalInference } from '../../../src/inference/local';
import type { InferenceService } from '../../../src/inference/types';
import { expectBatchCancels, expectBatchEqualsSeparate } from '../../unit/probe/batchKernelCheck';
import { runAnalysis } from '../../../src/core/experiment/analyze';
import { smallActivationsInput } from '../../unit/cancel/helpers';
import { bundleDir, bundleWorker } from './bundle';
import { Rng } from '../../../src/core/random/rng';

/** The kernel, counting the matrices it holds for the caller. */
function counted(kernel: LinalgKernel): LinalgKernel & { held: number } {
  const k = {
    name: kernel.name,
    held: 0,
    gemm: kernel.gemm.bind(kernel),
    upload: async (m: Parameters<NonNullable<LinalgKernel['upload']>>[0], signal?: AbortSignal, rows?: ArrayLike<number>, float32?: boolean) => {
      const h = await kernel.upload!(m, signal, rows, float32);
      k.held++;
      return h;
    },
    release: async (m: ResidentMatrix) => {
      k.held--;
      await kernel.release!(m);
    },
  };
  return k;
}

describe('batched probe fits on onnxruntime\'s Gemm', () => {
  let dir: string;
  let local: InferenceService;
  let client: InferenceService;
  beforeAll(async () => {
    dir = await bundleDir();
    local = createLocalInference({ device: 'cpu', threads: 1 });
    client = createInferenceClient({ workerPath: await bundleWorker(dir), device: 'cpu', threads: 1 });
  });
  afterAll(async () => {
    await client.dispose();
    await local.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('in process: each fit equals its separate fit; X is released; cancel works', async () => {
    const kernel = counted(local.alignmentKernel().linalg!);
    await expectBatchEqualsSeparate(kernel);
    await expectBatchEqualsSeparate(kernel, 8, 400, 70);
    await expectBatchEqualsSeparate(kernel, 9, 300, 40, 4); // softmax fits: 4 columns of the products each
    await expectBatchCancels(kernel);
    expect(kernel.held).toBe(0);
  });

  it('in process, rows over 2^20 values: the gradients come from the kernel\'s transposed copy, each fit still its separate fit', async () => {
    const onnx = local.alignmentKernel().linalg! as unknown as { transposedProducts: number };
    const before = onnx.transposedProducts;
    const kernel = counted(local.alignmentKernel().linalg!);
    await expectBatchEqualsSeparate(kernel, 5, 1100, 1000);
    const twoClasses = onnx.transposedProducts - before;
    expect(twoClasses).toBeGreaterThan(10); // X^T R on the copy once its memory was there
    await expectBatchEqualsSeparate(kernel, 6, 1100, 1000, 3); // softmax: R^T X as the copy's product, turned
    expect(onnx.transposedProducts - before - twoClasses).toBeGreaterThan(10);
    expect(kernel.held).toBe(0);
    // through the worker (whose kernel makes the copy on its side): the same fits
    const viaWorker = counted(client.alignmentKernel().linalg!);
    await expectBatchEqualsSeparate(viaWorker, 5, 1100, 1000);
    expect(viaWorker.held).toBe(0);
  });

  it('through the worker: X uploaded once and named, the same fits; released on the end and on cancel', async () => {
    const kernel = counted(client.alignmentKernel().linalg!);
    await expectBatchEqualsSeparate(kernel);
    await expectBatchCancels(kernel);
    expect(kernel.held).toBe(0);
  });

  it('a whole analysis through the worker: the strong and W2S probes share their upload with the mixing fits, released at the end', async () => {
    const input = smallActivationsInput();
    const plain = await runAnalysis(input, { seeds: 2 });
    const kernel = counted(client.alignmentKernel().linalg!);
    let uploads = 0;
    let uploads32 = 0;
    let products32 = 0;
    const upload = kernel.upload;
    kernel.upload = (m, s, rows, f32) => (f32 ? uploads32++ : uploads++, upload!(m, s, rows, f32));
    const gemm = kernel.gemm;
    kernel.gemm = (a, b, o) => (o?.float32 && products32++, gemm(a, b, o));
    const viaWorker = await runAnalysis(input, { seeds: 2 }, { kernel: { ...client.alignmentKernel(), linalg: kernel }, batchMinValues: 0 });
    expect(uploads).toBe(0); // no Float64 copy: the Float64 finish widens blocks of the Float32 rows
    expect(uploads32).toBe(2); // the W2S-train rows (probes and mixing fits), and the test rows (their scores)
    expect(products32).toBeGreaterThan(10);
    expect(kernel.held).toBe(0);
    expect(viaWorker.accuracy).toEqual(plain.accuracy);
    expect(viaWorker.detection.counts).toEqual(plain.detection.counts);
    expect(viaWorker.mixing!.perSeed.flat().length).toBe(plain.mixing!.perSeed.flat().length);
  });

  it('a three-class analysis through the worker: the softmax strong and W2S probes and mixing fits on the products, the same numbers as without the kernel', async () => {
    const n = 900;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    const rng = new Rng(11);
    const acts = (cols: number, separation: number) => ({
      rows: n, cols, data: Float32Array.from({ length: n * cols }, (_, k) => rng.normal() + (k % cols === labels[Math.floor(k / cols)] ? separation : 0)),
    });
    const encoder = (id: string, dim: number) => ({ id, kind: 'activations' as const, dim });
    const input = {
      weak: { kind: 'activations' as const, acts: acts(16, 0.5) }, strong: acts(48, 1.2), labels, numClasses: 3,
      encoders: { weak: encoder('weak', 16), strong: encoder('strong', 48) },
    };
    // dot-max: no ridge map, so every product counted below is a probe's (two classes only, before softmax fits joined)
    const plain = await runAnalysis(input, { seeds: 2, align: 'dot-max' });
    const kernel = counted(client.alignmentKernel().linalg!);
    let products = 0;
    const gemm = kernel.gemm;
    kernel.gemm = (a, b, o) => (products++, gemm(a, b, o));
    const uploaded: number[] = [];
    const upload = kernel.upload;
    kernel.upload = (m, s, rows, f32) => (uploaded.push(m.cols), upload!(m, s, rows, f32));
    const viaWorker = await runAnalysis(input, { seeds: 2, align: 'dot-max' }, { kernel: { ...client.alignmentKernel(), linalg: kernel }, batchMinValues: 0 });
    expect(products).toBeGreaterThan(20);
    // the weak-train rows too: with more than two classes the weak probe (and its polish) run on the products
    expect(uploaded).toEqual([16, 48, 48]);
    expect(kernel.held).toBe(0);
    expect(viaWorker.accuracy).toEqual(plain.accuracy);
    expect(viaWorker.accuracy.strong).toBeGreaterThan(0.5);
    expect(viaWorker.detection.counts).toEqual(plain.detection.counts);
    expect(viaWorker.mixing!.perSeed).toEqual(plain.mixing!.perSeed);
  });

  it('worker: a resident matrix multiplies like the matrix itself, and is gone after release', async () => {
    const linalg = client.alignmentKernel().linalg!;
    const a = { rows: 40, cols: 30, data: Float64Array.from({ length: 1200 }, (_, i) => Math.sin(i)) };
    const b = { rows: 40, cols: 5, data: Float64Array.from({ length: 200 }, (_, i) => Math.cos(i)) };
    const h = await linalg.upload!(a);
    expect([h.rows, h.cols]).toEqual([40, 30]);
    const viaHandle = await linalg.gemm(h, b, { transA: true });
    const direct = await local.alignmentKernel().linalg!.gemm(a, b, { transA: true });
    expect([...viaHandle.data]).toEqual([...direct.data]);
    await linalg.release!(h);
    await linalg.release!(h); // twice: no error
    await expect(linalg.gemm(h, b, { transA: true })).rejects.toThrow(/not held/);
  });
});
