import type { ClassInfo, ReadSummary } from '../data/types';
import type { AlignMode, CategoryName, HardRule } from '../detect/types';

/** Bump when a field changes meaning or disappears; readers refuse results with a newer major version. */
export const SCHEMA_VERSION = 1;

export interface PRF {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  support: number;
}

/** One row of the analysed dataset. `category` is set for W2S-train rows only. */
export interface ResultRow {
  /** 0-based row index in the dataset (file order). */
  index: number;
  /** 1-based line in the source file where the row starts, when the rows came from a text file. */
  line?: number;
  split: 'weak-train' | 'w2s-train' | 'test';
  label: number;
  category: CategoryName | null;
  /** Weak confidence of the pseudo-label (top-1 minus top-2 probability); null outside W2S-train. */
  confidence: number | null;
  /** Stage-2 score (alignment with the hard set, or residual); null for hard-only rows and outside W2S-train. */
  alignment: number | null;
  /** Weak pseudo-label (argmax) for W2S-train rows. */
  pseudoLabel: number | null;
  /** Index (dataset row) of the most aligned hard-only row, for hover previews. */
  nearestHard?: number | null;
  /** Ground-truth membership when known (synthetic data). */
  trueCategory?: CategoryName;
}

export interface DetectionSummary {
  hardRule: HardRule;
  align: AlignMode;
  jump: number;
  /** Scale of the stage-1 change point ('linear' is the paper's). */
  stage1Scale?: 'linear' | 'log';
  confidenceThreshold: number;
  /** Index b into the sorted confidences (threshold = sorted[b]); null when the median fallback was used. */
  confidenceBreakpoint: number | null;
  alignThreshold: number | null;
  alignBreakpoint: number | null;
  /** True when either change point fell back to the median (fewer than 7 points). */
  usedFallback: boolean;
  fallbacks: { confidence: boolean; align: boolean };
  counts: { easy: number; hard: number; overlap: number };
  /** |overlap| / |W2S-train|. */
  overlapDensity: number;
}

export interface MixingCurve {
  proportions: number[];
  /** Mean W2S test accuracy over seeds at each proportion. */
  mean: number[];
  /** Population standard deviation over seeds at each proportion. */
  std: number[];
  min: number[];
  max: number[];
  /** perSeed[s][p] = accuracy of seed s at proportion p. */
  perSeed: number[][];
  /** Points per mixing subset (m = min(|O|, |N|)). */
  subsetSize: number;
  /** Random subsets of m W2S-train points: mean and std over seeds. */
  randomBaseline: { mean: number; std: number; perSeed: number[] } | null;
  seeds: number[];
}

export type RegimeLabel = 'low' | 'medium' | 'high' | 'undetermined';

export interface Regime {
  label: RegimeLabel;
  /** The rule, in plain words, with the numbers that decided it. */
  rule: string;
}

/**
 * How an overlap effect stands against 0 (docs/verdict.md): `supported` when its 95% interval lies above 0,
 * `contradicted` when below, `unresolved` when it contains 0, `no-interval` with a single mixing seed.
 */
export type EffectStatus = 'supported' | 'contradicted' | 'unresolved' | 'no-interval';

/** One overlap effect: per-seed values (W2S test accuracy differences), their mean and 95% Student-t interval. */
export interface EffectEstimate {
  mean: number;
  /** Sample standard deviation over seeds (n - 1); null with one seed. */
  sd: number | null;
  /** 95% interval mean +- t(0.975, n - 1) sd / sqrt(n); null with one seed. */
  low: number | null;
  high: number | null;
  perSeed: number[];
  status: EffectStatus;
  /** When unresolved: seeds that would put 0 outside the interval at this mean and spread (null: none up to 1,000). */
  seedsToResolve?: number | null;
}

/** What the mixing experiment says about the overlap rows (core/experiment/effect.ts). */
export interface OverlapEffect {
  /** 'ols-slope': per seed, the least-squares slope of accuracy on overlap proportion over all proportions. */
  method: 'ols-slope';
  level: 0.95;
  seeds: number;
  /** m, the rows in every mixing subset. */
  subsetSize: number;
  /** True when m is below the minimum for a meaningful comparison (the verdict then says "not measured"). */
  tooSmall: boolean;
  /** Overlap rows vs non-overlap rows at equal size: the slope = predicted acc(p = 1) - acc(p = 0). */
  vsNonOverlap: EffectEstimate;
  /** All-overlap subset vs a random subset of the same size, paired by seed: acc(p = 1) - random. */
  vsRandom: EffectEstimate | null;
}

/** Checks that the detected categories mean something on this dataset (item 7 of issue 12). */
export interface DetectorSanity {
  /** |overlap| / (|overlap| + |easy-only|): the share of the non-hard W2S-train rows called overlap; null without any. */
  nonHardCoverage: number | null;
  /** The share above which the detector is said to cover most non-hard rows. */
  coverageLimit: number;
  coversMostNonHard: boolean;
  /** The overlap-vs-non-overlap interval contains 0: the categories do not differ in what they teach. */
  categoriesIndistinct: boolean;
  /**
   * The weak model gave every overlap row the same label (`label`, a class id, read as `name`; `overlap` rows) while
   * the W2S-train rows get `classes` >= 2 different ones: a probe trained on the overlap-heavy subsets of the mixing
   * experiment learns one class, so the curve measures that and the overlap effect is not measured. Absent in older
   * results.
   */
  overlapOneClass?: { label: number; name: string; overlap: number; classes: number } | null;
  /**
   * The weak model's test accuracy `weak` is within `margin` of `chance` (always answering the test set's most common
   * class) or below it: its confidences are noise, and so is the partition built on them, so the overlap effect is
   * not measured. Absent in older results.
   */
  weakAtChance?: { weak: number; chance: number; margin: number } | null;
  notices: string[];
}

