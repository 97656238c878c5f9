/**
 * Rows kept column-wise (core/data/rowStore.ts, issue 14 item 6): a large file of short rows keeps its texts as UTF-8
 * in shared blocks and its numbers in typed arrays, and hands out rows made on first access. Same rows, fields,
 * labels, summaries, warnings and errors as rows kept as objects; the heap does not hold an object per row.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDatasetText, readDataset, type Dataset, type DatasetFormat } from '../../../src/core/data';
import type { ParseOptions } from '../../../src/core/data/parse';
import { RowStore, rowStoreDefaults } from '../../../src/core/data/rowStore';
import type { DatasetRow } from '../../../src/core/data/types';
import { useTempDir } from './tempDir';

const tmp = useTempDir('row-store');
const defaultCompactFrom = rowStoreDefaults.compactFrom;
afterEach(() => {
  rowStoreDefaults.compactFrom = defaultCompactFrom;
});

/** Parses twice, rows as objects and rows column-wise from the first row: the outcome (or the error) as JSON. */
function bothWays(text: string, format: DatasetFormat, opts: ParseOptions = {}): { objects: string; compact: string; dataset?: Dataset } {
  const run = (compactFrom: number) => {
    rowStoreDefaults.compactFrom = compactFrom;
    try {
      const d = parseDatasetText(text, format, { path: 'same.' + format, ...opts });
      return { json: JSON.stringify(d), d };
    } catch (e) {
      return { json: `error: ${(e as Error).message} ${JSON.stringify(e)}` };
    }
  };
  const objects = run(Number.MAX_SAFE_INTEGER);
  const compact = run(0);
  return { objects: objects.json, compact: compact.json, dataset: compact.d };
}

const CASES: [string, DatasetFormat, string, ParseOptions?][] = [
  ['jsonl, integer labels', 'jsonl', '{"text": "good film", "label": 1}\n{"text": "bad film", "label": 0}\n\n{"text": "ok", "label": 1}\n'],
  ['jsonl, label first, names', 'jsonl', '{"label": "pos", "text": "a"}\n{"label": "neg", "text": "b"}\n{"label": "pos", "text": "c"}\n'],
  ['jsonl, unlabelled and non-ASCII rows', 'jsonl', '{"text": "caf\\u00e9 \\ud83d\\ude00", "label": 1}\n{"text": "x", "label": null}\n{"text": "y", "label": 0}\n{"text": "", "label": 0}\n'],
  ['jsonl, an empty first text', 'jsonl', '{"text": "", "label": 1}\n{"text": "b", "label": 0}\n'],
  ['jsonl, a lone surrogate and -0', 'jsonl', '{"text": "\\ud800 alone", "label": 1}\n{"text": "z", "label": -0}\n{"text": "w", "label": 1}\n'],
  ['jsonl, mixed shapes', 'jsonl', '{"text": "a", "label": 1}\n{"text": "b", "label": 0, "id": 7}\n{"label": 1, "text": "c"}\n{"text": "d", "label": "1"}\n{"text": "e", "label": true}\n'],
  ['jsonl, a row error in lenient mode', 'jsonl', '{"text": "a", "label": 1}\n{"text": 5, "label": 0}\n{"text": "c", "label": 0}\n', { lenient: true }],
  ['jsonl, preset names and a bad id', 'jsonl', '{"text": "a", "label": 0}\n{"text": "b", "label": 7}\n', { classNames: ['x', 'y'] }],
  ['jsonl, unknown class name', 'jsonl', '{"text": "a", "label": "x"}\n{"text": "b", "label": "q"}\n', { classNames: ['x', 'y'] }],
  ['csv with header, quoted line breaks', 'csv', 'text,label\n"two\nlines",1\nplain,0\n"three\n\nlines",1\n'],
  ['csv without header', 'csv', '"3","first title","first body"\n"1","second title","second body"\n"3","third","t"\n'],
  ['tsv', 'tsv', 'sentence\tlabel\nhello there\t1\nbye now\t0\n'],
  ['json array', 'json', '[{"text": "a", "label": 1}, {"text": "b", "label": 0}]'],
  ['wrench', 'wrench', '{"0": {"label": 1, "weak_labels": [1, -1], "data": {"text": "a"}}, "1": {"label": 0, "weak_labels": [0, 0], "data": {"text": "b"}}}'],
];

