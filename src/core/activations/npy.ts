import { InputError } from '../errors';
import type { Matrix } from '../linalg/matrix';
import { halfToFloat32 } from './float16';
import {
  formatShape,
  shapeSize,
  tensorToMatrix,
  tensorToVector,
  viewElements,
  type NumericArray,
  type NumericArrayConstructor,
  type Tensor,
} from './tensor';

// The .npy format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const HEADER_ALIGN = 64;

interface DtypeInfo {
  /** The canonical little-endian spelling returned to callers. */
  name: string;
  Ctor: NumericArrayConstructor;
}

/** Element types by kind + size (byte order is handled separately); a Map, as the key comes from the file. */
const DTYPES = new Map<string, DtypeInfo>([
  ['f4', { name: '<f4', Ctor: Float32Array }],
  ['f8', { name: '<f8', Ctor: Float64Array }],
  ['f2', { name: '<f2', Ctor: Uint16Array }],
  ['i1', { name: '|i1', Ctor: Int8Array }],
  ['i2', { name: '<i2', Ctor: Int16Array }],
  ['i4', { name: '<i4', Ctor: Int32Array }],
  ['i8', { name: '<i8', Ctor: BigInt64Array }],
  ['u1', { name: '|u1', Ctor: Uint8Array }],
  ['u2', { name: '<u2', Ctor: Uint16Array }],
  ['u4', { name: '<u4', Ctor: Uint32Array }],
  ['u8', { name: '<u8', Ctor: BigUint64Array }],
  ['b1', { name: '|b1', Ctor: Uint8Array }],
]);

export type NpyArray = Tensor;

/** Where a .npy file's array is and what it holds, from its header (`npyLayout`). */
export interface NpyLayout {
  shape: number[];
  /** The dtype as the header spells it, and its canonical little-endian name. */
  descr: string;
  dtype: string;
  Ctor: NumericArrayConstructor;
  bigEndian: boolean;
  /** Byte offset of the data in the file, and its element count. */
  dataOffset: number;
  count: number;
  /** A 2-D array stored column after column (Fortran order): element k is row k % rows, column floor(k / rows). */
  columnMajor: boolean;
}

/**
 * The layout of a .npy file from its first bytes (`prefix`: at least the header; the whole file will do) and its
 * length: magic, version, header, C order, a known dtype, and exactly the data the shape needs (`npyDataOffset`
 * says how many bytes of prefix that takes, from the first 12).
 */
export function npyLayout(prefix: Uint8Array, fileLength: number, name: string): NpyLayout {
  const major = npyMagic(prefix, fileLength, name)[6];
  const dataOffset = npyDataOffset(prefix, fileLength, name);
  if (prefix.length < dataOffset) throw truncated(name, 'header');
  // Version 3.0 allows UTF-8 in the header (field names); 1.0 and 2.0 are latin1, a subset for what we read.
  const lenBytes = major === 1 ? 2 : 4;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(prefix.subarray(8 + lenBytes, dataOffset));
  const { descr, fortranOrder, shape } = parseHeader(header, name);
  // Fortran order (column after column: numpy saves a transposed or np.asfortranarray array so) is read for 1-D and
  // 2-D arrays, whose element order is then the transpose's; more axes are refused
  if (fortranOrder && shape.length > 2) {
    throw new InputError('the array is in Fortran order; save it in C order (numpy.ascontiguousarray) and try again', { file: name });
  }
  const { info, bigEndian } = lookupDtype(descr, name);
  const count = shapeSize(shape);
  checkDataLength(fileLength - dataOffset, count * info.Ctor.BYTES_PER_ELEMENT, dataOffset, `shape ${formatShape(shape)} of ${descr}`, name);
  return { shape, descr, dtype: info.name, Ctor: info.Ctor, bigEndian, dataOffset, count, columnMajor: fortranOrder && shape.length === 2 };
}

/** `prefix` (a file's first bytes, at least 10) when it starts like a .npy file of a version we read; else an error. */
export function npyMagic(prefix: Uint8Array, fileLength: number, name: string): Uint8Array {
  if (fileLength < 10 || prefix.length < 10 || !MAGIC.every((b, i) => prefix[i] === b)) {
    throw new InputError('not a .npy file (the magic string \\x93NUMPY is missing)', { file: name });
  }
  const major = prefix[6];
  if (major < 1 || major > 3) throw new InputError(`unsupported .npy format version ${major}.${prefix[7]}`, { file: name });
  return prefix;
}

/** Where a .npy file's data begins (the end of its header), from its first 12 bytes; the header must fit the file. */
export function npyDataOffset(prefix: Uint8Array, fileLength: number, name: string): number {
  const major = prefix[6];
  const lenBytes = major === 1 ? 2 : 4;
  if (prefix.length < 8 + lenBytes || fileLength < 8 + lenBytes) throw truncated(name, 'header');
  const dv = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const dataOffset = 8 + lenBytes + headerLen;
  if (fileLength < dataOffset) throw truncated(name, 'header');
  return dataOffset;
}

/**
 * Reads a .npy file (format versions 1.0, 2.0 and 3.0), C order only. `name` is the file named in errors.
 * Half floats (`<f2`) come back widened to Float32Array; big-endian data is byte-swapped.
 */
