import { selectRows, type Matrix } from '../linalg/matrix';
import { jsRowEngine, rowEngineOfRows, type RowEngine } from '../linalg/rowEngine';
import type { GemmOperand, LinalgKernel } from '../linalg/gemm';
import {
  accuracy, argmaxLabels, confidence, fitProbeAsync, fitProbesBatch, logitsPerRow, oneHot, predictOnKernel, predictProbabilitiesRows,
  predictProbabilitiesOn, releaseShared, shareMatrix, type Probe, type ProbeFit, type SubsetFit,
} from '../probe';
import { indicesOf, TEST, W2S_TRAIN, WEAK_TRAIN } from './split';

/** The weak side: activations a probe is trained on, or probabilities that already exist (votes, a column). */
export type WeakSide =
  | { kind: 'activations'; acts: Matrix }
  | {
      kind: 'probabilities';
      /** n x C, rows sum to 1 */
      probs: Float64Array;
      /** Hard labels when ties were already broken (votes: at random, seeded); otherwise argmax of `probs`. */
      labels?: Int32Array;
    };

export interface ProtocolInput {
  weak: WeakSide;
  strong: Matrix;
  labels: Int32Array;
  numClasses: number;
  split: Uint8Array;
  pseudo: 'soft' | 'hard';
  l2: number;
  signal?: AbortSignal;
  onStage?: (stage: string, fraction: number) => void;
  /**
   * Room the W2S-train strong rows' row engine keeps for later users (the mixing fits, the map), Float64 values and
   * vectors: the strong and W2S probes and they share one copy of the rows in WebAssembly memory.
   */
  strongEngineRoom?: { values: number; vectors: number };
  /**
   * Dense products (onnxruntime's Gemm): the strong and W2S probes are then fitted together on them (two classes,
   * at least `batchMinValues` strong W2S-train values, default BATCH_MIN_VALUES, and at most `batchMaxValues`).
   */
  linalg?: LinalgKernel;
  /**
   * Memory readied elsewhere for the strong W2S-train rows (analyze.ts: touched on the kernel's other thread, first
   * in its line), waited for when they are copied; used when the probes go on `linalg`'s products (which need no row engine's passes):
   * the rows are copied there and the probes' row engine is the JavaScript one over them in place, instead of a copy
   * into fresh WebAssembly memory (~0.25 s of page faults at 5,000 x 4,096 on the development machine).
   */
  strongRowsMemory?: () => Promise<Float32Array | undefined>;
  batchMinValues?: number;
  /** At most this many strong W2S-train values for that (default BATCH_MAX_VALUES). */
  batchMaxValues?: number;
}

export interface ProtocolOutcome {
  weakTrain: Int32Array;
  w2sTrain: Int32Array;
  test: Int32Array;
  accuracy: { weak: number; strong: number; w2s: number };
  pgr: number | null;
  /** Weak probabilities on W2S-train rows (|w2sTrain| x C). */
  weakProbsW2s: Float64Array;
  /** Training targets for W2S probes on W2S-train rows: soft probabilities or one-hot pseudo-labels. */
  pseudoTargets: Float64Array;
  pseudoLabels: Int32Array;
  /** Weak confidence (top-1 minus top-2) on W2S-train rows. */
  confidence: Float64Array;
  /** How the weak probe's fit ended (absent when the weak side is not activations: no weak probe). */
  weakFit?: ProbeFit;
  strongW2s: Matrix;
  /** The row engine of `strongW2s` the strong and W2S probes used, with the room asked for (`strongEngineRoom`). */
  strongEngine: RowEngine;
  /**
   * The strong test rows, for the test-set predictions: as the linalg kernel's operand (`testShared`, when
   * the probes were fitted on its products: one product X W scores every probe; the caller releases it), or else as
   * a matrix with a row engine (predictProbabilitiesOn; room for one probe's weights).
   */
  testShared?: GemmOperand;
  /** The test rows as Float32 when `testShared` holds them so (the float32 scores' exact checks: predictOnKernel). */
  testRows?: Matrix;
  strongTest?: Matrix;
  testEngine?: RowEngine;
  testLabels: Int32Array;
  /** The W2S probe fitted on all of W2S-train. */
  w2sProbe: Probe;
  /** `strongW2s` as the linalg kernel's operand (shareMatrix), when the probes used it: the caller releases it. */
  strongShared?: GemmOperand;
}

/**
 * PGR = (w2s - weak) / (strong - weak) (METHOD.md section 1); null without a gap to recover: when the strong model is
 * not more accurate than the weak one the ratio means nothing (strong 0.34, weak 0.83 and W2S 0.34 would read "PGR
 * 1.00", all of a gap that is not there), and the regime verdict is "undetermined" there too.
 */
