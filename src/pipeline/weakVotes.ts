import * as path from 'node:path';
import { FieldValueError, toNumberArray } from '../core/data/coerce';
import { getField } from '../core/data/fields';
import { InputError } from '../core/errors';
import type { DatasetRow } from '../core/data/types';
import type { WeakSide } from '../core/experiment/protocol';
import { TEST, W2S_TRAIN, WEAK_TRAIN } from '../core/experiment/split';
import type { EncoderInfo, WeakVotesSummary } from '../core/result/schema';
import { checkVotes, countStatus, hardLabels, isUncovered, majorityVote, UNCOVERED, type VoteAggregate } from '../core/votes/aggregate';
import { dawidSkenePosteriors, fitDawidSkene, functionAccuracies } from '../core/votes/dawidSkene';
import type { ModelSpec } from './types';

/** The rows of one input file (the dataset, or the --test-file) whose votes make the weak side. */
export interface VoteSource {
  file: string;
  rows: DatasetRow[];
}

/**
 * Labelling-function votes -> the weak side (the paper's weak-supervision setting, METHOD.md section 8): majority
 * vote or the Dawid-Skene label model (core/votes), hard labels with ties broken at random (the analysis seed),
 * and the summary the result carries (tied and uncovered rows per split). `split` (0 weak-train, 1 W2S-train,
 * 2 test, over the rows of all sources in order) says which rows the label model may be fitted on: never the test
 * rows. Without it (data-source selection) the label model is fitted on the votes of all rows: it is unsupervised
 * and sees no label, and the summary says so.
 */
export function votesWeakSide(
  spec: ModelSpec & { kind: 'votes' },
  sources: VoteSource[],
  numClasses: number,
  seed: number,
  split?: Uint8Array,
  detectedField?: string,
): { side: WeakSide; info: EncoderInfo; summary: WeakVotesSummary } {
  const parts = sources.map((src) =>
    checkVotes(
      src.rows.map((r) => (spec.field && spec.field !== detectedField ? (getField(r.fields, spec.field) as number[] | undefined) : r.weakLabels)),
      numClasses,
      { file: src.file, lines: src.rows.map((r) => r.line) },
    ),
  );
  sameFunctions(sources, parts.map((p) => p.rows));
  const votes = { rows: parts.flatMap((p) => p.rows), numClasses };
  const functions = votes.rows.reduce((m, v) => Math.max(m, v.length), 0);
  let agg: VoteAggregate;
  let labelModel: WeakVotesSummary['labelModel'];
  if (spec.aggregate === 'dawid-skene') {
    const fit = split ? Int32Array.from(indices(split, (s) => s !== TEST)) : undefined;
    const model = fitDawidSkene(votes, {}, fit);
    const probs = dawidSkenePosteriors(model, votes);
    agg = { probs, ...hardLabels(probs, numClasses, seed, (i) => isUncovered(votes.rows[i])) };
    labelModel = {
      abstain: model.options.abstain,
      fittedOn: split
        ? `the votes of the ${model.fitRows.toLocaleString('en-US')} weak-train and W2S-train rows some function votes on (no labels, no test rows)`
        : `the votes of all ${model.fitRows.toLocaleString('en-US')} rows some function votes on (no labels)`,
      fitRows: model.fitRows,
      iterations: model.iterations,
      converged: model.converged,
      prior: model.prior,
      accuracies: functionAccuracies(model).map((a) => (Number.isFinite(a) ? a : null)),
    };
  } else {
    agg = majorityVote(votes, seed);
  }
  const labels = Int32Array.from(sources.flatMap((s) => s.rows), (r) => r.label ?? -1);
  const counts: WeakVotesSummary['counts'] = { all: countStatus(agg.status) };
  if (split) {
    counts.weakTrain = countStatus(agg.status, indices(split, (s) => s === WEAK_TRAIN));
    counts.w2sTrain = countStatus(agg.status, indices(split, (s) => s === W2S_TRAIN));
    const test = indices(split, (s) => s === TEST);
    counts.test = { ...countStatus(agg.status, test), coveredAccuracy: coveredAccuracy(agg, labels, test) };
  }
  return {
    side: { kind: 'probabilities', probs: agg.probs, labels: agg.labels },
    info: { id: spec.aggregate === 'dawid-skene' ? 'dawid-skene' : 'majority-vote', kind: 'votes', dim: 0, source: spec.field ?? detectedField },
    summary: {
      method: spec.aggregate === 'dawid-skene' ? 'dawid-skene' : 'majority-vote',
      functions,
      tieBreak: { policy: 'random', seed },
      counts,
      ...(labelModel ? { labelModel } : {}),
    },
  };
}

