/**
 * L-BFGS with a strong-Wolfe line search: the solver of the reference probe (PyTorch `torch.optim.LBFGS` with
 * `line_search_fn="strong_wolfe"`, itself after Nocedal & Wright, Numerical Optimization, algorithms 3.5/3.6 and
 * 7.4). The two-loop recursion, the first-step scaling, the bracketing and zoom phases and the cubic interpolation
 * follow `torch/optim/lbfgs.py`; the stopping rules are ours (see `LbfgsOptions`), because the probe must reach
 * ||g||_inf <= gradTol rather than stop on a small change of the loss.
 */
import { CancelledError } from '../encoder';
import { dot, normInf } from '../linalg/gemv';
import { simdWorkspace, type SimdWorkspace } from '../linalg/simd';

/** Relative slack of the sufficient-decrease test: a few roundings of a sum of many loss terms. */
const F_SLACK = 16 * Number.EPSILON;
/** Consecutive accepted steps without a decrease of f after which the run stops (precision reached). */
const MAX_FLAT_STEPS = 10;

/** phi(t) = f(x + t d) along one search direction, with its slope. */
export interface LineFunction {
  /** Returns phi(t) and writes phi'(t) = grad f(x + t d) . d into slope[0]. */
  phi(t: number, slope: Float64Array): number;
  /** Returns f(x + t d) and writes the full gradient there into g. Called once per iteration, at the accepted t. */
  gradientAt(t: number, g: Float64Array): number;
  /**
   * Optional: told the accepted t before `gradientAt`; true when that needs a pass over the data which a batched
   * driver will do (batch.ts, product route): the run then yields once more before calling `gradientAt`.
   */
  prepareGradient?(t: number): boolean;
}

export interface DifferentiableObjective {
  readonly dim: number;
  /** Returns f(x) and writes its gradient into g. */
  evaluate(x: Float64Array, g: Float64Array): number;
  /**
   * Optional fast path for the line search (a linear model caches X d so that trial steps cost O(n), not a pass
   * over X). Called with the current iterate x: the point of the last `evaluate` or of the last accepted
   * `gradientAt`.
   */
  line?(x: Float64Array, d: Float64Array): LineFunction;
  /**
   * Optional: told the first trial point x + t d of the coming line search just before the iteration yields, so a
   * driver that steps several fits together can evaluate all their trial points in one batched pass (batch.ts).
   */
  prepare?(x: Float64Array, d: Float64Array, t: number): void;
}

export interface LbfgsOptions {
  /** Iterations (direction updates), default 1000. */
  maxIter?: number;
  /** Stop when ||g||_inf <= gradTol (PyTorch `tolerance_grad`), default 1e-6. */
  gradTol?: number;
  /** History size m, default 10 (PyTorch `history_size` is 100; 10 is scipy's and the textbook's). */
  history?: number;
  /**
   * PyTorch's `tolerance_change`: stop when |f_k - f_{k-1}| or max|t d| falls below it. Default 0 (off): the probe
   * stops on the gradient, on maxIter, or when a line search can no longer decrease f (precision reached).
   */
  tolChange?: number;
  /** Line-search evaluations per iteration (PyTorch `max_ls`), default 25. */
  maxLineSearch?: number;
  /** Checked once per iteration; an aborted signal throws CancelledError. */
  signal?: AbortSignal;
  /**
   * A diagonal initial inverse Hessian D (one entry per parameter, in (0, 1]): the run is then L-BFGS in the
   * coordinates v = w / sqrt(D), written in the original ones: the first direction is -D g, the memory's scaling
   * gamma D with gamma = s.y / (y D y), the first step min(1, 1 / ||sqrt(D) g||_1). The objective, its stop and its
   * optimum are the same; only the path is. For activations with a few dimensions far larger than the rest
   * (probe.ts `diagonalPreconditioner`, bench/outliers). Absent: the plain run, unchanged.
   */
  diagonal?: Float64Array;
  /**
   * Where the run keeps its vectors (iterate, gradients, direction, history): an `LbfgsArena` (WebAssembly memory,
   * whose SIMD kernel runs the two-loop recursion's passes ~2.4x faster, the same bits); default plain arrays.
   */
  vectors?: LbfgsArena;
}

/** Largest arena memory kept from one batch for the next (`LbfgsArena.giveBack`): 64 MiB. */
const KEEP_BYTES = 64 * 2 ** 20;
/** The arena memory kept for the next batch (one: batches of an analysis run one after the other). */
let keptMemory: SimdWorkspace | null = null;

