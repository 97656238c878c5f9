import { describe, expect, it } from 'vitest';
import { withMovedThresholds } from '../../../src/extension/movedThresholds';
import { lensTitle } from '../../../src/extension/summaryText';
import { result, row } from './builders';

describe('thresholds moved in the report', () => {
  const base = result([row(0, 1, 'easy'), row(1, 2, 'hard'), row(2, 3, null), row(3, 4, 'overlap')]);

  it('recolours W2S-train rows, recounts the partition and keeps the original intact', () => {
    const moved = withMovedThresholds(base, { t1: 0.2, t2: 0.1 }, ['overlap', 'overlap', 'overlap', 'overlap']);
    expect(moved.rows.map((r) => r.category)).toEqual(['overlap', 'overlap', null, 'overlap']);
    expect(moved.detection.counts).toEqual({ easy: 0, hard: 0, overlap: 3 });
    expect(moved.detection.overlapDensity).toBe(1);
    expect(moved.detection.confidenceThreshold).toBe(0.2);
    expect(lensTitle(moved)).toMatch(/^overlap density 100\.0% · 3 overlap rows · medium W2S /);
    expect(base.rows[0]!.category).toBe('easy');
    expect(base.detection.counts.overlap).toBe(1);
  });

  it('refuses categories that do not line up with the rows', () => {
    expect(() => withMovedThresholds(base, { t1: 0, t2: null }, ['easy'])).toThrow(/1 categories for 4 rows/);
  });
});
