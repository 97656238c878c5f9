/**
 * Many probes on row subsets of one activation matrix, fitted together (the mixing experiment: 11 proportions x
 * seeds + random baselines on the same W2S-train rows). Each fit is its own L-BFGS run (own memory, line search and
 * stopping rule, same gradient tolerance) over its own objective; what they share is the matrix and the pass over
 * it. Every round, each running fit announces the first trial point of its coming line search (`prepare`), and one
 * blocked pass over the shared rows evaluates all of them: a block of rows is read from memory once and reused from
 * cache by every fit whose subset has rows in it, instead of every fit streaming its own copy of the matrix. Fits that
 * stop leave the batch. Rows of each subset are visited in ascending order, so a batched fit computes exactly what a
 * separate fit on the sorted rows computes (test/unit/probe/batch.test.ts).
 *
 * Two classes only (the logistic objective, one residual per row); softmax fits run one after the other.
 */
import { throwIfAborted } from '../encoder';
import { selectRows, type Matrix } from '../linalg/matrix';
import { rowEngine } from '../linalg/rowEngine';
import { lbfgsIterations, type LbfgsResult } from './lbfgs';
import { LogisticObjective } from './logistic';
import {
  DEFAULT_L2, fitProbeAsync, lbfgsOptions, polished, startPoint, toProbe, validateProbeInput, type Probe, type ProbeOptions,
} from './probe';

export interface SubsetFit {
  /** Rows of X (any order, no repeats). */
  rows: Int32Array;
  /** Soft targets, rows.length x C, in the order of `rows`. */
  targets: Float64Array;
}

export interface BatchOptions extends ProbeOptions {
  /** Called when fit k has finished. */
  onFit?: (k: number) => void;
  /** Bytes of matrix rows per block of the batched pass (default 256 KiB: a block stays in a core's L2 cache). */
  blockBytes?: number;
}

/** Rows ascending, targets permuted alike. */
function sorted(fit: SubsetFit, C: number): { rows: Int32Array; targets: Float64Array } {
  const order = Array.from(fit.rows.keys()).sort((a, b) => fit.rows[a] - fit.rows[b]);
  const rows = new Int32Array(order.length);
  const targets = new Float64Array(order.length * C);
  order.forEach((o, k) => {
    rows[k] = fit.rows[o];
    for (let c = 0; c < C; c++) targets[k * C + c] = fit.targets[o * C + c];
  });
  return { rows, targets };
}

/** One blocked pass evaluating every objective at its pending point. */
function batchedPass(objs: LogisticObjective[], n: number, blockRows: number): void {
  const cursor = new Int32Array(objs.length);
  for (const obj of objs) obj.beginPending();
  for (let lo = 0; lo < n; lo += blockRows) {
    const hi = Math.min(n, lo + blockRows);
    for (let k = 0; k < objs.length; k++) {
      const obj = objs[k];
      const rows = obj.rows!;
      const from = cursor[k];
      let to = from;
      while (to < rows.length && rows[to] < hi) to++;
      if (to > from) obj.passRows(from, to, obj.pendingZ());
      cursor[k] = to;
    }
  }
  for (const obj of objs) obj.finishPending();
}

/**
 * Fits one probe per subset of X's rows to its soft targets; the same probes as `fitProbe` on each subset's rows
 * (in ascending order) with the same options. Results are in the order of `fits`.
 */
export async function fitProbesBatch(
  x: Matrix, fits: readonly SubsetFit[], numClasses: number, opts: BatchOptions = {},
): Promise<Probe[]> {
  const C = numClasses;
  const l2 = opts.l2 ?? DEFAULT_L2;
  const out: Probe[] = new Array(fits.length);
  for (const fit of fits) validateProbeInput(fit.rows.length, fit.targets, C, l2);
  if (C !== 2) {
    for (let k = 0; k < fits.length; k++) {
      out[k] = await fitProbeAsync(selectRows(x, fits[k].rows), fits[k].targets, C, opts);
      opts.onFit?.(k);
    }
    return out;
  }
  const d = x.cols;
  const engine = rowEngine(x, fits.length * 3 * d, fits.length * 3);
  const objs = fits.map((fit) => {
    const s = sorted(fit, C);
    const y = new Float64Array(s.rows.length);
    for (let i = 0; i < y.length; i++) y[i] = s.targets[2 * i + 1];
    return new LogisticObjective(x, y, l2, engine, opts.fitBias ?? true, s.rows);
  });
  const lopts = lbfgsOptions(opts);
  const runs = objs.map((obj) => {
    const x0 = startPoint(obj, x, C, opts);
    obj.pending = Float64Array.from(x0); // the run's first evaluation, batched like the line searches' first trials
    return lbfgsIterations(obj, x0, lopts);
  });
  const blockRows = Math.max(1, Math.floor((opts.blockBytes ?? 2 ** 18) / (4 * Math.max(1, d))));
  let active = objs.map((_, k) => k);
  let last = performance.now();
  while (active.length > 0) {
    throwIfAborted(opts.signal);
    batchedPass(active.map((k) => objs[k]), x.rows, blockRows);
    const still: number[] = [];
    for (const k of active) {
      const step = runs[k].next();
      if (step.done) {
        const p = polished(objs[k], step.value as LbfgsResult, opts);
        out[k] = toProbe(x, C, l2, p.res, p.polish);
        opts.onFit?.(k);
      } else {
        still.push(k);
      }
    }
    // A turn for the event loop every 50 ms, and after every round that reported progress (a cancel click there
    // must land before the next fits finish: many finish in the same round).
    if (still.length < active.length || performance.now() - last >= 50) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
    active = still;
  }
  throwIfAborted(opts.signal);
  return out;
}
