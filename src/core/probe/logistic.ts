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

  constructor(
    x: Matrix,
    /** Soft targets y_i in [0, 1], one per row. */
    readonly y: Float64Array,
    readonly l2: number,
    engine?: RowEngine,
    /** false: no intercept (b stays 0, its gradient is held at 0), like scikit-learn's fit_intercept=False. */
    readonly fitBias = true,
  ) {
    this.n = x.rows;
    this.d = x.cols;
    this.dim = x.cols + 1;
    this.engine = engine ?? rowEngine(x, 3 * x.cols, 3);
    this.wv = this.engine.vector(x.cols);
    this.gv = this.engine.vector(x.cols);
    this.dv = this.engine.vector(x.cols);
    this.z = new Float64Array(x.rows);
    this.buf = {
      xt: new Float64Array(x.cols + 1),
      trialZ: new Float64Array(x.rows),
      trialG: new Float64Array(x.cols + 1),
      u: new Float64Array(x.rows),
    };
  }

  evaluate(params: Float64Array, g: Float64Array): number {
    return this.fusedPass(params, this.z, g);
  }

  /** z = X w + b into zOut, gradient into g, returns f: one pass over X. */
  fusedPass(params: Float64Array, zOut: Float64Array, g: Float64Array): number {
    const { n, d, y, l2, engine, wv, gv } = this;
    const b = params[d];
    for (let j = 0; j < d; j++) wv[j] = params[j];
    gv.fill(0);
    let loss = 0;
    let gb = 0;
    const invN = 1 / n;
    for (let i = 0; i < n; i++) {
      const zi = engine.dot(i, wv, 0) + b;
      zOut[i] = zi;
      let p: number;
      if (zi >= 0) {
        const e = Math.exp(-zi);
        loss += zi + Math.log1p(e) - y[i] * zi;
        p = 1 / (1 + e);
      } else {
        const e = Math.exp(zi);
        loss += Math.log1p(e) - y[i] * zi;
        p = e / (1 + e);
      }
      const r = (p - y[i]) * invN;
      gb += r;
      if (r !== 0) engine.axpy(i, r, gv, 0);
    }
    let ww = 0;
    for (let j = 0; j < d; j++) {
      const w = params[j];
      ww += w * w;
      g[j] = gv[j] + 2 * l2 * w;
    }
    g[d] = this.fitBias ? gb : 0;
    return loss * invN + l2 * ww;
  }

  line(params: Float64Array, dir: Float64Array): LineFunction {
    return new LogisticLine(this, params, dir);
  }
}

class LogisticLine implements LineFunction {
  private readonly ww: number;
  private readonly wd: number;
  private readonly dd: number;
  private trialT = NaN;
  private trialF = NaN;
  private hasTrial = false;
  private hasU = false;

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
      let p: number;
      if (zi >= 0) {
        const e = Math.exp(-zi);
        loss += zi + Math.log1p(e) - y[i] * zi;
        p = 1 / (1 + e);
      } else {
        const e = Math.exp(zi);
        loss += Math.log1p(e) - y[i] * zi;
        p = e / (1 + e);
      }
      du += (p - y[i]) * u[i];
    }
    slope[0] = du / n + 2 * obj.l2 * (this.wd + t * this.dd);
    return loss / n + this.regAt(t);
  }

  gradientAt(t: number, g: Float64Array): number {
    const obj = this.obj;
    const z = obj.z;
    if (this.hasTrial && t === this.trialT) {
      z.set(obj.buf.trialZ);
      g.set(obj.buf.trialG);
      return this.trialF;
    }
    const u = this.direction();
    const { n, d, y, l2, engine, gv } = obj;
    const { params, dir } = this;
    gv.fill(0);
    let loss = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const zi = z[i] + t * u[i];
      z[i] = zi;
      let p: number;
      if (zi >= 0) {
        const e = Math.exp(-zi);
        loss += zi + Math.log1p(e) - y[i] * zi;
        p = 1 / (1 + e);
      } else {
        const e = Math.exp(zi);
        loss += Math.log1p(e) - y[i] * zi;
        p = e / (1 + e);
      }
      const r = (p - y[i]) / n;
      gb += r;
      if (r !== 0) engine.axpy(i, r, gv, 0);
    }
    for (let j = 0; j < d; j++) g[j] = gv[j] + 2 * l2 * (params[j] + t * dir[j]);
    g[d] = obj.fitBias ? gb : 0;
    return loss / n + this.regAt(t);
  }

  /** u = X d_w + d_b, computed on the first trial that needs it. */
  private direction(): Float64Array {
    const obj = this.obj;
    const u = obj.buf.u;
    if (!this.hasU) {
      const { n, d, engine, dv } = obj;
      for (let j = 0; j < d; j++) dv[j] = this.dir[j];
      const db = this.dir[d];
      for (let i = 0; i < n; i++) u[i] = engine.dot(i, dv, 0) + db;
      this.hasU = true;
    }
    return u;
  }
}
