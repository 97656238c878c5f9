/**
 * The change-point threshold of METHOD.md section 2: the reference runs
 * `ruptures.Binseg(model="l2").fit(sorted(s)).predict(n_bkps=1)[0]` with ruptures' defaults min_size = 2, jump = 5,
 * and thresholds at t = s[b], the first value of the upper segment.
 *
 * One breakpoint of binary segmentation with the l2 cost is the b that minimises the summed squared error of
 * s[:b] and s[b:], i.e. maximises the gain b (n - b) / n * (mean(s[:b]) - mean(s[b:]))^2. Candidates are
 * ruptures' `range(0, n, jump)` filtered by `b >= min_size and n - b >= min_size` (so b = 0 is never one).
 * ruptures takes `max((gain, b))`, so on equal gains the largest b wins.
 *
 * Ties: ruptures compares gains computed from numpy variances, so mathematically equal gains (duplicated values,
 * symmetric runs) come out equal or not depending on rounding. We resolve ties as exact arithmetic would: gains
 * within TIE_RELATIVE of the total sum of squares count as equal, and the largest such b wins. A constant array
 * has all gains exactly 0 (the values are centred first) and gives the largest admissible b.
 *
 * Runs of equal values (`tieEdges`, what the detector uses): a threshold can only split sorted values between two
 * different values, but binary segmentation on a jump grid may pick a b inside a run of equal values (votes leave
 * every uncovered row at confidence 0; with jump 5 and 127 such rows ruptures picks b = 125). The reference then
 * thresholds at t = s[b] = the run's value, and `c < t` puts the whole run above: a split segmentation never chose,
 * often with no row below (a detected overlap density of 0). With `tieEdges` such a b moves to whichever edge of its
 * run (the run's first index, or the index after its last) has the larger gain among the admissible ones (the upper
 * edge on equal gains, as above); `movedFrom` keeps ruptures' b. Values without ties (continuous activations'
 * confidences) never move, so the reference's partitions are unchanged there.
 *
 * When ruptures' `sanity_check` fails (fewer than ceil(min_size / jump) * jump + min_size points: 7 with the
 * defaults, 4 with jump = 1) the reference raises; we fall back to the median (numpy: mean of the two middle values
 * for even n) and flag it.
 */
import { InputError } from '../errors';

export interface ChangePointOptions {
  /** Candidate breakpoints are multiples of jump (ruptures default 5; 1 is the exact search). */
  jump?: number;
  /** Minimum segment length (ruptures default 2). */
  minSize?: number;
  /** Move a breakpoint inside a run of equal values to the better edge of the run (see the file comment). Default false. */
  tieEdges?: boolean;
}

export interface ChangePoint {
  /** sorted[breakpoint], or the median when the fallback was used (NaN for no values). */
  threshold: number;
  /** Index into `sorted` of the first value of the upper segment; null with the fallback. */
  breakpoint: number | null;
  usedFallback: boolean;
  /** The values sorted ascending. */
  sorted: Float64Array;
  /** With `tieEdges`: ruptures' breakpoint, when it fell inside a run of equal values and moved to the run's edge. */
  movedFrom?: number;
}

export const DEFAULT_JUMP = 5;
export const DEFAULT_MIN_SIZE = 2;
/** Gains closer than this fraction of the total sum of squares are ties (float noise is ~1e-16 n of it). */
export const TIE_RELATIVE = 1e-12;

/** Smallest n for which ruptures finds one admissible breakpoint (its `sanity_check` with n_bkps = 1). */
export function minimumPoints(jump = DEFAULT_JUMP, minSize = DEFAULT_MIN_SIZE): number {
  return Math.max(jump, Math.ceil(minSize / jump) * jump + minSize);
}

/** numpy.median of ascending values: the middle one, or the mean of the two middle ones for even n. */
export function sortedMedian(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = n >> 1;
  return n % 2 === 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
}

/**
 * The breakpoint of ascending values `s` (at least `minimumPoints` of them) by O(n) prefix sums: for every admissible
 * b, gain(b) = (P_b - b P_n / n)^2 * n / (b (n - b)) with P the prefix sums of the centred values.
 */
