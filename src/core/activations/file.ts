// The only module of core/activations that touches the file system.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
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
