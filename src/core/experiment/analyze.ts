import { tsAlignmentKernel } from '../detect/alignKernel';
import { detectOverlap } from '../detect/detect';
import { minimumPoints } from '../detect/changepoint';
import { CATEGORY_NAMES, OVERLAP, type AlignMode, type AlignmentKernel, type HardRule } from '../detect/types';
import { throwIfAborted, type ProgressFn } from '../encoder';
import { InputError } from '../errors';
import type { Matrix } from '../linalg/matrix';
import { firstNonFinite, selectRows } from '../linalg/matrix';
import { SCHEMA_VERSION, type AnalysisResult, type DatasetInfo, type EncoderInfo, type ResultRow } from '../result/schema';
import { classNameOf } from '../result/names';
import { groundTruthReport } from './groundTruth';
import { DEFAULT_PROPORTIONS, mixingRun, type MixingRun } from './mixing';
import {
  batchesProbes, finishProtocol, fitStrongProbes, releaseStart, shareTestRows, startProtocol, type StrongProbes, type WeakSide,
} from './protocol';
import { chanceAccuracy, regimeMargin, regimeVerdict } from './regime';
import { batchGroupSize } from '../probe/batch';
import { probeStopWarning } from './convergence';
import { logitsPerRow } from '../probe';
import { SANITY_PREFIX, verdictEvidence } from './verdict';
import { indicesOf, randomThirds, SPLIT_NAMES, TEST, W2S_TRAIN } from './split';
import { TOOL_VERSION } from '../version';
import { MAP_PCA, mapOf, pca2, Pca2Rider, Pca2Steps } from '../linalg/pca';
import { prepareRidgeGram, type PreparedGram } from '../linalg/ridgeGemm';
import { Prefetched } from '../linalg/gemm';
import { resolveAlign, resolveStage1Scale } from '../detect/resolve';

export interface AnalysisOptions {
  hardRule: HardRule;
  /** Stage-2 score; `residual` (the default) needs weak activations and becomes `dot-max` (with a warning) without them. */
  align: AlignMode;
  /** Stage-1 change-point scale; 'auto' = 'log' for the residual detector, 'linear' (the paper's) otherwise. */
  stage1Scale: 'auto' | 'linear' | 'log';
  pseudo: 'soft' | 'hard';
  l2: number;
  seed: number;
  /** Number of seeds of the mixing experiment (seed, seed + 1, ...). */
  seeds: number;
  jump: number;
}

export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = {
  hardRule: 'segment',
  align: 'residual',
  stage1Scale: 'auto',
  pseudo: 'soft',
  l2: 1e-3,
  seed: 0,
  /** 10 mixing seeds: a 95% interval of about +-0.7 sd of the per-seed effect (3 seeds: +-2.5 sd); docs/verdict.md. */
  seeds: 10,
  jump: 5,
};

export interface AnalysisInput {
  weak: WeakSide;
  strong: Matrix;
  labels: Int32Array;
  numClasses: number;
  /** 0 weak-train, 1 W2S-train, 2 test; seeded random thirds when omitted. */
  split?: Uint8Array;
  /** Where `split` came from, for messages about it (the arrays form's --split file, a dataset's split field). */
  splitSource?: string;
  /** Ground-truth membership (0 easy, 1 hard, 2 overlap) when known. */
  membership?: Uint8Array;
  encoders: { weak: EncoderInfo; strong: EncoderInfo };
  dataset?: Partial<DatasetInfo>;
  device?: string;
  /** 1-based source line per row, carried into the result for the editor. */
  lines?: ArrayLike<number>;
  warnings?: string[];
}

export interface AnalysisHooks {
  kernel?: AlignmentKernel;
  progress?: ProgressFn;
  signal?: AbortSignal;
  /** Tests: strong W2S-train values from / up to which the strong and W2S probes are fitted together (protocol.ts). */
  batchMinValues?: number;
  batchMaxValues?: number;
}

/**
 * Largest activation magnitude analysed. The detection's alignment products run in float32 (the alignment kernel,
 * onnxruntime's MatMul): two rows of values near 1e20 overflow to Infinity there, and the change point then fails
 * without saying why. 1e15 leaves room for 10^8 columns below float32's 3.4e38.
 */
export const MAX_ACTIVATION = 1e15;