/**
 * The L-BFGS vectors of one or more runs (a batch's fits: batch.ts) in one WebAssembly memory, where the two-loop
 * recursion's passes run as the SIMD kernel axpyDot64, bitwise the JavaScript loop's result (the same operations in
 * the same order: kernels.wat). At 4,097 values and 10 pairs a direction takes ~62 us instead of ~150 us on the
 * development machine, ~0.25 s of bench/core's ~3,000 directions. Vectors past its capacity are plain arrays (their
 * passes the JavaScript loop's), so a caller may size it for the usual case.
 */
export class LbfgsArena {
  private next: number;
  /** Memory handed out before (`reset`): a vector from it is zeroed first. */
  private used = false;

  private constructor(private readonly ws: SimdWorkspace, private readonly start: number, private readonly end: number) {
    this.next = start;
  }

  /** Room for `count` vectors of `values` values in all; undefined without WebAssembly SIMD (or the memory). */
  static create(values: number, count: number): LbfgsArena | undefined {
    return LbfgsArena.slots(1, values, count)?.[0];
  }

  /**
   * `slots` arenas side by side in one memory, each with room for `count` vectors of `values` values in all (a batch's
   * fits, one each: a fit's slot serves its runs one after the other, `reset` between them, and the next group's fit
   * takes it over, so that a batch touches its memory once however many groups and runs it has). Undefined without
   * WebAssembly SIMD (or the memory).
   */
  static slots(slots: number, values: number, count: number): LbfgsArena[] | undefined {
    const per = LbfgsArena.bytesFor(values, count);
    if (!(slots > 0 && per > 0)) return undefined;
    // the memory a finished batch gave back (`giveBack`) when it is large enough: its pages are touched already
    const kept = keptMemory && keptMemory.f64.byteLength >= slots * per ? keptMemory : null;
    if (kept) keptMemory = null;
    const ws = kept ?? simdWorkspace(slots * per);
    if (!ws) return undefined;
    return Array.from({ length: slots }, (_, k) => {
      const arena = new LbfgsArena(ws, k * per, (k + 1) * per);
      arena.used = kept !== null; // vectors from it are zeroed
      return arena;
    });
  }

  /**
   * Gives the arenas' memory back for the next batch (`slots`), when it is at most KEEP_BYTES: a fresh memory's pages
   * cost ~11 us each on the development machine, ~85 ms for bench/core's mixing batch (30 MB), every analysis. The
   * caller and every run that used them must be done with their vectors (results hold copies).
   */
  static giveBack(arenas: readonly LbfgsArena[] | undefined): void {
    const ws = arenas?.[0]?.ws;
    if (ws && ws.f64.byteLength <= KEEP_BYTES && (!keptMemory || keptMemory.f64.byteLength < ws.f64.byteLength)) keptMemory = ws;
  }

  private static bytesFor(values: number, count: number): number {
    return Math.ceil((values * 8 + count * 16) / 16) * 16;
  }

  /** Takes back every vector handed out (their owner must be done with them): the next ones reuse the room, zeroed. */
  reset(): void {
    this.used ||= this.next > this.start;
    this.next = this.start;
  }

  /** A zeroed vector of n values: in the arena while it has room, else a plain array. */
  vector(n: number): Float64Array {
    const bytes = Math.ceil((n * 8) / 16) * 16;
    if (this.next + bytes > this.end) return new Float64Array(n);
    const v = new Float64Array(this.ws.f64.buffer, this.next, n);
    if (this.used) v.fill(0);
    this.next += bytes;
    return v;
  }

  /** axpyDot: the kernel when every operand lives here, else the JavaScript loop (the same bits either way). */
  axpyDot(d: Float64Array, c: number, x: Float64Array, w: Float64Array | null, scale: number): number {
    const buffer = this.ws.f64.buffer;
    if (d.buffer !== buffer || x.buffer !== buffer || (w !== null && w.buffer !== buffer)) return axpyDot(d, c, x, w, scale);
    const r = this.ws.axpyDot64(d.byteOffset, c, x.byteOffset, (w ?? d).byteOffset, scale, d.length);
    return w ? r : 0;
  }
}

export type LbfgsStop = 'gradient' | 'maxIter' | 'noProgress' | 'tolChange' | 'notDescent';

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  /** ||g||_inf at x. */
  gradNorm: number;
  iterations: number;
  /** Objective evaluations (full or along a line). */
  evaluations: number;
  converged: boolean;
  stop: LbfgsStop;
}

/** Minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to bounds (PyTorch `_cubic_interpolate`). */
export function cubicInterpolate(
  x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, lo?: number, hi?: number,
): number {
  const xmin = lo ?? Math.min(x1, x2);
  const xmax = hi ?? Math.max(x1, x2);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const pos = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    // NaN (0/0 on a degenerate cubic) falls back to bisection like an imaginary root.
    if (pos === pos) return Math.min(Math.max(pos, xmin), xmax);
  }
  return (xmin + xmax) / 2;
}

interface LineSearchResult {
  t: number;
  f: number;
  evaluations: number;
}

/**
 * Strong-Wolfe line search along d from (f, gtd) (PyTorch `_strong_wolfe`, c1 = 1e-4, c2 = 0.9): bracketing, then
 * zoom with cubic interpolation and the 10 % safeguard. Returns the low end of the final bracket.
 */
function strongWolfe(
  line: LineFunction, t: number, f: number, gtd: number, dNorm: number, tolBracket: number, maxLs: number,
  slope: Float64Array,
): LineSearchResult {
  const c1 = 1e-4;
  const c2 = 0.9;
  // Armijo with rounding slack: near the optimum the decrease drops below the rounding of f itself, and the
  // curvature (slope) condition still locates the step (Hager & Zhang's approximate Wolfe idea).
  const fMax = f + F_SLACK * Math.abs(f);
  let fNew = line.phi(t, slope);
  let gtdNew = slope[0];
  let evals = 1;
  let tPrev = 0;
  let fPrev = f;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  // bracket[0..1], with values and slopes
  let b0 = 0, b1 = 0, bf0 = 0, bf1 = 0, bg0 = 0, bg1 = 0;
  let single = false;
  while (lsIter < maxLs) {
    if (fNew > Math.max(f + c1 * t * gtd, fMax) || (lsIter > 1 && fNew >= fPrev) || fNew !== fNew) {
      b0 = tPrev; bf0 = fPrev; bg0 = gtdPrev;
      b1 = t; bf1 = fNew; bg1 = gtdNew;
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      b0 = t; bf0 = fNew; bg0 = gtdNew;
      single = true;
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      b0 = tPrev; bf0 = fPrev; bg0 = gtdPrev;
      b1 = t; bf1 = fNew; bg1 = gtdNew;
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
    tPrev = tmp;
    fPrev = fNew;
    gtdPrev = gtdNew;
    fNew = line.phi(t, slope);
    gtdNew = slope[0];
    evals++;
    lsIter++;
  }
  if (lsIter === maxLs) {
    // PyTorch keeps [0, t] with the last values as the bracket.
    b0 = 0; bf0 = f; bg0 = gtd;
    b1 = t; bf1 = fNew; bg1 = gtdNew;
  }
  if (single) return { t: b0, f: bf0, evaluations: evals };

  let insufProgress = false;
  let low = bf0 <= bf1 ? 0 : 1;
  while (!done && lsIter < maxLs) {
    if (Math.abs(b1 - b0) * dNorm < tolBracket) break;
    t = cubicInterpolate(b0, bf0, bg0, b1, bf1, bg1);
    const bMax = Math.max(b0, b1);
    const bMin = Math.min(b0, b1);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    fNew = line.phi(t, slope);
    gtdNew = slope[0];
    evals++;
    lsIter++;
    const fLow = low === 0 ? bf0 : bf1;
    if (fNew > Math.max(f + c1 * t * gtd, fMax) || fNew >= fLow || fNew !== fNew) {
      // the new point becomes the high end
      if (low === 0) { b1 = t; bf1 = fNew; bg1 = gtdNew; } else { b0 = t; bf0 = fNew; bg0 = gtdNew; }
      low = bf0 <= bf1 ? 0 : 1;
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else {
        const bHigh = low === 0 ? b1 : b0;
        const bLow = low === 0 ? b0 : b1;
        if (gtdNew * (bHigh - bLow) >= 0) {
          // the old low becomes the high end
          if (low === 0) { b1 = b0; bf1 = bf0; bg1 = bg0; } else { b0 = b1; bf0 = bf1; bg0 = bg1; }
        }
      }
      if (low === 0) { b0 = t; bf0 = fNew; bg0 = gtdNew; } else { b1 = t; bf1 = fNew; bg1 = gtdNew; }
    }
  }
  return low === 0 ? { t: b0, f: bf0, evaluations: evals } : { t: b1, f: bf1, evaluations: evals };
}

/** A LineFunction over `evaluate` for objectives without a fast path: every trial is a full evaluation. */
class GenericLine implements LineFunction {
  private readonly xt: Float64Array;
  private readonly gt: Float64Array;
  private lastT = NaN;
  private lastF = NaN;
  constructor(private readonly obj: DifferentiableObjective, private readonly x: Float64Array, private readonly d: Float64Array) {
    this.xt = new Float64Array(obj.dim);
    this.gt = new Float64Array(obj.dim);
  }
  private at(t: number): number {
    const { x, d, xt } = this;
    for (let j = 0; j < xt.length; j++) xt[j] = x[j] + t * d[j];
    this.lastT = t;
    this.lastF = this.obj.evaluate(xt, this.gt);
    return this.lastF;
  }
  phi(t: number, slope: Float64Array): number {
    const f = this.at(t);
    slope[0] = dot(this.gt, this.d);
    return f;
  }
  gradientAt(t: number, g: Float64Array): number {
    const f = t === this.lastT ? this.lastF : this.at(t);
    g.set(this.gt);
    return f;
  }
}

/**
 * d[j] = (d[j] + c x[j]) * scale for every j, returning dot(w, d) afterwards summed as gemv.ts's `dot` does (two
 * alternating partial sums), or 0 without w. x - a y is x + (-a) y and v * 1 is v in IEEE arithmetic, so this is
 * bitwise a separate axpy (and scaling) pass followed by `dot`.
 */
function axpyDot(d: Float64Array, c: number, x: Float64Array, w: Float64Array | null, scale: number): number {
  const n = d.length;
  if (!w) {
    for (let j = 0; j < n; j++) d[j] = (d[j] + c * x[j]) * scale;
    return 0;
  }
  const end2 = n - (n & 1);
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j < end2; j += 2) {
    const v0 = (d[j] + c * x[j]) * scale;
    const v1 = (d[j + 1] + c * x[j + 1]) * scale;
    d[j] = v0;
    d[j + 1] = v1;
    s0 += w[j] * v0;
    s1 += w[j + 1] * v1;
  }
  if (j < n) {
    const v = (d[j] + c * x[j]) * scale;
    d[j] = v;
    s0 += w[j] * v;
  }
  return s0 + s1;
}

