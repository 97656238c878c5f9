import { selectRows, type Matrix } from '../linalg/matrix';
import { rowEngineOfRows, type RowEngine } from '../linalg/rowEngine';
import type { GemmOperand, LinalgKernel } from '../linalg/gemm';
import {
  accuracy, argmaxLabels, confidence, fitProbeAsync, fitProbesBatch, oneHot, predictOnKernel, predictProbabilities,
  predictProbabilitiesOn, releaseShared, shareMatrix, type Probe,
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
  strongW2s: Matrix;
  /** The row engine of `strongW2s` the strong and W2S probes used, with the room asked for (`strongEngineRoom`). */
  strongEngine: RowEngine;
  /**
   * The strong test rows, for the test-set predictions: as the linalg kernel's Float64 operand (`testShared`, when
   * the probes were fitted on its products: one product X W scores every probe; the caller releases it), or else as
   * a matrix with a row engine (predictProbabilitiesOn; room for one probe's weights).
   */
  testShared?: GemmOperand;
  strongTest?: Matrix;
  testEngine?: RowEngine;
  testLabels: Int32Array;
  /** The W2S probe fitted on all of W2S-train. */
  w2sProbe: Probe;
  /** `strongW2s` as the linalg kernel's operand (Float64), when the probes used it: the caller releases it. */
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
 * Whether runProtocol fits the strong and W2S probes together on the kernel's products (two classes, a size between
 * the bounds), and so uploads the strong W2S-train rows to it.
 */
export function batchesProbes(numClasses: number, strongW2sValues: number, minValues = BATCH_MIN_VALUES, maxValues = BATCH_MAX_VALUES): boolean {
  return numClasses === 2 && strongW2sValues > 0 && strongW2sValues >= minValues && strongW2sValues <= maxValues;
}

/** Weak probe, pseudo-labels, strong ceiling, W2S probe and PGR (METHOD.md section 1). */
export async function runProtocol(input: ProtocolInput): Promise<ProtocolOutcome> {
  const { numClasses: C, labels, split, l2, signal } = input;
  const weakTrain = indicesOf(split, WEAK_TRAIN);
  const w2sTrain = indicesOf(split, W2S_TRAIN);
  const test = indicesOf(split, TEST);
  const testLabels = pick(labels, test);
  const stage = input.onStage ?? (() => {});

  let weakProbsW2s: Float64Array;
  let weakProbsTest: Float64Array;
  const weakLabels = input.weak.kind === 'probabilities' ? input.weak.labels : undefined;
  if (input.weak.kind === 'activations') {
    stage('weak probe', 0);
    const acts = input.weak.acts;
    // polish: the weak confidences decide the partition, so the weak probe goes to its optimum (issue 14, item 5)
    const probe = await fitProbeAsync(selectRows(acts, weakTrain), oneHot(pick(labels, weakTrain), C), C, { l2, signal, polish: true });
    weakProbsW2s = predictProbabilities(probe, selectRows(acts, w2sTrain));
    weakProbsTest = predictProbabilities(probe, selectRows(acts, test));
  } else {
    weakProbsW2s = pick(input.weak.probs, w2sTrain, C);
    weakProbsTest = pick(input.weak.probs, test, C);
  }
  const weakAcc = weakLabels ? labelAccuracy(pick(weakLabels, test), testLabels) : accuracy(weakProbsTest, testLabels, C);

  const k = C === 2 ? 1 : C;
  const d = input.strong.cols;
  const values = w2sTrain.length * d;
  // the kernel to fit the strong and W2S probes together on, when the size calls for it
  const batchOn = batchesProbes(C, values, input.batchMinValues, input.batchMaxValues) ? input.linalg : undefined;
  stage(batchOn ? 'strong and W2S probes' : 'strong probe', 0.33);
  // One engine for the strong and W2S probes (and, with room, the mixing fits and the map): the W2S-train rows are
  // copied once, straight into it, and strongW2s is that copy (likewise the test rows and their predictions).
  const room = input.strongEngineRoom ?? { values: 0, vectors: 0 };
  const strongEngine = rowEngineOfRows(input.strong, w2sTrain, 2 * 3 * k * d + room.values, 6 + room.vectors);
  const strongW2s = strongEngine.source;
  // The test rows: with the kernel's products, uploaded after the fits (gathered straight into the Float64 memory
  // the analysis reserved for them: LinalgKernel.reserve) and scored by one product per set of probes; else a row
  // engine now.
  const testOnKernel = batchOn?.upload !== undefined && batchOn.release !== undefined;
  const testEngine = testOnKernel ? undefined : rowEngineOfRows(input.strong, test, k * d, 1);
  const strongTest = testEngine?.source;
  const pseudoLabels = weakLabels ? pick(weakLabels, w2sTrain) : argmaxLabels(weakProbsW2s, C);
  const pseudoTargets = input.pseudo === 'soft' ? weakProbsW2s : oneHot(pseudoLabels, C);
  const strongTargets = oneHot(pick(labels, w2sTrain), C);
  let strongProbe: Probe;
  let w2sProbe: Probe;
  let strongShared: GemmOperand | undefined;
  if (batchOn) {
    // Both probes on all W2S-train rows, fitted together: two products per round on the Float64 copy of the rows,
    // which the mixing experiment then uses too (one copy instead of two).
    strongShared = await shareMatrix(strongW2s, batchOn, signal);
    const all = Int32Array.from({ length: strongW2s.rows }, (_, i) => i);
    try {
      [strongProbe, w2sProbe] = await fitProbesBatch(strongW2s, [{ rows: all, targets: strongTargets }, { rows: all, targets: pseudoTargets }], C, {
        l2, signal, engine: strongEngine, linalg: batchOn, shared: strongShared,
      });
    } catch (e) {
      await releaseShared(batchOn, strongShared);
      throw e;
    }
  } else {
    strongProbe = await fitProbeAsync(strongW2s, strongTargets, C, { l2, signal, engine: strongEngine });
    stage('W2S probe', 0.66);
    w2sProbe = await fitProbeAsync(strongW2s, pseudoTargets, C, { l2, signal, engine: strongEngine });
  }
  let testShared: GemmOperand | undefined;
  let strongTestProbs: Float64Array;
  let w2sTestProbs: Float64Array;
  if (testOnKernel && batchOn) {
    try {
      testShared = await batchOn.upload!(input.strong, signal, test);
      [strongTestProbs, w2sTestProbs] = await predictOnKernel([strongProbe, w2sProbe], testShared, batchOn, signal);
    } catch (e) {
      if (strongShared) await releaseShared(batchOn, strongShared);
      if (testShared) await releaseShared(batchOn, testShared);
      throw e;
    }
  } else {
    strongTestProbs = predictProbabilitiesOn(strongProbe, testEngine!);
    w2sTestProbs = predictProbabilitiesOn(w2sProbe, testEngine!);
  }
  const strongAcc = accuracy(strongTestProbs, testLabels, C);
  const w2sAcc = accuracy(w2sTestProbs, testLabels, C);

  return {
    weakTrain,
    w2sTrain,
    test,
    accuracy: { weak: weakAcc, strong: strongAcc, w2s: w2sAcc },
    pgr: performanceGapRecovered(weakAcc, strongAcc, w2sAcc),
    weakProbsW2s,
    pseudoTargets,
    pseudoLabels,
    confidence: confidence(weakProbsW2s, C),
    strongW2s,
    strongEngine,
    testShared,
    strongTest,
    testEngine,
    testLabels,
    w2sProbe,
    strongShared,
  };
}

export { pick as pickRows };
