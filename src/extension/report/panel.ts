/**
 * The dataset report panel: one per analysed dataset, on the generic panel host (host.ts), which owns the panels,
 * the page, the protocol server and the serializer. Here: where a report opens (placement.ts), its state (the
 * result, moved thresholds, row texts) and the answers to the page's requests (src/protocol, RequestMap).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as notify from '../notify';
import type { CategoryName } from '../../core/detect/types';
import type { DatasetFormat } from '../../core/data';
import { loadReportAssets } from '../../core/report/assets';
import { renderHtmlReport } from '../../core/report/html';
import { partition } from '../../core/report/partition';
import { exportRowsFile, rowExportFileName } from '../../core/report/rowExport';
import type { AnalysisResult } from '../../core/result/schema';
import { loadResult } from '../../pipeline/results';
import { datasetFileOf, reportTexts } from '../../pipeline/rowTexts';
import { categoriesForRows, toColumns, toReportInit } from '../../protocol/columns';
import type { ChartId, EventMap, ReportColumns, ReportInit, RequestMap, Thresholds } from '../../protocol/messages';
import type { Handlers } from '../../protocol/rpc';
import { RowTexts } from './rowTexts';
import { resultFileRestore, WebviewPanelHost, type HostedPanel, type PanelKind, type PanelStateStore, type PanelView, type ResultFile } from './host';
import { reportColumn } from './placement';
import { saveWithDialog } from './saveDialog';
import { listHistory } from '../../pipeline/history';

/** What the report needs from the rest of the extension (wired by reportLink.ts). */
export interface ReportDeps {
  /** Open the dataset and put the cursor on this 1-based line. */
  revealRow(datasetPath: string, line: number): Promise<void>;
  /** The user settled on new thresholds: categories are aligned with `result.rows` (null outside W2S-train). */
  onThresholdsChanged(datasetPath: string, t1: number, t2: number | null, categories: (CategoryName | null)[]): void;
  /** Flag or unflag a dataset row; resolves to every flagged row index of the dataset. */
  setFlag(datasetPath: string, row: { index: number; line?: number }, flagged: boolean): Promise<number[]>;
  /** The flagged row indices of a dataset. */
  getFlags(datasetPath: string): Promise<number[]>;
}

export { datasetFileOf };

export const REPORT_VIEW_TYPE = 'overlapDensity.report';

/** A dataset's report: a results file and the result it holds. */
export type ReportContent = ResultFile<AnalysisResult>;
export type HostedReport = HostedPanel<ReportContent, RequestMap, EventMap, ReportPanel>;

/** The report panels, one per dataset (the context object holds the one instance). */
export class ReportPanels extends WebviewPanelHost<ReportContent, RequestMap, EventMap, ReportPanel> {
  constructor(extensionUri: vscode.Uri, deps: ReportDeps, store?: PanelStateStore) {
    super(reportKind(extensionUri, deps), extensionUri, store);
  }

  /** The panel of a dataset, if open (tests, commands). */
  forDataset(datasetPath: string): HostedReport | undefined {
    return this.all().find((p) => p.view.datasetPath === datasetPath);
  }

  /** The editor's Flag command changed flags: refresh the table of that dataset's panel. */
  flagsChanged(datasetPath: string, flagged: number[]): void {
    for (const p of this.all()) if (p.view.datasetPath === datasetPath) p.emit('flags', { flagged });
  }
}

function reportKind(extensionUri: vscode.Uri, deps: ReportDeps): PanelKind<ReportContent, RequestMap, ReportPanel> {
  return {
    viewType: REPORT_VIEW_TYPE,
    page: 'report',
    keyOf: ({ result, resultPath }) => panelKey(result, resultPath),
    titleOf: ({ result }) => titleOf(result),
    columnOf: ({ result, resultPath }, reportColumns) => {
      const datasetPath = panelKey(result, resultPath);
      return reportColumn({
        reportColumns,
        datasetColumn: vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'file' && e.document.uri.fsPath === datasetPath)?.viewColumn,
        activeEditorColumn: vscode.window.activeTextEditor?.viewColumn,
      });
    },
    revealPreservesFocus: true,
    createView: (panel, content) => new ReportPanel(panel, extensionUri, deps, content),
    ...resultFileRestore(loadResult),
    noStateMessage: 'This report has no saved state. Run "Overlap Density: Show Report" again.',
    restoreFailedMessage: 'The report could not be restored',
  };
}

