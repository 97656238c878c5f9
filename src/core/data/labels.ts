import { InputError } from '../errors';
import { FieldValueError } from './coerce';
import type { ErrorPolicy } from './errorPolicy';
import { describeType } from './records';
import type { RowStore } from './rowStore';
import type { ClassInfo, Dataset, DatasetRow, PresetNumbering } from './types';

export type { PresetNumbering } from './types';

/**
 * A label read from one row: an integral value (a class id as written in the data, any safe integer), a class name,
 * or no label. Turned into a dense class id 0..C-1 once the whole file is read. An integer beyond
 * Number.MAX_SAFE_INTEGER is a name (`integer` set): as a number it would be rounded, and distinct ids would merge.
 */
/**
 * A label as read: a class id, no label, or a name. `integer` marks a name that is an integer all the same: one beyond
 * 2^53 (no `value`: it cannot be exact as a number), or one written another way than its value (`value`: `07`, `0x1`,
 * `1e3`), which as a number would merge with the label written plainly (`7`, `1`, `1000`).
 */
export type RawLabel = number | null | { name: string; integer?: true; value?: number; padded?: string; missing?: true };

/**
 * How tools write a missing value in a text column: pandas `NaN`/`nan` (and `<NA>`, `NaT`), R and Excel `NA`, `N/A`,
 * `#N/A`, JSON-minded `null`, Python `None` (compared case-insensitively). In a label column whose other values are
 * class ids or names, they mean "no label". The rule: such labels are read as missing only when they are a minority,
 * fewer than half of the rows with a label (the rest are class ids or names); otherwise (a column that is mostly
 * "None") they are class names as written. A class literally named "None" among rarer classes is therefore read as
 * missing; the warning about rows left out names the spellings, so such a reading is visible.
 */
const MISSING_SPELLINGS = new Set(['nan', '-nan', 'na', 'n/a', '#n/a', '<na>', 'nat', 'null', 'none']);

/**
 * Integer texts read as class ids: an optional sign, no leading zeros, an optional `.0` (`3`, `-1`, `+1`, `3.0`).
 * Other texts of an integer (`07`, `0x1`, `0b11`, `1e3`) are names as written, so distinct labels never become one.
 */
const PLAIN_INTEGER = /^[+-]?(0|[1-9]\d*)(\.0*)?$/;

/** More classes than this is not a classification label (ids, free text, a regression target): an error. */
export const MAX_CLASSES = 1000;
/** With at least this many labelled rows, a label field with more distinct values than half the rows is an error. */
const MIN_ROWS_FOR_RATIO_RULE = 20;

/** Where class names came from, for the reading summary. */
export type ClassNameSource = 'data' | 'label.json' | 'classes.txt' | 'option';

export interface PresetClassNames {
  names: readonly string[];
  source: ClassNameSource;
  /** The file the names came from (label.json, classes.txt), for messages. */
  file?: string;
}

export interface LabelSet {
  numClasses: number;
  /** Names by dense class id, when known (preset names, string labels, or integer labels that are not 0..C-1). */
  labelNames?: string[];
  classes: ClassInfo[];
  /** Original value by dense id (the integer or name written in the data; for preset names, the id the data uses). */
  values: (number | string)[];
  /** Integer labels numbered by preset names (classes.txt, label.json, an option): how, so files read apart agree. */
  numbering?: PresetNumbering;
}

/** A row whose integer label is looked at when choosing a numbering: its raw value and where it is. */
interface LabelPlace {
  raw: number;
  line: number;
  file: string;
  record?: string;
}

/**
 * The one rule for numbering integer labels by K preset names, from the smallest and largest label seen (in one file,
 * or in a dataset and its test file together):
 * - all labels in 0..K-1 and some label is 0 or none is K: 0-based; when all lie in 1..K-1 both numberings fit, so
 *   0-based is kept with a warning (`ambiguous`) saying how to tell;
 * - all labels in 1..K and some label is K: 1-based (0-based cannot be right);
 * - neither (a label below 0 or above K, or both 0 and K): an error naming the first offending label's file and line.
 * `firstRow` finds, in file order, the first labelled row whose raw value passes a test.
 */
export function choosePresetBase(
  names: readonly string[],
  from: string,
  min: number,
  max: number,
  firstRow: (pred: (raw: number) => boolean) => LabelPlace | undefined,
): { base: 0 | 1; ambiguous?: string } {
  const k = names.length;
  const zero = min >= 0 && max <= k - 1;
  const one = min >= 1 && max <= k;
  if (zero && one) return { base: 0, ambiguous: ambiguousWords(names, from, min, max) };
  if (zero) return { base: 0 };
  if (one) return { base: 1 };
  const ids = `ids 0..${k - 1} (0-based) or 1..${k} (1-based)`;
  const outside = firstRow((raw) => raw < 0 || raw > k);
  if (outside) {
    throw new InputError(`${recordPrefix(outside.record)}label ${outside.raw} is not a class id of the ${k} class names in ${from}: ${ids}`, {
      file: outside.file,
      line: outside.line,
      hint: 'class-names',
    });
  }
  // Both 0 and K: neither numbering fits.
  const last = firstRow((raw) => raw === k)!;
  const zeroAt = firstRow((raw) => raw === 0)!;
  const where = zeroAt.file === last.file ? `line ${zeroAt.line}` : `${zeroAt.file}:${zeroAt.line}`;
  throw new InputError(
    `${recordPrefix(last.record)}label ${k} is not a class id of the ${k} class names in ${from} when label 0 (${where}) is one too: ${ids}, not both`,
    { file: last.file, line: last.line, hint: 'class-names' },
  );
}

