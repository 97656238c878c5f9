import { describe, expect, it } from 'vitest';
import { compareAnalyses, curationPlan } from '../../../src/core/curate';
import { result, row } from '../extension/builders';

describe('compareAnalyses (input vs curated, side by side)', () => {
  const input = result([row(0, 1, 'overlap'), row(1, 2, 'overlap'), row(2, 3, 'easy'), row(3, 4, 'hard'), row(4, 5, 'easy'), row(5, 6, null)]);
  const plan = curationPlan(input.rows, { size: 3 });

  it('shows the share of the input\'s overlap rows in both, and the density each analysis detects', () => {
    // The curated file's own detection found no overlap (no hard-only rows left to be aligned with).
    const curated = result([row(0, 1, 'easy'), row(1, 2, 'easy'), row(2, 3, 'easy')], { accuracy: { weak: 0.7, strong: 0.9, w2s: 0.8 } });
    const { lines, note } = compareAnalyses(input, curated, plan);
    const line = (label: string) => lines.find((l) => l.label === label)!;
    expect(line("overlap rows by the input's detection")).toEqual({ label: "overlap rows by the input's detection", input: '40.0% (2 of 5)', curated: '66.7% (2 of 3)' });
    expect(line('overlap density, detected again')).toMatchObject({ input: '40.0% (2 of 5)', curated: '0.0% (0 of 3)' });
    expect(line('W2S accuracy')).toMatchObject({ input: '0.780', curated: '0.800' });
    expect(note).toMatch(/higher W2S accuracy \(\+0\.020\)/);
    expect(note).toMatch(/calls 0\.0% of its W2S-train half overlap, although 66\.7% of its rows were overlap rows of the input/);
  });

  it('says "about the same" within half a point and leaves out the detection remark when the densities agree', () => {
    const curated = result([row(0, 1, 'overlap'), row(1, 2, 'overlap'), row(2, 3, 'easy')], { accuracy: { weak: 0.7, strong: 0.9, w2s: 0.782 } });
    const { note } = compareAnalyses(input, curated, plan);
    expect(note).toMatch(/about the same W2S accuracy as the input/);
    expect(note).not.toMatch(/relative to its own hard-only rows/);
  });
});
