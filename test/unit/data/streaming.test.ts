import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorPolicy } from '../../../src/core/data/errorPolicy';
import { LineSplitter, splitTextLines, type LineBatch } from '../../../src/core/data/lines';
import { createRecordParser, type LineFormat } from '../../../src/core/data/parse';
import type { RawRecord } from '../../../src/core/data/records';

/** Splits `bytes` at the given cut points (sorted, deduplicated) into chunks. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(at, p));
    at = p;
  }
  return chunks;
}

function splitChunks(chunks: Uint8Array[]): string[] {
  const splitter = new LineSplitter('test.txt');
  const out: string[] = [];
  const take = (b: LineBatch) => {
    expect(b.first).toBe(out.length + 1);
    out.push(...b.lines);
  };
  for (const c of chunks) take(splitter.push(c));
  take(splitter.end());
  return out;
}

function parseChunks(format: LineFormat, chunks: Uint8Array[]): RawRecord[] {
  const records: RawRecord[] = [];
  const policy = new ErrorPolicy('test', false);
  // The header row is stated: these properties are about quoting and chunking, not header detection.
  const parser = createRecordParser(format, policy, (r) => records.push(r), false, 'yes');
  const splitter = new LineSplitter('test');
  for (const c of chunks) parser.pushLines(splitter.push(c));
  parser.pushLines(splitter.end());
  parser.end();
  return records;
}

// Strings that stress the scanners: quotes, backslashes, braces, commas, tabs, multi-byte characters.
const trickyString = fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', '{', '}', '[', ']', ',', '\t', 'é', '€', '😀', 'z') });
// JSON has no -0, so it is normalised to 0 before comparing.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
const row = fc.record({ text: trickyString, label: fc.integer({ min: 0, max: 3 }), acts: fc.array(finite, { maxLength: 3 }) });
const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('LineSplitter', () => {
  it('gives the same lines however the bytes are chunked (multi-byte characters split across chunks)', () => {
    fc.assert(
      fc.property(fc.array(trickyString, { minLength: 1, maxLength: 8 }), cuts, fc.boolean(), (lines, cutPoints, trailingNewline) => {
        const text = lines.join('\n') + (trailingNewline ? '\n' : '');
        const bytes = new TextEncoder().encode(text);
        expect(splitChunks(chunked(bytes, cutPoints))).toEqual(splitTextLines(text, 't').lines);
      }),
    );
  });

  it('drops a BOM split across chunks and strips CR before LF', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('a\r\nb\r\n')]);
    expect(splitChunks(chunked(bytes, [1, 2, 5]))).toEqual(['a', 'b']);
  });

  it('refuses a file whose lines end with CR only, whatever the chunks, instead of reading one line', () => {
    const text = 'text,label\ra fine film,1\ra dull film,0\r';
    const bytes = new TextEncoder().encode(text);
    for (const cutPoints of [[], [4], [11, 12], [text.length - 1]]) {
      expect(() => splitChunks(chunked(bytes, cutPoints))).toThrow(/test\.txt:1: the lines end with CR only .* LF or CRLF/);
    }
    expect(() => splitTextLines(text, 'in.csv')).toThrow(/in\.csv:1: the lines end with CR only/);
    const long = new LineSplitter('big.txt', 16);
    expect(() => long.push(new TextEncoder().encode('abc\rdef\rghi\rjkl\rmno\r'))).toThrow(/lines end with CR only/);
    // CRLF, a doubled CR before LF and a stray CR further down are not CR-only line breaks
    expect(splitChunks(chunked(new TextEncoder().encode('a\r\r\nb\rc\r\n'), [2]))).toEqual(['a\r', 'b\rc']);
  });

  it('refuses a line longer than its limit instead of buffering without bound', () => {
    const splitter = new LineSplitter('big.txt', 16);
    splitter.push(new TextEncoder().encode('short\n0123456789'));
    expect(() => splitter.push(new TextEncoder().encode('0123456789'))).toThrow(/big\.txt:2: line 2 is longer than 16 bytes/);
  });
});

describe('record parsers are chunk-independent', () => {
  it('JSON arrays: each element parses to the value JSON.parse gives, on the line of its brace', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 6 }), cuts, fc.boolean(), (rows, cutPoints, pretty) => {
        const text = JSON.stringify(rows, null, pretty ? 2 : undefined);
        const records = parseChunks('json', chunked(new TextEncoder().encode(text), cutPoints));
        expect(records.map((r) => r.fields)).toEqual(rows);
        const lines = text.split('\n');
        if (!pretty) expect(records.every((r) => r.line === 1 && r.endLine === 1)).toBe(true);
        else for (const r of records) {
          expect(lines[r.line - 1].trimStart().startsWith('{')).toBe(true);
          expect(lines[r.endLine - 1].trimEnd().replace(/,$/, '').endsWith('}')).toBe(true);
        }
      }),
    );
  });

  it('WRENCH objects: rows come in key order as in the file', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 6 }), cuts, (rows, cutPoints) => {
        const body = rows.map((r, i) => `\t"${i}": ${JSON.stringify({ label: r.label, data: { text: r.text } })}`).join(',\n');
        const text = `{\n${body}\n}`;
        const records = parseChunks('wrench', chunked(new TextEncoder().encode(text), cutPoints));
        expect(records.map((r) => r.fields)).toEqual(rows.map((r) => ({ label: r.label, data: { text: r.text } })));
        expect(records.map((r) => r.line)).toEqual(rows.map((_, i) => i + 2));
      }),
    );
  });

  it('CSV: quoted fields with delimiters, quotes and newlines round-trip', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(trickyString, trickyString), { minLength: 1, maxLength: 6 }), cuts, (rows, cutPoints) => {
        const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
        const text = ['a,b', ...rows.map(([a, b]) => `${quote(a)},${quote(b)}`)].join('\n');
        const records = parseChunks('csv', chunked(new TextEncoder().encode(text), cutPoints));
        expect(records.map((r) => [r.fields.a, r.fields.b])).toEqual(rows);
      }),
    );
  });
});
