/**
 * The one place that wires the report webview (src/extension/report, its own owner) to the editor side: the
 * panel reveals rows, reads and sets flags, and tells the editor about thresholds moved on its charts.
 */
import * as vscode from 'vscode';
import type { AnalysisResult } from '../core/result/schema';
import { registerReport, ReportPanel } from './report';
import type { Ctx } from './ctx';
import { revealLine } from './editorProviders';

export function registerReportPanel(ctx: Ctx): void {
  ctx.push(
    registerReport(ctx.extCtx, {
      revealRow: (datasetPath, line) => revealLine(vscode.Uri.file(datasetPath), line),
      onThresholdsChanged: (datasetPath, t1, t2, categories) => {
        void ctx.results.setMovedThresholds(datasetPath, { t1, t2 }, categories);
      },
      setFlag: (datasetPath, row, flagged) => ctx.results.setFlag(datasetPath, row, flagged),
      getFlags: (datasetPath) => ctx.results.flagsOf(datasetPath),
    }),
  );
  ctx.push(ctx.results.onDidChangeFlags(({ datasetPath, flagged }) => ReportPanel.flagsChanged(datasetPath, flagged)));
}

export function showReportPanel(result: AnalysisResult, resultPath: string): void {
  ReportPanel.show(result, resultPath);
}
