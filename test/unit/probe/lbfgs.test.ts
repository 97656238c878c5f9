import { describe, expect, it } from 'vitest';
import { cubicInterpolate, minimizeLbfgs, type DifferentiableObjective } from '../../../src/core/probe';
import { dot } from '../../../src/core/linalg/gemv';
import { LbfgsArena, twoLoop } from '../../../src/core/probe/lbfgs';

/** The n-dimensional Rosenbrock function: a curved valley with its minimum 0 at (1, ..., 1). */
function rosenbrock(dim: number): DifferentiableObjective {
  return {
    dim,
    evaluate(x, g) {
      let f = 0;
      g.fill(0);
      for (let i = 0; i < dim - 1; i++) {
        const a = x[i + 1] - x[i] * x[i];
        const b = 1 - x[i];
        f += 100 * a * a + b * b;
        g[i] += -400 * x[i] * a - 2 * b;
        g[i + 1] += 200 * a;
      }
      return f;
    },
  };
}

describe('minimizeLbfgs', () => {
  it('finds the minimum of Rosenbrock functions through the strong-Wolfe line search', () => {
    for (const dim of [2, 5, 10]) {
      const x0 = Float64Array.from({ length: dim }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
      const res = minimizeLbfgs(rosenbrock(dim), x0, { gradTol: 1e-9, maxIter: 2000 });
      expect(res.converged).toBe(true);
      expect(res.gradNorm).toBeLessThanOrEqual(1e-9);
      for (const v of res.x) expect(v).toBeCloseTo(1, 6);
      expect(x0[0]).toBe(-1.2); // x0 is not modified
    }
  });

  it('solves a strictly convex quadratic and reports iterations and evaluations', () => {
    // f = sum_j a_j (x_j - j)^2 with condition number 1e4
    const dim = 30;
    const a = Float64Array.from({ length: dim }, (_, j) => 10 ** ((4 * j) / (dim - 1)));
    const obj: DifferentiableObjective = {
      dim,
      evaluate(x, g) {
        let f = 0;
        for (let j = 0; j < dim; j++) {
          f += a[j] * (x[j] - j) ** 2;
          g[j] = 2 * a[j] * (x[j] - j);
        }
        return f;
      },
    };
    const res = minimizeLbfgs(obj, new Float64Array(dim), { gradTol: 1e-8 });
    expect(res.stop).toBe('gradient');
    for (let j = 0; j < dim; j++) expect(res.x[j]).toBeCloseTo(j, 8);
    expect(res.iterations).toBeGreaterThan(0);
    expect(res.evaluations).toBeGreaterThanOrEqual(res.iterations);
  });

  it('stops at maxIter without claiming convergence', () => {
    const res = minimizeLbfgs(rosenbrock(4), Float64Array.from([-1.2, 1, -1.2, 1]), { maxIter: 3 });
    expect(res.iterations).toBe(3);
    expect(res.stop).toBe('maxIter');
    expect(res.converged).toBe(false);
  });
});

describe('cubicInterpolate', () => {
  it('returns the minimiser of the interpolating cubic', () => {
    // f(t) = (t - 0.3)^2 (t + 2): f' = (t - 0.3)(3t + 3.7); local minimum at t = 0.3
    const f = (t: number) => (t - 0.3) ** 2 * (t + 2);
    const df = (t: number) => (t - 0.3) * (3 * t + 3.7);
    expect(cubicInterpolate(0, f(0), df(0), 1, f(1), df(1))).toBeCloseTo(0.3, 12);
    expect(cubicInterpolate(1, f(1), df(1), 0, f(0), df(0))).toBeCloseTo(0.3, 12);
    // clamped to the bounds
    expect(cubicInterpolate(0, f(0), df(0), 1, f(1), df(1), 0.5, 2)).toBe(0.5);
  });
});

describe('twoLoop', () => {
  /** The textbook recursion with separate dot and axpy passes (lbfgs.ts before the passes were fused). */
  function reference(g: Float64Array, s: Float64Array[], y: Float64Array[], rho: Float64Array, hDiag: number): Float64Array {
    const n = g.length;
    const d = new Float64Array(n);
    const alpha = new Float64Array(s.length);
    for (let j = 0; j < n; j++) d[j] = -g[j];
    for (let k = s.length - 1; k >= 0; k--) {
      const a = dot(s[k], d) * rho[k];
      alpha[k] = a;
      for (let j = 0; j < n; j++) d[j] -= a * y[k][j];
    }
    for (let j = 0; j < n; j++) d[j] *= hDiag;
    for (let k = 0; k < s.length; k++) {
      const b = dot(y[k], d) * rho[k];
      const coef = alpha[k] - b;
      for (let j = 0; j < n; j++) d[j] += coef * s[k][j];
    }
    return d;
  }

  it('gives bitwise the direction of separate dot and axpy passes, for odd and even lengths and 0 to 10 pairs', () => {
    let state = 12345;
    const rnd = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32 - 0.5;
    };
    for (const n of [0, 1, 2, 3, 7, 64, 4097]) {
      for (const pairs of [0, 1, 2, 5, 10]) {
        const vec = () => Float64Array.from({ length: n }, () => rnd() * (1 + 1e3 * Math.abs(rnd())));
        const g = vec();
        const s = Array.from({ length: pairs }, vec);
        const y = Array.from({ length: pairs }, vec);
        const rho = Float64Array.from({ length: pairs }, () => 1 / (0.1 + Math.abs(rnd())));
        const hDiag = 0.3 + Math.abs(rnd());
        const d = new Float64Array(n).fill(NaN);
        twoLoop(g, d, s, y, rho, hDiag);
        expect(Array.from(d)).toEqual(Array.from(reference(g, s, y, rho, hDiag)));
        // in an arena (WebAssembly SIMD passes): the same bits; and with only some vectors in it (the rest past its
        // capacity, plain arrays), too
        for (const room of [2 * pairs + 2, pairs + 1]) {
          const arena = LbfgsArena.create(room * Math.max(n, 1), room)!;
          const put = (v: Float64Array) => {
            const w = arena.vector(v.length);
            w.set(v);
            return w;
          };
          const [ga, da] = [put(g), put(new Float64Array(n))];
          const [sa, ya] = [s.map(put), y.map(put)];
          twoLoop(ga, da, sa, ya, rho, hDiag, arena);
          expect(Array.from(da)).toEqual(Array.from(d));
        }
      }
    }
  });
});

