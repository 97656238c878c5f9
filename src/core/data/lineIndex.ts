import type { Dataset } from './types';

/**
 * Maps a 1-based source line to the index of the row that spans it (undefined for blank lines, a CSV header, or
 * lines outside any row). Rows are in file order, so a binary search over their start lines suffices.
 */
export function lineToRow(dataset: Pick<Dataset, 'rows'>): (line: number) => number | undefined {
  const rows = dataset.rows;
  const starts = Int32Array.from(rows, (r) => r.line);
  const ends = Int32Array.from(rows, (r) => r.endLine);
  return (line: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= line) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && line <= ends[found] ? rows[found].index : undefined;
  };
}