/**
 * Every row of every source holds one vote per labelling function: a test file written with other functions than the
 * dataset (5 votes against 73) would otherwise be aggregated silently, and a majority over other functions is not
 * the weak model the protocol measures. Names the first row that differs and the row it was compared with.
 */
function sameFunctions(sources: VoteSource[], rows: ReadonlyArray<ReadonlyArray<readonly number[]>>): void {
  let first: { file: string; line: number; width: number } | undefined;
  for (const [k, src] of sources.entries()) {
    for (const [i, v] of rows[k].entries()) {
      const line = src.rows[i]?.line ?? i + 1;
      if (!first) {
        first = { file: src.file, line, width: v.length };
        continue;
      }
      if (v.length !== first.width) {
        const there = first.file === src.file ? `the row at line ${first.line} has` : `${path.basename(first.file)}'s rows (line ${first.line}) have`;
        throw new InputError(
          `row has ${v.length} labelling-function votes but ${there} ${first.width}: every row needs one vote ` +
            '(or -1) per function, the same functions in the same order in every file',
          { file: src.file, line },
        );
      }
    }
  }
}

function indices(split: Uint8Array, keep: (s: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < split.length; i++) if (keep(split[i])) out.push(i);
  return out;
}

function coveredAccuracy(agg: VoteAggregate, labels: Int32Array, rows: number[]): number | null {
  let n = 0;
  let hit = 0;
  for (const i of rows) {
    if (agg.status[i] === UNCOVERED) continue;
    n++;
    if (agg.labels[i] === labels[i]) hit++;
  }
  return n > 0 ? hit / n : null;
}

/** How far the class probabilities of a row may sum from 1 (rounding in the file that wrote them). */
export const PROB_SUM_TOLERANCE = 1e-6;

/**
 * A probability column -> n x C probabilities: a scalar is P(class 1) of a binary task, an array (or, in a CSV cell,
 * the text of one) is per class: entries in [0, 1] summing to 1 within PROB_SUM_TOLERANCE. Scores that are not
 * probabilities (logits, counts) are refused with the row's line rather than rescaled into something else.
 */
export function probabilityColumn(
  values: ReadonlyArray<unknown>,
  numClasses: number,
  where: { file?: string; field: string; lines?: ArrayLike<number> },
): Float64Array {
  const probs = new Float64Array(values.length * numClasses);
  values.forEach((raw, i) => {
    const at = { file: where.file, line: where.lines?.[i] };
    const v = typeof raw === 'string' && raw.trim() !== '' ? (raw.trim().startsWith('[') ? vectorText(raw, where.field, at) : Number(raw)) : raw;
    if (typeof v === 'number') {
      if (numClasses !== 2) throw new InputError(`field "${where.field}" is a single number but there are ${numClasses} classes`, at);
      if (!(v >= 0 && v <= 1)) throw new InputError(`field "${where.field}" is ${String(raw)}, not a probability in [0, 1]`, at);
      probs[i * 2] = 1 - v;
      probs[i * 2 + 1] = v;
    } else if (Array.isArray(v) && v.length === numClasses && v.every((x) => typeof x === 'number')) {
      const bad = v.findIndex((x: number) => !(x >= 0 && x <= 1));
      if (bad >= 0) throw new InputError(`field "${where.field}" has ${String(v[bad])} at position ${bad}, not a probability in [0, 1]`, at);
      const s = v.reduce((a: number, b: number) => a + b, 0);
      if (!(Math.abs(s - 1) <= PROB_SUM_TOLERANCE)) {
        throw new InputError(`field "${where.field}" sums to ${+s.toPrecision(12)}, not 1: ${numClasses} class probabilities must sum to 1 (within ${PROB_SUM_TOLERANCE.toExponential()})`, at);
      }
      v.forEach((x: number, c: number) => (probs[i * numClasses + c] = x / s));
    } else {
      throw new InputError(`field "${where.field}" must be P(class 1) or ${numClasses} class probabilities, got ${JSON.stringify(raw)?.slice(0, 40)}`, at);
    }
  });
  return probs;
}

/** A CSV cell holding a JSON array of probabilities; a malformed one is an error with the row's line. */
function vectorText(raw: string, field: string, at: { file?: string; line?: number }): number[] | undefined {
  try {
    return toNumberArray(raw, field);
  } catch (e) {
    if (e instanceof FieldValueError) throw new InputError(e.message, at);
    throw e;
  }
}
