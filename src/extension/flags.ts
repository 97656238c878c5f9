/**
 * Rows the user flagged for a second look, persisted beside the results as `.overlap/<file>.flags.json`
 * (the report webview lists them too). The model is pure; `readFlagsFile` reads the file under the same link rule
 * as the results beside it, and the command writes it with writeFileAtomic.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { statErrorWords } from '../core/data/file';
import { annotationsPath, OVERLAP_DIR, sidecarPath } from '../core/layout';
import { checkOverlapFolder } from '../pipeline/outputs';

export interface FlagEntry {
  /** Dataset row index (0-based, file order). */
  index: number;
  /** 1-based start line when known, to find the row again by eye. */
  line?: number;
  flaggedAt: string;
}

export interface FlagsFile {
  version: 1;
  /** File name of the dataset, a check against copying flags between files. */
  dataset: string;
  flags: FlagEntry[];
}

export function flagsPath(datasetPath: string): string {
  return sidecarPath(datasetPath, 'flags');
}

/** Where annotations go for formats that cannot hold fields (SST text, Parquet). */
export function annotationSidecarPath(datasetPath: string): string {
  return annotationsPath(datasetPath);
}

export function emptyFlags(datasetPath: string): FlagsFile {
  return { version: 1, dataset: path.basename(datasetPath), flags: [] };
}

/** Parses a flags file; anything unreadable yields no flags and a reason (never throws on user files). */
export function parseFlags(text: string, datasetPath: string): { flags: FlagsFile; problem?: string } {
  try {
    const obj = JSON.parse(text) as Partial<FlagsFile>;
    if (!obj || obj.version !== 1 || !Array.isArray(obj.flags)) {
      return { flags: emptyFlags(datasetPath), problem: 'not a version 1 flags file' };
    }
    const flags = obj.flags.filter(
      (f): f is FlagEntry => !!f && Number.isInteger(f.index) && f.index >= 0 && typeof f.flaggedAt === 'string',
    );
    return { flags: { version: 1, dataset: obj.dataset ?? path.basename(datasetPath), flags } };
  } catch {
    return { flags: emptyFlags(datasetPath), problem: 'not valid JSON' };
  }
}

/** What the file at a path is, for a message ("a folder", "a named pipe"). */
function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Reads a dataset's flags file (the editor's flags and the report's flag list). The rule of the results beside it
 * (pipeline/outputs.ts `checkOverlapFolder`, which writing, clearing and loading results apply): a `.overlap` folder
 * or a flags file that is a link leading outside the dataset's folder is not followed. Only a regular file is read
 * (a named pipe or a device would block or never end). A missing file is no flags; a refused or unreadable one is no
 * flags and the reason, which names the file.
 */
export async function readFlagsFile(datasetPath: string): Promise<{ flags: FlagsFile; problem?: string }> {
  const file = flagsPath(datasetPath);
  const none = (problem: string) => ({ flags: emptyFlags(datasetPath), problem });
  try {
    const dataDir = path.dirname(path.resolve(datasetPath));
    // The folder with the results' own words (the editor logs one message for both), then the file itself.
    await checkOverlapFolder(dataDir, [[OVERLAP_DIR]]);
    await checkOverlapFolder(dataDir, [[OVERLAP_DIR, path.basename(file)]], 'flags are read only from inside it: remove the link (until then no row shows as flagged)', false);
  } catch (e) {
    return none(e instanceof Error ? e.message : String(e));
  }
  let text: string;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return none(`${file}: the flags file is ${kindOf(st)}, not a file; no row shows as flagged`);
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { flags: emptyFlags(datasetPath) };
    return none(`${file}: flags file: ${statErrorWords(err)}; no row shows as flagged`);
  }
  const parsed = parseFlags(text, datasetPath);
  return parsed.problem ? none(`${file}: ${parsed.problem}; no row shows as flagged`) : parsed;
}

/** Adds the row when it is not flagged, removes it when it is; returns the new file and whether it is now flagged. */
export function toggleFlag(
  file: FlagsFile,
  row: { index: number; line?: number },
  now: Date = new Date(),
): { file: FlagsFile; flagged: boolean } {
  const has = file.flags.some((f) => f.index === row.index);
  const flags = has
    ? file.flags.filter((f) => f.index !== row.index)
    : [...file.flags, { index: row.index, ...(row.line !== undefined ? { line: row.line } : {}), flaggedAt: now.toISOString() }].sort(
        (a, b) => a.index - b.index,
      );
  return { file: { ...file, flags }, flagged: !has };
}

export function flaggedIndices(file: FlagsFile): Set<number> {
  return new Set(file.flags.map((f) => f.index));
}
