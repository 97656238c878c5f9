import { describe, expect, it } from 'vitest';
import { EASY, HARD, OVERLAP } from '../../../src/core/detect/types';
import { exportedRows, exportRowsFile, rowExportFileName } from '../../../src/core/report/rowExport';
import { buildResult } from './build';

describe('row export (issue 15, item 5)', () => {
  const result = buildResult({ w2s: 30 });
  const w2s = result.rows.filter((r) => r.split === 'w2s-train').slice(0, 3);
  const texts: (string | null)[] = [];
  texts[w2s[0].index] = '=HYPERLINK("http://x")';
  texts[w2s[1].index] = 'a, "quoted"\nline';
  const input = { result, indices: w2s.map((r) => r.index), categories: [OVERLAP, HARD, EASY], texts, flagged: new Set([w2s[1].index]) };

  it('writes 1-based rows, lines, category words, class names with ids, scores and texts, in the given order', () => {
    const rows = exportedRows(input);
    expect(rows.map((r) => r.row)).toEqual(w2s.map((r) => r.index + 1));
    expect(rows[0]).toMatchObject({ line: w2s[0].line ?? null, category: 'overlap', label: ['negative', 'positive'][w2s[0].label], label_id: w2s[0].label, weak_confidence: w2s[0].confidence, hard_similarity: w2s[0].alignment, flagged: false });
    expect(rows.map((r) => r.category)).toEqual(['overlap', 'hard-only', 'easy-only']);
    expect(rows[1].flagged).toBe(true);
    expect(rows[2].text).toBeNull();
  });

  it('JSONL: one object per row, texts as they are', () => {
    const lines = exportRowsFile('jsonl', input).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0].text).toBe('=HYPERLINK("http://x")');
  });

  it('CSV: a header, quoted cells, and data that would run as a spreadsheet formula kept as text', () => {
    const csv = exportRowsFile('csv', input);
    const [header, first] = csv.split('\r\n');
    expect(header).toBe('row,line,category,label,label_id,weak_guess,weak_guess_id,weak_confidence,hard_similarity,flagged,text');
    expect(first.endsWith(`,"'=HYPERLINK(""http://x"")"`)).toBe(true);
    expect(csv).toContain('"a, ""quoted""\nline"');
  });

  it('names the file after the filter, in file-name characters only', () => {
    expect(rowExportFileName('reviews.jsonl', 'overlap', 'csv')).toBe('reviews.jsonl.overlap-rows.csv');
    expect(rowExportFileName('r', '../x y', 'jsonl')).toBe('r..._x_y-rows.jsonl');
  });
});
