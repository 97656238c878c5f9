/**
 * Builder of SelectionResult test data: per-seed round logs from a seeded generator (the dense arm gives more
 * overlap and accuracy), summarised by the real `summarize`, so bands, shares and paired differences are consistent.
 */
import { Rng } from '../../../src/core/random/rng';
import { summarize } from '../../../src/core/select/summary';
import { SELECTION_SCHEMA_VERSION, type RoundLog, type SelectionMode, type SelectionResult, type StrategyName, type StrategyRun } from '../../../src/core/select/schema';

export interface SelectionBuild {
  rounds?: number;
  perRound?: number;
  seeds?: number;
  strategies?: StrategyName[];
  /** Pool densities of the sources; the last is the densest. */
  densities?: number[];
  names?: string[];
  /** Ground truth known (reference / synthetic): denseArm set, true ratios logged. */
  truth?: boolean;
  /** Accuracy logged every k rounds (and at the last). */
  evalEvery?: number;
  mode?: SelectionMode;
  dir?: string;
  adjustments?: string[];
}

export function buildSelection(o: SelectionBuild = {}): SelectionResult {
  const T = o.rounds ?? 20;
  const n = o.perRound ?? 10;
  const densities = o.densities ?? [0.1, 0.6];
  const K = densities.length;
  const names = o.names ?? densities.map((_, k) => `source-${k}.jsonl`);
  const strategies = o.strategies ?? (o.truth ? ['ucb', 'random', 'optimal'] : ['ucb', 'random']);
  const seeds = Array.from({ length: o.seeds ?? 3 }, (_, i) => i);
  const dense = densities.indexOf(Math.max(...densities));
  const evalEvery = o.evalEvery ?? 1;
  const runs: StrategyRun[] = [];
  for (const strategy of strategies) {
    for (const seed of seeds) {
      const rng = new Rng(1000 * seed + strategy.length);
      const pulls = new Array<number>(K).fill(0);
      const overlapByArm = new Array<number>(K).fill(0);
      let collected = 0;
      let collectedOverlap = 0;
      let trueOverlap = 0;
      const rounds: RoundLog[] = [];
      for (let t = 1; t <= T; t++) {
        const arm = strategy === 'optimal' ? dense : strategy === 'ucb' ? (t <= K ? t - 1 : rng.next() < 0.8 ? dense : (dense + 1) % K) : Math.floor(rng.next() * K);
        const overlap = Math.round(n * Math.min(1, Math.max(0, densities[arm] * 0.6 + 0.1 * (rng.next() - 0.5))));
        pulls[arm]++;
        overlapByArm[arm] += overlap;
        collected += n;
        collectedOverlap += overlap;
        trueOverlap += Math.round(n * densities[arm]);
        const ratio = collectedOverlap / collected;
        const scored = t % evalEvery === 0 || t === T;
        rounds.push({
          round: t,
          arm,
          indices: new Array(K).fill(null),
          bonuses: new Array(K).fill(null),
          estimates: pulls.map((p, k) => (p ? overlapByArm[k] / (p * n) : null)),
          pulls: [...pulls],
          batch: { size: n, overlap, easy: n - overlap, hard: 0, t1: 0.2, t2: 0.5, historyHard: 0, fallback: false },
          collected,
          collectedOverlap,
          detectedOverlapRatio: ratio,
          trueOverlapRatio: o.truth ? trueOverlap / collected : null,
          accuracy: scored ? 0.7 + 0.15 * ratio + 0.05 * (1 - 1 / t) + 0.01 * (rng.next() - 0.5) : null,
          accuracyOverlapOnly: scored && collectedOverlap > 0 ? 0.72 + 0.1 * ratio : null,
        });
      }
      runs.push({ strategy, seed, rounds, pulls });
    }
  }
  const dir = o.dir ?? '/data';
  return {
    schemaVersion: SELECTION_SCHEMA_VERSION,
    kind: 'selection',
    tool: { name: 'overlap-density', version: '0.1.0' },
    createdAt: '2025-01-01T00:00:00.000Z',
    mode: o.mode ?? (o.truth ? 'reference-synthetic' : 'files'),
    plan: {
      rounds: T,
      perRound: n,
      bonus: 'code',
      strategies,
      seeds,
      requested: { rounds: T, perRound: null, strategies },
      adjustments: o.adjustments ?? [],
    },
    sources: names.map((name, k) => ({
      name,
      path: `${dir}/${name}`,
      poolRows: T * n + 17 * k,
      weakTrainRows: 100 + k,
      testRows: 100 + k,
      trueOverlapDensity: o.truth ? densities[k] : null,
      densityFrom: o.truth ? 'ground-truth' : null,
      detectedPoolDensity: densities[k] * 0.7,
    })),
    denseArm: o.truth ? dense : null,
    numClasses: 2,
    labelNames: ['ham', 'spam'],
    encoders: { weak: { id: 'majority-vote', kind: 'votes', dim: 0 }, strong: { id: 'use-lite', kind: 'bundled', dim: 512 } },
    options: { hardRule: 'segment', align: 'dot-max', jump: 5, pseudo: 'soft', l2: 0.001, w2sC: null, evalEvery, augment: 'hard+rest' },
    shared: { weakTrainRows: 0, testRows: 300, accuracy: { weak: 0.72, strong: 0.9, w2sAllPools: 0.8 } },
    runs,
    summary: summarize(runs, strategies, T, K, o.truth ? dense : null),
    warnings: ['a note about the data'],
    device: 'cpu',
    timings: { total: 12.5 },
  };
}
