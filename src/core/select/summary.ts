/** Statistics over seeds of selection runs: per-round bands, pull shares, final values and UCB-vs-random pairs. */
import type { Band, RoundLog, SelectionSummary, Stats, StrategyName, StrategyRun, StrategySummary } from './schema';
import { count } from '../words';

export function stats(values: readonly number[]): Stats | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, std, min: Math.min(...values), max: Math.max(...values), n: values.length };
}

function band(runs: readonly StrategyRun[], rounds: number, value: (r: RoundLog) => number | null): Band {
  const out: Band = { mean: [], std: [], min: [], max: [] };
  for (let t = 0; t < rounds; t++) {
    const vals: number[] = [];
    for (const run of runs) {
      const v = run.rounds[t] ? value(run.rounds[t]) : null;
      if (v !== null && Number.isFinite(v)) vals.push(v);
    }
    const s = stats(vals);
    out.mean.push(s ? s.mean : null);
    out.std.push(s ? s.std : null);
    out.min.push(s ? s.min : null);
    out.max.push(s ? s.max : null);
  }
  return out;
}

/** Share of rounds that pulled `arm`. */
export function armShare(run: StrategyRun, arm: number): number {
  return run.rounds.filter((r) => r.arm === arm).length / Math.max(1, run.rounds.length);
}

/** Value at the last round that has one (accuracy may be skipped on some rounds, never on the last). */
function last(run: StrategyRun, value: (r: RoundLog) => number | null): number | null {
  for (let t = run.rounds.length - 1; t >= 0; t--) {
    const v = value(run.rounds[t]);
    if (v !== null) return v;
  }
  return null;
}

export function summarizeStrategy(
  strategy: StrategyName, runs: readonly StrategyRun[], rounds: number, arms: number, denseArm: number | null,
): StrategySummary {
  const pullShareByRound: number[][] = [];
  for (let t = 0; t < rounds; t++) {
    const share = new Array<number>(arms).fill(0);
    for (const run of runs) {
      const p = run.rounds[t]?.pulls;
      if (!p) continue;
      const total = p.reduce((a, b) => a + b, 0);
      p.forEach((n, k) => (share[k] += n / total / runs.length));
    }
    pullShareByRound.push(share);
  }
  const hasTruth = runs.some((r) => r.rounds.some((x) => x.trueOverlapRatio !== null));
  const finals = (f: (r: RoundLog) => number | null) =>
    stats(runs.map((r) => last(r, f)).filter((v): v is number => v !== null));
  return {
    strategy,
    seeds: runs.length,
    accuracy: band(runs, rounds, (r) => r.accuracy),
    accuracyOverlapOnly: band(runs, rounds, (r) => r.accuracyOverlapOnly),
    detectedOverlapRatio: band(runs, rounds, (r) => r.detectedOverlapRatio),
    trueOverlapRatio: hasTruth ? band(runs, rounds, (r) => r.trueOverlapRatio) : null,
    pullShareByRound,
    pullShare: pullShareByRound[rounds - 1] ?? new Array<number>(arms).fill(0),
    denseArmShare: denseArm === null ? null : stats(runs.map((r) => armShare(r, denseArm))),
    final: {
      accuracy: finals((r) => r.accuracy),
      accuracyOverlapOnly: finals((r) => r.accuracyOverlapOnly),
      detectedOverlapRatio: finals((r) => r.detectedOverlapRatio) ?? { mean: 0, std: 0, min: 0, max: 0, n: 0 },
    },
  };
}

export function summarize(
  runs: readonly StrategyRun[], strategies: readonly StrategyName[], rounds: number, arms: number, denseArm: number | null,
): SelectionSummary {
  const by = (s: StrategyName) => runs.filter((r) => r.strategy === s);
  const summaries = strategies.map((s) => summarizeStrategy(s, by(s), rounds, arms, denseArm));
  let ucbVsRandom: SelectionSummary['ucbVsRandom'] = null;
  if (strategies.includes('ucb') && strategies.includes('random')) {
    const accDiff: number[] = [];
    const shareDiff: number[] = [];
    let atOrAbove = 0;
    for (const u of by('ucb')) {
      const r = by('random').find((x) => x.seed === u.seed);
      if (!r) continue;
      const ua = last(u, (x) => x.accuracy);
      const ra = last(r, (x) => x.accuracy);
      if (ua !== null && ra !== null) {
        accDiff.push(ua - ra);
        if (ua >= ra) atOrAbove++;
      }
      if (denseArm !== null) shareDiff.push(armShare(u, denseArm) - armShare(r, denseArm));
    }
    ucbVsRandom = { finalAccuracyDiff: stats(accDiff), seedsUcbAtOrAbove: atOrAbove, denseArmShareDiff: stats(shareDiff) };
  }
  return { strategies: summaries, ucbVsRandom, lines: summaries.map((s) => summaryLine(s)) };
}

function fmt(s: Stats | null, digits = 3): string {
  return s ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : 'n/a';
}

/** e.g. "ucb: final W2S accuracy 0.812 ± 0.010 (overlap-only 0.80 ± 0.02), detected overlap 0.55, dense source 86% of rounds". */
export function summaryLine(s: StrategySummary): string {
  const dense = s.denseArmShare ? `, dense source pulled in ${(s.denseArmShare.mean * 100).toFixed(0)}% of rounds` : '';
  const share = s.pullShare.map((x) => `${(x * 100).toFixed(0)}%`).join('/');
  return (
    `${s.strategy}: final W2S accuracy ${fmt(s.final.accuracy)} (overlap-only ${fmt(s.final.accuracyOverlapOnly)}), ` +
    `detected overlap ratio ${fmt(s.final.detectedOverlapRatio)}, pulls per source ${share}${dense} over ${count(s.seeds, 'seed')}`
  );
}
