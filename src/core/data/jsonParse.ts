import { jsonStringEnd } from './structure';

/**
 * JSON.parse with a location: the error names the line inside the source file instead of a character position in
 * the fragment, and explains the most common cause of bad JSON in ML data (Python's json.dumps writes NaN/Infinity).
 * A member value that is an integer beyond Number.MAX_SAFE_INTEGER is kept as its text, exactly as written (see
 * quoteUnsafeIntegers): as a double it would be rounded, and two class ids would become one.
 */
export function parseJsonAt(text: string, startLine: number): { value: unknown } | { error: string; line: number } {
  try {
    const value = JSON.parse(text) as unknown;
    if (!MAYBE_UNSAFE_INTEGER.test(text)) return { value };
    const exact = quoteUnsafeIntegers(text);
    return { value: exact === text ? value : JSON.parse(exact) };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    const pos = errorPosition(raw) ?? nonFinitePosition(text);
    const line = pos === undefined ? startLine : startLine + countNewlines(text, Math.min(pos, text.length));
    return { error: `malformed JSON: ${describe(raw, text)}`, line };
  }
}

function errorPosition(message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** V8 reports `Unexpected token 'N'` without a position; the first NaN/Infinity token is the usual culprit. */
function nonFinitePosition(text: string): number | undefined {
  const m = /\b(NaN|Infinity)\b/.exec(text);
  return m ? m.index : undefined;
}

/** V8's message minus its position suffix (which refers to the fragment, not the file) plus a hint when we know one. */
function describe(message: string, text: string): string {
  let what = message.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
  what = what.replace(/ \(line \d+ column \d+\)$/, '');
  if (what.length > 120) what = what.slice(0, 120) + '...';
  if (/\b(NaN|-?Infinity)\b/.test(text)) what += ' (JSON has no NaN or Infinity; write null or a finite number)';
  return what;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** An integer beyond 2^53 has at least 16 digits, or an exponent; text without either needs no second look. */
const MAYBE_UNSAFE_INTEGER = /\d{16}|\d[eE]/;
const JSON_NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Valid JSON text with every object member value that is an integer but not a safe integer (12345678901234567890,
 * 1e20) turned into a string of the number's text, so it reaches the label reader as written. Array items (vectors of
 * scores or votes) stay numbers. Returns `text` itself when there is nothing to change.
 */
export function quoteUnsafeIntegers(text: string): string {
  let out = '';
  let copied = 0;
  let prev = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = jsonStringEnd(text, i);
      if (end < 0) return text;
      i = end;
      prev = c;
      continue;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      JSON_NUMBER.lastIndex = i;
      const m = JSON_NUMBER.exec(text);
      if (!m) return text;
      const end = i + m[0].length;
      const x = Number(m[0]);
      if (prev === 58 && Number.isInteger(x) && !Number.isSafeInteger(x)) {
        out += `${text.slice(copied, i)}"${m[0]}"`;
        copied = end;
      }
      i = end;
      prev = 48;
      continue;
    }
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) prev = c;
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
