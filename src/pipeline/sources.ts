/**
 * Data sources for selection (METHOD.md section 4) from files: each SOURCE is a dataset file (encoded like
 * `analyze` does: bundled encoders, ONNX models, activation sidecars, fields, votes) or an activation folder as
 * `overlap-density synth --out DIR` writes it (weak.npy, strong.npy, labels.npy, optional split.npy and
 * membership.npy). Or one file whose rows are grouped by a column (`--split-by`).
 * Every source is split in thirds (or by its split field / split.npy): its weak-train and test thirds join the
 * shared weak-train and test sets, its W2S-train third is the pool its arm draws from.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { readActivationFile, readNpyFile, writeFileAtomic } from '../core/activations/file';
import { getField } from '../core/data';
import type { DatasetRow } from '../core/data/types';
import { throwIfAborted, type ProgressFn } from '../core/encoder';
import { InputError } from '../core/errors';
import { pickRows, type WeakSide } from '../core/experiment/protocol';
import { indicesOf, randomThirds, TEST, W2S_TRAIN, WEAK_TRAIN } from '../core/experiment/split';
import { concatArrays, selectRows, stackRows, type Matrix } from '../core/linalg/matrix';
import { printableName } from '../core/result/names';
import type { EncoderInfo } from '../core/result/schema';
import { detectedReferenceSetup, syntheticReferenceSetup, type DetectedReferenceInput } from '../core/select/reference';
import type { PlanRequest } from '../core/select/plan';
import { DEFAULT_SELECTION_OPTIONS, runSelection, type SelectionOptions } from '../core/select/run';
import type { SelectionMode, SelectionResult } from '../core/select/schema';
import type { SelectionSetup, SelectionSource } from '../core/select/setup';
import { loadSource, sideActivations, weakSide, type Source } from './analyzeFile';
import { MAX_CLASSES, unifyDatasetLabels } from '../core/data/labels';
import type { InferenceBackend, ModelSpec, PipelineOptions } from './types';
import { count } from '../core/words';

/** One loaded SOURCE argument: its rows' activations, weak side, labels and what is known about them. */
export interface LoadedData {
  name: string;
  path: string;
  weak: WeakSide;
  strong: Matrix;
  labels: Int32Array;
  numClasses: number;
  labelNames?: string[];
  /** 0 weak-train, 1 W2S-train, 2 test, from the file's split field or split.npy. */
  split?: Uint8Array;
  /** Ground truth (0 easy, 1 hard, 2 overlap) from membership.npy. */
  membership?: Uint8Array;
  /** Dataset rows (files only), for --split-by. */
  rows?: DatasetRow[];
  encoders: { weak: EncoderInfo; strong: EncoderInfo };
  notes: string[];
}

export interface LoadSourcesOptions {
  weak: ModelSpec;
  strong: ModelSpec;
  format?: PipelineOptions['format'];
  fields?: PipelineOptions['fields'];
  header?: PipelineOptions['header'];
  classNames?: PipelineOptions['classNames'];
  cacheDir?: string;
}

export interface LoadSourcesHooks {
  inference?: InferenceBackend;
  progress?: ProgressFn;
  signal?: AbortSignal;
}

const NPY_FILES = ['weak.npy', 'strong.npy', 'labels.npy'] as const;

function integers(data: ArrayLike<number | bigint>, file: string, what: string, max?: number): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (!Number.isInteger(v) || v < 0 || (max !== undefined && v > max)) {
      throw new InputError(`${what} at index ${i} is ${v}, expected an integer in 0..${max ?? 'C-1'}`, { file });
    }
    out[i] = v;
  }
  return out;
}

