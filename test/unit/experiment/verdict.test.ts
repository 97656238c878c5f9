import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COVERAGE_LIMIT, detectorSanity, effectDirection, effectEstimate, MIN_EFFECT_SUBSET, olsSlope, overlapEffect, seedsToResolve,
  effectText, signedAcc, tQuantile975,
} from '../../../src/core/experiment/effect';
import { verdictEvidence, verdictOf, type VerdictInput } from '../../../src/core/experiment/verdict';
import { DEFAULT_PROPORTIONS } from '../../../src/core/experiment/mixing';
import { Rng } from '../../../src/core/random/rng';
import type { EffectEstimate, MixingCurve, RegimeLabel } from '../../../src/core/result/schema';

const P = DEFAULT_PROPORTIONS;

/** A mixing curve over `seeds` seeds: acc(p) = base + rise p + N(0, noise^2) per point; random baseline per seed. */
function curve(o: { seeds?: number; base: number; rise: number; noise?: number; random: number; m?: number; seed?: number }): MixingCurve {
  const rng = new Rng(o.seed ?? 1);
  const seeds = o.seeds ?? 10;
  const noise = o.noise ?? 0.004;
  const perSeed = Array.from({ length: seeds }, () => P.map((p) => o.base + o.rise * p + noise * rng.normal()));
  const baseline = Array.from({ length: seeds }, () => o.random + noise * rng.normal());
  const col = (j: number) => perSeed.map((r) => r[j]);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    proportions: P, mean: P.map((_, j) => mean(col(j))), std: P.map(() => 0), min: P.map((_, j) => Math.min(...col(j))),
    max: P.map((_, j) => Math.max(...col(j))), perSeed, subsetSize: o.m ?? 500,
    randomBaseline: { mean: mean(baseline), std: 0, perSeed: baseline }, seeds: Array.from({ length: seeds }, (_, s) => s),
  };
}

function input(label: RegimeLabel, pgr: number | null, mixing: MixingCurve | null, counts = { easy: 600, hard: 300, overlap: 500 }): VerdictInput {
  return { regime: { label, rule: '' }, pgr, mixing, detection: { counts } };
}

describe('Student t quantile and OLS slope', () => {
  it('matches scipy.stats.t.ppf(0.975, df) in the table and in the expansion', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.7062047362, 9);
    expect(tQuantile975(2)).toBeCloseTo(4.3026527297, 9);
    expect(tQuantile975(9)).toBeCloseTo(2.2621571628, 9);
    // scipy values beyond the table
    const ref: [number, number][] = [[31, 2.0395134464], [40, 2.0210753903], [60, 2.000297822], [120, 1.9799304051], [1000, 1.9623390808]];
    for (const [df, t] of ref) expect(Math.abs(tQuantile975(df) - t)).toBeLessThan(2e-6);
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });

  it('the slope of a line over the proportions is its rise acc(1) - acc(0)', () => {
    expect(olsSlope(P, P.map((p) => 0.7 + 0.03 * p))).toBeCloseTo(0.03, 12);
    expect(olsSlope(P, P.map(() => 0.8))).toBeCloseTo(0, 12);
    expect(olsSlope([1, 1], [0, 5])).toBe(0);
  });
});

