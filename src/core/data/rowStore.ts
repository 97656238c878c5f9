import type { DatasetRow } from './types';

/**
 * Where a dataset's rows live while and after it is read. Small files keep one object per row, as they always did.
 * From `compactFrom` rows on, a row whose raw fields are exactly its text and its label (the usual short-row file:
 * `{"text": ..., "label": ...}`, a `text,label` CSV) is kept column-wise instead: its text as UTF-8 bytes in 16 MiB
 * blocks, its line, end line, label and raw label value in typed arrays (17 bytes a row besides the text,
 * against about 260 for the objects, strings and label records of the object form). `rows()` hands out an array whose
 * elements are made on first access and then kept, so a row read twice is the same object and a change to it stays;
 * rows never touched cost nothing beyond their columns (a caller that touches every row, as the analysis does, makes
 * every row's object, about what the object form held). Rows of any other shape are kept as objects, as before.
 */

/** Rows per column block (a plain `new Array` of this length stays a fast holey array in V8). */
const BLOCK_ROWS = 1 << 15;
const BLOCK_SHIFT = 15;
const BLOCK_MASK = BLOCK_ROWS - 1;
/** Bytes per text block, and how many blocks positions in a Uint32 reach (4 GiB of text). */
const TEXT_BLOCK = 1 << 24;
const MAX_TEXT_BLOCKS = 256;
/** A longer text (in UTF-8 bytes) keeps its row an object. */
const MAX_TEXT_BYTES = 0xffff;
/** Distinct raw label values kept in the table; past this a row is kept as an object. */
const MAX_RAW_VALUES = 0xffff;

/** Rows kept as objects before the column form starts (`OVERLAP_COMPACT_FROM` overrides it, for tests). */
export const rowStoreDefaults = { compactFrom: envNumber('OVERLAP_COMPACT_FROM') ?? 50_000 };

function envNumber(name: string): number | undefined {
  const v = typeof process !== 'undefined' ? process.env[name] : undefined;
  return v !== undefined && v !== '' && Number.isInteger(Number(v)) && Number(v) >= 0 ? Number(v) : undefined;
}

/** The raw fields of compact rows: these keys in this order, each holding the row's text or its raw label value. */
interface Shape {
  keys: string[];
  isText: boolean[];
  proto: object | null;
}

type WellFormed = string & { isWellFormed(): boolean };

export class RowStore {
  private n = 0;
  private compactRows = 0;
  /** Rows as objects by block: kept rows of other shapes, and compact rows once made. */
  private readonly objects: (DatasetRow | undefined)[][] = [];
  private readonly textAt: Uint32Array[] = [];
  private readonly textLen: Uint16Array[] = [];
  private readonly lines: Uint32Array[] = [];
  private readonly endDelta: Uint8Array[] = [];
  /** The label: a key index while reading (LabelNormalizer), the dense class id after; -1 is no label. */
  private readonly labels: Int32Array[] = [];
  private readonly raw: Uint16Array[] = [];
  private readonly texts: Buffer[] = [];
  private textUsed = TEXT_BLOCK;
  private readonly rawValues: unknown[] = [];
  private readonly rawIndex = new Map<unknown, number>();
  private shape?: Shape | null;

  /**
   * @param textField the single field that is the row's text, or undefined (then no row is compact)
   * @param labelField the label field, if any
   * @param compactable false when rows carry more than text and label (votes, activations, a split)
   */
  constructor(
    private readonly textField: string | undefined,
    private readonly labelField: string | undefined,
    private readonly compactable: boolean,
    private readonly compactFrom = rowStoreDefaults.compactFrom,
  ) {}

  get length(): number {
    return this.n;
  }

  /** Keeps a converted row (its `index` is the store's length); `labelKey` is the LabelNormalizer's key or -1. */
  add(row: DatasetRow, labelKey: number): void {
    const i = this.n++;
    const b = i >>> BLOCK_SHIFT;
    const k = i & BLOCK_MASK;
    if (k === 0) this.addBlock();
    this.labels[b][k] = labelKey;
    const rawIdx = this.compactable && i >= this.compactFrom ? this.compactIndex(row) : -1;
    if (rawIdx < 0 || !this.putText(b, k, row.text!)) {
      this.lines[b][k] = Math.min(row.line, 0xffffffff);
      (this.objects[b] ??= new Array<DatasetRow | undefined>(BLOCK_ROWS))[k] = row;
      return;
    }
    this.compactRows++;
    this.lines[b][k] = row.line;
    this.endDelta[b][k] = row.endLine - row.line;
    this.raw[b][k] = rawIdx;
  }

  lineOf(i: number): number {
    const o = this.objects[i >>> BLOCK_SHIFT]?.[i & BLOCK_MASK];
    return o ? o.line : this.lines[i >>> BLOCK_SHIFT][i & BLOCK_MASK];
  }

  labelKeyOf(i: number): number {
    return this.labels[i >>> BLOCK_SHIFT][i & BLOCK_MASK];
  }

