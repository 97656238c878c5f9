/** The mixing benches' data: a seeded synthetic W2S-train matrix, soft targets from a noisy linear rule, a test set. */
import type { Matrix } from '../../src/core/linalg/matrix';
import { Rng } from '../../src/core/random/rng';

export interface Case { name: string; n: number; d: number; nTest: number }
export const CASES: Case[] = [
  { name: 'llm', n: 5000, d: 4096, nTest: 1000 },
  { name: 'sst2', n: 3460, d: 512, nTest: 1821 },
];

export function mixingData(c: Case, seed: number) {
  const rng = new Rng(seed);
  const dirs = 8;
  const w = Array.from({ length: dirs }, () => rng.normal());
  const make = (rows: number): { x: Matrix<Float32Array>; s: Float64Array } => {
    const x = new Float32Array(rows * c.d);
    const s = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < c.d; j++) x[i * c.d + j] = rng.normal() / Math.sqrt(c.d) * 4;
      let z = 0;
      for (let j = 0; j < dirs; j++) z += w[j] * x[i * c.d + j] * Math.sqrt(c.d) / 4;
      s[i] = z;
    }
    return { x: { rows, cols: c.d, data: x }, s };
  };
  const train = make(c.n);
  const test = make(c.nTest);
  const targets = new Float64Array(c.n * 2);
  for (let i = 0; i < c.n; i++) {
    const p = 1 / (1 + Math.exp(-(train.s[i] + 1.5 * rng.normal())));
    targets[2 * i] = 1 - p;
    targets[2 * i + 1] = p;
  }
  const testLabels = Int32Array.from(test.s, (v) => (v > 0 ? 1 : 0));
  const perm = Array.from({ length: c.n }, (_, i) => i);
  for (let i = c.n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const overlap = Int32Array.from(perm.slice(0, Math.floor(c.n / 3))).sort();
  const nonOverlap = Int32Array.from(perm.slice(Math.floor(c.n / 3))).sort();
  return { strongW2s: train.x, targets, strongTest: test.x, testLabels, overlap, nonOverlap };
}
