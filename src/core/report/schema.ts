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

export interface GroundTruthReport {
  perCategory: Record<CategoryName, PRF>;
  /** confusion[true][predicted], category order easy, hard, overlap. */
  confusion: number[][];
  trueOverlapDensity: number;
  densityError: number;
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
}

export interface AnalysisResult {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'overlap-density'; version: string };
  createdAt: string;
  dataset: DatasetInfo;
  encoders: { weak: EncoderInfo; strong: EncoderInfo };
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
  groundTruth?: GroundTruthReport;
  /** Histograms inputs for the report: W2S-train confidences and stage-2 scores are in rows[]. */
  rows: ResultRow[];
  /**
   * Optional 2-D map of the W2S-train rows for the report: the first two principal components of their strong
   * activations (`pcaMap` in report/pca.ts). `rowIndex[k]` is the dataset row (ResultRow.index) of point k.
   */
  map?: { x: number[]; y: number[]; rowIndex: number[] };
  warnings: string[];
  timings: Record<string, number>;
}
