import type { Matrix } from '../linalg/matrix';
import type { LinalgKernel } from '../linalg/gemm';

/** Stage 1 rule (METHOD.md section 2): "segment" hard = c < t1; "probing" hard = c <= t1. */
export type HardRule = 'segment' | 'probing';
/**
 * Stage 2 score. `abs-cosine-max` and `dot-max` are the paper's reference variants; `residual` is this
 * project's detector (ridge map weak -> strong, residual norm measures hard content).
 */
export type AlignMode = 'abs-cosine-max' | 'dot-max' | 'residual';

/** Category codes used in typed arrays: 0 easy-only, 1 hard-only, 2 overlap. */
export const EASY = 0;
export const HARD = 1;
export const OVERLAP = 2;
export type CategoryName = 'easy' | 'hard' | 'overlap';
export const CATEGORY_NAMES: readonly CategoryName[] = ['easy', 'hard', 'overlap'];

/**
 * The one heavy kernel: for every query row q, max over key rows k of |cos(q,k)| ("abs-cosine") or q.k ("dot").
 * Implementations: pure TypeScript (core/detect/alignKernel.ts) and an onnxruntime graph (src/inference).
 * Empty `keys` gives 0 for every query. Zero-norm rows have cosine 0.
 */
export interface AlignmentKernel {
  readonly name: string;
  maxAlignment(query: Matrix, keys: Matrix, mode: AlignKernelMode, signal?: AbortSignal): Promise<Float64Array>;
  /**
   * Optional: the same maxima plus, per query row, the index of the key that reached it (the first on ties;
   * -1 when there are no keys). Detection uses it for each row's nearest hard-only row (hover previews) and falls
   * back to `maxAlignment` (no nearest row) when a kernel lacks it.
   */
  maxAlignmentWithIndex?(
    query: Matrix, keys: Matrix, mode: AlignKernelMode, signal?: AbortSignal, progress?: (fraction: number) => void,
  ): Promise<AlignmentResult>;
  /**
   * Optional: dense Float64 products on the same runtime and device (linalg/gemm.ts; onnxruntime's Gemm in the
   * inference layer). The residual detector's ridge map uses them when present, the WebAssembly rows otherwise.
   */
  readonly linalg?: LinalgKernel;
}

export type AlignKernelMode = 'abs-cosine' | 'dot';

/** Per query row: the best score and the index of the key that reached it (-1 when there are no keys). */
export interface AlignmentResult {
  max: Float64Array;
  argmax: Int32Array;
}

/** Counts of a partition, in category order. */
export interface CategoryCounts {
  easy: number;
  hard: number;
  overlap: number;
}

/** Overlap detection on one set of rows (METHOD.md section 2); produced by core/detect/detect.ts. */
export interface DetectionOutcome {
  hardRule: HardRule;
  align: AlignMode;
  jump: number;
  /** Per input row: EASY, HARD or OVERLAP. */
  categories: Uint8Array;
  /** Per input row: the stage-2 score; NaN for hard-only rows and when there is no hard set. */
  scores: Float64Array;
  /**
   * Per input row: the input row of its most aligned hard-only row (for hover previews); -1 for hard rows, when
   * there is no hard set, when the scorer gives none, or when the nearest one is a history row (see nearestHistory).
   */
  nearestHard: Int32Array;
  /** With history: per input row, the history hard row that is nearest when it beats every current one, else -1. */
  nearestHistory?: Int32Array;
  /** Stage-1 threshold on the confidences and its index into the sorted confidences (null with the fallback). */
  t1: number;
  b1: number | null;
  /** Stage-2 threshold and index into the sorted scores; null when stage 2 did not run (no hard or no rest rows). */
  t2: number | null;
  b2: number | null;
  /** Which change points fell back to the median (too few points). */
  fallbacks: { confidence: boolean; align: boolean };
  counts: CategoryCounts;
  /** |overlap| / n (0 for no rows). */
  overlapDensity: number;
  /** Degenerate cases and fallbacks in plain words, for warnings. */
  notes: string[];
}
