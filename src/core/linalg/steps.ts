/**
 * Long synchronous linear algebra written once as a generator that `yield`s after each small unit of work (a chunk
 * of rows, about a millisecond), run either to the end in one go (`runSteps`, the synchronous functions) or with
 * the event loop let in every `sliceMs` of work (`runStepsYielding`, the async variants). A cancel click queues its
 * abort as an event-loop task, which a synchronous function never lets run; the yielding run gives it a turn and
 * then checks the signal, so the abort lands within one slice. Both runs do the same arithmetic in the same order:
 * bitwise the same results.
 */
import { throwIfAborted } from '../errors';

/** A computation that yields (nothing) between units of work and returns T. */
export type Steps<T> = Generator<void, T, void>;

/** Default work between two turns of the event loop: short enough for a prompt cancel, long enough to cost < 1%. */
export const DEFAULT_SLICE_MS = 25;

/** Multiply-adds per step: rows per chunk are chosen so a step is about this much work (~1 ms or less). */
export const STEP_WORK = 1 << 20;

/** Rows per chunk for `workPerRow` multiply-adds per row (at least one row). */
export const stepRows = (workPerRow: number): number => Math.max(1, Math.floor(STEP_WORK / Math.max(1, workPerRow)));

/** Runs `steps` to the end synchronously. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export interface YieldingOptions {
  signal?: AbortSignal;
  /** Milliseconds of work between two turns of the event loop (default DEFAULT_SLICE_MS; 0: after every step). */
  sliceMs?: number;
  /** Test hook: called after each step, before any turn of the event loop. */
  onStep?: () => void;
}

/** A turn for the event loop (a macrotask: timers and I/O callbacks, a queued abort, run first). */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Runs `steps` to the end, letting the event loop run (a macrotask, so timers and I/O callbacks get their turn)
 * every `sliceMs` of work, then checking the signal: an abort queued meanwhile stops it with CancelledError before
 * the next step.
 */
export async function runStepsYielding<T>(steps: Steps<T>, options: YieldingOptions = {}): Promise<T> {
  const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  throwIfAborted(options.signal);
  let sliceStart = performance.now();
  try {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      options.onStep?.();
      if (performance.now() - sliceStart >= sliceMs) {
        await macrotask();
        throwIfAborted(options.signal);
        sliceStart = performance.now();
      }
    }
  } finally {
    steps.return(undefined as unknown as T);
  }
}
