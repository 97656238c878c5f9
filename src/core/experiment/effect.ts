/**
 * The overlap effect (METHOD.md section 7, docs/verdict.md): what the mixing experiment says about the detected
 * overlap rows, per mixing seed, with a 95% Student-t interval across seeds.
 *
 * - vs non-overlap rows: per seed, the ordinary least-squares slope of W2S test accuracy on the overlap proportion
 *   over all proportions of the curve (0, 0.1, ..., 1). On [0, 1] the slope equals the fitted acc(p = 1) - acc(p = 0):
 *   the gain of training on m overlap rows instead of m non-overlap rows. It uses all 11 points of a seed's curve, not
 *   only its two ends, and the mean of the per-seed slopes is the slope of the plotted mean curve, so the number
 *   always has the sign of the curve the report draws.
 * - vs random rows: per seed, acc(p = 1) - the random-subset baseline of the same size m (paired: same seed).
 *
 * The interval covers the randomness of the subset draws (the seeds); the split, the probes and the detection are
 * fixed by the analysis seed, and the test set is the same for every seed.
 */
import { printableName } from '../result/names';
import type { DetectorSanity, EffectEstimate, MixingCurve, OverlapEffect } from '../result/schema';

/** The interval's level; fixed, the sentence says "95% CI". */
export const EFFECT_LEVEL = 0.95;
/** Below this many rows per mixing subset the effect is reported as not measured (docs/verdict.md). */
export const MIN_EFFECT_SUBSET = 20;
/** Share of the non-hard W2S-train rows called overlap above which the detector "covers most of them". */
export const COVERAGE_LIMIT = 0.75;
/** The smallest accuracy difference called a gain or a loss (the regime's minimum noise margin, regime.ts). */
export const MIN_EFFECT = 0.005;

export type EffectDirection = 'positive' | 'negative' | 'negligible' | 'unresolved';

/**
 * Where an effect stands: `positive` when its 95% interval lies above 0 and its mean is at least MIN_EFFECT,
 * `negative` when the interval lies below 0 and the mean is at most -MIN_EFFECT, `negligible` when the interval
 * excludes 0 but the mean is smaller than that, `unresolved` otherwise (also with one seed).
 */
export function effectDirection(e: EffectEstimate): EffectDirection {
  if (e.status === 'supported') return e.mean >= MIN_EFFECT ? 'positive' : 'negligible';
  if (e.status === 'contradicted') return e.mean <= -MIN_EFFECT ? 'negative' : 'negligible';
  return 'unresolved';
}

/** t(0.975, df) for df = 1..30 (scipy.stats.t.ppf, 10 decimals). */
const T975 = [
  12.7062047362, 4.3026527297, 3.1824463053, 2.7764451052, 2.5705818356, 2.4469118511, 2.3646242516, 2.3060041352,
  2.2621571628, 2.228138852, 2.2009851601, 2.1788128297, 2.1603686565, 2.1447866879, 2.1314495456, 2.1199052992,
  2.1098155778, 2.1009220402, 2.0930240544, 2.0859634473, 2.0796138447, 2.0738730679, 2.0686576104, 2.0638985616,
  2.0595385528, 2.0555294386, 2.0518305165, 2.0484071418, 2.0452296421, 2.0422724563,
];

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom: a table up to 30, then the Cornish-Fisher
 * expansion around the normal quantile (error below 1e-6 from df = 31 on).
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1) || !Number.isInteger(df)) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= T975.length) return T975[df - 1];
  const z = 1.959963984540054;
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

/** Least-squares slope of ys on xs (0 when the xs do not vary). */
export function olsSlope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 0;
}

/** Mean, sample sd and the 95% t-interval of per-seed values; the status says where 0 lies. */
export function effectEstimate(perSeed: readonly number[]): EffectEstimate {
  const n = perSeed.length;
  if (n === 0) throw new RangeError('an effect needs at least one seed');
  const mean = perSeed.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sd: null, low: null, high: null, perSeed: [...perSeed], status: 'no-interval' };
  const sd = Math.sqrt(perSeed.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  const low = mean - half;
  const high = mean + half;
  const status = low > 0 ? 'supported' : high < 0 ? 'contradicted' : 'unresolved';
  const out: EffectEstimate = { mean, sd, low, high, perSeed: [...perSeed], status };
  if (status === 'unresolved') out.seedsToResolve = seedsToResolve(mean, sd, n);
  return out;
}

/** Smallest seed count k > n whose interval half-width at this spread is below |mean|; null when none up to 1,000. */
export function seedsToResolve(mean: number, sd: number, n: number): number | null {
  if (!(Math.abs(mean) > 0)) return null;
  if (sd === 0) return n + 1;
  for (let k = n + 1; k <= 1000; k++) {
    if ((tQuantile975(k - 1) * sd) / Math.sqrt(k) < Math.abs(mean)) return k;
  }
  return null;
}

/** The overlap effects of a mixing curve; null when there is no curve. */
export function overlapEffect(mixing: MixingCurve | null | undefined): OverlapEffect | null {
  if (!mixing || mixing.perSeed.length === 0) return null;
  const P = mixing.proportions;
  const last = P.length - 1;
  const vsNonOverlap = effectEstimate(mixing.perSeed.map((curve) => olsSlope(P, curve)));
  const base = mixing.randomBaseline?.perSeed;
  const vsRandom =
    base && base.length === mixing.perSeed.length && P[last] === 1
      ? effectEstimate(mixing.perSeed.map((curve, s) => curve[last] - base[s]))
      : null;
  return {
    method: 'ols-slope',
    level: EFFECT_LEVEL,
    seeds: mixing.perSeed.length,
    subsetSize: mixing.subsetSize,
    tooSmall: mixing.subsetSize < MIN_EFFECT_SUBSET,
    vsNonOverlap,
    vsRandom,
  };
}

