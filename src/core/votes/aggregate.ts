/**
 * Labelling-function votes -> a weak side (METHOD.md section 8): the votes of each row (dense class ids
 * 0..C-1, -1 = abstain), their majority vote, and the rule that turns probabilities into hard labels.
 *
 * Ties are broken at random, seeded, as the paper's weak-supervision code does (Snorkel's
 * `probs_to_preds(tie_break_policy="random")`: classes within 1e-5 of the row's top probability are tied, and
 * one of them is drawn). Snorkel draws by a hash of the row index; here the draw is a hash of (seed, row
 * position), so a row's pick does not depend on the other rows and changes with the analysis seed.
 * Never "lowest class id".
 */
import { InputError } from '../errors';

export const ABSTAIN = -1;

/** Classes whose probability is within this of the row's top probability are tied (Snorkel's default). */
export const TIE_TOLERANCE = 1e-5;

/** Per-row outcome of turning probabilities into a hard label. */
export const CLEAR = 0;
/** Several classes shared the top probability: one was drawn at random (seeded). */
export const TIED = 1;
/** Every labelling function abstained on the row. */
export const UNCOVERED = 2;

/** The votes of n rows, checked: `votes[i]` lists row i's votes (one per labelling function). */
export interface Votes {
  readonly rows: ReadonlyArray<readonly number[]>;
  readonly numClasses: number;
}

/** A weak side made from votes: probabilities, hard labels and, per row, CLEAR / TIED / UNCOVERED. */
export interface VoteAggregate {
  /** n x C, rows sum to 1. */
  probs: Float64Array;
  /** Hard labels: the top class, ties broken at random (seeded). */
  labels: Int32Array;
  status: Uint8Array;
}

/**
 * Checks the votes (every row has them; each is -1 or a class id) and returns them. `where` names the file and
 * the 1-based line of each row for the error.
 */
export function checkVotes(
  votes: ReadonlyArray<readonly number[] | undefined>,
  numClasses: number,
  where: { file?: string; lines?: ArrayLike<number> } = {},
): Votes {
  const rows: (readonly number[])[] = new Array(votes.length);
  for (let i = 0; i < votes.length; i++) {
    const v = votes[i];
    const at = { file: where.file, line: where.lines?.[i] };
    if (!v) throw new InputError('row has no labelling-function votes', at);
    for (const x of v) {
      if (x !== ABSTAIN && !(Number.isInteger(x) && x >= 0 && x < numClasses)) {
        throw new InputError(`vote ${x} is not -1 (abstain) or a class id in 0..${numClasses - 1}`, at);
      }
    }
    rows[i] = v;
  }
  return { rows, numClasses };
}

/** True when no labelling function voted on the row. */
export function isUncovered(row: readonly number[]): boolean {
  for (const x of row) if (x !== ABSTAIN) return false;
  return true;
}

/**
 * Majority vote: class c's probability is its share of the row's non-abstaining votes; a row where every function
 * abstains gets the uniform distribution (confidence 0). Hard labels: the top share, ties broken at random (seeded);
 * an uncovered row is a tie over all classes, as Snorkel's majority voter makes it.
 */
export function majorityVote(votes: Votes, seed: number): VoteAggregate {
  const C = votes.numClasses;
  const n = votes.rows.length;
  const probs = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (const x of votes.rows[i]) {
      if (x === ABSTAIN) continue;
      probs[i * C + x] += 1;
      total++;
    }
    for (let c = 0; c < C; c++) probs[i * C + c] = total === 0 ? 1 / C : probs[i * C + c] / total;
  }
  return { probs, ...hardLabels(probs, C, seed, (i) => isUncovered(votes.rows[i])) };
}

/**
 * Probabilities -> hard labels with seeded random tie-breaking, and each row's status (CLEAR, TIED, or UNCOVERED
 * when `uncovered(i)` says so; an uncovered row's label follows the same rule).
 */
export function hardLabels(
  probs: Float64Array,
  C: number,
  seed: number,
  uncovered: (i: number) => boolean = () => false,
): { labels: Int32Array; status: Uint8Array } {
  const n = probs.length / C;
  const labels = new Int32Array(n);
  const status = new Uint8Array(n);
  const tied: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * C;
    let top = -Infinity;
    for (let c = 0; c < C; c++) if (probs[o + c] > top) top = probs[o + c];
    tied.length = 0;
    for (let c = 0; c < C; c++) if (top - probs[o + c] < TIE_TOLERANCE) tied.push(c);
    labels[i] = tied.length === 1 ? tied[0] : tied[Math.floor(unitHash(seed, i) * tied.length)];
    status[i] = uncovered(i) ? UNCOVERED : tied.length > 1 ? TIED : CLEAR;
  }
  return { labels, status };
}

/** Counts of tied and uncovered rows among `positions` (all rows when omitted). */
export function countStatus(status: Uint8Array, positions?: ArrayLike<number>): { rows: number; tied: number; uncovered: number } {
  const m = positions ? positions.length : status.length;
  let tied = 0;
  let uncovered = 0;
  for (let k = 0; k < m; k++) {
    const s = status[positions ? positions[k] : k];
    if (s === TIED) tied++;
    else if (s === UNCOVERED) uncovered++;
  }
  return { rows: m, tied, uncovered };
}

/** A uniform number in [0, 1) from (seed, i): splitmix32 over both, so each row's draw stands on its own. */
export function unitHash(seed: number, i: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b9) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  z = (z + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return z / 4294967296;
}
