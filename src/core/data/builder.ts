import { InputError } from '../errors';
import { count } from '../words';
import { FieldValueError, toNumberArray, toProbs, toSplit, toText, toWeakLabels } from './coerce';
import type { ErrorPolicy } from './errorPolicy';
import { detectFields, getField, textFieldsOf, type FieldDetection } from './fields';
import type { HeaderDecision } from './formats/csv';
import { LabelNormalizer, type PresetClassNames, type RawLabel } from './labels';
import type { RawRecord } from './records';
import { RowStore } from './rowStore';
import { TEXT_JOIN, type Dataset, type DatasetFormat, type DatasetRow, type FieldMap, type ReadSummary } from './types';

/** Line numbers named in a warning about rows left out. */
const LINES_SHOWN = 5;

/** "6 rows without a label are left out of the analysis (lines 4, 9, 17, ...)". */
function leftOutWords(rows: number, what: string, lines: number[]): string {
  const one = rows === 1;
  const shown = lines.join(', ') + (rows > lines.length ? ', ...' : '');
  return `${count(rows, 'row')} ${what} ${one ? 'is' : 'are'} left out of the analysis (line${lines.length === 1 && one ? '' : 's'} ${shown})`;
}

/** Rows buffered before the field mapping is chosen; enough to see past a few missing values. */
const DETECTION_SAMPLE = 100;

type VectorRole = 'weakLabels' | 'weakActs' | 'strongActs' | 'weakProbs';
const VECTOR_ROLES: VectorRole[] = ['weakLabels', 'weakActs', 'strongActs', 'weakProbs'];

export interface BuilderOptions {
  path?: string;
  fields?: FieldMap;
  /** Class names by id from outside the rows (an option, a label.json or classes.txt beside the file). */
  classNames?: PresetClassNames;
  /** Fields to keep in the rows besides the detected ones (fields named by model specs, a split-by column). */
  keepFields?: readonly string[];
  /** Rows kept as objects before large files of short rows go column-wise (default: rowStoreDefaults.compactFrom). */
  compactFrom?: number;
}

/**
 * Turns raw records into dataset rows: picks the field mapping from the first records, converts and checks each
 * field (a bad value is a row error with the row's line), keeps vector lengths consistent, and numbers the labels.
 */
export class DatasetBuilder {
  /** Created once the field mapping is chosen: rows as objects, or column-wise for large files of short rows. */
  private store?: RowStore;
  private pending: RawRecord[] = [];
  private fields?: FieldMap;
  private detection?: FieldDetection;
  private textFields: string[] = [];
  private labels?: LabelNormalizer;
  private rowsRead = 0;
  /** Set by the caller once a CSV/TSV parser has decided about the first row. */
  header?: HeaderDecision;
  /** Told the field names in use once they are chosen (a wide CSV then keeps only those columns per row). */
  onFieldsChosen?: (names: ReadonlySet<string>) => void;
  private readonly widths = new Map<VectorRole, { width: number; line: number; key?: string }>();
  /** Rows left out because their text is null or missing (a text field is in use and no activations are given). */
  private readonly noText = { count: 0, lines: [] as number[] };

  constructor(
    private readonly format: DatasetFormat,
    private readonly policy: ErrorPolicy,
    private readonly options: BuilderOptions = {},
  ) {}

  get rowCount(): number {
    return (this.store?.length ?? 0) + this.pending.length;
  }

  add(record: RawRecord): void {
    this.rowsRead++;
    if (this.fields) {
      this.convert(record);
      return;
    }
    this.pending.push(record);
    if (this.pending.length >= DETECTION_SAMPLE) this.flushPending();
  }

