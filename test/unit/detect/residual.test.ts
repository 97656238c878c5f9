import { describe, expect, it } from 'vitest';
import { changePoint } from '../../../src/core/detect/changepoint';
import { detectOverlap } from '../../../src/core/detect/detect';
import { RESIDUAL_NEEDS_WEAK, residualScorer } from '../../../src/core/detect/residual';
import { stage2Scorer, STAGE2_SCORERS } from '../../../src/core/detect/scorers';
import { tsAlignmentKernel } from '../../../src/core/detect/alignKernel';
import { EASY, HARD, OVERLAP } from '../../../src/core/detect/types';
import { InputError } from '../../../src/core/errors';
import { concatRows, selectRows, type Matrix } from '../../../src/core/linalg/matrix';
import { fitRidge, ridgeResidualNorms } from '../../../src/core/linalg/ridge';
import { TestRng } from '../probe/builders';

/**
 * Rows with an easy block (seen by the weak side) and a hard block (strong only), each present or absent:
 * easy-only, hard-only and overlap rows as in the paper's mixture (a +- pattern per block, small noise everywhere).
 * Hard-only rows get low confidence, the others high.
 */
function blocks(rng: TestRng, sizes: { easy: number; hard: number; overlap: number }, d = 6) {
  const n = sizes.easy + sizes.hard + sizes.overlap;
  const truth = new Uint8Array(n);
  const confidence = new Float64Array(n);
  const strong = new Float32Array(n * 2 * d);
  const weak = new Float32Array(n * d);
  let i = 0;
  for (const [count, cat] of [[sizes.easy, EASY], [sizes.hard, HARD], [sizes.overlap, OVERLAP]] as const) {
    for (let k = 0; k < count; k++, i++) {
      truth[i] = cat;
      const signs = [rng.next() < 0.5 ? -1 : 1, rng.next() < 0.5 ? -1 : 1]; // independent: the weak side cannot predict the hard block
      confidence[i] = cat === HARD ? 0.05 * rng.next() : 0.5 + 0.5 * rng.next();
      for (let j = 0; j < 2 * d; j++) {
        const easyDim = j < d;
        const on = cat === OVERLAP || (easyDim ? cat === EASY : cat === HARD);
        const v = (on ? signs[easyDim ? 0 : 1] * (1.5 + 0.3 * rng.normal()) : 0) + 0.05 * rng.normal();
        strong[i * 2 * d + j] = v;
        if (easyDim) weak[i * d + j] = v + 0.05 * rng.normal();
      }
    }
  }
  return {
    n, truth, confidence,
    strong: { rows: n, cols: 2 * d, data: strong } as Matrix,
    weak: { rows: n, cols: d, data: weak } as Matrix,
  };
}

