import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/random/rng';
import { halvesWithTest, randomThirds } from '../../../src/core/experiment/split';
import { generateSynthetic, MAX_SYNTH_ROWS, scenarioCounts } from '../../../src/core/synth/generate';
import { regimeVerdict } from '../../../src/core/experiment/regime';
import { groundTruthReport } from '../../../src/core/experiment/groundTruth';
import { performanceGapRecovered } from '../../../src/core/experiment/protocol';
import { probabilityColumn } from '../../../src/pipeline/weakVotes';
import { InputError } from '../../../src/core/errors';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(7), b = new Rng(7), c = new Rng(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });
  it('draws uniform values with the right mean and normals with unit variance', () => {
    const r = new Rng(1);
    let s = 0, s2 = 0;
    const N = 200000;
    for (let i = 0; i < N; i++) s += r.next();
    expect(s / N).toBeCloseTo(0.5, 2);
    s = 0;
    for (let i = 0; i < N; i++) { const z = r.normal(); s += z; s2 += z * z; }
    expect(s / N).toBeCloseTo(0, 1);
    expect(s2 / N).toBeCloseTo(1, 1);
  });
  it('samples without replacement', () => {
    const r = new Rng(3);
    const pool = Int32Array.from({ length: 50 }, (_, i) => i * 2);
    const s = r.sample(pool, 50);
    expect(new Set(s).size).toBe(50);
    expect([...s].every((v) => v % 2 === 0)).toBe(true);
    expect(() => r.sample(pool, 51)).toThrow();
  });
});

