/**
 * Detection invariants (METHOD.md section 2) on random W2S-train sets: the partition covers every row exactly once,
 * hard-only follows t1 by the stage-1 rule, overlap follows t2 among the rest, both thresholds are data values (or
 * the median fallback), no hard rows means no overlap, and permuting the rows permutes the categories and nothing
 * else. Values are small integers and quarters so dot products are exact and ties are real.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimumPoints, sortedMedian } from '../../../src/core/detect/changepoint';
import { detectOverlap } from '../../../src/core/detect/detect';
import { EASY, HARD, OVERLAP, type AlignMode, type HardRule } from '../../../src/core/detect/types';
import type { Matrix } from '../../../src/core/linalg/matrix';
import { checkProperty } from './count';

interface Scene {
  confidence: number[];
  strong: number[][];
  hardRule: HardRule;
  align: AlignMode;
  jump: number;
}

const scene = fc
  .record({ n: fc.integer({ min: 0, max: 48 }), d: fc.integer({ min: 1, max: 4 }) })
  .chain(({ n, d }) =>
    fc.record({
      confidence: fc.array(fc.integer({ min: 0, max: 8 }).map((k) => k / 8), { minLength: n, maxLength: n }),
      strong: fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: d, maxLength: d }), { minLength: n, maxLength: n }),
      hardRule: fc.constantFrom<HardRule>('segment', 'probing'),
      align: fc.constantFrom<AlignMode>('dot-max', 'abs-cosine-max'),
      jump: fc.constantFrom(5, 1),
    }),
  );

function matrix(rows: number[][], cols: number): Matrix<Float32Array> {
  return { rows: rows.length, cols, data: Float32Array.from(rows.flat()) };
}

async function detect(s: Scene) {
  const cols = s.strong[0]?.length ?? 1;
  return detectOverlap({
    confidence: Float64Array.from(s.confidence), strong: matrix(s.strong, cols), hardRule: s.hardRule, align: s.align, jump: s.jump,
  });
}

describe('detection invariants (fast-check)', () => {
  it('partitions W2S-train exactly once by t1 and t2, which are data values', async () => {
    await checkProperty(
      'detect: partition and thresholds',
      fc.asyncProperty(scene, async (s) => {
        const out = await detect(s);
        const n = s.confidence.length;
        expect(out.categories.length).toBe(n);
        const counts = { easy: 0, hard: 0, overlap: 0 };
        out.categories.forEach((c) => {
          expect([EASY, HARD, OVERLAP]).toContain(c);
          counts[c === EASY ? 'easy' : c === HARD ? 'hard' : 'overlap']++;
        });
        expect(out.counts).toEqual(counts);
        expect(counts.easy + counts.hard + counts.overlap).toBe(n);
        expect(out.overlapDensity).toBe(n === 0 ? 0 : counts.overlap / n);
        if (n === 0) return;

        // Stage 1: t1 is a confidence (or the median fallback) and hard-only follows the rule exactly.
        const sortedC = Float64Array.from(s.confidence).sort();
        if (n < minimumPoints(s.jump)) expect(out.t1).toBe(sortedMedian(sortedC));
        else expect(s.confidence).toContain(out.t1);
        const isHard = (c: number) => (s.hardRule === 'segment' ? c < out.t1 : c <= out.t1);
        s.confidence.forEach((c, i) => expect(out.categories[i] === HARD, `row ${i}`).toBe(isHard(c)));

        // Stage 2: only when there are hard rows and other rows; t2 is one of the scores (or their median).
        if (counts.hard === 0 || counts.hard === n) {
          expect(out.t2).toBeNull();
          expect(counts.overlap).toBe(0);
          return;
        }
        const rest = s.confidence.map((c, i) => i).filter((i) => out.categories[i] !== HARD);
        const restScores = rest.map((i) => out.scores[i]);
        expect(restScores.every(Number.isFinite)).toBe(true);
        const sortedS = Float64Array.from(restScores).sort();
        if (rest.length < minimumPoints(s.jump)) expect(out.t2).toBe(sortedMedian(sortedS));
        else expect(restScores).toContain(out.t2);
        for (const i of rest) expect(out.categories[i] === OVERLAP, `row ${i}`).toBe(out.scores[i] >= out.t2!);
        out.categories.forEach((c, i) => {
          if (c === HARD) expect(Number.isNaN(out.scores[i])).toBe(true);
        });
      }),
      1500,
    );
  });

  it('permuting the rows permutes the categories and leaves the thresholds unchanged', async () => {
    await checkProperty(
      'detect: permutation invariance',
      fc.asyncProperty(scene, fc.integer(), async (s, seed) => {
        const n = s.confidence.length;
        const order = Array.from({ length: n }, (_, i) => i);
        let r = seed >>> 0 || 1;
        for (let i = n - 1; i > 0; i--) {
          r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
          const j = r % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        const a = await detect(s);
        const b = await detect({ ...s, confidence: order.map((i) => s.confidence[i]), strong: order.map((i) => s.strong[i]) });
        expect(Array.from(b.categories)).toEqual(order.map((i) => a.categories[i]));
        expect(Array.from(b.scores)).toEqual(order.map((i) => a.scores[i]));
        expect([b.t1, b.t2, b.counts]).toEqual([a.t1, a.t2, a.counts]);
      }),
      700,
    );
  });
});