/** The warning for labels that fit both numberings: what each would mean, and how to say which is right. */
function ambiguousWords(names: readonly string[], from: string, min: number, max: number): string {
  const k = names.length;
  const pairs = (base: number) => `${min} = ${names[min - base]}${max > min ? `${max > min + 1 ? ', ...' : ''}, ${max} = ${names[max - base]}` : ''}`;
  const ids = names.slice(0, 2).map((n, i) => `${i + 1}=${n}`).join(',') + (k > 2 ? ',...' : '');
  return (
    `the class numbering is ambiguous: labels ${min}..${max} are ids of the ${k} class names in ${from} counted from 0 (${pairs(0)}) ` +
    `or from 1 (${pairs(1)}); no label is 0 or ${k}, so they are read from 0. If they count from 1, give each id with its name ` +
    `(--class-names ${ids}), or write the labels 0..${k - 1}`
  );
}

/**
 * Turns raw label values into dense class ids. The labels of a file are a SET of values:
 * - integers (also integral floats, numeric strings, booleans) are class values as written; the classes are the
 *   distinct values in ascending order, so ids 1..4 are 4 classes (0..3), and -1/+1 are two;
 * - other strings are class names, numbered in code-point order; so are integers that are not safe integers
 *   (beyond 2^53, kept exactly as written), and then every integer label of the field is read as a name too;
 * - with preset names (a WRENCH label.json, a classes.txt beside the file, or an option) the classes are exactly
 *   those names in their order: string labels must be one of them, integer labels index them 0-based, or 1-based
 *   when the data never uses 0 and does use the last id (AG News: 1..4 with 4 names).
 * A label field with more than MAX_CLASSES distinct values, or (with at least 20 labelled rows) more distinct values
 * than half the rows, is not a class label and is an error; nothing is allocated per class before this check.
 */
export class LabelNormalizer {
  /** The distinct label keys in the order first seen (integers as written, or names); a row keeps its key's index. */
  private readonly keys: (number | string)[] = [];
  private readonly keyIndex = new Map<number | string, number>();
  private labelled = 0;
  private firstLabelledLine?: number;
  /**
   * Labels written as a missing value (`NaN`, `None`, `NA`, `null`, ...: see MISSING_SPELLINGS): their key indices,
   * rows and first line. `finish` reads them as no label when they are a minority of the labelled rows, else as names.
   */
  private readonly missingKeys = new Set<number>();
  private missingRows = 0;
  private firstMissingLine?: number;
  /** Rows whose label was a missing-value spelling read as no label, and the spellings seen (for the reading summary). */
  missingSpelled?: { rows: number; spellings: string[] };
  private firstNumericLine?: number;
  private firstNameLine?: number;
  /**
   * Per name key, the first line that wrote it with white space around it (and that text) and the first that wrote
   * it without: both present means two spellings read as one class (`finish` says so). At most one entry per key.
   */
  private readonly paddedAt = new Map<number | string, { line: number; text: string }>();
  private readonly plainAt = new Map<number | string, number>();
  /** The first label that is a JSON array written as text (`"[0, 1]"` in a CSV cell): read as a name, with a word. */
  private firstListText?: { line: number; text: string };
  /** The first label that is an integer too large to be exact as a number (read as a name), and its text. */
  private firstUnsafe?: { line: number; text: string; value?: number };
  /** How preset names numbered the integer labels (set by `finish`). */
  private numbering?: PresetNumbering;

  constructor(
    private readonly field: string,
    private readonly preset?: PresetClassNames,
  ) {}