  finish(): Dataset {
    this.flushPending();
    const store = this.store!;
    if (store.length === 0) {
      if (this.noText.count > 0) {
        throw new InputError(`no rows with a text: the text field ${this.textFields.map((f) => `"${f}"`).join(', ')} is null or missing in every row; choose the text field`, {
          file: this.policy.file,
          line: this.noText.lines[0],
          hint: 'text-field',
        });
      }
      const skipped = this.policy.skippedRows > 0 ? ` (${this.policy.skippedRows} malformed rows were skipped)` : '';
      throw this.policy.fatal(`no rows: the file holds no data rows${skipped}`);
    }
    const labels = this.labels!.finish(this.policy, store);
    const unlabelledLines = this.warnLeftOut(store, this.labels!);
    const preset = this.options.classNames;
    const read: ReadSummary = {
      format: this.format,
      ...(this.header ? { header: this.header } : {}),
      textFields: this.textFields,
      ...(this.textFields.length > 1 ? { textJoin: TEXT_JOIN } : {}),
      unusedTextFields: this.detection?.unusedText ?? [],
      ...(this.fields!.label ? { labelField: this.fields!.label } : {}),
      how: this.detection?.how ?? {},
      ...(preset ? { classNamesFrom: { source: preset.source, ...(preset.file ? { file: preset.file } : {}) } } : labels.labelNames && labels.values.every((v) => typeof v === 'string') ? { classNamesFrom: { source: 'data' as const } } : {}),
      rowsRead: this.rowsRead + this.policy.skippedRows,
      skipped: this.policy.skippedRows,
      skippedExamples: this.policy.warnings.filter((w) => w.message.endsWith('(row skipped)')).slice(0, 5).map((w) => ({ ...(w.line !== undefined ? { line: w.line } : {}), message: w.message })),
      unlabelled: store.unlabelled(),
    };
    return {
      path: this.options.path,
      format: this.format,
      rows: store.rows(),
      fields: this.fields!,
      labelNames: labels.labelNames,
      numClasses: labels.numClasses,
      classes: labels.classes,
      read,
      ...(labels.numbering ? { classNumbering: labels.numbering } : {}),
      ...(unlabelledLines.length > 0 || this.noText.count > 0
        ? { leftOut: { unlabelledLines, noText: this.noText.count, noTextLines: this.noText.lines } }
        : {}),
      warnings: this.policy.finalWarnings(),
    };
  }

  private flushPending(): void {
    if (this.fields) return;
    const detection = detectFields(
      this.pending.map((r) => r.fields),
      this.options.fields,
    );
    const { fields, missing, available } = detection;
    this.detection = detection;
    this.textFields = textFieldsOf(fields);
    if (missing.length > 0 && this.pending.length > 0) {
      const named = missing.map((m) => `"${m.name}" (for ${m.role})`).join(', ');
      const role = missing[0].role;
      const hint = role === 'text' ? 'text-field' : role === 'label' ? 'label-field' : undefined;
      throw new InputError(`field ${named} is not in the data; its fields are: ${available.slice(0, 50).join(', ')}${available.length > 50 ? ', ...' : ''}`, {
        file: this.policy.file,
        line: this.pending[0].line,
        ...(hint ? { hint } : {}),
      });
    }
    if (this.pending.length > 0) this.checkLabelChoice(detection);
    if (this.pending.length > 0 && !fields.text && !fields.weakActs && !fields.strongActs) {
      this.policy.warn(`no text or activation field found; its fields are: ${available.join(', ')}`);
    }
    this.fields = fields;
    if (this.onFieldsChosen) {
      const names = new Set<string>(['membership', ...(this.options.keepFields ?? [])]);
      for (const v of Object.values(fields)) for (const n of Array.isArray(v) ? v : [v]) if (typeof n === 'string') names.add(n.split('.')[0]);
      this.onFieldsChosen(names);
    }
    this.labels = new LabelNormalizer(fields.label ?? 'label', this.options.classNames);
    const onlyTextAndLabel = !fields.weakLabels && !fields.weakActs && !fields.strongActs && !fields.weakProbs && !fields.split;
    this.store = new RowStore(this.textFields.length === 1 ? this.textFields[0] : undefined, fields.label, onlyTextAndLabel, this.options.compactFrom);
    const pending = this.pending;
    this.pending = [];
    for (const r of pending) this.convert(r);
  }

