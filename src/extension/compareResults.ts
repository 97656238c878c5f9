/**
 * "Compare with an Earlier Result..." (issue 17, item 4): the current result of a dataset beside its baseline or one
 * of the results kept in its history (pipeline/history.ts): how density, PGR, the accuracies and the verdict moved,
 * the counts per category change, and the rows that changed category with their lines (core/report/compare.ts).
 * Rows are paired by text: the current file's texts against the baseline's stored text hashes (Set as Baseline
 * keeps them), hashed the same way; a history entry of the same bytes pairs by row index; otherwise only the
 * numbers are compared and the page says why.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as notify from './notify';
import { textKey, type BaselineResult } from '../core/check';
import { compareResults, type ResultComparison } from '../core/report/compare';
import type { AnalysisResult } from '../core/result/schema';
import { baselinePath, currentTexts, loadBaseline } from '../pipeline/check';
import { listHistory, loadHistoryEntry } from '../pipeline/history';
import { comparisonPage } from './compareText';
import { showMarkdownPage } from './markdownPage';
import { fixed, percent } from './summaryText';

interface Earlier {
  label: string;
  description: string;
  load(): Promise<AnalysisResult>;
}

/** The current result against an earlier one, with rows paired by text where the earlier one stored text hashes. */
export async function compareWithEarlier(datasetPath: string, current: AnalysisResult, earlier: AnalysisResult): Promise<ResultComparison> {
  const keys = (earlier as BaselineResult).checkBaseline?.textKeys;
  if (keys && keys.length === earlier.rows.length) {
    const now = await currentTexts(current, datasetPath);
    if (now) {
      // Both sides as text hashes, by row index.
      const before: (string | null)[] = [];
      earlier.rows.forEach((r, k) => {
        before[r.index] = keys[k] ?? null;
      });
      const after = now.map((t) => (typeof t === 'string' ? textKey(t) : null));
      return compareResults(earlier, current, before, after);
    }
  }
  return compareResults(earlier, current);
}

export async function pickAndCompare(datasetPath: string, current: AnalysisResult): Promise<void> {
  const name = path.basename(datasetPath);
  const choices: Earlier[] = [];
  const bPath = baselinePath(datasetPath);
  const baseline = await loadBaseline(bPath, true).catch(() => null);
  if (baseline) {
    choices.push({ label: 'Baseline', description: `${baseline.createdAt} · density ${percent(baseline.detection.overlapDensity)} · PGR ${fixed(baseline.pgr)}`, load: async () => baseline });
  }
  const { entries } = await listHistory(datasetPath);
  for (const h of entries) {
    if (h.createdAt === current.createdAt) continue;
    choices.push({
      label: h.createdAt.replace('T', ' ').slice(0, 19),
      description: `density ${percent(h.density)} · PGR ${fixed(h.pgr)} · ${h.regime}${h.sha256 === (current.dataset.contentHash ?? null) ? ' · same file contents' : ''}`,
      load: () => loadHistoryEntry(h.path),
    });
  }
  if (choices.length === 0) {
    void notify.showInformationMessage(`${name} has no earlier result to compare with: set a baseline, or analyse it again after a change (each analysis is kept in .overlap/history).`);
    return;
  }
  const pick = await vscode.window.showQuickPick(choices, { title: `Compare the current result of ${name} with...`, matchOnDescription: true });
  if (!pick) return;
  const earlier = await pick.load();
  const comparison = await compareWithEarlier(datasetPath, current, earlier);
  const content = comparisonPage(comparison, { dataset: name, earlier: pick.label === 'Baseline' ? 'baseline' : `result of ${pick.label}`, later: 'now' });
  await showMarkdownPage(`${name} compared`, content);
}
