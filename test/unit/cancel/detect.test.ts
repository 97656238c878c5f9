/**
 * Overlap detection honours cancellation inside its heavy kernel (the alignment of every non-hard row with every
 * hard row): it checks the signal after each block of query rows and yields to the event loop regularly.
 */
import { describe, expect, it } from 'vitest';
import { detectOverlap } from '../../../src/core/detect/detect';
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
