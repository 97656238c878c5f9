import { describe, expect, it } from 'vitest';
import { EASY, HARD, OVERLAP } from '../../../src/core/detect/types';
import { partition } from '../../../src/core/report/partition';
import { isHard } from '../../../src/core/detect/resolve';
import { toColumns } from '../../../src/protocol/columns';
import { buildResult } from './build';

const scores = (c: number[], a: number[], hardRule: 'segment' | 'probing' = 'segment') => ({
  confidence: Float64Array.from(c),
  alignment: Float64Array.from(a),
  hardRule,
});

describe('partition', () => {
  it('applies stage 1 by rule: segment hard = c < t1, probing hard = c <= t1', () => {
    expect(isHard(0.3, 0.3, 'segment')).toBe(false);
    expect(isHard(0.3, 0.3, 'probing')).toBe(true);
    const p = partition(scores([0.1, 0.3, 0.5], [NaN, 0.2, 0.9], 'segment'), 0.3, 0.5);
    expect(Array.from(p.categories)).toEqual([HARD, EASY, OVERLAP]);
    const q = partition(scores([0.1, 0.3, 0.5], [NaN, 0.2, 0.9], 'probing'), 0.3, 0.5);
    expect(Array.from(q.categories)).toEqual([HARD, HARD, OVERLAP]);
  });

  it('stage 2: overlap = score >= t2 among the non-hard rows, density = |overlap| / n', () => {
    const p = partition(scores([0.9, 0.9, 0.9, 0.1], [0.49, 0.5, 0.7, NaN]), 0.5, 0.5);
    expect(Array.from(p.categories)).toEqual([EASY, OVERLAP, OVERLAP, HARD]);
    expect(p.counts).toEqual({ easy: 1, hard: 1, overlap: 2 });
    expect(p.overlapDensity).toBe(0.5);
  });

  it('no hard rows (or no t2) means no overlap, as in the reference', () => {
    expect(partition(scores([0.9, 0.8], [0.9, 0.9]), 0.1, 0.5).counts).toEqual({ easy: 2, hard: 0, overlap: 0 });
    expect(partition(scores([0.9, 0.05], [0.9, NaN]), 0.1, null).counts).toEqual({ easy: 1, hard: 1, overlap: 0 });
  });

  it('rows without a stage-2 score that leave the hard set count easy-only and are reported', () => {
    const p = partition(scores([0.1, 0.2, 0.9], [NaN, NaN, 0.8]), 0.15, 0.5);
    expect(Array.from(p.categories)).toEqual([HARD, EASY, OVERLAP]);
    expect(p.unscored).toBe(1);
  });

  it('reproduces the detected categories of a result at the detected thresholds', () => {
    for (const hardRule of ['segment', 'probing'] as const) {
      const r = buildResult({ w2s: 500, hardRule, t1: 0.3, t2: 0.6 });
      const c = toColumns(r);
      const p = partition({ confidence: c.confidence, alignment: c.alignment, hardRule }, r.detection.confidenceThreshold, r.detection.alignThreshold);
      expect(Array.from(p.categories)).toEqual(Array.from(c.category));
      expect(p.counts).toEqual(r.detection.counts);
      expect(p.unscored).toBe(0);
    }
  });

  it('is monotone: raising t1 never shrinks the hard set, raising t2 never grows the overlap', () => {
    const c = toColumns(buildResult({ w2s: 400 }));
    const s = { confidence: c.confidence, alignment: c.alignment, hardRule: 'segment' as const };
    let hard = -1;
    let overlap = Infinity;
    for (let t = 0; t <= 1.0001; t += 0.05) {
      const h = partition(s, t, 0.6).counts.hard;
      expect(h).toBeGreaterThanOrEqual(hard);
      hard = h;
      const o = partition(s, 0.3, t).counts.overlap;
      expect(o).toBeLessThanOrEqual(overlap);
      overlap = o;
    }
  });

  it('reuses the output buffer', () => {
    const s = scores([0.1, 0.9], [NaN, 0.9]);
    const out = new Uint8Array(2);
    expect(partition(s, 0.5, 0.5, out).categories).toBe(out);
  });
});
