import { describe, expect, it } from 'vitest';
import { readDataset } from '../../../src/core/data';
import { CancelledError } from '../../../src/core/encoder';
import { useTempDir } from './tempDir';

const tmp = useTempDir('progress');
// About 3 MB, so the file arrives in several chunks.
const bigJsonl = () => Array.from({ length: 30000 }, (_, i) => JSON.stringify({ text: `row ${i} `.repeat(10), label: i % 2 })).join('\n');

describe('progress and cancellation', () => {
  it('reports increasing progress that ends at 1', async () => {
    const path = tmp.write('big.jsonl', bigJsonl());
    const seen: number[] = [];
    const d = await readDataset(path, { onProgress: (f) => seen.push(f) });
    expect(d.rows).toHaveLength(30000);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((f, i) => i === 0 || f >= seen[i - 1])).toBe(true);
    expect(seen.at(-1)).toBe(1);
  });

  it('stops with CancelledError when the signal is aborted before or during the read', async () => {
    const path = tmp.write('big2.jsonl', bigJsonl());
    const before = new AbortController();
    before.abort();
    await expect(readDataset(path, { signal: before.signal })).rejects.toBeInstanceOf(CancelledError);

    const during = new AbortController();
    const read = readDataset(path, { signal: during.signal, onProgress: () => during.abort() });
    await expect(read).rejects.toBeInstanceOf(CancelledError);
  });
});
