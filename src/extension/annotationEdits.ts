/**
 * What `Annotate Dataset` changes: the category, stage 2 score and weak confidence of every analysed row,
 * written into the row itself as minimal text edits (one WorkspaceEdit, undoable), or into a sidecar JSONL for
 * formats that cannot hold extra fields. Edits never add or remove a line break, so the results' line numbers
 * stay valid after annotating (the decorations keep working).
 */
import type { DatasetFormat } from '../core/data/types';
import type { CategoryName } from '../core/detect/types';
import type { ResultRow } from '../core/result/schema';
import { CATEGORY_WORDS } from '../core/report/rowExport';
import {
  csvFieldValue,
  csvQuote,
  scanDelimited,
  scanJsonlObjects,
  scanJsonRowObjects,
  StructureError,
  type RowObject,
} from '../core/data/structure';

export interface AnnotationFieldNames {
  category: string;
  score: string;
  confidence: string;
}

export interface AnnotationValues {
  /** The UI's words: "easy-only", "hard-only", "overlap". */
  category: string | null;
  score: number | null;
  confidence: number | null;
}

/** Replace `length` characters at `offset` of the original text with `text`. */
export interface TextEditSpec {
  offset: number;
  length: number;
  text: string;
}

export type AnnotationPlan =
  /** `replaces`: the annotation fields the file already has (in any row, or as a CSV column), whose values the edits overwrite. */
  | { kind: 'edits'; edits: TextEditSpec[]; rows: number; replaces: string[] }
  | { kind: 'sidecar'; reason: string };

/** Formats whose rows can hold extra fields. */
export function annotatesInPlace(format: DatasetFormat): boolean {
  return format === 'jsonl' || format === 'json' || format === 'wrench' || format === 'csv' || format === 'tsv';
}

/** 6 significant digits: enough to sort and filter by, short enough to keep rows readable. */
export function roundScore(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : Number(x.toPrecision(6));
}

export function annotationValues(row: ResultRow): AnnotationValues {
  const category = row.category === null ? null : (CATEGORY_WORDS[row.category as CategoryName] ?? null);
  return { category, score: roundScore(row.alignment), confidence: roundScore(row.confidence) };
}

/**
 * Only W2S-train rows are annotated (issue 15, item 7): overlap is looked for there alone, so the weak-train and test
 * rows would get three nulls that say nothing. JSON rows outside it are left untouched; CSV/TSV rows get empty cells
 * in the new columns (a CSV row has one cell per column); the sidecar lists W2S-train rows only.
 */
export const annotated = (row: ResultRow): boolean => row.split === 'w2s-train';

/** "300 W2S-train rows annotated; the 600 weak-train and test rows are left as they are (...)" */
export function annotationScope(rows: readonly ResultRow[]): { annotated: number; left: number; note: string } {
  const n = rows.filter(annotated).length;
  const left = rows.length - n;
  const fmt = (x: number) => x.toLocaleString('en-US');
  return {
    annotated: n,
    left,
    note: left > 0 ? `the other ${fmt(left)} rows (weak-train and test splits) are left as they are: overlap is looked for in the W2S-train split only` : '',
  };
}

export class AnnotationMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnnotationMismatchError';
  }
}

/**
 * Pairs each result row with its structural unit: by start line when exactly one unit starts there, else by
 * position in file order when that unit starts on the row's line too. Anything else means the file no longer
 * matches the results.
 */
function pairRows<U extends { line: number }>(rows: readonly ResultRow[], units: readonly U[]): Array<[ResultRow, U]> {
  const byLine = new Map<number, U[]>();
  for (const u of units) {
    const list = byLine.get(u.line);
    if (list) list.push(u);
    else byLine.set(u.line, [u]);
  }
  const out: Array<[ResultRow, U]> = [];
  for (const row of rows) {
    let unit: U | undefined;
    const onLine = row.line !== undefined ? byLine.get(row.line) : undefined;
    if (onLine && onLine.length === 1) unit = onLine[0];
    else {
      const byPos = units[row.index];
      if (byPos && (row.line === undefined || byPos.line === row.line)) unit = byPos;
    }
    if (!unit) {
      throw new AnnotationMismatchError(
        `row ${row.index + 1}${row.line !== undefined ? ` (line ${row.line})` : ''} of the results has no matching row in the file; re-analyse it first`,
      );
    }
    out.push([row, unit]);
  }
  return out;
}

function jsonValue(v: string | number | null): string {
  return JSON.stringify(v);
}

