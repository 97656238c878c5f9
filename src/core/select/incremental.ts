/**
 * Augmented detection without rescoring the whole history every round. With "hard+rest" augmentation, t2 is the
 * change point of the current batch's scores and of every earlier non-hard row's score against the hard set
 * (current hard rows + earlier hard rows). A max-alignment score only grows as hard rows are added, so the earlier
 * rows' scores are cached and updated with the new keys: max(cached, max over this round's new hard rows).
 * Same numbers as rescoring from scratch (a unit test checks it), O(batch x hard) work per round instead of
 * O(history x hard).
 */
import { stage2Rows, type Stage2Input, type Stage2Scorer, type Stage2Scores } from '../detect/scorers';
import type { AlignKernelMode, AlignmentKernel } from '../detect/types';
import type { Matrix } from '../linalg/matrix';

export type MaxAlignMode = 'dot-max' | 'abs-cosine-max';

export function isMaxAlignMode(mode: string): mode is MaxAlignMode {
  return mode === 'dot-max' || mode === 'abs-cosine-max';
}

export class IncrementalMaxAlignment implements Stage2Scorer {
  readonly mode: MaxAlignMode;
  private readonly kernelMode: AlignKernelMode;
  /** Score of every row in the rest history against every hard row in the hard history (-Infinity: no hard rows yet). */
  private cache: Float64Array = new Float64Array(0);
  private pending: { historyRest: Float64Array; rest: Float64Array } | null = null;

  constructor(mode: MaxAlignMode) {
    this.mode = mode;
    this.kernelMode = mode === 'dot-max' ? 'dot' : 'abs-cosine';
  }

  async score(input: Stage2Input): Promise<Stage2Scores> {
    const { keys, query, current } = await stage2Rows(input);
    const { kernel, signal } = input;
    let rest: Float64Array;
    let nearest: Int32Array | undefined;
    if (kernel.maxAlignmentWithIndex) {
      const r = await kernel.maxAlignmentWithIndex(query, keys, this.kernelMode, signal, input.progress);
      rest = r.max;
      nearest = r.argmax;
    } else {
      rest = await kernel.maxAlignment(query, keys, this.kernelMode, signal);
    }
    const past = input.history?.strongRest;
    const pastRows = past?.rows ?? 0;
    if (pastRows !== this.cache.length) {
      throw new Error(`incremental alignment: the history has ${pastRows} non-hard rows but the cache ${this.cache.length}`);
    }
    let historyRest = this.cache;
    if (pastRows > 0 && input.hard.length > 0) {
      historyRest = await this.raise(this.cache, past!, current, kernel, signal);
    }
    this.pending = { historyRest, rest };
    return { rest, nearest, historyRest: pastRows > 0 ? historyRest : undefined };
  }

  /**
   * Called once after every round, after the caller appended this round's rows to its history: `newRest` rows to
   * the rest history (in batch order, as detection's `rest`) and `newHard` (strong activations) to the hard history.
   * `restHistoryBefore` is the rest history as it was before this round's rows were appended.
   */
  async commit(newRest: number, newHard: Matrix, restHistoryBefore: Matrix, kernel: AlignmentKernel, signal?: AbortSignal): Promise<void> {
    if (this.pending) {
      // Stage 2 ran: scores of old rows were raised with this round's hard rows, new rows were scored against all.
      const { historyRest, rest } = this.pending;
      this.pending = null;
      if (rest.length !== newRest) throw new Error(`incremental alignment: ${newRest} new non-hard rows but ${rest.length} scores`);
      this.cache = concat(historyRest, rest);
      return;
    }
    // Stage 2 did not run: either no hard rows at all (new rows have nothing to align with), or every row was hard.
    let cache = this.cache;
    if (newHard.rows > 0 && cache.length > 0) cache = await this.raise(cache, restHistoryBefore, newHard, kernel, signal);
    this.cache = concat(cache, new Float64Array(newRest).fill(-Infinity));
  }

  private async raise(cached: Float64Array, rows: Matrix, keys: Matrix, kernel: AlignmentKernel, signal?: AbortSignal): Promise<Float64Array> {
    const fresh = await kernel.maxAlignment(rows, keys, this.kernelMode, signal);
    const out = new Float64Array(cached.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.max(cached[i], fresh[i]);
    return out;
  }
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