  read(v: unknown): RawLabel {
    if (v === undefined || v === null) return null;
    // A float NaN (Parquet, a JSON reader that accepts NaN) is never a class: pandas's missing value.
    if (typeof v === 'number' && Number.isNaN(v)) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'bigint') return this.checkInteger(Number(v), v, String(v));
    if (typeof v === 'number') return this.checkInteger(v, v, String(v));
    if (typeof v === 'string') {
      const t = v.trim();
      if (t === '') return null;
      if (MISSING_SPELLINGS.has(t.toLowerCase())) return { name: t, missing: true };
      const x = Number(t);
      if (Number.isFinite(x)) {
        if (Number.isInteger(x) && !PLAIN_INTEGER.test(t)) return { name: t, integer: true, value: x };
        return this.checkInteger(x, v, t);
      }
      return t === v ? { name: t } : { name: t, padded: v };
    }
    throw new FieldValueError(`label field "${this.field}" should be a class id or name, got ${describeType(v)}`);
  }

  /**
   * Records the label of a row that is kept (row `index` of the store, starting at `line`): returns the key the store
   * keeps for it until `finish` writes the dense id, -1 for no label.
   */
  assign(label: RawLabel, line: number): number {
    if (label === null) return -1;
    const key = typeof label === 'number' ? label : label.name;
    if (typeof label !== 'number' && label.missing) {
      this.missingRows++;
      this.firstMissingLine ??= line;
      this.labelled++;
      const k = this.keyOf(key);
      this.missingKeys.add(k);
      return k;
    }
    if (typeof label === 'number') this.firstNumericLine ??= line;
    else if (label.integer) this.firstUnsafe ??= { line, text: label.name, ...(label.value !== undefined ? { value: label.value } : {}) };
    else {
      this.firstNameLine ??= line;
      if (this.firstListText === undefined && looksLikeList(label.name)) this.firstListText = { line, text: label.name };
      if (label.padded === undefined) {
        if (!this.plainAt.has(key)) this.plainAt.set(key, line);
      } else if (!this.paddedAt.has(key)) this.paddedAt.set(key, { line, text: label.padded });
    }
    this.firstLabelledLine ??= line;
    this.labelled++;
    return this.keyOf(key);
  }

  private keyOf(key: number | string): number {
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.keys.length;
      this.keys.push(key);
      this.keyIndex.set(key, k);
    }
    return k;
  }

  /**
   * Missing-value spellings among the labels (MISSING_SPELLINGS): a minority of the labelled rows is no label (the
   * rows' keys become -1 and the spellings leave the key set); a majority stays class names, as written.
   */
  private resolveMissingSpellings(store: RowStore): void {
    if (this.missingRows === 0) return;
    // A spelling that preset names list (a classes.txt with a class "None") is that class.
    const named = new Set(this.preset ? splitExplicitIds(this.preset).names : []);
    for (const k of [...this.missingKeys]) {
      if (!named.has(String(this.keys[k]))) continue;
      this.missingKeys.delete(k);
      for (let i = 0; i < store.length; i++) {
        if (store.labelKeyOf(i) !== k) continue;
        this.missingRows--;
        this.firstNameLine = Math.min(this.firstNameLine ?? Infinity, store.lineOf(i));
        this.firstLabelledLine = Math.min(this.firstLabelledLine ?? Infinity, store.lineOf(i));
      }
    }
    if (this.missingKeys.size === 0) return;
    // The rule (see MISSING_SPELLINGS): fewer than half of the labelled rows are missing values; more are names.
    if (this.missingRows * 2 >= this.labelled) {
      // Mostly "None" (or the like): names as written.
      this.firstNameLine = Math.min(this.firstNameLine ?? Infinity, this.firstMissingLine!);
      this.firstLabelledLine = Math.min(this.firstLabelledLine ?? Infinity, this.firstMissingLine!);
      for (const k of this.missingKeys) if (!this.plainAt.has(this.keys[k])) this.plainAt.set(this.keys[k], this.firstMissingLine!);
      return;
    }
    const spellings = [...this.missingKeys].map((k) => String(this.keys[k]));
    const remap = new Array<number>(this.keys.length).fill(-1);
    const kept: (number | string)[] = [];
    this.keys.forEach((key, k) => {
      if (this.missingKeys.has(k)) return;
      remap[k] = kept.length;
      kept.push(key);
    });
    this.keys.length = 0;
    this.keys.push(...kept);
    this.keyIndex.clear();
    kept.forEach((key, k) => this.keyIndex.set(key, k));
    for (let i = 0; i < store.length; i++) {
      const k = store.labelKeyOf(i);
      if (k >= 0) store.setLabel(i, remap[k] < 0 ? null : remap[k]);
    }
    this.labelled -= this.missingRows;
    this.missingSpelled = { rows: this.missingRows, spellings };
    this.missingRows = 0;
    this.missingKeys.clear();
  }

  /** Fixes the class set, writes every row's dense id and remaps its votes. Throws on a label set that is not one. */
  finish(policy: ErrorPolicy, store: RowStore): LabelSet {
    this.resolveMissingSpellings(store);
    if (this.firstNumericLine !== undefined && this.firstNameLine === undefined && this.firstUnsafe !== undefined) {
      // Class ids and ids too large for a number: all are names as written, not a mix of ids and names.
      const big = this.firstUnsafe;
      policy.warn(
        big.value === undefined
          ? `label ${big.text} (line ${big.line}) is an integer beyond 2^53, too large to be exact as a number: every label of field "${this.field}" is read as a class name, as written`
          : `label "${big.text}" (line ${big.line}) is the number ${big.value} written another way (leading zeros, a 0x/0b/0o prefix or an exponent): every label of field "${this.field}" is read as a class name, as written, so that labels written differently stay different classes`,
        big.line,
      );
      for (let k = 0; k < this.keys.length; k++) this.keys[k] = String(this.keys[k]);
      this.firstNameLine = Math.min(this.firstNumericLine, big.line);
      this.firstNumericLine = undefined;
    }
    this.firstNameLine ??= this.firstUnsafe?.line;
    if (this.firstNumericLine !== undefined && this.firstNameLine !== undefined) {
      const line = Math.max(this.firstNumericLine, this.firstNameLine);
      throw policy.fatal(
        `labels mix class ids (line ${this.firstNumericLine}) and class names (line ${this.firstNameLine}) in field "${this.field}"; use one or the other`,
        line,
      );
    }
    const index = this.preset ? this.presetIndex(policy, store) : this.dataIndex(policy);
    const counts = new Array<number>(index.values.length).fill(0);
    const firstLine = new Array<number>(index.values.length).fill(0);
    const idOfKey = this.keys.map((key) => index.ids.get(key)!);
    for (let i = 0; i < store.length; i++) {
      const key = store.labelKeyOf(i);
      if (key < 0) continue;
      const id = idOfKey[key];
      store.setLabel(i, id);
      if (counts[id]++ === 0) firstLine[id] = store.lineOf(i);
    }
    // A class seen once among many rows is more often a typo or a stray id than a class: say where it is.
    if (this.labelled >= MIN_ROWS_FOR_RATIO_RULE) {
      const single = counts.flatMap((c, id) => (c === 1 ? [id] : []));
      for (const id of single.slice(0, 3)) {
        policy.warn(`class ${index.values[id]} has only 1 row (line ${firstLine[id]}); check that it is a class label`, firstLine[id]);
      }
      if (single.length > 3) policy.warn(`${single.length - 3} more classes have only 1 row`);
    }
    // A class the names list (label.json, --class-names) but no row carries is still a class: every probe gets an
    // output for it and an uncovered row's uniform vote can draw it. Say so instead of analysing it silently.
    if (this.labelled > 0) {
      const empty = counts.flatMap((c, id) => (c === 0 ? [id] : []));
      if (empty.length > 0) {
        const message = emptyClassWords(
          empty.map((id) => ({ value: index.values[id], ...(index.names ? { name: index.names[id] } : {}) })),
          this.preset ? presetWhere(this.preset) : 'the data',
        );
        policy.warn(message);
        if (this.numbering) this.numbering.empty = message;
      }
    }
    warnCaseVariants(index.values, policy);
    this.warnPaddedVariants(policy);
    if (this.firstListText) {
      const { line, text } = this.firstListText;
      policy.warn(
        `label ${JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text)} (line ${line}) is a list written as text (a one-hot vector, ` +
          `class probabilities or several labels?): each distinct list is read as one class name; write one class id or name per row ` +
          '(for a one-hot vector, the position of its 1)',
        line,
      );
    }
    // Votes are in the labels' values; when the labels are names that preset names number (a WRENCH label.json, a
    // classes.txt, --class-names), an integer vote is an id of that numbering, 0-based, as WRENCH writes its votes.
    const namedByPreset = this.preset !== undefined && this.firstNumericLine === undefined;
    const voteIds = namedByPreset ? new Map<number | string, number>(index.values.map((_, i) => [i, i])) : index.ids;
    const voteWords = namedByPreset
      ? `a class id 0..${index.values.length - 1} of the class names in ${presetWhere(this.preset!)}`
      : undefined;
    remapVotes([...store.objectRows()], voteIds, index.values, policy, voteWords);
    const classes: ClassInfo[] = index.values.map((value, id) => ({
      id,
      value,
      ...(index.names ? { name: index.names[id] } : {}),
      count: counts[id],
    }));
    return {
      numClasses: index.values.length,
      labelNames: index.names,
      classes,
      values: index.values,
      ...(this.numbering ? { numbering: this.numbering } : {}),
    };
  }

  /** Classes from the values in the data. */
  private dataIndex(policy: ErrorPolicy): { ids: Map<number | string, number>; values: (number | string)[]; names?: string[] } {
    const distinct = this.keys;
    this.checkCount(distinct.length, policy);
    const numeric = this.firstNumericLine !== undefined;
    const values = numeric ? ([...distinct] as number[]).sort((a, b) => a - b) : ([...distinct] as string[]).sort();
    const ids = new Map<number | string, number>(values.map((v, i) => [v, i]));
    const identity = numeric && values.every((v, i) => v === i);
    return { ids, values, names: identity ? undefined : values.map(String) };
  }

  /** Classes from preset names: the data's labels must be among them. */
  private presetIndex(policy: ErrorPolicy, store: RowStore): { ids: Map<number | string, number>; values: (number | string)[]; names: string[] } {
    const preset = this.preset!;
    const { names, explicitIds } = splitExplicitIds(preset);
    const from = presetWhere(preset);
    this.checkCount(names.length, policy, ` (the class names in ${from})`);
    const ids = new Map<number | string, number>();
    if (this.firstNumericLine !== undefined && explicitIds) {
      // `--class-names 1=World,2=Sports,...`: the ids are given, no numbering to choose.
      explicitIds.forEach((v, i) => ids.set(v, i));
      const bad = this.firstRowWith(store, (key) => !ids.has(key));
      if (bad) {
        throw policy.fatal(`${recordPrefix(bad.record)}label ${bad.key} is not one of the class ids given with the class names (${explicitIds.join(', ')})`, bad.line);
      }
      return { ids, values: explicitIds, names };
    }
    if (this.firstNumericLine !== undefined) {
      let min = Infinity;
      let max = -Infinity;
      for (const key of this.keys) {
        min = Math.min(min, key as number);
        max = Math.max(max, key as number);
      }
      const firstRow = (pred: (raw: number) => boolean) => {
        const r = this.firstRowWith(store, (key) => pred(key as number));
        return r && { raw: r.key as number, line: r.line, file: policy.file, ...(r.record !== undefined ? { record: r.record } : {}) };
      };
      const choice = choosePresetBase(names, from, min, max, firstRow);
      const base = choice.base;
      if (choice.ambiguous) policy.warn(choice.ambiguous, this.firstLabelledLine);
      this.numbering = { base, names, from, ...(choice.ambiguous ? { ambiguous: choice.ambiguous } : {}) };
      const values = names.map((_, i) => i + base);
      values.forEach((v, i) => ids.set(v, i));
      return { ids, values, names };
    }
    names.forEach((n, i) => {
      if (!ids.has(n)) ids.set(n, i);
    });
    const unknown = this.firstRowWith(store, (key) => !ids.has(key));
    if (unknown) {
      throw policy.fatal(`${recordPrefix(unknown.record)}label "${unknown.key}" is not one of the class names in ${from} (${names.join(', ')})`, unknown.line);
    }
    return { ids, values: names, names };
  }

  /** The first row, in file order, whose label key fails `bad`: its key, line and record key (keyed JSON). */
  private firstRowWith(store: RowStore, bad: (key: number | string) => boolean): { key: number | string; line: number; record?: string } | undefined {
    const badKey = this.keys.map(bad);
    for (let i = 0; i < store.length; i++) {
      const k = store.labelKeyOf(i);
      if (k >= 0 && badKey[k]) return { key: this.keys[k], line: store.lineOf(i), record: store.isCompact(i) ? undefined : store.at(i).key };
    }
    return undefined;
  }

  private checkCount(distinct: number, policy: ErrorPolicy, what = ''): void {
    const labelled = this.labelled;
    const line = this.firstLabelledLine;
    const fail = (message: string) => new InputError(`${message}. If this is not the class label, choose another label field`, { file: policy.file, line, hint: 'label-field' });
    if (distinct > MAX_CLASSES) {
      throw fail(`the label field "${this.field}" has ${distinct} distinct values${what}; at most ${MAX_CLASSES} classes are supported`);
    }
    if (!this.preset && labelled >= MIN_ROWS_FOR_RATIO_RULE && distinct * 2 > labelled) {
      throw fail(`the label field "${this.field}" has ${distinct} distinct values in ${labelled} labelled rows: too many for class labels (at most half the rows)`);
    }
  }

  /**
   * Labels read as one class although written with and without white space around them (`pos` and ` pos`): the
   * likelier cause is a stray space in an export, but a user who meant two classes must hear of it.
   */
  private warnPaddedVariants(policy: ErrorPolicy): void {
    const both = [...this.paddedAt].filter(([key]) => this.plainAt.has(key));
    if (both.length === 0) return;
    const shown = both.slice(0, 3).map(([key, p]) => `${JSON.stringify(p.text)} (line ${p.line}) and ${JSON.stringify(key)} (line ${this.plainAt.get(key)})`);
    const more = both.length > 3 ? `; and ${both.length - 3} more` : '';
    policy.warn(
      `labels written with and without white space around them are one class: ${shown.join('; ')}${more}; ` +
        'the white space is dropped (fix the file if they were meant to be different classes)',
      both[0][1].line,
    );
  }

  /** A numeric label: a class id when it is a safe integer; beyond 2^53 its text (`text`, as written) is a name. */
  private checkInteger(x: number, raw: unknown, text: string): RawLabel {
    if (!Number.isInteger(x)) throw new FieldValueError(`label ${describeType(raw)} is not an integer class id`);
    if (!Number.isSafeInteger(x)) return { name: text, integer: true };
    return x;
  }
}

