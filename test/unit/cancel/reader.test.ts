/**
 * Reading a big dataset honours cancellation between 1 MB chunks: aborted from its progress callback it reads no
 * further chunk; aborted from a timer it rejects with CancelledError (not the stream's own AbortError).
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataset } from '../../../src/core/data';
import { CancelledError } from '../../../src/core/encoder';
import { cancelOnClick, expectPromptCancel, fullRunMs, isCancelled } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'overlap-cancel-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** About 40 MB of JSONL rows with activations (a few seconds of parsing here). */
function bigJsonl(): string {
  const file = join(dir, 'big.jsonl');
  const block = Array.from({ length: 1000 }, (_, i) =>
    JSON.stringify({ text: `row ${i} with some words in it`, label: i % 2, weak_acts: [i % 7, 0.5, -1], strong_acts: [1, i % 3, 2, 0.25] }),
  ).join('\n') + '\n';
  const fd = openSync(file, 'w');
  for (let written = 0; written < 40e6; written += block.length) writeSync(fd, block);
  closeSync(fd);
  return file;
}

const file = bigJsonl();

describe('cancelling readDataset on a big file', () => {
  it('aborted at a quarter of the file, it reads no further chunk and rejects with CancelledError', async () => {
    const controller = new AbortController();
    let afterAbort = 0;
    let abortedAt = 0;
    const err = await readDataset(file, {
      signal: controller.signal,
      onProgress: (f) => {
        if (controller.signal.aborted) afterAbort++;
        else if (f >= 0.25) {
          abortedAt = f;
          controller.abort();
        }
      },
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect(abortedAt).toBeLessThan(0.3);
    expect(afterAbort, 'chunks read after the abort').toBe(0);
  });

  it('a cancel click at any point of the read ends it with CancelledError, promptly', async () => {
    const latencies: number[] = [];
    for (const at of [0, 0.1, 0.5, 0.9]) {
      let progressAfter = 0;
      const r = await cancelOnClick((signal, click) =>
        readDataset(file, {
          signal,
          onProgress: (f) => {
            if (signal.aborted) progressAfter++;
            if (f >= at) click();
          },
        }),
      );
      expect(r.finishedFirst, `the read sees a click at ${at}`).toBe(false);
      expect(isCancelled(r.error), String(r.error)).toBe(true);
      expect(progressAfter, 'chunks reported after the abort').toBe(0);
      latencies.push(r.latencyMs);
    }
    const full = await fullRunMs(() => readDataset(file, {}), 1);
    expectPromptCancel('readDataset (40 MB JSONL)', latencies, full);
  });
});
