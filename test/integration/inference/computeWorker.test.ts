/**
 * The compute worker (src/inference/computeWorker.ts, dist/compute-worker.js): core's eigendecomposition on a thread
 * of its own gives the same bits as on the calling thread, in process (OnnxLinalgKernel, the CLI) and through the
 * inference worker (the editor); a cancel rejects at once; a whole analysis is the same with and without it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CancelledError } from '../../../src/core/encoder';
import type { AlignmentKernel } from '../../../src/core/detect/types';
import { symmetricEigen } from '../../../src/core/linalg/eigen';
import { MAP_PCA, pca2 } from '../../../src/core/linalg/pca';
import { jsLinalgKernel, type F64Matrix, type LinalgKernel } from '../../../src/core/linalg/gemm';
import { compute } from '../../../src/inference/computeWorker';
import { runAnalysis } from '../../../src/core/experiment/analyze';
import { createInferenceClient } from '../../../src/inference/client';
import { OnnxLinalgKernel } from '../../../src/inference/linalgKernel';
import { createLocalInference } from '../../../src/inference/local';
import { SessionPool } from '../../../src/inference/sessions';
import { bundleComputeWorker, bundleDir, bundleWorker } from './bundle';

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function symmetric(dim: number, seed: number): F64Matrix {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  };
  const data = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j <= i; j++) data[i * dim + j] = data[j * dim + i] = r();
  return { rows: dim, cols: dim, data };
}

describe('the compute worker', () => {
  let dir: string;
  let computePath: string;
  let pool: SessionPool;
  let kernel: OnnxLinalgKernel;
  beforeAll(async () => {
    dir = await bundleDir();
    computePath = await bundleComputeWorker(dir);
    pool = new SessionPool({ device: 'cpu', threads: 1 });
    kernel = new OnnxLinalgKernel(pool, computePath);
  });
  afterAll(async () => {
    await kernel.dispose();
    await pool.dispose();
  });

  it('is found beside the bundle, absent otherwise (the kernel then has no symmetricEigen and core computes in-thread)', () => {
    expect(kernel.symmetricEigen).toBeDefined();
    expect(new OnnxLinalgKernel(pool, '/no/such/compute-worker.js').symmetricEigen).toBeUndefined();
    expect(new OnnxLinalgKernel(pool, null).symmetricEigen).toBeUndefined();
  });

  it('gives the eigendecomposition of the calling thread bit for bit (the tridiagonal form\'s basis, formed on the Gemm, to rounding), and leaves the caller\'s matrix alone', async () => {
    for (const dim of [1, 7, 64, 131]) {
      const a = symmetric(dim, dim);
      const before = a.data.slice();
      const [there, here] = [await kernel.symmetricEigen!(a), symmetricEigen(a.data, dim)];
      expect(Array.from(there.values)).toEqual(Array.from(here.values));
      expect(Array.from(there.vectors)).toEqual(Array.from(here.vectors));
      expect(Array.from(a.data)).toEqual(Array.from(before));
      // stopped at the tridiagonal form: the reduction's bits, the basis accumulated on the kernel's Gemm to rounding
      const [triThere, triHere] = [await kernel.symmetricEigen!(a, undefined, { tridiagonal: true }), symmetricEigen(a.data, dim, { tridiagonal: true })];
      expect(Array.from(triThere.values)).toEqual(Array.from(triHere.values));
      expect(maxAbsDiff(triThere.vectors, triHere.vectors)).toBeLessThan(1e-12);
      expect(triThere.householder).toBeUndefined();
      expect(Array.from(triThere.tridiagonal!.diagonal)).toEqual(Array.from(triHere.tridiagonal!.diagonal));
      expect(Array.from(triThere.tridiagonal!.sub)).toEqual(Array.from(triHere.tridiagonal!.sub));
    }
  });

  it('rejects a cancelled request at once (before, and while the thread computes)', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(kernel.symmetricEigen!(symmetric(8, 1), ac.signal)).rejects.toBeInstanceOf(CancelledError);
    const running = new AbortController();
    const p = kernel.symmetricEigen!(symmetric(400, 2), running.signal);
    running.abort();
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    // the thread goes on serving
    const r = await kernel.symmetricEigen!(symmetric(5, 3));
    expect(r.values.length).toBe(5);
  });

  it('makes fresh memory with its pages touched and transfers it (the memory of LinalgKernel.reserve)', () => {
    const { response, transfer } = compute({ id: 4, op: 'buffer', bytes: 3 * 4096 + 5 });
    expect('buffer' in response).toBe(true);
    const buffer = (response as { buffer: ArrayBuffer }).buffer;
    expect(buffer.byteLength).toBe(3 * 4096 + 5);
    expect(transfer).toEqual([buffer]);
    expect(new Uint8Array(buffer).every((b) => b === 0)).toBe(true);
  });

  /**
   * Float32 rows uploaded after `reserve` (of that shape, or of another), all of them or a selection (`pick`, gathered
   * by the upload): products as the JavaScript kernel's on the same rows.
   */
  async function uploadAfterReserve(
    linalg: LinalgKernel, reserved: [number, number], rows: number, cols: number, pick?: number[], float32?: boolean,
  ): Promise<void> {
    const x = { rows, cols, data: Float32Array.from({ length: rows * cols }, (_, k) => Math.fround(Math.sin(k) * 3)) };
    const before = x.data.slice();
    linalg.reserve!(...reserved, float32);
    const h = await linalg.upload!(x, undefined, pick, float32);
    expect(h.float32 === true).toBe(float32 === true);
    const n = pick ? pick.length : rows;
    expect([h.rows, h.cols]).toEqual([n, cols]);
    const v = { rows: cols, cols: 2, data: Float64Array.from({ length: cols * 2 }, (_, k) => 1 / (k + 1)) };
    const got = await linalg.gemm(h, v);
    const chosen = pick ?? Array.from({ length: rows }, (_, i) => i);
    const want = await jsLinalgKernel.gemm({ rows: n, cols, data: Float64Array.from(chosen.flatMap((r) => Array.from(x.data.subarray(r * cols, r * cols + cols)))) }, v);
    expect(Array.from(got.data).map((g, k) => Math.abs(g - want.data[k]) <= 1e-12 * (1 + Math.abs(want.data[k])))).not.toContain(false);
    expect(Array.from(x.data)).toEqual(Array.from(before)); // the caller's rows stay as they were
    await linalg.release!(h);
  }

  it('readies a reserved upload\'s Float64 memory on the thread; the upload widens Float32 rows into it, once', async () => {
    const thread = kernel['compute']!;
    const made = vi.spyOn(thread, 'touchedBuffer');
    await uploadAfterReserve(kernel, [300, 40], 300, 40);
    expect(made.mock.calls).toEqual([[300 * 40 * 8]]);
    expect(kernel['reservations'].shapes()).toEqual([]); // used up
    // another shape than the reserved one: fresh memory here, the same products; the reservation waits for its shape
    await uploadAfterReserve(kernel, [30, 4], 31, 4);
    expect(kernel['reservations'].shapes()).toEqual([[30, 4]]);
    // a selection of rows gathered into the reserved memory of its shape (the test rows of an analysis)
    await uploadAfterReserve(kernel, [3, 4], 31, 4, [30, 0, 17]);
    expect(kernel['reservations'].shapes()).toEqual([[30, 4]]);
    await uploadAfterReserve(kernel, [30, 4], 31, 4, Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(kernel['reservations'].shapes()).toEqual([[30, 4]]); // took the older one, kept the newer
    kernel['reservations'].clear();
    made.mockRestore();
    // without a compute thread there is nothing to ready: the upload still widens
    await uploadAfterReserve(new OnnxLinalgKernel(pool, null), [20, 8], 20, 8);
  });

  it('through the inference worker (the editor\'s route): the same bits (the tridiagonal form\'s basis to rounding)', async () => {
    const workerPath = await bundleWorker(dir);
    const client = createInferenceClient({ workerPath, device: 'cpu', threads: 1 });
    try {
      // a reserved upload: the worker makes and touches the memory, the client fills it and hands it back
      await uploadAfterReserve(client.alignmentKernel().linalg!, [120, 16], 120, 16);
      await uploadAfterReserve(client.alignmentKernel().linalg!, [12, 16], 13, 16);
      await uploadAfterReserve(client.alignmentKernel().linalg!, [12, 16], 40, 16, [3, 39, 0, 1, 2, 5, 8, 13, 21, 34, 7, 9]);
      // an upload held as Float32 (the probes' rows): its reservation is Float32 memory, taken by that upload only
      const reservations = (client as unknown as { reservations: { shapes(): [number, number][] } }).reservations;
      await uploadAfterReserve(client.alignmentKernel().linalg!, [120, 16], 120, 16, undefined, true);
      expect(reservations.shapes()).toEqual([[12, 16]]); // the one left by the second upload above, not this one
      // a Float64 reservation is not taken by a Float32 upload of its shape (nor the other way round)
      client.alignmentKernel().linalg!.reserve!(120, 16);
      await uploadAfterReserve(client.alignmentKernel().linalg!, [7, 16], 120, 16, undefined, true);
      expect(reservations.shapes()).toEqual([[120, 16], [7, 16]]);
      // the map's PCA on the worker's thread (off the extension host's): the same bits as here
      const rows = { rows: 120, cols: 9, data: Float32Array.from({ length: 120 * 9 }, (_, k) => Math.fround(Math.cos(k * 0.11) + (k % 9) * 0.02)) };
      const mapThere = await client.alignmentKernel().linalg!.pcaMap!(rows);
      const mapHere = pca2(rows, MAP_PCA);
      expect(Array.from(mapThere.x)).toEqual(Array.from(mapHere.x));
      expect(Array.from(mapThere.y)).toEqual(Array.from(mapHere.y));
      const a = symmetric(50, 9);
      const r = await client.alignmentKernel().linalg!.symmetricEigen!(a);
      const here = symmetricEigen(a.data, 50);
      expect(Array.from(r.values)).toEqual(Array.from(here.values));
      expect(Array.from(r.vectors)).toEqual(Array.from(here.vectors));
      const tri = await client.alignmentKernel().linalg!.symmetricEigen!(a, undefined, { tridiagonal: true });
      const triHere = symmetricEigen(a.data, 50, { tridiagonal: true });
      expect(maxAbsDiff(tri.vectors, triHere.vectors)).toBeLessThan(1e-12);
      expect(Array.from(tri.tridiagonal!.sub)).toEqual(Array.from(triHere.tridiagonal!.sub));
      expect(Array.from(tri.tridiagonal!.diagonal)).toEqual(Array.from(triHere.tridiagonal!.diagonal));
    } finally {
      await client.dispose();
    }
  });

  it('a whole default analysis (residual detector) is the same with the eigendecomposition on it and without', async () => {
    const n = 900;
    const dw = 24;
    const ds = 40;
    let s = 11;
    const r = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 1073741824 - 1;
    };
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const strong = { rows: n, cols: ds, data: Float32Array.from({ length: n * ds }, (_, k) => r() + (k % ds < 6 ? 0.8 * (2 * labels[Math.floor(k / ds)] - 1) : 0)) };
    const weak = { rows: n, cols: dw, data: Float32Array.from({ length: n * dw }, (_, k) => strong.data[Math.floor(k / dw) * ds + (k % dw)] + 0.5 * r()) };
    const input = {
      weak: { kind: 'activations' as const, acts: weak }, strong, labels, numClasses: 2,
      encoders: { weak: { id: 'w', kind: 'activations' as const, dim: dw }, strong: { id: 's', kind: 'activations' as const, dim: ds } },
    };
    const local = createLocalInference({ device: 'cpu', threads: 1 });
    try {
      const base = local.alignmentKernel();
      const on = (linalg: OnnxLinalgKernel): AlignmentKernel => ({
        name: base.name,
        maxAlignment: (q, k, mode, signal) => base.maxAlignment(q, k, mode, signal),
        maxAlignmentWithIndex: (q, k, mode, signal, progress) => base.maxAlignmentWithIndex!(q, k, mode, signal, progress),
        linalg,
      });
      const without = await runAnalysis(input, { seeds: 2 }, { kernel: on(new OnnxLinalgKernel(pool, null)) });
      let calls = 0;
      const counted = Object.assign(Object.create(kernel) as OnnxLinalgKernel, {
        symmetricEigen: (a: F64Matrix, signal?: AbortSignal) => {
          calls++;
          return kernel.symmetricEigen!(a, signal);
        },
      });
      const withThread = await runAnalysis(input, { seeds: 2 }, { kernel: on(counted) });
      expect(calls).toBe(1); // begun with the analysis, used by the ridge map, not computed again
      // the probes fitted together on the products (a low bound brings this small case there): the strong W2S-train
      // rows' upload (Float32) is announced when the analysis begins (in process nothing to ready: the kernel keeps
      // Float32 rows as they are), and the result is the same
      const reserved: [number, number, boolean | undefined][] = [];
      const touched: number[] = [];
      const reserving = Object.assign(Object.create(kernel) as OnnxLinalgKernel, {
        reserve(this: OnnxLinalgKernel, rows: number, cols: number, float32?: boolean) {
          reserved.push([rows, cols, float32]);
          OnnxLinalgKernel.prototype.reserve.call(this, rows, cols, float32);
        },
        touchedBuffer: (bytes: number) => (touched.push(bytes), kernel.touchedBuffer!(bytes)),
      });
      const batchedWithout = await runAnalysis(input, { seeds: 2 }, { kernel: on(new OnnxLinalgKernel(pool, null)), batchMinValues: 1 });
      const batchedWith = await runAnalysis(input, { seeds: 2 }, { kernel: on(reserving), batchMinValues: 1 });
      const w2sRows = withThread.rows.filter((row) => row.split === 'w2s-train').length;
      const testRows = withThread.rows.filter((row) => row.split === 'test').length;
      expect(reserved).toEqual([[w2sRows, ds, true]]); // the probes' rows (Float32)
      // the memory of the detection's hard and rest rows, then of the Float32 test rows that score the probes (the
      // strong W2S-train rows' is not asked for: the eigendecomposition is ahead of it on that thread)
      expect(touched).toEqual([Math.max(testRows, w2sRows) * ds * 4]);
      expect(kernel['reservations'].shapes()).toEqual([]); // nothing held for later
      expect(batchedWith.rows).toEqual(batchedWithout.rows);
      expect(batchedWith.accuracy).toEqual(batchedWithout.accuracy);
      expect(batchedWith.mixing).toEqual(batchedWithout.mixing);
      expect(batchedWith.map).toEqual(batchedWithout.map);
      expect(without.options.align).toBe('residual');
      expect(withThread.rows).toEqual(without.rows);
      expect(withThread.accuracy).toEqual(without.accuracy);
      expect(withThread.detection).toEqual(without.detection);
      expect(withThread.mixing).toEqual(without.mixing);
      expect(withThread.map).toEqual(without.map); // the map on the thread, the same bits
    } finally {
      await local.dispose();
    }
  });
});