export function performanceGapRecovered(weak: number, strong: number, w2s: number): number | null {
  const gap = strong - weak;
  return gap < 1e-12 ? null : (w2s - weak) / gap;
}

function pick<T extends Int32Array | Float64Array>(values: T, indices: Int32Array, width = 1): T {
  const Ctor = values.constructor as { new (n: number): T };
  const out = new Ctor(indices.length * width);
  for (let k = 0; k < indices.length; k++) {
    for (let c = 0; c < width; c++) out[k * width + c] = values[indices[k] * width + c];
  }
  return out;
}

/**
 * Hard weak labels of a weak side whose probabilities are `probs`: the votes' own labels (ties broken at random,
 * seeded: docs/votes.md) where it has them, else the argmax of the probabilities. Analyze, select and curation all
 * take weak labels and the weak accuracy from here.
 */
export function weakHardLabels(weak: WeakSide, probs: Float64Array, C: number): Int32Array {
  return weak.kind === 'probabilities' && weak.labels ? weak.labels : argmaxLabels(probs, C);
}

/** Share of rows whose predicted label is the true one (NaN without rows). */
export function labelAccuracy(predicted: Int32Array, labels: Int32Array): number {
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hit++;
  return labels.length > 0 ? hit / labels.length : NaN;
}

/**
 * Strong rows (values) from which the strong and W2S probes are fitted together on the dense products: below it the
 * WebAssembly rows are quick anyway, and a product round costs a call into onnxruntime (a message to the inference
 * worker in the extension) however small.
 */
export const BATCH_MIN_VALUES = 1 << 22;
/**
 * Strong W2S-train values above which the two probes stay on the rows: their Float64 copy (1 GiB here) would stay
 * alive through the detection, which at a million rows needs the memory itself; the mixing makes its own copy then.
 */
export const BATCH_MAX_VALUES = 1 << 27;

/**
 * Whether runProtocol fits the strong and W2S probes together on the kernel's products, and so uploads the strong
 * W2S-train rows to it: a size between the bounds, the lower one counted in values times logits per row (1 for two
 * classes, C softmax logits for more: the rows' route costs C dot products and C axpys per row, a product round
 * about the same whatever C).
 */
export function batchesProbes(
  strongW2sValues: number, numClasses: number, minValues = BATCH_MIN_VALUES, maxValues = BATCH_MAX_VALUES,
): boolean {
  return strongW2sValues > 0 && strongW2sValues * logitsPerRow(numClasses) >= minValues && strongW2sValues <= maxValues;
}

/**
 * The protocol up to the strong and W2S probes (startProtocol): everything of the outcome but what those probes give,
 * and the two fits themselves, for whoever fits them (fitStrongProbes, or the mixing experiment's batch: the same
 * rows, so the two ride along as two more columns of its products instead of rounds of their own).
 */
export interface ProtocolStart extends Omit<ProtocolOutcome, 'accuracy' | 'pgr' | 'w2sProbe'> {
  weakAccuracy: number;
  /** The strong probe's fit (gold labels) and the W2S probe's (pseudo targets), both on all W2S-train rows. */
  strongFits: [SubsetFit, SubsetFit];
  /** The kernel the two are fitted on together (and the test rows uploaded to), when the size calls for it. */
  batchOn?: LinalgKernel;
  l2: number;
  numClasses: number;
  /** The strong activations of every row (the test rows are uploaded from them). */
  strong: Matrix;
}

/** Weak probe, pseudo-labels, strong ceiling, W2S probe and PGR (METHOD.md section 1). */
export async function runProtocol(input: ProtocolInput): Promise<ProtocolOutcome> {
  const start = await startProtocol(input);
  const fitted = await fitStrongProbes(start, input.signal, input.onStage);
  return finishProtocol(start, fitted);
}

