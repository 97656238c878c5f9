/**
 * "Compare Data Sources (UCB)...": which of several data sources a weak-to-strong run should draw from (the paper's
 * Algorithm 1, docs/selection.md). The user picks workspace dataset files (two or more, or one to split by a column,
 * by labelling-function coverage or into reference sources), keeps or changes the plan, and the one selection
 * pipeline (`selectFromPaths`, as the CLI's `select`) runs under a cancellable progress notification. The result is
 * written atomically at the very end (`.overlap/<name>.select.json` next to the first source), so a cancelled run
 * leaves nothing behind, and the selection report panel opens on it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as notify from './notify';
import { selectionHeadline } from '../core/report/selection';
import type { StrategyName } from '../core/select/schema';
import { selectFromPaths, writeSelectionResult } from '../pipeline/sources';
import { isCancel, reportError, resolveSpecs, settleUnsaved, trustedFor } from './analyze';
import {
  COMPARE_DEFAULTS, compareArgsFrom, defaultStrategies, describeMode, describePlan, intInputError, modeNeeded, selectionOutputPath,
  type CompareArgs, type CompareRequest, type SourceMode,
} from './compareOptions';
import type { Cmd } from './commands';
import type { Ctx } from './ctx';
import type { DatasetFile, DatasetsTree } from './datasetsTree';
import { withInferenceProgress } from './inferenceProgress';
import { describeSpec } from './models';
import { activeFileUri } from './statusBar';

const TITLE = 'Compare Data Sources (UCB)';

export function compareSources(ctx: Ctx, tree: DatasetsTree): Cmd {
  return async (arg?: unknown, selected?: unknown) => {
    try {
      const req = await askRequest(tree, compareArgsFrom(arg) ?? {}, preselected(arg, selected));
      if (req) return await runComparison(ctx, req);
    } catch (e) {
      reportError(ctx, e);
    }
    return undefined;
  };
}

/** Files to pre-check: the explorer's selection (multi-select passes the clicked uri and all selected), else the active file. */
function preselected(arg: unknown, selected: unknown): string[] {
  if (Array.isArray(selected) && selected.every((u) => u instanceof vscode.Uri)) return (selected as vscode.Uri[]).filter((u) => u.scheme === 'file').map((u) => u.fsPath);
  if (arg instanceof vscode.Uri && arg.scheme === 'file') return [arg.fsPath];
  const active = activeFileUri();
  return active && active.scheme === 'file' ? [active.fsPath] : [];
}

async function askRequest(tree: DatasetsTree, args: CompareArgs, checked: string[]): Promise<CompareRequest | undefined> {
  let paths = args.paths;
  let files: DatasetFile[] = [];
  if (!paths) {
    files = await tree.datasetFiles();
    if (files.length === 0) {
      void notify.showInformationMessage('No dataset files found in this workspace (JSONL, JSON, CSV, TSV, Parquet, WRENCH, SST).');
      return undefined;
    }
    const picks = await vscode.window.showQuickPick(
      files.map((f) => ({
        label: path.basename(f.path),
        description: vscode.workspace.asRelativePath(path.dirname(f.path)),
        detail: [f.format, f.fields.weakLabels ? `votes in ${f.fields.weakLabels}` : null].filter(Boolean).join(' · ') || undefined,
        picked: checked.includes(f.path),
        file: f.path,
      })),
      {
        title: `${TITLE}: the sources`,
        placeHolder: 'Check two or more dataset files (one source each), or one file to split into sources',
        canPickMany: true,
        matchOnDescription: true,
        ignoreFocusOut: true,
      },
    );
    if (!picks) return undefined;
    paths = picks.map((p) => p.file);
  }
  const need = modeNeeded(paths.length);
  if (need === 'none') {
    void notify.showInformationMessage(`${TITLE}: pick at least one dataset file.`);
    return undefined;
  }
  let mode: SourceMode | undefined;
  if (args.splitBy) mode = { kind: 'split-by', column: args.splitBy };
  else if (args.reference === 'split') mode = { kind: 'reference-split' };
  else if (need === 'files') mode = { kind: 'files' };
  else mode = await askSplit(paths[0], files.find((f) => f.path === paths![0]));
  if (!mode) return undefined;

  const base: CompareRequest = {
    paths,
    mode,
    rounds: args.rounds ?? COMPARE_DEFAULTS.rounds,
    perRound: args.perRound,
    strategies: args.strategies?.length ? args.strategies : defaultStrategies(mode),
    seeds: args.seeds ?? COMPARE_DEFAULTS.seeds,
    seed: args.seed ?? 0,
    bonus: args.bonus ?? COMPARE_DEFAULTS.bonus,
  };
  // Programmatic callers that give the plan skip the questions.
  if (args.paths && (args.rounds !== undefined || args.seeds !== undefined)) return base;
  return askPlan(base);
}

