import { afterAll, describe, expect, it } from 'vitest';
import { OnnxAlignmentKernel } from '../../../src/inference/alignKernel';
import { SessionPool } from '../../../src/inference/sessions';
import type { Matrix } from '../../../src/core/linalg/matrix';

/** Seeded uniform numbers in [-1, 1) (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

function randomMatrix(rows: number, cols: number, seed: number, zeroRows: number[] = []): Matrix<Float32Array> {
  const next = rng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = next();
  for (const r of zeroRows) data.fill(0, r * cols, (r + 1) * cols);
  return { rows, cols, data };
}

/** The definition (core/detect/types.ts), in float64: max over keys of |cos| or of the dot product. */
function naive(query: Matrix, keys: Matrix, mode: 'abs-cosine' | 'dot'): { max: Float64Array; argmax: Int32Array } {
  const d = query.cols;
  const norm = (m: Matrix, r: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) s += m.data[r * d + j]! ** 2;
    return Math.sqrt(s);
  };
  const max = new Float64Array(query.rows);
  const argmax = new Int32Array(query.rows).fill(-1);
  for (let i = 0; i < query.rows; i++) {
    let best = -Infinity;
    const qn = norm(query, i);
    for (let k = 0; k < keys.rows; k++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += query.data[i * d + j]! * keys.data[k * d + j]!;
      let s = dot;
      if (mode === 'abs-cosine') {
        const kn = norm(keys, k);
        s = qn === 0 || kn === 0 ? 0 : Math.abs(dot / (qn * kn));
      }
      if (s > best) {
        best = s;
        argmax[i] = k;
      }
    }
    max[i] = keys.rows === 0 ? 0 : best;
  }
  return { max, argmax };
}

describe('OnnxAlignmentKernel', () => {
  const pool = new SessionPool({ device: 'cpu', threads: 1 });
  afterAll(() => pool.dispose());

  for (const blocks of [
    { queryRows: 1024, keyRows: 8192 },
    { queryRows: 7, keyRows: 13 }, // many query and key blocks: exercises the running maximum across key blocks
  ]) {
    it(`abs-cosine matches the definition within 1e-5, zero rows included (blocks ${blocks.queryRows}x${blocks.keyRows})`, async () => {
      const kernel = new OnnxAlignmentKernel(pool, blocks);
      const query = randomMatrix(57, 24, 1, [0, 30]);
      const keys = randomMatrix(41, 24, 2, [5, 40]);
      const got = await kernel.maxAlignmentWithIndex(query, keys, 'abs-cosine');
      const want = naive(query, keys, 'abs-cosine');
      for (let i = 0; i < query.rows; i++) expect(Math.abs(got.max[i]! - want.max[i]!)).toBeLessThan(1e-5);
      expect(got.max[0]).toBe(0);
      expect(got.max[30]).toBe(0);
      // The nearest key reaches the maximum (indices may differ only on near-ties).
      for (let i = 1; i < query.rows; i++) {
        if (i === 30) continue;
        const k = got.argmax[i]!;
        expect(k).toBeGreaterThanOrEqual(0);
        const single = naive({ rows: 1, cols: 24, data: query.data.subarray(i * 24, (i + 1) * 24) },
          { rows: 1, cols: 24, data: keys.data.subarray(k * 24, (k + 1) * 24) }, 'abs-cosine');
        expect(Math.abs(single.max[0]! - want.max[i]!)).toBeLessThan(1e-5);
      }
    });

    it(`dot matches the definition within relative 1e-5 (blocks ${blocks.queryRows}x${blocks.keyRows})`, async () => {
      const kernel = new OnnxAlignmentKernel(pool, blocks);
      const query = randomMatrix(33, 64, 3);
      const keys = randomMatrix(50, 64, 4);
      for (let i = 0; i < keys.data.length; i++) keys.data[i]! *= 100; // large scale: the tolerance is relative
      const got = await kernel.maxAlignmentWithIndex(query, keys, 'dot');
      const want = naive(query, keys, 'dot');
      for (let i = 0; i < query.rows; i++) {
        expect(Math.abs(got.max[i]! - want.max[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want.max[i]!)));
      }
    });
  }

  it('gives 0 and index -1 for every query when there are no keys', async () => {
    const kernel = new OnnxAlignmentKernel(pool);
    const got = await kernel.maxAlignmentWithIndex(randomMatrix(4, 8, 5), { rows: 0, cols: 8, data: new Float32Array(0) }, 'abs-cosine');
    expect([...got.max]).toEqual([0, 0, 0, 0]);
    expect([...got.argmax]).toEqual([-1, -1, -1, -1]);
  });

  it('accepts Float64 matrices', async () => {
    const kernel = new OnnxAlignmentKernel(pool);
    const q = randomMatrix(5, 6, 7);
    const k = randomMatrix(9, 6, 8);
    const q64 = { rows: 5, cols: 6, data: Float64Array.from(q.data) };
    const k64 = { rows: 9, cols: 6, data: Float64Array.from(k.data) };
    expect([...(await kernel.maxAlignment(q64, k64, 'abs-cosine'))]).toEqual([...(await kernel.maxAlignment(q, k, 'abs-cosine'))]);
  });

  it('rejects a column mismatch with a message naming both widths', async () => {
    const kernel = new OnnxAlignmentKernel(pool);
    await expect(kernel.maxAlignment(randomMatrix(2, 3, 1), randomMatrix(2, 4, 2), 'dot')).rejects.toThrow(/3 columns but keys have 4/);
  });

  it('stops between blocks when cancelled', async () => {
    const kernel = new OnnxAlignmentKernel(pool, { queryRows: 2, keyRows: 2 });
    const ac = new AbortController();
    let blocksRun = 0;
    const run = kernel.maxAlignmentWithIndex(randomMatrix(20, 4, 1), randomMatrix(20, 4, 2), 'dot', ac.signal, () => {
      if (++blocksRun === 3) ac.abort();
    });
    await expect(run).rejects.toMatchObject({ name: 'CancelledError' });
    expect(blocksRun).toBe(3);
  });
});
