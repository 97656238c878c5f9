// Shared by the report journeys. reportWorkspace: a dataset of `w2s` W2S-train rows (the other splits half as many each) with
// a consistent result beside it in .overlap/, ground truth and a 2-D map, so every chart and section shows. The
// folder is removed when the runner exits.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildResult, datasetJsonl } from '../unit/report/build';
import { retry, type VSCode } from './harness';

/** The result type, from the builder (so this file does not depend on where the schema module lives). */
export type ReportResult = ReturnType<typeof buildResult>;

export function reportWorkspace(w2s: number, prefix: string): { dir: string; result: ReportResult } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const result = buildResult({ w2s, groundTruth: true, datasetPath: path.join(dir, 'reviews.jsonl') });
  fs.writeFileSync(path.join(dir, 'reviews.jsonl'), datasetJsonl(result));
  fs.mkdirSync(path.join(dir, '.overlap'));
  fs.writeFileSync(path.join(dir, '.overlap', 'reviews.jsonl.result.json'), JSON.stringify(result));
  return { dir, result };
}

/** Waits until the active editor is `file` with the cursor on `line` (1-based; the status bar's "Ln N,"). */
export async function waitForEditorAtLine(h: VSCode, file: string, line: number): Promise<void> {
  await retry(`editor at line ${line}`, async () => {
    const editorPath = await h.activeEditorPath().catch(() => '');
    const status = await h.statusBar();
    return editorPath.endsWith(file) && status.some((s) => s.startsWith(`Ln ${line},`)) ? true : undefined;
  }, { timeoutMs: 15_000 });
}
