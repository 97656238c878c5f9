/**
 * A weak model at chance (its features do not carry the labels) gives confidences that are noise, and the partition
 * rests on them: the analysis says so beside the partition; a weak model that learns something draws no such note.
 */
import { describe, expect, it } from 'vitest';
import { runAnalysis } from '../../../src/core/experiment/analyze';
import { alternating, gaussian } from '../cancel/helpers';

function input(weakSeparation: number) {
  const n = 900;
  const labels = alternating(n);
  const encoder = (id: string, dim: number) => ({ id, kind: 'activations' as const, dim });
  return {
    weak: { kind: 'activations' as const, acts: gaussian(n, 16, labels, weakSeparation, 1) }, strong: gaussian(n, 48, labels, 0.8, 2),
    labels, numClasses: 2, encoders: { weak: encoder('weak', 16), strong: encoder('strong', 48) },
  };
}

describe('a weak model at chance', () => {
  it('is named, with its accuracy, the chance level and the margin, when its features do not carry the labels', async () => {
    const r = await runAnalysis(input(0), { seeds: 1 });
    const note = r.warnings.find((w) => w.startsWith('the weak model is at chance level'));
    expect(note, JSON.stringify(r.warnings)).toBeDefined();
    expect(note).toContain(`test accuracy ${r.accuracy.weak.toFixed(3)} against 0.5`);
    expect(note).toMatch(/partition built on them/);
  });

  it('is not named when the weak model learns something', async () => {
    const r = await runAnalysis(input(0.5), { seeds: 1 });
    expect(r.accuracy.weak).toBeGreaterThan(0.6);
    expect(r.warnings.filter((w) => w.includes('at chance level'))).toEqual([]);
  });
});

describe('the verdict beside a weak model at chance', () => {
  it('does not claim an overlap effect on a partition it calls noise, and keeps the regime', async () => {
    const r = await runAnalysis(input(0), { seeds: 3 });
    expect(r.sanity?.weakAtChance).toEqual({ weak: r.accuracy.weak, chance: expect.any(Number), margin: expect.any(Number) });
    expect(r.verdict?.overlap).toBe('unmeasured');
    expect(r.verdict?.sentence).toMatch(/the overlap effect is not measured: the weak model is at chance level \(test accuracy 0\.\d{3} against 0\.\d{3}/);
    expect(r.verdict?.sentence).toMatch(/partition built on its confidences is noise/);
    expect(r.verdict?.regime).toBe(r.regime.label);
    // every surface rebuilds the same words from the stored result (verdictOf over the sanity it carries)
    const { verdictOf } = await import('../../../src/core/experiment/verdict');
    expect(verdictOf(r)).toEqual(r.verdict);
  });

  it('measures the effect as before when the weak model learns something', async () => {
    const r = await runAnalysis(input(0.5), { seeds: 3 });
    expect(r.sanity?.weakAtChance ?? null).toBeNull();
    expect(r.verdict?.sentence).not.toMatch(/at chance/);
  });
});