/**
 * The memory pair of an iteration: y = g - gPrev, s = t d, and (y . s, y . y). A function of its own, not a loop in
 * the generator below: V8 compiles a small loop over typed arrays better than one whose arrays live in a generator's
 * saved context (~0.1 s of bench/core's mixing).
 */
function historyPair(
  g: Float64Array, gPrev: Float64Array, d: Float64Array, t: number, s: Float64Array, y: Float64Array,
): [number, number] {
  let ys = 0;
  let yy = 0;
  for (let j = 0; j < g.length; j++) {
    const yj = g[j] - gPrev[j];
    const sj = t * d[j];
    y[j] = yj;
    s[j] = sj;
    ys += yj * sj;
    yy += yj * yj;
  }
  return [ys, yy];
}

/** x += t d. */
function stepInPlace(x: Float64Array, t: number, d: Float64Array): void {
  for (let j = 0; j < x.length; j++) x[j] += t * d[j];
}

/**
 * d = -H g by the two-loop recursion over the history pairs (oldest first), with H's initial diagonal hDiag. Every
 * axpy pass also computes the dot product the recursion needs next (and the scaling by hDiag joins the last pass of
 * the first loop), so d is read and written 2 * pairs + 1 times instead of 4 * pairs + 2. The operations and their
 * order are those of separate `dot` and axpy loops, so d is bitwise the same (test/unit/probe/lbfgs.test.ts;
 * bench/twoloop: 1.5-1.7x faster at 4,097 values and 10 pairs).
 */