/**
 * Refuses a weak side that tells no W2S-train row from another: every row the same weak confidence (every
 * labelling function abstaining everywhere, hard 0/1 weak labels, empty texts, a weak encoder that sees nothing in
 * them). The detection's first stage would then call every row easy (or every row hard) and the verdict would rest
 * on nothing. On fewer rows than the change points need, a warning (returned) instead: there it may be chance.
 */
function uninformativeWeakSide(confidence: Float64Array, input: AnalysisInput, minPoints: number): string | undefined {
  if (confidence.length < 2) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of confidence) {
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  if (!(hi - lo <= 1e-12)) return undefined;
  const why = input.weak.kind === 'probabilities'
    ? 'do the labelling functions vote on these rows, and do the weak probabilities differ (hard 0/1 labels carry no confidence)?'
    : input.dataset?.format === 'npy'
      ? 'are the weak activations the same on every row (a constant or broken export)?'
      : 'are the texts empty, or all alike to the weak encoder?';
  const what = `every one of the ${confidence.length} W2S-train rows gets the same weak confidence (${lo.toFixed(3)}): the weak side tells ` +
    'no row from another, so no row is easier or harder for it';
  // on a handful of rows (too few for the change points: they fall back to the median, with a warning) it may be chance
  if (confidence.length < minPoints) return `${what}; ${why}`;
  throw new InputError(`${what} and the analysis would mean nothing; ${why}`, { file: sideFile(input, 'weak') });
}

/**
 * The arrays file of a side's activations (the CLI's --weak-acts / --strong-acts, a dataset's npy: / safetensors:
 * spec), undefined where they came from a dataset file or an encoder.
 */
function arraysSource(input: AnalysisInput, side: 'weak' | 'strong'): string | undefined {
  const enc = input.encoders[side];
  return input.dataset?.format === 'npy' || (enc.kind === 'activations' && enc.source) ? enc.source : undefined;
}

/** The file a side's numbers came from, for an error about them: its arrays file, else the dataset. */
function sideFile(input: AnalysisInput, side: 'weak' | 'strong'): string {
  const source = arraysSource(input, side);
  return source ? `${source} (${side} activations)` : input.dataset?.path ?? `the ${side} side`;
}

/**
 * The strong side's twin of uninformativeWeakSide: every W2S-train row with the same strong activations (a constant
 * export, empty texts, texts all alike to the strong encoder) gives a strong probe that answers one class and a
 * detection whose second stage sees no differences: refused, a warning below the change points' row count. Reads
 * until the first difference, which on real data is within the first two rows.
 */
function uniformStrongSide(strong: Matrix, input: AnalysisInput, minPoints: number): string | undefined {
  const { rows, cols, data } = strong;
  if (rows < 2 || cols === 0) return undefined;
  for (let i = 1; i < rows; i++) {
    for (let j = 0, a = i * cols; j < cols; j++) if (data[a + j] !== data[j]) return undefined;
  }
  const why = input.dataset?.format === 'npy'
    ? 'are the strong activations the same on every row (a constant or broken export)?'
    : 'are the texts empty, or all alike to the strong encoder?';
  const what = `every one of the ${rows} W2S-train rows has the same strong activations: the strong model tells no row from another`;
  if (rows < minPoints) return `${what}; ${why}`;
  throw new InputError(`${what}, so its accuracy and the overlap it finds would mean nothing; ${why}`, { file: sideFile(input, 'strong') });
}

/**
 * Where an error about one of the input's arrays points: on arrays (the CLI's --weak-acts/--strong-acts/--labels,
 * dataset format "npy") the file it came from; otherwise its role (a dataset file's reader has named file and line
 * already).
 */
function whereIn(input: AnalysisInput): (name: string) => { file: string } {
  const files: Record<string, string | undefined> = {
    'strong activations': arraysSource(input, 'strong'), 'weak activations': arraysSource(input, 'weak'), labels: input.dataset?.path,
  };
  return (name: string) => ({ file: files[name] ? `${files[name]} (${name})` : name });
}

