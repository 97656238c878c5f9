import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDatasetText, readDataset, sniffDataset } from '../../../src/core/data';
import { looksLikeHeader } from '../../../src/core/data/formats/csv';
import { unifyLabelSets } from '../../../src/core/data/labels';
import { useTempDir } from './tempDir';

const tmpDir = useTempDir('reading');
const tmp = {
  write(name: string, content: string): string {
    mkdirSync(dirname(join(tmpDir.dir, name)), { recursive: true });
    return tmpDir.write(name, content);
  },
};

// Rows in the layout of AG News / DBpedia / Yelp: no header, a class id, then a title and a description.
const AG_LIKE = [
  '"3","Wall St. Bears Claw Back Into the Black (Reuters)","Reuters - Short-sellers, Wall Street\'s dwindling band of ultra-cynics, are seeing green again."',
  '"4","New Chip Promises Faster Phones","A chip maker said on Tuesday its new processor would double battery life in handsets."',
  '"2","Striker Signs Five-Year Deal","The forward agreed terms with the club after a week of talks, his agent said on Monday."',
  '"1","Talks Resume on Border Dispute","Envoys from both countries met again in Geneva to discuss the long-running border disagreement."',
  '"3","Oil Prices Slip","Crude futures fell for a second day as inventories rose more than analysts had expected."',
].join('\n');