export function twoLoop(
  g: Float64Array, d: Float64Array, s: readonly Float64Array[], y: readonly Float64Array[], rho: Float64Array, hDiag: number,
  arena?: LbfgsArena, diagonal?: Float64Array,
): void {
  const pass = arena ? (dd: Float64Array, c: number, x: Float64Array, w: Float64Array | null, scale: number) => arena.axpyDot(dd, c, x, w, scale) : axpyDot;
  const n = g.length;
  const L = s.length;
  for (let j = 0; j < n; j++) d[j] = -g[j];
  if (L === 0) {
    for (let j = 0; j < n; j++) d[j] *= hDiag;
    if (diagonal) for (let j = 0; j < n; j++) d[j] *= diagonal[j];
    return;
  }
  const alpha = new Float64Array(L);
  let acc = dot(s[L - 1], d);
  // first loop, newest to oldest: d -= a_k y_k with a_k = rho_k s_k . d; the last pass also scales by hDiag (and,
  // with a diagonal, d is scaled by it before the second loop's first dot product)
  for (let k = L - 1; k >= 0; k--) {
    alpha[k] = acc * rho[k];
    acc = pass(d, -alpha[k], y[k], k > 0 ? s[k - 1] : diagonal ? null : y[0], k > 0 ? 1 : hDiag);
  }
  if (diagonal) {
    for (let j = 0; j < n; j++) d[j] *= diagonal[j];
    acc = dot(y[0], d);
  }
  // second loop, oldest to newest: d += (a_k - rho_k y_k . d) s_k
  for (let k = 0; k < L; k++) {
    acc = pass(d, alpha[k] - acc * rho[k], s[k], k + 1 < L ? y[k + 1] : null, 1);
  }
}

/**
 * One L-BFGS run as a generator that yields once per iteration, before its line search (so an async driver can give
 * the event loop a turn, and a batched driver can evaluate several fits' trial points together); `minimizeLbfgs`
 * drives it synchronously.
 */