/** The input's shapes, labels and split (validateValues checks the activations' values, the slow part). */
function validate(input: AnalysisInput): void {
  const n = input.labels.length;
  const where = whereIn(input);
  if (n === 0) throw new InputError('no labelled rows to analyse');
  if (input.strong.rows !== n) {
    throw new InputError(`strong activations have ${input.strong.rows} rows but there are ${n} labels`, where('strong activations'));
  }
  if (input.weak.kind === 'activations' && input.weak.acts.rows !== n) {
    throw new InputError(`weak activations have ${input.weak.acts.rows} rows but there are ${n} labels`, where('weak activations'));
  }
  if (input.weak.kind === 'probabilities' && input.weak.probs.length !== n * input.numClasses) {
    throw new InputError(`weak probabilities have ${input.weak.probs.length} values, expected ${n} x ${input.numClasses}`);
  }
  validateLabels(input, where);
  if (input.split && input.split.length !== n) {
    throw new InputError(`split has ${input.split.length} entries but there are ${n} rows`, where('split'));
  }
  if (input.membership && input.membership.length !== n) {
    throw new InputError(`membership has ${input.membership.length} entries but there are ${n} rows`, where('membership'));
  }
}

/**
 * Every activation finite and within MAX_ACTIVATION: one pass over all of them (~0.1 s at bench/core's 77 million
 * values), made after the analysis has asked the kernel's other thread for its memory, so that it runs meanwhile.
 */
function validateValues(input: AnalysisInput): void {
  const where = whereIn(input);
  const checkFinite = (m: Matrix, name: string) => {
    const bad = firstNonFinite(m.data, MAX_ACTIVATION);
    if (bad >= 0) {
      const v = m.data[bad];
      const at = `row ${Math.floor(bad / m.cols)}, column ${bad % m.cols}`;
      if (!Number.isFinite(v)) throw new InputError(`non-finite value ${v} at ${at}`, where(name));
      throw new InputError(
        `value ${v.toPrecision(3)} at ${at} is too large: activations beyond ±${MAX_ACTIVATION.toExponential(0)} overflow the ` +
          'float32 dot products of the detection; rescale them (divide every value by one constant)',
        where(name),
      );
    }
  };
  checkFinite(input.strong, 'strong activations');
  if (input.weak.kind === 'activations') checkFinite(input.weak.acts, 'weak activations');
}

/**
 * Activations that hold the label (labelColumn): a warning, not a refusal, because small hand-made data often has a
 * feature that the label decides, and a toy analysis of it is legitimate; the arrays form refuses the one certain case,
 * the labels file given as activations (src/cli/analyze.ts).
 */
function leakNotes(input: AnalysisInput): string[] {
  const where = whereIn(input);
  const notes: string[] = [];
  const sides = [[input.strong, 'strong activations'], [input.weak.kind === 'activations' ? input.weak.acts : null, 'weak activations']] as const;
  for (const [m, name] of sides) {
    const leak = m ? labelColumn(m, input.labels, input.numClasses) : undefined;
    if (!m || !leak) continue;
    const names = leak.values.map((v, c) => `${input.dataset?.labelNames?.[c] ?? c}: ${v}`).join(', ');
    const file = where(name).file;
    notes.push(
      `${file === name ? '' : `${file}: `}column ${leak.column} of the ${name} holds the label (one value per class on every row: ${names})` +
        `${m.cols === 1 ? ', and it is their only column' : ''}: if the labels were saved among the activations, the probes read the answer ` +
        'and the accuracies mean nothing; give activations computed from the inputs alone',
    );
  }
  return notes;
}

/**
 * Rows this short against the probes' penalty (l2 / median squared row norm above SHORT_ROWS_RATIO) leave the probes
 * near chance: the penalty outweighs what any weight can gain (activations scaled by 1e-2 took a strong probe from
 * 0.92 to 0.73 in a sweep; the probes are not scale-free). Very long rows are refused elsewhere (MAX_ACTIVATION).
 */
export const SHORT_ROWS_RATIO = 0.01;

/** The warning for rows too short for the penalty (median of up to 2,000 evenly spaced rows), or undefined. */
export function shortRowsNote(m: Matrix, l2: number, side: string): string | undefined {
  if (m.rows === 0 || m.cols === 0 || !(l2 > 0)) return undefined;
  const step = Math.max(1, Math.floor(m.rows / 2000));
  const sq: number[] = [];
  for (let i = 0; i < m.rows; i += step) {
    let s = 0;
    for (let j = 0, a = i * m.cols; j < m.cols; j++) s += m.data[a + j] * m.data[a + j];
    sq.push(s);
  }
  sq.sort((a, b) => a - b);
  const median = sq[Math.floor(sq.length / 2)];
  if (median === 0 || l2 / median <= SHORT_ROWS_RATIO) return undefined;
  const norm = Math.sqrt(median);
  const factor = 10 ** Math.ceil(Math.log10(Math.sqrt(l2 / SHORT_ROWS_RATIO) / norm));
  return (
    `the ${side} activations' rows are short (median length ${norm.toPrecision(2)}) for the probes' penalty (l2 ${l2}): the penalty ` +
    `outweighs what the probes can learn and holds their accuracy down, toward chance; multiply every value by one constant ` +
    `(for example ${factor}) or lower --l2`
  );
}

