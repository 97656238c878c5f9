/**
 * The binary logistic probe's objective (METHOD.md section 1): z = w.x + b,
 * f(w, b) = mean_i [softplus(z_i) - y_i z_i] + l2 ||w||^2, y_i soft in [0, 1], bias not penalised, no 1/2.
 * Parameters are packed as [w_0 .. w_{d-1}, b]. X stays Float32 (never converted); all arithmetic is Float64.
 *
 * Cost per L-BFGS iteration: one fused pass over X at the first trial step (each row is read once for its dot
 * product and, while it is in cache, for its gradient contribution). Further line-search trials are O(n) through
 * the cached u = X d (z is linear in the step), plus one X^T r pass at the accepted step.
 */
import { dot } from '../linalg/gemv';
import type { Matrix } from '../linalg/matrix';
import { rowEngine, type RowEngine } from '../linalg/rowEngine';
import type { DifferentiableObjective, LineFunction } from './lbfgs';

/** softplus(z) = log(1 + e^z), stable for any z. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** sigmoid(z) = 1 / (1 + e^-z), stable for any z. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** sigmoid(z) of the last `logisticTerm` call (its second result: one exp serves both). */
let termP = 0;

/** softplus(z) - y z, the row's loss term; sigmoid(z) into termP. */
function logisticTerm(zi: number, yi: number): number {
  if (zi >= 0) {
    const e = Math.exp(-zi);
    termP = 1 / (1 + e);
    return zi + Math.log1p(e) - yi * zi;
  }
  const e = Math.exp(zi);
  termP = e / (1 + e);
  return Math.log1p(e) - yi * zi;
}

/** A full evaluation computed ahead of time for one point (by a batched pass), handed out once on request. */
interface Preset {
  point: Float64Array;
  z: Float64Array;
  g: Float64Array;
  f: number;
  valid: boolean;
}

export class LogisticObjective implements DifferentiableObjective {
  readonly dim: number;
  readonly n: number;
  readonly d: number;
  readonly engine: RowEngine;
  /** z = X w + b at the current iterate. */
  readonly z: Float64Array;
  /** Engine vectors: weights, gradient accumulator, search direction. */
  readonly wv: Float64Array;
  readonly gv: Float64Array;
  readonly dv: Float64Array;
  /** Line-search buffers, reused every iteration (one line search is active at a time). */
  readonly buf: { xt: Float64Array; trialZ: Float64Array; trialG: Float64Array; u: Float64Array };
  /** The first trial point of the coming line search (see `prepare`), and a batched evaluation of it, if any. */
  pending: Float64Array | null = null;
  /** The step that `prepare` announced: pending = x + t dir (null for a pending point set directly). */
  pendingStep: { dir: Float64Array; t: number } | null = null;
  private preset: Preset | null = null;
  /**
   * Product route (batch.ts) on: a line search whose accepted step is not its first trial hands the gradient's pass
   * to the driver (`prepareGradient`; `gradientLine` is then that line until the driver has run it).
   */
  batchGradients = false;
  gradientLine: LogisticLine | null = null;
  /** u = X dir + dir_b of the pending step, computed ahead by a batched product (batch.ts), for the coming line. */
  private presetU: { dir: Float64Array; u: Float64Array; valid: boolean } | null = null;
  /** Running sums of a pass over the rows (beginPass / passRows / endPass). */
  private passLoss = 0;
  private passGb = 0;
  private passB = 0;

  constructor(
    x: Matrix,
    /** Soft targets y_i in [0, 1], one per row (per entry of `rows` when given). */
    readonly y: Float64Array,
    readonly l2: number,
    engine?: RowEngine,
    /** false: no intercept (b stays 0, its gradient is held at 0), like scikit-learn's fit_intercept=False. */
    readonly fitBias = true,
    /**
     * The rows of X (and of the engine, which then must be given) this objective is over, in this order; all rows
     * when absent. Several objectives can share one engine this way (the batched fits of batch.ts).
     */
    readonly rows?: Int32Array,
  ) {
    this.n = rows ? rows.length : x.rows;
    this.d = x.cols;
    this.dim = x.cols + 1;
    this.engine = engine ?? rowEngine(x, 3 * x.cols, 3);
    this.wv = this.engine.vector(x.cols);
    this.gv = this.engine.vector(x.cols);
    this.dv = this.engine.vector(x.cols);
    this.z = new Float64Array(this.n);
    this.buf = {
      xt: new Float64Array(x.cols + 1),
      trialZ: new Float64Array(this.n),
      trialG: new Float64Array(x.cols + 1),
      u: new Float64Array(this.n),
    };
  }

