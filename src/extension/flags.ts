/**
 * Rows the user flagged for a second look, persisted beside the results as `.overlap/<file>.flags.json`
 * (the report webview lists them too). Pure model; the command writes it with writeFileAtomic.
 */
import * as path from 'node:path';
import { annotationsPath, sidecarPath } from '../core/layout';

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
