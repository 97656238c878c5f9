/**
 * Newton polish of a fitted probe (issue 14, item 5): after L-BFGS stops at ||g||_inf <= 1e-6, a few truncated
 * Newton steps (Newton-CG, Hessian-vector products, no Hessian matrix) take the weights to the optimum of the same
 * convex objective to within ~1e-12 in the gradient. The L-BFGS stop leaves weak confidences up to ~1e-3 from the
 * optimum at paper widths (d = 1,024), enough to move rows across the stage-1 threshold; the polish makes the
 * partition the optimum's, whichever solver got near it first.
 *
 * One Hessian-vector product costs one pass over X (a dot and an axpy per row, like a gradient), so a Newton step
 * costs as many passes as its CG iterations. Binary: H = X^T S X / n + 2 l2 I (bias row/column unpenalised),
 * S = diag(p (1 - p)). Softmax: per row the logits' Hessian sumY (diag p - p p^T).
 */
import { dot, normInf } from '../linalg/gemv';
import { runSteps, runStepsYielding } from '../linalg/steps';
import type { LogisticObjective } from './logistic';
import type { SoftmaxObjective } from './softmax';
import { softmaxInPlace } from './metrics';

/** Gradient inf-norm the polish aims at (absolute; the gradient's own rounding is ~1e-15 at these sizes). */
export const DEFAULT_POLISH_TOL = 1e-12;
/** Newton steps at most. */
const MAX_NEWTON = 6;
/** CG iterations per Newton step at most. */
const MAX_CG = 500;

export interface PolishResult {
  x: Float64Array;
  f: number;
  gradNorm: number;
  /** Gradient inf-norm at the starting point. */
  startGradNorm: number;
  newtonSteps: number;
  /** Hessian-vector products (each one pass over X), summed over the steps. */
  hessianProducts: number;
  /** Gradient evaluations (each one pass over X). */
  gradientPasses: number;
  converged: boolean;
}

type PolishObjective = LogisticObjective | SoftmaxObjective;

function isSoftmax(obj: PolishObjective): obj is SoftmaxObjective {
  return 'numClasses' in obj;
}

/**
 * Hessian-vector product at the point of the objective's last `evaluate` (its z): out = H v.
 * `prob` holds the per-row curvature data computed from z by `curvature`.
 */
function hessianVector(obj: PolishObjective, prob: Float64Array, v: Float64Array, out: Float64Array): void {
  const { n, d, l2, engine, dv, gv } = obj;
  const invN = 1 / n;
  if (!isSoftmax(obj)) {
    const rows = obj.rows;
    for (let j = 0; j < d; j++) dv[j] = v[j];
    const vb = obj.fitBias ? v[d] : 0;
    gv.fill(0);
    let hb = 0;
    for (let i = 0; i < n; i++) {
      const row = rows ? rows[i] : i;
      const s = prob[i];
      if (s === 0) continue;
      const r = s * (engine.dot(row, dv, 0) + vb) * invN;
      hb += r;
      if (r !== 0) engine.axpy(row, r, gv, 0);
    }
    for (let j = 0; j < d; j++) out[j] = gv[j] + 2 * l2 * v[j];
    out[d] = obj.fitBias ? hb : 0;
    return;
  }
  const C = obj.numClasses;
  const bOff = C * d;
  const rows = obj.rows;
  for (let j = 0; j < bOff; j++) dv[j] = v[j];
  gv.fill(0);
  const u = new Float64Array(C);
  const r = new Float64Array(C);
  const hb = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    const row = rows ? rows[i] : i;
    for (let c = 0; c < C; c++) u[c] = engine.dot(row, dv, c * d) + (obj.fitBias ? v[bOff + c] : 0);
    softmaxRowCurvature(prob, i, C, u, invN, r);
    for (let c = 0; c < C; c++) {
      hb[c] += r[c];
      if (r[c] !== 0) engine.axpy(row, r[c], gv, c * d);
    }
  }
  for (let j = 0; j < bOff; j++) out[j] = gv[j] + 2 * l2 * v[j];
  for (let c = 0; c < C; c++) out[bOff + c] = obj.fitBias ? hb[c] : 0;
}

/**
 * A softmax row's Hessian block applied to u, its logits' change (C values, biases included), over n: r_c = sumY p_c
 * (u_c - p.u) / n, with `prob` as `curvature` leaves it. hessianVector's per-row arithmetic, shared with the
 * products' route (batch.ts hessianOnKernel).
 */
export function softmaxRowCurvature(prob: Float64Array, i: number, C: number, u: Float64Array, invN: number, r: Float64Array): void {
  const pOff = i * (C + 1);
  const sumY = prob[pOff + C];
  let pu = 0;
  for (let c = 0; c < C; c++) pu += prob[pOff + c] * u[c];
  for (let c = 0; c < C; c++) r[c] = sumY * prob[pOff + c] * (u[c] - pu) * invN;
}

/** Per-row curvature at the objective's z: logistic p (1 - p); softmax the C probabilities and sumY per row. */
function curvature(obj: PolishObjective, prob: Float64Array): void {
  const z = obj.z;
  if (!isSoftmax(obj)) {
    for (let i = 0; i < obj.n; i++) {
      const zi = z[i];
      const e = Math.exp(-Math.abs(zi));
      const p = 1 / (1 + e);
      prob[i] = p * (e / (1 + e));
    }
    return;
  }
  const C = obj.numClasses;
  for (let i = 0; i < obj.n; i++) {
    const zOff = i * C;
    const pOff = i * (C + 1);
    for (let c = 0; c < C; c++) prob[pOff + c] = z[zOff + c];
    softmaxInPlace(prob, pOff, C);
    let sumY = 0;
    for (let c = 0; c < C; c++) sumY += obj.y[zOff + c];
    prob[pOff + C] = sumY;
  }
}

