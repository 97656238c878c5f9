import { describe, expect, it } from 'vitest';
import { detectorSanity, overlapEffect } from '../../../src/core/experiment/effect';
import { DEFAULT_PROPORTIONS } from '../../../src/core/experiment/mixing';
import { chanceAccuracy, regimeRuleText, regimeVerdict } from '../../../src/core/experiment/regime';
import { verdictEvidence } from '../../../src/core/experiment/verdict';
import type { MixingCurve } from '../../../src/core/result/schema';

/**
 * Words of the verdict with many classes, where accuracies sit at or below the majority answer (found on a 20-class
 * JSONL with labels unrelated to the text: weak 0.050, strong 0.043, W2S 0.040, majority 0.077 on 300 test rows).
 */

const P = DEFAULT_PROPORTIONS;

/** A mixing curve whose seeds give `perSeed(s, p)`, with a flat random baseline. */
function curve(perSeed: (s: number, p: number) => number, seeds = 10, m = 100): MixingCurve {
  const rows = Array.from({ length: seeds }, (_, s) => P.map((p) => perSeed(s, p)));
  const mean = P.map((_, j) => rows.reduce((a, r) => a + r[j], 0) / seeds);
  const baseline = Array.from({ length: seeds }, (_, s) => perSeed(s, 1));
  return {
    proportions: P, mean, std: P.map(() => 0), min: mean, max: mean, perSeed: rows, subsetSize: m,
    randomBaseline: { mean: baseline.reduce((a, b) => a + b, 0) / seeds, std: 0, perSeed: baseline }, seeds: rows.map((_, s) => s),
  };
}

describe('regime rule with a strong model below the majority answer', () => {
  it('says "below", never "within" a margin it is not within, and leaves out the weak-vs-strong margin', () => {
    // 20 classes on 300 test rows: the most common holds 23
    const labels = Int32Array.from({ length: 300 }, (_, i) => (i < 23 ? 0 : 1 + (i % 19)));
    const chance = chanceAccuracy(labels);
    expect(chance).toBeCloseTo(23 / 300, 12);
    const r = regimeVerdict({ weak: 0.05, strong: 0.043, w2s: 0.04 }, null, 300, chance);
    expect(r.label).toBe('undetermined');
    expect(r.rule).toContain('strong 0.043 is below 0.077');
    expect(r.rule).not.toMatch(/within/);
    // one margin in the sentence: the one the rule used (0.012 for the strong accuracy), not also the weak one's 0.013
    expect(r.rule).not.toMatch(/margin/);
    // at or just above the majority answer it is "within" its margin, as before
    expect(regimeVerdict({ weak: 0.05, strong: 0.08, w2s: 0.04 }, null, 300, chance).rule).toContain('strong 0.080 is within 0.016 of 0.077');
  });

  it('the rule after the word "regime" names its label once', () => {
    const r = regimeVerdict({ weak: 0.338, strong: 0.5, w2s: 0.347 }, 0.06, 400, 0.25);
    expect(r.rule.startsWith('medium: ')).toBe(true);
    expect(regimeRuleText(r)).toBe(r.rule);
    expect(regimeRuleText({ label: 'high', rule: 'W2S recovers most of the gap' })).toBe('high: W2S recovers most of the gap');
  });
});

describe('verdict when the strong model is at chance', () => {
  const labels = Int32Array.from({ length: 300 }, (_, i) => (i < 23 ? 0 : 1 + (i % 19)));
  const regime = regimeVerdict({ weak: 0.05, strong: 0.043, w2s: 0.04 }, null, 300, chanceAccuracy(labels));
  // noise around 0.04 with no trend: measured, it would read "overlap rows do not help"
  const noisy = curve((s, p) => 0.04 + 0.004 * Math.sin(7 * s + 13 * p));
  const counts = { easy: 100, hard: 105, overlap: 95 };

  it('does not measure an overlap effect from a curve of guesses', () => {
    const ev = verdictEvidence({ regime, pgr: null, mixing: noisy, detection: { counts } });
    expect(ev.verdict.overlap).toBe('unmeasured');
    expect(ev.verdict.headline).toBe(
      'W2S undetermined (the strong model does no better than always answering the most common class); the overlap effect is not measured',
    );
    expect(ev.verdict.sentence).toMatch(/strong model, which is at chance level, so its differences are noise$/);
    expect(ev.verdict.sentence).not.toMatch(/do not help/);
    // nor a sanity notice that words the same noise as a measured (absent) difference
    expect(ev.sanity.categoriesIndistinct).toBe(false);
    expect(ev.sanity.notices).toEqual([]);
  });

  it('a strong model above chance keeps the measured effect', () => {
    const above = regimeVerdict({ weak: 0.3, strong: 0.5, w2s: 0.35 }, 0.25, 300, chanceAccuracy(labels));
    const ev = verdictEvidence({ regime: above, pgr: 0.25, mixing: noisy, detection: { counts } });
    expect(ev.verdict.overlap).toBe('no-better');
    expect(ev.verdict.sentence).toMatch(/overlap rows do not help: training on them is/);
  });
});

describe('detector sanity words', () => {
  it('names the seed count once when every seed gave the same value', () => {
    const flat = curve(() => 0.0, 10, 200);
    const s = detectorSanity({ easy: 130, hard: 105, overlap: 165 }, overlapEffect(flat));
    expect(s.notices).toHaveLength(1);
    expect(s.notices[0]).toContain('is +0.000 in each of the 10 seeds;');
    expect(s.notices[0]).not.toMatch(/seeds \(10 seeds\)/);
    // with a spread the count follows the interval, as before
    const spread = curve((seed, p) => 0.5 + 0.002 * Math.sin(3 * seed + 5 * p), 10, 200);
    expect(detectorSanity({ easy: 130, hard: 105, overlap: 165 }, overlapEffect(spread)).notices[0]).toMatch(/95% CI [^;]+ \(10 seeds\); /);
  });

  it('says nothing about a difference the verdict calls not measured (subsets under 20 rows)', () => {
    const small = overlapEffect(curve(() => 0.49, 10, 10))!;
    expect(small.tooSmall).toBe(true);
    const s = detectorSanity({ easy: 5, hard: 5, overlap: 10 }, small);
    expect(s.categoriesIndistinct).toBe(false);
    expect(s.notices).toEqual([]);
    const ev = verdictEvidence({ regime: { label: 'medium', rule: 'medium: x' }, pgr: 0.1, mixing: curve(() => 0.49, 10, 10), detection: { counts: { easy: 5, hard: 5, overlap: 10 } } });
    expect(ev.verdict.sentence).toMatch(/the mixing subsets hold only 10 rows/);
    expect(ev.sanity.notices).toEqual([]);
  });

  it('shows a class name with control characters as one printable line', () => {
    const s = detectorSanity({ easy: 10, hard: 10, overlap: 30 }, null, { label: 1, name: 'neg\n\u001b[31mlong', overlap: 30, classes: 4 });
    expect(s.notices[0]).toContain('overlap rows "neg\ufffd\ufffd[31mlong"');
    expect(s.notices[0]).not.toMatch(/[\n\u001b]/);
  });
});

