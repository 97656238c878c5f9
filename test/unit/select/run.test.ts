import { describe, expect, it } from 'vitest';
import { detectOverlap } from '../../../src/core/detect/detect';
import { HARD } from '../../../src/core/detect/types';
import { tsAlignmentKernel } from '../../../src/core/detect/alignKernel';
import { selectRows, type Matrix } from '../../../src/core/linalg/matrix';
import { Rng } from '../../../src/core/random/rng';
import { ucbBonus } from '../../../src/core/select/bandit';
import { IncrementalMaxAlignment } from '../../../src/core/select/incremental';
import { partitionByShares, syntheticReferenceSetup } from '../../../src/core/select/reference';
import { armOrder, runSelection } from '../../../src/core/select/run';
import type { SelectionResult } from '../../../src/core/select/schema';

const meta = {
  mode: 'reference-synthetic' as const,
  encoders: { weak: { id: 'w', kind: 'synthetic' as const, dim: 40 }, strong: { id: 's', kind: 'synthetic' as const, dim: 40 } },
};

/** A small reference setup: about 120 and 280 pool rows at 17% and 64% true overlap. */
const small = () => syntheticReferenceSetup({ nOverlap: 600, nNonOverlap: 600, seed: 3 });

async function runSmall(seed = 0, seeds = 2): Promise<SelectionResult> {
  return runSelection(small(), { rounds: 10, seed, seeds }, { pseudo: 'hard', w2sC: 0.01 }, meta);
}

const strip = (r: SelectionResult) => ({ ...r, createdAt: '', timings: {} });

describe('runSelection', () => {
  it('is reproducible: the same seeds give the same result, other seeds other draws', async () => {
    const a = await runSmall(0);
    const b = await runSmall(0);
    expect(strip(b)).toEqual(strip(a));
    const c = await runSmall(5);
    const arms = (r: SelectionResult) => r.runs.filter((x) => x.strategy === 'random').map((x) => x.rounds.map((t) => t.arm).join(''));
    expect(arms(c)).not.toEqual(arms(a));
    expect(armOrder(0, 1, 50)).toEqual(armOrder(0, 1, 50));
    expect(armOrder(0, 1, 50)).not.toEqual(armOrder(1, 1, 50));
  });

  it('optimal pulls the truly densest source in every round', async () => {
    const r = await runSmall();
    expect(r.sources[1].trueOverlapDensity!).toBeGreaterThan(r.sources[0].trueOverlapDensity!);
    expect(r.denseArm).toBe(1);
    for (const run of r.runs.filter((x) => x.strategy === 'optimal')) {
      expect(run.rounds.every((t) => t.arm === 1)).toBe(true);
      expect(run.pulls).toEqual([0, 10]);
    }
    expect(r.summary.strategies.find((s) => s.strategy === 'optimal')!.denseArmShare!.mean).toBe(1);
  });

  it('logs a consistent round: round robin, indices from the previous estimates, cumulative estimates and ratios', async () => {
    const r = await runSmall();
    const n = r.plan.perRound;
    const T = r.plan.rounds;
    for (const run of r.runs.filter((x) => x.strategy === 'ucb')) {
      expect(run.rounds[0].arm).toBe(0);
      expect(run.rounds[1].arm).toBe(1);
      expect(run.rounds[0].indices).toEqual([null, null]);
      const overlapByArm = [0, 0];
      let collectedOverlap = 0;
      run.rounds.forEach((t, i) => {
        if (i >= 2) {
          const prev = run.rounds[i - 1];
          for (let k = 0; k < 2; k++) {
            expect(t.indices[k]).toBeCloseTo(prev.estimates[k]! + ucbBonus('code', prev.pulls[k], T, i), 12);
          }
          expect(t.arm).toBe(t.indices[0]! >= t.indices[1]! ? 0 : 1);
        }
        overlapByArm[t.arm] += t.batch.overlap;
        collectedOverlap += t.batch.overlap;
        expect(t.batch.overlap + t.batch.easy + t.batch.hard).toBe(n);
        expect(t.estimates[t.arm]).toBeCloseTo(overlapByArm[t.arm] / (t.pulls[t.arm] * n), 12);
        expect(t.collected).toBe((i + 1) * n);
        expect(t.collectedOverlap).toBe(collectedOverlap);
        expect(t.detectedOverlapRatio).toBeCloseTo(collectedOverlap / t.collected, 12);
        expect(t.trueOverlapRatio).not.toBeNull();
        expect(t.accuracy).toBeGreaterThan(0.5);
      });
    }
  });

  it('skips W2S scoring between evalEvery rounds but always scores the last round', async () => {
    const r = await runSelection(small(), { rounds: 10, seeds: 1, strategies: ['random'] }, { evalEvery: 4 }, meta);
    const scored = r.runs[0].rounds.map((t) => t.accuracy !== null);
    expect(scored).toEqual([false, false, false, true, false, false, false, true, false, true]);
    expect(r.summary.strategies[0].final.accuracy).not.toBeNull();
  });
});

