import type { ErrorPolicy } from './errorPolicy';
import type { LineBatch } from './lines';
import { jsonStringEnd } from './structure';

/** One top-level member of a JSON array or object, as source text with the lines it spans. */
export interface JsonElement {
  /** The member's key when the container is an object (WRENCH: the row id). */
  key?: string;
  text: string;
  /** 1-based line where the element starts: the key's line for object members, the value's line for array items. */
  line: number;
  endLine: number;
}

type Phase = 'open' | 'beforeKey' | 'key' | 'afterKey' | 'beforeValue' | 'value' | 'afterValue' | 'done';
type ValueKind = 'container' | 'string' | 'primitive';

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;

/**
 * Streams the members of one top-level JSON array (`[...]`) or object (`{...}`) line by line, so a large file is
 * never held as one string: only the member being read is buffered, and each member is handed over as text for
 * JSON.parse. It tracks strings, escapes and nesting (strings end where structure.ts's jsonStringEnd says, as in the
 * annotation scanner), but leaves the validation of a member's content to JSON.parse.
 */
export class TopLevelJsonScanner {
  private phase: Phase = 'open';
  private allowClose = true;
  private readonly openChar: number;
  private readonly closeChar: number;
  private key?: string;
  private keyLine = 0;
  private kind: ValueKind = 'primitive';
  private depth = 0;
  private inString = false;
  private startLine = 0;
  /** Where the current value starts on its first line; -1 on continuation lines. */
  private valueStart = -1;
  /** The current value's text so far (one slice per line, with the newlines between). */
  private parts: string[] = [];
  private lastElementLine = 0;
  private lastLine = 0;

  constructor(
    private readonly container: 'array' | 'object',
    private readonly policy: ErrorPolicy,
    private readonly onElement: (element: JsonElement) => void,
    /** Sniffing a file head: a cut-off end is expected, not an error. */
    private readonly truncatedOk = false,
  ) {
    this.openChar = container === 'array' ? 91 : 123;
    this.closeChar = container === 'array' ? 93 : 125;
  }

  pushLines(batch: LineBatch): void {
    for (let k = 0; k < batch.lines.length; k++) this.scanLine(batch.lines[k], batch.first + k);
    if (batch.lines.length > 0) this.lastLine = batch.first + batch.lines.length - 1;
  }

  end(): void {
    const lastLine = Math.max(1, this.lastLine);
    if (this.phase === 'done' || this.truncatedOk) return;
    if (this.phase === 'open') throw this.policy.fatal('no rows: the file has no JSON content', lastLine);
    const where = this.phase === 'value' ? `; the element that starts at line ${this.startLine} is not closed` : '';
    throw this.policy.fatal(`unexpected end of file: the JSON ${this.container} is not closed${where}`, lastLine);
  }

