/**
 * Every command as a small factory over the context (the rust-analyzer `commands.ts` shape). Commands that act on a
 * dataset take it from their argument (explorer, Datasets view, CodeLens), else the active editor, else a picker.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as notify from './notify';
import type { FieldMap } from '../core/data/types';
import { generateSynthetic, type Scenario } from '../core/synth/generate';
import { writeFileAtomic } from '../pipeline/results';
import { REQUEST_OPTIONS } from '../pipeline/request';
import type { DeviceChoice, ModelSpec } from '../pipeline/types';
import type { Alarms } from './alarms';
import { analyzeWithProgress, reportError } from './analyze';
import { annotateDataset } from './annotate';
import { describeColumns, pickColumns, storeColumns, storedColumns } from './columns';
import type { Ctx } from './ctx';
import { candidateKind } from './datasetFiles';
import { DatasetNode, type DatasetsTree } from './datasetsTree';
import { activationsSpec, strongPickItems, weakPickItems, type ModelPickItem } from './models';
import { revealLine } from './editorProviders';
import { revealTarget, rowAtLine } from './rowIndex';
import { activeFileUri } from './statusBar';
import { syntheticJsonl } from './syntheticJsonl';

/** The bounds of the GloVe vocabulary size K (the request table's). */
const K = REQUEST_OPTIONS.weakVocabulary;

export type Cmd = (...args: unknown[]) => unknown;

export { compareSources } from './compareSources';

/** The dataset a command acts on: its argument, the active file, or the user's pick. Files on disk only. */
export async function targetDataset(tree: DatasetsTree, arg: unknown, verb: string): Promise<vscode.Uri | undefined> {
  const uri = await pickTarget(tree, arg, verb);
  if (uri && uri.scheme !== 'file') {
    void notify.showInformationMessage(`${verb} needs a file on disk (this one is ${uri.scheme}:); open the folder locally or through VS Code Remote.`);
    return undefined;
  }
  return uri;
}

async function pickTarget(tree: DatasetsTree, arg: unknown, verb: string): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  if (arg instanceof DatasetNode) return arg.uri;
  if (typeof arg === 'string' && arg !== '') return vscode.Uri.file(arg);
  const active = activeFileUri();
  if (active && active.scheme === 'file' && candidateKind(active.fsPath) !== 'never') return active;
  const files = await tree.datasetFiles();
  if (files.length === 0) {
    void notify.showInformationMessage('No dataset files found in this workspace (JSONL, JSON, CSV, TSV, Parquet, WRENCH, SST).');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    files.map((f) => ({ label: path.basename(f.path), description: vscode.workspace.asRelativePath(path.dirname(f.path)), detail: f.format, file: f.path })),
    // Kept open on focus loss: a walkthrough button opens it, and the walkthrough then ticks its step and moves focus
    // to the next one, which closed the picker before the user could answer (seen in the packaged-extension e2e).
    { title: `${verb}: which dataset?`, matchOnDescription: true, ignoreFocusOut: true },
  );
  return pick ? vscode.Uri.file(pick.file) : undefined;
}

export function analyze(ctx: Ctx, tree: DatasetsTree): Cmd {
  return async (arg?: unknown) => {
    const uri = await targetDataset(tree, arg, 'Analyze Dataset');
    if (uri) await analyzeWithProgress(ctx, { file: uri.fsPath });
  };
}

async function pickFile(title: string, filters: Record<string, string[]>, near: vscode.Uri): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ title, filters, canSelectMany: false, defaultUri: vscode.Uri.file(path.dirname(near.fsPath)) });
  return picked?.[0]?.fsPath;
}

async function pickModel<Id extends string>(title: string, items: ModelPickItem<Id>[]): Promise<Id | undefined> {
  const pick = await vscode.window.showQuickPick(items, { title, matchOnDetail: true });
  return pick?.id;
}

