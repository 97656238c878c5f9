/**
 * Stage-2 scorers by AlignMode (METHOD.md section 2): a score per non-hard row that measures how much it shares
 * with the hard-only set; detection thresholds the scores by a change point and calls `score >= t2` overlap, so a
 * scorer must orient its score that way (higher = more hard content).
 * Registered here: "abs-cosine-max" (max_h |cos(x, x_h)|, the detection experiments) and "dot-max"
 * (max_h x . x_h, the data-selection code), and "residual" (residual.ts: the norm of the strong activation's
 * leave-one-out residual from a ridge map weak -> strong, times its abs-cosine-max alignment; needs weak activations).
 */
import type { PreparedGram } from '../linalg/ridgeGemm';
import { InputError } from '../errors';
import { concatRows, selectRows, type Matrix } from '../linalg/matrix';
import { residualScorer } from './residual';
import type { AlignKernelMode, AlignMode, AlignmentKernel } from './types';

/** Earlier rounds of the bandit setting ("augmented" detection, METHOD.md sections 2 and 4). */
export interface DetectionHistory {
  /** Strong activations of the rows detected hard-only in earlier rounds: they join the hard set. */
  strongHard: Matrix;
  /**
   * Strong activations of the earlier non-hard rows. When given, t2 is the change point of the current and these
   * rows' scores together; without it, of the current rows' scores only (the reference bandit code).
   */
  strongRest?: Matrix;
  /** Weak activations of the same rows, for scorers that use them (residual). */
  weakHard?: Matrix;
  weakRest?: Matrix;
}

export interface Stage2Input {
  /** Strong activations of every input row. */
  strong: Matrix;
  /** Weak activations of every input row, when the caller has them. */
  weak?: Matrix;
  /** Input rows that stage 1 called hard-only, and the rest (ascending). */
  hard: Int32Array;
  rest: Int32Array;
  history?: DetectionHistory;
  kernel: AlignmentKernel;
  signal?: AbortSignal;
  progress?: (fraction: number) => void;
  /** The residual scorer's ridge map, begun earlier on `weak` (linalg/ridgeGemm.ts prepareRidgeGram). */
  preparedGram?: PreparedGram;
  /**
   * Memory for the stage's copies of the hard and rest strong rows (`stage2Rows`), asked for when they are made: the
   * analysis's memory readied on another thread for a copy made after the detection (DetectInput.scratch).
   */
  scratch?: () => Promise<Float32Array | undefined>;
}

export interface Stage2Scores {
  /** One score per `rest` row, in the same order. */
  rest: Float64Array;
  /**
   * Per `rest` row, its nearest hard row as a position in [current hard rows (in `hard` order)..., history hard
   * rows...]; -1 for none. Optional: scorers without a notion of nearest row leave it out.
   */
  nearest?: Int32Array;
  /** Scores of history.strongRest rows, when those take part in t2. */
  historyRest?: Float64Array;
}

export interface Stage2Scorer {
  readonly mode: AlignMode;
  score(input: Stage2Input): Promise<Stage2Scores>;
}

/**
 * The strong rows the alignment compares: the hard set (current hard rows, then the history's hard rows) and the
 * current rest rows, with `current` the current hard rows alone; copied into `input.scratch()` when it holds both
 * (Float32 rows: the copies' first touch, ~2.8 ms per MB on the development machine, was done elsewhere), else into
 * fresh memory.
 */
export async function stage2Rows(input: Stage2Input): Promise<{ keys: Matrix; query: Matrix; current: Matrix }> {
  const { strong, hard, rest } = input;
  const d = strong.cols;
  const room = strong.data instanceof Float32Array ? await input.scratch?.() : undefined;
  const fits = room !== undefined && room.length >= (hard.length + rest.length) * d;
  const current = selectRows(strong, hard, fits ? room.subarray(0, hard.length * d) : undefined);
  const query = selectRows(strong, rest, fits ? room.subarray(hard.length * d, (hard.length + rest.length) * d) : undefined);
  const past = input.history?.strongHard;
  return { keys: past && past.rows > 0 ? concatRows(current, past) : current, query, current };
}

/** A scorer that is a max over the hard set through the alignment kernel. */
export function maxAlignmentScorer(mode: AlignMode, kernelMode: AlignKernelMode): Stage2Scorer {
  return {
    mode,
    async score(input) {
      const { keys, query } = await stage2Rows(input);
      const { kernel, signal } = input;
      let rest: Float64Array;
      let nearest: Int32Array | undefined;
      if (kernel.maxAlignmentWithIndex) {
        const r = await kernel.maxAlignmentWithIndex(query, keys, kernelMode, signal, input.progress);
        rest = r.max;
        nearest = r.argmax;
      } else {
        rest = await kernel.maxAlignment(query, keys, kernelMode, signal);
      }
      const past = input.history?.strongRest;
      const historyRest = past && past.rows > 0 ? await kernel.maxAlignment(past, keys, kernelMode, signal) : undefined;
      return { rest, nearest, historyRest };
    },
  };
}

export const STAGE2_SCORERS: Partial<Record<AlignMode, Stage2Scorer>> = {
  'abs-cosine-max': maxAlignmentScorer('abs-cosine-max', 'abs-cosine'),
  'dot-max': maxAlignmentScorer('dot-max', 'dot'),
  residual: residualScorer(),
};

/** Adds or replaces the scorer of a mode. */
export function registerStage2Scorer(scorer: Stage2Scorer): void {
  STAGE2_SCORERS[scorer.mode] = scorer;
}

export function stage2Scorer(mode: AlignMode): Stage2Scorer {
  const scorer = STAGE2_SCORERS[mode];
  if (!scorer) {
    const known = Object.keys(STAGE2_SCORERS).join(', ');
    throw new InputError(`align mode "${mode}" has no stage-2 scorer (available: ${known})`);
  }
  return scorer;
}
