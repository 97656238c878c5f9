/**
 * Linear probes on activations (METHOD.md section 1): the binary logistic probe for two classes (fitted on the
 * class-1 column of the targets) and softmax regression for more, both with the penalty l2 ||W||^2 (no 1/2, bias
 * not penalised), weights starting at zero, minimised by L-BFGS with a strong-Wolfe line search until
 * ||grad||_inf <= gradTol. Activations stay Float32 and are never standardised (the method does not rescale).
 */
import { InputError } from '../errors';
import { dotRowAt } from '../linalg/gemv';
import type { Matrix } from '../linalg/matrix';
import { engineFor, type RowEngine } from '../linalg/rowEngine';
import {
  minimizeLbfgs, minimizeLbfgsAsync, type DifferentiableObjective, type LbfgsResult, type LbfgsStop,
} from './lbfgs';
import { LogisticObjective, sigmoid } from './logistic';
import { DEFAULT_POLISH_TOL, newtonPolish, newtonPolishAsync, type PolishResult } from './newton';
import { SoftmaxObjective } from './softmax';
import { softmaxInPlace } from './metrics';

export const DEFAULT_L2 = 1e-3;
export const DEFAULT_MAX_ITER = 1000;
export const DEFAULT_GRAD_TOL = 1e-6;

export interface ProbeOptions {
  /** Penalty on ||W||^2 (METHOD.md: 1e-3). scikit-learn's C corresponds to l2 = 1 / (2 C n). */
  l2?: number;
  /** L-BFGS iterations, default 1000. */
  maxIter?: number;
  /** Stop when ||grad||_inf <= gradTol, default 1e-6. */
  gradTol?: number;
  /** L-BFGS history size, default 10. */
  history?: number;
  /** Fit the intercept (default true; the reference probe has one). false = scikit-learn's fit_intercept=False. */
  fitBias?: boolean;
  /** Checked once per L-BFGS iteration; throws CancelledError from core/encoder. */
  signal?: AbortSignal;
  /**
   * Warm start from another probe of the same shape (the objective is convex, so the optimum is the same;
   * only the iteration count changes). The mixing experiment starts each subset fit from the all-data W2S probe.
   */
  init?: Probe;
  /**
   * After L-BFGS, Newton-CG steps to the optimum (newton.ts) until ||grad||_inf <= this (true: 1e-12); L-BFGS then
   * stops at min(gradTol, 1e-8), where one Newton step usually suffices (fewer passes over X in all than stopping
   * L-BFGS at 1e-6 and taking two; docs/benchmarks.md "polish"). The weak probe uses it: its confidences decide
   * the partition, and the 1e-6 stop leaves them up to ~1e-3 off.
   */
  polish?: boolean | number;
  /** With `polish`: the L-BFGS stop before it, default 1e-8 (POLISH_HANDOFF_TOL). */
  polishFrom?: number;
  /** false: never the diagonal preconditioner (`diagonalPreconditioner`); default: when the columns call for it. */
  precondition?: boolean;
  /**
   * Row engine of this fit's X, shared with other fits of the same matrix (rowEngine.ts `engineFor`; ignored when
   * made for another matrix). It must have room for 3 x (classes > 2 ? classes : 1) x dim more Float64 values.
   */
  engine?: RowEngine;
}

/** How the fit ended. `converged` is ||grad||_inf <= gradTol at the returned weights. */
export interface ProbeFit {
  iterations: number;
  evaluations: number;
  converged: boolean;
  gradNorm: number;
  loss: number;
  stop: LbfgsStop;
  /** The Newton polish, when asked for: gradient inf-norm before it, steps and Hessian-vector products (passes). */
  polish?: { startGradNorm: number; newtonSteps: number; hessianProducts: number; gradientPasses: number };
}

export interface Probe {
  /** 'logistic' for two classes (one weight vector: the class-1 logit), 'softmax' for more. */
  kind: 'logistic' | 'softmax';
  numClasses: number;
  dim: number;
  /** logistic: dim weights; softmax: C x dim, row-major. */
  weights: Float64Array;
  /** logistic: [b]; softmax: C biases. */
  bias: Float64Array;
  l2: number;
  fit: ProbeFit;
}

/** Logits a probe has per row: 1 for two classes (the logistic probe's class-1 logit), C softmax logits for more. */
export function logitsPerRow(numClasses: number): number {
  return numClasses === 2 ? 1 : numClasses;
}

