import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { lineToRow, parseDatasetBytes, parseDatasetText, readDataset } from '../../../src/core/data';
import type { Dataset } from '../../../src/core/data';
import { useTempDir } from './tempDir';

const FIXTURES = resolve(__dirname, '../../fixtures/data');
const fixture = (name: string) => join(FIXTURES, name);
const lines = (d: Dataset) => d.rows.map((r) => [r.line, r.endLine]);

describe('JSONL', () => {
  it('reads one object per line, skips blank lines and keeps unlabelled rows', async () => {
    const d = await readDataset(fixture('tiny.jsonl'));
    expect(d.format).toBe('jsonl');
    expect(d.fields).toEqual({ text: 'text', label: 'label', weakActs: 'weak_acts' });
    expect(lines(d)).toEqual([[1, 1], [3, 3], [4, 4]]);
    expect(d.rows.map((r) => r.label)).toEqual([1, 0, null]);
    expect(d.rows.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(d.rows[1].weakActs).toEqual([0.25, 0, -0.5]);
    expect(d.numClasses).toBe(2);
    // the unlabelled row is named, by file and line, in the one warning about rows left out
    expect(d.warnings).toEqual([{ message: '1 row without a label is left out of the analysis (line 4)', file: fixture('tiny.jsonl'), line: 4 }]);
  });
});

describe('JSON array', () => {
  it('maps each multi-line object to the lines of its braces', async () => {
    const d = await readDataset(fixture('tiny.json'));
    expect(d.format).toBe('json');
    expect(lines(d)).toEqual([[2, 6], [7, 7], [8, 12]]);
    expect(d.rows[2].text).toBe('a third row with a nested\nescape and a } brace in the string');
  });

  it('numbers string labels in sorted order and reads the split column', async () => {
    const d = await readDataset(fixture('tiny.json'));
    expect(d.fields).toMatchObject({ text: 'sentence', label: 'target', split: 'split' });
    expect(d.labelNames).toEqual(['neg', 'pos']);
    expect(d.rows.map((r) => r.label)).toEqual([1, 0, 1]);
    expect(d.rows.map((r) => r.split)).toEqual([0, 2, 1]);
    expect(d.numClasses).toBe(2);
  });

  it('reads an empty-looking but valid compact array on one line', () => {
    const d = parseDatasetText('[{"text":"a","label":0},{"text":"b","label":1}]', 'json');
    expect(lines(d)).toEqual([[1, 1], [1, 1]]);
  });
});

describe('CSV and TSV', () => {
  it('parses quoted fields, doubled quotes and newlines inside quotes (endLine)', async () => {
    const d = await readDataset(fixture('tiny.csv'));
    expect(d.format).toBe('csv');
    expect(lines(d)).toEqual([[2, 2], [3, 5], [6, 6]]);
    expect(d.rows.map((r) => r.text)).toEqual([
      'a plain row, with a comma',
      'a quoted field\nthat spans\nthree lines',
      'she said "hi"',
    ]);
    expect(d.rows.map((r) => r.label)).toEqual([1, 0, 1]);
    expect(d.rows.map((r) => r.weakProbs)).toEqual([[0.9], [0.2], [0.75]]);
    expect(d.rows[0].fields).toEqual({ id: '1', text: 'a plain row, with a comma', label: '1', weak_prob: '0.9' });
  });

  it('reads TSV with a content column', async () => {
    const d = await readDataset(fixture('tiny.tsv'));
    expect(d.format).toBe('tsv');
    expect(d.fields).toMatchObject({ text: 'content', label: 'label' });
    expect(d.rows.map((r) => [r.line, r.label, r.text])).toEqual([
      [2, 0, 'the first review of a film'],
      [3, 1, 'the second review of a film'],
    ]);
  });

  it('reads activation vectors written into CSV cells', () => {
    const d = parseDatasetText('text,strong_acts\nhello world,"[1, 2.5]"\nbye,"[0, -1]"\n', 'csv');
    expect(d.rows.map((r) => r.strongActs)).toEqual([[1, 2.5], [0, -1]]);
  });

  it('handles CRLF line ends, including inside quoted fields', () => {
    const d = parseDatasetText('text,label\r\n"two\r\nlines",1\r\nplain,0\r\n', 'csv');
    expect(d.rows.map((r) => r.text)).toEqual(['two\nlines', 'plain']);
    expect(lines(d)).toEqual([[2, 3], [4, 4]]);
  });
});

describe('SST', () => {
  it('reads "LABEL TEXT" lines', async () => {
    const d = await readDataset(fixture('stsa.tiny'));
    expect(d.format).toBe('sst');
    expect(d.rows.map((r) => [r.line, r.label, r.text])).toEqual([
      [1, 1, 'a stirring , funny film'],
      [2, 0, 'apparently reassembled from the cutting-room floor'],
      [3, 1, 'it is a gem'],
    ]);
  });
});

describe('WRENCH JSON', () => {
  it('reads rows in key order with weak labels, data.text and the line of each key', async () => {
    const d = await readDataset(fixture('wrench/train.json'));
    expect(d.format).toBe('wrench');
    expect(d.fields).toEqual({ text: 'data.text', label: 'label', weakLabels: 'weak_labels' });
    expect(lines(d)).toEqual([[2, 2], [3, 4], [5, 5]]);
    expect(d.rows.map((r) => r.text)).toEqual(['win a free prize now', 'see you at lunch', 'call me later']);
    expect(d.rows[1].weakLabels).toEqual([0, -1, -1]);
  });

  it('takes class names from a label.json beside the file', async () => {
    const d = await readDataset(fixture('wrench/train.json'));
    expect(d.labelNames).toEqual(['ham', 'spam']);
    expect(d.numClasses).toBe(2);
  });

  it('parses in memory without a label.json', () => {
    const text = readFileSync(fixture('wrench/train.json'), 'utf8');
    const d = parseDatasetText(text, 'wrench', { labelNames: ['ham', 'spam'] });
    expect(d.rows.map((r) => r.label)).toEqual([1, 0, 0]);
    expect(d.labelNames).toEqual(['ham', 'spam']);
  });
});

describe('Parquet', () => {
  const tmp = useTempDir('parquet');
  const columns = [
    { name: 'text', data: ['a good film', 'a bad film', 'an ok film', 'another good film'], type: 'STRING' as const },
    { name: 'label', data: [1n, 0n, 1n, 1n], type: 'INT64' as const },
    { name: 'weak_prob', data: [0.9, 0.1, 0.6, 0.8], type: 'DOUBLE' as const },
  ];
  // Two row groups, to exercise reading group by group.
  const bytes = new Uint8Array(parquetWriteBuffer({ columnData: columns, rowGroupSize: 2 }));

  it('reads rows group by group; line is the 1-based row number', async () => {
    const path = tmp.write('tiny.parquet', bytes);
    const progress: number[] = [];
    const d = await readDataset(path, { onProgress: (f) => progress.push(f) });
    expect(d.format).toBe('parquet');
    expect(d.fields).toEqual({ text: 'text', label: 'label', weakProbs: 'weak_prob' });
    expect(lines(d)).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
    expect(d.rows.map((r) => r.label)).toEqual([1, 0, 1, 1]);
    expect(d.rows[2].weakProbs).toEqual([0.6]);
    expect(progress).toEqual([0.5, 1]);
  });

  it('keeps INT64 labels beyond 2^53 exactly, as class names', async () => {
    const big = new Uint8Array(parquetWriteBuffer({
      columnData: [
        { name: 'text', data: ['a', 'b', 'c'], type: 'STRING' as const },
        { name: 'label', data: [9007199254740993n, 9007199254740992n, 9007199254740993n], type: 'INT64' as const },
      ],
    }));
    const d = await parseDatasetBytes(big, { path: 'big.parquet' });
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([['9007199254740992', 1], ['9007199254740993', 2]]);
  });

  it('reads from bytes in memory, detecting the format from the magic number', async () => {
    const d = await parseDatasetBytes(bytes, { path: 'no-extension' });
    expect(d.format).toBe('parquet');
    expect(d.rows).toHaveLength(4);
  });

  it('reads list columns as activation vectors', async () => {
    const acts = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'text', data: ['x y z', 'u v w'] },
          { name: 'strong_acts', data: [[1, 2], [3, 4]] },
        ],
        // Lists need the explicit three-level LIST schema.
        schema: [
          { name: 'root', num_children: 2 },
          { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'strong_acts', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
        ],
      }),
    );
    const d = await parseDatasetBytes(acts, { path: 'acts.parquet' });
    expect(d.rows.map((r) => r.strongActs)).toEqual([[1, 2], [3, 4]]);
  });
});

