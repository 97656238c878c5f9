/**
 * The selection report panel: the second panel kind of the report family (the UCB issue), one per selection
 * results file, on the same generic panel host as the dataset report (host.ts: the page of media/webview.js under
 * the same CSP and nonce, the typed protocol with the `ready` handshake, the serializer that restores the panel
 * after a reload from the results file the page names). Here: its state and the answers to SelectionRequestMap.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadReportAssets } from '../../core/report/assets';
import { renderSelectionHtml } from '../../core/report/html';
import { readSelectionResult } from '../../core/report/validate';
import type { SelectionResult } from '../../core/select/schema';
import type { SelectionChartId, SelectionEventMap, SelectionInit, SelectionRequestMap } from '../../protocol/messages';
import type { Handlers } from '../../protocol/rpc';
import { toSelectionInit } from '../../protocol/selection';
import { resultFileRestore, WebviewPanelHost, type HostedPanel, type PanelStateStore, type PanelView, type ResultFile } from './host';
import { saveWithDialog } from './saveDialog';
import { OVERLAP_DIR } from '../../core/layout';

export const SELECTION_VIEW_TYPE = 'overlapDensity.selection';

/** Reads and validates a selection results file (`.overlap/<name>.select.json`). */
export async function loadSelectionResult(file: string): Promise<SelectionResult> {
  return readSelectionResult(await fs.readFile(file, 'utf8'), file);
}

/** A selection report: a selection results file and the result it holds. */
export type SelectionContent = ResultFile<SelectionResult>;
export type HostedSelection = HostedPanel<SelectionContent, SelectionRequestMap, SelectionEventMap, SelectionPanel>;

/** The selection report panels, one per selection results file (the context object holds the one instance). */
export class SelectionPanels extends WebviewPanelHost<SelectionContent, SelectionRequestMap, SelectionEventMap, SelectionPanel> {
  constructor(extensionUri: vscode.Uri, store?: PanelStateStore) {
    super(
      {
        viewType: SELECTION_VIEW_TYPE,
        page: 'selection',
        keyOf: ({ resultPath }) => resultPath,
        titleOf: ({ result }) => titleOf(result),
        columnOf: () => vscode.ViewColumn.Active,
        revealPreservesFocus: false,
        createView: (panel, content) => new SelectionPanel(panel, extensionUri, content),
        ...resultFileRestore(loadSelectionResult),
        noStateMessage: 'This selection report has no saved state. Run "Overlap Density: Compare Data Sources (UCB)..." again.',
        restoreFailedMessage: 'The selection report could not be restored',
      },
      extensionUri,
      store,
    );
  }
}

/** One selection report: its result and the answers to its page's requests. */
export class SelectionPanel implements PanelView<SelectionContent, SelectionRequestMap> {
  private result: SelectionResult;
  readonly resultPath: string;
  readonly handlers: Handlers<SelectionRequestMap>;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    content: SelectionContent,
  ) {
    this.result = content.result;
    this.resultPath = content.resultPath;
    this.handlers = this.makeHandlers();
  }

  init(): SelectionInit {
    return toSelectionInit(this.result, this.resultPath);
  }

  update({ result }: SelectionContent): boolean {
    const changed = this.result.createdAt !== result.createdAt;
    this.result = result;
    this.panel.title = titleOf(result);
    return changed;
  }

  private makeHandlers(): Handlers<SelectionRequestMap> {
    return {
      ready: () => this.init(),
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

function titleOf(result: SelectionResult): string {
  const first = result.sources[0]?.name ?? 'sources';
  return `Sources: ${first}${result.sources.length > 1 ? ` + ${result.sources.length - 1}` : ''}`;
}

function chartFilter(chart: SelectionChartId, format: 'svg' | 'png'): Record<string, string[]> {
  return { [`${chart} chart (${format.toUpperCase()})`]: [format] };
}
