import type { Warning } from '../errors';

export type DatasetFormat = 'jsonl' | 'json' | 'csv' | 'tsv' | 'sst' | 'wrench' | 'parquet';

/** Which field of a row holds what. Auto-detected by the readers; any entry can be overridden explicitly. */
export interface FieldMap {
  text?: string;
  label?: string;
  /** Labelling-function votes (WRENCH `weak_labels`, -1 = abstain). */
  weakLabels?: string;
  /** Per-row activation vectors stored in the data (arrays of numbers). */
  weakActs?: string;
  strongActs?: string;
  /** An existing weak probability / score column (the weak model's P(y=1) or per-class probabilities). */
  weakProbs?: string;
  /** A split column with values weak-train | w2s-train | test (or 0 | 1 | 2). */
  split?: string;
}

export interface DatasetRow {
  /** 0-based position in file order. */
  index: number;
  /** 1-based line where the row starts in the source text (for Parquet: the row number + 1). */
  line: number;
  /** 1-based last line of the row (multi-line JSON objects, quoted CSV fields with newlines). */
  endLine: number;
  text?: string;
  /** Integer class id after label normalisation; null when the row has no label. */
  label: number | null;
  weakLabels?: number[];
  weakActs?: number[];
  strongActs?: number[];
  weakProbs?: number[];
  split?: 0 | 1 | 2;
  /** The row's raw fields as parsed (for CSV: strings). */
  fields: Record<string, unknown>;
}

export interface Dataset {
  path?: string;
  format: DatasetFormat;
  rows: DatasetRow[];
  /** The detected (or overridden) field mapping. */
  fields: FieldMap;
  /** Class names by id when labels were strings (or a label.json sat beside a WRENCH file). */
  labelNames?: string[];
  numClasses: number;
  warnings: Warning[];
}

export interface ReadOptions {
  format?: DatasetFormat;
  fields?: FieldMap;
  /** Skip malformed rows with a warning instead of failing (default false: first error is fatal). */
  lenient?: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}
