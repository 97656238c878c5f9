import { describe, expect, it } from 'vitest';
import { parseDatasetText } from '../../../src/core/data';

/** Sentences without the file's separators or quotes, distinct per row. */
const WORDS = ['a quiet film', 'with a loud heart', 'that never quite lands', 'yet stays with you', 'long after the credits', 'and the popcorn'];
const sentence = (i: number) => `${WORDS[i % WORDS.length]} number ${i} ${WORDS[(i * 7 + 3) % WORDS.length]}`;

/** `n` rows of text + label, a quote opening the text of each row in `open` and closing the text of each in `close`. */
function strayQuoteFile(sep: ',' | '\t', n: number, open: number[], close: number[], labels = ['0', '1']): string {
  const out = [`text${sep}label`];
  for (let i = 0; i < n; i++) {
    let t = sentence(i);
    if (open.includes(i)) t = `"${t}`;
    if (close.includes(i)) t = `${t} "`;
    out.push(`${t}${sep}${labels[i % labels.length]}`);
  }
  return `${out.join('\n')}\n`;
}

describe('a quoted field that swallows rows (a stray quote)', () => {
  it('keeps the RFC 4180 reading of a TSV but warns with the lines, the count and the likely cause', () => {
    // Row 10 (line 12) opens a quote that row 400 (line 402) closes: 391 lines become one text.
    const d = parseDatasetText(strayQuoteFile('\t', 600, [10], [400]), 'tsv', { path: 'swallow.tsv' });
    expect(d.rows).toHaveLength(210);
    expect(d.rows[10]).toMatchObject({ line: 12, endLine: 402 });
    expect(d.warnings).toHaveLength(1);
    const w = d.warnings[0];
    expect(w.file).toBe('swallow.tsv');
    expect(w.line).toBe(12);
    expect(w.message).toMatch(/quoted field runs from line 12 to line 402 \(391 lines/);
    expect(w.message).toMatch(/389 of the lines inside it look like rows/);
    expect(w.message).toMatch(/stray quote/);
    expect(w.message).toMatch(/TSV/);
  });

  it('warns for a CSV too (without the TSV advice), with string labels', () => {
    const d = parseDatasetText(strayQuoteFile(',', 100, [5], [60], ['neg', 'pos']), 'csv', { path: 'swallow.csv' });
    expect(d.rows).toHaveLength(45);
    expect(d.warnings.map((w) => [w.line, w.message.match(/from line \d+ to line \d+ \(\d+ lines/)?.[0]])).toEqual([
      [7, 'from line 7 to line 62 (56 lines'],
    ]);
    expect(d.warnings[0].message).not.toMatch(/TSV/);
  });

  it('catches a stray quote that swallows only a few rows', () => {
    const d = parseDatasetText(strayQuoteFile('\t', 40, [20], [23]), 'tsv', { path: 's.tsv' });
    expect(d.warnings.map((w) => w.line)).toEqual([22]);
    expect(d.warnings[0].message).toMatch(/from line 22 to line 25 \(4 lines.*2 of the lines inside/);
  });

  it('names the first 3 such fields and counts the rest in one warning', () => {
    const open = [10, 30, 50, 70, 90];
    const d = parseDatasetText(strayQuoteFile('\t', 120, open, open.map((i) => i + 8)), 'tsv', { path: 'many.tsv' });
    expect(d.warnings).toHaveLength(4);
    expect(d.warnings.slice(0, 3).map((w) => w.line)).toEqual([12, 32, 52]);
    expect(d.warnings[3].message).toMatch(/^2 more quoted fields hold lines that look like rows \(starting at lines 72, 92\)/);
  });

  it('says nothing about legitimate multi-line fields: paragraphs with commas, e-mail lines, blank lines', () => {
    const review = (i: number) =>
      `"First paragraph of review ${i}, which goes on, and on.\n\nSecond paragraph, shorter, ${i}.\nThanks, John\nRegards, spam\n""Quoted"", she said, 1\nlast line ${i}"`;
    const rows = Array.from({ length: 80 }, (_, i) => (i % 2 ? `${review(i)},${['spam', 'ham'][i % 2]}` : `${sentence(i)},${['spam', 'ham'][i % 2]}`));
    const d = parseDatasetText(`text,label\n${rows.join('\n')}\n`, 'csv', { path: 'reviews.csv' });
    expect(d.rows).toHaveLength(80);
    expect(d.warnings).toEqual([]);
    // numeric labels, an id column, the text last
    const rows2 = Array.from({ length: 80 }, (_, i) => `${1000 + i},${i % 2},${i % 3 ? review(i) : `"${sentence(i)}"`}`);
    const d2 = parseDatasetText(`id,label,text\n${rows2.join('\n')}\n`, 'csv', { path: 'reviews2.csv' });
    expect(d2.rows).toHaveLength(80);
    expect(d2.warnings).toEqual([]);
  });

  it('says nothing about a TSV whose quoted fields hold line breaks but no tabs', () => {
    const rows = Array.from({ length: 60 }, (_, i) => `"${sentence(i)}\n${sentence(i + 1)}\n${sentence(i + 2)}"\t${i % 3}`);
    const d = parseDatasetText(`text\tlabel\n${rows.join('\n')}\n`, 'tsv', { path: 'ok.tsv' });
    expect(d.rows).toHaveLength(60);
    expect(d.warnings).toEqual([]);
  });

  it('names the lines of a row over several lines that has the wrong number of columns', () => {
    const text = 'text,label\n"first row\nstill first, 1, extra",1,2\nsecond,0\n';
    expect(() => parseDatasetText(text, 'csv', { path: 'bad.csv' })).toThrow(/row has 3 columns but the header has 2; the row runs from line 2 to line 3 .*stray quote/);
  });
});
