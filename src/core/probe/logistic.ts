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
import type { LineFunction } from './lbfgs';
import { BatchedLine, BatchedObjective } from './pending';

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

export class LogisticObjective extends BatchedObjective {
  /** Line-search buffers, reused every iteration (one line search is active at a time). */
  readonly buf: { xt: Float64Array; trialZ: Float64Array; trialG: Float64Array; u: Float64Array };
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
    fitBias = true,
    /**
     * The rows of X (and of the engine, which then must be given) this objective is over, in this order; all rows
     * when absent. Several objectives can share one engine this way (the batched fits of batch.ts).
     */
    rows?: Int32Array,
  ) {
    super(x, 1, engine ?? rowEngine(x, 3 * x.cols, 3), fitBias, rows);
    const n = this.n;
    this.buf = {
      xt: new Float64Array(x.cols + 1),
      trialZ: new Float64Array(n),
      trialG: new Float64Array(x.cols + 1),
      u: new Float64Array(n),
    };
  }

  beginPass(params: Float64Array): void {
    const { d, wv, gv } = this;
    for (let j = 0; j < d; j++) wv[j] = params[j];
    gv.fill(0);
    this.passLoss = 0;
    this.passGb = 0;
    this.passB = params[d];
  }

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

  /** Residuals r_i = (sigmoid(z_i) - y_i) / n of the pending point (see BatchedObjective). */
  pendingResiduals(out: Float32Array | Float64Array, stride: number, col: number): void {
    const { n, y, rows } = this;
    const z = this.pendingZ();
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
}

class LogisticLine extends BatchedLine implements LineFunction {
  private readonly ww: number;
  private readonly wd: number;
  private readonly dd: number;
  private trialF = NaN;
  private hasU = false;
  /** Loss sum and bias gradient of the last `step`. */
  private stepLoss = 0;
  private stepGb = 0;

  constructor(private readonly obj: LogisticObjective, private readonly params: Float64Array, private readonly dir: Float64Array) {
    super(obj);
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
    // the driver's product (batch.ts) leaves z at t and the gradient's X^T r part in gv
    if (!this.takeBatched(t)) {
      gv.fill(0);
      this.step(t, (i, _c, r) => {
        if (r !== 0) engine.axpy(rows ? rows[i] : i, r, gv, 0);
      });
    }
    const { params, dir } = this;
    for (let j = 0; j < d; j++) g[j] = gv[j] + 2 * l2 * (params[j] + t * dir[j]);
    g[d] = obj.fitBias ? this.stepGb : 0;
    return this.stepLoss / obj.n + this.regAt(t);
  }

  /** z <- z + t u (the accepted step; the line's z0 is the objective's z), the loss and the bias gradient kept, each row's residual to `use`. */
  protected step(t: number, use: (i: number, c: number, r: number) => void): void {
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
      use(i, 0, r);
    }
    this.stepLoss = loss;
    this.stepGb = gb;
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