export function analyzeWithModels(ctx: Ctx, tree: DatasetsTree): Cmd {
  return async (arg?: unknown) => {
    const uri = await targetDataset(tree, arg, 'Analyze with Models');
    if (!uri) return;
    const { sniffDataset } = await import('../core/data');
    const fields: FieldMap = await sniffDataset(uri.fsPath).then((s) => s.fields, () => ({}));
    const onnxFilter = { 'ONNX models': ['onnx'] };
    const actsFilter = { Activations: ['npy', 'safetensors'] };

    const weakId = await pickModel('Weak model (1/2)', weakPickItems(fields, ctx.config.models.weakVocabulary));
    if (!weakId) return;
    let weak: ModelSpec;
    switch (weakId) {
      case 'bundled': {
        const k = await vscode.window.showInputBox({
          title: 'GloVe vocabulary size K (the weak capacity)',
          value: String(ctx.config.models.weakVocabulary),
          validateInput: (v) => (/^\d+$/.test(v) && +v >= K.min && +v <= K.max ? undefined : `a whole number from ${K.min} to ${K.max}`),
        });
        if (!k) return;
        weak = { kind: 'bundled', id: 'glove-mean', vocab: Number(k) };
        break;
      }
      case 'onnx': {
        const p = await pickFile('Weak ONNX model', onnxFilter, uri);
        if (!p) return;
        weak = { kind: 'onnx', path: p };
        break;
      }
      case 'activations': {
        const p = await pickFile('Weak activations', actsFilter, uri);
        if (!p) return;
        weak = activationsSpec(p);
        break;
      }
      case 'field':
        weak = { kind: 'field', field: fields.weakActs! };
        break;
      case 'votes':
      case 'label-model':
        weak = { kind: 'votes', ...(fields.weakLabels ? { field: fields.weakLabels } : {}), ...(weakId === 'label-model' ? { aggregate: 'dawid-skene' as const } : {}) };
        break;
      case 'probabilities': {
        const f = await vscode.window.showInputBox({ title: 'Probability column', value: fields.weakProbs ?? ctx.config.models.weakField, validateInput: (v) => (v.trim() ? undefined : 'a field name') });
        if (!f) return;
        weak = { kind: 'probabilities', field: f.trim() };
        break;
      }
    }
    const strongId = await pickModel('Strong model (2/2)', strongPickItems(fields));
    if (!strongId) return;
    let strong: ModelSpec;
    switch (strongId) {
      case 'bundled':
        strong = { kind: 'bundled', id: 'use-lite' };
        break;
      case 'onnx': {
        const p = await pickFile('Strong ONNX model', onnxFilter, uri);
        if (!p) return;
        strong = { kind: 'onnx', path: p };
        break;
      }
      case 'activations': {
        const p = await pickFile('Strong activations', actsFilter, uri);
        if (!p) return;
        strong = activationsSpec(p);
        break;
      }
      case 'field':
        strong = { kind: 'field', field: fields.strongActs! };
        break;
    }
    await analyzeWithProgress(ctx, { file: uri.fsPath, weak, strong });
  };
}

export function showReport(ctx: Ctx, tree: DatasetsTree): Cmd {
  return async (arg?: unknown) => {
    const uri = await targetDataset(tree, arg, 'Show Report');
    if (!uri) return;
    const entry = await ctx.results.get(uri.fsPath);
    if (!entry) {
      const choice = await notify.showInformationMessage(`${path.basename(uri.fsPath)} has not been analysed yet.`, 'Analyze Dataset');
      if (choice) await analyzeWithProgress(ctx, { file: uri.fsPath });
      return;
    }
    try {
      ctx.reports.show({ result: entry.original, resultPath: entry.resultPath });
    } catch (e) {
      reportError(ctx, e);
    }
  };
}

export function toggleHighlights(ctx: Ctx): Cmd {
  return async () => {
    const section = vscode.workspace.getConfiguration('overlapDensity');
    const info = section.inspect<boolean>('decorations.enabled');
    const target =
      info?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : info?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    const next = !ctx.config.decorations.enabled;
    await section.update('decorations.enabled', next, target);
    vscode.window.setStatusBarMessage(`Overlap highlights ${next ? 'on' : 'off'}`, 3000);
  };
}

export function annotate(ctx: Ctx, tree: DatasetsTree): Cmd {
  return async (arg?: unknown) => {
    const uri = await targetDataset(tree, arg, 'Annotate Dataset');
    if (!uri) return;
    try {
      await annotateDataset(ctx, uri);
    } catch (e) {
      reportError(ctx, e);
    }
  };
}