/** The weak probe, its pseudo-labels and confidences, the strong rows' copies: runProtocol before the strong probes. */
export async function startProtocol(input: ProtocolInput): Promise<ProtocolStart> {
  const { numClasses: C, labels, split, l2, signal } = input;
  const weakTrain = indicesOf(split, WEAK_TRAIN);
  const w2sTrain = indicesOf(split, W2S_TRAIN);
  const test = indicesOf(split, TEST);
  const testLabels = pick(labels, test);
  const stage = input.onStage ?? (() => {});

  let weakProbsW2s: Float64Array;
  let weakProbsTest: Float64Array;
  let weakFit: ProbeFit | undefined;
  const weakLabels = input.weak.kind === 'probabilities' ? input.weak.labels : undefined;
  if (input.weak.kind === 'activations') {
    stage('weak probe', 0);
    const acts = input.weak.acts;
    // polish: the weak confidences decide the partition, so the weak probe goes to its optimum (issue 14, item 5)
    // (its rows copied once, straight into its row engine; the predictions read the rows where they are)
    const weakEngine = rowEngineOfRows(acts, weakTrain, 3 * logitsPerRow(C) * acts.cols, 3);
    const weakTargets = oneHot(pick(labels, weakTrain), C);
    // More than two classes on the kernel's products (a fit of one, polished there too), at the strong probes' sizes:
    // a pass over the rows costs C dots and axpys per row on one core, and the softmax fit and its polish take
    // hundreds to thousands of them (450 classes on 400 rows: ~50 s on the rows, docs/benchmarks.md "Many classes").
    // Two classes stay on the rows, where one logit's passes are as quick as a product round.
    const weakOn = C > 2 && batchesProbes(weakTrain.length * acts.cols, C, input.batchMinValues, input.batchMaxValues) ? input.linalg : undefined;
    const probe = weakOn
      ? (await fitProbesBatch(weakEngine.source, [{ rows: Int32Array.from(weakTrain.keys()), targets: weakTargets }], C, {
        l2, signal, polish: true, linalg: weakOn, engine: weakEngine,
      }))[0]
      : await fitProbeAsync(weakEngine.source, weakTargets, C, { l2, signal, polish: true, engine: weakEngine });
    weakFit = probe.fit;
    weakProbsW2s = predictProbabilitiesRows(probe, acts, w2sTrain);
    weakProbsTest = predictProbabilitiesRows(probe, acts, test);
  } else {
    weakProbsW2s = pick(input.weak.probs, w2sTrain, C);
    weakProbsTest = pick(input.weak.probs, test, C);
  }
  const weakAccuracy = weakLabels ? labelAccuracy(pick(weakLabels, test), testLabels) : accuracy(weakProbsTest, testLabels, C);

  const k = logitsPerRow(C);
  const d = input.strong.cols;
  const values = w2sTrain.length * d;
  // the kernel to fit the strong and W2S probes together on, when the size calls for it
  const batchOn = batchesProbes(values, C, input.batchMinValues, input.batchMaxValues) ? input.linalg : undefined;
  // One engine for the strong and W2S probes (and, with room, the mixing fits and the map): the W2S-train rows are
  // copied once, straight into it, and strongW2s is that copy (likewise the test rows and their predictions).
  const room = input.strongEngineRoom ?? { values: 0, vectors: 0 };
  const readied = batchOn && input.strong.data instanceof Float32Array ? await input.strongRowsMemory?.() : undefined;
  const strongEngine = readied && readied.length >= values
    ? jsRowEngine(selectRows(input.strong, w2sTrain, readied))
    : rowEngineOfRows(input.strong, w2sTrain, 2 * 3 * k * d + room.values, 6 + room.vectors);
  const strongW2s = strongEngine.source;
  // The test rows: with the kernel's products, uploaded after the fits (shareTestRows: gathered straight into the
  // memory the analysis readied for them, `Prefetched`) and scored by one product per set of probes; else a row
  // engine now.
  const testOnKernel = batchOn?.upload !== undefined && batchOn.release !== undefined;
  const testEngine = testOnKernel ? undefined : rowEngineOfRows(input.strong, test, k * d, 1);
  const strongTest = testEngine?.source;
  const pseudoLabels = weakLabels ? pick(weakLabels, w2sTrain) : argmaxLabels(weakProbsW2s, C);
  const pseudoTargets = input.pseudo === 'soft' ? weakProbsW2s : oneHot(pseudoLabels, C);
  const strongTargets = oneHot(pick(labels, w2sTrain), C);
  const all = Int32Array.from({ length: strongW2s.rows }, (_, i) => i);
  // Both probes on all W2S-train rows: with the kernel, on the rows uploaded once (shareMatrix: Float32 rows as
  // they are in process), which the mixing experiment then uses too.
  const strongShared = batchOn ? await shareMatrix(strongW2s, batchOn, signal) : undefined;
  return {
    weakTrain, w2sTrain, test, weakAccuracy, weakProbsW2s, pseudoTargets, pseudoLabels, weakFit,
    confidence: confidence(weakProbsW2s, C),
    strongW2s, strongEngine, strongTest, testEngine, testLabels, strongShared, batchOn, l2, numClasses: C,
    strong: input.strong,
    strongFits: [{ rows: all, targets: strongTargets }, { rows: all, targets: pseudoTargets }],
  };
}

/**
 * Uploads the strong test rows to the start's kernel (once; into its reserved memory when there is some), when the
 * probes are scored on its products; a no-op otherwise. The caller releases `start.testShared` (also on error).
 */
