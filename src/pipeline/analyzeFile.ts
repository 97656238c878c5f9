import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { getField, readDataset } from '../core/data';
import { FieldValueError, toNumberArray } from '../core/data/coerce';
import { detectFormat } from '../core/data/detect';
import { notRegularFileError, readHead, statErrorWords } from '../core/data/file';
import { unifyDatasetLabels, type LabelSet } from '../core/data/labels';
import { findTextRepeats, textRepeatWarnings } from '../core/data/repeats';
import type { Dataset, DatasetRow } from '../core/data/types';
import { runAnalysis } from '../core/experiment/analyze';
import type { WeakSide } from '../core/experiment/protocol';
import { halvesWithTest, randomThirds } from '../core/experiment/split';
import { throwIfAborted, type ProgressFn } from '../core/encoder';
import { InputError } from '../core/errors';
import { concatArrays, selectRows, stackRows, type Matrix } from '../core/linalg/matrix';
import type { EncoderInfo, ReadInfo, WeakVotesSummary } from '../core/result/schema';
import { activationFileId, readActivationFile, sha256File } from '../core/activations/file';
import { COST_PER_ROW, sideCostPerRow, WeightedProgress } from './progressPlan';
import { zeroWidth } from '../core/activations/tensor';
import { ActivationCache, cachedShare, encodeWithCache } from '../inference/cache';
import { checkOverlapFolder, refuseForeignOutputs, refuseOutputsOverInputs, requireFolderOrNothing, sameFile, type PathRole } from './outputs';
import { recordHistory } from './history';
import { defaultResultPath, writeResult } from './results';
import type { InferenceBackend, ModelSpec, PipelineHooks, PipelineOptions, PipelineOutcome } from './types';
import { probabilityColumn, votesWeakSide } from './weakVotes';
import { cacheDir } from '../core/layout';
import { checkPipelineRequest, REQUEST_OPTIONS } from './request';

/** Default weak capacity: GloVe restricted to its 2,000 most frequent words (README "Models"); src/pipeline/request.ts holds it. */
export const DEFAULT_GLOVE_VOCAB = REQUEST_OPTIONS.weakVocabulary.default;

// Exported for src/pipeline/sources.ts (data-source selection loads each source the same way).
export interface Source {
  dataset: Dataset;
  file: string;
  hash: string;
  /** Positions (into dataset.rows) of the labelled rows that take part. */
  rows: DatasetRow[];
}

/**
 * The one analysis pipeline the CLI and the extension both call:
 * dataset file -> rows -> activations (cache / sidecars / fields / encoders) -> W2S protocol -> detection
 * -> mixing curve -> regime -> result JSON written atomically next to the data (nothing is written on failure
 * or cancellation).
 */
