/**
 * Overlap detection (METHOD.md section 2) on one set of rows (the W2S-train split):
 * stage 1, t1 = change point of the weak confidences; hard-only = c < t1 ("segment") or c <= t1 ("probing").
 * stage 2, every other row is scored against the hard set (scorers.ts); t2 = change point of the scores;
 * overlap = score >= t2, easy-only = score < t2. No hard rows means no overlap.
 * With a history (bandit setting), earlier rounds' hard rows join the hard set and, when given, earlier non-hard
 * rows' scores join the t2 change point ("augmented" detection).
 */
import type { PreparedGram } from '../linalg/ridgeGemm';
import { throwIfAborted } from '../encoder';
import { InputError } from '../errors';
import type { Matrix } from '../linalg/matrix';
import { changePoint, DEFAULT_JUMP, minimumPoints } from './changepoint';
import { isHard } from './resolve';
import { tsAlignmentKernel } from './alignKernel';
import { stage2Scorer, type DetectionHistory, type Stage2Scorer } from './scorers';
import {
  EASY, HARD, OVERLAP, type AlignMode, type AlignmentKernel, type DetectionOutcome, type HardRule,
} from './types';

export type { DetectionHistory } from './scorers';

export interface DetectInput {
  /** Weak confidence per row (top-1 minus top-2 probability; 2|p - 0.5| for two classes). */
  confidence: Float64Array;
  /** Strong activations, one row per confidence. */
  strong: Matrix;
  /** Weak activations, one row per confidence (used by scorers that need them, e.g. residual). */
  weak?: Matrix;
  hardRule: HardRule;
  align: AlignMode;
  /**
   * Scale of the stage-1 change point: 'linear' is the paper's; 'log' takes it on log(c + 1e-6), which puts the
   * break at the knee of the low-confidence tail instead of inside the ramp (docs/detectors.md). t1 stays a
   * confidence value and the hard rule is unchanged.
   */
  stage1Scale?: 'linear' | 'log';
  /** Change-point jump (ruptures default 5; 1 = exact). */
  jump?: number;
  /** Alignment kernel; default the pure-TypeScript one. */
  kernel?: AlignmentKernel;
  /** The residual scorer's ridge map, begun earlier on `weak` (linalg/ridgeGemm.ts prepareRidgeGram). */
  preparedGram?: PreparedGram;
  history?: DetectionHistory;
  /**
   * Memory the stage-2 scorer may copy the hard and rest strong rows into (Stage2Input.scratch): the caller's, whose
   * pages another thread touched; it must not hold anything the caller needs until the detection has returned.
   */
  scratch?: () => Promise<Float32Array | undefined>;
  /** Overrides the registered scorer of `align`. */
  scorer?: Stage2Scorer;
  signal?: AbortSignal;
  progress?: (fraction: number) => void;
}

function validate(input: DetectInput): void {
  const n = input.confidence.length;
  if (input.strong.rows !== n) {
    throw new InputError(`overlap detection: ${n} confidences but ${input.strong.rows} rows of strong activations`);
  }
  if (input.weak && input.weak.rows !== n) {
    throw new InputError(`overlap detection: ${n} confidences but ${input.weak.rows} rows of weak activations`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(input.confidence[i])) {
      throw new InputError(`overlap detection: the confidence of row ${i} is ${input.confidence[i]}, not a finite number`);
    }
  }
  if (input.hardRule !== 'segment' && input.hardRule !== 'probing') {
    throw new InputError(`unknown hard rule "${String(input.hardRule)}" (segment or probing)`);
  }
  const h = input.history;
  if (h) {
    for (const [name, m] of [['hard', h.strongHard], ['non-hard', h.strongRest]] as const) {
      if (m && m.rows > 0 && n > 0 && m.cols !== input.strong.cols) {
        throw new InputError(`overlap detection: history ${name} rows have ${m.cols} columns, the current rows ${input.strong.cols}`);
      }
    }
  }
}

