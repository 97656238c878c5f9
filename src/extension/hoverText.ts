/**
 * The hover on an analysed row, as Markdown. Pure: the provider gathers the row, the result and the nearest
 * hard-only row's text, this builds the words (METHOD.md section 2 for the two thresholds).
 *
 * Everything that comes from a file (row texts, class names, any string or number read from the results file) goes
 * through `escapeMarkdown`, so it shows as text and never becomes a link, an image or a command; the only link is
 * the reveal link this module builds itself.
 */
import type { CategoryName } from '../core/detect/types';
import type { AnalysisResult, ResultRow } from '../core/report/schema';
import { fixed } from './summaryText';

export const REVEAL_ROW_COMMAND = 'overlapDensity.revealRow';

/**
 * A `command:` URI for the reveal link in hovers: the analysed dataset's path and a dataset row index. The command
 * checks both against the loaded results (`revealTarget`), so a link forged into a hover can open nothing else.
 */
export function revealRowUri(datasetPath: string, rowIndex: number): string {
  return `command:${REVEAL_ROW_COMMAND}?${encodeURIComponent(JSON.stringify([datasetPath, rowIndex]))}`;
}

export interface NearestHardPreview {
  /** 1-based line of the nearest hard-only row. */
  line: number;
  /** Its text (first line), untrimmed; the builder shortens and escapes it. */
  text: string;
  /** A `command:` URI that reveals it (built by the provider from the dataset path and row index, not from data). */
  revealUri: string;
}

export interface HoverInput {
  row: ResultRow;
  result: AnalysisResult;
  flagged?: boolean;
  nearest?: NearestHardPreview;
  /** The thresholds were moved in the report (the category follows them). */
  moved?: boolean;
}

// Maps, not objects: a category or split read from a results file must not find Object.prototype's members.
const CATEGORY_TITLE = new Map<CategoryName, string>([
  ['easy', 'easy-only'],
  ['hard', 'hard-only'],
  ['overlap', 'overlap'],
]);

const SPLIT_TITLE = new Map<ResultRow['split'], string>([
  ['weak-train', 'weak-train'],
  ['w2s-train', 'W2S-train'],
  ['test', 'test'],
]);

const title = (table: ReadonlyMap<string, string>, key: unknown): string => table.get(key as string) ?? escapeMarkdown(String(key));

/**
 * Data as literal Markdown text: every ASCII punctuation character is backslash-escaped (CommonMark allows it for
 * all of them), which also breaks bare-URL autolinks (`https\:`, `www\.`), HTML, entities (`&`) and theme icons
 * (`$(...)`); line breaks become spaces so data cannot start a block (a heading, a list, a fence).
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

/** A number from the results file, escaped like any other data (a hand-edited file may hold anything). */
const num = (x: unknown): string => escapeMarkdown(String(x));

export function shorten(text: string, max = 120): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export function labelName(result: AnalysisResult, label: number | null | undefined): string {
  if (label === null || label === undefined) return 'none';
  const names = result.dataset.labelNames;
  const name = Array.isArray(names) && Number.isInteger(label) && label >= 0 && label < names.length ? names[label] : undefined;
  return typeof name === 'string' && name !== String(label) ? `${num(label)} (${escapeMarkdown(shorten(name, 60))})` : num(label);
}

/** "0.823 ≥ t1 = 0.412: not hard-only" with the stage 1 rule of the run (segment: c < t1; probing: c <= t1). */
export function confidenceLine(c: number, result: AnalysisResult): string {
  const d = result.detection;
  const t1 = d.confidenceThreshold;
  const hard = d.hardRule === 'probing' ? c <= t1 : c < t1;
  const op = c < t1 ? '<' : c === t1 ? '=' : '>';
  return `weak confidence **${fixed(c, 3)}** ${op} t1 = ${fixed(t1, 3)}: ${hard ? 'hard-only (the weak model is unsure)' : 'not hard-only'}`;
}

export function alignmentLine(row: ResultRow, result: AnalysisResult): string {
  const d = result.detection;
  if (row.category === 'hard') return 'alignment: none (hard-only rows are the set the others are aligned with)';
  if (row.alignment === null) return 'alignment: none';
  const t2 = d.alignThreshold;
  if (t2 === null) return `alignment **${fixed(row.alignment, 3)}** (no t2: no hard-only rows, so no overlap)`;
  const over = row.alignment >= t2;
  return `alignment with hard rows **${fixed(row.alignment, 3)}** ${over ? '≥' : '<'} t2 = ${fixed(t2, 3)}: ${over ? 'overlap' : 'easy-only'} (${escapeMarkdown(String(d.align))})`;
}

export function buildHoverMarkdown(input: HoverInput): string {
  const { row, result } = input;
  const parts: string[] = [];
  const lineNote = row.line !== undefined ? ` · line ${num(row.line)}` : '';
  if (row.category === null || row.split !== 'w2s-train') {
    parts.push(`**Overlap Density** · row ${num(row.index)}${lineNote} · ${title(SPLIT_TITLE, row.split)} split`);
    parts.push(`Not categorised: detection runs on the W2S-train split only. label ${labelName(result, row.label)}`);
    if (input.flagged) parts.push('$(bookmark) flagged');
    return parts.join('\n\n');
  }
  parts.push(`**Overlap Density** · row ${num(row.index)}${lineNote} · **${title(CATEGORY_TITLE, row.category)}**${input.flagged ? ' · $(bookmark) flagged' : ''}`);
  const facts: string[] = [];
  if (row.confidence !== null) facts.push(confidenceLine(row.confidence, result));
  facts.push(alignmentLine(row, result));
  if (row.pseudoLabel !== null) {
    const agree = row.pseudoLabel === row.label;
    facts.push(
      `weak pseudo-label ${labelName(result, row.pseudoLabel)} · true label ${labelName(result, row.label)}: ${agree ? 'agree' : 'the weak label is wrong'}`,
    );
  } else {
    facts.push(`true label ${labelName(result, row.label)}`);
  }
  if (row.trueCategory !== undefined) {
    const ok = row.trueCategory === row.category;
    facts.push(`ground truth ${title(CATEGORY_TITLE, row.trueCategory)}: ${ok ? 'detected correctly' : 'detected wrongly'}`);
  }
  if (input.moved) facts.push('thresholds moved in the report: the category follows the moved t1 / t2');
  parts.push(facts.map((f) => `- ${f}`).join('\n'));
  if (input.nearest) {
    const n = input.nearest;
    parts.push(
      `nearest hard-only row, [line ${num(n.line)}](${n.revealUri} "Reveal line ${num(n.line)}"): ${escapeMarkdown(shorten(n.text))}`,
    );
  }
  return parts.join('\n\n');
}
