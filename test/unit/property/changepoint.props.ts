/**
 * The change point against its definition (METHOD.md section 2): an exhaustive search over every admissible
 * breakpoint b (multiples of jump, min_size <= b <= n - min_size, b > 0) of the summed squared error of the two
 * segments, computed directly from each segment, largest b on ties. Random arrays with and without duplicates;
 * the threshold is always a data value (or the median fallback with fewer than minimumPoints values).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changePoint, minimumPoints, sortedMedian, TIE_RELATIVE } from '../../../src/core/detect/changepoint';
import { checkProperty } from './count';

function sse(s: Float64Array, from: number, to: number): number {
  let mean = 0;
  for (let i = from; i < to; i++) mean += s[i];
  mean /= to - from;
  let out = 0;
  for (let i = from; i < to; i++) out += (s[i] - mean) ** 2;
  return out;
}

/** The definition: the b minimising SSE(s[:b]) + SSE(s[b:]); ties (within the product's tolerance) go to the largest b. */
function exhaustive(values: number[], jump: number, minSize: number): number | null {
  const s = Float64Array.from(values).sort();
  // Costs of values near 1e-162 underflow to subnormals; a power-of-two scale leaves every b's cost in proportion.
  const maxAbs = s.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (maxAbs > 0 && maxAbs < 1e-100) for (let i = 0; i < s.length; i++) s[i] *= 2 ** -Math.round(Math.log2(maxAbs));
  const n = s.length;
  const total = sse(s, 0, n);
  const costs: [number, number][] = [];
  for (let b = jump; b < n; b += jump) {
    if (b >= minSize && n - b >= minSize) costs.push([b, sse(s, 0, b) + sse(s, b, n)]);
  }
  if (costs.length === 0) return null;
  const best = Math.min(...costs.map(([, c]) => c));
  // Equal costs up to rounding: the product counts gains within TIE_RELATIVE of the total sum of squares as equal.
  const ties = costs.filter(([, c]) => c <= best + TIE_RELATIVE * total * 0.5);
  return ties[ties.length - 1][0];
}

const distinctish = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { maxLength: 60 });
/** Few distinct values, so duplicates and exactly tied gains are common. */
const duplicated = fc.array(fc.integer({ min: 0, max: 4 }).map((k) => k / 4), { maxLength: 60 });
const jumpArb = fc.constantFrom(1, 5);

function checkAgainstDefinition(values: number[], jump: number): void {
  const cp = changePoint(values, { jump });
  const sorted = Float64Array.from(values).sort();
  expect(Array.from(cp.sorted)).toEqual(Array.from(sorted));
  if (values.length < minimumPoints(jump)) {
    expect(cp.usedFallback).toBe(true);
    expect(cp.breakpoint).toBeNull();
    if (values.length > 0) expect(cp.threshold).toBe(sortedMedian(sorted));
    return;
  }
  expect(cp.usedFallback).toBe(false);
  expect(cp.breakpoint).toBe(exhaustive(values, jump, 2));
  expect(values).toContain(cp.threshold);
  expect(cp.threshold).toBe(sorted[cp.breakpoint!]);
}

describe('change point vs exhaustive search (fast-check)', () => {
  it('matches the exhaustive search on random arrays (jump 5 and 1)', async () => {
    await checkProperty('changepoint: random arrays', fc.property(distinctish, jumpArb, checkAgainstDefinition), 2500);
  });

  it('matches the exhaustive search where squared deviations would underflow (a fast-check counterexample)', () => {
    checkAgainstDefinition([0, 0, -4.0834685681589464e-162, 0, 0, 0], 1);
    expect(changePoint([0, 0, -4.0834685681589464e-162, 0, 0, 0], { jump: 1 }).breakpoint).toBe(2);
  });

  it('matches the exhaustive search on arrays full of duplicates (tied gains: largest b)', async () => {
    await checkProperty('changepoint: duplicates', fc.property(duplicated, jumpArb, checkAgainstDefinition), 1500);
  });

  it('does not depend on the order of the values, and a constant array thresholds at its value', async () => {
    await checkProperty(
      'changepoint: order and constants',
      fc.property(distinctish, fc.integer(), fc.double({ min: -5, max: 5, noNaN: true }), fc.integer({ min: 0, max: 40 }), (values, seed, c, n) => {
        const shuffled = [...values];
        let s = seed >>> 0 || 1;
        for (let i = shuffled.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          const j = s % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        const a = changePoint(values);
        const b = changePoint(shuffled);
        expect([b.breakpoint, b.usedFallback]).toEqual([a.breakpoint, a.usedFallback]);
        expect(Object.is(a.threshold, b.threshold) || (Number.isNaN(a.threshold) && Number.isNaN(b.threshold))).toBe(true);
        const constant = changePoint(new Array<number>(n).fill(c));
        if (n > 0) expect(constant.threshold === c).toBe(true);
      }),
      1000,
    );
  });
});
