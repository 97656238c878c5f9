import { describe, expect, it } from 'vitest';
import { maxAlignmentBlocked, tsAlignmentKernel } from '../../../src/core/detect/alignKernel';
import { CancelledError } from '../../../src/core/encoder';
import type { Matrix } from '../../../src/core/linalg/matrix';
import { setSimdEnabled, simdAvailable } from '../../../src/core/linalg/simd';
import { randomMatrix, TestRng } from '../probe/builders';

/** The definition, pair by pair: max_k |cos(q, k)| (0 for zero rows) or max_k q . k, first index on ties. */
function naive(query: Matrix, keys: Matrix, mode: 'abs-cosine' | 'dot'): { max: number[]; argmax: number[] } {
  const d = query.cols;
  const row = (m: Matrix, i: number) => Array.from(m.data.subarray(i * d, (i + 1) * d));
  const max: number[] = [];
  const argmax: number[] = [];
  for (let i = 0; i < query.rows; i++) {
    const q = row(query, i);
    let best = keys.rows === 0 ? 0 : -Infinity;
    let arg = -1;
    for (let k = 0; k < keys.rows; k++) {
      const kv = row(keys, k);
      const dot = q.reduce((s, v, j) => s + v * kv[j], 0);
      let s = dot;
      if (mode === 'abs-cosine') {
        const nq = Math.hypot(...q);
        const nk = Math.hypot(...kv);
        s = nq === 0 || nk === 0 ? 0 : Math.abs(dot) / (nq * nk);
      }
      if (s > best) {
        best = s;
        arg = k;
      }
    }
    max.push(best);
    argmax.push(arg);
  }
  return { max, argmax };
}

function withZeroRows(m: Matrix, rows: number[]): Matrix {
  for (const r of rows) m.data.fill(0, r * m.cols, (r + 1) * m.cols);
  return m;
}

describe('tsAlignmentKernel', () => {
  it('equals the pairwise definition on random matrices, zero rows included, for several block shapes', async () => {
    for (const simd of [true, false]) {
      setSimdEnabled(simd);
      try {
        await compareWithDefinition(simd);
      } finally {
        setSimdEnabled(true);
      }
    }
  });

  async function compareWithDefinition(simd: boolean): Promise<void> {
    const rng = new TestRng(201);
    for (let trial = 0; trial < 24; trial++) {
      const d = rng.int(1, 40);
      const nq = rng.int(1, 70);
      const nk = rng.int(1, 50);
      const f64 = trial % 3 === 0;
      const query = withZeroRows(randomMatrix(rng, nq, d, f64), [0, rng.int(0, nq - 1)]);
      const keys = withZeroRows(randomMatrix(rng, nk, d, f64), trial % 2 === 0 ? [rng.int(0, nk - 1)] : []);
      const blocks = [{}, { queryRows: 4, keyRows: 1 }, { queryRows: 7, keyRows: 3 }][trial % 3];
      // Float32 activations on SIMD accumulate in Float32 (like numpy's float32 matmul); the JS loops in Float64
      const digits = simd && !f64 && simdAvailable() ? 4 : 10;
      for (const mode of ['abs-cosine', 'dot'] as const) {
        const got = await maxAlignmentBlocked(query, keys, mode, undefined, undefined, blocks);
        const want = naive(query, keys, mode);
        for (let i = 0; i < nq; i++) {
          expect(got.max[i]).toBeCloseTo(want.max[i], digits);
          // the winning key scores the maximum (indices can differ only between keys that tie)
          const w = naive({ rows: 1, cols: d, data: query.data.subarray(i * d, (i + 1) * d) },
            { rows: 1, cols: d, data: keys.data.subarray(got.argmax[i] * d, (got.argmax[i] + 1) * d) }, mode);
          expect(w.max[0]).toBeCloseTo(want.max[i], digits);
        }
        if (mode === 'abs-cosine') {
          // zero query rows have cosine 0 with everything
          expect(got.max[0]).toBe(0);
          for (const s of got.max) expect(s).toBeLessThanOrEqual(1);
        }
      }
    }
  }

  it('gives every query-key pair the same score wherever it sits in the blocks (SIMD lanes included)', async () => {
    const rng = new TestRng(204);
    const query = randomMatrix(rng, 9, 13);
    const keys = randomMatrix(rng, 7, 13);
    const whole = await maxAlignmentBlocked(query, keys, 'dot');
    for (let i = 0; i < 9; i++) {
      const one = await maxAlignmentBlocked({ rows: 1, cols: 13, data: query.data.subarray(i * 13, (i + 1) * 13) }, keys, 'dot',
        undefined, undefined, { queryRows: 4, keyRows: 2 });
      expect(one.max[0]).toBe(whole.max[i]);
      expect(one.argmax[0]).toBe(whole.argmax[i]);
    }
  });

  it('returns the first key on ties, as numpy argmax does', async () => {
    const keys: Matrix = { rows: 4, cols: 2, data: new Float32Array([0, 1, 1, 0, 2, 0, -3, 0]) };
    const query: Matrix = { rows: 2, cols: 2, data: new Float32Array([1, 0, 0, 0]) };
    const cos = await tsAlignmentKernel.maxAlignmentWithIndex(query, keys, 'abs-cosine');
    expect(Array.from(cos.max)).toEqual([1, 0]);
    expect(Array.from(cos.argmax)).toEqual([1, 0]); // keys 1, 2 and 3 all have |cos| = 1
    const dot = await tsAlignmentKernel.maxAlignmentWithIndex(query, keys, 'dot');
    expect(Array.from(dot.max)).toEqual([2, 0]);
    expect(Array.from(dot.argmax)).toEqual([2, 0]);
  });

  it('gives 0 and index -1 for every query when there are no keys, and nothing for no queries', async () => {
    const rng = new TestRng(202);
    const query = randomMatrix(rng, 5, 3);
    const none: Matrix = { rows: 0, cols: 3, data: new Float32Array(0) };
    for (const mode of ['abs-cosine', 'dot'] as const) {
      const r = await tsAlignmentKernel.maxAlignmentWithIndex(query, none, mode);
      expect(Array.from(r.max)).toEqual([0, 0, 0, 0, 0]);
      expect(Array.from(r.argmax)).toEqual([-1, -1, -1, -1, -1]);
      expect((await tsAlignmentKernel.maxAlignment(none, query, mode)).length).toBe(0);
    }
  });

  it('rejects mismatched widths and stops on an aborted signal', async () => {
    const rng = new TestRng(203);
    await expect(tsAlignmentKernel.maxAlignment(randomMatrix(rng, 2, 3), randomMatrix(rng, 2, 4), 'dot'))
      .rejects.toThrow(/3 columns but keys have 4/);
    const ac = new AbortController();
    ac.abort();
    await expect(tsAlignmentKernel.maxAlignment(randomMatrix(rng, 9, 3), randomMatrix(rng, 9, 3), 'dot', ac.signal))
      .rejects.toThrow(CancelledError);
    // aborted between blocks: the progress callback of the first block aborts, the next check throws
    const mid = new AbortController();
    const fractions: number[] = [];
    const run = maxAlignmentBlocked(randomMatrix(rng, 40, 3), randomMatrix(rng, 10, 3), 'dot', mid.signal, (f) => {
      fractions.push(f);
      mid.abort();
    }, { queryRows: 8 });
    await expect(run).rejects.toThrow(CancelledError);
    expect(fractions).toEqual([0.2]);
  });
});
