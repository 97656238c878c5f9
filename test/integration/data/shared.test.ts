import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineToRow, readDataset, sniffDataset } from '../../../src/core/data';

// The shared real-data folder sits beside the project checkout (see shared/data/README.md); it is never copied in.
const SHARED = resolve(__dirname, '../../../../shared/data');
const present = existsSync(join(SHARED, 'sst2')) && existsSync(join(SHARED, 'sms'));
if (!present) console.log(`skipping real-data reader tests: ${SHARED} is absent`);

describe.skipIf(!present)('real data from shared/data', () => {
  it('SST-2 train: 6,920 rows, binary labels, row i on line i + 1', async () => {
    const path = join(SHARED, 'sst2/stsa.binary.train');
    const d = await readDataset(path);
    expect(d.format).toBe('sst');
    expect(d.rows).toHaveLength(6920);
    expect(d.numClasses).toBe(2);
    expect(new Set(d.rows.map((r) => r.label))).toEqual(new Set([0, 1]));
    expect(d.rows.every((r, i) => r.line === i + 1 && r.endLine === i + 1)).toBe(true);
    const fileLines = readFileSync(path, 'utf8').split('\n');
    for (const i of [0, 1234, 6919]) expect(fileLines[i]).toBe(`${d.rows[i].label} ${d.rows[i].text}`);
    expect(d.warnings).toEqual([]);
  });

  it('SMS (WRENCH) train: 4,571 rows, 73 weak labels each, class names from label.json', async () => {
    const path = join(SHARED, 'sms/train.json');
    const d = await readDataset(path);
    expect(d.format).toBe('wrench');
    expect(d.rows).toHaveLength(4571);
    expect(d.labelNames).toEqual(['ham', 'spam']);
    expect(d.numClasses).toBe(2);
    expect(d.rows.every((r) => r.weakLabels?.length === 73 && typeof r.text === 'string')).toBe(true);
    // Keys "0".."4570" are on lines 2..4572 of the file: the reader maps each row to its key's line.
    const reference = JSON.parse(readFileSync(path, 'utf8')) as Record<string, { label: number; data: { text: string } }>;
    expect(d.rows.map((r) => r.label)).toEqual(Object.values(reference).map((v) => v.label));
    expect(d.rows[4570].text).toBe(reference['4570'].data.text);
    const find = lineToRow(d);
    expect([1, 2, 4572, 4573].map(find)).toEqual([undefined, 0, 4570, undefined]);
  });

  it('sniffs the shared files as datasets and label.json as not one', async () => {
    expect(await sniffDataset(join(SHARED, 'sst2/stsa.binary.dev'))).toMatchObject({ format: 'sst', looksLikeDataset: true });
    expect(await sniffDataset(join(SHARED, 'sms/valid.json'))).toMatchObject({ format: 'wrench', looksLikeDataset: true });
    expect((await sniffDataset(join(SHARED, 'sms/label.json'))).looksLikeDataset).toBe(false);
  });
});