describe('effect estimate: known per-seed values give a known interval', () => {
  it('three seeds 0.01, 0.02, 0.03: mean 0.02, sd 0.01, t(2) interval contains 0', () => {
    const e = effectEstimate([0.01, 0.02, 0.03]);
    const half = (4.3026527297 * 0.01) / Math.sqrt(3);
    expect(e.mean).toBeCloseTo(0.02, 12);
    expect(e.sd).toBeCloseTo(0.01, 12);
    expect(e.low).toBeCloseTo(0.02 - half, 9);
    expect(e.high).toBeCloseTo(0.02 + half, 9);
    expect(e.status).toBe('unresolved');
    // k = 4: t(3) 0.01 / 2 = 0.0159 < 0.02
    expect(e.seedsToResolve).toBe(4);
  });

  it('four seeds 0.05..0.08 are supported, their negatives contradicted', () => {
    const e = effectEstimate([0.05, 0.06, 0.07, 0.08]);
    const half = (3.1824463053 * Math.sqrt(0.0005 / 3)) / 2; // sd of 0.05..0.08 is sqrt(0.0005 / 3)
    expect(e.low).toBeCloseTo(0.065 - half, 6);
    expect(e.status).toBe('supported');
    expect(effectEstimate([-0.05, -0.06, -0.07, -0.08]).status).toBe('contradicted');
  });

  it('one seed has no interval; equal values have a zero-width one', () => {
    const one = effectEstimate([0.02]);
    expect(one).toMatchObject({ mean: 0.02, sd: null, low: null, high: null, status: 'no-interval' });
    expect(effectEstimate([0.01, 0.01]).status).toBe('supported');
    expect(() => effectEstimate([])).toThrow(RangeError);
  });

  it('seeds to resolve: none for a zero mean, the next count for zero spread', () => {
    expect(seedsToResolve(0, 0.01, 3)).toBeNull();
    expect(seedsToResolve(0.01, 0, 3)).toBe(4);
    expect(seedsToResolve(1e-6, 0.01, 3)).toBeNull();
  });

  it('direction: the interval against 0, then the size against 0.005', () => {
    expect(effectDirection(effectEstimate([0.02, 0.021, 0.022]))).toBe('positive');
    expect(effectDirection(effectEstimate([0.002, 0.0021, 0.0022]))).toBe('negligible');
    expect(effectDirection(effectEstimate([-0.02, -0.021, -0.022]))).toBe('negative');
    expect(effectDirection(effectEstimate([-0.02, 0.02, 0.0]))).toBe('unresolved');
  });

  it('words an effect: its interval, one seed without one, and every seed alike without a zero-width interval', () => {
    expect(effectText(effectEstimate([0.01, 0.02, 0.03]))).toMatch(/^\+0\.020, 95% CI -0\.\d{3} to \+0\.\d{3}$/);
    expect(effectText(effectEstimate([0.02]))).toBe('+0.020, one seed: no interval');
    expect(effectText(effectEstimate([0.18, 0.18, 0.18]))).toBe('+0.180 in each of the 3 seeds');
    // equal curves' slopes differ in their last bits: still the same value
    expect(effectText(effectEstimate([0.18, 0.18000000000000005, 0.17999999999999997]))).toBe('+0.180 in each of the 3 seeds');
    // close but not equal: an interval, with as many decimals as tell its ends apart
    expect(effectText(effectEstimate([0.18, 0.1801, 0.18]))).toMatch(/^\+0\.1800, 95% CI \+0\.\d{4} to \+0\.\d{4}$/);
    expect(effectText(effectEstimate([0.18, 0.18000001, 0.18]))).toMatch(/95% CI \+0\.\d{6} to \+0\.\d{6}$/);
  });

  it('formats signed accuracies without a negative zero', () => {
    expect(signedAcc(0.0314)).toBe('+0.031');
    expect(signedAcc(-0.0041)).toBe('-0.004');
    expect(signedAcc(-0.0001)).toBe('+0.000');
  });
});

describe('overlap effect of a mixing curve', () => {
  it('per seed: the slope over all proportions and acc(1) - random, paired by seed', () => {
    const m = curve({ base: 0.8, rise: 0.04, random: 0.81, seeds: 5 });
    const e = overlapEffect(m)!;
    expect(e.method).toBe('ols-slope');
    expect(e.seeds).toBe(5);
    expect(e.vsNonOverlap.perSeed).toEqual(m.perSeed.map((c) => olsSlope(P, c)));
    expect(e.vsRandom!.perSeed).toEqual(m.perSeed.map((c, s) => c[10] - m.randomBaseline!.perSeed[s]));
    // the mean of per-seed slopes is the slope of the plotted mean curve
    expect(e.vsNonOverlap.mean).toBeCloseTo(olsSlope(P, m.mean), 12);
    expect(overlapEffect(null)).toBeNull();
    expect(overlapEffect({ ...m, randomBaseline: null })!.vsRandom).toBeNull();
    expect(overlapEffect({ ...m, subsetSize: MIN_EFFECT_SUBSET - 1 })!.tooSmall).toBe(true);
  });
});

