/**
 * A label model over labelling functions (LFs): Dawid-Skene EM (Dawid and Skene 1979), the classic estimator of
 * each function's confusion matrix and of the class prior from unlabelled votes alone. The paper's weak side in
 * its WRENCH experiments is a label model (Snorkel's LabelModel); this is a transparent, deterministic one.
 *
 * Model: a row's class y has prior pi; given y, function j answers k with P(k | y = c) = theta[j][c][k], the
 * functions independently. Two ways to treat an abstain (`abstain`):
 * - 'coverage' (default): theta[j][c] is over the C classes plus "abstains", so how often a function fires on
 *   each class is part of its confusion matrix (most WRENCH functions are keyword rules that only ever vote one
 *   class: they are informative only through this). A posterior multiplies the theta of the votes that were cast;
 *   an abstain is not used as evidence, as Snorkel's LabelModel predicts. (Counting every abstain as independent
 *   evidence is the textbook model, but keyword rules abstain together: on SMS, 73 such factors per row drove EM to
 *   "everything is ham", prior 0.999, or to a flipped solution; see docs/models.md.)
 * - 'ignore': the textbook model for crowd workers: theta[j][c] is over the C classes, estimated from the votes
 *   cast. A function that only ever votes one class gets the same row for every class and carries no information.
 * Rows where every function abstains get the uniform distribution (confidence 0), as with majority vote, and take
 * no part in the fit: nothing in them says anything about the functions.
 *
 * EM starts from the majority-vote shares, then alternates M-steps (MAP estimates: `smoothing` Dirichlet
 * pseudo-counts per confusion cell pull a function with few votes towards "uninformative", `priorSmoothing` per
 * class of the prior) and E-steps (posteriors), until no row's posterior moves by `tolerance` or `maxIterations`
 * steps have run. No random draw anywhere: deterministic.
 */
import { ABSTAIN, isUncovered, type Votes } from './aggregate';
import { InputError } from '../errors';

export type AbstainModel = 'coverage' | 'ignore';

export interface DawidSkeneOptions {
  abstain: AbstainModel;
  /** Dirichlet pseudo-count added to every cell of every confusion row. */
  smoothing: number;
  /** Dirichlet pseudo-count added to every class of the prior. */
  priorSmoothing: number;
  /** Stop when no fitted row's posterior changes by this much in one EM step. */
  tolerance: number;
  maxIterations: number;
}

export const DEFAULT_DAWID_SKENE: DawidSkeneOptions = {
  abstain: 'coverage',
  smoothing: 1,
  priorSmoothing: 1,
  tolerance: 1e-6,
  maxIterations: 500,
};

export interface DawidSkeneModel {
  numClasses: number;
  functions: number;
  options: DawidSkeneOptions;
  /** P(y = c) among rows some function votes on. */
  prior: number[];
  /**
   * confusion[j][c][k] = P(function j answers k | y = c) on rows some function votes on; with abstain 'coverage'
   * k = C is "abstains", with 'ignore' the row is over the C classes only.
   */
  confusion: number[][][];
  /** EM steps run. */
  iterations: number;
  converged: boolean;
  /** Rows the model was fitted on (those of the given rows with at least one vote). */
  fitRows: number;
}

/** Non-abstaining votes of each row as (function, class) pairs, CSR-style. */
interface Sparse {
  start: Int32Array;
  fn: Int32Array;
  vote: Int32Array;
}

function sparse(votes: Votes, positions: ArrayLike<number>): Sparse {
  const start = new Int32Array(positions.length + 1);
  const fn: number[] = [];
  const vote: number[] = [];
  for (let k = 0; k < positions.length; k++) {
    const row = votes.rows[positions[k]];
    for (let j = 0; j < row.length; j++) {
      if (row[j] === ABSTAIN) continue;
      fn.push(j);
      vote.push(row[j]);
    }
    start[k + 1] = fn.length;
  }
  return { start, fn: Int32Array.from(fn), vote: Int32Array.from(vote) };
}

/** The number of labelling functions: every row must list one vote per function. */
export function functionCount(votes: Votes): number {
  const m = votes.rows.length > 0 ? votes.rows[0].length : 0;
  votes.rows.forEach((r, i) => {
    if (r.length !== m) {
      throw new InputError(`row ${i + 1} has ${r.length} labelling-function votes but the first row has ${m}; a label model needs one vote (or -1) per function on every row`);
    }
  });
  return m;
}

/** Flat parameters: prior[C], theta[(j * C + c) * K + k]. */
interface Params {
  prior: Float64Array;
  theta: Float64Array;
}

const answers = (C: number, abstain: AbstainModel) => (abstain === 'coverage' ? C + 1 : C);

/**
 * Fits the model on the votes of the rows at `positions` (all rows when omitted) that some function votes on.
 * Unsupervised: it never sees a label.
 */
