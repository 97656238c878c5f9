/**
 * Multinomial (softmax) regression for C > 2 classes, the natural generalisation of the binary probe
 * (METHOD.md section 1): z_ic = W_c . x_i + b_c, f = mean_i [-sum_c y_ic log softmax(z_i)_c] + l2 ||W||_F^2,
 * soft target rows y_i, biases not penalised. Parameters are packed as [W (C x d, row-major), b (C)].
 * Same pass structure as the logistic objective: one fused pass over X per accepted first trial, O(n C) for the
 * other line-search trials through U = X D^T; batched like it too (pending.ts, batch.ts), C columns of the products
 * per fit.
 */
import { dot } from '../linalg/gemv';
import type { Matrix } from '../linalg/matrix';
import { rowEngine, type RowEngine } from '../linalg/rowEngine';
import type { LineFunction } from './lbfgs';
import { BatchedLine, BatchedObjective } from './pending';

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

export class SoftmaxObjective extends BatchedObjective {
  readonly buf: { xt: Float64Array; trialZ: Float64Array; trialG: Float64Array; u: Float64Array; p: Float64Array };
  /** Running sums of a pass over the rows (beginPass / passRows / endPass), and the pass's biases. */
  private passLoss = 0;
  private readonly passGb: Float64Array;
  private readonly passB: Float64Array;

  constructor(
    x: Matrix,
    /** n x C soft targets, rows summing to 1 (per entry of `rows` when given). */
    readonly y: Float64Array,
    readonly numClasses: number,
    readonly l2: number,
    engine?: RowEngine,
    /** false: no intercepts (they stay 0), like scikit-learn's fit_intercept=False. */
    fitBias = true,
    /** The rows of X (and of the engine, which then must be given) this objective is over; all rows when absent. */
    rows?: Int32Array,
  ) {
    super(x, numClasses, engine ?? rowEngine(x, 3 * numClasses * x.cols, 3), fitBias, rows);
    const C = numClasses;
    const n = this.n;
    this.passGb = new Float64Array(C);
    this.passB = new Float64Array(C);
    this.buf = {
      xt: new Float64Array(this.dim),
      trialZ: new Float64Array(n * C),
      trialG: new Float64Array(this.dim),
      u: new Float64Array(n * C),
      p: new Float64Array(C),
    };
  }

  beginPass(params: Float64Array): void {
    const { wv, gv } = this;
    const bOff = this.numClasses * this.d;
    for (let j = 0; j < bOff; j++) wv[j] = params[j];
    gv.fill(0);
    this.passLoss = 0;
    this.passGb.fill(0);
    this.passB.set(params.subarray(bOff, bOff + this.numClasses));
  }

  passRows(from: number, to: number, zOut: Float64Array): void {
    const { n, d, y, engine, wv, gv, rows, passGb, passB } = this;
    const C = this.numClasses;
    const p = this.buf.p;
    const invN = 1 / n;
    let loss = this.passLoss;
    for (let i = from; i < to; i++) {
      const row = rows ? rows[i] : i;
      const zOff = i * C;
      for (let c = 0; c < C; c++) zOut[zOff + c] = engine.dot(row, wv, c * d) + passB[c];
      loss += softmaxRow(zOut, zOff, y, zOff, C, p);
      let sumY = 0;
      for (let c = 0; c < C; c++) sumY += y[zOff + c];
      for (let c = 0; c < C; c++) {
        const r = (p[c] * sumY - y[zOff + c]) * invN;
        passGb[c] += r;
        if (r !== 0) engine.axpy(row, r, gv, c * d);
      }
    }
    this.passLoss = loss;
  }

  endPass(params: Float64Array, g: Float64Array): number {
    const { l2, gv } = this;
    const C = this.numClasses;
    const bOff = C * this.d;
    let ww = 0;
    for (let j = 0; j < bOff; j++) {
      const w = params[j];
      ww += w * w;
      g[j] = gv[j] + 2 * l2 * w;
    }
    for (let c = 0; c < C; c++) g[bOff + c] = this.fitBias ? this.passGb[c] : 0;
    return this.passLoss / this.n + l2 * ww;
  }

