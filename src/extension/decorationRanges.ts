/**
 * Which lines get which category decoration. Only the visible lines (plus a margin) are computed on each
 * scroll, so a 10^5-row file costs the same as a screenful; the overview ruler gets a sampled whole-file view.
 */
import type { CategoryName } from '../core/detect/types';
import type { ResultRow } from '../core/result/schema';
import { rowEndLine, rowsInLines, type RowIndex } from './rowIndex';

/** 0-based inclusive line range, as `vscode.Range` lines. */
export interface LineRange {
  start: number;
  end: number;
}

export type CategoryRanges = Record<CategoryName, LineRange[]>;

export function emptyCategoryRanges(): CategoryRanges {
  return { easy: [], hard: [], overlap: [] };
}

/** Lines above and below the viewport decorated ahead of scrolling. */
export const VISIBLE_MARGIN = 50;

/** Merges overlapping or touching 0-based ranges (the visible ranges of folded editors come in pieces). */
export function mergeRanges(ranges: readonly LineRange[]): LineRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: LineRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/**
 * Category ranges (0-based lines) of the W2S-train rows that intersect the visible ranges widened by `margin`.
 * Rows outside W2S-train have no category and get nothing.
 */
export function visibleCategoryRanges(
  ix: RowIndex,
  rows: readonly ResultRow[],
  visible: readonly LineRange[],
  lineCount: number,
  categories: ReadonlySet<CategoryName>,
  margin = VISIBLE_MARGIN,
): CategoryRanges {
  const out = emptyCategoryRanges();
  const widened = mergeRanges(
    visible.map((r) => ({ start: Math.max(0, r.start - margin), end: Math.min(lineCount - 1, r.end + margin) })),
  );
  const seen = new Set<number>();
  for (const w of widened) {
    for (const span of rowsInLines(ix, w.start + 1, w.end + 1, lineCount)) {
      if (seen.has(span.row)) continue;
      seen.add(span.row);
      const cat = rows[span.row]!.category;
      if (cat === null || !categories.has(cat)) continue;
      out[cat].push({ start: span.start - 1, end: Math.min(span.end, lineCount) - 1 });
    }
  }
  return out;
}

/**
 * Whole-file marks for the overview ruler, at most `maxMarks` per category: the file is cut into `maxMarks`
 * buckets of lines and each bucket holding a row of a category gets one mark on that row's first line. The ruler
 * is a few hundred pixels tall, so this shows the same picture as marking every row.
 */
export function overviewMarks(
  ix: RowIndex,
  rows: readonly ResultRow[],
  lineCount: number,
  categories: ReadonlySet<CategoryName>,
  maxMarks = 1000,
): CategoryRanges {
  const out = emptyCategoryRanges();
  const bucketLines = Math.max(1, Math.ceil(lineCount / maxMarks));
  const lastBucket: Record<CategoryName, number> = { easy: -1, hard: -1, overlap: -1 };
  for (let k = 0; k < ix.starts.length; k++) {
    const line0 = ix.starts[k]! - 1;
    if (line0 >= lineCount) break;
    const cat = rows[ix.pos[k]!]!.category;
    if (cat === null || !categories.has(cat)) continue;
    const bucket = Math.floor(line0 / bucketLines);
    if (bucket === lastBucket[cat]) continue;
    lastBucket[cat] = bucket;
    out[cat].push({ start: line0, end: Math.min(rowEndLine(ix, k, lineCount), lineCount) - 1 });
  }
  return out;
}

/** 0-based line ranges of flagged rows (by dataset row index) that intersect the widened visible ranges. */
export function visibleFlagRanges(
  ix: RowIndex,
  rows: readonly ResultRow[],
  flagged: ReadonlySet<number>,
  visible: readonly LineRange[],
  lineCount: number,
  margin = VISIBLE_MARGIN,
): LineRange[] {
  if (flagged.size === 0) return [];
  const out: LineRange[] = [];
  const widened = mergeRanges(
    visible.map((r) => ({ start: Math.max(0, r.start - margin), end: Math.min(lineCount - 1, r.end + margin) })),
  );
  const seen = new Set<number>();
  for (const w of widened) {
    for (const span of rowsInLines(ix, w.start + 1, w.end + 1, lineCount)) {
      if (seen.has(span.row)) continue;
      seen.add(span.row);
      if (flagged.has(rows[span.row]!.index)) out.push({ start: span.start - 1, end: span.start - 1 });
    }
  }
  return out;
}
