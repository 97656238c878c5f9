import type { Matrix } from './linalg/matrix';

// Cancellation lives with the errors (linalg needs it, and linalg must not import the encoder interface).
export { CancelledError, throwIfAborted } from './errors';

/** Progress reporting shared by every long operation: a stage name and a fraction in [0,1]. */
export type ProgressFn = (stage: string, fraction: number, detail?: string) => void;

/**
 * A text encoder (weak or strong model). Implemented in src/inference with onnxruntime-node; core only knows
 * this interface so it never imports onnxruntime.
 */
export interface TextEncoder {
  /** Stable id used in cache keys and results, e.g. `glove-mean-k2000` or `use-lite`. */
  readonly id: string;
  readonly dim: number;
  encode(texts: readonly string[], opts?: { signal?: AbortSignal; progress?: ProgressFn }): Promise<Matrix<Float32Array>>;
}


