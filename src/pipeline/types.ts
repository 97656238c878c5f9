import type { AlignMode, HardRule } from '../core/detect/types';
import type { FieldMap, DatasetFormat } from '../core/data/types';

/** How to get the weak or the strong side of an analysis. */
export type ModelSpec =
  | { kind: 'bundled'; id: 'glove-mean' | 'use-lite'; /** GloVe vocabulary size K (weak capacity). */ vocab?: number }
  | { kind: 'onnx'; path: string; tokenizer?: string }
  | { kind: 'npy'; path: string }
  | { kind: 'safetensors'; path: string; tensor?: string }
  | { kind: 'field'; field: string }
  /** Weak side only: labelling-function votes aggregated by majority vote. */
  | { kind: 'votes'; field?: string }
  /** Weak side only: an existing probability column. */
  | { kind: 'probabilities'; field: string };

export type DeviceChoice = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

export interface AnalysisOptionsInput {
  hardRule?: HardRule;
  align?: AlignMode;
  pseudo?: 'soft' | 'hard';
  l2?: number;
  seed?: number;
  seeds?: number;
  jump?: number;
}

export interface PipelineOptions {
  weak: ModelSpec;
  strong: ModelSpec;
  format?: DatasetFormat;
  fields?: FieldMap;
  /** A separate labelled test file (e.g. SST-2 test); otherwise test is a seeded third of the data. */
  testFile?: string;
  analysis?: AnalysisOptionsInput;
  device?: DeviceChoice;
  threads?: number;
  /** Where activation caches go; default `<dataDir>/.overlap/cache`. */
  cacheDir?: string;
  /** Where the result JSON goes; default `<dataDir>/.overlap/<file>.result.json`. */
  outFile?: string;
}
