import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../../src/core/experiment/verdict';
import { historyTrend, largeFileMessage, lensTitle, resultTooltip, statusText, treeDescription } from '../../../src/extension/summaryText';
import { result, row } from './builders';

function resultWith(overlap: number, total: number, pgr: number | null) {
  const rows = Array.from({ length: total }, (_, i) => row(i, i + 1, i < overlap ? 'overlap' : 'easy'));
  return result(rows, { pgr });
}

/** Ten seeds of a mixing curve: flat (rise 0) or rising, each seed shifted a little; random baseline `random`. */
function withCurve(r: ReturnType<typeof resultWith>, rise: number, random: number) {
  const proportions = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  const perSeed = Array.from({ length: 10 }, (_, s) => proportions.map((p, j) => 0.8 + rise * p + 0.002 * (((s + j) % 3) - 1)));
  const baseline = Array.from({ length: 10 }, (_, s) => random + 0.001 * ((s % 3) - 1));
  const mean = proportions.map((_, j) => perSeed.reduce((a, c) => a + c[j], 0) / 10);
  return {
    ...r,
    mixing: {
      proportions, mean, std: mean.map(() => 0), min: mean, max: mean, perSeed, subsetSize: 400,
      randomBaseline: { mean: random, std: 0, perSeed: baseline }, seeds: perSeed.map((_, s) => s),
    },
  };
}

describe('summary text', () => {
  it('writes the CodeLens line: density, overlap rows, and the verdict headline', () => {
    const r = resultWith(412, 1784, 0.41);
    expect(lensTitle(r)).toBe('overlap density 23.1% · 412 overlap rows · medium W2S (PGR 0.41); the overlap effect is not measured');
    expect(lensTitle(withCurve(r, 0.04, 0.81))).toBe('overlap density 23.1% · 412 overlap rows · medium W2S (PGR 0.41), and overlap rows help');
    expect(lensTitle(withCurve({ ...r, regime: { label: 'high', rule: '' } }, 0, 0.8))).toBe(
      'overlap density 23.1% · 412 overlap rows · high W2S (PGR 0.41), but overlap rows do not explain it',
    );
  });

  it('says n/a for an undefined PGR and uses the singular for one row', () => {
    const r = resultWith(1, 10, null);
    expect(lensTitle(r)).toBe('overlap density 10.0% · 1 overlap row · medium W2S (PGR n/a); the overlap effect is not measured');
  });

  it('puts the verdict headline in the status bar, its sentence and sanity notices in the tooltip, a warning when stale', () => {
    const r = withCurve(resultWith(412, 1784, 0.41), 0, 0.8);
    const v = verdictOf(r);
    expect(treeDescription(r)).toBe('23.1% · medium');
    expect(statusText(r, false)).toBe(`$(graph) Overlap 23.1% · ${v.headline}`);
    expect(statusText(r, false)).toBe('$(graph) Overlap 23.1% · medium W2S (PGR 0.41), and overlap rows do not help');
    expect(statusText(r, true)).toContain('out of date');
    const tip = resultTooltip(r).split('\n');
    expect(tip[0]).toBe(v.sentence);
    expect(tip[1]).toMatch(/^Note: overlap and non-overlap rows do not differ measurably/);
  });

  it('explains why editor features are off on big files', () => {
    expect(largeFileMessage('big.jsonl', 120 * 1024 * 1024)).toMatch(/big\.jsonl is 120 MB.*over 50 MB.*Analysis still runs/);
  });
});

describe('historyTrend', () => {
  const at = (i: number, density: number, sha: string | null, pgr: number | null = 0.4) =>
    ({ createdAt: `2026-12-0${i}T10:00:00.000Z`, density, pgr, regime: 'medium', sha256: sha });

  it('lists the kept analyses oldest first with the density change and whether the data changed', () => {
    // listHistory gives newest first.
    const lines = historyTrend([at(3, 0.2, 'b'), at(2, 0.25, 'a'), at(1, 0.25, 'a', null)]);
    expect(lines).toEqual([
      'History: the last 3 of 3 kept analyses, oldest first',
      '2026-12-01 10:00 · density 25.0% · PGR n/a · medium',
      '2026-12-02 10:00 · density 25.0% (no change) · PGR 0.40 · medium',
      '2026-12-03 10:00 · density 20.0% (-5.0 points, data changed) · PGR 0.40 · medium',
    ]);
  });

  it('shows at most max entries, the newest, and nothing without history', () => {
    const many = Array.from({ length: 12 }, (_, k) => at(1, 0.1 + k / 100, 'x'));
    const lines = historyTrend(many, 4);
    expect(lines[0]).toBe('History: the last 4 of 12 kept analyses, oldest first');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toContain('density 10.0%');
    expect(historyTrend([])).toEqual([]);
  });
});