describe('residual stage-2 scorer', () => {
  it('is registered for align "residual"', () => {
    expect(STAGE2_SCORERS.residual).toBeDefined();
    expect(stage2Scorer('residual').mode).toBe('residual');
  });

  it('scores each non-hard row by its leave-one-out ridge residual norm times its abs-cosine-max alignment; t2 is their change point', async () => {
    const rng = new TestRng(901);
    const s = blocks(rng, { easy: 40, hard: 30, overlap: 50 });
    const out = await detectOverlap({ confidence: s.confidence, strong: s.strong, weak: s.weak, hardRule: 'segment', align: 'residual' });
    const fit = fitRidge(s.weak, s.strong);
    const norms = ridgeResidualNorms(fit, s.weak, s.strong, { leaveOneOut: true });
    const hard = Int32Array.from(Array.from(out.categories.keys()).filter((i) => out.categories[i] === HARD));
    const rest = Int32Array.from(Array.from(out.categories.keys()).filter((i) => out.categories[i] !== HARD));
    expect(hard.length).toBe(30);
    const align = await tsAlignmentKernel.maxAlignmentWithIndex(selectRows(s.strong, rest), selectRows(s.strong, hard), 'abs-cosine');
    const restScores: number[] = [];
    for (const i of hard) {
      expect(out.scores[i]).toBeNaN();
      expect(out.nearestHard[i]).toBe(-1);
    }
    rest.forEach((i, k) => {
      expect(out.scores[i]).toBeCloseTo(norms[i] * align.max[k], 12);
      expect(out.nearestHard[i]).toBe(hard[align.argmax[k]]);
      expect(out.categories[i] === OVERLAP).toBe(out.scores[i] >= out.t2!);
      restScores.push(out.scores[i]);
    });
    expect(out.t2).toBe(changePoint(restScores).threshold);
  });

  it('separates overlap rows (unexplained hard block) from easy-only rows (explained by the weak side)', async () => {
    const rng = new TestRng(902);
    const s = blocks(rng, { easy: 120, hard: 80, overlap: 100 });
    const out = await detectOverlap({ confidence: s.confidence, strong: s.strong, weak: s.weak, hardRule: 'segment', align: 'residual' });
    for (let i = 0; i < s.n; i++) expect(out.categories[i]).toBe(s.truth[i]);
    expect(out.counts).toEqual({ easy: 120, hard: 80, overlap: 100 });
  });

  it('leave-one-out scores are never below the in-sample ones', async () => {
    const rng = new TestRng(903);
    const s = blocks(rng, { easy: 30, hard: 20, overlap: 30 });
    const hard = Int32Array.from({ length: 20 }, (_, k) => 30 + k);
    const rest = Int32Array.from([...Array(30).keys(), ...Array.from({ length: 30 }, (_, k) => 50 + k)]);
    const input = { strong: s.strong, weak: s.weak, hard, rest, kernel: tsAlignmentKernel };
    const loo = await residualScorer({ score: 'norm' }).score(input);
    const inSample = await residualScorer({ score: 'norm', leaveOneOut: false }).score(input);
    for (let k = 0; k < rest.length; k++) expect(loo.rest[k]).toBeGreaterThanOrEqual(inSample.rest[k]);
  });

  it('variants: "relative" divides the norm by the row\'s centred strong norm; the default "aligned" multiplies it by the alignment', async () => {
    const rng = new TestRng(907);
    const s = blocks(rng, { easy: 25, hard: 15, overlap: 20 });
    const hard = Int32Array.from({ length: 15 }, (_, k) => 25 + k);
    const rest = Int32Array.from([...Array(25).keys(), ...Array.from({ length: 20 }, (_, k) => 40 + k)]);
    const input = { strong: s.strong, weak: s.weak, hard, rest, kernel: tsAlignmentKernel };
    const base = await residualScorer({ score: 'norm' }).score(input);
    const relative = await residualScorer({ score: 'relative' }).score(input);
    const aligned = await residualScorer().score(input);
    const align = await tsAlignmentKernel.maxAlignmentWithIndex(selectRows(s.strong, rest), selectRows(s.strong, hard), 'abs-cosine');
    const d = s.strong.cols;
    const mean = new Float64Array(d);
    for (let i = 0; i < s.n; i++) for (let j = 0; j < d; j++) mean[j] += s.strong.data[i * d + j] / s.n;
    rest.forEach((row, k) => {
      let ss = 0;
      for (let j = 0; j < d; j++) ss += (s.strong.data[row * d + j] - mean[j]) ** 2;
      expect(relative.rest[k]).toBeCloseTo(base.rest[k] / Math.sqrt(ss), 10);
      expect(aligned.rest[k]).toBeCloseTo(base.rest[k] * align.max[k], 10);
      expect(aligned.nearest![k]).toBe(align.argmax[k]);
    });
  });

  it('refuses to run without weak activations, with a message that names the way out', async () => {
    const rng = new TestRng(904);
    const s = blocks(rng, { easy: 10, hard: 10, overlap: 10 });
    const run = detectOverlap({ confidence: s.confidence, strong: s.strong, hardRule: 'segment', align: 'residual' });
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(RESIDUAL_NEEDS_WEAK);
    expect(RESIDUAL_NEEDS_WEAK).toMatch(/dot-max/);
  });

  it('fits on the history rows too and scores the history non-hard rows for t2', async () => {
    const rng = new TestRng(905);
    const past = blocks(rng, { easy: 20, hard: 15, overlap: 25 });
    const now = blocks(rng, { easy: 10, hard: 8, overlap: 12 });
    const pastHard = Int32Array.from({ length: 15 }, (_, k) => 20 + k);
    const pastRest = Int32Array.from([...Array(20).keys(), ...Array.from({ length: 25 }, (_, k) => 35 + k)]);
    const history = {
      strongHard: selectRows(past.strong, pastHard), weakHard: selectRows(past.weak, pastHard),
      strongRest: selectRows(past.strong, pastRest), weakRest: selectRows(past.weak, pastRest),
    };
    const out = await detectOverlap({
      confidence: now.confidence, strong: now.strong, weak: now.weak, hardRule: 'segment', align: 'residual', history,
    });
    // Reference: one ridge map over current, history-hard and history-rest rows (in that order).
    const w = concatRows(concatRows(now.weak, history.weakHard), history.weakRest);
    const st = concatRows(concatRows(now.strong, history.strongHard), history.strongRest);
    const norms = ridgeResidualNorms(fitRidge(w, st), w, st, { leaveOneOut: true });
    // Alignment keys: the current hard rows, then the history's.
    const hardNow = Int32Array.from(Array.from(out.categories.keys()).filter((i) => out.categories[i] === HARD));
    const keys = concatRows(selectRows(now.strong, hardNow), history.strongHard);
    const pool: number[] = [];
    for (let i = 0; i < now.n; i++) {
      if (out.categories[i] !== HARD) {
        const a = (await tsAlignmentKernel.maxAlignment(selectRows(now.strong, [i]), keys, 'abs-cosine'))[0];
        expect(out.scores[i]).toBeCloseTo(norms[i] * a, 12);
        pool.push(out.scores[i]);
      }
    }
    const pastAlign = await tsAlignmentKernel.maxAlignment(history.strongRest, keys, 'abs-cosine');
    for (let k = 0; k < pastRest.length; k++) pool.push(norms[now.n + 15 + k] * pastAlign[k]);
    expect(out.t2).toBeCloseTo(changePoint(pool).threshold, 12);

    const { weakRest: _omit, ...noWeakRest } = history;
    await expect(
      detectOverlap({ confidence: now.confidence, strong: now.strong, weak: now.weak, hardRule: 'segment', align: 'residual', history: noWeakRest }),
    ).rejects.toThrow(/history's 45 non-hard rows need their weak activations/);
  });

  it('rejects weak rows that do not match the strong rows', async () => {
    const rng = new TestRng(906);
    const s = blocks(rng, { easy: 10, hard: 10, overlap: 10 });
    const input = { strong: s.strong, weak: selectRows(s.weak, [0, 1, 2]), hard: Int32Array.from([0]), rest: Int32Array.from([1, 2]), kernel: tsAlignmentKernel };
    await expect(residualScorer().score(input)).rejects.toThrow(/30 rows of strong activations but 3 of weak/);
  });
});
