// The only module of core/activations that touches the file system.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors';
import type { Matrix } from '../linalg/matrix';
import { bfloat16ToFloat32, halfToFloat32 } from './float16';
import { npyDataOffset, npyMagic, npyLayout, readNpy, readNpyMatrix, swapBytes, writeNpy, type NpyArray } from './npy';
import { ELEMENT_TYPES, listSafetensorsHeader, pickEntry, readSafetensors, readSafetensorsMatrix, safetensorsDataOffset } from './safetensors';
import { activationShape, checkFinite, shapeSize, toFloat32, type NumericArray, type NumericArrayConstructor } from './tensor';

export async function readNpyFile(path: string): Promise<NpyArray> {
  return readNpy(await readInputFile(path), path);
}

/** An activations file's name in a result: its base name, with the tensor read from it (`layers.safetensors#layer_20`). */
export function activationFileId(path: string, tensor?: string): string {
  return `${basename(path)}${tensor ? `#${tensor}` : ''}`;
}

/**
 * A 1-D or 2-D array of any element type from a `.npy` file, or one tensor of a `.safetensors` file (`tensor`: its
 * name; without it the file's only tensor): the arrays form's labels, split and membership codes.
 */
export async function readArrayFile(path: string, tensor?: string): Promise<NpyArray> {
  if (path.toLowerCase().endsWith('.safetensors')) {
    const t = readSafetensors(await readInputFile(path), path, tensor);
    return { shape: t.shape, dtype: t.dtype, data: t.data };
  }
  if (tensor !== undefined) throw new InputError(`#${tensor} names a tensor, and a .npy file holds one array: give the file alone`, { file: path });
  return readNpyFile(path);
}

/** readFile whose failures (missing file, a folder) are InputErrors naming the file, not bare ENOENT/EISDIR. */
async function readInputFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'this is a folder, not a file' : `cannot read the file (${code ?? String(e)})`;
    throw new InputError(why, { file: path });
  }
}

/**
 * Activations files from this size on are read in chunks straight into the Float32 matrix (`readActivationsChunked`)
 * instead of whole: Node reads at most 2 GiB in one piece (a 10^6 x 1,024 float32 array is 4 GB), and a whole read
 * holds the file's bytes beside the matrix (float16 files: the bytes and the widened copy).
 */
export const CHUNKED_READ_BYTES = 64 * 2 ** 20;

/** The largest .npy header the chunked reader reads. */
const MAX_NPY_HEADER_BYTES = 16 * 2 ** 20;

/** Bytes per read of the chunked reader (a multiple of every element size). */
const READ_CHUNK_BYTES = 16 * 2 ** 20;

/** Activations from a `.npy` or `.safetensors` file (by extension), as a finite Float32 matrix. */
export async function readActivationFile(
  path: string,
  /** chunkedFrom, chunkBytes: CHUNKED_READ_BYTES and READ_CHUNK_BYTES (tests; chunkBytes a multiple of 8). */
  opts: { tensor?: string; chunkedFrom?: number; chunkBytes?: number } = {},
): Promise<Matrix<Float32Array>> {
  const lower = path.toLowerCase();
  const npy = lower.endsWith('.npy');
  const info = await stat(path).catch(() => undefined);
  // a missing file or a folder: readInputFile names the problem
  const bytes = info?.isFile() ? undefined : await readInputFile(path);
  if (!npy && !lower.endsWith('.safetensors')) throw new InputError(`activations must be a .npy or .safetensors file${formatHint(lower)}`, { file: path });
  if (info?.isFile() && info.size >= (opts.chunkedFrom ?? CHUNKED_READ_BYTES)) {
    return readActivationsChunked(path, info.size, npy, opts.tensor, opts.chunkBytes ?? READ_CHUNK_BYTES);
  }
  return readWhole(bytes ?? await readInputFile(path), path, npy, opts.tensor);
}

