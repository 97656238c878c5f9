import { describe, expect, it } from 'vitest';
import { mergeRanges, overviewMarks, visibleCategoryRanges, visibleFlagRanges } from '../../../src/extension/decorationRanges';
import { buildRowIndex } from '../../../src/extension/rowIndex';
import type { CategoryName } from '../../../src/core/detect/types';
import { row } from './builders';

const ALL = new Set<CategoryName>(['easy', 'hard', 'overlap']);
const cycle: (CategoryName | null)[] = ['easy', 'hard', 'overlap', null];

/** n one-line rows on lines 1..n; every fourth has no category (weak-train). */
function jsonlRows(n: number) {
  return Array.from({ length: n }, (_, i) => row(i, i + 1, cycle[i % 4]!));
}

describe('decoration ranges', () => {
  it('decorates only the visible lines plus the margin, never rows without a category', () => {
    const rows = jsonlRows(100_000);
    const ix = buildRowIndex(rows);
    const r = visibleCategoryRanges(ix, rows, [{ start: 5000, end: 5039 }], 100_000, ALL, 10);
    const lines = [...r.easy, ...r.hard, ...r.overlap].map((x) => x.start).sort((a, b) => a - b);
    expect(lines[0]).toBe(4990);
    expect(lines[lines.length - 1]).toBe(5049);
    expect(lines.length).toBe(45); // 60 lines, a quarter uncategorised
    for (const x of r.easy) expect(rows[x.start]!.category).toBe('easy');
    for (const x of r.overlap) expect(rows[x.start]!.category).toBe('overlap');
  });

  it('honours the category filter', () => {
    const rows = jsonlRows(40);
    const ix = buildRowIndex(rows);
    const r = visibleCategoryRanges(ix, rows, [{ start: 0, end: 39 }], 40, new Set<CategoryName>(['overlap']), 0);
    expect(r.easy).toEqual([]);
    expect(r.hard).toEqual([]);
    expect(r.overlap.map((x) => x.start)).toEqual([2, 6, 10, 14, 18, 22, 26, 30, 34, 38]);
  });

  it('spans multi-line rows and decorates each row once when visible ranges overlap', () => {
    const rows = [row(0, 2, 'easy'), row(1, 6, 'overlap')];
    const ix = buildRowIndex(rows);
    const r = visibleCategoryRanges(ix, rows, [{ start: 0, end: 3 }, { start: 3, end: 8 }], 10, ALL, 0);
    expect(r.easy).toEqual([{ start: 1, end: 4 }]);
    expect(r.overlap).toEqual([{ start: 5, end: 8 }]);
  });

  it('samples the overview ruler to at most maxMarks per category over the whole file', () => {
    const rows = jsonlRows(100_000);
    const ix = buildRowIndex(rows);
    const r = overviewMarks(ix, rows, 100_000, ALL, 500);
    expect(r.overlap.length).toBe(500);
    expect(r.easy.length).toBe(500);
    expect(r.overlap[0]!.start).toBe(2);
    expect(r.overlap[499]!.start).toBeGreaterThan(99_000);
  });

  it('marks flagged rows in view by dataset index', () => {
    const rows = jsonlRows(100);
    const ix = buildRowIndex(rows);
    expect(visibleFlagRanges(ix, rows, new Set([3, 50, 99]), [{ start: 40, end: 60 }], 100, 0)).toEqual([{ start: 50, end: 50 }]);
  });

  it('merges touching visible ranges', () => {
    expect(mergeRanges([{ start: 10, end: 20 }, { start: 0, end: 9 }, { start: 30, end: 31 }])).toEqual([
      { start: 0, end: 20 },
      { start: 30, end: 31 },
    ]);
  });
});