export async function analyzeDatasetFile(
  datasetPath: string,
  options: PipelineOptions,
  hooks: PipelineHooks = {},
): Promise<PipelineOutcome> {
  const progress: ProgressFn = hooks.progress ?? (() => {});
  const signal = hooks.signal;
  const t0 = performance.now();
  checkPipelineRequest(options);
  const inputs = await resolveInputs(datasetPath, options.testFile);
  const file = inputs.file;
  const resultPath = options.outFile ? path.resolve(options.outFile) : defaultResultPath(file);
  await checkWhereItWrites(file, resultPath, { ...options, testFile: inputs.testFile });
  progress('reading data', 0);
  const main = await loadSource(file, options, signal);
  const test = inputs.testFile ? await loadSource(inputs.testFile, options, signal) : undefined;
  throwIfAborted(signal);
  // A dataset and its test file share one class set.
  const labelSet = unifyDatasetLabels(test ? [main, test] : [main]);
  const readSeconds = (performance.now() - t0) / 1000;
  // (once each: a dataset and its test file read the same label.json or classes.txt, with the same warning about it)
  const warnings: string[] = [...new Set([...main.dataset.warnings, ...(test?.dataset.warnings ?? [])].map((w) =>
    w.file ? `${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}` : w.message,
  ))];
  const unlabelled = main.dataset.rows.length - main.rows.length;
  // the reader names the file and lines of the rows it left out (Dataset.leftOut); a count for any it did not
  if (unlabelled > 0 && !main.dataset.leftOut?.unlabelledLines.length) warnings.push(`${unlabelled} rows without a label were left out of the analysis`);
  if (test) warnings.push(...testOnlyClassWarnings(main, test, labelSet));
  // Repeated texts and test rows that are also training rows: the analysis runs, the reader is told (repeats.ts).
  warnings.push(...textRepeatWarnings(findTextRepeats(main.rows, test?.rows), path.basename(main.file), test ? path.basename(test.file) : undefined));

  const all = test ? [...main.rows, ...test.rows] : main.rows;
  const numClasses = labelSet.numClasses;
  const labels = Int32Array.from(all, (r) => r.label as number);
  const seed = options.analysis?.seed ?? 0;
  const split = splitFor(main, test, seed);
  if (inputs.noTestBecause && !test && !hasSplitField(main)) warnings.push(inputs.noTestBecause);

  // One bar weighted by the expected cost of each stage; a side read from the cache is re-weighed when it says so.
  const seeds = Math.max(1, options.analysis?.seeds ?? 10);
  const plan = new WeightedProgress(progress, [
    ['strong', all.length * sideCostPerRow(options.strong)],
    ['weak', all.length * sideCostPerRow(options.weak)],
    ['analysis', all.length * (COST_PER_ROW.analysis + seeds * COST_PER_ROW.analysisPerSeed)],
  ]);
  const sideProgress = (side: 'strong' | 'weak'): ProgressFn => {
    const report = plan.stage(side);
    const spec = side === 'strong' ? options.strong : options.weak;
    return (stage, f, detail) => {
      // All rows from the cache, or (after an edit) most of them: the rest of this side costs what is left to encode.
      const share = cachedShare(detail);
      if (share !== undefined) plan.reweigh(side, all.length * (share * COST_PER_ROW.cacheRead + (1 - share) * sideCostPerRow(spec)));
      report(stage, f, detail);
    };
  };
  const strong = await sideActivations('strong', options.strong, main, test, options, hooks.inference, sideProgress('strong'), signal);
  const weak = await weakSide(options.weak, main, test, numClasses, options, hooks.inference, sideProgress('weak'), signal, split);
  throwIfAborted(signal);
  for (const note of [...strong.notes, ...weak.notes]) warnings.push(note);

  const lines = Int32Array.from(all, (r) => r.line);
  const membership = membershipOf(all, (k) => (k < main.rows.length ? main.file : test!.file));
  if (membership === 'partial') warnings.push('some rows have a "membership" field and some do not: ground truth ignored');
  const result = await runAnalysis(
    {
      weak: weak.side,
      strong: strong.matrix,
      labels,
      numClasses,
      split,
      encoders: { weak: weak.info, strong: strong.info },
      dataset: {
        path: file,
        format: main.dataset.format,
        contentHash: main.hash,
        labelNames: labelSet.labelNames,
        ...(test ? { testFile: test.file } : {}),
        read: readInfo(main, test, labelSet, inputs.pairedBecause),
      },
      device: deviceUsed(hooks.inference),
      lines,
      warnings,
      ...(membership instanceof Uint8Array ? { membership } : {}),
    },
    options.analysis ?? {},
    {
      kernel: hooks.inference?.alignmentKernel(),
      signal,
      progress: plan.stage('analysis'),
    },
  );
  // runAnalysis numbers rows by position; the editor needs dataset row indices. Test-file rows keep their
  // position after the main rows and carry no line (they are not in this file).
  const datasetIndex = Int32Array.from(all, (r, k) => (k < main.rows.length ? r.index : -1));
  for (const row of result.rows) {
    const pos = row.index;
    row.index = k2i(datasetIndex, pos, main.rows.length);
    if (pos >= main.rows.length) delete row.line;
    if (row.nearestHard !== undefined && row.nearestHard !== null) {
      row.nearestHard = k2i(datasetIndex, row.nearestHard, main.rows.length);
    }
  }
  if (result.map) result.map.rowIndex = result.map.rowIndex.map((pos) => k2i(datasetIndex, pos, main.rows.length));
  if (weak.votes) result.weakVotes = weak.votes;
  // The alignment kernel may have opened the first session: ask which provider ran only now.
  result.device = deviceUsed(hooks.inference);
  // With `auto` (the default) trying a GPU provider and running on the CPU is normal: result.device says which ran.
  // Only a provider the user asked for by name and did not get is worth a warning.
  const asked = options.device && options.device !== 'auto' ? options.device : undefined;
  for (const f of providerFallbacks(hooks.inference)) {
    if (asked && f.provider === asked) result.warnings.push(`execution provider ${f.provider} was asked for but not used: ${f.reason}; ran on ${result.device}`);
  }
  result.timings = { read: readSeconds, ...strong.timings, ...weak.timings, ...result.timings, total: (performance.now() - t0) / 1000 };
  throwIfAborted(signal);
  await writeResult(resultPath, result);
  // History sits beside the default result: with the result sent elsewhere (--out) nothing else is written by the data.
  if (options.history === false || resultPath !== path.resolve(defaultResultPath(file))) return { result, resultPath };
  const history = await recordHistory(file, result).then(
    (entry) => ({ path: entry }),
    (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }),
  );
  return { result, resultPath, history };
}