export async function shareTestRows(
  start: ProtocolStart, signal?: AbortSignal,
  /** Memory readied for the Float32 test rows (analyze.ts's `Prefetched`, touched on the kernel's other thread). */
  into?: () => Promise<Float32Array | undefined>,
): Promise<void> {
  const kernel = start.batchOn;
  if (start.testShared || !kernel?.upload || !kernel.release) return;
  if (start.strong.data instanceof Float32Array) {
    // Float32 rows (in process the kernel keeps this copy itself), scored by float32 products whose every uncertain
    // decision predictOnKernel recomputes exactly: half the memory of a Float64 copy (82 MB less at 5,000 x 4,096)
    const rows = selectRows(start.strong as Matrix<Float32Array>, start.test, await into?.());
    start.testShared = await kernel.upload(rows, signal, undefined, true);
    start.testRows = rows;
    return;
  }
  start.testShared = await kernel.upload(start.strong, signal, start.test);
}

/** The strong and W2S probes with their test probabilities (fitStrongProbes, or the mixing batch's extra fits). */
export interface StrongProbes {
  strong: Probe;
  w2s: Probe;
  strongTest: Float64Array;
  w2sTest: Float64Array;
}

/**
 * The strong and W2S probes on their own: fitted together on the kernel's products when the start has a kernel (and
 * scored by one product on the uploaded test rows), else one after the other on the rows. On error the start's
 * kernel operands are released.
 */
export async function fitStrongProbes(
  start: ProtocolStart, signal?: AbortSignal, onStage?: (stage: string, fraction: number) => void,
): Promise<StrongProbes> {
  const stage = onStage ?? (() => {});
  const { batchOn, strongW2s, strongFits: [strongFit, w2sFit], l2, numClasses: C } = start;
  stage(batchOn ? 'strong and W2S probes' : 'strong probe', 0.33);
  if (batchOn) {
    try {
      const [strong, w2s] = await fitProbesBatch(strongW2s, [strongFit, w2sFit], C, {
        l2, signal, engine: start.strongEngine, linalg: batchOn, shared: start.strongShared,
      });
      await shareTestRows(start, signal);
      if (start.testShared) {
        const [strongTest, w2sTest] = await predictOnKernel([strong, w2s], start.testShared, batchOn, signal, start.testRows);
        return { strong, w2s, strongTest, w2sTest };
      }
      return { strong, w2s, ...onRows(start, strong, w2s) };
    } catch (e) {
      await releaseStart(start);
      throw e;
    }
  }
  const strong = await fitProbeAsync(strongW2s, strongFit.targets, C, { l2, signal, engine: start.strongEngine });
  stage('W2S probe', 0.66);
  const w2s = await fitProbeAsync(strongW2s, w2sFit.targets, C, { l2, signal, engine: start.strongEngine });
  return { strong, w2s, ...onRows(start, strong, w2s) };
}

function onRows(start: ProtocolStart, strong: Probe, w2s: Probe): { strongTest: Float64Array; w2sTest: Float64Array } {
  if (!start.testEngine) throw new Error('fitStrongProbes: no test rows (a row engine, or the kernel\'s upload)');
  return { strongTest: predictProbabilitiesOn(strong, start.testEngine), w2sTest: predictProbabilitiesOn(w2s, start.testEngine) };
}

/** Gives back the start's kernel operands (the W2S-train and test rows), if any; safe to call twice. */
export async function releaseStart(start: ProtocolStart): Promise<void> {
  const kernel = start.batchOn;
  if (!kernel) return;
  const { strongShared, testShared } = start;
  start.strongShared = undefined;
  start.testShared = undefined;
  start.testRows = undefined;
  if (strongShared) await releaseShared(kernel, strongShared);
  if (testShared) await releaseShared(kernel, testShared);
}

/** The outcome: the start with the strong and W2S probes' accuracies and the PGR. */
export function finishProtocol(start: ProtocolStart, probes: StrongProbes): ProtocolOutcome {
  const C = start.numClasses;
  const strongAcc = accuracy(probes.strongTest, start.testLabels, C);
  const w2sAcc = accuracy(probes.w2sTest, start.testLabels, C);
  const weakAcc = start.weakAccuracy;
  const { weakAccuracy: _w, strongFits: _f, batchOn: _b, l2: _l, numClasses: _c, strong: _s, ...rest } = start;
  return {
    ...rest,
    accuracy: { weak: weakAcc, strong: strongAcc, w2s: w2sAcc },
    pgr: performanceGapRecovered(weakAcc, strongAcc, w2sAcc),
    w2sProbe: probes.w2s,
  };
}

export { pick as pickRows };
