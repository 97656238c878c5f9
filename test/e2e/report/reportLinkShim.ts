/**
 * Test-only stand-in for src/extension/reportLink.ts while that file does not wire the report panel yet: the
 * report e2e bundles the extension with this module in its place (see devExtension.ts). It wires the report
 * the way DESIGN.md intends: reveal through the extension's reveal command, flags through the results store.
 * Delete it (and devExtension.ts) once reportLink.ts calls registerReport itself.
 */
import * as vscode from 'vscode';
import type { AnalysisResult } from '../../../src/core/report/schema';
import type { Ctx } from '../../../src/extension/ctx';
import { REVEAL_ROW_COMMAND } from '../../../src/extension/editorProviders';
import * as report from '../../../src/extension/report';

export interface ReportModule {
  ReportPanel: { show(result: AnalysisResult, resultPath: string): unknown };
}

export async function loadReportModule(): Promise<ReportModule | undefined> {
  return report;
}

export function registerReportPanel(ctx: Ctx): void {
  report.registerReport(ctx.extCtx, {
    revealRow: async (datasetPath, line) => {
      await vscode.commands.executeCommand(REVEAL_ROW_COMMAND, vscode.Uri.file(datasetPath).toString(), line);
    },
    onThresholdsChanged: (datasetPath, t1, t2, categories) => {
      ctx.output.info(`report: thresholds for ${datasetPath}: t1 ${t1}, t2 ${t2}, overlap rows ${categories.filter((c) => c === 'overlap').length}`);
    },
    setFlag: async (datasetPath, row, flagged) => {
      const entry = await ctx.results.get(datasetPath);
      if (!entry) throw new Error(`${datasetPath} has no results`);
      if (entry.flagged.has(row.index) !== flagged) await ctx.results.toggleFlag(entry, row);
      return [...entry.flagged];
    },
    getFlags: async (datasetPath) => [...((await ctx.results.get(datasetPath))?.flagged ?? [])],
  });
}