describe('verdict rule (table of cases)', () => {
  const cases: { name: string; label: RegimeLabel; pgr: number | null; mixing: MixingCurve | null; overlap: string; headline: string }[] = [
    {
      name: 'rising curve, above random, high PGR',
      label: 'high', pgr: 0.7, mixing: curve({ base: 0.8, rise: 0.05, random: 0.82 }),
      overlap: 'explains', headline: 'high W2S (PGR 0.70), and overlap rows explain it',
    },
    {
      name: "flat curve with high PGR (the issue's 4-class news set: 0.835-0.853, below the W2S line)",
      label: 'high', pgr: 0.67, mixing: curve({ base: 0.844, rise: 0, noise: 0.006, random: 0.845 }),
      overlap: 'no-better', headline: 'high W2S (PGR 0.67), but overlap rows do not explain it',
    },
    {
      name: "falling curve, medium (the issue's question set: 0.801 -> 0.770)",
      label: 'medium', pgr: 0.3, mixing: curve({ base: 0.801, rise: -0.031, random: 0.79 }),
      overlap: 'worse', headline: 'medium W2S (PGR 0.30), and overlap rows do not help',
    },
    {
      name: 'rising curve, medium, but the all-overlap subset is no better than random',
      label: 'medium', pgr: 0.26, mixing: curve({ base: 0.68, rise: 0.03, random: 0.71 }),
      overlap: 'partly', headline: 'medium W2S (PGR 0.26), and overlap rows help only in part',
    },
    {
      name: 'a consistent but tiny rise (+0.002) is not a gain',
      label: 'high', pgr: 0.9, mixing: curve({ base: 0.9, rise: 0.002, noise: 0.0002, random: 0.9 }),
      overlap: 'no-better', headline: 'high W2S (PGR 0.90), but overlap rows do not explain it',
    },
    {
      name: 'rising curve with low W2S',
      label: 'low', pgr: -0.5, mixing: curve({ base: 0.6, rise: 0.05, random: 0.61 }),
      overlap: 'explains', headline: 'low W2S (PGR -0.50), though overlap rows help',
    },
    {
      name: 'medium with a negative PGR (W2S under weak by less than the margin) says so',
      label: 'medium', pgr: -0.02, mixing: curve({ base: 0.6, rise: 0.05, random: 0.61 }),
      overlap: 'explains', headline: 'medium W2S (PGR -0.02, within noise of the weak model), and overlap rows help',
    },
    {
      name: 'no gap between weak and strong',
      label: 'undetermined', pgr: null, mixing: curve({ base: 0.8, rise: 0, random: 0.8 }),
      overlap: 'no-better', headline: 'W2S undetermined (the strong model is not better than the weak one); overlap rows do not help',
    },
    {
      name: 'no mixing curve',
      label: 'high', pgr: 0.8, mixing: null,
      overlap: 'unmeasured', headline: 'high W2S (PGR 0.80); the overlap effect is not measured',
    },
    {
      name: 'one seed',
      label: 'medium', pgr: 0.4, mixing: curve({ base: 0.8, rise: 0.05, random: 0.8, seeds: 1 }),
      overlap: 'unmeasured', headline: 'medium W2S (PGR 0.40); the overlap effect is not measured',
    },
    {
      name: 'subsets too small',
      label: 'medium', pgr: 0.4, mixing: curve({ base: 0.8, rise: 0.05, random: 0.8, m: 8 }),
      overlap: 'unmeasured', headline: 'medium W2S (PGR 0.40); the overlap effect is not measured',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = verdictOf(input(c.label, c.pgr, c.mixing));
      expect(v.overlap).toBe(c.overlap);
      expect(v.headline).toBe(c.headline);
      expect(v.sentence.startsWith(`${c.headline}: `)).toBe(true);
      expect(v.regime).toBe(c.label);
    });
  }

  it('writes the evidence: both effects with their intervals, or why there is none', () => {
    const flat = verdictOf(input('high', 0.67, curve({ base: 0.844, rise: 0, noise: 0.006, random: 0.845 })));
    expect(flat.sentence).toMatch(
      /^high W2S \(PGR 0\.67\), but overlap rows do not explain it: training on them is not measurably different from training on non-overlap rows \([+-]0\.\d{3}, 95% CI [+-]0\.\d{3} to [+-]0\.\d{3}\) and .* training on random rows \([+-]0\.\d{3}, 95% CI [+-]0\.\d{3} to [+-]0\.\d{3}\)$/,
    );
    const falling = verdictOf(input('medium', 0.3, curve({ base: 0.801, rise: -0.031, random: 0.79 })));
    expect(falling.sentence).toContain('training on them is worse than training on non-overlap rows (-0.03');
    expect(verdictOf(input('high', 0.8, null, { easy: 10, hard: 5, overlap: 0 })).sentence).toContain('no overlap rows were detected');
    expect(verdictOf(input('high', 0.8, null, { easy: 0, hard: 0, overlap: 30 })).sentence).toContain('every W2S-train row was called overlap');
    expect(verdictOf(input('medium', 0.4, curve({ base: 0.8, rise: 0.05, random: 0.8, m: 8 }))).sentence).toContain('only 8 rows');
    expect(verdictOf(input('medium', 0.4, curve({ base: 0.8, rise: 0.05, random: 0.8, seeds: 1 }))).sentence).toContain('2 or more seeds');
  });

  it('never says overlap rows help or explain W2S when the mean curve is flat or falling', () => {
    const rng = new Rng(42);
    for (let k = 0; k < 300; k++) {
      const rise = -0.05 + 0.05 * rng.next(); // flat or falling
      const seeds = 2 + Math.floor(rng.next() * 20);
      const m = curve({ base: 0.6 + 0.3 * rng.next(), rise, noise: 0.02 * rng.next(), random: 0.6 + 0.3 * rng.next(), seeds, seed: k });
      const e = overlapEffect(m)!;
      const v = verdictOf(input('high', 0.8, m));
      if (olsSlope(P, m.mean) < 0.005) {
        expect(['no-better', 'worse']).toContain(v.overlap);
        expect(v.headline).toMatch(/do not explain it$/);
      }
      expect(e.vsNonOverlap.mean).toBeCloseTo(olsSlope(P, m.mean), 10);
    }
  });

  it('uses a stored overlap effect as is and rebuilds it for older results', () => {
    const m = curve({ base: 0.8, rise: 0.05, random: 0.82 });
    const fresh = verdictEvidence(input('high', 0.7, m));
    const stored = verdictOf({ ...input('high', 0.7, m), overlapEffect: fresh.overlapEffect });
    expect(stored).toEqual(fresh.verdict);
    expect(verdictOf({ ...input('high', 0.7, m), overlapEffect: null }).overlap).toBe('unmeasured');
  });
});

