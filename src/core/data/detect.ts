import type { DatasetFormat } from './types';

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

/** WRENCH: an object whose first member is keyed by a row number and holds an object. */
const WRENCH_START = /^\{\s*"\d+"\s*:\s*\{/;
const SST_LINE = /^\d+ \S/;

/** How many leading lines the content sniffers look at. */
const SNIFF_LINES = 10;

/**
 * The dataset format of a file, from its extension and the first bytes of its content (about 64 KB is plenty).
 * Extensions that are unambiguous decide; `.json`, `.txt` and unknown names (`stsa.binary.train`) are sniffed.
 * Returns undefined when the file does not look like a dataset.
 */
export function detectFormat(path: string, head: Uint8Array | string): DatasetFormat | undefined {
  if (typeof head !== 'string' && startsWith(head, PARQUET_MAGIC)) return 'parquet';
  const ext = extension(path);
  switch (ext) {
    case '.jsonl':
    case '.ndjson':
      return 'jsonl';
    case '.csv':
      return 'csv';
    case '.tsv':
      return 'tsv';
    case '.parquet':
    case '.pq':
      return 'parquet';
  }
  const text = typeof head === 'string' ? head : new TextDecoder('utf-8', { fatal: false }).decode(head);
  if (ext === '.json') {
    // A one-line object in a .json file is a config or metadata file (WRENCH's label.json), not a one-row JSONL.
    const sniffed = sniffText(text, 2);
    return sniffed === 'json' || sniffed === 'wrench' || sniffed === 'jsonl' ? sniffed : undefined;
  }
  return sniffText(text);
}

/** The format a text's start suggests, regardless of its name. */
export function sniffText(text: string, minJsonlLines = 1): DatasetFormat | undefined {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('[')) return 'json';
  if (t.startsWith('{')) {
    if (WRENCH_START.test(t)) return 'wrench';
    return looksLikeJsonl(t, minJsonlLines) ? 'jsonl' : undefined;
  }
  const lines = leadingLines(t);
  if (looksLikeSst(lines)) return 'sst';
  if (looksLikeTsv(lines)) return 'tsv';
  return undefined;
}

/** Each of the first lines is one `{...}` object (the last may be cut off by the head). */
function looksLikeJsonl(t: string, minLines: number): boolean {
  const all = t.split('\n');
  const cut = all.length > SNIFF_LINES ? all.slice(0, SNIFF_LINES) : all;
  const lines = cut.map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines.length < Math.max(1, minLines)) return false;
  return lines.every((l, i) => l.startsWith('{') && (l.endsWith('}') || (i === lines.length - 1 && cut.length === all.length)));
}

/** The first line and at least two thirds of the others are `LABEL TEXT`, so one bad line still gets a located error. */
function looksLikeSst(lines: string[]): boolean {
  if (lines.length === 0 || !SST_LINE.test(lines[0])) return false;
  return lines.filter((l) => SST_LINE.test(l)).length * 3 >= lines.length * 2;
}

/** Two or more lines with the same number of tabs (at least one). */
function looksLikeTsv(lines: string[]): boolean {
  if (lines.length < 2) return false;
  const tabs = lines.map((l) => l.split('\t').length - 1);
  return tabs[0] > 0 && tabs.every((n) => n === tabs[0]);
}

/** The first complete non-blank lines (a last line without a newline may be cut off, so it is left out). */
function leadingLines(t: string): string[] {
  const parts = t.split('\n');
  const complete = parts.length > 1 ? parts.slice(0, -1) : parts;
  return complete
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim().length > 0)
    .slice(0, SNIFF_LINES);
}

function extension(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}
