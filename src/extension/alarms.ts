/**
 * Overlap alarms in the editor (issue 17): the check rules that `overlap-density check` applies in CI, evaluated on
 * every analysed dataset and shown as diagnostics in the Problems panel (line 1 for dataset-level findings, the row's
 * own line for row-level ones), the "Set as Baseline" command, and the opt-in re-analysis on save (debounced; a newer
 * save cancels the run in progress; the activation cache re-encodes changed rows only).
 *
 * The rules and the baseline are the CLI's: the nearest `overlap-density.check.json` above the dataset, else the
 * defaults, and `<dir>/.overlap/<file>.baseline.json`. One evaluation (`evaluateCheck` in core/check) for both.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as notify from './notify';
import { evaluateCheck, type CheckReport, type Finding } from '../core/check';
import { InputError } from '../core/errors';
import type { AnalysisResult } from '../core/result/schema';
import { baselineMismatch, baselinePath, CHECK_CONFIG_NAME, currentTexts, loadBaseline, rulesFor, writeBaseline } from '../pipeline/check';
import { analyzeWithProgress } from './analyze';
import type { Ctx } from './ctx';

const SOURCE = 'Overlap Density';
/** Quiet time after a save before the re-analysis starts (a burst of saves runs once). */
export const SAVE_DEBOUNCE_MS = 1500;

const SEVERITY: Record<Finding['level'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  note: vscode.DiagnosticSeverity.Information,
};

/** A finding as a diagnostic on its 1-based line (the whole line; the editor clamps the end). */
export function toDiagnostic(f: Finding, docsUri?: vscode.Uri): vscode.Diagnostic {
  const line = Math.max(0, f.line - 1);
  const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), f.message, SEVERITY[f.level]);
  d.source = SOURCE;
  d.code = docsUri ? { value: f.ruleId, target: docsUri } : f.ruleId;
  return d;
}

/** The check's outcome as plain lines for a tooltip: the verdict, where the rules and the baseline come from, the first findings. */
export function alarmLines(state: AlarmState, max = 8): string[] {
  const raised = state.report.findings.filter((f) => f.level !== 'note');
  const lines = [
    raised.length === 0 ? 'Check: pass' : `Check: ${raised.length} alarm${raised.length === 1 ? '' : 's'} (see the Problems panel)`,
    `Rules: ${state.rulesFrom ?? 'the defaults (no overlap-density.check.json found)'}`,
    `Baseline: ${state.baseline ? `results of ${state.baseline.createdAt}` : 'none (Set as Baseline to compare later analyses with these)'}`,
  ];
  for (const f of raised.slice(0, max)) lines.push(`line ${f.line}: ${f.message}`);
  if (raised.length > max) lines.push(`... and ${raised.length - max} more`);
  return lines;
}

export interface AlarmState {
  /** The analysis the report was made from (its result's createdAt). */
  createdAt: string;
  report: CheckReport;
  rulesFrom: string | null;
  baseline: { path: string; createdAt: string } | null;
}

