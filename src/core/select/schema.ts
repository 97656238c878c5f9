/**
 * The result of a data-source selection run (METHOD.md section 4, the paper's Algorithm 1): versioned JSON that the
 * CLI writes and the extension's report reads. Every number a plot needs is here: per strategy, per seed, per round.
 * Arms are numbered 0..K-1 in the order of `sources`.
 */
import type { AlignMode, HardRule } from '../detect/types';
import type { EncoderInfo } from '../result/schema';

export const SELECTION_SCHEMA_VERSION = 1;

export type StrategyName = 'ucb' | 'random' | 'optimal';
export const STRATEGY_NAMES: readonly StrategyName[] = ['ucb', 'random', 'optimal'];

/**
 * UCB exploration bonus of arm k after N_k pulls:
 *   code: sqrt(2 ln T) / N_k   (T = horizon; the reference implementation's `compute_ucb`)
 *   ucb1: sqrt(2 ln t / N_k)   (t = pulls made so far; textbook UCB1, Auer et al. 2002)
 */
export type BonusMode = 'code' | 'ucb1';

/** How the sources were obtained. */
export type SelectionMode =
  /** one dataset file or activation folder per source */
  | 'files'
  /** one file whose rows are grouped by the value of a column */
  | 'split-by'
  /** K sources built from one dataset by detected overlap (the reference's LLM experiment) */
  | 'reference-split'
  /** K sources built from the paper's Gaussian mixture, densities known from the ground truth */
  | 'reference-synthetic';

/** The plan that ran, and how it differs from what was asked. */
export interface SelectionPlan {
  /** Rounds T (the horizon). */
  rounds: number;
  /** Points n drawn per pull. */
  perRound: number;
  bonus: BonusMode;
  strategies: StrategyName[];
  /** One run of every strategy per seed. */
  seeds: number[];
  /** What the user asked for (null: left to the default rule n = floor(min source size / T)). */
  requested: { rounds: number; perRound: number | null; strategies: StrategyName[] };
  /** One sentence per change made to the request, e.g. a smaller n because a source is too small. Empty if none. */
  adjustments: string[];
}

export interface SelectionSourceInfo {
  /** File name, column value or "source k (10% of overlap)". */
  name: string;
  path?: string;
  /** Rows the arm draws from (its W2S-train pool). */
  poolRows: number;
  /** Rows this source gave to the shared weak-train and test sets. */
  weakTrainRows: number;
  testRows: number;
  /**
   * The source's overlap density when it is known: from ground-truth membership (synthetic data), or, in
   * reference-split mode, the detected density of the rows assigned to it (as the reference does). Null otherwise.
   */
  trueOverlapDensity: number | null;
  densityFrom: 'ground-truth' | 'detected' | null;
  /** Overlap density that one detection over the whole pool finds (no history, shared weak probe); for reference only. */
  detectedPoolDensity: number;
}

/** Detection on one pulled batch (augmented with the strategy's history of hard-only rows). */
export interface BatchDetection {
  size: number;
  overlap: number;
  easy: number;
  hard: number;
  /** Stage 1 and stage 2 thresholds (null when stage 2 had no hard rows to align with). */
  t1: number;
  t2: number | null;
  /** Hard-only rows of earlier rounds that the alignment also used. */
  historyHard: number;
  /** True when a change point fell back to the median (fewer than 7 values). */
  fallback: boolean;
}

export interface RoundLog {
  /** 1-based. */
  round: number;
  /** The arm pulled this round. */
  arm: number;
  /** Every arm's index at choice time: UCB o_k + bonus_k; null during the round-robin start and for other strategies. */
  indices: (number | null)[];
  /** Every arm's exploration bonus at choice time (UCB after the round-robin start), else null. */
  bonuses: (number | null)[];
  /** Every arm's overlap estimate o_k after this round (cumulative detected overlap / points drawn); null if unpulled. */
  estimates: (number | null)[];
  /** N_k after this round. */
  pulls: number[];
  batch: BatchDetection;
  /** Points collected so far, and how many of them were detected as overlap. */
  collected: number;
  collectedOverlap: number;
  /** collectedOverlap / collected. */
  detectedOverlapRatio: number;
  /** Ground-truth overlap share of what was collected (synthetic data only). */
  trueOverlapRatio: number | null;
  /** Test accuracy of a W2S probe trained on everything collected (null on rounds skipped by evalEvery). */
  accuracy: number | null;
  /** Test accuracy of a W2S probe trained on the detected-overlap part only (null when there is none yet). */
  accuracyOverlapOnly: number | null;
}

