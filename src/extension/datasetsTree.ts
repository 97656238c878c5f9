/**
 * The "Datasets" view: the workspace's dataset files (by extension, confirmed by sniffing, plus files whose content
 * sniffs as a dataset) with each one's last result and actions (analyse, report, annotate, clear).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sniffDataset } from '../core/data';
import type { DatasetFormat, FieldMap } from '../core/data/types';
import { describeRead } from '../core/report/readSummary';
import { fencedBlock } from './hoverText';
import { datasetTooltipMarkdown } from './datasetTooltip';
import { describeColumns, storedColumns } from './columns';
import { alarmLines, type Alarms } from './alarms';
import type { Ctx } from './ctx';
import { candidateKind, DATASET_GLOB, inResultsFolder } from './datasetFiles';
import { listHistory } from '../pipeline/history';
import { historyTrend, LARGE_FILE_LIMIT_BYTES, resultTooltip, treeDescription } from './summaryText';

export interface DatasetFile {
  path: string;
  format?: DatasetFormat;
  fields: FieldMap;
  bytes: number;
  /** A WRENCH folder: this is its train.json, and these split files beside it are part of the same dataset. */
  wrenchSplits?: string[];
}

/** WRENCH folders list once: train.json stands for the folder, its valid.json and test.json are not separate datasets. */
export function groupWrenchFolders(files: DatasetFile[]): DatasetFile[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const hidden = new Set<string>();
  for (const f of files) {
    if (f.format !== 'wrench' || path.basename(f.path) !== 'train.json') continue;
    const splits: string[] = [];
    for (const name of ['valid.json', 'test.json']) {
      const sibling = byPath.get(path.join(path.dirname(f.path), name));
      if (sibling?.format === 'wrench') {
        splits.push(name);
        hidden.add(sibling.path);
      }
    }
    if (splits.length > 0) f.wrenchSplits = splits;
  }
  return files.filter((f) => !hidden.has(f.path));
}

/** At most this many files without a dataset extension are sniffed per scan. */
const MAX_CONTENT_SNIFFS = 300;
const MAX_FILES = 5000;

