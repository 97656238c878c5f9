/**
 * `Annotate Dataset`: writes each analysed row's category, stage 2 score and weak confidence into the row as one
 * WorkspaceEdit (one Ctrl+Z undoes it all), or into `.overlap/<file>.annotations.jsonl` for SST text and Parquet
 * and for files too large for the editor.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as notify from './notify';
import type { DatasetFormat } from '../core/data/types';
import { detectFormat } from '../core/data';
import { checkOverlapFolder } from '../pipeline/outputs';
import { writeFileAtomic } from '../pipeline/results';
import { reportError } from './analyze';
import {
  AnnotationMismatchError, annotatesInPlace, annotationScope, applyEdits, fieldsNeedingConfirmation, overwriteQuestion, planAnnotation, sidecarJsonl, StructureError,
  type AnnotationFieldNames,
} from './annotationEdits';
import type { Ctx } from './ctx';
import { annotationSidecarPath } from './flags';
import type { ResultEntry } from './results';
import { sha256Hex } from './staleness';
import { largeFileSize } from './statusBar';
import { OVERLAP_DIR } from '../core/layout';

/** Above this many edits one whole-text replacement is cheaper for the editor than many small ones. */
const MAX_SMALL_EDITS = 50_000;

function formatOf(entry: ResultEntry): DatasetFormat | undefined {
  const f = entry.result.dataset.format as DatasetFormat | undefined;
  return f ?? detectFormat(entry.datasetPath, '');
}

async function writeSidecar(ctx: Ctx, entry: ResultEntry, names: AnnotationFieldNames, why: string): Promise<void> {
  const target = annotationSidecarPath(entry.datasetPath);
  await checkOverlapFolder(path.dirname(entry.datasetPath));
  await writeFileAtomic(target, sidecarJsonl(entry.result.rows, names));
  const scope = annotationScope(entry.result.rows);
  ctx.output.info(`annotations of ${entry.datasetPath} written to ${target} (${why})`);
  const choice = await notify.showInformationMessage(
    `${path.basename(entry.datasetPath)}: ${why}, so the annotations of ${scope.annotated.toLocaleString('en-US')} W2S-train rows went to ${path.join(OVERLAP_DIR, path.basename(target))}${scope.note ? `; ${scope.note}` : ''}.`,
    'Open',
  );
  if (choice) await vscode.window.showTextDocument(vscode.Uri.file(target));
}

export async function annotateDataset(ctx: Ctx, uri: vscode.Uri): Promise<void> {
  const file = uri.fsPath;
  const name = path.basename(file);
  const entry = await ctx.results.get(file);
  if (!entry) {
    const choice = await notify.showInformationMessage(`${name} has no results to write yet.`, 'Analyze Dataset');
    if (choice) await vscode.commands.executeCommand('overlapDensity.analyze', uri);
    return;
  }
  const names: AnnotationFieldNames = {
    category: ctx.config.annotate.categoryField,
    score: ctx.config.annotate.scoreField,
    confidence: ctx.config.annotate.confidenceField,
  };
  const format = formatOf(entry);
  if (!format) {
    void notify.showErrorMessage(`Overlap Density: cannot tell the format of ${name}; analyse it again.`);
    return;
  }
  if (!annotatesInPlace(format)) return writeSidecar(ctx, entry, names, `${format} rows cannot hold extra fields`);
  if ((await largeFileSize(file)) !== undefined) {
    return writeSidecar(ctx, entry, names, 'files over 50 MB cannot be edited through the editor');
  }

  const doc = await vscode.workspace.openTextDocument(uri);
  if ((await ctx.results.freshness(doc, entry)) === 'stale') {
    const choice = await notify.showErrorMessage(
      `${name} changed since it was analysed; annotating now would write scores into the wrong rows.`,
      'Analyze Again',
    );
    if (choice) await vscode.commands.executeCommand('overlapDensity.analyze', uri);
    return;
  }
  if (doc.isDirty) {
    const choice = await notify.showWarningMessage(
      `${name} has unsaved changes. Write the annotations into the unsaved text? (Undo reverts them.)`,
      { modal: true },
      'Annotate',
    );
    if (choice !== 'Annotate') return;
  }

  const text = doc.getText();
  let plan;
  try {
    plan = planAnnotation(text, format, entry.result.rows, names, entry.result.dataset.read?.header?.present);
  } catch (e) {
    if (e instanceof AnnotationMismatchError || e instanceof StructureError) {
      void notify.showErrorMessage(`Overlap Density: cannot annotate ${name}: ${e.message}`);
      return;
    }
    reportError(ctx, e);
    return;
  }
  if (plan.kind === 'sidecar') return writeSidecar(ctx, entry, names, plan.reason);

  // Never overwrite a field this extension did not write without the user's yes to the fields by name.
  const foreign = fieldsNeedingConfirmation(plan, ctx.results.annotatedFields(file));
  if (foreign.length > 0) {
    const q = overwriteQuestion(name, foreign, plan.rows);
    const choice = await notify.showWarningMessage(q.message, { modal: true, detail: q.detail }, q.button);
    if (choice !== q.button) {
      ctx.output.info(`annotation of ${file} cancelled: it would have overwritten ${foreign.join(', ')}`);
      return;
    }
  }

  // The annotated text keeps every row on its line: tell the store it still matches these results.
  const annotated = applyEdits(text, plan.edits);
  await ctx.results.addEquivalentHash(entry, sha256Hex(annotated));

  const edit = new vscode.WorkspaceEdit();
  const meta: vscode.WorkspaceEditEntryMetadata = { label: 'Annotate Dataset', needsConfirmation: false };
  if (plan.edits.length > MAX_SMALL_EDITS) {
    edit.replace(uri, new vscode.Range(doc.positionAt(0), doc.positionAt(text.length)), annotated, meta);
  } else {
    for (const e of plan.edits) {
      edit.replace(uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.text, meta);
    }
  }
  if (!(await vscode.workspace.applyEdit(edit))) {
    void notify.showErrorMessage(`Overlap Density: VS Code refused the edit to ${name} (is the file read-only?).`);
    return;
  }
  await ctx.results.recordAnnotatedFields(file, [names.category, names.score, names.confidence]);
  if (!vscode.window.visibleTextEditors.some((e) => e.document === doc)) await vscode.window.showTextDocument(doc);
  const scope = annotationScope(entry.result.rows);
  ctx.output.info(`annotated ${plan.rows} rows of ${file} (${names.category}, ${names.score}, ${names.confidence}), ${plan.edits.length} edits`);
  const annotatedHash = sha256Hex(annotated);
  void notify
    .showInformationMessage(
      `Annotated ${plan.rows.toLocaleString('en-US')} W2S-train rows of ${name} with ${names.category} (easy-only, hard-only, overlap), ${names.score} and ${names.confidence}${scope.note ? `; ${scope.note}` : ''}. Save to keep them; Undo (Ctrl+Z) removes them.`,
      'Save',
    )
    .then((choice) => {
      if (choice !== 'Save') return;
      // The notification outlives an Undo: saving then would save the text without the annotations, silently.
      if (doc.isClosed || sha256Hex(doc.getText()) !== annotatedHash) {
        void notify.showInformationMessage(`${name}: the annotations were undone or edited since; nothing was saved.`);
        return;
      }
      void doc.save();
    });
}
