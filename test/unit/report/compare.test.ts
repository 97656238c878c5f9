import { describe, expect, it } from 'vitest';
import { categoryWord, compareResults } from '../../../src/core/report/compare';
import type { CategoryName } from '../../../src/core/detect/types';
import { result, row } from '../extension/builders';

const cats = (list: (CategoryName | null)[]) => list.map((c, i) => row(i, i + 1, c));

describe('compareResults', () => {
  it('same bytes: pairs rows by index, counts transitions, and gives the deltas', () => {
    const a = result(cats(['overlap', 'overlap', 'easy', 'hard', null, 'overlap']), { pgr: 0.4, accuracy: { weak: 0.7, strong: 0.9, w2s: 0.78 } });
    const b = result(cats(['easy', 'easy', 'easy', 'overlap', null, 'overlap']), { pgr: 0.5, accuracy: { weak: 0.7, strong: 0.9, w2s: 0.8 } });
    const c = compareResults(a, b);
    expect(c.matchedBy).toBe('index');
    expect(c.matched).toBe(6);
    expect(c.changed).toBe(3);
    expect(c.transitions).toEqual([
      { from: 'overlap', to: 'easy-only', count: 2 },
      { from: 'hard-only', to: 'overlap', count: 1 },
    ]);
    expect(c.rows.map((r) => [r.indexB, r.lineB, r.from, r.to])).toEqual([
      [0, 1, 'overlap', 'easy-only'],
      [1, 2, 'overlap', 'easy-only'],
      [3, 4, 'hard-only', 'overlap'],
    ]);
    expect(c.deltas.density).toBeCloseTo(2 / 5 - 3 / 5, 12);
    expect(c.deltas.pgr).toBeCloseTo(0.1, 12);
    expect(c.deltas.accuracy.w2s).toBeCloseTo(0.02, 12);
    expect(c.truncated).toBe(false);
  });

  it('edited file with texts: pairs by text across insertions, deletions and reorders; repeated texts pair in order', () => {
    const textsA = ['alpha', 'beta', 'gamma', 'dup', 'dup', 'gone'];
    const a = result(cats(['overlap', 'easy', 'hard', 'overlap', 'easy', 'overlap']), { dataset: { ...result([]).dataset, contentHash: 'aaa' } });
    // b: a new row first, gamma and beta swapped, "gone" deleted.
    const textsB = ['new', 'alpha', 'gamma', 'beta', 'dup', 'dup'];
    const b = result(cats(['overlap', 'easy', 'hard', 'easy', 'easy', 'easy']), { dataset: { ...result([]).dataset, contentHash: 'bbb' } });
    const c = compareResults(a, b, textsA, textsB);
    expect(c.matchedBy).toBe('text');
    expect(c.matched).toBe(5);
    expect(c.onlyInA).toBe(1);
    expect(c.onlyInB).toBe(1);
    // alpha overlap -> easy-only; the first dup (overlap) -> easy-only; the second dup stays easy-only.
    expect(c.rows.map((r) => [r.indexA, r.indexB, r.from, r.to])).toEqual([
      [0, 1, 'overlap', 'easy-only'],
      [3, 4, 'overlap', 'easy-only'],
    ]);
    expect(c.transitions).toEqual([{ from: 'overlap', to: 'easy-only', count: 2 }]);
  });

  it('different bytes without texts: no rows paired, and says why', () => {
    const a = result(cats(['overlap']), { dataset: { ...result([]).dataset, contentHash: 'aaa' } });
    const b = result(cats(['easy']), { dataset: { ...result([]).dataset, contentHash: 'bbb' } });
    const c = compareResults(a, b);
    expect(c.matchedBy).toBe('none');
    expect(c.reason).toMatch(/different file contents/);
    expect(c.changed).toBe(0);
    expect(c.rows).toEqual([]);
    const noHash = compareResults(result(cats(['overlap']), { dataset: { ...result([]).dataset, contentHash: undefined } }), b);
    expect(noHash.reason).toMatch(/no recorded sha256/);
  });

  it('bounds the listed rows but counts all; a missing PGR gives no PGR delta', () => {
    const n = 1000;
    const a = result(Array.from({ length: n }, (_, i) => row(i, i + 1, 'overlap')), { pgr: null });
    const b = result(Array.from({ length: n }, (_, i) => row(i, i + 1, i % 2 ? 'hard' : 'easy')));
    const c = compareResults(a, b, undefined, undefined, { maxRows: 10 });
    expect(c.changed).toBe(n);
    expect(c.rows).toHaveLength(10);
    expect(c.truncated).toBe(true);
    expect(c.transitions.map((t) => t.count)).toEqual([500, 500]);
    expect(c.deltas.pgr).toBeNull();
  });

  it('texts with names like __proto__ are just texts', () => {
    const a = result(cats(['overlap', 'easy']));
    const b = result(cats(['easy', 'easy']), { dataset: { ...result([]).dataset, contentHash: 'other' } });
    const c = compareResults(a, b, ['__proto__', 'constructor'], ['__proto__', 'constructor']);
    expect(c.matched).toBe(2);
    expect(c.transitions).toEqual([{ from: 'overlap', to: 'easy-only', count: 1 }]);
    expect(categoryWord(null)).toBe('outside W2S-train');
  });
});
