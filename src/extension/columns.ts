/**
 * Which columns of a dataset file hold the text, the label and the split: detected by the reader, confirmed or
 * chosen by the user in quick picks when the detection is unsure (a CSV without a header row, a text or label found
 * by content rather than by name, or none found), and remembered per file in the workspace state. The analysis gets
 * the choice as field overrides and a header option; the Datasets tree shows it; "Choose Columns..." changes it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as notify from './notify';
import { sniffDataset, type SniffResult } from '../core/data/file';
import { textFieldsOf } from '../core/data/fields';
import type { FieldMap, HeaderChoice } from '../core/data/types';
import type { Ctx } from './ctx';

/** A remembered choice for one file. */
export interface ColumnChoice {
  /** CSV/TSV only. */
  header?: 'yes' | 'no';
  text: string[];
  label: string;
  split?: string;
}

const KEY_PREFIX = 'overlapDensity.columns:';

export function storedColumns(ctx: Ctx, file: string): ColumnChoice | undefined {
  const raw = ctx.extCtx.workspaceState.get<unknown>(KEY_PREFIX + file);
  return isColumnChoice(raw) ? raw : undefined;
}

export async function storeColumns(ctx: Ctx, file: string, choice: ColumnChoice | undefined): Promise<void> {
  await ctx.extCtx.workspaceState.update(KEY_PREFIX + file, choice);
  ctx.columnsChanged(file);
}

function isColumnChoice(v: unknown): v is ColumnChoice {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    Array.isArray(c.text) && c.text.every((t) => typeof t === 'string') && typeof c.label === 'string' &&
    (c.header === undefined || c.header === 'yes' || c.header === 'no') && (c.split === undefined || typeof c.split === 'string')
  );
}

/** The pipeline's reading options for a remembered choice. */
export function readingOptions(choice: ColumnChoice | undefined): { fields?: FieldMap; header?: HeaderChoice } {
  if (!choice) return {};
  const fields: FieldMap = { text: choice.text.length === 1 ? choice.text[0] : choice.text, label: choice.label };
  if (choice.split !== undefined) fields.split = choice.split;
  return { fields, ...(choice.header ? { header: choice.header } : {}) };
}

/** One line for the tree and logs: "text: a + b · label: c · header: no". */
export function describeColumns(choice: ColumnChoice): string {
  const parts = [`text: ${choice.text.join(' + ')}`, `label: ${choice.label}`];
  if (choice.split) parts.push(`split: ${choice.split}`);
  if (choice.header) parts.push(`header row: ${choice.header}`);
  return parts.join(' · ');
}

/**
 * Why the detection needs a person to confirm it, or undefined when it is sure: text and label found by their names
 * (and, for CSV/TSV, a header row). Files with activations or votes in the data need no text column.
 */
export function whyAsk(s: SniffResult): string | undefined {
  if (!s.format || s.format === 'sst' || s.format === 'parquet' && !s.available?.length) return undefined;
  const hasActs = Boolean(s.fields.weakActs || s.fields.strongActs);
  if (!s.fields.label) return 'no label column was found';
  if (!s.fields.text && !hasActs) return 'no text column was found';
  if (s.header && !s.header.present) return `the file has no header row (${s.header.reason})`;
  if (s.how?.label === 'content') return `the label column "${s.fields.label}" was chosen by its content`;
  if (s.how?.text === 'content' && !hasActs) return `the text column${textFieldsOf(s.fields).length > 1 ? 's were' : ' was'} chosen by content`;
  return undefined;
}

interface ColumnItem extends vscode.QuickPickItem {
  column: string;
}

/**
 * Asks for the columns in quick picks (header row for CSV/TSV, text fields, label field, optional split field),
 * preselecting the detection. Returns undefined when the user cancels.
 */
