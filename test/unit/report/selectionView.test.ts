import { describe, expect, it } from 'vitest';
import { densestSource, modeText, planText, selectionHeadline, strategyRows, ucbVsRandomText } from '../../../src/core/report/selection';
import { buildSelection } from './buildSelection';

describe('densestSource', () => {
  it('is the known densest arm when the truth is known, else the highest detected pool density', () => {
    expect(densestSource(buildSelection({ truth: true, densities: [0.2, 0.9, 0.5] }))).toMatchObject({ arm: 1, from: 'known' });
    const files = buildSelection({ densities: [0.5, 0.1], names: ['covered.json', 'uncovered.json'] });
    expect(densestSource(files)).toEqual({ arm: 0, name: 'covered.json', from: 'detected' });
  });

  it('names none when the detected densities tie at the top', () => {
    const r = buildSelection({ densities: [0.3, 0.3] });
    expect(densestSource(r)).toBeNull();
    expect(strategyRows(r).every((s) => s.denseShare === null)).toBe(true);
  });
});

describe('strategyRows', () => {
  it("reads each strategy's share of pulls on the densest source and its final values", () => {
    const r = buildSelection({ truth: true, seeds: 4 });
    const rows = strategyRows(r);
    expect(rows.map((x) => x.strategy)).toEqual(['ucb', 'random', 'optimal']);
    const optimal = rows.find((x) => x.strategy === 'optimal')!;
    expect(optimal.denseShare).toBe(1);
    expect(optimal.denseShareStd).toBe(0);
    const ucb = rows.find((x) => x.strategy === 'ucb')!;
    const s = r.summary.strategies[0];
    expect(ucb.denseShare).toBe(s.denseArmShare!.mean);
    expect(ucb.finalAccuracy).toEqual(s.final.accuracy);
    expect(ucb.pullShare.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('uses the overall pull share when the densest source is only detected', () => {
    const r = buildSelection({ densities: [0.6, 0.1] });
    const ucb = strategyRows(r).find((x) => x.strategy === 'ucb')!;
    expect(ucb.denseShare).toBe(r.summary.strategies[0].pullShare[0]);
    expect(ucb.denseShareStd).toBeNull();
  });
});

describe('words', () => {
  it('plan, mode and the paired UCB-vs-random difference', () => {
    const r = buildSelection({ rounds: 30, perRound: 20, seeds: 5 });
    expect(planText(r.plan)).toBe('30 rounds × 20 points · bonus code · ucb, random · seeds 0..4 (5)');
    expect(planText({ ...r.plan, seeds: [7] })).toBe('30 rounds × 20 points · bonus code · ucb, random · seed 7');
    expect(modeText('split-by')).toMatch(/split into sources by a column/);
    const d = r.summary.ucbVsRandom!;
    const text = ucbVsRandomText(r)!;
    expect(text).toBe(`${d.finalAccuracyDiff!.mean >= 0 ? '+' : '−'}${Math.abs(d.finalAccuracyDiff!.mean).toFixed(4)} ± ${d.finalAccuracyDiff!.std.toFixed(4)}, ucb at or above random on ${d.seedsUcbAtOrAbove} of 5 seeds`);
    expect(ucbVsRandomText({ summary: { ...r.summary, ucbVsRandom: null } })).toBeNull();
  });

  it('the headline names the densest source, the shares and the final accuracies', () => {
    const r = buildSelection({ densities: [0.6, 0.1], names: ['covered.json', 'uncovered.json'] });
    const [ucb, random] = strategyRows(r);
    expect(selectionHeadline(r)).toBe(
      `ucb pulled covered.json in ${Math.round(ucb.denseShare! * 100)}% of rounds (random ${Math.round(random.denseShare! * 100)}%); ` +
        `final W2S accuracy ucb ${ucb.finalAccuracy!.mean.toFixed(3)}, random ${random.finalAccuracy!.mean.toFixed(3)} (ucb − random ${ucbVsRandomText(r)})`,
    );
    // Random only: no dense share sentence about ucb, no paired difference.
    const alone = buildSelection({ strategies: ['random'] });
    expect(selectionHeadline(alone)).toMatch(/^final W2S accuracy random 0\.\d{3}$/);
  });
});
