/**
 * What the logistic and softmax objectives share for the batched fits (batch.ts): a fit announces the first trial
 * point of its coming line search (`prepare`); a driver evaluates many fits' pending points together, either by a
 * blocked pass over shared rows (`beginPending`, `passRows`, `finishPending`) or by two dense products over all of
 * them (`pendingZ` filled from X V, `pendingResiduals` into R, X^T R into `gv`, `finishPendingProduct`); the next
 * `fusedPass` at exactly that point then returns the result without a pass of its own.
 *
 * A fit's logits are `width` values per row (1 for the logistic objective, C for softmax), row-major in `z`; its
 * parameters are [W (width x d, row-major), b (width)], so dim = width (d + 1) and the weights of logit c are
 * params[c d .. c d + d - 1].
 */
import type { Matrix } from '../linalg/matrix';
import type { RowEngine } from '../linalg/rowEngine';
import type { DifferentiableObjective, LineFunction } from './lbfgs';

/** A full evaluation computed ahead of time for one point (by a batched pass), handed out once on request. */
interface Preset {
  point: Float64Array;
  z: Float64Array;
  g: Float64Array;
  f: number;
  valid: boolean;
}

/** A line search whose accepted step is not its first trial, waiting for the driver's X^T R at that step. */
export interface GradientLine {
  /** Steps z to the accepted t and writes the residuals to out[row * stride + col + c] (zero elsewhere). */
  gradientResiduals(out: Float32Array | Float64Array, stride: number, col: number): void;
  /** X^T r is in the objective's `gv`: the line's `gradientAt` at that t takes it. */
  finishGradient(): void;
}

export abstract class BatchedObjective implements DifferentiableObjective {
  /** Logits per row: 1 (logistic) or C (softmax). */
  readonly width: number;
  readonly dim: number;
  readonly n: number;
  readonly d: number;
  readonly engine: RowEngine;
  /** z = X W^T + b at the current iterate (n x width). */
  readonly z: Float64Array;
  /** Engine vectors (width x d each): weights, gradient accumulator, search direction. */
  readonly wv: Float64Array;
  readonly gv: Float64Array;
  readonly dv: Float64Array;
  /** The first trial point of the coming line search (see `prepare`), and a batched evaluation of it, if any. */
  pending: Float64Array | null = null;
  /** The step that `prepare` announced: pending = x + t dir (null for a pending point set directly). */
  pendingStep: { dir: Float64Array; t: number } | null = null;
  private preset: Preset | null = null;
  /**
   * Product route (batch.ts) on: a line search whose accepted step is not its first trial hands the gradient's pass
   * to the driver (its `prepareGradient`; `gradientLine` is then that line until the driver has run it).
   */
  batchGradients = false;
  gradientLine: GradientLine | null = null;
  /** u = X dir^T + dir_b of the pending step, computed ahead by a batched product (batch.ts), for the coming line. */
  private presetU: { dir: Float64Array; u: Float64Array; valid: boolean } | null = null;

  constructor(
    x: Matrix,
    width: number,
    engine: RowEngine,
    /** false: no intercepts (they stay 0, their gradient is held at 0), like scikit-learn's fit_intercept=False. */
    readonly fitBias: boolean,
    /**
     * The rows of X (and of the engine) this objective is over, in this order; all rows when absent. Several
     * objectives can share one engine this way (the batched fits of batch.ts).
     */
    readonly rows?: Int32Array,
  ) {
    this.width = width;
    this.n = rows ? rows.length : x.rows;
    this.d = x.cols;
    this.dim = width * (x.cols + 1);
    this.engine = engine;
    this.wv = engine.vector(width * x.cols);
    this.gv = engine.vector(width * x.cols);
    this.dv = engine.vector(width * x.cols);
    this.z = new Float64Array(this.n * width);
  }

  /** Starts a pass at params: loads the weights into the engine, zeroes the sums. */
  abstract beginPass(params: Float64Array): void;
  /** Adds rows [from, to) to the pass begun at params (their logits into zOut). */
  abstract passRows(from: number, to: number, zOut: Float64Array): void;
  /** Ends the pass: the gradient into g, returns f. */
  abstract endPass(params: Float64Array, g: Float64Array): number;
  /**
   * Product route, after `beginPending` and with every row's logits in `pendingZ()`: the loss terms, and the
   * residuals written to out[rows[i] * stride + col + c] (the caller's n x K residual matrix, zero elsewhere), whose
   * X^T R comes back to `finishPendingProduct`.
   */
  abstract pendingResiduals(out: Float32Array | Float64Array, stride: number, col: number): void;
  abstract line(params: Float64Array, dir: Float64Array): LineFunction;

  evaluate(params: Float64Array, g: Float64Array): number {
    return this.fusedPass(params, this.z, g);
  }

