import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors';
import { runProtocol } from '../../../src/core/experiment/protocol';
import { confidence } from '../../../src/core/probe';
import { Rng } from '../../../src/core/random/rng';
import { describeWeakVotes } from '../../../src/core/report/votes';
import {
  checkVotes, CLEAR, countStatus, hardLabels, majorityVote, TIED, UNCOVERED, unitHash, type Votes,
} from '../../../src/core/votes/aggregate';
import { dawidSkenePosteriors, fitDawidSkene, functionAccuracies } from '../../../src/core/votes/dawidSkene';
import { parseModelSpec } from '../../../src/cli/options';
import { votesWeakSide } from '../../../src/pipeline/weakVotes';
import type { DatasetRow } from '../../../src/core/data/types';

const votesOf = (rows: number[][], C: number): Votes => checkVotes(rows, C);
const repeat = <T>(x: T, n: number): T[] => Array.from({ length: n }, () => x);
const counts = (labels: Int32Array, C: number) => {
  const out = new Array(C).fill(0);
  for (const y of labels) out[y]++;
  return out;
};

describe('majority vote: shares, ties at random (seeded), uncovered rows', () => {
  it('gives vote shares as probabilities, uniform over tied classes and over all classes without a vote', () => {
    const { probs, status } = majorityVote(votesOf([[1, 1, 0, -1], [-1, -1], [0], [0, 0, 1, 1, 2]], 3), 0);
    const rows = (i: number) => Array.from(probs.subarray(i * 3, i * 3 + 3));
    expect(rows(0)).toEqual([1 / 3, 2 / 3, 0]);
    expect(rows(1)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(rows(2)).toEqual([1, 0, 0]);
    expect(rows(3)).toEqual([0.4, 0.4, 0.2]);
    expect(Array.from(status)).toEqual([CLEAR, UNCOVERED, CLEAR, TIED]);
    // Confidence (top-1 minus top-2) is 0 on tied and uncovered rows: they are the weak side's hardest.
    const c = confidence(probs, 3);
    expect(c[0]).toBeCloseTo(1 / 3, 12);
    expect(c[1]).toBe(0);
    expect(c[3]).toBe(0);
  });

  it('breaks ties over the tied classes only, evenly, never always the lowest id', () => {
    const n = 4000;
    // Classes 1 and 2 tie with two votes each; class 0 has one vote and must never win.
    const { labels, status } = majorityVote(votesOf(repeat([0, 1, 1, 2, 2], n), 3), 7);
    const k = counts(labels, 3);
    expect(k[0]).toBe(0);
    expect(k[1] / n).toBeGreaterThan(0.46);
    expect(k[1] / n).toBeLessThan(0.54);
    expect(countStatus(status)).toEqual({ rows: n, tied: n, uncovered: 0 });
  });

  it('gives uncovered rows a label drawn over all classes and counts them apart from ties', () => {
    const n = 3000;
    const { labels, status } = majorityVote(votesOf([...repeat([-1, -1], n), [0, 1], [1, -1]], 3), 1);
    const k = counts(labels.subarray(0, n), 3);
    for (const x of k) expect(x / n).toBeGreaterThan(0.3);
    expect(countStatus(status)).toEqual({ rows: n + 2, tied: 1, uncovered: n });
    expect(countStatus(status, [n, n + 1])).toEqual({ rows: 2, tied: 1, uncovered: 0 });
    expect(labels[n + 1]).toBe(1);
  });

  it('is reproducible with the same seed and changes with another', () => {
    const v = votesOf(repeat([0, 1], 200), 2);
    expect(Array.from(majorityVote(v, 3).labels)).toEqual(Array.from(majorityVote(v, 3).labels));
    expect(Array.from(majorityVote(v, 3).labels)).not.toEqual(Array.from(majorityVote(v, 4).labels));
  });

  it('draws each row on its own: a row keeps its pick when other rows change', () => {
    const a = majorityVote(votesOf([[0, 1], [0, 1], [0, 1]], 2), 5).labels;
    const b = majorityVote(votesOf([[0, 1], [1, 1], [0, 1]], 2), 5).labels;
    expect(b[0]).toBe(a[0]);
    expect(b[2]).toBe(a[2]);
  });

  it('treats probabilities within 1e-5 of the top as tied (Snorkel tolerance)', () => {
    const probs = Float64Array.from(repeat([0.5, 0.5 - 1e-6], 1000).flat());
    const { labels, status } = hardLabels(probs, 2, 0);
    expect(counts(labels, 2)[1]).toBeGreaterThan(400);
    expect(countStatus(status).tied).toBe(1000);
    expect(Array.from(hardLabels(Float64Array.from([0.6, 0.4]), 2, 0).labels)).toEqual([0]);
  });

  it('hashes (seed, row) to uniform draws', () => {
    let s = 0;
    const N = 20000;
    for (let i = 0; i < N; i++) s += unitHash(0, i);
    expect(s / N).toBeCloseTo(0.5, 2);
    expect(unitHash(0, 5)).not.toBe(unitHash(1, 5));
  });

  it('rejects a vote outside the classes with file and line', () => {
    expect(() => checkVotes([[0], [3]], 2, { file: 'x.json', lines: [4, 9] })).toThrow(/x\.json:9/);
    expect(() => checkVotes([[0], undefined], 2, { file: 'x.json', lines: [4, 9] })).toThrow(InputError);
  });
});

/** Votes drawn from known per-function confusion matrices (rows: true class) and class-independent coverage. */
function synthetic(opts: { n: number; prior: number[]; confusion: number[][][]; coverage: number[]; seed: number }) {
  const rng = new Rng(opts.seed);
  const draw = (p: number[]) => {
    let u = rng.next();
    for (let k = 0; k < p.length; k++) if ((u -= p[k]) < 0) return k;
    return p.length - 1;
  };
  const y: number[] = [];
  const rows: number[][] = [];
  for (let i = 0; i < opts.n; i++) {
    const c = draw(opts.prior);
    y.push(c);
    rows.push(opts.confusion.map((m, j) => (rng.next() < opts.coverage[j] ? draw(m[c]) : -1)));
  }
  return { y, votes: votesOf(rows, opts.prior.length) };
}

/** A confusion matrix with accuracy a on the diagonal and the errors spread evenly. */
const symmetric = (a: number, C: number) => Array.from({ length: C }, (_, c) => Array.from({ length: C }, (_, k) => (c === k ? a : (1 - a) / (C - 1))));

const accuracyOf = (labels: Int32Array, y: number[]) => labels.reduce((s, l, i) => s + (l === y[i] ? 1 : 0), 0) / y.length;

describe('Dawid-Skene label model', () => {
  const prior = [0.5, 0.3, 0.2];
  const trueAcc = [0.95, 0.9, 0.8, 0.7, 0.65, 0.6];
  const confusion = trueAcc.map((a) => symmetric(a, 3));
  // One asymmetric function: confuses class 2 with class 1 most of the time.
  confusion.push([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.55, 0.4]]);
  const coverage = [0.5, 0.9, 0.7, 0.8, 0.6, 1, 0.75];

  for (const abstain of ['coverage', 'ignore'] as const) {
    it(`recovers known confusion matrices, accuracies and the prior from votes alone (abstain ${abstain})`, () => {
      const { votes } = synthetic({ n: 8000, prior, confusion, coverage, seed: 11 });
      const model = fitDawidSkene(votes, { abstain });
      expect(model.converged).toBe(true);
      model.prior.forEach((p, c) => expect(Math.abs(p - prior[c])).toBeLessThan(0.02));
      const C = 3;
      model.confusion.forEach((rows, j) => {
        rows.forEach((row, c) => {
          // With 'coverage' the last answer is "abstains": P(k | c) = coverage * confusion.
          for (let k = 0; k < C; k++) {
            const truth = (abstain === 'coverage' ? coverage[j] : 1) * confusion[j][c][k];
            expect(Math.abs(row[k] - truth)).toBeLessThan(0.05);
          }
          if (abstain === 'coverage') expect(Math.abs(row[C] - (1 - coverage[j]))).toBeLessThan(0.05);
        });
      });
      const trueAccuracies = confusion.map((m) => m.reduce((s, row, c) => s + prior[c] * row[c], 0));
      functionAccuracies(model).forEach((a, j) => expect(Math.abs(a - trueAccuracies[j])).toBeLessThan(0.03));
    });
  }

  it('beats majority vote when a few functions are much better than the rest', () => {
    // Two excellent functions and five poor ones, all voting on every row.
    const conf = [symmetric(0.95, 2), symmetric(0.92, 2), ...repeat(symmetric(0.58, 2), 5)];
    const { y, votes } = synthetic({ n: 5000, prior: [0.5, 0.5], confusion: conf, coverage: repeat(1, 7), seed: 3 });
    const mv = accuracyOf(majorityVote(votes, 0).labels, y);
    const model = fitDawidSkene(votes);
    const ds = accuracyOf(hardLabels(dawidSkenePosteriors(model, votes), 2, 0).labels, y);
    expect(ds).toBeGreaterThan(mv + 0.05);
    expect(ds).toBeGreaterThan(0.93);
    const acc = functionAccuracies(model);
    expect(Math.min(acc[0], acc[1])).toBeGreaterThan(Math.max(...acc.slice(2)) + 0.2);
  });

  it('weighs functions that only ever vote one class by when they fire (abstain coverage); ignoring abstains cannot', () => {
    // Keyword-like rules: function j votes its class k when y = k with probability 0.3, when y != k with 0.02.
    const C = 2;
    const n = 6000;
    const rng = new Rng(5);
    const y: number[] = [];
    const rows: number[][] = [];
    const polarity = [0, 0, 0, 1, 1, 1];
    for (let i = 0; i < n; i++) {
      const c = rng.next() < 0.7 ? 0 : 1;
      y.push(c);
      rows.push(polarity.map((k) => (rng.next() < (c === k ? 0.3 : 0.02) ? k : -1)));
    }
    const votes = votesOf(rows, C);
    const covered = rows.map((r) => r.some((x) => x !== -1));
    const coveredAccuracy = (labels: Int32Array) => {
      let hit = 0;
      let m = 0;
      labels.forEach((l, i) => {
        if (!covered[i]) return;
        m++;
        if (l === y[i]) hit++;
      });
      return hit / m;
    };
    const withCoverage = dawidSkenePosteriors(fitDawidSkene(votes, { abstain: 'coverage' }), votes);
    expect(coveredAccuracy(hardLabels(withCoverage, C, 0).labels)).toBeGreaterThan(0.9);
    const ignoring = dawidSkenePosteriors(fitDawidSkene(votes, { abstain: 'ignore' }), votes);
    // Every covered row gets (about) the same posterior: the prior.
    const covIdx = covered.flatMap((c, i) => (c ? [i] : []));
    const p1 = covIdx.map((i) => ignoring[i * C + 1]);
    expect(Math.max(...p1) - Math.min(...p1)).toBeLessThan(0.05);
  });

  it('is deterministic, gives rows without a vote the uniform distribution and fits only the given rows', () => {
    const { votes } = synthetic({ n: 600, prior, confusion, coverage, seed: 2 });
    const a = fitDawidSkene(votes, {}, Int32Array.from({ length: 400 }, (_, i) => i));
    const b = fitDawidSkene(votes, {}, Int32Array.from({ length: 400 }, (_, i) => i));
    expect(a).toEqual(b);
    expect(Array.from(dawidSkenePosteriors(a, votes))).toEqual(Array.from(dawidSkenePosteriors(b, votes)));
    const uncovered = votesOf([repeat(-1, 7)], 3);
    expect(Array.from(dawidSkenePosteriors(a, uncovered))).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const covered400 = votes.rows.slice(0, 400).filter((r) => r.some((x) => x !== -1)).length;
    expect(a.fitRows).toBe(covered400);
    // Changing the votes of rows outside the fit changes nothing in the model.
    const changed = checkVotes(votes.rows.map((r, i) => (i < 400 ? r : r.map(() => 0))), 3);
    expect(fitDawidSkene(changed, {}, Int32Array.from({ length: 400 }, (_, i) => i))).toEqual(a);
  });

  it('stops at the iteration cap and says it did not converge', () => {
    const { votes } = synthetic({ n: 500, prior, confusion, coverage, seed: 4 });
    const m = fitDawidSkene(votes, { maxIterations: 2, tolerance: 0 });
    expect(m.iterations).toBe(2);
    expect(m.converged).toBe(false);
  });

  it('needs one vote per function on every row', () => {
    expect(() => fitDawidSkene(votesOf([[0, 1], [1]], 2))).toThrow(/row 2 has 1/);
    expect(() => fitDawidSkene(votesOf([[-1, -1]], 2))).toThrow(InputError);
  });
});