/** The verdict in words (core/experiment/verdict.ts): outcome regime plus the overlap effect. */
export interface Verdict {
  regime: RegimeLabel;
  /** What the overlap rows do: `explains` (better than non-overlap and random rows), `partly` (better than non-overlap only), `no-better`, `worse`, `unmeasured`. */
  overlap: 'explains' | 'partly' | 'no-better' | 'worse' | 'unmeasured';
  /** Short form for the status bar and the CodeLens, e.g. "high W2S (PGR 0.67), but overlap rows do not explain it". */
  headline: string;
  /** The headline with its evidence: the effects with their intervals, and a caution when the detector covers most rows. */
  sentence: string;
}

export interface GroundTruthReport {
  perCategory: Record<CategoryName, PRF>;
  /** confusion[true][predicted], category order easy, hard, overlap. */
  confusion: number[][];
  trueOverlapDensity: number;
  densityError: number;
}

/** Rows of one split: how many, how many had tied top classes (broken at random), how many had no vote at all. */
export interface VoteCounts {
  rows: number;
  tied: number;
  uncovered: number;
  /** Weak accuracy on the rows some function votes on (test split only). */
  coveredAccuracy?: number | null;
}

/** How labelling-function votes became the weak side (weak side `votes` or `label-model`; core/votes). */
export interface WeakVotesSummary {
  method: 'majority-vote' | 'dawid-skene';
  /** Labelling functions (votes per row). */
  functions: number;
  /** Top classes within 1e-5 are tied; one is drawn with a hash of (seed, row), as Snorkel's `tie_break_policy="random"`. */
  tieBreak: { policy: 'random'; seed: number };
  /** Uncovered rows (every function abstains) get uniform probabilities (confidence 0) and a label drawn at random. */
  counts: { all: VoteCounts; weakTrain?: VoteCounts; w2sTrain?: VoteCounts; test?: VoteCounts };
  /** Dawid-Skene only: what the label model was fitted on and what it learned. */
  labelModel?: {
    abstain: 'coverage' | 'ignore';
    /** Which rows' votes it was fitted on, in words (never labels). */
    fittedOn: string;
    fitRows: number;
    iterations: number;
    converged: boolean;
    /** Class prior among covered rows. */
    prior: number[];
    /** Per function: estimated P(vote = true class | it votes); null when it never votes. */
    accuracies: (number | null)[];
  };
}

export interface EncoderInfo {
  id: string;
  kind: 'bundled' | 'onnx' | 'activations' | 'votes' | 'probabilities' | 'synthetic' | 'arrays';
  dim: number;
  source?: string;
}

export interface DatasetInfo {
  /** Absolute or workspace-relative path of the dataset file(s), when the input came from files. */
  path?: string;
  format?: string;
  /** sha256 of the file bytes when analysed; a mismatch tells the editor the results are stale. */
  contentHash?: string;
  rows: number;
  numClasses: number;
  labelNames?: string[];
  splits: { weakTrain: number; w2sTrain: number; test: number };
  testFile?: string;
  /** Other files the analysis read that no field above names (the arrays form's split and membership), absolute paths. */
  inputs?: string[];
  /** What was read and decided (format, header, text and label fields, classes with counts, skipped rows). */
  read?: ReadInfo;
}

/** One class as read: dense id, the value the data writes, its name, and its row count among the analysed rows. */
export type ClassRead = ClassInfo;

/** The reading decisions of an analysis (the reader's ReadSummary), shown in the CLI summary, the report and the tree. */
export interface ReadInfo extends Omit<ReadSummary, 'format'> {
  format: string;
  classes: ClassRead[];
  /** The test file's own counts, and why it was used when nobody named it (a WRENCH folder's test.json). */
  test?: { file: string; rowsRead: number; skipped: number; unlabelled: number; pairedBecause?: string };
}

export interface AnalysisResult {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'overlap-density'; version: string };
  createdAt: string;
  dataset: DatasetInfo;
  encoders: { weak: EncoderInfo; strong: EncoderInfo };
  /** How labelling-function votes became the weak side; only when the weak side is votes. */
  weakVotes?: WeakVotesSummary;
  /** Execution provider that ran the encoders / kernel, e.g. "cpu", "cuda", or "none" for arrays. */
  device: string;
  options: {
    hardRule: HardRule;
    align: AlignMode;
    pseudo: 'soft' | 'hard';
    l2: number;
    seed: number;
    seeds: number;
    jump: number;
    stage1Scale?: 'linear' | 'log';
  };
  accuracy: { weak: number; strong: number; w2s: number };
  pgr: number | null;
  detection: DetectionSummary;
  /** Null when there is nothing to mix (no detected overlap rows or no non-overlap rows). */
  mixing: MixingCurve | null;
  regime: Regime;
  /** The overlap effect with its interval over mixing seeds; absent in results written before it existed. */
  overlapEffect?: OverlapEffect | null;
  /** Detector sanity checks; absent in older results. */
  sanity?: DetectorSanity;
  /** The verdict sentence (regime + overlap effect); absent in older results (readers rebuild it with verdictOf). */
  verdict?: Verdict;
  groundTruth?: GroundTruthReport;
  /** Histograms inputs for the report: W2S-train confidences and stage-2 scores are in rows[]. */
  rows: ResultRow[];
  /**
   * Optional 2-D map of the W2S-train rows for the report: the first two principal components of their strong
   * activations (`pcaMap` in linalg/pca.ts). `rowIndex[k]` is the dataset row (ResultRow.index) of point k.
   */
  map?: { x: number[]; y: number[]; rowIndex: number[] };
  warnings: string[];
  timings: Record<string, number>;
}
