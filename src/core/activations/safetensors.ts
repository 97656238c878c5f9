import { InputError } from '../errors';
import type { Matrix } from '../linalg/matrix';
import { bfloat16ToFloat32, halfToFloat32 } from './float16';
import { formatShape, shapeSize, tensorToMatrix, viewElements, type NumericArrayConstructor, type Tensor } from './tensor';

// Format: 8-byte little-endian header length N, N bytes of JSON header, then the tensors' bytes
// (https://github.com/huggingface/safetensors). Offsets in the header are relative to the end of the header.

/** Element types by dtype name; a Map, as the name comes from the file's header ("constructor" is no dtype). */
export const ELEMENT_TYPES = new Map<string, NumericArrayConstructor>([
  ['F64', Float64Array],
  ['F32', Float32Array],
  ['F16', Uint16Array],
  ['BF16', Uint16Array],
  ['I64', BigInt64Array],
  ['I32', Int32Array],
  ['I16', Int16Array],
  ['I8', Int8Array],
  ['U64', BigUint64Array],
  ['U32', Uint32Array],
  ['U16', Uint16Array],
  ['U8', Uint8Array],
  ['BOOL', Uint8Array],
]);

/** The JSON header is refused above this size, so a wrong file cannot make us parse gigabytes as JSON. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range of the tensor's data, relative to the start of the data section. */
  begin: number;
  end: number;
}

/** The tensors a safetensors file holds, in header order, after checking the header against the file. */
export function listSafetensors(bytes: Uint8Array, file: string): { entries: SafetensorsEntry[]; dataOffset: number } {
  return listSafetensorsHeader(bytes, bytes.length, file);
}

/** Where a safetensors file's data begins (8 + its header's length), from its first 8 bytes and its length. */
export function safetensorsDataOffset(prefix: Uint8Array, fileLength: number, file: string): number {
  if (fileLength < 8 || prefix.length < 8) throw new InputError('too short to be a .safetensors file', { file });
  const headerLen = Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true));
  if (headerLen > fileLength - 8) {
    const rest = fileLength - 8;
    throw new InputError(
      `bad .safetensors header: its length field says ${headerLen} bytes but the file has ${rest} after it (is this a safetensors file?)`,
      { file },
    );
  }
  if (headerLen > MAX_HEADER_BYTES) {
    throw new InputError(`bad .safetensors header: ${headerLen} bytes of header is implausibly large (is this a safetensors file?)`, { file });
  }
  return 8 + headerLen;
}

/** listSafetensors from the file's first bytes (`prefix`, at least up to the data: safetensorsDataOffset) and its length. */
export function listSafetensorsHeader(prefix: Uint8Array, fileLength: number, file: string): { entries: SafetensorsEntry[]; dataOffset: number } {
  const dataOffset = safetensorsDataOffset(prefix, fileLength, file);
  if (prefix.length < dataOffset) throw new Error(`listSafetensorsHeader: ${prefix.length} bytes of a ${dataOffset}-byte header`);
  const dataLength = fileLength - dataOffset;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(prefix.subarray(8, dataOffset)));
  } catch {
    throw new InputError('bad .safetensors header: not valid UTF-8 JSON', { file });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new InputError('bad .safetensors header: expected a JSON object of tensors', { file });
  }
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    entries.push(checkEntry(name, value, dataLength, file));
  }
  checkCoverage(entries, dataLength, dataOffset, file);
  return { entries, dataOffset };
}

/**
 * The tensors' byte ranges must tile the data section exactly, as the reference reader (huggingface/safetensors)
 * requires: no gap between two tensors, no overlap, and no bytes after the last one. A file that breaks this has a
 * header that does not describe it (bytes appended, a header edited by hand, a file cut off and padded), so its
 * values cannot be trusted. Empty tensors take no bytes and may sit anywhere inside the data.
 */