/** Checks the class count, l2 and soft targets of a fit on `rows` rows. */
export function validateProbeInput(rows: number, targets: Float64Array, C: number, l2: number): void {
  if (!Number.isInteger(C) || C < 2) throw new InputError(`a probe needs at least 2 classes, got ${C}`);
  if (rows === 0) throw new InputError('cannot fit a probe on 0 rows');
  if (targets.length !== rows * C) {
    throw new InputError(`probe targets have ${targets.length} values, expected ${rows} rows x ${C} classes`);
  }
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new InputError(`l2 must be a finite number >= 0, got ${l2}`);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let c = 0; c < C; c++) {
      const v = targets[i * C + c];
      if (!(v >= -1e-9 && v <= 1 + 1e-9)) {
        throw new InputError(`probe target ${v} at row ${i}, class ${c} is not a probability in [0, 1]`);
      }
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-6) throw new InputError(`probe targets of row ${i} sum to ${sum}, not 1`);
  }
}

function setup(x: Matrix, targets: Float64Array, C: number, opts: ProbeOptions): { obj: LogisticObjective | SoftmaxObjective; l2: number } {
  const l2 = opts.l2 ?? DEFAULT_L2;
  validateProbeInput(x.rows, targets, C, l2);
  if (C === 2) {
    const y = new Float64Array(x.rows);
    for (let i = 0; i < x.rows; i++) y[i] = targets[2 * i + 1];
    return { obj: new LogisticObjective(x, y, l2, engineFor(x, opts.engine, 3 * x.cols, 3), opts.fitBias ?? true), l2 };
  }
  return { obj: new SoftmaxObjective(x, targets, C, l2, engineFor(x, opts.engine, 3 * C * x.cols, 3), opts.fitBias ?? true), l2 };
}

/** The polish's tolerance when `opts.polish` asks for one, else null (no polish, or nothing finite to polish). */
export function polishTol(res: LbfgsResult, opts: ProbeOptions): number | null {
  if (!opts.polish || !Number.isFinite(res.f) || !Number.isFinite(res.gradNorm)) return null;
  return typeof opts.polish === 'number' ? opts.polish : DEFAULT_POLISH_TOL;
}

/** The L-BFGS result with the polish's weights when they are at least as good (the fit record says how far it went). */
export function withPolish(res: LbfgsResult, p: PolishResult, opts: ProbeOptions): { res: LbfgsResult; polish: ProbeFit['polish'] } {
  const better = p.gradNorm <= res.gradNorm;
  return {
    res: better ? { ...res, x: p.x, f: p.f, gradNorm: p.gradNorm, converged: res.converged || p.gradNorm <= (opts.gradTol ?? DEFAULT_GRAD_TOL) } : res,
    polish: { startGradNorm: p.startGradNorm, newtonSteps: p.newtonSteps, hessianProducts: p.hessianProducts, gradientPasses: p.gradientPasses },
  };
}

/** The L-BFGS result polished by Newton-CG when `opts.polish` asks for it. */
export function polished(obj: LogisticObjective | SoftmaxObjective, res: LbfgsResult, opts: ProbeOptions): { res: LbfgsResult; polish?: ProbeFit['polish'] } {
  const tol = polishTol(res, opts);
  return tol === null ? { res } : withPolish(res, newtonPolish(obj, res.x, tol), opts);
}

/** `polished` that gives the event loop a turn every 50 ms and stops with CancelledError on an aborted signal. */
async function polishedAsync(
  obj: LogisticObjective | SoftmaxObjective, res: LbfgsResult, opts: ProbeOptions,
): Promise<{ res: LbfgsResult; polish?: ProbeFit['polish'] }> {
  const tol = polishTol(res, opts);
  return tol === null ? { res } : withPolish(res, await newtonPolishAsync(obj, res.x, tol, opts.signal), opts);
}

export function toProbe(x: Matrix, C: number, l2: number, res: LbfgsResult, polish?: ProbeFit['polish']): Probe {
  if (!Number.isFinite(res.f) || !Number.isFinite(res.gradNorm)) {
    throw new InputError('the probe objective is not finite: the activations contain NaN or Inf values');
  }
  const d = x.cols;
  const k = logitsPerRow(C);
  return {
    kind: C === 2 ? 'logistic' : 'softmax',
    numClasses: C,
    dim: d,
    weights: res.x.slice(0, k * d),
    bias: res.x.slice(k * d, k * d + k),
    l2,
    fit: {
      iterations: res.iterations, evaluations: res.evaluations, converged: res.converged,
      gradNorm: res.gradNorm, loss: res.f, stop: res.stop, ...(polish ? { polish } : {}),
    },
  };
}