export async function pickColumns(file: string, current?: ColumnChoice): Promise<ColumnChoice | undefined> {
  const name = path.basename(file);
  let sniff = await sniffDataset(file, current?.header ? { header: current.header } : {});
  let header: 'yes' | 'no' | undefined;
  if (sniff.format === 'csv' || sniff.format === 'tsv') {
    const detected = sniff.header?.present ?? true;
    const items: (vscode.QuickPickItem & { value: 'yes' | 'no' })[] = [
      { label: 'The first row names the columns', value: 'yes', description: detected ? 'detected' : '' },
      { label: 'The first row is data (no header row)', value: 'no', description: !detected ? 'detected' : '' },
    ];
    const firstValues = sniff.header?.present ? sniff.available?.join(', ') : Object.values(sniff.samples ?? {}).join(', ');
    const pick = await vscode.window.showQuickPick(detected ? items : [items[1], items[0]], {
      title: `${name}: header row (1/3)`,
      placeHolder: `First row: ${truncate(firstValues ?? '', 90)} — ${sniff.header?.reason ?? ''}`,
      ignoreFocusOut: true,
    });
    if (!pick) return undefined;
    header = pick.value;
    if ((pick.value === 'yes') !== detected) sniff = await sniffDataset(file, { header: pick.value });
  }
  const columns = (sniff.available ?? []).filter((c) => !c.includes('.') || !sniff.available?.includes(c.split('.')[0]) || c === 'data.text');
  if (columns.length === 0) {
    void notify.showErrorMessage(`Overlap Density: ${name}: no columns could be read (${sniff.reason ?? 'unknown format'}).`);
    return undefined;
  }
  const item = (c: string, picked = false): ColumnItem => ({ label: c, column: c, description: truncate(sniff.samples?.[c] ?? '', 70), picked });
  const steps = sniff.format === 'csv' || sniff.format === 'tsv' ? 3 : 2;
  const detectedText = new Set(current?.text ?? textFieldsOf(sniff.fields));
  const texts = await vscode.window.showQuickPick(columns.map((c) => item(c, detectedText.has(c))), {
    title: `${name}: text column(s) (${steps - 1}/${steps})`,
    placeHolder: 'The text the encoders read; pick several to join them (title + description), in column order',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  if (!texts || texts.length === 0) return undefined;
  const textSet = new Set(texts.map((t) => t.column));
  const labelDefault = current?.label ?? sniff.fields.label;
  const labelItems = columns.filter((c) => !textSet.has(c)).map((c) => item(c));
  labelItems.sort((a, b) => Number(b.column === labelDefault) - Number(a.column === labelDefault));
  if (labelItems.length === 0) {
    void notify.showErrorMessage(`Overlap Density: ${name}: every column is used as text; leave one for the label.`);
    return undefined;
  }
  const label = await vscode.window.showQuickPick(labelItems, {
    title: `${name}: label column (${steps}/${steps})`,
    placeHolder: 'The class of each row (ids or names)',
    ignoreFocusOut: true,
  });
  if (!label) return undefined;
  const choice: ColumnChoice = { text: columns.filter((c) => textSet.has(c)), label: label.column };
  if (header) choice.header = header;
  const split = current?.split ?? sniff.fields.split;
  if (split && !textSet.has(split) && split !== label.column) choice.split = split;
  return choice;
}

/**
 * The reading options for an analysis: the remembered choice, or (when the detection is unsure and nothing is
 * remembered) the user's answer in the quick picks, which is then remembered. `null` means the user cancelled.
 */
export async function ensureColumns(ctx: Ctx, file: string): Promise<{ fields?: FieldMap; header?: HeaderChoice } | null> {
  const stored = storedColumns(ctx, file);
  if (stored) return readingOptions(stored);
  let sniff: SniffResult;
  try {
    sniff = await sniffDataset(file);
  } catch {
    return {}; // the pipeline reports unreadable files with a line number
  }
  const why = whyAsk(sniff);
  if (!why) return {};
  ctx.output.info(`${file}: asking for the columns: ${why}`);
  const choice = await pickColumns(file);
  if (!choice) return null;
  await storeColumns(ctx, file, choice);
  ctx.output.info(`${file}: columns ${describeColumns(choice)}`);
  return readingOptions(choice);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}