export interface StrategyRun {
  strategy: StrategyName;
  seed: number;
  rounds: RoundLog[];
  /** Pulls per arm at the end. */
  pulls: number[];
}

/** Per-round statistics over seeds (population std); entries are null where no seed had a value. */
export interface Band {
  mean: (number | null)[];
  std: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

export interface Stats {
  mean: number;
  std: number;
  min: number;
  max: number;
  n: number;
}

export interface StrategySummary {
  strategy: StrategyName;
  seeds: number;
  accuracy: Band;
  accuracyOverlapOnly: Band;
  detectedOverlapRatio: Band;
  trueOverlapRatio: Band | null;
  /** Share of each arm among all pulls: per round (cumulative up to that round, mean over seeds) and overall. */
  pullShareByRound: number[][];
  pullShare: number[];
  /** Share of rounds that pulled the truly densest arm, over seeds (null when the densest arm is unknown). */
  denseArmShare: Stats | null;
  /** Values at the last round, over seeds. */
  final: { accuracy: Stats | null; accuracyOverlapOnly: Stats | null; detectedOverlapRatio: Stats };
}

export interface SelectionSummary {
  strategies: StrategySummary[];
  /** UCB against random on the same seeds (present when both ran): paired differences over seeds. */
  ucbVsRandom: {
    finalAccuracyDiff: Stats | null;
    /** Seeds where UCB's final accuracy is at or above random's. */
    seedsUcbAtOrAbove: number;
    denseArmShareDiff: Stats | null;
  } | null;
  /** One line per strategy for terminals and notifications. */
  lines: string[];
}

export interface SelectionResult {
  schemaVersion: typeof SELECTION_SCHEMA_VERSION;
  kind: 'selection';
  tool: { name: string; version: string };
  createdAt: string;
  mode: SelectionMode;
  plan: SelectionPlan;
  sources: SelectionSourceInfo[];
  /** The truly densest arm when densities are known, else null. */
  denseArm: number | null;
  numClasses: number;
  labelNames?: string[];
  encoders: { weak: EncoderInfo; strong: EncoderInfo };
  /** The run's options (the incremental-scoring switch changes no number, so it is not recorded). */
  options: Omit<SelectionOptions, 'incremental'>;
  /** Shared sets: the weak probe is trained once on weak-train; every W2S probe is scored on test. */
  shared: { weakTrainRows: number; testRows: number; accuracy: { weak: number; strong: number; w2sAllPools: number } };
  runs: StrategyRun[];
  summary: SelectionSummary;
  warnings: string[];
  device: string;
  timings: Record<string, number>;
}

export interface SelectionOptions {
  hardRule: HardRule;
  align: AlignMode;
  jump: number;
  /** W2S training targets: the weak probabilities (soft, as the reference) or their argmax. */
  pseudo: 'soft' | 'hard';
  l2: number;
  /**
   * When set, W2S probes use scikit-learn's C instead of l2: l2 = 1 / (2 C n) for n training rows (the paper's
   * synthetic experiment uses C = 0.01, a penalty that weakens as points are collected).
   */
  w2sC: number | null;
  /** Score the W2S probes every k rounds and at the last round (1 = every round, as the reference). */
  evalEvery: number;
  /**
   * Augmented detection: "hard" adds earlier rounds' hard-only rows to the hard set and takes t2 over the batch
   * (the reference bandit code); "hard+rest" also takes t2 over the earlier non-hard rows' scores (METHOD.md
   * section 2's description), which steadies t2 when batches are small.
   */
  augment: 'hard' | 'hard+rest';
  /** Keep the earlier rows' stage-2 scores and raise them with new hard rows (same numbers, less work); false rescores. */
  incremental: boolean;
}
