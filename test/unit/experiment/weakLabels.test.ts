/** Weak hard labels: the votes' tie-broken labels when the weak side has them, else the argmax (one rule for all). */
import { describe, expect, it } from 'vitest';
import { labelAccuracy, weakHardLabels } from '../../../src/core/experiment/protocol';

describe('weakHardLabels', () => {
  // Three rows, two classes: row 1 is a tie (0.5 / 0.5), row 2 uncovered (uniform as well).
  const probs = Float64Array.from([0.9, 0.1, 0.5, 0.5, 0.5, 0.5]);
  it('takes the votes’ own labels (ties drawn at random upstream), not the first class of a tie', () => {
    const labels = Int32Array.from([0, 1, 1]);
    expect(Array.from(weakHardLabels({ kind: 'probabilities', probs, labels }, probs, 2))).toEqual([0, 1, 1]);
    expect(labelAccuracy(weakHardLabels({ kind: 'probabilities', probs, labels }, probs, 2), Int32Array.from([0, 1, 1]))).toBe(1);
  });
  it('falls back to the argmax (first class on ties) without labels', () => {
    expect(Array.from(weakHardLabels({ kind: 'probabilities', probs }, probs, 2))).toEqual([0, 0, 0]);
    expect(labelAccuracy(Int32Array.from([0, 0, 0]), Int32Array.from([0, 1, 1]))).toBeCloseTo(1 / 3, 12);
    expect(labelAccuracy(new Int32Array(0), new Int32Array(0))).toBeNaN();
  });
});