/**
 * The files the weak and strong specs of an analysis of `datasetFile` read (activations, ONNX models, tokenizers):
 * inputs that no output of any command may replace, with --force too.
 */
export function modelSpecInputs(options: { weak?: ModelSpec; strong?: ModelSpec }, datasetFile: string): PathRole[] {
  const dataDir = path.dirname(path.resolve(datasetFile));
  return [...(options.weak ? specInputs(options.weak, 'weak', dataDir) : []), ...(options.strong ? specInputs(options.strong, 'strong', dataDir) : [])];
}

/** Model specs that read a file the user named. */
function specInputs(spec: ModelSpec, side: 'weak' | 'strong', dataDir: string): PathRole[] {
  if (spec.kind === 'npy' || spec.kind === 'safetensors') return [{ path: path.resolve(dataDir, spec.path), role: `the ${side} activations` }];
  if (spec.kind !== 'onnx') return [];
  const model = { path: path.resolve(spec.path), role: `the ${side} model` };
  return spec.tokenizer ? [model, { path: path.resolve(spec.tokenizer), role: `the ${side} tokenizer` }] : [model];
}

const usesEncoderCache = (spec: ModelSpec) => spec.kind === 'bundled' || spec.kind === 'onnx';

/**
 * Before anything is read: the result must not replace an input, the test file must not be the dataset, and the
 * `.overlap` folder the run writes into (result, cache) must not lead outside the dataset's folder.
 */
async function checkWhereItWrites(file: string, resultPath: string, options: PipelineOptions): Promise<void> {
  const dataDir = path.dirname(file);
  const inputs: PathRole[] = [{ path: file, role: 'the dataset' }];
  if (options.testFile) {
    const testFile = path.resolve(options.testFile);
    if (await sameFile(testFile, file)) {
      throw new InputError('--test-file is the dataset itself: a test set must hold other rows than the ones trained on', { file: testFile });
    }
    inputs.push({ path: testFile, role: 'the --test-file' });
  }
  inputs.push(...modelSpecInputs(options, file));
  await refuseOutputsOverInputs([{ path: resultPath, role: options.outFile ? '--out' : 'the result file' }], inputs);
  if (options.outFile) await refuseForeignOutputs([{ path: resultPath, role: '--out' }], options.force === true, 'analysis result');
  if (options.cacheDir) await requireFolderOrNothing(options.cacheDir, '--cache-dir');
  const cacheInOverlap = !options.cacheDir && (usesEncoderCache(options.weak) || usesEncoderCache(options.strong));
  if (!options.outFile || cacheInOverlap) await checkOverlapFolder(dataDir);
  await requireWritable(path.dirname(resultPath));
}