  /** Writes a row's dense class id (or null) after the class set is fixed. */
  setLabel(i: number, id: number | null): void {
    this.labels[i >>> BLOCK_SHIFT][i & BLOCK_MASK] = id ?? -1;
    const o = this.objects[i >>> BLOCK_SHIFT]?.[i & BLOCK_MASK];
    if (o) o.label = id;
  }

  /** Rows without a label. */
  unlabelled(): number {
    let count = 0;
    for (let i = 0; i < this.n; i++) if (this.labels[i >>> BLOCK_SHIFT][i & BLOCK_MASK] < 0) count++;
    return count;
  }

  /** The rows kept as objects (compact rows never carry votes or vectors). */
  *objectRows(): Generator<DatasetRow> {
    for (let i = 0; i < this.n; i++) {
      const o = this.objects[i >>> BLOCK_SHIFT]?.[i & BLOCK_MASK];
      if (o) yield o;
    }
  }

  /** Whether some rows are kept column-wise (then `rows()` is the lazy array). */
  get compactCount(): number {
    return this.compactRows;
  }

  /** Row `i` as an object (made from its columns on first access, then kept). */
  at(i: number): DatasetRow {
    const b = i >>> BLOCK_SHIFT;
    const k = i & BLOCK_MASK;
    const block = (this.objects[b] ??= new Array<DatasetRow | undefined>(BLOCK_ROWS));
    const o = block[k];
    if (o) return o;
    const made = this.make(i, b, k);
    block[k] = made;
    return made;
  }

  /** Replaces row `i` (an assignment through the rows array). */
  put(i: number, row: DatasetRow): void {
    if (i >= this.n) throw new RangeError('rows of a dataset read column-wise cannot be appended');
    (this.objects[i >>> BLOCK_SHIFT] ??= new Array<DatasetRow | undefined>(BLOCK_ROWS))[i & BLOCK_MASK] = row;
  }

  /** The rows as callers see them: a plain array when every row is an object, else the lazy array. */
  rows(): DatasetRow[] {
    if (this.compactRows === 0) {
      const out: DatasetRow[] = [];
      for (let i = 0; i < this.n; i++) out.push(this.objects[i >>> BLOCK_SHIFT]![i & BLOCK_MASK]!);
      return out;
    }
    return lazyRows(this);
  }

  /** The text of compact row `i` as stored (a test checks that texts live in the shared blocks). */
  textBytes(i: number): Uint8Array | undefined {
    if (!this.isCompact(i)) return undefined;
    const at = this.textAt[i >>> BLOCK_SHIFT][i & BLOCK_MASK];
    const len = this.textLen[i >>> BLOCK_SHIFT][i & BLOCK_MASK];
    const start = at & (TEXT_BLOCK - 1);
    return len === 0 ? new Uint8Array(0) : this.texts[at >>> 24].subarray(start, start + len);
  }

  /** Whether row `i` was kept column-wise. */
  isCompact(i: number): boolean {
    return this.raw[i >>> BLOCK_SHIFT][i & BLOCK_MASK] !== 0xffff;
  }

  private addBlock(): void {
    this.textAt.push(new Uint32Array(BLOCK_ROWS));
    this.textLen.push(new Uint16Array(BLOCK_ROWS));
    this.lines.push(new Uint32Array(BLOCK_ROWS));
    this.endDelta.push(new Uint8Array(BLOCK_ROWS));
    this.labels.push(new Int32Array(BLOCK_ROWS));
    this.raw.push(new Uint16Array(BLOCK_ROWS).fill(0xffff));
  }

  /** The raw label's table index when the row can be kept column-wise, else -1. */
  private compactIndex(row: DatasetRow): number {
    const text = row.text;
    if (row.key !== undefined) return -1; // a keyed record keeps its key, for messages
    if (typeof text !== 'string' || !(text as WellFormed).isWellFormed()) return -1;
    if (row.line > 0xffffffff || row.endLine - row.line > 0xff) return -1;
    if (text.length > MAX_TEXT_BYTES && (text.length > 3 * MAX_TEXT_BYTES || Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES)) return -1;
    const fields = row.fields;
    const shape = this.shape === undefined ? (this.shape = this.shapeOf(row)) : this.shape;
    if (!shape || Object.getPrototypeOf(fields) !== shape.proto) return -1;
    let at = 0;
    let label: unknown;
    let hasLabel = false;
    for (const key in fields) {
      if (at >= shape.keys.length || key !== shape.keys[at]) return -1;
      const v = fields[key];
      if (shape.isText[at]) {
        if (v !== text) return -1;
      } else {
        label = v;
        hasLabel = true;
      }
      at++;
    }
    if (at !== shape.keys.length) return -1;
    if (!hasLabel) return this.rawSlot(undefined);
    if (!(label === null || typeof label === 'string' || typeof label === 'boolean' || (typeof label === 'number' && !Object.is(label, -0)))) return -1;
    return this.rawSlot(label);
  }

  private rawSlot(v: unknown): number {
    let idx = this.rawIndex.get(v);
    if (idx === undefined) {
      if (this.rawValues.length >= MAX_RAW_VALUES - 1) return -1;
      idx = this.rawValues.length;
      this.rawValues.push(v);
      this.rawIndex.set(v, idx);
    }
    return idx;
  }

