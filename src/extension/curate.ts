/**
 * "Overlap Density: Curate Training Set..." (issue 17, part 3): the CLI's `curate` in the editor. Asks the budget,
 * runs the one curation pipeline (`curateDataset`: analyse, choose W2S-train rows by the detected overlap, write
 * `<name>.curated.<ext>` beside the input with each row byte for byte, analyse it on the input's test set) under a
 * cancellable notification, stores both results (so the curated file gets its CodeLens and highlights), and shows
 * input vs curated side by side in a Markdown preview of `.overlap/<curated name>.comparison.md`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as notify from './notify';
import { curationSummary, DEFAULT_CURATION_FRACTION, parseBudget, type CurationBudget } from '../core/curate';
import { curateDataset, curatedPathFor, uncopyableReason, type CurateOutcome } from '../pipeline/curate';
import { writeFileAtomic } from '../pipeline/results';
import { curateFromSources, sourcesCuratedPath } from '../pipeline/curateSources';
import { isCancel, reportError, resolveSpecs, settleUnsaved, trustedFor } from './analyze';
import { ensureColumns } from './columns';
import type { Cmd } from './commands';
import type { Ctx } from './ctx';
import { comparisonMarkdown, sourcesMarkdown } from './curateText';
import { withInferenceProgress } from './inferenceProgress';
import { pipelineOptions } from './models';

const TITLE = 'Curate Training Set';

/** `pick` turns the command's argument into a dataset file (the same rule as every dataset command). */
export function curateTrainingSet(ctx: Ctx, pick: (arg: unknown, verb: string) => Promise<vscode.Uri | undefined>): Cmd {
  return async (arg?: unknown, selected?: unknown) => {
    try {
      // Several files selected in the explorer: curation across sources (UCB), as `curate --sources`.
      const many = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri && u.scheme === 'file').map((u) => u.fsPath) : [];
      if (many.length >= 2) return await runSourcesCuration(ctx, many);
      const uri = await pick(arg, TITLE);
      if (uri) await runCuration(ctx, uri.fsPath);
    } catch (e) {
      reportError(ctx, e);
    }
  };
}

async function askBudget(): Promise<CurationBudget | undefined> {
  const text = await vscode.window.showInputBox({
    title: `${TITLE}: how many rows?`,
    prompt: 'Rows of the W2S training half to keep: a number of rows (1000) or a share (50%). Overlap rows are taken first, then easy-only, then hard-only rows.',
    value: `${DEFAULT_CURATION_FRACTION * 100}%`,
    validateInput: (v) => {
      const b = parseBudget(v);
      return 'error' in b ? b.error : undefined;
    },
  });
  if (text === undefined) return undefined;
  const b = parseBudget(text);
  return 'error' in b ? undefined : b;
}

async function runCuration(ctx: Ctx, file: string): Promise<void> {
  const name = path.basename(file);
  if (path.extname(file).toLowerCase() === '.parquet') {
    void notify.showWarningMessage(`${name}: ${uncopyableReason('parquet')}.`);
    return;
  }
  const budget = await askBudget();
  if (!budget) return;
  const out = curatedPathFor(file);
  // The curated file, and the test rows beside it when the input has no test file.
  const existing = [out, curatedPathFor(out, 'test')].filter((p) => fs.existsSync(p)).map((p) => path.basename(p));
  if (existing.length > 0) {
    const replace = await notify.showWarningMessage(`${existing.join(' and ')} ${existing.length > 1 ? 'exist' : 'exists'}. Replace?`, { modal: true }, 'Replace');
    if (replace !== 'Replace') return;
  }
  if (!(await settleUnsaved(file))) return;
  const reading = await ensureColumns(ctx, file);
  if (reading === null) return;
  const specs = await resolveSpecs(ctx, { file }, reading);
  if (!specs || !(await trustedFor(specs))) return;
  if (ctx.running.has(file) || ctx.running.has(out)) {
    void notify.showInformationMessage(`${name} is already being analysed.`);
    return;
  }
  const options = { ...pipelineOptions(ctx.config, specs.weak, specs.strong), ...reading };
  const controller = new AbortController();
  ctx.running.set(file, controller);
  ctx.running.set(out, controller);
  const t0 = Date.now();
  try {
    const outcome = await withInferenceProgress(ctx, `Overlap Density: curating ${name}`, specs, controller, (run) =>
      curateDataset(file, options, { budget, out, force: true, analyze: true }, run),
    );
    ctx.output.info(`curated ${file} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${curationSummary(outcome.plan)} -> ${outcome.written.file}`);
    await ctx.results.put(file, outcome.input.resultPath, outcome.input.result);
    if (outcome.curated) await ctx.results.put(outcome.written.file, outcome.curated.resultPath, outcome.curated.result);
    await showOutcome(outcome);
  } catch (e) {
    if (isCancel(e) || controller.signal.aborted) {
      void notify.showInformationMessage(`Curating ${name} cancelled.`);
      return;
    }
    throw e;
  } finally {
    ctx.running.delete(file);
    ctx.running.delete(out);
  }
}

