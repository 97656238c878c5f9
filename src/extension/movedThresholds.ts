/**
 * The report lets the user move t1 and t2 and see the partition change (METHOD.md: the method is a heuristic, so
 * show the thresholds and let people move them). The editor then colours, hovers and annotates by the moved
 * partition: this builds that view of a result without touching the file on disk.
 */
import type { CategoryName } from '../core/detect/types';
import type { AnalysisResult } from '../core/result/schema';

export interface MovedThresholds {
  t1: number;
  t2: number | null;
}

/** A copy of `result` whose W2S-train rows carry `categories` (aligned with result.rows) and whose counts follow. */
export function withMovedThresholds(
  result: AnalysisResult,
  moved: MovedThresholds,
  categories: readonly (CategoryName | null)[],
): AnalysisResult {
  if (categories.length !== result.rows.length) {
    throw new Error(`moved thresholds: ${categories.length} categories for ${result.rows.length} rows`);
  }
  const counts = { easy: 0, hard: 0, overlap: 0 };
  const rows = result.rows.map((r, i) => {
    const category = r.split === 'w2s-train' ? (categories[i] ?? null) : null;
    if (category) counts[category]++;
    return category === r.category ? r : { ...r, category };
  });
  const n = counts.easy + counts.hard + counts.overlap;
  return {
    ...result,
    rows,
    detection: {
      ...result.detection,
      confidenceThreshold: moved.t1,
      alignThreshold: moved.t2,
      counts,
      overlapDensity: n === 0 ? 0 : counts.overlap / n,
    },
  };
}