/** Whether a label's text is a JSON array (`[0, 1]`, `[0.2, 0.8]`, `["a", "b"]`). */
function looksLikeList(text: string): boolean {
  if (!(text.startsWith('[') && text.endsWith(']'))) return false;
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

/**
 * Class names that differ only in letter case (`Pos`, `POS`, `pos`) stay separate classes, as written; a typo or an
 * inconsistent export is the likelier cause, so the groups are named in a warning.
 */
function warnCaseVariants(values: readonly (number | string)[], policy: ErrorPolicy): void {
  const groups = new Map<string, string[]>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const key = v.toLowerCase();
    const group = groups.get(key);
    if (group) group.push(v);
    else groups.set(key, [v]);
  }
  const variants = [...groups.values()].filter((g) => g.length > 1);
  if (variants.length === 0) return;
  const shown = variants.slice(0, 5).map((g) => g.join(', ')).join('; ');
  const more = variants.length > 5 ? `; and ${variants.length - 5} more groups` : '';
  policy.warn(`classes that differ only in case: ${shown}${more} (they are separate classes)`);
}

/**
 * Labelling-function votes are written in the data's label values (-1 abstains); they become dense class ids too.
 * A vote for a value that is not a class is an error naming the row.
 */
function remapVotes(
  rows: readonly DatasetRow[],
  ids: Map<number | string, number>,
  values: (number | string)[],
  policy: ErrorPolicy,
  voteWords?: string,
): void {
  const identity = [...ids].every(([v, i]) => v === i);
  if (identity) {
    for (const row of rows) {
      const votes = row.weakLabels;
      if (!votes) continue;
      for (let j = 0; j < votes.length; j++) {
        if (votes[j] >= ids.size) throw badVote(policy, votes[j], j, values, row, voteWords);
      }
    }
    return;
  }
  for (const row of rows) {
    const votes = row.weakLabels;
    if (!votes) continue;
    for (let j = 0; j < votes.length; j++) {
      if (votes[j] === -1) continue;
      const id = ids.get(votes[j]);
      if (id === undefined) throw badVote(policy, votes[j], j, values, row, voteWords);
      votes[j] = id;
    }
  }
}