/** The comparison as a Markdown file beside the results (`.overlap/<curated name>.comparison.md`), in its preview. */
async function showOutcome(outcome: CurateOutcome): Promise<void> {
  const dir = path.dirname(outcome.curated?.resultPath ?? outcome.input.resultPath);
  const mdFile = path.join(dir, `${path.basename(outcome.written.file)}.comparison.md`);
  await writeFileAtomic(mdFile, comparisonMarkdown(outcome));
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(mdFile));
  const c = outcome.curated?.result;
  const w2s = c ? `; W2S accuracy ${outcome.input.result.accuracy.w2s.toFixed(3)} (input) vs ${c.accuracy.w2s.toFixed(3)} (curated) on the same test set` : '';
  const choice = await notify.showInformationMessage(`Wrote ${path.basename(outcome.written.file)} (${outcome.written.rows} rows)${w2s}.`, 'Open Curated File');
  if (choice) await vscode.window.showTextDocument(vscode.Uri.file(outcome.written.file));
}

/** Curation across sources: the rows one UCB run draws from the selected files, beside a random draw and all pools. */
async function runSourcesCuration(ctx: Ctx, files: string[]): Promise<void> {
  const names = files.map((f) => path.basename(f)).join(', ');
  const text = await vscode.window.showInputBox({
    title: `${TITLE} across ${files.length} sources: how many rows?`,
    prompt: `Rows to keep from ${names}: UCB (the paper's Algorithm 1) chooses the source of each batch. At most the smallest source's pool (about a third of it).`,
    value: '300',
    validateInput: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) >= 1 ? undefined : 'a whole number of rows >= 1'),
  });
  if (text === undefined) return;
  const size = Number(text.trim());
  const out = sourcesCuratedPath(files);
  const existing = [out, curatedPathFor(out, 'test')].filter((p) => fs.existsSync(p)).map((p) => path.basename(p));
  if (existing.length > 0) {
    const replace = await notify.showWarningMessage(`${existing.join(' and ')} ${existing.length > 1 ? 'exist' : 'exists'}. Replace?`, { modal: true }, 'Replace');
    if (replace !== 'Replace') return;
  }
  for (const f of files) if (!(await settleUnsaved(f))) return;
  const reading = await ensureColumns(ctx, files[0]!);
  if (reading === null) return;
  const specs = await resolveSpecs(ctx, { file: files[0]! }, reading);
  if (!specs || !(await trustedFor(specs))) return;
  if (ctx.running.has(out)) {
    void notify.showInformationMessage(`${path.basename(out)} is already being written.`);
    return;
  }
  const options = { ...pipelineOptions(ctx.config, specs.weak, specs.strong), ...reading };
  const controller = new AbortController();
  ctx.running.set(out, controller);
  const t0 = Date.now();
  try {
    const o = await withInferenceProgress(ctx, `Overlap Density: curating across ${names}`, specs, controller, (run) =>
      curateFromSources(files, options, { size, out, force: true, analyze: true }, run),
    );
    const c = o.comparison;
    ctx.output.info(`curated across ${names} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${o.rows.length} UCB rows -> ${o.written.file}`);
    if (o.curated) await ctx.results.put(o.written.file, o.curated.resultPath, o.curated.result);
    const mdFile = path.join(path.dirname(o.curated?.resultPath ?? path.join(path.dirname(out), '.overlap', 'x')), `${path.basename(out)}.comparison.md`);
    await fs.promises.mkdir(path.dirname(mdFile), { recursive: true });
    await writeFileAtomic(mdFile, sourcesMarkdown(o));
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(mdFile));
    const choice = await notify.showInformationMessage(
      `Wrote ${path.basename(out)} (${o.written.rows} rows); W2S accuracy ${c.curated.accuracy.toFixed(3)} (UCB-curated) vs ${c.random.accuracy.toFixed(3)} (random draw) on the same test set.`,
      'Open Curated File',
    );
    if (choice) await vscode.window.showTextDocument(vscode.Uri.file(out));
  } catch (e) {
    if (isCancel(e) || controller.signal.aborted) {
      void notify.showInformationMessage(`Curating across ${names} cancelled.`);
      return;
    }
    throw e;
  } finally {
    ctx.running.delete(out);
  }
}
