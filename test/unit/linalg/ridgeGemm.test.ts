import { describe, expect, it } from 'vitest';
import { gemmShape, jsLinalgKernel, transpose, type F64Matrix, type LinalgKernel } from '../../../src/core/linalg/gemm';
import { fitRidge, ridgeResidualNorms } from '../../../src/core/linalg/ridge';
import { prepareRidgeGram, primalBasis, ridgeLooResidualNormsGemm, TRIDIAGONAL_MIN_COLUMNS } from '../../../src/core/linalg/ridgeGemm';
import { symmetricEigen } from '../../../src/core/linalg/eigen';
import { ridgeLooResidualNorms } from '../../../src/core/linalg/ridgeLoo';
import { residualNormsAsync } from '../../../src/core/detect/residual';
import { tsAlignmentKernel } from '../../../src/core/detect/alignKernel';
import { CancelledError } from '../../../src/core/encoder';
import { TestRng } from '../probe/builders';
import { maxRelative, regressionData } from '../detect/ridgeReference';

function randomMatrix(rng: TestRng, rows: number, cols: number): F64Matrix {
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}

/** C = op(A) op(B) by the definition (dot products of rows and columns). */
function definitionProduct(a: F64Matrix, b: F64Matrix, transA: boolean, transB: boolean): F64Matrix {
  const A = transA ? transpose(a) : a;
  const B = transB ? transpose(b) : b;
  const out = new Float64Array(A.rows * B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.cols; j++) {
      let s = 0;
      for (let p = 0; p < A.cols; p++) s += A.data[i * A.cols + p] * B.data[p * B.cols + j];
      out[i * B.cols + j] = s;
    }
  }
  return { rows: A.rows, cols: B.cols, data: out };
}

/** A kernel that counts its products (and checks it is never handed a modified input). */
function countingKernel(): LinalgKernel & { calls: number } {
  const k = {
    name: 'counting', calls: 0,
    gemm: async (a: F64Matrix, b: F64Matrix, o?: Parameters<LinalgKernel['gemm']>[2]) => {
      k.calls++;
      return jsLinalgKernel.gemm(a, b, o);
    },
  };
  return k;
}

const SHAPES: [number, number, number][] = [[12, 5, 3], [9, 14, 4], [16, 16, 7], [30, 45, 60], [7, 2, 9], [80, 10, 6]];

describe('jsLinalgKernel', () => {
  it('computes alpha op(A) op(B) + beta C for every transpose combination, and refuses mismatched shapes', async () => {
    const rng = new TestRng(3);
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const a = transA ? randomMatrix(rng, 7, 5) : randomMatrix(rng, 5, 7);
      const b = transB ? randomMatrix(rng, 4, 7) : randomMatrix(rng, 7, 4);
      const c = randomMatrix(rng, 5, 4);
      const ref = definitionProduct(a, b, transA, transB);
      const got = await jsLinalgKernel.gemm(a, b, { transA, transB, alpha: -2, c, beta: 0.5 });
      expect(got.rows).toBe(5);
      expect(got.cols).toBe(4);
      for (let t = 0; t < 20; t++) expect(got.data[t]).toBeCloseTo(-2 * ref.data[t] + 0.5 * c.data[t], 12);
    }
    expect(() => gemmShape(randomMatrix(rng, 3, 4), randomMatrix(rng, 3, 4))).toThrow(/op\(A\) is 3 x 4 but op\(B\) is 3 x 4/);
  });
});

