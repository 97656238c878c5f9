/**
 * Multinomial (softmax) regression for C > 2 classes, the natural generalisation of the binary probe
 * (METHOD.md section 1): z_ic = W_c . x_i + b_c, f = mean_i [-sum_c y_ic log softmax(z_i)_c] + l2 ||W||_F^2,
 * soft target rows y_i, biases not penalised. Parameters are packed as [W (C x d, row-major), b (C)].
 * Same pass structure as the logistic objective: one fused pass over X per accepted first trial, O(n C) for the
 * other line-search trials through U = X D^T.
 */
import { axpyRowAt, dot, dotRowAt, gemmNT, gemmTN } from '../linalg/gemv';
import type { Matrix } from '../linalg/matrix';
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
  private readonly n: number;
  private readonly d: number;
  /** z = X W^T + b at the current iterate (n x C). */
  readonly z: Float64Array;
  readonly buf: { xt: Float64Array; trialZ: Float64Array; trialG: Float64Array; u: Float64Array; p: Float64Array };

  constructor(
    private readonly x: Matrix,
    /** n x C soft targets, rows summing to 1. */
    private readonly y: Float64Array,
    readonly numClasses: number,
    private readonly l2: number,
  ) {
    const C = numClasses;
    this.n = x.rows;
    this.d = x.cols;
    this.dim = C * x.cols + C;
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
    const { n, d, y, l2 } = this;
    const C = this.numClasses;
    const data = this.x.data;
    const p = this.buf.p;
    const bOff = C * d;
    const invN = 1 / n;
    g.fill(0);
    let loss = 0;
    for (let i = 0, off = 0; i < n; i++, off += d) {
      const zOff = i * C;
      for (let c = 0; c < C; c++) zOut[zOff + c] = dotRowAt(data, off, params, c * d, d) + params[bOff + c];
      loss += softmaxRow(zOut, zOff, y, zOff, C, p);
      let sumY = 0;
      for (let c = 0; c < C; c++) sumY += y[zOff + c];
      for (let c = 0; c < C; c++) {
        const r = (p[c] * sumY - y[zOff + c]) * invN;
        g[bOff + c] += r;
        if (r !== 0) axpyRowAt(r, data, off, g, c * d, d);
      }
    }
    let ww = 0;
    for (let j = 0; j < bOff; j++) {
      const w = params[j];
      ww += w * w;
      g[j] += 2 * l2 * w;
    }
    return loss * invN + l2 * ww;
  }

  line(params: Float64Array, dir: Float64Array): LineFunction {
    return new SoftmaxLine(this, params, dir, this.x, this.y, this.l2);
  }
}

class SoftmaxLine implements LineFunction {
  private readonly C: number;
  private readonly wOff: number;
  private readonly ww: number;
  private readonly wd: number;
  private readonly dd: number;
  private trialT = NaN;
  private trialF = NaN;
  private hasTrial = false;
  private hasU = false;

  constructor(
    private readonly obj: SoftmaxObjective,
    private readonly params: Float64Array,
    private readonly dir: Float64Array,
    private readonly x: Matrix,
    private readonly y: Float64Array,
    private readonly l2: number,
  ) {
    this.C = obj.numClasses;
    this.wOff = this.C * x.cols;
    this.ww = dot(params, params, this.wOff);
    this.wd = dot(params, dir, this.wOff);
    this.dd = dot(dir, dir, this.wOff);
  }

  private regAt(t: number): number {
    return this.l2 * (this.ww + 2 * t * this.wd + t * t * this.dd);
  }

  phi(t: number, slope: Float64Array): number {
    const { params, dir } = this;
    if (!this.hasTrial) {
      const { xt, trialZ, trialG } = this.obj.buf;
      for (let j = 0; j < xt.length; j++) xt[j] = params[j] + t * dir[j];
      this.trialF = this.obj.fusedPass(xt, trialZ, trialG);
      this.trialT = t;
      this.hasTrial = true;
      slope[0] = dot(trialG, dir);
      return this.trialF;
    }
    const u = this.direction();
    const { C, y } = this;
    const n = this.x.rows;
    const z0 = this.obj.z;
    const zt = this.obj.buf.trialZ; // free once the first trial is evaluated and not the one returned
    const p = this.obj.buf.p;
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
    // the trial buffer now holds this t's logits, not the first trial's
    this.trialT = NaN;
    slope[0] = du / n + 2 * this.l2 * (this.wd + t * this.dd);
    return loss / n + this.regAt(t);
  }

  gradientAt(t: number, g: Float64Array): number {
    const z = this.obj.z;
    if (this.hasTrial && t === this.trialT) {
      z.set(this.obj.buf.trialZ);
      g.set(this.obj.buf.trialG);
      return this.trialF;
    }
    const u = this.direction();
    const { C, y, params, dir, l2, wOff } = this;
    const n = this.x.rows;
    const r = this.obj.buf.trialZ;
    const p = this.obj.buf.p;
    let loss = 0;
    for (let j = wOff; j < wOff + C; j++) g[j] = 0;
    for (let i = 0; i < n; i++) {
      const o = i * C;
      for (let c = 0; c < C; c++) z[o + c] += t * u[o + c];
      loss += softmaxRow(z, o, y, o, C, p);
      let sumY = 0;
      for (let c = 0; c < C; c++) sumY += y[o + c];
      for (let c = 0; c < C; c++) {
        const rc = (p[c] * sumY - y[o + c]) / n;
        r[o + c] = rc;
        g[wOff + c] += rc;
      }
    }
    gemmTN(this.x, r, C, g); // overwrites the C x d weight block only; the bias gradient above stays
    for (let j = 0; j < wOff; j++) g[j] += 2 * l2 * (params[j] + t * dir[j]);
    return loss / n + this.regAt(t);
  }

  /** U = X D^T + d_b (n x C), computed on the first trial that needs it. */
  private direction(): Float64Array {
    const u = this.obj.buf.u;
    if (!this.hasU) {
      gemmNT(this.x, this.dir, this.C, u, this.dir.subarray(this.wOff));
      this.hasU = true;
    }
    return u;
  }
}
