/**
 * BPE's merge loop (huggingface.ts `mergeAll`, a heap over a linked list) against the plain definition: repeatedly
 * merge the lowest-ranked adjacent pair, leftmost first (the O(n^2) scan it replaced), on random words and merge
 * tables, ties and runs of one symbol included, and on one long word without a pre-tokenizer.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/random/rng';
import { scanMerges as scan, type Merges } from '../../lib/bpeScan';
import { mergeAll } from '../../../src/inference/tokenize/huggingface';

/** A random merge table over `alphabet` symbols: new ids from `alphabet` on, ranks with ties when `ties`. */
function table(rng: Rng, alphabet: number, count: number, ties: boolean): Merges {
  const merges: Merges = new Map();
  let next = alphabet;
  for (let k = 0; k < count; k++) {
    const a = rng.int(next);
    const b = rng.int(next);
    const key = `${a} ${b}`;
    if (merges.has(key)) continue;
    merges.set(key, [ties ? rng.int(Math.max(1, count >> 2)) : k, next++]);
  }
  return merges;
}

describe('BPE mergeAll', () => {
  it('equals the lowest-rank, leftmost-first scan on random words and tables', () => {
    const rng = new Rng(17);
    for (let trial = 0; trial < 400; trial++) {
      const alphabet = 2 + rng.int(5);
      const merges = table(rng, alphabet, 5 + rng.int(60), trial % 2 === 1);
      const word = Array.from({ length: rng.int(40) }, () => rng.int(alphabet));
      const lookup = (a: number, b: number) => merges.get(`${a} ${b}`);
      expect(mergeAll([...word], lookup)).toEqual(scan(word, merges));
    }
  });

  it('runs of one symbol merge left to right, as the scan does', () => {
    const merges: Merges = new Map([['0 0', [0, 1]], ['1 1', [1, 2]], ['1 0', [2, 3]]]);
    const lookup = (a: number, b: number) => merges.get(`${a} ${b}`);
    for (let len = 0; len < 12; len++) {
      const word = new Array<number>(len).fill(0);
      expect(mergeAll([...word], lookup)).toEqual(scan(word, merges));
    }
  });

  it('one long word (no pre-tokenizer): the same tokens as the scan', () => {
    const rng = new Rng(3);
    const merges = table(rng, 4, 200, false);
    const word = Array.from({ length: 3000 }, () => rng.int(4));
    const out = mergeAll([...word], (a, b) => merges.get(`${a} ${b}`));
    expect(out).toEqual(scan(word, merges));
    expect(out.length).toBeLessThan(word.length);
  });
});