  private scanLine(s: string, ln: number): void {
    let i = 0;
    const n = s.length;
    while (i < n) {
      switch (this.phase) {
        case 'value':
          i = this.scanValue(s, i, ln);
          continue;
        case 'key':
          i = this.scanKey(s, i, ln);
          continue;
      }
      i = skipWhitespace(s, i);
      if (i >= n) break;
      const c = s.charCodeAt(i);
      switch (this.phase) {
        case 'open':
          if (c !== this.openChar) {
            throw this.policy.fatal(`expected the file to start with '${String.fromCharCode(this.openChar)}'`, ln);
          }
          this.phase = this.container === 'array' ? 'beforeValue' : 'beforeKey';
          this.allowClose = true;
          i++;
          break;
        case 'beforeKey':
          if (c === this.closeChar && this.allowClose) {
            this.phase = 'done';
            i++;
          } else if (c === QUOTE) {
            this.phase = 'key';
            this.keyLine = ln;
            i++;
          } else {
            throw this.policy.fatal(c === this.closeChar ? 'trailing comma before }' : 'expected a quoted key', ln);
          }
          break;
        case 'afterKey':
          if (c !== COLON) throw this.policy.fatal(`expected ':' after the key "${this.key}"`, ln);
          this.phase = 'beforeValue';
          this.allowClose = false;
          i++;
          break;
        case 'beforeValue':
          if (c === this.closeChar) {
            if (!this.allowClose) throw this.policy.fatal('trailing comma or missing value', ln);
            this.phase = 'done';
            i++;
          } else if (c === COMMA || c === COLON) {
            throw this.policy.fatal(`unexpected '${String.fromCharCode(c)}' where a value should start`, ln);
          } else {
            this.startValue(s, i, ln);
          }
          break;
        case 'afterValue':
          if (c === COMMA) {
            this.phase = this.container === 'array' ? 'beforeValue' : 'beforeKey';
            this.allowClose = false;
            i++;
          } else if (c === this.closeChar) {
            this.phase = 'done';
            i++;
          } else {
            throw this.policy.fatal(
              `expected ',' or '${String.fromCharCode(this.closeChar)}' after the element that starts at line ${this.lastElementLine}`,
              ln,
            );
          }
          break;
        case 'done':
          throw this.policy.fatal('unexpected content after the end of the JSON', ln);
      }
    }
    if (this.phase === 'key') throw this.policy.fatal('a key string is not closed on its line', ln);
    if (this.phase === 'value') {
      if (this.inString) throw this.policy.fatal('a string is not closed on its line (JSON strings cannot span lines)', ln);
      if (this.kind === 'primitive') this.finishValue(ln);
      else this.parts.push('\n');
    }
  }

  private startValue(s: string, i: number, ln: number): void {
    const c = s.charCodeAt(i);
    this.phase = 'value';
    this.startLine = ln;
    this.parts = [];
    this.depth = 0;
    this.inString = false;
    this.kind = c === 123 || c === 91 ? 'container' : c === QUOTE ? 'string' : 'primitive';
    // The scan restarts at i so the opening character is counted by scanValue.
    this.valueStart = i;
  }

  /** Scans from i within a value; returns where scanning continues. Completes the value when it closes. */
  private scanValue(s: string, i: number, ln: number): number {
    const from = this.valueStart >= 0 ? this.valueStart : 0;
    this.valueStart = -1;
    const n = s.length;
    if (this.kind === 'primitive') {
      let j = i;
      while (j < n && !isPrimitiveEnd(s.charCodeAt(j))) j++;
      this.parts.push(s.slice(from, j));
      if (j < n) this.finishValue(ln);
      return j;
    }
    let j = i;
    while (j < n) {
      const c = s.charCodeAt(j++);
      if (c === QUOTE) {
        const end = jsonStringEnd(s, j - 1);
        if (end < 0) {
          // Not closed on its line: scanLine reports it.
          this.inString = true;
          j = n;
          break;
        }
        j = end;
        if (this.kind === 'string') {
          this.parts.push(s.slice(from, j));
          this.finishValue(ln);
          return j;
        }
      } else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
        this.depth--;
        if (this.depth === 0) {
          this.parts.push(s.slice(from, j));
          this.finishValue(ln);
          return j;
        }
      }
    }
    this.parts.push(s.slice(from, n));
    return n;
  }

  /** At i, just past a key's opening quote (at i - 1). */
  private scanKey(s: string, i: number, ln: number): number {
    const end = jsonStringEnd(s, i - 1);
    if (end < 0) throw this.policy.fatal('a key string is not closed on its line', ln);
    const raw = s.slice(i, end - 1);
    try {
      this.key = JSON.parse(`"${raw}"`) as string;
    } catch {
      throw this.policy.fatal(`malformed key "${raw}"`, ln);
    }
    this.phase = 'afterKey';
    return end;
  }

  private finishValue(ln: number): void {
    const line = this.container === 'object' ? this.keyLine : this.startLine;
    const text = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
    this.parts = [];
    this.phase = 'afterValue';
    this.lastElementLine = line;
    this.onElement({ key: this.container === 'object' ? this.key : undefined, text, line, endLine: ln });
  }
}

function skipWhitespace(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    i++;
  }
  return i;
}

function isPrimitiveEnd(c: number): boolean {
  return c === COMMA || c === 93 || c === 125 || c === 32 || c === 9 || c === 13;
}
