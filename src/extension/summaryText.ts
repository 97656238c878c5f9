/**
 * One-line summaries of a result for the CodeLens, the status bar, the Datasets view and messages.
 * Pure, so the exact wording is unit-tested.
 */
import { regimeRuleText } from '../core/experiment/regime';
import { verdictEvidence, verdictOf } from '../core/experiment/verdict';
import type { AnalysisResult } from '../core/result/schema';

export function percent(x: number, digits = 1): string {
  return `${(100 * x).toFixed(digits)}%`;
}

export function fixed(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

/**
 * "overlap density 23.1% · 412 overlap rows · medium W2S (PGR 0.41), and overlap rows help": the verdict's headline
 * (core/experiment/verdict.ts); with `moved`, the partition follows thresholds moved in the report (the verdict still
 * comes from the analysis).
 */
export function lensTitle(result: AnalysisResult, moved = false): string {
  const d = result.detection;
  const rows = d.counts.overlap;
  return [
    `overlap density ${percent(d.overlapDensity)}`,
    `${rows.toLocaleString('en-US')} overlap row${rows === 1 ? '' : 's'}`,
    verdictOf(result).headline,
    ...(moved ? ['thresholds moved in the report'] : []),
  ].join(' · ');
}

/** Tooltip of the lens and the tree item: the verdict sentence, accuracies, counts, thresholds, the regime rule. */
export function resultTooltip(result: AnalysisResult): string {
  const d = result.detection;
  const a = result.accuracy;
  const evidence = verdictEvidence(result);
  const lines = [
    evidence.verdict.sentence,
    ...evidence.sanity.notices.map((n) => `Note: ${n}`),
    `Overlap density ${percent(d.overlapDensity)} of ${result.dataset.splits.w2sTrain.toLocaleString('en-US')} W2S-train rows`,
    `easy-only ${d.counts.easy} · hard-only ${d.counts.hard} · overlap ${d.counts.overlap}`,
    `accuracy weak ${fixed(a.weak, 3)} · strong ${fixed(a.strong, 3)} · W2S ${fixed(a.w2s, 3)} · PGR ${fixed(result.pgr)}`,
    `regime ${regimeRuleText(result.regime)}`,
    `t1 = ${fixed(d.confidenceThreshold, 3)} (${d.hardRule}) · t2 = ${fixed(d.alignThreshold, 3)} (${d.align})${d.usedFallback ? ' · median fallback' : ''}`,
    `encoders ${result.encoders.weak.id} -> ${result.encoders.strong.id} on ${result.device} · ${result.createdAt}`,
  ];
  return lines.join('\n');
}

/** Short description for the Datasets view: "23.1% · medium". */
export function treeDescription(result: AnalysisResult): string {
  return `${percent(result.detection.overlapDensity)} · ${result.regime.label}`;
}

/** Status bar text (codicons allowed). */
export function statusText(result: AnalysisResult, stale: boolean): string {
  if (stale) return '$(warning) Overlap: out of date';
  return `$(graph) Overlap ${percent(result.detection.overlapDensity)} · ${verdictOf(result).headline}`;
}

/** The lens shown instead of the summary when the file changed since the analysis. */
export const STALE_LENS_TITLE = '$(warning) overlap results are out of date: this file changed since it was analysed';

/** Why editor features are off on files VS Code does not hand to extensions. */
export const LARGE_FILE_LIMIT_BYTES = 50 * 1024 * 1024;

export function largeFileMessage(name: string, bytes: number): string {
  const mb = (bytes / (1024 * 1024)).toFixed(0);
  return (
    `${name} is ${mb} MB: VS Code does not pass files over 50 MB to extensions, so decorations, hovers, CodeLens ` +
    'and annotation edits are off for it. Analysis still runs from disk; open the report for the results.'
  );
}

export { historyTrend, signedPoints, type TrendPoint } from '../core/report/trend';