/** An activation folder: weak.npy, strong.npy, labels.npy (+ split.npy, membership.npy when present). */
async function loadFolder(dir: string): Promise<LoadedData> {
  const missing: string[] = [];
  for (const f of NPY_FILES) {
    try {
      await fs.access(path.join(dir, f));
    } catch {
      missing.push(f);
    }
  }
  if (missing.length > 0) {
    throw new InputError(`an activation folder needs ${NPY_FILES.join(', ')}; missing ${missing.join(', ')}`, { file: dir });
  }
  const weak = await readActivationFile(path.join(dir, 'weak.npy'));
  const strong = await readActivationFile(path.join(dir, 'strong.npy'));
  const labelsFile = path.join(dir, 'labels.npy');
  const labelsArr = await readNpyFile(labelsFile);
  if (labelsArr.shape.length !== 1) throw new InputError(`labels must be 1-D, got shape [${labelsArr.shape}]`, { file: labelsFile });
  const labels = integers(labelsArr.data, labelsFile, 'label', MAX_CLASSES - 1);
  const n = labels.length;
  for (const [m, f] of [[weak, 'weak.npy'], [strong, 'strong.npy']] as const) {
    if (m.rows !== n) throw new InputError(`${m.rows} rows but labels.npy has ${n}`, { file: path.join(dir, f) });
  }
  const optional = async (name: string, what: string): Promise<Uint8Array | undefined> => {
    const file = path.join(dir, name);
    try {
      await fs.access(file);
    } catch {
      return undefined;
    }
    const arr = await readNpyFile(file);
    const v = integers(arr.data, file, what, 2);
    if (v.length !== n) throw new InputError(`${v.length} entries but labels.npy has ${n}`, { file });
    return Uint8Array.from(v);
  };
  const split = await optional('split.npy', 'split code');
  const membership = await optional('membership.npy', 'membership code');
  const numClasses = labels.reduce((a, b) => Math.max(a, b), 0) + 1;
  const base = path.basename(path.resolve(dir));
  return {
    name: base,
    path: dir,
    weak: { kind: 'activations', acts: weak },
    strong,
    labels,
    numClasses,
    split,
    membership,
    encoders: {
      weak: { id: `${base}/weak.npy`, kind: 'activations', dim: weak.cols, source: path.join(dir, 'weak.npy') },
      strong: { id: `${base}/strong.npy`, kind: 'activations', dim: strong.cols, source: path.join(dir, 'strong.npy') },
    },
    notes: [],
  };
}

function pipelineOptionsOf(options: LoadSourcesOptions): PipelineOptions {
  return {
    weak: options.weak, strong: options.strong, format: options.format, fields: options.fields, cacheDir: options.cacheDir,
    ...(options.header !== undefined ? { header: options.header } : {}),
    ...(options.classNames ? { classNames: options.classNames } : {}),
    ...((options as { splitBy?: string }).splitBy ? { keepFields: [(options as { splitBy?: string }).splitBy!] } : {}),
  };
}

async function loadDatasetFile(src: Source, options: LoadSourcesOptions, hooks: LoadSourcesHooks, part: (f: number) => ProgressFn): Promise<LoadedData> {
  const file = src.file;
  const pipelineOptions = pipelineOptionsOf(options);
  const numClasses = src.dataset.numClasses;
  const strong = await sideActivations('strong', options.strong, src, undefined, pipelineOptions, hooks.inference, part(0), hooks.signal);
  const weak = await weakSide(options.weak, src, undefined, numClasses, pipelineOptions, hooks.inference, part(0.5), hooks.signal);
  const notes = [
    ...src.dataset.warnings.map((w) => `${w.file ?? path.basename(file)}${w.line ? `:${w.line}` : ''}: ${w.message}`),
    ...strong.notes,
    ...weak.notes.map((n) => `${path.basename(file)}: ${n}`),
  ];
  const unlabelled = src.dataset.rows.length - src.rows.length;
  if (unlabelled > 0 && !src.dataset.leftOut?.unlabelledLines.length) notes.push(`${path.basename(file)}: ${count(unlabelled, 'row')} without a label ${unlabelled === 1 ? 'was' : 'were'} left out`);
  const split = src.rows.every((r) => r.split !== undefined) ? Uint8Array.from(src.rows, (r) => r.split as number) : undefined;
  return {
    name: path.basename(file),
    path: file,
    weak: weak.side,
    strong: strong.matrix,
    labels: Int32Array.from(src.rows, (r) => r.label as number),
    numClasses,
    labelNames: src.dataset.labelNames,
    split,
    rows: src.rows,
    encoders: { weak: weak.info, strong: strong.info },
    notes,
  };
}