  /**
   * A label field named like one but holding arrays is refused when no other label was found (saying what the
   * arrays look like), and warned about when a column was taken by its content instead; a label chosen by content
   * among several qualifying columns is warned about, naming them and their values.
   */
  private checkLabelChoice(detection: FieldDetection): void {
    const { fields, how, labelArrays, labelCandidates } = detection;
    if (labelArrays) {
      const what = labelArraysWords(labelArrays);
      if (!fields.label) {
        const line = this.pending.find((r) => Array.isArray(getField(r.fields, labelArrays.field)))?.line ?? this.pending[0].line;
        throw new InputError(`no label field: the field "${labelArrays.field}" exists but ${what}, not a class id or name per row; ${labelArraysFix(labelArrays)}, or choose another label field`, {
          file: this.policy.file,
          line,
          hint: 'label-field',
        });
      }
      if (how.label === 'content') {
        this.policy.warn(`the field "${labelArrays.field}" ${what}, not a class id or name, so the label is "${fields.label}", chosen by its content; if "${labelArrays.field}" is the label, ${labelArraysFix(labelArrays)}`);
      }
    }
    if (how.label === 'content' && labelCandidates && labelCandidates.length > 1) {
      const list = (c: (typeof labelCandidates)[number]) => `"${c.field}" (${c.distinct} values: ${c.values.join(', ')}${c.distinct > c.values.length ? ', ...' : ''})`;
      const [taken, ...others] = labelCandidates;
      this.policy.warn(
        `${labelCandidates.length} columns could be the label by their content: ${labelCandidates.map(list).join(', ')}; the first, "${taken.field}", is taken ` +
          `(headerless AG News, DBpedia, Yelp and SST files put the label first). If the label is ${others.length === 1 ? `"${others[0].field}"` : `one of ${others.map((c) => `"${c.field}"`).join(', ')}`}, ` +
          `choose it (--label-field NAME, or Choose Columns... in the editor)`,
      );
    }
  }

  /**
   * Rows left out of the analysis, named by file and first lines: rows without a label (an empty cell, null, or a
   * missing-value spelling such as NaN) and rows without a text (null, or no text field in the row).
   */
  private warnLeftOut(store: RowStore, labels: LabelNormalizer): number[] {
    const lines: number[] = [];
    let unlabelled = 0;
    for (let i = 0; i < store.length; i++) {
      if (store.labelKeyOf(i) >= 0) continue;
      if (unlabelled++ < LINES_SHOWN) lines.push(store.lineOf(i));
    }
    if (unlabelled > 0 && unlabelled < store.length && this.fields!.label) {
      const spelled = labels.missingSpelled;
      const how = spelled
        ? `; ${spelled.rows} of them ${spelled.rows === 1 ? 'has' : 'have'} the label ${spelled.spellings.map((s) => JSON.stringify(s)).join(', ')}, ` +
          'how pandas, R or Excel write a missing value, read as no label because such labels are fewer than half of the labelled rows'
        : '';
      this.policy.warn(`${leftOutWords(unlabelled, 'without a label', lines)}${how}`, lines[0]);
    }
    if (this.noText.count > 0) {
      const fields = this.textFields.map((f) => `"${f}"`).join(', ');
      this.policy.warn(
        `${leftOutWords(this.noText.count, 'without a text', this.noText.lines)}: the text field ${fields} is null or missing in ${this.noText.count === 1 ? 'it' : 'them'}`,
        this.noText.lines[0],
      );
    }
    return lines;
  }