export class DatasetNode extends vscode.TreeItem {
  constructor(
    readonly file: DatasetFile,
    label: string,
  ) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.resourceUri = vscode.Uri.file(file.path);
  }
  get uri(): vscode.Uri {
    return vscode.Uri.file(this.file.path);
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

export class DatasetsTree implements vscode.TreeDataProvider<DatasetNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<DatasetNode | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private files: DatasetFile[] | undefined;
  private scanning: Promise<DatasetFile[]> | undefined;
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(private readonly ctx: Ctx, private readonly alarms?: Alarms) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const onFile = (uri: vscode.Uri) => {
      if (!inResultsFolder(uri.fsPath) && candidateKind(uri.fsPath) !== 'never') this.rescanSoon();
    };
    this.disposables.push(
      watcher,
      watcher.onDidCreate(onFile),
      watcher.onDidDelete(onFile),
      ctx.results.onDidChange(() => {
        this.emitter.fire();
        void this.updateContextKeys();
      }),
      ctx.onDidChangeConfig(() => this.rescanSoon()),
      ctx.onDidChangeColumns(() => this.emitter.fire()),
      ...(alarms ? [alarms.onDidChange(() => this.emitter.fire())] : []),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rescanSoon()),
    );
  }

  dispose(): void {
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    for (const d of this.disposables) d.dispose();
  }

  private rescanSoon(): void {
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => void this.refresh(), 1000);
  }

  async refresh(): Promise<void> {
    this.files = undefined;
    this.scanning = undefined;
    await this.datasetFiles();
    this.emitter.fire();
  }

  /** The workspace's dataset files (scanned once, then kept up to date by the watcher). */
  async datasetFiles(): Promise<DatasetFile[]> {
    if (this.files) return this.files;
    if (!this.scanning) {
      this.scanning = this.scan().then((files) => {
        this.files = files;
        void this.updateContextKeys();
        return files;
      });
    }
    return this.scanning;
  }

  private async scan(): Promise<DatasetFile[]> {
    if (!vscode.workspace.workspaceFolders?.length) return [];
    const exclude = this.ctx.config.datasetsExclude || undefined;
    const [byExt, all] = await Promise.all([
      vscode.workspace.findFiles(DATASET_GLOB, exclude, MAX_FILES),
      vscode.workspace.findFiles('**/*', exclude, MAX_FILES),
    ]);
    const known = byExt.filter((u) => u.scheme === 'file' && !inResultsFolder(u.fsPath) && candidateKind(u.fsPath) === 'extension');
    const byContent = all
      .filter((u) => u.scheme === 'file' && !inResultsFolder(u.fsPath) && candidateKind(u.fsPath) === 'content')
      .slice(0, MAX_CONTENT_SNIFFS);
    const sniffed = await mapLimit([...known, ...byContent], 4, async (u): Promise<DatasetFile | undefined> => {
      try {
        const [s, st] = await Promise.all([sniffDataset(u.fsPath), fs.stat(u.fsPath)]);
        if (!s.looksLikeDataset) return undefined;
        return { path: u.fsPath, ...(s.format ? { format: s.format } : {}), fields: s.fields, bytes: st.size };
      } catch {
        return undefined;
      }
    });
    const files = groupWrenchFolders(sniffed.filter((f): f is DatasetFile => f !== undefined));
    files.sort((a, b) => a.path.localeCompare(b.path));
    // Load the results in the background so the descriptions fill in.
    void Promise.all(files.map((f) => this.ctx.results.get(f.path))).then(() => this.emitter.fire());
    return files;
  }

  private async updateContextKeys(): Promise<void> {
    const datasets = (this.files ?? []).map((f) => f.path);
    await vscode.commands.executeCommand('setContext', 'overlapDensity.datasetPaths', datasets);
    await vscode.commands.executeCommand('setContext', 'overlapDensity.analysedPaths', this.ctx.results.analysedPaths());
  }

  getTreeItem(node: DatasetNode): vscode.TreeItem {
    const f = node.file;
    const entry = this.ctx.results.peek(f.path);
    const folder = vscode.workspace.asRelativePath(path.dirname(f.path), false);
    const where = folder && folder !== path.dirname(f.path) && folder !== '.' ? folder : '';
    const large = f.bytes > LARGE_FILE_LIMIT_BYTES;
    const alarm = this.alarms?.state(f.path);
    const raised = alarm ? alarm.report.findings.filter((x) => x.level !== 'note') : [];
    const parts = [
      raised.length > 0 ? `⚠ ${raised.length} alarm${raised.length === 1 ? '' : 's'}` : '',
      entry ? treeDescription(entry.result) : f.format ?? '', where, large ? '> 50 MB: analysis only' : '',
    ];
    node.description = parts.filter((p) => p !== '').join(' · ');
    const columns = storedColumns(this.ctx, f.path);
    const read = entry?.result.dataset.read;
    // Everything in it comes from the workspace: built escaped (datasetTooltip.ts), never through appendText.
    const tip = new vscode.MarkdownString(datasetTooltipMarkdown({
      relativePath: vscode.workspace.asRelativePath(f.path),
      ...(f.format ? { format: f.format } : {}),
      ...(f.wrenchSplits ? { wrenchSplits: f.wrenchSplits } : {}),
      ...(columns ? { columns: describeColumns(columns) } : {}),
      ...(entry
        ? {
            blocks: [
              resultTooltip(entry.result),
              ...(read ? [describeRead(read).map((l) => `${l.label}: ${l.text}`).join('\n')] : []),
              ...(alarm ? [alarmLines(alarm).join('\n')] : []),
            ],
          }
        : {}),
      large,
    }));
    node.tooltip = tip;
    node.contextValue = entry ? 'dataset.analysed' : 'dataset';
    node.command = { title: 'Open', command: 'vscode.open', arguments: [node.uri] };
    return node;
  }

  /** The tooltip's history part is read when the tooltip opens (a folder listing per hover, not per refresh). */
  async resolveTreeItem(item: vscode.TreeItem, node: DatasetNode): Promise<vscode.TreeItem> {
    if (!this.ctx.results.peek(node.file.path) || !(item.tooltip instanceof vscode.MarkdownString)) return item;
    const { entries } = await listHistory(node.file.path).catch(() => ({ entries: [] }));
    const lines = historyTrend(entries);
    if (lines.length > 1) item.tooltip.appendMarkdown(fencedBlock(lines.join('\n')));
    return item;
  }

  async getChildren(parent?: DatasetNode): Promise<DatasetNode[]> {
    if (parent) return [];
    const files = await this.datasetFiles();
    return files.map((f) => new DatasetNode(f, f.wrenchSplits ? `${path.basename(path.dirname(f.path))}/ (WRENCH)` : path.basename(f.path)));
  }
}