function badVote(policy: ErrorPolicy, vote: number, position: number, values: (number | string)[], row: DatasetRow, voteWords?: string): InputError {
  const shown = values.length <= 10 ? values.join(', ') : `${values.slice(0, 10).join(', ')}, ...`;
  const named = values.some((v) => typeof v === 'string');
  const what = voteWords !== undefined
    ? `${voteWords} (${shown})`
    : `one of the classes (${shown})${named ? '; votes are read in the labels\' values, so with class names as labels integer votes need the names numbered: a label.json or classes.txt beside the file, or --class-names' : ''}`;
  return policy.fatal(`${recordPrefix(row.key)}vote ${vote} at position ${position} is not -1 (abstain) or ${what}`, row.line);
}

/** The warning about classes that preset names list but no row carries. */
function emptyClassWords(empty: { value: number | string; name?: string }[], from: string): string {
  const shown = empty.slice(0, 5).map((c) => (c.name !== undefined ? `${c.name} [${c.value}]` : String(c.value)));
  const more = empty.length > 5 ? ` and ${empty.length - 5} more` : '';
  const one = empty.length === 1;
  return (
    `${one ? 'class' : 'classes'} ${shown.join(', ')}${more} ${one ? 'has' : 'have'} no labelled row here but ${one ? 'is' : 'are'} ` +
    `kept as ${one ? 'a class' : 'classes'} (${from} ${one ? 'names it' : 'names them'}): the probes get an output for ` +
    `${one ? 'it' : 'each'}, and a row no labelling function votes on can draw ${one ? 'it' : 'them'} as its weak label`
  );
}

