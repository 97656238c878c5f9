/**
 * The result's map riding the batched fits' product rounds (pca.ts's Pca2Rider, probe/batch.ts's `rider`): the same
 * subspace iteration as pca2's row passes (the same steps, the same projections to rounding), the fits untouched,
 * and a batch too short for the map's steps leaves them for pca2 to finish.
 */
import { describe, expect, it } from 'vitest';
import { jsLinalgKernel, type LinalgKernel } from '../../../src/core/linalg/gemm';
import type { Matrix } from '../../../src/core/linalg/matrix';
import { MAP_PCA, pca2, Pca2Rider, Pca2Steps } from '../../../src/core/linalg/pca';
import { fitProbesBatch, type SubsetFit } from '../../../src/core/probe';
import { softClassTargets, TestRng } from '../probe/builders';

/** Rows with two strong directions of different variance over isotropic noise (a PCA with a clear answer). */
function rowsWithAxes(rng: TestRng, rows: number, cols: number): Matrix {
  const u = Array.from({ length: cols }, () => rng.normal());
  const v = Array.from({ length: cols }, () => rng.normal());
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const a = 3 * rng.normal();
    const b = 1.5 * rng.normal();
    for (let j = 0; j < cols; j++) data[i * cols + j] = 0.4 + a * u[j] / Math.sqrt(cols) * 4 + b * v[j] / Math.sqrt(cols) * 4 + rng.normal();
  }
  return { rows, cols, data };
}

function subsets(rng: TestRng, x: Matrix, count: number, size: number, C: number): SubsetFit[] {
  const targets = softClassTargets(rng, x, C);
  return Array.from({ length: count }, () => {
    const rows = new Set<number>();
    while (rows.size < size) rows.add(rng.int(0, x.rows - 1));
    const r = Int32Array.from(rows);
    const t = new Float64Array(r.length * C);
    r.forEach((row, k) => t.set(targets.subarray(row * C, row * C + C), k * C));
    return { rows: r, targets: t };
  });
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  expect(scale).toBeGreaterThan(0);
  expect(diff).toBeLessThanOrEqual(tol * scale);
}

describe('the map riding the product rounds', () => {
  // Float64 rounds: pca2's map to rounding. Float32 rounds (batch.ts's default): each product rounded to float32,
  // the map within 1e-6 of pca2's (its points are shown to 4 digits)
  for (const [C, float32, tol] of [[2, false, 1e-9], [3, false, 1e-9], [2, true, 1e-6], [3, true, 1e-6]] as const) {
    it(`${C} classes, ${float32 ? 'float32' : 'Float64'} rounds: the same axes and projections as pca2's passes, and the fits unchanged`, async () => {
      const rng = new TestRng(40 + C);
      const x = rowsWithAxes(rng, 400, 24);
      const fits = subsets(rng, x, 8, 120, C);
      const widths: number[] = [];
      const counted: LinalgKernel = {
        ...jsLinalgKernel,
        gemm: (a, b, o) => (o?.transB && widths.push(b.rows), jsLinalgKernel.gemm(a, b, o)),
      };
      const alone = await fitProbesBatch(x, fits, C, { linalg: jsLinalgKernel, float32 });
      const rider = new Pca2Rider(new Pca2Steps(x, MAP_PCA));
      const ridden = await fitProbesBatch(x, fits, C, { linalg: counted, rider, float32 });
      // the fits' columns are computed as before (the JavaScript kernel sums each output on its own)
      ridden.forEach((p, k) => {
        expect(Array.from(p.weights)).toEqual(Array.from(alone[k].weights));
        expect(Array.from(p.bias)).toEqual(Array.from(alone[k].bias));
      });
      // the map's two vectors rode the first rounds, and the projections came out of the batch
      const fitColumns = 8 * (C === 2 ? 1 : C);
      expect(widths[0]).toBe(fitColumns + 2);
      expect(rider.steps.done).toBe(true);
      expect(rider.projections).not.toBeNull();
      const ref = pca2(x, MAP_PCA);
      expect(rider.steps.iterations).toBe(ref.iterations);
      const got = rider.steps.result();
      expectClose(got.axes[0], ref.axes[0], tol);
      expectClose(got.axes[1], ref.axes[1], tol);
      expectClose(got.variance, ref.variance, tol);
      expectClose(rider.projections!.x, ref.x, tol);
      expectClose(rider.projections!.y, ref.y, tol);
      // and once it has them it rides no more rounds
      expect(widths.filter((w) => w === fitColumns + 2).length).toBeLessThanOrEqual(ref.iterations + 2);
      expect(widths.at(-1)).toBeLessThanOrEqual(fitColumns);
    });
  }

  it('a batch shorter than the map\'s steps: pca2 goes on from where the rider stopped, to the same map', async () => {
    const rng = new TestRng(7);
    const x = rowsWithAxes(rng, 300, 16);
    const fits = subsets(rng, x, 4, 200, 2);
    const options = { maxIterations: 400, tolerance: -1 }; // all 400 steps (the axes settle to rounding): more rounds than the fits take
    const rider = new Pca2Rider(new Pca2Steps(x, options));
    await fitProbesBatch(x, fits, 2, { linalg: jsLinalgKernel, rider });
    const taken = rider.steps.iterations;
    expect(taken).toBeGreaterThan(0);
    expect(rider.steps.done).toBe(false);
    expect(rider.projections).toBeNull();
    const finished = pca2(x, options, rider.steps);
    const ref = pca2(x, options);
    expect(finished.iterations).toBe(ref.iterations);
    expect(finished.iterations).toBeGreaterThan(taken);
    expectClose(finished.x, ref.x, 1e-9);
    expectClose(finished.y, ref.y, 1e-9);
  });

  it('pca2 refuses steps of another matrix', () => {
    const rng = new TestRng(3);
    const x = rowsWithAxes(rng, 50, 8);
    const other = rowsWithAxes(rng, 40, 8);
    expect(() => pca2(x, MAP_PCA, new Pca2Steps(other, MAP_PCA))).toThrow(/40 x 8/);
  });
});
