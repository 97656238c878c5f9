import type { Regime } from '../result/schema';

/**
 * The regime verdict. The paper describes the regimes qualitatively (METHOD.md "Ideas"): low overlap density,
 * W2S is worse than the weak model; medium, W2S matches or slightly beats weak; high, W2S approaches the strong
 * ceiling. We make that a rule on the measured accuracies with a noise margin eps = max(0.005, standard error of
 * the weak accuracy on the test set):
 *   undetermined: strong - weak <= eps (no weak/strong gap, PGR carries no information), or the strong model is at
 *     chance: strong <= chance + max(0.005, standard error of the strong accuracy), chance being the accuracy of always
 *     answering the test set's most common class (with 100 classes a strong 0.012 above a weak 0.006 is a gap
 *     between two guesses, and its PGR is noise);
 *   low: w2s < weak - eps;  high: PGR >= 0.5;  medium: otherwise.
 */
export function regimeMargin(weakAccuracy: number, nTest: number): number {
  return Math.max(0.005, Math.sqrt((weakAccuracy * (1 - weakAccuracy)) / Math.max(1, nTest)));
}

/** The accuracy of always answering the most common class of `labels` (0 without labels). */
export function chanceAccuracy(labels: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  let best = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = (counts.get(labels[i]) ?? 0) + 1;
    counts.set(labels[i], c);
    if (c > best) best = c;
  }
  return labels.length > 0 ? best / labels.length : 0;
}

/** Words that start the rule of a strong model at chance (verdict.ts says so in its headline). */
export const AT_CHANCE_RULE = 'undetermined: the strong model is at chance level';

export function regimeVerdict(acc: { weak: number; strong: number; w2s: number }, pgr: number | null, nTest: number, chance?: number): Regime {
  const eps = regimeMargin(acc.weak, nTest);
  const f = (x: number) => x.toFixed(3);
  const nums = `weak ${f(acc.weak)}, W2S ${f(acc.w2s)}, strong ${f(acc.strong)}, margin ${f(eps)}`;
  if (chance !== undefined) {
    const epsStrong = regimeMargin(acc.strong, nTest);
    if (acc.strong <= chance + epsStrong) {
      // "within" only when it is: with many classes a strong model often scores below the majority answer
      const where = acc.strong >= chance ? `is within ${f(epsStrong)} of` : 'is below';
      return {
        label: 'undetermined',
        // the weak-vs-strong margin is not this rule's, so it is left out of the numbers here
        rule: `${AT_CHANCE_RULE}: strong ${f(acc.strong)} ${where} ${f(chance)}, the accuracy of always answering the test set's most common class (weak ${f(acc.weak)}, W2S ${f(acc.w2s)}, strong ${f(acc.strong)}), so PGR is not meaningful`,
      };
    }
  }
  if (!(acc.strong - acc.weak > eps) || pgr === null) {
    return {
      label: 'undetermined',
      rule: `undetermined: the strong model does not beat the weak one by more than the margin (${nums}), so PGR is not meaningful`,
    };
  }
  if (acc.w2s < acc.weak - eps) {
    return { label: 'low', rule: `low: W2S is below weak by more than the margin (${nums})` };
  }
  // accuracies are ratios of test counts, so PGR is a ratio of rationals computed in floating point: 0.3 / 0.6 is
  // 0.49999999999999994, which is 0.5 and must not read "PGR 0.50 < 0.5"
  if (pgr >= 0.5 - 1e-9) {
    return { label: 'high', rule: `high: W2S recovers at least half of the weak-to-strong gap, PGR ${pgr.toFixed(2)} >= 0.5 (${nums})` };
  }
  return {
    label: 'medium',
    rule: `medium: W2S is within the margin of weak or above it, PGR ${pgr.toFixed(2)} < 0.5 (${nums})`,
  };
}

/** The rule as a reader sees it after the word "regime": it names its label first ("medium: ..."), so it is not repeated. */
export function regimeRuleText(regime: Pick<Regime, 'label' | 'rule'>): string {
  return regime.rule.startsWith(`${regime.label}:`) ? regime.rule : `${regime.label}: ${regime.rule}`;
}
