/**
 * Runs the one analysis pipeline on a dataset file with a cancellable notification progress bar. The inference
 * worker is loaded here, lazily, and only when a model spec needs an encoder: activation never loads onnxruntime.
 * Cancelling aborts the pipeline and stops the worker; the pipeline writes its result atomically at the very end,
 * so a cancelled run leaves nothing behind.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sniffDataset } from '../core/data';
import { CancelledError } from '../core/encoder';
import { InputError, type InputHint } from '../core/errors';
import { analyzeDatasetFile } from '../pipeline';
import type { InferenceBackend, ModelSpec, PipelineOutcome } from '../pipeline/types';
import type { FieldMap, HeaderChoice } from '../core/data/types';
import { ensureColumns } from './columns';
import type { Ctx } from './ctx';
import { describeSpec, ModelChoiceError, needsInference, needsTrust, pipelineOptions, strongSpecFromConfig, weakSpecFromConfig } from './models';
import { ProgressTracker } from './progress';
import { lensTitle } from './summaryText';

export interface AnalyzeRequest {
  file: string;
  /** Model specs from `Analyze with Models...`; the settings decide when absent. */
  weak?: ModelSpec;
  strong?: ModelSpec;
}

export function isCancel(e: unknown): boolean {
  return e instanceof CancelledError || (e instanceof Error && (e.name === 'CancelledError' || e.name === 'AbortError'));
}

/** Asks before analysing a file whose editor has unsaved changes (the pipeline reads the file on disk). */
export async function settleUnsaved(file: string): Promise<boolean> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  if (!doc?.isDirty) return true;
  const choice = await vscode.window.showWarningMessage(
    `${path.basename(file)} has unsaved changes. The analysis reads the file on disk.`,
    { modal: true },
    'Save and Analyze',
    'Analyze Saved Version',
  );
  if (choice === 'Save and Analyze') return doc.save();
  return choice === 'Analyze Saved Version';
}

export async function resolveSpecs(
  ctx: Ctx,
  req: AnalyzeRequest,
  reading: { fields?: FieldMap; header?: HeaderChoice } = {},
): Promise<{ weak: ModelSpec; strong: ModelSpec } | undefined> {
  let fields = {};
  if (!req.weak || !req.strong) {
    try {
      fields = (await sniffDataset(req.file, reading)).fields;
    } catch {
      // The pipeline reports unreadable files with a line number; let it.
    }
  }
  try {
    const weak = req.weak ?? weakSpecFromConfig(ctx.config, fields, req.file);
    const strong = req.strong ?? strongSpecFromConfig(ctx.config, fields, req.file);
    return { weak, strong };
  } catch (e) {
    if (!(e instanceof ModelChoiceError)) throw e;
    const choice = await vscode.window.showErrorMessage(`Overlap Density: ${e.message}.`, 'Open Settings');
    if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'overlapDensity.models');
    return undefined;
  }
}