export function startPoint(obj: DifferentiableObjective, x: Matrix, C: number, opts: ProbeOptions): Float64Array {
  const x0 = new Float64Array(obj.dim);
  const init = opts.init;
  if (!init) return x0;
  const k = logitsPerRow(C);
  if (init.dim !== x.cols || init.numClasses !== C) {
    throw new InputError(`warm start probe has ${init.dim} dims x ${init.numClasses} classes, expected ${x.cols} x ${C}`);
  }
  x0.set(init.weights.subarray(0, k * x.cols));
  if (obj.dim >= k * x.cols + k) x0.set(init.bias.subarray(0, k), k * x.cols);
  return x0;
}

/**
 * Spread of the columns' mean squares (largest over median) beyond which a probe's L-BFGS takes a diagonal initial
 * inverse Hessian (`diagonalPreconditioner`). LLM hidden states have a few dimensions tens to hundreds of times
 * larger than the rest; the raw-feature objective is then steep along them, and plain L-BFGS spends its 1,000
 * iterations far from the stop (bench/outliers: at 4 of 1,024 dimensions 30x the rest, mean squares ~9,000x the
 * median, a gradient of 2e-5 instead of 1e-6). Below it (bench/core, SST-2's encoders) the runs are unchanged.
 */
export const PRECONDITION_SPREAD = 1000;
/** Rows the columns' mean squares are estimated from (evenly spaced; all of them when fewer). */
const PRECONDITION_ROWS = 1024;

/**
 * The diagonal for `LbfgsOptions.diagonal` of a probe on x's rows (`width` logits per row, each with d weights and
 * a bias), or undefined when the columns' mean squares spread by at most PRECONDITION_SPREAD: each weight of column
 * j gets min(1, median / m_j) and each bias min(1, median / 1) (a bias is a column of ones), so that the large
 * columns take steps their curvature allows and the rest keep the plain run's.
 */
export function diagonalPreconditioner(x: Matrix, width: number, opts: ProbeOptions = {}): Float64Array | undefined {
  const { rows, cols, data } = x;
  if (opts.precondition === false || rows === 0 || cols < 2) return undefined;
  const step = Math.max(1, Math.floor(rows / PRECONDITION_ROWS));
  const m2 = new Float64Array(cols);
  let count = 0;
  for (let i = 0; i < rows; i += step, count++) {
    for (let j = 0, o = i * cols; j < cols; j++, o++) m2[j] += data[o] * data[o];
  }
  for (let j = 0; j < cols; j++) m2[j] /= count;
  const sorted = Float64Array.from(m2).sort();
  const median = sorted[Math.floor((cols - 1) / 2)];
  if (!(median > 0) || !(sorted[cols - 1] > PRECONDITION_SPREAD * median)) return undefined;
  const diagonal = new Float64Array(width * (cols + 1));
  for (let c = 0; c < width; c++) {
    for (let j = 0; j < cols; j++) diagonal[c * cols + j] = Math.min(1, median / m2[j]);
    diagonal[width * cols + c] = opts.fitBias === false ? 1 : Math.min(1, median);
  }
  return diagonal;
}

/** Where L-BFGS hands over to the Newton polish (see ProbeOptions.polish). */
export const POLISH_HANDOFF_TOL = 1e-8;

/** L-BFGS's options for a probe; with x (the rows it is fitted on, or a superset) and C, its diagonal, if any. */
export function lbfgsOptions(opts: ProbeOptions, x?: Matrix, C?: number) {
  const gradTol = opts.gradTol ?? DEFAULT_GRAD_TOL;
  return {
    maxIter: opts.maxIter ?? DEFAULT_MAX_ITER,
    gradTol: opts.polish ? Math.min(gradTol, opts.polishFrom ?? POLISH_HANDOFF_TOL) : gradTol,
    history: opts.history,
    signal: opts.signal,
    diagonal: x && C ? diagonalPreconditioner(x, logitsPerRow(C), opts) : undefined,
  };
}

/**
 * Fits a probe on rows of X to soft targets (n x C, rows summing to 1; one-hot for hard labels).
 * Two classes: logistic regression on the class-1 column; more: softmax regression.
 */
