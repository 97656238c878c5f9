import type { AnalysisRequest } from './request';
import type { FieldMap, DatasetFormat, HeaderChoice } from '../core/data/types';
import type { DeviceChoice, EncoderSpec, InferenceBackend } from '../inference/types';

/** How to get the weak or the strong side of an analysis: an encoder the inference layer runs, or data. */
export type ModelSpec =
  | EncoderSpec
  | { kind: 'npy'; path: string }
  | { kind: 'safetensors'; path: string; tensor?: string }
  | { kind: 'field'; field: string }
  /**
   * Weak side only: labelling-function votes, aggregated by majority vote (default) or by the Dawid-Skene label
   * model (`label-model` on the command line); ties broken at random with the analysis seed (src/core/votes).
   */
  | { kind: 'votes'; field?: string; aggregate?: 'majority' | 'dawid-skene' }
  /** Weak side only: an existing probability column. */
  | { kind: 'probabilities'; field: string };

export type { DeviceChoice, InferenceBackend };

/** The analysis options a caller may set (the request table's analysis group, src/pipeline/request.ts). */
export type AnalysisOptionsInput = AnalysisRequest;

export interface PipelineOptions {
  weak: ModelSpec;
  strong: ModelSpec;
  format?: DatasetFormat;
  fields?: FieldMap;
  /** CSV/TSV header row: `auto` (default, decided from the data), `yes`, `no`, or the column names. */
  header?: HeaderChoice;
  /** Class names in id order (otherwise a WRENCH label.json or a classes.txt beside the file names them). */
  classNames?: string[];
  /** Row fields read besides the detected ones and those named by the model specs (a select --split-by column). */
  keepFields?: string[];
  /**
   * A separate labelled test file (e.g. SST-2 test); otherwise test is a seeded third of the data. Default: for a
   * WRENCH train.json, the test.json beside it (the benchmark's own split); `null` turns that off.
   */
  testFile?: string | null;
  analysis?: AnalysisOptionsInput;
  device?: DeviceChoice;
  threads?: number;
  /** Where activation caches go; default `<dataDir>/.overlap/cache`. */
  cacheDir?: string;
  /** Where the result JSON goes; default `<dataDir>/.overlap/<file>.result.json`. */
  outFile?: string;
  /** Replace an existing `outFile` that overlap-density did not write (the CLI's --force; outputs.ts refuseForeignOutputs). */
  force?: boolean;
  /**
   * Keep a copy of the result in `<dataDir>/.overlap/history/<file>/` (bounded, src/pipeline/history.ts);
   * default true, false turns it off (`--no-history`).
   */
  history?: boolean;
}

export interface PipelineHooks {
  progress?: import('../core/encoder').ProgressFn;
  signal?: AbortSignal;
  /** Needed when a model spec is 'bundled' or 'onnx'. */
  inference?: InferenceBackend;
}

export interface PipelineOutcome {
  result: import('../core/result/schema').AnalysisResult;
  /** Where the result JSON was written (atomically). */
  resultPath: string;
  /**
   * The history entry written after the result, or why none was (the analysis itself succeeded: a history that
   * cannot be written, e.g. a read-only folder, does not fail it). Absent when history is off.
   */
  history?: { path: string } | { error: string };
}
