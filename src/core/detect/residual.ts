/**
 * The "residual" stage-2 scorer (issue 9, docs/detectors.md): the hard content of a row is what its strong
 * activation holds beyond what its weak activation explains. A ridge map weak -> strong with an intercept is fitted
 * on every row of the detection set (the W2S-train rows; in the bandit setting also the history's rows), lambda by
 * generalized cross-validation (linalg/ridge.ts); r_i = s_i - map_{-i}(w_i) is the leave-one-out residual, so a
 * row's own fit does not shrink it. The registered score is ||r_i|| * max_h |cos(s_i, s_h)| over the hard-only rows:
 * hard content that the row also shares with the hard-only rows (the reference's notion of overlap). The plain norm
 * and a relative norm are variants (`ResidualScore`); bench/detectors.ts measures all three, docs/detectors.md says
 * why the product uses this one. Overlap = score >= t2 (the change point of the non-hard rows' scores).
 */
import { CancelledError, InputError } from '../errors';
import type { LinalgKernel } from '../linalg/gemm';
import { concatRows, type Matrix } from '../linalg/matrix';
import { centredRowNorms } from '../linalg/ridge';
import { ridgeLooResidualNorms, ridgeLooResidualNormsAsync, type RidgeLooResult, type RidgeSummary } from '../linalg/ridgeLoo';
import { ridgeLooResidualNormsGemm } from '../linalg/ridgeGemm';
import { stage2Rows, type Stage2Input, type Stage2Scorer, type Stage2Scores } from './scorers';

/**
 * "aligned" (the registered scorer): ||r_i|| * max_h |cos(s_i, s_h)| over the hard set (current hard rows, then the
 * history's), i.e. the residual norm weighted by the abs-cosine-max alignment; it also gives each row's nearest hard row.
 * "norm": ||r_i|| (issue 9's first idea; ignores the hard set).
 * "relative": ||r_i|| / ||s_i - mean(s)||, the fraction of the row's deviation from the mean strong activation that the
 * weak side leaves unexplained (0 for a row at the mean).
 */
export type ResidualScore = 'aligned' | 'norm' | 'relative';

export interface ResidualScorerOptions {
  /** Leave-one-out residuals (default true). */
  leaveOneOut?: boolean;
  /** A fixed ridge penalty instead of GCV. */
  lambda?: number;
  /** Default "aligned". */
  score?: ResidualScore;
  /** Called with the fitted map's summary (benches, reports). */
  onFit?: (fit: RidgeSummary) => void;
  /**
   * The scorer's ridge fit lets the event loop run (so a cancel click lands) every this many milliseconds of work
   * (default linalg/steps.ts's DEFAULT_SLICE_MS; 0: after every step). Tests.
   */
  sliceMs?: number;
  /** Test hook: called after each step (a chunk of rows) of the scorer's ridge fit. */
  onFitStep?: () => void;
  /**
   * The dense products of the ridge fit: default the alignment kernel's (`input.kernel.linalg`, onnxruntime's Gemm
   * when the inference layer provides it); null forces the WebAssembly rows (benches, tests).
   */
  linalg?: LinalgKernel | null;
}

export const RESIDUAL_NEEDS_WEAK =
  'align "residual" needs weak activations (it regresses the strong activations on the weak ones), but the weak side ' +
  'here is votes or probabilities: choose align "dot-max" or "abs-cosine-max", or give weak activations ' +
  '(a weak encoder, a .npy/.safetensors file or an activation field)';

/** The rows the map is fitted on: current rows, then the history's hard rows, then its non-hard rows. */
function fitRows(input: Stage2Input): { weak: Matrix; strong: Matrix } {
  const { weak, strong, history } = input;
  if (!weak) throw new InputError(RESIDUAL_NEEDS_WEAK);
  if (weak.rows !== strong.rows) {
    throw new InputError(`residual scoring: ${strong.rows} rows of strong activations but ${weak.rows} of weak activations`);
  }
  let w: Matrix = weak;
  let s: Matrix = strong;
  if (history) {
    for (const [name, sm, wm] of [['hard', history.strongHard, history.weakHard], ['non-hard', history.strongRest, history.weakRest]] as const) {
      if (!sm || sm.rows === 0) continue;
      if (!wm || wm.rows !== sm.rows) {
        throw new InputError(`residual scoring: the history's ${sm.rows} ${name} rows need their weak activations (got ${wm?.rows ?? 0})`);
      }
      if (wm.cols !== weak.cols) {
        throw new InputError(`residual scoring: history ${name} weak rows have ${wm.cols} columns, the current rows ${weak.cols}`);
      }
      w = concatRows(w, wm);
      s = concatRows(s, sm);
    }
  }
  return { weak: w, strong: s };
}

