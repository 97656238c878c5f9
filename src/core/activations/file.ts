// The only module of core/activations that touches the file system.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors';
import type { Matrix } from '../linalg/matrix';
import { readNpy, readNpyMatrix, writeNpy, type NpyArray } from './npy';
import { readSafetensorsMatrix } from './safetensors';
import type { NumericArray } from './tensor';

export async function readNpyFile(path: string): Promise<NpyArray> {
  return readNpy(await readInputFile(path), path);
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

/** Activations from a `.npy` or `.safetensors` file (by extension), as a finite Float32 matrix. */
export async function readActivationFile(path: string, opts: { tensor?: string } = {}): Promise<Matrix<Float32Array>> {
  const bytes = await readInputFile(path);
  const lower = path.toLowerCase();
  if (lower.endsWith('.npy')) return readNpyMatrix(bytes, path);
  if (lower.endsWith('.safetensors')) return readSafetensorsMatrix(bytes, path, opts.tensor);
  throw new InputError('activations must be a .npy or .safetensors file', { file: path });
}

/** Writes a .npy file atomically: readers see the old file or the new one, never a half-written one. */
export async function writeNpyFile(path: string, array: NumericArray, shape: readonly number[]): Promise<void> {
  await writeFileAtomic(path, writeNpy(array, shape));
}

/**
 * Writes to a temporary file in the same directory, flushes it to disk, then renames it over `path` (rename is
 * atomic on one volume): a reader, or a crash at any moment, sees the old file or the new one, never a mix.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
}

/** SHA-256 of a file, streamed so a large dataset is never held in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}
