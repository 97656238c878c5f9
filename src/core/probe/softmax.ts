/**
 * Multinomial (softmax) regression for C > 2 classes, the natural generalisation of the binary probe
 * (METHOD.md section 1): z_ic = W_c . x_i + b_c, f = mean_i [-sum_c y_ic log softmax(z_i)_c] + l2 ||W||_F^2,
 * soft target rows y_i, biases not penalised. Parameters are packed as [W (C x d, row-major), b (C)].
 * Same pass structure as the logistic objective: one fused pass over X per accepted first trial, O(n C) for the
 * other line-search trials through U = X D^T.
 */
import { dot } from '../linalg/gemv';
import type { Matrix } from '../linalg/matrix';
import { rowEngine, type RowEngine } from '../linalg/rowEngine';
import type { DifferentiableObjective, LineFunction } from './lbfgs';

/**
 * Row i of z (C logits starting at zOff): writes softmax probabilities into p and returns the row's loss
 * -sum_c y_c log p_c = sumY * logsumexp(z) - sum_c y_c z_c.
 */
function softmaxRow(z: Float64Array, zOff: number, y: Float64Array, yOff: number, C: number, p: Float64Array): number {
  let mx = -Infinity;
  for (let c = 0; c < C; c++) if (z[zOff + c] > mx) mx = z[zOff + c];
  let sum = 0;
  for (let c = 0; c < C; c++) {
    const e = Math.exp(z[zOff + c] - mx);
    p[c] = e;
    sum += e;
  }
  const lse = mx + Math.log(sum);
  let sumY = 0;
  let yz = 0;
  for (let c = 0; c < C; c++) {
    p[c] /= sum;
    const yc = y[yOff + c];
    sumY += yc;
    yz += yc * z[zOff + c];
  }
  return sumY * lse - yz;
}

export class SoftmaxObjective implements DifferentiableObjective {
  readonly dim: number;
  readonly n: number;
  readonly d: number;
  readonly engine: RowEngine;
  /** z = X W^T + b at the current iterate (n x C). */
  readonly z: Float64Array;
  /** Engine vectors (C x d each): weights, gradient accumulator, search direction. */
  readonly wv: Float64Array;
  readonly gv: Float64Array;
  readonly dv: Float64Array;
  readonly buf: { xt: Float64Array; trialZ: Float64Array; trialG: Float64Array; u: Float64Array; p: Float64Array };

  constructor(
    x: Matrix,
    /** n x C soft targets, rows summing to 1. */
    readonly y: Float64Array,
    readonly numClasses: number,
    readonly l2: number,
    engine?: RowEngine,
    /** false: no intercepts (they stay 0), like scikit-learn's fit_intercept=False. */
    readonly fitBias = true,
  ) {
    const C = numClasses;
    this.n = x.rows;
    this.d = x.cols;
    this.dim = C * x.cols + C;
    this.engine = engine ?? rowEngine(x, 3 * C * x.cols, 3);
    this.wv = this.engine.vector(C * x.cols);
    this.gv = this.engine.vector(C * x.cols);
    this.dv = this.engine.vector(C * x.cols);
    this.z = new Float64Array(x.rows * C);
    this.buf = {
      xt: new Float64Array(this.dim),
      trialZ: new Float64Array(x.rows * C),
      trialG: new Float64Array(this.dim),
      u: new Float64Array(x.rows * C),
      p: new Float64Array(C),
    };
  }

  evaluate(params: Float64Array, g: Float64Array): number {
    return this.fusedPass(params, this.z, g);
  }

