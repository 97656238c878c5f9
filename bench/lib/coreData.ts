/** The data of bench/core (and bench/polish): n rows of synthetic paper-width activations with labels. */
import * as path from 'node:path';
import { writeNpyFile } from '../../src/core/activations/file';
import { Rng } from '../../src/core/random/rng';

export const D_WEAK = 1024;
export const D_STRONG = 4096;

/** N rows; rows carry an easy block (seen by both models) and a hard block (strong only), each present or not. */
export function makeCoreData(N: number, seed: number) {
  const rng = new Rng(seed);
  const dEasy = D_STRONG / 2;
  const thetaEasy = Float32Array.from({ length: dEasy }, () => 0.06 * rng.next());
  const thetaHard = Float32Array.from({ length: D_STRONG - dEasy }, () => 0.06 * rng.next());
  const labels = new Int32Array(N);
  const weak = new Float32Array(N * D_WEAK);
  const strong = new Float32Array(N * D_STRONG);
  for (let i = 0; i < N; i++) {
    const y = rng.next() < 0.5 ? 0 : 1;
    labels[i] = y;
    const s = y ? 1 : -1;
    const m = rng.int(3); // 0 easy-only, 1 hard-only, 2 overlap
    for (let j = 0; j < D_STRONG; j++) {
      const easy = j < dEasy;
      const present = m === 2 || (easy ? m === 0 : m === 1);
      const v = (present ? s * (easy ? thetaEasy[j] : thetaHard[j - dEasy]) : 0) + rng.normal();
      strong[i * D_STRONG + j] = v;
      if (j < D_WEAK) weak[i * D_WEAK + j] = v;
    }
  }
  return { labels, weak, strong };
}

/**
 * makeCoreData with C classes: each class has its own easy pattern (seen by both models) and hard pattern (strong
 * only), random directions of the same strength; a row carries its class's easy pattern, hard pattern or both.
 */
export function makeClassData(N: number, C: number, seed: number) {
  const rng = new Rng(seed);
  const dEasy = D_STRONG / 2;
  const pattern = () => Float32Array.from({ length: D_STRONG }, () => 0.06 * rng.normal());
  const easy = Array.from({ length: C }, pattern);
  const hard = Array.from({ length: C }, pattern);
  const labels = new Int32Array(N);
  const weak = new Float32Array(N * D_WEAK);
  const strong = new Float32Array(N * D_STRONG);
  for (let i = 0; i < N; i++) {
    const y = rng.int(C);
    labels[i] = y;
    const m = rng.int(3); // 0 easy-only, 1 hard-only, 2 overlap
    for (let j = 0; j < D_STRONG; j++) {
      const isEasy = j < dEasy;
      const present = m === 2 || (isEasy ? m === 0 : m === 1);
      const v = (present ? (isEasy ? easy[y][j] : hard[y][j]) : 0) + rng.normal();
      strong[i * D_STRONG + j] = v;
      if (j < D_WEAK) weak[i * D_WEAK + j] = v;
    }
  }
  return { labels, weak, strong };
}

/** The files bench/core_ref.py reads: DIR/weak.npy, strong.npy, labels.npy, split.npy. */
export async function writeCoreFiles(
  dir: string, data: { weak: Float32Array; strong: Float32Array; labels: Int32Array }, split: Int32Array | Uint8Array,
): Promise<void> {
  const N = data.labels.length;
  await writeNpyFile(path.join(dir, 'weak.npy'), data.weak, [N, D_WEAK]);
  await writeNpyFile(path.join(dir, 'strong.npy'), data.strong, [N, D_STRONG]);
  await writeNpyFile(path.join(dir, 'labels.npy'), data.labels, [N]);
  await writeNpyFile(path.join(dir, 'split.npy'), split, [N]);
}