export function fitProbe(x: Matrix, targets: Float64Array, numClasses: number, opts: ProbeOptions = {}): Probe {
  const { obj, l2 } = setup(x, targets, numClasses, opts);
  const p = polished(obj, minimizeLbfgs(obj, startPoint(obj, x, numClasses, opts), lbfgsOptions(opts, x, numClasses)), opts);
  return toProbe(x, numClasses, l2, p.res, p.polish);
}

/** `fitProbe` that gives the event loop a turn every few iterations, so a cancellation can arrive mid-fit. */
export async function fitProbeAsync(
  x: Matrix, targets: Float64Array, numClasses: number, opts: ProbeOptions = {},
): Promise<Probe> {
  const { obj, l2 } = setup(x, targets, numClasses, opts);
  const res = await minimizeLbfgsAsync(obj, startPoint(obj, x, numClasses, opts), lbfgsOptions(opts, x, numClasses));
  const p = await polishedAsync(obj, res, opts);
  return toProbe(x, numClasses, l2, p.res, p.polish);
}

/** Class probabilities (n x C, row-major). Two classes: [1 - p, p] with p = sigmoid(w.x + b). */
export function predictProbabilities(probe: Probe, x: Matrix): Float64Array {
  if (x.cols !== probe.dim) {
    throw new InputError(`the probe was fitted on ${probe.dim}-dimensional activations, these have ${x.cols}`);
  }
  const { rows: n, cols: d, data } = x;
  // dotRowAt at offset 0 is dotRow's arithmetic: the same probabilities, bit for bit, as before
  return probabilitiesFrom(probe, n, (i, w, wOff) => dotRowAt(data, i * d, w, wOff, d), probe.weights);
}

/**
 * predictProbabilities on the rows `rows` of x, without copying them out first: the same arithmetic as
 * predictProbabilities(probe, selectRows(x, rows)), bit for bit.
 */
export function predictProbabilitiesRows(probe: Probe, x: Matrix, rows: Int32Array): Float64Array {
  if (x.cols !== probe.dim) {
    throw new InputError(`the probe was fitted on ${probe.dim}-dimensional activations, these have ${x.cols}`);
  }
  const { rows: n, cols: d, data } = x;
  for (const r of rows) if (!(r >= 0 && r < n)) throw new Error(`predictProbabilitiesRows: row ${r} of a ${n}-row matrix`);
  return probabilitiesFrom(probe, rows.length, (i, w, wOff) => dotRowAt(data, rows[i] * d, w, wOff, d), probe.weights);
}

/** The weight slot each engine's predictions reuse (an engine's vectors cannot be given back). */
const predictionSlots = new WeakMap<RowEngine, Float64Array>();

/**
 * predictProbabilities over the rows of an engine (`engine.source`), with the engine's dot products: WebAssembly
 * SIMD for a Float32 matrix copied into its memory, several times faster than the JavaScript loop (the mixing
 * experiment scores 36 probes on 5,000 test rows of 4,096 values). The weights go into one slot of the engine's
 * memory, taken the first time (room for C x dim values and a vector) and reused; without room, the plain loop.
 * The sums run in the SIMD order, so the probabilities agree with predictProbabilities' to rounding.
 */
export function predictProbabilitiesOn(probe: Probe, engine: RowEngine): Float64Array {
  const x = engine.source;
  if (x.cols !== probe.dim) {
    throw new InputError(`the probe was fitted on ${probe.dim}-dimensional activations, these have ${x.cols}`);
  }
  const len = probe.weights.length;
  let slot = predictionSlots.get(engine);
  if (!slot || slot.length < len) {
    if (!engine.hasRoom(len, 1)) return predictProbabilities(probe, x);
    slot = engine.vector(len);
    predictionSlots.set(engine, slot);
  }
  slot.set(probe.weights);
  return probabilitiesFrom(probe, x.rows, (i, w, wOff) => engine.dot(i, w, wOff), slot);
}

function probabilitiesFrom(
  probe: Probe, n: number, dotAt: (row: number, w: Float64Array, wOff: number) => number, w: Float64Array,
): Float64Array {
  const C = probe.numClasses;
  const d = probe.dim;
  const out = new Float64Array(n * C);
  if (probe.kind === 'logistic') {
    const b = probe.bias[0];
    for (let i = 0; i < n; i++) {
      const p = sigmoid(dotAt(i, w, 0) + b);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const o = i * C;
    for (let c = 0; c < C; c++) out[o + c] = dotAt(i, w, c * d) + probe.bias[c];
    softmaxInPlace(out, o, C);
  }
  return out;
}
