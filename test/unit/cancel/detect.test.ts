/**
 * Overlap detection honours cancellation inside its heavy kernels (the alignment of every non-hard row with every
 * hard row; the residual detector's ridge fit): they check the signal after each block of rows and yield to the
 * event loop regularly, so an abort queued as a task (a cancel click) lands.
 */
import { describe, expect, it } from 'vitest';
import { detectOverlap } from '../../../src/core/detect/detect';
import { residualScorer } from '../../../src/core/detect/residual';
import { CancelledError } from '../../../src/core/encoder';
import { Rng } from '../../../src/core/random/rng';
import { alternating, cancelOnClick, expectPromptCancel, fullRunMs, gaussian, isCancelled } from './helpers';

const N = 12_000;
const strong = gaussian(N, 64, alternating(N), 0.5, 5);
/** Half the rows far less confident than the rest, so stage 1 makes a large hard set and stage 2 is heavy. */
const confidence = (() => {
  const rng = new Rng(3);
  return Float64Array.from({ length: N }, (_, i) => (i % 2 ? 0.6 + 0.4 * rng.next() : 0.2 * rng.next()));
})();

const run = (signal: AbortSignal, progress: (f: number) => void) =>
  detectOverlap({ confidence, strong, hardRule: 'segment', align: 'dot-max', signal, progress });

describe('cancelling overlap detection', () => {
  it('aborted from its progress callback, the kernel stops at that block', async () => {
    for (const align of ['dot-max', 'abs-cosine-max'] as const) {
      const controller = new AbortController();
      let after = 0;
      let calls = 0;
      const err = await detectOverlap({
        confidence, strong, hardRule: 'segment', align, signal: controller.signal,
        progress: () => {
          calls++;
          if (controller.signal.aborted) after++;
          else if (calls === 3) controller.abort();
        },
      }).then(() => undefined, (e: unknown) => e);
      expect(err, align).toBeInstanceOf(CancelledError);
      expect(after, `${align}: blocks reported after the abort`).toBe(0);
    }
  });

  it('aborted from a timer during the residual ridge fit, it stops with no further fit step', async () => {
    const weak = gaussian(N, 32, alternating(N), 0.3, 9);
    const detect = (signal: AbortSignal | undefined, onFitStep: () => void) =>
      detectOverlap({
        confidence, strong, weak, hardRule: 'segment', align: 'residual', signal,
        // sliceMs 0: the fit lets the event loop in after every step (a chunk of rows), so the timer's turn is known
        scorer: residualScorer({ sliceMs: 0, onFitStep }),
      });
    let total = 0;
    await detect(undefined, () => void total++);
    const controller = new AbortController();
    let steps = 0;
    let after = 0;
    const err = await detect(controller.signal, () => {
      steps++;
      if (controller.signal.aborted) after++;
      else if (steps === 2) setTimeout(() => controller.abort(), 0); // as a cancel click: a separate task
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(after, 'ridge fit steps run after the abort').toBe(0);
    expect(steps, 'the abort landed inside the fit').toBeLessThan(total);
    expect(total, 'fit steps of the uninterrupted run').toBeGreaterThan(10);
  });

  it('a cancel click during the kernel ends detection with CancelledError, promptly', async () => {
    const latencies: number[] = [];
    for (const at of [0, 0.3, 0.7]) {
      let after = 0;
      const r = await cancelOnClick((signal, click) =>
        run(signal, (f) => {
          if (signal.aborted) after++;
          if (f >= at) click();
        }),
      );
      expect(r.finishedFirst, `detection sees a click at ${at}`).toBe(false);
      expect(isCancelled(r.error), String(r.error)).toBe(true);
      expect(after, 'blocks reported after the abort').toBe(0);
      latencies.push(r.latencyMs);
    }
    const full = await fullRunMs(() => run(new AbortController().signal, () => undefined));
    expectPromptCancel(`detectOverlap (${N} x 64)`, latencies, full);
  });
});
