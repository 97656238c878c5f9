/**
 * The selection report panel: the second panel kind of the report family (the UCB issue). Same machinery as the
 * dataset report (panel.ts): the page of media/webview.js under the same CSP and nonce, the typed protocol with the
 * `ready` handshake (SelectionRequestMap), page state through getState/setState, and a serializer that restores the
 * panel after a reload from the results file the page names. One panel per selection results file.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadReportAssets } from '../../core/report/assets';
import { renderSelectionHtml } from '../../core/report/html';
import { parseSelectionResult } from '../../core/select/parse';
import type { SelectionResult } from '../../core/select/schema';
import type { SelectionChartId, SelectionEventMap, SelectionRequestMap } from '../../protocol/messages';
import { RpcServer, type Handlers } from '../../protocol/rpc';
import { toSelectionInit } from '../../protocol/selection';
import { saveWithDialog } from './saveDialog';
import { messageHtml, webviewHtml, webviewOptions } from './webviewHtml';
import { OVERLAP_DIR } from '../../core/layout';

export const SELECTION_VIEW_TYPE = 'overlapDensity.selection';

let extensionUri: vscode.Uri | undefined;

/** Reads a selection results file (`.overlap/<name>.select.json`). */
export async function loadSelectionResult(file: string): Promise<SelectionResult> {
  return parseSelectionResult(await fs.readFile(file, 'utf8'), file);
}

export class SelectionPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, SelectionPanel>();

  private readonly server: RpcServer<SelectionRequestMap, SelectionEventMap>;
  private readonly disposables: vscode.Disposable[] = [];

  /** Opens (or reveals and refreshes) the report of this selection results file. */
  static show(result: SelectionResult, resultPath: string): SelectionPanel {
    const uri = requireRegistration();
    const existing = SelectionPanel.panels.get(resultPath);
    if (existing) {
      existing.setResult(result);
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(SELECTION_VIEW_TYPE, titleOf(result), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, webviewOptions(uri));
    return new SelectionPanel(panel, uri, result, resultPath);
  }

  /** The panel of a results file, if open (tests, commands). */
  static get(resultPath: string): SelectionPanel | undefined {
    return SelectionPanel.panels.get(resultPath);
  }

  /** Restores a panel after a reload: the page's saved state names the results file. */
  static async revive(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const uri = requireRegistration();
    const resultPath = (state as { resultPath?: unknown } | undefined)?.resultPath;
    panel.webview.options = webviewOptions(uri);
    if (typeof resultPath !== 'string' || !resultPath) {
      panel.webview.html = messageHtml('This selection report has no saved state. Run "Overlap Density: Compare Data Sources (UCB)..." again.');
      return;
    }
    try {
      const result = await loadSelectionResult(resultPath);
      const existing = SelectionPanel.panels.get(resultPath);
      if (existing) {
        panel.dispose();
        existing.panel.reveal();
        return;
      }
      new SelectionPanel(panel, uri, result, resultPath);
    } catch (e) {
      panel.webview.html = messageHtml(`The selection report could not be restored: ${(e as Error).message}`);
    }
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private result: SelectionResult,
    readonly resultPath: string,
  ) {
    SelectionPanel.panels.set(resultPath, this);
    this.server = new RpcServer<SelectionRequestMap, SelectionEventMap>(
      {
        post: (m) => void this.panel.webview.postMessage(m),
        listen: (handler) => {
          const d = this.panel.webview.onDidReceiveMessage(handler);
          return () => d.dispose();
        },
      },
      this.handlers(),
    );
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, this.panel.title, 'selection');
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.onDidChangeViewState(() => {
        if (!this.panel.visible) this.server.reset();
      }),
    );
  }

  dispose(): void {
    SelectionPanel.panels.delete(this.resultPath);
    this.server.dispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private setResult(result: SelectionResult): void {
    const changed = this.result.createdAt !== result.createdAt;
    this.result = result;
    this.panel.title = titleOf(result);
    if (changed) this.server.emit('init', toSelectionInit(result, this.resultPath));
  }

  private handlers(): Handlers<SelectionRequestMap> {
    return {
      ready: () => toSelectionInit(this.result, this.resultPath),
      openSource: async ({ source }) => {
        const p = this.result.sources[source]?.path;
        if (!p) throw new Error(`source ${source} is not a file`);
        const stat = await fs.stat(p).catch(() => null);
        if (!stat) throw new Error(`source file not found: ${p}`);
        if (stat.isDirectory()) {
          await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(p));
        } else {
          const column = this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
          await vscode.window.showTextDocument(vscode.Uri.file(p), { viewColumn: column, preview: true });
        }
        return { opened: true };
      },
      exportChart: async ({ chart, format, data }) => ({
        path: await this.save(`${this.baseName()}.${chart}.${format}`, chartFilter(chart, format), typeof data === 'string' ? Buffer.from(data, 'utf8') : data),
      }),
      exportReport: async ({ format }) => {
        if (format === 'json') {
          return { path: await this.save(`${this.baseName()}.select.json`, { 'Selection result JSON': ['json'] }, Buffer.from(JSON.stringify(this.result, null, 1), 'utf8')) };
        }
        const html = renderSelectionHtml(this.result, { assets: loadReportAssets(this.extensionUri.fsPath) });
        return { path: await this.save(`${this.baseName()}.select.html`, { 'HTML report': ['html'] }, Buffer.from(html, 'utf8')) };
      },
    };
  }

  /** `<dir>/.overlap/a+b.select.json` -> `a+b`. */
  private baseName(): string {
    return path.basename(this.resultPath).replace(/(\.select)?\.json$/, '');
  }

  /** Exports are proposed next to the sources (the folder holding `.overlap/`), not beside the results file itself. */
  private save(name: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<string | null> {
    const dir = path.dirname(this.resultPath);
    return saveWithDialog(path.join(path.basename(dir) === OVERLAP_DIR ? path.dirname(dir) : dir, name), filters, bytes);
  }
}

/** Registers the selection panel's serializer (registerReport calls it, so both kinds register together). */
export function registerSelectionReport(uri: vscode.Uri): vscode.Disposable {
  extensionUri = uri;
  return vscode.window.registerWebviewPanelSerializer(SELECTION_VIEW_TYPE, {
    deserializeWebviewPanel: (panel, state) => SelectionPanel.revive(panel, state),
  });
}

function requireRegistration(): vscode.Uri {
  if (!extensionUri) throw new Error('the selection panel is not registered: call registerReport(context, deps) in activate()');
  return extensionUri;
}

function titleOf(result: SelectionResult): string {
  const first = result.sources[0]?.name ?? 'sources';
  return `Sources: ${first}${result.sources.length > 1 ? ` + ${result.sources.length - 1}` : ''}`;
}

function chartFilter(chart: SelectionChartId, format: 'svg' | 'png'): Record<string, string[]> {
  return { [`${chart} chart (${format.toUpperCase()})`]: [format] };
}
