/**
 * gemmByRowBlocks (gemm.ts): a Float64 product whose large operand is Float32 data, its rows widened a block at a
 * time into the caller's scratch instead of a Float64 copy of all of it. Held to the JavaScript reference's exact
 * Float64 product of the same values, in each case it takes; the other cases are left to the caller.
 */
import { describe, expect, it } from 'vitest';
import { gemmByRowBlocks, jsLinalgKernel, WIDEN_BLOCK_VALUES, type F64Matrix } from '../../../src/core/linalg/gemm';
import type { Matrix } from '../../../src/core/linalg/matrix';
import { Rng } from '../../../src/core/random/rng';

const rng = new Rng(11);
const f32 = (rows: number, cols: number): Matrix<Float32Array> => ({ rows, cols, data: Float32Array.from({ length: rows * cols }, () => rng.normal()) });
const f64 = (rows: number, cols: number): F64Matrix => ({ rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) });

describe('gemmByRowBlocks', () => {
  // more values than one block, and a row count that leaves a short last block
  const cols = 1000;
  const rows = Math.floor((2.5 * WIDEN_BLOCK_VALUES) / cols) + 3;
  const x = f32(rows, cols);
  const scratch = new Float64Array(WIDEN_BLOCK_VALUES);
  const calls: { rows: number; transA: boolean; transB: boolean }[] = [];
  const multiply = async (a: F64Matrix, b: F64Matrix, transA: boolean, transB: boolean) => {
    // every block lives in the scratch (no Float64 copy of the whole operand)
    const block = a.data.buffer === scratch.buffer ? a : b;
    expect(block.data.buffer).toBe(scratch.buffer);
    calls.push({ rows: block.rows, transA, transB });
    return jsLinalgKernel.gemm(a, b, { transA, transB });
  };
  const exact = (m: Matrix) => ({ rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) });

  it('equals the Float64 product in each of its cases, block by block, alpha, beta and C applied', async () => {
    const k = 5;
    const cases = [
      // X V^T (the batch's forward product), X W, X^T R (its backward product), R^T X (the softmax fits')
      { name: 'X V^T', a: x, b: f64(k, cols), o: { transB: true }, accumulates: false },
      { name: 'X W', a: x, b: f64(cols, k), o: {}, accumulates: false },
      { name: 'X^T R', a: x, b: f64(rows, k), o: { transA: true }, accumulates: true },
      { name: 'R^T X', a: f64(rows, k), b: x, o: { transA: true }, accumulates: true },
    ];
    for (const { name, a, b, o, accumulates } of cases) {
      const shape = (await jsLinalgKernel.gemm(exact(a), exact(b), o));
      const c = f64(shape.rows, shape.cols);
      for (const extra of [{}, { alpha: -0.5, c, beta: 0.25 }]) {
        calls.length = 0;
        const got = await gemmByRowBlocks(a, b, { ...o, ...extra }, () => scratch, multiply);
        const ref = await jsLinalgKernel.gemm(exact(a), exact(b), { ...o, ...extra });
        expect(got, name).toBeDefined();
        expect([got!.rows, got!.cols]).toEqual([ref.rows, ref.cols]);
        let worst = 0;
        let size = 0;
        for (let t = 0; t < ref.data.length; t++) {
          worst = Math.max(worst, Math.abs(got!.data[t] - ref.data[t]));
          size = Math.max(size, Math.abs(ref.data[t]));
        }
        // Float64 sums in another order: equal to rounding (not float32's ~1e-7)
        expect(worst / size, name).toBeLessThan(1e-13);
        // three blocks of whole rows, the last one short
        expect(calls.map((b) => b.rows), name).toEqual([Math.floor(WIDEN_BLOCK_VALUES / cols), Math.floor(WIDEN_BLOCK_VALUES / cols), rows - 2 * Math.floor(WIDEN_BLOCK_VALUES / cols)]);
        if (accumulates) expect(calls.every((b) => b.transA && !b.transB), name).toBe(true);
      }
    }
  });

  it('leaves the other cases, small operands and Float64 ones to the caller', async () => {
    calls.length = 0;
    // X^T V^T: blocks of X would be the result's columns and B's columns: not taken
    // (and asks for no scratch in those cases)
    const none = () => {
      throw new Error('no scratch wanted here');
    };
    expect(await gemmByRowBlocks(x, f64(3, rows), { transA: true, transB: true }, none, multiply)).toBeUndefined();
    // W^T X^T (B = X transposed): the result's column blocks, not taken either
    expect(await gemmByRowBlocks(f64(cols, 3), x, { transA: true, transB: true }, none, multiply)).toBeUndefined();
    // X as B without A transposed (A's column blocks)
    expect(await gemmByRowBlocks(f64(3, rows), x, {}, none, multiply)).toBeUndefined();
    // one block's worth or less, or Float64 data: widened whole (or used as is) by the caller
    expect(await gemmByRowBlocks(f32(10, cols), f64(3, cols), { transB: true }, none, multiply)).toBeUndefined();
    expect(await gemmByRowBlocks(exact(x), f64(3, cols), { transB: true }, none, multiply)).toBeUndefined();
    // a row wider than a block
    expect(await gemmByRowBlocks(f32(2, WIDEN_BLOCK_VALUES + 1), f64(3, WIDEN_BLOCK_VALUES + 1), { transB: true }, none, multiply)).toBeUndefined();
    expect(calls).toHaveLength(0);
    // a scratch too small for a block is a caller's error, said so
    await expect(gemmByRowBlocks(x, f64(3, cols), { transB: true }, () => new Float64Array(10), multiply)).rejects.toThrow(/scratch/);
  });

  it('stops at a cancel between blocks', async () => {
    const ac = new AbortController();
    let n = 0;
    const stopping = async (a: F64Matrix, b: F64Matrix, transA: boolean, transB: boolean) => {
      if (++n === 1) ac.abort();
      return jsLinalgKernel.gemm(a, b, { transA, transB });
    };
    await expect(gemmByRowBlocks(x, f64(2, cols), { transB: true, signal: ac.signal }, () => scratch, stopping)).rejects.toThrow(/cancel/i);
    expect(n).toBe(1);
  });
});