  /** z into zOut, gradient into g, returns f: one pass over X (or the batched result for this exact point). */
  fusedPass(params: Float64Array, zOut: Float64Array, g: Float64Array): number {
    const pre = this.preset;
    if (pre?.valid) {
      pre.valid = false;
      if (sameValues(pre.point, params)) {
        zOut.set(pre.z);
        g.set(pre.g);
        return pre.f;
      }
    }
    this.beginPass(params);
    this.passRows(0, this.n, zOut);
    return this.endPass(params, g);
  }

  /** Records the coming trial point params + t dir (computed as the line search will compute it). */
  prepare(params: Float64Array, dir: Float64Array, t: number): void {
    const p = this.pending ?? new Float64Array(this.dim);
    for (let j = 0; j < this.dim; j++) p[j] = params[j] + t * dir[j];
    this.pending = p;
    const step = this.pendingStep ?? { dir: new Float64Array(this.dim), t };
    step.dir.set(dir);
    step.t = t;
    this.pendingStep = step;
  }

  /**
   * Batched evaluation, step 1: starts a pass at the pending point. The driver then calls `passRows` over row
   * ranges and `finishPending` (or fills `pendingZ`, calls `pendingResiduals` and `finishPendingProduct`).
   */
  beginPending(): void {
    if (!this.preset) {
      this.preset = {
        point: new Float64Array(this.dim), z: new Float64Array(this.n * this.width), g: new Float64Array(this.dim), f: 0, valid: false,
      };
    }
    this.beginPass(this.pending!);
  }

  /** The rows' logits of a pending pass go here. */
  pendingZ(): Float64Array {
    return this.preset!.z;
  }

  finishPending(): void {
    const pre = this.preset!;
    const point = this.pending!;
    pre.f = this.endPass(point, pre.g);
    pre.point.set(point);
    pre.valid = true;
  }

  /**
   * Product route, last step: X^T R is already in `gv` (the caller spreads the product's columns over the fits in
   * one pass: batch.ts); the pending point's result is kept.
   */
  finishPendingProduct(): void {
    this.finishPending();
  }

  /** Product route: u = X dir^T + dir_b of the pending step goes here; the coming line search takes it (`takeU`). */
  pendingU(): Float64Array {
    const step = this.pendingStep!;
    const pu = this.presetU ?? { dir: new Float64Array(this.dim), u: new Float64Array(this.n * this.width), valid: false };
    pu.dir.set(step.dir);
    pu.valid = true;
    this.presetU = pu;
    return pu.u;
  }

  /** Hands out the precomputed u into `into` once, when it belongs to direction dir. */
  takeU(dir: Float64Array, into: Float64Array): boolean {
    const pu = this.presetU;
    if (!pu?.valid) return false;
    pu.valid = false;
    if (!sameValues(pu.dir, dir)) return false;
    into.set(pu.u);
    return true;
  }
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/**
 * What the two line searches share for the product route: a line whose accepted step is not its first trial hands
 * the gradient's pass at that step to the driver (`prepareGradient`), which steps z and writes the residuals
 * (`gradientResiduals`), multiplies, and leaves X^T R in the objective's `gv` (`finishGradient`); `gradientAt` then
 * takes it (`takeBatched`) instead of a pass of its own.
 */
export abstract class BatchedLine implements GradientLine {
  /** The first trial (a full evaluation, kept in case its step is accepted). */
  protected trialT = NaN;
  protected hasTrial = false;
  /** The accepted step's pass, handed to the driver. */
  private batched: { t: number; ready: boolean } | null = null;

  constructor(private readonly target: BatchedObjective) {}

  prepareGradient(t: number): boolean {
    if (!this.target.batchGradients || (this.hasTrial && t === this.trialT)) return false;
    this.batched = { t, ready: false };
    this.target.gradientLine = this;
    return true;
  }

  /** Product route, for `prepareGradient`'s t: steps z, and writes the residuals for the driver's product. */
  gradientResiduals(out: Float32Array | Float64Array, stride: number, col: number): void {
    const rows = this.target.rows;
    this.step(this.batched!.t, (i, c, r) => {
      out[(rows ? rows[i] : i) * stride + col + c] = r;
    });
  }

  finishGradient(): void {
    this.batched!.ready = true;
    this.target.gradientLine = null;
  }

  /** Whether the driver's product holds X^T r at t in `gv` (taken once). */
  protected takeBatched(t: number): boolean {
    const pre = this.batched;
    if (!(pre && pre.t === t && pre.ready)) return false;
    this.batched = null;
    return true;
  }

  /** z <- z + t u (the accepted step), the loss and bias gradients kept, each row's residual of logit c to `use`. */
  protected abstract step(t: number, use: (i: number, c: number, r: number) => void): void;
}
