import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../../../src/core/data';
import { InputError } from '../../../src/core/errors';
import type { AnalysisResult } from '../../../src/core/result/schema';
import { curatedPathFor, writeRowsFile } from '../../../src/pipeline/curate';
import { useTempDir } from '../data/tempDir';

const tmp = useTempDir('curate-writer');

/** A minimal result for a file as the analysis would record it: format, read decisions, sha256, rows with lines. */
async function resultFor(file: string): Promise<AnalysisResult> {
  const d = await readDataset(file);
  return {
    dataset: { path: file, format: d.format, contentHash: createHash('sha256').update(readFileSync(file)).digest('hex'), rows: d.rows.length, read: { ...d.read, classes: d.classes } },
    rows: d.rows.map((r) => ({ index: r.index, line: r.line, split: 'w2s-train', label: r.label ?? 0, category: null, confidence: null, alignment: null, pseudoLabel: null })),
  } as unknown as AnalysisResult;
}

/** Writes `content`, curates `indices` into a new file, returns its bytes as text and the rows read back. */
async function curate(name: string, content: string, indices: number[]) {
  const file = tmp.write(name, content);
  const out = curatedPathFor(file);
  const outcome = await writeRowsFile(file, await resultFor(file), indices, out, { force: true });
  const back = await readDataset(out);
  return { text: readFileSync(out, 'utf8'), out, outcome, back, source: await readDataset(file) };
}

describe('curated file: rows copied byte for byte', () => {
  it('JSONL with CRLF line endings', async () => {
    const rows = ['{"text": "a  b", "label": 0}', '{"label":1,"text":"c"}', '{"text": "d\\u00e9", "label": 0, "x": [1, 2]}', '{"text":"e","label":1}'];
    const { text, back, outcome } = await curate('crlf.jsonl', rows.map((r) => `${r}\r\n`).join(''), [1, 2]);
    expect(text).toBe(`${rows[1]}\r\n${rows[2]}\r\n`);
    expect(back.rows.map((r) => r.text)).toEqual(['c', 'd\u00e9']);
    expect(outcome.rows).toBe(2);
  });

  it('a file without a trailing newline keeps its last row as it is', async () => {
    const { text } = await curate('nonl.jsonl', '{"text":"a","label":0}\n{"text":"b","label":1}\n{"text":"c","label":0}', [0, 2]);
    expect(text).toBe('{"text":"a","label":0}\n{"text":"c","label":0}');
  });

  it('CSV: header line kept, a quoted field with newlines copied whole, BOM kept', async () => {
    const csv = '\uFEFFtext,label\r\n"one, two",0\r\n"multi\r\nline ""quoted""\nfield",1\r\nplain,0\r\n';
    const { text, back, source } = await curate('quoted.csv', csv, [1, 2]);
    expect(text).toBe('\uFEFFtext,label\r\n"multi\r\nline ""quoted""\nfield",1\r\nplain,0\r\n');
    expect(back.rows.map((r) => r.text)).toEqual([source.rows[1]!.text, source.rows[2]!.text]);
    expect(back.rows[0]!.text).toContain('line "quoted"');
  });

  it('TSV and SST (label-first text) lines', async () => {
    const tsv = await curate('t.tsv', 'text\tlabel\nx y\t0\nz\t1\nw\t0\n', [2]);
    expect(tsv.text).toBe('text\tlabel\nw\t0\n');
    const sst = await curate('stsa.binary.train', '1 a fine film\n0 a dull  film \n1 good\n', [0, 1]);
    expect(sst.out.endsWith('stsa.binary.curated.train')).toBe(true);
    expect(sst.text).toBe('1 a fine film\n0 a dull  film \n');
    expect(sst.back.format).toBe('sst');
  });

  it('JSON array: each element\'s exact text, also pretty-printed over CRLF lines', async () => {
    const json = '[\r\n  {\r\n    "text": "a",\r\n    "label": 0\r\n  },\r\n  {"text":"b","label":1},\r\n  {\r\n    "text": "c",  "label": 1\r\n  }\r\n]\r\n';
    const { text, back } = await curate('arr.json', json, [0, 2]);
    expect(text).toBe('[\r\n  {\r\n    "text": "a",\r\n    "label": 0\r\n  },\r\n  {\r\n    "text": "c",  "label": 1\r\n  }\r\n]\r\n');
    expect(back.rows.map((r) => r.text)).toEqual(['a', 'c']);
  });

  it('compact one-line JSON array', async () => {
    const { text } = await curate('compact.json', '[{"text":"a","label":0},{"text":"b","label":1},{"text":"c","label":0}]', [1]);
    expect(text).toBe('[\n{"text":"b","label":1}\n]\n');
  });

  it('WRENCH object: keys kept, member values copied exactly, read back as WRENCH', async () => {
    const wrench = '{\n    "0": {\n        "label": 0,\n        "data": {"text": "ham one"},\n        "weak_labels": [-1, 0]\n    },\n    "1": {"label": 1, "data": {"text": "spam"}, "weak_labels": [1, -1]},\n    "7": {\n        "label": 0, "data": {"text": "ham two"}, "weak_labels": [0, 0]\n    }\n}\n';
    const { text, back } = await curate('train.json', wrench, [0, 2]);
    expect(text).toBe('{\n    "0": {\n        "label": 0,\n        "data": {"text": "ham one"},\n        "weak_labels": [-1, 0]\n    },\n    "7": {\n        "label": 0, "data": {"text": "ham two"}, "weak_labels": [0, 0]\n    }\n}\n');
    expect(back.format).toBe('wrench');
    expect(back.rows.map((r) => r.weakLabels)).toEqual([[-1, 0], [0, 0]]);
  });
});

describe('curated file: where it may write', () => {
  it('never over the input, not over an existing file without force, and not from a changed file', async () => {
    const file = tmp.write('guard.jsonl', '{"text":"a","label":0}\n{"text":"b","label":1}\n');
    const result = await resultFor(file);
    await expect(writeRowsFile(file, result, [0], file, { force: true })).rejects.toThrow(/destroy an input/);
    const out = tmp.write('exists.jsonl', 'keep me');
    await expect(writeRowsFile(file, result, [0], out)).rejects.toThrow(/exists/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    await writeRowsFile(file, result, [0], out, { force: true });
    expect(readFileSync(out, 'utf8')).toBe('{"text":"a","label":0}\n');
    writeFileSync(file, '{"text":"a","label":0}\n{"text":"B","label":1}\n');
    await expect(writeRowsFile(file, result, [0], curatedPathFor(file), { force: true })).rejects.toThrow(/changed since it was analysed/);
  });

  it('refuses Parquet, unknown rows and an empty choice', async () => {
    const file = tmp.write('p.jsonl', '{"text":"a","label":0}\n');
    const result = await resultFor(file);
    const parquet = { ...result, dataset: { ...result.dataset, format: 'parquet' } } as AnalysisResult;
    await expect(writeRowsFile(file, parquet, [0], curatedPathFor(file), { force: true })).rejects.toThrow(/Parquet/);
    await expect(writeRowsFile(file, result, [5], curatedPathFor(file), { force: true })).rejects.toThrow(InputError);
    await expect(writeRowsFile(file, result, [], curatedPathFor(file), { force: true })).rejects.toThrow(/no rows/);
  });
});
