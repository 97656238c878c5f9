import type { FieldMap } from './types';

type Role = keyof FieldMap;

/** Field names tried in order for each role (case-insensitive); the first present in the data wins. */
const CANDIDATES: Record<Role, string[]> = {
  text: ['text', 'sentence', 'content', 'data.text', 'review', 'document', 'body', 'question', 'tweet', 'comment'],
  label: ['label', 'labels', 'y', 'target', 'class', 'category', 'sentiment', 'gold_label', 'class_index'],
  weakLabels: ['weak_labels'],
  weakActs: ['weak_acts', 'weak_activation', 'weak_activations'],
  strongActs: ['strong_acts', 'strong_activation', 'strong_activations'],
  weakProbs: ['weak_prob', 'weak_probs', 'weak_score'],
  split: ['split'],
};

const ROLES = Object.keys(CANDIDATES) as Role[];

/** A text column found by content rather than name must average at least this many characters ("a long string"). */
const LONG_TEXT_CHARS = 20;
/** A column of several words per value averaging at least this many characters is prose too (titles). */
const SHORT_PROSE_CHARS = 10;
/** A label column found by content: short tokens (no spaces, at most this long) ... */
const LABEL_TOKEN_CHARS = 40;
/** ... seen in at least this many sample rows, with few distinct values (see labelsByContent). */
const LABEL_MIN_SAMPLE = 4;
/** Distinct values shown per candidate when several columns could be the label. */
const LABEL_VALUES_SHOWN = 5;

/** Reads a field by name; a dotted name reaches into nested objects (`data.text`) unless the dot is part of a key. */
export function getField(record: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  if (!path.includes('.')) return undefined;
  let v: unknown = record;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** The text field(s) of a field map as a list. */
export function textFieldsOf(fields: FieldMap): string[] {
  const t = fields.text;
  return t === undefined ? [] : Array.isArray(t) ? t : [t];
}

/** The field paths present in the records: top-level keys and the keys of nested objects one level down. */
export function fieldPaths(records: readonly Record<string, unknown>[]): string[] {
  const paths = new Set<string>();
  for (const r of records) {
    for (const [k, v] of Object.entries(r)) {
      paths.add(k);
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
        for (const sub of Object.keys(v)) paths.add(`${k}.${sub}`);
      }
    }
  }
  return [...paths];
}

export interface FieldDetection {
  fields: FieldMap;
  missing: { role: Role; name: string }[];
  available: string[];
  /** How the text and label were chosen. */
  how: Partial<Record<'text' | 'label', 'name' | 'content' | 'option'>>;
  /** Text-like fields left unused (shown so the choice is visible). */
  unusedText: string[];
  /**
   * When the label was chosen by its content and other columns qualified too: every qualifying column in order
   * (the first is the one taken) with its first distinct values, so the choice can be questioned.
   */
  labelCandidates?: LabelCandidate[];
  /** A field named like a label (`label`, `y`, ...) that was passed over because its values are arrays. */
  labelArrays?: LabelArrays;
}

/** A column that qualifies as the label by its content, with (up to LABEL_VALUES_SHOWN of) its distinct values. */
export interface LabelCandidate {
  field: string;
  values: string[];
  distinct: number;
}

/** A label-named field holding arrays: one-hot vectors, class probabilities, one-element lists, or lists (multi-label). */
export interface LabelArrays {
  field: string;
  kind: 'one-hot' | 'probabilities' | 'single' | 'lists';
  /** The first array, as JSON (shortened). */
  example: string;
}

/**
 * Chooses which field holds what, from a sample of records. Explicit entries in `overrides` win; an override set to
 * the empty string turns that role off. By name first (CANDIDATES); failing that, by content: the label is the first
 * column of short tokens with few distinct values (at most half the sample), the text is every column of long
 * non-numeric strings or several words a value (joined in column order: a title and a description), or the longest
 * string column.
 */
