import { describe, expect, it } from 'vitest';
import { changePoint } from '../../../src/core/detect/changepoint';
import { detectOverlap, type DetectInput } from '../../../src/core/detect/detect';
import { maxAlignmentScorer, registerStage2Scorer, STAGE2_SCORERS, type Stage2Scorer } from '../../../src/core/detect/scorers';
import { EASY, HARD, OVERLAP, type AlignmentKernel, type DetectionOutcome } from '../../../src/core/detect/types';
import { InputError } from '../../../src/core/errors';
import { tsAlignmentKernel } from '../../../src/core/detect/alignKernel';
import { selectRows, type Matrix } from '../../../src/core/linalg/matrix';
import { randomMatrix, TestRng } from '../probe/builders';

/**
 * A W2S-train-like set: `hard` rows with low confidence and hard-block activations, `overlap` rows with high
 * confidence and both blocks, `easy` rows with high confidence and the easy block only.
 */
function scenario(rng: TestRng, sizes: { easy: number; hard: number; overlap: number }, d = 8) {
  const n = sizes.easy + sizes.hard + sizes.overlap;
  const truth = new Uint8Array(n);
  const confidence = new Float64Array(n);
  const strong = randomMatrix(rng, n, 2 * d, false, 0.3);
  let i = 0;
  const put = (count: number, cat: number) => {
    for (let k = 0; k < count; k++, i++) {
      truth[i] = cat;
      confidence[i] = cat === HARD ? 0.05 * rng.next() : 0.6 + 0.4 * rng.next();
      for (let j = 0; j < 2 * d; j++) {
        const easyDim = j < d;
        const on = cat === OVERLAP || (cat === EASY && easyDim) || (cat === HARD && !easyDim);
        if (on) strong.data[i * 2 * d + j] += 1;
      }
    }
  };
  put(sizes.easy, EASY);
  put(sizes.hard, HARD);
  put(sizes.overlap, OVERLAP);
  return { confidence, strong, truth, n };
}

function expectWellFormed(out: DetectionOutcome, n: number): void {
  expect(out.categories.length).toBe(n);
  const counted = { easy: 0, hard: 0, overlap: 0 };
  for (const c of out.categories) {
    expect([EASY, HARD, OVERLAP]).toContain(c);
    counted[(['easy', 'hard', 'overlap'] as const)[c]]++;
  }
  expect(out.counts).toEqual(counted);
  expect(out.counts.easy + out.counts.hard + out.counts.overlap).toBe(n);
  expect(out.overlapDensity).toBeCloseTo(n === 0 ? 0 : out.counts.overlap / n, 15);
  for (let i = 0; i < n; i++) {
    if (out.categories[i] === HARD) {
      expect(out.scores[i]).toBeNaN();
      expect(out.nearestHard[i]).toBe(-1);
    } else if (out.t2 !== null) {
      expect(out.categories[i] === OVERLAP).toBe(out.scores[i] >= out.t2);
      if (out.nearestHard[i] >= 0) expect(out.categories[out.nearestHard[i]]).toBe(HARD);
    }
  }
}

