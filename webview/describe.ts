/**
 * Text alternatives for the report's charts: what a screen reader says for each chart (its box has role="img" and
 * this as aria-label), with the numbers the chart draws. Pure; the page refreshes them when the thresholds move.
 */
import type { ChartId } from '../src/protocol/messages';

/** What the regime plot's words need of the result's mixing curve (a structural subset of it). */
export interface MixingNumbers {
  proportions: number[];
  mean: number[];
  seeds: number[];
  randomBaseline: { mean: number } | null;
}

/** The name of each chart in labels ("Save the <name> as SVG"). */
export const CHART_NAMES: Record<ChartId, string> = {
  regime: 'regime plot',
  confidence: 'weak confidence histogram',
  alignment: 'similarity histogram',
  map: '2-D map',
  confusion: 'detection versus ground truth chart',
};

/** Map marks: the shape of each category, so the map does not rely on colour alone. */
export const CATEGORY_SHAPES = { easy: 'circle', hard: 'square', overlap: 'triangle-up' } as const;

const n = (v: number) => v.toLocaleString('en-US');
const a3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'unknown');

export function describeRegime(mixing: MixingNumbers | null | undefined, accuracy: { weak: number; w2s: number; strong: number }, regime: string): string {
  const parts = ['Regime plot: W2S test accuracy against the overlap proportion of the training subset.'];
  if (mixing && mixing.proportions.length) {
    const last = mixing.proportions.length - 1;
    parts.push(
      `Mean accuracy ${a3(mixing.mean[0])} at proportion ${mixing.proportions[0]} and ${a3(mixing.mean[last])} at proportion ${mixing.proportions[last]}` +
        ` (${mixing.proportions.length} proportions, ${mixing.seeds.length} seed${mixing.seeds.length === 1 ? '' : 's'}).`,
    );
  } else {
    parts.push('No mixing curve.');
  }
  const random = mixing?.randomBaseline ? `, random subsets ${a3(mixing.randomBaseline.mean)}` : '';
  parts.push(`Reference lines: weak ${a3(accuracy.weak)}, W2S ${a3(accuracy.w2s)}, strong ${a3(accuracy.strong)}${random}.`);
  parts.push(`Regime: ${regime}.`);
  return parts.join(' ');
}

export function describeConfidence(rows: number, t1: number, hard: number, op: '<' | '≤'): string {
  return `Histogram of the weak model's confidence for ${n(rows)} W2S-train rows. Cut-off t1 ${a3(t1)}: ` +
    `${n(hard)} rows with confidence ${op === '<' ? 'below' : 'at or below'} it are hard-only, ${n(rows - hard)} are not.`;
}

export function describeAlignment(rows: number, t2: number | null, overlap: number): string {
  if (t2 === null) return `Histogram of similarity to the hard-only rows for ${n(rows)} rows that are not hard-only; no cut-off t2.`;
  return `Histogram of similarity to the hard-only rows for ${n(rows)} rows that are not hard-only. Cut-off t2 ${a3(t2)}: ` +
    `${n(overlap)} rows at or above it are overlap, ${n(rows - overlap)} below it are easy-only.`;
}

export function describeMap(shown: Record<string, number>, total: number): string {
  const drawn = Object.values(shown).reduce((s, v) => s + v, 0);
  const sample = drawn < total ? ` (an even sample of ${n(drawn)} of ${n(total)})` : '';
  return `2-D map of W2S-train rows by strong-model activations${sample}: ${n(shown.easy ?? 0)} easy-only (circles), ` +
    `${n(shown.hard ?? 0)} hard-only (squares), ${n(shown.overlap ?? 0)} overlap (triangles).`;
}

export function describeConfusion(confusion: number[][]): string {
  const names = ['easy-only', 'hard-only', 'overlap'];
  let total = 0;
  let agree = 0;
  confusion.forEach((row, t) => row.forEach((v, p) => {
    total += v;
    if (t === p) agree += v;
  }));
  const perTrue = confusion.map((row, t) => `true ${names[t]}: ${row.map((v, p) => `${n(v)} detected ${names[p]}`).join(', ')}`);
  return `Detection versus ground truth: ${n(agree)} of ${n(total)} rows detected as their true category. ${perTrue.join('; ')}.`;
}
