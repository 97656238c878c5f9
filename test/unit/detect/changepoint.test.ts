import { describe, expect, it } from 'vitest';
import { changePoint, minimumPoints, sortedMedian } from '../../../src/core/detect/changepoint';
import { TestRng } from '../probe/builders';

/** Summed squared error of s[from:to] around its own mean (two passes). */
function sse(s: Float64Array, from: number, to: number): number {
  let mean = 0;
  for (let i = from; i < to; i++) mean += s[i];
  mean /= to - from;
  let e = 0;
  for (let i = from; i < to; i++) e += (s[i] - mean) ** 2;
  return e;
}

/**
 * The definition: ruptures' candidates `range(0, n, jump)` with b >= min_size and n - b >= min_size; the b that
 * minimises SSE(s[:b]) + SSE(s[b:]); on ties (equal up to float noise) the largest b.
 */
function exhaustiveBreakpoint(s: Float64Array, jump: number, minSize = 2): number {
  const n = s.length;
  const costs: Array<[number, number]> = [];
  for (let b = 0; b < n; b += jump) if (b >= minSize && n - b >= minSize) costs.push([b, sse(s, 0, b) + sse(s, b, n)]);
  const best = Math.min(...costs.map(([, c]) => c));
  const noise = 1e-12 * sse(s, 0, n);
  return Math.max(...costs.filter(([, c]) => c <= best + noise).map(([b]) => b));
}

function randomValues(rng: TestRng, n: number, kind: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 0) v[i] = rng.next(); // continuous
    else if (kind === 1) v[i] = rng.int(0, 3) / 4; // a handful of repeated values
    else if (kind === 2) v[i] = rng.next() < 0.6 ? 1 : rng.next(); // a saturated top, like confidences
    else v[i] = rng.next() < 0.3 ? rng.normal() * 0.01 : 2 + rng.normal(); // two clusters
  }
  return v;
}

