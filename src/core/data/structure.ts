/**
 * The one structure scanner of JSON, JSONL, WRENCH and CSV/TSV text: where each row object or record starts and
 * ends and where its top-level fields are, as offsets into the text, so that annotation (extension) can edit rows
 * in place byte for byte. The readers beside it parse values; they share its low-level primitives (where a JSON
 * string or a quoted CSV field ends) so the grammar is tokenised by one piece of code.
 */

export class StructureError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'StructureError';
  }
}

/** 1-based line of an offset and offset of a line, via a precomputed table of line starts (of a text or its bytes). */
export class LineTable {
  private readonly starts: number[] = [0];
  private readonly length: number;
  constructor(text: string | Uint8Array) {
    this.length = text.length;
    if (typeof text === 'string') {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
    } else {
      for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) this.starts.push(i + 1);
    }
  }
  /** Offset where a 1-based line starts; the text's length for a line past the last. */
  startOf(line: number): number {
    return line - 1 < this.starts.length ? this.starts[line - 1]! : this.length;
  }
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

export interface JsonMember {
  key: string;
  valueStart: number;
  /** Offset just past the value. */
  valueEnd: number;
}

export interface JsonObjectSpan {
  /** Offset of `{`. */
  start: number;
  /** Offset of the closing `}`. */
  close: number;
  members: JsonMember[];
}

/** A JSON quote is escaped when an odd number of backslashes precede it. */
export function jsonQuoteIsEscaped(s: string, q: number): boolean {
  let k = q - 1;
  while (k >= 0 && s.charCodeAt(k) === 92) k--;
  return (q - 1 - k) % 2 === 1;
}

/**
 * Offset just past the JSON string that opens at p (a `"`), or -1 when it is not closed before its line ends.
 * `lineEnd` is the offset of the first line break after p (the text's length when there is none): readers that hand
 * over one line at a time pass nothing. Quotes are found with indexOf; a line break escaped by a backslash (not JSON,
 * but skipped as an escape, as a byte-by-byte scan does) sends the rare string that crosses one to a byte-by-byte scan.
 */
export function jsonStringEnd(s: string, p: number, lineEnd = s.length): number {
  let q = s.indexOf('"', p + 1);
  while (q >= 0 && jsonQuoteIsEscaped(s, q)) q = s.indexOf('"', q + 1);
  if (q >= 0 && q < lineEnd) return q + 1;
  if (lineEnd >= s.length) return -1;
  for (let i = p + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i + 1;
    else if (c === 10) return -1;
  }
  return -1;
}

/**
 * Offset of the quote that closes a quoted CSV/TSV field whose content continues at `from` (RFC 4180: `""` inside is
 * one quote), or -1 when `s` ends first.
 */
export function csvClosingQuote(s: string, from: number): number {
  for (let q = s.indexOf('"', from); q >= 0; q = s.indexOf('"', q + 2)) {
    if (s.charCodeAt(q + 1) !== 34) return q;
  }
  return -1;
}

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff;
}

export function skipWs(text: string, p: number): number {
  while (p < text.length && isWs(text.charCodeAt(p))) p++;
  return p;
}

class JsonScanner {
  private readonly lines: LineTable;
  constructor(private readonly text: string) {
    this.lines = new LineTable(text);
  }

  fail(msg: string, at: number): never {
    throw new StructureError(msg, this.lines.lineOf(at));
  }

  lineOf(offset: number): number {
    return this.lines.lineOf(offset);
  }

  /** Where the next line break at or after `nlFrom` is (the text's length when none): strings end before it. */
  private nlFrom = -1;
  private nl = -1;

  /** Offset just past the string starting at p (which holds `"`). */
  string(p: number): number {
    const t = this.text;
    if (p < this.nlFrom || p > this.nl) {
      this.nlFrom = p;
      const nl = t.indexOf('\n', p);
      this.nl = nl < 0 ? t.length : nl;
    }
    const end = jsonStringEnd(t, p, this.nl);
    if (end < 0) this.fail('unterminated string', p);
    return end;
  }

