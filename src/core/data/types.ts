import type { Warning } from '../errors';

export type DatasetFormat = 'jsonl' | 'json' | 'csv' | 'tsv' | 'sst' | 'wrench' | 'parquet';

/** How the first row of a CSV/TSV is taken: decided from the data (`auto`), forced, or the column names given. */
export type HeaderChoice = 'auto' | 'yes' | 'no' | string[];

/** The separator put between text fields when several make up the text (`--text-field title,description`). */
export const TEXT_JOIN = '\n';

/** One class as read: its dense id, the value the data writes for it, its name when known, and its row count. */
export interface ClassInfo {
  id: number;
  value: number | string;
  name?: string;
  count: number;
}

/**
 * How integer labels index preset class names: from 0 or from 1 (AG News writes 1..4 for the 4 names of its
 * classes.txt). `ambiguous` holds the warning given when the labels fit both (all within 1..K-1), `empty` the warning
 * about names no row carries: both depend on the numbering, so a unified read that renumbers withdraws them.
 */
export interface PresetNumbering {
  base: 0 | 1;
  names: string[];
  /** Where the names came from (the classes.txt or label.json path, or "the class names option"). */
  from: string;
  ambiguous?: string;
  empty?: string;
}

/** What the reader decided and did, shown wherever a result is (CLI, report, Datasets tree). */
export interface ReadSummary {
  format: DatasetFormat;
  /** CSV/TSV only: whether the first row was a header, and why. */
  header?: { present: boolean; how: 'detected' | 'option'; reason: string; columns: string[] };
  /** The field(s) whose values make up the text, joined with `textJoin` when more than one. */
  textFields: string[];
  textJoin?: string;
  /** Text-like fields that were not used (so a reader sees the choice). */
  unusedTextFields: string[];
  labelField?: string;
  /** How each role was chosen: by its name, by its content, or by an option. */
  how: Partial<Record<'text' | 'label', 'name' | 'content' | 'option'>>;
  classNamesFrom?: { source: 'data' | 'label.json' | 'classes.txt' | 'option'; file?: string };
  /** Data rows parsed, rows kept, rows skipped as malformed (lenient mode) with the first reasons, rows without a label. */
  rowsRead: number;
  skipped: number;
  skippedExamples: { line?: number; message: string }[];
  unlabelled: number;
}

/** Which field of a row holds what. Auto-detected by the readers; any entry can be overridden explicitly. */
export interface FieldMap {
  /** One field, or several whose values are joined with TEXT_JOIN (title + description). */
  text?: string | string[];
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
  /**
   * The record's key in a keyed JSON object (a WRENCH file's row id): messages about the row name it, since such
   * files are often one line (Python's json.dump).
   */
  key?: string;
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
  /** The classes with the value the data writes for each and its row count (dense ids 0..numClasses-1). */
  classes: ClassInfo[];
  /** What was read and decided, in words a summary can show. */
  read: ReadSummary;
  /** Integer labels numbered by preset names (classes.txt, label.json, an option): from 0 or 1, so a test file agrees. */
  classNumbering?: PresetNumbering;
  /**
   * Rows the analysis leaves out, for messages: the first lines (up to 5) of the rows without a label, and the rows
   * not kept because their text was null or missing (their count and first lines).
   */
  leftOut?: { unlabelledLines: number[]; noText: number; noTextLines: number[] };
  warnings: Warning[];
}

export interface ReadOptions {
  format?: DatasetFormat;
  fields?: FieldMap;
  /** CSV/TSV header row (default `auto`: decided from the data and reported). */
  header?: HeaderChoice;
  /** Class names by class id, in id order; otherwise a label.json (WRENCH) or classes.txt beside the file is used. */
  classNames?: string[];
  /** Fields the caller reads from the rows besides the detected ones (a wide CSV keeps only the fields in use). */
  keepFields?: readonly string[];
  /** Skip malformed rows with a warning instead of failing (default false: first error is fatal). */
  lenient?: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}
