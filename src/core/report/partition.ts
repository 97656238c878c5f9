import { isHard } from '../detect/resolve';
import { EASY, HARD, OVERLAP, type HardRule } from '../detect/types';

/** Category code for rows outside W2S-train in typed category columns. */
export const NO_CATEGORY = 255;

/** The W2S-train scores that decide the partition; NaN where a row has no score. */
export interface PartitionScores {
  /** Weak confidence per W2S-train row. */
  confidence: Float64Array;
  /** Stage-2 score per W2S-train row; NaN for rows that were hard-only when the scores were computed. */
  alignment: Float64Array;
  hardRule: HardRule;
}

export interface Partition {
  /** Category code per W2S-train row: EASY, HARD or OVERLAP. */
  categories: Uint8Array;
  counts: { easy: number; hard: number; overlap: number };
  /** |overlap| / |W2S-train| (0 for an empty set). */
  overlapDensity: number;
  /**
   * Rows that are no longer hard at this t1 but have no stage-2 score (they were hard-only when the scores were
   * computed); they count as easy-only until the analysis is re-run at the new t1.
   */
  unscored: number;
}


/**
 * Re-partitions W2S-train for thresholds (t1, t2) with the stored scores, so the report can move a threshold
 * without a round trip. Stage 2: overlap = score >= t2 among the non-hard rows; no hard rows (or t2 null) means no
 * overlap (METHOD.md section 2, degenerate cases). The stage-2 scores are those measured against the detected hard
 * set: moving t1 changes the hard set but not the scores, which is exact at the detected t1 and an approximation
 * elsewhere. `out` is reused when given (no allocation while dragging).
 */
export function partition(scores: PartitionScores, t1: number, t2: number | null, out?: Uint8Array): Partition {
  const { confidence, alignment, hardRule } = scores;
  const n = confidence.length;
  if (alignment.length !== n) throw new Error(`partition: ${n} confidences but ${alignment.length} alignment scores`);
  const categories = out && out.length === n ? out : new Uint8Array(n);
  let hard = 0;
  for (let i = 0; i < n; i++) {
    if (isHard(confidence[i], t1, hardRule)) {
      categories[i] = HARD;
      hard++;
    } else {
      categories[i] = EASY;
    }
  }
  let overlap = 0;
  let unscored = 0;
  const stage2 = hard > 0 && t2 !== null;
  for (let i = 0; i < n; i++) {
    if (categories[i] === HARD) continue;
    const a = alignment[i];
    if (Number.isNaN(a)) unscored++;
    else if (stage2 && a >= (t2 as number)) {
      categories[i] = OVERLAP;
      overlap++;
    }
  }
  return {
    categories,
    counts: { easy: n - hard - overlap, hard, overlap },
    overlapDensity: n > 0 ? overlap / n : 0,
    unscored,
  };
}
