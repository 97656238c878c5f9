/**
 * Where the tool may write. Two rules, checked before any work starts so that a refused run writes nothing:
 * - an output never replaces one of the run's inputs (the same file after following links: symbolic links are
 *   resolved by stat, hard links share a device and inode number), whatever the command;
 * - the `.overlap` folder next to a dataset (results, flags, annotations, activation cache) and its `cache`
 *   subfolder never lead outside the dataset's folder through a link, so a cloned repository cannot send what the
 *   tool writes (or deletes) somewhere else on the disk.
 */
import type { Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { readHead } from '../core/data/file';
import { InputError } from '../core/errors';
import { OVERLAP_DIR, overlapDir } from '../core/layout';

/** A path the command reads or writes, and how the user named it (for the message). */
export interface PathRole {
  path: string;
  /** e.g. "the dataset", "--test-file", "--weak-acts". */
  role: string;
}

/** The files `overlap-density synth` writes into a folder and `select` reads from an activation folder. */
export const ACTIVATION_FOLDER_FILES = ['weak.npy', 'strong.npy', 'labels.npy', 'split.npy', 'membership.npy'] as const;

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(p);
  } catch {
    return undefined;
  }
}

/** True when both paths exist and are one file (symbolic links followed; hard links compared by device and inode). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([statOrUndefined(a), statOrUndefined(b)]);
  if (!sa || !sb) return false;
  if (sa.ino !== 0 && sa.dev === sb.dev && sa.ino === sb.ino) return true;
  // File systems without inode numbers (ino 0): compare the resolved paths.
  const [ra, rb] = await Promise.all([fs.realpath(a).catch(() => a), fs.realpath(b).catch(() => b)]);
  return path.resolve(ra) === path.resolve(rb);
}

/**
 * Throws an InputError naming the output when an output path is one of the inputs. An output that does not exist yet
 * cannot be an input; an input that does not exist is left to the reader to report.
 */
export async function refuseOutputsOverInputs(outputs: readonly PathRole[], inputs: readonly PathRole[]): Promise<void> {
  for (const out of outputs) {
    const st = await statOrUndefined(out.path);
    if (!st) continue;
    if (st.isDirectory()) {
      // found before the analysis runs, not when its result cannot be written
      throw new InputError(`${out.role} is a folder; give a file path for it (for example ${path.join(out.path, 'result.json')})`, { file: out.path });
    }
    for (const input of inputs) {
      if (await sameFile(out.path, input.path)) {
        const same = path.resolve(out.path) === path.resolve(input.path) ? 'is' : `is the same file as`;
        const named = same === 'is' ? input.role : `${input.role} ${input.path}`;
        throw new InputError(`${out.role} ${same} ${named}: writing it would destroy an input; choose another output path`, {
          file: out.path,
        });
      }
    }
  }
}

/**
 * Throws an InputError when an output would land on one of the tool's own files: inside a dataset's `.overlap` folder
 * (its cached result, baseline, flags, annotations, history and cache live there) or on a path the same command
 * writes or reads itself (`reserved`, e.g. curate's results). Checked by path, whether or not the file exists yet:
 * `check --out <the baseline>` would otherwise replace the baseline it had just read.
 */
export function refuseOutputsOverOwnFiles(outputs: readonly PathRole[], datasets: readonly string[], reserved: readonly PathRole[] = []): void {
  for (const out of outputs) {
    const o = path.resolve(out.path);
    for (const r of reserved) {
      if (path.resolve(r.path) === o) throw new InputError(`${out.role} is ${r.role}: writing it there would replace that file; choose another path`, { file: out.path });
    }
    for (const d of datasets) {
      if (isInside(o, path.resolve(overlapDir(d)))) {
        throw new InputError(
          `${out.role} is inside the .overlap folder of ${path.basename(d)}, where its result, baseline and caches are kept; choose another path`,
          { file: out.path },
        );
      }
    }
  }
}

/**
 * The start of a file this tool wrote: a JSON output (result, select, check report, SARIF: each names the tool), the
 * HTML report (its generator tag), or a check text report (its second line). Read from the first 64 KiB.
 */
export function isOwnOutput(head: string): boolean {
  return /"name"\s*:\s*"overlap-density"/.test(head)
    || /<meta name="generator" content="overlap-density[ "]/.test(head)
    || /^[^\n]*\n {2}result (reused \(up to date\)|analysed now): /.test(head);
}

/** The two JSON outputs one command could put where the other's is: an analysis result and a selection result. */
export type OwnJsonKind = 'analysis result' | 'selection result';