/** One file: how to make sources of it. */
async function askSplit(file: string, info: DatasetFile | undefined): Promise<SourceMode | undefined> {
  const name = path.basename(file);
  type Item = vscode.QuickPickItem & { id: 'votes' | 'column' | 'reference' };
  const items: Item[] = [
    {
      id: 'votes',
      label: '$(checklist) By labelling-function coverage',
      description: info?.fields.weakLabels ? `votes in ${info.fields.weakLabels}` : undefined,
      detail: 'Two sources: rows some labelling function votes on, and rows every function abstains on.',
    },
    { id: 'column', label: '$(symbol-field) By a column...', detail: 'One source per distinct value of a column (at most 20; dots reach nested fields).' },
    {
      id: 'reference',
      label: '$(beaker) Reference sources by detected overlap',
      detail: "Two sources holding 10% and 90% of the file's detected overlap rows (the paper's experiment; densities known, so \"optimal\" runs too).",
    },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: `${TITLE}: one file picked; split ${name} into sources`, ignoreFocusOut: true });
  if (!pick) return undefined;
  if (pick.id === 'votes') return { kind: 'split-by', column: '@votes' };
  if (pick.id === 'reference') return { kind: 'reference-split' };
  const column = await vscode.window.showInputBox({
    title: `${TITLE}: the column of ${name} whose values are the sources`,
    placeHolder: 'e.g. source, or data.origin',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'a column name'),
  });
  return column ? { kind: 'split-by', column: column.trim() } : undefined;
}

/** Run with the plan shown, or change rounds, points per round, strategies and seeds first. */
async function askPlan(req: CompareRequest): Promise<CompareRequest | undefined> {
  type Item = vscode.QuickPickItem & { id: 'run' | 'change' };
  const pick = await vscode.window.showQuickPick<Item>(
    [
      { id: 'run', label: '$(play) Run', description: describePlan(req), detail: describeMode(req.paths, req.mode) },
      { id: 'change', label: '$(settings-edit) Change the plan...', detail: 'Rounds, points per round, strategies and seeds.' },
    ],
    { title: `${TITLE}: the plan`, ignoreFocusOut: true },
  );
  if (!pick) return undefined;
  if (pick.id === 'run') return req;
  const ask = async (title: string, value: string, min: number, max: number, allowEmpty = false, prompt?: string) =>
    vscode.window.showInputBox({ title: `${TITLE}: ${title}`, value, prompt, ignoreFocusOut: true, validateInput: (v) => intInputError(v, min, max, allowEmpty) });
  const rounds = await ask('rounds T', String(req.rounds), 1, 10000);
  if (rounds === undefined) return undefined;
  const perRound = await ask('points per round n', req.perRound === undefined ? '' : String(req.perRound), 1, 1_000_000, true,
    'Empty: floor(smallest pool / T), so any source can be pulled in every round');
  if (perRound === undefined) return undefined;
  const strategies = await vscode.window.showQuickPick(
    (['ucb', 'random', 'optimal'] as StrategyName[]).map((s) => ({
      label: s,
      picked: req.strategies.includes(s),
      detail: {
        ucb: 'UCB over the sources by their detected overlap (the paper\'s Algorithm 1).',
        random: 'A uniformly random source each round (the baseline).',
        optimal: 'Always the truly densest source: only when densities are known (reference sources); otherwise left out.',
      }[s],
    })),
    { title: `${TITLE}: strategies`, canPickMany: true, ignoreFocusOut: true },
  );
  if (!strategies) return undefined;
  if (strategies.length === 0) {
    void notify.showInformationMessage(`${TITLE}: pick at least one strategy.`);
    return undefined;
  }
  const seeds = await ask('seeds (runs of every strategy)', String(req.seeds), 1, 1000);
  if (seeds === undefined) return undefined;
  return {
    ...req,
    rounds: Number(rounds.trim()),
    perRound: perRound.trim() === '' ? undefined : Number(perRound.trim()),
    strategies: strategies.map((s) => s.label as StrategyName),
    seeds: Number(seeds.trim()),
  };
}

