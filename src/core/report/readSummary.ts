import type { ReadInfo } from '../result/schema';

import { printableName } from '../result/names';

export { classNameOf } from '../result/names';

/** At most this many classes are listed by name in one line; the rest are counted. */
const CLASSES_SHOWN = 12;

const n = (x: number) => x.toLocaleString('en-US');
const basename = (p: string) => p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);

/** The name a person reads for a class: its name, else the value the data writes. */
export function className(c: { value: number | string; name?: string }): string {
  return c.name ?? String(c.value);
}

/**
 * What was read, as short labelled lines (plain text: callers escape for HTML or Markdown). The same lines appear in
 * the CLI summary, the report and the Datasets tree tooltip, so every surface states the same decisions.
 */
export function describeRead(read: ReadInfo): { label: string; text: string }[] {
  const lines: { label: string; text: string }[] = [];
  const how = (role: 'text' | 'label') => {
    const h = read.how[role];
    return h === 'content' ? ' (chosen by its content)' : h === 'option' ? ' (as set)' : h === 'name' ? ' (by its name)' : '';
  };
  let format = read.format.toUpperCase();
  if (read.header) {
    const h = read.header;
    format += `, ${h.present ? 'header row' : 'no header row'}${h.how === 'option' ? ' (as set)' : `: ${h.reason}`}`;
  }
  lines.push({ label: 'format', text: format });
  if (read.textFields.length > 0) {
    const joined = read.textFields.length > 1 ? ` joined with ${read.textJoin === '\n' ? 'a newline' : JSON.stringify(read.textJoin)}` : '';
    const unused = read.unusedTextFields.length > 0 ? `; not used: ${read.unusedTextFields.join(', ')}` : '';
    lines.push({ label: 'text', text: `${read.textFields.join(' + ')}${joined}${how('text')}${unused}` });
  } else {
    lines.push({ label: 'text', text: 'none (activations or votes only)' });
  }
  lines.push({ label: 'label', text: read.labelField ? `${read.labelField}${how('label')}` : 'none' });
  // names come from the data: one line on every surface (a newline or an escape sequence in a name would break it)
  const shown = read.classes.slice(0, CLASSES_SHOWN).map((c) => {
    const value = c.name !== undefined && c.name !== String(c.value) ? ` [${printableName(String(c.value))}]` : '';
    return `${printableName(className(c))}${value} (${n(c.count)})`;
  });
  const more = read.classes.length > CLASSES_SHOWN ? `, ... ${read.classes.length - CLASSES_SHOWN} more` : '';
  const from = read.classNamesFrom && read.classNamesFrom.source !== 'data' ? ` (names from ${read.classNamesFrom.file ? basename(read.classNamesFrom.file) : 'an option'})` : '';
  // the counts are over the dataset's rows and the test file's (analyzeFile.ts readInfo), not over "rows: N read"
  const counted = read.test ? ' (rows of the dataset and the test file)' : '';
  lines.push({ label: 'classes', text: `${read.classes.length}${counted}: ${shown.join(', ')}${more}${from}` });
  let rows = `${n(read.rowsRead)} read`;
  if (read.skipped > 0) {
    const first = read.skippedExamples[0];
    rows += `, ${n(read.skipped)} skipped${first ? ` (first: ${first.line !== undefined ? `line ${first.line}: ` : ''}${first.message.replace(/ \(row skipped\)$/, '')})` : ''}`;
  }
  if (read.unlabelled > 0) rows += `, ${n(read.unlabelled)} without a label left out`;
  lines.push({ label: 'rows', text: rows });
  if (read.test) {
    const t = read.test;
    let text = `${basename(t.file)}: ${n(t.rowsRead)} read`;
    if (t.skipped > 0) text += `, ${n(t.skipped)} skipped`;
    if (t.unlabelled > 0) text += `, ${n(t.unlabelled)} without a label left out`;
    if (t.pairedBecause) text += ` (${t.pairedBecause})`;
    lines.push({ label: 'test set', text });
  }
  return lines;
}

/** One short line: the text and label fields and the class count ("text: title + description · label: class · 4 classes"). */
export function readHeadline(read: ReadInfo): string {
  // "text: text · label: label", not "text text · label label" when the fields are named for their role
  const text = read.textFields.length > 0 ? `text: ${read.textFields.join(' + ')}` : 'no text';
  const header = read.header ? ` · ${read.header.present ? 'header row' : 'no header row'}` : '';
  return `${text} · label: ${read.labelField ?? 'none'} · ${read.classes.length} classes · ${n(read.rowsRead)} rows${read.skipped > 0 ? `, ${n(read.skipped)} skipped` : ''}${header}`;
}