  /** The shape of the first candidate row, or null when its fields hold more than text and label. */
  private shapeOf(row: DatasetRow): Shape | null {
    const keys: string[] = [];
    const isText: boolean[] = [];
    let texts = 0;
    for (const key in row.fields) {
      if (!Object.prototype.hasOwnProperty.call(row.fields, key) || key === '__proto__') return null;
      if (key === this.textField) texts++;
      else if (key !== this.labelField) return null;
      keys.push(key);
      isText.push(key === this.textField);
    }
    const proto = Object.getPrototypeOf(row.fields) as object | null;
    if (texts !== 1 || (proto !== null && proto !== Object.prototype)) return null;
    return { keys, isText, proto };
  }

  /** Appends a text to the blocks; false when the blocks are full (4 GiB of text), then the row stays an object. */
  private putText(b: number, k: number, text: string): boolean {
    if (text.length === 0) return true;
    if (text.length * 3 > TEXT_BLOCK - this.textUsed && Buffer.byteLength(text, 'utf8') > TEXT_BLOCK - this.textUsed) {
      if (this.texts.length >= MAX_TEXT_BLOCKS) return false;
      this.texts.push(Buffer.allocUnsafe(TEXT_BLOCK));
      this.textUsed = 0;
    }
    const bytes = this.texts[this.texts.length - 1].write(text, this.textUsed, 'utf8');
    this.textAt[b][k] = (this.texts.length - 1) * TEXT_BLOCK + this.textUsed;
    this.textLen[b][k] = bytes;
    this.textUsed += bytes;
    return true;
  }

  private make(i: number, b: number, k: number): DatasetRow {
    const shape = this.shape!;
    const at = this.textAt[b][k];
    const len = this.textLen[b][k];
    const start = at & (TEXT_BLOCK - 1);
    const text = len === 0 ? '' : this.texts[at >>> 24].toString('utf8', start, start + len);
    const rawValue = this.rawValues[this.raw[b][k]];
    const fields = (shape.proto === null ? Object.create(null) : {}) as Record<string, unknown>;
    for (let f = 0; f < shape.keys.length; f++) fields[shape.keys[f]] = shape.isText[f] ? text : rawValue;
    const label = this.labels[b][k];
    const line = this.lines[b][k];
    return { index: i, line, endLine: line + this.endDelta[b][k], label: label < 0 ? null : label, fields, text };
  }
}

/** An index property name ('0', '17'), as a number; -1 for any other property. */
function indexOf(prop: string | symbol): number {
  if (typeof prop !== 'string' || prop.length === 0) return -1;
  const c = prop.charCodeAt(0);
  if (c < 48 || c > 57 || (c === 48 && prop.length > 1)) return -1;
  const i = Number(prop);
  return Number.isSafeInteger(i) ? i : -1;
}

/**
 * An array (Array.isArray holds, every array method works) whose elements come from the store on first access. The
 * target is an empty array of the right length, so `length` and the array methods are the real ones.
 */
function lazyRows(store: RowStore): DatasetRow[] {
  const target: DatasetRow[] = [];
  // Setting `length` would allocate 8 bytes a row of holes; a far element, deleted, leaves it sparse and empty.
  if (store.length > 0) {
    target[store.length - 1] = undefined as unknown as DatasetRow;
    delete target[store.length - 1];
  }
  return new Proxy(target, {
    get(t, prop, receiver) {
      const i = indexOf(prop);
      if (i >= 0 && i < t.length) return store.at(i);
      return Reflect.get(t, prop, receiver) as unknown;
    },
    set(t, prop, value, receiver) {
      const i = indexOf(prop);
      if (i >= 0 && i < t.length) {
        store.put(i, value as DatasetRow);
        return true;
      }
      if (i >= 0 || (prop === 'length' && Number(value) !== t.length)) return false;
      return Reflect.set(t, prop, value, receiver);
    },
    has(t, prop) {
      const i = indexOf(prop);
      return (i >= 0 && i < t.length) || Reflect.has(t, prop);
    },
    getOwnPropertyDescriptor(t, prop) {
      const i = indexOf(prop);
      if (i >= 0 && i < t.length) return { value: store.at(i), writable: true, enumerable: true, configurable: true };
      return Reflect.getOwnPropertyDescriptor(t, prop);
    },
    defineProperty(t, prop, desc) {
      const i = indexOf(prop);
      if (i >= 0 && i < t.length && 'value' in desc) {
        store.put(i, desc.value as DatasetRow);
        return true;
      }
      return i >= 0 ? false : Reflect.defineProperty(t, prop, desc);
    },
    deleteProperty(t, prop) {
      return indexOf(prop) < 0 && Reflect.deleteProperty(t, prop);
    },
    ownKeys(t) {
      const keys: (string | symbol)[] = [];
      for (let i = 0; i < t.length; i++) keys.push(String(i));
      return keys.concat(Reflect.ownKeys(t));
    },
  });
}
