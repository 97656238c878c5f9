import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat, sniffDataset } from '../../../src/core/data';
import { useTempDir } from './tempDir';

const FIXTURES = resolve(__dirname, '../../fixtures/data');
const tmp = useTempDir('detect');

describe('detectFormat', () => {
  it('trusts unambiguous extensions', () => {
    expect(detectFormat('a/b.jsonl', '')).toBe('jsonl');
    expect(detectFormat('b.NDJSON', '')).toBe('jsonl');
    expect(detectFormat('b.csv', '')).toBe('csv');
    expect(detectFormat('b.tsv', '')).toBe('tsv');
    expect(detectFormat('C:\\data\\b.parquet', '')).toBe('parquet');
  });

  it('sniffs .json content: array, WRENCH, or JSON lines', () => {
    expect(detectFormat('x.json', '  \n[\n {"text": "a"}]')).toBe('json');
    expect(detectFormat('train.json', '{\n\t"0": {"label": 1, "data": {"text": "a"}},')).toBe('wrench');
    expect(detectFormat('x.json', '{"text": "a"}\n{"text": "b"}\n')).toBe('jsonl');
  });

  it('does not take a one-object .json (a config, WRENCH label.json) for a dataset', () => {
    expect(detectFormat('label.json', '{"0": "ham", "1": "spam"}')).toBeUndefined();
    expect(detectFormat('package.json', '{\n  "name": "x"\n}\n')).toBeUndefined();
  });

  it('sniffs files without a telling extension', () => {
    expect(detectFormat('stsa.binary.train', '1 a stirring film\n0 a dull film\n')).toBe('sst');
    expect(detectFormat('data.txt', 'label\ttext\n1\tgood\n0\tbad\n')).toBe('tsv');
    expect(detectFormat('dump', '{"text": "a"}\n{"text": "b"')).toBe('jsonl');
    expect(detectFormat('notes.txt', 'Meeting notes\nnothing here\n')).toBeUndefined();
  });

  it('recognises Parquet by its magic number whatever the name', () => {
    expect(detectFormat('blob.bin', new Uint8Array([0x50, 0x41, 0x52, 0x31, 0, 0]))).toBe('parquet');
  });

  it('ignores a BOM and a cut-off last line', () => {
    expect(detectFormat('x.txt', '\uFEFF1 good film\n0 bad fi')).toBe('sst');
  });
});

describe('sniffDataset', () => {
  it('reports the format and fields of every fixture', async () => {
    const cases: [string, string, Record<string, string>][] = [
      ['tiny.jsonl', 'jsonl', { text: 'text', label: 'label', weakActs: 'weak_acts' }],
      ['tiny.json', 'json', { text: 'sentence', label: 'target', split: 'split' }],
      ['tiny.csv', 'csv', { text: 'text', label: 'label', weakProbs: 'weak_prob' }],
      ['stsa.tiny', 'sst', { text: 'text', label: 'label' }],
      ['wrench/train.json', 'wrench', { text: 'data.text', label: 'label', weakLabels: 'weak_labels' }],
    ];
    for (const [name, format, fields] of cases) {
      const sniffed = await sniffDataset(join(FIXTURES, name));
      expect(sniffed).toMatchObject({ format, looksLikeDataset: true });
      expect(sniffed.fields).toEqual(fields);
    }
  });

  it('says why a file is not a dataset', async () => {
    expect(await sniffDataset(join(FIXTURES, 'wrench/label.json'))).toMatchObject({ looksLikeDataset: false, reason: 'not a recognised dataset format' });
    expect(await sniffDataset(tmp.write('empty.jsonl', ''))).toMatchObject({ looksLikeDataset: false, reason: 'the file is empty' });
    const binary = await sniffDataset(tmp.write('blob.jsonl', new Uint8Array([0x7b, 0, 1, 2, 0x0a])));
    expect(binary).toMatchObject({ format: 'jsonl', looksLikeDataset: false });
    expect(binary.reason).toMatch(/looks binary/);
    expect(await sniffDataset(tmp.write('log.jsonl', '{"ts": 1, "level": 2}\n'))).toMatchObject({
      looksLikeDataset: false,
      reason: 'no text, label or activation field',
    });
  });

  it('reads only the head of a large file, tolerating the cut mid-row', async () => {
    const row = (i: number) => `  {"text": "row number ${i} with some padding to make it long", "label": ${i % 2}}`;
    const body = Array.from({ length: 5000 }, (_, i) => row(i)).join(',\n');
    const path = tmp.write('big.json', `[\n${body}\n]\n`);
    expect(body.length).toBeGreaterThan(128 * 1024);
    expect(await sniffDataset(path)).toMatchObject({ format: 'json', fields: { text: 'text', label: 'label' }, looksLikeDataset: true });
  });

  it('sniffs a CSV whose head ends inside a quoted field', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `${i % 2},"a quoted review\nthat spans two lines, number ${i}"`);
    const path = tmp.write('big.csv', ['label,review', ...rows].join('\n'));
    expect(await sniffDataset(path)).toMatchObject({ format: 'csv', fields: { label: 'label', text: 'review' }, looksLikeDataset: true });
  });
});