describe('readDataset and parseDatasetText agree', () => {
  for (const [name, format] of [
    ['tiny.jsonl', 'jsonl'],
    ['tiny.json', 'json'],
    ['tiny.csv', 'csv'],
    ['tiny.tsv', 'tsv'],
    ['stsa.tiny', 'sst'],
  ] as const) {
    it(name, async () => {
      const path = fixture(name);
      const streamed = await readDataset(path);
      const inMemory = parseDatasetText(readFileSync(path, 'utf8'), format, { path });
      expect(streamed).toEqual(inMemory);
    });
  }
});

describe('lineToRow', () => {
  it('maps every line of a multi-line JSON object to its row, and the lines between rows to nothing', async () => {
    const find = lineToRow(await readDataset(fixture('tiny.json')));
    expect([1, 2, 4, 6, 7, 8, 12, 13, 99].map(find)).toEqual([undefined, 0, 0, 0, 1, 2, 2, undefined, undefined]);
  });

  it('skips the CSV header and covers quoted multi-line fields', async () => {
    const find = lineToRow(await readDataset(fixture('tiny.csv')));
    expect([1, 2, 3, 4, 5, 6, 7].map(find)).toEqual([undefined, 0, 1, 1, 1, 2, undefined]);
  });

  it('returns undefined for blank lines between JSONL rows and for an empty dataset', async () => {
    const find = lineToRow(await readDataset(fixture('tiny.jsonl')));
    expect([1, 2, 3, 4].map(find)).toEqual([0, undefined, 1, 2]);
    expect(lineToRow({ rows: [] })(1)).toBeUndefined();
  });
});