/** sum_j h_j (x_j - target)^2 / 2. */
function quadratic(h: Float64Array, target: number): DifferentiableObjective {
  return {
    dim: h.length,
    evaluate(x: Float64Array, g: Float64Array) {
      let f = 0;
      for (let j = 0; j < h.length; j++) {
        g[j] = h[j] * (x[j] - target);
        f += 0.5 * h[j] * (x[j] - target) ** 2;
      }
      return f;
    },
  };
}

describe('LbfgsArena', () => {
  it('hands out zeroed vectors in its memory up to its capacity, plain arrays after, and a run on it ends where one without does', () => {
    const arena = LbfgsArena.create(10, 2)!;
    const a = arena.vector(5);
    const b = arena.vector(5);
    const c = arena.vector(5);
    expect(a.buffer).toBe(b.buffer);
    expect(c.buffer).not.toBe(a.buffer); // past the capacity
    expect([...a, ...b, ...c].every((v) => v === 0)).toBe(true);
    // a quadratic: the same iterates, bitwise, and the result holds a copy (not the arena's memory)
    const n = 33;
    const obj = quadratic(Float64Array.from({ length: n }, (_, j) => 1 + j), 1);
    const plain = minimizeLbfgs(obj, new Float64Array(n), { gradTol: 1e-10 });
    const onArena = minimizeLbfgs(obj, new Float64Array(n), { gradTol: 1e-10, vectors: LbfgsArena.create(24 * n, 24) });
    expect(onArena.iterations).toBe(plain.iterations);
    expect(Array.from(onArena.x)).toEqual(Array.from(plain.x));
    expect(onArena.x.buffer.byteLength).toBe(n * 8);
  });

  it('slots: side by side in one memory, each reused after reset with zeroed vectors; a run on a reused slot ends where a fresh one does', () => {
    const [s0, s1] = LbfgsArena.slots(2, 8, 0)!; // room for two vectors of 4 each
    const a = s0.vector(4);
    const b = s1.vector(4);
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 4 * 8);
    a.fill(7);
    b.fill(9);
    expect(s0.vector(4).every((v) => v === 0)).toBe(true); // the slot's second vector
    expect(s0.vector(4).buffer).not.toBe(a.buffer); // past the slot's room: a plain array, s1 untouched
    expect(b.every((v) => v === 9)).toBe(true);
    s0.reset();
    const again = s0.vector(4);
    expect(again.byteOffset).toBe(a.byteOffset);
    expect(again.every((v) => v === 0)).toBe(true);
    // a run on a slot full of an earlier run's values ends where a run on fresh memory does, bitwise
    const n = 21;
    const obj = quadratic(Float64Array.from({ length: n }, (_, j) => 2 + j * j), 0.5);
    const [slot] = LbfgsArena.slots(1, 24 * n, 24)!;
    const first = minimizeLbfgs(obj, new Float64Array(n).fill(3), { gradTol: 1e-10, vectors: slot });
    slot.reset();
    const reused = minimizeLbfgs(obj, new Float64Array(n), { gradTol: 1e-10, vectors: slot });
    const fresh = minimizeLbfgs(obj, new Float64Array(n), { gradTol: 1e-10 });
    expect(first.iterations).toBeGreaterThan(0);
    expect(reused.iterations).toBe(fresh.iterations);
    expect(Array.from(reused.x)).toEqual(Array.from(fresh.x));
  });
});