describe('the weak side from votes in the pipeline', () => {
  const row = (i: number, label: number, weakLabels: number[]): DatasetRow => ({ index: i, line: i + 1, endLine: i + 1, label, weakLabels, fields: {} });

  it('counts tied and uncovered rows per split and fits the label model on non-test rows only', () => {
    const rng = new Rng(9);
    const rows: DatasetRow[] = [];
    for (let i = 0; i < 300; i++) {
      const y = rng.next() < 0.5 ? 0 : 1;
      const v = [0.9, 0.8, 0.7].map((a) => (rng.next() < 0.8 ? (rng.next() < a ? y : 1 - y) : -1));
      rows.push(row(i, y, v));
    }
    const split = Uint8Array.from(rows, (_, i) => i % 3);
    const spec = { kind: 'votes' as const, aggregate: 'dawid-skene' as const };
    const out = votesWeakSide(spec, [{ file: 'a.json', rows }], 2, 0, split);
    const s = out.summary;
    expect(s.method).toBe('dawid-skene');
    expect(s.functions).toBe(3);
    for (const key of ['weakTrain', 'w2sTrain', 'test'] as const) {
      const c = s.counts[key]!;
      const pos = rows.flatMap((_, i) => (split[i] === ['weakTrain', 'w2sTrain', 'test'].indexOf(key) ? [i] : []));
      expect(c.rows).toBe(pos.length);
      expect(c.uncovered).toBe(pos.filter((i) => rows[i].weakLabels!.every((x) => x === -1)).length);
    }
    expect(s.labelModel!.fittedOn).toMatch(/no test rows/);
    // Test rows' votes do not move the model: scramble them and the non-test posteriors stay the same.
    const scrambled = rows.map((r, i) => (split[i] === 2 ? { ...r, weakLabels: r.weakLabels!.map(() => 1) } : r));
    const again = votesWeakSide(spec, [{ file: 'a.json', rows: scrambled }], 2, 0, split);
    expect(again.summary.labelModel).toEqual(s.labelModel);
    const probs = (p: typeof out) => (p.side.kind === 'probabilities' ? p.side.probs : new Float64Array());
    for (let i = 0; i < 300; i++) if (split[i] !== 2) expect(probs(again)[2 * i]).toBe(probs(out)[2 * i]);
    expect(describeWeakVotes(s)).toMatch(/Dawid-Skene label model over 3 labelling functions/);
  });

  it('refuses a test file whose rows hold another number of labelling-function votes, naming file and line', () => {
    const main = [row(0, 0, [0, 1, -1]), row(1, 1, [1, 1, 1])].map((r, i) => ({ ...r, line: 2 + 5 * i }));
    const test = [row(0, 1, [1, -1, 0]), row(1, 0, [0, 1])].map((r, i) => ({ ...r, line: 10 + i }));
    const run = (t: DatasetRow[]) => votesWeakSide({ kind: 'votes' }, [{ file: '/d/train.json', rows: main }, { file: '/d/test.json', rows: t }], 2, 0);
    let err: unknown;
    try {
      run(test);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/^\/d\/test\.json:11: row has 2 labelling-function votes but train\.json's rows \(line 2\) have 3/);
    // the same functions in both files: accepted
    expect(run(test.slice(0, 1)).summary.functions).toBe(3);
    // a custom votes field is checked the same way inside one file
    const uneven = [row(0, 0, [0, 1]), { ...row(1, 1, [1]), line: 7 }];
    expect(() => votesWeakSide({ kind: 'votes' }, [{ file: '/d/a.json', rows: uneven }], 2, 0)).toThrow(/a\.json:7: row has 1 labelling-function votes but the row at line 1 has 2/);
  });

  it('says in words how many rows were tied or had no vote', () => {
    const rows = [row(0, 0, [0, 1]), row(1, 1, [-1, -1]), row(2, 1, [1, 1]), row(3, 1, [0, -1])];
    const out = votesWeakSide({ kind: 'votes' }, [{ file: 'a.json', rows }], 2, 3, Uint8Array.from([1, 1, 2, 2]));
    expect(out.summary.counts.w2sTrain).toEqual({ rows: 2, tied: 1, uncovered: 1 });
    expect(out.summary.counts.test).toEqual({ rows: 2, tied: 0, uncovered: 0, coveredAccuracy: 0.5 });
    const text = describeWeakVotes(out.summary);
    expect(text).toContain('majority vote of 2 labelling functions');
    expect(text).toContain('W2S-train: 1 of 2 rows without a vote, 1 tied');
    expect(text).toContain('seed 3');
  });

  it('feeds the tie-broken labels to the protocol: weak accuracy and hard pseudo-labels come from them', async () => {
    const n = 60;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const probs = new Float64Array(n * 2).fill(0.5);
    const strong = { rows: n, cols: 2, data: Float32Array.from({ length: n * 2 }, (_, k) => (k % 2 === 0 ? labels[k >> 1] * 2 - 1 : 0.1)) };
    const split = Uint8Array.from({ length: n }, (_, i) => (i < 30 ? 1 : 2));
    const out = await runProtocol({ weak: { kind: 'probabilities', probs, labels }, strong, labels, numClasses: 2, split, pseudo: 'hard', l2: 1e-3 });
    expect(out.accuracy.weak).toBe(1);
    expect(Array.from(out.pseudoLabels)).toEqual(Array.from(labels.subarray(0, 30)));
    const argmax = await runProtocol({ weak: { kind: 'probabilities', probs }, strong, labels, numClasses: 2, split, pseudo: 'hard', l2: 1e-3 });
    expect(argmax.accuracy.weak).toBe(0.5);
  });

  it('parses --weak label-model[:FIELD] next to votes[:FIELD]', () => {
    expect(parseModelSpec('label-model', 'weak')).toEqual({ kind: 'votes', aggregate: 'dawid-skene' });
    expect(parseModelSpec('label-model:lf', 'weak')).toEqual({ kind: 'votes', field: 'lf', aggregate: 'dawid-skene' });
    expect(parseModelSpec('votes', 'weak')).toEqual({ kind: 'votes' });
    expect(() => parseModelSpec('label-model', 'strong')).toThrow();
  });
});