export function detectFields(records: readonly Record<string, unknown>[], overrides: FieldMap = {}): FieldDetection {
  const available = fieldPaths(records);
  const byLower = new Map<string, string>();
  for (const p of available) if (!byLower.has(p.toLowerCase())) byLower.set(p.toLowerCase(), p);

  const fields: FieldMap = {};
  const how: FieldDetection['how'] = {};
  const missing: { role: Role; name: string }[] = [];
  const used = new Set<string>();
  let labelArrays: LabelArrays | undefined;
  let labelCandidates: LabelCandidate[] | undefined;
  for (const role of ROLES) {
    const explicit = overrides[role];
    if (explicit === undefined) continue;
    const names = (Array.isArray(explicit) ? explicit : [explicit]).filter((n) => n !== '');
    if (names.length === 0) continue;
    fields[role] = (role === 'text' && names.length > 1 ? names : names[0]) as string;
    if (role === 'text' || role === 'label') how[role] = 'option';
    for (const name of names) {
      used.add(name);
      if (!available.includes(name) && !records.some((r) => getField(r, name) !== undefined)) missing.push({ role, name });
    }
  }
  for (const role of ROLES) {
    if (overrides[role] !== undefined) continue;
    for (const candidate of CANDIDATES[role]) {
      const actual = byLower.get(candidate);
      if (actual === undefined || used.has(actual)) continue;
      // `labels` is sometimes a multi-label list; a class id must be a scalar. A field that is mostly lists is
      // skipped; a stray list in a scalar field is that row's error (with its line), not a reason to drop the field.
      if (role === 'label' && mostlyLists(records, actual)) {
        labelArrays ??= describeLabelArrays(records, actual);
        continue;
      }
      fields[role] = actual;
      if (role === 'text' || role === 'label') how[role] = 'name';
      used.add(actual);
      break;
    }
  }
  const textual = textualColumns(records, available);
  if (overrides.label === undefined && fields.label === undefined) {
    const found = labelsByContent(records, available, used);
    if (found.length > 0) {
      fields.label = found[0].field;
      how.label = 'content';
      used.add(found[0].field);
      if (found.length > 1) labelCandidates = found;
    }
  }
  if (overrides.text === undefined && fields.text === undefined) {
    const long = textual.filter((c) => isProse(c) && !used.has(c.path)).map((c) => c.path);
    const found = long.length > 0 ? long : longestString(textual, used);
    if (found.length > 0) {
      fields.text = found.length === 1 ? found[0] : found;
      how.text = 'content';
      for (const f of found) used.add(f);
    }
  }
  const unusedText = textual.filter((c) => isProse(c) && !used.has(c.path)).map((c) => c.path);
  return { fields, missing, available, how, unusedText, ...(labelCandidates ? { labelCandidates } : {}), ...(labelArrays ? { labelArrays } : {}) };
}

interface TextualColumn {
  path: string;
  mean: number;
  /** Share of values with more than one word. */
  multiWord: number;
  /** Share of distinct values among the present ones (a category column repeats a few values). */
  distinctShare: number;
}

/** Prose, not a category: long on average, or several words in nearly every value (a headline, a title). */
function isProse(c: TextualColumn): boolean {
  return c.mean >= LONG_TEXT_CHARS || (c.multiWord >= 0.8 && c.mean >= SHORT_PROSE_CHARS);
}

/** Columns whose present values are all non-numeric strings, with their mean length, in column order. */
function textualColumns(records: readonly Record<string, unknown>[], paths: string[]): TextualColumn[] {
  const out: TextualColumn[] = [];
  for (const path of paths) {
    let total = 0;
    let count = 0;
    let words = 0;
    let textual = true;
    const seen = new Set<string>();
    for (const r of records) {
      const v = getField(r, path);
      if (v === undefined || v === null || v === '') continue;
      if (typeof v !== 'string' || looksNumericOrArray(v)) {
        textual = false;
        break;
      }
      total += v.length;
      count++;
      if (/\S\s+\S/.test(v)) words++;
      seen.add(v);
    }
    if (textual && count > 0) out.push({ path, mean: total / count, multiWord: words / count, distinctShare: seen.size / count });
  }
  return out;
}

