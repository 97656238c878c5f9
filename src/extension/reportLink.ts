/**
 * The one place that wires the report webview (src/extension/report, its own owner) to the editor side: the
 * panel reveals rows, reads and sets flags, and tells the editor about thresholds moved on its charts. The
 * context object (ctx.ts) calls it once and holds the panel hosts it returns.
 */
import * as vscode from 'vscode';
import { ReportPanels, SelectionPanels } from './report';
import { FilePanelStore } from './report/panelStore';
import type { Ctx } from './ctx';
import { revealLine } from './editorProviders';

/** The hosts of both panel kinds, their serializers registered, flag changes forwarded to the open reports. */
export function createPanelHosts(ctx: Ctx): { reports: ReportPanels; selections: SelectionPanels } {
  const uri = ctx.extCtx.extensionUri;
  // Restore states by panel title, on the extension host's disk (a reload in VS Code for the Web can lose the pages').
  const store = new FilePanelStore(ctx.extCtx.storageUri?.fsPath ?? ctx.extCtx.globalStorageUri.fsPath);
  const reports = new ReportPanels(uri, {
    revealRow: (datasetPath, line) => revealLine(vscode.Uri.file(datasetPath), line),
    onThresholdsChanged: (datasetPath, t1, t2, categories) => {
      void ctx.results.setMovedThresholds(datasetPath, { t1, t2 }, categories);
    },
    setFlag: (datasetPath, row, flagged) => ctx.results.setFlag(datasetPath, row, flagged),
    getFlags: (datasetPath) => ctx.results.flagsOf(datasetPath),
  }, store);
  const selections = new SelectionPanels(uri, store);
  ctx.push(reports, selections, ctx.results.onDidChangeFlags(({ datasetPath, flagged }) => reports.flagsChanged(datasetPath, flagged)));
  return { reports, selections };
}