describe('CSV header detection', () => {
  it('takes a first row of numbers above numbers as data (the AG News layout)', () => {
    const d = parseDatasetText(AG_LIKE, 'csv');
    expect(d.rows).toHaveLength(5);
    expect(d.read.header).toMatchObject({ present: false, how: 'detected', columns: ['column_1', 'column_2', 'column_3'] });
    expect(d.read.header!.reason).toMatch(/data/);
    expect(d.rows[0].line).toBe(1);
  });

  it('finds the class column and joins both text columns when the file names none', () => {
    const d = parseDatasetText(AG_LIKE, 'csv');
    expect(d.read.labelField).toBe('column_1');
    expect(d.read.how).toEqual({ label: 'content', text: 'content' });
    expect(d.read.textFields).toEqual(['column_2', 'column_3']);
    expect(d.read.textJoin).toBe('\n');
    expect(d.rows[1].text).toBe('New Chip Promises Faster Phones\nA chip maker said on Tuesday its new processor would double battery life in handsets.');
    // ids 1..4 are 4 classes, not 5 with a phantom class 0
    expect(d.numClasses).toBe(4);
    expect(d.classes.map((c) => [c.value, c.count])).toEqual([[1, 1], [2, 1], [3, 2], [4, 1]]);
  });

  it('takes a row of field names above numbers as a header, and says why', () => {
    const d = parseDatasetText('label,text\n0,a fine film\n1,a dull film\n', 'csv');
    expect(d.read.header).toMatchObject({ present: true, how: 'detected' });
    expect(d.rows.map((r) => r.label)).toEqual([0, 1]);
    expect(looksLikeHeader(['stars', 'review'], [['5', 'loved every minute of it'], ['1', 'a waste of an evening']])).toMatchObject({ present: true });
  });

  it('takes short unknown names above long text as a header, and a first row like the rows below as data', () => {
    expect(looksLikeHeader(['headline', 'body_text'], [['Markets rally on rate hopes', 'Stocks rose sharply in early trading on Monday as investors bet on cuts.']]).present).toBe(true);
    expect(looksLikeHeader(['good film, would watch again', 'pos'], [['a tedious and overlong drama', 'neg']]).present).toBe(false);
    expect(looksLikeHeader(['1', '2'], [['3', '4']]).present).toBe(false);
  });

  it('obeys the header option: yes, no, or the column names', () => {
    const text = 'label,text\n0,a fine film\n1,a dull film\n';
    expect(parseDatasetText(AG_LIKE, 'csv', { header: 'no' }).rows).toHaveLength(5);
    // a header row read as data is caught by the label rule, naming the lines
    expect(() => parseDatasetText(text, 'csv', { header: 'no', fields: { label: 'column_1', text: 'column_2' } })).toThrow(
      /labels mix class ids \(line 2\) and class names \(line 1\)/,
    );
    const named = parseDatasetText(AG_LIKE, 'csv', { header: ['cls', 'title', 'description'], fields: { label: 'cls', text: ['title', 'description'] } });
    expect(named.read.header).toMatchObject({ present: false, how: 'option', columns: ['cls', 'title', 'description'] });
    expect(named.read.how).toEqual({ label: 'option', text: 'option' });
    expect(named.rows).toHaveLength(5);
    expect(() => parseDatasetText(AG_LIKE, 'csv', { header: ['a', 'b'] })).toThrow(/<input>:1: 2 column names were given but the first row has 3 columns/);
    const forced = parseDatasetText('text,label\nok,1\nfine,0\n', 'csv', { header: 'yes' });
    expect(forced.read.header).toMatchObject({ present: true, how: 'option' });
  });

  it('names a text column the data has but did not use', () => {
    const d = parseDatasetText('text,notes,label\na fine film indeed,written by a reviewer on holiday,1\na dull film sadly,another long note about nothing,0\n', 'csv');
    expect(d.read.textFields).toEqual(['text']);
    expect(d.read.unusedTextFields).toEqual(['notes']);
  });

  it('reads a column named __proto__ or constructor as a column', () => {
    const d = parseDatasetText('__proto__,constructor,label\nsome text here,more,1\nother text,again,0\n', 'csv', { fields: { text: '__proto__' } });
    expect(d.rows.map((r) => r.text)).toEqual(['some text here', 'other text']);
  });

  it('a wide CSV keeps only the columns in use in each row (memory grows with the fields used, not the width)', () => {
    const names = ['label', 'text', ...Array.from({ length: 200 }, (_, i) => `extra_${i}`)];
    const row = (l: number, t: string) => [String(l), t, ...Array.from({ length: 200 }, (_, i) => String(i))].join(',');
    const text = [names.join(','), ...Array.from({ length: 150 }, (_, i) => row(i % 2, `some words for row ${i}`))].join('\n');
    const d = parseDatasetText(text, 'csv', { keepFields: ['extra_7'] });
    expect(d.rows).toHaveLength(150);
    // rows read after the field choice (the first 100 are read before it) hold only what is in use
    expect(Object.keys(d.rows[149].fields).sort()).toEqual(['extra_7', 'label', 'text']);
    expect(d.rows[149].fields.extra_7).toBe('7');
    // a narrow file keeps every column (nothing to save)
    expect(Object.keys(parseDatasetText('label,text,note\n1,a b,x\n0,c d,y\n', 'csv').rows[1].fields)).toEqual(['label', 'text', 'note']);
  });

  it('refuses a row with more columns than the stated limit, naming the line', () => {
    const wide = `${Array.from({ length: 10_001 }, (_, i) => `c${i}`).join(',')}\n`;
    expect(() => parseDatasetText(`text,label\n${wide}`, 'csv', { lenient: true })).toThrow(/<input>:2: row has 10001 columns; at most 10,000/);
  });
});

