import { afterAll, describe, expect, it } from 'vitest';
import { jsLinalgKernel, transposeInto, type F64Matrix } from '../../../src/core/linalg/gemm';
import { ridgeLooResidualNormsGemm } from '../../../src/core/linalg/ridgeGemm';
import { ridgeLooResidualNorms } from '../../../src/core/linalg/ridgeLoo';
import { CancelledError } from '../../../src/core/encoder';
import { createLocalInference } from '../../../src/inference/local';

function random(rows: number, cols: number, seed: number, offset = 0): F64Matrix {
  let s = seed;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = s / 1073741824 - 1 + offset;
  }
  return { rows, cols, data };
}

function maxRelative(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return m;
}

describe('the onnxruntime LinalgKernel (Float64 Gemm on the CPU provider)', () => {
  const inference = createLocalInference({ device: 'cpu', threads: 1 });
  const linalg = inference.alignmentKernel().linalg!;
  afterAll(() => inference.dispose());

  it('equals the JavaScript reference to rounding for every transpose combination, alpha and C', async () => {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const a = transA ? random(70, 33, 1) : random(33, 70, 1);
      const b = transB ? random(41, 70, 2) : random(70, 41, 2);
      const c = random(33, 41, 3);
      // alpha 0.1 and beta 1/3 are not float32 values: applied on the host instead of in the graph
      for (const opts of [{}, { alpha: -1.5 }, { c, beta: 0.25 }, { alpha: 2, c }, { alpha: 0.1, c, beta: 1 / 3 }, { alpha: 0.1 }]) {
        const got = await linalg.gemm(a, b, { transA, transB, ...opts });
        const ref = await jsLinalgKernel.gemm(a, b, { transA, transB, ...opts });
        expect([got.rows, got.cols]).toEqual([33, 41]);
        let worst = 0;
        for (let t = 0; t < ref.data.length; t++) worst = Math.max(worst, Math.abs(got.data[t] - ref.data[t]));
        expect(worst).toBeLessThan(1e-12);
      }
    }
    expect(linalg.name).toMatch(/onnxruntime \(cpu\)/);
  });

  it('float32 products (MLAS SGEMM): the JavaScript reference of the rounded values to float32 sums, on a Float32 matrix it holds or rounding Float64 operands', async () => {
    const x32 = { rows: 500, cols: 300, data: Float32Array.from(random(500, 300, 4).data) };
    const held = await linalg.upload!(x32, undefined, undefined, true);
    const held64 = await linalg.upload!(x32);
    for (const [transA, transB] of [[false, false], [true, false], [false, true]] as const) {
      const b = transA ? random(500, 7, 5) : transB ? random(7, 300, 5) : random(300, 7, 5);
      const ref = await jsLinalgKernel.gemm(x32 as never, b, { transA, transB, float32: true });
      for (const a of [held, held64]) {
        const got = await linalg.gemm(a, b, { transA, transB, float32: true });
        expect([got.rows, got.cols]).toEqual([ref.rows, ref.cols]);
        // float32 sums of up to 500 terms of size ~1: within 1e-4 of the exact sum of the rounded values
        let worst = 0;
        for (let t = 0; t < ref.data.length; t++) worst = Math.max(worst, Math.abs(got.data[t] - ref.data[t]));
        expect(worst).toBeGreaterThan(0); // float32 sums, not Float64 ones
        expect(worst).toBeLessThan(1e-4);
        expect(got.data.every((y) => Math.fround(y) === y)).toBe(true);
      }
      // a Float64 product of the Float32 matrix it holds widens it: the Float64 reference to rounding
      const exact = await linalg.gemm(held, b, { transA, transB });
      const exactRef = await jsLinalgKernel.gemm({ ...x32, data: Float64Array.from(x32.data) }, b, { transA, transB });
      expect(maxRelative(exact.data, exactRef.data)).toBeLessThan(1e-9);
    }
    await linalg.release!(held);
    await linalg.release!(held64);
  });

  it('makes Float64 products of a large Float32 matrix it holds block by block, equal to those of a Float64 copy', async () => {
    // 2,100 x 1,000: two widening blocks and a short third (gemmByRowBlocks); the batched fits' three products
    const x32 = { rows: 2100, cols: 1000, data: Float32Array.from(random(2100, 1000, 11).data) };
    const held = await linalg.upload!(x32, undefined, undefined, true);
    const held64 = await linalg.upload!(x32);
    expect([held.float32, held64.float32]).toEqual([true, false]);
    const v = random(6, 1000, 12);
    const r = random(2100, 6, 13);
    for (const [a, b, o] of [[held, v, { transB: true }], [held, r, { transA: true }], [r, held, { transA: true }]] as const) {
      const got = await linalg.gemm(a, b, o);
      const ref = await linalg.gemm(a === held ? held64 : a, b === held ? held64 : b, o);
      expect([got.rows, got.cols]).toEqual([ref.rows, ref.cols]);
      expect(maxRelative(got.data, ref.data)).toBeLessThan(1e-10);
      expect(got.data.some((y) => Math.fround(y) !== y)).toBe(true); // Float64 sums
    }
    await linalg.release!(held);
    await linalg.release!(held64);
  });

  it('serves float32 X^T R and R^T X of a large Float32 matrix it holds from a transposed copy once its memory is there, the same sums to float32 rounding', async () => {
    // 1,100 x 1,000 values: over TRANSPOSE_MIN_VALUES (smaller matrices are taken transposed as before)
    const x32 = { rows: 1100, cols: 1000, data: Float32Array.from(random(1100, 1000, 21).data) };
    const held = await linalg.upload!(x32, undefined, undefined, true);
    const kernel = linalg as unknown as { transposedProducts: number };
    const before = kernel.transposedProducts;
    const r = random(1100, 5, 22);
    const ref = await jsLinalgKernel.gemm(x32 as never, r, { transA: true, float32: true });
    const refT = await jsLinalgKernel.gemm(r, x32 as never, { transA: true, float32: true });
    // the first call asks for the copy's memory and multiplies X transposed, as without a copy
    const first = await linalg.gemm(held, r, { transA: true, float32: true });
    expect(kernel.transposedProducts).toBe(before);
    // its memory comes from the compute thread when there is one: calls go on transposed until it is there
    let later = first;
    for (let tries = 0; tries < 200 && kernel.transposedProducts === before; tries++) {
      await new Promise((resolve) => setTimeout(resolve, tries === 0 ? 0 : 20));
      later = await linalg.gemm(held, r, { transA: true, float32: true });
    }
    const laterT = await linalg.gemm(r, held, { transA: true, float32: true });
    expect(kernel.transposedProducts).toBe(before + 2);
    expect([later.rows, later.cols, laterT.rows, laterT.cols]).toEqual([1000, 5, 5, 1000]);
    for (const [got, want] of [[first, ref], [later, ref], [laterT, refT]] as const) {
      let worst = 0;
      for (let t = 0; t < want.data.length; t++) worst = Math.max(worst, Math.abs(got.data[t] - want.data[t]));
      expect(worst).toBeLessThan(1e-4); // float32 sums of 1,100 terms of size ~1
    }
    // R^T X is X^T R turned: the same sums
    for (let j = 0; j < 1000; j++) for (let c = 0; c < 5; c++) expect(laterT.data[c * 1000 + j]).toBe(later.data[j * 5 + c]);
    // Float64 products and forward products do not use it
    await linalg.gemm(held, r, { transA: true });
    await linalg.gemm(held, random(3, 1000, 23), { transB: true, float32: true });
    expect(kernel.transposedProducts).toBe(before + 2);
    await linalg.release!(held);
  });

  it('writes products into the caller\'s buffer when it is large enough (GemmOptions.into), also with calls in flight together', async () => {
    const a = random(300, 200, 31);
    const b = random(200, 9, 32);
    for (const float32 of [false, true]) {
      const ref = await linalg.gemm(a, b, { float32 });
      const into = new Float64Array(300 * 9 + 5).fill(7);
      const got = await linalg.gemm(a, b, { float32, into });
      expect(got.data.buffer).toBe(into.buffer); // a view of it
      expect([...got.data]).toEqual([...ref.data]);
      expect(into[300 * 9]).toBe(7); // nothing past the result
      // too small: a buffer of the kernel's own, `into` untouched
      const small = new Float64Array(10).fill(3);
      const other = await linalg.gemm(a, b, { float32, into: small });
      expect(other.data.buffer).not.toBe(small.buffer);
      expect([...small]).toEqual(new Array(10).fill(3));
      expect([...other.data]).toEqual([...ref.data]);
    }
    // float32 outputs go through the kernel's scratches: products in flight together each get their own
    const bs = [random(200, 9, 33), random(200, 4, 34), random(200, 9, 35)];
    const refs = await Promise.all(bs.map((m) => jsLinalgKernel.gemm(a, m, { float32: true })));
    const gots = await Promise.all(bs.map((m) => linalg.gemm(a, m, { float32: true })));
    gots.forEach((g, k) => {
      let worst = 0;
      for (let t = 0; t < g.data.length; t++) worst = Math.max(worst, Math.abs(g.data[t] - refs[k].data[t]));
      expect(worst).toBeLessThan(1e-4);
    });
  });

  it('transposes blocks of any shape (transposeInto)', () => {
    for (const [rows, cols] of [[1, 1], [67, 130], [130, 67], [64, 128], [3, 200]]) {
      const x = Float32Array.from({ length: rows * cols }, (_, t) => t);
      const out = new Float32Array(rows * cols);
      transposeInto(x, rows, cols, out);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(out[j * rows + i]).toBe(x[i * cols + j]);
    }
  });

  it('handles empty shapes and refuses a cancelled call', async () => {
    const z = await linalg.gemm(random(0, 4, 1), random(4, 3, 2));
    expect([z.rows, z.cols, z.data.length]).toEqual([0, 3, 0]);
    const inner0 = await linalg.gemm(random(3, 0, 1), random(0, 2, 2), { c: random(3, 2, 3, 1), beta: 2 });
    expect([...inner0.data]).toEqual([...random(3, 2, 3, 1).data].map((v) => 2 * v));
    const ac = new AbortController();
    ac.abort();
    await expect(linalg.gemm(random(2, 2, 1), random(2, 2, 2), { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });

  it('gives the ridge map the same leave-one-out norms as the WebAssembly rows on both routes (1e-9 relative)', async () => {
    for (const [n, dx, dy] of [[300, 40, 70], [60, 90, 50]]) {
      const x32 = random(n, dx, 7, 2);
      const x = { rows: n, cols: dx, data: Float32Array.from(x32.data) };
      const noise = random(n, dy, 8);
      const y = { rows: n, cols: dy, data: new Float32Array(n * dy) };
      for (let i = 0; i < n; i++) for (let c = 0; c < dy; c++) y.data[i * dy + c] = x.data[i * dx + (c % dx)] * 0.7 + 0.3 * noise.data[i * dy + c];
      const rows = ridgeLooResidualNorms(x, y);
      const gemm = await ridgeLooResidualNormsGemm(x, y, linalg);
      expect(gemm.fit.route).toBe(n <= dx ? 'dual' : 'primal');
      expect(gemm.fit.lambda / rows.fit.lambda).toBeCloseTo(1, 12);
      expect(maxRelative(gemm.norms, rows.norms)).toBeLessThan(1e-9);
    }
  });
});