export class Alarms implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('overlap-density');
  private readonly disposables: vscode.Disposable[] = [this.diagnostics];
  /** Latest evaluation per dataset, for the tree and the report. */
  private readonly states = new Map<string, AlarmState>();
  /** Evaluations in flight: a newer request for the same dataset wins. */
  private readonly generation = new Map<string, number>();
  private readonly saveTimers = new Map<string, NodeJS.Timeout>();
  private readonly saveRuns = new Map<string, AbortController>();
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with a dataset path after its alarms were re-evaluated. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      this.emitter,
      ctx.results.onDidChange((file) => void this.refresh(file)),
      ctx.onDidChangeConfig(() => this.refreshAll()),
      vscode.workspace.onDidSaveTextDocument((doc) => this.saved(doc)),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(`**/{${CHECK_CONFIG_NAME},.overlap/*.baseline.json}`);
    const changed = () => this.refreshAll();
    this.disposables.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed));
  }

  dispose(): void {
    for (const t of this.saveTimers.values()) clearTimeout(t);
    for (const c of this.saveRuns.values()) c.abort();
    for (const d of this.disposables) d.dispose();
  }

  state(datasetPath: string): AlarmState | undefined {
    return this.states.get(datasetPath);
  }

  refreshAll(): void {
    const files = new Set([...this.ctx.results.analysedPaths(), ...this.states.keys()]);
    for (const f of files) void this.refresh(f, true);
  }

  /**
   * Re-evaluates the rules for one dataset and replaces its diagnostics. The store also fires for flags and moved
   * thresholds, which change nothing the rules read: without `force` an already evaluated result is not read again
   * (evaluating hashes and re-reads the dataset for its texts).
   */
  async refresh(datasetPath: string, force = false): Promise<void> {
    const gen = (this.generation.get(datasetPath) ?? 0) + 1;
    this.generation.set(datasetPath, gen);
    const uri = vscode.Uri.file(datasetPath);
    if (!this.ctx.config.check.enabled) {
      this.set(datasetPath, uri, undefined, []);
      return;
    }
    const entry = await this.ctx.results.get(datasetPath);
    if (!entry) {
      if (this.generation.get(datasetPath) === gen) this.set(datasetPath, uri, undefined, []);
      return;
    }
    if (!force && this.states.get(datasetPath)?.createdAt === entry.original.createdAt) return;
    try {
      const state = await this.evaluate(datasetPath, entry.original);
      if (this.generation.get(datasetPath) !== gen) return;
      const docs = vscode.Uri.joinPath(vscode.Uri.file(this.ctx.extensionPath), 'docs', 'check.md');
      this.set(datasetPath, uri, state, state.report.findings.map((f) => toDiagnostic(f, docs)));
    } catch (e) {
      if (this.generation.get(datasetPath) !== gen) return;
      // A broken rules file or baseline is itself a problem to show where the user can fix it.
      this.ctx.output.warn(`check of ${datasetPath}: ${e instanceof Error ? e.message : String(e)}`);
      const where = e instanceof InputError && e.file ? e.file : undefined;
      const d = new vscode.Diagnostic(new vscode.Range(Math.max(0, (e instanceof InputError && e.line ? e.line : 1) - 1), 0, Math.max(0, (e instanceof InputError && e.line ? e.line : 1) - 1), Number.MAX_SAFE_INTEGER),
        `the overlap check could not run: ${e instanceof Error ? e.message : String(e)}`, vscode.DiagnosticSeverity.Warning);
      d.source = SOURCE;
      d.code = 'check-config';
      this.set(datasetPath, uri, undefined, where && where !== datasetPath ? [] : [d]);
      if (where && where !== datasetPath) this.diagnostics.set(vscode.Uri.file(where), [d]);
    }
  }

  private set(datasetPath: string, uri: vscode.Uri, state: AlarmState | undefined, diags: vscode.Diagnostic[]): void {
    if (state) this.states.set(datasetPath, state);
    else this.states.delete(datasetPath);
    this.diagnostics.set(uri, diags);
    this.emitter.fire(datasetPath);
  }

  private async evaluate(datasetPath: string, result: AnalysisResult): Promise<AlarmState> {
    const stopAt = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(datasetPath))?.uri.fsPath;
    const source = await rulesFor(datasetPath, undefined, stopAt);
    const bPath = baselinePath(datasetPath);
    const baseline = await loadBaseline(bPath, true);
    // A baseline of another analysis (other classes, other models) would compare numbers that mean other things: the
    // CLI refuses it, and the editor says so on the dataset, where "Set as Baseline" can replace it.
    const other = baseline ? baselineMismatch(baseline, result) : undefined;
    if (other) {
      throw new InputError(`the baseline (${path.relative(path.dirname(datasetPath), bPath)}) describes another analysis: ${other}; "Overlap Density: Set as Baseline" replaces it with these results`);
    }
    const texts = await currentTexts(result, datasetPath);
    const report = evaluateCheck(result, source.rules, { baseline, texts });
    return {
      createdAt: result.createdAt,
      report,
      rulesFrom: source.file,
      baseline: baseline ? { path: bPath, createdAt: baseline.createdAt } : null,
    };
  }

  /** "Set as Baseline": the current results become what later analyses are compared with. */
  async setBaseline(datasetPath: string): Promise<boolean> {
    const entry = await this.ctx.results.get(datasetPath);
    const name = path.basename(datasetPath);
    if (!entry) {
      void notify.showInformationMessage(`${name} has no results yet: analyse it first, then set it as the baseline.`);
      return false;
    }
    const target = baselinePath(datasetPath);
    const previous = await loadBaseline(target, true).catch(() => null);
    if (previous) {
      const ok = await notify.showWarningMessage(
        `Replace the baseline of ${name} (analysed ${previous.createdAt}) with the results of ${entry.original.createdAt}?`,
        { modal: true },
        'Replace Baseline',
      );
      if (ok !== 'Replace Baseline') return false;
    }
    // The result as the analysis wrote it (thresholds moved in the report are a view, not a result), with the hashes
    // of its row texts so later versions of the file are matched row by row.
    await writeBaseline(datasetPath, entry.original);
    this.ctx.output.info(`baseline of ${datasetPath}: ${target} (results of ${entry.original.createdAt})`);
    await this.refresh(datasetPath, true);
    void notify.showInformationMessage(`${name}: baseline set. Later analyses are compared with it in the Problems panel and by \`overlap-density check\`.`);
    return true;
  }

  /** A save of an analysed dataset: re-analyse after a pause, cancelling a re-analysis still running. */
  private saved(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file' || !this.ctx.config.check.analyzeOnSave || !vscode.workspace.isTrusted) return;
    const file = doc.uri.fsPath;
    if (!this.ctx.results.peek(file) && !this.states.has(file)) return;
    const timer = this.saveTimers.get(file);
    if (timer) clearTimeout(timer);
    this.saveRuns.get(file)?.abort();
    this.saveTimers.set(file, setTimeout(() => {
      this.saveTimers.delete(file);
      void this.reanalyse(file);
    }, SAVE_DEBOUNCE_MS));
  }

  private async reanalyse(file: string): Promise<void> {
    // A run the user started by hand is left alone; its result triggers the alarms anyway.
    if (this.ctx.running.has(file) && !this.saveRuns.has(file)) return;
    const controller = new AbortController();
    this.saveRuns.set(file, controller);
    try {
      // The previous run (if any) was aborted; wait until it has let go of the file.
      for (let i = 0; i < 100 && this.ctx.running.has(file); i++) await new Promise((r) => setTimeout(r, 100));
      if (controller.signal.aborted) return;
      await analyzeWithProgress(this.ctx, { file }, {
        background: {
          signal: controller.signal,
          onError: (e) => this.analysisFailed(file, e),
        },
      });
    } finally {
      if (this.saveRuns.get(file) === controller) this.saveRuns.delete(file);
    }
  }

  /** A failed re-analysis on save: the message at the line it names, in the Problems panel (no popup on every save). */
  private analysisFailed(file: string, e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    const line = e instanceof InputError && e.line ? e.line : 1;
    const target = e instanceof InputError && e.file ? e.file : file;
    const d = new vscode.Diagnostic(new vscode.Range(line - 1, 0, line - 1, Number.MAX_SAFE_INTEGER), `re-analysis after save failed: ${msg}`, vscode.DiagnosticSeverity.Error);
    d.source = SOURCE;
    d.code = 'analysis-failed';
    const uri = vscode.Uri.file(target);
    const existing = this.diagnostics.get(uri) ?? [];
    this.diagnostics.set(uri, [...existing.filter((x) => x.code !== 'analysis-failed'), d]);
  }
}

