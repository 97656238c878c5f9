/**
 * The report panel host (webview-sample shape): one panel per analysed dataset, a disposables list, the HTML
 * with CSP and nonce, the typed protocol (src/protocol) to the page, and a serializer that restores panels after
 * a window reload from the state the page keeps (the results file path), not retainContextWhenHidden.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
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
import type { ChartId, ReportColumns, ReportInit, Thresholds } from '../../protocol/messages';
import { RpcServer, type Handlers } from '../../protocol/rpc';
import { RowTexts } from './rowTexts';
import { registerSelectionReport } from './selectionPanel';
import { reportColumn } from './placement';
import { saveWithDialog } from './saveDialog';
import { messageHtml, webviewHtml, webviewOptions } from './webviewHtml';
import { listHistory } from '../../pipeline/history';

/** What the report needs from the rest of the extension (wired in main.ts by the editor side). */
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

interface Registration {
  extensionUri: vscode.Uri;
  deps: ReportDeps;
}

let registration: Registration | undefined;

export class ReportPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, ReportPanel>();

  private result!: AnalysisResult;
  private resultPath!: string;
  private columns!: ReportColumns;
  private texts: RowTexts | null = null;
  /** Thresholds the user moved to (null: the detected ones); kept here so a re-shown page gets them back. */
  private thresholds: Thresholds | null = null;
  private readonly server: RpcServer;
  private readonly disposables: vscode.Disposable[] = [];

  /** Opens (or reveals and refreshes) the report of this result's dataset. */
  static show(result: AnalysisResult, resultPath: string): ReportPanel {
    const reg = requireRegistration();
    const key = panelKey(result, resultPath);
    const existing = ReportPanel.panels.get(key);
    if (existing) {
      existing.setResult(result, resultPath, true);
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const datasetPath = panelKey(result, resultPath);
    const column = reportColumn({
      reportColumns: [...ReportPanel.panels.values()].map((p) => p.panel.viewColumn),
      datasetColumn: vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'file' && e.document.uri.fsPath === datasetPath)?.viewColumn,
      activeEditorColumn: vscode.window.activeTextEditor?.viewColumn,
    });
    const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, titleOf(result), { viewColumn: column, preserveFocus: false }, webviewOptions(reg.extensionUri));
    return new ReportPanel(panel, reg, result, resultPath);
  }

  /** The editor's Flag command changed flags: refresh the table of that dataset's panel. */
  static flagsChanged(datasetPath: string, flagged: number[]): void {
    for (const p of ReportPanel.panels.values()) if (p.datasetPath === datasetPath) p.server.emit('flags', { flagged });
  }

  /** The panel for a dataset, if open (tests, commands). */
  static get(datasetPath: string): ReportPanel | undefined {
    return [...ReportPanel.panels.values()].find((p) => p.datasetPath === datasetPath);
  }

  /** Restores a panel after a reload: the page's saved state names the results file. */
  static async revive(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const reg = requireRegistration();
    const resultPath = (state as { resultPath?: unknown } | undefined)?.resultPath;
    panel.webview.options = webviewOptions(reg.extensionUri);
    if (typeof resultPath !== 'string' || !resultPath) {
      panel.webview.html = messageHtml('This report has no saved state. Run "Overlap Density: Show Report" again.');
      return;
    }
    try {
      const result = await loadResult(resultPath);
      const existing = ReportPanel.panels.get(panelKey(result, resultPath));
      if (existing) {
        panel.dispose();
        existing.panel.reveal();
        return;
      }
      new ReportPanel(panel, reg, result, resultPath);
    } catch (e) {
      panel.webview.html = messageHtml(`The report could not be restored: ${(e as Error).message}`);
    }
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly reg: Registration,
    result: AnalysisResult,
    resultPath: string,
  ) {
    this.setResult(result, resultPath, false);
    ReportPanel.panels.set(panelKey(result, resultPath), this);
    this.server = new RpcServer(
      {
        post: (m) => void this.panel.webview.postMessage(m),
        listen: (handler) => {
          const d = this.panel.webview.onDidReceiveMessage(handler);
          return () => d.dispose();
        },
      },
      this.handlers(),
    );
    this.panel.webview.html = webviewHtml(this.panel.webview, reg.extensionUri, this.panel.title);
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      // A hidden page is torn down (no retainContextWhenHidden); hold events until it says ready again.
      this.panel.onDidChangeViewState(() => {
        if (!this.panel.visible) this.server.reset();
      }),
    );
  }

  /**
   * The dataset file: beside the results (`<dir>/.overlap/<name>.result.json` -> `<dir>/<name>`) when it is
   * there, so a moved or copied folder still works; otherwise the path recorded in the result.
   */
  get datasetPath(): string {
    return datasetFileOf(this.result, this.resultPath) ?? this.resultPath;
  }

  /** The init message the page gets (tests). */
  async initMessage(): Promise<ReportInit> {
    const history = this.hasDataset() ? await listHistory(this.datasetPath).then((l) => l.entries, () => []) : [];
    return {
      ...toReportInit(this.result, this.resultPath, {
        thresholds: this.thresholds,
        flagged: this.hasDataset() ? await this.reg.deps.getFlags(this.datasetPath).catch(() => []) : [],
        textsUnavailable: this.textsUnavailable(),
      }),
      history: history.map((e) => ({ createdAt: e.createdAt, density: e.density, pgr: e.pgr, regime: e.regime, sha256: e.sha256 })),
    };
  }

  dispose(): void {
    ReportPanel.panels.delete(panelKey(this.result, this.resultPath));
    this.server.dispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private setResult(result: AnalysisResult, resultPath: string, notify: boolean): void {
    const changed = !this.result || this.result.createdAt !== result.createdAt || this.resultPath !== resultPath;
    this.result = result;
    this.resultPath = resultPath;
    this.columns = toColumns(result);
    if (changed) {
      this.thresholds = null;
      const p = datasetFileOf(result, resultPath);
      this.texts = p && fs.existsSync(p) ? new RowTexts(p, result.dataset.format as DatasetFormat | undefined) : null;
    }
    if (notify && changed) void this.initMessage().then((init) => this.server.emit('init', init));
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

  private handlers(): Handlers {
    return {
      ready: () => this.initMessage(),
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
        await this.reg.deps.revealRow(p, line);
        return { revealed: true };
      },
      thresholds: ({ t1, t2 }) => {
        const d = this.result.detection;
        this.thresholds = t1 === d.confidenceThreshold && t2 === d.alignThreshold ? null : { t1, t2 };
        const part = partition({ confidence: this.columns.confidence, alignment: this.columns.alignment, hardRule: d.hardRule }, t1, t2);
        this.reg.deps.onThresholdsChanged(this.datasetPath, t1, t2, categoriesForRows(this.result, this.columns, part.categories));
        return { applied: true };
      },
      flag: async ({ index, flagged }) => {
        if (!this.hasDataset()) throw new Error('the result names no dataset file');
        const p = this.datasetPath;
        const line = await this.lineOf(index);
        return { flagged: await this.reg.deps.setFlag(p, { index, ...(line > 0 ? { line } : {}) }, flagged) };
      },
      exportChart: async ({ chart, format, data }) => ({ path: await this.save(`${this.baseName()}.${chart}.${format}`, chartFilter(chart, format), typeof data === 'string' ? Buffer.from(data, 'utf8') : data) }),
      exportRows: async ({ format, indices, categories, what }) => {
        const texts = this.texts ? await this.texts.all().catch(() => null) : null;
        const flagged = new Set(this.hasDataset() ? await this.reg.deps.getFlags(this.datasetPath).catch(() => []) : []);
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
        if (!got.texts) void vscode.window.showInformationMessage(`Overlap Density: the HTML report is written without row texts: ${got.reason}.`);
        const html = renderHtmlReport(this.result, { ...(got.texts ? { texts: got.texts } : {}), assets: loadReportAssets(this.reg.extensionUri.fsPath) });
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


/**
 * Registers the serializers of both panel kinds (dataset reports and selection reports) and remembers the
 * dependencies; call once from activate().
 */
export function registerReport(context: vscode.ExtensionContext, deps: ReportDeps): vscode.Disposable {
  registration = { extensionUri: context.extensionUri, deps };
  const serializer = vscode.Disposable.from(
    vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => ReportPanel.revive(panel, state),
    }),
    registerSelectionReport(context.extensionUri),
  );
  context.subscriptions.push(serializer);
  return serializer;
}

function requireRegistration(): Registration {
  if (!registration) throw new Error('the report panel is not registered: call registerReport(context, deps) in activate()');
  return registration;
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
