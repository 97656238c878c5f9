/**
 * Rows a person can act on (issue 15, item 5): the rows of the report table as it is filtered and ordered (a
 * category, the flagged rows, a text filter) written as CSV or JSONL with their text, labels, scores and line
 * numbers. Pure: the extension host passes the dataset texts it reads; the standalone report its embedded ones.
 *
 * Words are the report's: 1-based `row` and `line`, categories "easy-only" / "hard-only" / "overlap", classes by
 * name (`classNameOf`) with the dense id beside. CSV cells that come from data and start with = + - @ (or a tab /
 * carriage return) get a leading apostrophe, so a spreadsheet shows them as text instead of running a formula.
 */
import { CATEGORY_NAMES } from '../detect/types';
import { classNameOf } from './readSummary';
import type { AnalysisResult, ResultRow } from '../result/schema';

export type RowExportFormat = 'csv' | 'jsonl';

export const CATEGORY_WORDS: Readonly<Record<string, string>> = Object.freeze({ easy: 'easy-only', hard: 'hard-only', overlap: 'overlap' });

export interface RowExportInput {
  result: AnalysisResult;
  /** Dataset row indices, in the order to write them. */
  indices: ArrayLike<number>;
  /** The live category of each row (an index into CATEGORY_NAMES; anything else: none), aligned with `indices`. */
  categories: ArrayLike<number>;
  /** Row texts by dataset row index, when known. */
  texts?: ReadonlyArray<string | null | undefined> | null;
  flagged?: ReadonlySet<number>;
}

/** The record of one exported row (also the JSONL object; CSV columns in this order). */
export interface ExportedRow {
  row: number;
  line: number | null;
  category: string | null;
  label: string;
  label_id: number;
  weak_guess: string | null;
  weak_guess_id: number | null;
  weak_confidence: number | null;
  hard_similarity: number | null;
  flagged: boolean;
  text: string | null;
}

const COLUMNS: (keyof ExportedRow)[] = ['row', 'line', 'category', 'label', 'label_id', 'weak_guess', 'weak_guess_id', 'weak_confidence', 'hard_similarity', 'flagged', 'text'];

export function exportedRows(input: RowExportInput): ExportedRow[] {
  const byIndex = new Map<number, ResultRow>();
  for (const r of input.result.rows) byIndex.set(r.index, r);
  const out: ExportedRow[] = [];
  for (let k = 0; k < input.indices.length; k++) {
    const index = input.indices[k];
    const r = byIndex.get(index);
    if (!r) continue;
    const cat = CATEGORY_NAMES[input.categories[k]];
    const text = input.texts?.[index];
    out.push({
      row: index + 1,
      line: typeof r.line === 'number' ? r.line : null,
      category: cat === undefined ? null : CATEGORY_WORDS[cat],
      label: classNameOf(input.result.dataset, r.label),
      label_id: r.label,
      weak_guess: r.pseudoLabel === null ? null : classNameOf(input.result.dataset, r.pseudoLabel),
      weak_guess_id: r.pseudoLabel,
      weak_confidence: r.confidence,
      hard_similarity: r.alignment,
      flagged: input.flagged?.has(index) ?? false,
      text: typeof text === 'string' ? text : null,
    });
  }
  return out;
}

export function formatRows(format: RowExportFormat, rows: readonly ExportedRow[]): string {
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  const lines = [COLUMNS.join(',')];
  for (const r of rows) lines.push(COLUMNS.map((c) => csvCell(r[c], c === 'text' || c === 'label' || c === 'weak_guess')).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function exportRowsFile(format: RowExportFormat, input: RowExportInput): string {
  return formatRows(format, exportedRows(input));
}

/** `<base>.<what>-rows.<format>`, `what` (the table filter) reduced to file-name characters. */
export function rowExportFileName(base: string, what: string, format: RowExportFormat): string {
  return `${base}.${what.replace(/[^\w.+-]+/g, '_').slice(0, 40) || 'table'}-rows.${format}`;
}

function csvCell(v: unknown, fromData: boolean): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (fromData && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
