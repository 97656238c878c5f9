import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniffDataset } from '../../../src/core/data';

/** Compact JSON (one line longer than the 64 KB head) must still be recognised by the Datasets view's sniffer. */
describe('sniffDataset on compact one-line JSON', () => {
  it('recognises a WRENCH object and a JSON array written on one long line', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'od-sniff-'));
    const wrench = Object.fromEntries(
      Array.from({ length: 1500 }, (_, i) => [String(i), { label: i % 2, weak_labels: [-1, 1], data: { text: `message ${i} `.repeat(10) } }]),
    );
    const array = Array.from({ length: 1500 }, (_, i) => ({ text: `row ${i} é `.repeat(10), label: i % 2 }));
    await fs.writeFile(path.join(dir, 'w.json'), JSON.stringify(wrench));
    await fs.writeFile(path.join(dir, 'a.json'), JSON.stringify(array));
    expect((await fs.stat(path.join(dir, 'w.json'))).size).toBeGreaterThan(64 * 1024);
    const w = await sniffDataset(path.join(dir, 'w.json'));
    expect(w).toMatchObject({ format: 'wrench', looksLikeDataset: true, fields: { text: 'data.text', label: 'label' } });
    const a = await sniffDataset(path.join(dir, 'a.json'));
    expect(a).toMatchObject({ format: 'json', looksLikeDataset: true, fields: { text: 'text', label: 'label' } });
    await fs.rm(dir, { recursive: true, force: true });
  });
});