describe('detector sanity', () => {
  const rising = overlapEffect(curve({ base: 0.8, rise: 0.05, random: 0.82 }));
  const flat = overlapEffect(curve({ base: 0.844, rise: 0, noise: 0.006, random: 0.845 }));

  it(`warns when overlap covers more than ${100 * COVERAGE_LIMIT}% of the non-hard rows (the issue's 593 / 85)`, () => {
    const s = detectorSanity({ easy: 85, hard: 322, overlap: 593 }, rising);
    expect(s.nonHardCoverage).toBeCloseTo(593 / 678, 12);
    expect(s.coversMostNonHard).toBe(true);
    expect(s.categoriesIndistinct).toBe(false);
    expect(s.notices).toHaveLength(1);
    expect(s.notices[0]).toMatch(/called 87% of the non-hard W2S-train rows overlap \(593 overlap, 85 easy-only; the limit is 75%\)/);
    const v = verdictOf(input('high', 0.7, curve({ base: 0.8, rise: 0.05, random: 0.82 }), { easy: 85, hard: 322, overlap: 593 }));
    expect(v.sentence).toMatch(/; caution: 87% of the rows the weak model is confident on were called overlap, so the categories barely separate$/);
  });

  it('overlap rows the weak model gives one label: a notice, and the effect is not measured (it would measure class balance)', () => {
    const m = curve({ base: 0.95, rise: -0.4, random: 1 });
    // 6 W2S-train rows, two classes; the overlap rows (positions 1, 3, 4) all get label 0, named "negative".
    const labels = Int32Array.from([1, 0, 1, 0, 0, 1]);
    const nameOf = (id: number) => ['negative', 'positive'][id]!;
    const one = verdictEvidence({ ...input('undetermined', null, m), overlapLabels: { pseudoLabels: labels, overlapPos: [1, 3, 4], nameOf } });
    expect(one.sanity.overlapOneClass).toEqual({ label: 0, name: 'negative', overlap: 3, classes: 2 });
    expect(one.sanity.notices.at(-1)).toMatch(/^the weak model labels all 3 overlap rows "negative" \(the W2S-train rows get 2 different labels\)/);
    expect(one.verdict.overlap).toBe('unmeasured');
    expect(one.verdict.sentence).toMatch(/the overlap effect is not measured: the weak model labels all 3 overlap rows "negative", so training on them alone cannot learn the other classes$/);
    // Two labels among the overlap rows, or one class in all of W2S-train: no such finding.
    expect(verdictEvidence({ ...input('high', 0.7, m), overlapLabels: { pseudoLabels: labels, overlapPos: [0, 1], nameOf } }).sanity.overlapOneClass).toBeNull();
    expect(verdictEvidence({ ...input('high', 0.7, m), overlapLabels: { pseudoLabels: new Int32Array(6), overlapPos: [0, 1], nameOf } }).sanity.overlapOneClass).toBeNull();
  });

  it('does not warn at or below the limit, nor without non-hard rows', () => {
    expect(detectorSanity({ easy: 25, hard: 10, overlap: 75 }, rising).coversMostNonHard).toBe(false);
    expect(detectorSanity({ easy: 0, hard: 10, overlap: 0 }, null)).toMatchObject({ nonHardCoverage: null, coversMostNonHard: false, notices: [] });
  });

  it('says so when the categories do not differ in what they teach (interval contains 0)', () => {
    const s = detectorSanity({ easy: 600, hard: 300, overlap: 500 }, flat);
    expect(s.categoriesIndistinct).toBe(true);
    expect(s.notices[0]).toMatch(/^overlap and non-overlap rows do not differ measurably in what they teach here: .* is [+-]0\.\d{3}, 95% CI [+-]0\.\d{3} to [+-]0\.\d{3} \(10 seeds\); /);
    const unresolved = overlapEffect(curve({ base: 0.8, rise: 0.01, noise: 0.03, random: 0.8, seeds: 3 }));
    expect(unresolved!.vsNonOverlap.status).toBe('unresolved');
    expect(detectorSanity({ easy: 600, hard: 300, overlap: 500 }, unresolved).notices[0]).toMatch(/(about \d+ mixing seeds would resolve|no practical number of seeds would resolve it|does not count)/);
    const tiny = overlapEffect(curve({ base: 0.9, rise: 0.002, noise: 0.0002, random: 0.9 }));
    expect(detectorSanity({ easy: 600, hard: 300, overlap: 500 }, tiny).notices[0]).toMatch(/an effect under 0\.005 does not count as a difference/);
    expect(detectorSanity({ easy: 600, hard: 300, overlap: 500 }, rising).notices).toEqual([]);
  });
});