describe('incremental augmented detection', () => {
  it('gives the same partition as rescoring the whole history every round', async () => {
    const rng = new Rng(11);
    const d = 6;
    const rows = (k: number): Matrix<Float32Array> => ({ rows: k, cols: d, data: Float32Array.from({ length: k * d }, () => rng.normal()) });
    for (const align of ['dot-max', 'abs-cosine-max'] as const) {
      const scorer = new IncrementalMaxAlignment(align);
      let hardHist = rows(0);
      let restHist = rows(0);
      for (let round = 0; round < 8; round++) {
        const batch = rows(15);
        // Constant confidence: the segment rule finds no hard rows (round 0: none at all yet, stage 2 cannot run),
        // the probing rule makes every row hard (round 4: no rest rows, stage 2 does not run either).
        const constant = round === 0 || round === 4;
        const conf = Float64Array.from({ length: 15 }, (_, i) => (constant ? 0.5 : (i % 5) / 5 + 0.1 * rng.next()));
        const hardRule = round === 4 ? ('probing' as const) : ('segment' as const);
        const history = { strongHard: hardHist, strongRest: restHist };
        const base = { confidence: conf, strong: batch, hardRule, align, jump: 1, kernel: tsAlignmentKernel, history };
        const full = await detectOverlap(base);
        const fast = await detectOverlap({ ...base, scorer });
        expect(Array.from(fast.categories)).toEqual(Array.from(full.categories));
        expect(fast.t2).toBe(full.t2);
        const hardIdx = Array.from({ length: 15 }, (_, i) => i).filter((i) => full.categories[i] === HARD);
        const restIdx = Array.from({ length: 15 }, (_, i) => i).filter((i) => full.categories[i] !== HARD);
        if (round === 0) expect(hardIdx).toHaveLength(0);
        if (round === 4) expect(restIdx).toHaveLength(0);
        const before = restHist;
        const newHard = selectRows(batch, hardIdx);
        hardHist = cat(hardHist, newHard);
        restHist = cat(restHist, selectRows(batch, restIdx));
        await scorer.commit(restIdx.length, newHard, before, tsAlignmentKernel);
      }
    }
  });
});

function cat(a: Matrix<Float32Array>, b: Matrix<Float32Array>): Matrix<Float32Array> {
  const data = new Float32Array(a.data.length + b.data.length);
  data.set(a.data, 0);
  data.set(b.data, a.data.length);
  return { rows: a.rows + b.rows, cols: a.cols, data };
}

describe('reference sources', () => {
  it('partitionByShares deals out disjoint parts of the right sizes', () => {
    const idx = Int32Array.from({ length: 101 }, (_, i) => i);
    const parts = partitionByShares(idx, [0.1, 0.9], new Rng(1));
    expect(parts.map((p) => p.length)).toEqual([10, 91]);
    expect(new Set([...parts[0], ...parts[1]]).size).toBe(101);
    const thirds = partitionByShares(idx, [1 / 3, 1 / 3, 1 / 3], new Rng(1));
    expect(thirds.map((p) => p.length)).toEqual([34, 33, 34]);
  });

  it('the synthetic reference gives two sources at 10% and 90% of the overlap rows with even easy and hard rows', () => {
    const s = syntheticReferenceSetup({ nOverlap: 3000, nNonOverlap: 3000, seed: 0 });
    const count = (m: Uint8Array, c: number) => m.filter((x) => x === c).length;
    const [a, b] = s.sources;
    const ovA = count(a.membership!, 2);
    const ovB = count(b.membership!, 2);
    expect(ovA / (ovA + ovB)).toBeCloseTo(0.1, 2);
    expect(Math.abs(count(a.membership!, 0) - count(b.membership!, 0))).toBeLessThanOrEqual(1);
    expect(Math.abs(count(a.membership!, 1) - count(b.membership!, 1))).toBeLessThanOrEqual(1);
    expect(a.trueOverlapDensity).toBeCloseTo(ovA / a.labels.length, 12);
    expect(s.weakTrain!.labels.length + s.test.labels.length + a.labels.length + b.labels.length).toBe(6000);
  });
});
