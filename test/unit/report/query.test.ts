import { describe, expect, it } from 'vitest';
import { EASY, HARD, OVERLAP } from '../../../src/core/detect/types';
import type { ReportColumns } from '../../../src/protocol/messages';
import { queryRows, type SortKey } from '../../../webview/query';

function cols(conf: number[], align: number[]): ReportColumns {
  const n = conf.length;
  return {
    index: Int32Array.from({ length: n }, (_, i) => 10 + i),
    line: Int32Array.from({ length: n }, (_, i) => 11 + i),
    label: new Int32Array(n),
    pseudoLabel: new Int32Array(n),
    confidence: Float64Array.from(conf),
    alignment: Float64Array.from(align),
    category: new Uint8Array(n),
    trueCategory: null,
    nearestHard: new Int32Array(n).fill(-1),
  };
}

const q = (over: Partial<Parameters<typeof queryRows>[3]> = {}) => ({ category: 'all' as const, textMatches: null, sort: 'row' as SortKey, descending: false, ...over });

describe('samples table query', () => {
  const c = cols([0.5, 0.1, 0.9, 0.3], [0.2, NaN, 0.8, 0.6]);
  const cats = Uint8Array.from([EASY, HARD, OVERLAP, OVERLAP]);

  it('filters by the live categories, by flags and by text matches (dataset row indices)', () => {
    expect(Array.from(queryRows(c, cats, new Set(), q({ category: 'overlap' })))).toEqual([2, 3]);
    expect(Array.from(queryRows(c, cats, new Set([11, 13]), q({ category: 'flagged' })))).toEqual([1, 3]);
    expect(Array.from(queryRows(c, cats, new Set(), q({ category: 'overlap', textMatches: new Set([13]) })))).toEqual([3]);
  });

  it('puts the most informative rows first: overlap by score, then hard-only least sure first, then easy-only', () => {
    const c6 = cols([0.5, 0.1, 0.9, 0.3, 0.05, 0.7], [0.2, NaN, 0.8, 0.6, NaN, 0.4]);
    const cats6 = Uint8Array.from([EASY, HARD, OVERLAP, OVERLAP, HARD, EASY]);
    expect(Array.from(queryRows(c6, cats6, new Set(), q({ sort: 'informative' })))).toEqual([2, 3, 4, 1, 5, 0]);
    expect(Array.from(queryRows(c6, cats6, new Set(), q({ sort: 'informative', category: 'hard' })))).toEqual([4, 1]);
  });

  it('sorts either way with missing scores last and ties in file order', () => {
    expect(Array.from(queryRows(c, cats, new Set(), q({ sort: 'alignment', descending: true })))).toEqual([2, 3, 0, 1]);
    expect(Array.from(queryRows(c, cats, new Set(), q({ sort: 'alignment' })))).toEqual([0, 3, 2, 1]);
    expect(Array.from(queryRows(c, cats, new Set(), q({ sort: 'category' })))).toEqual([0, 1, 2, 3]);
    expect(Array.from(queryRows(c, cats, new Set(), q({ sort: 'confidence', descending: true })))).toEqual([2, 0, 3, 1]);
  });

  it('handles 100k rows in one pass', () => {
    const n = 100_000;
    const big = cols(Array.from({ length: n }, (_, i) => (i * 7919) % 1000 / 1000), Array.from({ length: n }, (_, i) => (i % 3 ? i / n : NaN)));
    const rows = queryRows(big, new Uint8Array(n), new Set(), q({ sort: 'confidence' }));
    expect(rows.length).toBe(n);
    let unsorted = 0;
    for (let i = 1; i < n; i++) if (big.confidence[rows[i - 1]] > big.confidence[rows[i]]) unsorted++;
    expect(unsorted).toBe(0);
  });
});
