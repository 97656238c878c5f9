/**
 * The envelope of a selection result read back: a clear message when the file is not one or is newer. It checks
 * only `kind`, `schemaVersion` and `runs`; readers use `readSelectionResult` (core/report/validate.ts), which also
 * validates every member the report uses.
 */
import { InputError } from '../errors';
import { SELECTION_SCHEMA_VERSION, type SelectionResult } from './schema';

export function parseSelectionResult(text: string, file?: string): SelectionResult {
  let obj: unknown;
  try {
    // A byte-order mark (an editor's "UTF-8 with BOM") is not part of the JSON.
    obj = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw new InputError('selection results file is not valid JSON (was it cut short?)', { file });
  }
  const r = obj as Partial<SelectionResult>;
  if (!r || typeof r !== 'object' || r.kind !== 'selection' || typeof r.schemaVersion !== 'number' || !Array.isArray(r.runs)) {
    throw new InputError('not an overlap-density selection result (no kind "selection" / schemaVersion / runs)', { file });
  }
  if (r.schemaVersion > SELECTION_SCHEMA_VERSION) {
    throw new InputError(
      `selection schema version ${r.schemaVersion} is newer than this version understands (${SELECTION_SCHEMA_VERSION}); update overlap-density (the extension or the CLI)`,
      { file },
    );
  }
  return r as SelectionResult;
}