  /** Z = X W^T + b into zOut, gradient into g, returns f: one pass over X. */
  fusedPass(params: Float64Array, zOut: Float64Array, g: Float64Array): number {
    const { n, d, y, l2, engine, wv, gv } = this;
    const C = this.numClasses;
    const p = this.buf.p;
    const bOff = C * d;
    const invN = 1 / n;
    for (let j = 0; j < bOff; j++) wv[j] = params[j];
    gv.fill(0);
    for (let c = 0; c < C; c++) g[bOff + c] = 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const zOff = i * C;
      for (let c = 0; c < C; c++) zOut[zOff + c] = engine.dot(i, wv, c * d) + params[bOff + c];
      loss += softmaxRow(zOut, zOff, y, zOff, C, p);
      let sumY = 0;
      for (let c = 0; c < C; c++) sumY += y[zOff + c];
      for (let c = 0; c < C; c++) {
        const r = (p[c] * sumY - y[zOff + c]) * invN;
        g[bOff + c] += r;
        if (r !== 0) engine.axpy(i, r, gv, c * d);
      }
    }
    let ww = 0;
    for (let j = 0; j < bOff; j++) {
      const w = params[j];
      ww += w * w;
      g[j] = gv[j] + 2 * l2 * w;
    }
    if (!this.fitBias) for (let c = 0; c < C; c++) g[bOff + c] = 0;
    return loss * invN + l2 * ww;
  }

  line(params: Float64Array, dir: Float64Array): LineFunction {
    return new SoftmaxLine(this, params, dir);
  }
}

class SoftmaxLine implements LineFunction {
  private readonly wOff: number;
  private readonly ww: number;
  private readonly wd: number;
  private readonly dd: number;
  private trialT = NaN;
  private trialF = NaN;
  private hasTrial = false;
  private hasU = false;

  constructor(private readonly obj: SoftmaxObjective, private readonly params: Float64Array, private readonly dir: Float64Array) {
    this.wOff = obj.numClasses * obj.d;
    this.ww = dot(params, params, this.wOff);
    this.wd = dot(params, dir, this.wOff);
    this.dd = dot(dir, dir, this.wOff);
  }

  private regAt(t: number): number {
    return this.obj.l2 * (this.ww + 2 * t * this.wd + t * t * this.dd);
  }

  phi(t: number, slope: Float64Array): number {
    const { params, dir, obj } = this;
    if (!this.hasTrial) {
      const { xt, trialZ, trialG } = obj.buf;
      for (let j = 0; j < xt.length; j++) xt[j] = params[j] + t * dir[j];
      this.trialF = obj.fusedPass(xt, trialZ, trialG);
      this.trialT = t;
      this.hasTrial = true;
      slope[0] = dot(trialG, dir);
      return this.trialF;
    }
    const u = this.direction();
    const { n, y, z: z0 } = obj;
    const C = obj.numClasses;
    const zt = obj.buf.trialZ; // reused: from here on the first trial cannot be the accepted one any more
    const p = obj.buf.p;
    let loss = 0;
    let du = 0;
    for (let i = 0; i < n; i++) {
      const o = i * C;
      for (let c = 0; c < C; c++) zt[o + c] = z0[o + c] + t * u[o + c];
      loss += softmaxRow(zt, o, y, o, C, p);
      let sumY = 0;
      for (let c = 0; c < C; c++) sumY += y[o + c];
      for (let c = 0; c < C; c++) du += (p[c] * sumY - y[o + c]) * u[o + c];
    }
    this.trialT = NaN;
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
    const C = obj.numClasses;
    const { params, dir, wOff } = this;
    const p = obj.buf.p;
    gv.fill(0);
    for (let c = 0; c < C; c++) g[wOff + c] = 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const o = i * C;
      for (let c = 0; c < C; c++) z[o + c] += t * u[o + c];
      loss += softmaxRow(z, o, y, o, C, p);
      let sumY = 0;
      for (let c = 0; c < C; c++) sumY += y[o + c];
      for (let c = 0; c < C; c++) {
        const r = (p[c] * sumY - y[o + c]) / n;
        g[wOff + c] += r;
        if (r !== 0) engine.axpy(i, r, gv, c * d);
      }
    }
    for (let j = 0; j < wOff; j++) g[j] = gv[j] + 2 * l2 * (params[j] + t * dir[j]);
    if (!obj.fitBias) for (let c = 0; c < C; c++) g[wOff + c] = 0;
    return loss / n + this.regAt(t);
  }

  /** U = X D^T + d_b (n x C), computed on the first trial that needs it. */
  private direction(): Float64Array {
    const obj = this.obj;
    const u = obj.buf.u;
    if (!this.hasU) {
      const { n, d, engine, dv } = obj;
      const C = obj.numClasses;
      for (let j = 0; j < this.wOff; j++) dv[j] = this.dir[j];
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < C; c++) u[i * C + c] = engine.dot(i, dv, c * d) + this.dir[this.wOff + c];
      }
      this.hasU = true;
    }
    return u;
  }
}
