import { describe, expect, it } from 'vitest';
import { parseDatasetText } from '../../../src/core/data';
import { detectFields } from '../../../src/core/data/fields';
import { looksLikeHeader } from '../../../src/core/data/formats/csv';
import { InputError } from '../../../src/core/errors';

const TEXTS = ['a stirring and funny film', 'reassembled from the cutting-room floor', 'a sociology lesson in skimpy clothes', 'the best of its kind'];
const text = (i: number) => `${TEXTS[i % TEXTS.length]} ${i}`;

function failure(run: () => unknown): InputError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('a label chosen by its content among several qualifying columns', () => {
  it('keeps the first (the label comes first in headerless AG News, DBpedia, SST) but warns, naming the candidates and their values', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${(i * 7) % 2},"${text(i)}",${Math.floor(i / 3) % 2}`);
    const d = parseDatasetText(`${rows.join('\n')}\n`, 'csv', { path: 'twobin.csv' });
    expect(d.read.header?.present).toBe(false);
    expect(d.fields.label).toBe('column_1');
    expect(d.read.how.label).toBe('content');
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0].file).toBe('twobin.csv');
    expect(d.warnings[0].message).toMatch(/2 columns could be the label by their content: "column_1" \(2 values: 0, 1\), "column_3" \(2 values: 0, 1\); the first, "column_1", is taken/);
    expect(d.warnings[0].message).toMatch(/If the label is "column_3", choose it \(--label-field NAME, or Choose Columns\.\.\. in the editor\)/);
  });

  it('lists the candidates in detectFields, with values in order', () => {
    const records = Array.from({ length: 12 }, (_, i) => ({ a: String(i % 3), t: text(i), b: ['web', 'app', 'mail'][i % 3] }));
    const det = detectFields(records);
    expect(det.fields.label).toBe('a');
    expect(det.labelCandidates).toEqual([
      { field: 'a', values: ['0', '1', '2'], distinct: 3 },
      { field: 'b', values: ['app', 'mail', 'web'], distinct: 3 },
    ]);
  });

  it('says nothing when one column qualifies, or when the label is found by its name or set', () => {
    const one = Array.from({ length: 20 }, (_, i) => `${i % 2},"${text(i)}"`);
    expect(parseDatasetText(`${one.join('\n')}\n`, 'csv').warnings).toEqual([]);
    const named = Array.from({ length: 20 }, (_, i) => `${i % 2},"${text(i)}",${i % 3 ? 1 : 0}`);
    expect(parseDatasetText(`flag,text,label\n${named.join('\n')}\n`, 'csv').warnings).toEqual([]);
    const set = parseDatasetText(`${named.join('\n')}\n`, 'csv', { fields: { label: 'column_3' } });
    expect(set.fields.label).toBe('column_3');
    expect(set.warnings).toEqual([]);
  });
});

describe("pandas' default header line (0,1,...)", () => {
  it('reads 0,1 above a label column and a text column as a header', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 2},${text(i)}`);
    const d = parseDatasetText(`0,1\n${rows.join('\n')}\n`, 'csv', { path: 'numhdr.csv' });
    expect(d.read.header).toMatchObject({ present: true, columns: ['0', '1'] });
    expect(d.read.header?.reason).toMatch(/pandas/);
    expect(d.rows).toHaveLength(30);
    expect(d.fields).toEqual({ text: '1', label: '0' });
    expect(d.rows[0]).toMatchObject({ line: 2, text: text(0), label: 0 });
  });

  it('reads an index cell then 0,1,2 (to_csv with the index) as a header', () => {
    expect(looksLikeHeader(['', '0', '1', '2'], [['0', '1', 'some text here', 'x'], ['1', '0', 'more text here', 'y']])).toMatchObject({ present: true });
  });

  it('keeps a first row of 0,1 as data when every column below is numbers', () => {
    expect(looksLikeHeader(['0', '1'], [['1', '0'], ['1', '1'], ['0', '0']]).present).toBe(false);
    // and numbers that are not 0..k-1 still vote for data
    expect(looksLikeHeader(['1', '2'], [['0', 'some text'], ['1', 'other text']]).present).toBe(false);
  });
});

describe('a label field of arrays', () => {
  const jsonl = (labels: unknown[], extra: (i: number) => Record<string, unknown> = () => ({})) =>
    labels.map((l, i) => JSON.stringify({ text: text(i), label: l, ...extra(i) })).join('\n') + '\n';

  it('one-hot vectors: says the field exists, holds one-hot vectors, and how to fix it', () => {
    const e = failure(() => parseDatasetText(jsonl([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]), 'jsonl', { path: 'onehot.jsonl' }));
    expect(e.file).toBe('onehot.jsonl');
    expect(e.line).toBe(1);
    expect(e.hint).toBe('label-field');
    expect(e.message).toMatch(/the field "label" exists but holds arrays: one-hot vectors, such as \[0,1,0\], not a class id or name per row/);
    expect(e.message).toMatch(/position of the 1/);
  });

  it('one-element lists, probability vectors and multi-label lists are named as such', () => {
    expect(failure(() => parseDatasetText(jsonl([['pos'], ['neg'], ['pos']]), 'jsonl')).message).toMatch(/"label" exists but holds arrays: one-element lists, such as \["pos"\].*\.\[0\]/);
    expect(failure(() => parseDatasetText(jsonl([[0.2, 0.8], [0.9, 0.1], [0.5, 0.5]]), 'jsonl')).message).toMatch(/class probabilities/);
    expect(failure(() => parseDatasetText(jsonl([['a', 'b'], ['b'], ['a']]), 'jsonl')).message).toMatch(/lists \(several labels per row\?\)/);
  });

  it('warns when another column was taken by its content instead', () => {
    const d = parseDatasetText(jsonl([[0, 1], [1, 0], [0, 1], [1, 0], [1, 0]], (i) => ({ src: ['web', 'app'][i % 2] })), 'jsonl');
    expect(d.fields.label).toBe('src');
    expect(d.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/the field "label" holds arrays: one-hot vectors.*the label is "src", chosen by its content/)]);
  });

  it('still takes `y` over a multi-label `labels` list without a word', () => {
    const d = parseDatasetText('{"text":"a b c","labels":[1,2],"y":1}\n{"text":"d e f","labels":[0],"y":0}\n', 'jsonl');
    expect(d.fields.label).toBe('y');
    expect(d.warnings).toEqual([]);
  });
});