/** Which of them a file's start is (OwnJsonKind), when it is one; undefined for the others and foreign files. */
export function ownJsonKind(head: string): OwnJsonKind | undefined {
  if (!/"name"\s*:\s*"overlap-density"/.test(head)) return undefined;
  if (/^\s*\{\s*"schemaVersion"\s*:\s*\d+\s*,\s*"kind"\s*:\s*"selection"/.test(head)) return 'selection result';
  if (/^\s*\{\s*"schemaVersion"\s*:\s*\d+\s*,\s*"tool"\s*:/.test(head) && /"dataset"\s*:\s*\{/.test(head)) return 'analysis result';
  return undefined;
}

/**
 * Throws an InputError when an output exists and is not one of the tool's own files (isOwnOutput), unless `force`:
 * a result, report or check file is replaced by its next run, anything else (a dataset, notes, another tool's file)
 * only when the user says so. With `writes`, an own file of the other JSON kind (an analysis result where `select`
 * writes, a selection where `analyze` does) is refused the same way: one command's run must not replace the other's
 * result silently. A folder is left to refuseOutputsOverInputs' message.
 */
export async function refuseForeignOutputs(outputs: readonly PathRole[], force: boolean, writes?: OwnJsonKind): Promise<void> {
  if (force) return;
  for (const out of outputs) {
    const st = await statOrUndefined(out.path);
    if (!st || st.isDirectory()) continue;
    const head = await headText(out.path);
    if (!isOwnOutput(head)) {
      throw new InputError(
        `${out.role} exists and is not a file overlap-density wrote; choose another path, or pass --force to replace it`,
        { file: out.path },
      );
    }
    const kind = ownJsonKind(head);
    if (writes && kind && kind !== writes) {
      throw new InputError(`${out.role} is ${article(kind)} ${kind}, and this run writes ${article(writes)} ${writes}; choose another path, or pass --force to replace it`, { file: out.path });
    }
  }
}

const article = (kind: OwnJsonKind) => (kind === 'analysis result' ? 'an' : 'a');

async function headText(file: string): Promise<string> {
  const head = await readHead(file).catch(() => new Uint8Array(0));
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
}

/** Whether the file at `file` is one overlap-density wrote (isOwnOutput on its first 64 KiB; unreadable: no). */
export async function isOwnOutputFile(file: string): Promise<boolean> {
  return isOwnOutput(await headText(file));
}

/** Throws an InputError when `dir` exists and is not a folder (a cache folder given as a file's path). */
export async function requireFolderOrNothing(dir: string, role: string): Promise<void> {
  const st = await statOrUndefined(dir);
  if (st && !st.isDirectory()) throw new InputError(`${role} is a file, not a folder; give a folder (it is created when missing)`, { file: dir });
}

/** The inputs an activation folder source contributes (the files of ACTIVATION_FOLDER_FILES it has). */
export function activationFolderInputs(dir: string): PathRole[] {
  return ACTIVATION_FOLDER_FILES.map((f) => ({ path: path.join(dir, f), role: `an array of the source folder ${dir}` }));
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Refuses a `.overlap` folder (or its `cache` subfolder, or the given `subs`) that resolves outside the dataset's
 * folder. Missing folders are fine (they are created inside). `dataDir` is the folder of the dataset file.
 */
export async function checkOverlapFolder(
  dataDir: string,
  subs: readonly (readonly string[])[] = [[OVERLAP_DIR], [OVERLAP_DIR, 'cache']],
  advice = 'results and caches stay next to the data: remove the link (or give --out and --cache-dir)',
  /** The paths name folders (a file of that name is refused); false for a file inside one (the flags file). */
  folders = true,
): Promise<void> {
  const root = await fs.realpath(dataDir).catch(() => path.resolve(dataDir));
  for (const sub of subs) {
    const p = path.join(dataDir, ...sub);
    let real: string;
    try {
      real = await fs.realpath(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // A dangling link still sends writes elsewhere (mkdir follows it): refuse it as well.
        const link = await fs.readlink(p).catch(() => undefined);
        if (link === undefined) return;
        real = path.resolve(path.dirname(p), link);
      } else {
        return;
      }
    }
    if (!isInside(real, root)) {
      throw new InputError(
        `${sub.join('/')} is a link to ${real}, outside the dataset's folder; ${advice}`,
        { file: p },
      );
    }
    // a file of that name: found now, not as EEXIST when the result is written after the whole analysis
    const info = folders ? await fs.stat(real).catch(() => undefined) : undefined;
    if (info && !info.isDirectory()) {
      throw new InputError(
        `${sub.join('/')} is a file, not a folder: overlap-density keeps results and caches in a ${OVERLAP_DIR} folder beside the data; rename or remove that file`,
        { file: p },
      );
    }
  }
}