export function fitDawidSkene(votes: Votes, options: Partial<DawidSkeneOptions> = {}, positions?: ArrayLike<number>): DawidSkeneModel {
  const opts: DawidSkeneOptions = { ...DEFAULT_DAWID_SKENE, ...options };
  if (!(opts.smoothing > 0) || !(opts.priorSmoothing > 0)) throw new InputError('label model smoothing must be > 0');
  const C = votes.numClasses;
  const m = functionCount(votes);
  const fit: number[] = [];
  const given = positions ?? { length: votes.rows.length };
  for (let k = 0; k < given.length; k++) {
    const i = positions ? positions[k] : k;
    if (!isUncovered(votes.rows[i])) fit.push(i);
  }
  const n = fit.length;
  if (n === 0) throw new InputError('no row has a labelling-function vote: the label model has nothing to fit');
  const sp = sparse(votes, fit);
  const K = answers(C, opts.abstain);

  // Start from the majority-vote shares.
  let T: Float64Array = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    const total = sp.start[i + 1] - sp.start[i];
    for (let e = sp.start[i]; e < sp.start[i + 1]; e++) T[i * C + sp.vote[e]] += 1 / total;
  }
  let params = mStep(T, sp, n, C, m, K, opts);
  let iterations = 0;
  let converged = false;
  while (iterations < opts.maxIterations) {
    const next = eStep(params, sp, n, C, K);
    iterations++;
    let change = 0;
    for (let x = 0; x < next.length; x++) change = Math.max(change, Math.abs(next[x] - T[x]));
    T = next;
    params = mStep(T, sp, n, C, m, K, opts);
    if (change < opts.tolerance) {
      converged = true;
      break;
    }
  }
  const confusion: number[][][] = [];
  for (let j = 0; j < m; j++) {
    confusion.push(Array.from({ length: C }, (_, c) => Array.from(params.theta.subarray((j * C + c) * K, (j * C + c + 1) * K))));
  }
  return { numClasses: C, functions: m, options: opts, prior: Array.from(params.prior), confusion, iterations, converged, fitRows: n };
}

/** P(y | votes) for every row of `votes` under a fitted model (n x C); rows without a vote are uniform. */
export function dawidSkenePosteriors(model: DawidSkeneModel, votes: Votes): Float64Array {
  const C = model.numClasses;
  const K = answers(C, model.options.abstain);
  if (votes.numClasses !== C) throw new InputError(`the label model has ${C} classes, the votes ${votes.numClasses}`);
  if (votes.rows.length > 0 && functionCount(votes) !== model.functions) {
    throw new InputError(`the label model was fitted on ${model.functions} labelling functions, these rows have ${votes.rows[0].length}`);
  }
  const theta = new Float64Array(model.functions * C * K);
  model.confusion.forEach((rows, j) => rows.forEach((row, c) => theta.set(row, (j * C + c) * K)));
  const all = Int32Array.from({ length: votes.rows.length }, (_, i) => i);
  const out = eStep({ prior: Float64Array.from(model.prior), theta }, sparse(votes, all), all.length, C, K);
  for (let i = 0; i < all.length; i++) if (isUncovered(votes.rows[i])) out.fill(1 / C, i * C, (i + 1) * C);
  return out;
}

/** Each function's estimated accuracy when it votes: P(vote = y | it votes) under the fitted prior and confusion. */
export function functionAccuracies(model: DawidSkeneModel): number[] {
  const C = model.numClasses;
  return model.confusion.map((rows) => {
    let hit = 0;
    let voted = 0;
    for (let c = 0; c < C; c++) {
      hit += model.prior[c] * rows[c][c];
      voted += model.prior[c] * (model.options.abstain === 'coverage' ? 1 - rows[c][C] : 1);
    }
    return voted > 0 ? hit / voted : NaN;
  });
}

function mStep(T: Float64Array, sp: Sparse, n: number, C: number, m: number, K: number, opts: DawidSkeneOptions): Params {
  const classMass = new Float64Array(C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) classMass[c] += T[i * C + c];
  const prior = new Float64Array(C);
  for (let c = 0; c < C; c++) prior[c] = (classMass[c] + opts.priorSmoothing) / (n + C * opts.priorSmoothing);

  const theta = new Float64Array(m * C * K);
  for (let i = 0; i < n; i++) {
    for (let e = sp.start[i]; e < sp.start[i + 1]; e++) {
      const base = sp.fn[e] * C * K + sp.vote[e];
      for (let c = 0; c < C; c++) theta[base + c * K] += T[i * C + c];
    }
  }
  for (let r = 0; r < m * C; r++) {
    const o = r * K;
    let voted = 0;
    for (let k = 0; k < C; k++) voted += theta[o + k];
    // 'coverage': the class's mass on rows where the function abstained is its last answer.
    if (K > C) theta[o + C] = Math.max(0, classMass[r % C] - voted);
    const total = (K > C ? classMass[r % C] : voted) + K * opts.smoothing;
    for (let k = 0; k < K; k++) theta[o + k] = (theta[o + k] + opts.smoothing) / total;
  }
  return { prior, theta };
}

/** Posteriors of the rows in `sp`: prior times the confusion entries of the votes cast, normalised. */
function eStep(p: Params, sp: Sparse, n: number, C: number, K: number): Float64Array {
  const logPrior = p.prior.map(Math.log);
  const logTheta = p.theta.map(Math.log);
  const out = new Float64Array(n * C);
  const s = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    s.set(logPrior);
    for (let e = sp.start[i]; e < sp.start[i + 1]; e++) {
      const o = sp.fn[e] * C * K + sp.vote[e];
      for (let c = 0; c < C; c++) s[c] += logTheta[o + c * K];
    }
    let top = -Infinity;
    for (let c = 0; c < C; c++) if (s[c] > top) top = s[c];
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(s[c] - top);
    for (let c = 0; c < C; c++) out[i * C + c] = Math.exp(s[c] - top) / z;
  }
  return out;
}