describe('rows kept column-wise read the same as rows kept as objects', () => {
  for (const [name, format, text, opts] of CASES) {
    it(name, () => {
      const { objects, compact } = bothWays(text, format, opts);
      expect(compact).toBe(objects);
    });
  }

  it('every class gets the same count, summary and single-row warnings on a larger file', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ text: `row ${i} ${'é'.repeat(i % 5)}`, label: i === 17 ? 9 : i % 3 }));
    const { objects, compact } = bothWays(lines.join('\n'), 'jsonl');
    expect(compact).toBe(objects);
    expect(JSON.parse(compact).warnings.length).toBeGreaterThan(0);
  });
});

describe('the lazy rows array', () => {
  const text = Array.from({ length: 100 }, (_, i) => JSON.stringify({ text: `t${i}`, label: i % 2 })).join('\n');
  const lazy = (): DatasetRow[] => {
    rowStoreDefaults.compactFrom = 10;
    return parseDatasetText(text, 'jsonl').rows;
  };

  it('behaves as an array: length, indexing, iteration, methods, spread, JSON, keys', () => {
    const rows = lazy();
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.length).toBe(100);
    expect(rows[42]).toEqual({ index: 42, line: 43, endLine: 43, label: 0, fields: { text: 't42', label: 0 }, text: 't42' });
    expect(rows[100]).toBeUndefined();
    expect(42 in rows && !(100 in rows)).toBe(true);
    expect([...rows].map((r) => r.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(rows.filter((r) => r.label === 1)).toHaveLength(50);
    expect(rows.slice(98).map((r) => r.text)).toEqual(['t98', 't99']);
    expect(Object.keys(rows)).toHaveLength(100);
    expect(JSON.parse(JSON.stringify(rows))[99].text).toBe('t99');
    let n = 0;
    for (const r of rows) n += r.index;
    expect(n).toBe(4950);
  });

  it('hands out the same object each time, so a change to a row stays', () => {
    const rows = lazy();
    expect(rows[50]).toBe(rows[50]);
    rows[50].label = 7;
    expect(rows[50].label).toBe(7);
    const replacement = { ...rows[60], text: 'new' };
    rows[60] = replacement;
    expect(rows[60]).toBe(replacement);
    expect(rows.indexOf(rows[70])).toBe(70);
  });
});

describe('the column form', () => {
  it('keeps texts in shared blocks, not one string per row', () => {
    const store = new RowStore('text', 'label', true, 0);
    for (let i = 0; i < 3; i++) {
      const t = `text ${i} ü`;
      store.add({ index: i, line: i + 1, endLine: i + 1, label: null, fields: { text: t, label: i }, text: t }, -1);
    }
    expect([0, 1, 2].map((i) => store.isCompact(i))).toEqual([true, true, true]);
    const a = store.textBytes(0)!;
    const b = store.textBytes(2)!;
    expect(a.buffer).toBe(b.buffer);
    expect(Buffer.from(b).toString('utf8')).toBe('text 2 ü');
  });

  it('keeps other shapes as objects', () => {
    const store = new RowStore('text', 'label', true, 0);
    const odd = { index: 0, line: 1, endLine: 1, label: null, fields: { text: 'a', label: 1, id: 3 }, text: 'a' };
    store.add(odd, -1);
    expect(store.isCompact(0)).toBe(false);
    expect(store.rows()[0]).toBe(odd);
  });

  it('a large read keeps no object per row on the heap', async () => {
    // 400,000 short rows (28 MB): as objects the heap kept ~250 bytes a row; column-wise only the first rows are objects.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const rows = 400_000;
    const block = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ text: `an example sentence number ${i} with a few words`, label: i % 2 })).join('\n') + '\n';
    const file = tmp.write('many.jsonl', block.repeat(rows / 1000));
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const d = await readDataset(file);
    gc();
    const heapPerRow = (process.memoryUsage().heapUsed - heap0) / rows;
    expect(d.rows.length).toBe(rows);
    expect(d.rows[rows - 1].text).toBe('an example sentence number 999 with a few words');
    expect(heapPerRow).toBeLessThan(100);
  });
});