/** Loads every SOURCE argument (a dataset file or an activation folder). */
export async function loadSelectionData(paths: readonly string[], options: LoadSourcesOptions, hooks: LoadSourcesHooks = {}): Promise<LoadedData[]> {
  const out: LoadedData[] = [];
  const progress = hooks.progress ?? (() => {});
  const seen = new Set<string>();
  for (const p of paths) {
    const key = path.resolve(p);
    if (seen.has(key)) throw new InputError('this SOURCE is given twice: each source must be a different file or folder', { file: p });
    seen.add(key);
  }
  // Files are read first so that their label values become one class set (ids mean the same class in every source).
  const files = new Map<number, Source>();
  for (const [k, p] of paths.entries()) {
    throwIfAborted(hooks.signal);
    const file = path.resolve(p);
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      throw new InputError('file or folder not found', { file: p });
    }
    progress(`reading ${path.basename(file)}`, k / paths.length);
    if (!stat.isDirectory()) files.set(k, await loadSource(file, pipelineOptionsOf(options), hooks.signal));
  }
  if (files.size > 1) {
    // A copy of a source is the same rows twice: they would sit in both pools and leak into each other's test rows.
    const byHash = new Map<string, string>();
    for (const src of files.values()) {
      const seenAs = byHash.get(src.hash);
      if (seenAs) {
        throw new InputError(`this source holds the same bytes as ${seenAs}: each source must be different data (a copy puts the same rows in two pools and in each other's test rows)`, { file: src.file });
      }
      byHash.set(src.hash, src.file);
    }
    // One array file for several sources would give every source the same activations (silently, when the row counts
    // happen to match).
    for (const [side, spec] of [['weak', options.weak], ['strong', options.strong]] as const) {
      if (spec && (spec.kind === 'npy' || spec.kind === 'safetensors')) {
        throw new InputError(
          `--${side} ${spec.kind}:FILE is one array, but there are ${files.size} dataset sources: give each source its ` +
            `activations as a field of its rows (--${side} field:NAME) or as an activation folder (weak.npy, strong.npy, labels.npy)`,
          { file: spec.path },
        );
      }
    }
    // Before the class sets are merged: sources that name their classes must name the same ones, with the same ids
    // (the merge is a union by value, right for a dataset and its test file, wrong for two sources: "neg/pos" and
    // "bad/good" became four classes, and two label.json files listing the same names in another order had their
    // ids mixed silently).
    const named = [...files.values()].map((src) => ({
      name: path.relative(process.cwd(), src.file) || path.basename(src.file), // two sources may both be train.json
      classes: src.dataset.labelNames ?? (typeof src.dataset.classes[0]?.value === 'string' ? src.dataset.classes.map((c) => String(c.value)) : undefined),
    }));
    const first = named.find((n) => n.classes);
    if (first) {
      for (const n of named) {
        if (!n.classes || n.classes.join('\u0000') !== first.classes!.join('\u0000')) {
          throw new InputError(
            `label sets differ: "${first.name}" has classes [${listed(first.classes!)}] (by id), "${n.name}" has ` +
              `${n.classes ? `[${listed(n.classes)}]${classSetDifference(first.name, first.classes!, n.name, n.classes)}` : 'class ids without names'}; ` +
              'all sources must label the same classes with the same ids',
          );
        }
      }
    }
    unifyDatasetLabels([...files.values()]);
  }
  for (const [k, p] of paths.entries()) {
    throwIfAborted(hooks.signal);
    const file = path.resolve(p);
    const part = (from: number): ProgressFn => (stage, f, detail) =>
      progress(`${path.basename(file)}: ${stage}`, (k + from + 0.5 * f) / paths.length, detail);
    const src = files.get(k);
    out.push(src ? await loadDatasetFile(src, options, hooks, part) : await loadFolder(file));
  }
  // two sources may both be train.json (two WRENCH folders): their names in the result and its tables must differ
  const names = distinctNames(out.map((d) => d.path));
  out.forEach((d, k) => (d.name = names[k]));
  return out;
}

/**
 * A name per path: its last component, or as many trailing components as it takes to tell it from every other path
 * with the same last component (a/train.json and b/train.json; the whole path if nothing shorter differs).
 */
export function distinctNames(paths: readonly string[]): string[] {
  const parts = paths.map((p) => path.resolve(p).split(path.sep).filter((s) => s.length > 0));
  const tail = (k: number, n: number) => parts[k].slice(Math.max(0, parts[k].length - n)).join('/');
  return parts.map((mine, k) => {
    for (let n = 1; n <= mine.length; n++) {
      const name = tail(k, n);
      if (parts.every((_, j) => j === k || tail(j, n) !== name)) return name;
    }
    return path.resolve(paths[k]);
  });
}