  evaluate(params: Float64Array, g: Float64Array): number {
    return this.fusedPass(params, this.z, g);
  }

  /** z = X w + b into zOut, gradient into g, returns f: one pass over X. */
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

  /** Starts a pass at params: loads the weights into the engine, zeroes the sums. */
  beginPass(params: Float64Array): void {
    const { d, wv, gv } = this;
    for (let j = 0; j < d; j++) wv[j] = params[j];
    gv.fill(0);
    this.passLoss = 0;
    this.passGb = 0;
    this.passB = params[d];
  }

  /** Adds rows [from, to) to the pass begun at params (z of those rows into zOut). */
  passRows(from: number, to: number, zOut: Float64Array): void {
    const { n, y, engine, wv, gv, rows } = this;
    const b = this.passB;
    const invN = 1 / n;
    let loss = this.passLoss;
    let gb = this.passGb;
    for (let i = from; i < to; i++) {
      const row = rows ? rows[i] : i;
      const zi = engine.dot(row, wv, 0) + b;
      zOut[i] = zi;
      loss += logisticTerm(zi, y[i]);
      const r = (termP - y[i]) * invN;
      gb += r;
      if (r !== 0) engine.axpy(row, r, gv, 0);
    }
    this.passLoss = loss;
    this.passGb = gb;
  }

  /** Ends the pass: the gradient into g, returns f. */
  endPass(params: Float64Array, g: Float64Array): number {
    const { d, l2, gv } = this;
    let ww = 0;
    for (let j = 0; j < d; j++) {
      const w = params[j];
      ww += w * w;
      g[j] = gv[j] + 2 * l2 * w;
    }
    g[d] = this.fitBias ? this.passGb : 0;
    return this.passLoss / this.n + l2 * ww;
  }

  line(params: Float64Array, dir: Float64Array): LineFunction {
    return new LogisticLine(this, params, dir);
  }

  /** Records the coming trial point params + t dir (computed as the line search will compute it). */
  prepare(params: Float64Array, dir: Float64Array, t: number): void {
    const p = this.pending ?? new Float64Array(this.dim);
    for (let j = 0; j <= this.d; j++) p[j] = params[j] + t * dir[j];
    this.pending = p;
    const step = this.pendingStep ?? { dir: new Float64Array(this.dim), t };
    step.dir.set(dir);
    step.t = t;
    this.pendingStep = step;
  }

  /**
   * Batched evaluation, step 1: starts a pass at the pending point. The driver then calls `passRows` over row
   * ranges and `finishPending`; the next `fusedPass` at that exact point returns the result without a pass.
   */
  beginPending(): void {
    if (!this.preset) {
      this.preset = {
        point: new Float64Array(this.dim), z: new Float64Array(this.n), g: new Float64Array(this.dim), f: 0, valid: false,
      };
    }
    this.beginPass(this.pending!);
  }

