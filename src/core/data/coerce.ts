import { describeType } from './records';

/** A field value of the wrong type or range; the builder turns it into a row error with the row's line. */
export class FieldValueError extends Error {}

export function toText(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw new FieldValueError(`field "${field}" should be a string of text, got ${describeType(v)}`);
}

/**
 * A vector of finite numbers: a JSON array, a typed array (Parquet lists) or, in CSV cells, the text of a JSON array.
 * Python's json.dumps writes NaN as `NaN`, which is not JSON; such cells are reported as non-finite, not as syntax.
 */
export function toNumberArray(v: unknown, field: string): number[] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  let arr: unknown = v;
  if (typeof v === 'string') arr = parseArrayText(v, field);
  if (ArrayBuffer.isView(arr) && !(arr instanceof DataView)) arr = Array.from(arr as unknown as ArrayLike<number | bigint>);
  if (!Array.isArray(arr)) throw new FieldValueError(`field "${field}" should be an array of numbers, got ${describeType(v)}`);
  const out = arr as unknown[];
  for (let i = 0; i < out.length; i++) {
    let x = out[i];
    if (typeof x === 'bigint') out[i] = x = Number(x);
    if (typeof x !== 'number') {
      throw new FieldValueError(`field "${field}" should hold only numbers; position ${i} is ${describeType(x)}`);
    }
    if (!Number.isFinite(x)) throw new FieldValueError(`field "${field}" has a non-finite value (${x}) at position ${i}`);
  }
  return out as number[];
}

/** Labelling-function votes: integers, -1 meaning abstain (WRENCH). */
export function toWeakLabels(v: unknown, field: string): number[] | undefined {
  const arr = toNumberArray(v, field);
  if (!arr) return undefined;
  for (let i = 0; i < arr.length; i++) {
    if (!Number.isInteger(arr[i]) || arr[i] < -1) {
      throw new FieldValueError(`field "${field}" should hold class ids or -1 (abstain); position ${i} is ${arr[i]}`);
    }
  }
  return arr;
}

/** A weak probability: one number is P(y=1) and becomes a 1-element vector; a list is per-class probabilities. */
export function toProbs(v: unknown, field: string): number[] | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') v = [v];
  else if (typeof v === 'string' && v.trim() !== '' && !v.trim().startsWith('[')) {
    const x = Number(v);
    if (!Number.isFinite(x)) throw new FieldValueError(`field "${field}" should be a number, got ${describeType(v)}`);
    v = [x];
  }
  return toNumberArray(v, field);
}

/** Split names and codes. A Map, not an object: a value like "constructor" must not find Object.prototype's. */
const SPLIT_NAMES = new Map<string, 0 | 1 | 2>([
  ['weak-train', 0],
  ['weak_train', 0],
  ['weak', 0],
  ['w2s-train', 1],
  ['w2s_train', 1],
  ['w2s', 1],
  ['test', 2],
  ['0', 0],
  ['1', 1],
  ['2', 2],
]);

/** The W2S split a row belongs to: weak-train | w2s-train | test, or 0 | 1 | 2. */
export function toSplit(v: unknown, field: string): 0 | 1 | 2 | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const key = typeof v === 'number' || typeof v === 'bigint' ? String(v) : typeof v === 'string' ? v.trim().toLowerCase() : undefined;
  const split = key === undefined ? undefined : SPLIT_NAMES.get(key);
  if (split === undefined) {
    throw new FieldValueError(`field "${field}" should be weak-train, w2s-train or test (or 0, 1, 2), got ${describeType(v)}`);
  }
  return split;
}

function parseArrayText(s: string, field: string): unknown {
  const t = s.trim();
  if (!t.startsWith('[')) throw new FieldValueError(`field "${field}" should be an array of numbers, got ${describeType(s)}`);
  // Python/numpy spellings of non-finite values are quoted and mapped back, so they are reported as non-finite.
  const quoted = t.replace(/(-?)\b(nan|inf|infinity)\b/gi, '"$1$2"');
  try {
    const parsed = JSON.parse(quoted) as unknown;
    if (Array.isArray(parsed) && quoted !== t) return parsed.map(nonFiniteSpelling);
    return parsed;
  } catch {
    throw new FieldValueError(`field "${field}" is not a valid array of numbers: "${t.length > 40 ? t.slice(0, 40) + '...' : t}"`);
  }
}

function nonFiniteSpelling(x: unknown): unknown {
  if (typeof x !== 'string') return x;
  const m = /^(-?)(nan|inf|infinity)$/i.exec(x);
  if (!m) return x;
  if (m[2].toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}