/** Where preset names came from, in words for messages. */
function presetWhere(preset: PresetClassNames): string {
  return preset.file ?? (preset.source === 'option' ? 'the class names option' : preset.source);
}

/** An option's names may each carry its class id (`1=World`): all of them do, or none. */
const EXPLICIT_ID = /^\s*([+-]?\d+)\s*=\s*(\S(?:.*\S)?)\s*$/;

/**
 * Preset names as given, or, for names given as an option that all read `ID=NAME` with distinct integer ids, the
 * names and their ids (so a user can say that labels 1..3 of 4 names count from 1).
 */
export function splitExplicitIds(preset: PresetClassNames): { names: string[]; explicitIds?: number[] } {
  if (preset.source !== 'option' || preset.names.length === 0) return { names: [...preset.names] };
  const parts = preset.names.map((n) => EXPLICIT_ID.exec(n));
  if (parts.some((m) => m === null)) return { names: [...preset.names] };
  const ids = parts.map((m) => Number(m![1]));
  if (new Set(ids).size !== ids.length || !ids.every(Number.isSafeInteger)) return { names: [...preset.names] };
  return { names: parts.map((m) => m![2]), explicitIds: ids };
}

/** 'record "17": ' for a keyed record (WRENCH; its file is often one line, so the line alone locates nothing). */
function recordPrefix(key: string | undefined): string {
  return key !== undefined ? `record ${JSON.stringify(key)}: ` : '';
}

/**
 * Files read apart (a dataset and its test file) whose integer labels preset names number (a classes.txt beside
 * both, an option, or names beside one of them): the numbering is chosen once, by choosePresetBase on the labels of
 * all the files together, and every row and vote is renumbered to it. AG News's train file may use only 1..3 and its
 * test file 1..4: read apart, the first would be 0-based and the second 1-based, five classes with two names alike.
 * Undefined when no file has preset-numbered integer labels.
 */