/**
 * The result's folder, or the nearest folder above it that exists, must be writable: a read-only data folder (a
 * mount, no permission) fails now with the file system's code and path, not after the encoders ran. Nothing is
 * created here.
 */
async function requireWritable(dir: string): Promise<void> {
  let at = path.resolve(dir);
  for (;;) {
    const info = await fs.stat(at).catch(() => undefined);
    if (info) break;
    const up = path.dirname(at);
    if (up === at) return;
    at = up;
  }
  await fs.access(at, fsConstants.W_OK);
}

/** Main-file rows keep their dataset index; test-file rows are numbered after the last main row. */
function k2i(datasetIndex: Int32Array, pos: number, nMain: number): number {
  return pos < nMain ? datasetIndex[pos] : datasetIndex[nMain - 1] + 1 + (pos - nMain);
}

/**
 * Classes that only the test file has: no probe ever sees a training row of them, so every test row of such a class
 * counts as an error for all three models. Usually a spelling that differs between the files (`Positive` / `positive`),
 * which the words point at.
 */
function testOnlyClassWarnings(main: Source, test: Source, labels: LabelSet): string[] {
  const inMain = new Set<number>(main.rows.map((r) => r.label as number));
  const testCounts = new Map<number, number>();
  for (const r of test.rows) testCounts.set(r.label as number, (testCounts.get(r.label as number) ?? 0) + 1);
  const only = [...testCounts.keys()].filter((id) => !inMain.has(id)).sort((a, b) => a - b);
  if (only.length === 0) return [];
  const name = (id: number) => String(labels.labelNames?.[id] ?? labels.classes[id]?.value ?? id);
  const lower = new Map<string, string>();
  for (const id of inMain) lower.set(name(id).toLowerCase(), name(id));
  const shown = only.slice(0, 5).map((id) => {
    const twin = lower.get(name(id).toLowerCase());
    return `${name(id)} (${testCounts.get(id)} test rows${twin !== undefined ? `; ${path.basename(main.file)} has ${twin}` : ''})`;
  });
  const more = only.length > 5 ? ` and ${only.length - 5} more` : '';
  const one = only.length === 1;
  return [
    `${path.basename(test.file)}: ${one ? 'class' : 'classes'} ${shown.join(', ')}${more} ${one ? 'is' : 'are'} in the test file only: no model is trained on ${one ? 'it' : 'them'}, so ${one ? 'its' : 'their'} test rows count as errors for every model; check the spelling of the labels in both files`,
  ];
}

/** WRENCH keeps each benchmark in a folder: train.json (the pool), valid.json, test.json, label.json. */
const WRENCH_SPLITS = { train: 'train.json', test: 'test.json' } as const;

/**
 * The files an analysis reads: a folder holding a WRENCH train.json means that file; a WRENCH train.json without a
 * named test file is paired with the test.json beside it (the benchmark's own test split; valid.json is not used).
 * A test.json there that is not a WRENCH split (`{}`, empty, another layout) is an error, never passed over; with no
 * test.json at all, `noTestBecause` says so (the test rows are then a random third of train.json).
 */
