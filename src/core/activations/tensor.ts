import { InputError } from '../errors';
import type { Matrix } from '../linalg/matrix';

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

export type NumericArrayConstructor = {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): NumericArray;
  new (length: number): NumericArray;
  readonly BYTES_PER_ELEMENT: number;
};

/** An n-dimensional array read from a file: C order, `data.length` = product of `shape`. */
export interface Tensor {
  shape: number[];
  /** The element type as the file spells it (`<f4`, `F16`, ...); `data` may be wider (half floats become Float32). */
  dtype: string;
  data: NumericArray;
}

/**
 * A typed array over `count` little-endian elements at `offset` in `bytes`: a view when the offset is aligned for the
 * element size (no copy of a large file), a copy otherwise. Assumes a little-endian host, as every Node platform is.
 */
export function viewElements(bytes: Uint8Array, offset: number, count: number, Ctor: NumericArrayConstructor): NumericArray {
  const start = bytes.byteOffset + offset;
  if (start % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer, start, count);
  // Uint8Array's slice copies; a Node Buffer's slice (readFile returns Buffers) would be a view, so call it explicitly.
  const copy = Uint8Array.prototype.slice.call(bytes, offset, offset + count * Ctor.BYTES_PER_ELEMENT);
  return new Ctor(copy.buffer, 0, count);
}

export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Activations as a Float32 matrix: 2-D as is, 1-D as one column. Every value must be finite; the error names the
 * first bad row so the user can find the example that broke the encoder.
 */
export function tensorToMatrix(t: Tensor, file: string): Matrix<Float32Array> {
  const { rows, cols } = activationShape(t.shape, file);
  const data = t.data instanceof Float32Array ? t.data : toFloat32(t.data);
  checkFinite(data, cols, t.data, file);
  return { rows, cols, data };
}

/** The rows and columns of activations of this shape (2-D as is, 1-D as one column; at least one column). */
export function activationShape(shape: readonly number[], file: string): { rows: number; cols: number } {
  if (shape.length !== 1 && shape.length !== 2) {
    throw new InputError(`expected a 1-D or 2-D array of activations, got shape ${formatShape(shape)}${shapeHint(shape)}`, { file });
  }
  const rows = shape[0];
  const cols = shape.length === 2 ? shape[1] : 1;
  if (cols === 0) throw zeroWidth(`activations of shape ${formatShape(shape)}`, { file });
  return { rows, cols };
}

/**
 * What to do about activations of more than two axes, by the usual cases: singleton axes (a hidden state kept with
 * its token axis, (n, 1, d)) and one vector per token ((n, tokens, d): the row needs one vector).
 */
function shapeHint(shape: readonly number[]): string {
  if (shape.length < 3) return '';
  const rest = shape.slice(1).filter((x) => x !== 1);
  if (rest.length <= 1) {
    const axes = shape.map((x, k) => (k > 0 && x === 1 ? k : -1)).filter((k) => k > 0);
    return `; ${axes.length === 1 ? `its axis ${axes[0]} has` : `its axes ${axes.join(', ')} have`} size 1: save numpy.squeeze(a, axis=${axes.length === 1 ? axes[0] : `(${axes.join(', ')})`}) (${rest.length ? `one row of ${rest[0]} values` : 'one value'} per example)`;
  }
  if (shape.length === 3) {
    return `: one vector per example is needed, and this looks like ${shape[1]} vectors (tokens?) of ${shape[2]} values per example; ` +
      'pool them before saving (the mean over tokens, or the last token: a[:, -1, :]), or flatten with a.reshape(len(a), -1)';
  }
  return '; save one row of values per example (a.reshape(len(a), -1) flattens the rest)';
}

/** Activations with no values per row: no probe can be fitted on them, so they are an input error, never a result. */
export function zeroWidth(what: string, where: { file?: string; line?: number }): InputError {
  return new InputError(`${what} have 0 values per row (zero-width); activations need at least one dimension`, where);
}

/** A vector (1-D, or 2-D with one column) as Float64, e.g. labels or weak probabilities stored beside a dataset. */
export function tensorToVector(t: Tensor, file: string): Float64Array {
  const is1d = t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1);
  if (!is1d) throw new InputError(`expected a 1-D array, got shape ${formatShape(t.shape)}`, { file });
  const data = t.data instanceof Float64Array ? t.data : Float64Array.from(t.data as ArrayLike<number | bigint>, Number);
  checkFinite(data, 1, t.data, file);
  return data;
}

/** `src` as Float32 values (into `out` when given: at least src.length long). */
export function toFloat32(src: NumericArray, out: Float32Array = new Float32Array(src.length)): Float32Array {
  if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
    for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  } else {
    out.set(src);
  }
  return out;
}

/**
 * Every value finite, else an error naming the row and column of the first that is not (and the value as the file
 * holds it: `source`, alike indexed). `offset`: the index of data[0] in the whole array (a chunk of it).
 */
export function checkFinite(data: Float32Array | Float64Array, cols: number, source: NumericArray, file: string, offset = 0): void {
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i])) continue;
    const at = offset + i;
    const row = Math.floor(at / cols);
    const original = Number(source[i]);
    const why = Number.isFinite(original) ? `${original} is too large for float32` : `the value is ${original}`;
    throw new InputError(
      `row ${row} (0-based), column ${at % cols}: ${why}; activations must be finite numbers (check the encoder's output for that row)`,
      { file },
    );
  }
}