function unifyPresetNumbering(sets: { file: string; labels: LabelSet; rows: DatasetRow[] }[]): LabelSet | undefined {
  const numbered = sets.filter((s) => s.labels.numbering !== undefined);
  if (numbered.length === 0 || !sets.every((s) => s.labels.values.every((v) => typeof v === 'number'))) return undefined;
  const { names, from } = numbered[0].labels.numbering!;
  for (const s of numbered.slice(1)) {
    const other = s.labels.numbering!;
    if (other.names.length !== names.length || other.names.some((n, i) => n !== names[i])) {
      throw new InputError(
        `the class names for this file (${other.from}: ${other.names.join(', ')}) differ from those for ${numbered[0].file} (${from}: ${names.join(', ')}); both files must name the same classes in the same order`,
        { file: s.file, hint: 'class-names' },
      );
    }
  }
  let min = Infinity;
  let max = -Infinity;
  for (const s of sets) {
    for (const row of s.rows) {
      if (row.label === null) continue;
      const raw = s.labels.values[row.label] as number;
      if (raw < min) min = raw;
      if (raw > max) max = raw;
    }
  }
  const firstRow = (pred: (raw: number) => boolean): LabelPlace | undefined => {
    for (const s of sets) {
      for (const row of s.rows) {
        if (row.label === null) continue;
        const raw = s.labels.values[row.label] as number;
        if (pred(raw)) return { raw, line: row.line, file: s.file, ...(row.key !== undefined ? { record: row.key } : {}) };
      }
    }
    return undefined;
  };
  const k = names.length;
  const choice = min === Infinity ? { base: numbered[0].labels.numbering!.base } : choosePresetBase(names, from, min, max, firstRow);
  const base = choice.base;
  const values = names.map((_, i) => i + base);
  const counts = new Array<number>(k).fill(0);
  const perSet: { set: (typeof sets)[number]; counts: number[] }[] = [];
  for (const s of sets) {
    const map = s.labels.values.map((v) => (v as number) - base);
    const own = new Array<number>(k).fill(0);
    for (const row of s.rows) {
      if (row.label !== null) {
        row.label = map[row.label];
        counts[row.label]++;
        own[row.label]++;
      }
      const votes = row.weakLabels;
      if (!votes) continue;
      for (let j = 0; j < votes.length; j++) {
        if (votes[j] < 0) continue;
        const id = map[votes[j]];
        if (id === undefined || id < 0 || id >= k) {
          throw new InputError(
            `${recordPrefix(row.key)}vote ${s.labels.values[votes[j]]} at position ${j} is not -1 (abstain) or a class id ${base}..${k - 1 + base} of the ${k} class names in ${from} (numbered from ${base}, as the labels of the files together are)`,
            { file: s.file, line: row.line },
          );
        }
        votes[j] = id;
      }
    }
    perSet.push({ set: s, counts: own });
  }
  const classes: ClassInfo[] = values.map((value, id) => ({ id, value, name: names[id], count: counts[id] }));
  const union: LabelSet = {
    numClasses: k,
    labelNames: names,
    classes,
    values,
    numbering: { base, names, from, ...(choice.ambiguous ? { ambiguous: choice.ambiguous } : {}) },
  };
  for (const { set, counts: own } of perSet) {
    const empty = own.flatMap((c, id) => (c === 0 ? [{ value: values[id], name: names[id] }] : []));
    const mine: PresetNumbering = { base, names, from, ...(empty.length > 0 ? { empty: emptyClassWords(empty, from) } : {}) };
    set.labels = { ...union, numbering: mine };
  }
  return union;
}

/**
 * Merges the class sets of files analysed together (a dataset and its test file): the union of their values in the
 * same order rules, every row's id and votes rewritten to it. Preset names must agree; names and ids cannot mix.
 */
