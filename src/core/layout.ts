/**
 * Where the tool keeps its files beside a dataset: the one place that knows the `.overlap/` layout (issue 16).
 *
 *   <dir>/<file>                                   the dataset (never written)
 *   <dir>/.overlap/<file>.result.json              the latest analysis
 *   <dir>/.overlap/<file>.flags.json               rows the user flagged
 *   <dir>/.overlap/<file>.baseline.json            the baseline `check` and the editor's alarms compare with
 *   <dir>/.overlap/<file>.annotations.jsonl        annotations of a file Annotate cannot edit in place
 *   <dir>/.overlap/<first>+<second>.select.json    a comparison of data sources
 *   <dir>/.overlap/cache/                          activation caches
 *   <dir>/.overlap/history/<file>/                 kept earlier results
 */
import * as path from 'node:path';

export const OVERLAP_DIR = '.overlap';

/** Files named after their dataset inside `.overlap/`. */
export type SidecarKind = 'result' | 'flags' | 'baseline';
const SIDECAR_SUFFIX: Readonly<Record<SidecarKind, string>> = { result: '.result.json', flags: '.flags.json', baseline: '.baseline.json' };

/** `<dir>/.overlap` for a dataset file. */
export function overlapDir(datasetPath: string): string {
  return path.join(path.dirname(datasetPath), OVERLAP_DIR);
}

/** `<dir>/.overlap/<file>.<kind>.json`. */
export function sidecarPath(datasetPath: string, kind: SidecarKind): string {
  return path.join(overlapDir(datasetPath), `${path.basename(datasetPath)}${SIDECAR_SUFFIX[kind]}`);
}

/** `<dir>/.overlap/<file>.annotations.jsonl`. */
export function annotationsPath(datasetPath: string): string {
  return path.join(overlapDir(datasetPath), `${path.basename(datasetPath)}.annotations.jsonl`);
}

/** `<dir>/.overlap/cache`. */
export function cacheDir(datasetPath: string): string {
  return path.join(overlapDir(datasetPath), 'cache');
}

/** `<dir>/.overlap/history/<file>`. */
export function historyDir(datasetPath: string): string {
  const abs = path.resolve(datasetPath);
  return path.join(overlapDir(abs), 'history', path.basename(abs));
}

/** `<dir of the first source>/.overlap/<name>.select.json`. */
export function selectionPath(firstSource: string, name: string): string {
  return path.join(overlapDir(firstSource), `${name}.select.json`);
}

/** Whether a path lies inside a `.overlap` folder (the tool's own files are never datasets). */
export function inOverlapDir(file: string): boolean {
  return file.split(/[\\/]/).includes(OVERLAP_DIR);
}

/** The dataset a sidecar belongs to (`<dir>/.overlap/<name>.result.json` -> `<dir>/<name>`), for the given kinds. */
export function datasetOfSidecar(file: string, kinds: readonly SidecarKind[] = ['result', 'flags']): string | undefined {
  const dir = path.dirname(file);
  if (path.basename(dir) !== OVERLAP_DIR) return undefined;
  const base = path.basename(file);
  for (const k of kinds) {
    const suffix = SIDECAR_SUFFIX[k];
    if (base.endsWith(suffix) && base.length > suffix.length) return path.join(path.dirname(dir), base.slice(0, -suffix.length));
  }
  return undefined;
}