/** Residual norms of every fit row (current rows first, then the history's hard rows, then its non-hard rows). */
export function residualNorms(input: Stage2Input, options: ResidualScorerOptions = {}): Float64Array {
  const rows = fitRows(input);
  // The training rows' (leave-one-out) residuals only: linalg/ridgeLoo.ts picks the exact route that works in
  // min(rows, weak dim) dimensions, without forming the strong x weak coefficient matrix.
  const loo = ridgeLooResidualNorms(rows.weak, rows.strong, {
    lambda: options.lambda, leaveOneOut: options.leaveOneOut ?? true, signal: input.signal,
  });
  return finishNorms(rows.strong, loo, options);
}

/**
 * residualNorms, letting the event loop run every few milliseconds of the ridge fit and then checking the signal
 * (linalg/steps.ts): a cancel click lands within one slice instead of when the fit ends. The same numbers, bitwise.
 */
export async function residualNormsAsync(input: Stage2Input, options: ResidualScorerOptions = {}): Promise<Float64Array> {
  const rows = fitRows(input);
  const ridgeOptions = {
    lambda: options.lambda, leaveOneOut: options.leaveOneOut ?? true, signal: input.signal,
    sliceMs: options.sliceMs, onStep: options.onFitStep,
  };
  // With the kernel's dense products (onnxruntime's Gemm; issue 14 item 2) the large products run at BLAS speed;
  // without, the WebAssembly rows of ridgeLoo.ts. The same numbers to rounding (test/unit/linalg/ridgeGemm.test.ts).
  const linalg = options.linalg === undefined ? input.kernel.linalg : options.linalg ?? undefined;
  let loo: RidgeLooResult | undefined;
  if (linalg) {
    try {
      // the map's eigendecomposition may have begun with the analysis (same x object, or it is not used)
      loo = await ridgeLooResidualNormsGemm(rows.weak, rows.strong, linalg, { ...ridgeOptions, prepared: input.preparedGram });
    } catch (e) {
      // A cancel stops here; a failing kernel (a provider that refuses Float64, a worker that died) leaves the
      // WebAssembly rows to do the same sums, slower.
      if (e instanceof CancelledError || input.signal?.aborted) throw e;
    }
  }
  loo ??= await ridgeLooResidualNormsAsync(rows.weak, rows.strong, ridgeOptions);
  return finishNorms(rows.strong, loo, options);
}

function finishNorms(strong: Matrix, { norms, fit, meanY }: RidgeLooResult, options: ResidualScorerOptions): Float64Array {
  options.onFit?.(fit);
  if (options.score === 'relative') {
    const spread = centredRowNorms(strong, meanY);
    for (let i = 0; i < norms.length; i++) norms[i] = spread[i] > 0 ? norms[i] / spread[i] : 0;
  }
  return norms;
}

/** A residual scorer; `residualScorer()` is the one registered for align "residual". */
export function residualScorer(options: ResidualScorerOptions = {}): Stage2Scorer {
  return {
    mode: 'residual',
    async score(input: Stage2Input): Promise<Stage2Scores> {
      const norms = await residualNormsAsync(input, options);
      const rest = Float64Array.from(input.rest, (i) => norms[i]);
      const pastRest = input.history?.strongRest;
      const nPastRest = pastRest?.rows ?? 0;
      let historyRest: Float64Array | undefined;
      if (pastRest && nPastRest > 0) {
        const start = input.strong.rows + (input.history?.strongHard.rows ?? 0);
        historyRest = norms.slice(start, start + nPastRest);
      }
      let nearest: Int32Array | undefined;
      if ((options.score ?? 'aligned') === 'aligned') {
        const { keys, query } = await stage2Rows(input);
        const { kernel, signal } = input;
        let align: Float64Array;
        if (kernel.maxAlignmentWithIndex) {
          const r = await kernel.maxAlignmentWithIndex(query, keys, 'abs-cosine', signal, input.progress);
          align = r.max;
          nearest = r.argmax;
        } else {
          align = await kernel.maxAlignment(query, keys, 'abs-cosine', signal);
        }
        for (let k = 0; k < rest.length; k++) rest[k] *= align[k];
        if (historyRest && pastRest) {
          const past = await kernel.maxAlignment(pastRest, keys, 'abs-cosine', signal);
          for (let k = 0; k < historyRest.length; k++) historyRest[k] *= past[k];
        }
      }
      input.progress?.(1);
      return { rest, nearest, historyRest };
    },
  };
}