export function toggleFlag(ctx: Ctx): Cmd {
  return async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.scheme !== 'file') {
      void notify.showInformationMessage('Put the cursor on a row of an analysed dataset to flag it.');
      return;
    }
    const doc = editor.document;
    const entry = await ctx.results.get(doc.uri.fsPath);
    if (!entry) {
      void notify.showInformationMessage(`${path.basename(doc.uri.fsPath)} has not been analysed yet: flags belong to analysed rows.`);
      return;
    }
    if ((await ctx.results.freshness(doc, entry)) === 'stale') {
      void notify.showWarningMessage('This file changed since it was analysed; analyse it again before flagging rows.');
      return;
    }
    const line = editor.selection.active.line + 1;
    const k = rowAtLine(entry.index, line, doc.lineCount);
    if (k < 0) {
      void notify.showInformationMessage(`Line ${line} is not an analysed row.`);
      return;
    }
    const row = entry.result.rows[k]!;
    try {
      const flagged = await ctx.results.toggleFlag(entry, row);
      vscode.window.setStatusBarMessage(`Row ${row.index} (line ${row.line ?? line}) ${flagged ? 'flagged' : 'unflagged'}`, 3000);
    } catch (e) {
      reportError(ctx, e);
    }
  };
}

/** Choose Columns...: asks for the text, label (and header row) of a dataset, remembers it, offers to analyse. */
export function chooseColumns(ctx: Ctx, tree: DatasetsTree): Cmd {
  return async (arg?: unknown) => {
    const uri = await targetDataset(tree, arg, 'Choose Columns');
    if (!uri) return;
    const file = uri.fsPath;
    const choice = await pickColumns(file, storedColumns(ctx, file));
    if (!choice) return;
    await storeColumns(ctx, file, choice);
    ctx.output.info(`${file}: columns ${describeColumns(choice)}`);
    const go = await notify.showInformationMessage(`${path.basename(file)}: ${describeColumns(choice)}.`, 'Analyze Now');
    if (go) await analyzeWithProgress(ctx, { file });
  };
}

export function setBaseline(ctx: Ctx, tree: DatasetsTree, alarms: Alarms): Cmd {
  return async (arg?: unknown) => {
    const uri = await targetDataset(tree, arg, 'Set as Baseline');
    if (uri) await alarms.setBaseline(uri.fsPath);
  };
}

export function compareWithEarlier(ctx: Ctx, tree: DatasetsTree): Cmd {
  return async (arg?: unknown) => {
    const uri = await targetDataset(tree, arg, 'Compare with an Earlier Result');
    if (!uri) return;
    const entry = await ctx.results.get(uri.fsPath);
    if (!entry) {
      void notify.showInformationMessage(`${path.basename(uri.fsPath)} has no results yet: analyse it first.`);
      return;
    }
    const { pickAndCompare } = await import('./compareResults');
    await pickAndCompare(uri.fsPath, entry.original).catch((e) => reportError(ctx, e));
  };
}

export function clearResults(ctx: Ctx, tree: DatasetsTree): Cmd {
  return async (arg?: unknown) => {
    const uri = await targetDataset(tree, arg, 'Clear Results');
    if (!uri) return;
    const name = path.basename(uri.fsPath);
    if (!(await ctx.results.get(uri.fsPath))) {
      void notify.showInformationMessage(`${name} has no results to clear.`);
      return;
    }
    const choice = await notify.showWarningMessage(
      `Delete the overlap results of ${name}? Flags are kept; analysing again recreates the results.`,
      { modal: true },
      'Delete Results',
    );
    if (choice !== 'Delete Results') return;
    await ctx.results.clear(uri.fsPath);
    vscode.window.setStatusBarMessage(`Overlap results of ${name} deleted`, 3000);
  };
}

export interface SyntheticArgs {
  scenario?: Scenario;
  nOverlap?: number;
  nNonOverlap?: number;
  seed?: number;
  /** Where to write; asked for when absent. */
  path?: string;
  /** Open the file after writing (default true). */
  open?: boolean;
}

const intInput = (v: string) => (/^\d+$/.test(v.trim()) ? undefined : 'a whole number');

