/**
 * The extension's context: settings, the results store, the output channel, the report panel hosts and every
 * disposable. Features take a Ctx; nothing else holds global state (the rust-analyzer `Ctx` shape).
 */
import * as vscode from 'vscode';
import { readConfig, type Config } from './config';
import type { ReportPanels, SelectionPanels } from './report';
import { createPanelHosts } from './reportLink';
import { ResultStore } from './results';

export class Ctx implements vscode.Disposable {
  private cfg: Config;
  private readonly configEmitter = new vscode.EventEmitter<Config>();
  /** Fires with the new settings after any `overlapDensity.*` setting changed. */
  readonly onDidChangeConfig = this.configEmitter.event;
  readonly output: vscode.LogOutputChannel;
  readonly results: ResultStore;
  /** Analyses in flight, by dataset path. */
  readonly running = new Map<string, AbortController>();
  private readonly columnsEmitter = new vscode.EventEmitter<string>();
  /** Fires with a dataset path after its remembered column choice changed. */
  readonly onDidChangeColumns = this.columnsEmitter.event;
  /** The dataset report panels, one per dataset (report/host.ts); their serializer restores them after a reload. */
  readonly reports: ReportPanels;
  /** The selection report panels, one per selection results file. */
  readonly selections: SelectionPanels;

  constructor(readonly extCtx: vscode.ExtensionContext) {
    this.cfg = readConfig(vscode.workspace.getConfiguration('overlapDensity'));
    this.output = vscode.window.createOutputChannel('Overlap Density', { log: true });
    this.results = new ResultStore(extCtx.workspaceState);
    this.push(this.output, this.configEmitter, this.columnsEmitter, this.results);
    this.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('overlapDensity')) return;
        this.cfg = readConfig(vscode.workspace.getConfiguration('overlapDensity'));
        this.configEmitter.fire(this.cfg);
      }),
    );
    const panels = createPanelHosts(this);
    this.reports = panels.reports;
    this.selections = panels.selections;
  }

  columnsChanged(file: string): void {
    this.columnsEmitter.fire(file);
  }

  get config(): Config {
    return this.cfg;
  }

  get extensionPath(): string {
    return this.extCtx.extensionPath;
  }

  asAbsolutePath(relative: string): string {
    return this.extCtx.asAbsolutePath(relative);
  }

  push(...disposables: vscode.Disposable[]): void {
    this.extCtx.subscriptions.push(...disposables);
  }

  dispose(): void {
    for (const c of this.running.values()) c.abort();
    this.running.clear();
  }
}