export async function resolveInputs(
  datasetPath: string,
  testFile: string | null | undefined,
): Promise<{ file: string; testFile?: string; pairedBecause?: string; noTestBecause?: string }> {
  let file = path.resolve(datasetPath);
  const info = await fs.stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new InputError(statErrorWords(e), { file });
  });
  if (!info.isDirectory() && !info.isFile()) throw notRegularFileError(file);
  if (info.isDirectory()) {
    const train = path.join(file, WRENCH_SPLITS.train);
    if (!(await isWrenchFile(train))) {
      throw new InputError(`this is a folder, not a dataset file (a WRENCH folder needs a WRENCH ${WRENCH_SPLITS.train})`, { file });
    }
    file = train;
  }
  if (typeof testFile === 'string') return { file, testFile: path.resolve(testFile) };
  if (testFile === null || path.basename(file) !== WRENCH_SPLITS.train || !(await isWrenchFile(file))) return { file };
  const test = path.join(path.dirname(file), WRENCH_SPLITS.test);
  if (!(await isWrenchFile(test))) {
    const info = await fs.stat(test).catch(() => undefined);
    if (!info) return { file, noTestBecause: `WRENCH folder without a ${WRENCH_SPLITS.test}: the test rows are a random third of ${WRENCH_SPLITS.train}, not the benchmark's test split (valid.json is not used)` };
    const what = info.isFile() ? await notWrenchWords(test, info.size) : 'is not a file';
    throw new InputError(
      `the ${WRENCH_SPLITS.test} beside the WRENCH ${WRENCH_SPLITS.train} ${what}, so it cannot be the test set; fix it, name another with --test-file FILE, or use --test-file none to test on a random third of ${WRENCH_SPLITS.train}`,
      { file: test },
    );
  }
  return { file, testFile: test, pairedBecause: `WRENCH folder: the ${WRENCH_SPLITS.test} beside ${WRENCH_SPLITS.train} is the test set; valid.json is not used` };
}

/** Whether a path is a WRENCH split file (by content, not name). */
export async function isWrenchFile(file: string): Promise<boolean> {
  try {
    return detectFormat(file, await readHead(file, 4096)) === 'wrench';
  } catch {
    return false;
  }
}

/** Why a file beside a WRENCH train.json is not a WRENCH split: it is empty, holds no records, or has another layout. */
async function notWrenchWords(file: string, size: number): Promise<string> {
  if (size === 0) return 'is empty';
  const head = new TextDecoder().decode(await readHead(file, 4096)).replace(/^\uFEFF/, '').trim();
  if (size <= 4096 && (head === '' || /^(\{\s*\}|\[\s*\])$/.test(head))) return 'holds no records';
  return 'is not a WRENCH split file ({"0": {"label": .., "data": {"text": ..}}, ...})';
}

// Exported for src/pipeline/sources.ts.
export async function loadSource(file: string, options: PipelineOptions, signal?: AbortSignal): Promise<Source> {
  try {
    await fs.access(file);
  } catch {
    throw new InputError('file not found', { file });
  }
  const dataset = await readDataset(file, {
    format: options.format,
    fields: options.fields,
    ...(options.header !== undefined ? { header: options.header } : {}),
    ...(options.classNames ? { classNames: options.classNames } : {}),
    keepFields: [...specFields(options.weak), ...specFields(options.strong), ...(options.keepFields ?? [])],
    signal,
  });
  const rows = dataset.rows.filter((r) => r.label !== null && r.label !== undefined);
  if (rows.length === 0) {
    const fields = dataset.read.labelField ? `the label field "${dataset.read.labelField}" is empty in every row` : 'no label field was found';
    throw new InputError(`no labelled rows: ${fields}; choose the label field`, { file, hint: 'label-field' });
  }
  return { dataset, file, hash: await sha256File(file), rows };
}

/** Row fields a model spec reads (a wide CSV keeps only the fields in use). */
function specFields(spec: ModelSpec): string[] {
  return (spec.kind === 'field' || spec.kind === 'votes' || spec.kind === 'probabilities') && spec.field ? [spec.field] : [];
}

