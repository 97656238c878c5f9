/**
 * Activation: build the context, register commands, providers and views. Nothing here loads onnxruntime or reads
 * a dataset; the inference worker starts inside an analysis only (see analyze.ts).
 */
import * as vscode from 'vscode';
import { Alarms } from './alarms';
import { registerMarkdownPages } from './markdownPage';
import * as commands from './commands';
import { Ctx } from './ctx';
import { curateTrainingSet } from './curate';
import { DatasetsTree } from './datasetsTree';
import { Decorations } from './decorations';
import { REVEAL_ROW_COMMAND, RowHoverProvider, SummaryCodeLensProvider } from './editorProviders';
import { RegimeStatus } from './statusBar';

let ctx: Ctx | undefined;

export function activate(extCtx: vscode.ExtensionContext): void {
  const t0 = performance.now();
  const c = new Ctx(extCtx);
  ctx = c;
  c.push(c.results.onDidProblem((msg) => c.output.warn(msg)));

  const alarms = new Alarms(c);
  const tree = new DatasetsTree(c, alarms);
  const treeView = vscode.window.createTreeView('overlapDensity.datasets', { treeDataProvider: tree, showCollapseAll: false });
  c.push(tree, treeView, new Decorations(c), new RegimeStatus(c), alarms, c);

  // Every file: only documents with results get anything, and the providers answer from a cache.
  const selector: vscode.DocumentSelector = { scheme: 'file' };
  c.push(
    vscode.languages.registerHoverProvider(selector, new RowHoverProvider(c)),
    vscode.languages.registerCodeLensProvider(selector, new SummaryCodeLensProvider(c)),
  );

  const register: Record<string, commands.Cmd> = {
    'overlapDensity.analyze': commands.analyze(c, tree),
    'overlapDensity.analyzeWithModels': commands.analyzeWithModels(c, tree),
    'overlapDensity.showReport': commands.showReport(c, tree),
    'overlapDensity.toggleHighlights': commands.toggleHighlights(c),
    'overlapDensity.annotate': commands.annotate(c, tree),
    'overlapDensity.toggleFlag': commands.toggleFlag(c),
    'overlapDensity.clearResults': commands.clearResults(c, tree),
    'overlapDensity.setBaseline': commands.setBaseline(c, tree, alarms),
    'overlapDensity.compareWithEarlier': commands.compareWithEarlier(c, tree),
    'overlapDensity.chooseColumns': commands.chooseColumns(c, tree),
    'overlapDensity.generateSynthetic': commands.generateSyntheticDataset(c),
    'overlapDensity.compareSources': commands.compareSources(c, tree),
    'overlapDensity.curate': curateTrainingSet(c, (arg, verb) => commands.targetDataset(tree, arg, verb)),
    'overlapDensity.selectDevice': commands.selectDevice(c),
    'overlapDensity.refreshDatasets': commands.refreshDatasets(tree),
    [REVEAL_ROW_COMMAND]: commands.revealRow(c),
  };
  for (const [id, fn] of Object.entries(register)) c.push(vscode.commands.registerCommand(id, fn));

  c.push(registerMarkdownPages());

  const ms = performance.now() - t0;
  const ort = Object.keys(require.cache).some((k) => k.includes('onnxruntime'));
  c.output.info(`activated in ${ms.toFixed(1)} ms (onnxruntime ${ort ? 'LOADED' : 'not loaded'})`);
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}
