import { describe, expect, it } from 'vitest';
import { parseDatasetText, readDataset } from '../../../src/core/data';
import { looksLikeHeader } from '../../../src/core/data/formats/csv';
import { useTempDir } from './tempDir';

const tmp = useTempDir('csvquirks');
const TEXTS = [
  'a stirring , funny and finally transporting re-imagining of beauty and the beast',
  'apparently reassembled from the cutting-room floor of any given daytime soap',
  'they presume their audience wo not sit still for a sociology lesson',
  'this is a visually stunning rumination on love , memory , history and the war',
  'jonathan parker is a filmmaker who is not afraid to mess with your mind',
  'the story is also as unoriginal as they come , already having been recycled',
];
const LABELS = ['positive', 'negative', 'negative', 'positive', 'positive', 'negative'];
const rowsOf = (n: number, row: (i: number) => string): string => Array.from({ length: n }, (_, i) => row(i)).join('\n');

describe('an Excel "sep=X" first line', () => {
  it.each([
    [';', 'semicolons'],
    [',', 'commas'],
    ['\t', 'a tab'],
    ['\\t', 'a tab written \\t'],
    ['|', 'vertical bars'],
  ])('is skipped, and %j separates the columns (%s)', (sep, _what) => {
    const d = sep === '\\t' ? '\t' : sep;
    const text = `sep=${sep}\ntext${d}label\n${rowsOf(12, (i) => `${TEXTS[i % 6].replaceAll(d, ' ')}${d}${LABELS[i % 6]}`)}\n`;
    const ds = parseDatasetText(text, 'csv', { path: 'excel.csv' });
    expect(ds.read.header).toMatchObject({ present: true, columns: ['text', 'label'] });
    expect(ds.rows).toHaveLength(12);
    expect(ds.rows[0]).toMatchObject({ line: 3, text: TEXTS[0].replaceAll(d, ' ') });
    expect(ds.classes.map((c) => c.value)).toEqual(['negative', 'positive']);
  });

  it('works with quoted fields holding the separator, a BOM and a quoted sep line', () => {
    const text = `\ufeff"sep=;"\ntext;label\n"one; two";pos\n"three";neg\n"four; five";pos\n`;
    const ds = parseDatasetText(text, 'csv');
    expect(ds.rows.map((r) => [r.line, r.text])).toEqual([[3, 'one; two'], [4, 'three'], [5, 'four; five']]);
  });

  it('is only the first line: "sep=," further down is data', () => {
    const ds = parseDatasetText('text,label\nsep=,pos\nhello there,neg\nagain,pos\n', 'csv');
    expect(ds.rows[0].text).toBe('sep=');
  });
});

describe('the header repeated further down (CSV exports joined with their headers)', () => {
  it('is left out with a warning naming the file and the lines, not read as a class "label"', async () => {
    const part = (k: number) => rowsOf(10, (i) => `"${TEXTS[(i + k) % 6]}",${LABELS[(i + k) % 6]}`);
    const file = tmp.write('joined.csv', `text,label\n${part(0)}\ntext,label\n${part(1)}\n text , label \n${part(2)}\n`);
    const ds = await readDataset(file);
    expect(ds.rows).toHaveLength(30);
    expect(ds.classes.map((c) => c.value)).toEqual(['negative', 'positive']);
    const w = ds.warnings.find((x) => /header row is repeated/.test(x.message));
    expect(w).toMatchObject({ file, line: 12 });
    expect(w!.message).toMatch(/repeated at lines 12, 23 .*those 2 rows were left out/);
  });

  it('also within the first rows looked at for the header decision', () => {
    const ds = parseDatasetText(`sentence,label\n"${TEXTS[0]}",1\nsentence,label\n"${TEXTS[1]}",0\n"${TEXTS[2]}",1\n`, 'csv');
    expect(ds.read.header?.present).toBe(true);
    expect(ds.rows.map((r) => r.line)).toEqual([2, 4, 5]);
  });
});