describe('detectOverlap', () => {
  it('partitions every row exactly once, with t1 and t2 the change points of confidences and scores', async () => {
    const rng = new TestRng(301);
    for (const align of ['abs-cosine-max', 'dot-max'] as const) {
      for (const hardRule of ['segment', 'probing'] as const) {
        const { confidence, strong, n } = scenario(rng, { easy: 40, hard: 30, overlap: 50 });
        const out = await detectOverlap({ confidence, strong, hardRule, align });
        expectWellFormed(out, n);
        const cp1 = changePoint(confidence);
        expect(out.t1).toBe(cp1.threshold);
        expect(out.b1).toBe(cp1.breakpoint);
        const restScores = Array.from(out.scores).filter((s) => !Number.isNaN(s));
        const cp2 = changePoint(restScores);
        expect(out.t2).toBe(cp2.threshold);
        expect(out.b2).toBe(cp2.breakpoint);
        expect(out.fallbacks).toEqual({ confidence: false, align: false });
        expect(out.notes).toEqual([]);
      }
    }
  });

  it('finds planted overlap rows and points each row at a hard row', async () => {
    const rng = new TestRng(302);
    const { confidence, strong, truth, n } = scenario(rng, { easy: 60, hard: 40, overlap: 60 });
    const out = await detectOverlap({ confidence, strong, hardRule: 'segment', align: 'dot-max' });
    let agree = 0;
    for (let i = 0; i < n; i++) if (out.categories[i] === truth[i]) agree++;
    expect(agree / n).toBeGreaterThan(0.9);
    for (let i = 0; i < n; i++) if (out.categories[i] !== HARD) expect(out.categories[out.nearestHard[i]]).toBe(HARD);
  });

  it('copies the hard and rest rows into the caller\'s scratch memory when it holds them, with the same outcome', async () => {
    const rng = new TestRng(305);
    const { confidence, strong, n } = scenario(rng, { easy: 50, hard: 30, overlap: 40 });
    const plain = await detectOverlap({ confidence, strong, hardRule: 'segment', align: 'dot-max' });
    for (const align of ['dot-max', 'abs-cosine-max'] as const) {
      const ref = align === 'dot-max' ? plain : await detectOverlap({ confidence, strong, hardRule: 'segment', align });
      const scratch = new Float32Array(n * strong.cols).fill(NaN);
      const seen: Matrix[] = [];
      const kernel: AlignmentKernel = {
        ...tsAlignmentKernel,
        maxAlignmentWithIndex: (q, k, mode, signal, progress) => (seen.push(q, k), tsAlignmentKernel.maxAlignmentWithIndex!(q, k, mode, signal, progress)),
      };
      const out = await detectOverlap({ confidence, strong, hardRule: 'segment', align, kernel, scratch: async () => scratch });
      expect(out.categories).toEqual(ref.categories);
      expect(out.scores).toEqual(ref.scores);
      // the query (rest) and key (hard) rows the kernel got live in the scratch, hard rows first, every value written
      const [query, keys] = seen;
      expect(keys.data.buffer).toBe(scratch.buffer);
      expect(query.data.buffer).toBe(scratch.buffer);
      expect(keys.rows + query.rows).toBe(n);
      expect(scratch.every((v) => !Number.isNaN(v))).toBe(true);
      const hard = Int32Array.from([...out.categories].flatMap((c, i) => (c === HARD ? [i] : [])));
      expect(keys.data).toEqual(selectRows(strong, hard).data);
    }
    // a scratch too small (or none) leaves the copies to fresh memory, the outcome the same
    const small = await detectOverlap({ confidence, strong, hardRule: 'segment', align: 'dot-max', scratch: async () => new Float32Array(10) });
    expect(small.categories).toEqual(plain.categories);
  });

  it('differs between the segment and probing rules exactly at confidences equal to t1', async () => {
    const rng = new TestRng(303);
    const { confidence, strong, n } = scenario(rng, { easy: 30, hard: 25, overlap: 30 });
    // put several rows exactly on the threshold
    const t1 = changePoint(confidence).threshold;
    for (const i of [0, 1, 2, 50, 70]) confidence[i] = t1;
    const t1After = changePoint(confidence).threshold;
    const seg = await detectOverlap({ confidence, strong, hardRule: 'segment', align: 'abs-cosine-max' });
    const prob = await detectOverlap({ confidence, strong, hardRule: 'probing', align: 'abs-cosine-max' });
    expect(seg.t1).toBe(t1After);
    expect(prob.t1).toBe(t1After);
    let ties = 0;
    for (let i = 0; i < n; i++) {
      const hardSeg = seg.categories[i] === HARD;
      const hardProb = prob.categories[i] === HARD;
      if (confidence[i] === t1After) {
        ties++;
        expect(hardSeg).toBe(false);
        expect(hardProb).toBe(true);
      } else {
        expect(hardSeg).toBe(hardProb);
      }
    }
    expect(ties).toBeGreaterThanOrEqual(5);
  });

  it('gives the same categories for permuted rows', async () => {
    const rng = new TestRng(304);
    const { confidence, strong, n } = scenario(rng, { easy: 35, hard: 20, overlap: 45 });
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    for (const align of ['abs-cosine-max', 'dot-max'] as const) {
      const base = await detectOverlap({ confidence, strong, hardRule: 'probing', align });
      const permuted = await detectOverlap({
        confidence: Float64Array.from(perm, (p) => confidence[p]), strong: selectRows(strong, perm), hardRule: 'probing', align,
      });
      for (let k = 0; k < n; k++) {
        expect(permuted.categories[k]).toBe(base.categories[perm[k]]);
        expect(Object.is(permuted.scores[k], base.scores[perm[k]])).toBe(true);
      }
      expect(permuted.t1).toBe(base.t1);
      expect(permuted.t2).toBe(base.t2);
    }
  });

  it('finds no overlap without hard rows, and says why', async () => {
    const rng = new TestRng(305);
    const n = 30;
    // every row has the same confidence: no threshold separates any of them, t1 = 0.2 and c < t1 is empty
    const confidence = Float64Array.from({ length: n }, () => 0.2);
    const out = await detectOverlap({ confidence, strong: randomMatrix(rng, n, 4), hardRule: 'segment', align: 'dot-max' });
    expect(out.t1).toBe(0.2);
    expect(out.counts).toEqual({ easy: n, hard: 0, overlap: 0 });
    expect(out.overlapDensity).toBe(0);
    expect(out.t2).toBeNull();
    expect(Array.from(out.scores).every(Number.isNaN)).toBe(true);
    expect(out.notes.join(' ')).toMatch(/no hard-only rows/);
    expectWellFormed(out, n);
  });

  it('keeps rows of equal confidence on one side when the change point falls among them (uncovered vote rows)', async () => {
    const rng = new TestRng(307);
    // 127 rows at confidence 0 (no labelling function voted), 373 spread above: jump 5 puts ruptures' breakpoint at
    // 125, inside the zeros, where the reference's t1 = 0 and c < 0 would leave no hard row at all
    const n = 500;
    const confidence = Float64Array.from({ length: n }, (_, i) => (i < 127 ? 0 : 0.9 + 0.1 * rng.next()));
    const out = await detectOverlap({ confidence, strong: randomMatrix(rng, n, 6), hardRule: 'segment', align: 'dot-max' });
    expect(out.b1).toBe(127);
    expect(out.t1).toBeGreaterThan(0);
    expect(out.counts.hard).toBe(127);
    expect(out.counts.overlap).toBeGreaterThan(0);
    expect(out.notes.join(' ')).toMatch(/confidence change point \(position 125 of 500 sorted values\) fell among 127 rows with the same confidence 0/);
    expectWellFormed(out, n);
    // with the probing rule the zeros are hard too
    const probing = await detectOverlap({ confidence, strong: randomMatrix(rng, n, 6), hardRule: 'probing', align: 'dot-max' });
    expect(probing.counts.hard).toBeGreaterThanOrEqual(127);
    // 28 equal rows and 2 above: the only admissible edge puts all 28 below
    const few = Float64Array.from({ length: 30 }, (_, i) => (i < 28 ? 0.2 : 0.9));
    const split = await detectOverlap({ confidence: few, strong: randomMatrix(rng, 30, 4), hardRule: 'segment', align: 'dot-max' });
    expect(split.t1).toBe(0.9);
    expect(split.counts.hard).toBe(28);
  });

  it('handles every row hard, no rows, and too few rows (median fallbacks)', async () => {
    const rng = new TestRng(306);
    const same = Float64Array.from({ length: 12 }, () => 0.4);
    const allHard = await detectOverlap({ confidence: same, strong: randomMatrix(rng, 12, 3), hardRule: 'probing', align: 'dot-max' });
    expect(allHard.counts).toEqual({ easy: 0, hard: 12, overlap: 0 });
    expect(allHard.notes.join(' ')).toMatch(/every row is hard-only/);

    const empty = await detectOverlap({
      confidence: new Float64Array(0), strong: { rows: 0, cols: 3, data: new Float32Array(0) }, hardRule: 'segment', align: 'dot-max',
    });
    expect(empty.counts).toEqual({ easy: 0, hard: 0, overlap: 0 });
    expect(empty.overlapDensity).toBe(0);

    const few = Float64Array.from([0.1, 0.9, 0.2, 0.8, 0.95]);
    const out = await detectOverlap({ confidence: few, strong: randomMatrix(rng, 5, 3), hardRule: 'segment', align: 'abs-cosine-max' });
    expect(out.fallbacks).toEqual({ confidence: true, align: true });
    expect(out.t1).toBe(0.8);
    expect(out.b1).toBeNull();
    expect(out.counts.hard).toBe(2);
    expectWellFormed(out, 5);
  });

  it('augments the hard set with history and computes t2 over current and history scores', async () => {
    const rng = new TestRng(307);
    const cur = scenario(rng, { easy: 20, hard: 10, overlap: 20 });
    const past = scenario(rng, { easy: 20, hard: 15, overlap: 25 });
    const pastHardRows = [...past.truth.keys()].filter((i) => past.truth[i] === HARD);
    const pastRestRows = [...past.truth.keys()].filter((i) => past.truth[i] !== HARD);
    const history = { strongHard: selectRows(past.strong, pastHardRows), strongRest: selectRows(past.strong, pastRestRows) };
    const out = await detectOverlap({ confidence: cur.confidence, strong: cur.strong, hardRule: 'segment', align: 'dot-max', history });
    expectWellFormed(out, cur.n);
    // the hard set has the history rows: scores are maxima over current and history hard rows
    const hardNow = [...out.categories.keys()].filter((i) => out.categories[i] === HARD);
    const restNow = [...out.categories.keys()].filter((i) => out.categories[i] !== HARD);
    const dot = (a: Matrix, i: number, b: Matrix, k: number) => {
      let s = 0;
      for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j] * b.data[k * b.cols + j];
      return s;
    };
    const scoreOf = (m: Matrix, i: number) => Math.max(
      ...hardNow.map((h) => dot(m, i, cur.strong, h)),
      ...pastHardRows.map((_, k) => dot(m, i, history.strongHard, k)),
    );
    for (const i of restNow) expect(out.scores[i]).toBeCloseTo(scoreOf(cur.strong, i), 5);
    const pool = [...restNow.map((i) => out.scores[i]), ...pastRestRows.map((_, k) => scoreOf(history.strongRest, k))];
    expect(out.t2).toBeCloseTo(changePoint(pool).threshold, 5);
    // rows whose nearest hard row is a history row point there instead of at an input row
    expect(out.nearestHistory).toBeDefined();
    for (const i of restNow) expect(out.nearestHard[i] >= 0 || out.nearestHistory![i] >= 0).toBe(true);
    // without history rest rows, t2 is over the current rows only (the reference bandit code)
    const hardOnly = await detectOverlap({
      confidence: cur.confidence, strong: cur.strong, hardRule: 'segment', align: 'dot-max', history: { strongHard: history.strongHard },
    });
    expect(hardOnly.t2).toBe(changePoint(restNow.map((i) => hardOnly.scores[i])).threshold);
  });

  it('dispatches stage 2 by align mode through the scorer registry', async () => {
    const rng = new TestRng(308);
    const { confidence, strong } = scenario(rng, { easy: 10, hard: 10, overlap: 10 });
    const input: DetectInput = { confidence, strong, hardRule: 'segment', align: 'residual' };
    const saved = STAGE2_SCORERS.residual;
    delete STAGE2_SCORERS.residual;
    await expect(detectOverlap(input)).rejects.toThrow(InputError);
    await expect(detectOverlap(input)).rejects.toThrow(/no stage-2 scorer/);
    // a plugged-in scorer gets the rows of both stages and decides the scores
    let seen: { hard: number; rest: number } | null = null;
    const fake: Stage2Scorer = {
      mode: 'residual',
      async score(ctx) {
        seen = { hard: ctx.hard.length, rest: ctx.rest.length };
        return { rest: Float64Array.from(ctx.rest, (i) => i) };
      },
    };
    registerStage2Scorer(fake);
    try {
      const out = await detectOverlap(input);
      expect(seen).toEqual({ hard: out.counts.hard, rest: out.counts.easy + out.counts.overlap });
      for (let i = 0; i < out.scores.length; i++) if (out.categories[i] !== HARD) expect(out.scores[i]).toBe(i);
      expect(Array.from(out.nearestHard).every((v) => v === -1)).toBe(true);
    } finally {
      if (saved) STAGE2_SCORERS.residual = saved;
      else delete STAGE2_SCORERS.residual;
    }
  });

  it('uses maxAlignment of a kernel without maxAlignmentWithIndex (no nearest rows then)', async () => {
    const rng = new TestRng(309);
    const { confidence, strong } = scenario(rng, { easy: 15, hard: 10, overlap: 15 });
    const calls: string[] = [];
    const kernel: AlignmentKernel = {
      name: 'plain',
      async maxAlignment(q, k, mode) {
        calls.push(mode);
        return (await maxAlignmentScorer('dot-max', mode).score({
          strong: q, hard: new Int32Array(0), rest: Int32Array.from({ length: q.rows }, (_, i) => i),
          history: { strongHard: k }, kernel: { name: 'inner', maxAlignment: async () => new Float64Array(q.rows) },
        })).rest;
      },
    };
    const out = await detectOverlap({ confidence, strong, hardRule: 'segment', align: 'abs-cosine-max', kernel });
    expect(calls).toEqual(['abs-cosine']);
    expect(Array.from(out.nearestHard).every((v) => v === -1)).toBe(true);
  });

  it('rejects mismatched inputs', async () => {
    const rng = new TestRng(310);
    await expect(detectOverlap({
      confidence: new Float64Array(4), strong: randomMatrix(rng, 5, 2), hardRule: 'segment', align: 'dot-max',
    })).rejects.toThrow(/4 confidences but 5 rows/);
  });
});
