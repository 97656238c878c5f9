/**
 * Probe fits honour cancellation: the L-BFGS driver behind fitProbeAsync checks the signal every iteration and gives
 * the event loop a turn every few, so an abort from a timer stops it with a CancelledError and no further objective
 * evaluations; an already-aborted signal stops the synchronous fitProbe before any work.
 */
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/core/encoder';
import {
  fitProbe, fitProbeAsync, LogisticObjective, minimizeLbfgsAsync, oneHot, type DifferentiableObjective,
} from '../../../src/core/probe';
import { alternating, cancelAfter, expectPromptCancel, fullRunMs, gaussian, isCancelled } from './helpers';

// Large enough that a fit outlasts the 400 ms abort even on a quiet machine with the WASM SIMD kernels.
const N = 3000;
const D = 4096;
const labels = alternating(N);
const x = gaussian(N, D, labels, 0.02, 11);
const y = Float64Array.from(labels);
/** A fit of about 150 iterations (seconds here): more dimensions than rows, almost no penalty, a tight tolerance. */
const slow = { l2: 1e-9, gradTol: 1e-14, maxIter: 5000 };

/** Busy-waits `ms` so that a fit has a floor on its duration whatever the machine's speed. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** The logistic objective with a count of every evaluation (full or along a search line), each at least 3 ms. */
function counting(inner: LogisticObjective): DifferentiableObjective & { evaluations: number } {
  const obj = {
    evaluations: 0,
    dim: inner.dim,
    evaluate(w: Float64Array, g: Float64Array) {
      spin(3);
      obj.evaluations++;
      return inner.evaluate(w, g);
    },
    line(w: Float64Array, d: Float64Array) {
      const lf = inner.line(w, d);
      return {
        phi(t: number, slope: Float64Array) {
          spin(3);
          obj.evaluations++;
          return lf.phi(t, slope);
        },
        gradientAt(t: number, g: Float64Array) {
          spin(3);
          obj.evaluations++;
          return lf.gradientAt(t, g);
        },
      };
    },
  };
  return obj;
}

describe('cancelling a probe fit', () => {
  it('an abort from a timer stops L-BFGS with no objective evaluation after it', async () => {
    const delays = [5, 100, 400];
    for (const delay of delays) {
      const obj = counting(new LogisticObjective(x, y, slow.l2));
      let atAbort = -1;
      const controller = new AbortController();
      controller.signal.addEventListener('abort', () => (atAbort = obj.evaluations));
      const timer = setTimeout(() => controller.abort(), delay);
      const err = await minimizeLbfgsAsync(obj, new Float64Array(obj.dim), { ...slow, signal: controller.signal }).then(
        () => undefined,
        (e: unknown) => e,
      );
      clearTimeout(timer);
      expect(err, `abort after ${delay} ms`).toBeInstanceOf(CancelledError);
      expect(obj.evaluations - atAbort, `evaluations after the abort (abort after ${delay} ms)`).toBe(0);
    }
  });

  it('fitProbeAsync rejects with CancelledError promptly after a timer abort', async () => {
    const latencies: number[] = [];
    for (const delay of [20, 150, 400]) {
      const r = await cancelAfter(delay, (signal) => fitProbeAsync(x, oneHot(labels, 2), 2, { ...slow, signal }));
      expect(r.finishedFirst, `the fit outlasts ${delay} ms`).toBe(false);
      expect(isCancelled(r.error), String(r.error)).toBe(true);
      latencies.push(r.latencyMs);
    }
    const full = await fullRunMs(() => fitProbeAsync(x, oneHot(labels, 2), 2, slow), 1);
    expectPromptCancel(`fitProbeAsync (${N} x ${D})`, latencies, full);
  });

  it('an already-aborted signal stops fitProbe and fitProbeAsync before any work', async () => {
    const signal = AbortSignal.abort();
    expect(() => fitProbe(x, oneHot(labels, 2), 2, { signal })).toThrow(CancelledError);
    await expect(fitProbeAsync(x, oneHot(labels, 2), 2, { signal })).rejects.toBeInstanceOf(CancelledError);
  });
});
