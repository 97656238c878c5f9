/**
 * The one place that knows the report webview (src/extension/report, its own owner). Loaded lazily so the panel's
 * code is evaluated on first use; until that module exists, Show Report opens the results JSON instead.
 */
import type { AnalysisResult } from '../core/report/schema';
import type { Ctx } from './ctx';

export interface ReportModule {
  ReportPanel: { show(result: AnalysisResult, resultPath: string): unknown };
}

export async function loadReportModule(): Promise<ReportModule | undefined> {
  return undefined;
}

export function registerReportPanel(ctx: Ctx): void {
  void ctx;
}
