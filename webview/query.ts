/**
 * The samples table's query: filter by category / flag / text match, then sort, over typed columns. Pure (no DOM)
 * so the unit tests call it directly; fast enough to run on every animation frame while a threshold moves
 * (100k rows: one pass to filter, one typed-array sort).
 */
import { CATEGORY_NAMES } from '../src/core/detect/types';
import type { ReportColumns } from '../src/protocol/messages';

export type SortKey = 'row' | 'label' | 'pseudo' | 'confidence' | 'alignment' | 'category';
export type CategoryFilter = 'all' | 'easy' | 'hard' | 'overlap' | 'flagged';

export interface TableQuery {
  category: CategoryFilter;
  /** Dataset row indices whose text matched the text filter; null = no text filter. */
  textMatches: ReadonlySet<number> | null;
  sort: SortKey;
  descending: boolean;
}

/** Positions into the columns (0..n-1) that pass the filters, in display order. */
export function queryRows(cols: ReportColumns, categories: Uint8Array, flagged: ReadonlySet<number>, q: TableQuery): Int32Array {
  const n = cols.index.length;
  const want = q.category === 'all' || q.category === 'flagged' ? -1 : CATEGORY_NAMES.indexOf(q.category);
  const out = new Int32Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    if (want >= 0 && categories[k] !== want) continue;
    if (q.category === 'flagged' && !flagged.has(cols.index[k])) continue;
    if (q.textMatches && !q.textMatches.has(cols.index[k])) continue;
    out[m++] = k;
  }
  const rows = out.subarray(0, m);
  const key = sortKey(cols, categories, q.sort);
  const dir = q.descending ? -1 : 1;
  // NaN (no score) sorts last in both directions; ties keep file order.
  rows.sort((a, b) => {
    const x = key[a];
    const y = key[b];
    const xn = Number.isNaN(x);
    const yn = Number.isNaN(y);
    if (xn || yn) return xn === yn ? a - b : xn ? 1 : -1;
    return x === y ? a - b : (x < y ? -1 : 1) * dir;
  });
  return rows;
}

function sortKey(cols: ReportColumns, categories: Uint8Array, key: SortKey): ArrayLike<number> {
  switch (key) {
    case 'row':
      return cols.index;
    case 'label':
      return cols.label;
    case 'pseudo':
      return cols.pseudoLabel;
    case 'confidence':
      return cols.confidence;
    case 'alignment':
      return cols.alignment;
    case 'category':
      return categories;
  }
}