async function runComparison(ctx: Ctx, req: CompareRequest): Promise<string | undefined> {
  const out = selectionOutputPath(req.paths, req.mode);
  const what = describeMode(req.paths, req.mode);
  if (ctx.running.has(out)) {
    void notify.showInformationMessage(`${what} are already being compared.`);
    return undefined;
  }
  for (const p of req.paths) if (!(await settleUnsaved(p))) return undefined;
  const specs = await resolveSpecs(ctx, { file: req.paths[0] });
  if (!specs || !(await trustedFor(specs))) return undefined;
  const cfg = ctx.config;
  const controller = new AbortController();
  ctx.running.set(out, controller);
  ctx.output.info(`comparing ${what}: ${describePlan(req)}; weak ${describeSpec(specs.weak)}, strong ${describeSpec(specs.strong)}, device ${cfg.device}`);
  const t0 = Date.now();
  try {
    const result = await withInferenceProgress(ctx, `Overlap Density: comparing ${what}`, specs, controller, async (run) => {
      const r = await selectFromPaths(
        req.paths,
        {
          weak: specs.weak,
          strong: specs.strong,
          ...(req.mode.kind === 'split-by' ? { splitBy: req.mode.column } : {}),
          ...(req.mode.kind === 'reference-split' ? { reference: 'split' as const } : {}),
          plan: { rounds: req.rounds, perRound: req.perRound, strategies: req.strategies, seed: req.seed, seeds: req.seeds, bonus: req.bonus },
          // The selection defaults of `overlap-density select` (dot-max alignment with the incremental history,
          // docs/selection.md), not the analysis.* settings: the residual detector has no incremental form.
          selection: {},
          ...(run.inference ? {} : { device: 'cpu' }),
        },
        run,
      );
      if (controller.signal.aborted) throw new vscode.CancellationError();
      r.timings.total = (Date.now() - t0) / 1000;
      // The only write, after everything ran: a cancelled or failed run leaves no results file.
      await writeSelectionResult(out, r);
      return r;
    });
    ctx.output.info(`compared ${what} in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${result.device} -> ${out}`);
    for (const a of result.plan.adjustments) ctx.output.info(`plan adjusted: ${a}`);
    for (const line of result.summary.lines) ctx.output.info(line);
    for (const w of result.warnings) ctx.output.warn(w);
    ctx.selections.show({ result, resultPath: out });
    void notify.showInformationMessage(`Compared ${result.sources.length} sources: ${selectionHeadline(result)}.`, 'Show Log').then((choice) => {
      if (choice) ctx.output.show(true);
    });
    return out;
  } catch (e) {
    if (isCancel(e) || e instanceof vscode.CancellationError || controller.signal.aborted) {
      ctx.output.info(`comparison of ${what} cancelled after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      void notify.showInformationMessage(`Comparison of ${what} cancelled. No results were written.`);
      return undefined;
    }
    throw e;
  } finally {
    ctx.running.delete(out);
  }
}