/** All sources must label the same classes the same way: by class names when files name them, else by the ids seen. */
export function checkLabelSets(data: readonly LoadedData[]): { numClasses: number; labelNames?: string[] } {
  const empty = data.find((d) => d.labels.length === 0);
  if (empty) throw new InputError(`"${empty.name}" has no labelled rows: every source needs rows to select from`, { file: empty.path });
  const named = data.filter((d) => d.labelNames);
  if (named.length > 0 && named.length < data.length) {
    const a = named[0];
    const b = data.find((d) => !d.labelNames)!;
    throw new InputError(
      `"${a.name}" names its classes [${a.labelNames!.join(', ')}] but "${b.name}" uses class ids: all sources must label the same classes`,
    );
  }
  if (named.length > 0) {
    const first = named[0];
    for (const d of named) {
      if (d.labelNames!.join('\u0000') !== first.labelNames!.join('\u0000')) {
        throw new InputError(
          `label sets differ: "${first.name}" has [${listed(first.labelNames!)}], "${d.name}" has [${listed(d.labelNames!)}]` +
            `${classSetDifference(first.name, first.labelNames!, d.name, d.labelNames!)}; all sources must label the same classes`,
        );
      }
    }
    return { numClasses: first.labelNames!.length, labelNames: first.labelNames };
  }
  const seen = data.map((d) => [...new Set(d.labels)].sort((x, y) => x - y));
  for (const [k, s] of seen.entries()) {
    if (s.join(',') !== seen[0].join(',')) {
      throw new InputError(
        `label sets differ: "${data[0].name}" has classes {${listed(seen[0].map(String))}}, "${data[k].name}" has {${listed(s.map(String))}}` +
          `${classSetDifference(data[0].name, seen[0].map(String), data[k].name, s.map(String))}; all sources must label the same classes`,
      );
    }
  }
  return { numClasses: Math.max(...data.map((d) => d.numClasses)) };
}

/** At most this many classes are listed in a message about label sets; the rest are counted. */
const CLASSES_LISTED = 12;

/** Class names (or ids) for a message: printable, the first CLASSES_LISTED, then how many more. */
function listed(classes: readonly string[]): string {
  const shown = classes.slice(0, CLASSES_LISTED).map((c) => printableName(c));
  return classes.length > CLASSES_LISTED ? `${shown.join(', ')}, ... ${classes.length - CLASSES_LISTED} more` : shown.join(', ');
}

/**
 * What two label sets differ in, in parentheses: the classes only one source has (with many classes the lists alone
 * do not show it), or that the same classes come in another order (other ids).
 */
export function classSetDifference(aName: string, a: readonly string[], bName: string, b: readonly string[]): string {
  const inB = new Set(b);
  const inA = new Set(a);
  const onlyA = a.filter((c) => !inB.has(c));
  const onlyB = b.filter((c) => !inA.has(c));
  if (onlyA.length === 0 && onlyB.length === 0) return ' (the same classes with other ids)';
  const parts = [
    ...(onlyA.length > 0 ? [`only "${aName}" has ${listed(onlyA)}`] : []),
    ...(onlyB.length > 0 ? [`only "${bName}" has ${listed(onlyB)}`] : []),
  ];
  return ` (${parts.join('; ')})`;
}

/** All sources must come from the same weak and strong models (same widths, same kind of weak side). */
export function checkWidths(data: readonly LoadedData[]): void {
  const first = data[0];
  for (const d of data) {
    if (d.strong.cols !== first.strong.cols) {
      throw new InputError(
        `strong activations of "${d.name}" are ${d.strong.cols}-dimensional but those of "${first.name}" are ${first.strong.cols}: ` +
          'encode all sources with the same strong model',
      );
    }
    if (d.weak.kind !== first.weak.kind) {
      throw new InputError(`the weak side of "${d.name}" is ${d.weak.kind}, of "${first.name}" ${first.weak.kind}: use one weak model for all sources`);
    }
    if (d.weak.kind === 'activations' && first.weak.kind === 'activations' && d.weak.acts.cols !== first.weak.acts.cols) {
      throw new InputError(
        `weak activations of "${d.name}" are ${d.weak.acts.cols}-dimensional but those of "${first.name}" are ${first.weak.acts.cols}: ` +
          'encode all sources with the same weak model',
      );
    }
  }
}

/** The weak side of some rows; votes keep their tie-broken hard labels (analyze's rule, docs/votes.md). */
function weakRows(weak: WeakSide, rows: Int32Array, C: number): WeakSide {
  if (weak.kind === 'activations') return { kind: 'activations', acts: selectRows(weak.acts, rows) };
  const side: WeakSide = { kind: 'probabilities', probs: pickRows(weak.probs, rows, C) };
  if (weak.labels) side.labels = pickRows(weak.labels, rows);
  return side;
}

