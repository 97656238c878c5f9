/**
 * The "residual" stage-2 scorer (issue 9, docs/detectors.md): hard content of a row is what its strong activation
 * holds beyond what its weak activation explains. A ridge map weak -> strong with an intercept is fitted on every
 * row of the detection set (the W2S-train rows, plus the history rows in the bandit setting), lambda by
 * generalized cross-validation (linalg/ridge.ts); a row's score is the norm of its leave-one-out residual
 * ||s_i - map_{-i}(w_i)||. Overlap = score >= t2 as for the reference scorers; the hard set is not used.
 */
import { InputError } from '../errors';
import { concatRows, type Matrix } from '../linalg/matrix';
import { fitRidge, ridgeResidualNorms, type RidgeFit } from '../linalg/ridge';
import type { Stage2Input, Stage2Scorer, Stage2Scores } from './scorers';

export interface ResidualScorerOptions {
  /** Leave-one-out residuals (default true): a row's own fit does not shrink its residual. */
  leaveOneOut?: boolean;
  /** A fixed ridge penalty instead of GCV. */
  lambda?: number;
  /** Called with the fitted map (for reports and benches). */
  onFit?: (fit: RidgeFit) => void;
}

export const RESIDUAL_NEEDS_WEAK =
  'align "residual" needs weak activations (it regresses the strong activations on the weak ones), but the weak side ' +
  'here is votes or probabilities: choose align "dot-max" or "abs-cosine-max", or give weak activations ' +
  '(a weak encoder, a .npy/.safetensors file or an activation field)';

/** Checks the weak rows that residual scoring needs and returns [fit weak, fit strong, number of current rows]. */
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

/** Residual norms of every fit row: current rows first, then history hard rows, then history non-hard rows. */
export function residualNorms(input: Stage2Input, options: ResidualScorerOptions = {}): Float64Array {
  const rows = fitRows(input);
  const fit = fitRidge(rows.weak, rows.strong, { lambda: options.lambda, signal: input.signal });
  options.onFit?.(fit);
  return ridgeResidualNorms(fit, rows.weak, rows.strong, { leaveOneOut: options.leaveOneOut ?? true, signal: input.signal });
}

/** A residual scorer; `residualScorer()` is the registered one. */
export function residualScorer(options: ResidualScorerOptions = {}): Stage2Scorer {
  return {
    mode: 'residual',
    async score(input: Stage2Input): Promise<Stage2Scores> {
      const norms = residualNorms(input, options);
      input.progress?.(1);
      const rest = Float64Array.from(input.rest, (i) => norms[i]);
      const past = input.history?.strongRest;
      let historyRest: Float64Array | undefined;
      if (past && past.rows > 0) {
        const start = input.strong.rows + input.history!.strongHard.rows;
        historyRest = norms.slice(start, start + past.rows);
      }
      return { rest, historyRest };
    },
  };
}

