import { describe, expect, it } from 'vitest';
import { parseDatasetBytes, parseDatasetText } from '../../../src/core/data';

const text = (i: number) => `row number ${i} with some words`;
const csv = (labels: string[]) => `text,label\n${labels.map((l, i) => `${text(i)},${l}`).join('\n')}\n`;
const msgs = (d: { warnings: { message: string }[] }) => d.warnings.map((w) => w.message);

describe('missing-value spellings in the label column', () => {
  it.each(['NaN', 'nan', 'NA', 'N/A', 'null', 'None', '<NA>'])('%s among float class ids is no label, not a class or a mix of ids and names', (missing) => {
    const labels = Array.from({ length: 20 }, (_, i) => (i % 7 === 3 ? missing : i % 2 ? '1.0' : '0.0'));
    const d = parseDatasetText(csv(labels), 'csv', { path: 'f.csv' });
    expect(d.classes.map((c) => c.value)).toEqual([0, 1]);
    expect(d.rows.filter((r) => r.label === null).map((r) => r.line)).toEqual([5, 12, 19]);
    const w = d.warnings.find((x) => /without a label/.test(x.message));
    expect(w).toMatchObject({ file: 'f.csv', line: 5 });
    expect(w!.message).toContain(`3 rows without a label are left out of the analysis (lines 5, 12, 19); 3 of them have the label ${JSON.stringify(missing)}`);
  });

  it('"nan" among class names is no label, not a class "nan"', () => {
    const labels = Array.from({ length: 12 }, (_, i) => (i === 4 ? 'nan' : i % 2 ? 'pos' : 'neg'));
    const d = parseDatasetText(csv(labels), 'csv');
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([['neg', 5], ['pos', 6]]);
    expect(d.rows[4].label).toBeNull();
  });

  it('empty labels and spellings together are counted once, with the first lines', () => {
    const labels = ['1', '', 'NaN', '0', '1', 'None', '0', '', '1', '0', '1', '0', '1', '0'];
    const d = parseDatasetText(csv(labels), 'csv', { path: 'g.csv' });
    expect(d.read.unlabelled).toBe(4);
    expect(msgs(d)).toEqual([expect.stringMatching(/^4 rows without a label are left out of the analysis \(lines 3, 4, 7, 9\); 2 of them have the label "NaN", "None"/)]);
  });

  it('a JSON null label stays no label', () => {
    const d = parseDatasetText('{"text": "a", "label": 1}\n{"text": "b", "label": 0}\n{"text": "c", "label": null}\n', 'jsonl');
    expect(d.rows.map((r) => r.label)).toEqual([1, 0, null]);
  });

  it('a majority of such spellings stays class names, as written (classes literally named "None")', () => {
    const labels = ['None', 'None', 'Some', 'None', 'All', 'None'];
    const d = parseDatasetText(csv(labels), 'csv');
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([['All', 1], ['None', 4], ['Some', 1]]);
    expect(d.read.unlabelled).toBe(0);
  });
});

describe('rows without a text', () => {
  it('a null or missing text leaves the row out with a warning naming the file and lines, as a null label does', () => {
    const rows = ['{"text": "a", "label": 1}', '{"text": null, "label": 0}', '{"text": "c", "label": 0}', '{"label": 1}', '{"text": "", "label": 1}'];
    const d = parseDatasetText(rows.join('\n'), 'jsonl', { path: 'n.jsonl' });
    expect(d.rows.map((r) => [r.line, r.text])).toEqual([[1, 'a'], [3, 'c'], [5, '']]);
    expect(d.warnings).toEqual([
      { message: '2 rows without a text are left out of the analysis (lines 2, 4): the text field "text" is null or missing in them', file: 'n.jsonl', line: 2 },
    ]);
    expect(d.leftOut?.noText).toBe(2);
  });

  it('rows that carry activations keep a null text (no encoder needs it)', () => {
    const d = parseDatasetText('{"text": null, "label": 1, "weak_acts": [1, 2]}\n{"text": "b", "label": 0, "weak_acts": [3, 4]}\n', 'jsonl');
    expect(d.rows).toHaveLength(2);
  });

  it('no row with a text at all is refused, naming the text field', () => {
    expect(() => parseDatasetText('{"text": null, "label": 1}\n{"text": null, "label": 0}\n', 'jsonl', { path: 'e.jsonl' })).toThrow(
      /e\.jsonl:1: no rows with a text: the text field "text" is null or missing in every row; choose the text field/,
    );
  });

  it('a Parquet null text is left out too, and a float NaN label is no label', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'text', data: ['a', null, 'c', 'd', 'e'], type: 'STRING' },
        { name: 'label', data: [1, 0, Number.NaN, 1, 0], type: 'DOUBLE' },
      ],
    });
    const d = await parseDatasetBytes(new Uint8Array(buf), { path: 'p.parquet' });
    // a Parquet row's line is its 1-based row number
    expect(d.rows.map((r) => [r.line, r.text, r.label])).toEqual([[1, 'a', 1], [3, 'c', null], [4, 'd', 1], [5, 'e', 0]]);
    expect(msgs(d)).toEqual([
      '1 row without a label is left out of the analysis (line 3)',
      '1 row without a text is left out of the analysis (line 2): the text field "text" is null or missing in it',
    ]);
  });
});

describe('rows without a label', () => {
  it('are named by file and first lines, at most five', () => {
    const labels = Array.from({ length: 30 }, (_, i) => (i % 4 === 1 ? '' : String(i % 2)));
    const d = parseDatasetText(csv(labels).replace(/,1\n/g, ',1\n'), 'csv', { path: 'u.csv' });
    const w = d.warnings.find((x) => /without a label/.test(x.message));
    expect(w).toEqual({ message: '8 rows without a label are left out of the analysis (lines 3, 7, 11, 15, 19, ...)', file: 'u.csv', line: 3 });
    expect(d.leftOut?.unlabelledLines).toEqual([3, 7, 11, 15, 19]);
  });

  it('say nothing when no row is labelled (the caller refuses that) or every row is', () => {
    expect(parseDatasetText('{"text": "a"}\n{"text": "b"}\n', 'jsonl').warnings).toEqual([]);
    expect(parseDatasetText(csv(['1', '0', '1']), 'csv').warnings).toEqual([]);
  });
});

describe('missing-value spellings that preset names list', () => {
  it('a class "None" named in the class names is that class', () => {
    const d = parseDatasetText(csv(['None', 'Good', 'Bad', 'Good', 'Bad', 'Good']), 'csv', { classNames: ['None', 'Good', 'Bad'] });
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([['None', 1], ['Good', 3], ['Bad', 2]]);
    expect(d.read.unlabelled).toBe(0);
  });
});