describe('ridgeLooResidualNormsGemm', () => {
  it('equals the WebAssembly-row routes (and the old fitRidge) within 1e-9 relative on both routes, LOO and plain', async () => {
    for (const [s, [n, dx, dy]] of SHAPES.entries()) {
      const rng = new TestRng(200 + s);
      const { x, y } = regressionData(rng, n, dx, dy, 1.5);
      for (let i = 0; i < x.data.length; i++) x.data[i] += 3; // a large column mean: centring matters
      const fit = fitRidge(x, y);
      for (const leaveOneOut of [true, false]) {
        const old = ridgeResidualNorms(fit, x, y, { leaveOneOut });
        for (const route of ['dual', 'primal'] as const) {
          const rows = ridgeLooResidualNorms(x, y, { leaveOneOut, route });
          const kernel = countingKernel();
          const r = await ridgeLooResidualNormsGemm(x, y, kernel, { leaveOneOut, route });
          expect(kernel.calls).toBeGreaterThan(0);
          expect(r.fit.route).toBe(route);
          expect(r.fit.lambda / rows.fit.lambda).toBeCloseTo(1, 12);
          expect(r.fit.df).toBeCloseTo(rows.fit.df, 9);
          expect(r.fit.gcv / rows.fit.gcv).toBeCloseTo(1, 9);
          expect(r.fit.tss / rows.fit.tss).toBeCloseTo(1, 12);
          expect(maxRelative(r.norms, rows.norms)).toBeLessThan(1e-9);
          expect(maxRelative(r.norms, old)).toBeLessThan(1e-9);
          expect(maxRelative(r.meanY, rows.meanY)).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('solves in the tridiagonal basis with the eigenbasis\'s lambda, fit and norms (GCV and fixed lambda, LOO and plain, chunked)', async () => {
    for (const [s, [n, dx, dy]] of [[40, 6, 9], [90, 20, 7], [60, 1, 5], [120, 33, 40], [25, 24, 3]].entries()) {
      const rng = new TestRng(500 + s);
      const { x, y } = regressionData(rng, n, dx, dy, 1.5);
      for (let i = 0; i < x.data.length; i++) x.data[i] += 2;
      for (const options of [{}, { lambda: 0.3 }, { leaveOneOut: false }, { outBytes: 8 * dx * 2, blockBytes: 8 * 5 * (2 * dx + 2) }]) {
        const eigen = await ridgeLooResidualNormsGemm(x, y, jsLinalgKernel, { ...options, route: 'primal', basis: 'eigen' });
        const tri = await ridgeLooResidualNormsGemm(x, y, jsLinalgKernel, { ...options, route: 'primal', basis: 'tridiagonal' });
        expect(eigen.fit.basis).toBe('eigen');
        expect(tri.fit.basis).toBe('tridiagonal');
        expect(tri.fit.lambda).toBe(eigen.fit.lambda); // the same grid point
        expect(tri.fit.df).toBeCloseTo(eigen.fit.df, 9);
        expect(tri.fit.rss / eigen.fit.rss).toBeCloseTo(1, 9);
        expect(tri.fit.gcv / eigen.fit.gcv).toBeCloseTo(1, 9);
        expect(maxRelative(tri.norms, eigen.norms)).toBeLessThan(1e-9);
        expect(maxRelative(tri.norms, ridgeLooResidualNorms(x, y, { ...options, route: 'primal' }).norms)).toBeLessThan(1e-9);
      }
    }
  });

  it('takes the tridiagonal basis from 1,536 weak columns, the eigenbasis for lambda = 0, and falls back when T + lambda I is singular', () => {
    expect(primalBasis(1024, {})).toBe('eigen');
    expect(primalBasis(TRIDIAGONAL_MIN_COLUMNS, {})).toBe('tridiagonal');
    expect(primalBasis(4096, {})).toBe('tridiagonal');
    expect(primalBasis(4096, { lambda: 0 })).toBe('eigen');
    expect(primalBasis(4096, { basis: 'eigen' })).toBe('eigen');
    expect(primalBasis(8, { basis: 'tridiagonal', lambda: 0 })).toBe('eigen');
  });

  it('falls back to the eigenbasis when a grid lambda leaves T + lambda I singular', async () => {
    const { x, y } = regressionData(new TestRng(611), 50, 6, 4, 1);
    // a constant column and a repeated one: Xc^T Xc is singular, and the grid's first lambda is 0
    for (let i = 0; i < 50; i++) {
      x.data[i * 6 + 2] = 1.5;
      x.data[i * 6 + 4] = x.data[i * 6 + 1];
    }
    const options = { route: 'primal' as const, gcvFactors: [0, 1e-3, 1e-1, 1, 10] };
    const eigen = await ridgeLooResidualNormsGemm(x, y, jsLinalgKernel, { ...options, basis: 'eigen' });
    const tri = await ridgeLooResidualNormsGemm(x, y, jsLinalgKernel, { ...options, basis: 'tridiagonal' });
    expect(tri.fit.basis).toBe('eigen');
    expect(Array.from(tri.norms)).toEqual(Array.from(eigen.norms));
    expect(tri.fit).toEqual(eigen.fit);
  });

  it('gives the same norms whatever the primal route\'s row blocks and column chunks (several of each, uneven ends)', async () => {
    for (const [s, [n, dx, dy]] of [[30, 4, 9], [45, 7, 13], [80, 10, 6], [23, 1, 17]].entries()) {
      const rng = new TestRng(300 + s);
      const { x, y } = regressionData(rng, n, dx, dy, 1.5);
      for (let i = 0; i < y.data.length; i++) y.data[i] += 5;
      const whole = countingKernel();
      const ref = await ridgeLooResidualNormsGemm(x, y, whole, { route: 'primal' });
      // blocks of 3 to 7 rows, chunks of 2 to 3 columns of y: every loop runs several times and ends short
      for (const [blockRows, chunkCols] of [[3, 2], [7, 3], [1, 1]]) {
        const chunked = countingKernel();
        const r = await ridgeLooResidualNormsGemm(x, y, chunked, {
          route: 'primal', outBytes: 8 * Math.max(dx, 1) * chunkCols, blockBytes: 8 * blockRows * (2 * dx + chunkCols),
        });
        expect(chunked.calls).toBeGreaterThan(whole.calls);
        expect(r.fit.lambda / ref.fit.lambda).toBeCloseTo(1, 10);
        expect(r.fit.tss / ref.fit.tss).toBeCloseTo(1, 12);
        expect(maxRelative(r.norms, ref.norms)).toBeLessThan(1e-10);
        expect(maxRelative(r.norms, ridgeLooResidualNorms(x, y, { route: 'primal' }).norms)).toBeLessThan(1e-9);
      }
    }
  });

  it('with a fixed lambda, and refuses what fitRidge refuses', async () => {
    const rng = new TestRng(9);
    const { x, y } = regressionData(rng, 20, 6, 3, 1);
    const a = await ridgeLooResidualNormsGemm(x, y, jsLinalgKernel, { lambda: 0.7 });
    const b = ridgeLooResidualNorms(x, y, { lambda: 0.7 });
    expect(a.fit.rule).toBe('fixed');
    expect(maxRelative(a.norms, b.norms)).toBeLessThan(1e-9);
    await expect(ridgeLooResidualNormsGemm(x, y, jsLinalgKernel, { lambda: -1 })).rejects.toThrow(/lambda must be/);
    await expect(ridgeLooResidualNormsGemm(x, { rows: 3, cols: 3, data: new Float64Array(9) }, jsLinalgKernel)).rejects.toThrow(/20 rows of x but 3/);
  });

  it('stops with CancelledError when the signal aborts between products', async () => {
    const rng = new TestRng(11);
    const { x, y } = regressionData(rng, 40, 8, 5, 1);
    const ac = new AbortController();
    const kernel: LinalgKernel = {
      name: 'aborting',
      gemm: async (a, b, o) => {
        ac.abort();
        return jsLinalgKernel.gemm(a, b, o);
      },
    };
    await expect(ridgeLooResidualNormsGemm(x, y, kernel, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });

  it('is what the residual detector uses when the alignment kernel carries a linalg kernel (the rows when it fails)', async () => {
    const rng = new TestRng(12);
    const { x: weak, y: strong } = regressionData(rng, 50, 6, 9, 1);
    const counting = countingKernel();
    const input = { weak, strong, hard: Int32Array.of(0, 1, 2), rest: Int32Array.from({ length: 47 }, (_, i) => i + 3) };
    const withGemm = await residualNormsAsync({ ...input, kernel: { ...tsAlignmentKernel, linalg: counting } } as never);
    expect(counting.calls).toBeGreaterThan(0);
    const rowsOnly = await residualNormsAsync({ ...input, kernel: tsAlignmentKernel } as never);
    expect(maxRelative(withGemm, rowsOnly)).toBeLessThan(1e-9);
    const failing: LinalgKernel = { name: 'failing', gemm: async () => { throw new Error('no Float64 kernel here'); } };
    const fallback = await residualNormsAsync({ ...input, kernel: { ...tsAlignmentKernel, linalg: failing } } as never);
    expect([...fallback]).toEqual([...rowsOnly]);
    const forced = countingKernel();
    await residualNormsAsync({ ...input, kernel: { ...tsAlignmentKernel, linalg: forced } } as never, { linalg: null });
    expect(forced.calls).toBe(0);
  });
});

describe('the ridge map\'s eigendecomposition on another thread, begun early (prepareRidgeGram)', () => {
  // a kernel whose symmetricEigen is core's own, asynchronously: the contract a worker thread fulfils
  const withEigen = (): LinalgKernel & { eigenCalls: number } => {
    const k = {
      name: 'js with eigen', eigenCalls: 0,
      gemm: jsLinalgKernel.gemm,
      symmetricEigen: async (a: F64Matrix) => {
        k.eigenCalls++;
        await new Promise((r) => setTimeout(r, 1));
        return symmetricEigen(a.data, a.rows);
      },
    };
    return k;
  };

  it('gives the same norms bit for bit: in-thread, on the kernel\'s thread, and prepared before the map', async () => {
    const { x, y } = regressionData(new TestRng(77), 90, 12, 20, 1);
    const chunking = { blockBytes: 8 * 30 * 40, outBytes: 8 * 12 * 7 }; // several blocks and chunks
    const plain = await ridgeLooResidualNormsGemm(x, y, jsLinalgKernel, chunking);
    const k = withEigen();
    const threaded = await ridgeLooResidualNormsGemm(x, y, k, chunking);
    expect(k.eigenCalls).toBe(1);
    expect(Array.from(threaded.norms)).toEqual(Array.from(plain.norms));
    const prepared = await prepareRidgeGram(x, y.cols, k, chunking);
    expect(prepared).toBeDefined();
    expect(k.eigenCalls).toBe(2);
    const early = await ridgeLooResidualNormsGemm(x, y, k, { ...chunking, prepared });
    expect(k.eigenCalls).toBe(2); // used, not recomputed
    expect(Array.from(early.norms)).toEqual(Array.from(plain.norms));
    expect(early.fit).toEqual(plain.fit);
    // prepared for another matrix object (the same values) or other block sizes: not used
    const copy = { ...x, data: x.data.slice() };
    await ridgeLooResidualNormsGemm(copy, y, k, { ...chunking, prepared });
    expect(k.eigenCalls).toBe(3);
    await ridgeLooResidualNormsGemm(x, y, k, { blockBytes: 8 * 30 * 60, outBytes: chunking.outBytes, prepared });
    expect(k.eigenCalls).toBe(4);
  });

  it('prepares nothing where the map would not use it: the dual route, or a kernel without a thread', async () => {
    const { x, y } = regressionData(new TestRng(78), 20, 30, 5, 1);
    expect(await prepareRidgeGram(x, y.cols, withEigen())).toBeUndefined();
    const tall = regressionData(new TestRng(79), 60, 8, 5, 1);
    expect(await prepareRidgeGram(tall.x, 5, jsLinalgKernel)).toBeUndefined();
  });

  it('a failing eigendecomposition on the other thread fails the map, not the process (no unhandled rejection)', async () => {
    const { x, y } = regressionData(new TestRng(80), 60, 8, 5, 1);
    const broken: LinalgKernel = { name: 'broken', gemm: jsLinalgKernel.gemm, symmetricEigen: async () => { throw new Error('thread died'); } };
    const prepared = await prepareRidgeGram(x, y.cols, broken);
    await new Promise((r) => setTimeout(r, 5)); // the rejection settles before anyone awaits it
    await expect(ridgeLooResidualNormsGemm(x, y, broken, { prepared })).rejects.toThrow(/thread died/);
  });
});