export function readNpy(bytes: Uint8Array, name: string): NpyArray {
  const { shape, dtype, Ctor, bigEndian, dataOffset, count, columnMajor } = npyLayout(bytes, bytes.length, name);
  const itemSize = Ctor.BYTES_PER_ELEMENT;
  const needed = count * itemSize;
  let data: NumericArray;
  if (bigEndian && itemSize > 1) {
    // A copy even when `bytes` is a Node Buffer (whose slice is a view): the swap must not touch the input.
    const swapped = Uint8Array.prototype.slice.call(bytes, dataOffset, dataOffset + needed);
    swapBytes(swapped, itemSize);
    data = new Ctor(swapped.buffer, 0, count);
  } else {
    data = viewElements(bytes, dataOffset, count, Ctor);
  }
  if (dtype === '<f2') data = halfToFloat32(data as Uint16Array);
  if (columnMajor) data = rowMajor(data, shape[0], shape[1]);
  return { shape, dtype, data };
}

/** A rows x cols array stored column after column, as a new array in row order. */
function rowMajor(data: NumericArray, rows: number, cols: number): NumericArray {
  const out = new (data.constructor as NumericArrayConstructor)(data.length) as NumericArray & Record<number, number | bigint>;
  const src = data as NumericArray & Record<number, number | bigint>;
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out[r * cols + c] = src[c * rows + r];
  return out;
}

/** Activations from a .npy file as a Float32 matrix (1-D becomes n x 1); every value must be finite. */
export function readNpyMatrix(bytes: Uint8Array, name: string): Matrix<Float32Array> {
  return tensorToMatrix(readNpy(bytes, name), name);
}

/** A 1-D .npy array (or n x 1) as Float64; every value must be finite. */
export function readNpyVector(bytes: Uint8Array, name: string): Float64Array {
  return tensorToVector(readNpy(bytes, name), name);
}

/** The .npy dtype written for each array type. A Uint8Array is written as `|u1` unless `dtype: '|b1'` asks for bool. */
function dtypeOf(array: NumericArray, asBool: boolean): string {
  if (array instanceof Float32Array) return '<f4';
  if (array instanceof Float64Array) return '<f8';
  if (array instanceof Int8Array) return '|i1';
  if (array instanceof Uint8Array) return asBool ? '|b1' : '|u1';
  if (array instanceof Int16Array) return '<i2';
  if (array instanceof Uint16Array) return '<u2';
  if (array instanceof Int32Array) return '<i4';
  if (array instanceof Uint32Array) return '<u4';
  if (array instanceof BigInt64Array) return '<i8';
  return '<u8';
}

/** Serialises an array as a .npy file (format 1.0, C order, little-endian). */
export function writeNpy(array: NumericArray, shape: readonly number[], opts: { dtype?: '|b1' } = {}): Uint8Array {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`writeNpy: invalid shape ${formatShape(shape)}`);
  if (shapeSize(shape) !== array.length) {
    throw new Error(`writeNpy: shape ${formatShape(shape)} holds ${shapeSize(shape)} values, the array has ${array.length}`);
  }
  const dict = `{'descr': '${dtypeOf(array, opts.dtype === '|b1')}', 'fortran_order': False, 'shape': ${formatShape(shape)}, }`;
  // Pad with spaces so the data starts on a 64-byte boundary, ending the header with a newline (as numpy does).
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((HEADER_ALIGN - (unpadded % HEADER_ALIGN)) % HEADER_ALIGN) + '\n';
  const out = new Uint8Array(10 + header.length + array.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), 10 + header.length);
  return out;
}

function parseHeader(header: string, name: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  if (/['"]descr['"]\s*:\s*\[/.test(header)) {
    throw new InputError('structured (record) arrays are not supported; save a plain numeric array', { file: name });
  }
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined || !header.trim().startsWith('{')) {
    throw new InputError(`bad .npy header (expected descr, fortran_order and shape): ${header.trim().slice(0, 120)}`, { file: name });
  }
  const dims = shapeText
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s.length > 0);
  const shape = dims.map(Number);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new InputError(`bad .npy header: shape (${shapeText}) is not a tuple of sizes`, { file: name });
  }
  return { descr, fortranOrder: fortran === 'True', shape };
}

function lookupDtype(descr: string, name: string): { info: DtypeInfo; bigEndian: boolean } {
  const m = /^([<>|=]?)([a-z])(\d+)$/.exec(descr);
  const info = m ? DTYPES.get(m[2] + m[3]) : undefined;
  if (!m || !info) {
    const supported = [...DTYPES.values()].map((d) => d.name).join(' ');
    throw new InputError(`unsupported dtype '${descr}'; supported: ${supported}`, { file: name });
  }
  return { info, bigEndian: m[1] === '>' };
}

export function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/**
 * The data after the header must be exactly what the header's shape and dtype need: fewer bytes is a cut-off file,
 * more is a header that does not describe the file (several arrays saved into one file, bytes appended, a shape
 * edited by hand), whose rows would be misread. Both name the shape, the bytes expected and the bytes found.
 */
function checkDataLength(found: number, needed: number, headerBytes: number, declared: string, name: string): void {
  if (found === needed) return;
  const sizes = `${declared} needs ${needed} bytes, the file has ${found} after its ${headerBytes}-byte header`;
  if (found < needed) {
    throw new InputError(`truncated data: ${sizes} (${needed - found} missing; was the file cut off while copying?)`, { file: name });
  }
  throw new InputError(
    `extra bytes after the data: ${sizes} (${found - needed} more); the header does not describe the whole file ` +
      '(several arrays saved into one file, or bytes appended?); save one array per file with numpy.save',
    { file: name },
  );
}

function truncated(name: string, what: string): InputError {
  return new InputError(`truncated .npy file: the ${what} is cut off`, { file: name });
}