  private convert(record: RawRecord): void {
    const f = this.fields!;
    const raw = record.fields;
    let row: DatasetRow;
    let label: RawLabel;
    try {
      label = f.label ? this.labels!.read(getField(raw, f.label)) : null;
      row = { index: this.store!.length, line: record.line, endLine: record.endLine, label: null, fields: raw };
      if (record.key !== undefined) row.key = record.key;
      if (this.textFields.length === 1) row.text = toText(getField(raw, this.textFields[0]), this.textFields[0]);
      else if (this.textFields.length > 1) row.text = joinTexts(raw, this.textFields);
      if (f.weakLabels) row.weakLabels = toWeakLabels(getField(raw, f.weakLabels), f.weakLabels);
      if (f.weakActs) row.weakActs = toNumberArray(getField(raw, f.weakActs), f.weakActs);
      if (f.strongActs) row.strongActs = toNumberArray(getField(raw, f.strongActs), f.strongActs);
      if (f.weakProbs) row.weakProbs = toProbs(getField(raw, f.weakProbs), f.weakProbs);
      if (f.split) row.split = toSplit(getField(raw, f.split), f.split);
      this.checkWidths(row, record.key);
      if (row.text === undefined && this.textFields.length > 0 && !f.weakActs && !f.strongActs) {
        // A null or missing text, like a null label: the row is left out (warned once, with its lines, in finish).
        if (this.noText.count++ < LINES_SHOWN) this.noText.lines.push(record.line);
        return;
      }
    } catch (e) {
      if (!(e instanceof FieldValueError)) throw e;
      // a keyed record (WRENCH) is named by its key too: Python's json.dump writes the whole file on one line
      this.policy.rowError(record.key !== undefined ? `record "${record.key}": ${e.message}` : e.message, record.line);
      return;
    }
    this.store!.add(row, this.labels!.assign(label, row.line));
  }

  /** Every row's vector in one field must have the same length (ragged activations cannot form a matrix). */
  private checkWidths(row: DatasetRow, key?: string): void {
    for (const role of VECTOR_ROLES) {
      const v = row[role];
      if (!v) continue;
      const seen = this.widths.get(role);
      if (!seen) {
        this.widths.set(role, { width: v.length, line: row.line, key });
      } else if (seen.width !== v.length) {
        const where = seen.key !== undefined ? `record "${seen.key}" (line ${seen.line})` : `the row at line ${seen.line}`;
        throw new FieldValueError(`field "${this.fields![role]}" has ${v.length} values but ${where} has ${seen.width}`);
      }
    }
  }
}

/** What a label-named field of arrays holds, in words ("holds one-hot vectors ([0,1,0])"). */
function labelArraysWords(a: NonNullable<FieldDetection['labelArrays']>): string {
  const kind = {
    'one-hot': 'one-hot vectors',
    probabilities: 'vectors of class probabilities (soft labels)',
    single: 'one-element lists',
    lists: 'lists (several labels per row?)',
  }[a.kind];
  return `holds arrays: ${kind}, such as ${a.example}`;
}

/** How to turn such a field into one class per row. */
function labelArraysFix(a: NonNullable<FieldDetection['labelArrays']>): string {
  const f = JSON.stringify(a.field);
  switch (a.kind) {
    case 'one-hot':
      return `write the position of the 1 as the class id (jq -c '.[${f}] |= index(1)')`;
    case 'probabilities':
      return 'write the most likely class (the position of the largest value) as the class id';
    case 'single':
      return `write the element itself (jq -c '.[${f}] |= .[0]')`;
    case 'lists':
      return 'this tool reads one class per row: write one class id or name per row';
  }
}

/** Several text fields make one text: the present, non-empty ones joined with TEXT_JOIN; none present is no text. */
function joinTexts(raw: Record<string, unknown>, names: string[]): string | undefined {
  const parts: string[] = [];
  for (const name of names) {
    const t = toText(getField(raw, name), name);
    if (t !== undefined && t.trim() !== '') parts.push(t);
  }
  return parts.length > 0 ? parts.join(TEXT_JOIN) : undefined;
}
