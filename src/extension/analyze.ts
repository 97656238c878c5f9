/**
 * Runs the one analysis pipeline on a dataset file with a cancellable notification progress bar. The inference
 * worker is loaded here, lazily, and only when a model spec needs an encoder: activation never loads onnxruntime.
 * Cancelling aborts the pipeline and stops the worker; the pipeline writes its result atomically at the very end,
 * so a cancelled run leaves nothing behind.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as notify from './notify';
import { sniffDataset } from '../core/data';
import { CancelledError } from '../core/encoder';
import { InputError, type InputHint } from '../core/errors';
import { analyzeDatasetFile } from '../pipeline';
import type { ModelSpec, PipelineOutcome } from '../pipeline/types';
import { OptionError, settingName } from '../pipeline/request';
import type { FieldMap, HeaderChoice } from '../core/data/types';
import { ensureColumns, storedColumns } from './columns';
import type { Ctx } from './ctx';
import { describeSpec, ModelChoiceError, needsTrust, pipelineOptions, strongSpecFromConfig, weakSpecFromConfig } from './models';
import { withInferenceProgress } from './inferenceProgress';
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
  const choice = await notify.showWarningMessage(
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
    const choice = await notify.showErrorMessage(`Overlap Density: ${e.message}.`, 'Open Settings');
    if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'overlapDensity.models');
    return undefined;
  }
}

/** Models and activation files named by a path need a trusted workspace; says so (with a way there) when it is not. */
export async function trustedFor(specs: { weak: ModelSpec; strong: ModelSpec }): Promise<boolean> {
  if (!(needsTrust(specs.weak) || needsTrust(specs.strong)) || vscode.workspace.isTrusted) return true;
  const choice = await notify.showWarningMessage(
    'Models and activation files named by a path run only in a trusted workspace. Trust this workspace, or use the bundled encoders, activations in the data, votes or a probability column.',
    'Manage Workspace Trust',
  );
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

/** How a run shows itself: a cancellable notification (a command), or the status bar (a re-analysis on save). */
export interface RunMode {
  background?: {
    /** Aborted when a newer save supersedes this run. */
    signal: AbortSignal;
    /** A problem the user should see without a popup (the alarms put it in the Problems panel). */
    onError(e: unknown): void;
  };
}

/** The model specs of the last analysis of each dataset (a re-analysis on save uses the same models). */
const lastSpecs = new Map<string, { weak: ModelSpec; strong: ModelSpec }>();

export async function analyzeWithProgress(ctx: Ctx, req: AnalyzeRequest, mode: RunMode = {}): Promise<PipelineOutcome | undefined> {
  const file = req.file;
  const name = path.basename(file);
  const bg = mode.background;
  if (ctx.running.has(file)) {
    if (!bg) void notify.showInformationMessage(`${name} is already being analysed.`);
    return undefined;
  }
  let reading: { fields?: FieldMap; header?: HeaderChoice } | null;
  let specs: { weak: ModelSpec; strong: ModelSpec } | undefined;
  if (bg) {
    // Never ask anything: the columns and models of the last analysis, or the settings where they need no choice.
    reading = storedColumns(ctx, file) ? await ensureColumns(ctx, file) : {};
    if (reading === null) return undefined;
    specs = req.weak && req.strong ? { weak: req.weak, strong: req.strong } : lastSpecs.get(file) ?? (await quietSpecs(ctx, file, reading));
    if (!specs || (!vscode.workspace.isTrusted && (needsTrust(specs.weak) || needsTrust(specs.strong)))) return undefined;
  } else {
    if (!(await settleUnsaved(file))) return undefined;
    reading = await ensureColumns(ctx, file);
    if (reading === null) return undefined;
    specs = await resolveSpecs(ctx, req, reading);
    if (!specs) return undefined;
    if (!(await trustedFor(specs))) return undefined;
  }
  if (reading === null) return undefined;
  const chosen = specs;
  const options = { ...pipelineOptions(ctx.config, chosen.weak, chosen.strong), ...reading };
  const controller = new AbortController();
  const abortWith = () => controller.abort();
  bg?.signal.addEventListener('abort', abortWith, { once: true });
  ctx.running.set(file, controller);
  ctx.output.info(`${bg ? 're-analysing (saved)' : 'analysing'} ${file}: weak ${describeSpec(chosen.weak)}, strong ${describeSpec(chosen.strong)}, device ${options.device}`);
  const t0 = Date.now();
  try {
    const outcome = await withInferenceProgress(
      ctx,
      bg ? `Overlap Density: re-analysing ${name}` : `Overlap Density: analysing ${name}`,
      chosen,
      controller,
      (run) => analyzeDatasetFile(file, options, run),
      { background: !!bg },
    );
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    const { result, resultPath } = outcome;
    lastSpecs.set(file, chosen);
    ctx.output.info(`analysed ${file} in ${seconds} s on ${result.device}: ${lensTitle(result)} -> ${resultPath}`);
    for (const w of result.warnings) ctx.output.warn(w);
    await ctx.results.put(file, resultPath, result);
    if (!bg) {
      void notify
        .showInformationMessage(`${name}: ${lensTitle(result)}.`, 'Show Report', 'Annotate Dataset')
        .then((choice) => {
          const uri = vscode.Uri.file(file);
          if (choice === 'Show Report') void vscode.commands.executeCommand('overlapDensity.showReport', uri);
          if (choice === 'Annotate Dataset') void vscode.commands.executeCommand('overlapDensity.annotate', uri);
        });
    }
    return outcome;
  } catch (e) {
    if (isCancel(e) || controller.signal.aborted) {
      ctx.output.info(`analysis of ${file} cancelled after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      if (!bg) void notify.showInformationMessage(`Analysis of ${name} cancelled. No results were written.`);
      return undefined;
    }
    if (bg) {
      ctx.output.warn(`re-analysis of ${file} failed: ${e instanceof Error ? e.message : String(e)}`);
      bg.onError(e);
    } else {
      reportError(ctx, e);
    }
    return undefined;
  } finally {
    bg?.signal.removeEventListener('abort', abortWith);
    ctx.running.delete(file);
  }
}

/** The settings' models for a dataset, or undefined when they need a choice (a background run never asks). */
async function quietSpecs(ctx: Ctx, file: string, reading: { fields?: FieldMap; header?: HeaderChoice }): Promise<{ weak: ModelSpec; strong: ModelSpec } | undefined> {
  let fields = {};
  try {
    fields = (await sniffDataset(file, reading)).fields;
  } catch {
    // The pipeline reports unreadable files with a line number.
  }
  try {
    return { weak: weakSpecFromConfig(ctx.config, fields, file), strong: strongSpecFromConfig(ctx.config, fields, file) };
  } catch (e) {
    if (e instanceof ModelChoiceError) return undefined;
    throw e;
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
  // The request table names a bad option neutrally; the editor says its setting (the CLI says its flag).
  const msg = e instanceof OptionError ? `${settingName(e.option)} ${e.detail}` : e instanceof Error ? e.message : String(e);
  ctx.output.error(e instanceof Error && !(e instanceof InputError) && e.stack ? e.stack : msg);
  const where = e instanceof InputError && e.file ? { file: e.file, line: e.line } : undefined;
  const hint = e instanceof InputError ? e.hint : undefined;
  const columnsFix = hint === 'text-field' || hint === 'label-field' || hint === 'header';
  const buttons = [...(columnsFix ? ['Choose Columns...'] : []), ...(where ? ['Go to Line'] : []), 'Show Log'];
  const fix = hint ? ` (${EDITOR_FIX[hint]})` : '';
  void notify.showErrorMessage(`Overlap Density: ${msg}${fix}`, ...buttons).then(async (choice) => {
    if (choice === 'Show Log') ctx.output.show(true);
    if (choice === 'Choose Columns...' && where?.file) await vscode.commands.executeCommand('overlapDensity.chooseColumns', vscode.Uri.file(where.file));
    if (choice === 'Go to Line' && where?.file) {
      const line = Math.max(0, (where.line ?? 1) - 1);
      await vscode.window.showTextDocument(vscode.Uri.file(where.file), { selection: new vscode.Range(line, 0, line, 0) });
    }
  });
}