export function unifyLabelSets(sets: { file: string; labels: LabelSet; rows: DatasetRow[] }[]): LabelSet {
  if (sets.length === 1) return sets[0].labels;
  const first = sets[0];
  const kinds = new Set(sets.filter((s) => s.labels.values.length > 0).map((s) => typeof s.labels.values[0]));
  if (kinds.size > 1) {
    const named = sets.find((s) => typeof s.labels.values[0] === 'string')!;
    const ids = sets.find((s) => typeof s.labels.values[0] === 'number')!;
    throw new InputError(`labels are class names here but class ids in ${ids.file}; both files must label the classes the same way`, {
      file: named.file,
    });
  }
  const numbered = unifyPresetNumbering(sets);
  if (numbered) return numbered;
  const union = new Set<number | string>();
  for (const s of sets) for (const v of s.labels.values) union.add(v);
  const numeric = typeof [...union][0] === 'number';
  const values = numeric ? ([...union] as number[]).sort((a, b) => a - b) : ([...union] as string[]).sort();
  // Keep a file's own order when every file has the same values (preset names keep their file order).
  const sameAsFirst = sets.every((s) => s.labels.values.length === first.labels.values.length && s.labels.values.every((v, i) => v === first.labels.values[i]));
  const order = sameAsFirst ? first.labels.values : values;
  const ids = new Map<number | string, number>(order.map((v, i) => [v, i]));
  if (order.length > MAX_CLASSES) throw new InputError(`the files together have ${order.length} classes; at most ${MAX_CLASSES} are supported`, { file: first.file });
  const counts = new Array<number>(order.length).fill(0);
  for (const s of sets) {
    const map = s.labels.values.map((v) => ids.get(v)!);
    for (const row of s.rows) {
      if (row.label !== null) {
        row.label = map[row.label];
        counts[row.label]++;
      }
      const votes = row.weakLabels;
      if (votes) for (let j = 0; j < votes.length; j++) if (votes[j] >= 0) votes[j] = map[votes[j]];
    }
  }
  const nameOf = new Map<number | string, string>();
  for (const s of sets) s.labels.classes.forEach((c) => c.name !== undefined && !nameOf.has(c.value) && nameOf.set(c.value, c.name));
  const identity = numeric && order.every((v, i) => v === i);
  const labelNames = identity && nameOf.size === 0 ? undefined : order.map((v) => nameOf.get(v) ?? String(v));
  if (labelNames && new Set(labelNames).size < labelNames.length) {
    // Never two classes of one name: the files number or name their classes differently.
    const seen = new Map<string, number | string>();
    for (const [i, n] of labelNames.entries()) {
      const other = seen.get(n);
      if (other !== undefined) {
        throw new InputError(
          `the files together would have two classes named "${n}" (ids ${other} and ${order[i]}): they number their classes differently; give the class names (--class-names) or make the labels agree`,
          { file: first.file, hint: 'class-names' },
        );
      }
      seen.set(n, order[i]);
    }
  }
  const classes: ClassInfo[] = order.map((value, id) => ({ id, value, ...(labelNames ? { name: labelNames[id] } : {}), count: counts[id] }));
  for (const s of sets) s.labels = { numClasses: order.length, labelNames, classes, values: order };
  return { numClasses: order.length, labelNames, classes, values: order };
}

/**
 * Integer labels from an array file (labels.npy) as dense class ids: the distinct values in ascending order are the
 * classes, at most MAX_CLASSES of them. `labelNames` holds the values when they are not already 0..C-1.
 */
export function denseLabels(values: Int32Array, file: string): { labels: Int32Array; numClasses: number; labelNames?: string[] } {
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    distinct.add(values[i]);
    if (distinct.size > MAX_CLASSES) {
      throw new InputError(`labels hold more than ${MAX_CLASSES} distinct values (at index ${i}); at most ${MAX_CLASSES} classes are supported`, { file });
    }
  }
  const sorted = [...distinct].sort((a, b) => a - b);
  if (sorted.every((v, i) => v === i)) return { labels: values, numClasses: sorted.length };
  const ids = new Map(sorted.map((v, i) => [v, i]));
  return { labels: values.map((v) => ids.get(v)!), numClasses: sorted.length, labelNames: sorted.map(String) };
}

/**
 * One class set for datasets read together (a file and its test file, the sources of a selection): unifies their
 * labels and writes the shared class count, names and classes back into each dataset.
 */
export function unifyDatasetLabels(sources: readonly { file: string; dataset: Dataset }[]): LabelSet {
  const sets = sources.map(({ file, dataset: d }) => ({
    file,
    labels: {
      numClasses: d.numClasses,
      labelNames: d.labelNames,
      classes: d.classes,
      values: d.classes.map((c) => c.value),
      ...(d.classNumbering ? { numbering: d.classNumbering } : {}),
    } as LabelSet,
    rows: d.rows,
  }));
  const set = unifyLabelSets(sets);
  if (sources.length > 1 && set.numbering) {
    // The numbering was chosen on all the files together: a file's own ambiguity warning, and its warning about
    // classes without rows when its numbering changed, are replaced by what holds for the files together.
    let ambiguityShown = false;
    sources.forEach(({ file, dataset }, i) => {
      const before = dataset.classNumbering;
      const after = sets[i].labels.numbering;
      if (!before) return;
      const drop = new Set<string>();
      if (before.ambiguous) drop.add(before.ambiguous);
      const changed = before.base !== set.numbering!.base;
      if (changed && before.empty) drop.add(before.empty);
      const warnings = dataset.warnings.filter((w) => !drop.has(w.message));
      if (set.numbering!.ambiguous && !ambiguityShown) {
        warnings.push({ message: set.numbering!.ambiguous, file });
        ambiguityShown = true;
      }
      if (changed && after?.empty) warnings.push({ message: after.empty, file });
      dataset.warnings = warnings;
      dataset.classNumbering = after;
    });
  }
  for (const { dataset } of sources) Object.assign(dataset, { numClasses: set.numClasses, labelNames: set.labelNames, classes: set.classes });
  return set;
}