  /** The rows' z of a pending pass go here. */
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
   * Product route (batch.ts), after `beginPending` and with every row's z in `pendingZ()`: the loss terms, and the
   * residuals r_i = (sigmoid(z_i) - y_i) / n written to out[rows[i] * stride + col] (the caller's n x K residual
   * matrix, zero elsewhere), whose X^T r comes back to `finishPendingProduct`.
   */
  pendingResiduals(out: Float64Array, stride: number, col: number): void {
    const { n, y, rows } = this;
    const z = this.preset!.z;
    const invN = 1 / n;
    let loss = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      loss += logisticTerm(z[i], y[i]);
      const r = (termP - y[i]) * invN;
      gb += r;
      out[(rows ? rows[i] : i) * stride + col] = r;
    }
    this.passLoss = loss;
    this.passGb = gb;
  }

  /**
   * Product route, last step: X^T r is already in `gv` (the caller spreads the product's columns over the fits in one
   * pass: batch.ts); the pending point's result is kept.
   */
  finishPendingProduct(): void {
    this.finishPending();
  }

  /** Product route: u = X dir + dir_b of the pending step goes here; the coming line search takes it (`takeU`). */
  pendingU(): Float64Array {
    const step = this.pendingStep!;
    const pu = this.presetU ?? { dir: new Float64Array(this.dim), u: new Float64Array(this.n), valid: false };
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

class LogisticLine implements LineFunction {
  private readonly ww: number;
  private readonly wd: number;
  private readonly dd: number;
  private trialT = NaN;
  private trialF = NaN;
  private hasTrial = false;
  private hasU = false;
  /** The accepted step's pass, handed to the batched driver (`prepareGradient`). */
  private batched: { t: number; ready: boolean } | null = null;
  /** Loss sum and bias gradient of the last `step`. */
  private stepLoss = 0;
  private stepGb = 0;

  constructor(private readonly obj: LogisticObjective, private readonly params: Float64Array, private readonly dir: Float64Array) {
    const d = obj.d;
    this.ww = dot(params, params, d);
    this.wd = dot(params, dir, d);
    this.dd = dot(dir, dir, d);
  }

  private regAt(t: number): number {
    return this.obj.l2 * (this.ww + 2 * t * this.wd + t * t * this.dd);
  }

  phi(t: number, slope: Float64Array): number {
    const { params, dir, obj } = this;
    if (!this.hasTrial) {
      // First trial: a full evaluation, whose gradient is kept in case this step is accepted (the usual case).
      const { xt, trialZ, trialG } = obj.buf;
      for (let j = 0; j <= obj.d; j++) xt[j] = params[j] + t * dir[j];
      this.trialF = obj.fusedPass(xt, trialZ, trialG);
      this.trialT = t;
      this.hasTrial = true;
      slope[0] = dot(trialG, dir);
      return this.trialF;
    }
    const u = this.direction();
    const { n, y, z: z0 } = obj;
    let loss = 0;
    let du = 0;
    for (let i = 0; i < n; i++) {
      const zi = z0[i] + t * u[i];
      loss += logisticTerm(zi, y[i]);
      du += (termP - y[i]) * u[i];
    }
    slope[0] = du / n + 2 * obj.l2 * (this.wd + t * this.dd);
    return loss / n + this.regAt(t);
  }

  gradientAt(t: number, g: Float64Array): number {
    const obj = this.obj;
    if (this.hasTrial && t === this.trialT) {
      obj.z.set(obj.buf.trialZ);
      g.set(obj.buf.trialG);
      return this.trialF;
    }
    const { d, l2, engine, gv, rows } = obj;
    const pre = this.batched;
    if (pre && pre.t === t && pre.ready) {
      // the driver's pass (batch.ts): z is already at t, the gradient's X^T r part is in gv
      this.batched = null;
    } else {
      gv.fill(0);
      this.step(t, (i, r) => {
        if (r !== 0) engine.axpy(rows ? rows[i] : i, r, gv, 0);
      });
    }
    const { params, dir } = this;
    for (let j = 0; j < d; j++) g[j] = gv[j] + 2 * l2 * (params[j] + t * dir[j]);
    g[d] = obj.fitBias ? this.stepGb : 0;
    return this.stepLoss / obj.n + this.regAt(t);
  }

  /** z <- z + t u (the accepted step; the line's z0 is the objective's z), the loss and the bias gradient kept, each row's residual to `use`. */
  private step(t: number, use: (i: number, r: number) => void): void {
    const u = this.direction();
    const { n, y, z } = this.obj;
    let loss = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const zi = z[i] + t * u[i];
      z[i] = zi;
      loss += logisticTerm(zi, y[i]);
      const r = (termP - y[i]) / n;
      gb += r;
      use(i, r);
    }
    this.stepLoss = loss;
    this.stepGb = gb;
  }

  prepareGradient(t: number): boolean {
    const obj = this.obj;
    if (!obj.batchGradients || (this.hasTrial && t === this.trialT)) return false;
    this.batched = { t, ready: false };
    obj.gradientLine = this;
    return true;
  }

  /**
   * Product route, for `prepareGradient`'s t: steps z, and writes the residuals to out[rows[i] * stride + col] (zero
   * elsewhere) for the driver's X^T R.
   */
  gradientResiduals(out: Float64Array, stride: number, col: number): void {
    const rows = this.obj.rows;
    this.step(this.batched!.t, (i, r) => {
      out[(rows ? rows[i] : i) * stride + col] = r;
    });
  }

  /** Product route: X^T r is already in the objective's `gv` (batch.ts); `gradientAt` at that t takes it. */
  finishGradient(): void {
    this.batched!.ready = true;
    this.obj.gradientLine = null;
  }

  /** u = X d_w + d_b, computed on the first trial that needs it. */
  private direction(): Float64Array {
    const obj = this.obj;
    const u = obj.buf.u;
    if (!this.hasU && obj.takeU(this.dir, u)) this.hasU = true;
    if (!this.hasU) {
      const { n, d, engine, dv, rows } = obj;
      for (let j = 0; j < d; j++) dv[j] = this.dir[j];
      const db = this.dir[d];
      for (let i = 0; i < n; i++) u[i] = engine.dot(rows ? rows[i] : i, dv, 0) + db;
      this.hasU = true;
    }
    return u;
  }
}
