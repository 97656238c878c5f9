/**
 * Line -> row mapping for an analysed dataset, built from the 1-based start lines the readers put into
 * `result.rows[].line`. A row spans from its start line to the line before the next row starts, so hovers and
 * decorations work for multi-line JSON objects and quoted CSV fields as well as for one-row-a-line files.
 */
import type { ResultRow } from '../core/result/schema';

export interface RowIndex {
  /** 1-based start lines, ascending. */
  readonly starts: Int32Array;
  /** starts[k] belongs to result.rows[pos[k]]. */
  readonly pos: Int32Array;
  /** Dataset row index -> position in result.rows. */
  readonly byDatasetIndex: ReadonlyMap<number, number>;
}

export function buildRowIndex(rows: readonly ResultRow[]): RowIndex {
  const withLine: number[] = [];
  const byDatasetIndex = new Map<number, number>();
  rows.forEach((r, i) => {
    byDatasetIndex.set(r.index, i);
    if (typeof r.line === 'number' && r.line >= 1) withLine.push(i);
  });
  // Rows come in file order; sort anyway so a hand-edited or merged results file cannot break the search.
  withLine.sort((a, b) => rows[a]!.line! - rows[b]!.line! || a - b);
  const starts = new Int32Array(withLine.length);
  const pos = new Int32Array(withLine.length);
  withLine.forEach((p, k) => {
    starts[k] = rows[p]!.line!;
    pos[k] = p;
  });
  return { starts, pos, byDatasetIndex };
}

/** Largest k with starts[k] <= line, or -1. */
function lastStartAtOrBefore(ix: RowIndex, line: number): number {
  let lo = 0;
  let hi = ix.starts.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ix.starts[mid]! <= line) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Several rows can start on one line (minified JSON): report the first of them.
  while (ans > 0 && ix.starts[ans - 1] === ix.starts[ans]) ans--;
  return ans;
}

/** Longest span a row may have (a runaway quoted field must not colour the rest of a file). */
const MAX_SPAN = 200;

/**
 * The 1-based last line of the k-th row in line order: the line before the next row starts. The results file
 * does not know where the last row ends, so it is given the span of the row before it (uniform pretty-printed
 * JSON objects), at most `lastLine`.
 */
export function rowEndLine(ix: RowIndex, k: number, lastLine = Number.MAX_SAFE_INTEGER): number {
  const start = ix.starts[k]!;
  let next = k + 1;
  while (next < ix.starts.length && ix.starts[next] === start) next++;
  let end: number;
  if (next < ix.starts.length) end = ix.starts[next]! - 1;
  else {
    let prev = k - 1;
    while (prev >= 0 && ix.starts[prev] === start) prev--;
    end = prev >= 0 ? start + (start - ix.starts[prev]!) - 1 : start;
  }
  return Math.max(start, Math.min(end, start + MAX_SPAN - 1, lastLine));
}

/** Position in result.rows of the row covering the 1-based `line`, or -1 (header, before the first row, past the end). */
export function rowAtLine(ix: RowIndex, line: number, lastLine?: number): number {
  const k = lastStartAtOrBefore(ix, line);
  if (k < 0) return -1;
  return line <= rowEndLine(ix, k, lastLine) ? ix.pos[k]! : -1;
}

export interface RowSpan {
  /** Position in result.rows. */
  row: number;
  /** 1-based first and last line. */
  start: number;
  end: number;
}

/** Rows whose span intersects the 1-based inclusive line range [first, last], in line order. */
export function rowsInLines(ix: RowIndex, first: number, last: number, lastLine?: number): RowSpan[] {
  const out: RowSpan[] = [];
  let k = lastStartAtOrBefore(ix, first);
  if (k < 0) k = 0;
  for (; k < ix.starts.length && ix.starts[k]! <= last; k++) {
    const end = rowEndLine(ix, k, lastLine);
    if (end < first) continue;
    out.push({ row: ix.pos[k]!, start: ix.starts[k]!, end });
  }
  return out;
}

/**
 * Where the reveal command may go: only a row of an analysed dataset, by its dataset row index (an integer the
 * results know), to that row's start line. `entry` is the loaded result of the path the command was given (undefined
 * when that path is not an analysed dataset). Returns the 1-based line, or why the request is refused.
 */
export function revealTarget(
  entry: { result: { rows: readonly ResultRow[] }; index: RowIndex } | undefined,
  rowIndex: unknown,
): { line: number } | { refused: string } {
  if (!entry) return { refused: 'not an analysed dataset' };
  if (typeof rowIndex !== 'number' || !Number.isSafeInteger(rowIndex) || rowIndex < 0) return { refused: 'the row index is not a non-negative integer' };
  const k = entry.index.byDatasetIndex.get(rowIndex);
  const line = k === undefined ? undefined : entry.result.rows[k]?.line;
  if (line === undefined) return { refused: `row ${rowIndex} is not a row of the analysed dataset with a line` };
  if (!Number.isSafeInteger(line) || line < 1) return { refused: `row ${rowIndex} has no valid line` };
  return { line };
}
