import type { Matrix } from '../linalg/matrix';

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
  maxAlignment(query: Matrix, keys: Matrix, mode: 'abs-cosine' | 'dot', signal?: AbortSignal): Promise<Float64Array>;
}
