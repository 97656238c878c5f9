import { describe, expect, it } from 'vitest';
import { COST_PER_ROW, sideCostPerRow, WeightedProgress } from '../../../src/pipeline/progressPlan';

function recorder() {
  const seen: { stage: string; f: number; detail?: string }[] = [];
  return { seen, fn: (stage: string, f: number, detail?: string) => void seen.push({ stage, f, detail }) };
}

describe('progress weighted by stage cost (issue 15, item 8)', () => {
  it('gives a cold transformer encoder most of the bar, as measured', () => {
    const rows = 1821;
    const r = recorder();
    const plan = new WeightedProgress(r.fn, [
      ['strong', rows * sideCostPerRow({ kind: 'bundled', id: 'use-lite' })],
      ['weak', rows * sideCostPerRow({ kind: 'bundled', id: 'glove-mean' })],
      ['analysis', rows * (COST_PER_ROW.analysis + 10 * COST_PER_ROW.analysisPerSeed)],
    ]);
    plan.stage('strong')('encode', 0.5);
    plan.stage('strong')('encode', 1);
    const afterStrong = r.seen.at(-1)!.f;
    expect(r.seen[0]!.f).toBeCloseTo(afterStrong / 2, 6);
    expect(afterStrong).toBeGreaterThan(0.7);
    plan.stage('weak')('encode', 1);
    plan.stage('analysis')('mixing', 0.5);
    expect(r.seen.at(-1)!.f).toBeGreaterThan(afterStrong);
    plan.stage('analysis')('done', 1);
    expect(r.seen.at(-1)!.f).toBe(1);
  });

  it('re-divides the bar when a side comes from the cache, and never goes back', () => {
    const r = recorder();
    const plan = new WeightedProgress(r.fn, [['strong', 10], ['weak', 1], ['analysis', 2]]);
    plan.reweigh('strong', 0.5);
    plan.stage('strong')('activations from cache (use-lite)', 1, 'from cache');
    expect(r.seen[0]!.f).toBeCloseTo(0.5 / 3.5, 6);
    plan.stage('weak')('x', 0);
    plan.stage('weak')('x', 1);
    plan.stage('analysis')('y', 0.5);
    const fs = r.seen.map((s) => s.f);
    expect(fs).toEqual([...fs].sort((a, b) => a - b));
    expect(fs.at(-1)).toBeCloseTo((0.5 + 1 + 1) / 3.5, 6);
  });
});
