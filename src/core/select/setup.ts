/**
 * What a selection run works on: K sources (arms) that each hold a pool of W2S-train rows, one shared weak-train set
 * (the weak probe is trained once on it) and one shared test set (every W2S probe is scored on it).
 * Built by core/select/reference.ts (reference modes) or src/pipeline/sources.ts (files).
 */
import { InputError } from '../errors';
import type { WeakSide } from '../experiment/protocol';
import { firstNonFinite, type Matrix } from '../linalg/matrix';

export interface SelectionSource {
  /** File name, column value or "source k (10% of overlap)". */
  name: string;
  path?: string;
  /** The pool the arm draws from: strong activations, the weak side and labels of the same rows. */
  strong: Matrix;
  weak: WeakSide;
  labels: Int32Array;
  /** Class names of the file this source came from, to check that all sources share one label set. */
  labelNames?: string[];
  /** Ground-truth membership of the pool rows (0 easy, 1 hard, 2 overlap) when known (synthetic data). */
  membership?: Uint8Array;
  /** Known overlap density of the source; from membership when that is given. */
  trueOverlapDensity?: number;
  densityFrom?: 'ground-truth' | 'detected';
  /** Rows this source gave to the shared weak-train and test sets (for the report). */
  weakTrainRows?: number;
  testRows?: number;
  /** Where the pool and test rows are in the loaded file's labelled rows (files and column splits; for curation). */
  positions?: { pool: Int32Array; test: Int32Array };
}

export interface SelectionSetup {
  sources: SelectionSource[];
  /** Needed when the weak side is activations: the weak probe is fitted once on these rows. */
  weakTrain?: { weak: Matrix; labels: Int32Array };
  test: { strong: Matrix; weak: WeakSide; labels: Int32Array };
  numClasses: number;
  labelNames?: string[];
  /** Notes from building the setup (e.g. how a file was split). */
  notes?: string[];
}

function sameNames(a: string[] | undefined, b: string[] | undefined): boolean {
  if (!a || !b) return true;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function weakWidth(w: WeakSide): number {
  return w.kind === 'activations' ? w.acts.cols : 0;
}

/**
 * Checks what every later step assumes, with messages that say which source is wrong and what to do:
 * at least two sources, one label set, one activation width per side, one kind of weak side, finite values.
 */
export function validateSetup(setup: SelectionSetup): void {
  const { sources, numClasses: C } = setup;
  if (sources.length === 0) throw new InputError('no data sources were given');
  if (sources.length === 1) {
    throw new InputError(
      `selection needs at least 2 data sources, got 1 ("${sources[0].name}"): give more files, split this one by a ` +
        'column (--split-by COLUMN), or build sources from it by detected overlap (--reference split)',
    );
  }
  if (!Number.isInteger(C) || C < 2) throw new InputError(`selection needs at least 2 classes, got ${C}`);
  const first = sources[0];
  for (const s of sources) {
    const where = { file: s.path ?? s.name };
    if (s.labels.length === 0) throw new InputError('the source has no rows to draw from', where);
    if (s.strong.rows !== s.labels.length) {
      throw new InputError(`strong activations have ${s.strong.rows} rows but the source has ${s.labels.length} labels`, where);
    }
    if (s.weak.kind === 'activations' && s.weak.acts.rows !== s.labels.length) {
      throw new InputError(`weak activations have ${s.weak.acts.rows} rows but the source has ${s.labels.length} labels`, where);
    }
    if (s.weak.kind === 'probabilities' && s.weak.probs.length !== s.labels.length * C) {
      throw new InputError(`weak probabilities have ${s.weak.probs.length} values, expected ${s.labels.length} x ${C}`, where);
    }
    if (!sameNames(s.labelNames, setup.labelNames ?? first.labelNames)) {
      throw new InputError(
        `label set [${s.labelNames!.join(', ')}] differs from "${first.name}"'s [${(setup.labelNames ?? first.labelNames)!.join(', ')}]: ` +
          'all sources must label the same classes',
        where,
      );
    }
    for (let i = 0; i < s.labels.length; i++) {
      const y = s.labels[i];
      if (!Number.isInteger(y) || y < 0 || y >= C) {
        throw new InputError(`label ${y} at pool row ${i} is not a class id in 0..${C - 1}: the sources do not share one label set`, where);
      }
    }
    if (s.strong.cols !== first.strong.cols) {
      throw new InputError(
        `strong activations are ${s.strong.cols}-dimensional but "${first.name}"'s are ${first.strong.cols}: ` +
          'all sources must be encoded by the same strong model',
        where,
      );
    }
    if (s.weak.kind !== first.weak.kind) {
      throw new InputError(`the weak side is ${s.weak.kind} here but ${first.weak.kind} for "${first.name}": use one weak model for all sources`, where);
    }
    if (weakWidth(s.weak) !== weakWidth(first.weak)) {
      throw new InputError(
        `weak activations are ${weakWidth(s.weak)}-dimensional but "${first.name}"'s are ${weakWidth(first.weak)}: ` +
          'all sources must be encoded by the same weak model',
        where,
      );
    }
    for (const [m, what] of [[s.strong, 'strong activations'], [s.weak.kind === 'activations' ? s.weak.acts : null, 'weak activations']] as const) {
      if (!m) continue;
      const bad = firstNonFinite(m.data);
      if (bad >= 0) throw new InputError(`${what}: non-finite value at pool row ${Math.floor(bad / m.cols)}, column ${bad % m.cols}`, where);
    }
    if (s.membership && s.membership.length !== s.labels.length) {
      throw new InputError(`membership has ${s.membership.length} entries but the source has ${s.labels.length} rows`, where);
    }
  }
  const test = setup.test;
  if (test.labels.length === 0) throw new InputError('the shared test set is empty: every source gave 0 test rows');
  if (test.strong.cols !== first.strong.cols) {
    throw new InputError(`test strong activations are ${test.strong.cols}-dimensional, the sources' ${first.strong.cols}`);
  }
  if (first.weak.kind === 'activations') {
    if (!setup.weakTrain || setup.weakTrain.labels.length === 0) {
      throw new InputError('the weak side is activations but the shared weak-train set is empty: the weak probe cannot be trained');
    }
    if (setup.weakTrain.weak.cols !== weakWidth(first.weak)) {
      throw new InputError(`weak-train activations are ${setup.weakTrain.weak.cols}-dimensional, the sources' ${weakWidth(first.weak)}`);
    }
    if (new Set(setup.weakTrain.labels).size < 2) {
      throw new InputError('the shared weak-train set has a single class: the weak probe needs at least two');
    }
  }
}

/** Overlap density from ground-truth membership codes (2 = overlap). */
export function membershipDensity(membership: Uint8Array): number {
  let o = 0;
  for (let i = 0; i < membership.length; i++) if (membership[i] === 2) o++;
  return membership.length > 0 ? o / membership.length : 0;
}