/** What was read, for the result: the main file's decisions, class counts over the analysed rows, the test file's counts. */
function readInfo(main: Source, test: Source | undefined, labels: LabelSet, pairedBecause?: string): ReadInfo {
  const r = main.dataset.read;
  const counts = new Array<number>(labels.numClasses).fill(0);
  for (const row of [...main.rows, ...(test?.rows ?? [])]) counts[row.label as number]++;
  return {
    format: r.format,
    ...(r.header ? { header: { ...r.header, columns: r.header.columns.slice(0, 50) } } : {}),
    textFields: r.textFields,
    ...(r.textJoin !== undefined ? { textJoin: r.textJoin } : {}),
    unusedTextFields: r.unusedTextFields,
    ...(r.labelField ? { labelField: r.labelField } : {}),
    how: r.how,
    ...(r.classNamesFrom ? { classNamesFrom: r.classNamesFrom } : {}),
    classes: labels.classes.map((c) => ({ ...c, count: counts[c.id] })),
    rowsRead: r.rowsRead,
    skipped: r.skipped,
    skippedExamples: r.skippedExamples,
    unlabelled: main.dataset.rows.length - main.rows.length,
    ...(test
      ? {
          test: {
            file: test.file,
            rowsRead: test.dataset.read.rowsRead,
            skipped: test.dataset.read.skipped,
            unlabelled: test.dataset.rows.length - test.rows.length,
            ...(pairedBecause ? { pairedBecause } : {}),
          },
        }
      : {}),
  };
}

function splitFor(main: Source, test: Source | undefined, seed: number): Uint8Array {
  if (test) return halvesWithTest([...main.rows.map(() => false), ...test.rows.map(() => true)], seed);
  if (hasSplitField(main)) return Uint8Array.from(main.rows, (r) => r.split as number);
  return randomThirds(main.rows.length, seed);
}

/** Every row names its W2S split (a `split` field): the file's own split is used instead of random thirds. */
function hasSplitField(main: Source): boolean {
  return main.rows.every((r) => r.split !== undefined);
}

export interface SideOutcome {
  matrix: Matrix;
  info: EncoderInfo;
  notes: string[];
  timings: Record<string, number>;
}

// Exported for src/pipeline/sources.ts.
export async function sideActivations(
  side: 'weak' | 'strong',
  spec: ModelSpec,
  main: Source,
  test: Source | undefined,
  options: PipelineOptions,
  inference: InferenceBackend | undefined,
  progress: ProgressFn,
  signal?: AbortSignal,
): Promise<SideOutcome> {
  const t0 = performance.now();
  const timingKey = `${side}Activations`;
  const sources = test ? [main, test] : [main];
  switch (spec.kind) {
    case 'bundled':
    case 'onnx': {
      if (!inference) throw new Error('an inference backend is needed for model encoders');
      const resolved = spec.kind === 'bundled' && spec.id === 'glove-mean' && spec.vocab === undefined ? { ...spec, vocab: DEFAULT_GLOVE_VOCAB } : spec;
      const encoder = await inference.textEncoder(resolved);
      const parts: Matrix[] = [];
      const notes: string[] = [];
      let cached = 0;
      let reused = 0;
      for (const [k, src] of sources.entries()) {
        const texts = src.rows.map((r, i) => {
          if (typeof r.text !== 'string') {
            throw new InputError(`row has no text (no text field was found, or it is empty here); choose the text field`, { file: src.file, line: r.line ?? i + 1, hint: 'text-field' });
          }
          return r.text;
        });
        const out = await encodeWithCache(
          encoder,
          texts,
          { cache: new ActivationCache(options.cacheDir ?? cacheDir(src.file)), dataHash: src.hash, source: src.file },
          { signal, progress: (stage: string, f: number, d?: string) => progress(`${side} encoder: ${stage}`, (k + f) / sources.length, d) },
        );
        if (out.fromCache) cached++;
        reused += out.reusedRows;
        notes.push(...out.warnings.map((w) => `${path.basename(src.file)}: ${side} encoder: ${w.message}`));
        if (out.embeddings.cols === 0) throw zeroWidth(`the ${side} encoder's (${encoder.id}) outputs`, spec.kind === 'onnx' ? { file: spec.path } : {});
        parts.push(out.embeddings);
      }
      return {
        matrix: concatRows(parts),
        info: { id: encoder.id, kind: spec.kind, dim: encoder.dim, ...(spec.kind === 'onnx' ? { source: spec.path } : {}) },
        notes,
        timings: { [timingKey]: (performance.now() - t0) / 1000, [`${side}CacheHits`]: cached, [`${side}RowsFromCache`]: reused },
      };
    }
    case 'npy':
    case 'safetensors': {
      if (test) {
        throw new InputError(`${side} activations from a ${spec.kind} file cannot cover a separate test file; put the test rows in the dataset with a split field`, { file: spec.path });
      }
      const m = await readActivationFile(path.resolve(path.dirname(main.file), spec.path), spec.kind === 'safetensors' ? { tensor: spec.tensor } : {});
      const nRows = main.dataset.rows.length;
      if (m.rows !== nRows) {
        throw new InputError(`${side} activations have ${m.rows} rows but ${path.basename(main.file)} has ${nRows} rows`, { file: spec.path });
      }
      const labelled = Int32Array.from(main.rows, (r) => r.index);
      const sub = labelled.length === nRows ? m : selectRows(m, labelled);
      return { matrix: sub, info: { id: activationFileId(spec.path, spec.kind === 'safetensors' ? spec.tensor : undefined), kind: 'activations', dim: m.cols, source: spec.path }, notes: [], timings: { [timingKey]: (performance.now() - t0) / 1000 } };
    }
    case 'field': {
      const parts = sources.map((src) => fieldMatrix(src, spec.field, side));
      return { matrix: concatRows(parts), info: { id: `field:${spec.field}`, kind: 'activations', dim: parts[0].cols }, notes: [], timings: {} };
    }
    default:
      throw new InputError(`${side} model "${spec.kind}" gives no activations`);
  }
}