export function* lbfgsIterations(
  obj: DifferentiableObjective, x0: Float64Array, opts: LbfgsOptions = {},
): Generator<number, LbfgsResult, void> {
  const maxIter = opts.maxIter ?? 1000;
  const gradTol = opts.gradTol ?? 1e-6;
  const m = Math.max(1, opts.history ?? 10);
  const tolChange = opts.tolChange ?? 0;
  const maxLs = opts.maxLineSearch ?? 25;
  const signal = opts.signal;
  const n = obj.dim;
  if (x0.length !== n) throw new Error(`lbfgs: x0 has ${x0.length} entries, the objective ${n}`);

  const arena = opts.vectors;
  const diagonal = opts.diagonal;
  if (diagonal && diagonal.length !== n) throw new Error(`lbfgs: a diagonal of ${diagonal.length} entries for ${n} parameters`);
  const vec = () => (arena ? arena.vector(n) : new Float64Array(n));
  const x = vec();
  x.set(x0);
  const g = vec();
  const gPrev = vec();
  const d = vec();
  const sHist = Array.from({ length: m }, vec);
  const yHist = Array.from({ length: m }, vec);
  const rho = new Float64Array(m);
  const slope = new Float64Array(1);
  let histStart = 0; // ring buffer: oldest entry
  let histLen = 0;
  let hDiag = 1;

  if (signal?.aborted) throw new CancelledError();
  let f = obj.evaluate(x, g);
  let evaluations = 1;
  let gNorm = normInf(g);
  // (the iterate copied out of an arena: the result must not hold the arena's memory alive, nor change with it)
  const result = (iterations: number, stop: LbfgsStop): LbfgsResult => ({
    x: arena ? x.slice() : x, f, gradNorm: gNorm, iterations, evaluations, converged: gNorm <= gradTol, stop,
  });
  if (!Number.isFinite(f) || gNorm !== gNorm) return result(0, 'noProgress');
  if (gNorm <= gradTol) return result(0, 'gradient');

  let iter = 0;
  let t = 0;
  let restarted = false;
  let flatSteps = 0;
  while (iter < maxIter) {
    if (signal?.aborted) throw new CancelledError();
    iter++;
    if (iter === 1 || restarted) {
      for (let j = 0; j < n; j++) d[j] = diagonal ? -diagonal[j] * g[j] : -g[j];
      if (!restarted) hDiag = 1;
    } else {
      // memory update with s = t d, y = g - gPrev; skip pairs without positive curvature (PyTorch: y.s <= 1e-10,
      // an absolute bound that the 1/n-scaled probe losses undercut near the optimum, so a relative one here)
      const slot = (histStart + histLen) % m;
      let [ys, yy] = historyPair(g, gPrev, d, t, sHist[slot], yHist[slot]);
      if (diagonal) {
        // y D y: the memory's scaling in the preconditioned coordinates
        const yk = yHist[slot];
        yy = 0;
        for (let j = 0; j < n; j++) yy += diagonal[j] * yk[j] * yk[j];
      }
      if (ys > Number.EPSILON * yy) {
        if (histLen === m) histStart = (histStart + 1) % m;
        else histLen++;
        rho[slot] = 1 / ys;
        hDiag = ys / yy;
      }
      // two-loop recursion: d = -H g
      const order = Array.from({ length: histLen }, (_, k) => (histStart + k) % m);
      twoLoop(g, d, order.map((i) => sHist[i]), order.map((i) => yHist[i]), Float64Array.from(order, (i) => rho[i]), hDiag, arena, diagonal);
    }
    restarted = false;
    gPrev.set(g);
    const fPrev = f;

    const gtd = dot(g, d);
    if (!(gtd < 0)) {
      // Not a descent direction (numerical breakdown of the memory): restart from steepest descent once.
      if (histLen > 0) {
        histLen = 0;
        histStart = 0;
        restarted = true;
        iter--;
        continue;
      }
      return result(iter - 1, 'notDescent');
    }
    // PyTorch: first step min(1, 1/||g||_1), afterwards 1 (also after a restart: the memory is gone).
    if (iter === 1 || histLen === 0) {
      let g1 = 0;
      if (diagonal) for (let j = 0; j < n; j++) g1 += Math.sqrt(diagonal[j]) * Math.abs(g[j]);
      else for (let j = 0; j < n; j++) g1 += Math.abs(g[j]);
      t = Math.min(1, 1 / g1);
    } else {
      t = 1;
    }
    const dNorm = normInf(d);
    const xNorm = normInf(x);
    // The iteration's one yield: before the line search, with its first trial point announced (see `prepare`).
    obj.prepare?.(x, d, t);
    yield iter;
    if (signal?.aborted) throw new CancelledError();
    const line: LineFunction = obj.line ? obj.line(x, d) : new GenericLine(obj, x, d);
    const ls = strongWolfe(line, t, f, gtd, dNorm, 1e-15 * (1 + xNorm), maxLs, slope);
    evaluations += ls.evaluations;
    t = ls.t;
    if (!(ls.f <= f + F_SLACK * Math.abs(f)) || t === 0) {
      // No acceptable step along a descent direction: f is flat to working precision here.
      return result(iter - 1, 'noProgress');
    }
    // Equal values are accepted (near the optimum f stops resolving the decrease while the slope still does),
    // but not forever.
    flatSteps = ls.f >= f ? flatSteps + 1 : 0;
    if (line.prepareGradient?.(t)) yield iter;
    if (signal?.aborted) throw new CancelledError();
    f = line.gradientAt(t, g);
    stepInPlace(x, t, d);
    gNorm = normInf(g);
    if (gNorm <= gradTol) return result(iter, 'gradient');
    if (!Number.isFinite(f) || flatSteps >= MAX_FLAT_STEPS) return result(iter, 'noProgress');
    if (tolChange > 0 && (Math.abs(f - fPrev) < tolChange || Math.abs(t) * dNorm <= tolChange)) {
      return result(iter, 'tolChange');
    }
  }
  return result(iter, 'maxIter');
}

/** Minimises `obj` from x0 (x0 is not modified). */
export function minimizeLbfgs(obj: DifferentiableObjective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const it = lbfgsIterations(obj, x0, opts);
  for (;;) {
    const step = it.next();
    if (step.done) return step.value;
  }
}

/**
 * Like `minimizeLbfgs`, but gives the event loop a turn whenever `yieldMs` milliseconds have passed since the last
 * one (default 50), so that an AbortSignal fired by another task (a cancel button, a worker message) is seen
 * promptly however large one iteration is. `yieldEvery` additionally yields every that many iterations.
 */
export async function minimizeLbfgsAsync(
  obj: DifferentiableObjective, x0: Float64Array, opts: LbfgsOptions & { yieldEvery?: number; yieldMs?: number } = {},
): Promise<LbfgsResult> {
  const every = opts.yieldEvery === undefined ? Infinity : Math.max(1, opts.yieldEvery);
  const budget = opts.yieldMs ?? 50;
  const it = lbfgsIterations(obj, x0, opts);
  // The first iteration yields too, so every fit gives a pending cancel one turn even when it is quick.
  let last = -Infinity;
  for (let k = 1; ; k++) {
    const step = it.next();
    if (step.done) return step.value;
    if (k % every === 0 || performance.now() - last >= budget) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
  }
}
