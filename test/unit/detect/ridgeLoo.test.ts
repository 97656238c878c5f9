import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../../src/core/linalg/eigen';
import { selectRows, type Matrix } from '../../../src/core/linalg/matrix';
import { fitRidge, ridgeResidualNorms } from '../../../src/core/linalg/ridge';
import { ridgeLooResidualNorms, ridgeLooResidualNormsAsync } from '../../../src/core/linalg/ridgeLoo';
import { setSimdEnabled, simdWorkspace } from '../../../src/core/linalg/simd';
import { TestRng } from '../probe/builders';
import { bruteForceGcv, maxRelative, referenceRidge, regressionData, rowOf } from './ridgeReference';

/** The leave-one-out residual norm of every row by refitting without it (the definition, O(n) fits). */
function refitLoo(x: Matrix, y: Matrix, lambda: number): Float64Array {
  const n = x.rows;
  return Float64Array.from({ length: n }, (_, i) => {
    const others = Int32Array.from({ length: n - 1 }, (_, k) => (k < i ? k : k + 1));
    const pred = referenceRidge(selectRows(x, others), selectRows(y, others), lambda).predict(rowOf(x, i));
    return Math.hypot(...rowOf(y, i).map((v, c) => v - pred[c]));
  });
}

/** A random symmetric dim x dim matrix (row-major). */
function randomSymmetric(rng: TestRng, dim: number): Float64Array {
  const a = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      a[i * dim + j] = v;
      a[j * dim + i] = v;
    }
  }
  return a;
}

// Shapes on both sides of the dual/primal switch (rows <= x columns: dual), with an offset so centring matters.
const SHAPES: [number, number, number][] = [[12, 5, 3], [9, 14, 4], [16, 16, 7], [30, 45, 60], [7, 2, 9]];

describe('ridgeLooResidualNorms', () => {
  it('equals the old fitRidge + ridgeResidualNorms within 1e-9 relative on both routes (GCV lambda, LOO and plain)', () => {
    for (const [s, [n, dx, dy]] of SHAPES.entries()) {
      const rng = new TestRng(100 + s);
      const { x, y } = regressionData(rng, n, dx, dy, 1.5);
      for (let i = 0; i < x.data.length; i++) x.data[i] += 3; // a large column mean
      const fit = fitRidge(x, y);
      for (const leaveOneOut of [true, false]) {
        const old = ridgeResidualNorms(fit, x, y, { leaveOneOut });
        for (const route of ['dual', 'primal'] as const) {
          const r = ridgeLooResidualNorms(x, y, { leaveOneOut, route });
          expect(r.fit.route).toBe(route);
          expect(r.fit.lambda / fit.lambda).toBeCloseTo(1, 12);
          expect(r.fit.df).toBeCloseTo(fit.df, 9);
          expect(r.fit.gcv / fit.gcv).toBeCloseTo(1, 9);
          expect(r.fit.tss / fit.tss).toBeCloseTo(1, 12);
          expect(maxRelative(r.norms, old)).toBeLessThan(1e-9);
        }
      }
      expect(ridgeLooResidualNorms(x, y).fit.route).toBe(n <= dx ? 'dual' : 'primal');
    }
  });

  it('gives the leave-one-out residuals of refitting without each row, on the dual route too', () => {
    for (const [n, dx, dy] of [[10, 16, 3], [14, 6, 2]]) {
      const rng = new TestRng(7 + n);
      const { x, y } = regressionData(rng, n, dx, dy, 1, true);
      for (const lambda of [0.3, 4]) {
        const ref = refitLoo(x, y, lambda);
        for (const route of ['dual', 'primal'] as const) {
          const r = ridgeLooResidualNorms(x, y, { lambda, route });
          expect(r.fit.rule).toBe('fixed');
          expect(maxRelative(r.norms, ref)).toBeLessThan(1e-9);
        }
      }
    }
  });

  it('picks the GCV argmin of the explicit hat matrix when rows < columns', () => {
    const rng = new TestRng(21);
    const { x, y } = regressionData(rng, 11, 15, 3, 2);
    const { lambda: bestLambda, gcv: best } = bruteForceGcv(x, y);
    const r = ridgeLooResidualNorms(x, y);
    expect(r.fit.route).toBe('dual');
    expect(r.fit.lambda / bestLambda).toBeCloseTo(1, 9);
    expect(r.fit.gcv / best).toBeCloseTo(1, 8);
  });

  it('agrees with the JavaScript loops when WebAssembly SIMD is off, on both routes', () => {
    for (const [n, dx, dy] of [[40, 50, 30], [70, 20, 30]]) {
      const rng = new TestRng(5 + n);
      const { x, y } = regressionData(rng, n, dx, dy, 1);
      const simd = ridgeLooResidualNorms(x, y);
      setSimdEnabled(false);
      try {
        const js = ridgeLooResidualNorms(x, y);
        expect(js.fit.route).toBe(simd.fit.route);
        expect(js.fit.lambda / simd.fit.lambda).toBeCloseTo(1, 12);
        expect(maxRelative(js.norms, simd.norms)).toBeLessThan(1e-9);
      } finally {
        setSimdEnabled(true);
      }
    }
  });

  it('the yielding variant (ridgeLooResidualNormsAsync) gives the same bits on both routes, in many steps', async () => {
    for (const [n, dx, dy] of [[300, 400, 50], [3000, 8, 300]]) {
      const { x, y } = regressionData(new TestRng(40 + n), n, dx, dy, 1);
      const sync = ridgeLooResidualNorms(x, y);
      let steps = 0;
      const stepped = await ridgeLooResidualNormsAsync(x, y, { sliceMs: 0, onStep: () => void steps++ });
      expect(stepped.fit.route).toBe(n <= dx ? 'dual' : 'primal');
      expect(stepped.fit).toEqual(sync.fit);
      expect(Array.from(stepped.norms)).toEqual(Array.from(sync.norms));
      expect(Array.from(stepped.meanY)).toEqual(Array.from(sync.meanY));
      expect(steps, `${n} x ${dx} -> ${dy}: steps`).toBeGreaterThan(5);
    }
  });

  it('keeps the mean-only answer for a constant x and rejects a bad lambda on the dual route', () => {
    const x = { rows: 4, cols: 6, data: new Float32Array(24).fill(3) };
    const y = { rows: 4, cols: 1, data: Float32Array.from([1, 2, 3, 6]) };
    const r = ridgeLooResidualNorms(x, y, { leaveOneOut: false });
    expect(r.fit.route).toBe('dual');
    expect(Array.from(r.norms, (v) => Math.round(v * 1e9) / 1e9)).toEqual([2, 1, 0, 3]);
    expect(() => ridgeLooResidualNorms(x, y, { lambda: -1 })).toThrow(/lambda must be/);
  });
});

