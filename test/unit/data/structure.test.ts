/**
 * core/data/structure.ts, the one structure scanner: its primitives (where a JSON string or a quoted CSV field ends)
 * against the byte-by-byte rules they replace, for random texts; the row spans and error lines annotation relies on.
 * (Annotation's edits and undo are tested in test/unit/extension/annotationEdits.test.ts; the readers that share the
 * primitives in test/unit/data.)
 */
import { describe, expect, it } from 'vitest';
import {
  csvClosingQuote,
  jsonStringEnd,
  LineTable,
  scanDelimited,
  scanJsonlObjects,
  scanJsonRowObjects,
  StructureError,
} from '../../../src/core/data/structure';

/** The byte-by-byte scans the primitives replaced. */
function refJsonStringEnd(s: string, p: number): number {
  for (let i = p + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i + 1;
    else if (c === 10) return -1;
  }
  return -1;
}

function refCsvClosingQuote(s: string, p: number): number {
  while (p < s.length) {
    if (s.charCodeAt(p) === 34) {
      if (s.charCodeAt(p + 1) === 34) p += 2;
      else return p;
    } else p++;
  }
  return -1;
}

function randomText(seed: number, n: number): string {
  const alphabet = ['"', '\\', '\n', 'a', ',', ' ', '\r'];
  let x = seed;
  let out = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

describe('structure primitives', () => {
  it('jsonStringEnd finds the end a byte-by-byte scan finds, with and without a known line end', () => {
    for (let seed = 1; seed < 400; seed++) {
      const s = '"' + randomText(seed, 1 + (seed % 40));
      const nl = s.indexOf('\n');
      expect(jsonStringEnd(s, 0, nl < 0 ? s.length : nl), s).toBe(refJsonStringEnd(s, 0));
      const line = s.split('\n')[0]!;
      expect(jsonStringEnd(line, 0), line).toBe(refJsonStringEnd(line, 0));
    }
  });

  it('jsonStringEnd: escaped quotes and backslash runs', () => {
    expect(jsonStringEnd('"a\\"b"', 0)).toBe(6);
    expect(jsonStringEnd('"a\\\\"b"', 0)).toBe(5);
    expect(jsonStringEnd('"abc', 0)).toBe(-1);
    expect(jsonStringEnd('"ab\ncd"', 0, 3)).toBe(-1);
  });

  it('csvClosingQuote finds the quote a byte-by-byte scan finds', () => {
    for (let seed = 1; seed < 400; seed++) {
      const s = randomText(seed, 1 + (seed % 40));
      for (const from of [0, 1, 3]) expect(csvClosingQuote(s, from), s).toBe(refCsvClosingQuote(s, from));
    }
    expect(csvClosingQuote('a""b",c', 0)).toBe(4);
  });
});

describe('structure scans', () => {
  it('LineTable maps offsets to 1-based lines', () => {
    const t = new LineTable('ab\ncd\r\n\nx');
    expect([0, 2, 3, 6, 7, 8].map((o) => t.lineOf(o))).toEqual([1, 1, 2, 2, 3, 4]);
  });

  it('LineTable gives where a line starts, in a text or its bytes; past the last line, the end', () => {
    const text = 'ab\ncd\r\n\nx';
    for (const t of [new LineTable(text), new LineTable(new TextEncoder().encode(text))]) {
      expect([1, 2, 3, 4, 5, 9].map((l) => t.startOf(l))).toEqual([0, 3, 7, 8, 9, 9]);
    }
    expect([1, 2, 3].map((l) => new LineTable('a\n').startOf(l))).toEqual([0, 2, 2]);
  });

  it('JSONL objects with their members and lines; blank lines skipped', () => {
    const text = '{"a": 1, "b": "x\\"y"}\n\n  {"c": [1, {"d": null}]}\r\n';
    const rows = scanJsonlObjects(text);
    expect(rows.map((r) => r.line)).toEqual([1, 3]);
    expect(rows[0]!.members.map((m) => [m.key, text.slice(m.valueStart, m.valueEnd)])).toEqual([['a', '1'], ['b', '"x\\"y"']]);
    expect(text[rows[1]!.close]).toBe('}');
  });

  it('JSON arrays, WRENCH objects and {"data": [...]}', () => {
    expect(scanJsonRowObjects('[\n{"a": 1},\n {"a": 2}\n]').map((r) => r.line)).toEqual([2, 3]);
    expect(scanJsonRowObjects('{"0": {"label": 1},\n"1": {"label": 0}}').map((r) => r.line)).toEqual([1, 2]);
    expect(scanJsonRowObjects('{"meta": 1, "data": [{"t": "x"}, {"t": "y"}]}')).toHaveLength(2);
  });

  it('errors name the line: an unterminated string, a missing comma, a bad element', () => {
    const line = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(StructureError);
        return [(e as StructureError).line, (e as Error).message];
      }
      return null;
    };
    expect(line(() => scanJsonlObjects('{"a": 1}\n{"a": "x\n'))).toEqual([2, 'line 2: unterminated string']);
    // A backslash before a line break skips it, as the byte-by-byte scan did (the readers' JSON.parse refuses it).
    expect(line(() => scanJsonRowObjects('[{"a": "x\\\ny"}]'))).toBeNull();
    expect(line(() => scanJsonRowObjects('[\n{"a": 1}\n{"a": 2}]'))).toEqual([3, 'line 3: expected , or ] in array']);
    expect(line(() => scanJsonRowObjects('[1]'))).toEqual([1, 'line 1: expected an object as array element']);
    expect(line(() => scanDelimited('a,b\n1,"x\n', ','))).toEqual([2, 'line 2: unterminated quoted field']);
  });

  it('CSV records: quoted fields hold delimiters, doubled quotes and line breaks', () => {
    const text = '\uFEFFtext,label\r\n"a, ""b""\nc",1\n\nplain,0';
    const recs = scanDelimited(text, ',');
    expect(recs.map((r) => r.line)).toEqual([1, 2, 5]);
    expect(recs[1]!.fields.map((f) => text.slice(f.start, f.end))).toEqual(['"a, ""b""\nc"', '1']);
  });
});
