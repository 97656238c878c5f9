import { describe, expect, it } from 'vitest';
import { matrix } from '../../../src/core/linalg/matrix';
import { Rng } from '../../../src/core/random/rng';
import { pca2, pcaMap } from '../../../src/core/linalg/pca';

/** Reference: all eigenpairs of a symmetric matrix by cyclic Jacobi rotations (exact up to rounding). */
function jacobiEigen(a: number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const m = a.map((r) => r.slice());
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p][q] ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p][q]) < 1e-300) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p];
          const mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k];
          const mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = m.map((r, i) => [r[i], i]).sort((x, y) => y[0] - x[0]);
  return { values: order.map((o) => o[0]), vectors: order.map(([, i]) => v.map((r) => r[i])) };
}

function randomData(rows: number, cols: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  // Anisotropic: a few strong directions plus noise, and an offset so centring matters.
  const dirs = [0, 1, 2].map(() => Array.from({ length: cols }, () => rng.normal()));
  const scales = [5, 3, 1.2];
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const z = scales.map((s) => s * rng.normal());
    for (let j = 0; j < cols; j++) {
      out[i * cols + j] = 10 + z[0] * dirs[0][j] + z[1] * dirs[1][j] + z[2] * dirs[2][j] + 0.5 * rng.normal();
    }
  }
  return out;
}

function covariance(data: Float32Array, rows: number, cols: number): number[][] {
  const mean = new Array(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j] / rows;
  const c = Array.from({ length: cols }, () => new Array(cols).fill(0));
  for (let i = 0; i < rows; i++)
    for (let a = 0; a < cols; a++)
      for (let b = 0; b < cols; b++) c[a][b] += ((data[i * cols + a] - mean[a]) * (data[i * cols + b] - mean[b])) / rows;
  return c;
}

describe('pca2', () => {
  it('matches an exact eigendecomposition of the covariance on random inputs', () => {
    for (const [rows, cols, seed] of [[200, 6, 1], [150, 12, 2], [300, 20, 3], [80, 3, 4]] as const) {
      const data = randomData(rows, cols, seed);
      const ref = jacobiEigen(covariance(data, rows, cols));
      const p = pca2(matrix(rows, cols, data));
      expect(p.variance[0]).toBeCloseTo(ref.values[0], 6);
      expect(p.variance[1]).toBeCloseTo(ref.values[1], 6);
      expect(p.totalVariance).toBeCloseTo(ref.values.reduce((a, b) => a + b, 0), 6);
      for (const a of [0, 1] as const) {
        const cos = ref.vectors[a].reduce((s, v, j) => s + v * p.axes[a][j], 0);
        expect(Math.abs(cos)).toBeCloseTo(1, 8);
      }
      // Projections are centred and carry the axis variance.
      const meanX = p.x.reduce((s, v) => s + v, 0) / rows;
      const varX = p.x.reduce((s, v) => s + (v - meanX) ** 2, 0) / rows;
      expect(meanX).toBeCloseTo(0, 8);
      expect(varX).toBeCloseTo(ref.values[0], 6);
    }
  });

  it('is deterministic and fixes each axis sign (largest entry positive)', () => {
    const data = randomData(100, 8, 9);
    const a = pca2(matrix(100, 8, data));
    const b = pca2(matrix(100, 8, data));
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    for (const axis of a.axes) {
      const k = axis.reduce((best, v, j) => (Math.abs(v) > Math.abs(axis[best]) ? j : best), 0);
      expect(axis[k]).toBeGreaterThan(0);
    }
  });

  it('handles degenerate inputs: constant rows, one column, one row', () => {
    const constant = pca2(matrix(5, 3, new Float32Array(15).fill(2)));
    expect(Array.from(constant.x)).toEqual([0, 0, 0, 0, 0]);
    expect(constant.variance).toEqual([0, 0]);
    const oneCol = pca2(matrix(4, 1, Float32Array.from([1, 2, 3, 4])));
    expect(oneCol.variance[0]).toBeCloseTo(1.25, 10);
    expect(Array.from(oneCol.x).map((v) => Math.abs(v))).toEqual([1.5, 0.5, 0.5, 1.5]);
    expect(pca2(matrix(1, 3, Float32Array.from([1, 2, 3]))).variance).toEqual([0, 0]);
  });

  it('pcaMap keeps the row indices and rounds to 4 significant digits', () => {
    const data = randomData(50, 5, 11);
    const m = pcaMap(matrix(50, 5, data), Array.from({ length: 50 }, (_, i) => 100 + i));
    expect(m.rowIndex[0]).toBe(100);
    expect(m.x).toHaveLength(50);
    expect(m.x.every((v) => Number(v.toPrecision(4)) === v)).toBe(true);
    expect(() => pcaMap(matrix(50, 5, data), [1, 2])).toThrow(/50 activation rows but 2/);
  });
});