describe('changePoint (ruptures Binseg, l2, one breakpoint)', () => {
  for (const jump of [5, 1]) {
    it(`equals an exhaustive search over all admissible splits on 1,200 random arrays (jump ${jump})`, () => {
      const rng = new TestRng(100 + jump);
      for (let trial = 0; trial < 1200; trial++) {
        const n = rng.int(7, 300);
        const values = randomValues(rng, n, trial % 4);
        const cp = changePoint(values, { jump });
        const sorted = Float64Array.from(values).sort();
        expect(cp.usedFallback).toBe(false);
        expect(cp.breakpoint).toBe(exhaustiveBreakpoint(sorted, jump));
        expect(cp.breakpoint! % jump).toBe(0);
        expect(cp.threshold).toBe(sorted[cp.breakpoint!]);
        expect(Array.from(values)).toContain(cp.threshold);
        expect(Array.from(cp.sorted)).toEqual(Array.from(sorted));
      }
    });
  }

  it('resolves exact ties of mirror-symmetric arrays (b and n - b) to the larger b, as exact arithmetic would', () => {
    const rng = new TestRng(7);
    for (let trial = 0; trial < 300; trial++) {
      // k low values, m middle values, k mirrored high values: the gains of b = k and b = n - k are equal
      const k = 5 * rng.int(1, 12);
      const m = 10 * rng.int(k / 5, (2 * k) / 5);
      const low = Array.from({ length: k }, () => rng.next() * 0.1);
      const mid = Array.from({ length: m / 2 }, () => 1 + rng.next() * 0.1);
      const values = [...low, ...mid, ...mid.map((v) => 2 - v), ...low.map((v) => 3 - v)];
      for (const jump of [5, 1]) {
        const sorted = Float64Array.from(values).sort();
        const b = changePoint(values, { jump }).breakpoint;
        expect(b).toBe(exhaustiveBreakpoint(sorted, jump));
        // the mirror image of the best split is as good: the upper one of the pair wins
        expect(b).toBeGreaterThan(values.length / 2);
        if (jump === 5) expect(b).toBe(values.length - k);
      }
    }
  });

  it('splits a clean step at the step when it is a multiple of jump', () => {
    const values = [...Array(10).fill(0.1), ...Array(15).fill(0.9)].reverse();
    expect(changePoint(values)).toMatchObject({ breakpoint: 10, threshold: 0.9, usedFallback: false });
    const odd = [...Array(12).fill(0), ...Array(13).fill(1)];
    expect(changePoint(odd, { jump: 1 }).breakpoint).toBe(12);
    // jump 5 cannot split at 12: b = 10 leaves 2 zeros above, b = 15 puts 3 ones below; 10 has the smaller error
    expect(changePoint(odd).breakpoint).toBe(10);
  });

  it('takes the largest breakpoint when gains tie (constant and symmetric arrays)', () => {
    expect(changePoint(Array(23).fill(0.7))).toMatchObject({ breakpoint: 20, threshold: 0.7 });
    expect(changePoint(Array(23).fill(0.7), { jump: 1 }).breakpoint).toBe(21);
    // 0 x5, 1 x10, 2 x5: b = 5 and b = 15 have equal gains
    const sym = [...Array(5).fill(0), ...Array(10).fill(1), ...Array(5).fill(2)];
    expect(changePoint(sym).breakpoint).toBe(15);
    // the same with decimal levels, whose rounding would otherwise decide the tie
    for (const [a, b, c] of [[0.1, 0.2, 0.3], [0.7, 0.8, 0.9], [1.1, 2.2, 3.3]]) {
      const levels = [...Array(5).fill(a), ...Array(20).fill(b), ...Array(5).fill(c)];
      expect(changePoint(levels).breakpoint).toBe(25);
    }
  });

  it('tieEdges: moves a breakpoint inside a run of equal values to the run edge with the larger gain, and nothing else', () => {
    const odd = [...Array(12).fill(0), ...Array(13).fill(1)];
    expect(changePoint(odd)).toMatchObject({ breakpoint: 10, threshold: 0 });
    expect(changePoint(odd, { tieEdges: true })).toMatchObject({ breakpoint: 12, threshold: 1, movedFrom: 10 });
    // a constant array has no admissible edge: unchanged
    expect(changePoint(Array(23).fill(0.7), { tieEdges: true })).toMatchObject({ breakpoint: 20, threshold: 0.7 });
    expect(changePoint(Array(23).fill(0.7), { tieEdges: true }).movedFrom).toBeUndefined();
    const rng = new TestRng(211);
    let moved = 0;
    for (let trial = 0; trial < 1200; trial++) {
      const n = rng.int(7, 300);
      const values = randomValues(rng, n, trial % 4);
      const plain = changePoint(values);
      const cp = changePoint(values, { tieEdges: true });
      const s = cp.sorted;
      const b = cp.breakpoint!;
      if (plain.breakpoint === 0 || s[plain.breakpoint! - 1] !== s[plain.breakpoint!]) {
        // not inside a run: ruptures' breakpoint stands (every continuous array)
        expect(cp.breakpoint).toBe(plain.breakpoint);
        expect(cp.movedFrom).toBeUndefined();
        continue;
      }
      moved++;
      expect(cp.movedFrom).toBe(plain.breakpoint);
      // at a value boundary, admissible, and no worse than the run's other admissible edge
      expect(s[b - 1]).toBeLessThan(s[b]);
      expect(b).toBeGreaterThanOrEqual(2);
      expect(b).toBeLessThanOrEqual(n - 2);
      expect(cp.threshold).toBe(s[b]);
      let lo = plain.breakpoint!;
      while (lo > 0 && s[lo - 1] === s[plain.breakpoint!]) lo--;
      let hi = plain.breakpoint!;
      while (hi < n && s[hi] === s[plain.breakpoint!]) hi++;
      expect([lo, hi]).toContain(b);
      const other = b === lo ? hi : lo;
      if (other >= 2 && other <= n - 2) {
        const cost = (e: number) => sse(s, 0, e) + sse(s, e, n);
        expect(cost(b)).toBeLessThanOrEqual(cost(other) + 1e-9 * sse(s, 0, n));
      }
    }
    expect(moved).toBeGreaterThan(100); // the arrays with repeated values exercise it
  });

  it('falls back to the numpy median below the minimum number of points', () => {
    expect(minimumPoints(5, 2)).toBe(7);
    expect(minimumPoints(1, 2)).toBe(4);
    expect(changePoint([3, 1, 2, 10, 4, 6])).toMatchObject({ threshold: 3.5, breakpoint: null, usedFallback: true });
    expect(changePoint([5, 1, 9])).toMatchObject({ threshold: 5, usedFallback: true });
    expect(changePoint([2])).toMatchObject({ threshold: 2, usedFallback: true });
    expect(changePoint([]).threshold).toBeNaN();
    expect(changePoint([0, 0, 1, 1, 1, 1, 1]).usedFallback).toBe(false);
    expect(changePoint([0, 0, 1, 1], { jump: 1 })).toMatchObject({ breakpoint: 2, usedFallback: false });
    expect(changePoint([0, 1, 1], { jump: 1 })).toMatchObject({ threshold: 1, usedFallback: true });
    expect(sortedMedian([1, 2, 3, 4])).toBe(2.5);
  });

  it('rejects non-finite values and bad options', () => {
    expect(() => changePoint([1, 2, NaN, 3, 4, 5, 6])).toThrow(/not finite/);
    expect(() => changePoint([1, 2, 3], { jump: 0 })).toThrow(/jump/);
  });
});