/**
 * One pass over X the polish asks for: a Hessian-vector product at the objective's current z (`out` = H `v`, with
 * the per-row curvature `prob` from `curvature`), or a full evaluation at `at` (gradient into `g`; the answer is f,
 * and the objective's z is left at `at`). Served by passes over the rows (`onRows`) or by dense products (batch.ts,
 * `polishOnKernel`).
 */
export type PolishPass =
  | { kind: 'hessian'; prob: Float64Array; v: Float64Array; out: Float64Array }
  | { kind: 'evaluate'; at: Float64Array; g: Float64Array };

/**
 * Truncated Newton from x0 until ||g||_inf <= tol (or no step lowers it any more). Each step solves H s = -g by
 * conjugate gradients to a relative residual of min(1e-2, ||g||_2) (superlinear convergence), then takes the full
 * step when it lowers the gradient norm, else halves it (up to 8 times) and stops when nothing helps: near the
 * optimum f itself is flat to rounding, so the gradient is the only reliable measure of progress.
 */
export function newtonPolish(obj: PolishObjective, x0: Float64Array, tol = DEFAULT_POLISH_TOL): PolishResult {
  return runSteps(onRows(obj, polishPasses(obj, x0, tol)));
}

/**
 * `newtonPolish` that gives the event loop a turn every 50 ms (between passes over X), so that a cancellation can
 * arrive mid-polish; an aborted signal throws CancelledError.
 */
export async function newtonPolishAsync(
  obj: PolishObjective, x0: Float64Array, tol = DEFAULT_POLISH_TOL, signal?: AbortSignal,
): Promise<PolishResult> {
  return runStepsYielding(onRows(obj, polishPasses(obj, x0, tol)), { signal, sliceMs: 50 });
}

/** The polish's passes served by passes over the objective's rows: yields after each. */
function* onRows(obj: PolishObjective, passes: Generator<PolishPass, PolishResult, number>): Generator<void, PolishResult, void> {
  let answer = 0;
  for (;;) {
    const r = passes.next(answer);
    if (r.done) return r.value;
    const pass = r.value;
    if (pass.kind === 'hessian') {
      hessianVector(obj, pass.prob, pass.v, pass.out);
      answer = 0;
    } else {
      answer = obj.evaluate(pass.at, pass.g);
    }
    yield;
  }
}

/**
 * The polish as a generator of the passes over X it needs (`PolishPass`; an evaluation's answer, f, comes back by
 * `next`), so that the same steps run on the rows or on dense products.
 */
export function* polishPasses(obj: PolishObjective, x0: Float64Array, tol: number): Generator<PolishPass, PolishResult, number> {
  const dim = obj.dim;
  const x = Float64Array.from(x0);
  const g = new Float64Array(dim);
  const prob = new Float64Array(isSoftmax(obj) ? obj.n * (obj.numClasses + 1) : obj.n);
  const s = new Float64Array(dim);
  const r = new Float64Array(dim);
  const p = new Float64Array(dim);
  const hp = new Float64Array(dim);
  const xt = new Float64Array(dim);
  const gt = new Float64Array(dim);
  let f = yield { kind: 'evaluate', at: x, g };
  let passes = 1;
  let gn = normInf(g);
  const startGradNorm = gn;
  let steps = 0;
  let products = 0;
  while (gn > tol && steps < MAX_NEWTON) {
    curvature(obj, prob);
    // CG on H s = -g from s = 0.
    s.fill(0);
    for (let j = 0; j < dim; j++) {
      r[j] = -g[j];
      p[j] = r[j];
    }
    let rr = dot(r, r);
    const g2 = Math.sqrt(rr);
    const target = Math.min(1e-2, g2) * g2;
    for (let k = 0; k < MAX_CG && Math.sqrt(rr) > target; k++) {
      yield { kind: 'hessian', prob, v: p, out: hp };
      products++;
      const php = dot(p, hp);
      if (!(php > 0)) break;
      const alpha = rr / php;
      for (let j = 0; j < dim; j++) {
        s[j] += alpha * p[j];
        r[j] -= alpha * hp[j];
      }
      const rrNew = dot(r, r);
      const beta = rrNew / rr;
      rr = rrNew;
      for (let j = 0; j < dim; j++) p[j] = r[j] + beta * p[j];
    }
    steps++;
    let accepted = false;
    for (let t = 1, tries = 0; tries < 8; t /= 2, tries++) {
      for (let j = 0; j < dim; j++) xt[j] = x[j] + t * s[j];
      const ft = yield { kind: 'evaluate', at: xt, g: gt };
      passes++;
      const gnt = normInf(gt);
      if (Number.isFinite(ft) && gnt < gn) {
        x.set(xt);
        g.set(gt);
        f = ft;
        gn = gnt;
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      yield { kind: 'evaluate', at: x, g }; // leave the objective's z at x
      passes++;
      break;
    }
  }
  return {
    x, f, gradNorm: gn, startGradNorm, newtonSteps: steps, hessianProducts: products, gradientPasses: passes, converged: gn <= tol,
  };
}