/** "+0.031" / "-0.004": accuracy differences with three decimals and an explicit sign. */
export function signedAcc(x: number): string {
  const s = x.toFixed(3);
  return x >= 0 && !s.startsWith('-') ? `+${s}` : s === '-0.000' ? '+0.000' : s;
}

/**
 * "+0.031, 95% CI +0.018 to +0.044", "+0.031, one seed: no interval", or "+0.180 in each of the 3 seeds" when every
 * seed gave the same value (to rounding: the slopes of equal curves differ in their last bits), since an interval
 * "+0.180 to +0.180" read like a mistake (a tiny dataset does this). An interval narrower than three decimals shows
 * as many as tell its ends apart. Written inside parentheses.
 */
export function effectText(e: EffectEstimate): string {
  if (e.low === null || e.high === null) return `${signedAcc(e.mean)}, one seed: no interval`;
  if (sameInEverySeed(e)) return `${signedAcc(e.mean)} in each of the ${e.perSeed.length} seeds`;
  for (let digits = 3; digits <= 6; digits++) {
    const [lo, hi] = [signedFixed(e.low, digits), signedFixed(e.high, digits)];
    if (lo !== hi || digits === 6) return `${signedFixed(e.mean, digits)}, 95% CI ${lo} to ${hi}`;
  }
  return `${signedAcc(e.mean)}, 95% CI ${signedAcc(e.low)} to ${signedAcc(e.high)}`;
}

/** Whether every seed gave the same value (to rounding), so effectText names the seed count itself. */
export function sameInEverySeed(e: EffectEstimate): boolean {
  return e.low !== null && e.high !== null && e.sd !== null && e.sd <= 1e-9 * Math.max(1, Math.abs(e.mean));
}

/** signedAcc with `digits` decimals. */
function signedFixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  const zero = `-${(0).toFixed(digits)}`;
  return x >= 0 && !s.startsWith('-') ? `+${s}` : s === zero ? `+${(0).toFixed(digits)}` : s;
}

/**
 * Detector sanity (issue 12, item 7): does "overlap" separate anything here? Three checks, each with a notice:
 * the detector called more than COVERAGE_LIMIT of the non-hard W2S-train rows overlap, training on overlap rows
 * and on non-overlap rows gives the same accuracy (the interval contains 0, or the effect is under MIN_EFFECT), or
 * the weak model gives every overlap row one label (`overlapOneClass`, found by the caller, which has the labels).
 */
export function detectorSanity(
  counts: { easy: number; hard: number; overlap: number },
  effect: OverlapEffect | null,
  overlapOneClass: DetectorSanity['overlapOneClass'] = null,
): DetectorSanity {
  const nonHard = counts.overlap + counts.easy;
  const coverage = nonHard > 0 ? counts.overlap / nonHard : null;
  const coversMost = coverage !== null && coverage > COVERAGE_LIMIT;
  // subsets under MIN_EFFECT_SUBSET rows: the verdict calls the effect not measured, so no notice words it as measured
  const direction = effect && !effect.tooSmall && effect.vsNonOverlap.status !== 'no-interval' ? effectDirection(effect.vsNonOverlap) : null;
  const indistinct = direction === 'unresolved' || direction === 'negligible';
  const notices: string[] = [];
  if (coversMost) {
    notices.push(
      `the detector called ${(100 * coverage!).toFixed(0)}% of the non-hard W2S-train rows overlap ` +
        `(${counts.overlap} overlap, ${counts.easy} easy-only; the limit is ${(100 * COVERAGE_LIMIT).toFixed(0)}%): overlap and easy-only ` +
        'rows are barely separated, so the mixing experiment mostly compares overlap rows with hard-only rows',
    );
  }
  if (indistinct) {
    const e = effect!.vsNonOverlap;
    const why =
      Math.abs(e.mean) < MIN_EFFECT
        ? `an effect under ${MIN_EFFECT} does not count as a difference, however many seeds`
        : e.seedsToResolve
          ? `about ${e.seedsToResolve} mixing seeds would resolve an effect of this size at this spread`
          : 'no practical number of seeds would resolve it';
    notices.push(
      'overlap and non-overlap rows do not differ measurably in what they teach here: the gain in W2S test accuracy ' +
        `of training on overlap rows instead of non-overlap rows is ${effectText(e)}${sameInEverySeed(e) ? '' : ` (${effect!.seeds} seeds)`}; ${why}`,
    );
  }
  if (overlapOneClass) {
    const o = overlapOneClass;
    notices.push(
      `the weak model labels all ${o.overlap} overlap rows "${printableName(o.name)}" (the W2S-train rows get ${o.classes} different labels): ` +
        'a model trained on overlap rows alone learns one class, so the mixing curve measures that, not what overlap teaches',
    );
  }
  return {
    nonHardCoverage: coverage, coverageLimit: COVERAGE_LIMIT, coversMostNonHard: coversMost, categoriesIndistinct: indistinct,
    overlapOneClass, notices,
  };
}