export function binsegBreakpoint(s: Float64Array, jump = DEFAULT_JUMP, minSize = DEFAULT_MIN_SIZE): number | null {
  const n = s.length;
  const { prefix, total, sse } = centredPrefix(s);
  const start = Math.ceil(minSize / jump) * jump;
  let best = -Infinity;
  for (let b = start; b <= n - minSize; b += jump) {
    const g = gainAt(prefix, total, n, b);
    if (g > best) best = g;
  }
  if (best === -Infinity) return null;
  const floor = best - TIE_RELATIVE * sse;
  let chosen = -1;
  for (let b = start; b <= n - minSize; b += jump) if (gainAt(prefix, total, n, b) >= floor) chosen = b;
  return chosen;
}

/** Prefix sums of the centred, scaled values, their total and their sum of squares (the gains' ingredients). */
function centredPrefix(s: Float64Array): { prefix: Float64Array; total: number; sse: number } {
  const n = s.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += s[i];
  mean /= n;
  // Deviations scaled by a power of two near 1 / max |deviation|: exact for ordinary values (the same b), and values
  // whose squares would underflow to subnormals (or overflow) keep their full precision.
  let maxAbs = 0;
  for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(s[i] - mean));
  const scale = maxAbs > 0 && Number.isFinite(maxAbs) ? 2 ** -Math.round(Math.log2(maxAbs)) : 1;
  const prefix = new Float64Array(n + 1);
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const v = (s[i] - mean) * scale;
    prefix[i + 1] = prefix[i] + v;
    sse += v * v;
  }
  return { prefix, total: prefix[n], sse };
}

/**
 * `tieEdges`: b itself when s[b - 1] < s[b]; otherwise the admissible edge of b's run of equal values with the larger
 * gain (the upper one on equal gains), or b when neither edge is admissible (a constant array).
 */
function tieEdge(s: Float64Array, b: number, minSize: number): number {
  const n = s.length;
  if (b <= 0 || s[b - 1] !== s[b]) return b;
  let lo = b;
  while (lo > 0 && s[lo - 1] === s[b]) lo--;
  let hi = b;
  while (hi < n && s[hi] === s[b]) hi++;
  const edges = [lo, hi].filter((e) => e >= minSize && e <= n - minSize);
  if (edges.length === 0) return b;
  const { prefix, total, sse } = centredPrefix(s);
  const gains = edges.map((e) => gainAt(prefix, total, n, e));
  if (edges.length === 1) return edges[0];
  return gains[1] >= gains[0] - TIE_RELATIVE * sse ? edges[1] : edges[0];
}

function gainAt(prefix: Float64Array, total: number, n: number, b: number): number {
  const diff = prefix[b] - (b * total) / n;
  return (diff * diff * n) / (b * (n - b));
}

/** Threshold of a 1-D set of values by one Binseg breakpoint on the sorted values (see the file comment). */
export function changePoint(values: ArrayLike<number>, opts: ChangePointOptions = {}): ChangePoint {
  const jump = opts.jump ?? DEFAULT_JUMP;
  const minSize = Math.max(1, opts.minSize ?? DEFAULT_MIN_SIZE); // the l2 cost's own min_size is 1
  if (!Number.isInteger(jump) || jump < 1) throw new InputError(`change point: jump must be a positive integer, got ${jump}`);
  if (!Number.isInteger(minSize)) throw new InputError(`change point: minSize must be an integer, got ${minSize}`);
  const sorted = Float64Array.from(values);
  for (let i = 0; i < sorted.length; i++) {
    if (!Number.isFinite(sorted[i])) throw new InputError(`change point: value ${sorted[i]} at position ${i} is not finite`);
  }
  sorted.sort();
  if (sorted.length < minimumPoints(jump, minSize)) {
    return { threshold: sortedMedian(sorted), breakpoint: null, usedFallback: true, sorted };
  }
  const b = binsegBreakpoint(sorted, jump, minSize);
  if (b === null) return { threshold: sortedMedian(sorted), breakpoint: null, usedFallback: true, sorted };
  const edge = opts.tieEdges ? tieEdge(sorted, b, minSize) : b;
  const out: ChangePoint = { threshold: sorted[edge], breakpoint: edge, usedFallback: false, sorted };
  if (edge !== b) out.movedFrom = b;
  return out;
}