// Exported for src/pipeline/sources.ts.
export async function weakSide(
  spec: ModelSpec,
  main: Source,
  test: Source | undefined,
  numClasses: number,
  options: PipelineOptions,
  inference: InferenceBackend | undefined,
  progress: ProgressFn,
  signal?: AbortSignal,
  /** The analysis split over main + test rows: a label model is fitted on the non-test rows' votes only. */
  split?: Uint8Array,
): Promise<{ side: WeakSide; info: EncoderInfo; notes: string[]; timings: Record<string, number>; votes?: WeakVotesSummary }> {
  const sources = test ? [main, test] : [main];
  if (spec.kind === 'votes') {
    const seed = options.analysis?.seed ?? 0;
    const t0 = performance.now();
    const out = votesWeakSide(spec, sources, numClasses, seed, split, main.dataset.fields.weakLabels);
    return { side: out.side, info: out.info, notes: [], timings: { weakVotes: (performance.now() - t0) / 1000 }, votes: out.summary };
  }
  if (spec.kind === 'probabilities') {
    if (spec.field === main.dataset.fields.label) {
      throw new InputError(
        `the weak probabilities' field "${spec.field}" is the label field: the weak model would be the gold labels themselves (weak accuracy 1.000); name a field of the weak model's own probabilities`,
        { file: main.file },
      );
    }
    for (const src of sources) requireField(src, spec.field);
    const probs = concatFloat(
      sources.map((src) => probabilityColumn(src.rows.map((r) => getField(r.fields, spec.field)), numClasses, { file: src.file, field: spec.field, lines: src.rows.map((r) => r.line) })),
    );
    return { side: { kind: 'probabilities', probs }, info: { id: `prob:${spec.field}`, kind: 'probabilities', dim: 0 }, notes: [], timings: {} };
  }
  const out = await sideActivations('weak', spec, main, test, options, inference, progress, signal);
  return { side: { kind: 'activations', acts: out.matrix }, info: out.info, notes: out.notes, timings: out.timings };
}

/** Throws an InputError naming the file and the fields there are when no row of `src` has `field` at all. */
function requireField(src: Source, field: string): void {
  if (src.rows.length === 0 || src.rows.some((r) => getField(r.fields, field) !== undefined)) return;
  const names = Object.keys(src.rows[0].fields).slice(0, 12);
  throw new InputError(`no row has a field "${field}" (the first row has ${names.map((n) => `"${n}"`).join(', ')})`, { file: src.file });
}

