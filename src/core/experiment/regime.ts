import type { Regime } from '../result/schema';

/**
 * The regime verdict. The paper describes the regimes qualitatively (METHOD.md "Ideas"): low overlap density,
 * W2S is worse than the weak model; medium, W2S matches or slightly beats weak; high, W2S approaches the strong
 * ceiling. We make that a rule on the measured accuracies with a noise margin eps = max(0.005, standard error of
 * the weak accuracy on the test set):
 *   undetermined: strong - weak <= eps (no weak/strong gap, PGR carries no information);
 *   low: w2s < weak - eps;  high: PGR >= 0.5;  medium: otherwise.
 */
export function regimeMargin(weakAccuracy: number, nTest: number): number {
  return Math.max(0.005, Math.sqrt((weakAccuracy * (1 - weakAccuracy)) / Math.max(1, nTest)));
}

export function regimeVerdict(acc: { weak: number; strong: number; w2s: number }, pgr: number | null, nTest: number): Regime {
  const eps = regimeMargin(acc.weak, nTest);
  const f = (x: number) => x.toFixed(3);
  const nums = `weak ${f(acc.weak)}, W2S ${f(acc.w2s)}, strong ${f(acc.strong)}, margin ${f(eps)}`;
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
