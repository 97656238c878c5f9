/**
 * What the selection report says in words and numbers, from a SelectionResult (or its summary without the round
 * logs): the densest source, each strategy's share of pulls on it, final accuracies and the paired UCB-vs-random
 * difference. Pure: the webview, the notification after a run and the unit tests call it.
 */
import type { SelectionMode, SelectionResult, Stats, StrategyName } from '../select/schema';

export type SelectionView = Pick<SelectionResult, 'mode' | 'plan' | 'sources' | 'summary' | 'shared' | 'denseArm'>;

/** The source the report treats as dense: the known densest (ground truth / reference split), else the highest detected pool density. */
export interface DensestSource {
  arm: number;
  name: string;
  /** 'known': the true densities say so; 'detected': one detection over each whole pool says so (files, column splits). */
  from: 'known' | 'detected';
}

export function densestSource(r: Pick<SelectionResult, 'sources' | 'denseArm'>): DensestSource | null {
  if (r.denseArm !== null && r.sources[r.denseArm]) return { arm: r.denseArm, name: r.sources[r.denseArm].name, from: 'known' };
  let best = -1;
  let tie = false;
  r.sources.forEach((s, k) => {
    if (best < 0 || s.detectedPoolDensity > r.sources[best].detectedPoolDensity) {
      best = k;
      tie = false;
    } else if (s.detectedPoolDensity === r.sources[best].detectedPoolDensity) {
      tie = true;
    }
  });
  return best < 0 || tie ? null : { arm: best, name: r.sources[best].name, from: 'detected' };
}

export interface StrategyRow {
  strategy: StrategyName;
  seeds: number;
  /** Mean share of pulls per source (over rounds and seeds). */
  pullShare: number[];
  /** Mean share of pulls that went to the densest source, and its spread over seeds when the truth is known. */
  denseShare: number | null;
  denseShareStd: number | null;
  finalAccuracy: Stats | null;
  finalOverlapOnly: Stats | null;
  finalDetectedRatio: Stats;
}

export function strategyRows(r: SelectionView): StrategyRow[] {
  const dense = densestSource(r);
  return r.summary.strategies.map((s) => ({
    strategy: s.strategy,
    seeds: s.seeds,
    pullShare: s.pullShare,
    denseShare: dense ? (s.denseArmShare && dense.from === 'known' ? s.denseArmShare.mean : (s.pullShare[dense.arm] ?? null)) : null,
    denseShareStd: dense && dense.from === 'known' && s.denseArmShare ? s.denseArmShare.std : null,
    finalAccuracy: s.final.accuracy,
    finalOverlapOnly: s.final.accuracyOverlapOnly,
    finalDetectedRatio: s.final.detectedOverlapRatio,
  }));
}

const MODE_TEXT: Record<SelectionMode, string> = {
  files: 'one source per dataset file',
  'split-by': 'one dataset split into sources by a column',
  'reference-split': 'reference sources built from one dataset by detected overlap',
  'reference-synthetic': 'reference sources from the synthetic Gaussian mixture (ground truth known)',
};

export function modeText(mode: SelectionMode): string {
  return MODE_TEXT[mode];
}

/** "50 rounds × 12 points · bonus code · ucb, random · seeds 0..9 (10)". */
export function planText(plan: SelectionResult['plan']): string {
  const s = plan.seeds;
  const seeds = s.length === 1 ? `seed ${s[0]}` : `seeds ${s[0]}..${s[s.length - 1]} (${s.length})`;
  return `${plan.rounds} rounds × ${plan.perRound} points · bonus ${plan.bonus} · ${plan.strategies.join(', ')} · ${seeds}`;
}

const signed = (v: number, digits: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;

/** The paired UCB − random final accuracy difference in words, or null when either did not run. */
export function ucbVsRandomText(r: Pick<SelectionResult, 'summary'>): string | null {
  const u = r.summary.ucbVsRandom;
  if (!u || !u.finalAccuracyDiff) return null;
  const d = u.finalAccuracyDiff;
  return `${signed(d.mean, 4)} ± ${d.std.toFixed(4)}, ucb at or above random on ${u.seedsUcbAtOrAbove} of ${d.n} seeds`;
}

/**
 * One sentence for the notification after a run, e.g. "ucb pulled sms-covered.json in 67% of rounds (random 47%);
 * final W2S accuracy ucb 0.954, random 0.941 (ucb − random +0.0127 ± 0.0102, ucb at or above random on 5 of 5 seeds)".
 */
export function selectionHeadline(r: SelectionView): string {
  const dense = densestSource(r);
  const rows = strategyRows(r);
  const parts: string[] = [];
  const ucb = rows.find((x) => x.strategy === 'ucb');
  const others = rows.filter((x) => x.strategy !== 'ucb');
  if (dense && ucb && ucb.denseShare !== null) {
    const rest = others.filter((x) => x.denseShare !== null).map((x) => `${x.strategy} ${Math.round(x.denseShare! * 100)}%`);
    parts.push(`ucb pulled ${dense.name} in ${Math.round(ucb.denseShare * 100)}% of rounds${rest.length ? ` (${rest.join(', ')})` : ''}`);
  }
  const accs = rows.filter((x) => x.finalAccuracy).map((x) => `${x.strategy} ${x.finalAccuracy!.mean.toFixed(3)}`);
  if (accs.length) {
    const diff = ucbVsRandomText(r);
    parts.push(`final W2S accuracy ${accs.join(', ')}${diff ? ` (ucb − random ${diff})` : ''}`);
  }
  return parts.join('; ');
}