/** Models and activation files named by a path need a trusted workspace; says so (with a way there) when it is not. */
export async function trustedFor(specs: { weak: ModelSpec; strong: ModelSpec }): Promise<boolean> {
  if (!(needsTrust(specs.weak) || needsTrust(specs.strong)) || vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(
    'Models and activation files named by a path run only in a trusted workspace. Trust this workspace, or use the bundled encoders, activations in the data, votes or a probability column.',
    'Manage Workspace Trust',
  );
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

export async function analyzeWithProgress(ctx: Ctx, req: AnalyzeRequest): Promise<PipelineOutcome | undefined> {
  const file = req.file;
  const name = path.basename(file);
  if (ctx.running.has(file)) {
    void vscode.window.showInformationMessage(`${name} is already being analysed.`);
    return undefined;
  }
  if (!(await settleUnsaved(file))) return undefined;
  const reading = await ensureColumns(ctx, file);
  if (reading === null) return undefined;
  const specs = await resolveSpecs(ctx, req, reading);
  if (!specs) return undefined;
  if (!(await trustedFor(specs))) return undefined;
  const options = { ...pipelineOptions(ctx.config, specs.weak, specs.strong), ...reading };
  const controller = new AbortController();
  ctx.running.set(file, controller);
  ctx.output.info(`analysing ${file}: weak ${describeSpec(specs.weak)}, strong ${describeSpec(specs.strong)}, device ${options.device}`);
  const t0 = Date.now();
  try {
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Overlap Density: analysing ${name}`, cancellable: true },
      async (progress, token) => {
        let inference: (InferenceBackend & { dispose(): Promise<void> }) | undefined;
        const stop = () => {
          controller.abort();
          // Stop the worker now rather than at its next cancellation check.
          void inference?.dispose();
        };
        const sub = token.onCancellationRequested(stop);
        try {
          if (needsInference(specs.weak) || needsInference(specs.strong)) {
            const { createInferenceClient } = await import('../inference/client');
            inference = createInferenceClient({
              workerPath: ctx.asAbsolutePath(path.join('dist', 'worker.js')),
              device: options.device,
              ...(options.threads ? { threads: options.threads } : {}),
            });
          }
          const tracker = new ProgressTracker();
          return await analyzeDatasetFile(file, options, {
            signal: controller.signal,
            ...(inference ? { inference } : {}),
            progress: (stage, fraction, detail) => {
              if (controller.signal.aborted) return;
              progress.report(tracker.step(stage, fraction, detail));
            },
          });
        } finally {
          sub.dispose();
          await inference?.dispose().catch(() => undefined);
        }
      },
    );
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    const { result, resultPath } = outcome;
    ctx.output.info(`analysed ${file} in ${seconds} s on ${result.device}: ${lensTitle(result)} -> ${resultPath}`);
    for (const w of result.warnings) ctx.output.warn(w);
    await ctx.results.put(file, resultPath, result);
    void vscode.window
      .showInformationMessage(`${name}: ${lensTitle(result)}.`, 'Show Report', 'Annotate Dataset')
      .then((choice) => {
        const uri = vscode.Uri.file(file);
        if (choice === 'Show Report') void vscode.commands.executeCommand('overlapDensity.showReport', uri);
        if (choice === 'Annotate Dataset') void vscode.commands.executeCommand('overlapDensity.annotate', uri);
      });
    return outcome;
  } catch (e) {
    if (isCancel(e) || controller.signal.aborted) {
      ctx.output.info(`analysis of ${file} cancelled after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      void vscode.window.showInformationMessage(`Analysis of ${name} cancelled. No results were written.`);
      return undefined;
    }
    reportError(ctx, e);
    return undefined;
  } finally {
    ctx.running.delete(file);
  }
}

/** How an editor user makes the choice an input error asks for (the CLI names its flags instead). */
const EDITOR_FIX: Record<InputHint, string> = {
  'text-field': 'choose it with "Overlap Density: Choose Columns..."',
  'label-field': 'choose it with "Overlap Density: Choose Columns..."',
  header: 'say whether the first row is a header with "Overlap Density: Choose Columns..."',
  'class-names': 'put the class names in a classes.txt beside the file, one per line in id order',
};

/** An error as the user can act on it: the message with file and line, and a button to go there. */
export function reportError(ctx: Ctx, e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  ctx.output.error(e instanceof Error && !(e instanceof InputError) && e.stack ? e.stack : msg);
  const where = e instanceof InputError && e.file ? { file: e.file, line: e.line } : undefined;
  const hint = e instanceof InputError ? e.hint : undefined;
  const columnsFix = hint === 'text-field' || hint === 'label-field' || hint === 'header';
  const buttons = [...(columnsFix ? ['Choose Columns...'] : []), ...(where ? ['Go to Line'] : []), 'Show Log'];
  const fix = hint ? ` (${EDITOR_FIX[hint]})` : '';
  void vscode.window.showErrorMessage(`Overlap Density: ${msg}${fix}`, ...buttons).then(async (choice) => {
    if (choice === 'Show Log') ctx.output.show(true);
    if (choice === 'Choose Columns...' && where?.file) await vscode.commands.executeCommand('overlapDensity.chooseColumns', vscode.Uri.file(where.file));
    if (choice === 'Go to Line' && where?.file) {
      const line = Math.max(0, (where.line ?? 1) - 1);
      await vscode.window.showTextDocument(vscode.Uri.file(where.file), { selection: new vscode.Range(line, 0, line, 0) });
    }
  });
}
