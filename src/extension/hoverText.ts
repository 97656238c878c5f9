/**
 * The hover on an analysed row, as Markdown. Pure: the provider gathers the row, the result and the nearest
 * hard-only row's text, this builds the words (METHOD.md section 2 for the two thresholds).
 *
 * Everything that comes from a file (row texts, class names, any string or number read from the results file) goes
 * through `escapeMarkdown`, so it shows as text and never becomes a link, an image or a command; the only link is
 * the reveal link this module builds itself.
 */
import type { CategoryName } from '../core/detect/types';
import type { AnalysisResult, ResultRow } from '../core/result/schema';
import { scoreMeaning as coreScoreMeaning } from '../core/report/plainWords';
import { classNameOf } from '../core/report/readSummary';
import { detectFields, getField, textFieldsOf } from '../core/data/fields';
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
 * all of them), which also breaks bare-URL autolinks (`https\:`, `www\.`), HTML and entities (`&`); line breaks
 * become spaces so data cannot start a block (a heading, a list, a fence). Theme icons need more: a hover that
 * shows icons of its own (supportThemeIcons) renders `$(name)` after Markdown has removed the backslashes, so a
 * zero-width space goes between `$` and `(` (the text reads the same, no icon).
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\$\(/g, '$\u200b(').replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

/** A number from the results file, escaped like any other data (a hand-edited file may hold anything). */
const num = (x: unknown): string => escapeMarkdown(String(x));

export function shorten(text: string, max = 120): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** A class as a person reads it: its name (or the value the data writes), shortened and escaped. */
export function labelName(result: AnalysisResult, label: number | null | undefined): string {
  return escapeMarkdown(shorten(classNameOf(result.dataset, label), 60));
}

const scoreMeaning = (align: unknown): string => coreScoreMeaning(align) ?? escapeMarkdown(String(align));

/** 1-based row number a person reads (the results file stores 0-based indices). */
const rowNumber = (index: unknown): string => (typeof index === 'number' && Number.isInteger(index) ? String(index + 1) : num(index));

/**
 * "the weak model's confidence **0.823** of 1 ... < 0.400 (t1): hard-only", with the stage 1 rule of the run
 * (segment: c < t1; probing: c <= t1).
 */
export function confidenceLine(c: number, result: AnalysisResult): string {
  const d = result.detection;
  const t1 = d.confidenceThreshold;
  const hard = d.hardRule === 'probing' ? c <= t1 : c < t1;
  const op = c < t1 ? '<' : c === t1 ? '=' : '>';
  return `the weak model's confidence **${fixed(c, 3)}** of 1 (its top class's probability minus the runner-up's) ${op} cut-off t1 = ${fixed(t1, 3)}: ${hard ? 'hard-only (the weak model is unsure)' : 'not hard-only'}`;
}

export function alignmentLine(row: ResultRow, result: AnalysisResult): string {
  const d = result.detection;
  if (row.category === 'hard') return 'similarity to the hard-only rows: none (hard-only rows are what the others are compared with)';
  if (row.alignment === null) return 'similarity to the hard-only rows: none';
  const t2 = d.alignThreshold;
  if (t2 === null) return `similarity to the hard-only rows **${fixed(row.alignment, 3)}** (no cut-off t2: there are no hard-only rows, so no overlap)`;
  const over = row.alignment >= t2;
  return `similarity to the hard-only rows **${fixed(row.alignment, 3)}** ${over ? '≥' : '<'} cut-off t2 = ${fixed(t2, 3)}: ${over ? 'overlap' : 'easy-only'} (score ${scoreMeaning(d.align)})`;
}

/** The row's category in one plain sentence, with the two numbers that decided it (2 decimals; exact ones below). */
export function plainSentence(row: ResultRow, result: AnalysisResult): string {
  const d = result.detection;
  const c = row.confidence === null ? null : fixed(row.confidence, 2);
  const t1 = fixed(d.confidenceThreshold, 2);
  const a = row.alignment === null ? null : fixed(row.alignment, 2);
  const t2 = d.alignThreshold === null ? null : fixed(d.alignThreshold, 2);
  const sure = c === null ? 'The weak model is sure enough here' : `The weak model is sure enough here (${c} of 1, cut-off ${t1})`;
  switch (row.category) {
    case 'hard':
      return `The weak model is unsure here (${c ?? 'n/a'} of 1, under the cut-off ${t1}), so the strong model has to learn this row from patterns only it can see: a hard-only row.`;
    case 'overlap':
      return `${sure}, and the row also resembles the rows it is unsure about (${a ?? 'n/a'}, cut-off ${t2 ?? 'n/a'}): it has easy patterns the weak model uses and hard ones only the strong model sees. Weak-to-strong learning draws on rows like this.`;
    case 'easy':
      return t2 === null || a === null
        ? `${sure}, and there are no hard-only rows to compare it with: easy patterns only.`
        : `${sure}, and the row does not resemble the rows it is unsure about (${a}, under the cut-off ${t2}): easy patterns only, little for the strong model to learn beyond the weak one.`;
    default:
      return '';
  }
}

