/**
 * The samples table's query: filter by category / flag / text match, then sort, over typed columns. Pure (no DOM)
 * so the unit tests call it directly; fast enough to run on every animation frame while a threshold moves
 * (100k rows: one pass to filter, one typed-array sort).
 */
import { CATEGORY_NAMES } from '../src/core/detect/types';
import type { ReportColumns } from '../src/protocol/messages';

export type SortKey = 'informative' | 'row' | 'label' | 'pseudo' | 'confidence' | 'alignment' | 'category';

/** What "most informative first" means, in the words the report shows above the table. */
export const INFORMATIVE_ORDER =
  'most informative first: overlap rows (what weak-to-strong learning draws on), the most similar to the hard-only rows first; ' +
  "then hard-only rows, the weak model's least sure first; then easy-only rows, the closest to overlap first";
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
  if (q.sort === 'informative') return sortInformative(rows, cols, categories, q.descending);
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

/** Rank of a category in the informative order (overlap, hard-only, easy-only); anything else last. */
const INFORMATIVE_RANK = new Map<number, number>([
  [CATEGORY_NAMES.indexOf('overlap'), 0],
  [CATEGORY_NAMES.indexOf('hard'), 1],
  [CATEGORY_NAMES.indexOf('easy'), 2],
]);

/**
 * Overlap rows by stage-2 score descending, hard-only rows by weak confidence ascending, easy-only rows by stage-2
 * score descending; missing scores last within their group, ties in file order. `descending` reverses the whole order.
 */
function sortInformative(rows: Int32Array, cols: ReportColumns, categories: Uint8Array, descending: boolean): Int32Array {
  const hard = CATEGORY_NAMES.indexOf('hard');
  const within = (k: number): number => {
    const v = categories[k] === hard ? cols.confidence[k] : -cols.alignment[k];
    return Number.isNaN(v) ? Infinity : v;
  };
  const dir = descending ? -1 : 1;
  rows.sort((a, b) => {
    const ra = INFORMATIVE_RANK.get(categories[a]) ?? 3;
    const rb = INFORMATIVE_RANK.get(categories[b]) ?? 3;
    if (ra !== rb) return (ra - rb) * dir;
    const x = within(a);
    const y = within(b);
    return x === y ? a - b : (x < y ? -1 : 1) * dir;
  });
  return rows;
}

function sortKey(cols: ReportColumns, categories: Uint8Array, key: SortKey): ArrayLike<number> {
  switch (key) {
    case 'informative':
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