function checkCoverage(entries: readonly SafetensorsEntry[], dataLength: number, dataOffset: number, file: string): void {
  const bad = (why: string) => new InputError(`bad .safetensors file: ${why}`, { file });
  const sized = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: SafetensorsEntry | undefined;
  for (const e of sized) {
    if (e.begin > at) {
      const after = previous ? `tensor "${previous.name}" ends at ${at}` : 'the data starts at 0';
      throw bad(
        `data bytes [${at}, ${e.begin}) belong to no tensor: ${after} but tensor "${e.name}" has data_offsets [${e.begin}, ${e.end}]`,
      );
    }
    if (e.begin < at && previous) {
      throw bad(
        `tensor "${e.name}" (data_offsets [${e.begin}, ${e.end}]) overlaps tensor "${previous.name}" ` +
          `(data_offsets [${previous.begin}, ${previous.end}])`,
      );
    }
    at = e.end;
    previous = e;
  }
  if (at < dataLength) {
    const last = previous ? `the last tensor, "${previous.name}", ends at data offset ${at}` : 'its tensors hold no data';
    throw bad(
      `extra bytes after the data: ${last} but the file has ${dataLength} data bytes after its ${dataOffset}-byte header ` +
        `(${dataLength - at} more); the header does not describe the whole file (bytes appended?)`,
    );
  }
}

/**
 * Reads one tensor: the one named, else the only one, else the only 2-D one (several 2-D tensors need a name).
 * F16 and BF16 are widened to Float32.
 */
export function readSafetensors(bytes: Uint8Array, file: string, tensorName?: string): Tensor & { name: string } {
  const { entries, dataOffset } = listSafetensors(bytes, file);
  const entry = pickEntry(entries, file, tensorName);
  const Ctor = ELEMENT_TYPES.get(entry.dtype)!;
  const count = shapeSize(entry.shape);
  let data = viewElements(bytes, dataOffset + entry.begin, count, Ctor);
  if (entry.dtype === 'F16') data = halfToFloat32(data as Uint16Array);
  else if (entry.dtype === 'BF16') data = bfloat16ToFloat32(data as Uint16Array);
  return { name: entry.name, shape: entry.shape, dtype: entry.dtype, data };
}

/** Activations from a safetensors file as a Float32 matrix; every value must be finite. */
export function readSafetensorsMatrix(bytes: Uint8Array, file: string, tensorName?: string): Matrix<Float32Array> {
  const t = readSafetensors(bytes, file, tensorName);
  return tensorToMatrix(t, file);
}

function checkEntry(name: string, value: unknown, dataLength: number, file: string): SafetensorsEntry {
  const bad = (why: string) => new InputError(`bad .safetensors header: tensor "${name}" ${why}`, { file });
  if (typeof value !== 'object' || value === null) throw bad('is not an object');
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad('has no dtype');
  const Ctor = ELEMENT_TYPES.get(dtype);
  if (!Ctor) throw bad(`has unsupported dtype ${dtype} (supported: ${[...ELEMENT_TYPES.keys()].join(' ')})`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad('has no valid shape');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
    throw bad('has no valid data_offsets');
  }
  const [begin, end] = offsets as number[];
  const dims = shape as number[];
  if (begin > end || end > dataLength) {
    throw bad(`has data_offsets [${begin}, ${end}] outside the ${dataLength} data bytes (truncated file?)`);
  }
  const expected = shapeSize(dims) * Ctor.BYTES_PER_ELEMENT;
  if (end - begin !== expected) throw bad(`has ${end - begin} bytes but shape ${formatShape(dims)} of ${dtype} needs ${expected}`);
  return { name, dtype, shape: dims, begin, end };
}

export function pickEntry(entries: SafetensorsEntry[], file: string, tensorName?: string): SafetensorsEntry {
  const names = entries.map((e) => e.name).join(', ');
  if (tensorName !== undefined) {
    const found = entries.find((e) => e.name === tensorName);
    if (!found) throw new InputError(`no tensor named "${tensorName}"; the file has: ${names || 'none'}`, { file });
    return found;
  }
  if (entries.length === 0) throw new InputError('the file holds no tensors', { file });
  if (entries.length === 1) return entries[0];
  const matrices = entries.filter((e) => e.shape.length === 2);
  if (matrices.length === 0) throw new InputError(`several tensors and none is 2-D; name the one to use (FILE#NAME): ${names}`, { file });
  if (matrices.length > 1) {
    // several candidates: taking the first would pick one silently (the result would not say which)
    throw new InputError(`several 2-D tensors (${matrices.map((e) => e.name).join(', ')}); name the one to use as FILE#NAME`, { file });
  }
  return matrices[0];
}