function objectEdits(obj: RowObject, names: AnnotationFieldNames, values: AnnotationValues, replaced: Set<string>): TextEditSpec[] {
  const wanted: Array<[string, string]> = [
    [names.category, jsonValue(values.category)],
    [names.score, jsonValue(values.score)],
    [names.confidence, jsonValue(values.confidence)],
  ];
  const edits: TextEditSpec[] = [];
  const appended: string[] = [];
  for (const [key, value] of wanted) {
    const m = obj.members.find((mm) => mm.key === key);
    if (m) {
      edits.push({ offset: m.valueStart, length: m.valueEnd - m.valueStart, text: value });
      replaced.add(key);
    } else appended.push(`${JSON.stringify(key)}: ${value}`);
  }
  if (appended.length > 0) {
    const last = obj.members[obj.members.length - 1];
    if (last) edits.push({ offset: last.valueEnd, length: 0, text: `, ${appended.join(', ')}` });
    else edits.push({ offset: obj.start + 1, length: 0, text: appended.join(', ') });
  }
  return edits;
}

/**
 * Delimited files whose columns the in-place edits would get wrong, though the reader reads them: no header row
 * (the new column names would land on a data row), an Excel `sep=X` first line (the file's separator is not the
 * extension's), a header row repeated further down (joined exports). The annotation goes to a sidecar file then.
 */
export function delimitedLayoutProblem(text: string, delimiter: ',' | '\t', headerPresent?: boolean): string | undefined {
  if (headerPresent === false) return 'the file has no header row to add the annotation columns to';
  const first = /^\uFEFF?[ \t]*(\S[^\r\n]*)/m.exec(text)?.[1] ?? '';
  if (/^"?sep=/i.test(first)) return 'the file starts with an Excel "sep=" line, whose separator the annotation would not keep';
  const records = scanDelimited(text, delimiter);
  const header = records[0];
  if (header) {
    const cells = header.fields.map((f) => csvFieldValue(text, f)).join('\u0000');
    const again = records.slice(1).find((r) => r.fields.map((f) => csvFieldValue(text, f)).join('\u0000') === cells);
    if (again) return `the header row is repeated at line ${again.line} (files joined with their headers)`;
  }
  return undefined;
}

function delimitedEdits(
  text: string,
  rows: readonly ResultRow[],
  names: AnnotationFieldNames,
  delimiter: ',' | '\t',
  replaced: Set<string>,
): TextEditSpec[] {
  const records = scanDelimited(text, delimiter);
  const header = records[0];
  if (!header) throw new AnnotationMismatchError('the file has no header row');
  const columns = header.fields.map((f) => csvFieldValue(text, f));
  const wanted = [names.category, names.score, names.confidence];
  const target: number[] = [];
  const newColumns: string[] = [];
  for (const name of wanted) {
    const at = columns.indexOf(name);
    if (at >= 0) {
      target.push(at);
      replaced.add(name);
    } else {
      target.push(columns.length + newColumns.length);
      newColumns.push(name);
    }
  }
  const lastColumn = Math.max(...target);
  const edits: TextEditSpec[] = [];
  if (newColumns.length > 0) {
    edits.push({
      offset: header.end,
      length: 0,
      text: newColumns.map((c) => delimiter + csvQuote(c, delimiter)).join(''),
    });
  }
  for (const [row, rec] of pairRows(rows, records.slice(1))) {
    const v = annotationValues(row);
    const cells = [v.category ?? '', v.score === null ? '' : String(v.score), v.confidence === null ? '' : String(v.confidence)];
    const byColumn = new Map<number, string>();
    target.forEach((col, k) => byColumn.set(col, cells[k]!));
    // Existing cells are replaced; cells past the record's end are appended, padding a short record.
    const tail: string[] = [];
    for (let col = 0; col <= lastColumn; col++) {
      const value = byColumn.get(col);
      const field = rec.fields[col];
      if (field) {
        if (value !== undefined) edits.push({ offset: field.start, length: field.end - field.start, text: value });
      } else tail.push(value ?? '');
    }
    if (tail.length > 0) edits.push({ offset: rec.end, length: 0, text: tail.map((c) => delimiter + c).join('') });
  }
  return edits;
}

/**
 * The edits that write the annotation fields into every row of `rows` (the results' rows) of `text`.
 * Throws AnnotationMismatchError when the text no longer matches the results, StructureError on a syntax error.
 */
export function planAnnotation(
  text: string,
  format: DatasetFormat,
  rows: readonly ResultRow[],
  names: AnnotationFieldNames,
  /** Whether the analysis read a header row (the result's `dataset.read.header.present`); unknown: assumed. */
  headerPresent?: boolean,
): AnnotationPlan {
  if (!annotatesInPlace(format)) {
    return { kind: 'sidecar', reason: `${format} rows cannot hold extra fields` };
  }
  if (format === 'csv' || format === 'tsv') {
    const why = delimitedLayoutProblem(text, format === 'csv' ? ',' : '\t', headerPresent);
    if (why) return { kind: 'sidecar', reason: why };
  }
  const distinct = new Set([names.category, names.score, names.confidence]);
  if (distinct.size !== 3) throw new AnnotationMismatchError('the three annotation field names must differ');
  let edits: TextEditSpec[];
  const replaced = new Set<string>();
  if (format === 'csv' || format === 'tsv') {
    edits = delimitedEdits(text, rows, names, format === 'csv' ? ',' : '\t', replaced);
  } else {
    const objects = format === 'jsonl' ? scanJsonlObjects(text) : scanJsonRowObjects(text);
    edits = [];
    for (const [row, obj] of pairRows(rows, objects)) if (annotated(row)) edits.push(...objectEdits(obj, names, annotationValues(row), replaced));
  }
  edits.sort((a, b) => a.offset - b.offset);
  const replaces = [names.category, names.score, names.confidence].filter((n) => replaced.has(n));
  return { kind: 'edits', edits: mergeTouching(edits), rows: rows.filter(annotated).length, replaces };
}

/**
 * The fields an annotation would overwrite although this extension did not write them (`written`: the names it
 * wrote into this file before). Annotating never replaces such a field without the user's confirmation by name:
 * a workspace setting could otherwise point the annotation at `text` or `label` and overwrite the data.
 */
export function fieldsNeedingConfirmation(plan: AnnotationPlan, written: readonly string[]): string[] {
  return plan.kind === 'edits' ? plan.replaces.filter((f) => !written.includes(f)) : [];
}

/** The modal that asks before existing fields are overwritten: it names every field, the file and the row count. */
export function overwriteQuestion(fileName: string, fields: readonly string[], rows: number): { message: string; detail: string; button: string } {
  const quoted = fields.map((f) => JSON.stringify(f));
  const list = quoted.length === 1 ? quoted[0]! : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
  return {
    message: `Annotate Dataset would overwrite the existing ${fields.length === 1 ? 'field' : 'fields'} ${list} in ${fileName}.`,
    detail:
      `${fields.length === 1 ? 'This field was' : 'These fields were'} not written by Overlap Density; the values of ${rows.toLocaleString('en-US')} ` +
      'rows would be replaced by annotations. The field names come from the overlapDensity.annotate.* settings: pick other names there to keep the data.',
    button: `Overwrite ${list}`,
  };
}

/** Joins edits that touch (an insertion right after a replacement) so a WorkspaceEdit sees no overlap. */
export function mergeTouching(sorted: readonly TextEditSpec[]): TextEditSpec[] {
  const out: TextEditSpec[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && e.offset <= last.offset + last.length) {
      if (e.offset < last.offset + last.length) throw new Error(`overlapping edits at offset ${e.offset}`);
      last.text += e.text;
      last.length += e.length;
    } else out.push({ ...e });
  }
  return out;
}

