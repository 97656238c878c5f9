/**
 * Reader round trips: generated rows -> JSONL / CSV / TSV / JSON array text (with BOM, CRLF, blank lines, quotes,
 * delimiters and newlines inside CSV fields, any Unicode) -> parse -> the same rows on the same lines, through both the
 * string path (parseDatasetText) and the byte path (parseDatasetBytes, the streaming line splitter); lineToRow maps
 * every line of the text back to its row.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineToRow, parseDatasetBytes, parseDatasetText } from '../../../src/core/data';
import type { Dataset, DatasetFormat } from '../../../src/core/data';
import { checkProperty } from './count';

interface GenRow {
  text: string;
  label: number;
  note: string;
}

/** Where each row must land: its first and last line (1-based). */
interface Placed {
  row: GenRow;
  line: number;
  endLine: number;
}

/** Text in the file as a whole: `body` joined with `eol`, with an optional BOM and final newline. */
function assemble(lines: string[], eol: string, bom: boolean, trailing: boolean): string {
  return (bom ? '\uFEFF' : '') + lines.join(eol) + (trailing ? eol : '');
}

async function parseBoth(text: string, format: DatasetFormat): Promise<Dataset[]> {
  return [parseDatasetText(text, format), await parseDatasetBytes(new TextEncoder().encode(text), { format, path: `t.${format}` })];
}

function checkRows(ds: Dataset, placed: Placed[], totalLines: number, withNote: boolean): void {
  expect(ds.rows.length).toBe(placed.length);
  ds.rows.forEach((r, i) => {
    const p = placed[i];
    expect(r.text).toBe(p.row.text);
    // Labels are a value set: the class at dense id r.label writes the row's label value.
    expect(ds.classes[r.label!].value).toBe(p.row.label);
    expect([r.line, r.endLine]).toEqual([p.line, p.endLine]);
    if (withNote) expect(r.fields.note).toBe(p.row.note);
  });
  expect(ds.numClasses).toBe(new Set(placed.map((p) => p.row.label)).size);
  expect(ds.classes.map((c) => c.value)).toEqual([...new Set(placed.map((p) => p.row.label))].sort((a, b) => a - b));
  const find = lineToRow(ds);
  for (let line = 1; line <= totalLines; line++) {
    // A line that several rows share (a compact JSON array) maps to one of them.
    const owners = placed.flatMap((p, i) => (p.line <= line && line <= p.endLine ? [i] : []));
    if (owners.length === 0) expect(find(line), `line ${line}`).toBeUndefined();
    else expect(owners, `line ${line}`).toContain(find(line));
  }
}

const label = fc.integer({ min: 0, max: 3 });
const eol = fc.constantFrom('\n', '\r\n');

/** Any code point, including quotes, backslashes, control characters, U+2028 and astral characters. */
const anyText = fc.string({ unit: 'binary', maxLength: 24 });
const jsonRow = fc.record({ text: anyText, label, note: anyText });

/** Cell content that stresses CSV quoting: delimiters, quotes, newlines, spaces and multi-byte characters. */
const cellUnit = fc.oneof(
  fc.constantFrom(',', '"', '\n', '\t', ' ', "'", ';', 'a', 'Z', '0', 'é', '€', '中', '😀', '\u2028'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const cell = fc.string({ unit: cellUnit, maxLength: 16 });
const csvRow = fc.record({ text: cell, label, note: cell });

describe('reader round trips (fast-check)', () => {
  it('JSONL: rows, lines and lineToRow survive BOM, CRLF, blank lines and any Unicode', async () => {
    await checkProperty(
      'readers: JSONL round trip',
      fc.asyncProperty(
        fc.array(fc.tuple(jsonRow, fc.nat(2)), { minLength: 1, maxLength: 10 }), eol, fc.boolean(), fc.boolean(),
        async (items, nl, bom, trailing) => {
          const lines: string[] = [];
          const placed: Placed[] = [];
          for (const [row, blanks] of items) {
            for (let b = 0; b < blanks; b++) lines.push(b % 2 ? '   ' : '');
            lines.push(JSON.stringify(row));
            placed.push({ row, line: lines.length, endLine: lines.length });
          }
          for (const ds of await parseBoth(assemble(lines, nl, bom, trailing), 'jsonl')) checkRows(ds, placed, lines.length, true);
        },
      ),
      1500,
    );
  });

  for (const [format, delimiter] of [['csv', ','], ['tsv', '\t']] as const) {
    it(`${format.toUpperCase()}: quoted fields with delimiters, quotes and newlines round-trip on the right lines`, async () => {
      await checkProperty(
        `readers: ${format.toUpperCase()} round trip`,
        fc.asyncProperty(
          fc.array(fc.tuple(csvRow, fc.nat(1), fc.boolean()), { minLength: 1, maxLength: 8 }),
          fc.constantFrom<(keyof GenRow)[]>(['text', 'label', 'note'], ['label', 'note', 'text'], ['note', 'text', 'label']),
          eol, fc.boolean(), fc.boolean(),
          async (items, columns, nl, bom, trailing) => {
            const needsQuotes = (s: string) => s.includes(delimiter) || s.includes('"') || s.includes('\n');
            const encode = (s: string, forceQuote: boolean) => (needsQuotes(s) || forceQuote ? `"${s.replace(/"/g, '""')}"` : s);
            const lines: string[] = [columns.join(delimiter)];
            const placed: Placed[] = [];
            for (const [row, blanks, quoteAll] of items) {
              for (let b = 0; b < blanks; b++) lines.push('');
              const record = columns.map((c) => encode(String(row[c]), quoteAll)).join(delimiter);
              const recordLines = record.split('\n');
              placed.push({ row, line: lines.length + 1, endLine: lines.length + recordLines.length });
              lines.push(...recordLines);
            }
            // Newlines inside quoted fields are written with the file's line ending and read back as \n.
            for (const ds of await parseBoth(assemble(lines, nl, bom, trailing), format)) checkRows(ds, placed, lines.length, true);
          },
        ),
        format === 'csv' ? 1500 : 1000,
      );
    });
  }

  it('JSON arrays: each row on the line of its brace, compact or pretty, LF or CRLF', async () => {
    await checkProperty(
      'readers: JSON array round trip',
      fc.asyncProperty(fc.array(jsonRow, { minLength: 1, maxLength: 8 }), fc.boolean(), eol, fc.boolean(), async (rows, pretty, nl, bom) => {
        const placed: Placed[] = [];
        let lines: string[];
        if (!pretty) {
          lines = [JSON.stringify(rows)];
          for (const row of rows) placed.push({ row, line: 1, endLine: 1 });
        } else {
          lines = ['['];
          rows.forEach((row, i) => {
            const own = JSON.stringify(row, null, 2).split('\n').map((l) => `  ${l}`);
            if (i < rows.length - 1) own[own.length - 1] += ',';
            placed.push({ row, line: lines.length + 1, endLine: lines.length + own.length });
            lines.push(...own);
          });
          lines.push(']');
        }
        for (const ds of await parseBoth(assemble(lines, nl, bom, true), 'json')) checkRows(ds, placed, lines.length, true);
      }),
      1000,
    );
  });
});
