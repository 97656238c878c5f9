/**
 * The status bar item of the active dataset: its regime and overlap density, "out of date" when the text changed,
 * and for files over 50 MB (which VS Code never hands to extensions) why the editor features are off.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { LARGE_FILE_LIMIT_BYTES, largeFileMessage, percent, resultTooltip, statusText } from './summaryText';

/** The file of the active editor tab, also when it has no TextEditor (too large to be synced). */
export function activeFileUri(): vscode.Uri | undefined {
  const ed = vscode.window.activeTextEditor;
  if (ed) return ed.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputText ? input.uri : undefined;
}

export class RegimeStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('overlapDensity.regime', vscode.StatusBarAlignment.Right, 100);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.item.name = 'Overlap Density';
    const soon = () => this.schedule(50);
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(soon),
      vscode.window.tabGroups.onDidChangeTabs(soon),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule(300);
      }),
      vscode.workspace.onDidSaveTextDocument(soon),
      ctx.results.onDidChange(soon),
      ctx.onDidChangeConfig(soon),
    );
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.update().catch((e) => this.ctx.output.error(`status bar: ${e instanceof Error ? e.message : String(e)}`));
    }, ms);
  }

  private async update(): Promise<void> {
    const uri = activeFileUri();
    const editor = vscode.window.activeTextEditor;
    let hasResult = false;
    if (!uri || uri.scheme !== 'file') {
      this.item.hide();
    } else {
      const entry = await this.ctx.results.get(uri.fsPath);
      hasResult = entry !== undefined;
      const large = !editor ? await largeFileSize(uri.fsPath) : undefined;
      if (large !== undefined && (entry || looksLikeDatasetName(uri.fsPath))) {
        const msg = largeFileMessage(path.basename(uri.fsPath), large);
        this.item.text = entry
          ? `$(info) Overlap ${percent(entry.result.detection.overlapDensity)} · ${entry.result.regime.label} · editor features off`
          : '$(info) Overlap: editor features off (file > 50 MB)';
        this.item.tooltip = entry ? `${msg}\n\n${resultTooltip(entry.result)}` : msg;
        this.item.command = entry
          ? { title: 'Show Report', command: 'overlapDensity.showReport', arguments: [uri] }
          : { title: 'Analyze Dataset', command: 'overlapDensity.analyze', arguments: [uri] };
        this.item.backgroundColor = undefined;
        this.show();
      } else if (entry && editor) {
        const stale = (await this.ctx.results.freshness(editor.document, entry)) === 'stale';
        this.item.text = statusText(entry.result, stale);
        this.item.tooltip = stale
          ? 'This file changed since it was analysed: highlights and hovers are hidden. Click to analyse it again.'
          : `${resultTooltip(entry.result)}\n\nClick to open the report.`;
        this.item.command = stale
          ? { title: 'Analyze Again', command: 'overlapDensity.analyze', arguments: [uri] }
          : { title: 'Show Report', command: 'overlapDensity.showReport', arguments: [uri] };
        this.item.backgroundColor = stale ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
        this.show();
      } else {
        this.item.hide();
      }
    }
    void vscode.commands.executeCommand('setContext', 'overlapDensity.activeHasResult', hasResult);
  }

  private show(): void {
    if (this.ctx.config.statusBar) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** The size in bytes when over the 50 MB sync limit, else undefined. */
export async function largeFileSize(file: string): Promise<number | undefined> {
  try {
    const { size } = await fs.stat(file);
    return size > LARGE_FILE_LIMIT_BYTES ? size : undefined;
  } catch {
    return undefined;
  }
}

function looksLikeDatasetName(file: string): boolean {
  return /\.(jsonl|json|csv|tsv|parquet)$/i.test(file) || /stsa\./.test(path.basename(file));
}