/** Runs both stages; categories, scores and nearest hard rows are per input row. */
export async function detectOverlap(input: DetectInput): Promise<DetectionOutcome> {
  validate(input);
  throwIfAborted(input.signal);
  const { confidence, hardRule, align } = input;
  const jump = input.jump ?? DEFAULT_JUMP;
  const n = confidence.length;
  const notes: string[] = [];
  const categories = new Uint8Array(n);
  const scores = new Float64Array(n).fill(NaN);
  const nearestHard = new Int32Array(n).fill(-1);
  const outcome: DetectionOutcome = {
    hardRule, align, jump, categories, scores, nearestHard,
    t1: NaN, b1: null, t2: null, b2: null,
    fallbacks: { confidence: false, align: false },
    counts: { easy: 0, hard: 0, overlap: 0 },
    overlapDensity: 0,
    notes,
  };
  if (n === 0) {
    notes.push('no rows to detect overlap on');
    return outcome;
  }

  // Stage 1: hard-only vs the rest.
  const cp1 = stage1ChangePoint(confidence, jump, input.stage1Scale ?? 'linear');
  outcome.t1 = cp1.threshold;
  outcome.b1 = cp1.breakpoint;
  outcome.fallbacks.confidence = cp1.usedFallback;
  if (cp1.usedFallback) {
    notes.push(`only ${n} rows (a change point needs ${minimumPoints(jump)}): the confidence threshold is their median`);
  }
  if (cp1.movedFrom !== undefined) notes.push(tieNote('confidence', cp1));
  const t1 = cp1.threshold;
  const hardList: number[] = [];
  const restList: number[] = [];
  for (let i = 0; i < n; i++) {
    if (isHard(confidence[i]!, t1, hardRule)) {
      categories[i] = HARD;
      hardList.push(i);
    } else {
      categories[i] = EASY;
      restList.push(i);
    }
  }
  const hard = Int32Array.from(hardList);
  const rest = Int32Array.from(restList);
  const historyHard = input.history?.strongHard.rows ?? 0;

  if (hard.length + historyHard === 0) {
    notes.push(
      `no hard-only rows (no confidence ${hardRule === 'segment' ? 'below' : 'at or below'} t1 = ${fmtValue(t1)}): ` +
        'no overlap, every row is easy-only',
    );
  } else if (rest.length === 0) {
    notes.push(`every row is hard-only (confidence ${hardRule === 'segment' ? 'below' : 'at or below'} t1 = ${fmtValue(t1)})`);
  } else {
    // Stage 2: overlap vs easy-only among the rest.
    const scorer = input.scorer ?? stage2Scorer(align);
    const res = await scorer.score({
      strong: input.strong, weak: input.weak, hard, rest, history: input.history,
      kernel: input.kernel ?? tsAlignmentKernel, signal: input.signal, progress: input.progress, preparedGram: input.preparedGram,
      scratch: input.scratch,
    });
    throwIfAborted(input.signal);
    if (res.rest.length !== rest.length) {
      throw new Error(`stage-2 scorer ${scorer.mode} returned ${res.rest.length} scores for ${rest.length} rows`);
    }
    let pool: Float64Array = res.rest;
    if (res.historyRest && res.historyRest.length > 0) {
      pool = new Float64Array(rest.length + res.historyRest.length);
      pool.set(res.rest, 0);
      pool.set(res.historyRest, rest.length);
    }
    const cp2 = changePoint(pool, { jump, tieEdges: true });
    outcome.t2 = cp2.threshold;
    outcome.b2 = cp2.breakpoint;
    outcome.fallbacks.align = cp2.usedFallback;
    if (cp2.usedFallback) {
      notes.push(`only ${pool.length} non-hard rows (a change point needs ${minimumPoints(jump)}): the alignment threshold is their median`);
    }
    if (cp2.movedFrom !== undefined) notes.push(tieNote('alignment', cp2));
    const nearestHistory = historyHard > 0 ? new Int32Array(n).fill(-1) : undefined;
    for (let k = 0; k < rest.length; k++) {
      const i = rest[k];
      const s = res.rest[k];
      scores[i] = s;
      if (s >= cp2.threshold) categories[i] = OVERLAP;
      const pos = res.nearest ? res.nearest[k] : -1;
      if (pos >= 0 && pos < hard.length) nearestHard[i] = hard[pos];
      else if (pos >= hard.length && nearestHistory) nearestHistory[i] = pos - hard.length;
    }
    if (nearestHistory) outcome.nearestHistory = nearestHistory;
  }

  const counts = outcome.counts;
  for (let i = 0; i < n; i++) {
    const c = categories[i];
    if (c === HARD) counts.hard++;
    else if (c === OVERLAP) counts.overlap++;
    else counts.easy++;
  }
  outcome.overlapDensity = counts.overlap / n;
  return outcome;
}

const LOG_EPS = 1e-6;

/** The stage-1 change point on the chosen scale; the threshold is always reported as a confidence value. */
export function stage1ChangePoint(confidence: Float64Array, jump: number, scale: 'linear' | 'log') {
  if (scale === 'linear') return changePoint(confidence, { jump, tieEdges: true });
  const cp = changePoint(Float64Array.from(confidence, (c) => Math.log(c + LOG_EPS)), { jump, tieEdges: true });
  const sorted = Float64Array.from(confidence).sort();
  // log is monotone, so the break index is the same in both scales and sorted[b] is the data value itself.
  const threshold = cp.breakpoint !== null ? sorted[cp.breakpoint] : Math.exp(cp.threshold) - LOG_EPS;
  return { threshold, breakpoint: cp.breakpoint, usedFallback: cp.usedFallback, sorted, movedFrom: cp.movedFrom };
}

/**
 * The note for a change point that fell inside a run of equal values and moved to the run's edge (changepoint.ts,
 * `tieEdges`): how many rows share the value, where ruptures' breakpoint was and where it went.
 */
function tieNote(stage: 'confidence' | 'alignment', cp: { movedFrom?: number; breakpoint: number | null; sorted: Float64Array; threshold: number }): string {
  const { sorted } = cp;
  const value = sorted[cp.movedFrom!];
  let run = 0;
  for (let i = 0; i < sorted.length; i++) if (sorted[i] === value) run++;
  return `the ${stage} change point (position ${cp.movedFrom} of ${sorted.length} sorted values) fell among ${run} rows ` +
    `with the same ${stage} ${fmtValue(value)}, which no threshold can split; it moved to the edge of that run that ` +
    `splits the values best (position ${cp.breakpoint}, threshold ${fmtValue(cp.threshold)}), so those rows fall on ` +
    'one side of the threshold together';
}

const fmtValue = (v: number): string => String(Number(v.toPrecision(4)));
