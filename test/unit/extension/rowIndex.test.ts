import { describe, expect, it } from 'vitest';
import { buildRowIndex, rowAtLine, rowEndLine, rowsInLines } from '../../../src/extension/rowIndex';
import { row } from './builders';

describe('line -> row mapping', () => {
  it('maps one-row-a-line files (JSONL) exactly and a CSV header to no row', () => {
    const rows = [row(0, 2, 'easy'), row(1, 3, 'hard'), row(2, 4, 'overlap')];
    const ix = buildRowIndex(rows);
    expect(rowAtLine(ix, 1)).toBe(-1);
    expect(rowAtLine(ix, 2)).toBe(0);
    expect(rowAtLine(ix, 4)).toBe(2);
    expect(rowAtLine(ix, 5)).toBe(-1);
  });

  it('gives multi-line JSON objects the lines up to the next row, and the last row the span of the one before', () => {
    // [ / { row0 (lines 2-5) / { row1 (6-9) / { row2 (10-13) / ]
    const rows = [row(0, 2, 'easy'), row(1, 6, 'hard'), row(2, 10, 'overlap')];
    const ix = buildRowIndex(rows);
    expect(rowAtLine(ix, 4)).toBe(0);
    expect(rowAtLine(ix, 9)).toBe(1);
    expect(rowAtLine(ix, 13)).toBe(2);
    expect(rowAtLine(ix, 14, 14)).toBe(-1);
    expect(rowEndLine(ix, 2, 12)).toBe(12);
  });

  it('finds rows by dataset index even when rows skip indices (unlabelled rows left out)', () => {
    const rows = [row(0, 1, 'easy'), row(2, 3, 'hard')];
    const ix = buildRowIndex(rows);
    expect(ix.byDatasetIndex.get(2)).toBe(1);
    expect(ix.byDatasetIndex.get(1)).toBeUndefined();
    expect(rowAtLine(ix, 2)).toBe(0); // line 2 is the unlabelled row: it belongs to the span of row 0
  });

  it('lists the rows intersecting a line range, including a row that starts above it', () => {
    const rows = [row(0, 1, 'easy'), row(1, 10, 'hard'), row(2, 20, 'overlap'), row(3, 30, 'easy')];
    const ix = buildRowIndex(rows);
    expect(rowsInLines(ix, 15, 25).map((s) => [s.row, s.start, s.end])).toEqual([
      [1, 10, 19],
      [2, 20, 29],
    ]);
  });

  it('ignores rows without a line (test-file rows) for line lookups', () => {
    const rows = [row(0, 1, 'easy'), row(1, undefined, null)];
    const ix = buildRowIndex(rows);
    expect(ix.starts.length).toBe(1);
    expect(rowAtLine(ix, 1)).toBe(0);
  });
});