export function generateSyntheticDataset(ctx: Ctx): Cmd {
  return async (arg?: unknown) => {
    const a: SyntheticArgs = arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as SyntheticArgs) : {};
    const scenario =
      a.scenario ??
      (
        await vscode.window.showQuickPick(
          [
            { label: 'mixed', description: 'easy-only, hard-only and overlap rows', detail: 'The paper\'s main setting: half of the non-overlap rows easy-only, half hard-only.' },
            { label: 'easy', description: 'easy-only and overlap rows' },
            { label: 'hard', description: 'hard-only and overlap rows' },
          ],
          { title: 'Synthetic dataset (the paper\'s Gaussian mixture): scenario' },
        )
      )?.label;
    if (!scenario) return;
    const ask = async (title: string, value: number) => {
      const v = await vscode.window.showInputBox({ title, value: String(value), validateInput: intInput });
      return v === undefined ? undefined : Number(v.trim());
    };
    const nOverlap = a.nOverlap ?? (await ask('Overlap rows', 300));
    if (nOverlap === undefined) return;
    const nNonOverlap = a.nNonOverlap ?? (await ask('Non-overlap rows', 600));
    if (nNonOverlap === undefined) return;
    const seed = a.seed ?? (await ask('Seed', 0));
    if (seed === undefined) return;
    let target = a.path;
    if (!target) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = `synthetic-${scenario}-${nOverlap}-${nNonOverlap}-seed${seed}.jsonl`;
      const picked = await vscode.window.showSaveDialog({
        title: 'Save synthetic dataset',
        filters: { JSONL: ['jsonl'] },
        ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
      });
      if (!picked) return;
      target = picked.fsPath;
    }
    try {
      const data = generateSynthetic({ scenario: scenario as Scenario, nOverlap, nNonOverlap, seed });
      await writeFileAtomic(target, syntheticJsonl(data));
      ctx.output.info(`wrote synthetic ${scenario} dataset (${nOverlap} overlap, ${nNonOverlap} non-overlap rows, seed ${seed}) to ${target}`);
    } catch (e) {
      reportError(ctx, e);
      return;
    }
    if (a.open !== false) {
      await vscode.window.showTextDocument(vscode.Uri.file(target));
      void notify
        .showInformationMessage(`Wrote ${nOverlap + nNonOverlap} synthetic rows with weak/strong activations and ground truth to ${path.basename(target)}.`, 'Analyze Dataset')
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand('overlapDensity.analyze', vscode.Uri.file(target));
        });
    }
    return target;
  };
}

const DEVICES: { id: DeviceChoice; label: string; detail: string }[] = [
  { id: 'auto', label: 'Automatic', detail: 'The best available: CUDA, DirectML, CoreML, WebGPU, then CPU.' },
  { id: 'cpu', label: 'CPU', detail: 'Always available.' },
  { id: 'cuda', label: 'CUDA', detail: 'NVIDIA GPU on Linux; needs the CUDA build of onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=cuda12).' },
  { id: 'dml', label: 'DirectML', detail: 'Any DirectX 12 GPU on Windows.' },
  { id: 'coreml', label: 'CoreML', detail: 'Apple silicon / macOS.' },
  { id: 'webgpu', label: 'WebGPU', detail: 'A GPU through WebGPU (Dawn).' },
];

export function selectDevice(ctx: Ctx): Cmd {
  return async () => {
    const current = ctx.config.device;
    const lastRan = ctx.results.analysedPaths().map((p) => ctx.results.peek(p)?.result.device).find((d) => d && d !== 'none');
    const pick = await vscode.window.showQuickPick(
      DEVICES.map((d) => ({ ...d, description: d.id === current ? '(current)' : undefined, picked: d.id === current })),
      {
        title: `Compute device for encoders and the alignment kernel${lastRan ? ` (last analysis ran on ${lastRan})` : ''}`,
        placeHolder: 'A device that is missing or fails falls back to CPU; each result records which one ran.',
        ignoreFocusOut: true, // opened from a walkthrough button too, which ticks its step and moves focus
      },
    );
    if (!pick) return;
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration('overlapDensity').update('device', pick.id, target);
    vscode.window.setStatusBarMessage(`Overlap Density device: ${pick.label}`, 3000);
  };
}

export function refreshDatasets(tree: DatasetsTree): Cmd {
  return () => tree.refresh();
}

/**
 * Target of the hover's "nearest hard-only row" link, arguments [dataset path, dataset row index]. A hover's link can
 * be forged by text in the data, so the command goes only to a row of a dataset whose results are loaded; anything
 * else is refused with a line in the output channel.
 */
export function revealRow(ctx: Ctx): Cmd {
  return async (datasetPath?: unknown, rowIndex?: unknown) => {
    const entry = typeof datasetPath === 'string' ? ctx.results.peek(datasetPath) : undefined;
    const target = revealTarget(entry, rowIndex);
    if ('refused' in target) {
      ctx.output.warn(`reveal row refused (${target.refused}): ${JSON.stringify([datasetPath, rowIndex]).slice(0, 200)}`);
      return;
    }
    await revealLine(vscode.Uri.file(entry!.datasetPath), target.line);
  };
}