export function buildHoverMarkdown(input: HoverInput): string {
  const { row, result } = input;
  const parts: string[] = [];
  const lineNote = row.line !== undefined ? ` · line ${num(row.line)}` : '';
  if (row.category === null || row.split !== 'w2s-train') {
    parts.push(`**Overlap Density** · row ${rowNumber(row.index)}${lineNote} · ${title(SPLIT_TITLE, row.split)} split`);
    parts.push(
      `Not categorised: overlap is looked for only in the W2S-train split, the rows the strong model learns from the weak model's guesses; this row trains the weak model or tests both. Label: ${labelName(result, row.label)}`,
    );
    if (input.flagged) parts.push('$(bookmark) flagged');
    return parts.join('\n\n');
  }
  parts.push(`**Overlap Density** · row ${rowNumber(row.index)}${lineNote} · **${title(CATEGORY_TITLE, row.category)}**${input.flagged ? ' · $(bookmark) flagged' : ''}`);
  const sentence = plainSentence(row, result);
  if (sentence) parts.push(sentence);
  const facts: string[] = [];
  if (row.confidence !== null) facts.push(confidenceLine(row.confidence, result));
  facts.push(alignmentLine(row, result));
  if (row.pseudoLabel !== null) {
    const agree = row.pseudoLabel === row.label;
    facts.push(
      `the weak model's guess ${labelName(result, row.pseudoLabel)} · true label ${labelName(result, row.label)}: ${agree ? 'the guess is right' : 'the guess is wrong'}`,
    );
  } else {
    facts.push(`true label ${labelName(result, row.label)}`);
  }
  if (row.trueCategory !== undefined) {
    const ok = row.trueCategory === row.category;
    facts.push(`ground truth ${title(CATEGORY_TITLE, row.trueCategory)}: ${ok ? 'detected correctly' : 'detected wrongly'}`);
  }
  if (input.moved) facts.push('you moved the cut-offs in the report: the category follows the moved t1 / t2');
  parts.push(facts.map((f) => `- ${f}`).join('\n'));
  if (input.nearest) {
    const n = input.nearest;
    parts.push(
      `most similar hard-only row, [line ${num(n.line)}](${n.revealUri} "Reveal line ${num(n.line)}"): ${escapeMarkdown(shorten(n.text))}`,
    );
  }
  return parts.join('\n\n');
}

/** Longest source text of another row the hover parses for its text fields (a row of LLM activations is ~100 KB). */
const PREVIEW_PARSE_CHARS = 1 << 20;

/**
 * What the hover shows of another row, from its source lines: a JSON object's text fields (the analysis's, else the
 * one the reader's field detection finds, else its first string field) instead of the raw line with its activation
 * arrays; anything else (CSV, SST, a line that does not parse, a very long one) as it is.
 */
export function rowPreviewText(raw: string, textFields: readonly string[] = []): string {
  const t = raw.trim();
  if (!t.startsWith('{') || t.length > PREVIEW_PARSE_CHARS) return raw;
  let obj: unknown;
  try {
    obj = JSON.parse(t.endsWith(',') ? t.slice(0, -1) : t);
  } catch {
    return raw;
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return raw;
  const record = obj as Record<string, unknown>;
  const fields = textFields.length > 0 ? textFields : textFieldsOf(detectFields([record]).fields);
  const texts = fields.map((f) => getField(record, f)).filter((v): v is string => typeof v === 'string');
  if (texts.length > 0) return texts.join(' · ');
  const first = Object.keys(record).map((k) => record[k]).find((v): v is string => typeof v === 'string');
  return first ?? raw;
}

/**
 * A code block that its content cannot close: the fence is one backtick longer than the longest run of backticks in
 * the text (class names and field names come from the data; appendCodeblock would let "```" end the block early).
 */
export function fencedBlock(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `\n${fence}text\n${text}\n${fence}\n`;
}