/** The last resort: the string column with the longest values, unless it repeats a few values (a category). */
function longestString(columns: TextualColumn[], used: Set<string>): string[] {
  let best: TextualColumn | undefined;
  for (const c of columns) if (!used.has(c.path) && c.distinctShare > 0.5 && (!best || c.mean > best.mean)) best = c;
  return best ? [best.path] : [];
}

/**
 * The columns of class-like values, in column order: integers or short tokens, present in most rows, few distinct
 * values. The first is the label (headerless AG News, DBpedia, Yelp and SST files put it first); the others are
 * reported so that the choice is not silent.
 */
function labelsByContent(records: readonly Record<string, unknown>[], paths: string[], used: Set<string>): LabelCandidate[] {
  const out: LabelCandidate[] = [];
  for (const path of paths) {
    if (used.has(path)) continue;
    const distinct = new Set<string>();
    let present = 0;
    let ok = true;
    for (const r of records) {
      const v = getField(r, path);
      if (v === undefined || v === null || v === '') continue;
      let key: string;
      if (typeof v === 'number' || typeof v === 'bigint') {
        if (!Number.isInteger(Number(v))) ok = false;
        key = String(v);
      } else if (typeof v === 'string') {
        const t = v.trim();
        const x = Number(t);
        if (t !== '' && Number.isFinite(x) && !Number.isInteger(x)) ok = false;
        if (t.length > LABEL_TOKEN_CHARS || /\s/.test(t)) ok = false;
        key = t;
      } else if (typeof v === 'boolean') {
        key = String(v);
      } else {
        ok = false;
        key = '';
      }
      if (!ok) break;
      distinct.add(key);
      present++;
    }
    if (!ok || present < LABEL_MIN_SAMPLE || present * 2 < records.length) continue;
    // Few distinct values: at most half the sample, or (a small sample) at least one repeat.
    const few = distinct.size * 2 <= present || (present < 20 && distinct.size < present);
    if (distinct.size >= 2 && few) out.push({ field: path, values: [...distinct].sort(compareValues).slice(0, LABEL_VALUES_SHOWN), distinct: distinct.size });
  }
  return out;
}

/** Numbers in numeric order, then names in code-point order. */
function compareValues(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  const an = a !== '' && Number.isFinite(x);
  const bn = b !== '' && Number.isFinite(y);
  if (an && bn) return x - y;
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What the arrays of a label-named field are, judged on the sample: one-hot, probabilities, one-element lists, lists. */
function describeLabelArrays(records: readonly Record<string, unknown>[], path: string): LabelArrays {
  const arrays = records.map((r) => getField(r, path)).filter((v): v is unknown[] => Array.isArray(v));
  const numeric = arrays.every((a) => a.length >= 2 && a.every((x) => typeof x === 'number' && Number.isFinite(x)));
  const width = arrays[0]?.length;
  let kind: LabelArrays['kind'] = 'lists';
  if (numeric && arrays.every((a) => a.length === width)) {
    const nums = arrays as number[][];
    if (nums.every((a) => a.every((x) => x === 0 || x === 1) && a.filter((x) => x === 1).length === 1)) kind = 'one-hot';
    else if (nums.every((a) => a.every((x) => x >= 0 && x <= 1) && Math.abs(a.reduce((s, x) => s + x, 0) - 1) < 1e-3)) kind = 'probabilities';
  } else if (arrays.every((a) => a.length === 1)) {
    kind = 'single';
  }
  const json = JSON.stringify(arrays[0]) ?? '[]';
  return { field: path, kind, example: json.length > 40 ? `${json.slice(0, 37)}...` : json };
}

function mostlyLists(records: readonly Record<string, unknown>[], path: string): boolean {
  let lists = 0;
  let present = 0;
  for (const r of records) {
    const v = getField(r, path);
    if (v === undefined || v === null) continue;
    present++;
    if (Array.isArray(v)) lists++;
  }
  return lists * 2 > present;
}

function looksNumericOrArray(s: string): boolean {
  const t = s.trim();
  return t.startsWith('[') || (t !== '' && Number.isFinite(Number(t)));
}