/** One dataset report: its state and the answers to its page's requests. */
export class ReportPanel implements PanelView<ReportContent, RequestMap> {
  private result!: AnalysisResult;
  private resultPath!: string;
  private columns!: ReportColumns;
  private texts: RowTexts | null = null;
  /** Thresholds the user moved to (null: the detected ones); kept here so a re-shown page gets them back. */
  private thresholds: Thresholds | null = null;
  readonly handlers: Handlers<RequestMap>;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly deps: ReportDeps,
    content: ReportContent,
  ) {
    this.update(content);
    this.handlers = this.makeHandlers();
  }

  /**
   * The dataset file: beside the results (`<dir>/.overlap/<name>.result.json` -> `<dir>/<name>`) when it is
   * there, so a moved or copied folder still works; otherwise the path recorded in the result.
   */
  get datasetPath(): string {
    return datasetFileOf(this.result, this.resultPath) ?? this.resultPath;
  }

  /** The init message the page gets (tests). */
  async init(): Promise<ReportInit> {
    const history = this.hasDataset() ? await listHistory(this.datasetPath).then((l) => l.entries, () => []) : [];
    return {
      ...toReportInit(this.result, this.resultPath, {
        thresholds: this.thresholds,
        flagged: this.hasDataset() ? await this.deps.getFlags(this.datasetPath).catch(() => []) : [],
        textsUnavailable: this.textsUnavailable(),
      }),
      history: history.map((e) => ({ createdAt: e.createdAt, density: e.density, pgr: e.pgr, regime: e.regime, sha256: e.sha256 })),
    };
  }

  update({ result, resultPath }: ReportContent): boolean {
    const changed = !this.result || this.result.createdAt !== result.createdAt || this.resultPath !== resultPath;
    this.result = result;
    this.resultPath = resultPath;
    this.columns = toColumns(result);
    if (changed) {
      this.thresholds = null;
      const p = datasetFileOf(result, resultPath);
      this.texts = p && fs.existsSync(p) ? new RowTexts(p, result.dataset.format as DatasetFormat | undefined) : null;
    }
    return changed;
  }

  private hasDataset(): boolean {
    return datasetFileOf(this.result, this.resultPath) !== undefined;
  }

  private textsUnavailable(): string | null {
    const p = datasetFileOf(this.result, this.resultPath);
    if (!p) return 'the result names no dataset file, so row texts cannot be shown';
    if (!this.texts) return `dataset file not found: ${p}`;
    return null;
  }

  private makeHandlers(): Handlers<RequestMap> {
    return {
      ready: () => this.init(),
      texts: async ({ indices, maxChars }) => {
        if (!this.texts) throw new Error(this.textsUnavailable() ?? 'no texts');
        return { texts: await this.texts.get(indices, maxChars) };
      },
      search: async ({ query }) => {
        if (!this.texts) throw new Error(this.textsUnavailable() ?? 'no texts');
        return { indices: await this.texts.search(query) };
      },
      reveal: async ({ index }) => {
        if (!this.hasDataset()) throw new Error('the result names no dataset file');
        const p = this.datasetPath;
        const line = await this.lineOf(index);
        if (line < 1) throw new Error(`row ${index + 1} has no known line in ${path.basename(p)}`);
        await this.focusDatasetGroup(p);
        await this.deps.revealRow(p, line);
        return { revealed: true };
      },
      thresholds: ({ t1, t2 }) => {
        const d = this.result.detection;
        this.thresholds = t1 === d.confidenceThreshold && t2 === d.alignThreshold ? null : { t1, t2 };
        const part = partition({ confidence: this.columns.confidence, alignment: this.columns.alignment, hardRule: d.hardRule }, t1, t2);
        this.deps.onThresholdsChanged(this.datasetPath, t1, t2, categoriesForRows(this.result, this.columns, part.categories));
        return { applied: true };
      },
      flag: async ({ index, flagged }) => {
        if (!this.hasDataset()) throw new Error('the result names no dataset file');
        const p = this.datasetPath;
        const line = await this.lineOf(index);
        return { flagged: await this.deps.setFlag(p, { index, ...(line > 0 ? { line } : {}) }, flagged) };
      },
      exportChart: async ({ chart, format, data }) => ({ path: await this.save(`${this.baseName()}.${chart}.${format}`, chartFilter(chart, format), typeof data === 'string' ? Buffer.from(data, 'utf8') : data) }),
      exportRows: async ({ format, indices, categories, what }) => {
        const texts = this.texts ? await this.texts.all().catch(() => null) : null;
        const flagged = new Set(this.hasDataset() ? await this.deps.getFlags(this.datasetPath).catch(() => []) : []);
        const body = exportRowsFile(format, { result: this.result, indices, categories, texts, flagged });
        const name = rowExportFileName(this.baseName(), what, format);
        return { path: await this.save(name, { [format === 'csv' ? 'CSV' : 'JSON Lines']: [format] }, Buffer.from(body, 'utf8')), rows: indices.length };
      },
      exportReport: async ({ format }) => {
        if (format === 'json') {
          return { path: await this.save(`${this.baseName()}.result.json`, { 'Results JSON': ['json'] }, Buffer.from(JSON.stringify(this.result, null, 1), 'utf8')) };
        }
        // The same rule as the CLI's report: texts only from the dataset as analysed (same sha256), read the same way.
        const got = await reportTexts(this.result, this.resultPath, { requireHash: false });
        if (!got.texts) void notify.showInformationMessage(`Overlap Density: the HTML report is written without row texts: ${got.reason}.`);
        const html = renderHtmlReport(this.result, { ...(got.texts ? { texts: got.texts } : {}), assets: loadReportAssets(this.extensionUri.fsPath) });
        return { path: await this.save(`${this.baseName()}.report.html`, { 'HTML report': ['html'] }, Buffer.from(html, 'utf8')) };
      },
    };
  }

  /**
   * Makes the editor group that shows the dataset (or, if none does, a group other than the panel's) the active
   * one, so revealing a row never replaces the report in its own group.
   */
  private async focusDatasetGroup(datasetPath: string): Promise<void> {
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'file' && e.document.uri.fsPath === datasetPath);
    const column = shown?.viewColumn ?? (this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    const doc = shown?.document ?? (await vscode.workspace.openTextDocument(vscode.Uri.file(datasetPath)));
    await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: false, preview: false });
  }

  private rowLines: Map<number, number> | null = null;

  private async lineOf(index: number): Promise<number> {
    if (!this.rowLines) {
      this.rowLines = new Map();
      for (const r of this.result.rows) if (r.line !== undefined) this.rowLines.set(r.index, r.line);
    }
    const line = this.rowLines.get(index);
    if (line !== undefined) return line;
    return this.texts ? this.texts.line(index).catch(() => -1) : -1;
  }

  private baseName(): string {
    return path.basename(this.resultPath).replace(/(\.result)?\.json$/, '');
  }

  private save(name: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<string | null> {
    return saveWithDialog(path.join(path.dirname(this.resultPath), name), filters, bytes);
  }
}

function panelKey(result: AnalysisResult, resultPath: string): string {
  return datasetFileOf(result, resultPath) ?? resultPath;
}

function titleOf(result: AnalysisResult): string {
  return `Overlap: ${path.basename(result.dataset.path ?? 'dataset')}`;
}

function chartFilter(chart: ChartId, format: 'svg' | 'png'): Record<string, string[]> {
  return { [`${chart} chart (${format.toUpperCase()})`]: [format] };
}
