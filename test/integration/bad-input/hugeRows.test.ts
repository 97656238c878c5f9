/**
 * A 1 GB JSONL of real rows (11.5 M short rows): the reader streams the text and keeps such rows column-wise
 * (core/data/rowStore.ts, issue 14 item 6), so memory grows by about the file's size, not 3x it (docs/robustness.md
 * and docs/benchmarks.md have the numbers). Heavy (about 30 s and 1 GB here), so it runs only with OVERLAP_HEAVY=1;
 * the corpus runs the 1 GB cases that must stay flat (sparse, padded) on every run.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../../../src/core/data';
import { GIB } from './huge';

describe.skipIf(!process.env.OVERLAP_HEAVY)('1 GB of real rows (OVERLAP_HEAVY=1)', () => {
  it('reads every row without crashing and reports the memory it took', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overlap-huge-rows-'));
    try {
      const file = join(dir, 'rows-1gb.jsonl');
      const block = Array.from({ length: 1000 }, (_, i) =>
        JSON.stringify({ text: `example sentence number ${i} about good things and more words here`, label: i % 2 }),
      ).join('\n') + '\n';
      const fd = openSync(file, 'w');
      let rows = 0;
      for (let bytes = 0; bytes < GIB; bytes += block.length, rows += 1000) writeSync(fd, block);
      closeSync(fd);
      const size = statSync(file).size;
      const before = process.memoryUsage().rss;
      let peak = before;
      const t0 = performance.now();
      const ds = await readDataset(file, { onProgress: () => void (peak = Math.max(peak, process.memoryUsage().rss)) });
      const seconds = (performance.now() - t0) / 1000;
      expect(ds.rows.length).toBe(rows);
      const growth = peak - before;
      process.stdout.write(
        `huge rows: ${(size / 1e9).toFixed(2)} GB, ${rows} rows in ${seconds.toFixed(1)} s; peak RSS growth ` +
          `${(growth / 1e9).toFixed(2)} GB (${(growth / size).toFixed(2)} x the file, ${Math.round(growth / rows)} bytes per row)\n`,
      );
      // Issue 14 item 6: 1 GB of short rows must not grow memory by more than about 1.5 GB (it was 3.2 GB).
      expect(growth).toBeLessThan(1.5 * size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