describe('splits', () => {
  it('randomThirds covers every row once with sizes within one', () => {
    for (const n of [3, 10, 1001]) {
      const s = randomThirds(n, 5);
      const counts = [0, 0, 0];
      s.forEach((c) => counts[c]++);
      expect(counts.reduce((a, b) => a + b)).toBe(n);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    expect(randomThirds(100, 1)).toEqual(randomThirds(100, 1));
    expect(randomThirds(100, 1)).not.toEqual(randomThirds(100, 2));
  });
  it('halvesWithTest keeps test rows and halves the rest', () => {
    const isTest = Array.from({ length: 30 }, (_, i) => i >= 20);
    const s = halvesWithTest(isTest, 0);
    expect([...s.slice(20)].every((c) => c === 2)).toBe(true);
    expect([...s.slice(0, 20)].filter((c) => c === 0).length).toBe(10);
  });
});

describe('synthetic generator (METHOD.md section 5)', () => {
  it('refuses more rows than it makes before allocating anything, naming the bound', () => {
    for (const [o, nn] of [[5_000_000_000, 10], [1e20, 0], [MAX_SYNTH_ROWS, 1]]) {
      expect(() => generateSynthetic({ scenario: 'mixed', nOverlap: o, nNonOverlap: nn, seed: 0 })).toThrow(InputError);
    }
    expect(() => generateSynthetic({ scenario: 'mixed', nOverlap: 5_000_000_000, nNonOverlap: 10, seed: 0 })).toThrow(/at most 10,000,000 rows in all/);
    expect(generateSynthetic({ scenario: 'mixed', nOverlap: 30, nNonOverlap: 30, seed: 0 }).labels.length).toBeGreaterThan(0);
  });

  it('has the scenario counts and zeroes the absent block', () => {
    expect(scenarioCounts('mixed', 10, 7)).toEqual([4, 3, 10]);
    expect(scenarioCounts('easy', 10, 7)).toEqual([7, 0, 10]);
    expect(scenarioCounts('hard', 10, 7)).toEqual([0, 7, 10]);
    const d = generateSynthetic({ scenario: 'mixed', nOverlap: 300, nNonOverlap: 300, seed: 4 });
    expect(d.strong.cols).toBe(40);
    for (let i = 0; i < d.labels.length; i++) {
      const row = d.strong.data.subarray(i * 40, i * 40 + 40);
      const weakRow = d.weak.data.subarray(i * 40, i * 40 + 40);
      const easyZero = row.subarray(0, 20).every((v) => v === 0);
      const hardZero = row.subarray(20).every((v) => v === 0);
      expect(easyZero).toBe(d.membership[i] === 1);
      expect(hardZero).toBe(d.membership[i] === 0);
      expect(weakRow.subarray(20).every((v) => v === 0)).toBe(true);
      expect(Array.from(weakRow.subarray(0, 20))).toEqual(Array.from(row.subarray(0, 20)));
    }
  });
  it('shifts class means by +-theta with noise variance 5', () => {
    const d = generateSynthetic({ scenario: 'easy', nOverlap: 20000, nNonOverlap: 0, seed: 9 });
    let mean0 = 0, var0 = 0, n1 = 0;
    for (let i = 0; i < d.labels.length; i++) {
      const sign = d.labels[i] === 1 ? 1 : -1;
      const x = d.strong.data[i * 40];
      mean0 += sign * x;
      n1++;
    }
    mean0 /= n1;
    for (let i = 0; i < d.labels.length; i++) {
      const sign = d.labels[i] === 1 ? 1 : -1;
      var0 += (d.strong.data[i * 40] - sign * mean0) ** 2;
    }
    expect(mean0).toBeCloseTo(d.theta[0], 1);
    expect(var0 / n1).toBeGreaterThan(4.7);
    expect(var0 / n1).toBeLessThan(5.3);
  });
});

describe('regime verdict', () => {
  it('says low when W2S is below weak, high when PGR >= 0.5, medium between, undetermined without a gap', () => {
    expect(regimeVerdict({ weak: 0.7, strong: 0.85, w2s: 0.6 }, performanceGapRecovered(0.7, 0.85, 0.6), 1000).label).toBe('low');
    expect(regimeVerdict({ weak: 0.7, strong: 0.85, w2s: 0.81 }, performanceGapRecovered(0.7, 0.85, 0.81), 1000).label).toBe('high');
    expect(regimeVerdict({ weak: 0.7, strong: 0.85, w2s: 0.72 }, performanceGapRecovered(0.7, 0.85, 0.72), 1000).label).toBe('medium');
    const u = regimeVerdict({ weak: 0.75, strong: 0.752, w2s: 0.74 }, performanceGapRecovered(0.75, 0.752, 0.74), 1000);
    expect(u.label).toBe('undetermined');
    expect(u.rule).toContain('0.750');
  });
  it('PGR is null without a gap, also when the strong model is worse than the weak one', () => {
    expect(performanceGapRecovered(0.7, 0.7, 0.8)).toBeNull();
    expect(performanceGapRecovered(0.6, 0.8, 0.7)).toBeCloseTo(0.5, 12);
    // strong 0.34 below weak 0.83: the ratio would read 1.00 for W2S 0.34, a recovered gap that is not there
    expect(performanceGapRecovered(0.83, 0.34, 0.34)).toBeNull();
  });
  it('reads a PGR of exactly one half as high, though floating point computes 0.3 / 0.6 as 0.49999999999999994', () => {
    const pgr = performanceGapRecovered(0.4, 1.0, 0.7)!;
    expect(pgr).toBeLessThan(0.5);
    const v = regimeVerdict({ weak: 0.4, strong: 1.0, w2s: 0.7 }, pgr, 30);
    expect(v.label).toBe('high');
    expect(v.rule).toContain('PGR 0.50 >= 0.5');
  });
});

describe('ground truth report', () => {
  it('computes per-category P/R/F1 and the confusion matrix', () => {
    const truth = [0, 0, 1, 1, 2, 2, 2, 2];
    const pred = [0, 2, 1, 1, 2, 2, 0, 1];
    const g = groundTruthReport(truth, pred);
    expect(g.confusion).toEqual([[1, 0, 1], [0, 2, 0], [1, 1, 2]]);
    expect(g.perCategory.overlap.precision).toBeCloseTo(2 / 3, 12);
    expect(g.perCategory.overlap.recall).toBeCloseTo(0.5, 12);
    expect(g.perCategory.overlap.f1).toBeCloseTo(4 / 7, 12);
    expect(g.perCategory.hard.precision).toBeCloseTo(2 / 3, 12);
    expect(g.trueOverlapDensity).toBeCloseTo(0.5, 12);
    expect(g.densityError).toBeCloseTo(3 / 8 - 0.5, 12);
  });
});

describe('weak side from probability columns (votes: test/unit/votes)', () => {
  it('reads scalar and per-class probability columns', () => {
    expect(Array.from(probabilityColumn([0.25, '1'], 2, { field: 'p' }))).toEqual([0.75, 0.25, 0, 1]);
    expect(Array.from(probabilityColumn([[0.25, 0.25, 0.5]], 3, { field: 'p' }))).toEqual([0.25, 0.25, 0.5]);
    // scores that are not probabilities are refused, not rescaled ([0.9, 0.8] read as 0.53 / 0.47 before)
    expect(() => probabilityColumn([[1, 1, 2]], 3, { field: 'p' })).toThrow(/has 2 at position 2, not a probability/);
    expect(() => probabilityColumn([[0.9, 0.8]], 2, { field: 'p' })).toThrow(/sums to 1.7, not 1/);
    expect(() => probabilityColumn([1.5], 2, { field: 'p', file: 'f.csv', lines: [3] })).toThrow(InputError);
  });
});

describe('regime: a strong model at chance level', () => {
  it('is undetermined however large the PGR, and says why; above chance the usual rules hold', async () => {
    const { regimeVerdict, chanceAccuracy, AT_CHANCE_RULE } = await import('../../../src/core/experiment/regime');
    // 100 balanced classes on 500 test rows: always answering the most common class scores ~0.01-0.02
    const labels = Int32Array.from({ length: 500 }, (_, i) => i % 100);
    labels[0] = 1; // one class a row more common: 6 of 500
    const chance = chanceAccuracy(labels);
    expect(chance).toBeCloseTo(6 / 500, 12);
    const r = regimeVerdict({ weak: 0.006, strong: 0.012, w2s: 0.01 }, 0.67, 500, chance);
    expect(r.label).toBe('undetermined');
    expect(r.rule.startsWith(AT_CHANCE_RULE)).toBe(true);
    expect(r.rule).toMatch(/strong 0\.012 is within 0\.005 of 0\.012/);
    // the same accuracies without a chance level (or far above it) keep the old rule's label
    expect(regimeVerdict({ weak: 0.006, strong: 0.012, w2s: 0.01 }, 0.67, 500).label).toBe('high');
    expect(regimeVerdict({ weak: 0.7, strong: 0.85, w2s: 0.81 }, 0.73, 1000, 0.5).label).toBe('high');
    // an imbalanced test set: 90% majority, strong 0.905 is no better than answering the majority
    expect(regimeVerdict({ weak: 0.6, strong: 0.905, w2s: 0.9 }, 0.98, 1000, 0.9).label).toBe('undetermined');
    expect(chanceAccuracy(new Int32Array(0))).toBe(0);
  });
});