/** How to turn the usual other array files into one we read. */
function formatHint(lower: string): string {
  if (lower.endsWith('.npz')) return ' (a .npz archive holds several arrays: save the one to use with numpy.save(path, np.load(archive)[name]))';
  if (/\.(pt|pth|bin|ckpt)$/.test(lower)) {
    return ' (a PyTorch file is a pickle, which is not read here: save the tensor with numpy.save(path, t.float().numpy()) or safetensors.torch.save_file)';
  }
  if (/\.(h5|hdf5|parquet|arrow|csv|tsv|txt|json|jsonl)$/.test(lower)) return ' (save the activations as one 2-D array with numpy.save)';
  return '';
}

function readWhole(bytes: Uint8Array, path: string, npy: boolean, tensor?: string): Matrix<Float32Array> {
  return npy ? readNpyMatrix(bytes, path) : readSafetensorsMatrix(bytes, path, tensor);
}

/**
 * readActivationFile for a large file: the header read and checked as readNpy / readSafetensors check it (the same
 * messages), then the array's bytes read in READ_CHUNK_BYTES pieces, each converted into its place in the Float32
 * matrix (big-endian swapped, half floats widened) and checked finite. Memory: the matrix and one chunk.
 */
async function readActivationsChunked(path: string, size: number, npy: boolean, tensor: string | undefined, chunkBytes: number): Promise<Matrix<Float32Array>> {
  const handle = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read the file (${e.code ?? String(e)})`, { file: path });
  });
  try {
    const readAt = async (position: number, length: number, into: Uint8Array = new Uint8Array(length)): Promise<Uint8Array> => {
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(into, got, length - got, position + got);
        if (bytesRead === 0) throw new InputError(`the file ended at byte ${position + got} while reading (did it change while being read?)`, { file: path });
        got += bytesRead;
      }
      return into;
    };
    let layout: {
      shape: number[]; dtype: string; Ctor: NumericArrayConstructor; bigEndian: boolean; dataOffset: number; count: number; columnMajor: boolean;
    };
    if (npy) {
      const first = await readAt(0, Math.min(size, 12));
      const dataOffset = npyDataOffset(npyMagic(first, size, path), size, path);
      // numpy pads its header to 64 bytes; one of megabytes is no array's (and is not read whole)
      if (dataOffset > MAX_NPY_HEADER_BYTES) throw new InputError(`bad .npy header: ${dataOffset} bytes of header is implausibly large (is this a .npy file?)`, { file: path });
      const prefix = await readAt(0, dataOffset);
      layout = npyLayout(prefix, size, path);
    } else {
      const first = await readAt(0, Math.min(size, 8));
      const prefix = await readAt(0, safetensorsDataOffset(first, size, path));
      const { entries, dataOffset } = listSafetensorsHeader(prefix, size, path);
      const entry = pickEntry(entries, path, tensor);
      const Ctor = ELEMENT_TYPES.get(entry.dtype)!;
      layout = {
        shape: entry.shape, dtype: entry.dtype, Ctor, bigEndian: false, dataOffset: dataOffset + entry.begin, count: shapeSize(entry.shape), columnMajor: false,
      };
    }
    const { rows, cols } = activationShape(layout.shape, path);
    const { Ctor, bigEndian } = layout;
    const item = Ctor.BYTES_PER_ELEMENT;
    // the file holds count x item bytes (checked against its size above): the allocation is bounded by the file
    const out = new Float32Array(layout.count);
    const chunk = new Uint8Array(Math.min(chunkBytes, layout.count * item));
    if (layout.columnMajor) {
      await readColumnMajor(out, rows, cols, layout, chunk, readAt, path);
      return { rows, cols, data: out };
    }
    for (let at = 0; at < layout.count;) {
      const n = Math.min(layout.count - at, chunk.length / item);
      if (Ctor === Float32Array && !bigEndian) {
        // straight into the matrix
        const into = new Uint8Array(out.buffer, at * 4, n * 4);
        await readAt(layout.dataOffset + at * item, n * item, into);
        checkFinite(out.subarray(at, at + n), cols, out.subarray(at, at + n), path, at);
      } else {
        const bytes = await readAt(layout.dataOffset + at * item, n * item, chunk.subarray(0, n * item));
        const part = out.subarray(at, at + n);
        const { source } = chunkValues(bytes, n, layout, part);
        checkFinite(part, cols, source, path, at);
      }
      at += n;
    }
    return { rows, cols, data: out };
  } finally {
    await handle.close();
  }
}

/**
 * One chunk's values as Float32 (swapped, widened; into `into` when given), and the values as the file holds them
 * (for messages).
 */
function chunkValues(
  bytes: Uint8Array, n: number, layout: { dtype: string; Ctor: NumericArrayConstructor; bigEndian: boolean }, into?: Float32Array,
): { values: Float32Array; source: NumericArray } {
  const { Ctor, dtype } = layout;
  if (layout.bigEndian && Ctor.BYTES_PER_ELEMENT > 1) swapBytes(bytes, Ctor.BYTES_PER_ELEMENT);
  let source: NumericArray = new Ctor(bytes.buffer, bytes.byteOffset, n);
  if (dtype === '<f2' || dtype === 'F16') source = halfToFloat32(source as Uint16Array);
  else if (dtype === 'BF16') source = bfloat16ToFloat32(source as Uint16Array);
  const values = into ? toFloat32(source, into) : source instanceof Float32Array ? source : toFloat32(source);
  return { values, source };
}

/**
 * A 2-D .npy in Fortran order, chunk by chunk: element k of the file is row k % rows, column floor(k / rows). Checked
 * finite afterwards in row order, as the whole-file reader checks its transposed copy (the first bad value in row
 * order, and that value as the file holds it, read again).
 */
async function readColumnMajor(
  out: Float32Array, rows: number, cols: number,
  layout: { dtype: string; Ctor: NumericArrayConstructor; bigEndian: boolean; dataOffset: number; count: number },
  chunk: Uint8Array, readAt: (position: number, length: number, into?: Uint8Array) => Promise<Uint8Array>, path: string,
): Promise<void> {
  const item = layout.Ctor.BYTES_PER_ELEMENT;
  for (let at = 0; at < layout.count;) {
    const n = Math.min(layout.count - at, chunk.length / item);
    const bytes = await readAt(layout.dataOffset + at * item, n * item, chunk.subarray(0, n * item));
    const { values } = chunkValues(bytes, n, layout);
    for (let k = 0; k < n; k++) {
      const e = at + k;
      out[(e % rows) * cols + Math.floor(e / rows)] = values[k];
    }
    at += n;
  }
  for (let i = 0; i < out.length; i++) {
    if (Number.isFinite(out[i])) continue;
    const e = (i % cols) * rows + Math.floor(i / cols);
    const one = await readAt(layout.dataOffset + e * item, item, new Uint8Array(8).subarray(0, item));
    const { values, source } = chunkValues(one, 1, layout);
    checkFinite(values, cols, source, path, i);
  }
}

/** Writes a .npy file atomically: readers see the old file or the new one, never a half-written one. */
export async function writeNpyFile(path: string, array: NumericArray, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, writeNpy(array, shape));
}

/**
 * Writes to a temporary file in the same directory, flushes it to disk, then renames it over `path` (rename is
 * atomic on one volume) and flushes the folder (so a power loss keeps the rename too, where the system allows it):
 * a reader, or a crash at any moment, sees the old file or the new one, never a mix. Temporary files of earlier
 * writes of the same `path` whose process is gone (killed mid-write) are removed afterwards.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await syncFolder(dir);
  await removeOrphanTemps(dir, basename(path));
}

/** fsync of a folder (the rename's entry); not possible everywhere (Windows cannot open a folder): then skipped. */
async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // the data itself was flushed; only the folder entry's durability is left to the system
  }
}

/** Whether a process id belongs to a running process (signal 0 tests without sending; EPERM: it exists). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes `.NAME.PID.HEX.tmp` files beside NAME whose PID is not running: what writeFileAtomic left when its process
 * was killed between writing and renaming. Only this exact pattern for this one name, never another file.
 */
async function removeOrphanTemps(dir: string, name: string): Promise<void> {
  const prefix = `.${name}.`;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(entry.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    await unlink(join(dir, entry)).catch(() => undefined);
  }
}

/** SHA-256 of a file, streamed so a large dataset is never held in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}
