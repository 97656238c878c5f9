import { InputError } from '../errors';

/** Consecutive lines of a text: `lines[i]` is line `first + i` (1-based), without its `\n` or `\r\n`. */
export interface LineBatch {
  first: number;
  lines: string[];
}

/** A line longer than this is refused before it can exhaust memory (V8 strings top out near 512 M characters). */
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Splits a UTF-8 byte stream into lines with bounded memory: only the current partial line is buffered.
 * Decoding is fatal so invalid UTF-8 is reported with its line instead of turning into U+FFFD; a NUL byte means the
 * file is not text. A leading BOM is dropped and `\r\n` is accepted.
 */
export class LineSplitter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private nextLine = 1;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(
    private readonly file: string,
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {}

  /** Feeds a chunk and returns the lines it completed. */
  push(chunk: Uint8Array): LineBatch {
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline < 0) {
      this.keepPartial(chunk);
      return { first: this.nextLine, lines: [] };
    }
    const complete = this.takePending(chunk.subarray(0, lastNewline));
    const rest = chunk.subarray(lastNewline + 1);
    const batch = this.decodeLines(complete);
    if (rest.length > 0) this.keepPartial(rest);
    return batch;
  }

  /** Returns the last line when the input does not end with a newline. */
  end(): LineBatch {
    if (this.pendingBytes === 0) return { first: this.nextLine, lines: [] };
    return this.decodeLines(this.takePending(new Uint8Array(0)));
  }

  private keepPartial(bytes: Uint8Array): void {
    // A NUL means binary: say so now instead of buffering a newline-free binary file up to the line limit.
    if (this.pending.length === 0) checkNotBinary(bytes, this.file, this.nextLine);
    else if (bytes.indexOf(0) >= 0) throw binaryError(this.file, this.nextLine);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes > this.maxLineBytes) {
      if (this.nextLine === 1 && [...this.pending, bytes].some((part) => part.indexOf(CR) >= 0)) throw crOnlyError(this.file);
      throw new InputError(
        `line ${this.nextLine} is longer than ${formatBytes(this.maxLineBytes)}; this does not look like a line-based text dataset`,
        { file: this.file, line: this.nextLine },
      );
    }
    // Stream chunks may be reused by their producer, so the partial line is copied.
    this.pending.push(bytes.slice());
  }

  private takePending(tail: Uint8Array): Uint8Array {
    if (this.pending.length === 0) return tail;
    const out = new Uint8Array(this.pendingBytes + tail.length);
    let at = 0;
    for (const part of this.pending) {
      out.set(part, at);
      at += part.length;
    }
    out.set(tail, at);
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }

  /** Decodes `bytes` (whole lines joined by `\n`) and numbers them. */
  private decodeLines(bytes: Uint8Array): LineBatch {
    const first = this.nextLine;
    checkNotBinary(bytes, this.file, first);
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      throw invalidUtf8Error(bytes, this.file, first);
    }
    if (first === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
    if (first === 1) checkLineBreaks(lines[0], this.file);
    this.nextLine += lines.length;
    return { first, lines };
  }
}

/** Splits an in-memory string the same way `LineSplitter` splits bytes (BOM, CRLF, NUL handling). */
export function splitTextLines(text: string, file: string): LineBatch {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf('\0');
  if (nul >= 0) throw binaryError(file, 1 + countNewlines(text, nul));
  if (text.length === 0) return { first: 1, lines: [] };
  if (text.endsWith('\n')) text = text.slice(0, -1);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  checkLineBreaks(lines[0], file);
  return { first: 1, lines };
}

/** Decodes a whole in-memory file with the same checks as the streaming path. */
export function splitByteLines(bytes: Uint8Array, file: string, maxLineBytes?: number): LineBatch {
  const splitter = new LineSplitter(file, maxLineBytes);
  const head = splitter.push(bytes);
  const tail = splitter.end();
  return { first: head.first, lines: head.lines.concat(tail.lines) };
}

function checkNotBinary(bytes: Uint8Array, file: string, firstLine: number): void {
  const nul = bytes.indexOf(0);
  if (nul < 0) return;
  if (firstLine === 1 && bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new InputError('the file is UTF-16 encoded; save it as UTF-8', { file, line: 1 });
  }
  throw binaryError(file, firstLine + countNewlineBytes(bytes, nul));
}

/** A CR inside the first line, with text after it: the file's lines end with CR alone (classic Mac OS). */
const LONE_CR = /\r(?!\r*$)/;

/**
 * Lines are split at LF (CRLF is one break). A file whose lines end with CR alone would read as one line, so
 * "no rows" or a wrong header: refused with what to do instead. Only the first line is looked at, so a stray CR
 * inside a quoted field further down is still text.
 */
function checkLineBreaks(firstLine: string, file: string): void {
  if (firstLine.indexOf('\r') >= 0 && LONE_CR.test(firstLine)) throw crOnlyError(file);
}

function crOnlyError(file: string): InputError {
  return new InputError(
    "the lines end with CR only (classic Mac OS line breaks), so the file reads as one line; save it with LF or CRLF line breaks (e.g. tr '\\r' '\\n' < in > out)",
    { file, line: 1 },
  );
}

function binaryError(file: string, line: number): InputError {
  return new InputError(`the file looks binary (NUL byte at line ${line}); expected a UTF-8 text dataset`, { file, line });
}

/** Finds the first line that fails to decode, so the message can point at it. */
function invalidUtf8Error(bytes: Uint8Array, file: string, firstLine: number): InputError {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let start = 0;
  let line = firstLine;
  while (start <= bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    try {
      strict.decode(bytes.subarray(start, end));
    } catch {
      return new InputError(`invalid UTF-8 at line ${line}; save the file as UTF-8`, { file, line });
    }
    start = end + 1;
    line++;
  }
  return new InputError('invalid UTF-8; save the file as UTF-8', { file, line: firstLine });
}

function countNewlineBytes(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === NEWLINE) n++;
  return n;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${n} bytes`;
}
