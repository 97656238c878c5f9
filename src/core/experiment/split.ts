import { Rng } from '../random/rng';

/** Split codes: 0 weak-train, 1 W2S-train, 2 test (the CLI's split.npy uses the same codes). */
export const WEAK_TRAIN = 0;
export const W2S_TRAIN = 1;
export const TEST = 2;
export const SPLIT_NAMES = ['weak-train', 'w2s-train', 'test'] as const;

/** Seeded random thirds: weak-train, W2S-train, test (sizes differ by at most one). */
export function randomThirds(n: number, seed: number): Uint8Array {
  const order = new Rng(seed ^ 0x5bd1e995).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const split = new Uint8Array(n);
  const a = Math.round(n / 3);
  const b = Math.round((2 * n) / 3);
  for (let k = 0; k < n; k++) split[order[k]] = k < a ? WEAK_TRAIN : k < b ? W2S_TRAIN : TEST;
  return split;
}

/** Seeded halves of the rows that are not test rows (used when a separate test file is given). */
export function halvesWithTest(isTest: ArrayLike<boolean>, seed: number): Uint8Array {
  const n = isTest.length;
  const pool: number[] = [];
  const split = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (isTest[i]) split[i] = TEST;
    else pool.push(i);
  }
  new Rng(seed ^ 0x5bd1e995).shuffle(pool);
  const half = Math.round(pool.length / 2);
  pool.forEach((row, k) => (split[row] = k < half ? WEAK_TRAIN : W2S_TRAIN));
  return split;
}

export function indicesOf(split: Uint8Array, code: number): Int32Array {
  let count = 0;
  for (let i = 0; i < split.length; i++) if (split[i] === code) count++;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < split.length; i++) if (split[i] === code) out[k++] = i;
  return out;
}
