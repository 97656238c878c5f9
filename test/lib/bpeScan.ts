/**
 * BPE's merges by their definition (the loop huggingface.ts ran before `mergeAll`): repeatedly merge the
 * lowest-ranked adjacent pair, leftmost first, rescanning every pair after each merge (O(n^2)). The oracle of
 * test/unit/tokenize/bpeMerge.test.ts and the "before" of bench/bpe.
 */
export type Merges = Map<string, [number, number]>;

export function scanMerges(symbols: number[], merges: Merges): number[] {
  const s = [...symbols];
  for (;;) {
    let best = Infinity;
    let at = -1;
    let id = -1;
    for (let i = 0; i + 1 < s.length; i++) {
      const m = merges.get(`${s[i]} ${s[i + 1]}`);
      if (m && m[0] < best) [best, at, id] = [m[0], i, m[1]];
    }
    if (at < 0) return s;
    s.splice(at, 2, id);
  }
}
