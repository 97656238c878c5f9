import * as fs from 'node:fs/promises';
import { writeFileAtomic } from '../core/activations/file';
import { statErrorWords } from '../core/data/file';
import { InputError } from '../core/errors';
import { SCHEMA_VERSION, type AnalysisResult } from '../core/result/schema';
import { SchemaViolation, validateResult } from '../core/report/validate';
import { sidecarPath } from '../core/layout';

/** Results live next to the data: `<dir>/.overlap/<file name>.result.json`. */
export function defaultResultPath(datasetPath: string): string {
  return sidecarPath(datasetPath, 'result');
}

export async function writeResult(file: string, result: AnalysisResult): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(result));
}

/** Reads and validates a results file; a clear message when it is not one or comes from a newer version. */
export async function loadResult(file: string): Promise<AnalysisResult> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError(err.code === 'EISDIR' ? 'is a folder, not a results file' : `results file: ${statErrorWords(err)}`, { file });
  }
  return parseResult(text, file);
}

export function parseResult(text: string, file?: string): AnalysisResult {
  let obj: unknown;
  try {
    // A byte-order mark (an editor's "UTF-8 with BOM") is not part of the JSON.
    obj = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    // a dataset given where a result is expected (report data.csv) says so
    const dataset = file !== undefined && /\.(csv|tsv|jsonl|ndjson|txt|parquet)$/i.test(file);
    throw new InputError(
      dataset
        ? 'this is a dataset, not a results file: analyse it first (overlap-density analyze FILE writes the result), then give that result'
        : 'results file is not valid JSON (was it written by another tool or cut short?)',
      { file },
    );
  }
  const r = obj as Partial<AnalysisResult>;
  if (r && typeof r === 'object' && (r as { kind?: unknown }).kind === 'selection') {
    throw new InputError('this is a selection result (overlap-density select), not an analysis result; its numbers are in the file itself (the editor shows it too)', { file });
  }
  if (!r || typeof r !== 'object' || typeof r.schemaVersion !== 'number' || !Array.isArray(r.rows)) {
    throw new InputError('not an overlap-density results file (no schemaVersion / rows)', { file });
  }
  if (r.schemaVersion > SCHEMA_VERSION) {
    throw new InputError(
      `results schema version ${r.schemaVersion} is newer than this version understands (${SCHEMA_VERSION}); update overlap-density (the extension or the CLI)`,
      { file },
    );
  }
  try {
    return validateResult(obj);
  } catch (e) {
    if (e instanceof SchemaViolation) throw new InputError(`not a valid results file: ${e.message} (analyse the dataset again to rewrite it)`, { file });
    throw e;
  }
}

/** True when the dataset's bytes changed since the analysis (decorations would be wrong). */
export function isResultStale(result: AnalysisResult, currentContentHash: string): boolean {
  return result.dataset.contentHash !== undefined && result.dataset.contentHash !== currentContentHash;
}

export { writeFileAtomic };
