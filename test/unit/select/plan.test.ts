import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors';
import { planSelection } from '../../../src/core/select/plan';
import { validateSetup, type SelectionSetup, type SelectionSource } from '../../../src/core/select/setup';

const ctx = (poolSizes: number[], denseKnown = true) => ({
  poolSizes, names: poolSizes.map((_, k) => `s${k}`), denseKnown, jump: 5,
});

describe('selection plan', () => {
  it('defaults to n = floor(smallest pool / T), T = 50, all strategies, 10 seeds', () => {
    const p = planSelection({}, ctx([808, 1858]));
    expect(p.rounds).toBe(50);
    expect(p.perRound).toBe(16);
    expect(p.strategies).toEqual(['ucb', 'random', 'optimal']);
    expect(p.seeds).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(p.adjustments).toEqual([]);
  });

  it('lowers n when a source is smaller than T x n, and says which source and why', () => {
    const p = planSelection({ rounds: 20, perRound: 50 }, ctx([600, 5000]));
    expect(p.perRound).toBe(30);
    expect(p.requested.perRound).toBe(50);
    expect(p.adjustments).toHaveLength(1);
    expect(p.adjustments[0]).toBe(
      'points per round lowered from 50 to 30: source "s0" (600 rows to draw from) cannot supply T x n = 20 x 50 = 1000 rows, ' +
        'and any source may be pulled in every round',
    );
  });

  it('lowers T when n would fall below the 7 points a change point needs', () => {
    const p = planSelection({ rounds: 50 }, ctx([100, 900]));
    expect(p.perRound).toBe(7);
    expect(p.rounds).toBe(14);
    expect(p.adjustments[0]).toMatch(/^rounds lowered from 50 to 14 and points per round set to 7: with 50 rounds source "s0" \(100 rows to draw from\) allows only 2 points per round/);
  });

  it('refuses a source too small for one round per arm', () => {
    expect(() => planSelection({}, ctx([10, 900]))).toThrow(InputError);
    expect(() => planSelection({}, ctx([10, 900]))).toThrow(/source "s0" \(10 rows to draw from\) is too small: 2 round\(s\) of at least 7 points/);
  });

  it('raises T to K so that UCB can pull every arm once', () => {
    const p = planSelection({ rounds: 2 }, ctx([1000, 1000, 1000]));
    expect(p.rounds).toBe(3);
    expect(p.adjustments[0]).toBe('rounds raised from 2 to 3: UCB pulls each of the 3 sources once before it chooses');
  });

  it('leaves "optimal" out when the densities are unknown, and says so', () => {
    const p = planSelection({ strategies: ['ucb', 'optimal'] }, ctx([1000, 1000], false));
    expect(p.strategies).toEqual(['ucb']);
    expect(p.adjustments[0]).toMatch(/^strategy "optimal" was left out: the sources' true overlap densities are unknown/);
    expect(() => planSelection({ strategies: ['optimal'] }, ctx([1000, 1000], false))).toThrow(/no strategy left to run/);
  });

  it('rejects nonsense requests', () => {
    expect(() => planSelection({ rounds: 0 }, ctx([100, 100]))).toThrow(/rounds must be a positive integer/);
    expect(() => planSelection({ perRound: 2.5 }, ctx([100, 100]))).toThrow(/points per round must be a positive integer/);
    expect(() => planSelection({ strategies: ['greedy' as never] }, ctx([100, 100]))).toThrow(/unknown strategy "greedy"/);
  });
});

function source(name: string, rows: number, dStrong: number, dWeak: number, opts: Partial<SelectionSource> = {}): SelectionSource {
  return {
    name,
    strong: { rows, cols: dStrong, data: new Float32Array(rows * dStrong) },
    weak: { kind: 'activations', acts: { rows, cols: dWeak, data: new Float32Array(rows * dWeak) } },
    labels: Int32Array.from({ length: rows }, (_, i) => i % 2),
    ...opts,
  };
}

function setupOf(sources: SelectionSource[]): SelectionSetup {
  const d = sources[0].strong.cols;
  const dw = sources[0].weak.kind === 'activations' ? sources[0].weak.acts.cols : 0;
  return {
    sources,
    weakTrain: { weak: { rows: 4, cols: dw, data: new Float32Array(4 * dw) }, labels: Int32Array.from([0, 1, 0, 1]) },
    test: { strong: { rows: 4, cols: d, data: new Float32Array(4 * d) }, weak: { kind: 'activations', acts: { rows: 4, cols: dw, data: new Float32Array(4 * dw) } }, labels: Int32Array.from([0, 1, 0, 1]) },
    numClasses: 2,
  };
}

describe('bad sources', () => {
  it('one source only: says what to do instead', () => {
    expect(() => validateSetup(setupOf([source('a.jsonl', 10, 4, 3)]))).toThrow(
      'selection needs at least 2 data sources, got 1 ("a.jsonl"): give more files, split this one by a column (--split-by COLUMN), ' +
        'or build sources from it by detected overlap (--reference split)',
    );
  });
  it('different activation widths name the source and the model', () => {
    expect(() => validateSetup(setupOf([source('a', 10, 4, 3), source('b', 10, 5, 3)]))).toThrow(
      'b: strong activations are 5-dimensional but "a"\'s are 4: all sources must be encoded by the same strong model',
    );
    expect(() => validateSetup(setupOf([source('a', 10, 4, 3), source('b', 10, 4, 2)]))).toThrow(
      'b: weak activations are 2-dimensional but "a"\'s are 3: all sources must be encoded by the same weak model',
    );
  });
  it('different label sets are refused', () => {
    const a = source('a', 10, 4, 3, { labelNames: ['ham', 'spam'] });
    const b = source('b', 10, 4, 3, { labelNames: ['negative', 'positive'] });
    expect(() => validateSetup(setupOf([a, b]))).toThrow(
      'b: label set [negative, positive] differs from "a"\'s [ham, spam]: all sources must label the same classes',
    );
    const c = source('c', 10, 4, 3, { labels: Int32Array.from({ length: 10 }, (_, i) => i % 3) });
    expect(() => validateSetup(setupOf([source('a', 10, 4, 3), c]))).toThrow(/c: label 2 at pool row 2 is not a class id in 0..1/);
  });
});