/** Weak-train rows from which a given split with one class there is refused (fewer: a warning, as on tiny data). */
const WEAK_TRAIN_ONE_CLASS_ROWS = 10;

/** Fewest rows in every class for labelColumn to call a column the label (a chance match is then out of reach). */
export const LEAK_MIN_CLASS_ROWS = 10;

/**
 * The first column of `m` that is a function of the label: one value per class on every row, not one value overall
 * (the labels, or a one-hot column of them, saved among the activations). Only when every class has at least
 * LEAK_MIN_CLASS_ROWS rows: a binary or sparse feature can match a class of a few rows by chance. Each column is read
 * until its first row that breaks the rule, so an ordinary matrix costs a few rows per column.
 */
export function labelColumn(m: Matrix, labels: ArrayLike<number>, numClasses: number): { column: number; values: number[] } | undefined {
  const n = m.rows;
  if (labels.length !== n || numClasses < 2) return undefined;
  const counts = new Array<number>(numClasses).fill(0);
  const first = new Int32Array(numClasses).fill(-1);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < numClasses)) return undefined;
    counts[y]++;
    if (first[y] < 0) first[y] = i;
  }
  if (counts.some((c) => c < LEAK_MIN_CLASS_ROWS)) return undefined;
  const d = m.cols;
  const data = m.data;
  const values = new Float64Array(numClasses);
  for (let j = 0; j < d; j++) {
    for (let c = 0; c < numClasses; c++) values[c] = data[first[c] * d + j];
    let distinct = false;
    for (let c = 1; c < numClasses && !distinct; c++) distinct = values[c] !== values[0];
    if (!distinct) continue;
    let i = 0;
    for (; i < n; i++) if (data[i * d + j] !== values[labels[i]]) break;
    if (i === n) return { column: j, values: Array.from(values) };
  }
  return undefined;
}

/** Every label a class id, and at least two classes. */
function validateLabels(input: AnalysisInput, where: (name: string) => { file: string }): void {
  const n = input.labels.length;
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const y = input.labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= input.numClasses) {
      throw new InputError(`label ${y} at row ${i} is not a class id in 0..${input.numClasses - 1}`, where('labels'));
    }
    seen.add(y);
  }
  if (seen.size < 2) {
    // Name the class as the data writes it (ids are dense after reading: the data's "1" may be class 0).
    const only = [...seen][0];
    const name = input.dataset?.labelNames?.[only] ?? String(only);
    throw new InputError(`all labels are ${name}: a probe needs at least two classes`, where('labels'));
  }
}

/**
 * The whole analysis on activations: W2S protocol, overlap detection on W2S-train, mixing curve over seeds,
 * regime verdict, ground-truth scores when membership is known. Pure: no file or model access.
 */