describe('symmetricEigen (transposed storage)', () => {
  it('returns eigenvectors as rows: A v_k = lambda_k v_k', () => {
    const dim = 9;
    const a = randomSymmetric(new TestRng(3), dim);
    const { values, vectors } = symmetricEigen(a, dim);
    for (let k = 0; k < dim; k++) {
      for (let i = 0; i < dim; i++) {
        let av = 0;
        for (let j = 0; j < dim; j++) av += a[i * dim + j] * vectors[k * dim + j];
        expect(av).toBeCloseTo(values[k] * vectors[k * dim + i], 10);
      }
    }
  });
});

describe('Float64 SIMD kernels (axpy64, rot64)', () => {
  it('give the JavaScript loops\' results bit for bit, tails included', () => {
    const ws = simdWorkspace(1 << 16);
    if (!ws) return; // no WebAssembly SIMD here: the loops run instead
    const rng = new TestRng(9);
    for (const len of [0, 1, 2, 3, 7, 8, 9, 31]) {
      const x = new Float64Array(ws.f64.buffer, 0, len);
      const y = new Float64Array(ws.f64.buffer, 8 * 64, len);
      for (let i = 0; i < len; i++) {
        x[i] = rng.normal() * 1e3;
        y[i] = rng.normal() / 3;
      }
      const after = Float64Array.from(y, (v, i) => v + 0.3711 * x[i]);
      ws.axpy64(0.3711, x.byteOffset, y.byteOffset, len);
      expect(Array.from(y)).toEqual(Array.from(after));
      const [c, s] = [Math.cos(0.7), Math.sin(0.7)];
      const r0 = Float64Array.from(x, (u, i) => c * u - s * y[i]);
      const r1 = Float64Array.from(x, (u, i) => s * u + c * y[i]);
      ws.rot64(c, s, x.byteOffset, y.byteOffset, len);
      expect(Array.from(x)).toEqual(Array.from(r0));
      expect(Array.from(y)).toEqual(Array.from(r1));
      expect(ws.f64[64 + len]).toBe(0); // nothing written past the row
    }
  });

  it('leave the eigendecomposition bitwise equal with SIMD on and off', () => {
    const dim = 37;
    const a = randomSymmetric(new TestRng(4), dim);
    const simd = symmetricEigen(a, dim);
    setSimdEnabled(false);
    try {
      const js = symmetricEigen(a, dim);
      expect(Array.from(simd.values)).toEqual(Array.from(js.values));
      expect(Array.from(simd.vectors)).toEqual(Array.from(js.vectors));
    } finally {
      setSimdEnabled(true);
    }
  });
});