/** The shared test set's weak side from votes: its probabilities, and its hard labels when every source has them. */
function testVotes(probs: Float64Array[], labels: (Int32Array | null)[]): WeakSide {
  const side: WeakSide = { kind: 'probabilities', probs: concatArrays(probs, Float64Array) };
  if (labels.every((l): l is Int32Array => l !== null)) side.labels = concatArrays(labels, Int32Array);
  return side;
}

/** Row subset of a loaded data set as one source, with its split into weak-train / pool / test. */
interface Part {
  name: string;
  path?: string;
  data: LoadedData;
  rows: Int32Array;
  split: Uint8Array;
}




function setupFromParts(parts: Part[], C: number, labelNames: string[] | undefined, notes: string[]): SelectionSetup {
  const sources: SelectionSource[] = [];
  const wtStrong: Matrix[] = [];
  const wtWeak: Matrix[] = [];
  const wtLabels: Int32Array[] = [];
  const teStrong: Matrix[] = [];
  const teWeakActs: Matrix[] = [];
  const teWeakProbs: Float64Array[] = [];
  const teWeakLabels: (Int32Array | null)[] = [];
  const teLabels: Int32Array[] = [];
  for (const p of parts) {
    const at = (code: number) => Int32Array.from(indicesOf(p.split, code), (k) => p.rows[k]);
    const pool = at(W2S_TRAIN);
    const wt = at(WEAK_TRAIN);
    const te = at(TEST);
    const d = p.data;
    const source: SelectionSource = {
      name: p.name,
      ...(p.path ? { path: p.path } : {}),
      strong: selectRows(d.strong, pool),
      weak: weakRows(d.weak, pool, C),
      labels: pickRows(d.labels, pool),
      labelNames,
      weakTrainRows: wt.length,
      testRows: te.length,
      positions: { pool, test: te },
    };
    if (d.membership) source.membership = Uint8Array.from(pool, (r) => d.membership![r]);
    sources.push(source);
    if (d.weak.kind === 'activations') wtWeak.push(selectRows(d.weak.acts, wt));
    wtStrong.push(selectRows(d.strong, wt));
    wtLabels.push(pickRows(d.labels, wt));
    teStrong.push(selectRows(d.strong, te));
    if (d.weak.kind === 'activations') teWeakActs.push(selectRows(d.weak.acts, te));
    else {
      teWeakProbs.push(pickRows(d.weak.probs, te, C));
      teWeakLabels.push(d.weak.labels ? pickRows(d.weak.labels, te) : null);
    }
    teLabels.push(pickRows(d.labels, te));
  }
  const first = parts[0].data;
  const activations = first.weak.kind === 'activations';
  const weakCols = activations ? (first.weak as { acts: Matrix }).acts.cols : 0;
  return {
    sources,
    weakTrain: activations ? { weak: stackRows(wtWeak, weakCols), labels: concatArrays(wtLabels, Int32Array) } : undefined,
    test: {
      strong: stackRows(teStrong, first.strong.cols),
      weak: activations ? { kind: 'activations', acts: stackRows(teWeakActs, weakCols) } : testVotes(teWeakProbs, teWeakLabels),
      labels: concatArrays(teLabels, Int32Array),
    },
    numClasses: C,
    labelNames,
    notes,
  };
}

/** Seeded thirds for a source without its own split; salted per source so equal-sized sources differ. */
function partSplit(data: LoadedData, rows: Int32Array, seed: number, salt: number): Uint8Array {
  if (data.split) return Uint8Array.from(rows, (r) => data.split![r]);
  return randomThirds(rows.length, (seed + 7919 * (salt + 1)) >>> 0);
}

/** Files mode: one source per SOURCE argument. */
export function setupFromFiles(data: readonly LoadedData[], seed: number): SelectionSetup {
  if (data.length === 0) throw new InputError('no data sources were given');
  const { numClasses, labelNames } = checkLabelSets(data);
  checkWidths(data);
  const parts = data.map((d, k): Part => {
    const rows = Int32Array.from({ length: d.labels.length }, (_, i) => i);
    return { name: d.name, path: d.path, data: d, rows, split: partSplit(d, rows, seed, k) };
  });
  const notes = data.flatMap((d) => d.notes);
  notes.push(
    `each source is split into weak-train / pool / test (${data.every((d) => d.split) ? 'by its split field' : 'seeded thirds unless it has a split field'}); ` +
      'the weak-train and test parts of all sources are pooled into the shared weak-train and test sets',
  );
  return setupFromParts(parts, numClasses, labelNames, notes);
}