function fieldMatrix(src: Source, field: string, side: string): Matrix<Float32Array> {
  // A CSV cell holds the vector as JSON text; the reader has already parsed (and checked) the detected activation fields.
  const f = src.dataset.fields;
  const vector = (r: DatasetRow): unknown => {
    if (field === f.weakActs) return r.weakActs;
    if (field === f.strongActs) return r.strongActs;
    const v = getField(r.fields, field);
    if (typeof v !== 'string') return v;
    try {
      return toNumberArray(v, field);
    } catch (e) {
      if (e instanceof FieldValueError) throw new InputError(e.message, { file: src.file, line: r.line });
      throw e;
    }
  };
  const first = vector(src.rows[0]);
  if (first === undefined) requireField(src, field);
  if (!Array.isArray(first)) throw new InputError(`field "${field}" is not an array of numbers`, { file: src.file, line: src.rows[0].line });
  const d = first.length;
  if (d === 0) throw zeroWidth(`${side} activations (field "${field}")`, { file: src.file, line: src.rows[0].line });
  const data = new Float32Array(src.rows.length * d);
  src.rows.forEach((r, i) => {
    const v = vector(r);
    if (!Array.isArray(v) || v.length !== d) {
      throw new InputError(`field "${field}" should be an array of ${d} numbers like the first row`, { file: src.file, line: r.line });
    }
    for (let j = 0; j < d; j++) {
      const x = v[j];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new InputError(`field "${field}" has a non-finite value at position ${j}`, { file: src.file, line: r.line });
      }
      data[i * d + j] = x;
    }
  });
  return { rows: src.rows.length, cols: d, data };
}

function concatRows(parts: Matrix[]): Matrix<Float32Array> {
  if (parts.length === 1 && parts[0].data instanceof Float32Array) return parts[0] as Matrix<Float32Array>;
  const cols = parts[0].cols;
  for (const p of parts) if (p.cols !== cols) throw new InputError(`activation widths differ (${p.cols} vs ${cols})`);
  return stackRows(parts);
}

function concatFloat(parts: Float64Array[]): Float64Array {
  return concatArrays(parts, Float64Array);
}

/** The execution provider that ran; when every activation came from the cache or from files, none did. */
function deviceUsed(inference: InferenceBackend | undefined): string {
  const d = inference?.device();
  return d && d !== 'not started' ? d : 'none (activations from cache or files)';
}

/** A Map, not an object: a value like "__proto__" or "constructor" must not find Object.prototype's members. */
const MEMBERSHIP_CODES = new Map<string, number>([
  ['easy', 0], ['easy-only', 0], ['0', 0], ['hard', 1], ['hard-only', 1], ['1', 1], ['overlap', 2], ['2', 2],
]);

/**
 * Ground-truth membership when every row carries it (synthetic data: a `membership` field holding easy / hard /
 * overlap or 0 / 1 / 2); then results get detection precision / recall / F1.
 */
function membershipOf(rows: DatasetRow[], fileOf: (k: number) => string): Uint8Array | 'partial' | undefined {
  let present = 0;
  const out = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    const raw = getField(r.fields, 'membership');
    if (raw === undefined || raw === null) return;
    const code = typeof raw === 'string' || typeof raw === 'number' ? MEMBERSHIP_CODES.get(String(raw).toLowerCase()) : undefined;
    if (code === undefined) {
      const shown = typeof raw === 'string' ? JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}...` : raw) : Array.isArray(raw) ? 'an array' : typeof raw === 'object' ? 'an object' : String(raw);
      throw new InputError(`field "membership" is ${shown}; expected easy, hard or overlap (or 0, 1, 2)`, { file: fileOf(i), line: r.line });
    }
    out[i] = code;
    present++;
  });
  if (present === 0) return undefined;
  return present === rows.length ? out : 'partial';
}

/** Providers that were asked for or tried and failed (the worker and local backends both report them). */
function providerFallbacks(inference: InferenceBackend | undefined): readonly { provider: string; reason: string }[] {
  const withReport = inference as (InferenceBackend & { providerReport?: () => { fallbacks: readonly { provider: string; reason: string }[] } }) | undefined;
  return withReport?.providerReport?.().fallbacks ?? [];
}