/** Applies edits (sorted, non-overlapping) to a string: what VS Code does to the document. */
export function applyEdits(text: string, edits: readonly TextEditSpec[]): string {
  let out = '';
  let p = 0;
  for (const e of edits) {
    out += text.slice(p, e.offset) + e.text;
    p = e.offset + e.length;
  }
  return out + text.slice(p);
}

/** Sidecar annotations for formats that cannot hold fields: one JSON object per analysed row. */
export function sidecarJsonl(rows: readonly ResultRow[], names: AnnotationFieldNames): string {
  const fields = [names.category, names.score, names.confidence];
  const clash = fields.find((f) => f === 'index' || f === 'line');
  if (clash) throw new AnnotationMismatchError(`the annotation field name "${clash}" is taken by the sidecar's own "${clash}"; choose another name`);
  return rows
    .filter(annotated)
    .map((row) => {
      const v = annotationValues(row);
      // fromEntries defines own properties: a field name like "__proto__" stays a field.
      const entries: Array<[string, unknown]> = [['index', row.index]];
      if (row.line !== undefined) entries.push(['line', row.line]);
      entries.push([names.category, v.category], [names.score, v.score], [names.confidence, v.confidence]);
      return JSON.stringify(Object.fromEntries(entries));
    })
    .join('\n') + '\n';
}

export { StructureError };