/** Most distinct values --split-by accepts; more means a continuous column that should be binned first. */
export const MAX_SPLIT_GROUPS = 20;

/** The group key of a row: a field's value, or a derived key (see --help). */
export function splitKey(row: DatasetRow, column: string): string | null {
  if (column === '@votes') {
    // Labelling-function coverage: rows some function votes on vs rows every function abstains on.
    const v = row.weakLabels;
    if (!v) return null;
    return v.some((x) => x !== -1) ? 'covered by a labelling function' : 'no labelling function fires';
  }
  const value = getField(row.fields, column);
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Rows without a split value named in the warning (the count says how many there are in all). */
const SHOWN_MISSING_ROWS = 5;

/** Where rows are in their file, for messages: `lines 3, 7`, with the record key of keyed (WRENCH) files. */
function rowPlaces(rows: readonly DatasetRow[]): string {
  const places = rows.map((r) => (r.key !== undefined ? `${r.line} (record "${r.key}")` : String(r.line)));
  return `${rows.length === 1 ? 'line' : 'lines'} ${places.join(', ')}`;
}

/**
 * Split-by mode: one file, one source per distinct value of a column. Rows without a value belong to no source:
 * they are left out with a warning that names the file, how many and the first lines; when no row has a value the
 * column is refused (a misspelt name, most likely).
 */
export function setupFromColumn(data: LoadedData, column: string, seed: number): SelectionSetup {
  if (!data.rows) {
    throw new InputError(`--split-by needs a dataset file with fields; "${data.name}" is an activation folder`, { file: data.path });
  }
  const groups = new Map<string, number[]>();
  let missing = 0;
  const firstMissing: DatasetRow[] = [];
  data.rows.forEach((r, i) => {
    const key = splitKey(r, column);
    if (key === null) {
      if (missing++ < SHOWN_MISSING_ROWS) firstMissing.push(r);
      return;
    }
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  });
  const total = data.rows.length;
  if (groups.size === 0) {
    throw new InputError(
      column === '@votes'
        ? `no row has labelling-function votes (weak_labels) to split by (${count(total, 'row')} read)`
        : `no row has a value in column "${column}" (${count(total, 'row')} read; check the name; nested fields use dots, e.g. data.source)`,
      { file: data.path },
    );
  }
  if (groups.size > MAX_SPLIT_GROUPS) {
    throw new InputError(`column "${column}" has ${groups.size} distinct values; at most ${MAX_SPLIT_GROUPS} sources are supported (bin the column first)`, { file: data.path });
  }
  const C = data.labelNames?.length ?? data.numClasses;
  const keys = [...groups.keys()].sort();
  const parts: Part[] = keys.map((key, k) => {
    const rows = Int32Array.from(groups.get(key)!);
    return { name: `${column} = ${key}`, data, rows, split: partSplit(data, rows, seed, k) };
  });
  const notes = [...data.notes];
  if (missing > 0) {
    // A warning, like rows without a label: the run goes on with the rows that have a value, and says which were left.
    const what = column === '@votes' ? 'no labelling-function votes (weak_labels)' : `no value in column "${column}"`;
    notes.push(
      `${data.name}: ${missing} of ${count(total, 'row')} ${missing === 1 ? 'has' : 'have'} ${what} and ${missing === 1 ? 'was' : 'were'} ` +
        `left out of every source (${missing === 1 ? 'at' : 'first at'} ${rowPlaces(firstMissing)}${missing > firstMissing.length ? ', ...' : ''})`,
    );
  }
  notes.push(
    `${data.name} split by ${column === '@votes' ? 'labelling-function coverage' : `column "${column}"`} into ${parts.length} sources ` +
      `(${parts.map((p) => `${p.name}: ${p.rows.length} rows`).join('; ')}); each is split into weak-train / pool / test`,
  );
  return setupFromParts(parts, C, data.labelNames, notes);
}

/** The input of the reference-split builder from one loaded data set. */
export function referenceInput(data: LoadedData): DetectedReferenceInput {
  return {
    weak: data.weak,
    strong: data.strong,
    labels: data.labels,
    numClasses: data.labelNames?.length ?? data.numClasses,
    split: data.split,
    membership: data.membership,
    labelNames: data.labelNames,
    name: data.name,
  };
}

export interface SelectFromPathsOptions extends LoadSourcesOptions {
  /** How SOURCE paths become sources: one per path (default), one file split by a column, or a reference mode. */
  splitBy?: string;
  reference?: 'split' | 'synthetic';
  /** Overlap shares of the reference sources (default 10% / 90%). */
  shares?: readonly number[];
  /** Size of the synthetic reference data set (default 4000 overlap + 4000 other rows). */
  synthetic?: { nOverlap: number; nNonOverlap: number };
  plan: PlanRequest;
  selection: Partial<SelectionOptions>;
  /** Execution provider that ran, for the result (the backend's report when encoders ran). */
  device?: string;
}

/**
 * The one selection pipeline the CLI and the extension both call: SOURCE paths -> sources (files, a column split or
 * a reference mode) -> UCB and the baselines over seeds -> SelectionResult. Writes nothing.
 */
export async function selectFromPaths(paths: readonly string[], options: SelectFromPathsOptions, hooks: LoadSourcesHooks = {}): Promise<SelectionResult> {
  const progress = hooks.progress ?? (() => {});
  const seed = options.plan.seed ?? 0;
  const sel = options.selection;
  let setup: SelectionSetup;
  let mode: SelectionMode;
  let encoders: { weak: EncoderInfo; strong: EncoderInfo };
  let loadShare = 0;
  if (options.reference === 'synthetic') {
    if (paths.length > 0) throw new InputError('the synthetic reference builds its own data: give no SOURCE');
    const size = options.synthetic ?? { nOverlap: 4000, nNonOverlap: 4000 };
    setup = syntheticReferenceSetup({ ...size, shares: options.shares, seed });
    mode = 'reference-synthetic';
    encoders = {
      weak: { id: 'synthetic-easy-block', kind: 'synthetic', dim: 40 },
      strong: { id: 'synthetic-full', kind: 'synthetic', dim: 40 },
    };
  } else {
    if ((options.reference === 'split' || options.splitBy) && paths.length !== 1) {
      throw new InputError(`${options.reference ? 'a reference split' : 'a column split'} works on one SOURCE, got ${paths.length}`);
    }
    if (!options.reference && !options.splitBy && paths.length === 1) {
      throw new InputError(
        `selection needs at least 2 data sources, got 1 ("${paths[0]}"): give more files, split this one by a column ` +
          '(--split-by COLUMN), or build sources from it by detected overlap (--reference split)',
      );
    }
    loadShare = 0.3;
    const data = await loadSelectionData(paths, options, { ...hooks, progress: (stage, f, d) => progress(stage, loadShare * f, d) });
    encoders = data[0].encoders;
    if (options.reference === 'split') {
      setup = await detectedReferenceSetup(referenceInput(data[0]), {
        shares: options.shares, seed, hardRule: sel.hardRule ?? DEFAULT_SELECTION_OPTIONS.hardRule,
        align: sel.align ?? DEFAULT_SELECTION_OPTIONS.align, jump: sel.jump ?? DEFAULT_SELECTION_OPTIONS.jump,
        l2: sel.l2 ?? DEFAULT_SELECTION_OPTIONS.l2, kernel: hooks.inference?.alignmentKernel(), signal: hooks.signal,
      });
      setup.notes = [...data[0].notes, ...(setup.notes ?? [])];
      mode = 'reference-split';
    } else if (options.splitBy) {
      setup = setupFromColumn(data[0], options.splitBy, seed);
      mode = 'split-by';
    } else {
      setup = setupFromFiles(data, seed);
      mode = 'files';
    }
  }
  const result = await runSelection(setup, options.plan, sel, { mode, encoders, device: options.device ?? 'cpu' }, {
    kernel: hooks.inference?.alignmentKernel(),
    signal: hooks.signal,
    progress: (stage, f, d) => progress(stage, loadShare + (1 - loadShare) * f, d),
  });
  // The provider that actually ran (after any fallback) is known once the encoders and the kernel have run.
  if (!options.device && hooks.inference) result.device = hooks.inference.device();
  return result;
}

/** Writes a selection result atomically (creating its folder): readers never see half a file. */
export async function writeSelectionResult(file: string, result: SelectionResult): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(result)));
}