describe('headerless detection: a first-row cell that is a frequent value of its column is data', () => {
  it('reads "Great,positive" above a column where "positive" is frequent as the first row', () => {
    const text = `Great,positive\n${rowsOf(40, (i) => `"${TEXTS[i % 6]}",${LABELS[i % 6]}`)}\n`;
    const ds = parseDatasetText(text, 'csv');
    expect(ds.read.header).toMatchObject({ present: false });
    expect(ds.read.header?.reason).toMatch(/"positive" is a frequent value of column 2/);
    expect(ds.rows).toHaveLength(41);
    expect(ds.rows[0]).toMatchObject({ line: 1, text: 'Great' });
  });

  it('outweighs a first cell that is a field name ("text,positive")', () => {
    expect(looksLikeHeader(['text', 'positive'], Array.from({ length: 30 }, (_, i) => [TEXTS[i % 6], LABELS[i % 6]])).present).toBe(false);
    // label first
    expect(looksLikeHeader(['negative', 'so bad'], Array.from({ length: 30 }, (_, i) => [LABELS[i % 6], TEXTS[i % 6]])).present).toBe(false);
  });

  it('keeps a real header, also with the header repeated below', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [TEXTS[i % 6], LABELS[i % 6]]);
    expect(looksLikeHeader(['review', 'sentiment'], rows).present).toBe(true);
    expect(looksLikeHeader(['review', 'sentiment'], [...rows, ['review', 'sentiment'], ['review', 'sentiment']]).present).toBe(true);
    expect(looksLikeHeader(['Phrase', 'Mood'], rows).present).toBe(true);
  });
});

describe('TSV with quotes that are not TSV quoting (GLUE)', () => {
  const body = (n: number) => rowsOf(n, (i) => `${TEXTS[i % 6]}\t${i % 2}`);

  it('"Hello" said he<TAB>1: read with the quotes taken literally, with a warning', () => {
    const text = `sentence\tlabel\n${body(5)}\n"Hello" said he\t1\n${body(5)}\n`;
    const ds = parseDatasetText(text, 'tsv', { path: 'glue.tsv' });
    expect(ds.rows).toHaveLength(11);
    expect(ds.rows[5]).toMatchObject({ line: 7, text: '"Hello" said he', label: 1 });
    const w = ds.warnings.find((x) => /quotes taken literally/.test(x.message));
    expect(w).toMatchObject({ file: 'glue.tsv', line: 7 });
  });

  it('a quote opened and never closed: every later row is still a row', () => {
    const text = `sentence\tlabel\n${body(3)}\n"hello there\t1\n${body(20)}\n`;
    const ds = parseDatasetText(text, 'tsv', { path: 'open.tsv' });
    expect(ds.rows).toHaveLength(24);
    expect(ds.rows[3]).toMatchObject({ line: 5, text: '"hello there', label: 1 });
    expect(ds.rows[4].line).toBe(6);
    expect(ds.warnings.map((w) => w.message).join('\n')).toMatch(/quotes taken literally from line 5 on/);
  });

  it('stray quotes at the start of many texts, closed by the next one: each line a row', () => {
    const text = `sentence\tlabel\n${rowsOf(30, (i) => `${i % 5 === 0 ? '"' : ''}${TEXTS[i % 6]}\t${i % 2}`)}\n`;
    const ds = parseDatasetText(text, 'tsv');
    expect(ds.rows).toHaveLength(30);
    expect(ds.rows.map((r) => r.label)).toEqual(Array.from({ length: 30 }, (_, i) => i % 2));
  });

  it('when the lines do not split into the same number of fields either, the error names TSV, the line and the quotes', () => {
    const text = `sentence\tlabel\n${body(3)}\na row\twith\tthree\n"Hello" said he\t1\n${body(3)}\n`;
    expect(() => parseDatasetText(text, 'tsv', { path: 'bad.tsv' })).toThrow(/bad\.tsv:6: malformed TSV row: .*The quotes are the problem.*line 5 has 3 tab-separated fields/);
  });

  it('well-formed TSV quoting is still read as quoting, and a CSV error still says CSV', () => {
    const ds = parseDatasetText('sentence\tlabel\n"a\ttab inside"\t1\n"two\nlines"\t0\n', 'tsv');
    expect(ds.rows.map((r) => r.text)).toEqual(['a\ttab inside', 'two\nlines']);
    expect(ds.warnings).toEqual([]);
    expect(() => parseDatasetText('text,label\n"Hello" said he,1\n', 'csv')).toThrow(/<input>:2: malformed CSV row/);
  });
});
