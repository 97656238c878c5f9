/**
 * bench/bpe: BPE's merges on one long word (a user tokenizer.json with a BPE model and no pre-tokenizer reads a
 * whole text as one word): the heap over a linked list (`mergeAll`, huggingface.ts) against the scan it replaced
 * (every adjacent pair looked up after every merge, O(n^2)), same words, same merge table, same process.
 * The table: merges learnt like a trained BPE's, up to 3,000 as the sample supports (each joins two existing tokens the
 * text's pairs make common); the words: random letters with the frequencies of English text.
 */
import { Rng } from '../src/core/random/rng';
import { scanMerges as scan, type Merges } from '../test/lib/bpeScan';
import { mergeAll } from '../src/inference/tokenize/huggingface';
import { machineLine, table } from './common';
import { loadLine, median } from './lib/measure';

const FREQ = [8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.77, 4.0, 2.4, 6.7, 7.5, 1.9, 0.1, 6.0, 6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.07];

function letter(rng: Rng): number {
  let u = rng.next() * FREQ.reduce((a, b) => a + b, 0);
  for (let c = 0; c < 26; c++) if ((u -= FREQ[c]) < 0) return c;
  return 25;
}

/** Merges learnt greedily from a sample, as BPE training does: the most frequent adjacent pair becomes a token. */
function train(rng: Rng, count: number): Merges {
  let sample = Array.from({ length: 20000 }, () => letter(rng));
  const merges: Merges = new Map();
  let next = 26;
  while (merges.size < count) {
    const freq = new Map<string, number>();
    for (let i = 0; i + 1 < sample.length; i++) {
      const k = `${sample[i]} ${sample[i + 1]}`;
      freq.set(k, (freq.get(k) ?? 0) + 1);
    }
    let best = '';
    let most = 1;
    for (const [k, f] of freq) if (f > most) [best, most] = [k, f];
    if (!best) break;
    merges.set(best, [merges.size, next]);
    const [a, b] = best.split(' ').map(Number);
    const out: number[] = [];
    for (let i = 0; i < sample.length; i++) {
      if (i + 1 < sample.length && sample[i] === a && sample[i + 1] === b) {
        out.push(next);
        i++;
      } else out.push(sample[i]);
    }
    sample = out;
    next++;
  }
  return merges;
}

function main() {
  const rng = new Rng(5);
  const merges = train(rng, 3000);
  const lookup = (a: number, b: number) => merges.get(`${a} ${b}`);
  const rows: string[][] = [];
  let ratio = 0;
  for (const len of [1000, 4000, 16000, 64000]) {
    const word = Array.from({ length: len }, () => letter(rng));
    const reps = len <= 4000 ? 5 : 1;
    const timeOf = (f: () => number[]) => {
      const ts: number[] = [];
      let out: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        out = f();
        ts.push(performance.now() - t0);
      }
      return { ms: median(ts), out };
    };
    const heap = timeOf(() => mergeAll([...word], lookup));
    const old = timeOf(() => scan(word, merges));
    const same = heap.out.length === old.out.length && heap.out.every((v, i) => v === old.out[i]);
    ratio = old.ms / heap.ms;
    rows.push([String(len), String(heap.out.length), old.ms.toFixed(1), heap.ms.toFixed(1), ratio.toFixed(0), String(same)]);
  }
  console.log(machineLine());
  console.log(`${merges.size} merges over 26 letters; ${loadLine()}`);
  console.log(table(['word chars', 'tokens', 'scan ms (before)', 'heap ms (now)', 'x faster', 'same tokens'], rows));
  console.log(`verdict: at 64,000 characters the heap is ${ratio.toFixed(0)}x faster than the scan, same tokens: ${rows.every((r) => r[5] === 'true')}`);
}

main();