  /** Residuals r_ic = (p_ic sum_c' y_ic' - y_ic) / n of the pending point (see BatchedObjective). */
  pendingResiduals(out: Float32Array | Float64Array, stride: number, col: number): void {
    const { n, y, rows, passGb } = this;
    const C = this.numClasses;
    const z = this.pendingZ();
    const p = this.buf.p;
    const invN = 1 / n;
    let loss = 0;
    passGb.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * C;
      loss += softmaxRow(z, o, y, o, C, p);
      let sumY = 0;
      for (let c = 0; c < C; c++) sumY += y[o + c];
      const at = (rows ? rows[i] : i) * stride + col;
      for (let c = 0; c < C; c++) {
        const r = (p[c] * sumY - y[o + c]) * invN;
        passGb[c] += r;
        out[at + c] = r;
      }
    }
    this.passLoss = loss;
  }

  line(params: Float64Array, dir: Float64Array): LineFunction {
    return new SoftmaxLine(this, params, dir);
  }
}

class SoftmaxLine extends BatchedLine implements LineFunction {
  private readonly wOff: number;
  private readonly ww: number;
  private readonly wd: number;
  private readonly dd: number;
  private trialF = NaN;
  private hasU = false;
  /** Loss sum and bias gradients of the last `step`. */
  private stepLoss = 0;
  private readonly stepGb: Float64Array;

  constructor(private readonly obj: SoftmaxObjective, private readonly params: Float64Array, private readonly dir: Float64Array) {
    super(obj);
    this.wOff = obj.numClasses * obj.d;
    this.ww = dot(params, params, this.wOff);
    this.wd = dot(params, dir, this.wOff);
    this.dd = dot(dir, dir, this.wOff);
    this.stepGb = new Float64Array(obj.numClasses);
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
    if (this.hasTrial && t === this.trialT) {
      obj.z.set(obj.buf.trialZ);
      g.set(obj.buf.trialG);
      return this.trialF;
    }
    const { d, l2, engine, gv, rows } = obj;
    const C = obj.numClasses;
    // the driver's product (batch.ts) leaves z at t and the gradient's X^T R part in gv
    if (!this.takeBatched(t)) {
      gv.fill(0);
      this.step(t, (i, c, r) => {
        if (r !== 0) engine.axpy(rows ? rows[i] : i, r, gv, c * d);
      });
    }
    const { params, dir, wOff } = this;
    for (let j = 0; j < wOff; j++) g[j] = gv[j] + 2 * l2 * (params[j] + t * dir[j]);
    for (let c = 0; c < C; c++) g[wOff + c] = obj.fitBias ? this.stepGb[c] : 0;
    return this.stepLoss / obj.n + this.regAt(t);
  }

  /** z <- z + t u (the accepted step), the loss and the bias gradients kept, each residual to `use`. */
  protected step(t: number, use: (i: number, c: number, r: number) => void): void {
    const u = this.direction();
    const { n, y, z } = this.obj;
    const C = this.obj.numClasses;
    const p = this.obj.buf.p;
    const gb = this.stepGb;
    gb.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const o = i * C;
      for (let c = 0; c < C; c++) z[o + c] += t * u[o + c];
      loss += softmaxRow(z, o, y, o, C, p);
      let sumY = 0;
      for (let c = 0; c < C; c++) sumY += y[o + c];
      for (let c = 0; c < C; c++) {
        const r = (p[c] * sumY - y[o + c]) / n;
        gb[c] += r;
        use(i, c, r);
      }
    }
    this.stepLoss = loss;
  }

  /** U = X D^T + d_b (n x C), computed on the first trial that needs it (or handed over by the batch). */
  private direction(): Float64Array {
    const obj = this.obj;
    const u = obj.buf.u;
    if (!this.hasU && obj.takeU(this.dir, u)) this.hasU = true;
    if (!this.hasU) {
      const { n, d, engine, dv, rows } = obj;
      const C = obj.numClasses;
      for (let j = 0; j < this.wOff; j++) dv[j] = this.dir[j];
      for (let i = 0; i < n; i++) {
        const row = rows ? rows[i] : i;
        for (let c = 0; c < C; c++) u[i * C + c] = engine.dot(row, dv, c * d) + this.dir[this.wOff + c];
      }
      this.hasU = true;
    }
    return u;
  }
}
