import { describe, expect, it } from 'vitest';
import { axpyRowAt, dotRowAt, gemmNT, gemmTN, gemv, gemvT, rowNorms } from '../../../src/core/linalg/gemv';
import type { Matrix } from '../../../src/core/linalg/matrix';
import { engineFor, rowEngine, rowEngineOfRows } from '../../../src/core/linalg/rowEngine';
import { selectRows } from '../../../src/core/linalg/matrix';
import { pca2 } from '../../../src/core/linalg/pca';
import { fitProbe, fitProbesBatch, oneHot, predictProbabilities, predictProbabilitiesOn, predictProbabilitiesRows } from '../../../src/core/probe';
import { setSimdEnabled, simdAvailable } from '../../../src/core/linalg/simd';
import { randomMatrix, TestRng } from './builders';

describe('row engines (the probes\' inner loops)', () => {
  it('are shared by fits of one matrix while they have room, and give the same probes as engines of their own', async () => {
    const rng = new TestRng(405);
    const x = randomMatrix(rng, 60, 7);
    const other = randomMatrix(rng, 60, 7);
    const labels = Int32Array.from({ length: 60 }, (_, i) => (x.data[i * 7] + 0.3 * rng.normal() > 0 ? 1 : 0));
    const targets = oneHot(labels, 2);
    // room for two single fits, a batch of 3 and the map, as the analysis sizes it
    const shared = rowEngine(x, (2 * 3 + 3 * 3 + 6) * 7, 6 + 3 * 3 + 6);
    expect(engineFor(x, shared, 3 * 7, 3)).toBe(shared);
    expect(engineFor(other, shared, 3 * 7, 3)).not.toBe(shared); // made for another matrix
    const alone = fitProbe(x, targets, 2);
    const a = fitProbe(x, targets, 2, { engine: shared });
    const b = fitProbe(x, targets, 2, { engine: shared });
    expect([...a.weights]).toEqual([...alone.weights]);
    expect([...b.weights]).toEqual([...alone.weights]);
    const fits = [0, 1, 2].map((s) => {
      const rows = Int32Array.from({ length: 40 }, (_, i) => (i * 7 + s * 11) % 60);
      return { rows, targets: oneHot(Int32Array.from(rows, (r) => labels[r]), 2) };
    });
    const batchAlone = await fitProbesBatch(x, fits, 2);
    const batchShared = await fitProbesBatch(x, fits, 2, { engine: shared });
    batchShared.forEach((p, k) => expect([...p.weights]).toEqual([...batchAlone[k].weights]));
    const map = pca2(x, { engine: shared });
    expect([...map.x]).toEqual([...pca2(x).x]);
    if (shared.kind === 'simd') {
      // the batch gave its vectors back when it was done: their room serves the next batch, not a new copy of X
      expect(shared.hasRoom(3 * 3 * 7, 9)).toBe(true);
      const again = await fitProbesBatch(x, fits, 2, { engine: shared });
      again.forEach((p, k) => expect([...p.weights]).toEqual([...batchAlone[k].weights]));
      // given back zeroed, as `vector` promises
      const m = shared.mark();
      shared.vector(9 * 7).fill(1);
      shared.reset(m);
      expect(shared.vector(9 * 7).every((v) => v === 0)).toBe(true);
      expect(() => shared.reset(shared.mark() + 16)).toThrow(/past the vectors/);
      // full (every vector taken): a further user gets an engine of its own, not an error
      while (shared.hasRoom(3 * 7, 3)) shared.vector(7);
      expect(engineFor(x, shared, 3 * 7, 3)).not.toBe(shared);
      expect(() => fitProbe(x, targets, 2, { engine: shared })).not.toThrow();
    }
  });

  it('compute row dot products and axpys like the definition, for every row length mod 8, SIMD and JS', () => {
    const rng = new TestRng(401);
    for (const simd of [true, false]) {
      setSimdEnabled(simd);
      for (let cols = 0; cols <= 19; cols++) {
        const x = randomMatrix(rng, 3, cols);
        const eng = rowEngine(x, 4 * cols + 8, 4);
        expect(eng.kind).toBe(simd && simdAvailable() && cols > 0 ? 'simd' : 'js');
        const v = eng.vector(2 * cols + 1);
        for (let j = 0; j < v.length; j++) v[j] = rng.normal();
        const y = eng.vector(cols + 2);
        for (let i = 0; i < 3; i++) {
          let want = 0;
          for (let j = 0; j < cols; j++) want += x.data[i * cols + j] * v[1 + j];
          expect(eng.dot(i, v, 1)).toBeCloseTo(want, 12);
          const before = Float64Array.from(y);
          eng.axpy(i, -0.75, y, 2);
          for (let j = 0; j < cols + 2; j++) {
            const add = j >= 2 ? -0.75 * x.data[i * cols + j - 2] : 0;
            expect(y[j]).toBeCloseTo(before[j] + add, 12);
          }
        }
      }
    }
    setSimdEnabled(true);
  });

  it('of chosen rows hold exactly those rows (their source), and compute as an engine of selectRows does', () => {
    const rng = new TestRng(407);
    for (const simd of [true, false]) {
      setSimdEnabled(simd);
      for (const f64 of [false, true]) {
        const x = randomMatrix(rng, 9, 13, f64);
        const rows = Int32Array.of(8, 0, 3, 3, 5);
        const eng = rowEngineOfRows(x, rows, 2 * 13, 2);
        const want = selectRows(x, rows);
        expect(eng.kind).toBe(simd && simdAvailable() && !f64 ? 'simd' : 'js');
        expect(eng.source.rows).toBe(5);
        expect(eng.source.data.constructor).toBe(x.data.constructor);
        expect([...eng.source.data]).toEqual([...want.data]);
        const ref = rowEngine(want, 2 * 13, 2);
        const v = eng.vector(13);
        const vr = ref.vector(13);
        for (let j = 0; j < 13; j++) vr[j] = v[j] = rng.normal();
        for (let i = 0; i < 5; i++) expect(eng.dot(i, v, 0)).toBe(ref.dot(i, vr, 0));
        // the source stays valid while the engine hands out vectors (its memory never grows)
        eng.vector(13);
        expect([...eng.source.data]).toEqual([...want.data]);
        expect(rowEngineOfRows(x, new Int32Array(0), 4, 1).source.rows).toBe(0);
      }
    }
    setSimdEnabled(true);
    const x = randomMatrix(rng, 4, 3);
    if (simdAvailable()) expect(() => rowEngineOfRows(x, Int32Array.of(1, 4), 3, 1)).toThrow(/row 4 of a 4-row matrix/);
  });

  it('predict through an engine as predictProbabilities does (to rounding), reusing one weight slot, two classes and more', () => {
    const rng = new TestRng(409);
    const x = randomMatrix(rng, 70, 11);
    for (const C of [2, 3]) {
      const labels = Int32Array.from({ length: 70 }, (_, i) => Math.abs(Math.floor(x.data[i * 11] * 2)) % C);
      const probes = [0, 1].map((s) => fitProbe(x, oneHot(labels, C), C, { l2: 1e-3 * (1 + s) }));
      const k = C === 2 ? 1 : C;
      const eng = rowEngine(x, k * 11, 1);
      for (let round = 0; round < 2; round++) {
        for (const probe of probes) {
          const got = predictProbabilitiesOn(probe, eng);
          const want = predictProbabilities(probe, x);
          expect(got.length).toBe(want.length);
          for (let t = 0; t < want.length; t++) expect(got[t]).toBeCloseTo(want[t], 12);
        }
      }
      // an engine without room predicts with the plain loop, bitwise
      const full = rowEngine(x, 0, 0);
      if (full.kind === 'simd') expect([...predictProbabilitiesOn(probes[0], full)]).toEqual([...predictProbabilities(probes[0], x)]);
      expect(() => predictProbabilitiesOn(probes[0], rowEngine(randomMatrix(rng, 3, 5), 20, 1))).toThrow(/11-dimensional/);
    }
  });

  it('predict on a selection of rows where they are, bit for bit as on a copy of them; a probe fitted through an engine of rows equals one fitted on their copy', () => {
    const rng = new TestRng(411);
    const x = randomMatrix(rng, 50, 9);
    for (const C of [2, 4]) {
      const labels = Int32Array.from({ length: 50 }, (_, i) => Math.abs(Math.floor(x.data[i * 9] * 3)) % C);
      const rows = Int32Array.of(49, 3, 3, 17, 0, 28);
      const onCopy = fitProbe(selectRows(x, rows), oneHot(Int32Array.from(rows, (r) => labels[r]), C), C, { polish: true });
      const eng = rowEngineOfRows(x, rows, 3 * (C === 2 ? 1 : C) * 9, 3);
      const onEngine = fitProbe(eng.source, oneHot(Int32Array.from(rows, (r) => labels[r]), C), C, { polish: true, engine: eng });
      expect([...onEngine.weights]).toEqual([...onCopy.weights]);
      const probe = fitProbe(x, oneHot(labels, C), C);
      expect([...predictProbabilitiesRows(probe, x, rows)]).toEqual([...predictProbabilities(probe, selectRows(x, rows))]);
      expect(predictProbabilitiesRows(probe, x, new Int32Array(0))).toHaveLength(0);
      expect(() => predictProbabilitiesRows(probe, x, Int32Array.of(50))).toThrow(/row 50 of a 50-row matrix/);
      expect(() => predictProbabilitiesRows(probe, randomMatrix(rng, 5, 4), Int32Array.of(0))).toThrow(/9-dimensional/);
    }
  });

  it('gemv, gemvT, gemmNT, gemmTN and rowNorms agree with the row kernels on Float32 and Float64 matrices', () => {
    const rng = new TestRng(402);
    for (const f64 of [false, true]) {
      const x: Matrix = randomMatrix(rng, 13, 11, f64);
      const v = Float64Array.from({ length: 11 }, () => rng.normal());
      const r = Float64Array.from({ length: 13 }, () => rng.normal());
      const z = new Float64Array(13);
      gemv(x, v, z, 0.5);
      for (let i = 0; i < 13; i++) expect(z[i]).toBeCloseTo(dotRowAt(x.data, i * 11, v, 0, 11) + 0.5, 13);
      const g = new Float64Array(11);
      gemvT(x, r, g);
      const want = new Float64Array(11);
      for (let i = 0; i < 13; i++) axpyRowAt(r[i], x.data, i * 11, want, 0, 11);
      for (let j = 0; j < 11; j++) expect(g[j]).toBeCloseTo(want[j], 13);
      // k weight rows at once: Z = X W^T + b and G = R^T X
      const W = Float64Array.from({ length: 3 * 11 }, () => rng.normal());
      const b = Float64Array.from([1, -2, 0.5]);
      const Z = new Float64Array(13 * 3);
      gemmNT(x, W, 3, Z, b);
      const R = Float64Array.from({ length: 13 * 3 }, () => rng.normal());
      const G = new Float64Array(3 * 11);
      gemmTN(x, R, 3, G);
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < 13; i++) expect(Z[i * 3 + c]).toBeCloseTo(dotRowAt(x.data, i * 11, W, c * 11, 11) + b[c], 13);
        for (let j = 0; j < 11; j++) {
          let s = 0;
          for (let i = 0; i < 13; i++) s += R[i * 3 + c] * x.data[i * 11 + j];
          expect(G[c * 11 + j]).toBeCloseTo(s, 12);
        }
      }
      const norms = rowNorms(x);
      for (let i = 0; i < 13; i++) expect(norms[i]).toBeCloseTo(Math.sqrt(dotRowAt(x.data, i * 11, Float64Array.from(x.data.subarray(i * 11, i * 11 + 11)), 0, 11)), 13);
    }
  });
});