export async function runAnalysis(
  input: AnalysisInput,
  options: Partial<AnalysisOptions> = {},
  hooks: AnalysisHooks = {},
): Promise<AnalysisResult> {
  const opts: AnalysisOptions = { ...DEFAULT_ANALYSIS_OPTIONS, ...options };
  validate(input);
  const warnings = [...(input.warnings ?? [])];
  const detector = resolveAlign(opts.align, input.weak.kind === 'activations');
  opts.align = detector.align;
  if (detector.note) warnings.push(detector.note);
  const stage1Scale = resolveStage1Scale(opts.stage1Scale, opts.align);
  const progress = hooks.progress ?? (() => {});
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    timings[name] = (timings[name] ?? 0) + (performance.now() - t0) / 1000;
    return r;
  };
  const n = input.labels.length;
  const C = input.numClasses;
  const split = input.split ?? randomThirds(n, opts.seed);
  const counts = [0, 0, 0];
  for (let i = 0; i < n; i++) counts[split[i]]++;
  const splitWhere = input.split && input.splitSource ? { file: input.splitSource } : {};
  for (const code of [0, 1, 2]) {
    if (counts[code] === 0 && !(code === 0 && input.weak.kind === 'probabilities')) {
      throw new InputError(
        input.split
          ? `the ${SPLIT_NAMES[code]} split is empty: the split marks no row ${code} (${n} rows in all; ${counts.map((c, k) => `${c} rows ${k}`).join(', ')}); ` +
              'every part needs rows (0 weak-train, 1 W2S-train, 2 test)'
          : `the ${SPLIT_NAMES[code]} split is empty (${n} rows in all); add rows`,
        splitWhere,
      );
    }
  }
  // A class missing from a split is analysed without a word otherwise: a probe never trained on it, or accuracies
  // that never test it (a hand-made split, or a small class in a seeded one).
  const perSplit = [0, 1, 2].map(() => new Array<number>(C).fill(0));
  for (let i = 0; i < n; i++) perSplit[split[i]][input.labels[i]]++;
  const className = (c: number) => input.dataset?.labelNames?.[c] ?? String(c);
  // a weak probe trained on one class answers that class everywhere: the weak side would look broken, not the split
  // (a split the user gave, with rows enough to hold two classes: on a handful of rows the warnings below say it)
  const weakTrainClasses = perSplit[0].filter((m) => m > 0).length;
  if (input.split && input.weak.kind !== 'probabilities' && weakTrainClasses < 2 && counts[0] >= WEAK_TRAIN_ONE_CLASS_ROWS) {
    const only = perSplit[0].findIndex((m) => m > 0);
    throw new InputError(
      `the weak-train split holds class ${className(only)} only (${counts[0]} rows): the weak probe cannot learn to tell classes apart; ` +
        'give a split whose weak-train rows (code 0) hold every class',
      splitWhere,
    );
  }
  const consequence = ['the weak probe never sees', 'the strong and W2S probes never see', 'the accuracies never test'];
  for (const code of [0, 1, 2]) {
    if (code === 0 && input.weak.kind === 'probabilities') continue; // no weak probe to train
    const missing = perSplit[code].flatMap((m, c) => (m === 0 ? [className(c)] : []));
    if (missing.length > 0) {
      const few = missing.length > 5 ? `${missing.slice(0, 5).join(', ')} and ${missing.length - 5} more` : missing.join(', ');
      warnings.push(`${missing.length === 1 ? 'class' : 'classes'} ${few} ${missing.length === 1 ? 'has' : 'have'} no row in the ${SPLIT_NAMES[code]} split: ${consequence[code]} ${missing.length === 1 ? 'it' : 'them'}`);
    }
  }
  warnings.push(...leakNotes(input));
  for (const [m, name] of [[input.strong, 'strong'], [input.weak.kind === 'activations' ? input.weak.acts : null, 'weak']] as const) {
    const note = m ? shortRowsNote(m, opts.l2, name) : undefined;
    if (note) warnings.push(note);
  }
  const minPoints = minimumPoints(opts.jump, 2);
  if (counts[W2S_TRAIN] < minPoints) {
    warnings.push(`only ${counts[W2S_TRAIN]} W2S-train rows: change points fall back to the median (need at least ${minPoints})`);
  }

  // The W2S-train strong rows' row engine serves the two probes, the mixing fits (two classes: one batch, 3 vectors
  // per fit) and the map (6 vectors): one copy of the rows in WebAssembly memory instead of four.
  const seeds = Array.from({ length: Math.max(1, opts.seeds) }, (_, s) => opts.seed + s);
  const mixingFits = seeds.length * (DEFAULT_PROPORTIONS.length + 1);
  // each fit's engine vectors: 3 of width x d (width 1 for two classes, C softmax logits for more), for the fits of
  // one group (batch.ts batchGroupSize: the mixing batch and the strong and W2S probes riding in it)
  const width = logitsPerRow(C);
  const dStrong = input.strong.cols;
  const batchVectors = Math.min(mixingFits + 2, batchGroupSize(width, dStrong, counts[W2S_TRAIN]));
  // The residual detector's ridge map regresses the strong W2S-train rows on the weak ones; its eigendecomposition
  // needs only the weak rows, so it starts now, on the kernel's other thread, and runs beside the probes.
  const linalgKernel = hooks.kernel?.linalg;
  // The probes' products will need the strong W2S-train rows uploaded, as Float32 (protocol.ts): a kernel that copies
  // them (the editor's worker) readies that memory on its other thread now (its first touch is the slow part:
  // LinalgKernel.reserve), while the weak probe runs here; in process the kernel keeps the rows as they are.
  const reserving = linalgKernel?.reserve !== undefined && input.strong.data instanceof Float32Array
    && batchesProbes(counts[W2S_TRAIN] * dStrong, C, hooks.batchMinValues, hooks.batchMaxValues);
  if (reserving) linalgKernel!.reserve!(counts[W2S_TRAIN], dStrong, true);
  // The residual detector's eigendecomposition goes first on that thread (below); without it, the thread's first
  // work is the memory of the copies below.
  const eigenAhead = opts.align === 'residual' && input.weak.kind === 'activations' && linalgKernel?.symmetricEigen !== undefined;
  // The strong W2S-train rows' copy, for the probes on the products, into memory that thread touches now (needed
  // after the weak probe, waited for then: first in that thread's line it comes no later than this thread could
  // touch it itself; not when the eigendecomposition is ahead of it there, where the rows go into the probes'
  // WebAssembly memory as without a kernel)
  const strongMemory = reserving && !eigenAhead ? new Prefetched(linalgKernel, counts[W2S_TRAIN] * dStrong * 4) : undefined;
  // and the memory of the test rows' Float32 copy, which scores the probes by one product (uploaded before the mixing
  // fits, shareTestRows). The detection's copies of the hard and rest rows use it first (as many rows as W2S-train:
  // room for the larger of the two). After the eigendecomposition when there is one (the detection needs that first).
  const testBytes = Math.max(counts[TEST], counts[W2S_TRAIN]) * dStrong * 4;
  let testMemory = reserving && !eigenAhead ? new Prefetched(linalgKernel, testBytes) : undefined;
  // the values' check (one pass over every activation) while that thread is at it
  validateValues(input);
  let weakW2sEarly: Matrix | undefined;
  let preparedGram: PreparedGram | undefined;
  if (eigenAhead && input.weak.kind === 'activations') {
    weakW2sEarly = selectRows(input.weak.acts, indicesOf(split, W2S_TRAIN));
    preparedGram = await prepareRidgeGram(weakW2sEarly, dStrong, linalgKernel!, { signal: hooks.signal });
  }
  if (reserving && !testMemory) testMemory = new Prefetched(linalgKernel, testBytes);
  const start = await time('protocol', () =>
    startProtocol({
      weak: input.weak, strong: input.strong, labels: input.labels, numClasses: C, split,
      pseudo: opts.pseudo, l2: opts.l2, signal: hooks.signal, linalg: hooks.kernel?.linalg, batchMinValues: hooks.batchMinValues,
      strongRowsMemory: strongMemory ? () => strongMemory.takeF32() : undefined,
      batchMaxValues: hooks.batchMaxValues,
      strongEngineRoom: { values: (3 * width * batchVectors + 6) * dStrong, vectors: 3 * batchVectors + 6 },
      onStage: (stage, f) => progress(stage, f * 0.15),
    }),
  );
  // The strong and W2S probes are fitted on the same rows as the mixing fits: on the kernel's products they ride in
  // the mixing experiment's batch, two more columns of its products instead of ~60 rounds of their own (docs/
  // benchmarks.md, "The strong and W2S probes in the mixing batch"); otherwise now, as the protocol has it.
  const ride = start.batchOn !== undefined;
  // A side that tells no row from another makes every number below meaningless: refused (a warning on a handful of
  // rows), and the rows' resident copies go with the error.
  try {
    for (const note of [uninformativeWeakSide(start.confidence, input, minPoints), uniformStrongSide(start.strongW2s, input, minPoints)]) {
      if (note) warnings.push(note);
    }
  } catch (e) {
    await releaseStart(start);
    throw e;
  }

  // The result's map (PCA of the strong W2S-train rows) elsewhere when the kernel offers it (the editor's: off the
  // extension host's thread), asked for once the mixing fits' dense products are over; in this thread at the end
  // without it, or if it fails.
  // When the mixing fits run on the kernel's products, the map rides their rounds instead (two more columns of each
  // product for the ~27 steps it takes, where its own row passes took ~0.7 s at 5,000 x 4,096: pca.ts's Pca2Rider);
  // whatever it did not finish there (a short batch) is finished by one of the other two routes.
  let mapRider: Pca2Rider | undefined;
  let mapRun: Promise<{ x: Float64Array; y: Float64Array }> | undefined;
  const startMap = () => {
    if (mapRun || mapRider?.projections || !linalgKernel?.pcaMap) return;
    mapRun = linalgKernel.pcaMap(start.strongW2s, hooks.signal);
    mapRun.catch(() => undefined); // awaited at the end, or dropped with the analysis
  };
  // The strong rows' kernel operands (start.strongShared, start.testShared) serve the probes and the mixing fits,
  // then go (also on error, or when a cancel lands right here).
  let mixing: MixingRun['curve'];
  let mixingRunFits: MixingRun['fits'] | undefined;
  let det: Awaited<ReturnType<typeof detectOverlap>>;
  let strongProbes: StrongProbes | undefined;
  const overlapPos: number[] = [];
  const restPos: number[] = [];
  try {
    if (!ride) strongProbes = await time('protocol', () => fitStrongProbes(start, hooks.signal, (stage, f) => progress(stage, f * 0.15)));
    throwIfAborted(hooks.signal);
    // Shares measured on SST-2 (10 seeds): probes ~10%, detection ~15%, mixing ~70% of the analysis time.
    // the map's rider first (a pass over the rows): the detection then waits less for its rows' memory, which the
    // kernel's other thread is still touching at this point (bench/core)
    if (hooks.kernel?.linalg) mapRider = await time('map', async () => new Pca2Rider(new Pca2Steps(start.strongW2s, MAP_PCA)));
    progress('detecting overlap', 0.15);
    const t0 = performance.now();
    const weakW2s = input.weak.kind === 'activations' ? (weakW2sEarly ?? selectRows(input.weak.acts, start.w2sTrain)) : undefined;
    det = await detectOverlap({
      confidence: start.confidence,
      strong: start.strongW2s,
      weak: weakW2s,
      hardRule: opts.hardRule,
      align: opts.align,
      stage1Scale,
      jump: opts.jump,
      kernel: hooks.kernel ?? tsAlignmentKernel,
      preparedGram,
      scratch: testMemory ? () => testMemory.borrowF32() : undefined,
      signal: hooks.signal,
    });
    timings.detection = (performance.now() - t0) / 1000;
    for (const note of det.notes ?? []) warnings.push(note);
    throwIfAborted(hooks.signal);

    det.categories.forEach((c: number, k: number) => (c === OVERLAP ? overlapPos : restPos).push(k));
    const run = await time('mixing', async () => {
      if (ride) await shareTestRows(start, hooks.signal, testMemory ? () => testMemory.takeF32() : undefined);
      return mixingRun({
        strongW2s: start.strongW2s, targets: start.pseudoTargets, numClasses: C,
        overlap: Int32Array.from(overlapPos), nonOverlap: Int32Array.from(restPos),
        strongTest: start.strongTest, testEngine: start.testEngine, testShared: start.testShared, testRows: start.testRows,
        testLabels: start.testLabels,
        l2: opts.l2, seeds,
        // every subset fit starts from zero (METHOD.md), not from the W2S probe: bench/warmstart, 20-25% fewer
        // product rounds at the paper's widths, where a subset has fewer rows than dimensions
        linalg: hooks.kernel?.linalg, shared: start.strongShared, engine: start.strongEngine,
        extraFits: ride ? start.strongFits : undefined,
        signal: hooks.signal, onProgress: (f) => progress('mixing experiment', 0.3 + 0.7 * f), onProductsDone: startMap, rider: mapRider,
      });
    });
    mixing = run.curve;
    mixingRunFits = run.fits;
    if (ride) {
      const [strong, w2s] = run.extra.probes;
      const [strongTest, w2sTest] = run.extra.testProbs;
      strongProbes = { strong, w2s, strongTest, w2sTest };
    }
  } finally {
    await releaseStart(start);
  }
  const protocol = finishProtocol(start, strongProbes!);
  if (!mixing) {
    warnings.push(
      overlapPos.length === 0
        ? 'no overlap rows were detected: the mixing curve is empty'
        : restPos.length === 0
          ? 'every W2S-train row was detected as overlap: the mixing curve is empty'
          : `only ${Math.min(overlapPos.length, restPos.length)} overlap or non-overlap row: the mixing curve needs at least 2 of each and is empty`,
    );
  }

  // Probes short of their optimum (an iteration limit before the gradient stop): said beside the accuracies.
  const stopNote = probeStopWarning(
    [{ name: 'the weak probe', fit: protocol.weakFit }, { name: 'the strong probe', fit: strongProbes!.strong.fit }, { name: 'the W2S probe', fit: strongProbes!.w2s.fit }],
    mixingRunFits,
  );
  if (stopNote) warnings.push(stopNote);
  // chance: the accuracy of always answering the test rows' most common class (a strong model there learned nothing)
  const chance = chanceAccuracy(Int32Array.from(protocol.test, (i) => input.labels[i]));
  const regime = regimeVerdict(protocol.accuracy, protocol.pgr, protocol.test.length, chance);
  // A weak model at chance (many classes, few rows per class, or features that do not carry the labels) gives
  // confidences that are noise, and the partition rests on them: say so beside it.
  const weakEps = regimeMargin(protocol.accuracy.weak, protocol.test.length);
  const weakAtChance = protocol.test.length > 0 && protocol.accuracy.weak <= chance + weakEps
    ? { weak: protocol.accuracy.weak, chance, margin: weakEps }
    : null;
  if (weakAtChance) {
    const f = (x: number) => x.toFixed(3);
    warnings.push(
      `the weak model is at chance level: test accuracy ${f(protocol.accuracy.weak)} against ${f(chance)} for always answering the ` +
        `most common class (margin ${f(weakEps)}), so its confidences are noise and so is the easy-only / hard-only / overlap ` +
        'partition built on them; a weak model that learns something from these labels is needed for a meaningful partition',
    );
  }
  // The overlap effect with its interval, the detector sanity checks and the verdict sentence (docs/verdict.md).
  const evidence = verdictEvidence({
    regime, pgr: protocol.pgr, mixing, detection: { counts: det.counts },
    overlapLabels: { pseudoLabels: protocol.pseudoLabels, overlapPos, nameOf: (id) => classNameOf(input.dataset ?? {}, id) },
    weakAtChance,
  });
  for (const notice of evidence.sanity.notices) warnings.push(`${SANITY_PREFIX}${notice}`);

  const rows: ResultRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = {
      index: i, split: SPLIT_NAMES[split[i]], label: input.labels[i],
      category: null, confidence: null, alignment: null, pseudoLabel: null,
    };
    if (input.lines) rows[i].line = input.lines[i];
    if (input.membership) rows[i].trueCategory = CATEGORY_NAMES[input.membership[i]];
  }
  protocol.w2sTrain.forEach((row, k) => {
    const r = rows[row];
    r.category = CATEGORY_NAMES[det.categories[k]];
    r.confidence = protocol.confidence[k];
    r.alignment = Number.isNaN(det.scores[k]) ? null : det.scores[k];
    r.pseudoLabel = protocol.pseudoLabels[k];
    const near = det.nearestHard[k];
    r.nearestHard = near >= 0 ? protocol.w2sTrain[near] : null;
  });

  const groundTruth = input.membership
    ? groundTruthReport(
        Array.from(protocol.w2sTrain, (row) => input.membership![row]),
        det.categories,
      )
    : undefined;

  // The report's 2-D map: PCA of the strong activations of W2S-train rows (begun on the kernel's thread, or here).
  const tMap = performance.now();
  startMap(); // when the mixing curve is empty (no fits)
  const projections = mapRider?.projections ??
    (mapRun ? await mapRun.catch((e: unknown) => (hooks.signal?.aborted ? Promise.reject(e) : undefined)) : undefined);
  throwIfAborted(hooks.signal);
  // in this thread: from the start, or on from the steps the rider took
  const map = mapOf(projections ?? pca2(protocol.strongW2s, { ...MAP_PCA, engine: protocol.strongEngine }, mapRider?.steps), protocol.w2sTrain);
  timings.map = (timings.map ?? 0) + (performance.now() - tMap) / 1000;
  progress('done', 1);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'overlap-density', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    dataset: {
      rows: n, numClasses: C,
      splits: { weakTrain: counts[0], w2sTrain: counts[1], test: counts[2] },
      ...input.dataset,
    },
    encoders: input.encoders,
    device: input.device ?? 'cpu',
    options: { ...opts, stage1Scale },
    accuracy: protocol.accuracy,
    pgr: protocol.pgr,
    detection: {
      hardRule: opts.hardRule, align: opts.align, jump: opts.jump, stage1Scale,
      confidenceThreshold: det.t1, confidenceBreakpoint: det.b1,
      alignThreshold: det.t2, alignBreakpoint: det.b2,
      usedFallback: det.fallbacks.confidence || det.fallbacks.align,
      fallbacks: det.fallbacks,
      counts: det.counts,
      overlapDensity: det.overlapDensity,
    },
    mixing,
    regime,
    overlapEffect: evidence.overlapEffect,
    sanity: evidence.sanity,
    verdict: evidence.verdict,
    ...(groundTruth ? { groundTruth } : {}),
    map,
    rows,
    warnings,
    timings,
  };
}