  /** Offset just past a number, true, false, null, NaN or Infinity at p. */
  private primitive(p: number): number {
    const t = this.text;
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)/.exec(t.slice(p, p + 64));
    if (!m) this.fail(`unexpected ${t[p] === undefined ? 'end of text' : JSON.stringify(t[p])} where a JSON value should be`, p);
    return p + m[0].length;
  }

  /**
   * Offset just past the value starting at p (after whitespace). Iterative, with an explicit stack of the open
   * arrays and objects: nesting as deep as the readers accept (100,000 levels and more) cannot overflow the call stack.
   */
  value(p: number): number {
    const t = this.text;
    // The closing bracket of each open container, innermost last.
    const open: number[] = [];
    p = skipWs(t, p);
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 34) p = this.string(p);
      else if (c === 123 || c === 91) {
        const close = c === 123 ? 125 : 93;
        open.push(close);
        p = skipWs(t, p + 1);
        if (t.charCodeAt(p) === close) {
          open.pop();
          p++;
        } else {
          if (close === 125) p = this.key(p);
          continue;
        }
      } else p = this.primitive(p);
      // After a complete value: close containers, or move on to the next element or member.
      for (;;) {
        if (open.length === 0) return p;
        p = skipWs(t, p);
        const close = open[open.length - 1]!;
        const d = t.charCodeAt(p);
        if (d === close) {
          open.pop();
          p++;
          continue;
        }
        if (d !== 44) this.fail(close === 125 ? 'expected , or } in object' : 'expected , or ] in array', p);
        p = skipWs(t, p + 1);
        if (close === 125) p = this.key(p);
        break;
      }
    }
  }

  /** At a member's key: the offset of its value (after the key, the colon and whitespace). */
  private key(p: number): number {
    const t = this.text;
    if (t[p] !== '"') this.fail('expected a quoted key in object', p);
    p = skipWs(t, this.string(p));
    if (t[p] !== ':') this.fail('expected : after key', p);
    return skipWs(t, p + 1);
  }

  /** Scans an array at p (`[`), calling `onElement(start)` for each element; returns the offset past `]`. */
  array(p: number, onElement: (start: number) => void): number {
    const t = this.text;
    p = skipWs(t, p + 1);
    if (t[p] === ']') return p + 1;
    for (;;) {
      p = skipWs(t, p);
      onElement(p);
      p = skipWs(t, this.value(p));
      if (t[p] === ',') {
        p++;
        continue;
      }
      if (t[p] === ']') return p + 1;
      this.fail('expected , or ] in array', p);
    }
  }

  object(p: number): JsonObjectSpan {
    const t = this.text;
    const start = p;
    const members: JsonMember[] = [];
    p = skipWs(t, p + 1);
    if (t[p] === '}') return { start, close: p, members };
    for (;;) {
      p = skipWs(t, p);
      if (t[p] !== '"') this.fail('expected a quoted key in object', p);
      const keyEnd = this.string(p);
      let key: string;
      try {
        key = JSON.parse(t.slice(p, keyEnd)) as string;
      } catch {
        this.fail('bad key string', p);
      }
      p = skipWs(t, keyEnd);
      if (t[p] !== ':') this.fail('expected : after key', p);
      const valueStart = skipWs(t, p + 1);
      const valueEnd = this.value(valueStart);
      members.push({ key, valueStart, valueEnd });
      p = skipWs(t, valueEnd);
      if (t[p] === ',') {
        p++;
        continue;
      }
      if (t[p] === '}') return { start, close: p, members };
      this.fail('expected , or } in object', p);
    }
  }
}

export interface RowObject extends JsonObjectSpan {
  /** 1-based line of `{`. */
  line: number;
}

/** One object per non-blank line. */
export function scanJsonlObjects(text: string): RowObject[] {
  const s = new JsonScanner(text);
  const out: RowObject[] = [];
  let p = 0;
  while (p < text.length) {
    let eol = text.indexOf('\n', p);
    if (eol < 0) eol = text.length;
    const q = skipWs(text, p);
    if (q < eol) {
      if (text[q] !== '{') s.fail('expected a JSON object on this line', q);
      const obj = s.object(q);
      out.push({ ...obj, line: s.lineOf(q) });
    }
    p = eol + 1;
  }
  return out;
}

/**
 * Row objects of a JSON dataset: the elements of a top-level array; for a top-level object, its object values
 * (WRENCH: rows keyed by id) or, failing that, the elements of its first array of objects (`{"data": [...]}`).
 */
export function scanJsonRowObjects(text: string): RowObject[] {
  const s = new JsonScanner(text);
  const out: RowObject[] = [];
  const p = skipWs(text, 0);
  const collectArray = (at: number) =>
    s.array(at, (el) => {
      if (text[el] !== '{') s.fail('expected an object as array element', el);
      out.push({ ...s.object(el), line: s.lineOf(el) });
    });
  if (text[p] === '[') {
    collectArray(p);
    return out;
  }
  if (text[p] !== '{') s.fail('expected a JSON array or object', p);
  const top = s.object(p);
  if (top.members.length > 0 && top.members.every((m) => text[m.valueStart] === '{')) {
    for (const m of top.members) out.push({ ...s.object(m.valueStart), line: s.lineOf(m.valueStart) });
    return out;
  }
  for (const m of top.members) {
    if (text[m.valueStart] === '[' && text[skipWs(text, m.valueStart + 1)] === '{') {
      collectArray(m.valueStart);
      return out;
    }
  }
  return s.fail('found no array of row objects in this JSON file', p);
}

export interface CsvField {
  start: number;
  end: number;
}

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  start: number;
  /** Offset just past the last field (before the line break). */
  end: number;
  fields: CsvField[];
}

/** RFC 4180 records: quoted fields may hold delimiters, doubled quotes and line breaks. Blank lines are skipped. */
export function scanDelimited(text: string, delimiter: ',' | '\t'): CsvRecord[] {
  const lines = new LineTable(text);
  const out: CsvRecord[] = [];
  const d = delimiter.charCodeAt(0);
  let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (p < text.length) {
    const recStart = p;
    const fields: CsvField[] = [];
    for (;;) {
      const fStart = p;
      if (text.charCodeAt(p) === 34) {
        const q = csvClosingQuote(text, p + 1);
        if (q < 0) throw new StructureError('unterminated quoted field', lines.lineOf(fStart));
        p = q + 1;
      }
      while (p < text.length) {
        const c = text.charCodeAt(p);
        if (c === d || c === 10 || c === 13) break;
        p++;
      }
      fields.push({ start: fStart, end: p });
      if (p < text.length && text.charCodeAt(p) === d) {
        p++;
        continue;
      }
      break;
    }
    const end = p;
    if (text.charCodeAt(p) === 13) p++;
    if (text.charCodeAt(p) === 10) p++;
    const blank = fields.length === 1 && fields[0]!.start === fields[0]!.end;
    if (!blank) out.push({ line: lines.lineOf(recStart), start: recStart, end, fields });
    if (end === p && p < text.length) p++; // a stray character that ends nothing: avoid looping forever
  }
  return out;
}

/** The unquoted value of a CSV field. */
export function csvFieldValue(text: string, f: CsvField): string {
  const raw = text.slice(f.start, f.end);
  if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) return raw.slice(1, -1).replace(/""/g, '"');
  return raw;
}

/** A value written into a CSV/TSV field, quoted when it must be. */
export function csvQuote(value: string, delimiter: ',' | '\t'): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