describe('the walkthrough teaches the words the tool writes', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));
  const steps = pkg.contributes.walkthroughs[0].steps as { id: string; description: string }[];
  const regimeStep = steps.find((s) => s.id === 'regimePlot')!.description;
  const examples = [...regimeStep.matchAll(/"((?:low|medium|high) W2S [^"]+)"/g)].map((m) => m[1]);
  const num = '([+-]\\d\\.\\d{3})';
  const rel = '(better than|worse than|not measurably different from|only negligibly different from)';
  const shape = new RegExp(
    `^(low|medium|high) W2S \\(PGR (-?\\d\\.\\d\\d)\\).*?: training on them is ${rel} training on non-overlap rows \\(${num}, 95% CI ${num} to ${num}\\) ` +
      `and ${rel} training on random rows \\(${num}, 95% CI ${num} to ${num}\\)$`,
  );
  const estimate = (mean: string, low: string, high: string): EffectEstimate => {
    const [m, l, h] = [Number(mean), Number(low), Number(high)];
    return { mean: m, sd: 0.01, low: l, high: h, perSeed: [], status: l > 0 ? 'supported' : h < 0 ? 'contradicted' : 'unresolved' };
  };

  it('every example sentence in the regime-plot step is one verdictOf writes for its numbers', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const ex of examples) {
      const m = shape.exec(ex);
      expect(m, ex).not.toBeNull();
      const [, label, pgr, , nMean, nLow, nHigh, , rMean, rLow, rHigh] = m!;
      const v = verdictOf({
        regime: { label: label as RegimeLabel, rule: '' }, pgr: Number(pgr), mixing: null,
        detection: { counts: { easy: 600, hard: 300, overlap: 500 } },
        overlapEffect: {
          method: 'ols-slope', level: 0.95, seeds: 10, subsetSize: 500, tooSmall: false,
          vsNonOverlap: estimate(nMean, nLow, nHigh), vsRandom: estimate(rMean, rLow, rHigh),
        },
      });
      expect(v.sentence).toBe(ex);
    }
  });

  it('the analyze step shows the CodeLens with the first example\'s headline', () => {
    const analyzeStep = steps.find((s) => s.id === 'analyze')!.description;
    const headline = examples[0].slice(0, examples[0].indexOf(': '));
    expect(analyzeStep).toContain(`overlap rows · ${headline}"`);
  });
});
