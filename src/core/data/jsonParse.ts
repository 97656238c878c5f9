/**
 * JSON.parse with a location: the error names the line inside the source file instead of a character position in
 * the fragment, and explains the most common cause of bad JSON in ML data (Python's json.dumps writes NaN/Infinity).
 */
export function parseJsonAt(text: string, startLine: number): { value: unknown } | { error: string; line: number } {
  try {
    return { value: JSON.parse(text) };
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