describe('class names', () => {
  it('reads classes.txt beside the file, in id order, 1-based ids when the data starts at 1', async () => {
    const file = tmp.write('ag/train.csv', AG_LIKE);
    tmp.write('ag/classes.txt', 'World\nSports\nBusiness\nSci/Tech\n');
    const d = await readDataset(file);
    expect(d.labelNames).toEqual(['World', 'Sports', 'Business', 'Sci/Tech']);
    expect(d.rows[0].label).toBe(2); // "3" is Business
    expect(d.read.classNamesFrom).toMatchObject({ source: 'classes.txt' });
    expect(d.classes.map((c) => [c.value, c.name, c.count])).toEqual([[1, 'World', 1], [2, 'Sports', 1], [3, 'Business', 2], [4, 'Sci/Tech', 1]]);
  });

  it('prefers names given as an option, and ignores a malformed classes.txt with a warning', async () => {
    const file = tmp.write('b/train.csv', AG_LIKE);
    tmp.write('b/classes.txt', 'World\n\nBusiness\n');
    const d = await readDataset(file);
    expect(d.labelNames).toEqual(['1', '2', '3', '4']);
    expect(d.warnings.map((w) => w.message).join(' ')).toMatch(/ignored .*classes.txt: expected one distinct, non-empty class name per line \(line 2 is empty\)/);
    const named = await readDataset(file, { classNames: ['w', 's', 'b', 't'] });
    expect(named.labelNames).toEqual(['w', 's', 'b', 't']);
    expect(named.read.classNamesFrom).toEqual({ source: 'option' });
  });

  it('sniffs a headerless CSV with its decision and the fields a picker offers', async () => {
    const file = tmp.write('c/news.csv', AG_LIKE);
    const s = await sniffDataset(file);
    expect(s.looksLikeDataset).toBe(true);
    expect(s.header).toMatchObject({ present: false });
    expect(s.available).toEqual(['column_1', 'column_2', 'column_3']);
    expect(s.fields).toEqual({ label: 'column_1', text: ['column_2', 'column_3'] });
    expect(s.samples?.column_1).toBe('3');
  });
});

describe('string labels and label sets across files', () => {
  it('a stray list in the label field is that row\'s error, not "no label field"', () => {
    const rows = ['{"text":"a","label":1}', '{"text":"b","label":[0,1]}', '{"text":"c","label":0}'].join('\n');
    expect(() => parseDatasetText(rows, 'jsonl')).toThrow(/<input>:2: label field "label" should be a class id or name, got an array/);
    expect(parseDatasetText(rows, 'jsonl', { lenient: true }).rows.map((r) => r.label)).toEqual([1, 0]);
  });

  it('numbers string labels in code-point order and counts them', () => {
    const d = parseDatasetText(['{"text":"a","label":"pos"}', '{"text":"b","label":"neg"}', '{"text":"c","label":"pos"}'].join('\n'), 'jsonl');
    expect(d.classes).toEqual([{ id: 0, value: 'neg', name: 'neg', count: 1 }, { id: 1, value: 'pos', name: 'pos', count: 2 }]);
    expect(d.read.classNamesFrom).toEqual({ source: 'data' });
  });

  it('unifies a dataset and its test file: the union of values, rows and votes rewritten', () => {
    const a = parseDatasetText(['{"text":"a","label":2,"weak_labels":[2,-1]}', '{"text":"b","label":5,"weak_labels":[5,2]}'].join('\n'), 'jsonl');
    const b = parseDatasetText(['{"text":"c","label":3,"weak_labels":[3,3]}', '{"text":"d","label":2,"weak_labels":[-1,2]}'].join('\n'), 'jsonl');
    const sets = [
      { file: 'a', labels: { numClasses: a.numClasses, labelNames: a.labelNames, classes: a.classes, values: a.classes.map((c) => c.value) }, rows: a.rows },
      { file: 'b', labels: { numClasses: b.numClasses, labelNames: b.labelNames, classes: b.classes, values: b.classes.map((c) => c.value) }, rows: b.rows },
    ];
    const u = unifyLabelSets(sets);
    expect(u.values).toEqual([2, 3, 5]);
    expect(a.rows.map((r) => r.label)).toEqual([0, 2]);
    expect(b.rows.map((r) => r.label)).toEqual([1, 0]);
    expect(a.rows.map((r) => r.weakLabels)).toEqual([[0, -1], [2, 0]]);
    expect(b.rows.map((r) => r.weakLabels)).toEqual([[1, 1], [-1, 0]]);
    expect(u.classes.map((c) => c.count)).toEqual([2, 1, 1]);
  });

  it('refuses a vote for a value that is not a class, naming the line', () => {
    expect(() => parseDatasetText(['{"text":"a","label":1,"weak_labels":[1,-1]}', '{"text":"b","label":2,"weak_labels":[7,2]}'].join('\n'), 'jsonl')).toThrow(
      /<input>:2: vote 7 at position 0 is not -1 \(abstain\) or one of the classes \(1, 2\)/,
    );
  });
});
